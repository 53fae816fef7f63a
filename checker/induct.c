/* induct.c: counterexamples to induction (see induct.h). */
#include "induct.h"

#include <inttypes.h>
#include <stdlib.h>

#include "clock.h"
#include "domain.h"
#include "path.h"
#include "report.h"

/* A successor that breaks an invariant, and which. */
typedef struct Cti {
    Step step;
    int spec;
} Cti;

static int visit_cti(Worker *w, uint8_t *succ, const hoc_set *ho, void *arg)
{
    Cti *c = arg;
    Mc *m = w->m;
    if (m->stage >= 0) {
        if (!run_misses_stage(m, succ, ho)) return 0;
        c->spec = m->stage;
    } else {
        c->spec = run_violated(m, succ, true);
        if (c->spec < 0) return 0;
    }
    succ_keep(w, &c->step, succ, ho);
    return 1;
}

/* A stamp past the current phase cannot occur: such states are skipped. */
static bool stamps_fit(const Mc *m, uint8_t *k)
{
    int64_t now = hoc_stamp(*key_round(k) / m->a->nrounds);
    for (int p = 0; p < m->n; p++)
        for (int i = 0; i < m->rank.count; i++) {
            int64_t v;
            memcpy(&v, key_proc(m, k, p) + m->rank.off[i], 8);
            if (v > now) return false;
        }
    return true;
}

/* One round from k if it satisfies every invariant: 1 when a successor
 * breaks one, 3 at the time limit, -1 when out of memory, else 0. */
static int try_state(Mc *m, Worker *w, uint8_t *k, int64_t *checked, Cti *c)
{
    if ((++w->work & 4095) == 0 && run_tick(m)) return 3;
    if (!stamps_fit(m, k)) return 0;
    if (m->stage >= 0 ? !run_stage_applies(m, k, *key_round(k)) : run_violated(m, k, true) >= 0)
        return 0;
    ++*checked;
    w->timed = true;
    int s = succ_each(w, k, visit_cti, c);
    w->timed = false;
    if (s == SUCC_HALTED || run_halted(m)) return 3;
    if (s != 0) return s < 0 ? -1 : 1;
    return 0;
}

/* Every global state of the domain (process states from dom_states, each
 * position in the phase, phases 0..values) that satisfies every invariant
 * is given one round; a successor breaking an invariant is a counterexample
 * to induction, stored in out as a one-round path. Returns 1 when found, 0
 * when the domain is exhausted, 3 at a bound, -1 on error. */
static int inductive(Mc *m, Worker *w, int64_t *checked, Path *out)
{
    const hoc_algo *a = m->a;
    int n = m->n;
    DomStates d;
    int rc = dom_states(a, n, m->o->values, 1 << 20, &d);
    if (rc != 0) {
        if (rc > 0) m->stop_why = "domain size (over 2^20 states of one process)";
        return rc > 0 ? 3 : -1;
    }
    int64_t phases = a->uses_round && !m->fold_round ? m->o->values + 1 : 1;
    uint8_t *k = malloc(m->key);
    int idx[HOC_MAXN] = {0};
    rc = k && path_alloc(out, m, 1) == 0 ? 0 : -1;
    Cti c = {.spec = -1};
    if (rc == 0) c.step.state = out->states + m->key; /* round 1 of out */
    for (int64_t pos = 0; rc == 0 && pos < (int64_t)a->nrounds * phases; pos++) {
        __atomic_store_n(&m->depth_now, pos, __ATOMIC_RELAXED);
        memset(idx, 0, sizeof idx);
        for (;;) {
            memset(k, 0, m->key);
            *key_round(k) = pos;
            for (int p = 0; p < n; p++)
                memcpy(key_proc(m, k, p), d.states + (size_t)idx[p] * a->state_size, m->ssz);
            if ((rc = try_state(m, w, k, checked, &c)) != 0) break;
            /* next tuple; with symmetry, only sorted ones (a multiset each) */
            int p = 0;
            while (p < n && ++idx[p] == d.count)
                p++;
            if (p == n) break;
            for (int q = p - 1; q >= 0; q--)
                idx[q] = m->sym ? idx[p] : 0;
        }
    }
    if (rc == 1) {
        m->bad_spec = c.spec;
        memcpy(out->states, k, m->key);
        path_note(out, 1, &c.step);
    }
    free(k);
    dom_free(&d);
    return rc;
}

int induct_check(Mc *m, Worker *w)
{
    FILE *f = m->out;
    const hoc_algo *a = m->a;
    int64_t checked = 0;
    Path path = {0};
    m->cti = true;
    int r = inductive(m, w, &checked, &path);
    double secs = hoc_now_s() - m->t0;
    if (r == 1 && m->stage >= 0)
        fprintf(f,
                "VIOLATED: progress stage %s does not follow: one good round (assumption %s) "
                "from a state satisfying every invariant%s%s misses it\n",
                a->specs[m->stage].name, a->specs[m->stage_assume].name,
                m->stage_prev >= 0 ? " and stage " : "",
                m->stage_prev >= 0 ? a->specs[m->stage_prev].name : "");
    else if (r == 1)
        fprintf(f,
                "VIOLATED: invariant %s is not inductive: one round from a state satisfying "
                "every invariant breaks it\n",
                a->specs[m->bad_spec].name);
    if (r == 1) path_print(m, &path, 1);
    int rc = r == 1 ? 1 : r == 0 ? 0 : r == 3 ? 3 : 2;
    report_result(m, r == 1 ? &path : NULL, 1, rc, checked, r == 0);
    path_free(&path);
    fprintf(f,
            "%s: n=%d, counterexamples to induction among states with values from %d: %" PRId64
            " states satisfy the invariants, %.3f s\n",
            a->name, m->n, m->o->values, checked, secs);
    report_symmetry(m);
    report_skips(m, false);
    report_blocks(m);
    if (r == 0)
        fprintf(f, "ok: no counterexample to induction in this domain (a bounded check; hoc "
                   "verify proves)\n");
    else if (r == 3)
        fprintf(f, "bound: stopped by the %s\n", m->stop_why ? m->stop_why : "bound");
    else if (r < 0)
        fprintf(stderr, "hoc check: out of memory\n");
    if (r == 0 || r == 3) report_standins(m);
    return rc;
}
