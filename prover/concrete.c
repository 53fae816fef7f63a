/* concrete.c: the encoding of one round evaluated on concrete values (see
 * concrete.h). The query is built by the prover's own parts (vc_parts.h,
 * translate.h, instantiate.h, venn.h); what is added here only pins its
 * symbols to the concrete run and makes what the prover leaves to the
 * solver exact for that run:
 *
 * - every concrete value is an equality behind an assumption literal (a
 *   "pin"), so that an unsat core names the values that disagree;
 * - every pending universal is instantiated at every process (and an int
 *   one at every int the run holds): on n concrete processes that is the
 *   quantifier itself;
 * - every Venn region is the number of processes 0..n-1 in it, which the
 *   prover approximates with ties and lazy witnesses.
 *
 * Exact regions and full instantiation only add true facts about the run,
 * so a run the encoding rejects is rejected by every query hoc verify could
 * build: a real mismatch, never an artefact of the evaluation.
 *
 * The evaluation is split in parts, each a fresh query: the round (pre-state
 * to post-state), the initial state (at round 0, from the inputs), and each
 * spec in each view. One query holding every spec in every view is the sum
 * of their Venn families and skolems, which Z3 takes seconds to minutes on;
 * the parts take milliseconds each. */
#include "concrete.h"

#include <inttypes.h>
#include <string.h>

#include "attempt.h"
#include "buf.h"
#include "clock.h"
#include "instantiate.h"
#include "translate.h"
#include "vc_parts.h"
#include "venn.h"

#define MAX_EXACT_ATOMS 10 /* families larger than this keep the prover's own region facts */
#define MAX_INT_VALUES 96  /* int values int universals are instantiated at */
#define MAX_TIE 64         /* processes tied to their regions */

/* A concrete value pinned to the encoding's term: lit <-> (term == val). */
typedef struct Pin {
    char label[96];
    Z3_ast term, lit;
    int64_t val;
    bool is_bool;
} Pin;

typedef struct Pins {
    Pin *v;
    int n, cap;
} Pins;

/* The evaluation of one run: one attempt (a fresh query) at a time, for
 * the transition, then for each spec in each view. */
typedef struct Conc {
    Attempt *v; /* the current part's */
    Algo *al;
    const ConcRun *run;
    int nslot;
    int64_t round; /* the current part's: the run's, or 0 for the initial state */
    unsigned timeout_ms;
    double deadline;
    Pins given; /* what the run starts from: pre-state, heard-of sets, crashes, oracles */
    Pins seen;  /* what the C computed: post-state, initial state */
    int64_t ints[MAX_INT_VALUES];
    int nints;
    hoc_buf report;
    int checks, imprecise, nparts;
    bool unknown, unsupported, mismatch;
} Conc;

int conc_nslots(const Algo *al)
{
    return al->ninputs + al->nvars;
}

Decl *conc_slot(const Algo *al, int k)
{
    return k < al->ninputs ? al->inputs[k] : al->vars[k - al->ninputs];
}

/* ---- pins ---- */
static void pin(Conc *c, Pins *l, const char *label, Z3_ast term, int64_t val)
{
    Attempt *v = c->v;
    GROW(l->v, l->n, l->cap);
    Pin *p = &l->v[l->n++];
    snprintf(p->label, sizeof p->label, "%s", label);
    p->term = term;
    p->val = val;
    p->is_bool = is_bool(v, term);
    p->lit = fresh_const(v, "pin", v->B);
    Z3_ast want = p->is_bool ? (val ? term : not_(v, term)) : eq(v, term, num(v, val));
    attempt_assert(v, eq(v, p->lit, want));
}

/* Pins slot k of process p in a view (a set: bit by bit, over 0..n-1). */
static void pin_slot(Conc *c, Pins *l, const char *what, int p, int k, Z3_ast term, int64_t val)
{
    Attempt *v = c->v;
    char label[96];
    if (v->slot[k].kind != SLOT_SET) {
        snprintf(label, sizeof label, "%s %s@p%d", what, v->slot[k].name, p);
        pin(c, l, label, term, val);
        return;
    }
    for (int q = 0; q < c->run->n; q++) {
        snprintf(label, sizeof label, "%s %s@p%d has %d", what, v->slot[k].name, p, q);
        pin(c, l, label, subst1(v, term, v->Q, num(v, q)), (uint64_t)val >> q & 1);
    }
}

/* Adds v to the int values int universals are instantiated at. */
static void add_int(Conc *c, int64_t x)
{
    for (int i = 0; i < c->nints; i++)
        if (c->ints[i] == x) return;
    if (c->nints < MAX_INT_VALUES) c->ints[c->nints++] = x;
}

static bool int_valued(const Slot *s)
{
    return s->d && (is_number(s->d->type->kind) || s->d->type->kind == TY_PID);
}

/* The run's parameters, round, pre-state, heard-of sets, crashes and
 * oracles, pinned (the given values). */
static void pin_given(Conc *c, bool inputs_only)
{
    Attempt *v = c->v;
    const ConcRun *r = c->run;
    char label[96];
    for (int i = 0; i < c->al->nparams && i < 16; i++) {
        snprintf(label, sizeof label, "param %s", c->al->params[i]->name);
        pin(c, &c->given, label, v->par[i], r->params[i]);
    }
    pin(c, &c->given, "round", v->R, c->round);
    for (int p = 0; p < r->n; p++) {
        Z3_ast P = num(v, p);
        for (int k = 0; k < c->nslot; k++)
            if (!inputs_only || v->slot[k].d->kind == D_INPUT)
                pin_slot(c, &c->given, "pre", p, k, attempt_pre_read(v, k, P),
                         r->pre[p * c->nslot + k]);
        if (inputs_only) continue;
        snprintf(label, sizeof label, "pre stopped@p%d", p);
        pin(c, &c->given, label, attempt_pre_read(v, v->s_halted, P), r->stopped[p]);
        snprintf(label, sizeof label, "pre crashed@p%d", p);
        pin(c, &c->given, label, attempt_pre_read(v, v->s_crashed, P), r->crashed[p]);
        snprintf(label, sizeof label, "crashes_now@p%d", p);
        if (!v->no_crash) pin(c, &c->given, label, app1(v, v->crashnow, P), r->crash_now[p]);
        for (int q = 0; q < r->n; q++) {
            snprintf(label, sizeof label, "ho@p%d has %d", p, q);
            pin(c, &c->given, label, attempt_hears(v, P, num(v, q)), r->ho[p] >> q & 1);
        }
        for (int i = 0; i < c->al->noracles && i < 64; i++) {
            snprintf(label, sizeof label, "oracle %s@p%d", c->al->oracles[i]->name, p);
            pin(c, &c->given, label, app1(v, v->oracle[i], P), r->oracle[p] >> i & 1);
        }
    }
}

/* What the C computed, pinned: the post-state with who is stopped after
 * the round (post), and the initial state of the pre-state's inputs (init). */
static void pin_seen(Conc *c, bool post, bool init)
{
    Attempt *v = c->v;
    const ConcRun *r = c->run;
    char label[96];
    for (int p = 0; p < r->n; p++) {
        Z3_ast P = num(v, p);
        for (int k = 0; k < c->nslot; k++) {
            if (post)
                pin_slot(c, &c->seen, "post", p, k, attempt_state_read(v, V_POST, k, P),
                         r->post[p * c->nslot + k]);
            if (init && v->slot[k].d->kind == D_VAR)
                pin_slot(c, &c->seen, "init", p, k, attempt_state_read(v, V_INIT, k, P),
                         r->init[p * c->nslot + k]);
        }
        snprintf(label, sizeof label, "post stopped@p%d", p);
        if (post)
            pin(c, &c->seen, label, attempt_state_read(v, V_POST, v->s_halted, P),
                r->stopped_after[p]);
        snprintf(label, sizeof label, "post crashed@p%d", p);
        if (post)
            pin(c, &c->seen, label, attempt_state_read(v, V_POST, v->s_crashed, P),
                r->crashed[p] || r->crash_now[p]);
    }
}

/* ---- making the encoding exact on the run ---- */
static void collect_ints(Conc *c)
{
    const ConcRun *r = c->run;
    const int64_t *views[3] = {r->pre, r->post, r->init};
    for (int p = 0; p < r->n; p++)
        add_int(c, p);
    for (int w = 0; w < 3; w++)
        for (int p = 0; p < r->n && views[w]; p++)
            for (int k = 0; k < c->nslot; k++)
                if (int_valued(&c->v->slot[k])) add_int(c, views[w][p * c->nslot + k]);
}

/* Every pending universal at every process (an int one at every int of the
 * run), and the aggregates of what that brings, until nothing new comes. */
static void instantiate(Conc *c)
{
    Attempt *v = c->v;
    int from = 0;
    for (int round = 0; round < 8 && !reason_any(&v->why); round++) {
        int np = v->npends, mark = v->nasserted;
        for (int i = 0; i < np; i++) {
            if (v->pends[i].is_int)
                for (int k = 0; k < c->nints; k++)
                    inst_pend_from(v, &v->pends[i], num(v, c->ints[k]), NULL);
            else
                for (int p = 0; p < c->run->n; p++)
                    inst_pend(v, &v->pends[i], num(v, p));
        }
        inst_close_aggregates(v, from, true);
        from = mark;
        if (v->npends == np && v->nasserted == mark) break;
    }
}

/* Every region of every family is the number of processes in it. */
static void exact_regions(Conc *c)
{
    Attempt *v = c->v;
    int n = c->run->n;
    Z3_ast *terms = malloc(sizeof *terms * (size_t)n);
    if (!terms) abort();
    for (int fi = 0; fi < v->nfams; fi++) {
        Family *f = &v->fams[fi];
        if (!f->sealed || f->natoms > MAX_EXACT_ATOMS) continue;
        for (unsigned b = 0; b < (1u << f->natoms); b++) {
            for (int q = 0; q < n; q++)
                terms[q] = ite(v, venn_region_of(v, f, b, num(v, q)), num(v, 1), num(v, 0));
            attempt_assert(v, eq(v, f->r[b], Z3_mk_add(v->c, (unsigned)n, terms)));
        }
    }
    free(terms);
}

/* ---- one part of the evaluation: a fresh query ---- */

/* Records why the part cannot be evaluated (once). */
static void part_gave_up(Conc *c)
{
    char why[400];
    reason_format(&c->v->why, why, sizeof why);
    if (c->v->why.kind == REASON_SOLVER)
        c->unknown = true;
    else
        c->unsupported = true;
    hoc_buf_printf(&c->report, "%s\n", why);
}

/* A fresh query over the algorithm at global round `round`, the processes
 * 0..n-1 its pool and the first run->core of them its core; false when the
 * state cannot be encoded. */
static bool part_open(Conc *c, int64_t round)
{
    c->round = round;
    Attempt *v = calloc(1, sizeof *v);
    if (!v) abort();
    c->v = v;
    v->al = c->al;
    v->started = hoc_now_s();
    v->timeout_ms = c->timeout_ms;
    v->deadline = c->deadline;
    v->debug = getenv("HOC_VC_DEBUG") ? atoi(getenv("HOC_VC_DEBUG")) : 0;
    smt_open(&v->s, c->timeout_ms, 0, &v->why);
    v->c = v->s.ctx;
    vc_part_setup(v, c->al);
    if (c->run->uniform) { /* as liveness_model sets up a good round */
        Z3_sort dom = v->I;
        v->no_crash = v->uniform = true;
        v->good = fresh_fn(v, "good", 1, &dom, v->B);
    }
    if (v->nslot - 2 != c->nslot) /* the stopped and crashed flags */
        attempt_unsupported(v, c->al->decl->pos, "more state than the verifier's slots");
    for (int p = 0; p < c->run->n; p++)
        inst_add_pool(v, num(v, p));
    /* the processes a query names: what mmor is compared with, what the main
     * Venn family splits on; all n of them make queries far larger */
    int core = c->run->core > 0 && c->run->core < c->run->n ? c->run->core : c->run->n;
    v->pool_core = core < v->npool ? core : v->npool;
    v->cand_lo = 0, v->cand_hi = v->pool_core;
    c->given.n = c->seen.n = 0;
    if (reason_any(&v->why)) return false;
    int r = (int)(round % c->al->nrounds);
    attempt_assert(v, eq(v, Z3_mk_mod(v->c, v->R, num(v, c->al->nrounds)), num(v, r)));
    return true;
}

/* The round's transition (and the initial state, which round 0 starts from). */
static void part_transition(Conc *c)
{
    Attempt *v = c->v;
    Round *r = c->al->rounds[c->run->round % c->al->nrounds];
    tr_send(v, r);
    tr_post(v, r);
    tr_init(v);
}

/* Completes the query: instantiation, the code's facts when asked, the Venn
 * families sealed and made exact. False (recorded) when it cannot be built. */
static bool part_finish(Conc *c, bool facts)
{
    Attempt *v = c->v;
    if (reason_any(&v->why)) return false;
    collect_ints(c);
    instantiate(c);
    if (facts) {
        int r = (int)(c->run->round % c->al->nrounds), mark = v->nasserted;
        v->nsettled = code_facts_settled(c->al, r, v->settled, MAXSLOT);
        v->settled_round = r;
        vc_part_state_ranges(v);
        inst_close_aggregates(v, mark, true);
    }
    if (reason_any(&v->why)) return false;
    Z3_ast tie[MAX_TIE];
    int nt = c->run->n < MAX_TIE ? c->run->n : MAX_TIE;
    for (int p = 0; p < nt; p++)
        tie[p] = num(v, p);
    if (!venn_seal_all(v, tie, nt, REASON_UNSUPPORTED)) return false;
    exact_regions(c);
    const char *dump = getenv("HOC_CONC_DUMP"); /* each part's query, for z3 by hand */
    if (dump) {
        char path[4096];
        snprintf(path, sizeof path, "%s.%d", dump, c->nparts);
        smt_dump(&v->s, path, "concrete evaluation (the pins are assumption literals)");
    }
    c->nparts++;
    return !reason_any(&v->why);
}

static void part_close(Conc *c)
{
    if (c->v && getenv("HOC_CONC_TIME"))
        fprintf(stderr, "part: %.3fs, %d assertions, %d families\n", hoc_now_s() - c->v->started,
                c->v->nasserted, c->v->nfams);
    if (c->v) vc_part_close(c->v);
    c->v = NULL;
}

/* ---- asking Z3 ---- */
typedef struct Lits {
    Z3_ast *v;
    int n, cap;
} Lits;

static void lits_add(Lits *l, Z3_ast a)
{
    GROW(l->v, l->n, l->cap);
    l->v[l->n++] = a;
}

static void lits_pins(Lits *l, const Pins *p)
{
    for (int i = 0; i < p->n; i++)
        lits_add(l, p->v[i].lit);
}

/* Checks the assertions under the literals; Z3_L_UNDEF marks c unknown. */
static Z3_lbool check(Conc *c, const Lits *l)
{
    Attempt *v = c->v;
    if (c->unknown) return Z3_L_UNDEF;
    if (c->deadline > 0) {
        double left = c->deadline - hoc_now_s();
        if (left <= 0) return c->unknown = true, Z3_L_UNDEF;
        smt_set_timeout(&v->s, (unsigned)(left * 1000.0) + 1);
    }
    Z3_lbool r = Z3_solver_check_assumptions(v->c, v->s.solver, (unsigned)l->n, l->v);
    if (r == Z3_L_UNDEF) c->unknown = true;
    return r;
}

/* The value of t in model m (NULL when there is none), and as text. */
static Z3_ast model_value(Conc *c, Z3_model m, Z3_ast t, char *out, size_t cap)
{
    Z3_ast r = NULL;
    snprintf(out, cap, "?");
    if (!m || !Z3_model_eval(c->v->c, m, t, true, &r) || !r) return NULL;
    snprintf(out, cap, "%s", Z3_ast_to_string(c->v->c, r));
    return r;
}

/* Whether the given values with the extra literal x are satisfiable. */
static Z3_lbool given_and(Conc *c, Z3_ast x)
{
    Lits l = {0};
    lits_pins(&l, &c->given);
    if (x) lits_add(&l, x);
    Z3_lbool r = check(c, &l);
    free(l.v);
    return r;
}

/* Appends the labels and values of the pins of l in the last unsat core. */
static void print_core(Conc *c, const Pins *l)
{
    Attempt *v = c->v;
    Z3_ast_vector core = Z3_solver_get_unsat_core(v->c, v->s.solver);
    Z3_ast_vector_inc_ref(v->c, core);
    for (unsigned i = 0; i < Z3_ast_vector_size(v->c, core); i++)
        for (int k = 0; k < l->n; k++)
            if (Z3_is_eq_ast(v->c, l->v[k].lit, Z3_ast_vector_get(v->c, core, i)))
                hoc_buf_printf(&c->report, " %s=%" PRId64, l->v[k].label, l->v[k].val);
    hoc_buf_printf(&c->report, "\n");
    Z3_ast_vector_dec_ref(v->c, core);
}

/* The encoding rejects the C's values taken together: names each seen value
 * it rejects on its own, with the value it allows (forced or not), or else
 * the values of an unsat core. */
static void explain_seen(Conc *c)
{
    Attempt *v = c->v;
    Z3_model m = NULL;
    if (given_and(c, NULL) == Z3_L_TRUE) {
        m = Z3_solver_get_model(v->c, v->s.solver);
        if (m) Z3_model_inc_ref(v->c, m);
    }
    int alone = 0;
    for (int i = 0; i < c->seen.n && !c->unknown; i++) {
        Pin *p = &c->seen.v[i];
        if (given_and(c, p->lit) != Z3_L_FALSE) continue;
        char enc[64];
        Z3_ast val = model_value(c, m, p->term, enc, sizeof enc);
        bool forced = false;
        if (val) { /* is it the only value the encoding allows? */
            Z3_ast other = fresh_const(v, "other", v->B);
            attempt_assert(v, eq(v, other, not_(v, eq(v, p->term, val))));
            forced = given_and(c, other) == Z3_L_FALSE;
        }
        hoc_buf_printf(&c->report, "  %s: C %" PRId64 ", encoding %s%s\n", p->label, p->val, enc,
                       forced ? " (the only value it allows)" : " (one value it allows)");
        alone++;
    }
    if (!alone && !c->unknown && given_and(c, NULL) == Z3_L_TRUE) {
        Lits l = {0};
        lits_pins(&l, &c->given);
        lits_pins(&l, &c->seen);
        if (check(c, &l) == Z3_L_FALSE) {
            hoc_buf_printf(&c->report, "  the C's values are rejected only together:");
            print_core(c, &c->seen);
        }
        free(l.v);
    }
    if (m) Z3_model_dec_ref(v->c, m);
}

/* The C's post-state and initial state must be admitted with the given
 * values (in facts mode the given values alone check the code's facts on a
 * reachable state). */
static void check_transition(Conc *c)
{
    Lits l = {0};
    lits_pins(&l, &c->given);
    c->checks++;
    Z3_lbool r = check(c, &l);
    if (r == Z3_L_FALSE) {
        c->mismatch = true;
        hoc_buf_printf(&c->report, "the encoding rejects the pre-state itself; conflicting:");
        print_core(c, &c->given);
    }
    if (r == Z3_L_TRUE) {
        lits_pins(&l, &c->seen);
        c->checks += c->seen.n;
        r = check(c, &l);
        if (r == Z3_L_FALSE) {
            c->mismatch = true;
            hoc_buf_printf(&c->report, "the encoding rejects what the C computed:\n");
            explain_seen(c);
        }
    }
    for (int i = 0; r == Z3_L_TRUE && c->run->precise && i < c->seen.n && !c->unknown; i++) {
        Z3_ast keep = l.v[c->given.n + i];
        l.v[c->given.n + i] = not_(c->v, c->seen.v[i].lit);
        c->imprecise += check(c, &l) == Z3_L_TRUE;
        l.v[c->given.n + i] = keep;
    }
    free(l.v);
}

static const char *view_name(View w)
{
    return w == V_PRE ? "pre-state" : w == V_POST ? "post-state" : "initial state";
}

/* Spec d in view w (as a hypothesis, or as a goal), a fresh literal. */
static Z3_ast spec_term(Conc *c, Decl *d, View w, bool goal)
{
    Attempt *v = c->v;
    Env e;
    memset(&e, 0, sizeof e);
    e.view = w;
    e.done = fls(v);
    e.goal = goal;
    if (d->spec_kind == SPEC_ASSUME) e.rnd = v->rnd; /* assumptions read the round's HO */
    Z3_ast f = tr_expr(v, &e, d->init, goal ? -1 : 1);
    Z3_ast lit = fresh_const(v, goal ? "goal" : "hyp", v->B);
    attempt_assert(v, eq(v, lit, f));
    return lit;
}

/* Spec d on view w, whose truth in the C is t: true, it must be
 * satisfiable as a hypothesis; false, as a negated goal. Its own query,
 * with every concrete value asserted. */
static void check_spec(Conc *c, Decl *d, View w, bool t)
{
    if (!part_open(c, w == V_INIT ? 0 : c->run->round)) { /* the initial state is round 0's */
        part_gave_up(c);
        return;
    }
    if (w == V_POST) part_transition(c);
    if (w == V_INIT) tr_init(c->v);
    pin_given(c, w == V_INIT);
    pin_seen(c, w == V_POST, w == V_INIT);
    for (int i = 0; i < c->given.n; i++)
        attempt_assert(c->v, c->given.v[i].lit);
    for (int i = 0; i < c->seen.n; i++)
        attempt_assert(c->v, c->seen.v[i].lit);
    Z3_ast hyp = t || c->run->precise ? spec_term(c, d, w, false) : NULL;
    Z3_ast goal = !t || c->run->precise ? spec_term(c, d, w, true) : NULL;
    if (!part_finish(c, false)) {
        part_gave_up(c);
        part_close(c);
        return;
    }
    Lits l = {0};
    lits_add(&l, t ? hyp : not_(c->v, goal));
    c->checks++;
    if (check(c, &l) == Z3_L_FALSE) {
        c->mismatch = true;
        hoc_buf_printf(&c->report, "%s %s on the %s: C %s, the encoding %s\n",
                       hoc_spec_kind_name((int)d->spec_kind), d->name, view_name(w),
                       t ? "true" : "false", t ? "as a hypothesis is false" : "as a goal is true");
    } else if (c->run->precise && !c->unknown) {
        l.v[0] = t ? not_(c->v, goal) : hyp;
        c->imprecise += check(c, &l) == Z3_L_TRUE;
    }
    free(l.v);
    part_close(c);
}

static void check_specs(Conc *c)
{
    const ConcRun *r = c->run;
    for (int i = 0; i < c->al->nspecs && !c->unknown; i++) {
        Decl *d = c->al->specs[i];
        SpecKind k = d->spec_kind;
        bool state = k == SPEC_INVARIANT || k == SPEC_PROGRESS || k == SPEC_PROPERTY;
        if (!state && k != SPEC_ASSUME) continue; /* goals and prunes only guide hoc check */
        if (state && r->spec_pre && r->spec_pre[i] >= 0) check_spec(c, d, V_PRE, r->spec_pre[i]);
        if (r->spec_post && r->spec_post[i] >= 0) check_spec(c, d, V_POST, r->spec_post[i]);
        if (state && r->init && r->spec_init && r->spec_init[i] >= 0)
            check_spec(c, d, V_INIT, r->spec_init[i]);
    }
}

ConcVerdict conc_check(Algo *al, const ConcRun *run, unsigned timeout_ms, ConcResult *res)
{
    memset(res, 0, sizeof *res);
    Conc c = {.al = al, .run = run, .nslot = conc_nslots(al), .timeout_ms = timeout_ms};
    if (timeout_ms) c.deadline = hoc_now_s() + timeout_ms / 1000.0;
    for (int init = 0; init < 1 + (run->init != NULL) && !c.mismatch; init++) {
        /* the round from the pre-state, then the initial state from the inputs */
        if (part_open(&c, init ? 0 : run->round)) {
            if (init)
                tr_init(c.v);
            else
                part_transition(&c);
            pin_given(&c, init);
            pin_seen(&c, !init, init);
            if (part_finish(&c, run->facts && !init))
                check_transition(&c);
            else
                part_gave_up(&c);
        } else
            part_gave_up(&c);
        part_close(&c);
    }
    if (!c.mismatch && !c.unknown && !c.unsupported) check_specs(&c);
    res->verdict = c.mismatch      ? CONC_MISMATCH
                   : c.unsupported ? CONC_UNSUPPORTED
                   : c.unknown     ? CONC_UNKNOWN
                                   : CONC_AGREE;
    if (res->verdict == CONC_UNKNOWN) hoc_buf_printf(&c.report, "Z3 gave up (timeout)\n");
    res->report = hoc_buf_take(&c.report);
    res->checks = c.checks;
    res->imprecise = c.imprecise;
    free(c.given.v), free(c.seen.v);
    return res->verdict;
}

void conc_result_free(ConcResult *res)
{
    free(res->report);
    res->report = NULL;
}
