/* msgdep.h: which variables a round's messages decide.
 *
 * The environment chooses the heard-of sets (and crashes) knowing the
 * state before the round; what the processes hold after it also depends on
 * what they heard. An assumption that reads a variable whose value after
 * the round depends on the mailbox (or on an oracle) no longer speaks of
 * the environment alone: it assumes part of what the algorithm is to
 * achieve (`assume good: eventually 1 rounds forall i. decided[i]` makes
 * the stage `forall i. decided[i]` a tautology). hoc verify refuses such
 * assumptions (docs/verifier.md). The test is syntactic and conservative:
 * a variable is decided by the messages when an assignment to it reads the
 * mailbox, an oracle or such a variable or local, or sits under a
 * condition or loop that does; a halt under such a condition makes every
 * variable the update assigns depend on them. */
#ifndef HOC_MSGDEP_H
#define HOC_MSGDEP_H

#include <stdbool.h>

#include "check.h"

/* Whether the value of var after round r (an index into al->rounds) may
 * depend on the messages the process heard or on its oracles. */
bool msgdep_decided(Algo *al, int r, const Decl *var);

/* The first state variable that formula x reads (as x[i] in a spec) whose
 * value after round r the messages decide, or NULL. */
const Decl *msgdep_first_read(Algo *al, int r, const Expr *x);

#endif
