/* evidence.h: hoc verify's use of hoc check, per algorithm (xcheck.h does
 * the searching). An obligation the prover did not prove is failed when a
 * concrete run (or counterexample to induction, or a good round that misses
 * a progress stage) refutes it; once the obligations are discharged, one
 * the prover proved but a trace refutes is a disagreement: a bug of hoc. */
#ifndef HOC_EVIDENCE_H
#define HOC_EVIDENCE_H

#include <stdio.h>

#include "load.h"
#include "xcheck.h"

typedef struct EvOpts {
    double budget;       /* seconds of hoc check per algorithm; <= 0: none */
    const char *dir;     /* where traces go; NULL: a new /tmp/hoc-verify-XXXXXX */
    const char *src;     /* the .ho file */
    unsigned timeout_ms; /* the prover's, to write a disagreeing obligation's query */
} EvOpts;

/* One algorithm's evidence: the safety search (once, on first need) and
 * the findings for progress stages, per obligation. */
typedef struct Evidence {
    const EvOpts *o;
    Front *fr;
    Algo *al;
    const VcObligation *obs;
    const bool *selected; /* per obligation */
    int n;
    char dir[64];     /* the directory made for the traces, if any */
    double left;      /* budget left */
    int live_left;    /* selected progress obligations not yet searched */
    bool *targets;    /* per spec: specs of selected safety obligations */
    XcFinding safety; /* the safety search's finding */
    bool searched;    /* the safety search ran */
    XcFinding **by;   /* per obligation: the finding that refuted it, or NULL */
    Loaded code;      /* the compiled code failed verdicts' models run in (modelrun.h) */
    bool code_tried;  /* it was compiled (or that failed) */
} Evidence;

/* Sets up e for al's n obligations obs of which selected[i] are discharged.
 * Aborts when out of memory. */
void ev_init(Evidence *e, const EvOpts *o, Front *fr, Algo *al, const VcObligation *obs, int n,
             const bool *selected);
/* Obligation i came out of the prover as *r (not proved): if hoc check
 * finds a trace that refutes it, r becomes failed, its reason says why,
 * and the finding is returned (owned by e); else NULL. */
const XcFinding *ev_refute(Evidence *e, int i, VcResult *r);
/* After every obligation: when all selected ones are proved, the search
 * runs to cross-check them. A proved obligation that a trace refutes is
 * reported on stderr as an internal error with both artefacts (its query
 * and the trace); returns 2 then, else 0. */
int ev_cross_check(Evidence *e, const VcResult *res);
/* What hoc check searched, or NULL if it did not run. */
const char *ev_searched(const Evidence *e);
/* Prints, under an obligation's line, the finding that refuted it. */
void ev_print(FILE *f, const XcFinding *x, const char *src);
/* The finding as the JSON member "evidence": {...} (with a leading comma). */
void ev_json(FILE *f, const XcFinding *x);
/* Frees what e holds. */
void ev_free(Evidence *e);

#endif
