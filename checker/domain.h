/* domain.h: every process state of an algorithm in a small domain, for
 * hoc check --inductive (a search for counterexamples to induction). */
#ifndef HOC_DOMAIN_H
#define HOC_DOMAIN_H

#include "hoc_rt.h"

typedef struct DomStates {
    uint8_t *states; /* count states of a->state_size bytes */
    int64_t count;
} DomStates;

/* Fills out with every state of one process whose ints range over
 * 0..values-1, stamps over never and phases 0..values-1, pids over 0..n-1,
 * and bools, enums and sets over all their values (byte blocks stay zero,
 * the process is not halted). Returns 0, 1 when there would be more than
 * limit states (out is then empty), -1 when out of memory. */
int dom_states(const hoc_algo *a, int n, int values, int64_t limit, DomStates *out);
/* Frees the states of d and empties it. */
void dom_free(DomStates *d);

#endif
