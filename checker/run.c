/* run.c: setting up a run of hoc check, stopping it, and its specs (see run.h). */
#include "run.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "canon.h"
#include "clock.h"

/* Whether the search evaluates spec i: then its verdict must not depend on
 * which process is which for the symmetry reduction to be sound. */
static bool evaluated(const Mc *m, int i)
{
    const hoc_spec *sp = &m->a->specs[i];
    if (run_guides(m, i)) return true;
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
    m->fold_round = !a->uses_round;
    m->goal = o->ngoals > 0 ? o->goals[0] : -1;
    for (int i = 0; i < a->nspecs; i++)
        if (a->specs[i].kind == HOC_ASSUME && a->specs[i].rounds == 0) {
            m->nassume++;
            m->every_ho |= !a->specs[i].ho_monotone;
        }
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
    int64_t due = __atomic_load_n(&m->next_beat_ms, __ATOMIC_RELAXED);
    int64_t now_ms = (int64_t)(elapsed * 1000);
    if (m->o->heartbeat > 0 && now_ms >= due &&
        __atomic_compare_exchange_n(&m->next_beat_ms, &due, now_ms + m->o->heartbeat * 1000, false,
                                    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
        beat(m, elapsed);
    return run_halted(m);
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
            !sp->holds(key_proc(m, k, 0), m->o->params, NULL))
            return i;
    }
    return -1;
}

bool run_holds(const Mc *m, int spec, uint8_t *k)
{
    return spec >= 0 && m->a->specs[spec].holds(key_proc(m, k, 0), m->o->params, NULL);
}

bool run_assumptions_hold(const Mc *m, uint8_t *k, const hoc_set *ho)
{
    const hoc_algo *a = m->a;
    for (int i = 0; i < a->nspecs; i++) {
        const hoc_spec *sp = &a->specs[i];
        if (sp->kind == HOC_ASSUME && sp->rounds == 0 &&
            !sp->holds(key_proc(m, k, 0), m->o->params, ho))
            return false;
    }
    return true;
}
