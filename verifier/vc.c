/* vc.c: from the checked AST to quantifier-free Z3 queries.
 *
 * Processes are the integers 0..n-1 (1 <= n <= HOC_MAXN = 64). A state
 * variable is an uninterpreted function of the process (a set-valued one a
 * relation); the heard-of sets of the round are a relation ho(p, q). The
 * post-state of a round is a macro: the update block is executed
 * symbolically once for a generic process S, and the result is instantiated
 * at any term by substitution. Mailbox aggregates (|mbox|, filtered counts,
 * mmor, min/max, argmin/argmax) become uninterpreted functions of the
 * process, axiomatised wherever they occur at a ground process.
 *
 * Sets are predicates over a placeholder Q. Every cardinality |{Q | P}| is an
 * integer constant defined over Venn regions: the atomic conditions of all
 * counted predicates (in one family) split the processes into 2^k regions of
 * non-negative size summing to n; a count is the sum of its regions; a
 * ground process in a region makes it non-empty, and a non-empty region has a
 * witness (added lazily, from the solver's models).
 *
 * Quantifiers over processes and ints are handled soundly for refutation:
 * existential ones (after pushing negations) become fresh constants
 * (skolemisation, exact); universal ones become a proxy boolean implied by
 * instances at a bounded pool of ground terms (a weakening). So "unsat"
 * means proved; "sat" yields a model of the bounded encoding (a
 * counterexample candidate). Anything else is reported unsupported. */
#include "vc.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "rfacts.h"
#include "smt.h"

#define MAXSLOT 96
#define MAXLOC 64
#define MAXF 16
#define MAX_ATOMS 13  /* 8192 regions in one family */
#define SPLIT_ATOMS 9 /* beyond this, further counts get families of their own */
#define CROSS_ATOMS 9 /* a family takes the main family's bounds on its E(Q) up to this */
#define RANGE_ATOMS 9 /* order facts between bounds, in families up to this size */
#define INST_DEPTH 3  /* rounds of universal instantiation at level 0 */
#define MAX_POOL 40
#define MAX_WIT_ROUNDS 40
#define EAGER_ATOMS 0
#define MAX_WITNESSES 160
#define MAX_ASSERTED 400000
#define HOC_MAXN 64

typedef enum View { V_PRE, V_INIT, V_POST } View;

typedef struct Slot {
    Decl *d;
    const char *name;
    int kind;       /* 0 int-like, 1 bool, 2 set */
    int64_t enum_n; /* enum: members */
    Z3_func_decl pre;
} Slot;

typedef struct Bind {
    Binder *b;
    Z3_ast val; /* a term, or for a set binder a predicate over Q */
    struct Bind *next;
} Bind;

typedef struct Env {
    View view;
    bool code;   /* process code (send, update, init, lets) */
    Round *rnd;  /* the round whose mailbox code reads */
    Z3_ast self; /* code: the executing process (S), or a ground term */
    Z3_ast cur[MAXSLOT];
    Binder *locb[MAXLOC];
    Z3_ast loc[MAXLOC];
    int nloc;
    Z3_ast done;                 /* code: halted in this update */
    Z3_ast sends, payload[MAXF]; /* send block */
    Z3_ast to;                   /* send block: the recipient (T) */
    Bind *binds;
    int inset;      /* Q is bound */
    int level;      /* instantiation level of what is being built */
    bool goal;      /* translating the (negated) goal, or an instance of its quantifiers */
    bool instance;  /* translating an instance of a hypothesis quantifier */
    bool in_int;    /* translating an instance of an int quantifier... */
    Z3_ast origin;  /* ...whose value was read at this process (NULL: a skolem) */
    Z3_ast inst_at; /* translating an instance of a process quantifier at this term */
} Env;

typedef enum AggKind { AG_CARD, AG_MMOR, AG_MIN, AG_MAX, AG_ARGMIN, AG_ARGMAX } AggKind;

typedef struct Agg {
    AggKind kind;
    Z3_func_decl f;
    Z3_ast pred; /* over S and Q */
    Z3_ast val;  /* the aggregated value of the message from Q to S */
} Agg;

typedef struct Card {
    Z3_ast pred; /* ground but for Q */
    Z3_ast c;
    int fam;
} Card;

typedef struct Family {
    int *atoms, natoms;
    Z3_ast *r;
    Z3_ast *wit; /* per region, lazily */
    bool sealed;
    int ncards_at_seal;
} Family;

typedef struct Pend {
    /* AST-level: a quantifier over q->binders from binder b on */
    Expr *q;
    Binder *b;
    Bind *binds;
    View view;
    Round *rnd;
    int body_pol;
    bool negate;
    /* Z3-level: pred over Q, instantiated by substitution */
    Z3_ast zpred;
    Z3_ast proxy;
    bool is_int;
    bool goal;
    unsigned *done;
    int ndone, capdone;
    int level;
    bool nested;   /* created inside an instance of an int quantifier */
    Z3_ast origin; /* that instance's process, or NULL */
} Pend;

typedef struct IdSet {
    unsigned *v;
    size_t cap, n;
} IdSet;

typedef struct Vc {
    Smt s;
    Z3_context c;
    Algo *al;
    const VcObligation *ob;
    Slot slot[MAXSLOT];
    int nslot, s_halted; /* s_halted: stopped, i.e. halted or crashed (frozen for good) */
    bool stamp[MAXSLOT]; /* rfacts.h: a stamp, at most max(stamp_k, previous phase) */
    int64_t stamp_k[MAXSLOT];
    RfSettled settled[MAXSLOT]; /* rfacts.h: values settled at the start of the round */
    RfCompanion comp[MAXSLOT];  /* rfacts.h: a variable set with a stamp */
    int ncomp;
    Decl *halting[MAXSLOT]; /* rfacts.h: true only at stopped processes */
    int nhalting;
    int nsettled;
    int settled_round; /* the round of the phase they are the facts of */
    Z3_ast par[16];
    Z3_ast n, R, phase, Q, S, T;
    Z3_sort I, B;
    Z3_func_decl ho, crashnow;
    Z3_func_decl good; /* uniform: every process hears good(q), the same set */
    bool uniform;
    Z3_func_decl fdiv, fmod; /* / and % by a non-constant: uninterpreted, axiomatised */
    IdSet arith_done;
    Z3_func_decl oracle[64];
    /* per round r of the obligation: sends/payload over S (sender), T (recipient) */
    Z3_ast sends, payload[MAXF];
    Round *rnd;
    Z3_ast post[MAXSLOT], init[MAXSLOT];
    bool have_post, have_init;
    Agg *aggs;
    int naggs, capaggs;
    Card *cards;
    int ncards, capcards;
    Z3_ast *atoms;
    int natoms, capatoms;
    Family *fams;
    int nfams, capfams;
    int cur_fam;
    Pend *pends;
    int npends, cappends;
    /* pools of ground terms */
    Z3_ast pool[MAX_POOL * 4];
    int npool, pool_level0, pool_core;
    int cand_lo, cand_hi; /* the pool terms whose values int quantifiers take (wide) */
    /* per-term families: the family holding a ground term's aggregate axioms */
    unsigned *fam_term;
    int *fam_of_term;
    int nfamterm, capfamterm, capfamterm2;
    /* global counts of value atoms E(Q) == a */
    int *vatom;
    Z3_ast *vcount;
    int nvatom, capvatom, capvatom2;
    IdSet inpool;
    Z3_ast *ints; /* int skolems, with the binder they stand for */
    Binder **intb;
    Z3_ast *intat; /* the process of the hypothesis instance that made it, or NULL */
    int nints, capints;
    IdSet agg_done;
    IdSet range_done;
    Z3_ast *asserted;
    int nasserted, capasserted;
    int nwit;
    bool int_wide;       /* int quantifiers also take the values compared with them */
    bool no_crash;       /* liveness: the heard-of model proper, where nobody crashes... */
    bool never_stopped;  /* ...and, if the algorithm never halts, nobody is stopped */
    double deadline;     /* of the attempt (monotonic seconds), 0: none */
    struct Bind **binds; /* every Bind cell made, freed with the Vc */
    int nbinds, capbinds;
    int fresh;
    char unsup[400];
    char note[200];
} Vc;

#define GROW(arr, n, cap)                                                                          \
    do {                                                                                           \
        if ((n) >= (cap)) {                                                                        \
            size_t nc_ = (cap) ? (size_t)(cap)*2 : 16;                                             \
            void *p_ = realloc((arr), nc_ * sizeof *(arr));                                        \
            if (!p_) abort();                                                                      \
            (arr) = p_;                                                                            \
            (cap) = (int)nc_;                                                                      \
        }                                                                                          \
    } while (0)

/* ---- small helpers ---- */
static void unsupported(Vc *v, Pos p, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void unsupported(Vc *v, Pos p, const char *fmt, ...)
{
    if (v->unsup[0]) return;
    char msg[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(v->unsup, sizeof v->unsup, "%s:%d:%d: %s", p.file ? p.file : "?", p.line, p.col, msg);
}

static bool idset_add(IdSet *s, unsigned id)
{
    if (s->n * 2 + 2 > s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 256;
        unsigned *nv = calloc(nc, sizeof *nv);
        if (!nv) abort();
        for (size_t i = 0; i < s->cap; i++)
            if (s->v[i]) {
                size_t h = (s->v[i] * 2654435761u) & (nc - 1);
                while (nv[h])
                    h = (h + 1) & (nc - 1);
                nv[h] = s->v[i];
            }
        free(s->v);
        s->v = nv;
        s->cap = nc;
    }
    unsigned key = id + 1;
    size_t h = (key * 2654435761u) & (s->cap - 1);
    while (s->v[h]) {
        if (s->v[h] == key) return false;
        h = (h + 1) & (s->cap - 1);
    }
    s->v[h] = key;
    s->n++;
    return true;
}

static bool idset_has(const IdSet *s, unsigned id)
{
    if (!s->cap) return false;
    unsigned key = id + 1;
    size_t h = (key * 2654435761u) & (s->cap - 1);
    while (s->v[h]) {
        if (s->v[h] == key) return true;
        h = (h + 1) & (s->cap - 1);
    }
    return false;
}

static unsigned aid(Vc *v, Z3_ast a)
{
    return Z3_get_ast_id(v->c, a);
}
static Z3_ast num(Vc *v, int64_t k)
{
    return Z3_mk_int64(v->c, k, v->I);
}
static Z3_ast tru(Vc *v)
{
    return Z3_mk_true(v->c);
}
static Z3_ast fls(Vc *v)
{
    return Z3_mk_false(v->c);
}
static Z3_ast not_(Vc *v, Z3_ast a)
{
    return Z3_mk_not(v->c, a);
}
static Z3_ast and2(Vc *v, Z3_ast a, Z3_ast b)
{
    Z3_ast x[2] = {a, b};
    return Z3_mk_and(v->c, 2, x);
}
static Z3_ast or2(Vc *v, Z3_ast a, Z3_ast b)
{
    Z3_ast x[2] = {a, b};
    return Z3_mk_or(v->c, 2, x);
}
static Z3_ast imp(Vc *v, Z3_ast a, Z3_ast b)
{
    return Z3_mk_implies(v->c, a, b);
}
static Z3_ast eq(Vc *v, Z3_ast a, Z3_ast b)
{
    return Z3_mk_eq(v->c, a, b);
}
static Z3_ast ite(Vc *v, Z3_ast c, Z3_ast a, Z3_ast b)
{
    return Z3_mk_ite(v->c, c, a, b);
}
static Z3_ast le(Vc *v, Z3_ast a, Z3_ast b)
{
    return Z3_mk_le(v->c, a, b);
}
static Z3_ast lt(Vc *v, Z3_ast a, Z3_ast b)
{
    return Z3_mk_lt(v->c, a, b);
}
static Z3_ast add2(Vc *v, Z3_ast a, Z3_ast b)
{
    Z3_ast x[2] = {a, b};
    return Z3_mk_add(v->c, 2, x);
}
static Z3_ast sub2(Vc *v, Z3_ast a, Z3_ast b)
{
    Z3_ast x[2] = {a, b};
    return Z3_mk_sub(v->c, 2, x);
}
static Z3_ast mul2(Vc *v, Z3_ast a, Z3_ast b)
{
    Z3_ast x[2] = {a, b};
    return Z3_mk_mul(v->c, 2, x);
}
static Z3_ast app1(Vc *v, Z3_func_decl f, Z3_ast a)
{
    return Z3_mk_app(v->c, f, 1, &a);
}
static Z3_ast app2(Vc *v, Z3_func_decl f, Z3_ast a, Z3_ast b)
{
    Z3_ast x[2] = {a, b};
    return Z3_mk_app(v->c, f, 2, x);
}
static bool is_bool(Vc *v, Z3_ast a)
{
    return Z3_get_sort_kind(v->c, Z3_get_sort(v->c, a)) == Z3_BOOL_SORT;
}
static Z3_ast fresh_const(Vc *v, const char *pfx, Z3_sort s)
{
    char name[64];
    snprintf(name, sizeof name, "%s!%d", pfx, v->fresh++);
    return Z3_mk_const(v->c, Z3_mk_string_symbol(v->c, name), s);
}
static Z3_func_decl fresh_fn(Vc *v, const char *pfx, unsigned ar, Z3_sort *dom, Z3_sort rng)
{
    char name[96];
    snprintf(name, sizeof name, "%s!%d", pfx, v->fresh++);
    return Z3_mk_func_decl(v->c, Z3_mk_string_symbol(v->c, name), ar, dom, rng);
}
static Z3_ast subst1(Vc *v, Z3_ast t, Z3_ast from, Z3_ast to)
{
    return Z3_substitute(v->c, t, 1, &from, &to);
}
static Z3_ast subst2(Vc *v, Z3_ast t, Z3_ast f1, Z3_ast t1, Z3_ast f2, Z3_ast t2)
{
    Z3_ast f[2] = {f1, f2}, to[2] = {t1, t2};
    return Z3_substitute(v->c, t, 2, f, to);
}
static Z3_ast in_range(Vc *v, Z3_ast p)
{
    return and2(v, le(v, num(v, 0), p), lt(v, p, v->n));
}
static Z3_ast member(Vc *v, Z3_ast pred, Z3_ast p)
{
    return and2(v, in_range(v, p), subst1(v, pred, v->Q, p));
}

static void assert_(Vc *v, Z3_ast f)
{
    GROW(v->asserted, v->nasserted, v->capasserted);
    v->asserted[v->nasserted++] = f;
    smt_assert(&v->s, f);
}

/* C's 64-bit wrapping arithmetic on mathematical integers: exact. */
static Z3_ast wrap(Vc *v, Z3_ast e)
{
    Z3_ast lo = Z3_mk_int64(v->c, INT64_MIN, v->I), hi = Z3_mk_int64(v->c, INT64_MAX, v->I);
    Z3_ast two63 = Z3_mk_numeral(v->c, "9223372036854775808", v->I);
    Z3_ast two64 = Z3_mk_numeral(v->c, "18446744073709551616", v->I);
    Z3_ast wrapped = sub2(v, Z3_mk_mod(v->c, add2(v, e, two63), two64), two63);
    return ite(v, and2(v, le(v, lo, e), le(v, e, hi)), e, wrapped);
}

/* Keeps constant divisors linear: the common case (2 * n / 3). */
static Z3_ast c_div_k(Vc *v, Z3_ast a, Z3_ast b)
{
    int64_t k;
    if (Z3_get_ast_kind(v->c, b) == Z3_NUMERAL_AST && Z3_get_numeral_int64(v->c, b, &k) && k > 0) {
        Z3_ast zero = num(v, 0);
        return ite(v, le(v, zero, a), Z3_mk_div(v->c, a, b),
                   Z3_mk_unary_minus(v->c, Z3_mk_div(v->c, Z3_mk_unary_minus(v->c, a), b)));
    }
    return app2(v, v->fdiv, a, b);
}
static Z3_ast c_mod_k(Vc *v, Z3_ast a, Z3_ast b)
{
    int64_t k;
    if (Z3_get_ast_kind(v->c, b) == Z3_NUMERAL_AST && Z3_get_numeral_int64(v->c, b, &k) && k > 0)
        return sub2(v, a, mul2(v, b, c_div_k(v, a, b)));
    return app2(v, v->fmod, a, b);
}

/* ---- state ---- */
static int slot_of(Vc *v, Decl *d)
{
    for (int i = 0; i < v->nslot; i++)
        if (v->slot[i].d == d) return i;
    return -1;
}

static Z3_ast pre_read(Vc *v, int s, Z3_ast p)
{
    if (s == v->s_halted && v->never_stopped) return fls(v);
    if (v->slot[s].kind == 2) return app2(v, v->slot[s].pre, p, v->Q);
    return app1(v, v->slot[s].pre, p);
}

/* A state variable of process p in a view: for sets, a predicate over Q. */
static Z3_ast state_read(Vc *v, View view, int s, Z3_ast p)
{
    if (view == V_POST && v->have_post) return subst1(v, v->post[s], v->S, p);
    if (view == V_INIT && v->have_init) return subst1(v, v->init[s], v->S, p);
    return pre_read(v, s, p);
}

/* ---- forward ---- */
static bool has_q(Vc *v, Z3_ast t);
static Z3_ast tr(Vc *v, Env *e, Expr *x, int pol);
static Z3_ast tr_set(Vc *v, Env *e, Expr *x);
static void exec(Vc *v, Env *e, Stmt *s);
static Z3_ast ground_card(Vc *v, Z3_ast pred);

static Bind *bind(Binder *b, Z3_ast val, Bind *next)
{
    Bind *n = malloc(sizeof *n); /* freed with the whole Vc: kept on a list */
    if (!n) abort();
    n->b = b;
    n->val = val;
    n->next = next;
    return n;
}

/* A Bind cell, kept on the Vc's list to be freed with it. */
static Bind *mkbind(Vc *v, Binder *b, Z3_ast val, Bind *next)
{
    Bind *n = bind(b, val, next);
    GROW(v->binds, v->nbinds, v->capbinds);
    v->binds[v->nbinds++] = n;
    return n;
}

static Z3_ast lookup(Vc *v, Env *e, Binder *b, Pos p)
{
    for (int i = e->nloc - 1; i >= 0; i--)
        if (e->locb[i] == b) return e->loc[i];
    for (Bind *k = e->binds; k; k = k->next)
        if (k->b == b) return k->val;
    unsupported(v, p, "internal: unbound name '%s'", b ? b->name : "?");
    return num(v, 0);
}

static Z3_ast zero_of(Vc *v, Type *t)
{
    if (t && t->kind == TY_BOOL) return fls(v);
    return num(v, 0);
}

/* ---- aggregates over the mailbox, as functions of the process ---- */
/* q's message is in p's mailbox: q is in HO(p), sent to p and has not
 * stopped. A process crashing in this round (crashes_now) still sends, as in
 * hoc sim, but does not update; from the next round on it is stopped like a
 * halted one: frozen and never heard again. */
/* Whether p hears q in this round. */
static Z3_ast ho_app(Vc *v, Z3_ast p, Z3_ast q)
{
    return v->uniform ? app1(v, v->good, q) : app2(v, v->ho, p, q);
}

static Z3_ast inmb(Vc *v, Z3_ast p, Z3_ast q)
{
    Z3_ast sends = subst2(v, v->sends, v->S, q, v->T, p);
    Z3_ast r = and2(v, ho_app(v, p, q), sends);
    r = and2(v, r, not_(v, pre_read(v, v->s_halted, q)));
    return Z3_is_eq_ast(v->c, q, v->Q) ? r : and2(v, r, in_range(v, q)); /* sets live in 0..n-1 */
}

static Z3_ast payload(Vc *v, int f, Z3_ast from, Z3_ast to)
{
    if (f < 0 || f >= MAXF || !v->payload[f]) return num(v, 0);
    return subst2(v, v->payload[f], v->S, from, v->T, to);
}

static Z3_ast mk_agg(Vc *v, AggKind k, Z3_ast pred, Z3_ast val, Z3_ast self, bool boolval)
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

/* ---- sets ---- */
static Z3_ast tr_set(Vc *v, Env *e, Expr *x)
{
    switch (x->kind) {
    case E_NAME:
        switch (x->nk) {
        case N_PROCS:
            return tru(v);
        case N_MBOX:
            return inmb(v, e->self, v->Q);
        case N_STATE: {
            int s = slot_of(v, x->decl);
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
        Z3_ast owner = tr(v, e, x->b, 0);
        if (has_q(v, owner)) {
            unsupported(v, x->pos, "a set indexed by the variable of an enclosing set condition");
            return fls(v);
        }
        if (x->nk == N_HO) return ho_app(v, owner, v->Q);
        if (x->nk == N_STATE && x->decl) {
            int s = slot_of(v, x->decl);
            if (s >= 0 && v->slot[s].kind == 2) return state_read(v, e->view, s, owner);
        }
        break;
    }
    case E_FIELD: /* mbox.f: the mailbox, projected by the aggregate */
        return tr_set(v, e, x->a);
    case E_SETLIT: {
        Z3_ast r = fls(v);
        for (int i = 0; i < x->nargs; i++)
            r = or2(v, r, eq(v, v->Q, tr(v, e, x->args[i], 0)));
        return r;
    }
    case E_BINARY:
        if (x->op == OP_ADD) return or2(v, tr_set(v, e, x->a), tr_set(v, e, x->b));
        if (x->op == OP_SUB) return and2(v, tr_set(v, e, x->a), not_(v, tr_set(v, e, x->b)));
        break;
    case E_COND:
        return ite(v, tr(v, e, x->a, 0), tr_set(v, e, x->b), tr_set(v, e, x->c));
    case E_COMPR: {
        if (e->inset) {
            unsupported(v, x->pos, "a set comprehension nested in another set condition");
            return fls(v);
        }
        Binder *b = x->binders;
        Z3_ast dom = tru(v);
        if (b->domx) dom = tr_set(v, e, b->domx);
        Env sub = *e;
        sub.binds = mkbind(v, b, v->Q, e->binds);
        sub.inset = 1;
        return and2(v, dom, tr(v, &sub, x->a, 0));
    }
    default:
        break;
    }
    unsupported(v, x->pos, "this set expression is not supported by the verifier");
    return fls(v);
}

/* The value of message q (a sender) in the round's mailbox of e->self. */
static Z3_ast msg_field(Vc *v, Env *e, Z3_ast q, int f)
{
    return ite(v, inmb(v, e->self, q), payload(v, f, q, e->self),
               zero_of(v, e->rnd->fields[f].type));
}

static Z3_ast tr_agg(Vc *v, Env *e, Expr *x)
{
    const char *f = x->name;
    if ((strcmp(f, "min") == 0 || strcmp(f, "max") == 0) && x->nargs == 2) {
        Z3_ast a = tr(v, e, x->args[0], 0), b = tr(v, e, x->args[1], 0);
        return f[1] == 'i' ? ite(v, le(v, a, b), a, b) : ite(v, le(v, a, b), b, a);
    }
    Expr *arg = x->args[0];
    if (arg->type->kind != TY_MBOX || !e->code || !e->rnd) {
        unsupported(v, x->pos, "%s over a set of processes is not supported by the verifier", f);
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
        unsupported(v, x->pos, "mmor over bool messages is not supported by the verifier");
        return fls(v);
    }
    return subst1(v, mk_agg(v, k, pred, val, v->S, false), v->S, e->self);
}

/* A message value: the sender term (TY_MSG), -1 when there is none. */
static Z3_ast tr_msg(Vc *v, Env *e, Expr *x)
{
    if (x->kind == E_NAME && x->nk == N_MSGVAR) return lookup(v, e, x->binder, x->pos);
    if (x->kind == E_INDEX && x->nk == N_MBOX) {
        Z3_ast p = tr(v, e, x->b, 0);
        return ite(v, inmb(v, e->self, p), p, num(v, -1));
    }
    if (x->kind == E_CALL) return tr_agg(v, e, x);
    unsupported(v, x->pos, "this message expression is not supported by the verifier");
    return num(v, -1);
}

/* Ints and stamps: both are integers in the logic. A stamp is encoded as the
 * C stores it (never 0, phase p as p + 1), so zero fields of unheard senders
 * and empty aggregates mean never in both. */
static bool is_number(TypeKind k)
{
    return k == TY_INT || k == TY_STAMP;
}

/* ---- quantifiers ---- */
/* Skolem constants of hypothesis instances are not instantiation terms: they
 * only witness facts (x[i] == v[j]); the pool stays small. */
static Z3_ast skolem(Vc *v, Binder *b, Z3_ast at, bool pool)
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
        assert_(v, and2(v, le(v, Z3_mk_int64(v->c, INT64_MIN, v->I), k),
                        le(v, k, Z3_mk_int64(v->c, INT64_MAX, v->I))));
    } else {
        assert_(v, in_range(v, k));
        if (pool && v->npool < MAX_POOL * 4 && idset_add(&v->inpool, aid(v, k)))
            v->pool[v->npool++] = k;
    }
    return k;
}

static Z3_ast tr_quant_from(Vc *v, Env *e, Expr *x, Binder *b, int pol);

static Z3_ast tr_body_after(Vc *v, Env *e, Expr *x, Binder *b, Z3_ast val, int pol)
{
    Env sub = *e;
    sub.binds = mkbind(v, b, val, e->binds);
    if (b->next) return tr_quant_from(v, &sub, x, b->next, pol);
    return tr(v, &sub, x->a, pol);
}

static Z3_ast new_pend(Vc *v, Env *e, Expr *x, Binder *b, int body_pol, bool negate, bool is_int)
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
    p->level = e->level;
    p->goal = e->goal;
    p->nested = e->in_int;
    p->origin = e->origin;
    p->proxy = fresh_const(v, "all", v->B);
    return negate ? not_(v, p->proxy) : p->proxy;
}

static Z3_ast tr_quant_from(Vc *v, Env *e, Expr *x, Binder *b, int pol)
{
    TypeKind k = b->type->kind;
    bool forall = x->is_forall;
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
        unsupported(v, x->pos, "a universal quantifier over sets is not supported by the verifier");
        return fls(v);
    }
    if (k != TY_PID && !is_number(k)) {
        unsupported(v, x->pos, "a quantifier over this type is not supported by the verifier");
        return fls(v);
    }
    if (e->code || e->inset || pol == 0) {
        /* exact, as a count: forall q. P  <=>  |{q | !P}| == 0 (processes only) */
        if (k != TY_PID || b->next || e->inset) {
            unsupported(
                v, x->pos,
                "a quantifier in code or inside a set condition must range over processes, alone");
            return fls(v);
        }
        Z3_ast dom = b->domx ? tr_set(v, e, b->domx) : tru(v);
        Env sub = *e;
        sub.binds = mkbind(v, b, v->Q, e->binds);
        sub.inset = 1;
        Z3_ast body = tr(v, &sub, x->a, 0);
        Z3_ast pred = forall ? and2(v, dom, not_(v, body)) : and2(v, dom, body);
        Z3_ast cnt;
        if (e->code) {
            Z3_ast pS = subst1(v, pred, e->self, v->S);
            cnt = subst1(v, mk_agg(v, AG_CARD, pS, NULL, v->S, false), v->S, e->self);
        } else {
            cnt = ground_card(v, pred);
        }
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
static Z3_ast tr_state_index(Vc *v, Env *e, Expr *x)
{
    int s = slot_of(v, x->decl);
    if (s < 0) {
        unsupported(v, x->pos, "state '%s' is not supported by the verifier",
                    x->decl ? x->decl->name : "?");
        return num(v, 0);
    }
    return state_read(v, e->view, s, tr(v, e, x->b, 0));
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

static Z3_ast tr_arith(Vc *v, Env *e, Expr *x)
{
    Z3_ast a = tr(v, e, x->a, 0), b = tr(v, e, x->b, 0);
    int64_t lo, hi;
    if ((x->op == OP_ADD || x->op == OP_SUB || x->op == OP_MUL) && small(x, &lo, &hi))
        return x->op == OP_ADD ? add2(v, a, b) : x->op == OP_SUB ? sub2(v, a, b) : mul2(v, a, b);
    switch (x->op) {
    case OP_ADD:
        return wrap(v, add2(v, a, b));
    case OP_SUB:
        return wrap(v, sub2(v, a, b));
    case OP_MUL:
        return wrap(v, mul2(v, a, b));
    case OP_DIV:
        return c_div_k(v, a, b);
    case OP_MOD:
        return c_mod_k(v, a, b);
    default:
        return num(v, 0);
    }
}

static Z3_ast tr_cmp(Vc *v, Env *e, Expr *x, int pol)
{
    Type *ta = x->a->type;
    if (ta && ta->kind == TY_SET) { /* set equality */
        Z3_ast A = tr_set(v, e, x->a), Bp = tr_set(v, e, x->b);
        Z3_ast diff = Z3_mk_xor(v->c, A, Bp);
        bool is_eq = x->op == OP_EQ;
        if (e->code || e->inset || pol == 0) {
            if (e->inset) {
                unsupported(v, x->pos, "set equality inside a set condition");
                return fls(v);
            }
            Z3_ast cnt;
            if (e->code)
                cnt =
                    subst1(v, mk_agg(v, AG_CARD, subst1(v, diff, e->self, v->S), NULL, v->S, false),
                           v->S, e->self);
            else
                cnt = ground_card(v, diff);
            Z3_ast same = eq(v, cnt, num(v, 0));
            return is_eq ? same : not_(v, same);
        }
        /* same = forall q in range. !diff(q) */
        int need = is_eq ? pol : -pol; /* polarity of "same" */
        if (need < 0) {                /* a witness of difference */
            Z3_ast w = fresh_const(v, "d", v->I);
            assert_(v, in_range(v, w));
            if (v->npool < MAX_POOL * 4 && idset_add(&v->inpool, aid(v, w)))
                v->pool[v->npool++] = w;
            Z3_ast same = not_(v, subst1(v, diff, v->Q, w));
            return is_eq ? same : not_(v, same);
        }
        GROW(v->pends, v->npends, v->cappends);
        Pend *p = &v->pends[v->npends++];
        memset(p, 0, sizeof *p);
        p->zpred = not_(v, diff);
        p->proxy = fresh_const(v, "alleq", v->B);
        p->level = e->level;
        return is_eq ? p->proxy : not_(v, p->proxy);
    }
    if (ta && ta->kind == TY_BOOL) {
        Z3_ast a = tr(v, e, x->a, 0), b = tr(v, e, x->b, 0);
        return x->op == OP_EQ ? eq(v, a, b) : not_(v, eq(v, a, b));
    }
    if (ta && (ta->kind == TY_MSG)) {
        unsupported(v, x->pos, "comparing messages is not supported");
        return fls(v);
    }
    Z3_ast a = tr(v, e, x->a, 0), b = tr(v, e, x->b, 0);
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

static Z3_ast tr_call(Vc *v, Env *e, Expr *x, int pol)
{
    Decl *d = x->decl;
    (void)pol;
    if (d && (d->kind == D_DEF || d->kind == D_EXTERN)) {
        unsupported(v, x->pos, "calls of %s functions are not supported by the verifier yet",
                    d->kind == D_DEF ? "def" : "extern");
        return num(v, 0);
    }
    if (x->type && x->type->kind == TY_MSG) return tr_msg(v, e, x);
    return tr_agg(v, e, x);
}

static Z3_ast tr(Vc *v, Env *e, Expr *x, int pol)
{
    if (x->type && (x->type->kind == TY_SET)) {
        unsupported(v, x->pos, "a set used as a value here is not supported");
        return fls(v);
    }
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
    case E_NAME:
        switch (x->nk) {
        case N_STATE: {
            if (x->decl && x->decl->kind == D_ORACLE) {
                for (int i = 0; i < v->al->noracles && i < 64; i++)
                    if (v->al->oracles[i] == x->decl) return app1(v, v->oracle[i], e->self);
                break;
            }
            int s = slot_of(v, x->decl);
            if (s < 0 || !e->code) break;
            return e->cur[s];
        }
        case N_PARAM:
            return v->par[x->index];
        case N_CONST:
            return num(v, x->decl->value);
        case N_ENUMVAL:
            return num(v, x->index);
        case N_LET:
            return tr(v, e, x->decl->init, pol);
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
            break;
        }
        break;
    case E_UNARY:
        if (x->op == OP_NOT) return not_(v, tr(v, e, x->a, -pol));
        return wrap(v, Z3_mk_unary_minus(v->c, tr(v, e, x->a, 0)));
    case E_BINARY:
        switch (x->op) {
        case OP_AND:
            return and2(v, tr(v, e, x->a, pol), tr(v, e, x->b, pol));
        case OP_OR:
            return or2(v, tr(v, e, x->a, pol), tr(v, e, x->b, pol));
        case OP_IMPLIES:
            return imp(v, tr(v, e, x->a, -pol), tr(v, e, x->b, pol));
        case OP_IN: {
            Expr *s = x->b;
            if (s->type->kind == TY_MBOX) return inmb(v, e->self, tr(v, e, x->a, 0));
            return member(v, tr_set(v, e, s), tr(v, e, x->a, 0));
        }
        case OP_EQ:
        case OP_NE:
        case OP_LT:
        case OP_LE:
        case OP_GT:
        case OP_GE:
            return tr_cmp(v, e, x, pol);
        default:
            return tr_arith(v, e, x);
        }
    case E_COND: {
        Z3_ast c = tr(v, e, x->a, 0);
        if (x->type->kind == TY_BOOL)
            return or2(v, and2(v, c, tr(v, e, x->b, pol)),
                       and2(v, not_(v, c), tr(v, e, x->c, pol)));
        return ite(v, c, tr(v, e, x->b, pol), tr(v, e, x->c, pol));
    }
    case E_INDEX:
        if (x->nk == N_STATE && x->a->nk == N_STATE && !e->code) return tr_state_index(v, e, x);
        if (x->nk == N_MBOX) { /* mbox[p] of a single-value round */
            Z3_ast p = tr(v, e, x->b, 0);
            if (e->rnd && e->rnd->single) return msg_field(v, e, p, 0);
        }
        unsupported(v, x->pos, "indexing arrays is not supported by the verifier");
        return num(v, 0);
    case E_FIELD:
        if (x->index == -2) return tr_msg(v, e, x->a); /* m.sender */
        if (x->a->type && x->a->type->kind == TY_MSG &&
            !(x->a->kind == E_NAME && x->a->nk == N_MSGVAR)) {
            Z3_ast q = tr_msg(v, e, x->a);
            return ite(v, le(v, num(v, 0), q), msg_field(v, e, q, x->index), zero_of(v, x->type));
        }
        if (x->a->kind == E_NAME && x->a->nk == N_MSGVAR) {
            Z3_ast q = lookup(v, e, x->a->binder, x->a->pos);
            return payload(v, x->index, q, e->self);
        }
        break;
    case E_CALL:
        return tr_call(v, e, x, pol);
    case E_CARD: {
        Z3_ast pred = tr_set(v, e, x->a);
        if (e->inset) {
            unsupported(v, x->pos, "a cardinality inside a set condition is not supported");
            return num(v, 0);
        }
        if (e->code)
            return subst1(v, mk_agg(v, AG_CARD, subst1(v, pred, e->self, v->S), NULL, v->S, false),
                          v->S, e->self);
        return ground_card(v, pred);
    }
    case E_QUANT:
        return tr_quant_from(v, e, x, x->binders, pol);
    default:
        break;
    }
    unsupported(v, x->pos, "this expression is not supported by the verifier");
    return num(v, 0);
}

/* ---- symbolic execution of process code ---- */
static void merge(Vc *v, Env *dst, Z3_ast c, const Env *a, const Env *b)
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

static void exec_one(Vc *v, Env *e, Stmt *s)
{
    switch (s->kind) {
    case S_BLOCK: {
        int saved = e->nloc;
        exec(v, e, s->body);
        e->nloc = saved;
        break;
    }
    case S_ASSIGN: {
        Expr *l = s->lhs;
        if (l->kind != E_NAME) {
            unsupported(v, s->pos, "assigning to an element is not supported by the verifier");
            break;
        }
        bool set = l->type && l->type->kind == TY_SET;
        Z3_ast val = set ? tr_set(v, e, s->rhs) : tr(v, e, s->rhs, 0);
        if (l->nk == N_LOCAL) {
            for (int i = e->nloc - 1; i >= 0; i--)
                if (e->locb[i] == l->binder) {
                    e->loc[i] = val;
                    return;
                }
            unsupported(v, s->pos, "internal: unknown local");
            break;
        }
        int sl = slot_of(v, l->decl);
        if (sl < 0)
            unsupported(v, s->pos, "internal: unknown variable");
        else
            e->cur[sl] = val;
        break;
    }
    case S_IF: {
        Z3_ast c = tr(v, e, s->cond, 0);
        Env a = *e, b = *e;
        exec(v, &a, s->body);
        a.nloc = e->nloc;
        if (s->els) exec(v, &b, s->els);
        b.nloc = e->nloc;
        merge(v, e, c, &a, &b);
        break;
    }
    case S_FOR: {
        int64_t lo, hi;
        if (s->hi && s->cond->kind == E_INT && s->hi->kind == E_INT &&
            (lo = s->cond->ival) <= (hi = s->hi->ival) && hi - lo <= 64) {
            for (int64_t i = lo; i < hi; i++) {
                if (e->nloc >= MAXLOC) break;
                int saved = e->nloc;
                e->locb[e->nloc] = s->var;
                e->loc[e->nloc++] = num(v, i);
                exec(v, e, s->body);
                e->nloc = saved;
            }
            break;
        }
        unsupported(v, s->pos,
                    "for loops are not supported by the verifier (only constant ranges up to 64)");
        break;
    }
    case S_LET: {
        if (e->nloc >= MAXLOC) {
            unsupported(v, s->pos, "too many locals");
            break;
        }
        bool set = s->var->type && s->var->type->kind == TY_SET;
        Z3_ast val = set ? tr_set(v, e, s->rhs) : tr(v, e, s->rhs, 0);
        e->locb[e->nloc] = s->var;
        e->loc[e->nloc++] = val;
        break;
    }
    case S_SEND: {
        Z3_ast cond = tru(v);
        if (s->lhs) {
            if (s->lhs->type->kind == TY_SET)
                cond = member(v, tr_set(v, e, s->lhs), e->to);
            else
                cond = eq(v, e->to, tr(v, e, s->lhs, 0));
        }
        Expr *m = s->rhs;
        int nf = m->kind == E_TUPLE ? m->nargs : 1;
        for (int f = 0; f < nf && f < MAXF; f++) {
            Z3_ast val = tr(v, e, m->kind == E_TUPLE ? m->args[f] : m, 0);
            e->payload[f] = e->payload[f] ? ite(v, cond, val, e->payload[f]) : val;
        }
        e->sends = or2(v, cond, e->sends);
        break;
    }
    case S_OUTPUT:
        break; /* outputs are not state; specs read ghost variables */
    case S_HALT:
        e->done = tru(v);
        break;
    case S_ERROR:
        unsupported(v, s->pos, "a statement with errors");
        break;
    }
}

static void exec(Vc *v, Env *e, Stmt *s)
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

static void env_code(Vc *v, Env *e, Z3_ast self)
{
    memset(e, 0, sizeof *e);
    e->code = true;
    e->self = self;
    e->view = V_PRE;
    e->done = fls(v);
    for (int i = 0; i < v->nslot; i++)
        e->cur[i] = pre_read(v, i, self);
}

/* The round's sends and payloads, over S (sender) and T (recipient). */
static void build_send(Vc *v, Round *r)
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
static void build_post(Vc *v, Round *r)
{
    Env e;
    env_code(v, &e, v->S);
    e.rnd = r;
    exec(v, &e, r->update);
    Z3_ast crash = v->no_crash ? fls(v) : app1(v, v->crashnow, v->S);
    Z3_ast frozen = or2(v, pre_read(v, v->s_halted, v->S), crash);
    for (int i = 0; i < v->nslot; i++)
        v->post[i] = ite(v, frozen, pre_read(v, i, v->S), e.cur[i]);
    /* a crash is for good: without the flag a process could skip one update
     * and resume with stale state, which real runs never do */
    Z3_ast x[3] = {pre_read(v, v->s_halted, v->S), crash, and2(v, not_(v, frozen), e.done)};
    v->post[v->s_halted] = Z3_mk_or(v->c, 3, x);
    v->have_post = true;
}

static void build_init(Vc *v)
{
    Env e;
    env_code(v, &e, v->S);
    e.view = V_INIT;
    for (int i = 0; i < v->nslot; i++) {
        Decl *d = v->slot[i].d;
        if (!d)
            e.cur[i] = fls(v); /* halted, crashed */
        else if (d->kind == D_VAR) {
            if (d->init)
                e.cur[i] = v->slot[i].kind == 2 ? tr_set(v, &e, d->init) : tr(v, &e, d->init, 0);
            else
                e.cur[i] = v->slot[i].kind == 2   ? fls(v)
                           : v->slot[i].kind == 1 ? fls(v)
                                                  : num(v, 0);
        }
    }
    for (int i = 0; i < v->nslot; i++)
        v->init[i] = e.cur[i];
    v->have_init = true;
}

/* ---- cardinalities and Venn regions ---- */
static bool is_ground(Vc *v, Z3_ast t);
static int atom_index(Vc *v, Z3_ast a)
{
    for (int i = 0; i < v->natoms; i++)
        if (Z3_is_eq_ast(v->c, v->atoms[i], a)) return i;
    GROW(v->atoms, v->natoms, v->capatoms);
    v->atoms[v->natoms] = a;
    return v->natoms++;
}

static bool mentions(Vc *v, Z3_ast t, Z3_ast x, IdSet *memo_yes, IdSet *memo_no)
{
    if (Z3_is_eq_ast(v->c, t, x)) return true;
    unsigned id = aid(v, t);
    if (idset_has(memo_yes, id)) return true;
    if (idset_has(memo_no, id)) return false;
    bool r = false;
    if (Z3_get_ast_kind(v->c, t) == Z3_APP_AST) {
        Z3_app a = Z3_to_app(v->c, t);
        unsigned na = Z3_get_app_num_args(v->c, a);
        for (unsigned i = 0; i < na && !r; i++)
            r = mentions(v, Z3_get_app_arg(v->c, a, i), x, memo_yes, memo_no);
    }
    idset_add(r ? memo_yes : memo_no, id);
    return r;
}

static bool has_q(Vc *v, Z3_ast t)
{
    IdSet y = {0}, n = {0};
    bool r = mentions(v, t, v->Q, &y, &n);
    free(y.v), free(n.v);
    return r;
}

/* Collects the atomic conditions over Q of a predicate. */
static void collect_atoms(Vc *v, Z3_ast p, int **out, int *n, int *cap)
{
    if (Z3_get_ast_kind(v->c, p) == Z3_APP_AST && is_bool(v, p)) {
        Z3_app a = Z3_to_app(v->c, p);
        Z3_decl_kind k = Z3_get_decl_kind(v->c, Z3_get_app_decl(v->c, a));
        unsigned na = Z3_get_app_num_args(v->c, a);
        bool conn = k == Z3_OP_AND || k == Z3_OP_OR || k == Z3_OP_NOT || k == Z3_OP_IMPLIES ||
                    k == Z3_OP_XOR || k == Z3_OP_TRUE || k == Z3_OP_FALSE ||
                    (k == Z3_OP_ITE && is_bool(v, Z3_get_app_arg(v->c, a, 1))) ||
                    (k == Z3_OP_EQ && na == 2 && is_bool(v, Z3_get_app_arg(v->c, a, 0)));
        if (conn) {
            for (unsigned i = 0; i < na; i++)
                collect_atoms(v, Z3_get_app_arg(v->c, a, i), out, n, cap);
            return;
        }
    }
    if (!is_bool(v, p) || !has_q(v, p)) return;
    int ai = atom_index(v, p);
    for (int i = 0; i < *n; i++)
        if ((*out)[i] == ai) return;
    GROW(*out, *n, *cap);
    (*out)[(*n)++] = ai;
}

static Z3_ast ground_card(Vc *v, Z3_ast pred)
{
    pred = Z3_simplify(v->c, pred);
    for (int i = 0; i < v->ncards; i++)
        if (v->cards[i].fam == v->cur_fam && Z3_is_eq_ast(v->c, v->cards[i].pred, pred))
            return v->cards[i].c;
    GROW(v->cards, v->ncards, v->capcards);
    Card *k = &v->cards[v->ncards++];
    k->pred = pred;
    k->c = fresh_const(v, "card", v->I);
    k->fam = v->cur_fam;
    Z3_ast c = k->c;
    /* the same set counted in another family: the same number */
    for (int i = 0; i < v->ncards - 1; i++)
        if (Z3_is_eq_ast(v->c, v->cards[i].pred, pred)) {
            assert_(v, eq(v, v->cards[i].c, c));
            break;
        }
    return c;
}

/* The truth of pred in region b of the family's atoms. */
static Z3_ast region_value(Vc *v, Family *f, Z3_ast pred, unsigned b)
{
    Z3_ast *from = malloc(sizeof *from * (size_t)(f->natoms + 1)),
           *to = malloc(sizeof *to * (size_t)(f->natoms + 1));
    if (!from || !to) abort();
    for (int i = 0; i < f->natoms; i++) {
        from[i] = v->atoms[f->atoms[i]];
        to[i] = (b >> i) & 1 ? tru(v) : fls(v);
    }
    Z3_ast r = Z3_simplify(v->c, Z3_substitute(v->c, pred, (unsigned)f->natoms, from, to));
    free(from), free(to);
    if (has_q(v, r)) { /* a condition on Q the atoms do not capture: refuse, never guess */
        snprintf(v->unsup, sizeof v->unsup,
                 "internal: a set condition could not be split into regions");
        return fls(v);
    }
    return r;
}

static Z3_ast region_of(Vc *v, Family *f, unsigned b, Z3_ast p)
{
    Z3_ast acc = in_range(v, p);
    for (int i = 0; i < f->natoms; i++) {
        Z3_ast a = subst1(v, v->atoms[f->atoms[i]], v->Q, p);
        acc = and2(v, acc, (b >> i) & 1 ? a : not_(v, a));
    }
    return acc;
}

/* "E(Q) == a" atoms: two of them with the same E and different sides are disjoint. */
static bool eq_atom(Vc *v, Z3_ast a, Z3_ast *lhs, Z3_ast *rhs)
{
    if (Z3_get_ast_kind(v->c, a) != Z3_APP_AST) return false;
    Z3_app ap = Z3_to_app(v->c, a);
    if (Z3_get_decl_kind(v->c, Z3_get_app_decl(v->c, ap)) != Z3_OP_EQ) return false;
    Z3_ast x = Z3_get_app_arg(v->c, ap, 0), y = Z3_get_app_arg(v->c, ap, 1);
    bool qx = has_q(v, x), qy = has_q(v, y);
    if (qx == qy) return false;
    *lhs = qx ? x : y;
    *rhs = qx ? y : x;
    return true;
}

/* An atom bounding an int E(Q): lo <= E(Q) <= hi, the bounds ground (NULL:
 * unbounded). */
static bool range_atom(Vc *v, Z3_ast a, Z3_ast *E, Z3_ast *lo, Z3_ast *hi)
{
    if (Z3_get_ast_kind(v->c, a) != Z3_APP_AST) return false;
    Z3_app ap = Z3_to_app(v->c, a);
    Z3_decl_kind k = Z3_get_decl_kind(v->c, Z3_get_app_decl(v->c, ap));
    if (Z3_get_app_num_args(v->c, ap) != 2) return false;
    Z3_ast x = Z3_get_app_arg(v->c, ap, 0), y = Z3_get_app_arg(v->c, ap, 1);
    if (Z3_get_sort_kind(v->c, Z3_get_sort(v->c, x)) != Z3_INT_SORT) return false;
    bool qx = has_q(v, x), qy = has_q(v, y);
    if (qx == qy) return false;
    Z3_ast g = qx ? y : x, one = num(v, 1);
    *E = qx ? x : y;
    *lo = *hi = NULL;
    switch (k) {
    case Z3_OP_EQ:
        *lo = *hi = g;
        return true;
    case Z3_OP_LE: /* x <= y */
        *(qx ? hi : lo) = g;
        return true;
    case Z3_OP_GE: /* x >= y */
        *(qx ? lo : hi) = g;
        return true;
    case Z3_OP_LT: /* x < y */
        if (qx)
            *hi = sub2(v, g, one);
        else
            *lo = add2(v, g, one);
        return true;
    case Z3_OP_GT: /* x > y */
        if (qx)
            *lo = add2(v, g, one);
        else
            *hi = sub2(v, g, one);
        return true;
    default:
        return false;
    }
}

static bool mentions_fn(Vc *v, Z3_ast t, Z3_func_decl f, IdSet *seen)
{
    if (!idset_add(seen, aid(v, t))) return false;
    if (Z3_get_ast_kind(v->c, t) != Z3_APP_AST) return false;
    Z3_app a = Z3_to_app(v->c, t);
    if (Z3_is_eq_func_decl(v->c, Z3_get_app_decl(v->c, a), f)) return true;
    unsigned na = Z3_get_app_num_args(v->c, a);
    for (unsigned i = 0; i < na; i++)
        if (mentions_fn(v, Z3_get_app_arg(v->c, a, i), f, seen)) return true;
    return false;
}

/* A value atom: E(Q) == a with a ground and E free of heard-of sets; it has
 * a global count shared by every family that mentions it. */
static bool value_atom(Vc *v, int atom, Z3_ast *E, Z3_ast *a)
{
    if (!eq_atom(v, v->atoms[atom], E, a)) return false;
    IdSet seen = {0};
    bool ho =
        mentions_fn(v, *E, v->ho, &seen) || (v->uniform && mentions_fn(v, *E, v->good, &seen));
    free(seen.v);
    return !ho && is_ground(v, *a);
}

static Z3_ast value_count(Vc *v, int atom)
{
    for (int i = 0; i < v->nvatom; i++)
        if (v->vatom[i] == atom) return v->vcount[i];
    GROW(v->vatom, v->nvatom, v->capvatom);
    GROW(v->vcount, v->nvatom, v->capvatom2);
    v->vatom[v->nvatom] = atom;
    Z3_ast c = fresh_const(v, "vcount", v->I);
    v->vcount[v->nvatom++] = c;
    assert_(v, and2(v, le(v, num(v, 0), c), le(v, c, v->n)));
    return c;
}

/* Counts of E(Q) == a for distinct a add up to at most n; equal values have equal counts. */
static void value_histograms(Vc *v)
{
    for (int i = 0; i < v->nvatom; i++) {
        Z3_ast Ei, ai;
        if (!eq_atom(v, v->atoms[v->vatom[i]], &Ei, &ai)) continue;
        Z3_ast sum = num(v, 0);
        bool first = true;
        for (int j = 0; j < v->nvatom; j++) {
            Z3_ast Ej, aj;
            if (!eq_atom(v, v->atoms[v->vatom[j]], &Ej, &aj) || !Z3_is_eq_ast(v->c, Ei, Ej))
                continue;
            if (j < i) first = false;
            if (j > i) assert_(v, imp(v, eq(v, ai, aj), eq(v, v->vcount[i], v->vcount[j])));
            Z3_ast dup = fls(v);
            for (int k = 0; k < j; k++) {
                Z3_ast Ek, ak;
                if (eq_atom(v, v->atoms[v->vatom[k]], &Ek, &ak) && Z3_is_eq_ast(v->c, Ei, Ek))
                    dup = or2(v, dup, eq(v, ak, aj));
            }
            sum = add2(v, sum, ite(v, dup, num(v, 0), v->vcount[j]));
        }
        if (first) assert_(v, le(v, sum, v->n));
    }
}

static int new_family(Vc *v);
static double now(void);

/* Whether the attempt's time is up: building a query can take longer than
 * solving it, and the timeout covers both. */
static bool over_time(Vc *v)
{
    return v->deadline > 0 && now() > v->deadline;
}

static int seal_family(Vc *v, int fi, Z3_ast *tie, int ntie, char *err, size_t errn)
{
    Family *f = &v->fams[fi];
    if (over_time(v)) {
        snprintf(err, errn, "timeout (while building the query)");
        return -1;
    }
    int cap = 0;
    for (int i = 0; i < v->ncards; i++) {
        if (v->cards[i].fam != fi) continue;
        /* a count whose conditions would overflow the family goes to a family
         * of its own, linked by marginals: fewer joint facts, still sound */
        int *tmp = NULL, nt = 0, ct = 0;
        for (int k = 0; k < f->natoms; k++) {
            GROW(tmp, nt, ct);
            tmp[nt++] = f->atoms[k];
        }
        collect_atoms(v, v->cards[i].pred, &tmp, &nt, &ct);
        if (nt > SPLIT_ATOMS && f->natoms > 0) {
            free(tmp);
            int nf = new_family(v);
            f = &v->fams[fi]; /* new_family may move the array */
            v->cards[i].fam = nf;
            continue;
        }
        free(f->atoms);
        f->atoms = tmp;
        f->natoms = nt;
        cap = ct;
    }
    if (f->natoms > MAX_ATOMS && getenv("HOC_VC_DEBUG"))
        for (int i = 0; i < f->natoms; i++)
            fprintf(stderr, "  too many: %s\n", Z3_ast_to_string(v->c, v->atoms[f->atoms[i]]));
    if (f->natoms > MAX_ATOMS) {
        snprintf(err, errn, "%d distinct set conditions in one Venn family (at most %d)", f->natoms,
                 MAX_ATOMS);
        return -1;
    }
    if (fi == 0) { /* the main family also splits on the value atoms of the other families */
        for (int g = 1; g < v->nfams && f->natoms < MAX_ATOMS; g++) {
            Family *h = &v->fams[g];
            bool core = false; /* only the families of the query's own processes */
            for (int t = 0; t < v->nfamterm; t++)
                if (v->fam_of_term[t] == g)
                    for (int k = 0; k < v->pool_core; k++)
                        core |= aid(v, v->pool[k]) == v->fam_term[t];
            if (!core) continue;
            int hn = 0, hcap = 0;
            int *ha = NULL;
            for (int i = 0; i < v->ncards; i++)
                if (v->cards[i].fam == g) collect_atoms(v, v->cards[i].pred, &ha, &hn, &hcap);
            for (int k = 0; k < hn && f->natoms < MAX_ATOMS; k++) {
                Z3_ast E, a;
                bool dup = false;
                for (int m = 0; m < f->natoms; m++)
                    dup |= f->atoms[m] == ha[k];
                if (!dup && value_atom(v, ha[k], &E, &a)) {
                    GROW(f->atoms, f->natoms, cap);
                    f->atoms[f->natoms++] = ha[k];
                }
            }
            free(ha);
            (void)h;
        }
    }
    if (fi > 0 && v->fams[0].sealed) { /* bounds of the main family on the same E(Q) */
        Family *g = &v->fams[0];
        for (int m = 0; m < g->natoms && f->natoms < CROSS_ATOMS; m++) {
            Z3_ast E, lo, hi, E2, lo2, hi2;
            bool have = false, match = false;
            for (int i = 0; i < f->natoms; i++) {
                have |= f->atoms[i] == g->atoms[m];
                match |= !have && range_atom(v, v->atoms[f->atoms[i]], &E2, &lo2, &hi2) &&
                         range_atom(v, v->atoms[g->atoms[m]], &E, &lo, &hi) &&
                         Z3_is_eq_ast(v->c, E, E2);
            }
            if (have || !match) continue;
            GROW(f->atoms, f->natoms, cap);
            f->atoms[f->natoms++] = g->atoms[m];
        }
    }
    if (getenv("HOC_VC_DEBUG")) {
        fprintf(stderr, "family %d: %d atoms, pool %d\n", fi, f->natoms, v->npool);
        if (fi == 0 && atoi(getenv("HOC_VC_DEBUG")) > 2)
            for (int i = 0; i < v->npool; i++)
                fprintf(stderr, "  pool %s\n", Z3_ast_to_string(v->c, v->pool[i]));
        for (int i = 0; i < f->natoms; i++)
            fprintf(stderr, "  atom %s\n", Z3_ast_to_string(v->c, v->atoms[f->atoms[i]]));
    }
    unsigned nr = 1u << f->natoms;
    f->r = calloc(nr, sizeof *f->r);
    f->wit = calloc(nr, sizeof *f->wit);
    if (!f->r || !f->wit) abort();
    Z3_ast *sum = malloc(sizeof *sum * nr);
    if (!sum) abort();
    for (unsigned b = 0; b < nr; b++) {
        f->r[b] = fresh_const(v, fi ? "rt" : "r", v->I);
        assert_(v, le(v, num(v, 0), f->r[b]));
        sum[b] = f->r[b];
    }
    assert_(v, eq(v, Z3_mk_add(v->c, nr, sum), v->n));
    for (int i = 0; i < v->ncards; i++) {
        if (v->cards[i].fam != fi) continue;
        unsigned k = 0;
        for (unsigned b = 0; b < nr; b++) {
            Z3_ast val = region_value(v, f, v->cards[i].pred, b);
            if (Z3_is_eq_ast(v->c, val, fls(v))) continue;
            sum[k++] = Z3_is_eq_ast(v->c, val, tru(v)) ? f->r[b] : ite(v, val, f->r[b], num(v, 0));
        }
        assert_(v, eq(v, v->cards[i].c, k ? Z3_mk_add(v->c, k, sum) : num(v, 0)));
    }
    /* atoms bounding the same E(Q) (E(Q) == a, t <= E(Q), ...): intervals
     * that are disjoint share no process; one inside another, no process
     * is in the first only. Facts of integer order, so exact; without them
     * only witnesses would rule those regions out, one model at a time. */
    for (int i = 0; i < f->natoms && f->natoms <= RANGE_ATOMS; i++)
        for (int j = 0; j < f->natoms; j++) {
            Z3_ast E1, lo1, hi1, E2, lo2, hi2;
            if (i == j || !range_atom(v, v->atoms[f->atoms[i]], &E1, &lo1, &hi1) ||
                !range_atom(v, v->atoms[f->atoms[j]], &E2, &lo2, &hi2) ||
                !Z3_is_eq_ast(v->c, E1, E2))
                continue;
            unsigned k = 0, k2 = 0;
            Z3_ast *sum2 = malloc(sizeof *sum2 * nr);
            if (!sum2) abort();
            for (unsigned b = 0; b < nr; b++) {
                if (i < j && ((b >> i) & 1) && ((b >> j) & 1)) sum[k++] = f->r[b];
                if (((b >> i) & 1) && !((b >> j) & 1)) sum2[k2++] = f->r[b];
            }
            if (i < j) { /* disjoint */
                Z3_ast apart = fls(v);
                if (lo1 && hi2) apart = or2(v, apart, lt(v, hi2, lo1));
                if (lo2 && hi1) apart = or2(v, apart, lt(v, hi1, lo2));
                if (!Z3_is_eq_ast(v->c, apart, fls(v)))
                    assert_(v, imp(v, apart, eq(v, Z3_mk_add(v->c, k, sum), num(v, 0))));
            }
            if ((!lo2 || lo1) && (!hi2 || hi1)) { /* interval i inside interval j */
                Z3_ast inside = tru(v);
                if (lo2) inside = and2(v, inside, le(v, lo2, lo1));
                if (hi2) inside = and2(v, inside, le(v, hi1, hi2));
                assert_(v, imp(v, inside, eq(v, Z3_mk_add(v->c, k2, sum2), num(v, 0))));
            }
            free(sum2);
        }
    /* ground processes make their region non-empty */
    for (int t = 0; t < ntie && !over_time(v); t++) /* one small implication per region */
        for (unsigned b = 0; b < nr; b++)
            assert_(v, imp(v, region_of(v, f, b, tie[t]), le(v, num(v, 1), f->r[b])));
    /* value atoms have one count in every family */
    for (int i = 0; i < f->natoms; i++) {
        Z3_ast E, a;
        if (!value_atom(v, f->atoms[i], &E, &a)) continue;
        unsigned k = 0;
        for (unsigned b = 0; b < nr; b++)
            if ((b >> i) & 1) sum[k++] = f->r[b];
        assert_(v, eq(v, Z3_mk_add(v->c, k, sum), value_count(v, f->atoms[i])));
    }
    /* marginals shared with the main family */
    if (fi > 0 && v->fams[0].sealed) {
        Family *g = &v->fams[0];
        int gi[MAX_ATOMS], fj[MAX_ATOMS], ns = 0;
        for (int i = 0; i < f->natoms; i++)
            for (int j = 0; j < g->natoms; j++)
                if (f->atoms[i] == g->atoms[j] && ns < MAX_ATOMS) {
                    fj[ns] = i, gi[ns++] = j;
                }
        /* value atoms are already tied by their counts; a joint marginal
         * is only worth it when other conditions are shared */
        bool only_values = true;
        for (int s2 = 0; s2 < ns; s2++) {
            Z3_ast E, a;
            if (!value_atom(v, f->atoms[fj[s2]], &E, &a)) only_values = false;
        }
        if (ns > 0 && ns <= 6 && (!only_values || ns > 1) && !only_values) {
            unsigned ng = 1u << g->natoms;
            Z3_ast *sg = malloc(sizeof *sg * ng);
            if (!sg) abort();
            for (unsigned a = 0; a < (1u << ns); a++) {
                unsigned k1 = 0, k2 = 0;
                for (unsigned b = 0; b < nr; b++) {
                    bool ok = true;
                    for (int s2 = 0; s2 < ns && ok; s2++)
                        ok = ((b >> fj[s2]) & 1) == ((a >> s2) & 1);
                    if (ok) sum[k1++] = f->r[b];
                }
                for (unsigned b = 0; b < ng; b++) {
                    bool ok = true;
                    for (int s2 = 0; s2 < ns && ok; s2++)
                        ok = ((b >> gi[s2]) & 1) == ((a >> s2) & 1);
                    if (ok) sg[k2++] = g->r[b];
                }
                assert_(v, eq(v, Z3_mk_add(v->c, k1, sum), Z3_mk_add(v->c, k2, sg)));
            }
            free(sg);
        }
    }
    free(sum);
    f->sealed = true;
    return 0;
}

static int seal_family(Vc *v, int fi, Z3_ast *tie, int ntie, char *err, size_t errn);
static void value_histograms(Vc *v);

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Seals the main family first, then every family not sealed yet. */
static int seal_all(Vc *v, Z3_ast *tie, int ntie, char *err, size_t errn)
{
    for (int i = 0; i < v->nfams; i++)
        if (!v->fams[i].sealed && seal_family(v, i, tie, ntie, err, errn) < 0) return -1;
    value_histograms(v);
    return 0;
}

static int new_family(Vc *v)
{
    GROW(v->fams, v->nfams, v->capfams);
    memset(&v->fams[v->nfams], 0, sizeof v->fams[0]);
    return v->nfams++;
}

/* ---- instantiation ---- */
typedef struct Scan {
    IdSet seen;
} Scan;

static bool is_ground(Vc *v, Z3_ast t)
{
    IdSet y = {0}, n = {0};
    bool r = !mentions(v, t, v->Q, &y, &n) && !mentions(v, t, v->S, &y, &n) &&
             !mentions(v, t, v->T, &y, &n);
    free(y.v), free(n.v);
    return r;
}

static void add_pool(Vc *v, Z3_ast t)
{
    if (v->npool >= MAX_POOL * 4) return;
    t = Z3_simplify(v->c, t);
    if (idset_add(&v->inpool, aid(v, t))) v->pool[v->npool++] = t;
}

static bool is_state_fn(Vc *v, Z3_func_decl d)
{
    for (int i = 0; i < v->nslot; i++)
        if (Z3_is_eq_func_decl(v->c, v->slot[i].pre, d)) return true;
    return Z3_is_eq_func_decl(v->c, v->ho, d) ||
           (v->uniform && Z3_is_eq_func_decl(v->c, v->good, d));
}

static int agg_of(Vc *v, Z3_func_decl d)
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
static void arith_axioms(Vc *v, Z3_ast t, bool mod)
{
    Z3_app ap = Z3_to_app(v->c, t);
    Z3_ast a = Z3_get_app_arg(v->c, ap, 0), b = Z3_get_app_arg(v->c, ap, 1);
    Z3_ast zero = num(v, 0), one = num(v, 1);
    Z3_ast pos = and2(v, le(v, zero, a), lt(v, zero, b));
    if (mod) {
        assert_(v, imp(v, eq(v, b, zero), eq(v, t, a)));
        assert_(v, imp(v, eq(v, b, num(v, -1)), eq(v, t, zero)));
        assert_(v, imp(v, pos,
                       and2(v, and2(v, le(v, zero, t), lt(v, t, b)),
                            imp(v, lt(v, a, b), eq(v, t, a)))));
        assert_(v, imp(v, and2(v, le(v, a, zero), lt(v, zero, b)),
                       and2(v, lt(v, Z3_mk_unary_minus(v->c, b), t), le(v, t, zero))));
    } else {
        assert_(v, imp(v, eq(v, b, zero), eq(v, t, zero)));
        assert_(v, imp(v, eq(v, b, one), eq(v, t, a)));
        assert_(v, imp(v, pos, and2(v, le(v, zero, t), le(v, t, a))));
    }
}

/* Finds ground process terms (arguments of state functions and aggregates)
 * and ground aggregate applications in t. */
static void scan(Vc *v, Z3_ast t, Scan *sc, Z3_ast **aggapps, int *nagg, int *capagg, bool pool)
{
    if (!idset_add(&sc->seen, aid(v, t))) return;
    if (Z3_get_ast_kind(v->c, t) != Z3_APP_AST) return;
    Z3_app a = Z3_to_app(v->c, t);
    unsigned na = Z3_get_app_num_args(v->c, a);
    Z3_func_decl d = Z3_get_app_decl(v->c, a);
    if (na == 2 && (Z3_is_eq_func_decl(v->c, d, v->fdiv) || Z3_is_eq_func_decl(v->c, d, v->fmod)) &&
        is_ground(v, t) && idset_add(&v->arith_done, aid(v, t)))
        arith_axioms(v, t, Z3_is_eq_func_decl(v->c, d, v->fmod));
    if (na >= 1 && Z3_get_decl_kind(v->c, d) == Z3_OP_UNINTERPRETED) {
        int ag = agg_of(v, d);
        Z3_ast arg = Z3_get_app_arg(v->c, a, 0);
        if ((ag >= 0 || is_state_fn(v, d)) && is_ground(v, arg)) {
            if (pool) add_pool(v, arg);
            if (Z3_is_eq_func_decl(v->c, v->ho, d) && na == 2 &&
                is_ground(v, Z3_get_app_arg(v->c, a, 1)) && pool)
                add_pool(v, Z3_get_app_arg(v->c, a, 1));
            if (ag >= 0 && !idset_has(&v->agg_done, aid(v, t))) {
                GROW(*aggapps, *nagg, *capagg);
                (*aggapps)[(*nagg)++] = t;
            }
        }
    }
    for (unsigned i = 0; i < na; i++)
        scan(v, Z3_get_app_arg(v->c, a, i), sc, aggapps, nagg, capagg, pool);
}

/* Int candidates for a universal over an int binder: skolems of the same
 * binder and of int binders generally, and the values compared with it. */
static void int_candidates(Vc *v, Pend *p, Expr *x, Z3_ast **out, Z3_ast **orig, int *n, int *cap);

static void collect_compared(Vc *v, Pend *p, Expr *x, Z3_ast **out, Z3_ast **orig, int *n, int *cap)
{
    if (!x) return;
    if (x->kind == E_BINARY && x->op >= OP_EQ && x->op <= OP_GE) {
        Expr *other = NULL;
        if (x->a->kind == E_NAME && x->a->binder == p->b) other = x->b;
        if (x->b->kind == E_NAME && x->b->binder == p->b) other = x->a;
        if (other && other->kind == E_INDEX && other->nk == N_STATE && other->b->kind == E_NAME &&
            other->b->nk == N_BINDER) {
            int s = slot_of(v, other->decl);
            if (s >= 0 && v->slot[s].kind == 0)
                for (int i = v->cand_lo; i < v->cand_hi && i < v->npool; i++) {
                    if (p->nested && !Z3_is_eq_ast(v->c, p->origin, v->pool[i])) continue;
                    int cap2 = *cap;
                    GROW(*out, *n, *cap);
                    GROW(*orig, *n, cap2);
                    (*orig)[*n] = v->pool[i];
                    (*out)[(*n)++] = state_read(v, p->view, s, v->pool[i]);
                }
        }
    }
    collect_compared(v, p, x->a, out, orig, n, cap);
    collect_compared(v, p, x->b, out, orig, n, cap);
    collect_compared(v, p, x->c, out, orig, n, cap);
    for (int i = 0; i < x->nargs; i++)
        collect_compared(v, p, x->args[i], out, orig, n, cap);
}

/* Whether t is NULL or one of the query's own processes (the pool before
 * instantiation): the skolems of hypothesis instances elsewhere are not
 * candidates, or each would bring its own goal instance and skolems. */
static bool core_term(Vc *v, Z3_ast t)
{
    if (!t) return true;
    for (int i = 0; i < v->pool_core && i < v->npool; i++)
        if (Z3_is_eq_ast(v->c, v->pool[i], t)) return true;
    return false;
}

/* A quantifier over several ints (exists w, t.) is instantiated by tuples,
 * not by their product: the inner binders take the skolems when the outer
 * one took a skolem (the witnesses of one hypothesis), and values of the
 * same process when the outer one took a value of a process (vote[c], ph[c]).
 * Fewer instances, so a weakening: still sound. */
static void int_candidates(Vc *v, Pend *p, Expr *x, Z3_ast **out, Z3_ast **orig, int *n, int *cap)
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
    if (v->int_wide && (!p->nested || p->origin)) collect_compared(v, p, x->a, out, orig, n, cap);
}

/* The active domain of ints in a view, at the pool: a strengthening of "t
 * is some process's int or a process id" (what spec int quantifiers range over). */
static Z3_ast active(Vc *v, View view, Z3_ast t)
{
    Z3_ast acc = in_range(v, t);
    for (int i = 0; i < v->npool; i++)
        for (int s = 0; s < v->nslot; s++)
            if (v->slot[s].kind == 0 && v->slot[s].d &&
                (is_number(v->slot[s].d->type->kind) || v->slot[s].d->type->kind == TY_PID))
                acc = or2(
                    v, acc,
                    and2(v, in_range(v, v->pool[i]), eq(v, state_read(v, view, s, v->pool[i]), t)));
    return acc;
}

static void instantiate_from(Vc *v, Pend *p, Z3_ast t, int level, Z3_ast origin);
static void instantiate(Vc *v, Pend *p, Z3_ast t, int level)
{
    instantiate_from(v, p, t, level, NULL);
}

static void instantiate_from(Vc *v, Pend *p, Z3_ast t, int level, Z3_ast origin)
{
    unsigned id = aid(v, t);
    for (int i = 0; i < p->ndone; i++)
        if (p->done[i] == id) return;
    GROW(p->done, p->ndone, p->capdone);
    p->done[p->ndone++] = id;
    if (p->zpred) {
        assert_(v, imp(v, p->proxy, imp(v, in_range(v, t), subst1(v, p->zpred, v->Q, t))));
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
    e.level = level;
    e.goal = copy.goal;
    e.instance = true;
    e.in_int = copy.is_int;
    e.origin = origin;
    e.inst_at = copy.is_int ? NULL : t;
    Z3_ast body = tr_body_after(v, &e, copy.q, copy.b, t, copy.body_pol);
    /* forall@+: proxy => (dom(t) => body); exists@-: proxy => (dom(t) => !body) */
    Z3_ast dom = copy.is_int ? active(v, copy.view, t) : in_range(v, t);
    if (copy.b->domx) dom = and2(v, dom, member(v, tr_set(v, &e, copy.b->domx), t));
    assert_(v, imp(v, copy.proxy, imp(v, dom, copy.negate ? not_(v, body) : body)));
}

static void instantiate_all(Vc *v, int level, int from_pool)
{
    int np = v->npends;
    for (int i = 0; i < np && !v->unsup[0] && !over_time(v); i++) {
        Pend *p = &v->pends[i];
        if (p->is_int) {
            Z3_ast *c = NULL, *orig = NULL;
            int n = 0, cap = 0;
            int_candidates(v, p, p->q, &c, &orig, &n, &cap);
            for (int k = 0; k < n && v->pends[i].ndone < 24; k++)
                instantiate_from(v, &v->pends[i], c[k], level, orig[k]);
            free(c), free(orig);
            continue;
        }
        int upto = v->npool; /* every pool term: pends created late need the old terms too */
        (void)from_pool;
        for (int k = 0; k < upto && k < MAX_POOL * 4; k++)
            instantiate(v, &v->pends[i], v->pool[k], level);
    }
}

/* Axioms of an aggregate at a ground process t, in the current family. */
static int new_family(Vc *v);

/* The family of the aggregates at ground process t (one per term). */
static int term_family(Vc *v, Z3_ast t)
{
    unsigned id = aid(v, t);
    for (int i = 0; i < v->nfamterm; i++)
        if (v->fam_term[i] == id) return v->fam_of_term[i];
    GROW(v->fam_term, v->nfamterm, v->capfamterm);
    GROW(v->fam_of_term, v->nfamterm, v->capfamterm2);
    v->fam_term[v->nfamterm] = id;
    v->fam_of_term[v->nfamterm] = new_family(v);
    return v->fam_of_term[v->nfamterm++];
}

/* A value aggregated from a non-empty mailbox was received: a sender s in
 * the mailbox whose message carries it. */
static void received_witness(Vc *v, Z3_ast M, Z3_ast val, Z3_ast agg, Z3_ast cM)
{
    Z3_ast s = fresh_const(v, "sender", v->I);
    Z3_ast x[3] = {in_range(v, s), subst1(v, M, v->Q, s), eq(v, subst1(v, val, v->Q, s), agg)};
    assert_(v, imp(v, le(v, num(v, 1), cM), Z3_mk_and(v->c, 3, x)));
    add_pool(v, s);
}

static void agg_axioms(Vc *v, Z3_ast app)
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
            assert_(v, eq(v, app, other));
    }
    if (g->kind == AG_CARD) {
        assert_(v, eq(v, app, ground_card(v, M)));
        v->cur_fam = saved_fam;
        return;
    }
    Z3_ast cM = ground_card(v, M);
    Z3_ast zero = num(v, 0), one = num(v, 1);
    switch (g->kind) {
    case AG_MMOR: {
        assert_(v, imp(v, eq(v, cM, zero), eq(v, app, zero)));
        Z3_ast cmm = ground_card(v, and2(v, M, eq(v, val, app)));
        assert_(v, imp(v, le(v, one, cM), le(v, one, cmm)));
        received_witness(v, M, val, app, cM);
        /* against every int candidate u: not more frequent; ties go to the smaller */
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
            Z3_ast cu = ground_card(v, and2(v, M, eq(v, val, u[i])));
            assert_(v, le(v, cu, cmm));
            assert_(v, imp(v, eq(v, cu, cmm), le(v, app, u[i])));
            assert_(v, imp(v, lt(v, cM, mul2(v, num(v, 2), cu)), eq(v, app, u[i])));
        }
        free(u);
        break;
    }
    case AG_MIN:
    case AG_MAX: {
        assert_(v, imp(v, eq(v, cM, zero), eq(v, app, zero)));
        assert_(v, imp(v, le(v, one, cM), le(v, one, ground_card(v, and2(v, M, eq(v, val, app))))));
        received_witness(v, M, val, app, cM);
        Z3_ast beyond = g->kind == AG_MIN ? lt(v, val, app) : lt(v, app, val);
        assert_(v, eq(v, ground_card(v, and2(v, M, beyond)), zero));
        break;
    }
    case AG_ARGMIN:
    case AG_ARGMAX: {
        assert_(v, imp(v, eq(v, cM, zero), eq(v, app, num(v, -1))));
        Z3_ast vs = subst1(v, val, v->Q, app);
        Z3_ast better = g->kind == AG_ARGMIN ? lt(v, val, vs) : lt(v, vs, val);
        Z3_ast tie = and2(v, eq(v, val, vs), lt(v, v->Q, app));
        Z3_ast x[4] = {in_range(v, app), subst1(v, M, v->Q, app),
                       eq(v, ground_card(v, and2(v, M, better)), zero),
                       eq(v, ground_card(v, and2(v, M, tie)), zero)};
        assert_(v, imp(v, le(v, one, cM), Z3_mk_and(v->c, 4, x)));
        add_pool(v, app);
        break;
    }
    default:
        break;
    }
    v->cur_fam = saved_fam;
}

static void scan_asserted(Vc *v, int from, bool pool, Z3_ast **apps, int *napps, int *cap)
{
    Scan sc = {0};
    for (int i = from; i < v->nasserted; i++)
        scan(v, v->asserted[i], &sc, apps, napps, cap, pool);
    free(sc.seen.v);
}

/* ---- counterexamples ---- */
typedef struct Buf {
    char *p;
    size_t n, cap;
} Buf;

static void bp(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void bp(Buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char tmp[1024];
    int k = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (k < 0) return;
    if ((size_t)k >= sizeof tmp) k = sizeof tmp - 1;
    if (b->n + (size_t)k + 1 > b->cap) {
        size_t nc = (b->cap + (size_t)k + 1) * 2;
        char *np = realloc(b->p, nc);
        if (!np) abort();
        b->p = np;
        b->cap = nc;
    }
    memcpy(b->p + b->n, tmp, (size_t)k + 1);
    b->n += (size_t)k;
}

static void print_value(Vc *v, Buf *b, int s, Z3_ast t, int64_t *procs, int np)
{
    Slot *sl = &v->slot[s];
    if (sl->kind == 1) {
        bool x;
        bp(b, "%s", smt_eval_bool(&v->s, t, &x) ? (x ? "true" : "false") : "?");
    } else if (sl->kind == 0) {
        int64_t x;
        if (!smt_eval_int(&v->s, t, &x))
            bp(b, "?");
        else if (sl->d && sl->d->type->kind == TY_ENUM && x >= 0 && x < sl->d->type->enm->nmembers)
            bp(b, "%s", sl->d->type->enm->members[x]);
        else
            bp(b, "%" PRId64, x);
    } else {
        bp(b, "{");
        int k = 0;
        for (int i = 0; i < np; i++) {
            bool in;
            if (smt_eval_bool(&v->s, subst1(v, t, v->Q, num(v, procs[i])), &in) && in)
                bp(b, "%s%" PRId64, k++ ? "," : "", procs[i]);
        }
        bp(b, "}");
    }
}

static char *counterexample(Vc *v, bool post)
{
    Buf b = {0};
    int64_t n = 0;
    smt_eval_int(&v->s, v->n, &n);
    bp(&b, "  n = %" PRId64, n);
    for (int i = 1; i < v->al->nparams; i++) {
        int64_t x;
        if (smt_eval_int(&v->s, v->par[i], &x))
            bp(&b, ", %s = %" PRId64, v->al->params[i]->name, x);
    }
    if (post) {
        int64_t r;
        if (smt_eval_int(&v->s, v->R, &r))
            bp(&b, ", round = %" PRId64 " (round %s of the phase)", r, v->rnd->name);
    }
    bp(&b, "\n");
    /* the named processes: values of the pool terms */
    int64_t procs[64];
    int np = 0;
    for (int i = 0; i < v->npool; i++) {
        int64_t x;
        if (!smt_eval_int(&v->s, v->pool[i], &x) || x < 0 || x >= n) continue;
        bool dup = false;
        for (int k = 0; k < np; k++)
            dup |= procs[k] == x;
        if (!dup && np < 64) procs[np++] = x;
    }
    for (int i = 0; i < np; i++)
        for (int k = i + 1; k < np; k++)
            if (procs[k] < procs[i]) {
                int64_t t = procs[i];
                procs[i] = procs[k];
                procs[k] = t;
            }
    if (np == 0) bp(&b, "  (no process is named by the query)\n");
    for (int i = 0; i < np; i++) {
        Z3_ast p = num(v, procs[i]);
        for (int pass = 0; pass < (post ? 2 : 1); pass++) {
            bp(&b, "  process %" PRId64 " %s:", procs[i],
               pass ? "after " : (post ? "before" : "      "));
            for (int s = 0; s < v->nslot; s++) {
                Slot *sl = &v->slot[s];
                if (!sl->d && !post) continue;
                Z3_ast t = pass ? state_read(v, V_POST, s, p)
                                : (v->have_init && !post ? state_read(v, V_INIT, s, p)
                                                         : pre_read(v, s, p));
                if (!sl->d) {
                    bool x;
                    if (smt_eval_bool(&v->s, t, &x) && x) bp(&b, " %s", sl->name);
                    continue;
                }
                bp(&b, " %s=", sl->name);
                print_value(v, &b, s, t, procs, np);
            }
            bp(&b, "\n");
        }
        if (post) {
            bp(&b, "  process %" PRId64 " heard from {", procs[i]);
            int k = 0;
            for (int j = 0; j < np; j++) {
                bool in;
                if (smt_eval_bool(&v->s, inmb(v, p, num(v, procs[j])), &in) && in)
                    bp(&b, "%s%" PRId64, k++ ? "," : "", procs[j]);
            }
            bp(&b, "%s}", k ? "" : "");
            Z3_ast hoc = NULL;
            for (int c = 0; c < v->ncards; c++) {
                if (v->cards[c].fam != 0 ||
                    !Z3_is_eq_ast(v->c, v->cards[c].pred, Z3_simplify(v->c, inmb(v, p, v->Q))))
                    continue;
                hoc = v->cards[c].c;
            }
            int64_t hn;
            if (hoc && smt_eval_int(&v->s, hoc, &hn)) bp(&b, " (%" PRId64 " messages in all)", hn);
            bp(&b, " among the named processes\n");
        }
    }
    return b.p;
}

/* ---- obligations ---- */
static bool has_stages(Algo *al, Decl *assumption)
{
    for (int i = 0; i < al->nspecs; i++)
        if (al->specs[i]->spec_kind == 5 && al->specs[i]->assumption == assumption) return true;
    return false;
}

/* The progress stage just before stage d (k - 1 good rounds), or NULL. */
static Decl *previous_stage(Algo *al, Decl *d)
{
    for (int i = 0; i < al->nspecs; i++) {
        Decl *s = al->specs[i];
        if (s->spec_kind == 5 && s->assumption == d->assumption && s->ev_rounds == d->ev_rounds - 1)
            return s;
    }
    return NULL;
}

/* Whether c, a conjunction, has a conjunct `forall p. ... HO[p] == P ...`
 * (p over every process, the HO comparison a conjunct of its body). */
static bool says_uniform(Expr *c, Binder *P, Binder *p)
{
    if (!c) return false;
    if (c->kind == E_BINARY && c->op == OP_AND)
        return says_uniform(c->a, P, p) || says_uniform(c->b, P, p);
    if (c->kind == E_QUANT && c->is_forall && !p && c->binders && !c->binders->next &&
        !c->binders->domx && c->binders->type->kind == TY_PID)
        return says_uniform(c->a, P, c->binders);
    if (!p || c->kind != E_BINARY || c->op != OP_EQ) return false;
    for (int side = 0; side < 2; side++) {
        Expr *h = side ? c->b : c->a, *o = side ? c->a : c->b;
        if (h->kind == E_INDEX && h->nk == N_HO && h->b->kind == E_NAME && h->b->binder == p &&
            o->kind == E_NAME && o->binder == P)
            return true;
    }
    return false;
}

/* The set binder P of an assumption `exists P. ... forall p. HO[p] == P ...`:
 * every process hears the same set that round, or NULL. */
static Binder *uniform_set(Expr *x)
{
    if (x->kind != E_QUANT || x->is_forall || !x->binders || x->binders->next ||
        x->binders->type->kind != TY_SET)
        return NULL;
    return says_uniform(x->a, x->binders, NULL) ? x->binders : NULL;
}

static bool halts(Stmt *s)
{
    for (; s; s = s->next)
        if (s->kind == S_HALT || halts(s->body) || halts(s->els)) return true;
    return false;
}

int vc_obligations(Algo *al, VcObligation **out)
{
    int n = 0, cap = 0;
    VcObligation *v = NULL;
    for (int pass = 0; pass < 3; pass++)
        for (int i = 0; i < al->nspecs; i++) {
            Decl *s = al->specs[i];
            int k = s->spec_kind;
            if (pass == 0 && k == 0) {
                GROW(v, n, cap);
                v[n] = (VcObligation){.kind = VC_INIT, .spec = s};
                snprintf(v[n].name, sizeof v[n].name, "%s: initiation", s->name);
                n++;
                for (int r = 0; r < al->nrounds; r++) {
                    GROW(v, n, cap);
                    v[n] = (VcObligation){.kind = VC_CONSEC, .spec = s, .round = r};
                    snprintf(v[n].name, sizeof v[n].name, "%s: consecution, round %s", s->name,
                             al->rounds[r]->name);
                    n++;
                }
            } else if (pass == 1 && k == 1) {
                GROW(v, n, cap);
                v[n] = (VcObligation){.kind = VC_PROP, .spec = s};
                snprintf(v[n].name, sizeof v[n].name, "%s: implied by the invariants", s->name);
                n++;
            } else if (pass == 2 && k == 2 && s->ev_rounds != 0 && !has_stages(al, s)) {
                GROW(v, n, cap);
                v[n] = (VcObligation){.kind = VC_LIVE, .spec = s, .round = -1};
                snprintf(v[n].name, sizeof v[n].name, "%s: liveness under the assumption", s->name);
                n++;
            } else if (pass == 2 && k == 5 && s->assumption) {
                /* the k-th good round: round k-1 of a phase-aligned assumption's
                 * phase, otherwise any round of the phase */
                bool aligned = s->assumption->ev_rounds < 0;
                for (int r = 0; r < al->nrounds; r++) {
                    if (aligned && r != s->ev_rounds - 1) continue;
                    GROW(v, n, cap);
                    v[n] = (VcObligation){.kind = VC_LIVE, .spec = s, .round = r};
                    snprintf(v[n].name, sizeof v[n].name, "%s: progress, round %s", s->name,
                             al->rounds[r]->name);
                    n++;
                }
            }
        }
    *out = v;
    return n;
}

static void setup(Vc *v, Algo *al)
{
    Z3_context c = v->c;
    v->I = Z3_mk_int_sort(c);
    v->B = Z3_mk_bool_sort(c);
    v->Q = Z3_mk_const(c, Z3_mk_string_symbol(c, "__q"), v->I);
    v->S = Z3_mk_const(c, Z3_mk_string_symbol(c, "__self"), v->I);
    v->T = Z3_mk_const(c, Z3_mk_string_symbol(c, "__to"), v->I);
    for (int i = 0; i < al->nparams && i < 16; i++) {
        v->par[i] = Z3_mk_const(c, Z3_mk_string_symbol(c, al->params[i]->name), v->I);
        if (i > 0)
            assert_(v, and2(v, le(v, Z3_mk_int64(c, INT64_MIN, v->I), v->par[i]),
                            le(v, v->par[i], Z3_mk_int64(c, INT64_MAX, v->I))));
    }
    v->n = v->par[0];
    assert_(v, and2(v, le(v, num(v, 1), v->n), le(v, v->n, num(v, HOC_MAXN))));
    Z3_sort d2[2] = {v->I, v->I};
    for (int pass = 0; pass < 2; pass++) {
        Decl **ds = pass ? al->vars : al->inputs;
        int nd = pass ? al->nvars : al->ninputs;
        for (int i = 0; i < nd && v->nslot < MAXSLOT - 2; i++) {
            Slot *s = &v->slot[v->nslot++];
            s->d = ds[i];
            s->name = ds[i]->name;
            TypeKind k = ds[i]->type->kind;
            s->kind = k == TY_BOOL ? 1 : k == TY_SET ? 2 : 0;
            if (k == TY_ENUM) s->enum_n = ds[i]->type->enm->nmembers;
            if (!is_number(k) && k != TY_BOOL && k != TY_PID && k != TY_ENUM && k != TY_SET)
                unsupported(v, ds[i]->pos, "state of type %s is not supported by the verifier",
                            k == TY_ARRAY   ? "array"
                            : k == TY_BYTES ? "bytes"
                                            : "this");
            char name[128];
            snprintf(name, sizeof name, "%s", s->name);
            s->pre = Z3_mk_func_decl(c, Z3_mk_string_symbol(c, name), s->kind == 2 ? 2 : 1, d2,
                                     s->kind == 1 || s->kind == 2 ? v->B : v->I);
        }
    }
    v->s_halted = v->nslot;
    v->slot[v->nslot].name = "stopped";
    v->slot[v->nslot].kind = 1;
    v->slot[v->nslot++].pre =
        Z3_mk_func_decl(c, Z3_mk_string_symbol(c, "hoc_stopped"), 1, d2, v->B);
    for (int i = 0; i < v->nslot; i++)
        if (v->slot[i].d && v->slot[i].d->kind == D_VAR)
            v->stamp[i] = rf_is_stamp(al, v->slot[i].d, &v->stamp_k[i]);
    v->ncomp = rf_companions(al, v->comp, MAXSLOT);
    v->nhalting = rf_halting(al, v->halting, MAXSLOT);
    v->ho = Z3_mk_func_decl(c, Z3_mk_string_symbol(c, "ho"), 2, d2, v->B);
    v->crashnow = Z3_mk_func_decl(c, Z3_mk_string_symbol(c, "crashes_now"), 1, d2, v->B);
    v->fdiv = Z3_mk_func_decl(c, Z3_mk_string_symbol(c, "hoc_div"), 2, d2, v->I);
    v->fmod = Z3_mk_func_decl(c, Z3_mk_string_symbol(c, "hoc_mod"), 2, d2, v->I);
    for (int i = 0; i < al->noracles && i < 64; i++) {
        char name[128];
        snprintf(name, sizeof name, "oracle_%s", al->oracles[i]->name);
        v->oracle[i] = Z3_mk_func_decl(c, Z3_mk_string_symbol(c, name), 1, d2, v->B);
    }
    v->R = Z3_mk_const(c, Z3_mk_string_symbol(c, "round"), v->I);
    int nr = al->nrounds > 0 ? al->nrounds : 1;
    v->phase = Z3_mk_div(c, v->R, num(v, nr));
    assert_(v, and2(v, le(v, num(v, 0), v->R), le(v, v->R, Z3_mk_int64(c, INT64_MAX, v->I))));
    for (int i = 0; i < al->nwhere; i++) {
        Env e;
        memset(&e, 0, sizeof e);
        e.done = fls(v);
        assert_(v, tr(v, &e, al->where[i]->init, 0));
    }
    v->cur_fam = new_family(v);
}

static bool is_stamp_slot(const Vc *v, int s)
{
    return v->slot[s].d && v->slot[s].d->type && v->slot[s].d->type->kind == TY_STAMP;
}

/* An expression of the phase, id and params (rfacts.h), as it was at
 * process p in phase `then`. */
static Z3_ast at_phase(Vc *v, Expr *x, Z3_ast p, Z3_ast then)
{
    Z3_ast saved = v->phase;
    v->phase = then;
    Env e;
    memset(&e, 0, sizeof e);
    e.done = fls(v);
    e.self = p;
    Z3_ast r = tr(v, &e, x, 0);
    v->phase = saved;
    return r;
}

/* What the shape of the code says about the start of the round at process
 * p (rfacts.h): round 0 starts from the initial state; stamps are at most
 * the previous phase; a process that has not stopped holds the values the
 * rounds before settled. All are true of every real run, so sound. */
static void round_facts(Vc *v, Z3_ast p)
{
    int nr = v->al->nrounds;
    Z3_ast R = v->R, zero = num(v, 0), rng = in_range(v, p);
    Z3_ast live = not_(v, pre_read(v, v->s_halted, p));
    Z3_ast init = live;
    for (int s = 0; s < v->nslot && v->have_init; s++)
        if (v->slot[s].d && v->slot[s].kind != 2)
            init = and2(v, init, eq(v, pre_read(v, s, p), state_read(v, V_INIT, s, p)));
    assert_(v, imp(v, and2(v, rng, eq(v, R, zero)), init));
    for (int s = 0; s < v->nslot; s++) {
        if (!v->stamp[s]) continue;
        Z3_ast prev = Z3_mk_div(v->c, sub2(v, R, num(v, 1)), num(v, nr));
        if (is_stamp_slot(v, s)) prev = add2(v, prev, num(v, 1)); /* stored as phase + 1 */
        Z3_ast k = num(v, v->stamp_k[s]);
        Z3_ast bound = ite(v, le(v, k, prev), prev, k);
        assert_(v, imp(v, and2(v, rng, le(v, num(v, 1), R)), le(v, pre_read(v, s, p), bound)));
    }
    for (int i = 0; i < v->nhalting; i++) {
        int s = slot_of(v, v->halting[i]);
        if (s >= 0) assert_(v, imp(v, and2(v, rng, pre_read(v, s, p)), not_(v, live)));
    }
    for (int i = 0; i < v->ncomp; i++) { /* any process, stopped ones too */
        int ss = slot_of(v, v->comp[i].stamp), sv = slot_of(v, v->comp[i].var);
        if (ss < 0 || sv < 0) continue;
        Z3_ast st = pre_read(v, ss, p);
        Z3_ast then = sub2(v, st, num(v, 1)); /* the phase the stamp holds */
        assert_(v, imp(v, rng,
                       or2(v, eq(v, st, num(v, 0)),
                           eq(v, pre_read(v, sv, p), at_phase(v, v->comp[i].expr, p, then)))));
    }
    for (int i = 0; i < v->nsettled; i++) {
        RfSettled *f = &v->settled[i];
        int s = slot_of(v, f->var);
        if (s < 0) continue;
        /* set earlier in this phase: the very term of the phase, which the
         * solver then need not prove equal to it */
        Z3_ast then = f->back <= v->settled_round
                          ? v->phase
                          : Z3_mk_div(v->c, sub2(v, R, num(v, f->back)), num(v, nr));
        Z3_ast val = f->is_phase ? (is_stamp_slot(v, s) ? add2(v, then, num(v, 1)) : then)
                     : f->expr   ? at_phase(v, f->expr, p, then)
                     : v->slot[s].kind == 1 ? (f->k ? tru(v) : fls(v))
                                            : num(v, f->k);
        Z3_ast x[3] = {rng, live, le(v, num(v, f->back), R)};
        assert_(v, imp(v, Z3_mk_and(v->c, 3, x), eq(v, pre_read(v, s, p), val)));
    }
}

/* Int range facts: every ground read of int state is a 64-bit value and
 * every enum a member. */
static void state_ranges(Vc *v)
{
    /* every driver delivers a process's own message to itself (hoc sim, hoc check, the runtime) */
    for (int i = 0; i < v->npool && v->have_post; i++) {
        Z3_ast self = ho_app(v, v->pool[i], v->pool[i]);
        if (idset_add(&v->range_done, aid(v, self)))
            assert_(v, imp(v, in_range(v, v->pool[i]), self));
    }
    for (int i = 0; i < v->npool && v->have_post; i++)
        if (idset_add(&v->range_done, aid(v, v->pool[i]))) round_facts(v, v->pool[i]);
    for (int i = 0; i < v->npool; i++)
        for (int s = 0; s < v->nslot; s++) {
            if (v->slot[s].kind != 0) continue;
            Z3_ast t = pre_read(v, s, v->pool[i]);
            if (!idset_add(&v->range_done, aid(v, t))) continue;

            if (v->slot[s].enum_n > 0)
                assert_(v, and2(v, le(v, num(v, 0), t), lt(v, t, num(v, v->slot[s].enum_n))));
            else
                assert_(v, and2(v, le(v, Z3_mk_int64(v->c, INT64_MIN, v->I), t),
                                le(v, t, Z3_mk_int64(v->c, INT64_MAX, v->I))));
        }
}

static double now(void);

static void spec_env(Vc *v, Env *e, View view)
{
    memset(e, 0, sizeof *e);
    e->view = view;
    e->done = fls(v);
}

static void vc_free(Vc *v)
{
    for (int i = 0; i < v->npends; i++)
        free(v->pends[i].done);
    for (int i = 0; i < v->nfams; i++)
        free(v->fams[i].atoms), free(v->fams[i].r), free(v->fams[i].wit);
    free(v->pends), free(v->aggs), free(v->cards), free(v->atoms), free(v->fams);
    free(v->ints), free(v->intb), free(v->intat), free(v->asserted);
    free(v->inpool.v), free(v->agg_done.v), free(v->range_done.v), free(v->arith_done.v);
    free(v->fam_term), free(v->fam_of_term), free(v->vatom), free(v->vcount);
    for (int i = 0; i < v->nbinds; i++)
        free(v->binds[i]);
    free(v->binds);
    smt_close(&v->s);
}

static void sanitize(char *s)
{
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '-' || *s == '_'))
            *s = '_';
}

/* Instantiates aggregates found in new assertions (into the current family). */
static void close_aggregates(Vc *v, int from, bool pool)
{
    for (int guard = 0; guard < 4; guard++) {
        Z3_ast *apps = NULL;
        int na = 0, cap = 0;
        int mark = v->nasserted;
        scan_asserted(v, from, pool, &apps, &na, &cap);
        for (int i = 0; i < na; i++)
            agg_axioms(v, apps[i]);
        free(apps);
        if (v->nasserted == mark) break;
        from = mark;
    }
}

static void attempt(Algo *al, const VcObligation *ob, const VcOpts *o, VcResult *res,
                    const bool *use, bool wide, bool *had_int, bool no_goal)
{
    memset(res, 0, sizeof *res);
    double t0 = now();
    Vc *v = calloc(1, sizeof *v);
    if (!v) abort();
    v->al = al;
    v->ob = ob;
    if (o->timeout_ms) v->deadline = t0 + (double)o->timeout_ms / 1000.0;
    v->int_wide = wide;
    smt_open(&v->s, o->timeout_ms);
    v->c = v->s.ctx;
    setup(v, al);
    bool live = ob->kind == VC_LIVE, post = ob->kind == VC_CONSEC || live;
    if (live && ob->round < 0) {
        res->status = VC_UNKNOWN;
        snprintf(res->reason, sizeof res->reason,
                 "no progress stages: say what the good rounds achieve with `progress %s after "
                 "K rounds: FORMULA;` (docs/verifier.md)",
                 ob->spec->name);
        goto done;
    }
    /* Liveness is proved in the heard-of model proper: a faulty process is
     * one nobody hears, and it keeps running (the stages speak of every
     * process). The invariants hold there too: it has fewer runs. */
    v->no_crash = live;
    v->never_stopped = false;
    if (live) {
        v->never_stopped = true;
        for (int r = 0; r < al->nrounds; r++)
            if (halts(al->rounds[r]->update)) v->never_stopped = false;
    }
    Decl *before = live ? previous_stage(al, ob->spec) : NULL;
    /* A good round in which everybody hears the same set P: the heard-of
     * relation becomes that one set, so every mailbox is built from it and
     * equal mailboxes give equal aggregates (exact: the assumption forces it). */
    Binder *P = live ? uniform_set(ob->spec->assumption->init) : NULL;
    if (P) {
        Z3_sort dom = v->I;
        v->good = fresh_fn(v, "good", 1, &dom, v->B);
        v->uniform = true;
    }
    if (ob->kind == VC_INIT) build_init(v);
    if (post) {
        Round *r = al->rounds[ob->round];
        assert_(v, eq(v, Z3_mk_mod(v->c, v->R, num(v, al->nrounds)), num(v, ob->round)));
        build_send(v, r);
        build_post(v, r);
        build_init(v); /* round 0 starts from it */
        v->nsettled = rf_settled(al, ob->round, v->settled, MAXSLOT);
        v->settled_round = ob->round;
    }
    /* hypotheses */
    Env e;
    if (ob->kind != VC_INIT) {
        for (int i = 0; i < al->nspecs; i++) {
            Decl *s = al->specs[i];
            bool inv = s->spec_kind == 0 && (!use || use[i] || s == ob->spec);
            /* assumptions speak of the round's heard-of sets and the state
             * after it, as in hoc sim and hoc check */
            bool assumed = (post && s->spec_kind == 2 && s->ev_rounds == 0) ||
                           (live && s == ob->spec->assumption);
            if (inv || s == before) {
                spec_env(v, &e, V_PRE);
                assert_(v, tr(v, &e, s->init, 1));
            } else if (assumed) {
                spec_env(v, &e, V_POST);
                e.rnd = v->rnd;
                if (P && s == ob->spec->assumption) { /* P is the set everybody hears */
                    e.binds = mkbind(v, P, app1(v, v->good, v->Q), e.binds);
                    assert_(v, tr(v, &e, s->init->a, 1));
                } else
                    assert_(v, tr(v, &e, s->init, 1));
            }
        }
    }
    /* the negated goal */
    spec_env(v, &e, ob->kind == VC_INIT ? V_INIT : post ? V_POST : V_PRE);
    e.goal = true;
    if (!no_goal) assert_(v, not_(v, tr(v, &e, ob->spec->init, -1)));
    if (v->unsup[0]) {
        res->status = VC_UNKNOWN;
        snprintf(res->reason, sizeof res->reason, "unsupported: %s", v->unsup);
        goto done;
    }
    /* level 0: instantiate universals and aggregates over the pool */
    {
        int from_pool = 0, from_asserted = 0;
        Z3_ast *apps = NULL;
        int na = 0, cap = 0;
        scan_asserted(v, 0, true, &apps, &na, &cap);
        if (live) { /* the processes the round's code names (its coordinator) */
            Scan sc = {0};
            for (int s = 0; s < v->nslot; s++)
                scan(v, v->post[s], &sc, &apps, &na, &cap, true);
            free(sc.seen.v);
        }
        free(apps);
        v->pool_core = v->npool;
        v->cand_lo = 0, v->cand_hi = v->pool_core;
        for (int d = 0; d < INST_DEPTH && !v->unsup[0]; d++) {
            v->pool_level0 = v->npool;
            int mark = v->nasserted;
            int np = v->npool;
            instantiate_all(v, 0, from_pool);
            from_pool = np;
            close_aggregates(v, from_asserted, true);
            from_asserted = mark;
            apps = NULL, na = 0, cap = 0;
            scan_asserted(v, mark, true, &apps, &na, &cap);
            free(apps);
            if (v->npool == np && d > 0) break;
        }
        v->pool_level0 = v->npool;
        state_ranges(v);
        close_aggregates(v, 0, false);
    }
    if (v->unsup[0]) {
        res->status = VC_UNKNOWN;
        snprintf(res->reason, sizeof res->reason, "unsupported: %s", v->unsup);
        goto done;
    }
    char err[200] = "";
    if (over_time(v)) {
        res->status = VC_UNKNOWN;
        snprintf(res->reason, sizeof res->reason, "solver: timeout (while building the query)");
        goto done;
    }
    /* every pool process makes its region non-empty; when instantiation
     * grew the pool far beyond the query's own processes, only those are
     * tied (fewer facts: sound; each tie costs one implication per region) */
    int ntie = v->npool > 3 * v->pool_core + 8 ? v->pool_core : v->npool;
    if (seal_all(v, v->pool, ntie, err, sizeof err) < 0) {
        res->status = VC_UNKNOWN;
        snprintf(res->reason, sizeof res->reason, "%s: %s",
                 strncmp(err, "timeout", 7) == 0 ? "solver" : "unsupported", err);
        goto done;
    }
    /* lazy witnesses of non-empty regions */
    SmtResult r = SMT_UNKNOWN;
    for (int it = 0;; it++) {
        double tc = now();
        if (o->timeout_ms) { /* one budget for the whole obligation, across witness rounds */
            double left = (double)o->timeout_ms / 1000.0 - (tc - t0);
            if (left <= 0) {
                r = SMT_UNKNOWN;
                snprintf(v->s.reason, sizeof v->s.reason, "timeout (%.1fs)",
                         (double)o->timeout_ms / 1000.0);
                break;
            }
            smt_set_timeout(&v->s, (unsigned)(left * 1000.0) + 1);
        }
        if (v->nasserted > MAX_ASSERTED) { /* the encoding outgrew what Z3 can take in time */
            r = SMT_UNKNOWN;
            snprintf(v->s.reason, sizeof v->s.reason, "the encoding grew too large (%d assertions)",
                     v->nasserted);
            break;
        }
        r = smt_check(&v->s);
        if (getenv("HOC_VC_DEBUG"))
            fprintf(stderr,
                    "check %d: %s in %.3fs, %d assertions, %d families, %d witnesses, pool %d\n",
                    it,
                    r == SMT_SAT     ? "sat"
                    : r == SMT_UNSAT ? "unsat"
                                     : "unknown",
                    now() - tc, v->nasserted, v->nfams, v->nwit, v->npool);
        if (r == SMT_SAT && getenv("HOC_VC_DEBUG") && atoi(getenv("HOC_VC_DEBUG")) > 1) {
            char *cx = counterexample(v, post);
            fprintf(stderr, "%s", cx ? cx : "");
            free(cx);
            for (int i = 0; i < v->nints; i++) {
                int64_t x = 0;
                smt_eval_int(&v->s, v->ints[i], &x);
                fprintf(stderr, "  int %s = %" PRId64 "\n", Z3_ast_to_string(v->c, v->ints[i]), x);
            }
            for (int i = 0; i < v->ncards; i++) {
                int64_t x = 0;
                if (v->cards[i].fam != 0) continue;
                smt_eval_int(&v->s, v->cards[i].c, &x);
                char *ps = strdup(Z3_ast_to_string(v->c, v->cards[i].pred));
                for (char *c = ps; *c; c++)
                    if (*c == '\n') *c = ' ';
                fprintf(stderr, "  G card = %" PRId64 ": %.300s\n", x, ps);
                free(ps);
            }
            for (unsigned b = 0; b < (1u << v->fams[0].natoms); b++) {
                int64_t x = 0;
                smt_eval_int(&v->s, v->fams[0].r[b], &x);
                if (x)
                    fprintf(stderr, "  region %x = %" PRId64 "%s\n", b, x,
                            v->fams[0].wit[b] ? " (witnessed)" : "");
            }
            for (int i = 0; i < v->nvatom; i++) {
                int64_t x = 0;
                smt_eval_int(&v->s, v->vcount[i], &x);
                fprintf(stderr, "  vcount %s = %" PRId64 "\n",
                        Z3_ast_to_string(v->c, v->atoms[v->vatom[i]]), x);
            }
            for (int i = 0; i < v->naggs; i++)
                for (int k = 0; k < v->npool; k++) {
                    int64_t x = 0, p = 0;
                    Z3_ast ap = app1(v, v->aggs[i].f, v->pool[k]);
                    if (!idset_has(&v->agg_done, aid(v, ap))) continue;
                    smt_eval_int(&v->s, ap, &x);
                    smt_eval_int(&v->s, v->pool[k], &p);
                    fprintf(stderr, "  %s at %s (=%" PRId64 ") = %" PRId64 "\n",
                            Z3_get_symbol_string(v->c, Z3_get_decl_name(v->c, v->aggs[i].f)),
                            Z3_ast_to_string(v->c, v->pool[k]), p, x);
                }
        }
        if (r != SMT_SAT) break;
        if (it >= MAX_WIT_ROUNDS || v->nwit >= MAX_WITNESSES) {
            r = SMT_UNKNOWN;
            snprintf(v->s.reason, sizeof v->s.reason, "the bound on region witnesses was reached");
            break;
        }
        Family *g = &v->fams[0];
        unsigned nr = 1u << g->natoms;
        Z3_ast newwit[64];
        unsigned newreg[64];
        int nnew = 0;
        bool eager = it == 0 && g->natoms <= EAGER_ATOMS; /* small: witness every region at once */
        for (unsigned b = 0; b < nr && nnew < 64; b++) {
            int64_t x;
            if (g->wit[b]) continue;
            if (!eager && (!smt_eval_int(&v->s, g->r[b], &x) || x < 1)) continue;
            Z3_ast w = fresh_const(v, "w", v->I);
            g->wit[b] = w;
            newwit[nnew] = w;
            newreg[nnew++] = b;
        }
        if (nnew == 0) break; /* every non-empty region has its witness: a counterexample */
        for (int k = 0; k < nnew; k++) {
            int mark = v->nasserted;
            g = &v->fams[0]; /* new families may have moved it */
            assert_(v, imp(v, le(v, num(v, 1), g->r[newreg[k]]),
                           region_of(v, g, newreg[k], newwit[k])));
            v->nwit++;
            add_pool(v, newwit[k]);
            v->cur_fam = new_family(v);
            int np = v->npends;
            for (int i = 0; i < np; i++)
                if (!v->pends[i].is_int) instantiate(v, &v->pends[i], newwit[k], 1);
            /* a goal's int quantifier that nothing instantiated takes the
             * witness's values (exists w. forall i. x[i] == w needs w :=
             * x[some process], and the query may name no process at all) */
            for (int i = 0; i < np && v->int_wide; i++) {
                Pend *p = &v->pends[i];
                if (!p->is_int || !p->goal || p->nested || p->ndone > 0) continue;
                Z3_ast *c = NULL, *orig = NULL;
                int nc = 0, cap = 0;
                v->cand_lo = v->npool - 1, v->cand_hi = v->npool;
                collect_compared(v, p, p->q->a, &c, &orig, &nc, &cap);
                for (int j = 0; j < nc && v->pends[i].ndone < 24; j++)
                    instantiate_from(v, &v->pends[i], c[j], 1, orig[j]);
                free(c), free(orig);
            }
            v->cand_lo = 0, v->cand_hi = v->pool_core;
            state_ranges(v);
            close_aggregates(v, mark, false);
            v->cur_fam = 0;
            if (v->unsup[0]) break;
            Z3_ast tie[1] = {newwit[k]};
            if (seal_all(v, tie, 1, err, sizeof err) < 0) {
                r = SMT_UNKNOWN;
                snprintf(v->s.reason, sizeof v->s.reason, "%s", err);
                goto checked;
            }
        }
        if (v->unsup[0]) {
            res->status = VC_UNKNOWN;
            snprintf(res->reason, sizeof res->reason, "unsupported: %s", v->unsup);
            goto done;
        }
    }
checked:
    for (int i = 0; i < v->npends; i++)
        *had_int |= v->pends[i].is_int;
    res->witnesses = v->nwit;
    res->families = v->nfams;
    res->atoms = v->natoms;
    if (o->smt2_dir) {
        mkdir(o->smt2_dir, 0777);
        char fname[200];
        snprintf(fname, sizeof fname, "%s_%s", al->decl->name, ob->name);
        sanitize(fname);
        snprintf(res->smt2_path, sizeof res->smt2_path, "%s/%s.smt2", o->smt2_dir, fname);
        char comment[300];
        snprintf(comment, sizeof comment, "hoc verify: %s, %s", al->decl->name, ob->name);
        if (!smt_dump(&v->s, res->smt2_path, comment)) res->smt2_path[0] = 0;
    }
    if (r == SMT_UNSAT && v->unsup[0]) r = SMT_UNKNOWN;
    if (r == SMT_UNSAT && (v->s.error || smt_error_raised())) {
        r = SMT_UNKNOWN;
        snprintf(v->s.reason, sizeof v->s.reason, "Z3 reported an error");
    }
    if (r == SMT_UNSAT) /* no placeholder may escape into the query */
        for (int i = 0; i < v->nasserted; i++)
            if (!is_ground(v, v->asserted[i])) {
                r = SMT_UNKNOWN;
                snprintf(v->s.reason, sizeof v->s.reason,
                         "internal: a placeholder escaped into the query");
                break;
            }
    if (r == SMT_UNSAT)
        res->status = VC_PROVED;
    else if (r == SMT_SAT) {
        res->status = VC_FAILED;
        snprintf(res->reason, sizeof res->reason,
                 "the solver found a state satisfying the hypotheses but not the goal");
        res->cex = counterexample(v, post);
    } else if (v->unsup[0]) {
        res->status = VC_UNKNOWN;
        snprintf(res->reason, sizeof res->reason, "unsupported: %s", v->unsup);
    } else {
        res->status = VC_UNKNOWN;
        snprintf(res->reason, sizeof res->reason, "solver: %s",
                 v->s.reason[0] ? v->s.reason : "unknown");
    }
done:
    vc_free(v);
    free(v);
    res->secs = now() - t0;
}

/* An attempt with int quantifiers instantiated by skolems only (narrow),
 * then, if that does not prove it and there were int quantifiers, by the
 * values compared with them too (wide: more instances, all in the main Venn
 * family). The narrow one keeps queries like LastVoting's `locked` small. */
static void attempt_both(Algo *al, const VcObligation *ob, const VcOpts *o, VcResult *res,
                         const bool *use, bool no_goal)
{
    bool had_int = false;
    VcOpts oo = *o;
    if (o->timeout_ms) oo.timeout_ms = o->timeout_ms / 2 + 1;
    attempt(al, ob, &oo, res, use, false, &had_int, no_goal);
    if (res->status == VC_PROVED || !had_int) return;
    double first = res->secs;
    free(res->cex);
    if (o->timeout_ms) {
        double left = (double)o->timeout_ms - first * 1000.0;
        oo.timeout_ms = (unsigned)(left > 1 ? left : 1);
    }
    attempt(al, ob, &oo, res, use, true, &had_int, no_goal);
    res->secs += first;
}

static int expr_size(Expr *x)
{
    if (!x) return 0;
    int n = 1 + expr_size(x->a) + expr_size(x->b) + expr_size(x->c);
    for (int i = 0; i < x->nargs; i++)
        n += expr_size(x->args[i]);
    return n;
}

/* Consecution (and a property) is tried with several sets of hypotheses:
 * the invariant alone (most are inductive by themselves), then with each
 * other invariant by itself, smallest first (most proofs need one lemma),
 * then adding the others one at a time, smallest first, and last with every
 * invariant. Each instance of a hypothesis brings counts and terms to the
 * query, so a small set that suffices is much faster than all of them: with
 * every invariant, LastVoting's `locked` takes 28 s in round announce, with
 * ready_locks alone 0.14 s. Every hypothesis is an invariant proved with the
 * others (consecution of their conjunction), so any set is sound. A failed
 * or unknown attempt short of the last one only moves on; the last one gives
 * the verdict. The attempts share the timeout. */
static void discharge(Algo *al, const VcObligation *ob, const VcOpts *o, VcResult *res, bool *used,
                      bool *all)
{
    int ninv = 0, order[256], norder = 0;
    for (int i = 0; i < al->nspecs; i++)
        ninv += al->specs[i]->spec_kind == 0;
    bool stage = ob->kind == VC_LIVE && ob->round >= 0;
    if ((ob->kind != VC_CONSEC && ob->kind != VC_PROP && !stage) || ninv < 2 || al->nspecs > 256) {
        attempt_both(al, ob, o, res, NULL, false);
        *all = true;
        return;
    }
    for (int i = 0; i < al->nspecs; i++)
        if (al->specs[i]->spec_kind == 0 && al->specs[i] != ob->spec) order[norder++] = i;
    for (int i = 1; i < norder; i++) /* insertion sort by size, stable */
        for (int k = i; k > 0 && expr_size(al->specs[order[k]]->init) <
                                     expr_size(al->specs[order[k - 1]]->init);
             k--) {
            int t = order[k];
            order[k] = order[k - 1];
            order[k - 1] = t;
        }
    /* step s < norder: order[s] alone (-1: none); then the prefixes of
     * 2..norder invariants; a property skips the empty set */
    int nsteps = 1 + norder + (norder > 1 ? norder - 1 : 0);
    double spent = 0;
    for (int step = ob->kind == VC_PROP; step < nsteps; step++) {
        bool use[256] = {0};
        int single = step >= 1 && step <= norder ? order[step - 1] : -1;
        int prefix = step > norder ? step - norder + 1 : 0;
        if (single >= 0) use[single] = true;
        for (int i = 0; i < prefix; i++)
            use[order[i]] = true;
        VcOpts oo = *o;
        bool last = step == nsteps - 1;
        if (o->timeout_ms) { /* a share of what is left; the last attempt gets all of it */
            double left = (double)o->timeout_ms - spent * 1000.0;
            if (left < 1) left = 1;
            oo.timeout_ms = (unsigned)(last ? left : left / 4 + 1);
        }
        attempt_both(al, ob, &oo, res, use, false);
        spent += res->secs;
        if (res->status == VC_PROVED) {
            memcpy(used, use, sizeof use);
            if (step == 0)
                snprintf(res->reason, sizeof res->reason,
                         stage ? "without invariants" : "inductive by itself");
            else if (single >= 0)
                snprintf(res->reason, sizeof res->reason, "with invariant %s",
                         al->specs[single]->name);
            else if (!last) { /* name them: the proof is only as good as theirs */
                size_t k = (size_t)snprintf(res->reason, sizeof res->reason, "with invariants");
                for (int i = 0; i < prefix && k < sizeof res->reason; i++)
                    k += (size_t)snprintf(res->reason + k, sizeof res->reason - k, "%s %s",
                                          i ? "," : "", al->specs[order[i]]->name);
            }
            break;
        }
        if (!last) free(res->cex), res->cex = NULL;
    }
    res->secs = spent;
}

/* Whether the obligation assumes something of the heard-of sets: then its
 * hypotheses could contradict each other (an assumption nothing satisfies,
 * `|P| > n`), and a proof would say nothing. */
static bool assumes(Algo *al, const VcObligation *ob)
{
    if (ob->kind == VC_LIVE) return true;
    if (ob->kind != VC_CONSEC) return false;
    for (int i = 0; i < al->nspecs; i++)
        if (al->specs[i]->spec_kind == 2 && al->specs[i]->ev_rounds == 0) return true;
    return false;
}

void vc_discharge(Algo *al, const VcObligation *ob, const VcOpts *o, VcResult *res)
{
    bool used[256] = {0}, all = false;
    discharge(al, ob, o, res, used, &all);
    if (res->status != VC_PROVED || !assumes(al, ob)) return;
    /* the same hypotheses without the goal: unsat means they are contradictory */
    VcResult vac;
    VcOpts oo = *o;
    oo.smt2_dir = NULL;
    attempt_both(al, ob, &oo, &vac, all ? NULL : used, true);
    free(vac.cex);
    res->secs += vac.secs;
    if (vac.status == VC_PROVED) {
        res->status = VC_UNKNOWN;
        snprintf(res->reason, sizeof res->reason,
                 "vacuous: the hypotheses (the assumptions, the invariants used, the stage "
                 "before) contradict each other, so the proof says nothing");
    }
}
