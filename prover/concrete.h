/* concrete.h: hoc verify's encoding of one round evaluated on concrete
 * values, the prover's half of the differential test against the generated
 * C (tests/sem, docs/verifier.md "Differential testing").
 *
 * The caller runs one round of the compiled algorithm from a pre-state it
 * chose (every process's state, heard-of set, crash and oracle bits) and
 * passes what the C computed: the post-state, the initial state of the
 * pre-state's inputs, and the truth of every spec. conc_check builds the
 * query hoc verify builds for that round (vc_parts.h, translate.h), pins its
 * symbols to the concrete values, instantiates everything at every process
 * and makes the Venn regions exact, then asks Z3 whether the encoding admits
 * the C's run. A "no" is a mismatch: an unsound encoding, since a proof may
 * rest on the run being impossible. */
#ifndef HOC_CONCRETE_H
#define HOC_CONCRETE_H

#include <stdbool.h>
#include <stdint.h>

#include "check.h"

/* One round of al on concrete values. Values are per process p and slot k
 * (al's inputs, then its vars: conc_slot), at val[p * conc_nslots(al) + k]:
 * bools 0/1, enums their index, pids and ints as they are, stamps as the C
 * stores them (never 0, phase p as p + 1), sets as a bit mask. */
typedef struct ConcRun {
    int n;
    const int64_t *params; /* al->nparams values, params[0] == n */
    int64_t round;         /* the global round; al->rounds[round % nrounds] runs */
    bool facts;            /* the pre-state is reachable: assume the code's facts too */
    const int64_t *pre;    /* before the round */
    const int64_t *post;   /* after it, as the C computed */
    const int64_t *init;   /* the C's initial state for the pre-state's inputs, or NULL */
    const bool *stopped;   /* before the round: halted, or crashed in an earlier round */
    const bool *stopped_after;
    const bool *crash_now;  /* crashes in this round: sends, does not update */
    const bool *crashed;    /* before the round: crashed in an earlier round */
    const uint64_t *ho;     /* ho[p]: the processes p hears (itself included) */
    const uint64_t *oracle; /* bit i: oracle i at p */
    /* per spec of al: its truth in the C on the pre-state, on the post-state
     * (with ho; assumptions only there) and on the initial state; -1: not
     * evaluated (NULL: none) */
    const int8_t *spec_pre, *spec_post, *spec_init;
    bool precise; /* also count where the encoding allows other values than the C's */
    int core;     /* processes 0..core-1 are the query's own (the pool's core); 0: all n */
    /* the liveness model of a good round (vc.c, liveness_model): nobody
     * crashes and everybody hears the same set, one relation good(q); the
     * run must be such a round (every ho equal, crash_now all false) */
    bool uniform;
} ConcRun;

typedef enum ConcVerdict {
    CONC_AGREE,       /* the encoding admits the C's run and every spec truth */
    CONC_MISMATCH,    /* it does not: see the report */
    CONC_UNSUPPORTED, /* the program is outside what the encoding covers */
    CONC_UNKNOWN      /* Z3 gave up (timeout) */
} ConcVerdict;

typedef struct ConcResult {
    ConcVerdict verdict;
    char *report;  /* malloc'd text: one line per disagreement, or why unsupported/unknown */
    int checks;    /* values and spec truths compared */
    int imprecise; /* with ConcRun.precise: comparisons the encoding leaves open */
} ConcResult;

/* The number of slots of al's concrete values (inputs, then vars). */
int conc_nslots(const Algo *al);
/* The declaration of slot k. */
Decl *conc_slot(const Algo *al, int k);
/* Evaluates the encoding of run's round on run's values into *res (whose
 * report is the caller's: conc_result_free); timeout_ms bounds the whole
 * evaluation (0: none). Returns res->verdict. */
ConcVerdict conc_check(Algo *al, const ConcRun *run, unsigned timeout_ms, ConcResult *res);
/* Frees what conc_check put in res. */
void conc_result_free(ConcResult *res);

#endif
