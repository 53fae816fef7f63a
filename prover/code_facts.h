/* code_facts.h: facts about the reachable states that follow from the shape of
 * the round code alone, for hoc verify to assume soundly.
 *
 * Stamps: an int variable whose initialiser and every assignment is a
 * constant, the phase counter, another stamp of the same process, or a
 * min/max/?: of those. Its value at the start of round R >= 1 is at most
 * max(kmax, (R - 1) / #rounds), kmax the largest constant involved.
 *
 * Settled values: a variable that the last round assigning it (looking back
 * from round r of the phase) sets unconditionally, at the top level of its
 * update and last, to a constant, to the phase, or to an expression of the
 * phase, its id and params (id == phase % n). A process that has neither
 * crashed nor halted ran that update, so at the start of round r it holds
 * that value (the phase of that earlier round). */
#ifndef HOC_CODE_FACTS_H
#define HOC_CODE_FACTS_H

#include <stdbool.h>
#include <stdint.h>

#include "check.h"

/* A settled value of var (see above). */
typedef struct CodeFactsSettled {
    Decl *var;
    bool is_phase; /* the value is the phase of round R - back; else ... */
    Expr *expr;    /* ... this expression of the phase, id and params, at round R - back; else */
    int64_t k;
    int back; /* how many rounds ago it was set (1..#rounds) */
} CodeFactsSettled;

/* Companions: a stamp S (initially never) and a variable V that every update
 * assigning either sets together, once each, side by side at its top level:
 * S = phase and V = the same let L of the phase, id and params. Then in every
 * reachable state, at every process, S == never or V == L evaluated at the
 * phase S holds: V remembers what L was in the phase S names. */
typedef struct CodeFactsCompanion {
    Decl *stamp, *var;
    Expr *expr; /* the let's expression */
} CodeFactsCompanion;

/* Halting flags: a bool variable, initially false, that every assignment
 * sets to true in a statement list that later (in the same list) halts.
 * Then in every reachable state it is true only at stopped processes: the
 * update that set it halted (a crashing process does not update). */
/* Writes the halting flags of al to out (at most max) and returns their
 * number; every test is syntactic, so a flag it misses is only a fact less. */
int code_facts_halting(Algo *al, Decl **out, int max);

/* The companions of the algorithm; writes at most max, returns their number. */
int code_facts_companions(Algo *al, CodeFactsCompanion *out, int max);

/* Whether var is a stamp (by its type, or by its assignments: see above);
 * if so *kmax receives the largest constant it can hold; false when unsure. */
bool code_facts_is_stamp(Algo *al, Decl *var, int64_t *kmax);
/* How many rounds back (1..#rounds) from round r of the phase the last
 * round whose update may assign var is, or 0 if no round assigns it. A
 * stamp (above) was last assigned there, so at the start of round R >=
 * back it is at most max(kmax, the phase of round R - back): tighter than
 * the previous phase when the rounds since do not assign it (Ben-Or's
 * `done`, set in its last round, is at most the previous phase throughout
 * the next phase, not the current one). */
int code_facts_assign_back(Algo *al, Decl *var, int r);
/* The settled values at the start of round r (an index into al->rounds);
 * writes at most max of them to out and returns their number. */
int code_facts_settled(Algo *al, int r, CodeFactsSettled *out, int max);

#endif
