/* bfs.h: the exhaustive search of hoc check: breadth-first from the initial
 * states, level by level on every worker thread, so the first violation
 * found is at the smallest depth; with goals, one search per goal, each
 * from the state where the previous goal was reached. */
#ifndef HOC_BFS_H
#define HOC_BFS_H

#include "path.h"

/* What the search found. */
typedef struct Search {
    int64_t depth;   /* rounds explored, over every goal's segment */
    int64_t initial; /* initial states stored */
    int64_t states;  /* states stored, over every segment */
    bool exhausted;  /* the last segment ran out of states to expand */
    double secs;
    Path trace; /* to the violation or the goal (m->bad), through each goal reached */
} Search;

/* Stores every initial state, noting those that break a spec or reach the
 * first goal (m->bad); -1 when the store is out of memory or budget. */
int bfs_initial(Mc *m, Worker *w);
/* Searches from the stored states with workers ws[0..threads) and fills s
 * (whose trace the caller frees). Returns 0, or 2 after an error (reported
 * on stderr when it is memory). */
int bfs_search(Mc *m, Worker *ws, int threads, Search *s);

#endif
