/* msgdep.c: which variables the messages decide (see msgdep.h). */
#include "msgdep.h"

#include <stdlib.h>

/* What one pass over an update found tainted by the messages. */
typedef struct Taint {
    Algo *al;
    bool *var;          /* by index into al->vars */
    const Binder **loc; /* locals and loop variables */
    int nloc, caploc;
    bool halt;    /* a halt under a tainted condition */
    int round;    /* the round being walked */
    int halt_at;  /* the first round with such a halt */
    bool changed; /* this pass tainted something new */
} Taint;

static int var_index(const Algo *al, const Decl *d)
{
    for (int i = 0; i < al->nvars; i++)
        if (al->vars[i] == d) return i;
    return -1;
}

static bool loc_tainted(const Taint *t, const Binder *b)
{
    for (int i = 0; i < t->nloc; i++)
        if (t->loc[i] == b) return true;
    return false;
}

static void taint_loc(Taint *t, const Binder *b)
{
    if (!b || loc_tainted(t, b)) return;
    if (t->nloc == t->caploc) {
        t->caploc = t->caploc ? 2 * t->caploc : 8;
        t->loc = realloc(t->loc, sizeof *t->loc * (size_t)t->caploc);
        if (!t->loc) abort();
    }
    t->loc[t->nloc++] = b;
    t->changed = true;
}

static void taint_var(Taint *t, const Decl *d)
{
    int i = var_index(t->al, d);
    if (i >= 0 && !t->var[i]) t->var[i] = t->changed = true;
}

/* Whether e reads the mailbox, an oracle, or a tainted variable or local. */
static bool tainted(const Taint *t, const Expr *e)
{
    if (!e) return false;
    if (e->kind == E_NAME) {
        switch (e->nk) {
        case N_MBOX:
        case N_MSGVAR:
            return true;
        case N_STATE:
            if (e->decl && e->decl->kind == D_ORACLE) return true;
            return var_index(t->al, e->decl) >= 0 && t->var[var_index(t->al, e->decl)];
        case N_LET:
            return tainted(t, e->decl->init);
        case N_LOCAL:
        case N_BINDER:
            return loc_tainted(t, e->binder);
        default:
            return false;
        }
    }
    if (e->kind == E_INDEX && e->nk == N_MBOX) return true;
    if (tainted(t, e->a) || tainted(t, e->b) || tainted(t, e->c)) return true;
    for (int i = 0; i < e->nargs; i++)
        if (tainted(t, e->args[i])) return true;
    for (const Binder *b = e->binders; b; b = b->next)
        if (tainted(t, b->domx)) return true;
    return false;
}

/* The variable or local an assignment's target writes. */
static void taint_target(Taint *t, const Expr *l)
{
    while (l->kind == E_INDEX || l->kind == E_FIELD)
        l = l->a;
    if (l->kind != E_NAME) return;
    if (l->nk == N_STATE) taint_var(t, l->decl);
    if (l->nk == N_LOCAL) taint_loc(t, l->binder);
}

/* One pass over the statements from s on, ctl: under a tainted condition. */
static void walk(Taint *t, const Stmt *s, bool ctl)
{
    for (; s; s = s->next) {
        switch (s->kind) {
        case S_ASSIGN:
            if (ctl || tainted(t, s->rhs) || tainted(t, s->lhs)) taint_target(t, s->lhs);
            break;
        case S_LET:
            if (ctl || tainted(t, s->rhs)) taint_loc(t, s->var);
            break;
        case S_IF: {
            bool c = ctl || tainted(t, s->cond);
            walk(t, s->body, c);
            walk(t, s->els, c);
            break;
        }
        case S_FOR: {
            bool c = ctl || tainted(t, s->cond) || tainted(t, s->hi);
            if (c) taint_loc(t, s->var);
            walk(t, s->body, c);
            break;
        }
        case S_BLOCK:
            walk(t, s->body, ctl);
            break;
        case S_HALT:
            if (ctl && !t->halt) t->halt = t->changed = true, t->halt_at = t->round;
            break;
        default:
            break;
        }
    }
}

/* Every variable s assigns. */
static void taint_assigned(Taint *t, const Stmt *s)
{
    for (; s; s = s->next) {
        if (s->kind == S_ASSIGN) taint_target(t, s->lhs);
        taint_assigned(t, s->body);
        taint_assigned(t, s->els);
    }
}

/* The round (index into al->rounds) whose update first makes each
 * variable depend on the messages, -1 for none, in by_var (al->nvars).
 * Every update is walked, to one joint fixed point: state persists from
 * round to round and phase to phase, so what one round decides from the
 * messages is still theirs after any later round that keeps it (a round
 * that copies it passes the taint on). A halt under a tainted condition
 * freezes a process at a round the messages chose, so it makes every
 * variable some update assigns theirs. */
static void decided_by(Algo *al, int *by_var)
{
    Taint t = {.al = al, .var = calloc((size_t)al->nvars + 1, sizeof(bool))};
    if (!t.var) abort();
    for (int i = 0; i < al->nvars; i++)
        by_var[i] = -1;
    do {
        t.changed = false;
        for (int r = 0; r < al->nrounds; r++) {
            const Stmt *upd = al->rounds[r]->update ? al->rounds[r]->update->body : NULL;
            t.round = r;
            walk(&t, upd, false);
            for (int i = 0; i < al->nvars; i++)
                if (t.var[i] && by_var[i] < 0) by_var[i] = r;
        }
    } while (t.changed);
    for (int r = 0; r < al->nrounds && t.halt; r++) {
        taint_assigned(&t, al->rounds[r]->update ? al->rounds[r]->update->body : NULL);
        for (int i = 0; i < al->nvars; i++)
            if (t.var[i] && by_var[i] < 0) by_var[i] = t.halt_at;
    }
    free(t.var), free(t.loc);
}

static const Decl *first_read(Algo *al, const int *by_var, const Expr *x, int *round)
{
    if (!x) return NULL;
    if (x->kind == E_INDEX && x->nk == N_STATE && x->decl) {
        int i = var_index(al, x->decl);
        if (i >= 0 && by_var[i] >= 0) return *round = by_var[i], x->decl;
    }
    const Decl *d = NULL;
    if ((d = first_read(al, by_var, x->a, round)) || (d = first_read(al, by_var, x->b, round)) ||
        (d = first_read(al, by_var, x->c, round)))
        return d;
    for (int i = 0; i < x->nargs; i++)
        if ((d = first_read(al, by_var, x->args[i], round))) return d;
    return NULL;
}

const Decl *msgdep_first_read(Algo *al, const Expr *x, int *round)
{
    int *by_var = malloc(sizeof *by_var * ((size_t)al->nvars + 1));
    if (!by_var) abort();
    decided_by(al, by_var);
    const Decl *d = first_read(al, by_var, x, round);
    free(by_var);
    return d;
}
