/* bfs.c: the breadth-first search (see bfs.h). */
#include "bfs.h"

#include <inttypes.h>
#include <stdlib.h>

#include "canon.h"
#include "clock.h"
#include "stack.h"

static void note_bad(Mc *m, int64_t idx, int spec)
{
    pthread_mutex_lock(&m->lock);
    /* the smallest index at the shallowest depth */
    if (m->bad < 0 || idx < m->bad) m->bad = idx, m->bad_spec = spec;
    pthread_mutex_unlock(&m->lock);
}

/* Notes a state just stored (b's last) if it breaks a spec or reaches the
 * goal: its block is handed over at once, so that its index is known. */
static void note_state(Mc *m, StoreBuf *b, uint8_t *k)
{
    /* a search for a good round that misses a stage looks for nothing else */
    int spec = m->stage >= 0 ? -1 : run_violated(m, k, false);
    if (spec < 0 && run_holds(m, m->goal, k)) spec = m->goal;
    if (spec < 0) return;
    int64_t idx = store_flush(&m->st, b);
    if (idx < 0)
        run_halt(m, "memory budget");
    else
        note_bad(m, idx, spec);
}

/* Stores a canonical state; -1 (the search halted) over the budget. */
static int keep(Mc *m, StoreBuf *b, uint8_t *k, int64_t parent)
{
    int rc = store_add(&m->st, b, k, parent);
    if (rc == -2) {
        run_halt(m, "memory budget");
        return -1;
    }
    if (rc == 1) note_state(m, b, k);
    return 0;
}

static int store_initial(Mc *m, Worker *w, uint8_t *k, void *arg)
{
    (void)arg;
    canon_form(m, k, w->next, w->rank_scratch);
    return keep(m, &m->buf[0], k, -1);
}

/* Gives every worker thread its buffer of new states; -1 when out of memory. */
static int bufs_init(Mc *m, int threads)
{
    for (int t = 0; t < threads; t++)
        if (!m->buf[t].keys && store_buf_init(&m->buf[t], &m->st) != 0) return -1;
    return 0;
}

int bfs_initial(Mc *m, Worker *w)
{
    if (bufs_init(m, 1) != 0) return -1;
    int rc = succ_initial(m, w, store_initial, NULL);
    if (store_flush(&m->st, &m->buf[0]) == -2) rc = -1;
    return rc;
}

/* What a worker thread expands with. */
typedef struct Lane {
    Worker *w;
    StoreBuf *buf;
    int64_t parent; /* the index of the state being expanded */
} Lane;

static int visit_store(Worker *w, uint8_t *succ, const hoc_set *ho, void *arg)
{
    (void)ho; /* the stored state is all that counts */
    Lane *l = arg;
    canon_form(w->m, succ, w->next, w->rank_scratch);
    return keep(w->m, l->buf, succ, l->parent) != 0;
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
    if (m->stage < 0 || m->o->inductive || !run_stage_applies(m, k, trace_round_of(k))) return 0;
    int rc = succ_each(w, k, visit_stage, NULL);
    if (rc == 1) note_bad(m, i, m->stage);
    return rc == 1 ? 0 : rc;
}

/* Expands stored state first + i (k); false when the search must stop. */
static bool expand_one(Lane *l, uint8_t *k, int64_t index)
{
    Mc *m = l->w->m;
    if ((index & 63) == 0 && run_tick(m)) return false;
    if (run_holds(m, m->o->prune, k)) {
        __atomic_add_fetch(&m->pruned, 1, __ATOMIC_RELAXED);
        return true;
    }
    l->parent = index;
    int rc = probe_stage(l->w, k, index);
    if (rc == 0) rc = succ_each(l->w, k, visit_store, l);
    if (rc == SUCC_HALTED) return false;
    if (rc < 0) {
        run_halt(m, "out of memory");
        return false;
    }
    return true;
}

/* A worker thread: expands blocks of the current level until none is left. */
static void *expand_level(void *arg)
{
    Lane *l = arg;
    Mc *m = l->w->m;
    int count = 0;
    int64_t first;
    uint8_t *block;
    l->w->timed = true;
    bool go = true;
    while (go && !run_halted(m) && (block = store_take(&m->st, &count, &first)) != NULL) {
        for (int i = 0; i < count && go && !run_halted(m); i++)
            go = expand_one(l, block + (size_t)i * m->key, first + i);
        free(block);
    }
    l->w->timed = false;
    if (count < 0) run_halt(m, "disk (the frontier cannot be read back)");
    if (store_flush(&m->st, l->buf) == -2) run_halt(m, "memory budget");
    return NULL;
}

static void progress(Mc *m, int64_t depth)
{
    double t = hoc_now_s() - m->t0;
    fprintf(stderr, "\rdepth %" PRId64 ", states %" PRId64 ", %.0f states/s, %.1f MB   ", depth,
            m->st.count, t > 0 ? (double)m->st.count / t : 0.0,
            (double)store_mem_bytes(&m->st) / 1048576.0);
}

/* Breadth-first search from the states in the store's level being filled;
 * stops at a violation or this segment's goal (m->bad), a bound (m->stop),
 * or exhaustion, which it returns. */
static bool bfs(Mc *m, Worker *ws, int threads, int64_t *depth)
{
    Lane lanes[16];
    for (int t = 0; t < threads; t++)
        lanes[t] = (Lane){.w = &ws[t], .buf = &m->buf[t]};
    int64_t width = store_next_level(&m->st);
    while (m->bad < 0 && !m->stop) {
        if (width == 0) return true;
        if (*depth >= m->o->depth) {
            m->stop = true;
            m->stop_why = "depth bound";
            break;
        }
        __atomic_store_n(&m->depth_now, *depth, __ATOMIC_RELAXED);
        pthread_t tid[16];
        bool started[16] = {false};
        pthread_attr_t attr;
        bool sized = pthread_attr_init(&attr) == 0;
        /* the generated functions' locals on each lane's stack: a thread's
         * default stack is the soft limit at start-up, not hoc_stack_fit's */
        size_t need = hoc_stack_need(m->a), dflt = 0;
        if (sized && pthread_attr_getstacksize(&attr, &dflt) == 0 && dflt < need)
            sized = pthread_attr_setstacksize(&attr, need) == 0;
        for (int t = 1; t < threads; t++)
            started[t] =
                pthread_create(&tid[t], sized ? &attr : NULL, expand_level, &lanes[t]) == 0;
        expand_level(&lanes[0]);
        for (int t = 1; t < threads; t++) {
            if (started[t])
                pthread_join(tid[t], NULL);
            else /* no thread for it: its share runs here */
                expand_level(&lanes[t]);
        }
        if (sized) pthread_attr_destroy(&attr);
        ++*depth;
        width = store_next_level(&m->st);
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
    if (!m->root && !(m->root = malloc(m->key))) return -1;
    memcpy(m->root, start, m->key);
    m->goal = o->goals[segment + 1];
    m->roots_initial = false;
    m->bad = -1, m->bad_spec = -1, m->pruned = 0;
    if (store_add(&m->st, &m->buf[0], start, -1) != 1 || store_flush(&m->st, &m->buf[0]) != 0)
        return -1;
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
    memcpy(p.envs, seg->envs, sizeof *p.envs * HOC_MAXN * d);
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
    if (bufs_init(m, threads) != 0) {
        fprintf(stderr, "hoc check: out of memory\n");
        return 2;
    }
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
