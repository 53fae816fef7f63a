/* qdom.c: what a spec's quantifier over ints, stamps or sets ranges over in the drivers
 * (see qdom.h for the rule and why it is exact). */
#include "qdom.h"

#include <stdlib.h>
#include <string.h>

#include "diag.h"

#define MAX_GUARD 64 /* conjuncts and binders looked at per quantifier; more: fewer bounds */

static bool is_binder(const Expr *e, const Binder *b)
{
    return e && e->kind == E_NAME && e->nk == N_BINDER && e->binder == b;
}

/* Does e mention one of the nb binders of bs? */
static bool mentions(const Expr *e, Binder *const *bs, int nb)
{
    if (!e) return false;
    if (e->kind == E_NAME && e->nk == N_BINDER)
        for (int i = 0; i < nb; i++)
            if (e->binder == bs[i]) return true;
    if (mentions(e->a, bs, nb) || mentions(e->b, bs, nb) || mentions(e->c, bs, nb)) return true;
    for (int i = 0; i < e->nargs; i++)
        if (mentions(e->args[i], bs, nb)) return true;
    return false;
}

typedef struct Guard {
    Expr *conj[MAX_GUARD];
    bool neg[MAX_GUARD]; /* a forall's disjunct: false when its negation is */
    int nconj;
    Binder *inner[MAX_GUARD]; /* binders of the quantifiers the guard was found below */
    int ninner;
    bool overflow; /* more inner binders than inner[] holds: no bound is safe to take */
} Guard;

static void add_conjuncts(Guard *g, Expr *e)
{
    if (e->kind == E_BINARY && e->op == OP_AND) {
        add_conjuncts(g, e->a);
        add_conjuncts(g, e->b);
    } else if (g->nconj < MAX_GUARD) {
        g->conj[g->nconj++] = e;
    }
}

/* forall k. A || B reads as forall k. !A ==> B: A's disjuncts, negated. */
static void add_disjuncts(Guard *g, Expr *e)
{
    if (e->kind == E_BINARY && e->op == OP_OR) {
        add_disjuncts(g, e->a);
        add_disjuncts(g, e->b);
    } else if (g->nconj < MAX_GUARD) {
        g->neg[g->nconj] = true;
        g->conj[g->nconj++] = e;
    }
}

static void add_inner(Guard *g, const Expr *q)
{
    for (Binder *b = q->binders; b; b = b->next) {
        if (g->ninner == MAX_GUARD) g->overflow = true;
        if (g->ninner < MAX_GUARD) g->inner[g->ninner++] = b;
    }
}

/* The conjuncts that, when false, make quantifier q's instance irrelevant:
 * for forall, those of the antecedents of its body's implications (through
 * nested foralls); for exists, those of its body (through nested exists). */
static void guard_of(const Expr *q, Guard *g)
{
    memset(g, 0, sizeof *g);
    Expr *x = q->a;
    for (;;) {
        if (x->kind == E_QUANT && x->is_forall == q->is_forall && !x->binders->domx) {
            add_inner(g, x);
            x = x->a;
        } else if (q->is_forall && x->kind == E_BINARY && x->op == OP_IMPLIES) {
            add_conjuncts(g, x->a);
            x = x->b;
        } else {
            if (!q->is_forall) add_conjuncts(g, x);
            if (q->is_forall && x->kind == E_BINARY && x->op == OP_OR) add_disjuncts(g, x);
            return;
        }
    }
}

/* Reads the bound on b that conjunct c states, if it does. */
static bool bound_of(Expr *c, bool neg, Binder *b, Binder *const *forbid, int nf, QBound *out)
{
    if (c->kind != E_BINARY) return false;
    Op op = c->op;
    if (neg) { /* the bound stated by !(c) */
        static const Op flip[] = {
            [OP_LT] = OP_GE, [OP_LE] = OP_GT, [OP_GT] = OP_LE, [OP_GE] = OP_LT, [OP_NE] = OP_EQ};
        if (op != OP_LT && op != OP_LE && op != OP_GT && op != OP_GE && op != OP_NE) return false;
        op = flip[op];
    }
    Expr *other;
    bool left = is_binder(c->a, b); /* k OP e rather than e OP k */
    if (left)
        other = c->b;
    else if (is_binder(c->b, b))
        other = c->a;
    else
        return false;
    if (mentions(other, forbid, nf)) return false;
    switch (op) { /* as k OP e */
    case OP_GE:
        out->kind = left ? QB_GE : QB_LE;
        break;
    case OP_GT:
        out->kind = left ? QB_GT : QB_LT;
        break;
    case OP_LE:
        out->kind = left ? QB_LE : QB_GE;
        break;
    case OP_LT:
        out->kind = left ? QB_LT : QB_GT;
        break;
    case OP_EQ:
        out->kind = QB_EQ;
        break;
    default:
        return false;
    }
    out->e = other;
    return true;
}

static bool is_binder_of(const Binder *b, TypeKind k)
{
    return !b->domx && b->type && b->type->kind == k;
}

static bool is_int_binder(const Binder *b)
{
    return is_binder_of(b, TY_INT);
}

/* A forall conjunct of P's guard that pins P at every process: `forall q.
 * ... && e(q) == P && ...` with q a process, so (for n >= 1) P == e(0). */
static bool pin_at_every(Expr *c, Binder *p, Binder *const *forbid, int nf)
{
    if (c->kind != E_QUANT || !c->is_forall || c->binders->next ||
        !is_binder_of(c->binders, TY_PID))
        return false;
    Guard body = {0};
    add_conjuncts(&body, c->a);
    QBound qb;
    for (int i = 0; i < body.nconj; i++)
        if (bound_of(body.conj[i], false, p, forbid, nf, &qb) && qb.kind == QB_EQ) {
            p->pin = qb.e;
            p->pin_over = c->binders;
            return true;
        }
    return false;
}

/* The bounds one binder b of quantifier e takes from guard g: an int's
 * interval, a stamp's equalities, a set's pin. */
static void bind_from_guard(Arena *a, const Guard *g, Binder *b)
{
    bool is_int = is_int_binder(b), is_stamp = is_binder_of(b, TY_STAMP);
    if (!is_int && !is_stamp && !is_binder_of(b, TY_SET)) return;
    /* the bound may read the binders opened before b, not b or those after */
    Binder *forbid[2 * MAX_GUARD];
    int nf = 0;
    for (const Binder *o = b; o; o = o->next) {
        if (nf == MAX_GUARD || g->overflow) return; /* unbounded then: held, or refused */
        forbid[nf++] = (Binder *)o;
    }
    for (int i = 0; i < g->ninner; i++)
        forbid[nf++] = g->inner[i];
    QBound qb[MAX_GUARD];
    int n = 0;
    bool lo = false, hi = false;
    for (int i = 0; i < g->nconj; i++) {
        if (!bound_of(g->conj[i], g->neg[i], b, forbid, nf, &qb[n])) {
            /* a set equal to e(q) at every process q */
            if (!is_int && !is_stamp && !g->neg[i] && pin_at_every(g->conj[i], b, forbid, nf))
                return;
            continue;
        }
        /* a stamp or set binder takes only equalities: phases have no largest, and
         * hoc check renumbers them keeping their order, not their gaps (checker.md) */
        if (!is_int && qb[n].kind != QB_EQ) continue;
        if (!is_int && !is_stamp) {
            b->pin = qb[n].e;
            return;
        }
        lo |= qb[n].kind == QB_GE || qb[n].kind == QB_GT || qb[n].kind == QB_EQ;
        hi |= qb[n].kind == QB_LE || qb[n].kind == QB_LT || qb[n].kind == QB_EQ;
        n++;
    }
    if (!lo || !hi) return; /* half an interval is still every int */
    b->bounds = arena_alloc(a, (size_t)n * sizeof *b->bounds);
    memcpy(b->bounds, qb, (size_t)n * sizeof *qb);
    b->nbounds = n;
}

/* Pass 1: the bounds of every int, stamp and set binder, from its guard. */
static void find_bounds(Arena *a, Expr *e)
{
    if (!e) return;
    if (e->kind == E_QUANT) {
        Guard g;
        guard_of(e, &g);
        for (Binder *b = e->binders; b; b = b->next)
            bind_from_guard(a, &g, b);
    }
    find_bounds(a, e->a);
    find_bounds(a, e->b);
    find_bounds(a, e->c);
    for (int i = 0; i < e->nargs; i++)
        find_bounds(a, e->args[i]);
}

typedef struct Held {
    TypeKind kind; /* TY_INT or TY_STAMP: the binders in question */
    /* the stamp binder in question is compared with ==/!=, as t <= e (or t > e),
     * as t < e (or t >= e) */
    bool eq, le, lt;
    Arena *a;
    Expr **consts; /* compared with any held binder of the spec */
    int nconsts, cap;
    const Expr *bad; /* the first use that is neither */
} Held;

static bool held_uses(Held *h, Expr *x, const Binder *b);

/* A state read whose values the active domain holds: x[i], x[i][j], ... of a
 * variable or input whose scalars are ints or pids (not a byte of a bytes
 * block: PX_active_ints does not list those). An element outside its array
 * reads 0, which is held: the process id 0. */
static bool is_state_read(const Expr *t)
{
    const Expr *r = t;
    while (r->kind == E_INDEX && r->nk != N_STATE)
        r = r->a;
    if (r->kind != E_INDEX || r->nk != N_STATE || !r->decl) return false;
    const Type *in = r->decl->type;
    while (in->kind == TY_ARRAY)
        in = in->elem;
    return in->kind == TY_INT || in->kind == TY_PID;
}

/* Whether t, compared with held binder b, only ever takes values of the
 * active domain, constants (recorded) or other held binders. */
static bool held_value(Held *h, Expr *t, const Binder *b)
{
    /* A stamp is only ever copied: whatever does not read b is never, a
     * stamp held, or another binder's value (held ones share their fresh
     * values, pinned ones equal such an expression). */
    if (h->kind == TY_STAMP) {
        Binder *self = (Binder *)b;
        return !mentions(t, &self, 1);
    }
    const Expr *c = t->kind == E_UNARY && t->op == OP_NEG ? t->a : t; /* -5 */
    if (c->kind == E_INT || (c->kind == E_NAME && (c->nk == N_PARAM || c->nk == N_CONST))) {
        if (h->nconsts == h->cap) {
            h->cap = h->cap ? 2 * h->cap : 8;
            Expr **n = arena_alloc(h->a, (size_t)h->cap * sizeof *n);
            if (h->nconsts) memcpy(n, h->consts, (size_t)h->nconsts * sizeof *n);
            h->consts = n;
        }
        h->consts[h->nconsts++] = t;
        return true;
    }
    if (t->kind == E_NAME && t->nk == N_BINDER) {
        const Binder *o = t->binder;
        if (o == b) return true;
        if (o->type && o->type->kind == TY_PID) return true; /* 0..n-1: in the active domain */
        return is_int_binder(o) && o->nbounds == 0;          /* held too, or refused itself */
    }
    if (is_state_read(t)) return held_uses(h, t, b); /* its indices may read b */
    return false;
}

/* Whether e reads a stamp binder that no guard pins to held stamps (held, a
 * threshold, refused, or pinned to such a one): a threshold compared with
 * its fresh values would need the cells around them too. */
static bool reads_free_stamp(const Expr *e)
{
    if (!e) return false;
    if (e->kind == E_NAME && e->nk == N_BINDER && is_binder_of(e->binder, TY_STAMP)) {
        const Binder *o = e->binder;
        if (o->nbounds == 0) return true;
        for (int i = 0; i < o->nbounds; i++) /* pins read only binders opened before o */
            if (reads_free_stamp(o->bounds[i].e)) return true;
    }
    if (reads_free_stamp(e->a) || reads_free_stamp(e->b) || reads_free_stamp(e->c)) return true;
    for (int i = 0; i < e->nargs; i++)
        if (reads_free_stamp(e->args[i])) return true;
    return false;
}

/* Whether every occurrence of b in x is k == t, k != t (t a held value) or
 * the index of a per-process variable (which reads a zero value for every
 * k that is no process: the same for every k outside the active domain). */
static bool held_uses(Held *h, Expr *x, const Binder *b)
{
    if (!x) return true;
    if (is_binder(x, b)) {
        if (!h->bad) h->bad = x;
        return false;
    }
    if (x->kind == E_BINARY && (x->op == OP_EQ || x->op == OP_NE) &&
        (is_binder(x->a, b) || is_binder(x->b, b))) {
        Expr *t = is_binder(x->a, b) ? x->b : x->a;
        h->eq = true;
        if (held_value(h, t, b)) return true;
        if (!h->bad) h->bad = x;
        return false;
    }
    if (h->kind == TY_STAMP && x->kind == E_BINARY && x->op >= OP_LT && x->op <= OP_GE &&
        (is_binder(x->a, b) || is_binder(x->b, b))) {
        bool left = is_binder(x->a, b);
        Op op = x->op; /* as b op e */
        if (!left) op = op == OP_LT ? OP_GT : op == OP_GT ? OP_LT : op == OP_LE ? OP_GE : OP_LE;
        if (op == OP_LE || op == OP_GT)
            h->le = true;
        else
            h->lt = true;
        if (!reads_free_stamp(left ? x->b : x->a)) return true;
        if (!h->bad) h->bad = x;
        return false;
    }
    if (x->kind == E_INDEX && x->nk == N_STATE && is_binder(x->b, b)) return true;
    /* every operand is walked, not only up to the first failure: each walk
       records its own uses in h */
    bool ok = held_uses(h, x->a, b);
    ok &= held_uses(h, x->b, b);
    ok &= held_uses(h, x->c, b);
    for (int i = 0; i < x->nargs; i++)
        ok &= held_uses(h, x->args[i], b);
    return ok;
}

typedef struct Pass2 {
    Held h; /* of the binders of kind h.kind */
    Diag *d;
    const Decl *spec;
    Binder *held[256];
    int nheld;
} Pass2;

static void refuse(Pass2 *p, const Binder *b, const Expr *u)
{
    static const char *const kinds[] = {"invariant", "property", "assumption",
                                        "goal",      "prune",    "progress stage"};
    const char *k = kinds[p->spec->spec_kind], *x = b->name;
    int line = u ? u->pos.line : b->pos.line, col = u ? u->pos.col : b->pos.col;
    if (p->h.kind == TY_STAMP && !u)
        diag_error(p->d, b->pos,
                   "in %s '%s', stamp '%s' is compared both as `%s <= e` (or `%s > e`) and "
                   "as `%s < e`, `%s == e` (or their negations): then whether a phase lies "
                   "between two stamps held matters, which hoc check's renumbering of phases "
                   "does not keep; compare it one way only, or pin it with `%s == e` in its "
                   "guard",
                   k, p->spec->name, x, x, x, x, x, x);
    else if (p->h.kind == TY_STAMP)
        diag_error(p->d, b->pos,
                   "in %s '%s', '%s' ranges over every stamp (never and every phase), which "
                   "hoc sim and hoc check enumerate only when it is compared with stamps that "
                   "read no other unpinned stamp binder (line %d, column %d does not); pin it "
                   "with `%s == e` in its guard, or compare the stamps held directly, over "
                   "the processes holding them (`forall i. ts[i] <= ts[0]`)",
                   k, p->spec->name, x, line, col, x);
    else
        diag_error(p->d, b->pos,
                   "in %s '%s', '%s' ranges over every int, which hoc sim and hoc check "
                   "cannot enumerate: bound it in its guard (`lo <= %s && %s < hi ==> ...` "
                   "under forall, `lo <= %s && %s < hi && ...` under exists), or compare it "
                   "only with == and != against values the state holds (line %d, column %d "
                   "does not)",
                   k, p->spec->name, x, x, x, x, x, line, col);
}

/* Pass 2: the unbounded int (or stamp) binders must be held ones. */
static void check_held(Pass2 *p, Expr *e)
{
    if (!e) return;
    if (e->kind == E_QUANT)
        for (Binder *b = e->binders; b; b = b->next) {
            if (!is_binder_of(b, p->h.kind) || b->nbounds > 0) continue;
            p->h.bad = NULL;
            p->h.eq = p->h.le = p->h.lt = false;
            /* a stamp compared by order, as a threshold: `t <= e` (and `t > e`) are
             * the same for every t in a cell (h, h'] between held stamps h < h', so
             * h' stands for it, and one stamp above them all for the last; `t < e`
             * likewise with [h, h'). Either alone is exact and keeps to the order,
             * as hoc check's renumbering does; mixed, or with ==, a cell's inside
             * differs from its end, and whether it has one is a gap (refused). */
            bool uses = held_uses(&p->h, e->a, b);
            bool mixed = (p->h.le && p->h.lt) || (p->h.eq && (p->h.le || p->h.lt));
            if (uses && !mixed) {
                if (p->nheld < 256) p->held[p->nheld++] = b;
                continue;
            }
            refuse(p, b, uses ? NULL : p->h.bad);
        }
    check_held(p, e->a);
    check_held(p, e->b);
    check_held(p, e->c);
    for (int i = 0; i < e->nargs; i++)
        check_held(p, e->args[i]);
}

/* Pass 2 for the binders of one kind: refuses the unbounded ones that are not
 * held, and gives the held ones their common range. */
static void hold(Arena *a, Diag *d, Decl *spec, TypeKind kind)
{
    Pass2 *p = calloc(1, sizeof *p);
    if (!p) abort();
    p->h.kind = kind;
    p->h.a = a;
    p->d = d;
    p->spec = spec;
    check_held(p, spec->init);
    if (p->nheld == 256)
        diag_error(d, spec->pos, "'%s' has more than 255 quantifiers over %ss", spec->name,
                   kind == TY_INT ? "int" : "stamp");
    /* Every held binder ranges over the same values: the constants compared
     * with any of them, and one fresh value per held binder, so that each can
     * differ from the others and from everything held (qdom.h). */
    for (int i = 0; i < p->nheld; i++) {
        p->held[i]->consts = p->h.consts;
        p->held[i]->nconsts = p->h.nconsts;
        p->held[i]->nfresh = p->nheld;
    }
    free(p);
}

void qdom_spec(Arena *a, Diag *d, Decl *spec)
{
    find_bounds(a, spec->init);
    hold(a, d, spec, TY_INT);
    hold(a, d, spec, TY_STAMP);
}
