/* instantiate.c: the pool of ground process terms and what is instantiated at
 * it: pending universal quantifiers (process and int ones), the axioms of
 * mailbox aggregates at ground processes, and those of uninterpreted / and %. */
#include "instantiate.h"
#include "translate.h"
#include "venn.h"

#include <string.h>

/* ---- instantiation ---- */
void inst_add_pool(Attempt *v, Z3_ast t)
{
    if (v->npool >= MAX_POOL) return;
    t = Z3_simplify(v->c, t);
    if (idset_add(&v->inpool, aid(v, t))) v->pool[v->npool++] = t;
}

static bool is_state_fn(Attempt *v, Z3_func_decl d)
{
    for (int i = 0; i < v->nslot; i++)
        if (Z3_is_eq_func_decl(v->c, v->slot[i].pre, d)) return true;
    return Z3_is_eq_func_decl(v->c, v->ho, d) ||
           (v->uniform && Z3_is_eq_func_decl(v->c, v->good, d));
}

static int agg_of(Attempt *v, Z3_func_decl d)
{
    for (int i = 0; i < v->naggs; i++)
        if (Z3_is_eq_func_decl(v->c, v->aggs[i].f, d)) return i;
    return -1;
}

/* a / b and a % b for a non-constant b are uninterpreted (exact division
 * by a variable is nonlinear and stalls the solver); these facts of C's
 * truncating division (and hoc's x / 0 == 0, x % 0 == x, x % -1 == 0) are
 * what the proofs need: a weakening, so sound. Equal arguments still give
 * equal results (congruence): ph % n == c and ph == phase give c == coord. */
static void arith_axioms(Attempt *v, Z3_ast t, bool mod)
{
    Z3_app ap = Z3_to_app(v->c, t);
    Z3_ast a = Z3_get_app_arg(v->c, ap, 0), b = Z3_get_app_arg(v->c, ap, 1);
    Z3_ast zero = num(v, 0), one = num(v, 1);
    Z3_ast pos = and2(v, le(v, zero, a), lt(v, zero, b));
    if (mod) {
        attempt_assert(v, imp(v, eq(v, b, zero), eq(v, t, a)));
        attempt_assert(v, imp(v, eq(v, b, num(v, -1)), eq(v, t, zero)));
        attempt_assert(v, imp(v, pos,
                              and2(v, and2(v, le(v, zero, t), lt(v, t, b)),
                                   imp(v, lt(v, a, b), eq(v, t, a)))));
        attempt_assert(v, imp(v, and2(v, le(v, a, zero), lt(v, zero, b)),
                              and2(v, lt(v, Z3_mk_unary_minus(v->c, b), t), le(v, t, zero))));
    } else {
        attempt_assert(v, imp(v, eq(v, b, zero), eq(v, t, zero)));
        attempt_assert(v, imp(v, eq(v, b, one), eq(v, t, a)));
        attempt_assert(v, imp(v, pos, and2(v, le(v, zero, t), le(v, t, a))));
    }
}

/* Finds ground process terms (arguments of state functions and aggregates)
 * and ground aggregate applications in t. */
void inst_scan(Attempt *v, Z3_ast t, Scan *sc, Z3_ast **aggapps, int *nagg, int *capagg, bool pool)
{
    if (!idset_add(&sc->seen, aid(v, t))) return;
    if (Z3_get_ast_kind(v->c, t) != Z3_APP_AST) return;
    Z3_app a = Z3_to_app(v->c, t);
    unsigned na = Z3_get_app_num_args(v->c, a);
    Z3_func_decl d = Z3_get_app_decl(v->c, a);
    if (na == 2 && (Z3_is_eq_func_decl(v->c, d, v->fdiv) || Z3_is_eq_func_decl(v->c, d, v->fmod)) &&
        attempt_is_ground(v, t) && idset_add(&v->arith_done, aid(v, t)))
        arith_axioms(v, t, Z3_is_eq_func_decl(v->c, d, v->fmod));
    if (na >= 1 && Z3_get_decl_kind(v->c, d) == Z3_OP_UNINTERPRETED) {
        int ag = agg_of(v, d);
        Z3_ast arg = Z3_get_app_arg(v->c, a, 0);
        if ((ag >= 0 || is_state_fn(v, d)) && attempt_is_ground(v, arg)) {
            if (pool) inst_add_pool(v, arg);
            if (Z3_is_eq_func_decl(v->c, v->ho, d) && na == 2 &&
                attempt_is_ground(v, Z3_get_app_arg(v->c, a, 1)) && pool)
                inst_add_pool(v, Z3_get_app_arg(v->c, a, 1));
            if (ag >= 0 && !idset_has(&v->agg_done, aid(v, t))) {
                GROW(*aggapps, *nagg, *capagg);
                (*aggapps)[(*nagg)++] = t;
            }
        }
    }
    for (unsigned i = 0; i < na; i++)
        inst_scan(v, Z3_get_app_arg(v->c, a, i), sc, aggapps, nagg, capagg, pool);
}

void inst_compared(Attempt *v, Pend *p, Expr *x, Z3_ast **out, Z3_ast **orig, int *n, int *cap)
{
    if (!x) return;
    if (x->kind == E_BINARY && x->op >= OP_EQ && x->op <= OP_GE) {
        Expr *other = NULL;
        if (x->a->kind == E_NAME && x->a->binder == p->b) other = x->b;
        if (x->b->kind == E_NAME && x->b->binder == p->b) other = x->a;
        if (other && other->kind == E_INDEX && other->nk == N_STATE && other->b->kind == E_NAME &&
            other->b->nk == N_BINDER) {
            int s = attempt_slot_of(v, other->decl);
            if (s >= 0 && v->slot[s].kind == SLOT_INT)
                for (int i = v->cand_lo; i < v->cand_hi && i < v->npool; i++) {
                    if (p->nested && !Z3_is_eq_ast(v->c, p->origin, v->pool[i])) continue;
                    int cap2 = *cap;
                    GROW(*out, *n, *cap);
                    GROW(*orig, *n, cap2);
                    (*orig)[*n] = v->pool[i];
                    (*out)[(*n)++] = attempt_state_read(v, p->view, s, v->pool[i]);
                }
        }
    }
    inst_compared(v, p, x->a, out, orig, n, cap);
    inst_compared(v, p, x->b, out, orig, n, cap);
    inst_compared(v, p, x->c, out, orig, n, cap);
    for (int i = 0; i < x->nargs; i++)
        inst_compared(v, p, x->args[i], out, orig, n, cap);
}

/* Whether t is NULL or one of the query's own processes (the pool before
 * instantiation): the skolems of hypothesis instances elsewhere are not
 * candidates, or each would bring its own goal instance and skolems. */
static bool core_term(Attempt *v, Z3_ast t)
{
    if (!t) return true;
    for (int i = 0; i < v->pool_core && i < v->npool; i++)
        if (Z3_is_eq_ast(v->c, v->pool[i], t)) return true;
    return false;
}

/* The values at which the guard of int binder p->b bounds it (compiler/qdom.c:
 * k >= e, k > e, k <= e, k < e, k == e): the ends of its interval, where a
 * witness no process holds often is (x[0] + 1 in `exists k. x[0] < k &&
 * k <= x[0] + 1`). The bounds read only binders opened before p->b. */
static void bound_candidates(Attempt *v, Pend *p, Z3_ast **out, Z3_ast **orig, int *n, int *cap)
{
    for (int i = 0; i < p->b->nbounds; i++) {
        const QBound *q = &p->b->bounds[i];
        Env e;
        memset(&e, 0, sizeof e);
        e.view = p->view;
        e.rnd = p->rnd;
        e.binds = p->binds;
        e.done = fls(v);
        e.goal = p->goal;
        e.instance = true;
        Z3_ast t = tr_expr(v, &e, q->e, 0);
        if (q->kind == QB_GT) t = add2(v, t, num(v, 1));
        if (q->kind == QB_LT) t = sub2(v, t, num(v, 1));
        int cap2 = *cap;
        GROW(*out, *n, *cap);
        GROW(*orig, *n, cap2);
        (*orig)[*n] = NULL;
        (*out)[(*n)++] = Z3_simplify(v->c, t);
    }
}

/* Int candidates for a universal over an int binder: skolems of the same
 * binder and of int binders generally, the ends of its guard's interval,
 * and the values compared with it.
 * A quantifier over several ints (exists w, t.) is instantiated by tuples,
 * not by their product: the inner binders take the skolems when the outer
 * one took a skolem (the witnesses of one hypothesis), and values of the
 * same process when the outer one took a value of a process (vote[c], ph[c]).
 * Fewer instances, so a weakening: still sound. */
static void int_candidates(Attempt *v, Pend *p, Expr *x, Z3_ast **out, Z3_ast **orig, int *n,
                           int *cap)
{
    if (!p->nested || !p->origin)
        for (int i = 0; i < v->nints; i++)
            if (v->intb[i] == p->b && core_term(v, v->intat[i])) {
                int cap2 = *cap;
                GROW(*out, *n, *cap);
                GROW(*orig, *n, cap2);
                (*orig)[*n] = NULL;
                (*out)[(*n)++] = v->ints[i];
            }
    bound_candidates(v, p, out, orig, n, cap);
    if (v->int_wide && (!p->nested || p->origin)) inst_compared(v, p, x->a, out, orig, n, cap);
}

/* What a spec quantifier over ints or stamps ranges over: every int, and
 * never (0) and every phase (p + 1), as the drivers judge it (compiler/qdom.c
 * makes their enumeration exact or refuses the spec). An instance at any
 * such t is a consequence of the quantifier, so none needs a guard beyond
 * the type's. */
static Z3_ast domain(Attempt *v, TypeKind k, Z3_ast t)
{
    return k == TY_STAMP ? le(v, num(v, 0), t) : tru(v);
}

void inst_pend(Attempt *v, Pend *p, Z3_ast t)
{
    inst_pend_from(v, p, t, NULL);
}

void inst_pend_from(Attempt *v, Pend *p, Z3_ast t, Z3_ast origin)
{
    unsigned id = aid(v, t);
    for (int i = 0; i < p->ndone; i++)
        if (p->done[i] == id) return;
    GROW(p->done, p->ndone, p->capdone);
    p->done[p->ndone++] = id;
    if (p->zpred) {
        attempt_assert(v, imp(v, p->proxy, imp(v, in_range(v, t), subst1(v, p->zpred, v->Q, t))));
        return;
    }
    /* translating the body may add pending quantifiers and move v->pends */
    Pend copy = *p;
    Env e;
    memset(&e, 0, sizeof e);
    e.view = copy.view;
    e.rnd = copy.rnd;
    e.binds = copy.binds;
    e.done = fls(v);
    e.goal = copy.goal;
    e.instance = true;
    e.in_int = copy.is_int;
    e.origin = origin;
    e.inst_at = copy.is_int ? NULL : t;
    Z3_ast body = tr_body_after(v, &e, copy.q, copy.b, t, copy.body_pol);
    /* forall@+: proxy => (dom(t) => body); exists@-: proxy => (dom(t) => !body) */
    Z3_ast dom = copy.is_int ? domain(v, copy.b->type->kind, t) : in_range(v, t);
    if (copy.b->domx) dom = and2(v, dom, member(v, tr_set(v, &e, copy.b->domx), t));
    attempt_assert(v, imp(v, copy.proxy, imp(v, dom, copy.negate ? not_(v, body) : body)));
}

void inst_all(Attempt *v)
{
    int np = v->npends;
    for (int i = 0; i < np && !reason_any(&v->why) && !attempt_over_time(v); i++) {
        Pend *p = &v->pends[i];
        if (p->is_int) {
            Z3_ast *c = NULL, *orig = NULL;
            int n = 0, cap = 0;
            int_candidates(v, p, p->q, &c, &orig, &n, &cap);
            for (int k = 0; k < n && v->pends[i].ndone < 24; k++)
                inst_pend_from(v, &v->pends[i], c[k], orig[k]);
            free(c), free(orig);
            continue;
        }
        int upto = v->npool; /* every pool term: pends created late need the old terms too */
        for (int k = 0; k < upto && k < MAX_POOL; k++)
            inst_pend(v, &v->pends[i], v->pool[k]);
    }
}

/* The family of the aggregates at ground process t (one per term). */
static int term_family(Attempt *v, Z3_ast t)
{
    unsigned id = aid(v, t);
    for (int i = 0; i < v->nfamterm; i++)
        if (v->fam_term[i] == id) return v->fam_of_term[i];
    GROW(v->fam_term, v->nfamterm, v->capfamterm);
    GROW(v->fam_of_term, v->nfamterm, v->capfamterm2);
    v->fam_term[v->nfamterm] = id;
    v->fam_of_term[v->nfamterm] = venn_new_family(v);
    return v->fam_of_term[v->nfamterm++];
}

/* A value aggregated from a non-empty mailbox was received: a sender s in
 * the mailbox whose message carries it. */
static void received_witness(Attempt *v, Z3_ast M, Z3_ast val, Z3_ast agg, Z3_ast cM)
{
    Z3_ast s = fresh_const(v, "sender", v->I);
    Z3_ast x[3] = {in_range(v, s), subst1(v, M, v->Q, s), eq(v, subst1(v, val, v->Q, s), agg)};
    attempt_assert(v, imp(v, le(v, num(v, 1), cM), Z3_mk_and(v->c, 3, x)));
    inst_add_pool(v, s);
}

/* Axioms of an aggregate at a ground process t, in the current family. */
static void agg_axioms(Attempt *v, Z3_ast app)
{
    if (!idset_add(&v->agg_done, aid(v, app))) return;
    Z3_app a = Z3_to_app(v->c, app);
    Agg *g = &v->aggs[agg_of(v, Z3_get_app_decl(v->c, a))];
    Z3_ast t = Z3_get_app_arg(v->c, a, 0);
    int saved_fam = v->cur_fam;
    v->cur_fam = term_family(v, t);
    Z3_ast M = subst1(v, g->pred, v->S, t);
    Z3_ast val = g->val ? subst1(v, g->val, v->S, t) : NULL;
    /* the same mailbox at another process (terms are hash-consed, so equal
     * means identical): the same aggregate, as when everybody hears one set */
    for (int i = 0; i < v->npool; i++) {
        Z3_ast u = v->pool[i], other = app1(v, g->f, u);
        if (Z3_is_eq_ast(v->c, u, t) || !idset_has(&v->agg_done, aid(v, other))) continue;
        if (Z3_is_eq_ast(v->c, subst1(v, g->pred, v->S, u), M) &&
            (!val || Z3_is_eq_ast(v->c, subst1(v, g->val, v->S, u), val)))
            attempt_assert(v, eq(v, app, other));
    }
    if (g->kind == AG_CARD) {
        attempt_assert(v, eq(v, app, venn_card(v, M)));
        v->cur_fam = saved_fam;
        return;
    }
    Z3_ast cM = venn_card(v, M);
    Z3_ast zero = num(v, 0), one = num(v, 1);
    switch (g->kind) {
    case AG_MMOR: {
        attempt_assert(v, imp(v, eq(v, cM, zero), eq(v, app, zero)));
        Z3_ast cmm = venn_card(v, and2(v, M, eq(v, val, app)));
        attempt_assert(v, imp(v, le(v, one, cM), le(v, one, cmm)));
        received_witness(v, M, val, app, cM);
        /* against every int candidate u: not more frequent; ties go to the
         * smaller. A tie means something only on a non-empty mailbox: on an
         * empty one both counts are 0 and mmor is 0 whatever u is. */
        Z3_ast *u = NULL;
        int nu = 0, cap = 0;
        for (int i = 0; i < v->nints; i++) {
            GROW(u, nu, cap);
            u[nu++] = v->ints[i];
        }
        for (int i = 0; i < v->npool && i < v->pool_core; i++) {
            if (Z3_is_eq_ast(v->c, v->pool[i], t)) continue;
            GROW(u, nu, cap);
            u[nu++] = app1(v, g->f, v->pool[i]); /* what the others adopt */
        }
        for (int i = 0; i < nu; i++) {
            Z3_ast cu = venn_card(v, and2(v, M, eq(v, val, u[i])));
            attempt_assert(v, le(v, cu, cmm));
            attempt_assert(v, imp(v, and2(v, le(v, one, cM), eq(v, cu, cmm)), le(v, app, u[i])));
            attempt_assert(v, imp(v, lt(v, cM, mul2(v, num(v, 2), cu)), eq(v, app, u[i])));
        }
        free(u);
        break;
    }
    case AG_MIN:
    case AG_MAX: {
        attempt_assert(v, imp(v, eq(v, cM, zero), eq(v, app, zero)));
        attempt_assert(
            v, imp(v, le(v, one, cM), le(v, one, venn_card(v, and2(v, M, eq(v, val, app))))));
        received_witness(v, M, val, app, cM);
        Z3_ast beyond = g->kind == AG_MIN ? lt(v, val, app) : lt(v, app, val);
        attempt_assert(v, eq(v, venn_card(v, and2(v, M, beyond)), zero));
        break;
    }
    case AG_ARGMIN:
    case AG_ARGMAX: {
        attempt_assert(v, imp(v, eq(v, cM, zero), eq(v, app, num(v, -1))));
        Z3_ast vs = subst1(v, val, v->Q, app);
        Z3_ast better = g->kind == AG_ARGMIN ? lt(v, val, vs) : lt(v, vs, val);
        Z3_ast tie = and2(v, eq(v, val, vs), lt(v, v->Q, app));
        Z3_ast x[4] = {in_range(v, app), subst1(v, M, v->Q, app),
                       eq(v, venn_card(v, and2(v, M, better)), zero),
                       eq(v, venn_card(v, and2(v, M, tie)), zero)};
        attempt_assert(v, imp(v, le(v, one, cM), Z3_mk_and(v->c, 4, x)));
        inst_add_pool(v, app);
        break;
    }
    default:
        break;
    }
    v->cur_fam = saved_fam;
}

void inst_scan_asserted(Attempt *v, int from, bool pool, Z3_ast **apps, int *napps, int *cap)
{
    Scan sc = {0};
    for (int i = from; i < v->nasserted; i++)
        inst_scan(v, v->asserted[i], &sc, apps, napps, cap, pool);
    idset_free(&sc.seen);
}

/* Instantiates aggregates found in new assertions (into the current family). */
void inst_close_aggregates(Attempt *v, int from, bool pool)
{
    for (int guard = 0; guard < 4; guard++) {
        Z3_ast *apps = NULL;
        int na = 0, cap = 0;
        int mark = v->nasserted;
        inst_scan_asserted(v, from, pool, &apps, &na, &cap);
        for (int i = 0; i < na; i++)
            agg_axioms(v, apps[i]);
        free(apps);
        if (v->nasserted == mark) break;
        from = mark;
    }
}
