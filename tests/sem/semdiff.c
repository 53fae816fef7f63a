/* semdiff.c: differential testing of hoc verify's encoding against the
 * generated C (docs/verifier.md, "Differential testing").
 *
 *   semdiff FILE.ho [--json] [--precise] [--timeout MS] [--case K]
 *
 * FILE.ho carries its concrete cases in `//!` lines (case.h). semdiff
 * compiles and loads the algorithm as hoc sim does (cli/load.c), runs each
 * case's round in the C (crun.h), and asks the prover whether its encoding
 * admits what the C computed (prover/concrete.h). Exit 0: every case
 * agrees (or lies outside the encoding: unsupported); 1: a mismatch; 2: the
 * program or a case is unusable. tests/sem/semfuzz.py drives it. */
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "case.h"
#include "clock.h"
#include "concrete.h"
#include "crun.h"
#include "load.h"
#include "opt.h"

typedef struct Opts {
    bool json, precise;
    long long timeout_ms, only;
} Opts;

/* One case's C run: the states before and after the round, the initial
 * states of the inputs, who is stopped, and the spec truths. */
typedef struct CRun {
    int n;
    uint8_t *pre, *post, *init;
    bool crashed[SEM_MAXN], stopped[SEM_MAXN], stopped_after[SEM_MAXN], crash_now[SEM_MAXN];
    const SemStep *step; /* of the round tested */
} CRun;

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    hoc_buf b = {0};
    char chunk[4096];
    size_t k;
    while ((k = fread(chunk, 1, sizeof chunk, f)) > 0)
        hoc_buf_put(&b, chunk, k);
    fclose(f);
    return hoc_buf_take(&b);
}

static void inputs_of(const hoc_algo *a, const uint8_t *st, int64_t *in)
{
    for (int i = 0; i < a->ninputs; i++)
        in[i] = crun_get(&a->inputs[i], st);
}

/* The pre-state: as written, or reached from the inputs by the case's
 * earlier rounds. 0, or -1 with a message in err. */
static int pre_state(const hoc_algo *a, const SemCase *c, CRun *r, char *err, size_t errn)
{
    size_t sz = a->state_size;
    for (int p = 0; p < c->n; p++) {
        uint8_t *st = r->pre + (size_t)p * sz;
        if (crun_assign(a, st, c->pre[p], c->reach ? NULL : &r->crashed[p], err, errn)) return -1;
        if (!c->reach) continue;
        int64_t in[64] = {0};
        inputs_of(a, st, in);
        hoc_env env = {p, c->n, 0, c->params, 0};
        a->init(st, &env, in);
    }
    for (int64_t k = 0; c->reach && k < c->round; k++) {
        crun_step(a, c->n, c->params, k, r->pre, r->crashed, c->step[k]);
        for (int p = 0; p < c->n; p++)
            r->crashed[p] |= c->step[k][p].crash;
    }
    r->step = c->step[c->reach ? c->round : 0];
    return 0;
}

/* Runs the case's round in the C into r; 0, or -1 with a message in err. */
static int run_c(const hoc_algo *a, const SemCase *c, CRun *r, char *err, size_t errn)
{
    size_t sz = a->state_size, n = (size_t)c->n;
    memset(r, 0, sizeof *r);
    r->n = c->n;
    r->pre = calloc(n, sz), r->post = calloc(n, sz), r->init = calloc(n, sz);
    if (!r->pre || !r->post || !r->init) abort();
    if (c->nparams != a->nparams || !a->params_ok(c->params) || c->n > a->maxn) {
        snprintf(err, errn, "n and the params do not fit %s", a->name);
        return -1;
    }
    if (a->ninputs > 64) {
        snprintf(err, errn, "more than 64 inputs");
        return -1;
    }
    if (pre_state(a, c, r, err, errn)) return -1;
    for (int p = 0; p < c->n; p++) /* crashed[p] in specs, as the drivers set it */
        if (r->crashed[p]) r->pre[(size_t)p * sz + a->crashed_offset] = 1;
    for (int p = 0; p < c->n && c->uniform; p++)
        if (r->step[p].ho != r->step[0].ho || r->step[p].crash) {
            snprintf(err, errn, "a uniform case has one heard-of set and no crash");
            return -1;
        }
    for (int p = 0; p < c->n && c->facts; p++) /* hoc verify assumes it (vc.c, state_ranges) */
        if (!(r->step[p].ho >> p & 1)) {
            snprintf(err, errn, "p%d must hear itself: every driver delivers its own message", p);
            return -1;
        }
    for (int p = 0; p < c->n; p++) {
        int64_t in[64] = {0};
        inputs_of(a, r->pre + (size_t)p * sz, in);
        hoc_env env = {p, c->n, 0, c->params, 0};
        a->init(r->init + (size_t)p * sz, &env, in);
    }
    memcpy(r->post, r->pre, n * sz);
    crun_step(a, c->n, c->params, c->round, r->post, r->crashed, r->step);
    for (int p = 0; p < c->n; p++)
        if (r->step[p].crash) r->post[(size_t)p * sz + a->crashed_offset] = 1;
    for (int p = 0; p < c->n; p++) {
        r->crash_now[p] = r->step[p].crash && !r->crashed[p];
        r->stopped[p] = r->crashed[p] || r->pre[(size_t)p * sz + a->halted_offset];
        r->stopped_after[p] =
            r->stopped[p] || r->crash_now[p] || r->post[(size_t)p * sz + a->halted_offset];
    }
    return 0;
}

static void crun_free(CRun *r)
{
    free(r->pre), free(r->post), free(r->init);
}

/* The states' values slot by slot, as the prover numbers them. */
static int64_t *slot_values(const hoc_algo *a, Algo *al, const CRun *r, const uint8_t *states)
{
    int ns = conc_nslots(al);
    int64_t *v = calloc((size_t)(r->n * ns + 1), sizeof *v);
    if (!v) abort();
    for (int k = 0; k < ns; k++) {
        const hoc_field *fd = crun_field(a, conc_slot(al, k)->name);
        for (int p = 0; p < r->n && fd; p++)
            v[p * ns + k] = crun_get(fd, states + (size_t)p * a->state_size);
    }
    return v;
}

/* The truth of every spec on states (-1 where not evaluated: assumptions
 * off the post-state, goals and prunes). */
static void spec_truths(const hoc_algo *a, const int64_t *params, const uint8_t *states,
                        const hoc_set *ho, bool post, int8_t *out)
{
    for (int i = 0; i < a->nspecs; i++) {
        hoc_spec_kind k = a->specs[i].kind;
        bool state = k == HOC_INVARIANT || k == HOC_PROPERTY || k == HOC_PROGRESS;
        out[i] = state || (post && k == HOC_ASSUME) ? a->specs[i].holds(states, params, ho) : -1;
    }
}

/* The case restated with its pre-state explicit (as reached, for a reach
 * case): what a reproducer keeps. */
static char *explicit_case(const hoc_algo *a, const SemCase *c, const CRun *r)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) abort();
    fprintf(f, "//! case%s%s n=%d round=%" PRId64 " core=%d params=", c->facts ? " facts" : "",
            c->uniform ? " uniform" : "", c->n, c->round, c->core);
    for (int i = 0; i < c->nparams; i++)
        fprintf(f, "%s%" PRId64, i ? "," : "", c->params[i]);
    fputc('\n', f);
    for (int p = 0; p < c->n; p++) {
        fprintf(f, "//! p%d pre: ", p);
        crun_print(f, a, r->pre + (size_t)p * a->state_size);
        fprintf(f, "%s\n", r->crashed[p] ? " crashed=true" : "");
    }
    for (int p = 0; p < c->n; p++) {
        fprintf(f, "//! p%d step %" PRId64 ": ho=", p, c->round);
        fputc('{', f);
        for (int q = 0, k = 0; q < 64; q++)
            if (r->step[p].ho >> q & 1) fprintf(f, "%s%d", k++ ? "," : "", q);
        fprintf(f, "} crash=%s oracle=%" PRIu64 "\n", r->step[p].crash ? "true" : "false",
                r->step[p].oracle);
    }
    fclose(f);
    return text;
}

/* The prover's side: the encoding evaluated on the C's run. */
static ConcVerdict run_prover(const hoc_algo *a, Algo *al, const SemCase *c, const CRun *r,
                              const Opts *o, ConcResult *res)
{
    int64_t *pre = slot_values(a, al, r, r->pre), *post = slot_values(a, al, r, r->post),
            *init = slot_values(a, al, r, r->init);
    int8_t tp[256], tq[256], ti[256];
    hoc_set ho[HOC_MAXN] = {0}, none[HOC_MAXN] = {0};
    uint64_t oracle[SEM_MAXN];
    for (int p = 0; p < c->n; p++)
        ho[p] = r->step[p].ho, oracle[p] = r->step[p].oracle;
    if (a->nspecs > 256) abort();
    spec_truths(a, c->params, r->pre, none, false, tp);
    spec_truths(a, c->params, r->post, ho, true, tq);
    spec_truths(a, c->params, r->init, none, false, ti);
    ConcRun run = {.n = c->n,
                   .params = c->params,
                   .round = c->round,
                   .facts = c->facts,
                   .pre = pre,
                   .post = post,
                   .init = init,
                   .stopped = r->stopped,
                   .stopped_after = r->stopped_after,
                   .crash_now = r->crash_now,
                   .crashed = r->crashed,
                   .ho = ho,
                   .oracle = oracle,
                   .spec_pre = tp,
                   .spec_post = tq,
                   .spec_init = ti,
                   .precise = o->precise,
                   .core = c->core,
                   .uniform = c->uniform};
    ConcVerdict v = conc_check(al, &run, (unsigned)o->timeout_ms, res);
    free(pre), free(post), free(init);
    return v;
}

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; s && *s; s++) {
        if (*s == '"' || *s == '\\')
            fprintf(f, "\\%c", *s);
        else if (*s == '\n')
            fputs("\\n", f);
        else if ((unsigned char)*s < 0x20)
            fprintf(f, "\\u%04x", *s);
        else
            fputc(*s, f);
    }
    fputc('"', f);
}

static const char *const verdict_names[] = {"agree", "mismatch", "unsupported", "unknown"};

/* Prints one case's outcome: a JSON line, or text with the run when it is
 * a mismatch. */
static void report(const hoc_algo *a, const SemCase *c, const CRun *r, const ConcResult *res,
                   const Opts *o, double secs)
{
    char *ex = explicit_case(a, c, r);
    if (o->json) {
        printf("{\"line\": %d, \"verdict\": \"%s\", \"checks\": %d, \"imprecise\": %d, "
               "\"seconds\": %.4f, \"report\": ",
               c->line, verdict_names[res->verdict], res->checks, res->imprecise, secs);
        json_string(stdout, res->report);
        printf(", \"explicit\": ");
        json_string(stdout, ex);
        printf("}\n");
    } else {
        printf("case at line %d: %s (%d checks, %.3fs)\n", c->line, verdict_names[res->verdict],
               res->checks, secs);
        if (res->verdict != CONC_AGREE) {
            printf("%s", res->report);
            if (res->verdict == CONC_MISMATCH) {
                printf("the run, explicit:\n%s", ex);
                for (int p = 0; p < c->n; p++) {
                    printf("//   p%d after (C): ", p);
                    crun_print(stdout, a, r->post + (size_t)p * a->state_size);
                    printf("\n");
                }
            }
        }
    }
    free(ex);
    fflush(stdout);
}

/* Runs every case of the file (or the one asked for); the exit status. */
static int run_cases(const hoc_algo *a, Algo *al, SemCase *cs, int nc, const Opts *o)
{
    int status = 0;
    for (int i = 0; i < nc; i++) {
        if (o->only && i + 1 != o->only) continue;
        char err[256];
        CRun r;
        double t0 = hoc_now_s();
        if (run_c(a, &cs[i], &r, err, sizeof err)) {
            fprintf(stderr, "semdiff: case at line %d: %s\n", cs[i].line, err);
            crun_free(&r);
            return 2;
        }
        ConcResult res;
        if (run_prover(a, al, &cs[i], &r, o, &res) == CONC_MISMATCH) status = 1;
        report(a, &cs[i], &r, &res, o, hoc_now_s() - t0);
        conc_result_free(&res);
        crun_free(&r);
    }
    return status;
}

/* Removes the directory load_algo keeps when the C compiler fails: a
 * differential test's programs are throwaway (the .ho file reproduces it). */
static void drop_kept(const Loaded *l)
{
    if (!l->gen.c[0] || l->gen.dir[0]) return; /* nothing kept */
    const char *files[] = {l->gen.c, l->gen.h, l->gen.extra};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++)
        if (files[i][0]) unlink(files[i]);
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", l->gen.c);
    char *slash = strrchr(dir, '/');
    if (slash) *slash = 0, rmdir(dir);
}

int main(int argc, char **argv)
{
    Opts o = {.timeout_ms = 20000};
    /* generated code compiled as hoc does, but a warning is not fatal (cc.sh) */
    if (!getenv("HOC_CC")) {
        setenv("HOC_SEM_CC", SEM_CC, 0);
        setenv("HOC_CC", SEM_CC_WRAPPER, 1);
    }
    const hoc_opt table[] = {
        {"--json", HOC_OPT_SET, &o.json, .help = "one JSON object per case"},
        {"--precise", HOC_OPT_SET, &o.precise,
         .help = "also count values the encoding leaves open"},
        {"--timeout", HOC_OPT_INT, &o.timeout_ms, 0, 3600000, .arg = "MS", .help = "per case"},
        {"--case", HOC_OPT_INT, &o.only, 1, 1000000, .arg = "K", .help = "only the K-th case"},
        {NULL},
    };
    const char *pos[1];
    int npos = 0;
    char err[256];
    if (hoc_opt_parse(table, argc - 1, argv + 1, pos, 1, &npos, err, sizeof err) || npos != 1) {
        fprintf(stderr, "semdiff: %s\nusage: semdiff FILE.ho [options]\n",
                npos == 1 ? err : "one .ho file");
        hoc_opt_print(stderr, table, 2);
        return 2;
    }
    char *text = read_all(pos[0]);
    SemCase *cs = NULL;
    if (!text) snprintf(err, sizeof err, "cannot read it");
    int nc = text ? sem_cases_read(text, &cs, err, sizeof err) : -1;
    free(text);
    if (nc < 0) {
        fprintf(stderr, "semdiff: %s: %s\n", pos[0], err);
        return 2;
    }
    Front fr;
    Loaded l = {0};
    int rc = front_load(pos[0], &fr);
    Algo *al = rc ? NULL : front_pick(&fr, NULL);
    if (!rc && al && (rc = load_algo(&fr, al, pos[0], NULL, 0, SEM_MAXN, &l)) != 0) drop_kept(&l);
    if (!rc && al)
        rc = run_cases(l.algo, al, cs, nc, &o);
    else
        rc = 2;
    load_free(&l);
    front_free(&fr);
    sem_cases_free(cs, nc);
    return rc;
}
