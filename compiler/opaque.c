/* opaque.c: the first place an algorithm looks inside a block (see
 * opaque.h), by a walk over the checked tree that follows lets and defs to
 * their bodies at every use (as the generated code expands and calls them),
 * naming the earliest line of the algorithm's file. */
#include "opaque.h"

#include <stdio.h>
#include <string.h>

typedef struct Look {
    const Decl *def;    /* the def the algorithm calls, being walked, or NULL */
    const Decl *in;     /* the def whose body is being walked (def, or one it calls) */
    Pos call;           /* where the algorithm calls it */
    const char *file;   /* the algorithm's file: a look there is named by its line */
    const char *stdlib; /* the standard library's folder, or NULL */
    Pos best;           /* the look named so far */
    char *buf;
    size_t cap;
    bool found;
} Look;

static bool same_file(Pos p, const char *file)
{
    return p.file && file && strcmp(p.file, file) == 0;
}

/* Names the look at p (in the algorithm, or in the def it calls at
 * lk->call) unless an earlier line of the algorithm's file is named. */
static void found(Look *lk, Pos p, const char *what)
{
    Pos at = lk->def ? lk->call : p;
    bool earlier =
        same_file(at, lk->file) && (!same_file(lk->best, lk->file) || at.line < lk->best.line);
    if (lk->found && !earlier) return;
    int k = snprintf(lk->buf, lk->cap, "%s:%d: ", at.file ? at.file : "<input>", at.line);
    if (k < 0 || (size_t)k >= lk->cap) k = 0;
    if (lk->def)
        k += snprintf(lk->buf + k, lk->cap - (size_t)k, "%s%s%sdef %s (line %d) ",
                      lk->in != lk->def ? "through def " : "",
                      lk->in != lk->def ? lk->def->name : "", lk->in != lk->def ? ", " : "",
                      lk->in->name, p.line);
    if (k >= 0 && (size_t)k < lk->cap) snprintf(lk->buf + k, lk->cap - (size_t)k, "%s", what);
    lk->best = at;
    lk->found = true;
}

/* A function of the stdlib's ec module: they work byte by byte, the same
 * map at every position, and return blocks, so they keep blocks opaque. A
 * module of that name elsewhere (beside the program) is C like any other. */
static bool is_ec(const Look *lk, const Decl *d)
{
    const char *f = d->pos.file;
    size_t k = lk->stdlib ? strlen(lk->stdlib) : 0;
    return k && f && strncmp(f, lk->stdlib, k) == 0 && strcmp(f + k, "/ec.ho") == 0 && d->ret &&
           d->ret->kind == TY_BYTES;
}

static bool takes_bytes(const Decl *d)
{
    for (int i = 0; i < d->nparams; i++)
        if (d->params[i].type && d->params[i].type->kind == TY_BYTES) return true;
    return false;
}

static void look_expr(Look *lk, const Expr *e);

/* Walks def d's body as the callee of a call. */
static void look_def(Look *lk, const Decl *d, Pos call)
{
    if (!lk->def) lk->call = call;
    const Decl *outer = lk->def, *in = lk->in;
    lk->def = outer ? outer : d;
    lk->in = d;
    look_expr(lk, d->init);
    lk->def = outer, lk->in = in;
}

static void look_expr(Look *lk, const Expr *e)
{
    if (!e) return;
    /* a byte: b[i], but not a spec's x[i] (process i's x) nor HO[p], crashed[p] */
    if (e->kind == E_INDEX && e->nk != N_STATE && e->nk != N_HO && e->nk != N_CRASHED &&
        e->a->type && e->a->type->kind == TY_BYTES) {
        found(lk, e->pos, "indexes a block (reads or writes one of its bytes)");
        return;
    }
    if (e->kind == E_CALL && e->decl && e->decl->kind == D_EXTERN && takes_bytes(e->decl) &&
        !is_ec(lk, e->decl)) {
        char what[160];
        snprintf(what, sizeof what, "hands a block to extern %s (C that hoc check cannot see into)",
                 e->decl->name);
        found(lk, e->pos, what);
        return;
    }
    if (e->kind == E_CALL && e->decl && e->decl->kind == D_DEF) look_def(lk, e->decl, e->pos);
    /* an algorithm-level let is expanded where it is used */
    if (e->kind == E_NAME && e->nk == N_LET && e->decl) look_expr(lk, e->decl->init);
    look_expr(lk, e->a);
    look_expr(lk, e->b);
    look_expr(lk, e->c);
    for (int i = 0; i < e->nargs; i++)
        look_expr(lk, e->args[i]);
    for (const Binder *b = e->binders; b; b = b->next)
        look_expr(lk, b->domx);
}

static void look_stmts(Look *lk, const Stmt *s)
{
    for (; s; s = s->next) {
        look_expr(lk, s->lhs);
        look_expr(lk, s->rhs);
        look_expr(lk, s->cond);
        look_expr(lk, s->hi);
        look_stmts(lk, s->body);
        look_stmts(lk, s->els);
    }
}

bool opaque_first_look(const Algo *al, const char *stdlib, char *buf, size_t cap)
{
    Look lk = {.file = al->decl->pos.file, .stdlib = stdlib, .buf = buf, .cap = cap};
    if (cap) buf[0] = '\0';
    for (int i = 0; i < al->nvars; i++)
        look_expr(&lk, al->vars[i]->init);
    for (int r = 0; r < al->nrounds; r++) {
        const Round *rd = al->rounds[r];
        look_stmts(&lk, rd->send);
        look_stmts(&lk, rd->update);
        look_expr(&lk, rd->timeout_us);
        look_expr(&lk, rd->wait);
        look_expr(&lk, rd->goahead);
        look_expr(&lk, rd->when);
    }
    for (int e = 0; e < al->nevents; e++)
        look_stmts(&lk, al->events[e]->body);
    if (al->replaced) look_stmts(&lk, al->replaced->body);
    for (int j = 0; j < al->nspecs; j++)
        look_expr(&lk, al->specs[j]->init);
    return lk.found;
}
