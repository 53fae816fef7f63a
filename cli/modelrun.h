/* modelrun.h: a failed obligation's model run in the generated C. The
 * prover's "failed" is a model of its bounded encoding (instances at a pool
 * of terms, regions with witnesses); hoc verify calls it failed only when
 * the model's states, in the compiled code, satisfy what the obligation
 * assumes and break what it claims (docs/verifier.md, "Runs behind the
 * verdicts"). */
#ifndef HOC_MODELRUN_H
#define HOC_MODELRUN_H

#include <stddef.h>

#include "hoc_rt.h"
#include "vc.h"

typedef enum MrVerdict {
    MR_CONFIRMED, /* a real violation: an initial state, a state satisfying the
                     invariants, or a round from one, that breaks the spec */
    MR_SPURIOUS,  /* the model breaks nothing in the C: why says what holds */
    MR_CANNOT     /* the model does not fit a's states (why), or a liveness one */
} MrVerdict;

/* Runs model m of obligation ob of al in a, al's compiled code. */
MrVerdict mr_run(const hoc_algo *a, const Algo *al, const VcObligation *ob, const VcModel *m,
                 char *why, size_t whyn);

#endif
