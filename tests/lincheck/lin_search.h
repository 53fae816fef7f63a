/* lin_search.h: the search for a linearization of one partition: Wing and
 * Gong's backtracking over the ops that may go next, with Lowe's
 * memoisation of (set of ops linearized, state) pairs, the shape Porcupine
 * made popular. Exponential in the worst case (in how many ops overlap);
 * the budget turns a search too long into "unknown", never into a verdict. */
#ifndef LIN_SEARCH_H
#define LIN_SEARCH_H

#include "lin_machine.h"

typedef enum lin_verdict { LIN_LINEARIZABLE, LIN_VIOLATION, LIN_UNKNOWN } lin_verdict;

/* What a check may spend, over all partitions; zero fields are no limit. */
typedef struct lin_budget {
    double deadline;    /* hoc_now_s() after which to stop */
    uint64_t max_steps; /* ops tried */
    size_t max_bytes;   /* memory of one partition's memo */
    uint64_t steps;     /* spent so far */
    const char *why;    /* what ran out: "time", "steps" or "memory" */
} lin_budget;

typedef struct lin_search_out {
    /* LIN_LINEARIZABLE: a linearization (pending ops that never took effect
     * left out); otherwise the longest linearizable prefix found. History
     * indices; malloc'd. */
    uint32_t *order;
    size_t norder;
    uint64_t steps; /* ops tried */
    size_t memo;    /* (set, state) pairs remembered */
    size_t bytes;   /* memory they took */
} lin_search_out;

/* Searches partition part of mc's history within b. Returns the verdict
 * (LIN_UNKNOWN, with b->why set, when b ran out) and fills out. */
lin_verdict lin_search_run(lin_machine *mc, size_t part, lin_budget *b, lin_search_out *out);

#endif
