/* canon.h: the canonical form of a global state, the one stored for every
 * state that behaves alike: untracked ghosts zeroed, stamps ranked (the
 * phase abstraction, rank.h), then process states sorted (symmetry). */
#ifndef HOC_CANON_H
#define HOC_CANON_H

#include "run.h"

/* Fills m->forget with the spans of the untracked ghosts, by offset; -1
 * when out of memory. */
int canon_forget_init(Mc *m);
/* Rewrites key k to its canonical form; tmp holds n process states,
 * scratch rank_scratch() int64s. */
void canon_form(const Mc *m, uint8_t *k, uint8_t *tmp, int64_t *scratch);
/* The same but with the untracked ghosts kept: a real state, in the order
 * of its canonical form. */
void canon_order(const Mc *m, uint8_t *k, uint8_t *tmp, int64_t *scratch);
/* Whether process states x and y differ at most in untracked ghosts: they
 * are then stored alike, and one of them is enough as a successor. */
bool canon_same_tracked(const Mc *m, const uint8_t *x, const uint8_t *y);

#endif
