/* xcheck.c: hoc check behind hoc verify's verdicts (see xcheck.h). */
#include "xcheck.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "load.h"
#include "mc.h"
#include "params.h"

/* The largest n searched: beyond it small bugs are rare and spaces large. */
#define XC_MAXN 7

/* The search in progress: the algorithm loaded for the current n, the time
 * left, and what was done so far (for f->searched). */
typedef struct Xc {
    Front *fr;
    Algo *al;
    const XcOpts *o;
    XcFinding *f;
    double deadline;
    bool per_n;   /* arrays indexed by process: compile for each n */
    int loaded_n; /* the n the loaded code was compiled for, 0 for none */
    Loaded l;
    bool *violated, *pre; /* per spec of the descriptor */
    bool *skip;           /* per spec of the descriptor: not in question */
    hoc_buf log;
} Xc;

/* Whether al has state sized by the number of processes. */
static bool sized_by_n(const Algo *al)
{
    for (int i = 0; i < al->nvars; i++) {
        const Type *t = al->vars[i]->type;
        for (; t && t->kind == TY_ARRAY; t = t->elem)
            if (t->len < 0) return true;
    }
    return false;
}

/* The algorithm compiled for n (once for every n when nothing is sized by
 * it); NULL after a message. */
static const hoc_algo *load_for(Xc *x, int n)
{
    if (x->loaded_n && (!x->per_n || x->loaded_n == n)) return x->l.algo;
    load_free(&x->l);
    x->loaded_n = 0;
    if (load_algo(x->fr, x->al, x->o->src, NULL, 0, x->per_n ? n : XC_MAXN, &x->l) != 0)
        return NULL;
    x->loaded_n = n;
    const hoc_algo *a = x->l.algo;
    free(x->violated), free(x->pre), free(x->skip);
    x->violated = calloc((size_t)a->nspecs + 1, sizeof *x->violated);
    x->pre = calloc((size_t)a->nspecs + 1, sizeof *x->pre);
    x->skip = calloc((size_t)a->nspecs + 1, sizeof *x->skip);
    if (!x->violated || !x->pre || !x->skip) return NULL;
    /* the invariants and properties not in question are not checked */
    for (int i = 0; x->o->targets && i < a->nspecs; i++) {
        if (a->specs[i].kind != HOC_INVARIANT && a->specs[i].kind != HOC_PROPERTY) continue;
        x->skip[i] = true;
        for (int j = 0; j < x->al->nspecs; j++)
            if (x->o->targets[j] && strcmp(a->specs[i].name, x->al->specs[j]->name) == 0)
                x->skip[i] = false;
    }
    return a;
}

/* Copies what the checker found into the finding, in the front end's spec order. */
static void keep_finding(Xc *x, const hoc_algo *a, const mc_result *r, int n, const char *trace)
{
    XcFinding *f = x->f;
    f->found = true;
    f->cti = r->cti;
    f->stage = r->spec >= 0 && a->specs[r->spec].kind == HOC_PROGRESS;
    f->n = n;
    f->depth = r->depth;
    f->position = r->position;
    snprintf(f->spec, sizeof f->spec, "%s", r->spec >= 0 ? a->specs[r->spec].name : "?");
    snprintf(f->trace, sizeof f->trace, "%s", trace);
    for (int j = 0; j < x->al->nspecs; j++)
        for (int i = 0; i < a->nspecs; i++)
            if (strcmp(a->specs[i].name, x->al->specs[j]->name) == 0)
                f->violated[j] = x->violated[i], f->pre_violated[j] = x->pre[i];
}

/* One hoc check run at n with the time left times share; mode "bfs",
 * "walks" or "cti". Returns the checker's status, or -1 when it could not
 * run at this n (no parameters; nothing said) and 2 when it cannot run at
 * all (after a message). */
static int run_at(Xc *x, int n, const char *mode, double share)
{
    double left = x->deadline - hoc_now_s();
    if (left <= 0.05) return 3;
    const hoc_algo *a = load_for(x, n);
    if (!a) return 2;
    if (n > a->maxn) return -1;
    mc_opts o = {.n = n,
                 .values = 2,
                 .depth = strcmp(mode, "walks") == 0 ? 40 : 1000,
                 .faults = MC_BENIGN,
                 .threads = 1, /* the prover and other jobs share the cores */
                 .mem_mb = 2048,
                 .symmetry = true,
                 .abstraction = true,
                 .inductive = strcmp(mode, "cti") == 0,
                 .stage = x->o->stage,
                 .stage_round = x->o->stage_round,
                 .walks = strcmp(mode, "walks") == 0 ? INT64_MAX / 2 : 0,
                 .seed = 1,
                 .prune = -1,
                 .source = x->o->src};
    char err[256], trace[PATH_MAX];
    if (hoc_params_pick(a, n, NULL, NULL, 0, o.params, err, sizeof err) != 0) return -1;
    /* the budget is of seconds, the checker's limit of seconds too: at least one */
    o.time_limit = left * share > 1 ? left * share : 1;
    if (o.time_limit > left) o.time_limit = left;
    snprintf(trace, sizeof trace, "%s/%s-n%d-%s.json", x->o->dir, a->name, n, mode);
    o.trace_path = trace;
    FILE *quiet = fopen("/dev/null", "w");
    if (!quiet) return 2;
    o.out = quiet;
    /* a counterexample to induction assumes every invariant, in question or not */
    bool *cti_skip = calloc((size_t)a->nspecs + 1, sizeof *cti_skip);
    if (!cti_skip) {
        fclose(quiet);
        return 2;
    }
    for (int i = 0; i < a->nspecs; i++)
        cti_skip[i] = x->skip[i] && a->specs[i].kind != HOC_INVARIANT;
    o.skip = o.inductive ? cti_skip : x->skip;
    mc_result r = {.status = 2, .violated = x->violated, .pre_violated = x->pre};
    o.result = &r;
    int rc = mc_run(a, &o);
    fclose(quiet);
    free(cti_skip);
    if (rc == 1) keep_finding(x, a, &r, n, trace);
    hoc_buf_printf(&x->log, "%s%s n=%d %s", x->log.n ? ", " : "", mode, n,
                   rc == 1   ? "found"
                   : rc == 0 ? (r.exhausted ? "exhausted" : "nothing")
                   : rc == 3 ? "stopped by the budget"
                             : "failed");
    return rc;
}

/* Exhaustive searches at growing n, then walks at the first n not
 * exhausted; 1 when a trace was found, 2 on error, else 0. */
static int search_runs(Xc *x)
{
    int unfinished = 0;
    for (int n = 2; n <= XC_MAXN; n++) {
        /* each n its share of the time the runs may take (60% of it all) */
        double share = 0.6 / (XC_MAXN - n + 1);
        int rc = run_at(x, n, "bfs", x->o->want_cti ? share * 0.75 : share);
        if (rc == 1 || rc == 2) return rc;
        if (rc == 3 && !unfinished) unfinished = n;
    }
    if (unfinished && !x->o->stage) { /* walks do not try good rounds */
        int rc = run_at(x, unfinished, "walks", x->o->want_cti ? 0.4 : 0.9);
        if (rc == 1 || rc == 2) return rc;
    }
    return 0;
}

static int search_cti(Xc *x)
{
    for (int n = 2; n <= 5; n++) {
        int rc = run_at(x, n, "cti", 1.0 / (6 - n));
        if (rc == 1 || rc == 2) return rc;
    }
    return 0;
}

int xc_search(Front *fr, Algo *al, const XcOpts *o, XcFinding *f)
{
    memset(f, 0, sizeof *f);
    f->violated = calloc((size_t)al->nspecs + 1, sizeof *f->violated);
    f->pre_violated = calloc((size_t)al->nspecs + 1, sizeof *f->pre_violated);
    if (!f->violated || !f->pre_violated) return 2;
    if (mkdir(o->dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "hoc: cannot make %s: %s\n", o->dir, strerror(errno));
        return 2;
    }
    Xc x = {.fr = fr, .al = al, .o = o, .f = f, .per_n = sized_by_n(al)};
    x.deadline = hoc_now_s() + o->budget;
    int rc = search_runs(&x);
    if (rc == 0 && o->want_cti) rc = search_cti(&x);
    snprintf(f->searched, sizeof f->searched, "%s", x.log.n ? hoc_buf_str(&x.log) : "nothing");
    hoc_buf_free(&x.log);
    free(x.violated), free(x.pre), free(x.skip);
    load_free(&x.l);
    return rc == 2 ? 2 : 0;
}

/* Spec j of al, by the obligation's declaration. */
static int spec_index(const Algo *al, const Decl *d)
{
    for (int j = 0; j < al->nspecs; j++)
        if (al->specs[j] == d) return j;
    return -1;
}

/* Whether an invariant is broken in which (per spec): then the state does
 * not satisfy the obligation's hypotheses. */
static bool invariant_broken(const Algo *al, const bool *which)
{
    for (int i = 0; i < al->nspecs; i++)
        if (al->specs[i]->spec_kind == SPEC_INVARIANT && which[i]) return true;
    return false;
}

bool xc_refutes(const XcFinding *f, const Algo *al, const VcObligation *ob)
{
    int j = spec_index(al, ob->spec);
    if (!f->found || j < 0 || !f->violated[j]) return false;
    switch (ob->kind) {
    case VC_INIT:
        return f->depth == 0 && !f->cti && !f->stage;
    case VC_CONSEC:
        return f->depth >= 1 && f->position == ob->round && !f->stage &&
               !invariant_broken(al, f->pre_violated);
    case VC_PROP:
        return !f->cti && !f->stage && !invariant_broken(al, f->violated);
    case VC_LIVE:
        return f->stage && f->depth >= 1 && f->position == ob->round;
    }
    return false;
}

void xc_free(XcFinding *f)
{
    free(f->violated), free(f->pre_violated);
    f->violated = f->pre_violated = NULL;
}
