/* rng.h: the one seeded generator of hoc's drivers (splitmix64): small,
 * fast and reproducible, so a seed names a run on every machine. */
#ifndef HOC_RNG_H
#define HOC_RNG_H

#include <stdint.h>

/* The next 64 random bits; advances *state. */
uint64_t hoc_rng_next(uint64_t *state);
/* A uniform double in [0, 1); advances *state. */
double hoc_rng_unit(uint64_t *state);
/* A uniform integer in [0, bound) (0 when bound is 0); advances *state. */
uint64_t hoc_rng_below(uint64_t *state, uint64_t bound);

#endif
