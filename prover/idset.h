/* idset.h: sets of Z3 term ids (open addressing), which the prover uses to
 * do each thing once per term: axioms, ranges, pool membership. */
#ifndef HOC_IDSET_H
#define HOC_IDSET_H

#include <stdbool.h>
#include <stddef.h>

/* Zero-initialised means empty; idset_free releases it. */
typedef struct IdSet {
    unsigned *v;
    size_t cap, n;
} IdSet;

/* Adds id to s; false if it was there already. Aborts when out of memory. */
bool idset_add(IdSet *s, unsigned id);
/* Whether id is in s. */
bool idset_has(const IdSet *s, unsigned id);
/* Frees s's storage and leaves it empty. */
void idset_free(IdSet *s);

#endif
