/* xcheck.h: what hoc verify asks of hoc check (docs/verifier.md, "Runs
 * behind the verdicts"). When an obligation is not proved, a concrete run
 * that refutes it (or a counterexample to induction); when obligations are
 * proved, a bounded search for a run they rule out, which must find none.
 * Both are one search: hoc check on small n within a time budget. */
#ifndef HOC_XCHECK_H
#define HOC_XCHECK_H

#include <limits.h>
#include <stdbool.h>

#include "front.h"
#include "vc.h"

typedef struct XcOpts {
    double budget;   /* seconds for the whole search; <= 0: no search */
    const char *dir; /* where traces are written (created if needed) */
    const char *src; /* the .ho file */
    bool want_cti;   /* when no run is found, look for a counterexample to induction */
    /* Per spec of the algorithm: the invariants and properties in question
     * (the others are not checked); NULL: all. */
    const bool *targets;
    /* Or, instead of all that, refute this progress stage (at the phase
     * position stage_round, or any when it is -1): one good round from a
     * state satisfying the invariants and the stage before that misses it. */
    const char *stage;
    int stage_round;
} XcOpts;

typedef struct XcFinding {
    bool found;    /* a trace that breaks a spec: a run, or a counterexample to induction */
    bool cti;      /* the trace starts from a state satisfying the invariants, maybe unreachable */
    bool stage;    /* it refutes a progress stage (XcOpts.stage) */
    int n;         /* processes */
    int64_t depth; /* rounds in the trace */
    int64_t position; /* the round of the phase its last round ran, -1 when depth is 0 */
    /* Per spec of the algorithm (Algo order): broken by the trace's last
     * state, and by the state before its last round. */
    bool *violated, *pre_violated;
    char spec[128]; /* the spec the checker reports */
    char trace[PATH_MAX];
    char searched[512]; /* what was searched, for the report */
} XcFinding;

/* Runs hoc check on al within o->budget seconds: an exhaustive search at
 * n = 2, 3, ... (each n gets a share of what is left), random walks where
 * the search did not finish, and with o->want_cti the search for a
 * counterexample to induction; it stops at the first trace that breaks a
 * spec, written to o->dir. Returns 0 with *f filled (f->found or not), or 2
 * after a message when the algorithm cannot be compiled or loaded or the
 * directory made. xc_free(f) is due either way. */
int xc_search(Front *fr, Algo *al, const XcOpts *o, XcFinding *f);
/* Whether the trace of f refutes obligation ob of al: its last state breaks
 * ob's spec where ob claims it holds (initiation: an initial state;
 * consecution: after a round at ob's position from a state satisfying every
 * invariant; implication: in a state satisfying every invariant; progress:
 * a good round at ob's position from a state satisfying the invariants and
 * the stage before). */
bool xc_refutes(const XcFinding *f, const Algo *al, const VcObligation *ob);
/* Frees what xc_search allocated. */
void xc_free(XcFinding *f);

#endif
