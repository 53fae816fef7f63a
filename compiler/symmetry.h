/* symmetry.h: whether an algorithm's rounds and each of its specs are
 * invariant under a permutation of process ids, which is what makes hoc
 * check's symmetry reduction (sorting process states) sound.
 *
 * Conservative by design: anything the analysis cannot show to be invariant
 * is reported asymmetric, with the first reason found. */
#ifndef HOC_SYMMETRY_H
#define HOC_SYMMETRY_H

#include <stdbool.h>

#include "check.h"

typedef struct SymVerdict {
    bool symmetric;
    char why[200]; /* when not symmetric: what names or orders processes, and where */
} SymVerdict;

/* The transition relation of al (initialisers, every round's send and
 * update, the state and message types) into *out. Never fails. */
void sym_rounds(const Algo *al, SymVerdict *out);
/* The formula of spec (an invariant, property, assumption, goal, prune or
 * progress stage of al) into *out. Never fails. */
void sym_spec(const Algo *al, const Decl *spec, SymVerdict *out);

#endif
