/* msgdep.h: which variables the messages decide.
 *
 * The environment chooses the heard-of sets (and crashes) knowing the
 * state before the round; what the processes hold after it also depends on
 * what they heard. An assumption that reads a variable whose value after
 * the round depends on the mailbox (or on an oracle) no longer speaks of
 * the environment alone: it assumes part of what the algorithm is to
 * achieve (`assume good: eventually 1 rounds forall i. decided[i]` makes
 * the stage `forall i. decided[i]` a tautology). hoc verify refuses such
 * assumptions (docs/verifier.md). The test is syntactic and conservative:
 * a variable is decided by the messages when an assignment to it, in any
 * round (state persists, so what an earlier round of the phase heard is
 * still in it), reads the mailbox, an oracle or such a variable or local,
 * or sits under a condition or loop that does; a halt under such a
 * condition makes every variable any update assigns depend on them. */
#ifndef HOC_MSGDEP_H
#define HOC_MSGDEP_H

#include <stdbool.h>

#include "check.h"

/* The first state variable that formula x reads (as x[i] in a spec) whose
 * value after some round the messages (or oracles) may decide, or NULL;
 * *round is then the first round whose update makes it so. */
const Decl *msgdep_first_read(Algo *al, const Expr *x, int *round);

#endif
