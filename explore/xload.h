/* xload.h: opening a hoc check --trace counterexample (format hoc-trace-1)
 * in the explorer: its rounds are replayed on the compiled algorithm into a
 * new branch of the tree, and every state is compared with the trace's. */
#ifndef HOC_XLOAD_H
#define HOC_XLOAD_H

#include <stddef.h>

#include "xtree.h"

/* Replays the trace text[0..len) into t, from its own start (from < 0) or
 * from node `from` (a search that started there); the id of its last state,
 * or -1 with a message in err naming what does not match: not JSON (and
 * where), not a hoc trace, another algorithm, another n or parameters,
 * inputs, a malformed round, a field the algorithm lacks, or a state that
 * differs from the replay (round, process, field, both values). A trace
 * that does not fit leaves the tree as it was. */
int xload_trace(xt_tree *t, int from, const char *text, size_t len, const char *label, char *err,
                size_t errn);
/* The number of processes a trace declares, or -1 (with err) when the text
 * is not a hoc trace: what hoc explore --trace uses when -n is not given. */
int xload_trace_n(const char *text, size_t len, char *err, size_t errn);

#endif
