/* symmetry.c: invariance of rounds and specs under permutations of process
 * ids (see symmetry.h).
 *
 * A permutation pi of 0..n-1 acts on a global state by moving process p's
 * state to pi(p). hoc check may keep one state per orbit only if the
 * transition relation commutes with every pi and every spec it evaluates
 * gives the same verdict on s and pi(s). Every expression is classified by
 * how its value moves under pi:
 *
 *   INV   the value does not change (ints, bools, a process's own fields)
 *   PID   a process id that moves with pi (a quantified process)
 *   SET   a set of processes that moves with pi (procs, HO[p], { i | ... })
 *   MBOX  a mailbox, filtered or not: messages keyed by sender, moving with pi
 *   MSG   one message of it (its fields are INV, its sender is PID)
 *   PROJ  a mailbox projected on a field: a multiset of INV values
 *
 * and an expression that fits none (a PID compared with a number, ordered,
 * computed with; `id`; ties broken by sender; iteration in id order; ...)
 * makes the whole verdict asymmetric. The rules only let PIDs meet PIDs
 * through equality, membership and indexing, which every pi preserves.
 * Process state that holds ids (pid, set, arrays indexed by process) is
 * refused outright: pi would have to rename those values too. */
#include "symmetry.h"

#include <stdio.h>
#include <string.h>

typedef enum Cls { K_INV, K_PID, K_SET, K_MBOX, K_MSG, K_PROJ, K_ASYM } Cls;

/* A binder or local and its class; a chain on the C stack. */
typedef struct Bind {
    const void *key;
    Cls cls;
    struct Bind *next;
} Bind;

typedef struct Sym {
    const Algo *al;
    Bind *env;
    SymVerdict *out;
    int lets; /* nesting of algorithm-level lets being expanded */
} Sym;

static Cls cls_of(Sym *s, const Expr *e);

/* Records the first reason for asymmetry; returns K_ASYM. */
static Cls asym(Sym *s, Pos p, const char *fmt, long long v)
{
    if (s->out->symmetric) {
        const char *file = p.file ? strrchr(p.file, '/') : NULL;
        char what[120];
        snprintf(what, sizeof what, fmt, v);
        snprintf(s->out->why, sizeof s->out->why, "%s (%s:%d)", what,
                 file ? file + 1 : (p.file ? p.file : "?"), p.line);
        s->out->symmetric = false;
    }
    return K_ASYM;
}

/* Whether a type holds process ids: pi would have to rename its values. */
static bool holds_ids(const Type *t)
{
    while (t && t->kind == TY_ARRAY) {
        if (t->len < 0) return true;
        t = t->elem;
    }
    return t && (t->kind == TY_PID || t->kind == TY_SET);
}

static Cls lookup(Sym *s, const Expr *e, const void *key)
{
    for (Bind *b = s->env; b; b = b->next)
        if (b->key == key) return b->cls;
    return asym(s, e->pos, "reads a variable the symmetry analysis does not know", 0);
}

/* A message used as a value (a single-value round's m) is its payload. */
static Cls value(Cls c)
{
    return c == K_MSG ? K_INV : c;
}

/* e must be a process that moves with pi; else the first reason is recorded. */
static bool need_pid(Sym *s, const Expr *e)
{
    Cls c = cls_of(s, e);
    if (c == K_PID) return true;
    if (c == K_ASYM) return false;
    if (e->kind == E_INT) return asym(s, e->pos, "names process %lld", (long long)e->ival), false;
    return asym(s, e->pos, "names a particular process by a number", 0), false;
}

static Cls name_cls(Sym *s, const Expr *e)
{
    switch (e->nk) {
    case N_STATE: /* a process's own variable, input or oracle */
        if (e->decl && holds_ids(e->decl->type))
            return asym(s, e->pos, "a variable holds process ids", 0);
        return K_INV;
    case N_PARAM:
    case N_CONST:
    case N_ENUMVAL:
        return K_INV;
    case N_LET: {
        if (!e->decl || !e->decl->init || s->lets > 32)
            return asym(s, e->pos, "a let the symmetry analysis cannot follow", 0);
        s->lets++;
        Bind *saved = s->env;
        s->env = NULL; /* an algorithm-level let sees no locals */
        Cls c = cls_of(s, e->decl->init);
        s->env = saved;
        s->lets--;
        return c;
    }
    case N_LOCAL:
    case N_BINDER:
    case N_MSGVAR:
        return lookup(s, e, e->binder);
    case N_ID:
        return asym(s, e->pos, "reads id", 0);
    case N_PROCS:
        return K_SET;
    case N_MBOX:
        return K_MBOX;
    default:
        return asym(s, e->pos, "a name the symmetry analysis does not know", 0);
    }
}

/* Both operands INV: INV; else the reason. */
static Cls both_inv(Sym *s, const Expr *e, const char *why)
{
    Cls a = value(cls_of(s, e->a)), b = value(cls_of(s, e->b));
    if (a == K_ASYM || b == K_ASYM) return K_ASYM;
    return a == K_INV && b == K_INV ? K_INV : asym(s, e->pos, why, 0);
}

static Cls binary_cls(Sym *s, const Expr *e)
{
    Cls a, b;
    switch (e->op) {
    case OP_IN:
        b = cls_of(s, e->b);
        if (!need_pid(s, e->a) || b == K_ASYM) return K_ASYM;
        return b == K_SET || b == K_MBOX ? K_INV
                                         : asym(s, e->pos, "a set the analysis cannot follow", 0);
    case OP_EQ:
    case OP_NE:
        a = value(cls_of(s, e->a)), b = value(cls_of(s, e->b));
        if (a == K_ASYM || b == K_ASYM) return K_ASYM;
        if (a == b && (a == K_INV || a == K_PID || a == K_SET)) return K_INV;
        if (a == K_PID && e->b->kind == E_INT)
            return asym(s, e->b->pos, "names process %lld", (long long)e->b->ival);
        if (b == K_PID && e->a->kind == E_INT)
            return asym(s, e->a->pos, "names process %lld", (long long)e->a->ival);
        return asym(s, e->pos, "compares a process id with a number", 0);
    case OP_LT:
    case OP_LE:
    case OP_GT:
    case OP_GE:
        return both_inv(s, e, "orders process ids");
    case OP_ADD:
    case OP_SUB:
        a = cls_of(s, e->a), b = cls_of(s, e->b);
        if (a == K_ASYM || b == K_ASYM) return K_ASYM;
        if (a == K_SET && b == K_SET) return K_SET;
        return value(a) == K_INV && value(b) == K_INV
                   ? K_INV
                   : asym(s, e->pos, "computes with a process id", 0);
    default: /* arithmetic and logic */
        return both_inv(s, e, "computes with a process id");
    }
}

/* min, max, mmor, argmin, argmax: builtins over a mailbox, a set or two ints. */
static Cls builtin_cls(Sym *s, const Expr *e)
{
    const char *f = e->name;
    if (e->nargs == 2) {
        Cls a = value(cls_of(s, e->args[0])), b = value(cls_of(s, e->args[1]));
        if (a == K_ASYM || b == K_ASYM) return K_ASYM;
        return a == K_INV && b == K_INV ? K_INV : asym(s, e->pos, "computes with a process id", 0);
    }
    if (e->nargs != 1) return asym(s, e->pos, "an aggregate the analysis does not know", 0);
    if (strncmp(f, "arg", 3) == 0)
        return asym(s, e->pos, "argmin/argmax breaks ties by the smallest sender", 0);
    Cls a = cls_of(s, e->args[0]);
    if (a == K_ASYM) return K_ASYM;
    if (a == K_SET) return asym(s, e->pos, "takes the smallest or largest process of a set", 0);
    /* mmor, min and max of values: a function of the multiset of values */
    return a == K_PROJ || a == K_MBOX ? K_INV : asym(s, e->pos, "an aggregate of process ids", 0);
}

static Cls call_cls(Sym *s, const Expr *e)
{
    if (!e->decl) return builtin_cls(s, e);
    /* a def sees only its arguments: numbers in, a number out (its use as a
     * process, if any, is judged where it is used) */
    for (int i = 0; i < e->nargs; i++) {
        Cls c = value(cls_of(s, e->args[i]));
        if (c == K_ASYM) return K_ASYM;
        if (c != K_INV) return asym(s, e->args[i]->pos, "passes a process id to a function", 0);
    }
    return K_INV;
}

/* The class a binder takes from its domain, or from its type without one. */
static Cls binder_cls(Sym *s, const Binder *b)
{
    if (b->domx) {
        Cls d = cls_of(s, b->domx);
        if (d == K_ASYM) return K_ASYM;
        if (d == K_SET) return K_PID;
        if (d == K_MBOX) return K_MSG;
        return asym(s, b->pos, "ranges over something the analysis cannot follow", 0);
    }
    switch (b->type ? b->type->kind : TY_ERROR) {
    case TY_PID:
        return K_PID; /* every process */
    case TY_SET:
        return K_SET; /* every set: a permutation maps the range onto itself */
    case TY_INT:      /* an interval whose bounds are INV, or the active domain (0..n-1, the values
                         held, the constants, fresh values above them): kept by pi */
    case TY_BOOL:     /* every value */
    case TY_ENUM:
    case TY_STAMP:
        return K_INV;
    default:
        return asym(s, b->pos, "a quantifier the symmetry analysis does not know", 0);
    }
}

/* forall/exists and { x | c }: binders bound, the body INV. */
static Cls binding_cls(Sym *s, const Expr *e)
{
    Bind nodes[16];
    int k = 0;
    Bind *saved = s->env;
    Cls first = K_ASYM, r = K_INV;
    for (const Binder *b = e->binders; b; b = b->next) {
        if (k == 16) {
            r = asym(s, e->pos, "too many binders for the symmetry analysis", 0);
            break;
        }
        Cls c = binder_cls(s, b);
        if (k == 0) first = c;
        nodes[k] = (Bind){b, c, s->env};
        s->env = &nodes[k++];
        if (c == K_ASYM) r = K_ASYM;
    }
    if (r != K_ASYM && value(cls_of(s, e->a)) != K_INV)
        r = asym(s, e->a->pos, "a condition that tells processes apart", 0);
    s->env = saved;
    if (r == K_ASYM || e->kind == E_QUANT) return r;
    return first == K_PID   ? K_SET
           : first == K_MSG ? K_MBOX
                            : asym(s, e->pos, "a set the analysis cannot follow", 0);
}

static Cls index_cls(Sym *s, const Expr *e)
{
    if (e->nk == N_STATE || e->nk == N_HO || e->nk == N_CRASHED) { /* x[i], HO[i], crashed[i] */
        if (!need_pid(s, e->b)) return K_ASYM;
        if (e->nk == N_HO) return K_SET;
        return e->decl && holds_ids(e->decl->type)
                   ? asym(s, e->pos, "a variable holds process ids", 0)
                   : K_INV;
    }
    Cls a = cls_of(s, e->a);
    if (a == K_ASYM) return K_ASYM;
    if (a == K_MBOX) { /* mbox[p]: p's message */
        if (!need_pid(s, e->b)) return K_ASYM;
        return K_MSG;
    }
    if (e->a->type && e->a->type->kind == TY_ARRAY && e->a->type->len < 0)
        return asym(s, e->pos, "indexes an array by process", 0);
    Cls i = value(cls_of(s, e->b));
    if (i == K_ASYM) return K_ASYM;
    return value(a) == K_INV && i == K_INV ? K_INV : asym(s, e->pos, "indexes by a process id", 0);
}

static Cls field_cls(Sym *s, const Expr *e)
{
    Cls a = cls_of(s, e->a);
    if (a == K_ASYM) return K_ASYM;
    if (e->type && holds_ids(e->type) && e->index != -2)
        return asym(s, e->pos, "a message field holds process ids", 0);
    if (a == K_MSG) return e->index == -2 ? K_PID : K_INV; /* .sender moves with pi */
    if (a == K_MBOX) return K_PROJ;
    return a == K_INV ? K_INV : asym(s, e->pos, "a field the analysis cannot follow", 0);
}

static Cls cls_inner(Sym *s, const Expr *e)
{
    switch (e->kind) {
    case E_INT:
    case E_BOOL:
    case E_NEVER:
    case E_ABSENT:
    case E_ROUND: /* the same at every process: a permutation leaves it */
    case E_PHASE:
        return K_INV;
    case E_NAME:
        return name_cls(s, e);
    case E_UNARY: {
        Cls a = value(cls_of(s, e->a));
        return a == K_INV || a == K_ASYM ? a : asym(s, e->pos, "computes with a process id", 0);
    }
    case E_BINARY:
        return binary_cls(s, e);
    case E_COND: {
        Cls c = value(cls_of(s, e->a)), a = value(cls_of(s, e->b)), b = value(cls_of(s, e->c));
        if (c == K_ASYM || a == K_ASYM || b == K_ASYM) return K_ASYM;
        if (c == K_INV && a == b && (a == K_INV || a == K_PID || a == K_SET)) return a;
        return asym(s, e->pos, "a conditional mixing process ids and numbers", 0);
    }
    case E_INDEX:
        return index_cls(s, e);
    case E_FIELD:
        return field_cls(s, e);
    case E_CALL:
        return call_cls(s, e);
    case E_CARD: {
        Cls a = cls_of(s, e->a);
        if (a == K_ASYM) return a;
        return a == K_SET || a == K_MBOX ? K_INV
                                         : asym(s, e->pos, "a size the analysis cannot follow", 0);
    }
    case E_COMPR:
    case E_QUANT:
        return binding_cls(s, e);
    case E_SETLIT:
        for (int i = 0; i < e->nargs; i++)
            if (!need_pid(s, e->args[i])) return K_ASYM;
        return K_SET;
    case E_TUPLE:
        for (int i = 0; i < e->nargs; i++) {
            Cls c = value(cls_of(s, e->args[i]));
            if (c != K_INV)
                return c == K_ASYM ? c : asym(s, e->args[i]->pos, "sends a process id", 0);
        }
        return K_INV;
    }
    return asym(s, e->pos, "an expression the symmetry analysis does not know", 0);
}

static Cls cls_of(Sym *s, const Expr *e)
{
    if (!e) return asym(s, (Pos){0}, "a missing expression", 0);
    return cls_inner(s, e);
}

/* e must be invariant: a value a process computes or stores. */
static void need_inv(Sym *s, const Expr *e, const char *why)
{
    Cls c = value(cls_of(s, e));
    if (c != K_INV && c != K_ASYM) asym(s, e->pos, why, 0);
}

static void stmts(Sym *s, const Stmt *st);

/* for i in lo..hi runs in a fixed order over numbers; over a set or a
 * mailbox it runs in id order, which order-dependent effects can see. */
static void for_stmt(Sym *s, const Stmt *st)
{
    if (!st->hi) {
        asym(s, st->pos, "iterates over processes in id order", 0);
        return;
    }
    need_inv(s, st->cond, "a loop bound that names a process");
    need_inv(s, st->hi, "a loop bound that names a process");
    Bind b = {st->var, K_INV, s->env};
    Bind *saved = s->env;
    s->env = &b;
    stmts(s, st->body);
    s->env = saved;
}

static void assign_stmt(Sym *s, const Stmt *st)
{
    const Expr *l = st->lhs;
    while (l->kind == E_INDEX || l->kind == E_FIELD) {
        if (l->kind == E_INDEX) {
            if (l->a->type && l->a->type->kind == TY_ARRAY && l->a->type->len < 0)
                asym(s, l->pos, "indexes an array by process", 0);
            need_inv(s, l->b, "indexes by a process id");
        }
        l = l->a;
    }
    if (l->kind == E_NAME && l->decl && holds_ids(l->decl->type))
        asym(s, l->pos, "a variable holds process ids", 0);
    need_inv(s, st->rhs, "stores a value that names processes");
}

/* Statements of a block; lets stay bound until the end of the block. */
static void stmts(Sym *s, const Stmt *st)
{
    Bind *saved = s->env;
    Bind lets[64];
    int nlets = 0;
    for (; st; st = st->next) {
        switch (st->kind) {
        case S_BLOCK:
            stmts(s, st->body);
            break;
        case S_ASSIGN:
            assign_stmt(s, st);
            break;
        case S_IF:
            need_inv(s, st->cond, "a condition that tells processes apart");
            stmts(s, st->body);
            stmts(s, st->els);
            break;
        case S_FOR:
            for_stmt(s, st);
            break;
        case S_LET:
            if (nlets == 64) {
                asym(s, st->pos, "too many locals for the symmetry analysis", 0);
                break;
            }
            lets[nlets] = (Bind){st->var, cls_of(s, st->rhs), s->env};
            s->env = &lets[nlets++];
            break;
        case S_SEND: {
            if (st->lhs) {
                Cls t = cls_of(s, st->lhs);
                if (t != K_SET && t != K_ASYM) asym(s, st->pos, "sends to a particular process", 0);
            }
            need_inv(s, st->rhs, "sends a process id");
            break;
        }
        case S_OUTPUT: /* outputs are not part of the state, and specs cannot read them */
        case S_HALT:
        case S_ERROR:
            break;
        }
    }
    s->env = saved;
}

/* Events and the replaced block run on one process, as a round's update
 * does. The checker offers every event with every argument value to every
 * process, so an int, bool or enum argument is INV; a pid argument would
 * have to be renamed with the processes and is refused. */
static void sym_events(Sym *s)
{
    const Algo *al = s->al;
    for (int e = 0; e < al->nevents; e++) {
        const Decl *d = al->events[e];
        Bind binds[8];
        Bind *saved = s->env;
        for (int i = 0; i < d->nparams && i < 8; i++) {
            if (holds_ids(d->params[i].type))
                asym(s, d->params[i].pos, "an event argument is a process id", 0);
            binds[i] = (Bind){.key = d->params[i].binder, .cls = K_INV, .next = s->env};
            s->env = &binds[i];
        }
        stmts(s, d->body);
        s->env = saved;
    }
    if (al->replaced) stmts(s, al->replaced->body);
}

void sym_rounds(const Algo *al, SymVerdict *out)
{
    *out = (SymVerdict){.symmetric = true};
    Sym s = {.al = al, .out = out};
    for (int i = 0; i < al->ninputs; i++)
        if (holds_ids(al->inputs[i]->type))
            asym(&s, al->inputs[i]->pos, "an input holds a process id", 0);
    for (int i = 0; i < al->nvars; i++) {
        Decl *d = al->vars[i];
        if (holds_ids(d->type)) asym(&s, d->pos, "a variable holds process ids", 0);
        if (d->init) need_inv(&s, d->init, "an initial value that names processes");
    }
    for (int r = 0; r < al->nrounds; r++) {
        Round *rd = al->rounds[r];
        for (int f = 0; f < rd->nfields; f++)
            if (holds_ids(rd->fields[f].type))
                asym(&s, rd->fields[f].pos, "a message field holds process ids", 0);
        /* the progress predicate (when) only decides when a replica's round
         * ends; the lockstep semantics hoc check explores does not read it */
        stmts(&s, rd->send);
        stmts(&s, rd->update);
    }
    sym_events(&s);
}

void sym_spec(const Algo *al, const Decl *spec, SymVerdict *out)
{
    *out = (SymVerdict){.symmetric = true};
    Sym s = {.al = al, .out = out};
    if (spec->init) need_inv(&s, spec->init, "a formula that tells processes apart");
}
