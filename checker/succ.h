/* succ.h: the transition relation hoc check explores: the initial states,
 * and the successors of a global state under every choice of the adversary.
 *
 * Successors are not generated per heard-of vector: a process's update
 * depends only on its own state, its mailbox and its oracle bits, so for
 * each process the distinct next states over its possible mailboxes are
 * computed once, and the successors are the product of those choices. */
#ifndef HOC_SUCC_H
#define HOC_SUCC_H

#include "run.h"

/* What one process may become this round: distinct next states, each with
 * the largest heard-of set that leads to it. */
typedef struct Choices {
    int count, cap;
    uint8_t *states; /* count x ssz */
    hoc_set *ho;
    uint64_t *bits; /* the oracle bits that led there */
    EnvStep *env;   /* and what the environment did (events.h) */
} Choices;

/* The scratch space of one thread. */
typedef struct Worker {
    Mc *m;
    uint8_t *box; /* n senders x HOC_MAXN x msg_size */
    hoc_set to[HOC_MAXN];
    uint8_t *msgs, *outputs, *cur, *next, *tmp;
    Choices ch[HOC_MAXN];
    hoc_set ho[HOC_MAXN];
    uint64_t bits[HOC_MAXN];
    int64_t *rank_scratch;
    int64_t transitions; /* successors enumerated by this worker */
    EnvStep env[HOC_MAXN];
    uint8_t *evbuf; /* EV_MAX + 2 process states, for events.c */
    int64_t work;   /* updates and successors since the clock was last read */
    bool timed;     /* a search: stop at the time limit (a trace being rebuilt is not) */
} Worker;

/* A successor a visitor keeps, and the adversary's choices that led to it. */
typedef struct Step {
    uint8_t *state; /* where the successor is copied: m->key bytes */
    hoc_set ho[HOC_MAXN];
    uint64_t bits[HOC_MAXN];
    EnvStep env[HOC_MAXN];
} Step;

/* Adds process state st, reached with heard-of set ho, oracle bits and the
 * environment's steps env, to the choices c, unless a choice there reaches
 * the same state for no more budget and no smaller heard-of set (one that
 * st dominates is replaced). Returns 0, or -1 when out of memory. */
int succ_choice_add(Worker *w, Choices *c, const uint8_t *st, hoc_set ho, uint64_t bits,
                    const EnvStep *env);
/* Allocates w's scratch for run m; -1 when out of memory (free it anyway). */
int succ_worker_init(Worker *w, Mc *m);
/* Frees w's scratch. */
void succ_worker_free(Worker *w);

/* Called for every successor succ (not in canonical form, and the visitor
 * may change it) with the heard-of sets ho of its round; nonzero stops. */
typedef int (*visit_fn)(Worker *w, uint8_t *succ, const hoc_set *ho, void *arg);
/* What succ_each returns when the run halted (time limit) in the middle. */
#define SUCC_HALTED (-2)

/* Calls visit on every successor of key k that the per-round assumptions
 * allow, for every crash choice, in a fixed order; returns the first
 * nonzero visit returned, -1 when out of memory, SUCC_HALTED when w->timed
 * and the run halted (a fan-out may be huge: the clock is read inside),
 * else 0. */
int succ_each(Worker *w, const uint8_t *k, visit_fn visit, void *arg);
/* Copies succ, ho and the oracle bits that led to succ into s. */
void succ_keep(const Worker *w, Step *s, const uint8_t *succ, const hoc_set *ho);

/* Called for every initial state k, as init made it (w->tmp); nonzero stops. */
typedef int (*init_fn)(Mc *m, Worker *w, uint8_t *k, void *arg);
/* Calls each on every initial state (every assignment of inputs), in a
 * fixed order, until it returns nonzero; returns that, or 0. */
int succ_initial(Mc *m, Worker *w, init_fn each, void *arg);

#endif
