/* qdom.h: what a spec's quantifier over ints, stamps or sets ranges over in
 * the drivers.
 *
 * The verifier reads `forall k: int. ...` logically, over every int (a
 * stamp binder over never and every phase, a set binder over every subset
 * of the processes); the drivers (hoc sim, hoc check) must enumerate
 * something finite that gives the same verdict. Each int binder of a spec is
 * either
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
 * A stamp binder is bounded only by `t == e` (pinned), held, a one-way
 * threshold (only `t <= e` and its negation, or only `t < e` and its: every
 * stamp in a cell between consecutive stamps held behaves as the cell's end,
 * so the stamps held and one above them are exact, and that survives hoc
 * check's renumbering of phases, which keeps their order but not their
 * gaps), or refused. A set binder is pinned by `P == e` or `forall q. ... &&
 * e(q) == P` in its guard, or ranges over all 2^n subsets.
 *
 * Binder.bounds / nbounds / consts / nfresh / pin / pin_over record the
 * choice for cgen. */
#ifndef HOC_QDOM_H
#define HOC_QDOM_H

#include "ast.h"

/* The largest interval a bounded binder is enumerated over (and the most
 * subsets a set binder is); beyond it the generated C reports the spec
 * unjudgeable (hoc_judge_fail: exit 3, or an error to hoc explore), never a
 * verdict. */
#define QDOM_CAP (1 << 20)

/* Classifies every int, stamp and set binder of spec's formula (already
 * type-checked without errors), reporting the refused ones to d. */
void qdom_spec(Arena *a, Diag *d, Decl *spec);

#endif
