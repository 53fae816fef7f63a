/* engine.c: instances, rounds, progress and catch-up (see engine.h). */
#include "engine.h"

#include "params.h"
#include "rng.h"
#include "value.h"

#include <stdlib.h>
#include <string.h>

typedef struct Inst {
    uint64_t id;
    struct Inst *next; /* hash chain, or free list */
    int64_t round;
    uint64_t deadline;
    bool timed_out, decided, pending;
    hoc_set from, from1; /* heard in this round; buffered for the next */
    uint8_t *state, *box, *box1;
} Inst;

typedef struct Timer {
    uint64_t deadline, inst;
    int64_t round;
} Timer;

struct hoc_engine {
    const hoc_algo *a;
    int id, n;
    int64_t params[HOC_MAXPARAMS];
    hoc_engine_opts o;
    hoc_engine_io io;
    int decide_out;
    int32_t *goahead, *wait;
    size_t box_size, inst_size;
    Inst **buckets;
    size_t nbuckets;
    int live;
    Inst *free_list;
    Timer *heap;
    size_t nheap, capheap;
    uint64_t *pending;
    size_t npending, cappending;
    uint8_t *outbox, *outputs, *scratch, *wire;
    size_t wire_cap;
    uint64_t rng;
    hoc_engine_stats st;
};

int hoc_engine_decide_output(const hoc_algo *a)
{
    for (int i = 0; i < a->noutputs; i++)
        if (strcmp(a->outputs[i].name, "decide") == 0) return i;
    return -1;
}

static size_t hash(uint64_t k)
{
    return (size_t)((k * 0x9e3779b97f4a7c15u) >> 20);
}

static Inst *find(const hoc_engine *e, uint64_t id)
{
    for (Inst *i = e->buckets[hash(id) & (e->nbuckets - 1)]; i; i = i->next)
        if (i->id == id) return i;
    return NULL;
}

hoc_engine *hoc_engine_new(const hoc_algo *a, int id, const int64_t *params,
                           const hoc_engine_opts *o, const hoc_engine_io *io)
{
    if (!a || a->abi != HOC_ABI_VERSION || !params || !o || !io || !io->lookup || !io->inputs ||
        !io->send)
        return NULL;
    int n = (int)params[0];
    if (n < 1 || n > HOC_MAXN || n > a->maxn || id < 0 || id >= n || a->nparams > HOC_MAXPARAMS ||
        a->nrounds < 1)
        return NULL;
    if (o->max_live < 1) return NULL;
    hoc_engine *e = calloc(1, sizeof *e);
    if (!e) return NULL;
    e->a = a, e->id = id, e->n = n, e->o = *o, e->io = *io;
    memcpy(e->params, params, (size_t)a->nparams * sizeof *params);
    e->decide_out = hoc_engine_decide_output(a);
    e->goahead = calloc((size_t)a->nrounds, sizeof *e->goahead);
    e->wait = calloc((size_t)a->nrounds, sizeof *e->wait);
    size_t msz = 0, wmax = 0;
    for (int r = 0; r < a->nrounds; r++) {
        const hoc_round *rd = &a->rounds[r];
        if (rd->msg_size > msz) msz = rd->msg_size;
        if (rd->wire_max > wmax) wmax = rd->wire_max;
        if (e->goahead) e->goahead[r] = rd->goahead ? rd->goahead(params) : n;
        if (e->wait) e->wait[r] = rd->wait ? rd->wait(params) : 0;
    }
    /* generated code may index a mailbox up to HOC_MAXN (hoc_idx), as in sim.c */
    e->box_size = (size_t)HOC_MAXN * (msz ? msz : 1);
    size_t ss = (a->state_size + 15) & ~(size_t)15;
    e->inst_size = sizeof(Inst) + ss + 2 * e->box_size;
    e->nbuckets = 64;
    while (e->nbuckets < (size_t)o->max_live * 2)
        e->nbuckets *= 2;
    e->buckets = calloc(e->nbuckets, sizeof *e->buckets);
    e->outbox = calloc(1, e->box_size);
    e->outputs = calloc(1, a->outputs_size ? a->outputs_size : 1);
    e->scratch = calloc(1, msz ? msz : 1);
    e->wire_cap = wmax + 16;
    e->wire = calloc(1, e->wire_cap);
    e->rng = o->seed ^ ((uint64_t)id << 32);
    if (!e->goahead || !e->wait || !e->buckets || !e->outbox || !e->outputs || !e->scratch ||
        !e->wire) {
        hoc_engine_free(e);
        return NULL;
    }
    return e;
}

void hoc_engine_free(hoc_engine *e)
{
    if (!e) return;
    for (size_t b = 0; e->buckets && b < e->nbuckets; b++)
        for (Inst *i = e->buckets[b], *nx; i; i = nx)
            nx = i->next, free(i);
    for (Inst *i = e->free_list, *nx; i; i = nx)
        nx = i->next, free(i);
    free(e->buckets), free(e->goahead), free(e->wait), free(e->outbox), free(e->outputs),
        free(e->scratch);
    free(e->wire), free(e->heap), free(e->pending);
    free(e);
}

static bool halted(const hoc_engine *e, const Inst *I)
{
    return I->state[e->a->halted_offset] != 0;
}

/* Counts a drop in *counter and tells the embedder. */
static void drop(hoc_engine *e, uint64_t *counter, int from, uint64_t inst, int64_t round,
                 hoc_drop why)
{
    (*counter)++;
    if (e->io.dropped) e->io.dropped(e->io.ctx, from, inst, round, why);
}

static hoc_env env_of(hoc_engine *e, const Inst *I, bool oracle)
{
    hoc_env env = {e->id, e->n, I->round, e->params, 0};
    if (oracle && e->a->noracles) env.oracle = hoc_rng_next(&e->rng);
    return env;
}

/* ---- timers: a binary min-heap with lazy deletion ---- */
static void heap_push(hoc_engine *e, Timer t)
{
    if (e->nheap == e->capheap) {
        size_t cap = e->capheap ? e->capheap * 2 : 256;
        Timer *h = realloc(e->heap, cap * sizeof *h);
        if (!h) return; /* no timer: the round ends on messages or catch-up only */
        e->heap = h, e->capheap = cap;
    }
    size_t i = e->nheap++;
    while (i > 0 && e->heap[(i - 1) / 2].deadline > t.deadline) {
        e->heap[i] = e->heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    e->heap[i] = t;
}

static Timer heap_pop(hoc_engine *e)
{
    Timer top = e->heap[0], last = e->heap[--e->nheap];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= e->nheap) break;
        if (c + 1 < e->nheap && e->heap[c + 1].deadline < e->heap[c].deadline) c++;
        if (e->heap[c].deadline >= last.deadline) break;
        e->heap[i] = e->heap[c];
        i = c;
    }
    if (e->nheap) e->heap[i] = last;
    return top;
}

/* ---- instance life ---- */
static void unlink_inst(hoc_engine *e, Inst *I)
{
    Inst **pp = &e->buckets[hash(I->id) & (e->nbuckets - 1)];
    while (*pp != I)
        pp = &(*pp)->next;
    *pp = I->next;
    I->next = e->free_list;
    e->free_list = I;
    e->live--;
}

static void finish(hoc_engine *e, Inst *I)
{
    uint64_t id = I->id;
    bool d = I->decided;
    unlink_inst(e, I);
    if (e->io.finished) e->io.finished(e->io.ctx, id, d);
}

/* Runs the update of the current round on the mailbox; true if the
 * instance ended (and was freed). */
static bool update(hoc_engine *e, Inst *I)
{
    const hoc_algo *a = e->a;
    const hoc_round *rd = &a->rounds[I->round % a->nrounds];
    hoc_env env = env_of(e, I, true);
    memset(e->outputs, 0, a->outputs_size);
    rd->update(I->state, &env, I->from, I->box, e->outputs);
    e->st.rounds++;
    bool any = false;
    for (int i = 0; i < a->noutputs; i++) {
        if (!e->outputs[a->outputs[i].fired_offset]) continue;
        any = true;
        if (i == e->decide_out && !I->decided) {
            I->decided = true;
            const hoc_output *o = &a->outputs[i];
            int64_t v = o->has_value ? hoc_value_get(o->kind, e->outputs + o->value_offset) : 0;
            if (e->io.decided) e->io.decided(e->io.ctx, I->id, v, -1);
        }
    }
    if (any && e->io.output) e->io.output(e->io.ctx, I->id, I->round, e->outputs);
    if (halted(e, I) || (I->decided && e->o.forward)) {
        finish(e, I);
        return true;
    }
    return false;
}

/* Moves to the next round's mailbox (what was buffered for it). */
static void shift(hoc_engine *e, Inst *I)
{
    I->round++;
    uint8_t *t = I->box;
    I->box = I->box1, I->box1 = t;
    I->from = I->from1, I->from1 = 0;
    memset(I->box1, 0, e->box_size);
    I->timed_out = false;
}

static void place(hoc_engine *e, Inst *I, int from, const void *msg, int64_t round, bool next)
{
    const hoc_round *rd = &e->a->rounds[round % e->a->nrounds];
    uint8_t *box = next ? I->box1 : I->box;
    memcpy(box + (size_t)from * rd->msg_size, msg, rd->msg_size);
    if (next)
        I->from1 |= hoc_set_one(from);
    else
        I->from |= hoc_set_one(from);
}

/* Sends the current round's messages and arms its timer. */
static void begin(hoc_engine *e, Inst *I, uint64_t now)
{
    const hoc_algo *a = e->a;
    const hoc_round *rd = &a->rounds[I->round % a->nrounds];
    if (rd->timeout_us > 0) {
        I->deadline = now + (uint64_t)rd->timeout_us;
        heap_push(e, (Timer){I->deadline, I->id, I->round});
    }
    if (halted(e, I)) return;
    hoc_set to = 0;
    memset(e->outbox, 0, e->box_size);
    hoc_env env = env_of(e, I, false);
    rd->send(I->state, &env, &to, e->outbox);
    for (int p = hoc_set_min(to); p >= 0; p = hoc_set_next(to, p)) {
        if (p >= e->n) break;
        const uint8_t *m = e->outbox + (size_t)p * rd->msg_size;
        if (p == e->id) {
            if (!hoc_set_has(I->from, p)) place(e, I, p, m, I->round, false);
            continue;
        }
        int len = rd->encode(m, e->wire, e->wire_cap);
        if (len < 0) { /* wire_max bounds it: a bug in the generated encoder */
            drop(e, &e->st.unencodable, e->id, I->id, I->round, HOC_DROP_UNENCODABLE);
            continue;
        }
        e->io.send(e->io.ctx, p, I->id, I->round, e->wire, (size_t)len);
        e->st.msgs_sent++;
    }
}

/* Ends the current round and runs rounds up to `target` (> round), updating
 * skipped ones with what was buffered (nothing beyond the next), then begins
 * target. False if the instance ended on the way. */
static bool jump(hoc_engine *e, Inst *I, int64_t target, uint64_t now)
{
    if (update(e, I)) return false;
    shift(e, I);
    while (I->round < target) {
        e->st.catchup_rounds++;
        if (update(e, I)) return false;
        shift(e, I);
    }
    begin(e, I, now);
    return true;
}

/* Ends rounds as long as their progress condition holds. */
static void progress(hoc_engine *e, Inst *I, uint64_t now)
{
    for (;;) {
        const hoc_round *rd = &e->a->rounds[I->round % e->a->nrounds];
        int r = (int)(I->round % e->a->nrounds);
        int32_t heard = (int32_t)hoc_set_size(I->from);
        bool end = heard >= e->goahead[r];
        if (!end && rd->when) {
            hoc_env env = env_of(e, I, false);
            end = rd->when(I->state, &env, I->from, I->box);
        }
        if (!end && I->timed_out && heard >= e->wait[r]) end = true;
        if (!end) return;
        if (!jump(e, I, I->round + 1, now)) return;
    }
}

static Inst *create(hoc_engine *e, uint64_t id, uint64_t now)
{
    Inst *I = e->free_list;
    if (I)
        e->free_list = I->next;
    else if (!(I = malloc(e->inst_size)))
        return NULL;
    memset(I, 0, e->inst_size);
    size_t ss = (e->a->state_size + 15) & ~(size_t)15;
    I->state = (uint8_t *)(I + 1);
    I->box = I->state + ss;
    I->box1 = I->box + e->box_size;
    I->id = id;
    size_t b = hash(id) & (e->nbuckets - 1);
    I->next = e->buckets[b];
    e->buckets[b] = I;
    e->live++;
    int64_t inputs[64] = {0};
    e->io.inputs(e->io.ctx, id, inputs);
    hoc_env env = env_of(e, I, false);
    e->a->init(I->state, &env, inputs);
    begin(e, I, now);
    return I;
}

hoc_start_result hoc_engine_start(hoc_engine *e, uint64_t inst, uint64_t now)
{
    if (find(e, inst)) return HOC_START_SKIPPED;
    int64_t v;
    if (e->io.lookup(e->io.ctx, inst, &v) != HOC_INST_NEW) return HOC_START_SKIPPED;
    if (e->live >= e->o.max_live) return HOC_START_FULL;
    Inst *I = create(e, inst, now);
    if (!I) return HOC_START_FULL;
    progress(e, I, now);
    return HOC_START_OK;
}

static void add_pending(hoc_engine *e, Inst *I)
{
    if (I->pending) return;
    if (e->npending == e->cappending) {
        size_t cap = e->cappending ? e->cappending * 2 : 64;
        uint64_t *p = realloc(e->pending, cap * sizeof *p);
        if (!p) return; /* then the round ends on its own condition */
        e->pending = p, e->cappending = cap;
    }
    e->pending[e->npending++] = I->id;
    I->pending = true;
}

int hoc_engine_receive(hoc_engine *e, int from, uint64_t inst, int64_t round,
                       const uint8_t *payload, size_t len, uint64_t now)
{
    if (from < 0 || from >= e->n || from == e->id || round < 0) return HOC_RX_BAD;
    const hoc_round *rd = &e->a->rounds[round % e->a->nrounds];
    memset(e->scratch, 0, rd->msg_size);
    int used = rd->decode(e->scratch, payload, len);
    if (used < 0 || (size_t)used != len) return HOC_RX_BAD;
    e->st.msgs_in++;
    Inst *I = find(e, inst);
    if (!I) {
        int64_t v;
        hoc_inst_status s = e->io.lookup(e->io.ctx, inst, &v);
        if (s == HOC_INST_DECIDED) {
            if (e->o.forward && e->io.send_decision) e->io.send_decision(e->io.ctx, from, inst, v);
            return HOC_RX_OK;
        }
        if (s != HOC_INST_NEW) {
            drop(e, &e->st.dropped_ignored, from, inst, round, HOC_DROP_IGNORED);
            return HOC_RX_OK;
        }
        if (e->live >= e->o.max_live || !(I = create(e, inst, now))) {
            drop(e, &e->st.dropped_full, from, inst, round, HOC_DROP_FULL);
            return HOC_RX_OK;
        }
        /* the decode scratch is intact: create does not touch it */
        progress(e, I, now);
        if (!(I = find(e, inst))) return HOC_RX_OK;
    }
    if (round < I->round) {
        drop(e, &e->st.late, from, inst, round, HOC_DROP_LATE);
        return HOC_RX_OK;
    }
    if (round == I->round + 1) {
        if (hoc_set_has(I->from1, from))
            drop(e, &e->st.dup, from, inst, round, HOC_DROP_DUP);
        else {
            place(e, I, from, e->scratch, round, true);
            e->st.future++;
            add_pending(e, I);
        }
        return HOC_RX_OK;
    }
    if (round - I->round > HOC_ENGINE_MAX_JUMP) {
        drop(e, &e->st.far, from, inst, round, HOC_DROP_FAR);
        return HOC_RX_OK;
    }
    if (round > I->round + 1) {
        e->st.catchups++;
        if (!jump(e, I, round, now)) return HOC_RX_OK;
    }
    if (hoc_set_has(I->from, from)) {
        drop(e, &e->st.dup, from, inst, round, HOC_DROP_DUP);
        return HOC_RX_OK;
    }
    place(e, I, from, e->scratch, round, false);
    progress(e, I, now);
    return HOC_RX_OK;
}

void hoc_engine_decision(hoc_engine *e, int from, uint64_t inst, int64_t value)
{
    Inst *I = find(e, inst);
    if (I) {
        if (!I->decided) {
            I->decided = true;
            e->st.decided_learned++;
            if (e->io.decided) e->io.decided(e->io.ctx, inst, value, from);
        }
        finish(e, I);
        return;
    }
    int64_t v;
    if (e->io.lookup(e->io.ctx, inst, &v) != HOC_INST_NEW) {
        drop(e, &e->st.decisions_ignored, from, inst, -1, HOC_DROP_DECISION);
        return;
    }
    e->st.decided_learned++;
    if (e->io.decided) e->io.decided(e->io.ctx, inst, value, from);
}

void hoc_engine_tick(hoc_engine *e, uint64_t now)
{
    while (e->nheap && e->heap[0].deadline <= now) {
        Timer t = heap_pop(e);
        Inst *I = find(e, t.inst);
        if (!I || I->round != t.round || I->timed_out) continue;
        I->timed_out = true;
        e->st.timeouts++;
        progress(e, I, now);
    }
}

void hoc_engine_settle(hoc_engine *e, uint64_t now)
{
    /* catching up can add entries; take the list as it is now */
    for (size_t k = 0; k < e->npending; k++) {
        Inst *I = find(e, e->pending[k]);
        if (!I) continue;
        I->pending = false;
        if (!I->from1) continue;
        e->st.catchups++;
        if (jump(e, I, I->round + 1, now)) progress(e, I, now);
    }
    e->npending = 0;
}

uint64_t hoc_engine_next_deadline(const hoc_engine *e)
{
    return e->nheap ? e->heap[0].deadline : UINT64_MAX;
}
int hoc_engine_live(const hoc_engine *e)
{
    return e->live;
}

int64_t hoc_engine_round(const hoc_engine *e, uint64_t inst)
{
    Inst *I = find(e, inst);
    return I ? I->round : -1;
}

const void *hoc_engine_state(const hoc_engine *e, uint64_t inst)
{
    Inst *I = find(e, inst);
    return I ? I->state : NULL;
}

const hoc_engine_stats *hoc_engine_get_stats(const hoc_engine *e)
{
    return &e->st;
}
