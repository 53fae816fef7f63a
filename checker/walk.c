/* walk.c: random walks (see walk.h). */
#include "walk.h"

#include <inttypes.h>
#include <stdlib.h>

#include "canon.h"
#include "clock.h"
#include "path.h"
#include "report.h"
#include "rng.h"

typedef struct Pick {
    uint64_t *rng;
    int64_t seen;
    Step step;
} Pick;

/* Reservoir sampling: every successor is equally likely to be kept. */
static int visit_pick(Worker *w, uint8_t *succ, const hoc_set *ho, void *arg)
{
    Pick *pk = arg;
    if (hoc_rng_next(pk->rng) % (uint64_t)++pk->seen == 0) succ_keep(w, &pk->step, succ, ho);
    return 0;
}

/* The distinct canonical initial states, in the order they are made. */
typedef struct Roots {
    FpSet seen;
    uint8_t *keys;
    int64_t count, cap;
} Roots;

static int add_root(Mc *m, Worker *w, uint8_t *k, void *arg)
{
    Roots *r = arg;
    canon_form(m, k, w->next, w->rank_scratch);
    int rc = fpset_add(&r->seen, fpset_hash(k, m->key));
    if (rc <= 0) return rc;
    if (r->count == r->cap) {
        int64_t cap = r->cap ? r->cap * 2 : 64;
        uint8_t *nk = realloc(r->keys, m->key * (size_t)cap);
        if (!nk) return -1;
        r->keys = nk, r->cap = cap;
    }
    memcpy(r->keys + m->key * (size_t)r->count++, k, m->key);
    return 0;
}

/* Random walks from random initial states; returns 1 after printing a
 * violation, 0 when none was found, -1 on error. */
static int random_walks(Mc *m, Worker *w, Path *p, int64_t *steps, Roots *roots, int64_t *found)
{
    int64_t depth = m->o->depth;
    uint64_t rng = m->o->seed;
    if (path_alloc(p, m, depth) != 0 || fpset_init(&roots->seen, 0) != 0 ||
        succ_initial(m, w, add_root, roots) != 0 || roots->count == 0)
        return -1;
    for (int64_t walk = 0; walk < m->o->walks; walk++) {
        int64_t pick = (int64_t)(hoc_rng_next(&rng) % (uint64_t)roots->count);
        memcpy(p->states, roots->keys + m->key * (size_t)pick, m->key);
        for (int64_t d = 1; d <= depth; d++) {
            Pick pk = {.rng = &rng, .step.state = p->states + m->key * (size_t)d};
            __atomic_store_n(&m->depth_now, d, __ATOMIC_RELAXED);
            if (run_tick(m)) return 0;
            w->timed = true;
            int rc = succ_each(w, p->states + m->key * (size_t)(d - 1), visit_pick, &pk);
            w->timed = false;
            if (rc == SUCC_HALTED) return 0;
            if (rc < 0) return -1;
            if (!pk.seen) break; /* everybody halted or crashed */
            (*steps)++;
            path_note(p, d, &pk.step);
            int v = run_violated(m, p->states + m->key * (size_t)d, false);
            if (v < 0) continue;
            m->bad_spec = v;
            fprintf(m->out,
                    "VIOLATED: %s %s in round %" PRId64 " of random walk %" PRId64 " (seed %" PRIu64
                    "):\n",
                    hoc_spec_kind_name(m->a->specs[v].kind), m->a->specs[v].name, d - 1, walk,
                    m->o->seed);
            path_print(m, p, d);
            *found = d;
            return 1;
        }
    }
    return 0;
}

int walk_check(Mc *m, Worker *w)
{
    const mc_opts *o = m->o;
    Path p = {0};
    Roots roots = {0};
    int64_t steps = 0, found = 0;
    int rc = random_walks(m, w, &p, &steps, &roots, &found);
    fpset_free(&roots.seen);
    free(roots.keys);
    double secs = hoc_now_s() - m->t0;
    fprintf(m->out,
            "%s: n=%d, %" PRId64 " random walks of up to %" PRId64 " rounds, seed %" PRIu64
            ": %" PRId64 " steps in %.3f s\n",
            m->a->name, o->n, o->walks, o->depth, o->seed, steps, secs);
    report_symmetry(m);
    report_skips(m, false);
    report_blocks(m);
    if (rc == 0)
        fprintf(m->out, "bound: %s (not exhaustive)\n",
                m->stop_why ? "stopped by the time limit, no violation found on the walks so far"
                            : "no violation found on these walks");
    if (rc == 0) report_standins(m);
    rc = rc == 1 ? 1 : rc == 0 ? 3 : 2;
    report_result(m, rc == 1 ? &p : NULL, found, rc, steps, false);
    path_free(&p);
    return rc;
}
