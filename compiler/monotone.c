/* monotone.c: upward closure of assumptions in the heard-of sets (see
 * monotone.h), by polarity: each subexpression either does not read HO
 * (CONST), only grows with it (UP: a truer formula, a larger number or
 * set), only shrinks (DOWN), or neither (ANY). */
#include "monotone.h"

#include <string.h>

typedef enum Mono { M_CONST, M_UP, M_DOWN, M_ANY } Mono;

static Mono mono(const Expr *e);

/* Both at once: the same direction or one of them constant. */
static Mono join(Mono a, Mono b)
{
    if (a == M_CONST) return b;
    if (b == M_CONST || a == b) return a;
    return M_ANY;
}

static Mono flip(Mono a)
{
    return a == M_UP ? M_DOWN : a == M_DOWN ? M_UP : a;
}

/* Only constant operands keep an operator without a direction constant. */
static Mono flat(Mono a, Mono b)
{
    return a == M_CONST && b == M_CONST ? M_CONST : M_ANY;
}

static Mono binary(const Expr *e)
{
    Mono a = mono(e->a), b = mono(e->b);
    switch (e->op) {
    case OP_IN: /* p in S: truer as S grows; p itself must not move */
        return a == M_CONST ? b : M_ANY;
    case OP_AND:
    case OP_OR:
    case OP_ADD: /* sum, union */
        return join(a, b);
    case OP_IMPLIES:
        return join(flip(a), b);
    case OP_SUB: /* difference, set difference */
        return join(a, flip(b));
    case OP_LT:
    case OP_LE:
        return join(flip(a), b);
    case OP_GT:
    case OP_GE:
        return join(a, flip(b));
    default: /* ==, !=, *, /, %: no direction */
        return flat(a, b);
    }
}

/* A binder's domain is a name (procs, a state set), never HO: constant. */
static Mono bound(const Expr *e)
{
    for (const Binder *b = e->binders; b; b = b->next)
        if (b->domx && mono(b->domx) != M_CONST) return M_ANY;
    return mono(e->a);
}

static Mono call(const Expr *e)
{
    Mono m = M_CONST;
    bool minmax =
        !e->decl && e->nargs == 2 && (strcmp(e->name, "min") == 0 || strcmp(e->name, "max") == 0);
    for (int i = 0; i < e->nargs; i++)
        m = minmax ? join(m, mono(e->args[i])) : flat(m, mono(e->args[i]));
    return m;
}

static Mono mono(const Expr *e)
{
    if (!e) return M_ANY;
    switch (e->kind) {
    case E_INDEX:
        if (e->nk == N_HO) return mono(e->b) == M_CONST ? M_UP : M_ANY;
        return flat(mono(e->a), mono(e->b));
    case E_NAME:
        return e->nk == N_HO ? M_ANY : M_CONST;
    case E_UNARY:
        return flip(mono(e->a));
    case E_BINARY:
        return binary(e);
    case E_COND:
        return mono(e->a) == M_CONST ? join(mono(e->b), mono(e->c)) : M_ANY;
    case E_FIELD:
        return flat(mono(e->a), M_CONST);
    case E_CALL:
        return call(e);
    case E_CARD:
        return mono(e->a);
    case E_COMPR:
    case E_QUANT:
        return bound(e);
    case E_SETLIT:
    case E_TUPLE: {
        Mono m = M_CONST;
        for (int i = 0; i < e->nargs; i++)
            m = flat(m, mono(e->args[i]));
        return m;
    }
    default: /* literals, the counters */
        return M_CONST;
    }
}

bool ho_monotone(const Expr *e)
{
    Mono m = mono(e);
    return m == M_CONST || m == M_UP;
}
