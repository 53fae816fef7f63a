/* run.h: one run of hoc check, as every part of the search sees it: the
 * algorithm and the options, the layout of a global state, the reductions
 * that apply, the seen set, and the verdict so far; with the specs as the
 * run evaluates them.
 *
 * A global state (a key) is taken at a round boundary: the round counter
 * (int64), the crashed set (uint64), then the n process states. */
#ifndef HOC_RUN_H
#define HOC_RUN_H

#include <pthread.h>
#include <string.h>

#include "events.h"
#include "mc.h"
#include "rank.h"
#include "store.h"
#include "trace.h"

/* Bytes of a process state that are not stored (an untracked ghost). */
typedef struct Span {
    size_t off, len;
} Span;

typedef struct Mc {
    const hoc_algo *a;
    const mc_opts *o;
    FILE *out; /* o->out, or stdout */
    int n;
    size_t ssz; /* one process state */
    size_t key; /* bytes of a global state: round, crashed, n states */
    bool sym;
    char sym_why[256]; /* why the symmetry reduction is not applied, or "" */
    bool fold_round;   /* the round counter only matters modulo the phase */
    RankMap rank;      /* the phase abstraction, when rank.period > 0 */
    Span *forget;      /* the untracked ghosts, zeroed before a state is stored */
    int nforget;
    int nassume;        /* assumptions that restrict the adversary in every round */
    Events ev;          /* the environment's events and replacements, and their budgets */
    bool every_ho;      /* one of them is not upward closed: every heard-of set counts */
    bool roots_initial; /* the store's roots are initial states (not a goal reached) */
    uint8_t *root;      /* else the one root: the state where the last goal was reached */
    Store st;
    StoreBuf buf[16];     /* each worker thread's new states (store.h) */
    int64_t transitions;  /* the workers' counts, summed once the search is over */
    int64_t pruned;       /* states of this segment a prune kept from being expanded */
    pthread_mutex_t lock; /* guards bad, bad_spec and stop_why */
    int64_t bad;          /* index of a violating (or goal) state, -1 */
    int bad_spec;
    int goal;  /* the goal of this segment of a punctuated search, or -1 */
    bool stop; /* a bound was hit; workers set it with run_halt() */
    const char *stop_why;
    double t0;
    bool cti; /* the trace starts from an arbitrary state (--inductive) */
    int stage, stage_prev, stage_assume; /* o->stage, the stage before, its assumption; or -1 */
    int64_t next_beat_ms;                /* when the next status line is due (run_tick), since t0 */
    int64_t depth_now;                   /* the level being expanded, for the status line */
} Mc;

/* The fields of a key, which holds n process states after TRACE_PROCS bytes. */
static inline int64_t *key_round(uint8_t *k)
{
    return (int64_t *)k;
}
static inline uint64_t *key_crashed(uint8_t *k)
{
    return (uint64_t *)(k + 8);
}
/* Process p's state in key k. */
static inline uint8_t *key_proc(const Mc *m, uint8_t *k, int p)
{
    return k + TRACE_PROCS + (size_t)p * m->ssz;
}

/* Sets up a run of a with options o at o->n processes (already checked to
 * fit): layout, reductions, the environment's moves, an empty store.
 * Returns 0, -1 when out of memory, -2 when o->stage names no progress
 * stage or the events cannot be enumerated (after a message); nothing is
 * then left to free. */
int run_init(Mc *m, const hoc_algo *a, const mc_opts *o);
/* Frees what run_init allocated. */
void run_free(Mc *m);

/* Stops the search from any worker; the first reason given is kept. */
void run_halt(Mc *m, const char *why);
/* Whether a worker has stopped the search. */
bool run_halted(Mc *m);

/* Checks the clock, from any worker, often: past the time limit it halts
 * the run (returning true, as it does once halted for any reason); on long
 * runs it prints a status line every o->heartbeat seconds. */
bool run_tick(Mc *m);

/* With a progress stage to refute (o->stage): whether its obligation
 * applies at global state k, at round position pos: pos is a round the
 * stage's good round may be (the one asked for, the K-th of an aligned
 * phase), k satisfies every invariant and the stage before. */
bool run_stage_applies(const Mc *m, uint8_t *k, int64_t pos);
/* Whether succ, reached with heard-of sets ho, is a good round of the
 * stage's assumption that misses the stage. */
bool run_misses_stage(const Mc *m, uint8_t *succ, const hoc_set *ho);

/* Is spec i a goal or the prune of this search? Those guide it; they are not checked. */
bool run_guides(const Mc *m, int i);
/* Is spec i skipped (--skip), so never evaluated? */
bool run_skipped(const Mc *m, int i);
/* The first invariant (or property, unless invariants_only) that key k
 * violates among those checked, or -1. */
int run_violated(const Mc *m, uint8_t *k, bool invariants_only);
/* Whether spec (>= 0) holds in key k; false for spec -1. */
bool run_holds(const Mc *m, int spec, uint8_t *k);
/* Spec number spec on the n states at states (ho: the heard-of sets, for
 * assumptions), reporting to o->judge when it cannot be judged. */
bool run_spec(const Mc *m, int spec, const void *states, const hoc_set *ho);
/* Whether every per-round assumption holds of key k with heard-of sets ho. */
bool run_assumptions_hold(const Mc *m, uint8_t *k, const hoc_set *ho);

#endif
