/* code_facts.c: facts about reachable states read off the round code (see
 * code_facts.h). Every test here is syntactic and conservative: when in doubt a
 * variable is not a stamp and a value is not settled. */
#include "code_facts.h"

#include <stdlib.h>
#include <string.h>

/* A constant int expression: its value in *k. */
static bool const_int(Expr *x, int64_t *k)
{
    if (x->kind == E_INT) return *k = x->ival, true;
    if (x->kind == E_NEVER) return *k = 0, true; /* as stored: never is 0, phase p is p + 1 */
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
    return d->kind == D_VAR && d->type && (d->type->kind == TY_INT || d->type->kind == TY_STAMP);
}

bool code_facts_is_stamp(Algo *al, Decl *var, int64_t *kmax)
{
    if (var->type && var->type->kind == TY_STAMP) { /* by its type: never, or a phase run */
        *kmax = 0;
        return true;
    }
    int nv = al->nvars;
    bool *cand = calloc((size_t)nv + 1, sizeof *cand);
    if (!cand) abort();
    int idx = -1;
    for (int i = 0; i < nv; i++) {
        cand[i] = is_int_var(al->vars[i]) && al->vars[i]->init;
        if (al->vars[i] == var) idx = i;
    }
    if (idx < 0) {
        free(cand);
        return false;
    }
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
    if (!cand[idx]) {
        free(cand);
        return false;
    }
    /* kmax over the whole closed set: a copy of another stamp brings its constants */
    int64_t k = INT64_MIN;
    for (int i = 0; i < nv; i++) {
        if (!cand[i]) continue;
        stamp_expr(al, cand, al->vars[i]->init, &k);
        for (int r = 0; r < al->nrounds; r++)
            stamp_assigns(al, cand, al->vars[i], al->rounds[r]->update, &k);
    }
    *kmax = k;
    free(cand);
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

/* An expression of the phase, the process's id, params and constants only
 * (phase % n, id == phase % n): fixed by the round and the process. */
static bool phase_leaf(const Expr *x)
{
    switch (x->kind) {
    case E_INT:
    case E_BOOL:
    case E_PHASE:
    case E_NEVER:
        return true;
    case E_NAME:
        if (x->nk == N_LET) return x->decl && x->decl->init && ast_only(x->decl->init, phase_leaf);
        return x->nk == N_PARAM || x->nk == N_CONST || x->nk == N_ID;
    default:
        return false;
    }
}

static bool phase_expr(const Expr *x)
{
    return ast_only(x, phase_leaf);
}

/* The last top-level assignment of var in the update, if it is a constant
 * or the phase and nothing assigns var after it. */
static bool settles(Stmt *s, Decl *var, CodeFactsSettled *out)
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
    if (phase_expr(last->rhs)) return out->expr = last->rhs, true;
    if (last->rhs->kind == E_BOOL) return out->k = last->rhs->ival != 0, true;
    return const_int(last->rhs, &out->k);
}

int code_facts_assign_back(Algo *al, Decl *var, int r)
{
    int nr = al->nrounds;
    for (int back = 1; back <= nr; back++)
        if (assigns(al->rounds[((r - back) % nr + nr) % nr]->update, var)) return back;
    return 0;
}

int code_facts_settled(Algo *al, int r, CodeFactsSettled *out, int max)
{
    int n = 0, nr = al->nrounds;
    for (int i = 0; i < al->nvars && n < max; i++) {
        Decl *d = al->vars[i];
        TypeKind k = d->type ? d->type->kind : TY_ERROR;
        if (d->kind != D_VAR || (!is_int_var(d) && k != TY_BOOL && k != TY_PID)) continue;
        for (int back = 1; back <= nr; back++) {
            Round *q = al->rounds[((r - back) % nr + nr) % nr];
            if (!assigns(q->update, d)) continue;
            CodeFactsSettled s = {.var = d, .back = back};
            if (settles(q->update, d, &s)) out[n++] = s;
            break;
        }
    }
    return n;
}

/* How many assignments to var s holds, at any depth (an element counts for all). */
static int count_assigns(Stmt *s, Decl *var)
{
    int k = 0;
    for (; s; s = s->next) {
        if (s->kind == S_ASSIGN && (s->lhs->kind != E_NAME || s->lhs->decl == var)) k++;
        k += count_assigns(s->body, var) + count_assigns(s->els, var);
    }
    return k;
}

/* Whether update u sets stamp = phase and var = let at its top level, with
 * only assignments and lets between them (nothing that can halt), and
 * nowhere else (1); assigns neither (0); or anything else (-1). */
static int pair_in(Stmt *u, Decl *stamp, Decl *var, Decl **let)
{
    int ks = count_assigns(u, stamp), kv = count_assigns(u, var);
    if (ks == 0 && kv == 0) return 0;
    if (ks != 1 || kv != 1) return -1;
    while (u && u->kind == S_BLOCK && !u->next) /* the update's braces */
        u = u->body;
    Stmt *first = NULL, *vs = NULL, *ss = NULL;
    for (Stmt *t = u; t; t = t->next) {
        bool mine = t->kind == S_ASSIGN && t->lhs->kind == E_NAME &&
                    (t->lhs->decl == stamp || t->lhs->decl == var);
        if (mine) {
            if (t->lhs->decl == stamp) ss = t;
            if (t->lhs->decl == var) vs = t;
            if (!first) {
                first = t;
                continue;
            }
            break; /* the second of the pair */
        }
        if (first && t->kind != S_ASSIGN && t->kind != S_LET) return -1;
    }
    if (!ss || !vs || ss->rhs->kind != E_PHASE) return -1;
    Expr *r = vs->rhs;
    if (r->kind != E_NAME || r->nk != N_LET || !r->decl || !r->decl->init ||
        !phase_expr(r->decl->init) || (*let && *let != r->decl))
        return -1;
    *let = r->decl;
    return 1;
}

int code_facts_companions(Algo *al, CodeFactsCompanion *out, int max)
{
    int n = 0;
    for (int i = 0; i < al->nvars; i++) {
        Decl *st = al->vars[i];
        if (!st->type || st->type->kind != TY_STAMP || !st->init || st->init->kind != E_NEVER)
            continue;
        for (int j = 0; j < al->nvars && n < max; j++) {
            Decl *var = al->vars[j], *let = NULL;
            if (j == i) continue;
            bool ok = true, any = false;
            for (int r = 0; r < al->nrounds && ok; r++) {
                int k = pair_in(al->rounds[r]->update, st, var, &let);
                ok = k >= 0;
                any |= k > 0;
            }
            if (ok && any) out[n++] = (CodeFactsCompanion){st, var, let->init};
        }
    }
    return n;
}

/* Whether every assignment to var in the list s (and the lists nested in
 * it) is `var = true` with a `halt` later in its own list. */
static bool sets_then_halts(Stmt *s, Decl *var)
{
    for (Stmt *t = s; t; t = t->next) {
        if (t->kind == S_ASSIGN && t->lhs->kind == E_NAME && t->lhs->decl == var) {
            if (t->rhs->kind != E_BOOL || !t->rhs->ival) return false;
            Stmt *h = t->next;
            while (h && h->kind != S_HALT)
                h = h->next;
            if (!h) return false;
        }
        if (!sets_then_halts(t->body, var) || !sets_then_halts(t->els, var)) return false;
    }
    return true;
}

int code_facts_halting(Algo *al, Decl **out, int max)
{
    int n = 0;
    for (int i = 0; i < al->nvars && n < max; i++) {
        Decl *d = al->vars[i];
        if (d->type->kind != TY_BOOL || (d->init && (d->init->kind != E_BOOL || d->init->ival)))
            continue;
        bool ok = false, all = true;
        for (int r = 0; r < al->nrounds && all; r++) {
            all = sets_then_halts(al->rounds[r]->update, d);
            ok |= assigns(al->rounds[r]->update, d);
        }
        if (ok && all) out[n++] = d;
    }
    return n;
}
