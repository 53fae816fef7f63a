/* mc.h: hoc check, an explicit-state model checker over the compiled code.
 * It drives the same pure round functions as the simulator and the
 * replicas, enumerating every heard-of choice of the adversary. */
#ifndef HOC_MC_H
#define HOC_MC_H

#include <stdio.h>

#include "hoc_rt.h"

typedef enum mc_faults { MC_BENIGN, MC_CRASH, MC_RELIABLE } mc_faults;

/* What a search found, for callers that act on it (hoc verify). */
typedef struct mc_result {
    int status;       /* what mc_run returned */
    int spec;         /* the spec the trace breaks (or the goal it reaches), or -1 */
    int64_t depth;    /* rounds in the trace; 0: its first state breaks the spec */
    int64_t position; /* the round of the phase its last round ran, -1 when depth is 0 */
    bool cti;         /* it starts from a state satisfying the invariants, maybe unreachable */
    bool exhausted;   /* the reachable space (--inductive: the domain) was exhausted */
    int64_t states;   /* states stored (--inductive: states satisfying the invariants) */
    /* The caller's arrays of nspecs entries, or NULL: every invariant and
     * property that the trace's last state breaks, and that the state before
     * its last round breaks (all false when depth is 0). Skipped specs too. */
    bool *violated, *pre_violated;
} mc_result;

typedef struct mc_opts {
    int n;
    int64_t params[16];
    int values;    /* inputs range over 0..values-1 (bools: 0..1, pids: 0..n-1) */
    int64_t depth; /* rounds */
    mc_faults faults;
    int crash;   /* MC_CRASH: at most this many crashes */
    int events;  /* at most this many events in an execution (events.h) */
    int replace; /* at most this many replacements in an execution */
    int threads;
    double time_limit; /* seconds, 0 for none */
    int64_t mem_mb;    /* budget for stored states and the table */
    bool symmetry;     /* allowed by the user; applied only if the algorithm permits */
    bool abstraction;  /* the phase abstraction (rank.h), likewise */
    bool inductive;    /* search for counterexamples to induction instead */
    /* With inductive: refute progress stage `stage` (a spec name) instead:
     * one round satisfying its eventual assumption, from a state satisfying
     * every invariant and the stage before, that breaks it; at the phase
     * position stage_round only, if it is >= 0. */
    const char *stage;
    int stage_round;
    bool progress; /* a progress line on stderr, rewritten after every level */
    int heartbeat; /* > 0: a status line on stderr every this many seconds of a long run */
    bool json;
    const char *trace_path; /* counterexample as JSON, or NULL */
    const char *source;     /* for the trace file */
    int goals[8];           /* punctuated search: reach goals[0], then from there goals[1], ... */
    int ngoals;
    int prune;        /* spec index of a prune (do not expand where it holds), or -1 */
    const bool *skip; /* per spec, or NULL: skip[i] means spec i is never evaluated */
    /* Per state field, or NULL: untracked[i] means field i is a ghost that no
     * evaluated spec needs, zeroed in the stored states (traces keep it). */
    const bool *untracked;
    /* When not NULL: search from this one global state instead of the initial
     * states: n process states (state_size bytes each) before round
     * start_round, with the processes in start_crashed crashed (hoc explore's
     * "run hoc check from here"; without symmetry and abstraction its trace
     * starts from these very bytes). */
    const uint8_t *start;
    int64_t start_round;
    uint64_t start_crashed;
    int64_t walks; /* > 0: random walks instead of exhaustive search */
    uint64_t seed;
    /* Where a spec that cannot be judged is reported (hoc_judge_fail); mc_run
     * then stops and returns 3. NULL: the process ends with exit 3. */
    hoc_judge *judge;
    /* Where the algorithm looks inside a block (compiler/opaque.h:
     * "FILE:LINE: what"), or NULL: with bytes inputs or event arguments,
     * which hoc check offers as stand-ins, the report then says that its
     * verdict covers those blocks only. */
    const char *block_look;
    FILE *out;         /* the report and traces; stdout if NULL */
    mc_result *result; /* filled in when not NULL */
} mc_opts;

/* Runs the search and prints its summary. Returns 0 when the reachable space
 * was exhausted without violation (or a goal was reached), 1 on a violation,
 * 3 when a bound stopped the search first, 2 on error. */
int mc_run(const hoc_algo *a, const mc_opts *o);

#endif
