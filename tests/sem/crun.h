/* crun.h: the generated C's half of the differential test: states set
 * from a case's text, one lockstep round run exactly as hoc sim runs it
 * (runtime/sim.c: who sends, who is heard, who updates), and fields read
 * back by name. */
#ifndef HOC_SEM_CRUN_H
#define HOC_SEM_CRUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "case.h"
#include "hoc_rt.h"

/* The field named name of a's state, or NULL. */
const hoc_field *crun_field(const hoc_algo *a, const char *name);
/* Applies assignments "x=5 ok=true S={0,2} ..." to state st; `crashed=`
 * sets *crashed instead (crashed may be NULL where it is not allowed).
 * Returns 0, or -1 with a message in err. */
int crun_assign(const hoc_algo *a, uint8_t *st, const char *text, bool *crashed, char *err,
                size_t errn);
/* One lockstep round r of a on n processes: processes that crashed before
 * (crashed[p]) or halted take no step; the others send; p hears the senders
 * in step[p].ho that sent to it; the processes neither crashed nor
 * crashing now (step[p].crash) update with their oracle bits. */
void crun_step(const hoc_algo *a, int n, const int64_t *params, int64_t r, uint8_t *states,
               const bool *crashed, const SemStep *step);
/* The value of field fd of state st as one int64 (a set's mask, a bool 0/1). */
int64_t crun_get(const hoc_field *fd, const uint8_t *st);
/* Prints the fields of state st ("x=5 ok=true ..."), as a case's `pre` line. */
void crun_print(FILE *f, const hoc_algo *a, const uint8_t *st);

#endif
