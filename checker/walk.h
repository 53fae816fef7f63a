/* walk.h: hoc check --walks: seeded random walks, for depths beyond the
 * exhaustive search's reach. */
#ifndef HOC_WALK_H
#define HOC_WALK_H

#include "succ.h"

/* Runs o->walks walks of up to o->depth rounds from initial states drawn
 * from the store, each step drawn uniformly among the successors, and
 * prints the trace of the first violation and a summary. Returns the exit
 * status: 1 on a violation, 3 when none was found, 2 when out of memory. */
int walk_check(Mc *m, Worker *w);

#endif
