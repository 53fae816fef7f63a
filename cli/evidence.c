/* evidence.c: hoc check behind hoc verify's verdicts (see evidence.h). */
#include "evidence.h"

#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "json.h"
#include "load.h"
#include "modelrun.h"

void ev_init(Evidence *e, const EvOpts *o, Front *fr, Algo *al, const VcObligation *obs, int n,
             const bool *selected)
{
    *e = (Evidence){.o = o, .fr = fr, .al = al, .obs = obs, .selected = selected, .n = n};
    e->left = o->budget;
    e->targets = calloc((size_t)al->nspecs + 1, sizeof *e->targets);
    e->by = calloc((size_t)n + 1, sizeof *e->by);
    if (!e->targets || !e->by) abort();
    for (int i = 0; i < n; i++) {
        if (!selected[i]) continue;
        if (obs[i].kind == VC_LIVE) {
            e->live_left += obs[i].spec->spec_kind == SPEC_PROGRESS;
            continue;
        }
        for (int j = 0; j < al->nspecs; j++)
            if (al->specs[j] == obs[i].spec) e->targets[j] = true;
    }
}

/* The directory traces go to, made on first use; NULL after a message. */
static const char *trace_dir(Evidence *e)
{
    if (e->o->dir) return e->o->dir;
    if (!e->dir[0]) {
        snprintf(e->dir, sizeof e->dir, "/tmp/hoc-verify-XXXXXX");
        if (!mkdtemp(e->dir)) {
            perror("hoc: cannot make a directory in /tmp");
            e->dir[0] = 0;
            return NULL;
        }
    }
    return e->dir;
}

/* One search within budget seconds (and what is left); into *f. Returns
 * whether it found a trace. */
static bool search(Evidence *e, XcOpts *xo, double budget, XcFinding *f)
{
    memset(f, 0, sizeof *f);
    xo->dir = budget > 0 ? trace_dir(e) : NULL;
    if (!xo->dir) return false;
    xo->budget = budget < e->left ? budget : e->left;
    xo->src = e->o->src;
    double t0 = hoc_now_s();
    int rc = xc_search(e->fr, e->al, xo, f);
    e->left -= hoc_now_s() - t0;
    return rc == 0 && f->found;
}

/* The safety search, once per algorithm; half the budget when progress
 * stages wait for the rest. */
static bool safety_once(Evidence *e, bool want_cti)
{
    if (e->searched) return e->safety.found;
    e->searched = true;
    XcOpts xo = {.want_cti = want_cti, .targets = e->targets, .stage_round = -1};
    return search(e, &xo, e->live_left ? e->left / 2 : e->left, &e->safety);
}

/* A search for a good round that misses progress stage ob's spec. */
static XcFinding *stage_search(Evidence *e, const VcObligation *ob)
{
    if (ob->spec->spec_kind != SPEC_PROGRESS || e->live_left <= 0) return NULL;
    XcFinding *f = malloc(sizeof *f);
    if (!f) abort();
    XcOpts xo = {.stage = ob->spec->name, .stage_round = ob->round, .want_cti = true};
    bool found = search(e, &xo, e->left / e->live_left--, f);
    if (found && xc_refutes(f, e->al, ob)) return f;
    xc_free(f);
    free(f);
    return NULL;
}

/* A failed verdict without a trace rests on the solver's model: run in the
 * compiled code, it must break the obligation, or the verdict is unknown
 * (the bounded encoding missed an instance that makes it hold). */
static void back_failed(Evidence *e, int i, VcResult *r)
{
    if (r->status != VC_FAILED || !r->model || e->obs[i].kind == VC_LIVE) return;
    if (!e->code_tried) {
        e->code_tried = true;
        if (load_algo(e->fr, e->al, e->o->src, NULL, 0, HOC_MAXN, &e->code) != 0)
            load_free(&e->code);
    }
    if (!e->code.algo) return;
    char why[300];
    MrVerdict mv = mr_run(e->code.algo, e->al, &e->obs[i], r->model, why, sizeof why);
    if (mv == MR_CONFIRMED) {
        snprintf(r->reason, sizeof r->reason,
                 "the solver's model, run in the generated C, breaks it%s",
                 e->obs[i].kind == VC_CONSEC ? " (a counterexample to induction, maybe unreachable)"
                                             : "");
    } else if (mv == MR_SPURIOUS) {
        r->status = VC_UNKNOWN;
        snprintf(r->reason, sizeof r->reason,
                 "the solver's model is no counterexample: run in the generated C, %s (a "
                 "model of the bounded encoding, not of the program; docs/verifier.md)",
                 why);
        free(r->cex);
        r->cex = NULL;
    }
}

const XcFinding *ev_refute(Evidence *e, int i, VcResult *r)
{
    const VcObligation *ob = &e->obs[i];
    if (r->status == VC_PROVED || e->o->budget <= 0) return NULL;
    XcFinding *f = NULL;
    if (ob->kind == VC_LIVE)
        f = stage_search(e, ob);
    else if (safety_once(e, true) && xc_refutes(&e->safety, e->al, ob))
        f = &e->safety;
    if (!f) {
        back_failed(e, i, r);
        return NULL;
    }
    e->by[i] = f;
    if (r->status == VC_UNKNOWN) {
        char was[sizeof r->reason];
        snprintf(was, sizeof was, "%s", r->reason);
        snprintf(r->reason, sizeof r->reason,
                 "the prover could not decide (%.300s); a concrete %s refutes it",
                 was[0] ? was : "unknown", f->cti ? "counterexample to induction" : "run");
    }
    r->status = VC_FAILED;
    return f;
}

/* Reports that proved obligation i is refuted by f, with its query. */
static void disagreement(Evidence *e, int i, const XcFinding *f)
{
    VcOpts o = {.timeout_ms = e->o->timeout_ms, .smt2_dir = trace_dir(e)};
    VcResult r;
    vc_discharge(e->al, &e->obs[i], &o, &r);
    fprintf(stderr,
            "hoc verify: internal error: %s: %s was proved, but hoc check finds a %s that "
            "breaks it (n=%d, %lld round%s); please report it with\n  the obligation's query: %s\n"
            "  the checker's trace: %s (hoc sim %s --replay %s)\n",
            e->al->decl->name, e->obs[i].name, f->cti ? "counterexample to induction" : "run", f->n,
            (long long)f->depth, f->depth == 1 ? "" : "s",
            r.smt2_path[0] ? r.smt2_path : "(not written)", f->trace, e->o->src, f->trace);
    vc_result_free(&r);
}

int ev_cross_check(Evidence *e, const VcResult *res)
{
    if (e->o->budget <= 0) return 0;
    bool all_proved = true;
    for (int i = 0; i < e->n; i++)
        if (e->selected[i] && res[i].status != VC_PROVED) all_proved = false;
    if (all_proved) safety_once(e, false);
    int rc = 0;
    /* Only a run disagrees with a proof: a counterexample to induction (found
     * for the obligations not proved) starts from a state that may be
     * unreachable and break the facts read off the code that the proof
     * assumes (a halting flag set at a process that has not halted). */
    for (int i = 0; e->safety.found && !e->safety.cti && i < e->n; i++)
        if (e->selected[i] && res[i].status == VC_PROVED &&
            xc_refutes(&e->safety, e->al, &e->obs[i])) {
            disagreement(e, i, &e->safety);
            rc = 2;
        }
    return rc;
}

const char *ev_searched(const Evidence *e)
{
    return e->searched ? e->safety.searched : NULL;
}

void ev_print(FILE *out, const XcFinding *f, const char *src)
{
    if (f->stage && f->cti)
        fprintf(out,
                "           hoc check, n=%d: one good round from a state satisfying every "
                "invariant and the stage before (maybe unreachable) misses %s\n",
                f->n, f->spec);
    else if (f->stage)
        fprintf(out,
                "           hoc check, n=%d: a run of %lld round%s whose last is good misses %s "
                "(the state before it satisfies every invariant and the stage before)\n",
                f->n, (long long)f->depth, f->depth == 1 ? "" : "s", f->spec);
    else if (f->cti)
        fprintf(out,
                "           hoc check, n=%d: one round from a state satisfying every invariant "
                "(maybe unreachable) breaks %s: a counterexample to induction\n",
                f->n, f->spec);
    else
        fprintf(out, "           hoc check, n=%d: a run of %lld round%s breaks %s\n", f->n,
                (long long)f->depth, f->depth == 1 ? "" : "s", f->spec);
    fprintf(out, "           trace: %s\n           replay: hoc sim %s --replay %s\n", f->trace, src,
            f->trace);
}

void ev_json(FILE *out, const XcFinding *f)
{
    fprintf(out,
            ", \"evidence\": {\"kind\": \"%s\", \"stage\": %s, \"n\": %d, \"rounds\": %lld, "
            "\"spec\": ",
            f->cti ? "cti" : "run", f->stage ? "true" : "false", f->n, (long long)f->depth);
    json_write_str(out, f->spec);
    fprintf(out, ", \"trace\": ");
    json_write_str(out, f->trace);
    fputc('}', out);
}

void ev_free(Evidence *e)
{
    for (int i = 0; i < e->n; i++)
        if (e->by[i] && e->by[i] != &e->safety) {
            XcFinding *f = e->by[i];
            xc_free(f);
            free(f);
        }
    xc_free(&e->safety);
    load_free(&e->code);
    free(e->targets), free(e->by);
}
