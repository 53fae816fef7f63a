/* rng.c: splitmix64 (see rng.h). */
#include "rng.h"

uint64_t hoc_rng_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

double hoc_rng_unit(uint64_t *state)
{
    return (double)(hoc_rng_next(state) >> 11) / 9007199254740992.0; /* 2^53 */
}

uint64_t hoc_rng_below(uint64_t *state, uint64_t bound)
{
    /* the modulo bias is below 2^-40 for the bounds drivers use */
    return bound ? hoc_rng_next(state) % bound : 0;
}
