/* venn.h: cardinalities of sets as sums of Venn regions. The atomic
 * conditions of the predicates counted in one family split the processes
 * into 2^k regions of non-negative size summing to n; a count is the sum of
 * its regions. Families are sealed (their region facts asserted) once the
 * counts of a query are known. */
#ifndef HOC_VENN_H
#define HOC_VENN_H

#include "attempt.h"

/* The count of the processes satisfying pred (over Q), in the current family. */
Z3_ast venn_card(Attempt *v, Z3_ast pred);
/* A new, empty family; returns its index (v->fams may move). */
int venn_new_family(Attempt *v);
/* Whether process p is in region b of family f. */
Z3_ast venn_region_of(Attempt *v, Family *f, unsigned b, Z3_ast p);
/* Seals every family not sealed yet, the main one first, tying the processes
 * tie to their regions. False, with the reason recorded, when time is up or
 * a family would have too many atoms (recorded as kind too_many). */
bool venn_seal_all(Attempt *v, Z3_ast *tie, int ntie, ReasonKind too_many);

#endif
