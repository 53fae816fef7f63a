/* ghost.h: which ghost variables the checked specs need.
 *
 * Ghost state never flows into non-ghost state (check.c enforces it), so a
 * ghost that no checked spec reads, directly or through the ghosts it is
 * computed from, cannot change any verdict: hoc check may leave it out of
 * the states it stores. */
#ifndef HOC_GHOST_H
#define HOC_GHOST_H

#include <stdbool.h>

#include "check.h"

/* Sets needed[i] for every al->vars[i]: true for non-ghosts, and for the
 * ghosts that the specs al->specs[j] with !skip[j] read, transitively through
 * ghost assignments and initialisers; a ghost read anywhere else (which the
 * checker forbids) is needed too. skip may be NULL (every spec is kept). */
void ghost_needed(const Algo *al, const bool *skip, bool *needed);

#endif
