/* report.h: how hoc check reports a search: the verdict, the summary
 * lines, and the one-line JSON summary of --json. */
#ifndef HOC_REPORT_H
#define HOC_REPORT_H

#include "bfs.h"

/* Prints the summary line of the specs skipped and, if states are stored,
 * the ghosts left out; nothing when nothing is skipped. */
void report_skips(const Mc *m, bool stored);
/* Fills the caller's mc_result, if it asked for one, with status and the
 * trace p of depth rounds (NULL when nothing was found). */
void report_result(const Mc *m, const Path *p, int64_t depth, int status, int64_t states,
                   bool exhausted);
/* Prints whether the symmetry reduction is applied and, if not, why. */
void report_symmetry(const Mc *m);
/* When blocks are offered as stand-ins, the summary line naming them. */
void report_blocks(const Mc *m);
/* When blocks are offered as stand-ins, the notes for a verdict without a
 * trace: a stand-in range without the zero block, and o->block_look (the
 * verdict covers those blocks only); nothing otherwise. */
void report_standins(const Mc *m);
/* Reports the exhaustive search s: its trace if it found a violation or
 * the last goal, the summary, the verdict, and the JSON line if asked.
 * Returns the exit status (0, 1 or 3; see mc.h). */
int report_search(const Mc *m, const Search *s);

#endif
