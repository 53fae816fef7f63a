/* run.c: setting up a run of hoc check, stopping it, and its specs (see run.h). */
#include "run.h"

#include <stdlib.h>

#include "canon.h"

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
    char err[200];
    if (events_init(&m->ev, a, o->params, o->values, o->events, o->replace, m->key, err,
                    sizeof err) != 0) {
        fprintf(stderr, "hoc check: %s\n", err);
        return -2;
    }
    m->key += events_key_bytes(a, o->events, o->replace);
    m->sym = o->symmetry && !a->uses_id;
    m->fold_round = !a->uses_round;
    m->goal = o->ngoals > 0 ? o->goals[0] : -1;
    for (int i = 0; i < a->nspecs; i++)
        if (a->specs[i].kind == HOC_ASSUME && a->specs[i].rounds == 0) m->nassume++;
    size_t budget = o->mem_mb > 0 ? (size_t)o->mem_mb << 20 : 0;
    if (store_init(&m->st, m->key, budget) != 0 ||
        rank_init(&m->rank, a, o->n, o->params, o->abstraction) != 0 || canon_forget_init(m) != 0) {
        rank_free(&m->rank);
        free(m->forget);
        store_free(&m->st);
        return -1;
    }
    pthread_mutex_init(&m->lock, NULL);
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
