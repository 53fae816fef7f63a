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
 * counterexample candidate). Anything else is reported unsupported.
 *
 * This file holds the obligations, the set-up and the facts of a query, and
 * the attempts (hypothesis sets, lazy witnesses, the vacuity check); the
 * translation is in translate.c, the Venn regions in venn.c, instantiation
 * in instantiate.c and counterexamples in counterexample.c, each working on
 * the attempt's state (attempt.h). */
#include "vc.h"

#include <inttypes.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>

#include "attempt.h"
#include "counterexample.h"
#include "instantiate.h"
#include "model.h"
#include "msgdep.h"
#include "translate.h"
#include "venn.h"

#define INST_DEPTH 3        /* rounds of universal instantiation at level 0 */
#define MAX_WIT_ROUNDS 40   /* solver calls that may each bring new witnesses */
#define EAGER_ATOMS 0       /* a main family this small gets all its witnesses at once */
#define MAX_WITNESSES 160   /* witnesses of one attempt, in all */
#define MAX_ASSERTED 400000 /* beyond this, Z3 will not answer within any sensible timeout */

/* ---- obligations ---- */
static bool has_stages(Algo *al, Decl *assumption)
{
    for (int i = 0; i < al->nspecs; i++)
        if (al->specs[i]->spec_kind == SPEC_PROGRESS && al->specs[i]->assumption == assumption)
            return true;
    return false;
}

/* The progress stage just before stage d (k - 1 good rounds), or NULL. */
static Decl *previous_stage(Algo *al, Decl *d)
{
    for (int i = 0; i < al->nspecs; i++) {
        Decl *s = al->specs[i];
        if (s->spec_kind == SPEC_PROGRESS && s->assumption == d->assumption &&
            s->ev_rounds == d->ev_rounds - 1)
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

typedef struct Obligations {
    VcObligation *v;
    int n, cap;
} Obligations;

static void add_obligation(Obligations *l, VcKind kind, Decl *spec, int round, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Appends one obligation, its name formatted from fmt. */
static void add_obligation(Obligations *l, VcKind kind, Decl *spec, int round, const char *fmt, ...)
{
    GROW(l->v, l->n, l->cap);
    VcObligation *o = &l->v[l->n++];
    *o = (VcObligation){.kind = kind, .spec = spec, .round = round};
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(o->name, sizeof o->name, fmt, ap);
    va_end(ap);
}

/* Invariants first, then properties, then liveness, each in source order. */
int vc_obligations(Algo *al, VcObligation **out)
{
    Obligations l = {0};
    for (int pass = 0; pass < 3; pass++)
        for (int i = 0; i < al->nspecs; i++) {
            Decl *s = al->specs[i];
            SpecKind k = s->spec_kind;
            if (pass == 0 && k == SPEC_INVARIANT) {
                add_obligation(&l, VC_INIT, s, 0, "%s: initiation", s->name);
                for (int r = 0; r < al->nrounds; r++)
                    add_obligation(&l, VC_CONSEC, s, r, "%s: consecution, round %s", s->name,
                                   al->rounds[r]->name);
            } else if (pass == 1 && k == SPEC_PROPERTY) {
                add_obligation(&l, VC_PROP, s, 0, "%s: implied by the invariants", s->name);
            } else if (pass == 2 && k == SPEC_ASSUME && s->ev_rounds != 0 && !has_stages(al, s)) {
                add_obligation(&l, VC_LIVE, s, -1, "%s: liveness under the assumption", s->name);
            } else if (pass == 2 && k == SPEC_PROGRESS && s->assumption) {
                /* the k-th good round: round k-1 of a phase-aligned assumption's
                 * phase, otherwise any round of the phase */
                bool aligned = s->assumption->ev_rounds < 0;
                for (int r = 0; r < al->nrounds; r++)
                    if (!aligned || r == s->ev_rounds - 1)
                        add_obligation(&l, VC_LIVE, s, r, "%s: progress, round %s", s->name,
                                       al->rounds[r]->name);
            }
        }
    *out = l.v;
    return l.n;
}

/* ---- the set-up and the facts of a query ---- */

/* The sizes the encoding holds: beyond them the query would leave part of
 * the program out, so it is refused, never silently cut. */
static void setup_limits(Attempt *v, Algo *al)
{
    if (al->ninputs + al->nvars > MAXSLOT - 2)
        attempt_unsupported(v, al->decl->pos, "more than %d variables and inputs", MAXSLOT - 2);
    if (al->nparams > (int)(sizeof v->par / sizeof *v->par))
        attempt_unsupported(v, al->decl->pos, "more than %d params",
                            (int)(sizeof v->par / sizeof *v->par));
    if (al->noracles > (int)(sizeof v->oracle / sizeof *v->oracle))
        attempt_unsupported(v, al->decl->pos, "more than %d oracles",
                            (int)(sizeof v->oracle / sizeof *v->oracle));
    for (int r = 0; r < al->nrounds; r++)
        if (al->rounds[r]->nfields > MAXF)
            attempt_unsupported(v, al->rounds[r]->pos, "a message of more than %d fields", MAXF);
}

/* The symbols of the query (placeholders, parameters, one function per state
 * variable, the heard-of relation, ...) with their ranges, and the
 * algorithm's parameter constraints. State it cannot encode is recorded as
 * unsupported. */
static void setup(Attempt *v, Algo *al)
{
    Z3_context c = v->c;
    v->I = Z3_mk_int_sort(c);
    v->B = Z3_mk_bool_sort(c);
    v->Q = Z3_mk_const(c, Z3_mk_string_symbol(c, "__q"), v->I);
    v->S = Z3_mk_const(c, Z3_mk_string_symbol(c, "__self"), v->I);
    v->T = Z3_mk_const(c, Z3_mk_string_symbol(c, "__to"), v->I);
    for (int i = 0; i < al->nparams && i < 16; i++) {
        v->par[i] = Z3_mk_const(c, Z3_mk_string_symbol(c, al->params[i]->name), v->I);
        if (i > 0) /* drivers take no negative parameter (runtime/params.c) */
            attempt_assert(v, and2(v, le(v, num(v, 0), v->par[i]),
                                   le(v, v->par[i], Z3_mk_int64(c, INT64_MAX, v->I))));
    }
    v->n = v->par[0];
    attempt_assert(v, and2(v, le(v, num(v, 1), v->n), le(v, v->n, num(v, HOC_MAXN))));
    Z3_sort d2[2] = {v->I, v->I};
    setup_limits(v, al);
    for (int pass = 0; pass < 2; pass++) {
        Decl **ds = pass ? al->vars : al->inputs;
        int nd = pass ? al->nvars : al->ninputs;
        for (int i = 0; i < nd && v->nslot < MAXSLOT - 2; i++) {
            Slot *s = &v->slot[v->nslot++];
            s->d = ds[i];
            s->name = ds[i]->name;
            TypeKind k = ds[i]->type->kind;
            s->kind = k == TY_BOOL ? SLOT_BOOL : k == TY_SET ? SLOT_SET : SLOT_INT;
            if (k == TY_ENUM) s->enum_n = ds[i]->type->enm->nmembers;
            if (!is_number(k) && k != TY_BOOL && k != TY_PID && k != TY_ENUM && k != TY_SET)
                attempt_unsupported(v, ds[i]->pos,
                                    "state of type %s is not supported by the verifier",
                                    k == TY_ARRAY   ? "array"
                                    : k == TY_BYTES ? "bytes"
                                                    : "this");
            char name[128];
            snprintf(name, sizeof name, "%s", s->name);
            s->pre = Z3_mk_func_decl(c, Z3_mk_string_symbol(c, name), s->kind == SLOT_SET ? 2 : 1,
                                     d2, s->kind == SLOT_INT ? v->I : v->B);
        }
    }
    v->s_halted = v->nslot;
    v->slot[v->nslot].name = "stopped";
    v->slot[v->nslot].kind = SLOT_BOOL;
    v->slot[v->nslot++].pre =
        Z3_mk_func_decl(c, Z3_mk_string_symbol(c, "hoc_stopped"), 1, d2, v->B);
    v->s_crashed = v->nslot;
    v->slot[v->nslot].name = "crashed";
    v->slot[v->nslot].kind = SLOT_BOOL;
    v->slot[v->nslot++].pre =
        Z3_mk_func_decl(c, Z3_mk_string_symbol(c, "hoc_crashed"), 1, d2, v->B);
    for (int i = 0; i < v->nslot; i++)
        if (v->slot[i].d && v->slot[i].d->kind == D_VAR)
            v->stamp[i] = code_facts_is_stamp(al, v->slot[i].d, &v->stamp_k[i]);
    v->ncomp = code_facts_companions(al, v->comp, MAXSLOT);
    v->nhalting = code_facts_halting(al, v->halting, MAXSLOT);
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
    attempt_assert(v,
                   and2(v, le(v, num(v, 0), v->R), le(v, v->R, Z3_mk_int64(c, INT64_MAX, v->I))));
    for (int i = 0; i < al->nwhere; i++) {
        Env e;
        memset(&e, 0, sizeof e);
        e.done = fls(v);
        attempt_assert(v, tr_expr(v, &e, al->where[i]->init, 0));
    }
    v->cur_fam = venn_new_family(v);
    /* an event or a replacement is one more step that every invariant must survive */
    if (al->nevents || al->replaced)
        attempt_unsupported(v, al->nevents ? al->events[0]->pos : al->replaced->pos,
                            "events and replaced blocks are not supported by the verifier");
}

static bool is_stamp_slot(const Attempt *v, int s)
{
    return v->slot[s].d && v->slot[s].d->type && v->slot[s].d->type->kind == TY_STAMP;
}

/* An expression of the phase, id and params (code_facts.h), as it was at
 * process p in phase `then`. */
static Z3_ast at_phase(Attempt *v, Expr *x, Z3_ast p, Z3_ast then)
{
    Z3_ast saved = v->phase;
    v->phase = then;
    Env e;
    memset(&e, 0, sizeof e);
    e.done = fls(v);
    e.self = p;
    Z3_ast r = tr_expr(v, &e, x, 0);
    v->phase = saved;
    return r;
}

/* What the shape of the code says about the start of the round at process
 * p (code_facts.h): round 0 starts from the initial state; stamps are at most
 * the previous phase; a process that has not stopped holds the values the
 * rounds before settled. All are true of every real run, so sound. */
static void round_facts(Attempt *v, Z3_ast p)
{
    int nr = v->al->nrounds;
    Z3_ast R = v->R, zero = num(v, 0), rng = in_range(v, p);
    Z3_ast live = not_(v, attempt_pre_read(v, v->s_halted, p));
    Z3_ast init = live;
    for (int s = 0; s < v->nslot && v->have_init; s++)
        if (v->slot[s].d && v->slot[s].kind != SLOT_SET)
            init = and2(v, init,
                        eq(v, attempt_pre_read(v, s, p), attempt_state_read(v, V_INIT, s, p)));
    attempt_assert(v, imp(v, and2(v, rng, eq(v, R, zero)), init));
    /* a crashed process is stopped for good; nobody crashed before round 0 */
    Z3_ast crashed = attempt_pre_read(v, v->s_crashed, p);
    attempt_assert(v, imp(v, and2(v, rng, crashed), not_(v, live)));
    attempt_assert(v, imp(v, and2(v, rng, eq(v, R, zero)), not_(v, crashed)));
    /* a variable that no round before R assigns still holds its initial
     * value (at stopped processes too: stopping only freezes) */
    for (int s = 0; s < v->nslot && v->have_init; s++) {
        if (!v->slot[s].d || v->slot[s].kind == SLOT_SET) continue;
        int back = code_facts_assign_back(v->al, v->slot[s].d, v->settled_round);
        Z3_ast fresh = back == 0 ? tru(v) : lt(v, R, num(v, back));
        attempt_assert(v,
                       imp(v, and2(v, rng, fresh),
                           eq(v, attempt_pre_read(v, s, p), attempt_state_read(v, V_INIT, s, p))));
    }
    for (int s = 0; s < v->nslot; s++) {
        if (!v->stamp[s]) continue;
        Z3_ast prev = Z3_mk_div(v->c, sub2(v, R, num(v, 1)), num(v, nr));
        if (is_stamp_slot(v, s)) prev = add2(v, prev, num(v, 1)); /* stored as phase + 1 */
        Z3_ast k = num(v, v->stamp_k[s]);
        Z3_ast bound = ite(v, le(v, k, prev), prev, k);
        attempt_assert(
            v, imp(v, and2(v, rng, le(v, num(v, 1), R)), le(v, attempt_pre_read(v, s, p), bound)));
        /* every value a stamp can take in round R' is at most max(k, phase
         * of R'), and rounds that do not assign it keep it: at most the
         * phase of the last round that may assign it */
        int back = code_facts_assign_back(v->al, v->slot[s].d, v->settled_round);
        if (back == 0) continue;
        Z3_ast then = back <= v->settled_round
                          ? v->phase
                          : Z3_mk_div(v->c, sub2(v, R, num(v, back)), num(v, nr));
        if (is_stamp_slot(v, s)) then = add2(v, then, num(v, 1));
        Z3_ast tight = ite(v, le(v, k, then), then, k);
        attempt_assert(v, imp(v, and2(v, rng, le(v, num(v, back), R)),
                              le(v, attempt_pre_read(v, s, p), tight)));
    }
    for (int i = 0; i < v->nhalting; i++) {
        int s = attempt_slot_of(v, v->halting[i]);
        if (s >= 0)
            attempt_assert(v, imp(v, and2(v, rng, attempt_pre_read(v, s, p)), not_(v, live)));
    }
    for (int i = 0; i < v->ncomp; i++) { /* any process, stopped ones too */
        int ss = attempt_slot_of(v, v->comp[i].stamp), sv = attempt_slot_of(v, v->comp[i].var);
        if (ss < 0 || sv < 0) continue;
        Z3_ast st = attempt_pre_read(v, ss, p);
        Z3_ast then = sub2(v, st, num(v, 1)); /* the phase the stamp holds */
        attempt_assert(
            v, imp(v, rng,
                   or2(v, eq(v, st, num(v, 0)),
                       eq(v, attempt_pre_read(v, sv, p), at_phase(v, v->comp[i].expr, p, then)))));
    }
    for (int i = 0; i < v->nsettled; i++) {
        CodeFactsSettled *f = &v->settled[i];
        int s = attempt_slot_of(v, f->var);
        if (s < 0) continue;
        /* set earlier in this phase: the very term of the phase, which the
         * solver then need not prove equal to it */
        Z3_ast then = f->back <= v->settled_round
                          ? v->phase
                          : Z3_mk_div(v->c, sub2(v, R, num(v, f->back)), num(v, nr));
        Z3_ast val = f->is_phase ? (is_stamp_slot(v, s) ? add2(v, then, num(v, 1)) : then)
                     : f->expr   ? at_phase(v, f->expr, p, then)
                     : v->slot[s].kind == SLOT_BOOL ? (f->k ? tru(v) : fls(v))
                                                    : num(v, f->k);
        Z3_ast x[3] = {rng, live, le(v, num(v, f->back), R)};
        attempt_assert(v, imp(v, Z3_mk_and(v->c, 3, x), eq(v, attempt_pre_read(v, s, p), val)));
    }
}

/* Int range facts: every ground read of int state is a 64-bit value and
 * every enum a member. */
static void state_ranges(Attempt *v)
{
    /* every driver delivers a process's own message to itself (hoc sim, hoc check, the runtime) */
    for (int i = 0; i < v->npool && v->have_post; i++) {
        Z3_ast self = attempt_hears(v, v->pool[i], v->pool[i]);
        if (idset_add(&v->range_done, aid(v, self)))
            attempt_assert(v, imp(v, in_range(v, v->pool[i]), self));
    }
    for (int i = 0; i < v->npool && v->have_post; i++)
        if (idset_add(&v->range_done, aid(v, v->pool[i]))) round_facts(v, v->pool[i]);
    for (int i = 0; i < v->npool; i++)
        for (int s = 0; s < v->nslot; s++) {
            if (v->slot[s].kind != SLOT_INT) continue;
            Z3_ast t = attempt_pre_read(v, s, v->pool[i]);
            if (!idset_add(&v->range_done, aid(v, t))) continue;

            if (v->slot[s].enum_n > 0)
                attempt_assert(v,
                               and2(v, le(v, num(v, 0), t), lt(v, t, num(v, v->slot[s].enum_n))));
            else
                attempt_assert(v, and2(v, le(v, Z3_mk_int64(v->c, INT64_MIN, v->I), t),
                                       le(v, t, Z3_mk_int64(v->c, INT64_MAX, v->I))));
        }
}

/* An environment for a spec formula read in view. */
static void spec_env(Attempt *v, Env *e, View view)
{
    memset(e, 0, sizeof *e);
    e->view = view;
    e->done = fls(v);
}

/* ---- one attempt ---- */

/* What one attempt is asked. */
typedef struct AttemptSpec {
    Algo *al;
    const VcObligation *ob;
    const VcOpts *o;
    const bool *use; /* which specs are hypotheses (NULL: every invariant) */
    bool wide;       /* int quantifiers also take the values compared with them */
    bool no_goal;    /* the vacuity check: the hypotheses without the goal */
} AttemptSpec;

/* A fresh attempt at a->ob, its solver open and its state variables set up. */
static Attempt *open_attempt(const AttemptSpec *a, double t0)
{
    Attempt *v = calloc(1, sizeof *v);
    if (!v) abort();
    v->al = a->al;
    v->started = t0;
    v->timeout_ms = a->o->timeout_ms;
    v->rlimit = a->o->rlimit;
    if (a->o->timeout_ms) v->deadline = t0 + (double)a->o->timeout_ms / 1000.0;
    v->int_wide = a->wide;
    const char *debug = getenv("HOC_VC_DEBUG");
    v->debug = !debug ? 0 : atoi(debug) > 1 ? atoi(debug) : 1;
    smt_open(&v->s, a->o->timeout_ms, 0, &v->why);
    v->c = v->s.ctx;
    setup(v, a->al);
    return v;
}

static void close_attempt(Attempt *v)
{
    for (int i = 0; i < v->npends; i++)
        free(v->pends[i].done);
    for (int i = 0; i < v->nfams; i++)
        free(v->fams[i].atoms), free(v->fams[i].r), free(v->fams[i].wit);
    free(v->pends), free(v->aggs), free(v->cards), free(v->atoms), free(v->fams);
    free(v->ints), free(v->intb), free(v->intat), free(v->asserted);
    idset_free(&v->inpool), idset_free(&v->agg_done), idset_free(&v->range_done);
    idset_free(&v->arith_done);
    free(v->fam_term), free(v->fam_of_term), free(v->vatom), free(v->vcount);
    for (int i = 0; i < v->nbinds; i++)
        free(v->binds[i]);
    free(v->binds);
    smt_close(&v->s);
    free(v);
}

/* Liveness is proved in the heard-of model proper: a faulty process is one
 * nobody hears, and it keeps running (the stages speak of every process).
 * The invariants hold there too: it has fewer runs. A good round in which
 * everybody hears the same set P makes the heard-of relation that one set,
 * so every mailbox is built from it and equal mailboxes give equal
 * aggregates (exact: the assumption forces it). Returns P, or NULL. */
static Binder *liveness_model(Attempt *v, const VcObligation *ob)
{
    bool live = ob->kind == VC_LIVE;
    v->no_crash = live;
    v->never_stopped = false;
    if (!live) return NULL;
    v->never_stopped = true;
    for (int r = 0; r < v->al->nrounds; r++)
        if (halts(v->al->rounds[r]->update)) v->never_stopped = false;
    Binder *P = uniform_set(ob->spec->assumption->init);
    if (P) {
        Z3_sort dom = v->I;
        v->good = fresh_fn(v, "good", 1, &dom, v->B);
        v->uniform = true;
    }
    return P;
}

/* The initial state, and for a round's obligation its transition and the
 * values the rounds before settled. */
static void encode_transition(Attempt *v, const VcObligation *ob, bool post)
{
    Algo *al = v->al;
    if (ob->kind == VC_INIT) tr_init(v);
    if (!post) return;
    Round *r = al->rounds[ob->round];
    attempt_assert(v, eq(v, Z3_mk_mod(v->c, v->R, num(v, al->nrounds)), num(v, ob->round)));
    tr_send(v, r);
    tr_post(v, r);
    tr_init(v); /* round 0 starts from it */
    v->nsettled = code_facts_settled(al, ob->round, v->settled, MAXSLOT);
    v->settled_round = ob->round;
}

/* An assumption is read after the round (as hoc sim and hoc check do); if
 * it reads a variable the round's messages decide, it assumes what the
 * algorithm is to achieve, so the obligation is refused (msgdep.h). */
static void refuse_deciding(Attempt *v, Decl *assumption)
{
    int round = 0;
    const Decl *d = msgdep_first_read(v->al, assumption->init, &round);
    if (d)
        attempt_unsupported(v, assumption->pos,
                            "assumption '%s' reads '%s', which the messages decide (from round "
                            "%s on: the state keeps what a round heard): it would assume what "
                            "is to be proved (an assumption may read only state that no "
                            "message changes)",
                            assumption->name, d->name, v->al->rounds[round]->name);
}

/* The invariants in use (and the stage before) hold before the round; the
 * assumptions speak of the round's heard-of sets and the state after it,
 * as in hoc sim and hoc check. P: the set everybody hears, or NULL. */
static void assert_hypotheses(Attempt *v, const AttemptSpec *a, bool post, Binder *P)
{
    const VcObligation *ob = a->ob;
    bool live = ob->kind == VC_LIVE;
    Decl *before = live ? previous_stage(v->al, ob->spec) : NULL;
    Env e;
    for (int i = 0; i < v->al->nspecs; i++) {
        Decl *s = v->al->specs[i];
        bool inv = s->spec_kind == SPEC_INVARIANT && (!a->use || a->use[i] || s == ob->spec);
        bool assumed = (post && s->spec_kind == SPEC_ASSUME && s->ev_rounds == 0) ||
                       (live && s == ob->spec->assumption);
        if (inv || s == before) {
            spec_env(v, &e, V_PRE);
            attempt_assert(v, tr_expr(v, &e, s->init, 1));
        } else if (assumed) {
            refuse_deciding(v, s);
            spec_env(v, &e, V_POST);
            e.rnd = v->rnd;
            if (P && s == ob->spec->assumption) { /* P is the set everybody hears */
                e.binds = tr_bind(v, P, app1(v, v->good, v->Q), e.binds);
                attempt_assert(v, tr_expr(v, &e, s->init->a, 1));
            } else
                attempt_assert(v, tr_expr(v, &e, s->init, 1));
        }
    }
}

/* Adds the ground process terms of the assertions from index from on to the pool. */
static void scan_for_pool(Attempt *v, int from)
{
    Z3_ast *apps = NULL;
    int na = 0, cap = 0;
    inst_scan_asserted(v, from, true, &apps, &na, &cap);
    free(apps);
}

/* Level 0: the query's own processes (for liveness also those the round's
 * code names, its coordinator) form the pool's core; universals and
 * aggregates are instantiated over the pool, which they may grow, up to
 * INST_DEPTH times. */
static void instantiate_level0(Attempt *v, bool live)
{
    scan_for_pool(v, 0);
    if (live) {
        Z3_ast *apps = NULL;
        int na = 0, cap = 0;
        Scan sc = {0};
        for (int s = 0; s < v->nslot; s++)
            inst_scan(v, v->post[s], &sc, &apps, &na, &cap, true);
        idset_free(&sc.seen);
        free(apps);
    }
    /* a query that names no process still has one (n >= 1): without a term,
     * a goal's `exists i: pid` would have no instance and every state would
     * refute it (`exists i. exists k: int. k == x[i] + 1 && ...`) */
    if (v->npool == 0) inst_add_pool(v, num(v, 0));
    v->pool_core = v->npool;
    v->cand_lo = 0, v->cand_hi = v->pool_core;
    int from_asserted = 0;
    for (int d = 0; d < INST_DEPTH && !reason_any(&v->why); d++) {
        int mark = v->nasserted, np = v->npool;
        inst_all(v);
        inst_close_aggregates(v, from_asserted, true);
        from_asserted = mark;
        scan_for_pool(v, mark);
        if (v->npool == np && d > 0) break;
    }
    state_ranges(v);
    inst_close_aggregates(v, 0, false);
}

/* Builds the query of attempt a up to its sealed Venn families; false, with
 * the reason recorded, when it cannot be built. */
static bool build_query(Attempt *v, const AttemptSpec *a)
{
    const VcObligation *ob = a->ob;
    bool live = ob->kind == VC_LIVE, post = ob->kind == VC_CONSEC || live;
    Binder *P = liveness_model(v, ob);
    encode_transition(v, ob, post);
    if (ob->kind != VC_INIT) assert_hypotheses(v, a, post, P);
    Env e;
    spec_env(v, &e, ob->kind == VC_INIT ? V_INIT : post ? V_POST : V_PRE);
    e.goal = true;
    if (!a->no_goal) attempt_assert(v, not_(v, tr_expr(v, &e, ob->spec->init, -1)));
    if (reason_any(&v->why)) return false;
    instantiate_level0(v, live);
    if (reason_any(&v->why) || attempt_stop_if_late(v)) return false;
    /* every pool process makes its region non-empty; when instantiation
     * grew the pool far beyond the query's own processes, only those are
     * tied (fewer facts: sound; each tie costs one implication per region) */
    int ntie = v->npool > 3 * v->pool_core + 8 ? v->pool_core : v->npool;
    return venn_seal_all(v, v->pool, ntie, REASON_UNSUPPORTED);
}

/* HOC_VC_DEBUG >= 2: the model's counts, regions and aggregates. */
static void debug_model(Attempt *v, bool post)
{
    char *cx = cex_text(v, post);
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

/* One solver call within what is left of the attempt's budget (one budget
 * for the whole obligation, across witness rounds). */
static SmtResult check_in_budget(Attempt *v, int it, bool post)
{
    double tc = hoc_now_s();
    if (v->timeout_ms) {
        double left = (double)v->timeout_ms / 1000.0 - (tc - v->started);
        if (left <= 0) {
            reason_note(&v->why, REASON_SOLVER, NULL, "timeout (%.1fs)",
                        (double)v->timeout_ms / 1000.0);
            return SMT_UNKNOWN;
        }
        smt_set_timeout(&v->s, (unsigned)(left * 1000.0) + 1);
    }
    if (v->rlimit) { /* the same budget in Z3's own steps: the same verdict on any machine */
        uint64_t used = smt_rlimit_used(&v->s);
        if (used >= v->rlimit) {
            reason_note(&v->why, REASON_SOLVER, NULL, "resource limit (--rlimit)");
            return SMT_UNKNOWN;
        }
        smt_set_rlimit(&v->s, v->rlimit - used);
    }
    if (v->nasserted > MAX_ASSERTED) { /* the encoding outgrew what Z3 can take in time */
        reason_note(&v->why, REASON_SOLVER, NULL, "the encoding grew too large (%d assertions)",
                    v->nasserted);
        return SMT_UNKNOWN;
    }
    SmtResult r = smt_check(&v->s);
    if (v->debug)
        fprintf(stderr,
                "check %d: %s in %.3fs (rlimit count %llu), %d assertions, %d families, %d "
                "witnesses, pool %d\n",
                it,
                r == SMT_SAT     ? "sat"
                : r == SMT_UNSAT ? "unsat"
                                 : "unknown",
                hoc_now_s() - tc, (unsigned long long)smt_rlimit_used(&v->s), v->nasserted,
                v->nfams, v->nwit, v->npool);
    if (r == SMT_SAT && v->debug > 1) debug_model(v, post);
    return r;
}

/* New witnesses for the main family's regions that the model makes
 * non-empty and that have none yet (at most 64); returns how many. */
static int new_witnesses(Attempt *v, int it, Z3_ast *wit, unsigned *reg)
{
    Family *g = &v->fams[0];
    unsigned nr = 1u << g->natoms;
    int nnew = 0;
    bool eager = it == 0 && g->natoms <= EAGER_ATOMS; /* small: witness every region at once */
    for (unsigned b = 0; b < nr && nnew < 64; b++) {
        int64_t x;
        if (g->wit[b]) continue;
        if (!eager && (!smt_eval_int(&v->s, g->r[b], &x) || x < 1)) continue;
        Z3_ast w = fresh_const(v, "w", v->I);
        g->wit[b] = w;
        wit[nnew] = w;
        reg[nnew++] = b;
    }
    return nnew;
}

typedef enum WitnessStep {
    WIT_ADDED,
    WIT_UNSUPPORTED, /* its instances need what cannot be encoded */
    WIT_UNSEALED     /* its family could not be sealed */
} WitnessStep;

/* Witness w of region b of the main family: when the region is non-empty,
 * w is in it. w joins the pool, and the pending universals (a goal's int
 * quantifier that nothing instantiated, too) and the aggregates are
 * instantiated at it, in a family of its own. */
static WitnessStep add_witness(Attempt *v, unsigned b, Z3_ast w)
{
    int mark = v->nasserted;
    Family *g = &v->fams[0];
    attempt_assert(v, imp(v, le(v, num(v, 1), g->r[b]), venn_region_of(v, g, b, w)));
    v->nwit++;
    inst_add_pool(v, w);
    v->cur_fam = venn_new_family(v);
    int np = v->npends;
    for (int i = 0; i < np; i++)
        if (!v->pends[i].is_int) inst_pend(v, &v->pends[i], w);
    /* exists w. forall i. x[i] == w needs w := x[some process], and the
     * query may name no process at all */
    for (int i = 0; i < np && v->int_wide; i++) {
        Pend *p = &v->pends[i];
        if (!p->is_int || !p->goal || p->nested || p->ndone > 0) continue;
        Z3_ast *c = NULL, *orig = NULL;
        int nc = 0, cap = 0;
        v->cand_lo = v->npool - 1, v->cand_hi = v->npool;
        inst_compared(v, p, p->q->a, &c, &orig, &nc, &cap);
        for (int j = 0; j < nc && v->pends[i].ndone < 24; j++)
            inst_pend_from(v, &v->pends[i], c[j], orig[j]);
        free(c), free(orig);
    }
    v->cand_lo = 0, v->cand_hi = v->pool_core;
    state_ranges(v);
    inst_close_aggregates(v, mark, false);
    v->cur_fam = 0;
    if (reason_any(&v->why)) return WIT_UNSUPPORTED;
    Z3_ast tie[1] = {w};
    return venn_seal_all(v, tie, 1, REASON_SOLVER) ? WIT_ADDED : WIT_UNSEALED;
}

/* Solves the query, adding witnesses of the non-empty regions the models
 * show (lazily: most are never needed) until it is unsat, a model has every
 * non-empty region witnessed (a counterexample), or a bound is reached.
 * False when a witness needed what cannot be encoded: the attempt is then
 * abandoned, without a verdict of the solver. */
static bool solve(Attempt *v, bool post, SmtResult *out)
{
    SmtResult r = SMT_UNKNOWN;
    for (int it = 0;; it++) {
        r = check_in_budget(v, it, post);
        if (r != SMT_SAT) break;
        if (it >= MAX_WIT_ROUNDS || v->nwit >= MAX_WITNESSES) {
            r = SMT_UNKNOWN;
            reason_note(&v->why, REASON_SOLVER, NULL, "the bound on region witnesses was reached");
            break;
        }
        Z3_ast wit[64];
        unsigned reg[64];
        int nnew = new_witnesses(v, it, wit, reg);
        if (nnew == 0) break; /* every non-empty region has its witness: a counterexample */
        for (int k = 0; k < nnew; k++) {
            WitnessStep st = add_witness(v, reg[k], wit[k]);
            if (st == WIT_UNSEALED) {
                *out = SMT_UNKNOWN;
                return true;
            }
            if (st == WIT_UNSUPPORTED) break;
        }
        if (reason_any(&v->why)) return false;
    }
    *out = r;
    return true;
}

static void sanitize(char *s)
{
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '-' || *s == '_'))
            *s = '_';
}

/* --smt2: the query as an SMT-LIB script named after the obligation; the
 * path stays empty if it cannot be written. */
static void dump_query(Attempt *v, const AttemptSpec *a, VcResult *res)
{
    const char *dir = a->o->smt2_dir, *algo = a->al->decl->name;
    mkdir(dir, 0777);
    char fname[200];
    snprintf(fname, sizeof fname, "%s_%s", algo, a->ob->name);
    sanitize(fname);
    snprintf(res->smt2_path, sizeof res->smt2_path, "%s/%s.smt2", dir, fname);
    char comment[300];
    snprintf(comment, sizeof comment, "hoc verify: %s, %s", algo, a->ob->name);
    if (!smt_dump(&v->s, res->smt2_path, comment)) res->smt2_path[0] = 0;
}

/* The verdict of a solved query: unsat is a proof only if nothing went
 * wrong on the way (no reason recorded, no Z3 error, no placeholder left in
 * the query); sat is a counterexample. */
static void verdict(Attempt *v, const AttemptSpec *a, SmtResult r, VcResult *res, bool *had_int)
{
    for (int i = 0; i < v->npends; i++)
        *had_int |= v->pends[i].is_int;
    res->witnesses = v->nwit;
    res->families = v->nfams;
    res->atoms = v->natoms;
    if (a->o->smt2_dir) dump_query(v, a, res);
    if (r == SMT_UNSAT && reason_any(&v->why)) r = SMT_UNKNOWN;
    if (r == SMT_UNSAT && smt_had_error(&v->s)) {
        r = SMT_UNKNOWN;
        reason_note(&v->why, REASON_SOLVER, NULL, "Z3 reported an error");
    }
    for (int i = 0; i < v->nasserted && r == SMT_UNSAT; i++)
        if (!attempt_is_ground(v, v->asserted[i])) {
            r = SMT_UNKNOWN;
            reason_note(&v->why, REASON_SOLVER, NULL,
                        "internal: a placeholder escaped into the query");
        }
    if (r == SMT_UNSAT) {
        res->status = VC_PROVED;
    } else if (r == SMT_SAT) {
        res->status = VC_FAILED;
        snprintf(res->reason, sizeof res->reason,
                 "the solver found a state satisfying the hypotheses but not the goal");
        bool post = a->ob->kind == VC_CONSEC || a->ob->kind == VC_LIVE;
        res->cex = cex_text(v, post);
        res->model = model_read(v, a->ob);
    } else {
        res->status = VC_UNKNOWN;
        reason_format(&v->why, res->reason, sizeof res->reason);
    }
}

void vc_result_free(VcResult *res)
{
    free(res->cex);
    res->cex = NULL;
    vc_model_free(res->model);
    res->model = NULL;
}

/* One attempt at a->ob: *had_int is set when its query had int quantifiers
 * (so that a wide attempt may do better). */
static void run_attempt(const AttemptSpec *a, VcResult *res, bool *had_int)
{
    memset(res, 0, sizeof *res);
    double t0 = hoc_now_s();
    const VcObligation *ob = a->ob;
    if (ob->kind == VC_LIVE && ob->round < 0) {
        res->status = VC_UNKNOWN;
        snprintf(res->reason, sizeof res->reason,
                 "no progress stages: say what the good rounds achieve with `progress %s after "
                 "K rounds: FORMULA;` (docs/verifier.md)",
                 ob->spec->name);
        res->secs = hoc_now_s() - t0;
        return;
    }
    Attempt *v = open_attempt(a, t0);
    SmtResult r;
    bool post = ob->kind == VC_CONSEC || ob->kind == VC_LIVE;
    if (build_query(v, a) && solve(v, post, &r)) {
        verdict(v, a, r, res, had_int);
    } else {
        res->status = VC_UNKNOWN;
        reason_format(&v->why, res->reason, sizeof res->reason);
    }
    res->units = smt_rlimit_used(&v->s);
    close_attempt(v);
    res->secs = hoc_now_s() - t0;
}

/* An attempt with int quantifiers instantiated by skolems only (narrow),
 * then, if that does not prove it and there were int quantifiers, by the
 * values compared with them too (wide: more instances, all in the main Venn
 * family). The narrow one keeps queries like LastVoting's `locked` small. */
static void narrow_then_wide(Algo *al, const VcObligation *ob, const VcOpts *o, VcResult *res,
                             const bool *use, bool no_goal)
{
    bool had_int = false;
    VcOpts oo = *o;
    /* with a resource budget, the units are shared and the clock is only a
     * backstop (shares of the clock would make the verdict the machine's) */
    if (o->rlimit)
        oo.rlimit = o->rlimit / 2 + 1;
    else if (o->timeout_ms)
        oo.timeout_ms = o->timeout_ms / 2 + 1;
    AttemptSpec a = {.al = al, .ob = ob, .o = &oo, .use = use, .no_goal = no_goal};
    run_attempt(&a, res, &had_int);
    if (res->status == VC_PROVED || !had_int) return;
    double first = res->secs;
    uint64_t first_units = res->units;
    vc_result_free(res);
    if (o->timeout_ms) {
        double left = (double)o->timeout_ms - first * 1000.0;
        oo.timeout_ms = (unsigned)(left > 1 ? left : 1);
    }
    if (o->rlimit) oo.rlimit = o->rlimit > first_units ? o->rlimit - first_units : 1;
    a.wide = true;
    run_attempt(&a, res, &had_int);
    res->secs += first;
    res->units += first_units;
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
        ninv += al->specs[i]->spec_kind == SPEC_INVARIANT;
    bool stage = ob->kind == VC_LIVE && ob->round >= 0;
    if ((ob->kind != VC_CONSEC && ob->kind != VC_PROP && !stage) || ninv < 2 || al->nspecs > 256) {
        narrow_then_wide(al, ob, o, res, NULL, false);
        *all = true;
        return;
    }
    for (int i = 0; i < al->nspecs; i++)
        if (al->specs[i]->spec_kind == SPEC_INVARIANT && al->specs[i] != ob->spec)
            order[norder++] = i;
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
    uint64_t spent_units = 0;
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
            oo.timeout_ms = (unsigned)(last || o->rlimit ? left : left / 4 + 1);
        }
        if (o->rlimit) { /* shared the same way in units; the clock is the backstop */
            uint64_t left = o->rlimit > spent_units ? o->rlimit - spent_units : 1;
            oo.rlimit = last ? left : left / 4 + 1;
        }
        narrow_then_wide(al, ob, &oo, res, use, false);
        spent += res->secs;
        spent_units += res->units;
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
        if (!last) vc_result_free(res);
    }
    res->secs = spent;
    res->units = spent_units;
}

/* Whether the obligation assumes something of the heard-of sets: then its
 * hypotheses are the likelier to contradict each other (an assumption
 * nothing satisfies, `|P| > n`), and a proof would say nothing. */
static bool assumes(Algo *al, const VcObligation *ob)
{
    if (ob->kind == VC_LIVE) return true;
    if (ob->kind != VC_CONSEC) return false;
    for (int i = 0; i < al->nspecs; i++)
        if (al->specs[i]->spec_kind == SPEC_ASSUME && al->specs[i]->ev_rounds == 0) return true;
    return false;
}

/* Whether some n in 1..HOC_MAXN and parameter values satisfy the `where`
 * constraints: if none does, nothing can run and every obligation holds
 * for nothing. False only when the solver shows there is none. */
static bool params_satisfiable(Algo *al, const VcOpts *o)
{
    VcOpts oo = *o;
    if (!oo.timeout_ms || oo.timeout_ms > 2000) oo.timeout_ms = 2000;
    AttemptSpec a = {.al = al, .o = &oo};
    Attempt *v = open_attempt(&a, hoc_now_s());
    bool sat = reason_any(&v->why) || smt_check(&v->s) != SMT_UNSAT;
    close_attempt(v);
    return sat;
}

void vc_discharge(Algo *al, const VcObligation *ob, const VcOpts *o, VcResult *res)
{
    double t0 = hoc_now_s();
    if (!params_satisfiable(al, o)) {
        memset(res, 0, sizeof *res);
        res->status = VC_UNKNOWN;
        snprintf(res->reason, sizeof res->reason,
                 "vacuous: no n in 1..%d and no parameter values (0 or more) satisfy the "
                 "parameters' `where` constraints, so nothing can run and every obligation "
                 "would hold",
                 HOC_MAXN);
        res->secs = hoc_now_s() - t0;
        return;
    }
    double setup = hoc_now_s() - t0;
    bool used[256] = {0}, all = false;
    discharge(al, ob, o, res, used, &all);
    res->secs += setup;
    if (res->status != VC_PROVED) return;
    /* The same hypotheses without the goal: unsat means they contradict each
     * other. Where the obligation assumes something of the heard-of sets
     * (the likely way) it gets the whole budget; elsewhere (invariants used
     * together, code facts) about as long as the proof took. */
    VcResult vac;
    VcOpts oo = *o;
    oo.smt2_dir = NULL;
    if (!assumes(al, ob) && o->rlimit) { /* about what the proof used */
        uint64_t cap = res->units + 4000000;
        if (cap < oo.rlimit) oo.rlimit = cap;
    } else if (!assumes(al, ob) && o->timeout_ms) {
        double cap = res->secs * 1000.0 + 1000.0;
        if (cap < oo.timeout_ms) oo.timeout_ms = (unsigned)cap;
    }
    narrow_then_wide(al, ob, &oo, &vac, all ? NULL : used, true);
    vc_result_free(&vac);
    res->secs += vac.secs;
    if (vac.status == VC_PROVED) {
        res->status = VC_UNKNOWN;
        snprintf(res->reason, sizeof res->reason,
                 "vacuous: the hypotheses (the parameters' constraints, the assumptions, the "
                 "invariants used, the stage before) contradict each other, so the proof says "
                 "nothing");
    }
}

/* ---- parts of a query that concrete.c builds the same way (vc_parts.h) ---- */
void vc_part_setup(Attempt *v, Algo *al)
{
    setup(v, al);
}

void vc_part_state_ranges(Attempt *v)
{
    state_ranges(v);
}

void vc_part_close(Attempt *v)
{
    close_attempt(v);
}
