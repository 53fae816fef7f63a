/* qdom.h: what a spec's quantifier over ints ranges over in the drivers.
 *
 * The verifier reads `forall k: int. ...` logically, over every int; the
 * drivers (hoc sim, hoc check) must enumerate something finite that gives
 * the same verdict. Each int binder of a spec is either
 *
 * - bounded: its guard (the antecedent of a forall's implication, the
 *   conjuncts of an exists) has a lower and an upper bound on it (k >= e,
 *   k > e, k <= e, k < e, k == e, and mirrored, e not mentioning k or the
 *   binders opened after it). Outside the interval the guard is false and
 *   the instance cannot change the verdict, so the interval is exact;
 * - held: it is only compared with == and != against values the state
 *   holds, process ids, constants and other held binders, or indexes a
 *   per-process variable. Then every int outside the active domain and the
 *   constants behaves alike, so one fresh value per held binder stands for
 *   all of them: exact too;
 * - refused, with a diagnostic asking for a guard.
 *
 * Binder.bounds / nbounds / consts / nfresh record the choice for cgen. */
#ifndef HOC_QDOM_H
#define HOC_QDOM_H

#include "ast.h"

/* The largest interval a bounded binder is enumerated over; beyond it the
 * generated C reports the spec unjudgeable (exit 3), never a verdict. */
#define QDOM_CAP (1 << 20)

/* Classifies every int binder of spec's formula (already type-checked
 * without errors), reporting the refused ones to d. */
void qdom_spec(Arena *a, Diag *d, Decl *spec);

#endif
