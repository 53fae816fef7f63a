/* translate.c: translation of the checked AST into Z3 terms: expressions, sets,
 * quantifiers (skolems and pending universals), mailbox aggregates, and the
 * symbolic execution of the round's code (sends, post-state, initial state). */
#include "translate.h"
#include "fold.h"
#include "venn.h"

#include <string.h>

static void exec(Attempt *v, Env *e, Stmt *s);

/* ---- C arithmetic ---- */
/* C's 64-bit wrapping arithmetic on mathematical integers: exact. */
Z3_ast tr_wrap(Attempt *v, Z3_ast e)
{
    Z3_ast lo = Z3_mk_int64(v->c, INT64_MIN, v->I), hi = Z3_mk_int64(v->c, INT64_MAX, v->I);
    Z3_ast two63 = Z3_mk_numeral(v->c, "9223372036854775808", v->I);
    Z3_ast two64 = Z3_mk_numeral(v->c, "18446744073709551616", v->I);
    Z3_ast wrapped = sub2(v, Z3_mk_mod(v->c, add2(v, e, two63), two64), two63);
    return ite(v, and2(v, le(v, lo, e), le(v, e, hi)), e, wrapped);
}

/* Keeps constant divisors linear: the common case (2 * n / 3). */
static Z3_ast c_div_k(Attempt *v, Z3_ast a, Z3_ast b)
{
    int64_t k;
    if (Z3_get_ast_kind(v->c, b) == Z3_NUMERAL_AST && Z3_get_numeral_int64(v->c, b, &k) && k > 0) {
        Z3_ast zero = num(v, 0);
        return ite(v, le(v, zero, a), Z3_mk_div(v->c, a, b),
                   Z3_mk_unary_minus(v->c, Z3_mk_div(v->c, Z3_mk_unary_minus(v->c, a), b)));
    }
    return app2(v, v->fdiv, a, b);
}
static Z3_ast c_mod_k(Attempt *v, Z3_ast a, Z3_ast b)
{
    int64_t k;
    if (Z3_get_ast_kind(v->c, b) == Z3_NUMERAL_AST && Z3_get_numeral_int64(v->c, b, &k) && k > 0)
        return sub2(v, a, mul2(v, b, c_div_k(v, a, b)));
    return app2(v, v->fmod, a, b);
}

/* ---- bindings ---- */
Bind *tr_bind(Attempt *v, Binder *b, Z3_ast val, Bind *next)
{
    Bind *n = malloc(sizeof *n); /* freed with the attempt: kept on a list */
    if (!n) abort();
    *n = (Bind){.b = b, .val = val, .next = next};
    GROW(v->binds, v->nbinds, v->capbinds);
    v->binds[v->nbinds++] = n;
    return n;
}

static Z3_ast lookup(Attempt *v, Env *e, Binder *b, Pos p)
{
    for (int i = e->nloc - 1; i >= 0; i--)
        if (e->locb[i] == b) return e->loc[i];
    for (Bind *k = e->binds; k; k = k->next)
        if (k->b == b) return k->val;
    attempt_unsupported(v, p, "internal: unbound name '%s'", b ? b->name : "?");
    return num(v, 0);
}

static Z3_ast zero_of(Attempt *v, Type *t)
{
    if (t && t->kind == TY_BOOL) return fls(v);
    return num(v, 0);
}

/* ---- aggregates over the mailbox, as functions of the process ---- */
static Z3_ast payload(Attempt *v, int f, Z3_ast from, Z3_ast to)
{
    if (f < 0 || f >= MAXF || !v->payload[f]) return num(v, 0); /* vc.c refuses f >= MAXF */
    return subst2(v, v->payload[f], v->S, from, v->T, to);
}

static Z3_ast mk_agg(Attempt *v, AggKind k, Z3_ast pred, Z3_ast val, Z3_ast self, bool boolval)
{
    for (int i = 0; i < v->naggs; i++)
        if (v->aggs[i].kind == k && aid(v, v->aggs[i].pred) == aid(v, pred) &&
            (!val || aid(v, v->aggs[i].val) == aid(v, val)))
            return app1(v, v->aggs[i].f, self);
    GROW(v->aggs, v->naggs, v->capaggs);
    Agg *a = &v->aggs[v->naggs++];
    static const char *names[] = {"card", "mmor", "min", "max", "argmin", "argmax"};
    a->kind = k;
    a->pred = pred;
    a->val = val ? val : num(v, 0);
    a->f = fresh_fn(v, names[k], 1, &v->I, boolval ? v->B : v->I);
    return app1(v, a->f, self);
}

Z3_ast tr_aggregate(Attempt *v, Env *e, AggKind k, Z3_ast pred, Z3_ast val)
{
    Z3_ast at_S = subst1(v, pred, e->self, v->S), val_S = subst1(v, val, e->self, v->S);
    return subst1(v, mk_agg(v, k, at_S, val_S, v->S, false), v->S, e->self);
}

/* The number of processes satisfying pred (over Q): in code, a count of
 * the executing process's mailbox (an aggregate); in specs, a Venn count. */
Z3_ast tr_count(Attempt *v, Env *e, Z3_ast pred)
{
    if (!e->code) return venn_card(v, pred);
    Z3_ast at_S = subst1(v, pred, e->self, v->S);
    return subst1(v, mk_agg(v, AG_CARD, at_S, NULL, v->S, false), v->S, e->self);
}

/* ---- reading processes ---- */
/* A spec's process index that is a process by construction: a binder over
 * processes (a skolem is asserted in range, an instance is guarded by it). */
static bool is_process(const Expr *i)
{
    return i->kind == E_NAME && i->nk == N_BINDER && i->binder && i->binder->type &&
           i->binder->type->kind == TY_PID;
}

/* t where the index p is a process, else the zero value: no process p
 * exists, so its variables read 0, false or the empty set, and its
 * heard-of set is empty (docs/language.md, as the C does). */
static Z3_ast at_process(Attempt *v, Expr *index, Z3_ast p, Z3_ast t)
{
    if (is_process(index)) return t;
    Z3_ast none = is_bool(v, t) ? fls(v) : num(v, 0);
    return ite(v, in_range(v, p), t, none);
}

/* ---- sets ---- */
Z3_ast tr_set(Attempt *v, Env *e, Expr *x)
{
    switch (x->kind) {
    case E_NAME:
        switch (x->nk) {
        case N_PROCS:
            return tru(v);
        case N_MBOX:
            return attempt_in_mailbox(v, e->self, v->Q);
        case N_STATE: {
            int s = attempt_slot_of(v, x->decl);
            if (s < 0 || !e->code) break;
            return e->cur[s];
        }
        case N_BINDER:
        case N_LOCAL:
            return lookup(v, e, x->binder, x->pos);
        default:
            break;
        }
        break;
    case E_INDEX: {
        Z3_ast owner = tr_expr(v, e, x->b, 0);
        if (attempt_has_q(v, owner)) {
            attempt_unsupported(v, x->pos,
                                "a set indexed by the variable of an enclosing set condition");
            return fls(v);
        }
        if (x->nk == N_HO) return at_process(v, x->b, owner, attempt_hears(v, owner, v->Q));
        if (x->nk == N_STATE && x->decl) {
            int s = attempt_slot_of(v, x->decl);
            if (s >= 0 && v->slot[s].kind == SLOT_SET)
                return at_process(v, x->b, owner, attempt_state_read(v, e->view, s, owner));
        }
        break;
    }
    case E_FIELD: /* mbox.f: the mailbox, projected by the aggregate */
        return tr_set(v, e, x->a);
    case E_SETLIT: {
        Z3_ast r = fls(v);
        for (int i = 0; i < x->nargs; i++) {
            Z3_ast el = tr_expr(v, e, x->args[i], 0);
            /* {q} with q the variable of an enclosing set condition: its
             * predicate Q == q would need a placeholder of its own (with one,
             * `0 in {q}` became Q == Q, true at every q) */
            if (attempt_has_q(v, el)) {
                attempt_unsupported(
                    v, x->pos, "a set literal naming the variable of an enclosing set condition");
                return fls(v);
            }
            r = or2(v, r, eq(v, v->Q, el));
        }
        return r;
    }
    case E_BINARY:
        if (x->op == OP_ADD) return or2(v, tr_set(v, e, x->a), tr_set(v, e, x->b));
        if (x->op == OP_SUB) return and2(v, tr_set(v, e, x->a), not_(v, tr_set(v, e, x->b)));
        break;
    case E_COND:
        return ite(v, tr_expr(v, e, x->a, 0), tr_set(v, e, x->b), tr_set(v, e, x->c));
    case E_COMPR: {
        if (e->inset) {
            attempt_unsupported(v, x->pos, "a set comprehension nested in another set condition");
            return fls(v);
        }
        Binder *b = x->binders;
        Z3_ast dom = tru(v);
        if (b->domx) dom = tr_set(v, e, b->domx);
        Env sub = *e;
        sub.binds = tr_bind(v, b, v->Q, e->binds);
        sub.inset = 1;
        return and2(v, dom, tr_expr(v, &sub, x->a, 0));
    }
    default:
        break;
    }
    attempt_unsupported(v, x->pos, "this set expression is not supported by the verifier");
    return fls(v);
}

/* Whether p's message is in the mailbox mb (mbox, or a filtered one) of e->self. */
static Z3_ast heard_in(Attempt *v, Env *e, Expr *mb, Z3_ast p)
{
    return member(v, tr_set(v, e, mb), p);
}

/* The value of message q (a sender) in the round's mailbox of e->self. */
static Z3_ast msg_field(Attempt *v, Env *e, Z3_ast q, int f)
{
    return ite(v, attempt_in_mailbox(v, e->self, q), payload(v, f, q, e->self),
               zero_of(v, e->rnd->fields[f].type));
}

static Z3_ast aggregate(Attempt *v, Env *e, Expr *x)
{
    const char *f = x->name;
    if ((strcmp(f, "min") == 0 || strcmp(f, "max") == 0) && x->nargs == 2) {
        Z3_ast a = tr_expr(v, e, x->args[0], 0), b = tr_expr(v, e, x->args[1], 0);
        return f[1] == 'i' ? ite(v, le(v, a, b), a, b) : ite(v, le(v, a, b), b, a);
    }
    Expr *arg = x->args[0];
    if (arg->type->kind != TY_MBOX || !e->code || !e->rnd) {
        attempt_unsupported(v, x->pos,
                            "%s over a set of processes is not supported by the verifier", f);
        return num(v, 0);
    }
    int field = arg->index;
    Z3_ast pred = tr_set(v, e, arg);
    pred = subst1(v, pred, e->self, v->S);
    Z3_ast val = payload(v, field, v->Q, v->S);
    AggKind k = strcmp(f, "mmor") == 0     ? AG_MMOR
                : strcmp(f, "min") == 0    ? AG_MIN
                : strcmp(f, "max") == 0    ? AG_MAX
                : strcmp(f, "argmin") == 0 ? AG_ARGMIN
                                           : AG_ARGMAX;
    Type *ft = e->rnd->fields[field].type;
    if (k == AG_MMOR && ft->kind == TY_BOOL) {
        attempt_unsupported(v, x->pos, "mmor over bool messages is not supported by the verifier");
        return fls(v);
    }
    return subst1(v, mk_agg(v, k, pred, val, v->S, false), v->S, e->self);
}

/* A message value: the sender term (TY_MSG), -1 when there is none. */
static Z3_ast message(Attempt *v, Env *e, Expr *x)
{
    if (x->kind == E_NAME && x->nk == N_MSGVAR) return lookup(v, e, x->binder, x->pos);
    if (x->kind == E_INDEX && x->nk == N_MBOX) {
        Z3_ast p = tr_expr(v, e, x->b, 0);
        return ite(v, heard_in(v, e, x->a, p), p, num(v, -1));
    }
    if (x->kind == E_CALL) return aggregate(v, e, x);
    attempt_unsupported(v, x->pos, "this message expression is not supported by the verifier");
    return num(v, -1);
}

/* ---- quantifiers ---- */
/* Adds fresh process constant k to the pool, if there is room (as it is:
 * unlike inst_add_pool, nothing to simplify). */
static void join_pool(Attempt *v, Z3_ast k)
{
    if (v->npool < MAX_POOL && idset_add(&v->inpool, aid(v, k))) v->pool[v->npool++] = k;
}

/* Skolem constants of hypothesis instances are not instantiation terms: they
 * only witness facts (x[i] == v[j]); the pool stays small. */
static Z3_ast skolem(Attempt *v, Binder *b, Z3_ast at, bool pool)
{
    Z3_ast k = fresh_const(v, b->name, v->I);
    if (is_number(b->type->kind)) {
        if (v->nints >= v->capints) {
            v->capints = v->capints ? v->capints * 2 : 16;
            v->ints = realloc(v->ints, sizeof *v->ints * (size_t)v->capints);
            v->intb = realloc(v->intb, sizeof *v->intb * (size_t)v->capints);
            v->intat = realloc(v->intat, sizeof *v->intat * (size_t)v->capints);
            if (!v->ints || !v->intb || !v->intat) abort();
        }
        v->ints[v->nints] = k;
        v->intat[v->nints] = at;
        v->intb[v->nints++] = b;
        attempt_assert(v, and2(v, le(v, Z3_mk_int64(v->c, INT64_MIN, v->I), k),
                               le(v, k, Z3_mk_int64(v->c, INT64_MAX, v->I))));
    } else {
        attempt_assert(v, in_range(v, k));
        if (pool) join_pool(v, k);
    }
    return k;
}

static Z3_ast quantifier_from(Attempt *v, Env *e, Expr *x, Binder *b, int pol);

Z3_ast tr_body_after(Attempt *v, Env *e, Expr *x, Binder *b, Z3_ast val, int pol)
{
    Env sub = *e;
    sub.binds = tr_bind(v, b, val, e->binds);
    if (b->next) return quantifier_from(v, &sub, x, b->next, pol);
    return tr_expr(v, &sub, x->a, pol);
}

static Z3_ast new_pend(Attempt *v, Env *e, Expr *x, Binder *b, int body_pol, bool negate,
                       bool is_int)
{
    GROW(v->pends, v->npends, v->cappends);
    Pend *p = &v->pends[v->npends++];
    memset(p, 0, sizeof *p);
    p->q = x;
    p->b = b;
    p->binds = e->binds;
    p->view = e->view;
    p->rnd = e->rnd;
    p->body_pol = body_pol;
    p->negate = negate;
    p->is_int = is_int;
    p->goal = e->goal;
    p->nested = e->in_int;
    p->origin = e->origin;
    p->proxy = fresh_const(v, "all", v->B);
    return negate ? not_(v, p->proxy) : p->proxy;
}

static Z3_ast quantifier_from(Attempt *v, Env *e, Expr *x, Binder *b, int pol)
{
    TypeKind k = b->type->kind;
    bool forall = x->is_forall;
    /* over a mailbox the binder is a sender, whatever its messages' type: a
     * bool or enum one is not expanded over its values */
    bool over_mbox = b->domx && b->domx->type && b->domx->type->kind == TY_MBOX;
    if (over_mbox) k = TY_PID;
    if (k == TY_BOOL || k == TY_ENUM) { /* finite: expanded exactly */
        int64_t nv = k == TY_BOOL ? 2 : b->type->enm->nmembers;
        Z3_ast acc = forall ? tru(v) : fls(v);
        for (int64_t i = 0; i < nv; i++) {
            Z3_ast val = k == TY_BOOL ? (i ? tru(v) : fls(v)) : num(v, i);
            Z3_ast body = tr_body_after(v, e, x, b, val, pol);
            acc = forall ? and2(v, acc, body) : or2(v, acc, body);
        }
        return acc;
    }
    if (k == TY_SET) {
        if ((pol > 0 && !forall) || (pol < 0 && forall)) {
            Z3_sort dom = v->I;
            Z3_func_decl f = fresh_fn(v, b->name, 1, &dom, v->B);
            return tr_body_after(v, e, x, b, app1(v, f, v->Q), pol);
        }
        attempt_unsupported(v, x->pos,
                            "a universal quantifier over sets is not supported by the verifier");
        return fls(v);
    }
    if (k != TY_PID && !is_number(k)) {
        attempt_unsupported(v, x->pos,
                            "a quantifier over this type is not supported by the verifier");
        return fls(v);
    }
    if (e->code || e->inset || pol == 0) {
        /* exact, as a count: forall q. P  <=>  |{q | !P}| == 0 (processes only) */
        if (k != TY_PID || b->next || e->inset) {
            attempt_unsupported(
                v, x->pos,
                "a quantifier in code or inside a set condition must range over processes, alone");
            return fls(v);
        }
        Z3_ast dom = b->domx ? tr_set(v, e, b->domx) : tru(v);
        Env sub = *e;
        sub.binds = tr_bind(v, b, v->Q, e->binds);
        sub.inset = 1;
        Z3_ast body = tr_expr(v, &sub, x->a, 0);
        Z3_ast pred = forall ? and2(v, dom, not_(v, body)) : and2(v, dom, body);
        Z3_ast cnt = tr_count(v, e, pred);
        return forall ? eq(v, cnt, num(v, 0)) : lt(v, num(v, 0), cnt);
    }
    bool existential = (pol > 0) != forall;
    if (existential) {
        Z3_ast k0 = skolem(v, b, e->inst_at, e->goal || !e->instance);
        Z3_ast body = tr_body_after(v, e, x, b, k0, pol);
        if (b->domx) {
            Z3_ast dom = member(v, tr_set(v, e, b->domx), k0);
            body = forall ? imp(v, dom, body) : and2(v, dom, body);
        }
        return body;
    }
    /* universal after pushing negations: a proxy, instantiated later */
    return new_pend(v, e, x, b, pol, pol < 0, is_number(k));
}

/* ---- expressions ---- */
static Z3_ast state_index(Attempt *v, Env *e, Expr *x)
{
    int s = attempt_slot_of(v, x->decl);
    if (s < 0) {
        attempt_unsupported(v, x->pos, "state '%s' is not supported by the verifier",
                            x->decl ? x->decl->name : "?");
        return num(v, 0);
    }
    Z3_ast p = tr_expr(v, e, x->b, 0);
    return at_process(v, x->b, p, attempt_state_read(v, e->view, s, p));
}

/* Bounds of an int expression that cannot overflow (n <= 64, counts <= n,
 * constants); false when unknown. Lets arithmetic on them skip wrapping. */
static bool small(Expr *x, int64_t *lo, int64_t *hi)
{
    const int64_t L = (int64_t)1 << 40;
    int64_t a0, a1, b0, b1;
    switch (x->kind) {
    case E_INT:
        *lo = *hi = x->ival;
        return x->ival > -L && x->ival < L;
    case E_CARD:
        *lo = 0, *hi = HOC_MAXN;
        return true;
    case E_NAME:
        if (x->nk == N_PARAM && x->index == 0) return *lo = 1, *hi = HOC_MAXN, true;
        if (x->nk == N_CONST)
            return *lo = *hi = x->decl->value, x->decl->value > -L && x->decl->value < L;
        return false;
    case E_BINARY:
        if (x->op != OP_ADD && x->op != OP_SUB && x->op != OP_MUL) return false;
        if (!small(x->a, &a0, &a1) || !small(x->b, &b0, &b1)) return false;
        if (x->op == OP_ADD)
            *lo = a0 + b0, *hi = a1 + b1;
        else if (x->op == OP_SUB)
            *lo = a0 - b1, *hi = a1 - b0;
        else {
            if (a0 < -(1 << 20) || a1 > (1 << 20) || b0 < -(1 << 20) || b1 > (1 << 20))
                return false;
            int64_t c[4] = {a0 * b0, a0 * b1, a1 * b0, a1 * b1};
            *lo = *hi = c[0];
            for (int i = 1; i < 4; i++)
                *lo = c[i] < *lo ? c[i] : *lo, *hi = c[i] > *hi ? c[i] : *hi;
        }
        return *lo > -L && *hi < L;
    default:
        return false;
    }
}

static Z3_ast arith(Attempt *v, Env *e, Expr *x)
{
    Z3_ast a = tr_expr(v, e, x->a, 0), b = tr_expr(v, e, x->b, 0);
    int64_t lo, hi;
    if ((x->op == OP_ADD || x->op == OP_SUB || x->op == OP_MUL) && small(x, &lo, &hi))
        return x->op == OP_ADD ? add2(v, a, b) : x->op == OP_SUB ? sub2(v, a, b) : mul2(v, a, b);
    switch (x->op) {
    case OP_ADD:
        return tr_wrap(v, add2(v, a, b));
    case OP_SUB:
        return tr_wrap(v, sub2(v, a, b));
    case OP_MUL:
        return tr_wrap(v, mul2(v, a, b));
    case OP_DIV:
        return c_div_k(v, a, b);
    case OP_MOD:
        return c_mod_k(v, a, b);
    default:
        return num(v, 0);
    }
}

static Z3_ast comparison(Attempt *v, Env *e, Expr *x, int pol)
{
    Type *ta = x->a->type;
    if (ta && ta->kind == TY_SET) { /* set equality */
        Z3_ast A = tr_set(v, e, x->a), Bp = tr_set(v, e, x->b);
        Z3_ast diff = Z3_mk_xor(v->c, A, Bp);
        bool is_eq = x->op == OP_EQ;
        if (e->code || e->inset || pol == 0) {
            if (e->inset) {
                attempt_unsupported(v, x->pos, "set equality inside a set condition");
                return fls(v);
            }
            Z3_ast same = eq(v, tr_count(v, e, diff), num(v, 0));
            return is_eq ? same : not_(v, same);
        }
        /* same = forall q in range. !diff(q) */
        int need = is_eq ? pol : -pol; /* polarity of "same" */
        if (need < 0) {                /* a witness of difference */
            Z3_ast w = fresh_const(v, "d", v->I);
            attempt_assert(v, in_range(v, w));
            join_pool(v, w);
            Z3_ast same = not_(v, subst1(v, diff, v->Q, w));
            return is_eq ? same : not_(v, same);
        }
        GROW(v->pends, v->npends, v->cappends);
        Pend *p = &v->pends[v->npends++];
        memset(p, 0, sizeof *p);
        p->zpred = not_(v, diff);
        p->proxy = fresh_const(v, "alleq", v->B);
        return is_eq ? p->proxy : not_(v, p->proxy);
    }
    if (ta && ta->kind == TY_BOOL) {
        Z3_ast a = tr_expr(v, e, x->a, 0), b = tr_expr(v, e, x->b, 0);
        return x->op == OP_EQ ? eq(v, a, b) : not_(v, eq(v, a, b));
    }
    if (ta && (ta->kind == TY_MSG)) {
        attempt_unsupported(v, x->pos, "comparing messages is not supported");
        return fls(v);
    }
    Z3_ast a = tr_expr(v, e, x->a, 0), b = tr_expr(v, e, x->b, 0);
    switch (x->op) {
    case OP_EQ:
        return eq(v, a, b);
    case OP_NE:
        return not_(v, eq(v, a, b));
    case OP_LT:
        return lt(v, a, b);
    case OP_LE:
        return le(v, a, b);
    case OP_GT:
        return lt(v, b, a);
    case OP_GE:
        return le(v, b, a);
    default:
        return fls(v);
    }
}

static Z3_ast call(Attempt *v, Env *e, Expr *x)
{
    Decl *d = x->decl;
    if (d && (d->kind == D_DEF || d->kind == D_EXTERN)) {
        attempt_unsupported(v, x->pos,
                            "calls of %s functions are not supported by the verifier yet",
                            d->kind == D_DEF ? "def" : "extern");
        return num(v, 0);
    }
    if (x->type && x->type->kind == TY_MSG) return message(v, e, x);
    return aggregate(v, e, x);
}

/* A name's term, or NULL when the verifier has none for it. */
static Z3_ast name_term(Attempt *v, Env *e, Expr *x, int pol)
{
    switch (x->nk) {
    case N_STATE: {
        if (x->decl && x->decl->kind == D_ORACLE) {
            for (int i = 0; i < v->al->noracles && i < 64; i++)
                if (v->al->oracles[i] == x->decl) return app1(v, v->oracle[i], e->self);
            return NULL;
        }
        int s = attempt_slot_of(v, x->decl);
        return s < 0 || !e->code ? NULL : e->cur[s];
    }
    case N_PARAM:
        return v->par[x->index];
    case N_CONST:
        return num(v, x->decl->value);
    case N_ENUMVAL:
        return num(v, x->index);
    case N_LET:
        return tr_expr(v, e, x->decl->init, pol);
    case N_LOCAL:
    case N_BINDER:
        return lookup(v, e, x->binder, x->pos);
    case N_MSGVAR: { /* a single-value round: the value itself (m is in the mailbox) */
        Z3_ast q = lookup(v, e, x->binder, x->pos);
        return payload(v, 0, q, e->self);
    }
    case N_ID:
        return e->self;
    default:
        return NULL;
    }
}

static Z3_ast binary_term(Attempt *v, Env *e, Expr *x, int pol)
{
    switch (x->op) {
    case OP_AND:
        return and2(v, tr_expr(v, e, x->a, pol), tr_expr(v, e, x->b, pol));
    case OP_OR:
        return or2(v, tr_expr(v, e, x->a, pol), tr_expr(v, e, x->b, pol));
    case OP_IMPLIES:
        return imp(v, tr_expr(v, e, x->a, -pol), tr_expr(v, e, x->b, pol));
    case OP_IN:
        if (x->b->type->kind == TY_MBOX)
            return attempt_in_mailbox(v, e->self, tr_expr(v, e, x->a, 0));
        return member(v, tr_set(v, e, x->b), tr_expr(v, e, x->a, 0));
    case OP_EQ:
    case OP_NE:
    case OP_LT:
    case OP_LE:
    case OP_GT:
    case OP_GE:
        return comparison(v, e, x, pol);
    default:
        return arith(v, e, x);
    }
}

/* A field of a message (or its sender), or NULL when the verifier has none. */
static Z3_ast field_term(Attempt *v, Env *e, Expr *x)
{
    if (x->index == -2) return message(v, e, x->a); /* m.sender */
    bool msgvar = x->a->kind == E_NAME && x->a->nk == N_MSGVAR;
    if (x->a->type && x->a->type->kind == TY_MSG && !msgvar) {
        Z3_ast q = message(v, e, x->a);
        return ite(v, le(v, num(v, 0), q), msg_field(v, e, q, x->index), zero_of(v, x->type));
    }
    if (msgvar) return payload(v, x->index, lookup(v, e, x->a->binder, x->a->pos), e->self);
    return NULL;
}

static Z3_ast index_term(Attempt *v, Env *e, Expr *x)
{
    if (x->nk == N_STATE && x->a->nk == N_STATE && !e->code) return state_index(v, e, x);
    if (x->nk == N_CRASHED && !e->code) { /* false outside 0..n-1, as in the C */
        Z3_ast p = tr_expr(v, e, x->b, 0);
        return at_process(v, x->b, p, attempt_state_read(v, e->view, v->s_crashed, p));
    }
    if (x->nk == N_MBOX) { /* mbox[p] of a single-value round: 0 unless p was heard */
        Z3_ast p = tr_expr(v, e, x->b, 0);
        if (e->rnd && e->rnd->single)
            return ite(v, heard_in(v, e, x->a, p), payload(v, 0, p, e->self),
                       zero_of(v, e->rnd->fields[0].type));
    }
    attempt_unsupported(v, x->pos, "indexing arrays is not supported by the verifier");
    return num(v, 0);
}

static Z3_ast card_term(Attempt *v, Env *e, Expr *x)
{
    Z3_ast pred = tr_set(v, e, x->a);
    if (e->inset) {
        attempt_unsupported(v, x->pos, "a cardinality inside a set condition is not supported");
        return num(v, 0);
    }
    return tr_count(v, e, pred);
}

Z3_ast tr_expr(Attempt *v, Env *e, Expr *x, int pol)
{
    if (x->type && (x->type->kind == TY_SET)) {
        attempt_unsupported(v, x->pos, "a set used as a value here is not supported");
        return fls(v);
    }
    Z3_ast t = NULL;
    switch (x->kind) {
    case E_INT:
        return num(v, x->ival);
    case E_BOOL:
        return x->ival ? tru(v) : fls(v);
    case E_ROUND:
        return v->R;
    case E_PHASE: /* as a stamp, phase p is p + 1 (never is 0), as in the C */
        return x->type && x->type->kind == TY_STAMP ? add2(v, v->phase, num(v, 1)) : v->phase;
    case E_NEVER:
        return num(v, 0);
    case E_ABSENT: /* an optional field left out reads as its type's zero, as in the C */
        return zero_of(v, x->type);
    case E_NAME:
        t = name_term(v, e, x, pol);
        break;
    case E_UNARY:
        if (x->op == OP_NOT) return not_(v, tr_expr(v, e, x->a, -pol));
        return tr_wrap(v, Z3_mk_unary_minus(v->c, tr_expr(v, e, x->a, 0)));
    case E_BINARY:
        return binary_term(v, e, x, pol);
    case E_COND: {
        Z3_ast c = tr_expr(v, e, x->a, 0);
        if (x->type->kind == TY_BOOL)
            return or2(v, and2(v, c, tr_expr(v, e, x->b, pol)),
                       and2(v, not_(v, c), tr_expr(v, e, x->c, pol)));
        return ite(v, c, tr_expr(v, e, x->b, pol), tr_expr(v, e, x->c, pol));
    }
    case E_INDEX:
        return index_term(v, e, x);
    case E_FIELD:
        t = field_term(v, e, x);
        break;
    case E_CALL:
        return call(v, e, x);
    case E_CARD:
        return card_term(v, e, x);
    case E_QUANT:
        return quantifier_from(v, e, x, x->binders, pol);
    default:
        break;
    }
    if (t) return t;
    attempt_unsupported(v, x->pos, "this expression is not supported by the verifier");
    return num(v, 0);
}

/* ---- symbolic execution of process code ---- */
static void merge(Attempt *v, Env *dst, Z3_ast c, const Env *a, const Env *b)
{
    for (int i = 0; i < v->nslot; i++)
        if (a->cur[i] != b->cur[i])
            dst->cur[i] = ite(v, c, a->cur[i], b->cur[i]);
        else
            dst->cur[i] = a->cur[i];
    for (int i = 0; i < dst->nloc; i++)
        dst->loc[i] = a->loc[i] == b->loc[i] ? a->loc[i] : ite(v, c, a->loc[i], b->loc[i]);
    dst->done = a->done == b->done ? a->done : ite(v, c, a->done, b->done);
    if (a->sends && b->sends) {
        dst->sends = a->sends == b->sends ? a->sends : ite(v, c, a->sends, b->sends);
        for (int f = 0; f < MAXF; f++)
            if (a->payload[f] && b->payload[f])
                dst->payload[f] = a->payload[f] == b->payload[f]
                                      ? a->payload[f]
                                      : ite(v, c, a->payload[f], b->payload[f]);
            else /* NULL: no send so far on that side, where the payload is never read */
                dst->payload[f] = a->payload[f] ? a->payload[f] : b->payload[f];
    }
}

/* The value assigned by s (a set: a predicate over Q). */
static Z3_ast assigned_value(Attempt *v, Env *e, Stmt *s, Type *t)
{
    return t && t->kind == TY_SET ? tr_set(v, e, s->rhs) : tr_expr(v, e, s->rhs, 0);
}

static void exec_assign(Attempt *v, Env *e, Stmt *s)
{
    Expr *l = s->lhs;
    if (l->kind != E_NAME) {
        attempt_unsupported(v, s->pos, "assigning to an element is not supported by the verifier");
        return;
    }
    Z3_ast val = assigned_value(v, e, s, l->type);
    if (l->nk == N_LOCAL) {
        for (int i = e->nloc - 1; i >= 0; i--)
            if (e->locb[i] == l->binder) {
                e->loc[i] = val;
                return;
            }
        attempt_unsupported(v, s->pos, "internal: unknown local");
        return;
    }
    int sl = attempt_slot_of(v, l->decl);
    if (sl < 0)
        attempt_unsupported(v, s->pos, "internal: unknown variable");
    else
        e->cur[sl] = val;
}

/* A loop over a constant range of at most 64 is unrolled. */
static void exec_for(Attempt *v, Env *e, Stmt *s)
{
    int64_t lo, hi;
    if (!s->hi) { /* over a mailbox or a set */
        fold_exec(v, e, s);
        return;
    }
    if (s->cond->kind != E_INT || s->hi->kind != E_INT ||
        (lo = s->cond->ival) > (hi = s->hi->ival) || hi - lo > 64) {
        attempt_unsupported(v, s->pos,
                            "for loops over a range are supported by the verifier only with "
                            "constant bounds at most 64 apart");
        return;
    }
    for (int64_t i = lo; i < hi; i++) {
        if (e->nloc >= MAXLOC) { /* never skip a body: that would drop its effects */
            attempt_unsupported(v, s->pos, "more than %d locals in scope", MAXLOC);
            return;
        }
        int saved = e->nloc;
        e->locb[e->nloc] = s->var;
        e->loc[e->nloc++] = num(v, i);
        exec(v, e, s->body);
        e->nloc = saved;
    }
}

/* A send to the recipient T: the last send whose condition holds wins. */
static void exec_send(Attempt *v, Env *e, Stmt *s)
{
    Z3_ast cond = tru(v);
    if (s->lhs) {
        if (s->lhs->type->kind == TY_SET)
            cond = member(v, tr_set(v, e, s->lhs), e->to);
        else
            cond = eq(v, e->to, tr_expr(v, e, s->lhs, 0));
    }
    Expr *m = s->rhs;
    int nf = m->kind == E_TUPLE ? m->nargs : 1;
    for (int f = 0; f < nf && f < MAXF; f++) {
        Z3_ast val = tr_expr(v, e, m->kind == E_TUPLE ? m->args[f] : m, 0);
        e->payload[f] = e->payload[f] ? ite(v, cond, val, e->payload[f]) : val;
    }
    e->sends = or2(v, cond, e->sends);
}

static void exec_one(Attempt *v, Env *e, Stmt *s)
{
    switch (s->kind) {
    case S_BLOCK: {
        int saved = e->nloc;
        exec(v, e, s->body);
        e->nloc = saved;
        break;
    }
    case S_ASSIGN:
        exec_assign(v, e, s);
        break;
    case S_IF: {
        Z3_ast c = tr_expr(v, e, s->cond, 0);
        Env a = *e, b = *e;
        exec(v, &a, s->body);
        a.nloc = e->nloc;
        if (s->els) exec(v, &b, s->els);
        b.nloc = e->nloc;
        merge(v, e, c, &a, &b);
        break;
    }
    case S_FOR:
        exec_for(v, e, s);
        break;
    case S_LET:
        if (e->nloc >= MAXLOC) {
            attempt_unsupported(v, s->pos, "too many locals");
            break;
        }
        Z3_ast val = assigned_value(v, e, s, s->var->type);
        e->locb[e->nloc] = s->var;
        e->loc[e->nloc++] = val;
        break;
    case S_SEND:
        exec_send(v, e, s);
        break;
    case S_OUTPUT:
        break; /* outputs are not state; specs read ghost variables */
    case S_HALT:
        e->done = tru(v);
        break;
    case S_ERROR:
        attempt_unsupported(v, s->pos, "a statement with errors");
        break;
    }
}

static void exec(Attempt *v, Env *e, Stmt *s)
{
    for (; s; s = s->next) {
        if (Z3_is_eq_ast(v->c, e->done, fls(v))) {
            exec_one(v, e, s);
            continue;
        }
        Env before = *e;
        exec_one(v, e, s);
        Env after = *e;
        e->nloc = before.nloc; /* merge the locals both sides have */
        merge(v, e, before.done, &before, &after);
        for (int i = before.nloc; i < after.nloc; i++)
            e->loc[i] = after.loc[i];
        e->nloc = after.nloc;
    }
}

static void env_code(Attempt *v, Env *e, Z3_ast self)
{
    memset(e, 0, sizeof *e);
    e->code = true;
    e->self = self;
    e->view = V_PRE;
    e->done = fls(v);
    for (int i = 0; i < v->nslot; i++)
        e->cur[i] = attempt_pre_read(v, i, self);
}

/* The round's sends and payloads, over S (sender) and T (recipient). */
void tr_send(Attempt *v, Round *r)
{
    Env e;
    env_code(v, &e, v->S);
    e.rnd = r;
    e.to = v->T;
    e.sends = fls(v);
    /* the payload of the first send is not guarded by its condition: it is
     * only read where sends(S, T) holds, and an unguarded field keeps set
     * conditions on it simple (ts(Q) rather than c == coord ? ts(Q) : 0) */
    for (int f = 0; f < MAXF; f++)
        e.payload[f] = NULL;
    exec(v, &e, r->send);
    v->sends = e.sends;
    for (int f = 0; f < MAXF; f++)
        v->payload[f] = f >= r->nfields ? NULL
                        : e.payload[f]  ? e.payload[f]
                                        : zero_of(v, r->fields[f].type);
    v->rnd = r;
}

/* The post-state of the round at S: frozen if halted or crashed (now or before). */
void tr_post(Attempt *v, Round *r)
{
    Env e;
    env_code(v, &e, v->S);
    e.rnd = r;
    exec(v, &e, r->update);
    Z3_ast crash = v->no_crash ? fls(v) : app1(v, v->crashnow, v->S);
    Z3_ast frozen = or2(v, attempt_pre_read(v, v->s_halted, v->S), crash);
    for (int i = 0; i < v->nslot; i++)
        v->post[i] = ite(v, frozen, attempt_pre_read(v, i, v->S), e.cur[i]);
    /* a crash is for good: without the flag a process could skip one update
     * and resume with stale state, which real runs never do */
    Z3_ast x[3] = {attempt_pre_read(v, v->s_halted, v->S), crash, and2(v, not_(v, frozen), e.done)};
    v->post[v->s_halted] = Z3_mk_or(v->c, 3, x);
    /* the drivers mark a crash of a halted process too (hoc check may crash
     * any process not crashed yet) */
    v->post[v->s_crashed] = or2(v, attempt_pre_read(v, v->s_crashed, v->S), crash);
    v->have_post = true;
}

void tr_init(Attempt *v)
{
    /* initialisers run before round 0: round and phase are 0 there, not the
     * round being checked (facts equate later states with these terms) */
    Z3_ast saved_r = v->R, saved_phase = v->phase;
    v->R = v->phase = num(v, 0);
    Env e;
    env_code(v, &e, v->S);
    e.view = V_INIT;
    for (int i = 0; i < v->nslot; i++) {
        Decl *d = v->slot[i].d;
        if (!d)
            e.cur[i] = fls(v); /* halted, crashed */
        else if (d->kind == D_VAR) {
            if (d->init)
                e.cur[i] = v->slot[i].kind == SLOT_SET ? tr_set(v, &e, d->init)
                                                       : tr_expr(v, &e, d->init, 0);
            else
                e.cur[i] = v->slot[i].kind == SLOT_INT ? num(v, 0) : fls(v); /* or empty */
        }
    }
    for (int i = 0; i < v->nslot; i++)
        v->init[i] = e.cur[i];
    v->have_init = true;
    v->R = saved_r, v->phase = saved_phase;
}
