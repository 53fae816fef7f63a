/* instantiate.h: the pool of ground process terms of one attempt and what
 * is instantiated at it: pending universal quantifiers (over processes and
 * ints), the axioms of mailbox aggregates at ground processes, and those of
 * uninterpreted / and %. Fewer instances only weaken the query, so every
 * bound here is sound. */
#ifndef HOC_INSTANTIATE_H
#define HOC_INSTANTIATE_H

#include "attempt.h"

/* Adds process term t to the pool (if there is room). */
void inst_add_pool(Attempt *v, Z3_ast t);
/* Finds ground process terms and new aggregate applications in t. */
void inst_scan(Attempt *v, Z3_ast t, Scan *sc, Z3_ast **aggapps, int *nagg, int *capagg, bool pool);
/* inst_scan over the assertions from index from on. */
void inst_scan_asserted(Attempt *v, int from, bool pool, Z3_ast **apps, int *napps, int *cap);
/* Instantiates pending quantifier p at t (once per term). */
void inst_pend(Attempt *v, Pend *p, Z3_ast t);
/* inst_pend for an int quantifier's value read at process origin (NULL: a skolem). */
void inst_pend_from(Attempt *v, Pend *p, Z3_ast t, Z3_ast origin);
/* Instantiates every pending quantifier at the pool (and int ones at their candidates). */
void inst_all(Attempt *v);
/* Appends the values compared with int binder p->b in x, read at the candidate pool terms. */
void inst_compared(Attempt *v, Pend *p, Expr *x, Z3_ast **out, Z3_ast **orig, int *n, int *cap);
/* Axiomatises the aggregates in the assertions from index from on. */
void inst_close_aggregates(Attempt *v, int from, bool pool);

#endif
