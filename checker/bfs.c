/* bfs.c: the breadth-first search (see bfs.h). */
#include "bfs.h"

#include <inttypes.h>
#include <stdlib.h>

#include "canon.h"
#include "clock.h"

static void note_bad(Mc *m, int64_t idx, int spec)
{
    pthread_mutex_lock(&m->lock);
    /* the smallest index at the shallowest depth: deterministic for a given run */
    if (m->bad < 0 || idx < m->bad) m->bad = idx, m->bad_spec = spec;
    pthread_mutex_unlock(&m->lock);
}

/* Notes a newly stored state if it breaks a spec or reaches the goal. */
static void note_state(Mc *m, int64_t idx, uint8_t *k)
{
    /* a search for a good round that misses a stage looks for nothing else */
    int v = m->stage >= 0 ? -1 : run_violated(m, k, false);
    if (v >= 0)
        note_bad(m, idx, v);
    else if (run_holds(m, m->goal, k))
        note_bad(m, idx, m->goal);
}

static int store_initial(Mc *m, Worker *w, uint8_t *k, void *arg)
{
    (void)arg;
    canon_form(m, k, w->next, w->rank_scratch);
    int64_t idx = store_add(&m->st, k, -1);
    if (idx == -2) return -1;
    if (idx >= 0) note_state(m, idx, k);
    return 0;
}

int bfs_initial(Mc *m, Worker *w)
{
    return succ_initial(m, w, store_initial, NULL);
}

static int visit_store(Worker *w, uint8_t *succ, const hoc_set *ho, void *arg)
{
    (void)ho; /* the stored state is all that counts */
    Mc *m = w->m;
    int64_t parent = *(int64_t *)arg;
    canon_form(m, succ, w->next, w->rank_scratch);
    int64_t idx = store_add(&m->st, succ, parent);
    if (idx == -2) {
        run_halt(m, "memory budget");
        return 1;
    }
    if (idx >= 0) note_state(m, idx, succ);
    return 0;
}

/* A good round that misses the progress stage asked for; arg: where to
 * keep it, or NULL. */
static int visit_stage(Worker *w, uint8_t *succ, const hoc_set *ho, void *arg)
{
    if (!run_misses_stage(w->m, succ, ho)) return 0;
    if (arg) succ_keep(w, arg, succ, ho);
    return 1;
}

/* With a progress stage to refute: tries a good round from stored state i
 * (k) where the stage's obligation applies. Returns succ_each's status. */
static int probe_stage(Worker *w, uint8_t *k, int64_t i)
{
    Mc *m = w->m;
    if (m->stage < 0 || m->o->inductive || !run_stage_applies(m, k, *key_round(k))) return 0;
    int rc = succ_each(w, k, visit_stage, NULL);
    if (rc == 1) note_bad(m, i, m->stage);
    return rc == 1 ? 0 : rc;
}

/* A worker thread: expands states of the current level until none is left. */
static void *expand_level(void *arg)
{
    Worker *w = arg;
    Mc *m = w->m;
    uint8_t *k = malloc(m->key);
    if (!k) return NULL;
    w->timed = true;
    for (;;) {
        int64_t i = __atomic_fetch_add(&m->next_index, 1, __ATOMIC_RELAXED);
        if (i >= m->level_end || run_halted(m)) break;
        if ((i & 63) == 0 && run_tick(m)) break;
        memcpy(k, store_key(&m->st, i), m->key);
        if (run_holds(m, m->o->prune, k)) continue;
        int rc = probe_stage(w, k, i);
        if (rc == 0) rc = succ_each(w, k, visit_store, &i);
        if (rc == SUCC_HALTED) break;
        if (rc < 0) {
            run_halt(m, "out of memory");
            break;
        }
    }
    w->timed = false;
    free(k);
    return NULL;
}

static void progress(Mc *m, int64_t depth)
{
    double t = hoc_now_s() - m->t0;
    fprintf(stderr, "\rdepth %" PRId64 ", states %" PRId64 ", %.0f states/s, %.1f MB   ", depth,
            m->st.count, t > 0 ? (double)m->st.count / t : 0.0,
            (double)store_bytes(&m->st) / 1048576.0);
}

/* Breadth-first search from the states in the store; stops at a violation
 * or this segment's goal (m->bad), a bound (m->stop), or exhaustion, which
 * it returns. */
static bool bfs(Mc *m, Worker *ws, int threads, int64_t *depth)
{
    m->level_start = 0;
    m->level_end = m->st.count;
    while (m->bad < 0 && !m->stop) {
        if (m->level_start == m->level_end) return true;
        if (*depth >= m->o->depth) {
            m->stop = true;
            m->stop_why = "depth bound";
            break;
        }
        m->next_index = m->level_start;
        __atomic_store_n(&m->depth_now, *depth, __ATOMIC_RELAXED);
        pthread_t tid[16];
        for (int t = 1; t < threads; t++)
            pthread_create(&tid[t], NULL, expand_level, &ws[t]);
        expand_level(&ws[0]);
        for (int t = 1; t < threads; t++)
            pthread_join(tid[t], NULL);
        ++*depth;
        m->level_start = m->level_end;
        m->level_end = m->st.count;
        if (m->o->progress) progress(m, *depth);
        if (m->bad < 0) run_tick(m);
    }
    return false;
}

/* Punctuated search: starts again, with an empty store, from the state
 * where the goal of the segment that just ended was reached, for the next
 * goal. Returns 0, or -1 when out of memory. */
static int restart_at_goal(Mc *m, const Path *trace, int segment, Search *s)
{
    const mc_opts *o = m->o;
    fprintf(m->out, "goal %s reached after %" PRId64 " rounds; searching on for %s\n",
            m->a->specs[m->goal].name, s->depth, m->a->specs[o->goals[segment + 1]].name);
    uint8_t *start = trace->states + m->key * (size_t)trace->depth;
    s->states += m->st.count;
    size_t budget = m->st.budget;
    store_free(&m->st);
    if (store_init(&m->st, m->key, budget) != 0) return -1;
    m->goal = o->goals[segment + 1];
    m->roots_initial = false;
    m->bad = -1, m->bad_spec = -1;
    store_add(&m->st, start, -1);
    if (run_holds(m, m->goal, start)) m->bad = 0, m->bad_spec = m->goal;
    return 0;
}

/* The trace to a state where a good round misses the stage ends with that
 * round, found again from the real (not canonical) state. Returns 0, or -1
 * (after a message when it is not found, which would be a bug). */
static int extend_stage(Mc *m, Worker *w, Path *seg)
{
    Path p = {0};
    if (path_alloc(&p, m, seg->depth + 1) != 0) {
        path_free(&p);
        return -1;
    }
    size_t d = (size_t)seg->depth + 1;
    memcpy(p.states, seg->states, m->key * d);
    memcpy(p.hos, seg->hos, sizeof *p.hos * HOC_MAXN * d);
    memcpy(p.bits, seg->bits, sizeof *p.bits * HOC_MAXN * d);
    Step st = {.state = p.states + m->key * d};
    if (succ_each(w, p.states + m->key * (d - 1), visit_stage, &st) != 1) {
        fprintf(m->out, "hoc check: internal error: the good round is lost in the trace\n");
        path_free(&p);
        return -1;
    }
    path_note(&p, (int64_t)d, &st);
    path_free(seg);
    *seg = p;
    return 0;
}

int bfs_search(Mc *m, Worker *ws, int threads, Search *s)
{
    *s = (Search){.initial = m->st.count};
    Path seg = {0};
    for (int segment = 0;; segment++) {
        int64_t seg_depth = 0;
        s->exhausted = bfs(m, ws, threads, &seg_depth);
        s->depth += seg_depth;
        bool at_goal = m->bad >= 0 && m->bad_spec == m->goal && m->goal >= 0;
        bool stage = m->bad >= 0 && m->stage >= 0 && m->bad_spec == m->stage;
        if (m->bad >= 0 && (path_rebuild(m, &ws[0], m->bad, &seg) != 0 ||
                            (stage && extend_stage(m, &ws[0], &seg) != 0) ||
                            path_append(&s->trace, &seg, m) != 0)) {
            path_free(&seg);
            fprintf(stderr, "hoc check: out of memory\n");
            return 2;
        }
        path_free(&seg);
        if (!at_goal || segment + 1 >= m->o->ngoals) break;
        if (restart_at_goal(m, &s->trace, segment, s) != 0) return 2;
    }
    s->states += m->st.count;
    s->secs = hoc_now_s() - m->t0;
    if (m->o->progress) fputc('\n', stderr);
    for (int t = 0; t < threads; t++)
        m->transitions += ws[t].transitions;
    return 0;
}
