/* explore.c: hoc explore as the hoc command uses it (see explore.h). */
#include "explore.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "sim.h"
#include "xload.h"
#include "xpage.h"
#include "xserve.h"
#include "xtree.h"

/* Reads the file at path into b; 0, or -1 after a message. */
static int read_file(const char *path, hoc_buf *b)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "hoc: cannot read '%s': %s\n", path, strerror(errno));
        return -1;
    }
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        hoc_buf_put(b, chunk, got);
    bool bad = ferror(f);
    fclose(f);
    if (bad) fprintf(stderr, "hoc: cannot read '%s'\n", path);
    return bad ? -1 : 0;
}

/* rc, or 3 after a message when a spec on the page could not be judged (its
 * verdicts there mean nothing). */
static int unjudged(const xt_tree *t, int rc)
{
    if (!t->judge || !atomic_load(&t->judge->failed)) return rc;
    fprintf(stderr, "hoc: %s\n", t->judge->why);
    return 3;
}

/* hoc sim's default inputs: p % 2, a pid input p. */
static int default_root(xt_tree *t)
{
    const hoc_algo *a = t->a;
    int64_t in[HOC_MAXN * HOC_MAXINPUTS + 1];
    for (int p = 0; p < t->n; p++)
        for (int i = 0; i < a->ninputs; i++)
            in[p * a->ninputs + i] = a->inputs[i].kind == HOC_K_PID ? p : p % 2;
    return xt_root(t, in, "start");
}

/* A tree holding the default start and, when path is not NULL, the trace
 * at path; the node to show first, or -1 after a message. */
static int open_tree(xt_tree *t, const hoc_algo *a, int n, const int64_t *params, const char *path)
{
    if (xt_init(t, a, n, params) != 0) {
        fprintf(stderr, "hoc: out of memory\n");
        return -1;
    }
    int id = default_root(t);
    if (!path || id < 0) return id;
    hoc_buf b = {0};
    char err[512];
    if (read_file(path, &b) == 0) {
        id = xload_trace(t, -1, hoc_buf_str(&b), b.n, "trace", err, sizeof err);
        if (id < 0) fprintf(stderr, "hoc: %s: %s\n", path, err);
    } else
        id = -1;
    hoc_buf_free(&b);
    return id;
}

int explore_serve(const hoc_algo *a, int n, const int64_t *params, const explore_opts *o)
{
    xt_tree t;
    int focus = open_tree(&t, a, n, params, o->trace);
    int rc = 2;
    /* its inputs (p % 2) and the events the page offers hand stand-ins */
    bool standin = o->block_look && hoc_sim_hands_blocks(a, true);
    if (focus >= 0) {
        xsrv_opts so = {o->bind,
                        o->port,
                        o->public_ok,
                        o->source,
                        o->out ? o->out : stdout,
                        o->seed,
                        standin ? o->block_look : NULL};
        rc = xsrv_run(&t, focus, &so);
    }
    xt_free(&t);
    return rc;
}

int explore_trace_n(const char *path)
{
    hoc_buf b = {0};
    char err[512];
    int n = -1;
    if (read_file(path, &b) == 0) {
        n = xload_trace_n(hoc_buf_str(&b), b.n, err, sizeof err);
        if (n < 0) fprintf(stderr, "hoc: %s: %s\n", path, err);
    }
    hoc_buf_free(&b);
    return n;
}

int explore_html_trace(const hoc_algo *a, int n, const int64_t *params, const char *path,
                       const char *note, const char *html)
{
    xt_tree t;
    int focus = open_tree(&t, a, n, params, path);
    int rc = focus >= 0 && xpage_write(&t, focus, note, html) == 0 ? 0 : 2;
    rc = unjudged(&t, rc);
    xt_free(&t);
    return rc;
}

struct explore_rec {
    xt_tree t;
    int at; /* the node the run has reached, -1 before it starts or after a failure */
};

explore_rec *explore_rec_new(const hoc_algo *a, int n, const int64_t *params)
{
    explore_rec *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    if (xt_init(&r->t, a, n, params) != 0) {
        explore_rec_free(r);
        return NULL;
    }
    r->at = -1;
    return r;
}

void explore_rec_observe(void *rec, int64_t round, const int64_t *inputs, const hoc_set *ho,
                         const uint64_t *oracle, uint64_t crashed, const simenv_step *env)
{
    explore_rec *r = rec;
    if (round < 0)
        r->at = xt_root(&r->t, inputs, "sim");
    else if (r->at >= 0)
        r->at = xt_step(&r->t, r->at, ho, crashed, oracle, env, "sim");
}

int explore_rec_write(explore_rec *r, const char *note, const char *html)
{
    if (r->at < 0) {
        fprintf(stderr, "hoc: the run could not be recorded for --html (too many rounds?)\n");
        return 2;
    }
    return unjudged(&r->t, xpage_write(&r->t, r->at, note, html) == 0 ? 0 : 2);
}

void explore_rec_free(explore_rec *r)
{
    if (!r) return;
    xt_free(&r->t);
    free(r);
}
