/* fold.c: `for m in mbox` and `for p in S` whose body is a fold. The C runs
 * the body once per sender (member) in increasing order; the loop is encoded
 * exactly, for any n, when the result cannot depend on that order: every
 * variable the body assigns is assigned by one statement, under conditions
 * (and with values) that read the loop variable and what the loop does not
 * assign, in one of these shapes:
 *
 *   V = c;                          (c not reading the loop variable)
 *   V = V + {m.sender};  V = V + {p};  V = V - {...};  (sets)
 *   V = V + 1;                      (a count)
 *   V = V || E;  V = V && E;        (bools)
 *   if (E < V) { V = E; }  V = min(V, E);  (and <=, >, >=, max)
 *
 * The iterations where a condition holds are the processes Q of a predicate
 * G(Q) (member of the mailbox or set, and every enclosing condition), so
 * the result is a union, a count, an "any" or an aggregate over G: the terms
 * translate.c makes for comprehensions and mailbox aggregates. */
#include "fold.h"
#include "translate.h"

#include <string.h>

#define MAXFOLD 16
#define MAXGUARD 8

typedef enum FoldKind {
    FK_CONST,
    FK_SETADD,
    FK_SETSUB,
    FK_COUNT,
    FK_OR,
    FK_AND,
    FK_MIN,
    FK_MAX
} FoldKind;

typedef struct Fold {
    Expr *lhs; /* the variable accumulated */
    FoldKind k;
    Expr *val; /* FK_CONST: the value; FK_OR/FK_AND: the operand; FK_MIN/FK_MAX: the candidate */
    Expr *guard[MAXGUARD];
    bool neg[MAXGUARD];
    int ng;
} Fold;

typedef struct Loop {
    Stmt *s;
    Fold f[MAXFOLD];
    int nf;
    Expr *guard[MAXGUARD]; /* the conditions around the statement walked */
    bool neg[MAXGUARD];
    int ng;
    const char *why; /* the first reason the body is no fold */
    Pos where;
} Loop;

static void no(Loop *l, Pos p, const char *why)
{
    if (!l->why) l->why = why, l->where = p;
}

/* ---- the shape of the body ---- */
static bool same_var(const Expr *a, const Expr *b)
{
    if (a->kind != E_NAME || b->kind != E_NAME || a->nk != b->nk) return false;
    if (a->nk == N_STATE) return a->decl && a->decl == b->decl;
    if (a->nk == N_LOCAL) return a->binder && a->binder == b->binder;
    return false;
}

static bool same_expr(const Expr *a, const Expr *b)
{
    if (!a || !b) return a == b;
    if (a->kind != b->kind) return false;
    switch (a->kind) {
    case E_INT:
        return a->ival == b->ival;
    case E_NAME:
        return a->nk == b->nk && a->decl == b->decl && a->binder == b->binder &&
               a->index == b->index;
    case E_FIELD:
        return a->index == b->index && same_expr(a->a, b->a);
    case E_UNARY:
        return a->op == b->op && same_expr(a->a, b->a);
    case E_BINARY:
        return a->op == b->op && same_expr(a->a, b->a) && same_expr(a->b, b->b);
    default:
        return false;
    }
}

/* Whether x reads the variable var (an E_NAME), or the binder b when var is
 * NULL, through algorithm-level lets too. */
static bool reads(const Expr *x, const Expr *var, const Binder *b)
{
    if (!x) return false;
    if (x->kind == E_NAME) {
        if (var ? same_var(x, var) : x->binder == b) return true;
        if (x->nk == N_LET && x->decl) return reads(x->decl->init, var, b);
    }
    if (reads(x->a, var, b) || reads(x->b, var, b) || reads(x->c, var, b)) return true;
    for (int i = 0; i < x->nargs; i++)
        if (reads(x->args[i], var, b)) return true;
    for (const Binder *q = x->binders; q; q = q->next)
        if (reads(q->domx, var, b)) return true;
    return false;
}

/* {m.sender} of a mailbox loop, {p} of a set loop: the iterated process. */
static bool is_iterated(const Loop *l, const Expr *x)
{
    if (x->kind != E_SETLIT || x->nargs != 1) return false;
    const Expr *a = x->args[0];
    if (a->kind == E_FIELD && a->index == -2) a = a->a;
    return a->kind == E_NAME && a->binder == l->s->var &&
           (a->nk != N_MSGVAR || x->args[0]->kind == E_FIELD);
}

static void add(Loop *l, Pos p, Expr *lhs, FoldKind k, Expr *val)
{
    if (l->nf >= MAXFOLD) {
        no(l, p, "a loop body assigning more than 16 variables");
        return;
    }
    Fold *f = &l->f[l->nf++];
    *f = (Fold){.lhs = lhs, .k = k, .val = val, .ng = l->ng};
    memcpy(f->guard, l->guard, sizeof f->guard);
    memcpy(f->neg, l->neg, sizeof f->neg);
}

/* if (E < V) { V = E; } and its variants: a minimum or maximum. */
static bool min_max_if(Loop *l, Stmt *s)
{
    Stmt *a = s->body && s->body->kind == S_BLOCK ? s->body->body : s->body;
    Expr *c = s->cond;
    if (s->els || !a || a->next || a->kind != S_ASSIGN || c->kind != E_BINARY || c->op < OP_LT ||
        c->op > OP_GE)
        return false;
    Expr *V = a->lhs, *E = a->rhs;
    bool v_left = same_var(c->a, V) && same_expr(c->b, E);
    if (!v_left && !(same_var(c->b, V) && same_expr(c->a, E))) return false;
    bool less = c->op == OP_LT || c->op == OP_LE; /* E < V (or V < E when v_left) */
    add(l, s->pos, V, less != v_left ? FK_MIN : FK_MAX, E);
    return true;
}

static bool is_call2(const Expr *x, const char *f)
{
    return x->kind == E_CALL && x->nargs == 2 && x->name && strcmp(x->name, f) == 0 &&
           (!x->decl || (x->decl->kind != D_DEF && x->decl->kind != D_EXTERN));
}

/* The fold an assignment V = r makes, or why it makes none. */
static void classify_assign(Loop *l, Stmt *s)
{
    Expr *V = s->lhs, *r = s->rhs;
    if (V->kind != E_NAME || (V->nk != N_STATE && V->nk != N_LOCAL)) {
        no(l, s->pos, "a loop body assigning an element");
        return;
    }
    bool set = V->type && V->type->kind == TY_SET, bin = r->kind == E_BINARY;
    if (bin && set && r->op == OP_ADD &&
        ((same_var(r->a, V) && is_iterated(l, r->b)) ||
         (same_var(r->b, V) && is_iterated(l, r->a))))
        add(l, s->pos, V, FK_SETADD, NULL);
    else if (bin && set && r->op == OP_SUB && same_var(r->a, V) && is_iterated(l, r->b))
        add(l, s->pos, V, FK_SETSUB, NULL);
    else if (bin && !set && r->op == OP_ADD &&
             ((same_var(r->a, V) && r->b->kind == E_INT && r->b->ival == 1) ||
              (same_var(r->b, V) && r->a->kind == E_INT && r->a->ival == 1)))
        add(l, s->pos, V, FK_COUNT, NULL);
    else if (bin && (r->op == OP_OR || r->op == OP_AND) && (same_var(r->a, V) || same_var(r->b, V)))
        add(l, s->pos, V, r->op == OP_OR ? FK_OR : FK_AND, same_var(r->a, V) ? r->b : r->a);
    else if ((is_call2(r, "min") || is_call2(r, "max")) &&
             (same_var(r->args[0], V) || same_var(r->args[1], V)))
        add(l, s->pos, V, r->name[1] == 'i' ? FK_MIN : FK_MAX,
            same_var(r->args[0], V) ? r->args[1] : r->args[0]);
    else if (!reads(r, V, NULL) && !reads(r, NULL, l->s->var))
        add(l, s->pos, V, FK_CONST, r);
    else
        no(l, s->pos, "a loop body whose result depends on the order of the iterations");
}

static void walk(Loop *l, Stmt *s);

static void walk_guarded(Loop *l, Stmt *body, Expr *c, bool neg)
{
    if (l->ng >= MAXGUARD) {
        no(l, c->pos, "conditions nested more than 8 deep in a loop body");
        return;
    }
    l->guard[l->ng] = c, l->neg[l->ng++] = neg;
    walk(l, body);
    l->ng--;
}

static void walk(Loop *l, Stmt *s)
{
    for (; s && !l->why; s = s->next) {
        switch (s->kind) {
        case S_BLOCK:
            walk(l, s->body);
            break;
        case S_IF:
            if (min_max_if(l, s)) break;
            walk_guarded(l, s->body, s->cond, false);
            if (s->els) walk_guarded(l, s->els, s->cond, true);
            break;
        case S_ASSIGN:
            classify_assign(l, s);
            break;
        case S_OUTPUT:
            break; /* outputs are not state */
        default:
            no(l, s->pos, "a loop body that does more than assign, test and output");
            break;
        }
    }
}

/* Each variable accumulated once; no condition or value reads what the loop
 * assigns (but a minimum's own comparison). */
static void validate(Loop *l)
{
    for (int i = 0; i < l->nf && !l->why; i++) {
        Fold *f = &l->f[i];
        for (int j = 0; j < l->nf; j++) {
            Expr *w = l->f[j].lhs;
            if (j > i && same_var(w, f->lhs))
                no(l, w->pos, "a loop body assigning one variable twice");
            if (reads(f->val, w, NULL)) no(l, f->val->pos, "a loop body reading what it assigns");
            for (int g = 0; g < f->ng; g++)
                if (reads(f->guard[g], w, NULL))
                    no(l, f->guard[g]->pos, "a loop body reading what it assigns");
        }
    }
}

/* ---- the encoding ---- */
static Z3_ast *var_cell(Attempt *v, Env *e, Expr *V)
{
    if (V->nk == N_LOCAL) {
        for (int i = e->nloc - 1; i >= 0; i--)
            if (e->locb[i] == V->binder) return &e->loc[i];
        return NULL;
    }
    int sl = attempt_slot_of(v, V->decl);
    return sl < 0 ? NULL : &e->cur[sl];
}

/* G(Q): Q is iterated and every condition around the fold holds. */
static Z3_ast iterations(Attempt *v, Env *in, Z3_ast dom, const Fold *f)
{
    Z3_ast g = dom;
    for (int i = 0; i < f->ng; i++) {
        Z3_ast c = tr_expr(v, in, f->guard[i], 0);
        g = and2(v, g, f->neg[i] ? not_(v, c) : c);
    }
    return g;
}

static Z3_ast folded(Attempt *v, Env *e, Env *in, Z3_ast g, const Fold *f, Z3_ast old)
{
    Z3_ast zero = num(v, 0), any = lt(v, zero, tr_count(v, e, g));
    switch (f->k) {
    case FK_CONST: {
        bool set = f->lhs->type && f->lhs->type->kind == TY_SET;
        return ite(v, any, set ? tr_set(v, e, f->val) : tr_expr(v, e, f->val, 0), old);
    }
    case FK_SETADD:
        return or2(v, old, g);
    case FK_SETSUB:
        return and2(v, old, not_(v, g));
    case FK_COUNT:
        return tr_wrap(v, add2(v, old, tr_count(v, e, g)));
    case FK_OR:
        return or2(v, old, lt(v, zero, tr_count(v, e, and2(v, g, tr_expr(v, in, f->val, 0)))));
    case FK_AND:
        return and2(v, old,
                    eq(v, tr_count(v, e, and2(v, g, not_(v, tr_expr(v, in, f->val, 0)))), zero));
    case FK_MIN:
    case FK_MAX: {
        Z3_ast a =
            tr_aggregate(v, e, f->k == FK_MIN ? AG_MIN : AG_MAX, g, tr_expr(v, in, f->val, 0));
        Z3_ast keep = f->k == FK_MIN ? le(v, old, a) : le(v, a, old);
        return ite(v, any, ite(v, keep, old, a), old);
    }
    }
    return old;
}

void fold_exec(Attempt *v, Env *e, Stmt *s)
{
    Loop l;
    memset(&l, 0, sizeof l);
    l.s = s;
    walk(&l, s->body);
    validate(&l);
    if (l.why) {
        attempt_unsupported(v, l.where, "%s is not supported by the verifier (docs/verifier.md)",
                            l.why);
        return;
    }
    if (e->inset) {
        attempt_unsupported(v, s->pos, "a loop inside a set condition");
        return;
    }
    Z3_ast dom = tr_set(v, e, s->cond); /* the C iterates a copy taken before the loop */
    Env in = *e;
    in.binds = tr_bind(v, s->var, v->Q, e->binds);
    in.inset = 1;
    Z3_ast next[MAXFOLD];
    for (int i = 0; i < l.nf; i++) { /* every value from the state before the loop */
        Z3_ast *cell = var_cell(v, e, l.f[i].lhs);
        if (!cell) {
            attempt_unsupported(v, l.f[i].lhs->pos, "internal: unknown variable in a loop");
            return;
        }
        next[i] = folded(v, e, &in, iterations(v, &in, dom, &l.f[i]), &l.f[i], *cell);
    }
    for (int i = 0; i < l.nf; i++)
        *var_cell(v, e, l.f[i].lhs) = next[i];
}
