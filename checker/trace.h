/* trace.h: how hoc check shows a counterexample, and saves it as JSON
 * (format hoc-trace-1, which hoc sim --replay reads). */
#ifndef HOC_TRACE_H
#define HOC_TRACE_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "events.h"
#include "hoc_rt.h"

/* A global state as the model checker stores it: the round counter
 * (int64), the crashed set (uint64), then the n process states. */
#define TRACE_PROCS 16

/* The round and crashed set of a stored state: the store packs states back
 * to back, so one may start at any byte and is read by memcpy. */
static inline int64_t trace_round_of(const uint8_t *k)
{
    int64_t r;
    memcpy(&r, k, sizeof r);
    return r;
}
static inline uint64_t trace_crashed_of(const uint8_t *k)
{
    uint64_t c;
    memcpy(&c, k + 8, sizeof c);
    return c;
}

/* The specs a search may be guided by: 8 goals (--goal) and a prune. */
#define TRACE_GUIDES 9

/* What a trace is of. */
typedef struct TraceInfo {
    const hoc_algo *a;
    int n;
    size_t key; /* bytes of one global state */
    const int64_t *params;
    const char *source;                   /* the .ho file, for the JSON */
    const char *violation;                /* the spec broken or reached, or "" */
    const char *guides[TRACE_GUIDES + 1]; /* goals and prune of the search, NULL-terminated */
    const bool *skipped; /* per spec of a, or NULL: specs the search did not check */
    bool cti;            /* states[0] is any state satisfying the invariants */
    const Events *ev;    /* the environment's moves, and what it did in each round: */
    const EnvStep *envs; /* HOC_MAXN per round, or NULL */
    const char *stage;   /* with cti: the progress stage its round misses, or NULL */
} TraceInfo;

/* Prints states[0], then depth rounds (state d with the heard-of sets
 * hos[HOC_MAXN * d + p] and oracle bits of the round that led to it). */
void trace_print(FILE *f, const TraceInfo *t, const uint8_t *states, const hoc_set *hos,
                 const uint64_t *bits, int64_t depth);
/* Writes the same trace as JSON to path; -1 (after a message) if it cannot. */
int trace_write(const char *path, const TraceInfo *t, const uint8_t *states, const hoc_set *hos,
                const uint64_t *bits, int64_t depth);

#endif
