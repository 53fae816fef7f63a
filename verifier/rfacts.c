/* rfacts.c: facts about reachable states read off the round code (see
 * rfacts.h). Every test here is syntactic and conservative: when in doubt a
 * variable is not a stamp and a value is not settled. */
#include "rfacts.h"

#include <string.h>

/* A constant int expression: its value in *k. */
static bool const_int(Expr *x, int64_t *k)
{
    if (x->kind == E_INT) return *k = x->ival, true;
    if (x->kind == E_NAME && x->nk == N_CONST) return *k = x->decl->value, true;
    if (x->kind == E_UNARY && x->op == OP_NEG && x->a->kind == E_INT && x->a->ival > INT64_MIN)
        return *k = -x->a->ival, true;
    return false;
}

/* Whether x only yields constants, the phase and values of the candidate
 * stamps (of the executing process); raises *kmax to its constants. */
static bool stamp_expr(Algo *al, const bool *cand, Expr *x, int64_t *kmax)
{
    int64_t k;
    if (const_int(x, &k)) {
        if (k > *kmax) *kmax = k;
        return true;
    }
    switch (x->kind) {
    case E_PHASE:
        return true;
    case E_NAME:
        if (x->nk == N_LET) return stamp_expr(al, cand, x->decl->init, kmax);
        if (x->nk != N_STATE) return false;
        for (int i = 0; i < al->nvars; i++)
            if (al->vars[i] == x->decl) return cand[i];
        return false;
    case E_COND:
        return stamp_expr(al, cand, x->b, kmax) && stamp_expr(al, cand, x->c, kmax);
    case E_CALL:
        return x->nargs == 2 && x->name &&
               (strcmp(x->name, "min") == 0 || strcmp(x->name, "max") == 0) &&
               (!x->decl || (x->decl->kind != D_DEF && x->decl->kind != D_EXTERN)) &&
               stamp_expr(al, cand, x->args[0], kmax) && stamp_expr(al, cand, x->args[1], kmax);
    default:
        return false;
    }
}

/* Whether every assignment to var in s (at any depth) is a stamp expression. */
static bool stamp_assigns(Algo *al, const bool *cand, Decl *var, Stmt *s, int64_t *kmax)
{
    for (; s; s = s->next) {
        if (s->kind == S_ASSIGN && s->lhs->kind == E_NAME && s->lhs->decl == var &&
            !stamp_expr(al, cand, s->rhs, kmax))
            return false;
        if (s->kind == S_ASSIGN && s->lhs->kind != E_NAME) return false; /* an element: give up */
        if (!stamp_assigns(al, cand, var, s->body, kmax) ||
            !stamp_assigns(al, cand, var, s->els, kmax))
            return false;
    }
    return true;
}

static bool is_int_var(Decl *d)
{
    return d->kind == D_VAR && d->type && d->type->kind == TY_INT;
}

bool rf_is_stamp(Algo *al, Decl *var, int64_t *kmax)
{
    bool cand[256];
    int nv = al->nvars < 256 ? al->nvars : 256;
    int idx = -1;
    for (int i = 0; i < nv; i++) {
        cand[i] = is_int_var(al->vars[i]) && al->vars[i]->init;
        if (al->vars[i] == var) idx = i;
    }
    if (idx < 0) return false;
    /* the greatest fixed point: drop candidates until every one is closed */
    for (bool changed = true; changed;) {
        changed = false;
        for (int i = 0; i < nv; i++) {
            if (!cand[i]) continue;
            int64_t k = INT64_MIN;
            bool ok =
                stamp_expr(al, cand, al->vars[i]->init, &k) && al->vars[i]->init->kind != E_PHASE;
            for (int r = 0; r < al->nrounds && ok; r++)
                ok = stamp_assigns(al, cand, al->vars[i], al->rounds[r]->update, &k);
            if (!ok) cand[i] = false, changed = true;
        }
    }
    if (!cand[idx]) return false;
    /* kmax over the whole closed set: a copy of another stamp brings its constants */
    int64_t k = INT64_MIN;
    for (int i = 0; i < nv; i++) {
        if (!cand[i]) continue;
        stamp_expr(al, cand, al->vars[i]->init, &k);
        for (int r = 0; r < al->nrounds; r++)
            stamp_assigns(al, cand, al->vars[i], al->rounds[r]->update, &k);
    }
    *kmax = k;
    return true;
}

/* Whether s assigns var anywhere. */
static bool assigns(Stmt *s, Decl *var)
{
    for (; s; s = s->next) {
        if (s->kind == S_ASSIGN && (s->lhs->kind != E_NAME || s->lhs->decl == var)) return true;
        if (assigns(s->body, var) || assigns(s->els, var)) return true;
    }
    return false;
}

/* The last top-level assignment of var in the update, if it is a constant
 * or the phase and nothing assigns var after it. */
static bool settles(Stmt *s, Decl *var, RfSettled *out)
{
    while (s && s->kind == S_BLOCK && !s->next) /* the update's braces */
        s = s->body;
    Stmt *last = NULL;
    for (Stmt *t = s; t; t = t->next)
        if (t->kind == S_ASSIGN && t->lhs->kind == E_NAME && t->lhs->decl == var) last = t;
    if (!last || assigns(last->next, var)) return false;
    /* a `for` or a block before it cannot undo it; a halt before it makes
     * the process halted, which the fact excludes */
    if (last->rhs->kind == E_PHASE) return out->is_phase = true, true;
    out->is_phase = false;
    if (last->rhs->kind == E_BOOL) return out->k = last->rhs->ival != 0, true;
    return const_int(last->rhs, &out->k);
}

int rf_settled(Algo *al, int r, RfSettled *out, int max)
{
    int n = 0, nr = al->nrounds;
    for (int i = 0; i < al->nvars && n < max; i++) {
        Decl *d = al->vars[i];
        if (!is_int_var(d) && !(d->kind == D_VAR && d->type && d->type->kind == TY_BOOL)) continue;
        for (int back = 1; back <= nr; back++) {
            Round *q = al->rounds[((r - back) % nr + nr) % nr];
            if (!assigns(q->update, d)) continue;
            RfSettled s = {.var = d, .back = back};
            if (settles(q->update, d, &s)) out[n++] = s;
            break;
        }
    }
    return n;
}
