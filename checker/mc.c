/* mc.c: breadth-first, stateful exploration of the heard-of adversary.
 *
 * A global state is (round, crashed set, every process's state) at a round
 * boundary. Successors are not generated per heard-of vector: a process's
 * update depends only on its own state and mailbox, so for each process we
 * compute the distinct next states over its possible mailboxes (and oracle
 * bits), and the successors are the product of those per-process choices.
 * States are deduplicated by 64-bit fingerprints; with no identity-dependent
 * behaviour, process states are sorted first (symmetry reduction). */
#include "mc.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>


#include "clock.h"
#include "domain.h"
#include "rank.h"
#include "rng.h"
#include "sim.h"
#include "trace.h"

#define CHUNK_STATES 65536

typedef struct Store {
    /* stored states in fixed chunks so that readers never see them move */
    uint8_t **chunks;
    int64_t nchunks, cap_chunks;
    int64_t count;
    size_t rec; /* bytes per record: parent index + key */
    /* fingerprint table: slot holds fp (0 = empty) */
    uint64_t *fps;
    uint64_t mask;
    int64_t used;
    pthread_mutex_t lock;
} Store;

/* Bytes of a process state that are not stored (an untracked ghost). */
typedef struct Span {
    size_t off, len;
} Span;

typedef struct Mc {
    const hoc_algo *a;
    const mc_opts *o;
    int n;
    size_t ssz; /* one process state */
    size_t key; /* bytes of a global state: round, crashed, n states */
    bool sym;
    bool fold_round; /* the round counter only matters modulo the phase */
    RankMap rank;    /* the phase abstraction, when rank.period > 0 */
    Span *forget;    /* the untracked ghosts, zeroed before a state is stored */
    int nforget;
    bool roots_initial; /* the store's roots are initial states (not a goal reached) */
    Store st;
    int64_t transitions;
    int64_t level_start, level_end;
    int64_t next_index; /* work distribution within a level */
    int64_t bad;        /* index of a violating (or goal) state, -1 */
    int bad_spec;
    int goal;  /* the goal of this segment of a punctuated search, or -1 */
    bool stop; /* a bound was hit; workers set it with halt() */
    const char *stop_why;
    double t0;
    int nassume;
    bool cti; /* the trace starts from an arbitrary state (--inductive) */
} Mc;

/* Stops the search from any worker; the first reason given is kept. */
static void halt(struct Mc *m, const char *why);
static bool halted_search(struct Mc *m);

/* ---- keys ---- */
static int64_t *key_round(uint8_t *k)
{
    return (int64_t *)k;
}
static uint64_t *key_crashed(uint8_t *k)
{
    return (uint64_t *)(k + 8);
}
static uint8_t *key_proc(const Mc *m, uint8_t *k, int p)
{
    return k + TRACE_PROCS + (size_t)p * m->ssz;
}

static uint64_t fingerprint(const uint8_t *k, size_t len)
{
    /* FNV-1a over 8-byte words, then a strong finaliser */
    uint64_t h = 0xcbf29ce484222325u;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, k + i, 8);
        h = (h ^ w) * 0x100000001b3u;
        h ^= h >> 29;
    }
    for (; i < len; i++)
        h = (h ^ k[i]) * 0x100000001b3u;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdu;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53u;
    h ^= h >> 33;
    return h ? h : 1;
}

/* Sorts process states (with their crashed bits): the canonical member of a
 * symmetry class. */
static void canonicalize(const Mc *m, uint8_t *k, uint8_t *tmp)
{
    int n = m->n;
    uint64_t crashed = *key_crashed(k), out = 0;
    int idx[HOC_MAXN];
    for (int i = 0; i < n; i++)
        idx[i] = i;
    for (int i = 1; i < n; i++) {
        int v = idx[i], j = i;
        for (; j > 0; j--) {
            int u = idx[j - 1];
            int cu = (int)((crashed >> u) & 1), cv = (int)((crashed >> v) & 1);
            int c = cu != cv ? cu - cv : memcmp(key_proc(m, k, u), key_proc(m, k, v), m->ssz);
            if (c <= 0) break;
            idx[j] = u;
        }
        idx[j] = v;
    }
    for (int i = 0; i < n; i++) {
        memcpy(tmp + (size_t)i * m->ssz, key_proc(m, k, idx[i]), m->ssz);
        if ((crashed >> idx[i]) & 1) out |= (uint64_t)1 << i;
    }
    memcpy(key_proc(m, k, 0), tmp, (size_t)n * m->ssz);
    *key_crashed(k) = out;
}

/* Stamps ranked, then processes sorted: the canonical member of the class
 * of states that behave alike up to renaming. */
static void order(const Mc *m, uint8_t *k, uint8_t *tmp, int64_t *scratch)
{
    rank_apply(&m->rank, key_round(k), key_proc(m, k, 0), scratch);
    if (m->sym) canonicalize(m, k, tmp);
}

/* The representative stored for a state: untracked ghosts zeroed first, so
 * that neither their stamps' ranks nor the sort order depend on them. */
static void canonical(const Mc *m, uint8_t *k, uint8_t *tmp, int64_t *scratch)
{
    for (int p = 0; p < m->n; p++)
        for (int i = 0; i < m->nforget; i++)
            memset(key_proc(m, k, p) + m->forget[i].off, 0, m->forget[i].len);
    order(m, k, tmp, scratch);
}

/* ---- the store ---- */
static uint8_t *rec_at(const Store *s, int64_t i)
{
    return s->chunks[i / CHUNK_STATES] + (size_t)(i % CHUNK_STATES) * s->rec;
}
static uint8_t *key_at(const Store *s, int64_t i)
{
    return rec_at(s, i) + 8;
}
static int64_t parent_at(const Store *s, int64_t i)
{
    int64_t p;
    memcpy(&p, rec_at(s, i), 8);
    return p;
}

static size_t store_bytes(const Store *s)
{
    return (size_t)s->nchunks * CHUNK_STATES * s->rec + (size_t)(s->mask + 1) * 8;
}

static int store_init(Store *s, size_t rec)
{
    memset(s, 0, sizeof *s);
    s->rec = rec;
    s->mask = (1u << 16) - 1;
    s->fps = calloc(s->mask + 1, 8);
    pthread_mutex_init(&s->lock, NULL);
    return s->fps ? 0 : -1;
}

static void store_free(Store *s)
{
    for (int64_t i = 0; i < s->nchunks; i++)
        free(s->chunks[i]);
    free(s->chunks);
    free(s->fps);
    pthread_mutex_destroy(&s->lock);
}

static int grow_table(Store *s)
{
    uint64_t nmask = s->mask * 2 + 1;
    uint64_t *nf = calloc(nmask + 1, 8);
    if (!nf) return -1;
    for (uint64_t i = 0; i <= s->mask; i++) {
        uint64_t fp = s->fps[i];
        if (!fp) continue;
        uint64_t j = fp & nmask;
        while (nf[j])
            j = (j + 1) & nmask;
        nf[j] = fp;
    }
    free(s->fps);
    s->fps = nf;
    s->mask = nmask;
    return 0;
}

/* Adds the state if its fingerprint is new; returns its index, -1 if it was
 * seen, -2 when out of memory or budget. */
static int64_t store_add(Mc *m, const uint8_t *key, int64_t parent)
{
    Store *s = &m->st;
    uint64_t fp = fingerprint(key, m->key);
    pthread_mutex_lock(&s->lock);
    uint64_t j = fp & s->mask;
    while (s->fps[j]) {
        if (s->fps[j] == fp) {
            pthread_mutex_unlock(&s->lock);
            return -1;
        }
        j = (j + 1) & s->mask;
    }
    int64_t idx = -2;
    if (m->o->mem_mb > 0 && store_bytes(s) > (size_t)m->o->mem_mb << 20) goto out;
    if (s->count % CHUNK_STATES == 0 && s->count / CHUNK_STATES == s->nchunks) {
        if (s->nchunks == s->cap_chunks) {
            int64_t cap = s->cap_chunks ? s->cap_chunks * 2 : 64;
            uint8_t **nc = realloc(s->chunks, (size_t)cap * sizeof *nc);
            if (!nc) goto out;
            s->chunks = nc, s->cap_chunks = cap;
        }
        uint8_t *c = malloc(CHUNK_STATES * s->rec);
        if (!c) goto out;
        s->chunks[s->nchunks++] = c;
    }
    s->fps[j] = fp;
    idx = s->count++;
    uint8_t *r = rec_at(s, idx);
    memcpy(r, &parent, 8);
    memcpy(r + 8, key, m->key);
    if ((uint64_t)++s->used * 2 > s->mask && grow_table(s) != 0) idx = -2;
out:
    pthread_mutex_unlock(&s->lock);
    return idx;
}

/* ---- successors ---- */

/* What one process may become this round: distinct next states, each with
 * the largest heard-of set that leads to it. */
typedef struct Choices {
    int count, cap;
    uint8_t *states; /* count x ssz */
    hoc_set *ho;
    uint64_t *bits; /* the oracle bits that led there */
} Choices;

typedef struct Worker {
    Mc *m;
    uint8_t *box; /* n senders x HOC_MAXN x msg_size */
    hoc_set to[HOC_MAXN];
    uint8_t *msgs, *outputs, *cur, *next, *tmp;
    Choices ch[HOC_MAXN];
    hoc_set ho[HOC_MAXN];
    uint64_t bits[HOC_MAXN];
    uint64_t rng;
    int64_t *rank_scratch;
    /* what the last enumeration produced, for trace reconstruction */
    int64_t transitions;
} Worker;

/* Whether two process states differ at most in untracked ghosts: then they
 * are stored alike, and one of them is enough as a successor. */
static bool same_tracked(const Mc *m, const uint8_t *x, const uint8_t *y)
{
    if (memcmp(x, y, m->ssz) == 0) return true;
    size_t from = 0; /* the spans are sorted */
    for (int i = 0; i < m->nforget; i++) {
        if (memcmp(x + from, y + from, m->forget[i].off - from) != 0) return false;
        from = m->forget[i].off + m->forget[i].len;
    }
    return m->nforget && memcmp(x + from, y + from, m->ssz - from) == 0;
}

static int choices_add(Worker *w, Choices *c, const uint8_t *st, hoc_set ho, uint64_t bits)
{
    size_t ssz = w->m->ssz;
    for (int i = 0; i < c->count; i++)
        if (same_tracked(w->m, c->states + (size_t)i * ssz, st)) {
            /* the largest heard-of set, with the oracle bits and state it gives */
            if (hoc_set_size(ho) > hoc_set_size(c->ho[i])) {
                c->ho[i] = ho, c->bits[i] = bits;
                memcpy(c->states + (size_t)i * ssz, st, ssz);
            }
            return 0;
        }
    if (c->count == c->cap) {
        int cap = c->cap ? c->cap * 2 : 8;
        uint8_t *ns = realloc(c->states, (size_t)cap * ssz);
        hoc_set *nh = realloc(c->ho, (size_t)cap * sizeof *nh);
        uint64_t *nb = realloc(c->bits, (size_t)cap * sizeof *nb);
        if (ns) c->states = ns;
        if (nh) c->ho = nh;
        if (nb) c->bits = nb;
        if (!ns || !nh || !nb) return -1;
        c->cap = cap;
    }
    memcpy(c->states + (size_t)c->count * ssz, st, ssz);
    c->bits[c->count] = bits;
    c->ho[c->count++] = ho;
    return 0;
}

static bool halted_state(const Mc *m, const uint8_t *st)
{
    return st[m->a->halted_offset] != 0;
}

/* Every subset of `s`, in a fixed order: sub = (sub - s) & s from 0. */
#define FOR_SUBSETS(sub, s)                                                                        \
    for (hoc_set sub = 0, sub##_done = 0; !sub##_done;                                             \
         sub##_done = ((sub = (sub - (s)) & (s)) == 0))

/* The distinct next states of process q for every mailbox the adversary may
 * give it: `sure` senders are always heard, any subset of `maybe` may be. */
static int process_choices(Worker *w, int q, const uint8_t *st, int64_t r, hoc_set sure,
                           hoc_set maybe, hoc_set extra_ho)
{
    Mc *m = w->m;
    const hoc_algo *a = m->a;
    const hoc_round *rd = &a->rounds[r % a->nrounds];
    Choices *c = &w->ch[q];
    uint64_t oracles = a->noracles ? ((uint64_t)1 << a->noracles) : 1;
    FOR_SUBSETS(sub, maybe)
    {
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
            if (choices_add(w, c, w->next, from | extra_ho, bits) < 0) return -1;
        }
    }
    return 0;
}

typedef int (*visit_fn)(Worker *w, uint8_t *succ, const hoc_set *ho, void *arg);

/* Enumerates the successors of state `k` (not canonicalized), calling visit
 * for each: the product of per-process choices, for each crash choice. */
static int successors(Worker *w, const uint8_t *kin, visit_fn visit, void *arg)
{
    Mc *m = w->m;
    const hoc_algo *a = m->a;
    int n = m->n;
    uint8_t *k = w->cur;
    memcpy(k, kin, m->key);
    int64_t r = *key_round(k);
    int64_t real_r = r; /* with a folded round, the phase position is what matters */
    const hoc_round *rd = &a->rounds[r % a->nrounds];
    uint64_t crashed = *key_crashed(k);
    hoc_set alive = hoc_set_all(n) & ~crashed;
    /* sends */
    memset(w->box, 0, (size_t)n * HOC_MAXN * rd->msg_size);
    hoc_set active = 0;
    for (int p = 0; p < n; p++) {
        w->to[p] = 0;
        if (!hoc_set_has(alive, p) || halted_state(m, key_proc(m, k, p))) continue;
        active |= hoc_set_one(p);
        hoc_env env = {p, n, real_r, m->o->params, 0};
        rd->send(key_proc(m, k, p), &env, &w->to[p], w->box + (size_t)p * HOC_MAXN * rd->msg_size);
    }
    int budget = m->o->faults == MC_CRASH ? m->o->crash - hoc_set_size(crashed) : 0;
    hoc_set crashable = budget > 0 ? alive : 0;
    int rc = 0;
    FOR_SUBSETS(crash_now, crashable)
    {
        if (hoc_set_size(crash_now) > budget) continue;
        hoc_set after = alive & ~crash_now;
        int movers[HOC_MAXN], nm = 0;
        for (int q = 0; q < n; q++) {
            w->ch[q].count = 0;
            if (!hoc_set_has(after, q) || halted_state(m, key_proc(m, k, q))) continue;
            hoc_set senders = 0;
            for (int p = 0; p < n; p++)
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
            if (process_choices(w, q, key_proc(m, k, q), real_r, sure, maybe, silent) < 0)
                return -1;
            movers[nm++] = q;
        }
        /* nobody left to take a step: the execution is over */
        if (nm == 0 && crash_now == 0) continue;
        /* the product of the per-process choices, as an odometer */
        int digit[HOC_MAXN] = {0};
        for (;;) {
            uint8_t *s = w->tmp;
            memcpy(s, k, m->key);
            *key_round(s) = m->fold_round ? (r + 1) % a->nrounds : r + 1;
            *key_crashed(s) = crashed | crash_now;
            for (int i = 0; i < n; i++)
                w->ho[i] = after, w->bits[i] = 0;
            for (int i = 0; i < nm; i++) {
                int q = movers[i];
                memcpy(key_proc(m, s, q), w->ch[q].states + (size_t)digit[i] * m->ssz, m->ssz);
                w->ho[q] = w->ch[q].ho[digit[i]];
                w->bits[q] = w->ch[q].bits[digit[i]];
            }
            w->transitions++;
            rc = visit(w, s, w->ho, arg);
            if (rc) return rc;
            int i = 0;
            while (i < nm && ++digit[i] == w->ch[movers[i]].count)
                digit[i++] = 0;
            if (i == nm) break;
        }
    }
    return 0;
}

/* ---- checking ---- */
static bool guides(const struct Mc *m, int i);
static bool assumptions_hold(const Mc *m, uint8_t *s, const hoc_set *ho)
{
    const hoc_algo *a = m->a;
    for (int i = 0; i < a->nspecs; i++) {
        const hoc_spec *sp = &a->specs[i];
        if (sp->kind == HOC_ASSUME && sp->rounds == 0 &&
            !sp->holds(key_proc(m, s, 0), m->o->params, ho))
            return false;
    }
    return true;
}

/* Is spec i a goal or a prune of this search? Those guide it; they are not checked. */
static bool guides(const Mc *m, int i)
{
    for (int g = 0; g < m->o->ngoals; g++)
        if (m->o->goals[g] == i) return true;
    return m->o->prune == i;
}

static bool skipped(const Mc *m, int i)
{
    return m->o->skip && m->o->skip[i];
}

/* The first invariant (or property, unless invariants_only) violated in s, or -1. */
static int first_violated(const Mc *m, uint8_t *s, bool invariants_only)
{
    const hoc_algo *a = m->a;
    for (int i = 0; i < a->nspecs; i++) {
        const hoc_spec *sp = &a->specs[i];
        bool checked = sp->kind == HOC_INVARIANT || (sp->kind == HOC_PROPERTY && !invariants_only);
        if (checked && !guides(m, i) && !skipped(m, i) &&
            !sp->holds(key_proc(m, s, 0), m->o->params, NULL))
            return i;
    }
    return -1;
}

static int violated(const Mc *m, uint8_t *s)
{
    return first_violated(m, s, false);
}

static bool holds(const Mc *m, int spec, uint8_t *s)
{
    return spec >= 0 && m->a->specs[spec].holds(key_proc(m, s, 0), m->o->params, NULL);
}

static void halt(Mc *m, const char *why)
{
    pthread_mutex_lock(&m->st.lock);
    if (!m->stop_why) m->stop_why = why;
    __atomic_store_n(&m->stop, true, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&m->st.lock);
}

static bool halted_search(Mc *m)
{
    return __atomic_load_n(&m->stop, __ATOMIC_ACQUIRE);
}

static void note_bad(Mc *m, int64_t idx, int spec)
{
    pthread_mutex_lock(&m->st.lock);
    /* the smallest index at the shallowest depth: deterministic for a given run */
    if (m->bad < 0 || idx < m->bad) m->bad = idx, m->bad_spec = spec;
    pthread_mutex_unlock(&m->st.lock);
}

/* Notes a newly stored state if it breaks a spec or reaches the goal. */
static void note_state(Mc *m, int64_t idx, uint8_t *k)
{
    int v = violated(m, k);
    if (v >= 0)
        note_bad(m, idx, v);
    else if (holds(m, m->goal, k))
        note_bad(m, idx, m->goal);
}

static int visit_store(Worker *w, uint8_t *succ, const hoc_set *ho, void *arg)
{
    Mc *m = w->m;
    int64_t parent = *(int64_t *)arg;
    if (m->nassume && !assumptions_hold(m, succ, ho)) return 0;
    canonical(m, succ, w->next, w->rank_scratch);
    int64_t idx = store_add(m, succ, parent);
    if (idx == -2) {
        halt(m, "memory budget");
        return 1;
    }
    if (idx >= 0) note_state(m, idx, succ);
    return 0;
}

static int worker_init(Worker *w, Mc *m)
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
    return w->box && w->msgs && w->outputs && w->cur && w->next && w->tmp && w->rank_scratch ? 0
                                                                                             : -1;
}

static void worker_free(Worker *w)
{
    free(w->box), free(w->msgs), free(w->outputs), free(w->cur), free(w->next), free(w->tmp);
    free(w->rank_scratch);
    for (int i = 0; i < HOC_MAXN; i++)
        free(w->ch[i].states), free(w->ch[i].ho), free(w->ch[i].bits);
}

static void *expand_level(void *arg)
{
    Worker *w = arg;
    Mc *m = w->m;
    uint8_t *k = malloc(m->key);
    if (!k) return NULL;
    for (;;) {
        int64_t i = __atomic_fetch_add(&m->next_index, 1, __ATOMIC_RELAXED);
        if (i >= m->level_end || halted_search(m)) break;
        memcpy(k, key_at(&m->st, i), m->key);
        if (holds(m, m->o->prune, k)) continue;
        if (successors(w, k, visit_store, &i) < 0) {
            halt(m, "out of memory");
            break;
        }
    }
    free(k);
    return NULL;
}

/* ---- initial states ---- */
static int input_domain(const Mc *m, const hoc_field *f)
{
    if (f->kind == HOC_K_BOOL) return 2;
    if (f->kind == HOC_K_PID) return m->n;
    if (f->kind == HOC_K_ENUM) return f->enum_count ? (int)f->enum_count : 1;
    return m->o->values;
}

typedef int (*init_fn)(Mc *m, Worker *w, uint8_t *k, void *arg);

/* Calls each on every initial state (as init made it, in w->tmp), in a
 * fixed order, until it returns nonzero; returns that, or 0. */
static int initial_states(Mc *m, Worker *w, init_fn each, void *arg)
{
    const hoc_algo *a = m->a;
    int n = m->n, ni = a->ninputs;
    int64_t in[HOC_MAXN * 8];
    if (ni > 8) ni = 8;
    int dom[8];
    for (int i = 0; i < ni; i++)
        dom[i] = input_domain(m, &a->inputs[i]);
    int digit[HOC_MAXN * 8] = {0};
    int total = n * ni;
    uint8_t *k = w->tmp;
    for (;;) {
        memset(k, 0, m->key);
        for (int p = 0; p < n; p++) {
            for (int i = 0; i < ni; i++)
                in[p * ni + i] = digit[p * ni + i];
            hoc_env env = {p, n, 0, m->o->params, 0};
            a->init(key_proc(m, k, p), &env, in + p * ni);
        }
        int rc = each(m, w, k, arg);
        if (rc) return rc;
        int d = 0;
        while (d < total && ++digit[d] == dom[d % (ni ? ni : 1)])
            digit[d++] = 0;
        if (d >= total) break;
    }
    return 0;
}

static int store_initial(Mc *m, Worker *w, uint8_t *k, void *arg)
{
    (void)arg;
    canonical(m, k, w->next, w->rank_scratch);
    int64_t idx = store_add(m, k, -1);
    if (idx == -2) return -1;
    if (idx >= 0) note_state(m, idx, k);
    return 0;
}

static int add_initial_states(Mc *m, Worker *w)
{
    return initial_states(m, w, store_initial, NULL);
}

/* Finds an initial state whose canonical form is arg[0] and writes it,
 * ordered but with its ghosts, to arg[1]. */
static int find_initial(Mc *m, Worker *w, uint8_t *k, void *arg)
{
    uint8_t **io = arg;
    memcpy(w->cur, k, m->key);
    canonical(m, w->cur, w->next, w->rank_scratch);
    if (memcmp(w->cur, io[0], m->key) != 0) return 0;
    memcpy(io[1], k, m->key);
    order(m, io[1], w->next, w->rank_scratch);
    return 1;
}

/* ---- traces ---- */
/* A successor looked for: one whose canonical form is target (or, for
 * --inductive, one that breaks invariant spec), and how it was reached. */
typedef struct Find {
    const uint8_t *target;
    uint8_t *found; /* the actual successor, not canonicalized */
    hoc_set ho[HOC_MAXN];
    uint64_t bits[HOC_MAXN];
    bool ok;
    int spec;
} Find;

static int visit_find(Worker *w, uint8_t *succ, const hoc_set *ho, void *arg)
{
    Find *f = arg;
    Mc *m = w->m;
    if (m->nassume && !assumptions_hold(m, succ, ho)) return 0;
    uint8_t *c = malloc(m->key);
    if (!c) return -1;
    memcpy(c, succ, m->key);
    canonical(m, c, w->next, w->rank_scratch);
    bool same = memcmp(c, f->target, m->key) == 0;
    free(c);
    if (!same) return 0;
    memcpy(f->found, succ, m->key);
    memcpy(f->ho, ho, sizeof f->ho);
    memcpy(f->bits, w->bits, sizeof f->bits);
    f->ok = true;
    return 1;
}

/* Prints a trace (states[0] initial, then one state per round with the
 * heard-of sets and oracle bits of that round) and writes it as JSON. */
static void print_trace(Mc *m, const uint8_t *states, const hoc_set *hos, const uint64_t *bits,
                        int64_t depth)
{
    TraceInfo t = {.a = m->a,
                   .n = m->n,
                   .key = m->key,
                   .params = m->o->params,
                   .source = m->o->source,
                   .violation = m->bad_spec >= 0 ? m->a->specs[m->bad_spec].name : "",
                   .skipped = m->o->skip,
                   .cti = m->cti};
    for (int i = 0, k = 0; i < m->a->nspecs && k < 8; i++)
        if (guides(m, i)) t.guides[k++] = m->a->specs[i].name;
    trace_print(m->o->out, &t, states, hos, bits, depth);
    if (m->o->trace_path) trace_write(m->o->trace_path, &t, states, hos, bits, depth);
}

/* One execution: states[0] initial, then a state per round, with the
 * heard-of sets and oracle bits of that round. */
typedef struct Path {
    uint8_t *states;
    hoc_set *hos;
    uint64_t *bits;
    int64_t depth;
} Path;

static void path_free(Path *p)
{
    free(p->states), free(p->hos), free(p->bits);
    memset(p, 0, sizeof *p);
}

static int path_alloc(Path *p, const Mc *m, int64_t depth)
{
    p->depth = depth;
    p->states = malloc(m->key * (size_t)(depth + 1));
    p->hos = calloc(HOC_MAXN * (size_t)(depth + 1), sizeof *p->hos);
    p->bits = calloc(HOC_MAXN * (size_t)(depth + 1), sizeof *p->bits);
    return p->states && p->hos && p->bits ? 0 : -1;
}

/* Appends seg (which starts where dst ends) to dst. */
static int path_append(Path *dst, const Path *seg, const Mc *m)
{
    if (!dst->states) {
        if (path_alloc(dst, m, seg->depth) != 0) return -1;
        memcpy(dst->states, seg->states, m->key * (size_t)(seg->depth + 1));
        memcpy(dst->hos, seg->hos, sizeof *dst->hos * HOC_MAXN * (size_t)(seg->depth + 1));
        memcpy(dst->bits, seg->bits, sizeof *dst->bits * HOC_MAXN * (size_t)(seg->depth + 1));
        return 0;
    }
    Path p;
    if (path_alloc(&p, m, dst->depth + seg->depth) != 0) {
        path_free(&p);
        return -1;
    }
    size_t d0 = (size_t)dst->depth + 1, d1 = (size_t)seg->depth;
    memcpy(p.states, dst->states, m->key * d0);
    memcpy(p.states + m->key * d0, seg->states + m->key, m->key * d1);
    memcpy(p.hos, dst->hos, sizeof *p.hos * HOC_MAXN * d0);
    memcpy(p.hos + HOC_MAXN * d0, seg->hos + HOC_MAXN, sizeof *p.hos * HOC_MAXN * d1);
    memcpy(p.bits, dst->bits, sizeof *p.bits * HOC_MAXN * d0);
    memcpy(p.bits + HOC_MAXN * d0, seg->bits + HOC_MAXN, sizeof *p.bits * HOC_MAXN * d1);
    path_free(dst);
    *dst = p;
    return 0;
}

/* Rebuilds the path to state `idx` from the store: each step re-enumerates
 * the parent's successors to find the stored child, keeping the actual (not
 * canonical) states so the trace is one real execution. */
static int rebuild_path(Mc *m, Worker *w, int64_t idx, Path *out)
{
    int64_t depth = 0;
    for (int64_t i = idx; parent_at(&m->st, i) >= 0; i = parent_at(&m->st, i))
        depth++;
    int64_t *path = malloc(sizeof *path * (size_t)(depth + 1));
    if (!path || path_alloc(out, m, depth) != 0) {
        free(path);
        path_free(out);
        return -1;
    }
    for (int64_t i = idx, d = depth; d >= 0; i = parent_at(&m->st, i), d--)
        path[d] = i;
    /* a stored root lacks its untracked ghosts: start from the real initial state */
    uint8_t *io[2] = {key_at(&m->st, path[0]), out->states};
    bool ok = true;
    if (m->nforget && m->roots_initial)
        ok = initial_states(m, w, find_initial, io) == 1;
    else
        memcpy(out->states, io[0], m->key);
    int64_t d = 1;
    for (; ok && d <= depth; d++) {
        Find fd = {.target = key_at(&m->st, path[d]), .found = out->states + m->key * (size_t)d};
        successors(w, out->states + m->key * (size_t)(d - 1), visit_find, &fd);
        memcpy(out->hos + HOC_MAXN * (size_t)d, fd.ho, sizeof fd.ho);
        memcpy(out->bits + HOC_MAXN * (size_t)d, fd.bits, sizeof fd.bits);
        ok = fd.ok;
    }
    free(path);
    if (ok) return 0;
    if (d == 1)
        fprintf(m->o->out, "hoc check: internal error: the trace has no initial state\n");
    else
        fprintf(m->o->out,
                "hoc check: internal error: the trace cannot be rebuilt at round %" PRId64 "\n",
                d - 2);
    path_free(out);
    return -1;
}

/* ---- random walks, for depths beyond exhaustive reach ---- */
typedef struct Pick {
    uint64_t *rng;
    int64_t seen;
    uint8_t *chosen;
    hoc_set ho[HOC_MAXN];
    uint64_t bits[HOC_MAXN];
} Pick;

/* Reservoir sampling: every successor is equally likely to be kept. */
static int visit_pick(Worker *w, uint8_t *succ, const hoc_set *ho, void *arg)
{
    Pick *pk = arg;
    Mc *m = w->m;
    if (m->nassume && !assumptions_hold(m, succ, ho)) return 0;
    if (hoc_rng_next(pk->rng) % (uint64_t)++pk->seen == 0) {
        memcpy(pk->chosen, succ, m->key);
        memcpy(pk->ho, ho, sizeof pk->ho);
        memcpy(pk->bits, w->bits, sizeof pk->bits);
    }
    return 0;
}

/* Random walks from random initial states; returns 1 after printing a
 * violation, 0 when none was found, -1 on error. */
static int random_walks(Mc *m, Worker *w, int64_t *steps_out)
{
    int64_t depth = m->o->depth;
    uint64_t rng = m->o->seed;
    uint8_t *states = malloc(m->key * (size_t)(depth + 1));
    hoc_set *hos = calloc(HOC_MAXN * (size_t)(depth + 1), sizeof *hos);
    uint64_t *bits = calloc(HOC_MAXN * (size_t)(depth + 1), sizeof *bits);
    int rc = -1;
    if (!states || !hos || !bits) goto out;
    rc = 0;
    *steps_out = 0;
    int64_t ninit = m->st.count;
    for (int64_t walk = 0; walk < m->o->walks && rc == 0; walk++) {
        memcpy(states, key_at(&m->st, (int64_t)(hoc_rng_next(&rng) % (uint64_t)ninit)), m->key);
        for (int64_t d = 1; d <= depth; d++) {
            Pick pk = {.rng = &rng, .chosen = states + m->key * (size_t)d};
            if (successors(w, states + m->key * (size_t)(d - 1), visit_pick, &pk) < 0) {
                rc = -1;
                break;
            }
            if (!pk.seen) break; /* everybody halted or crashed */
            (*steps_out)++;
            memcpy(hos + HOC_MAXN * (size_t)d, pk.ho, sizeof pk.ho);
            memcpy(bits + HOC_MAXN * (size_t)d, pk.bits, sizeof pk.bits);
            int v = violated(m, states + m->key * (size_t)d);
            if (v >= 0) {
                m->bad_spec = v;
                fprintf(m->o->out,
                        "VIOLATED: %s %s in round %" PRId64 " of random walk %" PRId64
                        " (seed %" PRIu64 "):\n",
                        hoc_spec_kind_name(m->a->specs[v].kind), m->a->specs[v].name, d - 1, walk,
                        m->o->seed);
                print_trace(m, states, hos, bits, d);
                rc = 1;
                break;
            }
        }
    }
out:
    free(states), free(hos), free(bits);
    return rc;
}

/* ---- counterexamples to induction (--inductive) ---- */
static int visit_cti(Worker *w, uint8_t *succ, const hoc_set *ho, void *arg)
{
    Find *c = arg;
    Mc *m = w->m;
    if (m->nassume && !assumptions_hold(m, succ, ho)) return 0;
    c->spec = first_violated(m, succ, true);
    if (c->spec < 0) return 0;
    memcpy(c->found, succ, m->key);
    memcpy(c->ho, ho, sizeof c->ho);
    memcpy(c->bits, w->bits, sizeof c->bits);
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
    Find c = {.found = malloc(m->key)};
    uint8_t *k = malloc(m->key);
    int idx[HOC_MAXN] = {0};
    rc = c.found && k && path_alloc(out, m, 1) == 0 ? 0 : -1;
    for (int64_t pos = 0; rc == 0 && pos < (int64_t)a->nrounds * phases; pos++) {
        memset(idx, 0, sizeof idx);
        for (;;) {
            memset(k, 0, m->key);
            *key_round(k) = pos;
            for (int p = 0; p < n; p++)
                memcpy(key_proc(m, k, p), d.states + (size_t)idx[p] * a->state_size, m->ssz);
            if (stamps_fit(m, k) && first_violated(m, k, true) < 0) {
                ++*checked;
                int s = successors(w, k, visit_cti, &c);
                if (s != 0) {
                    rc = s < 0 ? -1 : 1;
                    break;
                }
                if ((*checked & 4095) == 0 && m->o->time_limit > 0 &&
                    hoc_now_s() - m->t0 > m->o->time_limit) {
                    m->stop_why = "time limit";
                    rc = 3;
                    break;
                }
            }
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
        memcpy(out->states + m->key, c.found, m->key);
        memcpy(out->hos + HOC_MAXN, c.ho, sizeof c.ho);
        memcpy(out->bits + HOC_MAXN, c.bits, sizeof c.bits);
    }
    free(c.found), free(k);
    dom_free(&d);
    return rc;
}

static void progress(Mc *m, int64_t depth)
{
    double t = hoc_now_s() - m->t0;
    fprintf(stderr, "\rdepth %" PRId64 ", states %" PRId64 ", %.0f states/s, %.1f MB   ", depth,
            m->st.count, t > 0 ? (double)m->st.count / t : 0.0,
            (double)store_bytes(&m->st) / 1048576.0);
}

/* Breadth-first search from the states in the store; stops at a violation
 * or this segment's goal (m->bad), a bound (m->stop), or exhaustion. */
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
        if (m->o->time_limit > 0 && hoc_now_s() - m->t0 > m->o->time_limit && m->bad < 0) {
            m->stop = true;
            m->stop_why = "time limit";
        }
    }
    return false;
}

static int cmp_span(const void *x, const void *y)
{
    size_t a = ((const Span *)x)->off, b = ((const Span *)y)->off;
    return (a > b) - (a < b);
}

/* The spans of the untracked ghosts, by offset; -1 when out of memory. */
static int forget_init(Mc *m)
{
    const hoc_algo *a = m->a;
    m->forget = malloc(((size_t)a->nfields + 1) * sizeof *m->forget);
    if (!m->forget) return -1;
    for (int i = 0; m->o->untracked && i < a->nfields; i++) {
        const hoc_field *f = &a->fields[i];
        if (m->o->untracked[i] && f->ghost)
            m->forget[m->nforget++] = (Span){f->offset, f->count * hoc_kind_size(f->kind)};
    }
    qsort(m->forget, (size_t)m->nforget, sizeof *m->forget, cmp_span);
    return 0;
}

/* The specs skipped and, if states are stored, the ghosts left out: a line
 * of the summary, or nothing when nothing is skipped. */
static void print_skips(const Mc *m, FILE *f, bool stored)
{
    const hoc_algo *a = m->a;
    int k = 0, ghosts = 0;
    for (int i = 0; i < a->nspecs; i++)
        if (skipped(m, i)) fprintf(f, "%s%s", k++ ? ", " : "  skipped: ", a->specs[i].name);
    if (!k) return;
    for (int i = 0; i < a->nfields; i++)
        ghosts += a->fields[i].ghost;
    if (stored && m->nforget) {
        fprintf(f, "; ghost%s", m->nforget > 1 ? "s" : "");
        for (int i = 0, j = 0; i < a->nfields; i++)
            if (m->o->untracked && m->o->untracked[i] && a->fields[i].ghost)
                fprintf(f, "%s %s", j++ ? "," : "", a->fields[i].name);
        fprintf(f, " not tracked (traces still show %s)",
                m->nforget > 1 ? "their values" : "its values");
    } else if (stored && ghosts) {
        fputs("; every ghost still tracked", f);
    }
    fputc('\n', f);
}

/* The end of the JSON summary: what was skipped and left out, if anything. */
static void json_skips(const Mc *m, FILE *f)
{
    const hoc_algo *a = m->a;
    if (m->o->skip) {
        fputs(", \"skipped\": [", f);
        for (int i = 0, k = 0; i < a->nspecs; i++)
            if (skipped(m, i)) fprintf(f, "%s\"%s\"", k++ ? ", " : "", a->specs[i].name);
        fputs("], \"untracked\": [", f);
        for (int i = 0, k = 0; m->o->untracked && i < a->nfields; i++)
            if (m->o->untracked[i] && a->fields[i].ghost)
                fprintf(f, "%s\"%s\"", k++ ? ", " : "", a->fields[i].name);
        fputc(']', f);
    }
    fputs("}\n", f);
}

/* hoc check --inductive: the search, its report, and its exit status. */
static int check_induction(Mc *m, Worker *w, Path *path)
{
    FILE *f = m->o->out;
    const hoc_algo *a = m->a;
    int64_t checked = 0;
    m->cti = true;
    int r = inductive(m, w, &checked, path);
    double secs = hoc_now_s() - m->t0;
    if (r == 1) {
        fprintf(f,
                "VIOLATED: invariant %s is not inductive: one round from a state satisfying "
                "every invariant breaks it\n",
                a->specs[m->bad_spec].name);
        print_trace(m, path->states, path->hos, path->bits, 1);
    }
    fprintf(f,
            "%s: n=%d, counterexamples to induction among states with values from %d: %" PRId64
            " states satisfy the invariants, %.3f s; symmetry reduction %s\n",
            a->name, m->n, m->o->values, checked, secs, m->sym ? "applied" : "not applied");
    print_skips(m, f, false);
    if (r == 0)
        fprintf(f, "ok: no counterexample to induction in this domain (a bounded check; hoc "
                   "verify proves)\n");
    else if (r == 3)
        fprintf(f, "bound: stopped by the %s\n", m->stop_why ? m->stop_why : "bound");
    else if (r < 0)
        fprintf(stderr, "hoc check: out of memory\n");
    return r == 1 ? 1 : r == 0 ? 0 : r == 3 ? 3 : 2;
}

int mc_run(const hoc_algo *a, const mc_opts *o)
{
    FILE *f = o->out ? o->out : stdout;
    Mc m = {.a = a,
            .o = o,
            .n = o->n,
            .ssz = a->state_size,
            .bad = -1,
            .bad_spec = -1,
            .roots_initial = true};
    if (o->n < 1 || o->n > a->maxn || o->n > HOC_MAXN) {
        fprintf(stderr, "hoc check: n must be between 1 and %d\n", a->maxn);
        return 2;
    }
    m.key = TRACE_PROCS + (size_t)o->n * a->state_size;
    m.sym = o->symmetry && !a->uses_id;
    m.fold_round = !a->uses_round;
    if (rank_init(&m.rank, a, o->n, o->params, o->abstraction) != 0 || forget_init(&m) != 0) {
        rank_free(&m.rank);
        fprintf(stderr, "hoc check: out of memory\n");
        return 2;
    }
    m.goal = o->ngoals > 0 ? o->goals[0] : -1;
    for (int i = 0; i < a->nspecs; i++)
        if (a->specs[i].kind == HOC_ASSUME && a->specs[i].rounds == 0) m.nassume++;
    int threads = o->threads > 0 ? o->threads : 1;
    if (threads > 16) threads = 16;
    Worker *ws = calloc((size_t)threads, sizeof *ws);
    Path prefix = {0}, seg = {0};
    uint8_t *start = malloc(m.key);
    if (!ws || !start || store_init(&m.st, 8 + m.key) != 0) {
        free(ws), free(start), free(m.forget);
        rank_free(&m.rank);
        fprintf(stderr, "hoc check: out of memory\n");
        return 2;
    }
    int rc = 2;
    for (int t = 0; t < threads; t++)
        if (worker_init(&ws[t], &m) != 0) goto done;
    m.t0 = hoc_now_s();
    if (o->inductive) {
        rc = check_induction(&m, &ws[0], &prefix);
        goto done;
    }
    if (add_initial_states(&m, &ws[0]) != 0) {
        m.stop = true;
        m.stop_why = "memory budget";
    }
    int64_t depth = 0, initial = m.st.count, states = 0;
    if (o->walks > 0 && m.bad < 0 && !m.stop) {
        int64_t steps = 0;
        int w = random_walks(&m, &ws[0], &steps);
        double secs = hoc_now_s() - m.t0;
        fprintf(f,
                "%s: n=%d, %" PRId64 " random walks of up to %" PRId64 " rounds, seed %" PRIu64
                ": %" PRId64 " steps in %.3f s\n",
                a->name, o->n, o->walks, o->depth, o->seed, steps, secs);
        print_skips(&m, f, false);
        if (w == 0) fprintf(f, "bound: no violation found on these walks (not exhaustive)\n");
        rc = w == 1 ? 1 : w == 0 ? 3 : 2;
        goto done;
    }
    bool exhausted = false;
    int segment = 0;
    for (;;) {
        int64_t seg_depth = 0;
        exhausted = bfs(&m, ws, threads, &seg_depth);
        depth += seg_depth;
        bool at_goal = m.bad >= 0 && m.bad_spec == m.goal && m.goal >= 0;
        if (m.bad >= 0 &&
            (rebuild_path(&m, &ws[0], m.bad, &seg) != 0 || path_append(&prefix, &seg, &m) != 0)) {
            fprintf(stderr, "hoc check: out of memory\n");
            goto done;
        }
        path_free(&seg);
        if (!at_goal || segment + 1 >= o->ngoals) break;
        /* punctuated search: start again from the goal state, for the next goal */
        fprintf(f, "goal %s reached after %" PRId64 " rounds; searching on for %s\n",
                a->specs[m.goal].name, depth, a->specs[o->goals[segment + 1]].name);
        memcpy(start, prefix.states + m.key * (size_t)prefix.depth, m.key);
        states += m.st.count;
        store_free(&m.st);
        if (store_init(&m.st, 8 + m.key) != 0) goto done;
        m.goal = o->goals[++segment];
        m.roots_initial = false;
        m.bad = -1, m.bad_spec = -1;
        store_add(&m, start, -1);
        if (holds(&m, m.goal, start)) m.bad = 0, m.bad_spec = m.goal;
    }
    states += m.st.count;
    double secs = hoc_now_s() - m.t0;
    if (o->progress) fputc('\n', stderr);
    for (int t = 0; t < threads; t++)
        m.transitions += ws[t].transitions;
    bool goal = m.bad >= 0 && m.bad_spec == m.goal && m.goal >= 0;
    const char *verdict = goal ? "goal" : m.bad >= 0 ? "violated" : exhausted ? "ok" : "bound";
    if (m.bad >= 0) {
        fprintf(
            f, "%s: %s %s %s in %" PRId64 " round%s; shortest trace:\n", goal ? "GOAL" : "VIOLATED",
            goal ? "goal" : hoc_spec_kind_name(a->specs[m.bad_spec].kind),
            a->specs[m.bad_spec].name, goal ? "reached" : "violated", depth, depth == 1 ? "" : "s");
        print_trace(&m, prefix.states, prefix.hos, prefix.bits, prefix.depth);
    }
    fprintf(f, "%s: n=%d", a->name, o->n);
    for (int i = 1; i < a->nparams; i++)
        fprintf(f, " %s=%" PRId64, a->params[i], o->params[i]);
    fprintf(f, ", %s faults",
            o->faults == MC_BENIGN  ? "benign (any message loss)"
            : o->faults == MC_CRASH ? "crash"
                                    : "no");
    if (o->faults == MC_CRASH) fprintf(f, " (up to %d)", o->crash);
    fprintf(f, ", inputs from %d values\n", o->values);
    fprintf(f,
            "  states %" PRId64 " (%" PRId64 " initial), transitions %" PRId64 ", depth %" PRId64
            ", %.3f s, %.0f states/s\n",
            states, initial, m.transitions, depth, secs, secs > 0 ? (double)states / secs : 0.0);
    fprintf(
        f,
        "  %zu bytes per stored state, %.1f MB in all; symmetry reduction %s; round counter %s\n",
        m.st.rec + 16, (double)store_bytes(&m.st) / 1048576.0,
        m.sym ? "applied"
              : (a->uses_id ? "not applied (the algorithm depends on process ids)" : "off"),
        m.fold_round        ? "folded into the phase position"
        : m.rank.period > 0 ? "abstracted (stamps ranked, phase kept modulo its period)"
        : !o->abstraction   ? "kept (--no-abstraction)"
                            : "kept (the algorithm reads it as a number)");
    if (m.nassume)
        fprintf(f, "  %d per-round assumption%s enforced on the largest heard-of sets\n", m.nassume,
                m.nassume == 1 ? "" : "s");
    print_skips(&m, f, true);
    if (m.bad >= 0)
        rc = goal ? 0 : 1;
    else if (exhausted && o->ngoals) {
        fprintf(f, "not found: the reachable space is exhausted without reaching goal %s\n",
                a->specs[m.goal].name);
        rc = 1;
    } else if (exhausted) {
        fprintf(f, "ok: the reachable space is exhausted; every invariant and property %s\n",
                o->skip ? "not skipped holds" : "holds");
        rc = 0;
    } else {
        fprintf(f, "bound: stopped by the %s with no violation found (not exhausted)\n",
                m.stop_why ? m.stop_why : "bound");
        rc = 3;
    }
    if (o->json)
        fprintf(f,
                "{\"verdict\": \"%s\", \"states\": %" PRId64 ", \"transitions\": %" PRId64
                ", \"depth\": %" PRId64 ", \"seconds\": %.6f, \"exhausted\": %s, \"symmetry\": %s, "
                "\"abstraction\": %s, "
                "\"bytes_per_state\": %zu%s%s%s",
                verdict, states, m.transitions, depth, secs, exhausted ? "true" : "false",
                m.sym ? "true" : "false", m.rank.period > 0 ? "true" : "false", m.st.rec + 16,
                m.bad >= 0 ? ", \"spec\": \"" : "", m.bad >= 0 ? a->specs[m.bad_spec].name : "",
                m.bad >= 0 ? "\"" : "");
    if (o->json) json_skips(&m, f);
done:
    for (int t = 0; t < threads; t++)
        worker_free(&ws[t]);
    free(ws);
    free(start), free(m.forget);
    rank_free(&m.rank);
    path_free(&prefix);
    path_free(&seg);
    store_free(&m.st);
    return rc;
}
