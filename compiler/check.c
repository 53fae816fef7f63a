/* check.c: resolves every name, types every expression and enforces where
 * each construct may appear (a send only in send, the mailbox only in
 * update, HO sets only in assumptions, ghost state never flowing into the
 * algorithm). Back ends may then trust the tree. */
#include "check.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "qdom.h"
#include "hoc_rt.h" /* HOC_MAXINPUTS */

/* How an E_PHASE node is read (kept in its ival): as a number, as the left
 * of `phase % m` with m fixed by the params, or as a stamp. */
enum { PHASE_INT, PHASE_MOD, PHASE_STAMP };

/* Appends x to the malloc'd array arr of n elements; aborts when out of memory. */
#define PUSH_ARRAY(arr, n, x)                                                                      \
    do {                                                                                           \
        void *grown = realloc((arr), sizeof *(arr) * (size_t)((n) + 1));                           \
        if (!grown) abort();                                                                       \
        (arr) = grown;                                                                             \
        (arr)[(n)++] = (x);                                                                        \
    } while (0)

typedef enum Ctx {
    C_CONST,  /* constants and type sizes: only folded integers */
    C_PARAM,  /* where clauses, wait/goahead: params and constants */
    C_INIT,   /* variable initialisers */
    C_SEND,   /* a round's send block */
    C_UPDATE, /* a round's update block */
    C_EVENT,  /* an event handler or the replaced block: updates state, no mailbox */
    C_WHEN,   /* a progress predicate over the mailbox */
    C_LET,    /* algorithm-level let */
    C_ROLE,   /* role: id, params and inputs only */
    C_SPEC,   /* invariants and properties */
    C_ASSUME, /* communication assumptions: specs plus HO */
    C_DEF     /* body of a def */
} Ctx;

typedef struct Scope {
    const char *name;
    NameKind kind;
    Binder *b;
    struct Scope *next;
} Scope;

typedef struct Checker {
    Program *prog;
    Arena *a;
    Diag *d;
    Algo *algo;
    Round *round;
    Ctx ctx;
    Scope *scope;
    bool ghost_ok; /* reading ghost state is allowed here */
    int nbinders;
    Type *t_int, *t_bool, *t_pid, *t_set, *t_void, *t_err, *t_stamp;
    Expr **phases; /* the phase counters read in this algorithm, to classify */
    int nphases;
} Checker;

static Type *check_expr(Checker *c, Expr *e);
static void check_stmt(Checker *c, Stmt *s);

/* Process code that can tell processes apart: symmetry reduction is then
 * unsound, so drivers must not permute processes. Conservative by design. */
static void asymmetric(struct Checker *c);

static void asymmetric(Checker *c)
{
    if (c->algo && c->ctx != C_SPEC && c->ctx != C_ASSUME) c->algo->uses_id = true;
}

static bool mentions_identity(const Type *t)
{
    while (t && t->kind == TY_ARRAY) {
        if (t->len < 0) return true;
        t = t->elem;
    }
    return t && (t->kind == TY_PID || t->kind == TY_SET);
}

static bool is_process_ctx(Ctx x)
{
    return x == C_INIT || x == C_SEND || x == C_UPDATE || x == C_WHEN || x == C_LET ||
           x == C_ROLE || x == C_EVENT;
}

/* Code that may change the process state and produce outputs. */
static bool is_step_ctx(Ctx x)
{
    return x == C_UPDATE || x == C_EVENT;
}
static bool is_spec_ctx(Ctx x)
{
    return x == C_SPEC || x == C_ASSUME;
}

static const char *tn(Checker *c, const Type *t)
{
    return type_name(c->a, t);
}

static bool is_err(const Type *t)
{
    return !t || t->kind == TY_ERROR;
}
static bool is_intlike(const Type *t)
{
    return t->kind == TY_INT || t->kind == TY_PID;
}

/* Same type, where int and pid mix freely and errors match anything. */
static bool same_type(const Type *x, const Type *y)
{
    if (is_err(x) || is_err(y)) return true;
    if (is_intlike(x) && is_intlike(y)) return true;
    if (x->kind != y->kind) return false;
    switch (x->kind) {
    case TY_ENUM:
        return x->enm == y->enm;
    case TY_BYTES:
        return x->len == y->len;
    case TY_ARRAY:
        return x->len == y->len && same_type(x->elem, y->elem);
    case TY_MSG:
    case TY_MBOX:
        return x->round == y->round;
    default:
        return true;
    }
}

/* Fixes a binder whose type was left for inference to the type of its first use. */
static void infer(Expr *e, Type *t)
{
    if (e->type && e->type->kind == TY_UNKNOWN && !is_err(t) && t->kind != TY_UNKNOWN)
        *e->type = *t;
}

/* The only int that becomes a stamp is the phase counter itself: stamps are
 * never computed with, which is what lets hoc check rank them (checker.md). */
static void make_stamp(Checker *c, Expr *e)
{
    if (e->kind == E_PHASE && e->type && e->type->kind == TY_INT) {
        e->type = c->t_stamp;
        e->ival = PHASE_STAMP;
    }
}

/* Can e, of type t, go where `want` is expected? Converts `phase` to a stamp. */
static bool fits(Checker *c, Expr *e, Type *t, const Type *want)
{
    if (!is_err(want) && want->kind == TY_STAMP && e->kind == E_PHASE) {
        make_stamp(c, e);
        return true;
    }
    return same_type(t, want);
}

static Type *expect(Checker *c, Expr *e, TypeKind k, const char *what)
{
    Type *t = check_expr(c, e);
    if (t->kind == TY_UNKNOWN) {
        Type want = {.kind = k, .proj = -1};
        infer(e, &want);
        return t;
    }
    bool ok = is_err(t) || t->kind == k || (k == TY_INT && t->kind == TY_PID) ||
              (k == TY_PID && t->kind == TY_INT);
    if (!ok)
        diag_error(c->d, e->pos, "%s must be %s, not %s", what,
                   k == TY_BOOL  ? "a bool"
                   : k == TY_SET ? "a set"
                                 : "an int",
                   tn(c, t));
    return t;
}

/* ---- constants ---- */
static Decl *find_global(Checker *c, const char *name, DeclKind k)
{
    for (Decl *d = c->prog->decls; d; d = d->next)
        if (d->kind == k && strcmp(d->name, name) == 0) return d;
    return NULL;
}

static Decl *find_enum_member(Checker *c, const char *name, int *index)
{
    for (Decl *d = c->prog->decls; d; d = d->next)
        if (d->kind == D_ENUM)
            for (int i = 0; i < d->nmembers; i++)
                if (strcmp(d->members[i], name) == 0) {
                    *index = i;
                    return d;
                }
    return NULL;
}

static bool fold(Checker *c, Expr *e, int64_t *out);

/* The value of a constant, folded on first use: constants may be used before
 * their definition (a module sizes its blocks by a constant the program defines). */
static bool const_value(Checker *c, Decl *d, Pos use, int64_t *out)
{
    if (d->used) { /* used marks "folded" for constants */
        *out = d->value;
        return true;
    }
    if (d->index == -2) {
        diag_error(c->d, use, "constant '%s' is defined in terms of itself", d->name);
        return false;
    }
    d->index = -2;
    Ctx saved = c->ctx;
    c->ctx = C_CONST;
    if (!fold(c, d->init, &d->value)) d->value = 0;
    c->ctx = saved;
    d->index = -1;
    d->used = true;
    *out = d->value;
    return true;
}

/* Folds an integer constant expression; reports and returns false if it is not one. */
static bool fold(Checker *c, Expr *e, int64_t *out)
{
    int64_t x, y;
    switch (e->kind) {
    case E_INT:
        *out = e->ival;
        return true;
    case E_NAME: {
        Decl *d = find_global(c, e->name, D_CONST);
        if (d) return const_value(c, d, e->pos, out);
        diag_error(c->d, e->pos, "'%s' is not a constant", e->name);
        return false;
    }
    case E_UNARY:
        if (e->op != OP_NEG || !fold(c, e->a, &x)) break;
        *out = (int64_t)(0u - (uint64_t)x);
        return true;
    case E_BINARY:
        if (!fold(c, e->a, &x) || !fold(c, e->b, &y)) return false;
        switch (e->op) {
        case OP_ADD:
            *out = (int64_t)((uint64_t)x + (uint64_t)y);
            return true;
        case OP_SUB:
            *out = (int64_t)((uint64_t)x - (uint64_t)y);
            return true;
        case OP_MUL:
            *out = (int64_t)((uint64_t)x * (uint64_t)y);
            return true;
        case OP_DIV:
            *out = y == 0 ? 0 : (y == -1 ? (int64_t)(0u - (uint64_t)x) : x / y);
            return true;
        case OP_MOD:
            *out = y == 0 ? x : (y == -1 ? 0 : x % y);
            return true;
        default:
            break;
        }
        break;
    default:
        break;
    }
    diag_error(c->d, e->pos, "expected an integer constant expression");
    return false;
}

/* Whether fold would take e: integers, constants and arithmetic on them,
 * nothing a param decides. Reports nothing. */
static bool constant_expr(Checker *c, const Expr *e)
{
    switch (e->kind) {
    case E_INT:
        return true;
    case E_NAME:
        return find_global(c, e->name, D_CONST) != NULL;
    case E_UNARY:
        return e->op == OP_NEG && constant_expr(c, e->a);
    case E_BINARY:
        return (e->op == OP_ADD || e->op == OP_SUB || e->op == OP_MUL || e->op == OP_DIV ||
                e->op == OP_MOD) &&
               constant_expr(c, e->a) && constant_expr(c, e->b);
    default:
        return false;
    }
}

/* Resolves sizes and enum names inside a written type. */
static Type *resolve_type(Checker *c, Type *t)
{
    if (!t) return c->t_err;
    switch (t->kind) {
    case TY_ENUM:
        if (!t->enm && t->lenx) {
            t->enm = find_global(c, t->lenx->name, D_ENUM);
            if (!t->enm) {
                diag_error(c->d, t->lenx->pos, "unknown type '%s'", t->lenx->name);
                t->kind = TY_ERROR;
            }
        }
        return t;
    case TY_BYTES:
    case TY_ARRAY:
        if (t->kind == TY_ARRAY) resolve_type(c, t->elem);
        if (t->lenx) {
            int64_t v = 1;
            if (!fold(c, t->lenx, &v))
                v = 1;
            else if (v < 1 || v > (1 << 20)) {
                diag_error(c->d, t->lenx->pos, "a size must be between 1 and 1048576, not %lld",
                           (long long)v);
                v = 1;
            }
            t->len = v;
            t->lenx = NULL;
        }
        return t;
    default:
        return t;
    }
}

/* ---- names ---- */

/* Names the generated C uses itself, and C's keywords: a local of the
 * program compiles to a C local of the same name, so it cannot be one. */
static bool reserved_in_c(const char *name)
{
    static const char *const words[] = {
        "auto",     "break",  "case",   "char",     "const",    "continue", "default",  "do",
        "double",   "else",   "enum",   "extern",   "float",    "for",      "goto",     "if",
        "inline",   "int",    "long",   "register", "restrict", "return",   "short",    "signed",
        "sizeof",   "static", "struct", "switch",   "typedef",  "union",    "unsigned", "void",
        "volatile", "while",  "bool",   "true",     "false",    "NULL",     "main",     "s",
        "env",      "from",   "msgs",   "out",      "to",       "S",        "states",   "params",
        "ho",       "inputs", "args"};
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        if (strcmp(name, words[i]) == 0) return true;
    return strncmp(name, "hoc_", 4) == 0 || name[0] == '_';
}

static Decl *find_member(Checker *c, const char *name);

/* A variable the program declares inside code: a let, a loop variable, a binder. */
static void check_local_name(Checker *c, const char *name, Pos pos)
{
    if (reserved_in_c(name))
        diag_error(c->d, pos, "'%s' is reserved in the generated C; choose another name", name);
    else if (find_member(c, name) || (c->algo && strcmp(name, "n") == 0))
        diag_error(c->d, pos, "'%s' hides a declaration of the algorithm; choose another name",
                   name);
}

static void push(Checker *c, const char *name, NameKind k, Binder *b)
{
    Scope *s = arena_alloc(c->a, sizeof *s);
    *s = (Scope){name, k, b, c->scope};
    c->scope = s;
    if (b && !b->id) b->id = ++c->nbinders;
}

static Decl *find_member(Checker *c, const char *name)
{
    if (!c->algo) return NULL;
    for (Decl *d = c->algo->decl->members_list; d; d = d->next)
        if (d->name && strcmp(d->name, name) == 0 && d->kind != D_ROUND && d->kind != D_SPEC &&
            d->kind != D_OUTPUT)
            return d;
    return NULL;
}

static Decl *find_output(Checker *c, const char *name)
{
    if (!c->algo) return NULL;
    for (Decl *d = c->algo->decl->members_list; d; d = d->next)
        if (d->kind == D_OUTPUT && strcmp(d->name, name) == 0) return d;
    return NULL;
}

static Type *name_error(Checker *c, Expr *e, const char *why)
{
    diag_error(c->d, e->pos, "'%s' %s", e->name, why);
    return c->t_err;
}

static Type *check_member_ref(Checker *c, Expr *e, Decl *d)
{
    e->decl = d;
    switch (d->kind) {
    case D_PARAM:
        e->nk = N_PARAM;
        e->index = d->index;
        return c->t_int;
    case D_INPUT:
    case D_VAR:
        e->nk = N_STATE;
        if (c->ctx == C_PARAM || c->ctx == C_CONST || c->ctx == C_DEF)
            return name_error(c, e, "is process state; only params and constants are allowed here");
        if (c->ctx == C_ROLE && d->kind == D_VAR)
            return name_error(c, e,
                              "is a variable; a role may only depend on id, params and inputs");
        if (is_spec_ctx(c->ctx))
            return name_error(c, e,
                              "is per-process state; in a spec, index it by a process, as in x[i]");
        if (d->ghost && !c->ghost_ok)
            return name_error(c, e,
                              "is ghost state and cannot influence the algorithm "
                              "(read it only to assign other ghost variables, or in specs)");
        d->used = true;
        return d->type;
    case D_LET:
        e->nk = N_LET;
        if (!is_process_ctx(c->ctx))
            return name_error(c, e, "is a per-process let and cannot be used here");
        if (c->ctx == C_ROLE && !d->role)
            return name_error(c, e,
                              "is not a role; a role may only depend on id, params and inputs");
        if (!d->type) return name_error(c, e, "is used before its definition");
        return d->type;
    case D_ORACLE:
        e->nk = N_STATE;
        if (c->ctx != C_UPDATE)
            return name_error(c, e, "is an oracle; it can only be read in update");
        return d->type;
    default:
        return name_error(c, e, "cannot be used as a value");
    }
}

static Type *check_name(Checker *c, Expr *e)
{
    for (Scope *s = c->scope; s; s = s->next) {
        if (strcmp(s->name, e->name) != 0) continue;
        e->nk = s->kind;
        e->binder = s->b;
        if (s->kind == N_MSGVAR && c->round && !c->round->single) {
            Type *t = ast_type(c->a, TY_MSG);
            t->round = c->round;
            return t;
        }
        return s->b->type;
    }
    const char *n = e->name;
    if (strcmp(n, "id") == 0) {
        if (!is_process_ctx(c->ctx))
            return name_error(c, e, "(this process) is only known inside a process");
        e->nk = N_ID;
        asymmetric(c);
        return c->t_pid;
    }
    if (strcmp(n, "procs") == 0) {
        if (c->ctx == C_CONST || c->ctx == C_DEF) return name_error(c, e, "is not a constant");
        e->nk = N_PROCS;
        return c->t_set;
    }
    if (strcmp(n, "mbox") == 0) {
        if (c->ctx != C_UPDATE && c->ctx != C_WHEN)
            return name_error(c, e, "(the mailbox) only exists in update and progress predicates");
        e->nk = N_MBOX;
        Type *t = ast_type(c->a, TY_MBOX);
        t->round = c->round;
        return t;
    }
    if (strcmp(n, "HO") == 0) {
        if (c->ctx != C_ASSUME)
            return name_error(c, e, "(heard-of sets) may only appear in assumptions");
        return name_error(c, e, "must be indexed by a process, as in HO[p]");
    }
    Decl *d = find_member(c, n);
    if (d) return check_member_ref(c, e, d);
    if (strcmp(n, "n") == 0 && c->algo) {
        e->nk = N_PARAM;
        e->index = 0;
        return c->t_int;
    }
    if ((d = find_global(c, n, D_CONST))) {
        int64_t v;
        if (!const_value(c, d, e->pos, &v)) return c->t_err;
        e->nk = N_CONST;
        e->decl = d;
        return c->t_int;
    }
    int idx;
    if ((d = find_enum_member(c, n, &idx))) {
        e->nk = N_ENUMVAL;
        e->decl = d;
        e->index = idx;
        Type *t = ast_type(c->a, TY_ENUM);
        t->enm = d;
        return t;
    }
    if (c->ctx == C_CONST) return name_error(c, e, "is not a constant");
    return name_error(c, e, "is not defined");
}

/* ---- expressions ---- */
/* A literal, param or constant: what an expression fixed for a run reads. */
static bool param_leaf(const Expr *e)
{
    return e->kind == E_INT || (e->kind == E_NAME && (e->nk == N_PARAM || e->nk == N_CONST));
}

/* `phase % m` with m fixed by the params only needs the phase modulo m: hoc
 * check keeps that much of it when it ranks stamps. */
static Type *check_phase_mod(Checker *c, Expr *e)
{
    Type *x = check_expr(c, e->a);
    expect(c, e->b, TY_INT, "an operand of arithmetic");
    Algo *al = c->algo;
    if (!is_err(x) && al && ast_only(e->b, param_leaf)) {
        e->a->ival = PHASE_MOD;
        PUSH_ARRAY(al->phase_mods, al->nphase_mods, e->b);
    }
    return c->t_int;
}

static Type *check_binary(Checker *c, Expr *e)
{
    Type *x, *y;
    switch (e->op) {
    case OP_AND:
    case OP_OR:
    case OP_IMPLIES:
        expect(c, e->a, TY_BOOL, "an operand of a logical operator");
        expect(c, e->b, TY_BOOL, "an operand of a logical operator");
        return c->t_bool;
    case OP_IN:
        x = check_expr(c, e->a);
        y = check_expr(c, e->b);
        if (y->kind == TY_UNKNOWN) infer(e->b, c->t_set), y = c->t_set;
        if (x->kind == TY_UNKNOWN) infer(e->a, c->t_pid), x = c->t_pid;
        if (!is_err(x) && !is_intlike(x))
            diag_error(c->d, e->a->pos, "the left of 'in' must be a process, not %s", tn(c, x));
        if (!is_err(y) && y->kind != TY_SET && !(y->kind == TY_MBOX && y->proj < 0))
            diag_error(c->d, e->b->pos, "the right of 'in' must be a set or a mailbox, not %s",
                       tn(c, y));
        return c->t_bool;
    case OP_EQ:
    case OP_NE:
    case OP_LT:
    case OP_LE:
    case OP_GT:
    case OP_GE:
        x = check_expr(c, e->a);
        y = check_expr(c, e->b);
        /* a literal fits an int and a pid alike, so it does not decide a binder's type */
        if (x->kind == TY_UNKNOWN && e->b->kind != E_INT) infer(e->a, y), x = y;
        if (y->kind == TY_UNKNOWN && e->a->kind != E_INT) infer(e->b, x), y = x;
        if (x->kind == TY_UNKNOWN) x = c->t_int;
        if (y->kind == TY_UNKNOWN) y = c->t_int;
        if (!fits(c, e->b, y, x) && !fits(c, e->a, x, y)) {
            diag_error(c->d, e->pos, "cannot compare %s with %s", tn(c, x), tn(c, y));
        } else if (e->op != OP_EQ && e->op != OP_NE && !is_err(x) && !is_intlike(x) &&
                   x->kind != TY_STAMP) {
            diag_error(c->d, e->pos, "only ints and processes are ordered; %s is not", tn(c, x));
        } else if (!is_err(x) && (x->kind == TY_MBOX || x->kind == TY_MSG || x->kind == TY_ARRAY ||
                                  x->kind == TY_VOID || x->kind == TY_UNKNOWN)) {
            diag_error(c->d, e->pos, "values of type %s cannot be compared", tn(c, x));
        }
        return c->t_bool;
    default:
        if (e->op == OP_MOD && e->a->kind == E_PHASE) return check_phase_mod(c, e);
        x = check_expr(c, e->a);
        if (x->kind == TY_SET && (e->op == OP_ADD || e->op == OP_SUB)) {
            expect(c, e->b, TY_SET, "the right of a set operation");
            return c->t_set;
        }
        if (x->kind == TY_UNKNOWN)
            infer(e->a, c->t_int);
        else if (!is_err(x) && !is_intlike(x))
            diag_error(c->d, e->a->pos, "arithmetic needs ints, not %s", tn(c, x));
        expect(c, e->b, TY_INT, "an operand of arithmetic");
        return c->t_int;
    }
}

static Round *mbox_round(const Type *t)
{
    return t->kind == TY_MBOX ? t->round : NULL;
}

/* The field an aggregate works on: a projection, or the value of a single-value round. */
static Type *agg_field(Checker *c, Expr *arg, Type *t)
{
    Round *r = mbox_round(t);
    if (!r) return NULL;
    int f = t->proj >= 0 ? t->proj : (r->single || r->nfields == 1 ? 0 : -1);
    if (f < 0) {
        diag_error(c->d, arg->pos, "say which field to aggregate, as in mbox.%s",
                   r->fields[0].name);
        return c->t_err;
    }
    arg->index = f;
    return r->fields[f].type;
}

static Type *check_builtin(Checker *c, Expr *e)
{
    const char *f = e->name;
    bool is_min = strcmp(f, "min") == 0, is_max = strcmp(f, "max") == 0;
    bool is_arg = strcmp(f, "argmin") == 0 || strcmp(f, "argmax") == 0;
    bool is_mmor = strcmp(f, "mmor") == 0;
    if (!is_min && !is_max && !is_arg && !is_mmor) {
        diag_error(c->d, e->pos, "'%s' is not a function, output or aggregate", f);
        for (int i = 0; i < e->nargs; i++)
            check_expr(c, e->args[i]);
        return c->t_err;
    }
    e->nk = N_UNRESOLVED;
    if ((is_min || is_max) && e->nargs == 2) {
        Type *x = check_expr(c, e->args[0]), *y = check_expr(c, e->args[1]);
        if (x->kind == TY_STAMP || y->kind == TY_STAMP) { /* stamps are ordered too */
            if (!fits(c, e->args[1], y, x) && !fits(c, e->args[0], x, y))
                diag_error(c->d, e->pos, "min/max of %s and %s", tn(c, x), tn(c, y));
            return c->t_stamp;
        }
        expect(c, e->args[0], TY_INT, "an argument of min/max");
        expect(c, e->args[1], TY_INT, "an argument of min/max");
        return c->t_int;
    }
    if (e->nargs != 1) {
        diag_error(c->d, e->pos, "%s takes one mailbox%s", f,
                   is_min || is_max ? ", one set or two ints" : "");
        return c->t_err;
    }
    Type *t = check_expr(c, e->args[0]);
    if (is_err(t)) return t;
    if ((is_min || is_max) && t->kind == TY_SET) {
        asymmetric(c);
        return c->t_pid;
    }
    Type *ft = agg_field(c, e->args[0], t);
    if (!ft) {
        diag_error(c->d, e->args[0]->pos, "%s needs a mailbox%s, not %s", f,
                   is_min || is_max ? " or a set" : "", tn(c, t));
        return c->t_err;
    }
    if (is_err(ft)) return ft;
    if (is_mmor) {
        if (ft->kind == TY_BYTES || ft->kind == TY_SET || ft->kind == TY_ARRAY) {
            diag_error(c->d, e->pos, "mmor needs a field of type int, pid, bool or enum, not %s",
                       tn(c, ft));
            return c->t_err;
        }
        return ft;
    }
    if (!is_intlike(ft) && ft->kind != TY_STAMP) {
        diag_error(c->d, e->pos, "%s needs an int or stamp field, not %s", f, tn(c, ft));
        return c->t_err;
    }
    if (is_arg) { /* ties go to the smallest sender */
        asymmetric(c);
        Type *m = ast_type(c->a, TY_MSG);
        m->round = mbox_round(t);
        return m;
    }
    return ft;
}

static Type *check_call(Checker *c, Expr *e)
{
    Decl *d = find_global(c, e->name, D_DEF);
    if (!d) d = find_global(c, e->name, D_EXTERN);
    if (!d) {
        Decl *o = find_output(c, e->name);
        if (o) {
            diag_error(c->d, e->pos, "output '%s' is a statement, not a value", e->name);
            return c->t_err;
        }
        return check_builtin(c, e);
    }
    if (c->ctx == C_CONST) {
        diag_error(c->d, e->pos, "expected an integer constant expression");
        return c->t_err;
    }
    if (c->ctx == C_DEF && d->kind == D_DEF && !d->used) { /* used marks "checked" for defs */
        diag_error(c->d, e->pos,
                   "'%s' is used before its definition (a def may only call the defs above it)",
                   e->name);
        return c->t_err;
    }
    e->decl = d;
    if (e->nargs != d->nparams)
        diag_error(c->d, e->pos, "'%s' takes %d argument%s, not %d", e->name, d->nparams,
                   d->nparams == 1 ? "" : "s", e->nargs);
    for (int i = 0; i < e->nargs; i++) {
        Type *t = check_expr(c, e->args[i]);
        if (i < d->nparams && !fits(c, e->args[i], t, d->params[i].type))
            diag_error(c->d, e->args[i]->pos, "argument %d of '%s' must be %s, not %s", i + 1,
                       e->name, tn(c, d->params[i].type), tn(c, t));
    }
    return d->ret;
}

static Type *check_index(Checker *c, Expr *e)
{
    /* In specs, x[i] reads process i's x; HO[p] is p's heard-of set. */
    if (e->a->kind == E_NAME && (is_spec_ctx(c->ctx) || strcmp(e->a->name, "HO") == 0)) {
        bool shadowed = false;
        for (Scope *s = c->scope; s; s = s->next)
            if (strcmp(s->name, e->a->name) == 0) shadowed = true;
        Decl *d = shadowed ? NULL : find_member(c, e->a->name);
        bool ho = !shadowed && strcmp(e->a->name, "HO") == 0;
        if (ho && c->ctx != C_ASSUME) {
            diag_error(c->d, e->pos, "heard-of sets may only appear in assumptions");
            return c->t_err;
        }
        if (ho || (d && (d->kind == D_VAR || d->kind == D_INPUT))) {
            Type *it = check_expr(c, e->b);
            if (it->kind == TY_UNKNOWN)
                infer(e->b, c->t_pid);
            else if (!is_err(it) && !is_intlike(it))
                diag_error(c->d, e->b->pos, "a process index must be a pid, not %s", tn(c, it));
            e->nk = ho ? N_HO : N_STATE;
            e->decl = d;
            e->a->nk = e->nk;
            e->a->decl = d;
            if (d) d->used = true;
            return ho ? c->t_set : d->type;
        }
        /* crashed[i]: the drivers' crash flag (a state variable of that
         * name takes precedence) */
        if (!shadowed && !d && is_spec_ctx(c->ctx) && strcmp(e->a->name, "crashed") == 0) {
            Type *it = check_expr(c, e->b);
            if (it->kind == TY_UNKNOWN)
                infer(e->b, c->t_pid);
            else if (!is_err(it) && !is_intlike(it))
                diag_error(c->d, e->b->pos, "a process index must be a pid, not %s", tn(c, it));
            e->nk = e->a->nk = N_CRASHED;
            return c->t_bool;
        }
        if (d && d->kind == D_LET) {
            diag_error(c->d, e->pos, "lets cannot be used in specs; use the expression they name");
            return c->t_err;
        }
    }
    Type *t = check_expr(c, e->a);
    if (is_err(t)) {
        check_expr(c, e->b);
        return t;
    }
    if (t->kind == TY_MBOX && t->proj < 0) {
        expect(c, e->b, TY_PID, "a mailbox index");
        e->nk = N_MBOX;
        asymmetric(c);
        Round *r = t->round;
        if (r->single) return r->fields[0].type;
        Type *m = ast_type(c->a, TY_MSG);
        m->round = r;
        return m;
    }
    if (t->kind != TY_ARRAY && t->kind != TY_BYTES) {
        diag_error(c->d, e->pos, "%s cannot be indexed", tn(c, t));
        check_expr(c, e->b);
        return c->t_err;
    }
    expect(c, e->b, TY_INT, "an index");
    return t->kind == TY_BYTES ? c->t_int : t->elem;
}

static Type *check_field(Checker *c, Expr *e)
{
    Type *t = check_expr(c, e->a);
    if (is_err(t)) return t;
    bool msgvar = e->a->kind == E_NAME && e->a->nk == N_MSGVAR;
    if (strcmp(e->name, "sender") == 0 && (t->kind == TY_MSG || msgvar)) {
        e->index = -2;
        asymmetric(c);
        return c->t_pid;
    }
    Round *r = (t->kind == TY_MSG || (t->kind == TY_MBOX && t->proj < 0)) ? t->round : NULL;
    if (!r && msgvar) r = c->round;
    if (!r) {
        diag_error(c->d, e->pos, "%s has no fields", tn(c, t));
        return c->t_err;
    }
    for (int i = 0; i < r->nfields; i++) {
        if (strcmp(r->fields[i].name, e->name) != 0) continue;
        e->index = i;
        if (t->kind == TY_MBOX) {
            Type *p = ast_type(c->a, TY_MBOX);
            p->round = r;
            p->proj = i;
            return p;
        }
        return r->fields[i].type;
    }
    diag_error(c->d, e->pos, "the message of round %s has no field '%s'", r->name, e->name);
    return c->t_err;
}

/* Binds a quantifier or comprehension variable to its domain, if it has one. */
static void bind(Checker *c, Binder *b, bool in_code)
{
    if (b->type) resolve_type(c, b->type);
    NameKind k = N_BINDER;
    if (b->dom) {
        b->domx = ast_expr(c->a, E_NAME, b->pos);
        b->domx->name = b->dom;
        Type *t = check_expr(c, b->domx);
        if (t->kind == TY_MBOX && t->proj < 0) {
            k = N_MSGVAR;
            b->type = c->round && c->round->single ? c->round->fields[0].type : c->t_pid;
        } else if (t->kind == TY_SET) {
            b->type = c->t_pid;
        } else if (!is_err(t)) {
            diag_error(c->d, b->pos,
                       "'%s' ranges over %s; only sets and mailboxes can be ranged over", b->name,
                       tn(c, t));
        }
        if (!b->type)
            b->type = c->t_err; /* a bad domain: quantifiers and comprehensions read b->type */
    } else if (!b->type) {
        b->type = ast_type(c->a, TY_UNKNOWN);
    } else if (in_code && b->type->kind == TY_INT) {
        diag_error(c->d, b->pos, "a quantifier over all ints is only allowed in specs");
    }
    check_local_name(c, b->name, b->pos);
    push(c, b->name, k, b);
}

static Type *check_quant(Checker *c, Expr *e)
{
    Scope *saved = c->scope;
    bool in_code = !is_spec_ctx(c->ctx);
    for (Binder *b = e->binders; b; b = b->next)
        bind(c, b, in_code);
    expect(c, e->a, TY_BOOL, "the body of a quantifier");
    for (Binder *b = e->binders; b; b = b->next) {
        if (b->type->kind == TY_UNKNOWN) *b->type = *c->t_pid;
        TypeKind k = b->type->kind;
        if (k != TY_PID && k != TY_INT && k != TY_BOOL && k != TY_ENUM && k != TY_SET &&
            k != TY_STAMP && !is_err(b->type))
            diag_error(c->d, b->pos, "cannot quantify over %s", tn(c, b->type));
        if (in_code && (k == TY_SET || k == TY_STAMP))
            diag_error(c->d, b->pos, "a quantifier over %ss is only allowed in specs",
                       tn(c, b->type));
    }
    c->scope = saved;
    return c->t_bool;
}

static Type *check_compr(Checker *c, Expr *e)
{
    Scope *saved = c->scope;
    Binder *b = e->binders;
    /* A set holds processes, so a binder without a domain or a type is a
     * process from the start: inferred from its first use (`q - 1`) it could
     * become an int, whose C ranges over the specs' active domain, which
     * process code does not have. As a pid it ranges over 0..n-1, the same
     * members (a set keeps only those). */
    if (!b->dom && !b->type) b->type = ast_type(c->a, TY_PID);
    bind(c, b, !is_spec_ctx(c->ctx));
    Type *result = c->t_set;
    bool over_mbox = c->scope->kind == N_MSGVAR; /* the binder is a message of any type */
    if (over_mbox) {
        result = ast_type(c->a, TY_MBOX);
        result->round = c->round;
    }
    expect(c, e->a, TY_BOOL, "the condition of a set comprehension");
    if (b->type->kind == TY_UNKNOWN) *b->type = *c->t_pid;
    if (!over_mbox && !is_err(b->type) && !is_intlike(b->type))
        diag_error(c->d, b->pos, "a set comprehension ranges over processes or a mailbox");
    c->scope = saved;
    return result;
}

static Type *check_expr_inner(Checker *c, Expr *e)
{
    Type *t;
    switch (e->kind) {
    case E_INT:
        return c->t_int;
    case E_BOOL:
        return c->t_bool;
    case E_NAME:
        return check_name(c, e);
    case E_ROUND:
    case E_PHASE:
        if (!is_process_ctx(c->ctx) || c->ctx == C_ROLE) {
            diag_error(c->d, e->pos, "the %s counter is only known inside a round",
                       e->kind == E_ROUND ? "round" : "phase");
            return c->t_err;
        }
        if (c->algo) {
            c->algo->uses_round = true;
            if (e->kind == E_ROUND) c->algo->phase_as_int = true;
        }
        if (e->kind == E_PHASE) {
            e->ival = PHASE_INT; /* until its use says otherwise */
            Expr **np = realloc(c->phases, sizeof *np * (size_t)(c->nphases + 1));
            if (!np) abort();
            c->phases = np;
            c->phases[c->nphases++] = e;
        }
        return c->t_int;
    case E_NEVER:
        return c->t_stamp;
    case E_UNARY:
        if (e->op == OP_NOT) {
            expect(c, e->a, TY_BOOL, "the operand of '!'");
            return c->t_bool;
        }
        expect(c, e->a, TY_INT, "the operand of '-'");
        return c->t_int;
    case E_BINARY:
        return check_binary(c, e);
    case E_COND: {
        expect(c, e->a, TY_BOOL, "the condition of '?:'");
        Type *x = check_expr(c, e->b), *y = check_expr(c, e->c);
        if (!fits(c, e->c, y, x) && !fits(c, e->b, x, y)) {
            diag_error(c->d, e->pos, "the branches of '?:' have different types, %s and %s",
                       tn(c, x), tn(c, y));
            return c->t_err;
        }
        if (x->kind == TY_STAMP || y->kind == TY_STAMP) return c->t_stamp;
        return x->kind == TY_PID ? y : x;
    }
    case E_INDEX:
        return check_index(c, e);
    case E_FIELD:
        return check_field(c, e);
    case E_CALL:
        return check_call(c, e);
    case E_CARD:
        t = check_expr(c, e->a);
        if (t->kind == TY_UNKNOWN)
            infer(e->a, c->t_set);
        else if (!is_err(t) && t->kind != TY_SET && !(t->kind == TY_MBOX && t->proj < 0))
            diag_error(c->d, e->pos, "|...| needs a set or a mailbox, not %s", tn(c, t));
        return c->t_int;
    case E_COMPR:
        return check_compr(c, e);
    case E_SETLIT:
        for (int i = 0; i < e->nargs; i++)
            expect(c, e->args[i], TY_PID, "a set element");
        return c->t_set;
    case E_ABSENT:
        diag_error(c->d, e->pos,
                   "_ leaves out an optional message field: it can only be an element of a sent "
                   "tuple (or a branch of ?: there) for a field declared optional, as in d?: int");
        return c->t_err;
    case E_TUPLE:
        diag_error(c->d, e->pos, "a tuple can only be sent");
        for (int i = 0; i < e->nargs; i++)
            check_expr(c, e->args[i]);
        return c->t_err;
    case E_QUANT:
        return check_quant(c, e);
    }
    return c->t_err;
}

static Type *check_expr(Checker *c, Expr *e)
{
    Type *t = check_expr_inner(c, e);
    if (!t) t = c->t_err;
    e->type = t;
    return t;
}

/* ---- statements ---- */
static bool is_ghost_lvalue(Expr *e)
{
    while (e->kind == E_INDEX || e->kind == E_FIELD)
        e = e->a;
    return e->kind == E_NAME && e->nk == N_STATE && e->decl && e->decl->ghost;
}

static void check_lvalue(Checker *c, Expr *lhs)
{
    Expr *root = lhs;
    while (root->kind == E_INDEX || root->kind == E_FIELD)
        root = root->a;
    bool saved = c->ghost_ok;
    c->ghost_ok = true; /* the target itself may be ghost */
    Type *t = check_expr(c, lhs);
    c->ghost_ok = saved;
    if (is_err(t)) return;
    if (root->kind != E_NAME) return;
    if (root->nk == N_STATE && root->decl && root->decl->kind == D_VAR) {
        if (!is_step_ctx(c->ctx))
            diag_error(c->d, lhs->pos, "state can only be assigned in update");
        return;
    }
    if (root->nk == N_LOCAL) return;
    if (root->nk == N_STATE && root->decl && root->decl->kind == D_INPUT)
        diag_error(c->d, lhs->pos, "'%s' is an input and cannot be assigned", root->name);
    else if (root->nk == N_BINDER && root->binder && root->binder->event_arg)
        diag_error(c->d, lhs->pos, "'%s' is an event argument and cannot be assigned", root->name);
    else if (root->nk == N_BINDER || root->nk == N_MSGVAR)
        diag_error(c->d, lhs->pos, "'%s' is a loop variable and cannot be assigned", root->name);
    else
        diag_error(c->d, lhs->pos, "'%s' cannot be assigned; only variables and locals can",
                   root->name);
}

static bool assignable_type(const Type *t)
{
    return t->kind != TY_MBOX && t->kind != TY_MSG && t->kind != TY_VOID && t->kind != TY_UNKNOWN;
}

/* An element of a sent tuple: a value of field f's type, or, for an
 * optional field, `_` (left out) or `c ? v : _` (`c ? _ : v`), whose `_`
 * takes f's type so that every tool reads it as f's zero. */
static void check_element(Checker *c, Expr *e, const Field *f)
{
    Expr *v = e;
    if (e->kind == E_COND && (e->b->kind == E_ABSENT || e->c->kind == E_ABSENT)) {
        expect(c, e->a, TY_BOOL, "a condition");
        v = e->b->kind == E_ABSENT ? e->c : e->b;
        e->type = f->type;
    }
    Expr *absent = e->kind == E_ABSENT ? e : e != v ? (v == e->b ? e->c : e->b) : NULL;
    if (absent) {
        absent->type = f->type;
        if (!f->optional)
            diag_error(c->d, absent->pos,
                       "field '%s' is not optional: declare it %s?: %s to leave it out with _",
                       f->name, f->name, tn(c, f->type));
        if (v == e) return;
    }
    Type *t = check_expr(c, v);
    if (!fits(c, v, t, f->type))
        diag_error(c->d, v->pos, "field '%s' of the message is %s, not %s", f->name, tn(c, f->type),
                   tn(c, t));
}

static void check_send(Checker *c, Stmt *s)
{
    Round *r = c->round;
    if (c->ctx != C_SEND) {
        diag_error(c->d, s->pos, "messages can only be sent in a round's send block");
        return;
    }
    if (s->lhs) {
        asymmetric(c);
        Type *t = check_expr(c, s->lhs);
        if (!is_err(t) && !is_intlike(t) && t->kind != TY_SET)
            diag_error(c->d, s->lhs->pos, "a message goes to a process or a set, not %s", tn(c, t));
    }
    Expr *m = s->rhs;
    if (m->kind == E_TUPLE) {
        if (r->inferred) {
            diag_error(
                c->d, m->pos,
                "to send a tuple, declare the round's message, as in round R msg (a: int, b: int)");
            return;
        }
        if (m->nargs != r->nfields) {
            diag_error(c->d, m->pos, "the message of this round has %d field%s, not %d", r->nfields,
                       r->nfields == 1 ? "" : "s", m->nargs);
            return;
        }
        for (int i = 0; i < m->nargs; i++)
            check_element(c, m->args[i], &r->fields[i]);
        return;
    }
    Type *t = check_expr(c, m);
    if (is_err(t)) return;
    if (r->inferred) {
        if (!assignable_type(t) || t->kind == TY_ARRAY) {
            diag_error(c->d, m->pos, "cannot send %s", tn(c, t));
            return;
        }
        r->fields = arena_alloc(c->a, sizeof *r->fields);
        r->fields[0] =
            (Field){.name = "value", .pos = r->pos, .type = t->kind == TY_PID ? c->t_int : t};
        r->nfields = 1;
        r->single = true;
        r->inferred = false;
        return;
    }
    if (r->nfields != 1) {
        diag_error(c->d, m->pos, "the message of this round has %d fields; send a tuple",
                   r->nfields);
        return;
    }
    if (!fits(c, m, t, r->fields[0].type))
        diag_error(c->d, m->pos, "the message of this round is %s, not %s",
                   tn(c, r->fields[0].type), tn(c, t));
}

static void check_for(Checker *c, Stmt *s)
{
    Scope *saved = c->scope;
    Type *t = check_expr(c, s->cond);
    NameKind k = N_LOCAL;
    s->var->type = c->t_pid;
    if (s->hi) {
        if (!is_err(t) && !is_intlike(t))
            diag_error(c->d, s->cond->pos, "a range bound must be an int");
        expect(c, s->hi, TY_INT, "a range bound");
        s->var->type = c->t_int;
    } else if (t->kind == TY_MBOX && t->proj < 0) {
        k = N_MSGVAR;
        asymmetric(c);
        if (c->round && c->round->single) s->var->type = c->round->fields[0].type;
    } else if (!is_err(t) && t->kind != TY_SET) {
        diag_error(c->d, s->cond->pos, "a for loop ranges over a set, a mailbox or lo..hi, not %s",
                   tn(c, t));
    } else {
        asymmetric(c);
    }
    check_local_name(c, s->var->name, s->var->pos);
    push(c, s->var->name, k, s->var);
    c->scope->kind = k == N_MSGVAR ? N_MSGVAR : N_BINDER; /* loop variables are read-only */
    check_stmt(c, s->body);
    c->scope = saved;
}

static void check_assign(Checker *c, Stmt *s)
{
    check_lvalue(c, s->lhs);
    bool saved = c->ghost_ok;
    c->ghost_ok = saved || is_ghost_lvalue(s->lhs);
    Type *r = check_expr(c, s->rhs);
    c->ghost_ok = saved;
    Type *l = s->lhs->type;
    if (!fits(c, s->rhs, r, l))
        diag_error(c->d, s->pos, "cannot assign %s to %s", tn(c, r), tn(c, l));
    else if (!is_err(l) && !assignable_type(l))
        diag_error(c->d, s->pos, "cannot assign %s", tn(c, l));
}

/* A local: in scope until the end of its block. */
static void check_let(Checker *c, Stmt *s)
{
    Type *t = check_expr(c, s->rhs);
    if (s->var->type) {
        resolve_type(c, s->var->type);
        if (!fits(c, s->rhs, t, s->var->type))
            diag_error(c->d, s->pos, "'%s' is declared %s but given %s", s->var->name,
                       tn(c, s->var->type), tn(c, t));
    } else {
        s->var->type = t;
    }
    if (!is_err(t) && (!assignable_type(t) || t->kind == TY_ARRAY))
        diag_error(c->d, s->pos, "a local cannot hold %s", tn(c, t));
    check_local_name(c, s->var->name, s->var->pos);
    push(c, s->var->name, N_LOCAL, s->var);
}

static void check_output(Checker *c, Stmt *s)
{
    Expr *call = s->rhs;
    Decl *o = find_output(c, call->name);
    if (!o) {
        if (find_global(c, call->name, D_DEF) || find_global(c, call->name, D_EXTERN))
            diag_error(c->d, s->pos, "the result of '%s' is not used", call->name);
        else
            diag_error(c->d, s->pos, "'%s' is not an output of this algorithm", call->name);
        return;
    }
    s->out = o;
    if (!is_step_ctx(c->ctx)) diag_error(c->d, s->pos, "outputs can only be produced in update");
    int want = o->ret ? 1 : 0;
    if (call->nargs != want) {
        diag_error(c->d, s->pos, "output '%s' takes %d value%s", o->name, want, want ? "" : "s");
        return;
    }
    if (want) {
        Type *t = check_expr(c, call->args[0]);
        if (!fits(c, call->args[0], t, o->ret))
            diag_error(c->d, call->args[0]->pos, "output '%s' takes %s, not %s", o->name,
                       tn(c, o->ret), tn(c, t));
    }
}

static void check_stmt(Checker *c, Stmt *s)
{
    for (; s; s = s->next) {
        switch (s->kind) {
        case S_BLOCK: {
            Scope *saved = c->scope;
            check_stmt(c, s->body);
            c->scope = saved;
            break;
        }
        case S_ASSIGN:
            check_assign(c, s);
            break;
        case S_IF: {
            expect(c, s->cond, TY_BOOL, "an if condition");
            Scope *saved = c->scope;
            check_stmt(c, s->body);
            c->scope = saved;
            check_stmt(c, s->els);
            c->scope = saved;
            break;
        }
        case S_FOR:
            check_for(c, s);
            break;
        case S_LET:
            check_let(c, s);
            break;
        case S_SEND:
            check_send(c, s);
            break;
        case S_OUTPUT:
            check_output(c, s);
            break;
        case S_HALT:
            if (!is_step_ctx(c->ctx)) diag_error(c->d, s->pos, "halt can only be used in update");
            break;
        case S_ERROR:
            break;
        }
    }
}

/* ---- declarations ---- */
static bool storable(Checker *c, Type *t, Pos p, const char *what)
{
    resolve_type(c, t);
    if (is_err(t)) return false;
    if (t->kind == TY_ARRAY && (t->elem->kind == TY_ARRAY && t->elem->len < 0 && t->len < 0)) {
        diag_error(c->d, p, "%s: only one dimension may be indexed by process", what);
        return false;
    }
    return true;
}

static void check_duplicate(Checker *c, Decl *list, Decl *d)
{
    for (Decl *o = list; o && o != d; o = o->next) {
        if (!o->name || !d->name || o->kind == D_IMPORT || d->kind == D_IMPORT) continue;
        if (o->kind == D_ROUND || d->kind == D_ROUND) {
            if (o->kind == d->kind && o->name && d->name && strcmp(o->name, d->name) == 0)
                diag_error(c->d, d->pos, "round '%s' is defined twice", d->name);
            continue;
        }
        if (strcmp(o->name, d->name) == 0) {
            diag_error(c->d, d->pos, "'%s' is already defined", d->name);
            diag_note(c->d, o->pos, "the first definition is here");
            return;
        }
    }
    static const char *reserved[] = {"id",  "n",      "procs",  "mbox", "HO",    "min",
                                     "max", "argmin", "argmax", "mmor", "sender"};
    for (size_t i = 0; i < sizeof reserved / sizeof *reserved; i++)
        if (d->name && strcmp(d->name, reserved[i]) == 0 && !(d->kind == D_PARAM && i == 1))
            diag_error(c->d, d->pos, "'%s' is a built-in name and cannot be redefined", d->name);
    if (d->name && strncmp(d->name, "hoc_", 4) == 0)
        diag_error(c->d, d->pos, "names starting with hoc_ are reserved");
}

static void check_round(Checker *c, Round *r)
{
    c->round = r;
    for (int i = 0; i < r->nfields; i++) {
        storable(c, r->fields[i].type, r->fields[i].pos, "a message field");
        if (mentions_identity(r->fields[i].type) && c->algo) c->algo->uses_id = true;
        if (r->fields[i].type->kind == TY_ARRAY && r->fields[i].type->len < 0)
            diag_error(c->d, r->fields[i].pos, "a message cannot hold an array indexed by process");
        for (int j = 0; j < i; j++)
            if (strcmp(r->fields[i].name, r->fields[j].name) == 0)
                diag_error(c->d, r->fields[i].pos, "field '%s' is declared twice",
                           r->fields[i].name);
        if (strcmp(r->fields[i].name, "sender") == 0)
            diag_error(c->d, r->fields[i].pos, "'sender' is the built-in field of every message");
        if (r->fields[i].optional && ++r->noptional == 65)
            diag_error(c->d, r->fields[i].pos,
                       "a message has at most 64 optional fields (one bit each of its presence "
                       "mask)");
    }
    c->ctx = C_SEND;
    c->scope = NULL;
    check_stmt(c, r->send);
    if (r->inferred) { /* nothing sent: an empty message */
        r->inferred = false;
        r->single = true;
        r->fields = arena_alloc(c->a, sizeof *r->fields);
        r->fields[0] = (Field){.name = "value", .pos = r->pos, .type = c->t_bool};
        r->nfields = 1;
    }
    c->ctx = C_UPDATE;
    c->scope = NULL;
    check_stmt(c, r->update);
    c->ctx = C_PARAM;
    if (r->wait) expect(c, r->wait, TY_INT, "wait");
    if (r->goahead) expect(c, r->goahead, TY_INT, "goahead");
    c->ctx = C_WHEN;
    if (r->when) expect(c, r->when, TY_BOOL, "a progress predicate");
    if (r->timeout_us && r->timeout_us->ival <= 0)
        diag_error(c->d, r->timeout_us->pos, "a timeout must be positive");
    c->round = NULL;
}

/* n is always parameter 0, declared or not. */
static Decl *param_n(Checker *c, Algo *al, Decl *ad)
{
    Decl *n = NULL;
    for (Decl *d = ad->members_list; d; d = d->next)
        if (d->kind == D_PARAM && strcmp(d->name, "n") == 0) n = d;
    if (!n) n = ast_decl(c->a, D_PARAM, ad->pos, "n");
    n->index = 0;
    PUSH_ARRAY(al->params, al->nparams, n);
    return n;
}

/* The first pass: files member d in al's lists with its type, so that the
 * second pass may use any member from any other. */
static void declare_member(Checker *c, Algo *al, Decl *d, const Decl *n)
{
    switch (d->kind) {
    case D_PARAM:
        if (d != n) {
            d->index = al->nparams;
            PUSH_ARRAY(al->params, al->nparams, d);
        }
        if (d->init) PUSH_ARRAY(al->where, al->nwhere, d);
        break;
    case D_INPUT:
        if (mentions_identity(d->type)) al->uses_id = true;
        if (storable(c, d->type, d->pos, "an input") && d->type->kind != TY_INT &&
            d->type->kind != TY_BOOL && d->type->kind != TY_PID && d->type->kind != TY_ENUM &&
            d->type->kind != TY_BYTES)
            diag_error(c->d, d->pos, "an input must be an int, bool, pid, enum or bytes");
        PUSH_ARRAY(al->inputs, al->ninputs, d);
        if (al->ninputs == HOC_MAXINPUTS + 1)
            diag_error(c->d, d->pos, "at most %d inputs (what drivers hold for one process)",
                       HOC_MAXINPUTS);
        break;
    case D_OUTPUT:
        if (d->ret) storable(c, d->ret, d->pos, "an output");
        if (d->ret && (d->ret->kind == TY_ARRAY || d->ret->kind == TY_STAMP))
            diag_error(c->d, d->pos, "an output carries an int, bool, pid, enum, set or bytes");
        /* `agreed`: every process that produces it produces the same value, so a
         * process may adopt a peer's (the runtime forwards it) */
        if (d->attr && strcmp(d->attr, "agreed") != 0)
            diag_error(c->d, d->attr_pos,
                       "unknown output attribute '%s' (the one there is: agreed)", d->attr);
        d->agreed = d->attr != NULL;
        PUSH_ARRAY(al->outputs, al->noutputs, d);
        break;
    case D_VAR:
        storable(c, d->type, d->pos, "a variable");
        if (mentions_identity(d->type)) al->uses_id = true; /* ghosts too: specs read them */
        PUSH_ARRAY(al->vars, al->nvars, d);
        break;
    case D_ORACLE:
        resolve_type(c, d->type);
        if (!is_err(d->type) && d->type->kind != TY_BOOL)
            diag_error(c->d, d->pos, "an oracle is a bool the driver chooses");
        PUSH_ARRAY(al->oracles, al->noracles, d);
        if (al->noracles > 64) diag_error(c->d, d->pos, "at most 64 oracles");
        break;
    case D_ROUND:
        d->round->index = al->nrounds;
        if (!d->round->name) {
            char buf[32];
            snprintf(buf, sizeof buf, "r%d", al->nrounds);
            d->round->name = d->name = arena_strndup(c->a, buf, strlen(buf));
        }
        PUSH_ARRAY(al->rounds, al->nrounds, d->round);
        break;
    case D_SPEC:
        PUSH_ARRAY(al->specs, al->nspecs, d);
        break;
    case D_LET:
        PUSH_ARRAY(al->lets, al->nlets, d);
        break;
    case D_EVENT:
        PUSH_ARRAY(al->events, al->nevents, d);
        if (al->nevents > 16) diag_error(c->d, d->pos, "at most 16 events");
        break;
    case D_REPLACED:
        al->replaced = d;
        break;
    default:
        diag_error(c->d, d->pos,
                   "this declaration belongs at the top level, outside the algorithm");
        break;
    }
}

static void check_progress(Checker *c, Algo *al, Decl *d);

/* Only a message's field may be left out: an argument always has a value. */
static void not_optional(Checker *c, const Field *f)
{
    if (f->optional)
        diag_error(c->d, f->pos,
                   "only a message field can be optional (%s?: ...); an argument always has a "
                   "value",
                   f->name);
}

/* An event argument: an int, bool, pid or enum, passed as an int64, or a
 * bytes[K], passed as K bytes or as an int standing for them (like a bytes
 * input). A range lo..hi is fixed by the params and bounds what the drivers
 * enumerate (hoc check) and draw (hoc sim): for an int also what services
 * accept; for bytes, the ints standing for blocks (services hand any K bytes). */
static void check_event_arg(Checker *c, Decl *d, int i)
{
    Field *f = &d->params[i];
    resolve_type(c, f->type);
    not_optional(c, f);
    TypeKind k = f->type->kind;
    if (!is_err(f->type) && k != TY_INT && k != TY_BOOL && k != TY_PID && k != TY_ENUM &&
        k != TY_BYTES)
        diag_error(c->d, f->pos, "an event argument is an int, bool, pid, enum or bytes, not %s",
                   tn(c, f->type));
    if (k == TY_PID && c->algo) c->algo->uses_id = true;
    for (int j = 0; j < i; j++)
        if (strcmp(f->name, d->params[j].name) == 0)
            diag_error(c->d, f->pos, "argument '%s' is declared twice", f->name);
    if (f->lo) {
        if (k != TY_INT && k != TY_BYTES && !is_err(f->type))
            diag_error(c->d, f->lo->pos, "only an int or bytes argument takes a range");
        Ctx saved = c->ctx;
        c->ctx = C_PARAM;
        expect(c, f->lo, TY_INT, "a range bound");
        expect(c, f->hi, TY_INT, "a range bound");
        c->ctx = saved;
        /* empty at every params: no driver could ever offer the event (one
         * that a param empties is refused by the drivers at those params) */
        int64_t lo, hi;
        if (constant_expr(c, f->lo) && constant_expr(c, f->hi) && fold(c, f->lo, &lo) &&
            fold(c, f->hi, &hi) && hi <= lo)
            diag_error(c->d, f->pos,
                       "argument '%s' ranges over %" PRId64 "..%" PRId64
                       ", which is empty (hi is excluded)",
                       f->name, lo, hi);
    }
}

/* An event handler, or the replaced block: process code that runs between
 * rounds, may assign state and produce outputs, and has no mailbox; an
 * event's arguments are read-only locals. */
static void check_event(Checker *c, Decl *d)
{
    c->ctx = C_EVENT;
    if (d->nparams > 8) diag_error(c->d, d->pos, "an event takes at most 8 arguments");
    for (int i = 0; i < d->nparams; i++) {
        check_event_arg(c, d, i);
        Binder *b = arena_alloc(c->a, sizeof *b);
        *b = (Binder){.name = d->params[i].name,
                      .pos = d->params[i].pos,
                      .type = d->params[i].type,
                      .event_arg = d->kind == D_EVENT};
        d->params[i].binder = b;
        check_local_name(c, b->name, b->pos);
        push(c, b->name, N_LOCAL, b);
        c->scope->kind = N_BINDER; /* read-only, like a loop variable */
    }
    check_stmt(c, d->body);
    c->scope = NULL;
}

/* The second pass: the expressions and code of every member, in declaration order. */
static void check_members(Checker *c, Algo *al, Decl *ad)
{
    for (Decl *d = ad->members_list; d; d = d->next) {
        c->scope = NULL;
        c->ghost_ok = false;
        switch (d->kind) {
        case D_PARAM:
            c->ctx = C_PARAM;
            if (d->init) expect(c, d->init, TY_BOOL, "a parameter constraint");
            break;
        case D_VAR:
            if (!d->init) break;
            c->ctx = C_INIT;
            c->ghost_ok = d->ghost;
            d->init->type = check_expr(c, d->init);
            if (!fits(c, d->init, d->init->type, d->type))
                diag_error(c->d, d->init->pos, "'%s' is %s but is initialised with %s", d->name,
                           tn(c, d->type), tn(c, d->init->type));
            d->used = true;
            break;
        case D_LET: {
            c->ctx = d->role ? C_ROLE : C_LET;
            Type *t = check_expr(c, d->init);
            if (d->role && !is_err(t) && t->kind != TY_BOOL)
                diag_error(c->d, d->init->pos, "a role is a bool, not %s", tn(c, t));
            if (!is_err(t) && !assignable_type(t))
                diag_error(c->d, d->init->pos, "a let cannot name %s", tn(c, t));
            d->type = t;
            break;
        }
        case D_ROUND:
            check_round(c, d->round);
            break;
        case D_EVENT:
        case D_REPLACED:
            check_event(c, d);
            break;
        case D_SPEC:
            c->ctx = d->spec_kind == SPEC_ASSUME ? C_ASSUME : C_SPEC;
            c->ghost_ok = true;
            int before = c->d->errors;
            expect(c, d->init, TY_BOOL, "a spec formula");
            if (d->spec_kind == SPEC_PROGRESS) check_progress(c, al, d);
            if (c->d->errors == before) qdom_spec(c->a, c->d, d); /* needs resolved names */
            break;
        default:
            break;
        }
    }
}

static Algo *check_algo(Checker *c, Decl *ad)
{
    Algo *al = calloc(1, sizeof *al);
    if (!al) abort();
    al->decl = ad;
    c->algo = al;
    Decl *n = param_n(c, al, ad);
    for (Decl *d = ad->members_list; d; d = d->next)
        check_duplicate(c, ad->members_list, d);
    for (Decl *d = ad->members_list; d; d = d->next)
        declare_member(c, al, d, n);
    if (al->nrounds == 0) diag_error(c->d, ad->pos, "algorithm '%s' has no round", ad->name);
    if (al->nparams > 16) diag_error(c->d, ad->pos, "at most 16 params");
    check_members(c, al, ad);
    for (int i = 0; i < c->nphases; i++)
        if (c->phases[i]->ival == PHASE_INT) al->phase_as_int = true;
    c->nphases = 0;
    c->algo = NULL;
    return al;
}

/* A progress stage names an `eventually` assumption and one of its rounds
 * (a stage given twice is one name defined twice, reported as such). */
static void check_progress(Checker *c, Algo *al, Decl *d)
{
    for (int i = 0; i < al->nspecs; i++) {
        Decl *s = al->specs[i];
        if (s->spec_kind == SPEC_ASSUME && strcmp(s->name, d->target) == 0) d->assumption = s;
    }
    if (!d->assumption || d->assumption->ev_rounds == 0) {
        diag_error(c->d, d->pos,
                   "progress '%s': there is no assumption '%s: eventually ...' for it to follow",
                   d->target, d->target);
        return;
    }
    int64_t k = d->assumption->ev_rounds < 0 ? al->nrounds : d->assumption->ev_rounds;
    if (d->ev_rounds < 1 || d->ev_rounds > k)
        diag_error(c->d, d->pos,
                   "progress '%s' after %lld rounds: the assumption promises %lld good round%s",
                   d->target, (long long)d->ev_rounds, (long long)k, k == 1 ? "" : "s");
}

static void check_def(Checker *c, Decl *d)
{
    c->ctx = C_DEF;
    c->scope = NULL;
    if (d->ret) resolve_type(c, d->ret);
    for (int i = 0; i < d->nparams; i++) {
        resolve_type(c, d->params[i].type);
        not_optional(c, &d->params[i]);
        for (int j = 0; j < i; j++)
            if (strcmp(d->params[i].name, d->params[j].name) == 0)
                diag_error(c->d, d->params[i].pos, "parameter '%s' is declared twice",
                           d->params[i].name);
        if (d->kind == D_DEF) {
            Binder *b = arena_alloc(c->a, sizeof *b);
            b->name = d->params[i].name;
            b->pos = d->params[i].pos;
            b->type = d->params[i].type;
            push(c, b->name, N_LOCAL, b);
            c->scope->kind = N_BINDER;
        }
        Type *t = d->params[i].type;
        /* a function could compute with a stamp, which stamps must not allow */
        if (!is_err(t) && (t->kind == TY_ARRAY || t->kind == TY_SET || t->kind == TY_STAMP))
            diag_error(c->d, d->params[i].pos, "functions take ints, bools, pids, enums or bytes");
    }
    if (d->ret && !is_err(d->ret) &&
        (d->ret->kind == TY_ARRAY || d->ret->kind == TY_SET || d->ret->kind == TY_STAMP))
        diag_error(c->d, d->pos, "functions return an int, bool, pid, enum or bytes");
    if (d->kind == D_DEF) {
        Type *t = check_expr(c, d->init);
        if (!same_type(t, d->ret))
            diag_error(c->d, d->init->pos, "'%s' returns %s, but its body is %s", d->name,
                       tn(c, d->ret), tn(c, t));
    }
    d->used = true;
    c->scope = NULL;
}

Algo *check_program(Program *p)
{
    Checker c = {.prog = p, .a = p->arena, .d = p->diag};
    c.t_int = ast_type(c.a, TY_INT);
    c.t_bool = ast_type(c.a, TY_BOOL);
    c.t_pid = ast_type(c.a, TY_PID);
    c.t_set = ast_type(c.a, TY_SET);
    c.t_void = ast_type(c.a, TY_VOID);
    c.t_err = ast_type(c.a, TY_ERROR);
    c.t_stamp = ast_type(c.a, TY_STAMP);
    Algo *head = NULL, **tail = &head;
    for (Decl *d = p->decls; d; d = d->next) {
        check_duplicate(&c, p->decls, d);
        switch (d->kind) {
        case D_CONST: {
            int64_t v;
            const_value(&c, d, d->pos, &v);
            break;
        }
        case D_ENUM:
            for (int i = 0; i < d->nmembers; i++) {
                int idx;
                Decl *o = find_enum_member(&c, d->members[i], &idx);
                if (o != d || idx != i)
                    diag_error(c.d, d->pos, "enum member '%s' is already defined", d->members[i]);
            }
            break;
        case D_DEF:
        case D_EXTERN:
            check_def(&c, d);
            break;
        case D_ALGO: {
            Algo *a = check_algo(&c, d);
            *tail = a;
            tail = &a->next;
            break;
        }
        case D_IMPORT:
            break;
        default:
            diag_error(c.d, d->pos, "this declaration belongs inside an algorithm");
            break;
        }
    }
    if (!head && p->diag->errors == 0)
        /* at the top of the main file (the first source read), even if it is empty */
        diag_error(c.d, (Pos){p->diag->nsources ? p->diag->sources[0].file : NULL, 1, 1},
                   "no algorithm is defined");
    free(c.phases);
    return head;
}

void algo_free(Algo *a)
{
    while (a) {
        Algo *next = a->next;
        free(a->params), free(a->inputs), free(a->outputs), free(a->vars);
        free(a->oracles), free(a->lets), free(a->specs), free(a->rounds), free(a->events);
        free(a->where), free(a->phase_mods);
        free(a);
        a = next;
    }
}
