/* attempt.h: one attempt at an obligation, the state the prover's modules
 * share (Attempt: the solver, the state slots, the round's transition, counts,
 * Venn families, pending quantifiers, the pool of ground terms) and the
 * small term helpers. Internal to prover/: vc.c runs attempts, translate.h,
 * venn.h, instantiate.h and counterexample.h work on them. The design is
 * summarised at the top of vc.c. */
#ifndef HOC_ATTEMPT_H
#define HOC_ATTEMPT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "clock.h"
#include "code_facts.h"
#include "idset.h"
#include "reason.h"
#include "hoc_rt.h" /* HOC_MAXN */
#include "smt.h"
#include "vc.h"

/* Sizes of an attempt's fixed arrays; vc.c and translate.c refuse programs
 * beyond them (unsupported), never cut them short. */
#define MAXSLOT 96 /* variables and inputs, plus the stopped and crashed flags */
#define MAXLOC 64  /* locals in scope, loop variables included */
#define MAXF 64    /* fields of a message */
/* Ground process terms of one attempt: instances beyond it are not made,
 * which only weakens the hypotheses (sound; a proof may then be missed). */
#define MAX_POOL 160

typedef enum View { V_PRE, V_INIT, V_POST } View;

/* What a slot is in the logic: an integer (ints, stamps, pids, enums), a
 * boolean, or a set (a relation of the process and Q). */
typedef enum SlotKind { SLOT_INT, SLOT_BOOL, SLOT_SET } SlotKind;

typedef struct Slot {
    Decl *d;
    const char *name;
    SlotKind kind;
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
    int *atoms, natoms, capatoms;
    Z3_ast *r;
    Z3_ast *wit; /* per region, lazily */
    bool sealed;
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
    bool nested;   /* created inside an instance of an int quantifier */
    Z3_ast origin; /* that instance's process, or NULL */
} Pend;

typedef struct Attempt {
    Smt s;
    Z3_context c;
    Algo *al;
    Slot slot[MAXSLOT];
    int nslot, s_halted; /* s_halted: stopped, i.e. halted or crashed (frozen for good) */
    int s_crashed;       /* crashed (specs: crashed[i]): a crash, in this round or before */
    bool stamp[MAXSLOT]; /* code_facts.h: a stamp, at most max(stamp_k, previous phase) */
    int64_t stamp_k[MAXSLOT];
    CodeFactsSettled settled[MAXSLOT]; /* code_facts.h: values settled at the start of the round */
    CodeFactsCompanion comp[MAXSLOT];  /* code_facts.h: a variable set with a stamp */
    int ncomp;
    Decl *halting[MAXSLOT]; /* code_facts.h: true only at stopped processes */
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
    Z3_ast pool[MAX_POOL];
    int npool, pool_core;
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
    struct Bind **binds; /* every Bind cell made, freed with the attempt */
    int nbinds, capbinds;
    int fresh;
    double started;      /* when the attempt began (monotonic seconds) */
    unsigned timeout_ms; /* its whole budget, 0: none */
    uint64_t rlimit;     /* its whole budget in Z3 resource units, 0: none */
    double deadline;     /* started + the budget, 0: none */
    int debug;           /* HOC_VC_DEBUG: 0 off, 1 solver calls and families, 2 models, 3 pools */
    Reason why;          /* why it cannot conclude, if it cannot */
} Attempt;

typedef struct Scan {
    IdSet seen;
} Scan;

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

/* ---- small helpers: terms ---- */
static inline unsigned aid(Attempt *v, Z3_ast a)
{
    return Z3_get_ast_id(v->c, a);
}
static inline Z3_ast num(Attempt *v, int64_t k)
{
    return Z3_mk_int64(v->c, k, v->I);
}
static inline Z3_ast tru(Attempt *v)
{
    return Z3_mk_true(v->c);
}
static inline Z3_ast fls(Attempt *v)
{
    return Z3_mk_false(v->c);
}
static inline Z3_ast not_(Attempt *v, Z3_ast a)
{
    return Z3_mk_not(v->c, a);
}
static inline Z3_ast and2(Attempt *v, Z3_ast a, Z3_ast b)
{
    Z3_ast x[2] = {a, b};
    return Z3_mk_and(v->c, 2, x);
}
static inline Z3_ast or2(Attempt *v, Z3_ast a, Z3_ast b)
{
    Z3_ast x[2] = {a, b};
    return Z3_mk_or(v->c, 2, x);
}
static inline Z3_ast imp(Attempt *v, Z3_ast a, Z3_ast b)
{
    return Z3_mk_implies(v->c, a, b);
}
static inline Z3_ast eq(Attempt *v, Z3_ast a, Z3_ast b)
{
    return Z3_mk_eq(v->c, a, b);
}
static inline Z3_ast ite(Attempt *v, Z3_ast c, Z3_ast a, Z3_ast b)
{
    return Z3_mk_ite(v->c, c, a, b);
}
static inline Z3_ast le(Attempt *v, Z3_ast a, Z3_ast b)
{
    return Z3_mk_le(v->c, a, b);
}
static inline Z3_ast lt(Attempt *v, Z3_ast a, Z3_ast b)
{
    return Z3_mk_lt(v->c, a, b);
}
static inline Z3_ast add2(Attempt *v, Z3_ast a, Z3_ast b)
{
    Z3_ast x[2] = {a, b};
    return Z3_mk_add(v->c, 2, x);
}
static inline Z3_ast sub2(Attempt *v, Z3_ast a, Z3_ast b)
{
    Z3_ast x[2] = {a, b};
    return Z3_mk_sub(v->c, 2, x);
}
static inline Z3_ast mul2(Attempt *v, Z3_ast a, Z3_ast b)
{
    Z3_ast x[2] = {a, b};
    return Z3_mk_mul(v->c, 2, x);
}
static inline Z3_ast app1(Attempt *v, Z3_func_decl f, Z3_ast a)
{
    return Z3_mk_app(v->c, f, 1, &a);
}
static inline Z3_ast app2(Attempt *v, Z3_func_decl f, Z3_ast a, Z3_ast b)
{
    Z3_ast x[2] = {a, b};
    return Z3_mk_app(v->c, f, 2, x);
}
static inline bool is_bool(Attempt *v, Z3_ast a)
{
    return Z3_get_sort_kind(v->c, Z3_get_sort(v->c, a)) == Z3_BOOL_SORT;
}
static inline Z3_ast fresh_const(Attempt *v, const char *pfx, Z3_sort s)
{
    char name[64];
    snprintf(name, sizeof name, "%s!%d", pfx, v->fresh++);
    return Z3_mk_const(v->c, Z3_mk_string_symbol(v->c, name), s);
}
static inline Z3_func_decl fresh_fn(Attempt *v, const char *pfx, unsigned ar, Z3_sort *dom,
                                    Z3_sort rng)
{
    char name[96];
    snprintf(name, sizeof name, "%s!%d", pfx, v->fresh++);
    return Z3_mk_func_decl(v->c, Z3_mk_string_symbol(v->c, name), ar, dom, rng);
}
static inline Z3_ast subst1(Attempt *v, Z3_ast t, Z3_ast from, Z3_ast to)
{
    return Z3_substitute(v->c, t, 1, &from, &to);
}
static inline Z3_ast subst2(Attempt *v, Z3_ast t, Z3_ast f1, Z3_ast t1, Z3_ast f2, Z3_ast t2)
{
    Z3_ast f[2] = {f1, f2}, to[2] = {t1, t2};
    return Z3_substitute(v->c, t, 2, f, to);
}
static inline Z3_ast in_range(Attempt *v, Z3_ast p)
{
    return and2(v, le(v, num(v, 0), p), lt(v, p, v->n));
}
static inline Z3_ast member(Attempt *v, Z3_ast pred, Z3_ast p)
{
    return and2(v, in_range(v, p), subst1(v, pred, v->Q, p));
}

/* Ints and stamps: both are integers in the logic. A stamp is encoded as the
 * C stores it (never 0, phase p as p + 1), so zero fields of unheard senders
 * and empty aggregates mean never in both. Bytes values are opaque: the
 * checker lets code only copy and compare them (indexing one is refused as
 * unsupported here), so an integer naming each value is exact, the zero
 * bytes being 0. */
static inline bool is_number(TypeKind k)
{
    return k == TY_INT || k == TY_STAMP || k == TY_BYTES;
}

/* ---- attempt.c ---- */
/* Records that the query cannot encode what is at p (v->why: the first
 * reason is kept, later ones are dropped). */
void attempt_unsupported(Attempt *v, Pos p, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Asserts f in the solver and keeps it (scanned for terms, dumped). */
void attempt_assert(Attempt *v, Z3_ast f);
/* The slot of state variable d, or -1. */
int attempt_slot_of(Attempt *v, Decl *d);
/* Slot s of process p before the round (a set: a predicate over Q). */
Z3_ast attempt_pre_read(Attempt *v, int s, Z3_ast p);
/* Slot s of process p in a view (a set: a predicate over Q). */
Z3_ast attempt_state_read(Attempt *v, View view, int s, Z3_ast p);
/* Whether p hears q in this round. */
Z3_ast attempt_hears(Attempt *v, Z3_ast p, Z3_ast q);
/* Whether q's message is in p's mailbox this round. */
Z3_ast attempt_in_mailbox(Attempt *v, Z3_ast p, Z3_ast q);
/* Whether t mentions the set placeholder Q. */
bool attempt_has_q(Attempt *v, Z3_ast t);
/* Whether t is free of the placeholders Q, S and T. */
bool attempt_is_ground(Attempt *v, Z3_ast t);
/* Whether the attempt's deadline has passed. */
bool attempt_over_time(Attempt *v);
/* attempt_over_time, recording a timeout while building the query as the reason. */
bool attempt_stop_if_late(Attempt *v);

#endif
