/* lin_search.c: Wing-Gong-Lowe search over one partition (see lin_search.h).
 *
 * The partition's calls and returns sit in one list by time. Walking it from
 * the front, a call may be linearized next if no return precedes it in the
 * list (every op still unlinearized that has returned must come after it);
 * linearizing lifts the op's call and return out of the list. Reaching a
 * return means that op had to be linearized already: undo the last choice
 * and try the next call after it. A choice that leads to a (set, state) pair
 * seen before is skipped: what can follow depends on nothing else.
 *
 * A pending op has no return in the list, so nothing forces it: it may go
 * wherever its call allows, or never. The search succeeds once every op that
 * returned is linearized. Like every call, a pending one is tried as early
 * as it may go. (Trying pending ops last instead, only when stuck, was
 * measured worse: stuck for another reason, the search then tries every
 * subset of the pending ops before it backtracks.) */
#include "lin_search.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"

#define MEMO_CHUNK (1u << 20)
#define CHECK_EVERY 1024

typedef struct entry {
    uint32_t op; /* index in the partition */
    int is_call;
    struct entry *match; /* a call's return (NULL: pending), a return's call */
    struct entry *prev, *next;
} entry;

/* The (set, state) pairs seen: records [bitset words | state] in chunks
 * that never move, found through an open-addressing table. */
typedef struct memo {
    size_t words, state, rec; /* record = words * 8 + state bytes */
    uint8_t **chunks;
    size_t nchunks, used; /* bytes used in the last chunk */
    uint64_t *hashes;
    uint8_t **recs;
    size_t n, mask, bytes;
} memo;

typedef struct search {
    lin_machine *mc;
    const lin_part *p;
    entry *ents, head;
    uint64_t *zobrist;
    memo memo;
    uint64_t *bits, bits_hash;
    uint8_t *scratch, *start;
    const uint8_t *cur;
    entry **stack_e;
    const uint8_t **stack_s;
    size_t sp;
    uint32_t *best; /* the longest prefix: partition indices */
    size_t best_len, agree;
    size_t remaining; /* ops that returned and are not linearized */
} search;

static uint64_t mix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdu;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53u;
    return h ^ (h >> 33);
}

static void memo_init(memo *m, size_t words, size_t state)
{
    memset(m, 0, sizeof *m);
    m->words = words, m->state = state;
    m->rec = (words * 8 + state + 7) & ~(size_t)7;
    m->mask = 1023;
    m->hashes = lin_history_calloc(m->mask + 1, sizeof *m->hashes);
    m->recs = lin_history_calloc(m->mask + 1, sizeof *m->recs);
    m->used = MEMO_CHUNK;
}

static void memo_free(memo *m)
{
    for (size_t i = 0; i < m->nchunks; i++)
        free(m->chunks[i]);
    free(m->chunks), free(m->hashes), free(m->recs);
}

static void memo_grow(memo *m)
{
    size_t size = 2 * (m->mask + 1);
    uint64_t *hashes = lin_history_calloc(size, sizeof *hashes);
    uint8_t **recs = lin_history_calloc(size, sizeof *recs);
    for (size_t i = 0; i <= m->mask; i++) {
        if (!m->recs[i]) continue;
        size_t j = m->hashes[i] & (size - 1);
        while (recs[j])
            j = (j + 1) & (size - 1);
        hashes[j] = m->hashes[i], recs[j] = m->recs[i];
    }
    free(m->hashes), free(m->recs);
    m->hashes = hashes, m->recs = recs, m->mask = size - 1;
    m->bytes += size / 2 * (sizeof *hashes + sizeof *recs);
}

/* The state of a new record for (bits, state), or NULL if seen before. */
static const uint8_t *memo_add(memo *m, const uint64_t *bits, const uint8_t *state, uint64_t h)
{
    size_t i = h & m->mask;
    for (; m->recs[i]; i = (i + 1) & m->mask)
        if (m->hashes[i] == h && memcmp(m->recs[i], bits, m->words * 8) == 0 &&
            memcmp(m->recs[i] + m->words * 8, state, m->state) == 0)
            return NULL;
    size_t chunk = m->rec > MEMO_CHUNK ? m->rec : MEMO_CHUNK;
    if (m->used + m->rec > chunk) {
        m->chunks = lin_history_realloc(m->chunks, (m->nchunks + 1) * sizeof *m->chunks);
        m->chunks[m->nchunks++] = lin_history_realloc(NULL, chunk);
        m->used = 0;
        m->bytes += chunk;
    }
    uint8_t *r = m->chunks[m->nchunks - 1] + m->used;
    m->used += m->rec;
    memcpy(r, bits, m->words * 8);
    memcpy(r + m->words * 8, state, m->state);
    m->hashes[i] = h, m->recs[i] = r;
    if (2 * ++m->n > m->mask) memo_grow(m);
    return r + m->words * 8;
}

typedef struct event {
    int64_t t;
    int is_ret;
    uint32_t op;
} event;

static int by_time(const void *a, const void *b)
{
    const event *x = a, *y = b;
    if (x->t != y->t) return x->t < y->t ? -1 : 1;
    /* at one time, calls first: equal times count as overlapping, which
     * can only make more histories linearizable, never fewer */
    if (x->is_ret != y->is_ret) return x->is_ret - y->is_ret;
    return (x->op > y->op) - (x->op < y->op);
}

/* Links the partition's calls and returns behind s->head by time. */
static void build_list(search *s)
{
    const lin_part *p = s->p;
    const lin_history *h = s->mc->h;
    event *ev = lin_history_realloc(NULL, 2 * p->nops * sizeof *ev);
    size_t n = 0;
    for (uint32_t i = 0; i < p->nops; i++) {
        const lin_op *op = &h->ops[p->ops[i]];
        ev[n++] = (event){op->call, 0, i};
        if (op->ret != LIN_PENDING) ev[n++] = (event){op->ret, 1, i};
    }
    qsort(ev, n, sizeof *ev, by_time);
    s->ents = lin_history_realloc(NULL, 2 * p->nops * sizeof *s->ents);
    entry **call_of = lin_history_realloc(NULL, p->nops * sizeof *call_of);
    entry *prev = &s->head;
    s->head = (entry){0};
    for (size_t k = 0; k < n; k++) {
        entry *e = &s->ents[k];
        *e = (entry){ev[k].op, !ev[k].is_ret, NULL, prev, NULL};
        prev->next = e;
        prev = e;
        if (e->is_call) {
            call_of[e->op] = e;
        } else {
            e->match = call_of[e->op];
            call_of[e->op]->match = e;
        }
    }
    free(call_of);
    free(ev);
}

static void lift(entry *e)
{
    e->prev->next = e->next;
    if (e->next) e->next->prev = e->prev;
    entry *r = e->match;
    if (r) {
        r->prev->next = r->next;
        if (r->next) r->next->prev = r->prev;
    }
}

static void unlift(entry *e)
{
    entry *r = e->match;
    if (r) {
        r->prev->next = r;
        if (r->next) r->next->prev = r;
    }
    e->prev->next = e;
    if (e->next) e->next->prev = e;
}

static void flip(search *s, uint32_t op)
{
    s->bits[op / 64] ^= (uint64_t)1 << (op % 64);
    s->bits_hash ^= s->zobrist[op];
}

/* Keeps s->best the longest prefix the stack has held. */
static void note_push(search *s)
{
    size_t d = s->sp - 1;
    uint32_t op = s->stack_e[d]->op;
    if (s->agree == d && d < s->best_len && s->best[d] == op) s->agree = d + 1;
    if (s->sp > s->best_len) {
        for (size_t i = s->agree; i < s->sp; i++)
            s->best[i] = s->stack_e[i]->op;
        s->best_len = s->agree = s->sp;
    }
}

/* Linearizes the op of call e next if its output matches and the pair it
 * leads to is new. */
static int try_call(search *s, entry *e)
{
    uint32_t hop = s->p->ops[e->op];
    memcpy(s->scratch, s->cur, s->memo.state);
    if (!lin_machine_apply(s->mc, hop, s->scratch)) return 0;
    flip(s, e->op);
    uint64_t h = mix(s->bits_hash ^ lin_history_hash(s->scratch, s->memo.state));
    const uint8_t *next = memo_add(&s->memo, s->bits, s->scratch, h);
    if (!next) {
        flip(s, e->op);
        return 0;
    }
    s->stack_e[s->sp] = e, s->stack_s[s->sp] = s->cur;
    s->sp++;
    note_push(s);
    s->cur = next;
    s->remaining -= e->match != NULL;
    lift(e);
    return 1;
}

/* Undoes the last choice; returns the call to go on after, NULL if none. */
static entry *backtrack(search *s)
{
    if (s->sp == 0) return NULL;
    s->sp--;
    if (s->agree > s->sp) s->agree = s->sp;
    entry *e = s->stack_e[s->sp];
    s->cur = s->stack_s[s->sp];
    flip(s, e->op);
    s->remaining += e->match != NULL;
    unlift(e);
    return e;
}

static int out_of_budget(search *s, lin_budget *b, uint64_t steps)
{
    if (b->max_steps && b->steps + steps >= b->max_steps) b->why = "steps";
    if (b->max_bytes && s->memo.bytes > b->max_bytes) b->why = "memory";
    if (b->deadline > 0 && hoc_now_s() > b->deadline) b->why = "time";
    return b->why != NULL;
}

static lin_verdict explore(search *s, lin_budget *b, uint64_t *steps)
{
    entry *e = s->head.next;
    while (s->remaining > 0) {
        if (++*steps % CHECK_EVERY == 0 && out_of_budget(s, b, *steps)) return LIN_UNKNOWN;
        if (e && e->is_call) {
            e = try_call(s, e) ? s->head.next : e->next;
            continue;
        }
        e = backtrack(s);
        if (!e) return LIN_VIOLATION;
        e = e->next;
    }
    return LIN_LINEARIZABLE;
}

static void search_init(search *s, lin_machine *mc, size_t part)
{
    memset(s, 0, sizeof *s);
    s->mc = mc;
    s->p = &mc->ps->v[part];
    size_t n = s->p->nops, words = (n + 63) / 64, size = lin_machine_size(mc, s->p);
    build_list(s);
    memo_init(&s->memo, words, size);
    s->zobrist = lin_history_realloc(NULL, n * sizeof *s->zobrist);
    for (size_t i = 0; i < n; i++)
        s->zobrist[i] = mix(0x51ed27a4c0ffee00u + i);
    s->bits = lin_history_calloc(words, 8);
    s->scratch = lin_history_realloc(NULL, size);
    s->start = lin_history_realloc(NULL, size);
    lin_machine_start(mc, s->p, s->start);
    s->cur = s->start;
    s->stack_e = lin_history_realloc(NULL, n * sizeof *s->stack_e);
    s->stack_s = lin_history_realloc(NULL, n * sizeof *s->stack_s);
    s->best = lin_history_realloc(NULL, n * sizeof *s->best);
    for (size_t i = 0; i < n; i++)
        s->remaining += mc->h->ops[s->p->ops[i]].ret != LIN_PENDING;
}

static void search_free(search *s)
{
    memo_free(&s->memo);
    free(s->ents), free(s->zobrist), free(s->bits), free(s->scratch), free(s->start);
    free(s->stack_e), free(s->stack_s), free(s->best);
}

lin_verdict lin_search_run(lin_machine *mc, size_t part, lin_budget *b, lin_search_out *out)
{
    search s;
    search_init(&s, mc, part);
    uint64_t steps = 0;
    lin_verdict v = explore(&s, b, &steps);
    memset(out, 0, sizeof *out);
    size_t n = v == LIN_LINEARIZABLE ? s.sp : s.best_len;
    out->order = lin_history_realloc(NULL, n * sizeof *out->order);
    for (size_t i = 0; i < n; i++)
        out->order[i] = s.p->ops[v == LIN_LINEARIZABLE ? s.stack_e[i]->op : s.best[i]];
    out->norder = n;
    out->steps = steps;
    out->memo = s.memo.n;
    out->bytes = s.memo.bytes;
    b->steps += steps;
    search_free(&s);
    return v;
}
