/* run.c: setting up a run of hoc check, stopping it, and its specs (see run.h). */
#include "run.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canon.h"
#include "clock.h"

static int spec_named(const hoc_algo *a, const char *name, size_t len)
{
    for (int i = 0; i < a->nspecs; i++)
        if (strlen(a->specs[i].name) == len && strncmp(a->specs[i].name, name, len) == 0) return i;
    return -1;
}

/* The progress stage o->stage, the stage before it and its eventual
 * assumption: a stage NAME_after_K follows assumption NAME and stage
 * NAME_after_(K-1), if that is declared (compiler/cgen.c names them so).
 * Returns 0, or -1 after a message. */
static int stage_init(Mc *m)
{
    const hoc_algo *a = m->a;
    m->stage = m->stage_prev = m->stage_assume = -1;
    if (!m->o->stage) return 0;
    m->stage = spec_named(a, m->o->stage, strlen(m->o->stage));
    const char *after = m->stage >= 0 ? strstr(a->specs[m->stage].name, "_after_") : NULL;
    if (m->stage < 0 || a->specs[m->stage].kind != HOC_PROGRESS || !after) {
        fprintf(stderr, "hoc check: %s has no progress stage named '%s'\n", a->name, m->o->stage);
        return -1;
    }
    const char *name = a->specs[m->stage].name;
    m->stage_assume = spec_named(a, name, (size_t)(after - name));
    char prev[300];
    snprintf(prev, sizeof prev, "%.*s_after_%d", (int)(after - name), name,
             a->specs[m->stage].rounds - 1);
    m->stage_prev = spec_named(a, prev, strlen(prev));
    if (m->stage_assume < 0 || a->specs[m->stage_assume].kind != HOC_ASSUME) {
        fprintf(stderr, "hoc check: progress stage %s follows no assumption\n", name);
        return -1;
    }
    /* the good round's heard-of sets are constrained by the assumption too */
    m->every_ho |= !a->specs[m->stage_assume].ho_monotone;
    return 0;
}

/* Whether the search evaluates spec i: then its verdict must not depend on
 * which process is which for the symmetry reduction to be sound. */
static bool evaluated(const Mc *m, int i)
{
    const hoc_spec *sp = &m->a->specs[i];
    if (run_guides(m, i) || i == m->stage || i == m->stage_prev || i == m->stage_assume)
        return true;
    if (run_skipped(m, i)) return false;
    return sp->kind == HOC_INVARIANT || sp->kind == HOC_PROPERTY ||
           (sp->kind == HOC_ASSUME && sp->rounds == 0);
}

/* Sorting process states is sound only when the rounds and every spec the
 * search evaluates are invariant under permutations (compiler/symmetry.c);
 * m->sym_why says why not. */
static void run_symmetry(Mc *m)
{
    const hoc_algo *a = m->a;
    m->sym = false;
    if (!m->o->symmetry) {
        snprintf(m->sym_why, sizeof m->sym_why, "--no-symmetry");
        return;
    }
    if (a->uses_id) {
        snprintf(m->sym_why, sizeof m->sym_why, "the rounds tell processes apart: %s",
                 a->asym_why ? a->asym_why : "they depend on process ids");
        return;
    }
    for (int i = 0; i < a->nspecs; i++)
        if (evaluated(m, i) && !a->specs[i].symmetric) {
            snprintf(m->sym_why, sizeof m->sym_why, "%s %s %s",
                     hoc_spec_kind_name(a->specs[i].kind), a->specs[i].name,
                     a->specs[i].asym_why ? a->specs[i].asym_why : "may tell processes apart");
            return;
        }
    m->sym = true;
}

int run_init(Mc *m, const hoc_algo *a, const mc_opts *o)
{
    *m = (Mc){.a = a,
              .o = o,
              .out = o->out ? o->out : stdout,
              .n = o->n,
              .ssz = a->state_size,
              .bad = -1,
              .bad_spec = -1,
              .roots_initial = true};
    m->key = TRACE_PROCS + (size_t)o->n * a->state_size;
    /* 2^K combinations of oracle bits at every update, counted in int64
     * units of work: from 63 on (1 << 64 wrapped to a single combination,
     * all bits false) the search would not be exhaustive */
    if (a->noracles >= 63) {
        fprintf(stderr,
                "hoc check: %s has %d oracles: the 2^%d combinations of their bits at every "
                "update cannot be enumerated (at most 62)\n",
                a->name, a->noracles, a->noracles);
        return -2;
    }
    char err[200];
    if (events_init(&m->ev, a, o->params, o->values, o->events, o->replace, m->key, err,
                    sizeof err) != 0) {
        fprintf(stderr, "hoc check: %s\n", err);
        return -2;
    }
    m->key += events_key_bytes(a, o->events, o->replace);
    m->fold_round = !a->uses_round;
    m->goal = o->ngoals > 0 ? o->goals[0] : -1;
    for (int i = 0; i < a->nspecs; i++)
        if (a->specs[i].kind == HOC_ASSUME && a->specs[i].rounds == 0) {
            m->nassume++;
            m->every_ho |= !a->specs[i].ho_monotone;
        }
    if (stage_init(m) != 0) return -2;
    run_symmetry(m);
    size_t budget = o->mem_mb > 0 ? (size_t)o->mem_mb << 20 : 0;
    if (store_init(&m->st, m->key, budget) != 0 ||
        rank_init(&m->rank, a, o->n, o->params, o->abstraction) != 0 || canon_forget_init(m) != 0) {
        rank_free(&m->rank);
        free(m->forget);
        store_free(&m->st);
        return -1;
    }
    pthread_mutex_init(&m->lock, NULL);
    /* quiet for short runs: the first status line after one period */
    m->next_beat_ms = (int64_t)o->heartbeat * 1000;
    return 0;
}

void run_free(Mc *m)
{
    for (int t = 0; t < 16; t++)
        store_buf_free(&m->buf[t]);
    free(m->root);
    free(m->forget);
    rank_free(&m->rank);
    store_free(&m->st);
    pthread_mutex_destroy(&m->lock);
}

void run_halt(Mc *m, const char *why)
{
    pthread_mutex_lock(&m->lock);
    if (!m->stop_why) m->stop_why = why;
    __atomic_store_n(&m->stop, true, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&m->lock);
}

bool run_halted(Mc *m)
{
    return __atomic_load_n(&m->stop, __ATOMIC_ACQUIRE);
}

/* The status line of a long run: what it is doing, how far it got. */
static void beat(Mc *m, double elapsed)
{
    pthread_mutex_lock(&m->st.lock);
    int64_t states = m->st.count;
    pthread_mutex_unlock(&m->st.lock);
    fprintf(stderr, "hoc check: %.0f s, %s %" PRId64 ", %" PRId64 " states%s\n", elapsed,
            m->o->inductive ? "phase position" : "depth",
            __atomic_load_n(&m->depth_now, __ATOMIC_RELAXED), states,
            m->o->time_limit > 0 ? "" : " (no --time limit)");
}

bool run_tick(Mc *m)
{
    double elapsed = hoc_now_s() - m->t0;
    if (m->o->time_limit > 0 && elapsed > m->o->time_limit && !run_halted(m))
        run_halt(m, "time limit");
    if (m->o->judge && atomic_load(&m->o->judge->failed) && !run_halted(m))
        run_halt(m, "a spec cannot be judged");
    int64_t due = __atomic_load_n(&m->next_beat_ms, __ATOMIC_RELAXED);
    int64_t now_ms = (int64_t)(elapsed * 1000);
    if (m->o->heartbeat > 0 && now_ms >= due &&
        __atomic_compare_exchange_n(&m->next_beat_ms, &due, now_ms + m->o->heartbeat * 1000, false,
                                    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
        beat(m, elapsed);
    return run_halted(m);
}

bool run_stage_applies(const Mc *m, uint8_t *k, int64_t pos)
{
    const hoc_algo *a = m->a;
    int64_t r = pos % a->nrounds;
    if (m->o->stage_round >= 0 && r != m->o->stage_round) return false;
    if (a->specs[m->stage_assume].phase_aligned && r != a->specs[m->stage].rounds - 1) return false;
    for (int i = 0; i < a->nspecs; i++) /* every invariant, skipped or not: the hypotheses */
        if (a->specs[i].kind == HOC_INVARIANT && !run_holds(m, i, k)) return false;
    return m->stage_prev < 0 || run_holds(m, m->stage_prev, k);
}

bool run_misses_stage(const Mc *m, uint8_t *succ, const hoc_set *ho)
{
    return run_spec(m, m->stage_assume, key_proc(m, succ, 0), ho) && !run_holds(m, m->stage, succ);
}

bool run_guides(const Mc *m, int i)
{
    for (int g = 0; g < m->o->ngoals; g++)
        if (m->o->goals[g] == i) return true;
    return m->o->prune == i;
}

bool run_skipped(const Mc *m, int i)
{
    return m->o->skip && m->o->skip[i];
}

int run_violated(const Mc *m, uint8_t *k, bool invariants_only)
{
    const hoc_algo *a = m->a;
    for (int i = 0; i < a->nspecs; i++) {
        const hoc_spec *sp = &a->specs[i];
        bool checked = sp->kind == HOC_INVARIANT || (sp->kind == HOC_PROPERTY && !invariants_only);
        if (checked && !run_guides(m, i) && !run_skipped(m, i) &&
            !run_spec(m, i, key_proc(m, k, 0), NULL))
            return i;
    }
    return -1;
}

bool run_spec(const Mc *m, int spec, const void *states, const hoc_set *ho)
{
    return hoc_spec_judge(&m->a->specs[spec], states, m->o->params, ho, m->o->judge);
}

bool run_holds(const Mc *m, int spec, uint8_t *k)
{
    return spec >= 0 && run_spec(m, spec, key_proc(m, k, 0), NULL);
}

bool run_assumptions_hold(const Mc *m, uint8_t *k, const hoc_set *ho)
{
    const hoc_algo *a = m->a;
    for (int i = 0; i < a->nspecs; i++) {
        const hoc_spec *sp = &a->specs[i];
        if (sp->kind == HOC_ASSUME && sp->rounds == 0 && !run_spec(m, i, key_proc(m, k, 0), ho))
            return false;
    }
    return true;
}
