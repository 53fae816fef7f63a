/* path.h: executions as hoc check reports them: rebuilt from the seen set
 * as real (not canonical) states, joined across the goals of a punctuated
 * search, and printed and saved through trace.h. */
#ifndef HOC_PATH_H
#define HOC_PATH_H

#include "succ.h"

/* One execution: states[0] initial, then a state per round, with the
 * heard-of sets and oracle bits of that round (HOC_MAXN per round). */
typedef struct Path {
    uint8_t *states;
    hoc_set *hos;
    uint64_t *bits;
    EnvStep *envs; /* what the environment did to each process, HOC_MAXN per round */
    int64_t depth;
} Path;

/* Room for a path of depth rounds; -1 when out of memory (free it anyway). */
int path_alloc(Path *p, const Mc *m, int64_t depth);
/* Frees p and leaves it empty. */
void path_free(Path *p);
/* Records the heard-of sets and oracle bits of s as those of round d of p. */
void path_note(Path *p, int64_t d, const Step *s);
/* Appends seg, which starts where dst ends, to dst; -1 when out of memory. */
int path_append(Path *dst, const Path *seg, const Mc *m);
/* Rebuilds in out the path to stored state idx: each step re-enumerates the
 * parent's successors to find the stored child, so the path is one real
 * execution. Returns 0, or -1 after a message (internal error or memory). */
int path_rebuild(Mc *m, Worker *w, int64_t idx, Path *out);
/* Prints p up to round depth on the run's output, and writes it as JSON if
 * the run asked for a trace file (a failure to write is reported there). */
void path_print(const Mc *m, const Path *p, int64_t depth);

#endif
