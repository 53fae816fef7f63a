/* xsearch.h: the explorer's searches: seeded random walks from any state,
 * and a run of hoc check (the model checker's library) whose counterexample
 * is loaded into the tree. What they find becomes a branch the user can
 * jump to; what they do not find leaves the tree as it was. */
#ifndef HOC_XSEARCH_H
#define HOC_XSEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "xtree.h"

/* Runs `walks` random walks of up to `depth` rounds from node `from` (seeded
 * with seed: any message may be lost, oracles drawn at random, the
 * assumptions that hold in every round respected). Returns the node where an
 * invariant or property first fails (its walk kept as a branch), or -1 when
 * none does; msg says what happened either way. */
int xs_walks(xt_tree *t, int from, int64_t walks, int64_t depth, uint64_t seed, char *msg,
             size_t msgn);
/* Runs hoc check (benign faults, at most depth rounds and seconds seconds)
 * from node `from`, or with from < 0 over the whole reachable space from
 * the initial states (inputs from 0..1), and loads its shortest
 * counterexample (from node `from`, as a branch of it). Returns the node at
 * its end, or -1 when it finds none; msg holds hoc check's summary, or why
 * the trace could not be loaded. */
int xs_check(xt_tree *t, int from, const char *source, int64_t depth, double seconds, char *msg,
             size_t msgn);

#endif
