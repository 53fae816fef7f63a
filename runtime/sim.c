/* sim.c: lockstep rounds. Each round every live process sends, the
 * adversary picks each heard-of set (seeded drops, crashes), every live
 * process updates on its mailbox, and the spec is checked. */
#include "sim.h"
#include "simenv.h"

#include "clock.h"
#include "json.h"
#include "params.h"
#include "rng.h"
#include "value.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct Event {
    int64_t round;
    int proc, output;
    uint8_t value[8]; /* a scalar as the outputs struct holds it */
    uint8_t *bytes;   /* a bytes value: the whole block */
} Event;

typedef struct Sim {
    const hoc_algo *a;
    const hoc_sim_opts *o;
    int n;
    uint8_t *states;
    uint8_t *next; /* the states a round computes, kept if the assumptions allow them */
    int broken;    /* the assumption no heard-of sets met (STEP_ASSUME), or -1 */
    int bad_good;  /* an eventual assumption a good round broke, or -1: stages unchecked */
    int64_t bad_good_round;
    uint8_t *outbox; /* n senders x HOC_MAXN recipients x msg_size */
    hoc_set *to;     /* per sender: recipients */
    uint8_t *msgs;   /* one mailbox */
    uint8_t *outputs;
    hoc_set *ho;
    uint64_t *bits;   /* the oracle bits each process got in the round (for observe) */
    simenv_step *env; /* what the environment did to each process in the round (for observe) */
    int64_t *crash_at;
    int64_t *replace_at;   /* the round after whose update a process is replaced, or -1 */
    uint8_t *history;      /* trace_rounds x (n states + n HO sets) */
    simenv_step *hist_env; /* trace_rounds x n: what the environment did in those rounds */
    int64_t hist_first, hist_count;
    Event *events;
    size_t nevents, cap_events;
    double seconds;  /* spent in the rounds themselves */
    int64_t *inputs; /* n x ninputs: the initial states' inputs */
} Sim;

/* What a round returns besides the index of a violated spec. */
enum { STEP_OK = -1, STEP_NOMEM = -2, STEP_ASSUME = -3 };

/* Draws of heard-of sets a round may take to satisfy the assumptions that
 * hold in every round (and a good round's eventual one) before the run
 * stops and says which it could not meet. */
#define SIM_TRIES 64

static uint8_t *state_of(Sim *s, int p)
{
    return s->states + (size_t)p * s->a->state_size;
}
static bool halted(Sim *s, int p)
{
    return state_of(s, p)[s->a->halted_offset] != 0;
}
/* A process crashing in round r still sends in r (its messages reach some of
 * the others), but takes no step after that: it neither updates in r nor
 * sends later. */
static bool alive(Sim *s, int p, int64_t r)
{
    return s->crash_at[p] < 0 || r < s->crash_at[p];
}
static bool sends(Sim *s, int p, int64_t r)
{
    return s->crash_at[p] < 0 || r <= s->crash_at[p];
}

/* Logs output out of process p in round r, its value read from outputs. */
static int add_event(Sim *s, int64_t r, int p, int out, const uint8_t *outputs)
{
    if (s->nevents == s->cap_events) {
        size_t cap = s->cap_events ? s->cap_events * 2 : 64;
        Event *e = realloc(s->events, cap * sizeof *e);
        if (!e) return -1;
        s->events = e, s->cap_events = cap;
    }
    const hoc_output *o = &s->a->outputs[out];
    Event *e = &s->events[s->nevents];
    *e = (Event){.round = r, .proc = p, .output = out};
    if (o->has_value && o->kind == HOC_K_BYTES) {
        if (!(e->bytes = malloc(o->count + 1))) return -1;
        memcpy(e->bytes, outputs + o->value_offset, o->count);
    } else if (o->has_value) {
        memcpy(e->value, outputs + o->value_offset, hoc_kind_size(o->kind));
    }
    s->nevents++;
    return 0;
}

/* Forgets the events logged after the first keep. */
static void drop_events(Sim *s, size_t keep)
{
    while (s->nevents > keep)
        free(s->events[--s->nevents].bytes);
}

/* The first good round of an eventual assumption (or of its progress stage). */
static int64_t good_start(const Sim *s, const hoc_spec *sp)
{
    int64_t start = s->o->good_from;
    if (sp->phase_aligned) start = (start + s->a->nrounds - 1) / s->a->nrounds * s->a->nrounds;
    return start;
}

/* Is round r one of the good rounds an eventual assumption asks for? */
static bool good_round(Sim *s, int64_t r)
{
    if (s->o->good_from < 0 || r < s->o->good_from) return false;
    for (int i = 0; i < s->a->nspecs; i++) {
        const hoc_spec *sp = &s->a->specs[i];
        if (sp->kind != HOC_ASSUME || sp->rounds <= 0) continue;
        int64_t start = good_start(s, sp);
        if (r >= start && r < start + sp->rounds) return true;
    }
    return false;
}

/* Is round r the one after which progress stage sp must hold? Only in runs
 * without crashes: the stages speak of every process, as in the heard-of
 * model, where a crashed process is one nobody hears but that keeps running. */
static bool stage_due(const Sim *s, const hoc_spec *sp, int64_t r)
{
    return sp->kind == HOC_PROGRESS && s->o->good_from >= 0 && s->o->crash == 0 &&
           s->bad_good < 0 && r == good_start(s, sp) + sp->rounds - 1;
}

/* Draws every heard-of set of round r: messages drop with probability
 * drop, none in a good round (or when lossless). */
static void choose_ho(Sim *s, int64_t r, uint64_t *rng, double drop, bool lossless)
{
    hoc_set live = 0, crashing = 0;
    for (int p = 0; p < s->n; p++) {
        if (alive(s, p, r))
            live |= hoc_set_one(p);
        else if (sends(s, p, r))
            crashing |= hoc_set_one(p);
    }
    bool good = lossless || good_round(s, r);
    for (int q = 0; q < s->n; q++) {
        hoc_set h = 0;
        for (int p = 0; p < s->n; p++) {
            /* a crashing process's last messages reach each other process with
             * probability 1/2 (none in a good round: those are clean) */
            if (hoc_set_has(crashing, p)) {
                if (!good && (hoc_rng_next(rng) & 1) && hoc_rng_unit(rng) >= drop)
                    h |= hoc_set_one(p);
                continue;
            }
            if (!hoc_set_has(live, p)) continue;
            /* a process always hears itself; other channels drop at random */
            if (p == q || good || hoc_rng_unit(rng) >= drop) h |= hoc_set_one(p);
        }
        s->ho[q] = h;
    }
}

static void remember(Sim *s, int64_t r)
{
    int keep = s->o->trace_rounds;
    if (keep <= 0) return;
    size_t per = (size_t)s->n * s->a->state_size + (size_t)s->n * sizeof(hoc_set);
    int64_t slot = r % keep;
    memcpy(s->history + slot * per, s->states, (size_t)s->n * s->a->state_size);
    memcpy(s->history + slot * per + (size_t)s->n * s->a->state_size, s->ho,
           (size_t)s->n * sizeof(hoc_set));
    memcpy(s->hist_env + slot * s->n, s->env, (size_t)s->n * sizeof *s->env);
    if (s->hist_count < keep) s->hist_count++;
    s->hist_first = r - s->hist_count + 1;
}

static void print_trace(Sim *s, FILE *f)
{
    size_t per = (size_t)s->n * s->a->state_size + (size_t)s->n * sizeof(hoc_set);
    fprintf(f, "trace (state after each round, and the heard-of sets of that round):\n");
    for (int64_t r = s->hist_first; r < s->hist_first + s->hist_count; r++) {
        const uint8_t *h = s->history + (r % s->o->trace_rounds) * per;
        const hoc_set *ho = (const hoc_set *)(h + (size_t)s->n * s->a->state_size);
        fprintf(f, "round %" PRId64 " (%s):\n", r, s->a->rounds[r % s->a->nrounds].name);
        for (int p = 0; p < s->n; p++) {
            fprintf(f, "  p%d HO=", p);
            hoc_print_value(f, HOC_K_SET, &ho[p], NULL, 0);
            simenv_print(f, s->a, &s->hist_env[(r % s->o->trace_rounds) * s->n + p]);
            hoc_print_state(f, s->a, h + (size_t)p * s->a->state_size, s->n);
            fputc('\n', f);
        }
    }
}

/* What the environment does to live process q (its next state st) after
 * its update of round r: a planned replacement, then perhaps a random
 * event between two phases; recorded in s->env[q] for observe. */
static void env_step(Sim *s, int64_t r, uint8_t *st, const hoc_env *env, uint64_t *rng)
{
    const hoc_algo *a = s->a;
    simenv_step *step = &s->env[env->id];
    if (st[a->halted_offset]) return;
    step->replaced = s->replace_at[env->id] == r;
    if (a->nevents && s->o->event_rate > 0 && r % a->nrounds == a->nrounds - 1 &&
        hoc_rng_unit(rng) < s->o->event_rate) {
        simenv_draw(a, s->o->params, rng, &step->event[0], step->args[0]);
        step->count = 1;
    }
    simenv_apply(a, step, st, env, s->outputs);
}

/* Every process that takes a step in round r updates s->next (a copy of
 * the states) on the mailbox s->ho gives it; outputs go to the log. 0, or
 * STEP_NOMEM when the log cannot grow. */
static int updates(Sim *s, int64_t r, uint64_t *rng, size_t box)
{
    const hoc_algo *a = s->a;
    const hoc_round *rd = &a->rounds[r % a->nrounds];
    memcpy(s->next, s->states, (size_t)s->n * a->state_size);
    memset(s->bits, 0, (size_t)s->n * sizeof *s->bits);
    memset(s->env, 0, (size_t)s->n * sizeof *s->env);
    for (int q = 0; q < s->n; q++) {
        /* crashed[q] in specs (and assumptions, read after the round) */
        if (!alive(s, q, r)) s->next[(size_t)q * a->state_size + a->crashed_offset] = 1;
        if (!alive(s, q, r) || halted(s, q)) continue;
        hoc_set from = 0;
        memset(s->msgs, 0, box);
        for (int p = 0; p < s->n; p++) {
            if (!hoc_set_has(s->ho[q], p) || !hoc_set_has(s->to[p], q)) continue;
            from |= hoc_set_one(p);
            memcpy(s->msgs + (size_t)p * rd->msg_size,
                   s->outbox + (size_t)p * box + (size_t)q * rd->msg_size, rd->msg_size);
        }
        uint64_t oracle = a->noracles ? hoc_rng_next(rng) : 0;
        s->bits[q] = a->noracles >= 64 ? oracle : oracle & ((1ull << a->noracles) - 1);
        hoc_env env = {q, s->n, r, s->o->params, oracle};
        memset(s->outputs, 0, a->outputs_size);
        rd->update(s->next + (size_t)q * a->state_size, &env, from, s->msgs, s->outputs);
        env_step(s, r, s->next + (size_t)q * a->state_size, &env, rng);
        for (int i = 0; i < a->noutputs; i++) {
            const hoc_output *o = &a->outputs[i];
            if (!s->outputs[o->fired_offset]) continue;
            if (add_event(s, r, q, i, s->outputs) < 0) return STEP_NOMEM;
        }
    }
    return 0;
}

/* The first assumption round r's heard-of sets and next states break: with
 * eventual false, one that holds in every round; with eventual true, the
 * eventual one a good round is good for; -1 when none. */
static int broken_assumption(Sim *s, int64_t r, bool eventual)
{
    bool good = good_round(s, r);
    for (int i = 0; i < s->a->nspecs; i++) {
        const hoc_spec *sp = &s->a->specs[i];
        if (sp->kind != HOC_ASSUME || (sp->rounds != 0) != eventual) continue;
        if (sp->rounds != 0 &&
            (!good || r < good_start(s, sp) || r >= good_start(s, sp) + sp->rounds))
            continue;
        if (!sp->holds(s->next, s->o->params, s->ho)) return i;
    }
    return -1;
}

/* Chooses round r's heard-of sets among those the assumptions allow and
 * runs the updates into s->next: first with the run's drop probability,
 * then with random ones, last with no loss; 0, STEP_NOMEM, or STEP_ASSUME
 * (s->broken says which) when no draw satisfied them. */
static int assumed_round(Sim *s, int64_t r, uint64_t *rng, size_t box)
{
    size_t events = s->nevents;
    for (int t = 0; t < SIM_TRIES; t++) {
        double drop = t == 0 ? s->o->drop : hoc_rng_unit(rng);
        choose_ho(s, r, rng, drop, t == SIM_TRIES - 1);
        drop_events(s, events); /* a rejected draw's outputs never happened */
        if (updates(s, r, rng, box) != 0) return STEP_NOMEM;
        s->broken = broken_assumption(s, r, false);
        if (s->broken >= 0) continue;
        /* a good round is lossless and the same on every draw: if it breaks
         * its eventual assumption (too many crashed, say), the run goes on
         * (safety does not rest on it) but its stages are not checked */
        int ev = broken_assumption(s, r, true);
        if (ev >= 0 && s->bad_good < 0) s->bad_good = ev, s->bad_good_round = r;
        return 0;
    }
    return STEP_ASSUME;
}

/* One lockstep round; returns the index of a violated spec, STEP_OK,
 * STEP_NOMEM when the output log cannot grow, or STEP_ASSUME when no
 * heard-of sets the assumptions allow were found. */
static int step(Sim *s, int64_t r, uint64_t *rng)
{
    const hoc_algo *a = s->a;
    const hoc_round *rd = &a->rounds[r % a->nrounds];
    size_t box = (size_t)HOC_MAXN * rd->msg_size;
    memset(s->outbox, 0, (size_t)s->n * box);
    for (int p = 0; p < s->n; p++) {
        s->to[p] = 0;
        if (!sends(s, p, r) || halted(s, p)) continue;
        hoc_env env = {p, s->n, r, s->o->params, 0};
        rd->send(state_of(s, p), &env, &s->to[p], s->outbox + (size_t)p * box);
    }
    int rc = assumed_round(s, r, rng, box);
    if (rc != 0) return rc;
    memcpy(s->states, s->next, (size_t)s->n * a->state_size);
    remember(s, r);
    if (s->o->observe) {
        uint64_t crashed = 0;
        for (int p = 0; p < s->n; p++)
            if (!alive(s, p, r)) crashed |= hoc_set_one(p); /* took no step in r */
        s->o->observe(s->o->observe_ctx, r, NULL, s->ho, s->bits, crashed, s->env);
    }
    for (int i = 0; i < a->nspecs; i++) {
        const hoc_spec *sp = &a->specs[i];
        if (sp->kind != HOC_INVARIANT && sp->kind != HOC_PROPERTY && !stage_due(s, sp, r)) continue;
        if (!sp->holds(s->states, s->o->params, s->ho)) return i;
    }
    return STEP_OK;
}

/* cap: the bytes of a block shown (0: all). */
static void print_event_value(FILE *f, const hoc_algo *a, const Event *e, size_t cap)
{
    const hoc_output *o = &a->outputs[e->output];
    if (o->has_value && o->kind == HOC_K_BYTES)
        hoc_print_bytes(f, e->bytes, o->count, cap);
    else if (o->has_value)
        hoc_print_value(f, o->kind, e->value, o->enum_names, o->enum_count);
}

/* look: where the algorithm looks inside a stand-in block, or NULL. */
static void report_json(Sim *s, FILE *f, const char *verdict, int64_t rounds, int bad,
                        int64_t bad_round, const char *look)
{
    const hoc_algo *a = s->a;
    fprintf(f,
            "{\"algorithm\": \"%s\", \"verdict\": \"%s\", \"rounds\": %" PRId64
            ", \"n\": %d, \"seed\": %" PRIu64,
            a->name, verdict, rounds, s->n, s->o->seed);
    fprintf(f, ", \"seconds\": %.6f", s->seconds);
    fprintf(f, ", \"params\": {");
    for (int i = 0; i < a->nparams; i++)
        fprintf(f, "%s\"%s\": %" PRId64, i ? ", " : "", a->params[i], s->o->params[i]);
    fprintf(f, "}");
    if (bad >= 0)
        fprintf(f, ", \"violation\": {\"spec\": \"%s\", \"round\": %" PRId64 "}",
                a->specs[bad].name, bad_round);
    if (s->bad_good >= 0)
        fprintf(f, ", \"good_broken\": {\"assumption\": \"%s\", \"round\": %" PRId64 "}",
                a->specs[s->bad_good].name, s->bad_good_round);
    if (look) fputs(", \"stand_ins\": ", f), json_write_str(f, look);
    if (strcmp(verdict, "stopped") == 0)
        fprintf(f, ", \"stopped\": {\"assumption\": \"%s\", \"round\": %" PRId64 "}",
                a->specs[s->broken].name, rounds);
    fprintf(f, ", \"processes\": [");
    for (int p = 0; p < s->n; p++) {
        fprintf(f, "%s{\"id\": %d, \"crashed_at\": %" PRId64 ", \"outputs\": [", p ? ", " : "", p,
                s->crash_at[p]);
        int k = 0;
        for (size_t i = 0; i < s->nevents; i++) {
            const Event *e = &s->events[i];
            if (e->proc != p) continue;
            fprintf(f, "%s{\"round\": %" PRId64 ", \"name\": \"%s\"", k++ ? ", " : "", e->round,
                    a->outputs[e->output].name);
            if (a->outputs[e->output].has_value) {
                fprintf(f, ", \"value\": ");
                hoc_kind k = a->outputs[e->output].kind;
                bool quoted = k == HOC_K_ENUM || k == HOC_K_SET || k == HOC_K_BYTES;
                if (quoted) fputc('"', f);
                print_event_value(f, a, e, 0);
                if (quoted) fputc('"', f);
            }
            fputc('}', f);
        }
        fprintf(f, "]}");
    }
    fprintf(f, "]}\n");
}

static void report_text(Sim *s, FILE *f)
{
    const hoc_algo *a = s->a;
    for (int p = 0; p < s->n; p++) {
        fprintf(f, "p%d:", p);
        if (s->crash_at[p] >= 0) fprintf(f, " (crashed at round %" PRId64 ")", s->crash_at[p]);
        int k = 0;
        for (size_t i = 0; i < s->nevents; i++) {
            const Event *e = &s->events[i];
            if (e->proc != p) continue;
            fprintf(f, "%s %s", k++ ? "," : "", a->outputs[e->output].name);
            if (a->outputs[e->output].has_value) {
                fputc('(', f);
                print_event_value(f, a, e, HOC_BYTES_SHOWN);
                fputc(')', f);
            }
            fprintf(f, " in round %" PRId64, e->round);
        }
        if (!k) fprintf(f, " no output");
        fputc('\n', f);
    }
    /* only when it changes what was checked: stages are checked without crashes */
    if (s->bad_good >= 0 && s->o->crash == 0)
        fprintf(f,
                "note: good round %" PRId64 " broke assumption %s even without loss; its "
                "progress stages were not checked\n",
                s->bad_good_round, a->specs[s->bad_good].name);
}

static void default_inputs(const hoc_algo *a, int n, int64_t *in)
{
    for (int p = 0; p < n; p++)
        for (int i = 0; i < a->ninputs; i++) {
            const hoc_field *fd = &a->inputs[i];
            int64_t v = p % 2;
            if (fd->kind == HOC_K_PID) v = p;
            in[p * a->ninputs + i] = v;
        }
}

/* Checks n and the parameters; 0, or 2 after saying what is wrong. */
static int sim_check_opts(const hoc_algo *a, const hoc_sim_opts *o)
{
    if (o->n < 1 || o->n > a->maxn || o->n > HOC_MAXN) {
        fprintf(stderr, "hoc sim: n must be between 1 and %d\n",
                a->maxn < HOC_MAXN ? a->maxn : HOC_MAXN);
        return 2;
    }
    if (!a->params_ok(o->params)) {
        fprintf(stderr, "hoc sim: the parameters do not satisfy %s's constraints\n", a->name);
        return 2;
    }
    for (int e = 0; o->event_rate > 0 && e < a->nevents; e++)
        for (int i = 0; i < a->events[e].nargs; i++) {
            int64_t lo, hi;
            a->events[e].range(o->params, i, &lo, &hi);
            if (hi != lo) continue;
            fprintf(stderr,
                    "hoc sim: argument %s of event %s has an empty range at these parameters "
                    "(%" PRId64 "..%" PRId64 ", %" PRId64 " excluded): no value can be drawn\n",
                    a->events[e].args[i].name, a->events[e].name, lo, hi, hi);
            return 2;
        }
    return 0;
}

/* Allocates s's buffers; 0, or -1 when memory runs out (sim_free frees
 * whatever was allocated). */
static int sim_alloc(Sim *s)
{
    const hoc_algo *a = s->a;
    size_t n = (size_t)s->n;
    s->states = calloc(n, a->state_size);
    s->next = calloc(n, a->state_size);
    s->outbox = calloc(n * HOC_MAXN, a->msg_size);
    s->to = calloc(n, sizeof *s->to);
    s->msgs = calloc(HOC_MAXN, a->msg_size);
    s->outputs = calloc(1, a->outputs_size);
    s->ho = calloc(HOC_MAXN, sizeof *s->ho);
    s->bits = calloc(n, sizeof *s->bits);
    s->env = calloc(n, sizeof *s->env);
    s->crash_at = calloc(n, sizeof *s->crash_at);
    s->replace_at = calloc(n, sizeof *s->replace_at);
    size_t per = n * a->state_size + n * sizeof(hoc_set);
    int keep = s->o->trace_rounds;
    s->history = keep > 0 ? calloc((size_t)keep, per) : NULL;
    s->hist_env = keep > 0 ? calloc((size_t)keep * n, sizeof *s->hist_env) : NULL;
    s->inputs = calloc(n * (size_t)(a->ninputs + 1), sizeof *s->inputs);
    bool ok = s->states && s->next && s->outbox && s->to && s->msgs && s->outputs && s->ho &&
              s->bits && s->env && s->crash_at && s->replace_at && s->inputs &&
              (keep <= 0 || (s->history && s->hist_env));
    return ok ? 0 : -1;
}

static void sim_free(Sim *s)
{
    drop_events(s, 0);
    free(s->states), free(s->next), free(s->outbox), free(s->to), free(s->msgs), free(s->outputs),
        free(s->ho);
    free(s->crash_at), free(s->bits), free(s->env), free(s->history), free(s->hist_env),
        free(s->events), free(s->inputs), free(s->replace_at);
}

/* Picks count distinct processes and for each a round, into at (-1 for
 * the others). */
static void plan(Sim *s, int count, int64_t *at, uint64_t *rng)
{
    for (int p = 0; p < s->n; p++)
        at[p] = -1;
    for (int k = 0; k < count && k < s->n; k++) {
        int p;
        do
            p = (int)(hoc_rng_next(rng) % (uint64_t)s->n);
        while (at[p] >= 0);
        at[p] = (int64_t)(hoc_rng_next(rng) % (uint64_t)(s->o->rounds > 0 ? s->o->rounds : 1));
    }
}

/* Picks the processes that crash and the round each crashes in, then those
 * replaced and the round each is replaced after. */
static void plan_crashes(Sim *s, uint64_t *rng)
{
    plan(s, s->o->crash, s->crash_at, rng);
    plan(s, s->o->replace, s->replace_at, rng);
}

/* Runs init on every process, with the given inputs or the default ones. */
static void init_states(Sim *s)
{
    const hoc_algo *a = s->a;
    if (s->o->inputs)
        memcpy(s->inputs, s->o->inputs, sizeof *s->inputs * (size_t)s->n * (size_t)a->ninputs);
    else
        default_inputs(a, s->n, s->inputs);
    for (int p = 0; p < s->n; p++) {
        hoc_env env = {p, s->n, 0, s->o->params, 0};
        a->init(state_of(s, p), &env, s->inputs + (size_t)p * (size_t)a->ninputs);
    }
}

static void print_header(const Sim *s, FILE *f)
{
    const hoc_algo *a = s->a;
    const hoc_sim_opts *o = s->o;
    fprintf(f, "%s: n=%d", a->name, s->n);
    for (int i = 1; i < a->nparams; i++)
        fprintf(f, " %s=%" PRId64, a->params[i], o->params[i]);
    fprintf(f, ", seed %" PRIu64 ", drop %.2f, crash %d", o->seed, o->drop, o->crash);
    if (o->replace) fprintf(f, ", replace %d", o->replace);
    if (a->nevents && o->event_rate > 0) fprintf(f, ", events %.2f", o->event_rate);
    fprintf(f, ", %" PRId64 " rounds\n", o->rounds);
}

/* Runs rounds until o->rounds, a violation or the halt of every live
 * process; *r gets the rounds run (the violating one's index on a
 * violation, the one the assumptions stopped). Returns the violated spec,
 * STEP_OK, STEP_NOMEM or STEP_ASSUME. */
static int run_rounds(Sim *s, uint64_t *rng, int64_t *r)
{
    int bad = STEP_OK;
    double t0 = hoc_now_s();
    for (*r = 0; *r < s->o->rounds; (*r)++) {
        bad = step(s, *r, rng);
        if (bad != STEP_OK) break;
        bool all_done = true;
        for (int p = 0; p < s->n; p++)
            if (alive(s, p, *r + 1) && !halted(s, p)) all_done = false;
        if (all_done) {
            (*r)++;
            break;
        }
    }
    s->seconds = hoc_now_s() - t0;
    return bad;
}

/* The run stopped before round r: no heard-of sets drawn met assumption
 * s->broken. Never a verdict about the algorithm; exit status 3. */
static int report_stopped(Sim *s, FILE *f, int64_t r)
{
    const hoc_spec *sp = &s->a->specs[s->broken];
    if (s->o->json) {
        report_json(s, f, "stopped", r, -1, -1, NULL);
        return 3;
    }
    report_text(s, f);
    fprintf(f,
            "stopped: before round %" PRId64 ", %d draws of heard-of sets (the last without "
            "loss) all broke assumption %s%s; every invariant and property held until then\n",
            r, SIM_TRIES, sp->name, sp->rounds ? " in a good round" : "");
    return 3;
}

bool hoc_sim_hands_blocks(const hoc_algo *a, bool events)
{
    for (int i = 0; i < a->ninputs; i++)
        if (a->inputs[i].kind == HOC_K_BYTES) return true;
    for (int e = 0; events && e < a->nevents; e++)
        for (int i = 0; i < a->events[e].nargs; i++)
            if (a->events[e].args[i].kind == HOC_K_BYTES) return true;
    return false;
}

/* Prints the verdict after r rounds (bad: the violated spec, STEP_OK or
 * STEP_ASSUME); returns the exit status, 1 for a violation, 3 when the
 * assumptions stopped the run or left the progress stages unchecked, else 0. */
static int report(Sim *s, FILE *f, int bad, int64_t r)
{
    const hoc_algo *a = s->a;
    if (bad == STEP_ASSUME) return report_stopped(s, f, r);
    if (bad >= 0) {
        if (s->o->json) {
            report_json(s, f, "violated", r + 1, bad, r, NULL);
            return 1;
        }
        report_text(s, f);
        fprintf(f, "VIOLATED: %s %s after round %" PRId64 "\n",
                hoc_spec_kind_name(a->specs[bad].kind), a->specs[bad].name, r);
        print_trace(s, f);
        return 1;
    }
    /* a good round that broke its own assumption left its stages unjudged:
     * not a pass (exit 3), as with any other bound */
    bool unjudged = s->bad_good >= 0 && s->o->crash == 0;
    const char *look = s->o->block_look && hoc_sim_hands_blocks(s->a, s->o->event_rate > 0)
                           ? s->o->block_look
                           : NULL;
    if (s->o->json) {
        report_json(s, f, unjudged ? "unknown" : "ok", r, -1, -1, look);
        return unjudged ? 3 : 0;
    }
    report_text(s, f);
    fprintf(f,
            "%s: every invariant and property held after each of %" PRId64 " rounds (%.3f s)%s\n",
            unjudged ? "unknown" : "ok", r, s->seconds,
            unjudged ? "; the progress stages were not checked" : "");
    if (look) hoc_sim_note_blocks(f, look);
    return unjudged ? 3 : 0;
}

void hoc_sim_note_blocks(FILE *f, const char *look)
{
    fprintf(f,
            "note: %s; the blocks were stand-ins (an integer's bytes, then zeros), so this run "
            "says nothing of other blocks\n",
            look);
}

int hoc_sim_run(const hoc_algo *a, const hoc_sim_opts *o)
{
    if (sim_check_opts(a, o)) return 2;
    FILE *f = o->out ? o->out : stdout;
    Sim s = {.a = a, .o = o, .n = o->n, .broken = -1, .bad_good = -1};
    int rc = 2;
    if (sim_alloc(&s) == 0) {
        uint64_t rng = o->seed;
        plan_crashes(&s, &rng);
        init_states(&s);
        if (o->observe) o->observe(o->observe_ctx, -1, s.inputs, NULL, NULL, 0, NULL);
        if (!o->json) print_header(&s, f);
        int64_t r;
        int bad = run_rounds(&s, &rng, &r);
        if (bad != STEP_NOMEM) rc = report(&s, f, bad, r);
    }
    if (rc == 2) fprintf(stderr, "hoc sim: out of memory\n");
    sim_free(&s);
    return rc;
}

/* ---- replaying a trace written by hoc check ---- */

static int replay_error(const char *path, const char *msg)
{
    fprintf(stderr, "hoc sim: %s: %s\n", path, msg);
    return 2;
}

/* Reads a whole file; NULL on error. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    while (b) {
        if (n == cap) {
            if (cap >= ((size_t)256 << 20)) break;
            char *nb = realloc(b, cap *= 2);
            if (!nb) break;
            b = nb;
        }
        size_t got = fread(b + n, 1, cap - n, f);
        if (!got) break;
        n += got;
    }
    bool bad = ferror(f) || !feof(f);
    fclose(f);
    if (bad || !b) {
        free(b);
        return NULL;
    }
    *len = n;
    return b;
}

/* Writes a trace's scalar value v as the trace shows it; false if v is not
 * a number, bool or string. */
static bool json_scalar_text(const json *v, char *buf, size_t cap)
{
    if (v->type == JSON_NUM)
        snprintf(buf, cap, "%" PRId64, v->num);
    else if (v->type == JSON_BOOL)
        snprintf(buf, cap, "%s", v->b ? "true" : "false");
    else if (v->type == JSON_STR)
        snprintf(buf, cap, "%s", v->str);
    else
        return false;
    return true;
}

/* Does the value of kind fd->kind at p print as the trace's scalar v? */
static bool same_element(const hoc_field *fd, const uint8_t *p, const json *v, char *mine,
                         size_t cap)
{
    FILE *m = fmemopen(mine, cap, "w");
    if (!m) return false;
    hoc_print_value(m, fd->kind, p, fd->enum_names, fd->enum_count);
    fclose(m);
    char theirs[128];
    return json_scalar_text(v, theirs, sizeof theirs) && strcmp(mine, theirs) == 0;
}

/* Does field fd of state st hold the trace's value v: a scalar, or an
 * array's shown elements (traces written before arrays were carried have
 * none, and those are not compared)? When not, *at is the first element
 * that differs (-1: the whole value, or the number of elements) and mine
 * what the replay has there. */
static bool same_value(const hoc_field *fd, const uint8_t *st, const json *v, int n, int maxn,
                       char *mine, size_t cap, int64_t *at)
{
    *at = -1;
    if (v->type != JSON_ARR)
        return fd->count == 1 && same_element(fd, st + fd->offset, v, mine, cap);
    uint32_t shown = hoc_field_shown(fd, n, maxn);
    snprintf(mine, cap, "%u elements", shown);
    if (fd->count == 1 || fd->kind == HOC_K_BYTES || (uint32_t)v->n != shown) return false;
    for (uint32_t i = 0; i < shown; i++)
        if (!same_element(fd, st + fd->offset + i * hoc_kind_size(fd->kind), &v->items[i], mine,
                          cap)) {
            *at = i;
            return false;
        }
    return true;
}

static int hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Loads the start of a trace from an arbitrary state: {"round": R, "states":
 * HEX} with the n states' bytes. Bools must be 0 or 1 (anything else would be
 * undefined behaviour in the generated code); everything else any value. */
static int replay_start(const hoc_algo *a, int n, const json *js, uint8_t *states, int64_t *base)
{
    const json *jr = json_get(js, "round"), *jh = json_get(js, "states");
    size_t len = (size_t)n * a->state_size;
    if (!jr || jr->type != JSON_NUM || jr->num < 0 || jr->num > ((int64_t)1 << 40) || !jh ||
        jh->type != JSON_STR || strlen(jh->str) != 2 * len)
        return -1;
    for (size_t i = 0; i < len; i++) {
        int hi = hex_digit(jh->str[2 * i]), lo = hex_digit(jh->str[2 * i + 1]);
        if (hi < 0 || lo < 0) return -1;
        states[i] = (uint8_t)(hi * 16 + lo);
    }
    for (int p = 0; p < n; p++)
        for (int i = 0; i < a->nfields; i++) {
            const hoc_field *f = &a->fields[i];
            for (uint32_t j = 0; f->kind == HOC_K_BOOL && j < f->count; j++)
                if (states[(size_t)p * a->state_size + f->offset + j] > 1) return -1;
        }
    *base = jr->num;
    return 0;
}

/* Did the search that wrote the trace leave spec `name` unchecked: a goal or
 * prune that guided it, or a spec it was told to skip? */
static bool unchecked(const json *t, const char *name)
{
    static const char *const keys[] = {"guides", "skipped"};
    for (int k = 0; k < 2; k++) {
        const json *g = json_get(t, keys[k]);
        for (int i = 0; g && g->type == JSON_ARR && i < g->n; i++)
            if (g->items[i].type == JSON_STR && strcmp(g->items[i].str, name) == 0) return true;
    }
    return false;
}

/* Checks the invariants and properties the trace did not use as guides;
 * returns 1 after reporting the first violated one, else 0. */
static int replay_specs(const hoc_algo *a, const json *t, const uint8_t *states,
                        const int64_t *params, int64_t r, FILE *out)
{
    for (int i = 0; i < a->nspecs; i++) {
        const hoc_spec *sp = &a->specs[i];
        /* from an arbitrary start only the invariants are in question */
        bool cti = json_get(t, "start") != NULL;
        if ((sp->kind != HOC_INVARIANT && (sp->kind != HOC_PROPERTY || cti)) ||
            unchecked(t, sp->name))
            continue;
        if (sp->holds(states, params, NULL)) continue;
        fprintf(out, "VIOLATED: %s %s ", hoc_spec_kind_name(sp->kind), sp->name);
        if (r < 0)
            fprintf(out, "in the %s states (as in the trace)\n",
                    json_get(t, "start") ? "start" : "initial");
        else
            fprintf(out, "after round %" PRId64 " (as in the trace)\n", r);
        return 1;
    }
    return 0;
}

/* A replay in progress: the trace, its run's parameters and the states. */
typedef struct Replay {
    const hoc_algo *a;
    const char *path;
    FILE *out;
    json *t;
    const json *rounds; /* the trace's rounds */
    int n;
    int64_t params[HOC_MAXPARAMS];
    int64_t base; /* the first round's number (a counterexample to induction starts later) */
    uint8_t *states, *box, *msgs, *outputs;
    int64_t *inputs;
    uint64_t crashed; /* processes crashed before the current round */
    char why[160];    /* why a round's env does not fit */
} Replay;

/* Reads and parses the trace and checks that it fits the algorithm; 0, or 2
 * after saying what is wrong. */
static int replay_load(Replay *rp)
{
    const hoc_algo *a = rp->a;
    size_t len;
    char *text = slurp(rp->path, &len);
    if (!text) return replay_error(rp->path, "cannot read the trace");
    char err[160];
    rp->t = json_parse(text, len, err, sizeof err);
    free(text);
    if (!rp->t) return replay_error(rp->path, err);
    const json *t = rp->t, *fmt = json_get(t, "format"), *jn = json_get(t, "n"),
               *jp = json_get(t, "params"), *ji = json_get(t, "inputs"),
               *ja = json_get(t, "algorithm");
    rp->rounds = json_get(t, "rounds");
    if (!fmt || fmt->type != JSON_STR || strcmp(fmt->str, "hoc-trace-1") != 0)
        return replay_error(rp->path, "not a hoc trace (format hoc-trace-1)");
    if (ja && ja->type == JSON_STR && strcmp(ja->str, a->name) != 0)
        return replay_error(rp->path, "the trace is of another algorithm");
    if (!jn || jn->type != JSON_NUM || jn->num < 1 || jn->num > a->maxn || !jp ||
        jp->type != JSON_ARR || jp->n != a->nparams || !ji || ji->type != JSON_ARR || !rp->rounds ||
        rp->rounds->type != JSON_ARR)
        return replay_error(
            rp->path,
            "the trace lacks n, params, inputs or rounds, or they do not fit the algorithm");
    rp->n = (int)jn->num;
    for (int i = 0; i < jp->n; i++)
        rp->params[i] = jp->items[i].type == JSON_NUM ? jp->items[i].num : -1;
    if (rp->params[0] != rp->n || !a->params_ok(rp->params))
        return replay_error(rp->path,
                            "the trace's parameters do not satisfy the algorithm's constraints");
    if (ji->n != rp->n * a->ninputs)
        return replay_error(rp->path, "the trace has the wrong number of inputs");
    return 0;
}

/* Allocates the states and mailboxes and sets up the initial (or the
 * trace's start) states; 0, or 2 after saying what is wrong. */
static int replay_init(Replay *rp)
{
    const hoc_algo *a = rp->a;
    size_t n = (size_t)rp->n, msz = a->msg_size;
    rp->states = calloc(n, a->state_size);
    rp->box = calloc(n * HOC_MAXN, msz);
    rp->msgs = calloc(HOC_MAXN, msz);
    rp->outputs = calloc(1, a->outputs_size);
    rp->inputs = calloc(n * (size_t)(a->ninputs + 1), sizeof *rp->inputs);
    if (!rp->states || !rp->box || !rp->msgs || !rp->outputs || !rp->inputs)
        return replay_error(rp->path, "out of memory");
    const json *ji = json_get(rp->t, "inputs"), *jstart = json_get(rp->t, "start");
    for (int i = 0; i < ji->n; i++)
        rp->inputs[i] = ji->items[i].type == JSON_NUM ? ji->items[i].num : 0;
    for (int p = 0; p < rp->n; p++) {
        hoc_env env = {p, rp->n, 0, rp->params, 0};
        a->init(rp->states + (size_t)p * a->state_size, &env,
                rp->inputs + (size_t)p * (size_t)a->ninputs);
    }
    if (jstart && replay_start(a, rp->n, jstart, rp->states, &rp->base) != 0)
        return replay_error(rp->path, "the trace's start is not n states of this algorithm");
    return 0;
}

/* Runs round `round` on the trace's heard-of sets (jho), oracle bits (jo,
 * optional), crashes (after: the processes crashed once it ends) and what
 * the environment did after the updates (jenv, optional); 0, or -1 when
 * jenv does not fit the algorithm. */
static int replay_step(Replay *rp, int64_t round, const json *jho, const json *jo, uint64_t after,
                       const json *jenv)
{
    const hoc_algo *a = rp->a;
    int n = rp->n;
    const hoc_round *rd = &a->rounds[round % a->nrounds];
    size_t rsz = rd->msg_size; /* messages are laid out with the round's own stride */
    hoc_set to[HOC_MAXN];
    memset(rp->box, 0, (size_t)n * HOC_MAXN * a->msg_size);
    for (int p = 0; p < n; p++) {
        uint8_t *st = rp->states + (size_t)p * a->state_size;
        to[p] = 0;
        if (((rp->crashed >> p) & 1) || st[a->halted_offset]) continue;
        hoc_env env = {p, n, round, rp->params, 0};
        rd->send(st, &env, &to[p], rp->box + (size_t)p * HOC_MAXN * rsz);
    }
    for (int q = 0; q < n; q++) {
        uint8_t *st = rp->states + (size_t)q * a->state_size;
        if ((after >> q) & 1) st[a->crashed_offset] = 1; /* crashed[q] in specs */
        if (((after >> q) & 1) || st[a->halted_offset]) continue;
        hoc_set ho = jho->items[q].type == JSON_NUM ? (hoc_set)jho->items[q].num : 0, from = 0;
        memset(rp->msgs, 0, (size_t)HOC_MAXN * a->msg_size);
        for (int p = 0; p < n; p++)
            if (hoc_set_has(ho, p) && hoc_set_has(to[p], q)) {
                from |= hoc_set_one(p);
                memcpy(rp->msgs + (size_t)p * rsz,
                       rp->box + ((size_t)p * HOC_MAXN + (size_t)q) * rsz, rsz);
            }
        uint64_t bits = jo && jo->type == JSON_ARR && jo->n == n && jo->items[q].type == JSON_NUM
                            ? (uint64_t)jo->items[q].num
                            : 0;
        hoc_env env = {q, n, round, rp->params, bits};
        memset(rp->outputs, 0, a->outputs_size);
        rd->update(st, &env, from, rp->msgs, rp->outputs);
        if (!jenv || st[a->halted_offset]) continue;
        simenv_step step;
        if (jenv->type != JSON_ARR || jenv->n != n) {
            snprintf(rp->why, sizeof rp->why, "not one entry per process");
            return -1;
        }
        if (simenv_parse(a, rp->params, &jenv->items[q], &step, rp->why, sizeof rp->why) != 0)
            return -1;
        simenv_apply(a, &step, st, &env, rp->outputs);
    }
    rp->crashed = after;
    return 0;
}

/* Compares process p's block fd with the trace's value v (hoc_print_bytes
 * without a cap: traces written before blocks were carried have none, and
 * those are not compared); 0, or 2 after printing the first byte that
 * differs. */
static int same_block(Replay *rp, int64_t round, int p, const hoc_field *fd, const json *v)
{
    const uint8_t *st = rp->states + (size_t)p * rp->a->state_size;
    uint8_t mine = 0, theirs = 0;
    int64_t at = v->type == JSON_STR
                     ? hoc_bytes_compare(st + fd->offset, fd->count, v->str, &mine, &theirs)
                     : -2;
    if (at == -1) return 0;
    if (at == -2)
        fprintf(rp->out,
                "DIVERGED: round %" PRId64 ", p%d, %s: the trace's value is not a block of %u "
                "bytes (0x and hex digits)\n",
                round, p, fd->name, fd->count);
    else
        fprintf(rp->out,
                "DIVERGED: round %" PRId64 ", p%d, %s[%" PRId64
                "]: the trace says 0x%02x, the replay has 0x%02x\n",
                round, p, fd->name, at, theirs, mine);
    return 2;
}

/* Compares the replayed states with the trace's (js), field by field; 0,
 * or 2 after printing the first difference. */
static int replay_compare(Replay *rp, int64_t round, const json *js)
{
    const hoc_algo *a = rp->a;
    for (int p = 0; p < rp->n; p++) {
        const json *obj = &js->items[p];
        for (int i = 0; i < a->nfields; i++) {
            const json *v = json_get(obj, a->fields[i].name);
            char mine[128], theirs[128], name[96];
            int64_t at;
            if (v && a->fields[i].kind == HOC_K_BYTES) {
                if (same_block(rp, round, p, &a->fields[i], v) != 0) return 2;
                continue;
            }
            if (!v || same_value(&a->fields[i], rp->states + (size_t)p * a->state_size, v, rp->n,
                                 a->maxn, mine, sizeof mine, &at))
                continue;
            const json *tv = at >= 0 ? &v->items[at] : v;
            if (tv->type == JSON_ARR)
                snprintf(theirs, sizeof theirs, "%d elements", tv->n);
            else if (!json_scalar_text(tv, theirs, sizeof theirs))
                snprintf(theirs, sizeof theirs, "?");
            if (at >= 0)
                snprintf(name, sizeof name, "%s[%" PRId64 "]", a->fields[i].name, at);
            else
                snprintf(name, sizeof name, "%s", a->fields[i].name);
            fprintf(rp->out,
                    "DIVERGED: round %" PRId64 ", p%d, %s: the trace says %s, the replay has %s\n",
                    round, p, name, theirs, mine);
            return 2;
        }
    }
    return 0;
}

/* A trace that refutes a progress stage (hoc check --inductive for a
 * stage) ends where the stage fails: 1 after saying so, 0 if it holds
 * (or the trace names none), 2 when the algorithm has no such stage. */
static int replay_stage(Replay *rp)
{
    const json *js = json_get(rp->t, "stage");
    if (!js) return 0;
    for (int i = 0; js->type == JSON_STR && i < rp->a->nspecs; i++) {
        const hoc_spec *sp = &rp->a->specs[i];
        if (sp->kind != HOC_PROGRESS || strcmp(sp->name, js->str) != 0) continue;
        if (sp->holds(rp->states, rp->params, NULL)) return 0;
        fprintf(rp->out, "VIOLATED: progress stage %s after the good round (as in the trace)\n",
                sp->name);
        return 1;
    }
    return replay_error(rp->path, "the trace's stage is not a progress stage of the algorithm");
}

/* Replays every round of the trace, checking states and specs after each;
 * 0, 1 on a violation, 2 on a bad round or a divergence. */
static int replay_rounds(Replay *rp)
{
    const json *jr = rp->rounds;
    int rc = replay_specs(rp->a, rp->t, rp->states, rp->params, -1, rp->out);
    for (int r = 0; r < jr->n && rc == 0; r++) {
        const json *jround = &jr->items[r], *jho = json_get(jround, "ho"),
                   *jc = json_get(jround, "crashed"), *js = json_get(jround, "states");
        if (!jho || jho->type != JSON_ARR || jho->n != rp->n || !jc || jc->type != JSON_NUM ||
            !js || js->type != JSON_ARR || js->n != rp->n)
            return replay_error(rp->path, "a round lacks ho, crashed or states for every process");
        int64_t round = rp->base + r;
        if (replay_step(rp, round, jho, json_get(jround, "oracle"), (uint64_t)jc->num,
                        json_get(jround, "env")) != 0) {
            char msg[256];
            snprintf(msg, sizeof msg,
                     "round %" PRId64 ": the env does not fit the algorithm's events: %s", round,
                     rp->why);
            return replay_error(rp->path, msg);
        }
        rc = replay_compare(rp, round, js);
        /* a trace that misses a progress stage ends with the good round that misses it */
        if (rc == 0 && r == jr->n - 1) rc = replay_stage(rp);
        if (rc == 0) rc = replay_specs(rp->a, rp->t, rp->states, rp->params, round, rp->out);
    }
    return rc;
}

int hoc_sim_trace_n(const char *path)
{
    size_t len;
    char *text = slurp(path, &len), err[160];
    if (!text) return 0;
    json *t = json_parse(text, len, err, sizeof err);
    free(text);
    if (!t) return 0;
    const json *jn = json_get(t, "n");
    int n = jn && jn->type == JSON_NUM && jn->num >= 1 && jn->num <= HOC_MAXN ? (int)jn->num : 0;
    json_free(t);
    free(t);
    return n;
}

int hoc_sim_replay(const hoc_algo *a, const char *path, FILE *out)
{
    Replay rp = {.a = a, .path = path, .out = out};
    int rc = replay_load(&rp);
    if (rc == 0) rc = replay_init(&rp);
    if (rc == 0) {
        fprintf(out, "%s: replaying %s, n=%d, %d rounds\n", a->name, path, rp.n, rp.rounds->n);
        rc = replay_rounds(&rp);
        if (rc == 0)
            fprintf(out, "ok: the trace replayed and no invariant or property was violated\n");
    }
    free(rp.states), free(rp.box), free(rp.msgs), free(rp.outputs), free(rp.inputs);
    if (rp.t) json_free(rp.t);
    free(rp.t);
    return rc;
}
