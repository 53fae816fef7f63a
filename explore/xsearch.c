/* xsearch.c: random walks and hoc check runs for the explorer (see xsearch.h). */
#include "xsearch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "mc.h"
#include "rng.h"
#include "xload.h"

/* Draws of heard-of sets a walk's round may take to satisfy the per-round
 * assumptions before the walk ends (the last draw loses nothing), as in
 * hoc sim. */
#define XS_TRIES 16

/* Whether the round that led to node id broke an assumption that must hold
 * in every round. */
static bool breaks_assumption(const xt_tree *t, int id)
{
    for (int i = 0; i < t->a->nspecs; i++) {
        const hoc_spec *sp = &t->a->specs[i];
        if (sp->kind == HOC_ASSUME && sp->rounds == 0 && !xt_holds(t, id, i)) return true;
    }
    return false;
}

/* The first invariant or property that fails in node id, or -1. */
static int first_failing(const xt_tree *t, int id)
{
    for (int i = 0; i < t->a->nspecs; i++)
        if (xt_judged(t, i) && !xt_holds(t, id, i)) return i;
    return -1;
}

/* One random round from node id: each message is lost with probability
 * drop (a process always hears itself; lossless when drop is 0). The new
 * node, or -1 when no draw met the assumptions or the tree is full. */
static int random_round(xt_tree *t, int id, double drop, uint64_t *rng)
{
    uint64_t ho[HOC_MAXN], oracle[HOC_MAXN];
    uint64_t mask = t->a->noracles >= 64 ? ~0ull : (1ull << t->a->noracles) - 1;
    for (int k = 0; k < XS_TRIES; k++) {
        double d = k == XS_TRIES - 1 ? 0 : k == 0 ? drop : hoc_rng_unit(rng);
        for (int q = 0; q < t->n; q++) {
            ho[q] = hoc_set_one(q);
            for (int p = 0; p < t->n; p++)
                if (p != q && hoc_rng_unit(rng) >= d) ho[q] |= hoc_set_one(p);
            oracle[q] = hoc_rng_next(rng) & mask;
        }
        int before = t->count;
        int next = xt_step(t, id, ho, 0, oracle, NULL, "walk");
        if (next < 0) return -1;
        if (!breaks_assumption(t, next)) return next;
        if (next >= before) xt_truncate(t, before);
    }
    return -1;
}

int xs_walks(xt_tree *t, int from, int64_t walks, int64_t depth, uint64_t seed, char *msg,
             size_t msgn)
{
    uint64_t rng = seed;
    int keep = t->count;
    for (int64_t w = 0; w < walks; w++) {
        double drop = hoc_rng_unit(&rng);
        int id = from;
        for (int64_t d = 0; d < depth; d++) {
            id = random_round(t, id, drop, &rng);
            if (id < 0) break;
            int bad = first_failing(t, id);
            if (bad >= 0) {
                snprintf(msg, msgn, "walk %lld found a violation of %s %s after %lld rounds",
                         (long long)w + 1, hoc_spec_kind_name(t->a->specs[bad].kind),
                         t->a->specs[bad].name, (long long)d + 1);
                return id;
            }
        }
        xt_truncate(t, keep); /* a walk that found nothing leaves no trace */
    }
    snprintf(msg, msgn, "%lld random walks of %lld rounds found no violation", (long long)walks,
             (long long)depth);
    return -1;
}

/* Reads all of f (from its start) into msg. */
static void read_back(FILE *f, char *msg, size_t msgn)
{
    rewind(f);
    size_t got = fread(msg, 1, msgn - 1, f);
    msg[got] = 0;
}

/* Loads the trace at path into t; the node at its end, or -1 with msg. */
static int load_file(xt_tree *t, int from, const char *path, char *msg, size_t msgn)
{
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    hoc_buf b = {0};
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        hoc_buf_put(&b, chunk, got);
    fclose(f);
    char err[512];
    int id = xload_trace(t, from, hoc_buf_str(&b), b.n, "check", err, sizeof err);
    if (id < 0) snprintf(msg, msgn, "hoc check's trace could not be loaded: %s", err);
    hoc_buf_free(&b);
    return id;
}

int xs_check(xt_tree *t, int from, const char *source, int64_t depth, double seconds, char *msg,
             size_t msgn)
{
    char path[] = "/tmp/hoc-explore-XXXXXX";
    int fd = mkstemp(path);
    FILE *out = tmpfile();
    if (fd < 0 || !out) {
        snprintf(msg, msgn, "cannot create a temporary file for hoc check");
        if (fd >= 0) close(fd), unlink(path);
        if (out) fclose(out);
        return -1;
    }
    close(fd);
    mc_opts o = {.n = t->n,
                 .values = 2,
                 .depth = depth,
                 .faults = MC_BENIGN,
                 .threads = 1,
                 .time_limit = seconds,
                 .mem_mb = 1024,
                 .symmetry = true,
                 .abstraction = true,
                 .stage_round = -1,
                 .trace_path = path,
                 .source = source,
                 .prune = -1,
                 .judge = t->judge,
                 .out = out};
    memcpy(o.params, t->params, sizeof o.params);
    if (from >= 0) {
        /* from one state: no reduction, so the trace starts from its very bytes
         * and replays onto the node */
        const xt_node *x = &t->nodes[from];
        o.start = x->states, o.start_round = x->round, o.start_crashed = x->crashed;
        o.symmetry = false, o.abstraction = false;
    }
    int rc = mc_run(t->a, &o);
    read_back(out, msg, msgn);
    fclose(out);
    int id = -1;
    if (rc == 1) id = load_file(t, from, path, msg, msgn);
    unlink(path);
    return id;
}
