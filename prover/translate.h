/* translate.h: the checked AST as Z3 terms over one attempt (attempt.h):
 * spec expressions, sets as predicates over the placeholder Q, quantifiers
 * (skolems, or universals left pending for instantiate.h), mailbox
 * aggregates, and the symbolic execution of a round's code. Anything it
 * cannot encode is recorded with attempt_unsupported. */
#ifndef HOC_TRANSLATE_H
#define HOC_TRANSLATE_H

#include "attempt.h"

/* The term (a formula if boolean) of x in e; pol is its polarity (+1, -1, 0: both).
 * What cannot be encoded is recorded (attempt_unsupported) and stands as 0 or false. */
Z3_ast tr_expr(Attempt *v, Env *e, Expr *x, int pol);
/* The set x of e as a predicate over Q. */
Z3_ast tr_set(Attempt *v, Env *e, Expr *x);
/* The body of quantifier x with binder b bound to val (and the binders after b still to bind). */
Z3_ast tr_body_after(Attempt *v, Env *e, Expr *x, Binder *b, Z3_ast val, int pol);
/* A binding of b to val in front of next, freed with v. */
Bind *tr_bind(Attempt *v, Binder *b, Z3_ast val, Bind *next);
/* x wrapped to C's 64-bit two's complement range (exact). */
Z3_ast tr_wrap(Attempt *v, Z3_ast x);
/* In code at e->self: the number of processes Q that pred holds of (an
 * aggregate); in specs, a Venn count. */
Z3_ast tr_count(Attempt *v, Env *e, Z3_ast pred);
/* In code at e->self: the aggregate k (min, max, ...) of val over the
 * processes Q that pred holds of, axiomatised by instantiate.c. */
Z3_ast tr_aggregate(Attempt *v, Env *e, AggKind k, Z3_ast pred, Z3_ast val);
/* Sets v's sends and payloads for round r, over S (sender) and T (recipient). */
void tr_send(Attempt *v, Round *r);
/* Sets v's post-state of round r at S. */
void tr_post(Attempt *v, Round *r);
/* Sets v's initial state at S. */
void tr_init(Attempt *v);

#endif
