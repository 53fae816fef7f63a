/* monotone.h: whether an assumption only gets easier as heard-of sets grow.
 *
 * hoc check keeps, per process and next state, only the largest heard-of
 * sets that lead there; that loses no run exactly when every assumption is
 * upward closed in the heard-of sets (lower bounds on |HO[p]|, membership,
 * intersections). Others (HO[p] == P, upper bounds) need every set. */
#ifndef HOC_MONOTONE_H
#define HOC_MONOTONE_H

#include <stdbool.h>

#include "ast.h"

/* Whether formula e (an assumption) can only turn from false to true, never
 * back, when any HO[p] gains members (with everything else fixed).
 * Conservative: false when in doubt. */
bool ho_monotone(const Expr *e);

#endif
