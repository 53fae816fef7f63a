/* succ.c: initial states and successors (see succ.h). */
#include "succ.h"

#include <stdlib.h>

#include "canon.h"
#include "events.h"

/* Appends a choice; -1 when out of memory. */
static int choices_push(Worker *w, Choices *c, const uint8_t *st, hoc_set ho, uint64_t bits,
                        const EnvStep *env)
{
    size_t ssz = w->m->ssz;
    if (c->count == c->cap) {
        int cap = c->cap ? c->cap * 2 : 8;
        uint8_t *ns = realloc(c->states, (size_t)cap * ssz);
        hoc_set *nh = realloc(c->ho, (size_t)cap * sizeof *nh);
        uint64_t *nb = realloc(c->bits, (size_t)cap * sizeof *nb);
        EnvStep *ne = realloc(c->env, (size_t)cap * sizeof *ne);
        if (ns) c->states = ns;
        if (nh) c->ho = nh;
        if (nb) c->bits = nb;
        if (ne) c->env = ne;
        if (!ns || !nh || !nb || !ne) return -1;
        c->cap = cap;
    }
    memcpy(c->states + (size_t)c->count * ssz, st, ssz);
    c->bits[c->count] = bits;
    c->env[c->count] = *env;
    c->ho[c->count++] = ho;
    return 0;
}

/* Choice i becomes (st, ho, bits, env). */
static void choices_set(Worker *w, Choices *c, int i, const uint8_t *st, hoc_set ho, uint64_t bits,
                        const EnvStep *env)
{
    c->ho[i] = ho, c->bits[i] = bits, c->env[i] = *env;
    memcpy(c->states + (size_t)i * w->m->ssz, st, w->m->ssz);
}

/* Whether a step with env spends no more of the environment's budgets than
 * one with env2: the same process state then leaves at least as much. */
static bool env_le(const EnvStep *env, const EnvStep *env2)
{
    return env->count <= env2->count && env->replaced <= env2->replaced;
}

/* Whether heard-of set ho lets the adversary do whatever ho2 does. Which
 * sets count depends on the assumptions: none, and any will do (the
 * largest is kept, for the trace); upward closed ones, and a superset
 * does; others need every set. */
static bool ho_covers(const Mc *m, hoc_set ho, hoc_set ho2)
{
    if (!m->nassume) return true;
    if (m->every_ho) return ho == ho2;
    return (ho2 & ~ho) == 0;
}

int succ_choice_add(Worker *w, Choices *c, const uint8_t *st, hoc_set ho, uint64_t bits,
                    const EnvStep *env)
{
    Mc *m = w->m;
    size_t ssz = m->ssz;
    int kept = -1; /* the choice the new one replaced */
    for (int i = 0; i < c->count; i++) {
        if (!canon_same_tracked(m, c->states + (size_t)i * ssz, st)) continue;
        bool old_covers = ho_covers(m, c->ho[i], ho) && env_le(&c->env[i], env);
        bool new_covers = ho_covers(m, ho, c->ho[i]) && env_le(env, &c->env[i]);
        if (old_covers && new_covers) { /* equivalent: the larger set, for the trace */
            if (kept < 0 && hoc_set_size(ho) > hoc_set_size(c->ho[i]))
                choices_set(w, c, i, st, ho, bits, env);
            return 0;
        }
        if (old_covers) return 0;
        if (!new_covers) continue; /* incomparable */
        if (kept < 0) {
            choices_set(w, c, i, st, ho, bits, env);
            kept = i;
        } else { /* a second covered choice: drop it */
            c->count--;
            choices_set(w, c, i, c->states + (size_t)c->count * ssz, c->ho[c->count],
                        c->bits[c->count], &c->env[c->count]);
            i--;
        }
    }
    return kept >= 0 ? 0 : choices_push(w, c, st, ho, bits, env);
}

static bool halted_state(const Mc *m, const uint8_t *st)
{
    return st[m->a->halted_offset] != 0;
}

/* Every subset of `s`, in a fixed order: sub = (sub - s) & s from 0. */
#define FOR_SUBSETS(sub, s)                                                                        \
    for (hoc_set sub = 0, sub##_done = 0; !sub##_done;                                             \
         sub##_done = ((sub = (sub - (s)) & (s)) == 0))

/* Reads the clock every 4096 units of work of a timed worker: whether the
 * run halted. */
static bool halted_now(Worker *w, int64_t units)
{
    w->work += units;
    if (!w->timed || w->work < 4096) return false;
    w->work = 0;
    return run_tick(w->m);
}

/* The distinct next states of process q for every mailbox the adversary may
 * give it: `sure` senders are always heard, any subset of `maybe` may be. */
static int process_choices(Worker *w, int q, const uint8_t *st, int64_t r, hoc_set sure,
                           hoc_set maybe, hoc_set extra_ho)
{
    Mc *m = w->m;
    const hoc_algo *a = m->a;
    const hoc_round *rd = &a->rounds[r % a->nrounds];
    uint64_t oracles = a->noracles ? ((uint64_t)1 << a->noracles) : 1;
    FOR_SUBSETS(sub, maybe)
    {
        if (halted_now(w, (int64_t)oracles)) return SUCC_HALTED;
        hoc_set from = sure | sub;
        memset(w->msgs, 0, (size_t)HOC_MAXN * rd->msg_size);
        for (int32_t p = hoc_set_min(from); p >= 0; p = hoc_set_next(from, p))
            memcpy(w->msgs + (size_t)p * rd->msg_size,
                   w->box + ((size_t)p * HOC_MAXN + (size_t)q) * rd->msg_size, rd->msg_size);
        for (uint64_t bits = 0; bits < oracles; bits++) {
            memcpy(w->next, st, m->ssz);
            hoc_env env = {q, m->n, r, m->o->params, bits};
            memset(w->outputs, 0, a->outputs_size);
            rd->update(w->next, &env, from, w->msgs, w->outputs);
            /* a process that sent q nothing may be in q's heard-of set or
             * not: the largest set, or every one when an assumption is not
             * upward closed */
            hoc_set extras = m->every_ho ? extra_ho : 0;
            FOR_SUBSETS(extra, extras)
            {
                hoc_set ho = from | (m->every_ho ? extra : extra_ho);
                if (events_variants(w, q, r, ho, bits) < 0) return -1;
            }
        }
    }
    return 0;
}

/* Every live process that has not halted sends into w->box; returns the set
 * of those senders. */
static hoc_set send_all(Worker *w, uint8_t *k, hoc_set alive)
{
    Mc *m = w->m;
    int64_t r = *key_round(k); /* with a folded round, the phase position is what matters */
    const hoc_round *rd = &m->a->rounds[r % m->a->nrounds];
    memset(w->box, 0, (size_t)m->n * HOC_MAXN * rd->msg_size);
    hoc_set active = 0;
    for (int p = 0; p < m->n; p++) {
        w->to[p] = 0;
        if (!hoc_set_has(alive, p) || halted_state(m, key_proc(m, k, p))) continue;
        active |= hoc_set_one(p);
        hoc_env env = {p, m->n, r, m->o->params, 0};
        rd->send(key_proc(m, k, p), &env, &w->to[p], w->box + (size_t)p * HOC_MAXN * rd->msg_size);
    }
    return active;
}

/* The choices of every process that takes a step when crash_now crash this
 * round (movers, nm of them); -1 when out of memory. */
static int step_choices(Worker *w, uint8_t *k, hoc_set active, hoc_set after, hoc_set crash_now,
                        int *movers, int *nm)
{
    Mc *m = w->m;
    *nm = 0;
    for (int q = 0; q < m->n; q++) {
        w->ch[q].count = 0;
        if (!hoc_set_has(after, q) || halted_state(m, key_proc(m, k, q))) continue;
        hoc_set senders = 0;
        for (int p = 0; p < m->n; p++)
            if (hoc_set_has(active, p) && hoc_set_has(w->to[p], q)) senders |= hoc_set_one(p);
        hoc_set sure, maybe;
        if (m->o->faults == MC_BENIGN) {
            sure = senders & hoc_set_one(q); /* a process always hears itself */
            maybe = senders & ~sure;
        } else {
            sure = senders & ~crash_now;
            maybe = senders & crash_now;
        }
        /* the largest heard-of set with this mailbox also hears every silent live process */
        hoc_set silent = after & ~senders;
        int rc = process_choices(w, q, key_proc(m, k, q), *key_round(k), sure, maybe, silent);
        if (rc < 0) return rc;
        movers[(*nm)++] = q;
    }
    return 0;
}

/* Visits the product of the movers' choices, as an odometer. */
static int visit_product(Worker *w, uint8_t *k, hoc_set after, uint64_t crashed, const int *movers,
                         int nm, visit_fn visit, void *arg)
{
    Mc *m = w->m;
    int64_t r = *key_round(k);
    int digit[HOC_MAXN] = {0};
    for (;;) {
        uint8_t *s = w->tmp;
        memcpy(s, k, m->key);
        *key_round(s) = m->fold_round ? (r + 1) % m->a->nrounds : r + 1;
        *key_crashed(s) = crashed;
        for (int i = 0; i < m->n; i++)
            w->ho[i] = after, w->bits[i] = 0, w->env[i] = (EnvStep){0};
        for (int q = 0; q < m->n; q++) /* crashed[q] in specs and assumptions */
            if ((crashed >> q) & 1) key_proc(m, s, q)[m->a->crashed_offset] = 1;
        for (int i = 0; i < nm; i++) {
            int q = movers[i];
            memcpy(key_proc(m, s, q), w->ch[q].states + (size_t)digit[i] * m->ssz, m->ssz);
            w->ho[q] = w->ch[q].ho[digit[i]];
            w->bits[q] = w->ch[q].bits[digit[i]];
            w->env[q] = w->ch[q].env[digit[i]];
        }
        w->transitions++;
        if (halted_now(w, 1)) return SUCC_HALTED;
        /* the adversary never makes a choice an assumption rules out, nor
         * the environment one its budgets do */
        if ((!m->ev.tail || events_fit(m, k, s, w->env)) &&
            (!m->nassume || run_assumptions_hold(m, s, w->ho))) {
            int rc = visit(w, s, w->ho, arg);
            if (rc) return rc;
        }
        int i = 0;
        while (i < nm && ++digit[i] == w->ch[movers[i]].count)
            digit[i++] = 0;
        if (i == nm) return 0;
    }
}

int succ_each(Worker *w, const uint8_t *kin, visit_fn visit, void *arg)
{
    Mc *m = w->m;
    uint8_t *k = w->cur;
    memcpy(k, kin, m->key);
    uint64_t crashed = *key_crashed(k);
    hoc_set alive = hoc_set_all(m->n) & ~crashed;
    hoc_set active = send_all(w, k, alive);
    int budget = m->o->faults == MC_CRASH ? m->o->crash - hoc_set_size(crashed) : 0;
    hoc_set crashable = budget > 0 ? alive : 0;
    FOR_SUBSETS(crash_now, crashable)
    {
        if (hoc_set_size(crash_now) > budget) continue;
        hoc_set after = alive & ~crash_now;
        int movers[HOC_MAXN], nm;
        int rc = step_choices(w, k, active, after, crash_now, movers, &nm);
        if (rc < 0) return rc;
        /* nobody left to take a step: the execution is over */
        if (nm == 0 && crash_now == 0) continue;
        rc = visit_product(w, k, after, crashed | crash_now, movers, nm, visit, arg);
        if (rc) return rc;
    }
    return 0;
}

void succ_keep(const Worker *w, Step *s, const uint8_t *succ, const hoc_set *ho)
{
    memcpy(s->state, succ, w->m->key);
    memcpy(s->ho, ho, sizeof s->ho);
    memcpy(s->bits, w->bits, sizeof s->bits);
    memcpy(s->env, w->env, sizeof s->env);
}

int succ_worker_init(Worker *w, Mc *m)
{
    memset(w, 0, sizeof *w);
    w->m = m;
    const hoc_algo *a = m->a;
    w->box = calloc((size_t)m->n * HOC_MAXN, a->msg_size);
    w->msgs = calloc(HOC_MAXN, a->msg_size);
    w->outputs = calloc(1, a->outputs_size);
    w->cur = malloc(m->key);
    w->next = malloc(m->key > m->ssz * (size_t)m->n ? m->key : m->ssz * (size_t)m->n);
    w->tmp = malloc(m->key);
    w->rank_scratch = malloc(rank_scratch(&m->rank) * sizeof *w->rank_scratch);
    w->evbuf = malloc((EV_MAX + 2) * m->ssz); /* a sequence, its start and a probe */
    return w->box && w->msgs && w->outputs && w->cur && w->next && w->tmp && w->rank_scratch &&
                   w->evbuf
               ? 0
               : -1;
}

void succ_worker_free(Worker *w)
{
    free(w->box), free(w->msgs), free(w->outputs), free(w->cur), free(w->next), free(w->tmp);
    free(w->rank_scratch), free(w->evbuf);
    for (int i = 0; i < HOC_MAXN; i++)
        free(w->ch[i].states), free(w->ch[i].ho), free(w->ch[i].bits), free(w->ch[i].env);
}

/* How many values input f takes. */
static int input_domain(const Mc *m, const hoc_field *f)
{
    if (f->kind == HOC_K_BOOL) return 2;
    if (f->kind == HOC_K_PID) return m->n;
    if (f->kind == HOC_K_ENUM) return f->enum_count ? (int)f->enum_count : 1;
    return m->o->values;
}

/* The one start state of o->start, as a key. */
static int start_state(Mc *m, Worker *w, init_fn each, void *arg)
{
    uint8_t *k = w->tmp;
    memset(k, 0, m->key);
    *key_round(k) = m->fold_round ? m->o->start_round % m->a->nrounds : m->o->start_round;
    *key_crashed(k) = m->o->start_crashed;
    memcpy(key_proc(m, k, 0), m->o->start, (size_t)m->n * m->ssz);
    return each(m, w, k, arg);
}

int succ_initial(Mc *m, Worker *w, init_fn each, void *arg)
{
    if (m->o->start) return start_state(m, w, each, arg);
    const hoc_algo *a = m->a;
    int n = m->n, ni = a->ninputs;
    /* every input of every process takes every value of its domain: none is
     * left at 0, however many there are */
    int64_t *in = calloc((size_t)(n * ni) + 1, sizeof *in);
    int *dom = calloc((size_t)ni + 1, sizeof *dom),
        *digit = calloc((size_t)(n * ni) + 1, sizeof *digit);
    if (!in || !dom || !digit) abort();
    for (int i = 0; i < ni; i++)
        dom[i] = input_domain(m, &a->inputs[i]);
    int total = n * ni, rc = 0;
    uint8_t *k = w->tmp;
    for (;;) {
        memset(k, 0, m->key);
        for (int p = 0; p < n; p++) {
            for (int i = 0; i < ni; i++)
                in[p * ni + i] = digit[p * ni + i];
            hoc_env env = {p, n, 0, m->o->params, 0};
            a->init(key_proc(m, k, p), &env, in + p * ni);
        }
        rc = each(m, w, k, arg);
        if (rc) break;
        int d = 0;
        while (d < total && ++digit[d] == dom[d % (ni ? ni : 1)])
            digit[d++] = 0;
        if (d >= total) break;
    }
    free(in), free(dom), free(digit);
    return rc;
}
