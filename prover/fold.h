/* fold.h: loops over a mailbox or a set (`for m in mbox`, `for p in S`) whose
 * body is a fold: each variable it assigns is accumulated by an operation
 * whose result does not depend on the order of the iterations (a union, a
 * minimum, a count, a constant), so the loop is encoded exactly by counts
 * and aggregates over the iterated senders or members, whatever n is. */
#ifndef HOC_FOLD_H
#define HOC_FOLD_H

#include "attempt.h"

/* Executes the loop s (over a mailbox or a set) symbolically in e, as
 * translate.c's statements are; a body that is not such a fold is recorded
 * unsupported (attempt_unsupported), with what is not. */
void fold_exec(Attempt *v, Env *e, Stmt *s);

#endif
