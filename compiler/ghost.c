/* ghost.c: the ghosts the kept specs need (see ghost.h), by a fixpoint over
 * the checked tree: a pass marks what the needed things read, until a pass
 * marks nothing new. */
#include "ghost.h"

typedef struct Need {
    const Algo *al;
    bool *needed; /* per al->vars */
    bool changed; /* this pass marked something */
} Need;

static int var_index(const Algo *al, const Decl *d)
{
    for (int i = 0; i < al->nvars; i++)
        if (al->vars[i] == d) return i;
    return -1;
}

static bool is_ghost_name(const Expr *e)
{
    return e->kind == E_NAME && e->nk == N_STATE && e->decl && e->decl->ghost;
}

/* Marks every ghost that e reads as needed. */
static void mark_reads(Need *nd, const Expr *e)
{
    if (!e) return;
    if (e->kind == E_NAME) {
        int i = is_ghost_name(e) ? var_index(nd->al, e->decl) : -1;
        if (i >= 0 && !nd->needed[i]) nd->needed[i] = nd->changed = true;
        /* an algorithm-level let is expanded where it is used */
        if (e->nk == N_LET && e->decl) mark_reads(nd, e->decl->init);
        return;
    }
    mark_reads(nd, e->a);
    mark_reads(nd, e->b);
    mark_reads(nd, e->c);
    for (int i = 0; i < e->nargs; i++)
        mark_reads(nd, e->args[i]);
    for (const Binder *b = e->binders; b; b = b->next)
        mark_reads(nd, b->domx);
}

static void mark_assign(Need *nd, const Stmt *s)
{
    const Expr *root = s->lhs;
    while (root->kind == E_INDEX || root->kind == E_FIELD)
        root = root->a;
    int target = is_ghost_name(root) ? var_index(nd->al, root->decl) : -1;
    /* what flows into a ghost matters once the ghost does; into anything else, always */
    if (target >= 0 && !nd->needed[target]) return;
    mark_reads(nd, s->rhs);
    for (const Expr *l = s->lhs; l != root; l = l->a)
        if (l->kind == E_INDEX) mark_reads(nd, l->b);
}

static void mark_stmts(Need *nd, const Stmt *s)
{
    for (; s; s = s->next) {
        if (s->kind == S_ASSIGN) {
            mark_assign(nd, s);
            continue;
        }
        /* ghosts cannot be read here; if one were, it could steer the algorithm */
        mark_reads(nd, s->lhs);
        mark_reads(nd, s->rhs);
        mark_reads(nd, s->cond);
        mark_reads(nd, s->hi);
        mark_stmts(nd, s->body);
        mark_stmts(nd, s->els);
    }
}

static void mark_pass(Need *nd, const bool *skip)
{
    const Algo *al = nd->al;
    for (int j = 0; j < al->nspecs; j++)
        if (!skip || !skip[j]) mark_reads(nd, al->specs[j]->init);
    for (int i = 0; i < al->nvars; i++)
        if (nd->needed[i]) mark_reads(nd, al->vars[i]->init);
    for (int r = 0; r < al->nrounds; r++) {
        const Round *rd = al->rounds[r];
        mark_stmts(nd, rd->send);
        mark_stmts(nd, rd->update);
        mark_reads(nd, rd->timeout_us);
        mark_reads(nd, rd->wait);
        mark_reads(nd, rd->goahead);
        mark_reads(nd, rd->when);
    }
    for (int e = 0; e < al->nevents; e++)
        mark_stmts(nd, al->events[e]->body);
    if (al->replaced) mark_stmts(nd, al->replaced->body);
}

void ghost_needed(const Algo *al, const bool *skip, bool *needed)
{
    Need nd = {al, needed, true};
    for (int i = 0; i < al->nvars; i++)
        needed[i] = !al->vars[i]->ghost;
    while (nd.changed) {
        nd.changed = false;
        mark_pass(&nd, skip);
    }
}
