/* case.h: the concrete cases of a differential test, read from `//!`
 * comment lines of the .ho file they test (so a reproducer is one file
 * that hoc itself accepts). docs/verifier.md, "Differential testing".
 *
 *   //! case [reach] [facts] [uniform] n=3 round=4 params=3,1 [core=2]
 *   //! p0 pre: x=5 ok=true S={0,2} halted=false crashed=false
 *   //! p0 input: v=1
 *   //! p0 step 4: ho={0,1} crash=false oracle=1
 *
 * An explicit case gives every process's state before round `round`
 * (`pre`, unnamed fields zero; `crashed`: crashed in an earlier round) and
 * its step in that round: whom it hears (itself only, unless said; nobody
 * if the step is not given), whether it crashes in it (sends, does not
 * update) and its oracle bits. A `reach` case gives the inputs
 * instead and a step for every round from 0 to `round`: the pre-state is
 * then reached by running the C from its initial state, and the encoding
 * may also assume the facts it derives about reachable states (`facts`, on
 * an explicit case: the pre-state was reached). `core=K` makes processes
 * 0..K-1 the ones the query names, as a hoc verify query names a few (what
 * mmor is compared with, what the main Venn family splits on); default 2.
 * `uniform`: the round tested is a good round of a liveness proof (all hear
 * the same set, nobody crashes), which the encoding models as such. */
#ifndef HOC_SEM_CASE_H
#define HOC_SEM_CASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SEM_MAXN 8       /* processes in a case */
#define SEM_MAXROUNDS 16 /* rounds a reach case may run */

/* One process's step in one round. */
typedef struct SemStep {
    uint64_t ho; /* whom it hears */
    bool crash;  /* crashes in this round */
    uint64_t oracle;
    bool given;
} SemStep;

typedef struct SemCase {
    int line; /* of its `case` line */
    bool reach, facts, uniform;
    int n, nparams, core;
    int64_t params[16];
    int64_t round;
    char *pre[SEM_MAXN]; /* the assignments of a `pre` (or `input`) line, malloc'd */
    SemStep step[SEM_MAXROUNDS + 1][SEM_MAXN]; /* explicit cases: only [0], the round tested */
} SemCase;

/* Reads every case of text (a .ho file's contents) into *out (malloc'd,
 * sem_cases_free); returns their number, or -1 with a message naming the
 * line in err. */
int sem_cases_read(const char *text, SemCase **out, char *err, size_t errn);
/* Frees what sem_cases_read made. */
void sem_cases_free(SemCase *c, int n);
/* Parses a set written {0,2} or as a number (its bit mask); 0, or -1. */
int sem_parse_set(const char *s, uint64_t *out);

#endif
