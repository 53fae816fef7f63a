/* induct.h: hoc check --inductive: a search for counterexamples to
 * induction, one round from every state of a small domain that satisfies
 * every invariant (docs/checker.md). */
#ifndef HOC_INDUCT_H
#define HOC_INDUCT_H

#include "succ.h"

/* Runs the search, prints the counterexample found (if any) and a summary.
 * Returns the exit status: 0 when the domain holds none, 1 when one was
 * found, 3 at a bound (domain size, time), 2 when out of memory. */
int induct_check(Mc *m, Worker *w);

#endif
