/* engine.c: instances, rounds, progress and catch-up (see engine.h). */
#include "engine.h"

#include "params.h"
#include "rng.h"
#include "value.h"
#include "wire.h"

#include <stdlib.h>
#include <string.h>

typedef struct Inst {
    uint64_t id;
    struct Inst *next; /* hash chain, or free list */
    int64_t round;
    uint64_t deadline;
    bool timed_out, decided, pending;
    bool quiet;            /* decided, not forwarding: no timers, ends once all peers decided */
    hoc_set from, from1;   /* heard in this round; buffered for the next */
    hoc_set peers_decided; /* peers that sent a notice that they decided */
    uint8_t *state, *box, *box1;
    size_t box_stride, box1_stride; /* message size of the rounds box and box1 hold */
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
    uint8_t *outbox, *outputs, *scratch, *wire, *value;
    size_t wire_cap;
    bool forward;      /* opts.forward and the decide output is agreed */
    int nquiet;        /* live quiet instances */
    uint64_t *quiet_q; /* ids of quiet instances in the order they went quiet (a ring) */
    size_t quiet_head, quiet_len, quiet_cap;
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
        a->nrounds < 1 || a->ninputs > HOC_ENGINE_MAX_INPUTS)
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
    /* generated code indexes a mailbox below the build's maximum (PX_MAXN) */
    e->box_size = (size_t)a->maxn * (msz ? msz : 1);
    e->inst_size = hoc_engine_instance_bytes(a);
    const hoc_output *d = e->decide_out >= 0 ? &a->outputs[e->decide_out] : NULL;
    e->forward = o->forward && d && d->agreed;
    e->value = calloc(1, d ? hoc_value_max(d) + 1 : 1);
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
        !e->wire || !e->value) {
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
    free(e->wire), free(e->heap), free(e->pending), free(e->value), free(e->quiet_q);
    free(e);
}

size_t hoc_engine_instance_bytes(const hoc_algo *a)
{
    size_t msz = 0;
    for (int r = 0; r < a->nrounds; r++)
        if (a->rounds[r].msg_size > msz) msz = a->rounds[r].msg_size;
    size_t ss = (a->state_size + 15) & ~(size_t)15;
    return sizeof(Inst) + ss + 2 * (size_t)a->maxn * (msz ? msz : 1);
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
/* Zeroes the messages box holds (those of the senders in from): a free
 * instance's mailboxes are all zero, so reusing one zeroes only its state. */
static void clear_box(uint8_t *box, hoc_set from, size_t stride)
{
    for (int p = hoc_set_min(from); p >= 0; p = hoc_set_next(from, p))
        memset(box + (size_t)p * stride, 0, stride);
}

static void unlink_inst(hoc_engine *e, Inst *I)
{
    clear_box(I->box, I->from, I->box_stride);
    clear_box(I->box1, I->from1, I->box1_stride);
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
    if (I->quiet) e->nquiet--;
    unlink_inst(e, I);
    if (e->io.finished) e->io.finished(e->io.ctx, id, d);
}

static void quiet_push(hoc_engine *e, uint64_t id)
{
    if (e->quiet_len == e->quiet_cap) {
        size_t cap = e->quiet_cap ? e->quiet_cap * 2 : 64;
        uint64_t *q = malloc(cap * sizeof *q);
        if (!q) return; /* not evictable then: it ends when its peers have decided */
        for (size_t i = 0; i < e->quiet_len; i++)
            q[i] = e->quiet_q[(e->quiet_head + i) % e->quiet_cap];
        free(e->quiet_q);
        e->quiet_q = q, e->quiet_cap = cap, e->quiet_head = 0;
    }
    e->quiet_q[(e->quiet_head + e->quiet_len++) % e->quiet_cap] = id;
}

/* Has every peer said it decided the quiet instance I? */
static bool all_decided(const hoc_engine *e, const Inst *I)
{
    hoc_set others = hoc_set_all(e->n) & ~hoc_set_one(e->id);
    return (I->peers_decided & others) == others;
}

/* This process decided I by its own update: report it, and when decisions
 * are not forwarded, go quiet and tell the peers. */
static void decided_here(hoc_engine *e, Inst *I, const hoc_output *o)
{
    I->decided = true;
    size_t len = hoc_value_encode(o, e->outputs, e->value);
    if (e->io.decided) e->io.decided(e->io.ctx, I->id, e->value, len, -1);
    if (e->forward) return;
    I->quiet = true;
    e->nquiet++;
    quiet_push(e, I->id);
    if (e->io.send_decision)
        for (int p = 0; p < e->n; p++)
            if (p != e->id) e->io.send_decision(e->io.ctx, p, I->id, 0, NULL, 0);
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
        if (i == e->decide_out && !I->decided) decided_here(e, I, &a->outputs[i]);
    }
    if (any && e->io.output) e->io.output(e->io.ctx, I->id, I->round, e->outputs);
    if (halted(e, I) || (I->decided && (e->forward || all_decided(e, I)))) {
        finish(e, I);
        return true;
    }
    return false;
}

/* Moves to the next round's mailbox (what was buffered for it). */
static void shift(hoc_engine *e, Inst *I)
{
    (void)e;
    I->round++;
    /* the old mailbox becomes the next one: zero what it held (unheard
     * senders' messages must read zero), not the whole of it */
    uint8_t *old = I->box;
    clear_box(old, I->from, I->box_stride);
    I->box = I->box1, I->box1 = old;
    I->box_stride = I->box1_stride, I->box1_stride = 0;
    I->from = I->from1, I->from1 = 0;
    I->timed_out = false;
}

static void place(hoc_engine *e, Inst *I, int from, const void *msg, int64_t round, bool next)
{
    const hoc_round *rd = &e->a->rounds[round % e->a->nrounds];
    uint8_t *box = next ? I->box1 : I->box;
    memcpy(box + (size_t)from * rd->msg_size, msg, rd->msg_size);
    if (next) {
        I->from1 |= hoc_set_one(from);
        I->box1_stride = rd->msg_size;
    } else {
        I->from |= hoc_set_one(from);
        I->box_stride = rd->msg_size;
    }
}

/* Sends the current round's messages and arms its timer. */
static void begin(hoc_engine *e, Inst *I, uint64_t now)
{
    const hoc_algo *a = e->a;
    const hoc_round *rd = &a->rounds[I->round % a->nrounds];
    if (rd->timeout_us > 0 && !I->quiet) { /* a quiet instance waits for its peers */
        I->deadline = now + (uint64_t)rd->timeout_us;
        heap_push(e, (Timer){I->deadline, I->id, I->round});
    }
    if (halted(e, I)) return;
    hoc_set to = 0; /* send writes whole messages for the recipients in to, nothing else */
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

/* Makes room for one more instance at max_live by freeing the oldest quiet
 * one; false if there is none. */
static bool evict_quiet(hoc_engine *e)
{
    while (e->quiet_len) {
        uint64_t id = e->quiet_q[e->quiet_head];
        e->quiet_head = (e->quiet_head + 1) % e->quiet_cap, e->quiet_len--;
        Inst *I = find(e, id);
        if (!I || !I->quiet) continue; /* ended meanwhile */
        e->st.quiet_evicted++;
        finish(e, I);
        return true;
    }
    return false;
}

/* A new live instance in its initial state, at round 0, not begun; NULL at
 * max_live (with no quiet instance to free) or out of memory. */
static Inst *create(hoc_engine *e, uint64_t id, const int64_t *ints, const uint8_t *const *bytes)
{
    if (e->live >= e->o.max_live && !evict_quiet(e)) return NULL;
    size_t ss = (e->a->state_size + 15) & ~(size_t)15;
    Inst *I = e->free_list;
    if (I) { /* its mailboxes were cleared when it ended */
        e->free_list = I->next;
        memset(I, 0, sizeof *I + ss);
    } else if (!(I = calloc(1, e->inst_size))) {
        return NULL;
    }
    I->state = (uint8_t *)(I + 1);
    I->box = I->state + ss;
    I->box1 = I->box + e->box_size;
    I->id = id;
    size_t b = hash(id) & (e->nbuckets - 1);
    I->next = e->buckets[b];
    e->buckets[b] = I;
    e->live++;
    int64_t in[HOC_ENGINE_MAX_INPUTS] = {0};
    const uint8_t *bin[HOC_ENGINE_MAX_INPUTS] = {0};
    if (ints) {
        memcpy(in, ints, sizeof *in * (size_t)e->a->ninputs);
        if (bytes) memcpy(bin, bytes, sizeof *bin * (size_t)e->a->ninputs);
    } else {
        e->io.inputs(e->io.ctx, id, in, bin);
    }
    hoc_env env = env_of(e, I, false);
    if (e->a->init_bytes)
        e->a->init_bytes(I->state, &env, in, bin);
    else
        e->a->init(I->state, &env, in);
    return I;
}

/* Runs I from round 0 to `round` with empty mailboxes and begins that round;
 * false if the instance ended on the way. */
static bool launch(hoc_engine *e, Inst *I, int64_t round, uint64_t now)
{
    while (I->round < round) {
        if (update(e, I)) return false;
        shift(e, I);
    }
    begin(e, I, now);
    return true;
}

hoc_start_result hoc_engine_start_at(hoc_engine *e, uint64_t inst, int64_t round,
                                     const int64_t *ints, const uint8_t *const *bytes, uint64_t now)
{
    if (round < 0 || find(e, inst)) return HOC_START_SKIPPED;
    const uint8_t *v;
    size_t len;
    if (e->io.lookup(e->io.ctx, inst, &v, &len) != HOC_INST_NEW) return HOC_START_SKIPPED;
    Inst *I = create(e, inst, ints, bytes);
    if (!I) return HOC_START_FULL;
    if (launch(e, I, round, now)) progress(e, I, now);
    return HOC_START_OK;
}

hoc_start_result hoc_engine_start(hoc_engine *e, uint64_t inst, uint64_t now)
{
    return hoc_engine_start_at(e, inst, 0, NULL, NULL, now);
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
        const uint8_t *v;
        size_t vlen;
        hoc_inst_status s = e->io.lookup(e->io.ctx, inst, &v, &vlen);
        if (s == HOC_INST_DECIDED && e->forward) {
            if (e->io.send_decision)
                e->io.send_decision(e->io.ctx, from, inst, HOC_DECISION_ADOPT, v, vlen);
            return HOC_RX_OK;
        }
        if (s != HOC_INST_NEW) {
            drop(e, &e->st.dropped_ignored, from, inst, round, HOC_DROP_IGNORED);
            return HOC_RX_OK;
        }
        if (!(I = create(e, inst, NULL, NULL))) {
            drop(e, &e->st.dropped_full, from, inst, round, HOC_DROP_FULL);
            return HOC_RX_OK;
        }
        /* the decode scratch is intact: create does not touch it */
        if (launch(e, I, 0, now)) progress(e, I, now);
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

/* Peer `from` says it decided inst: a quiet instance ends once every peer
 * has. The first notice from a peer is answered with ours if we decided:
 * ours may have reached it before it ran the instance. */
static void notice(hoc_engine *e, int from, uint64_t inst)
{
    Inst *I = find(e, inst);
    if (!I) return; /* ended here, or never ran: nothing waits for it */
    bool first = !hoc_set_has(I->peers_decided, from);
    I->peers_decided |= hoc_set_one(from);
    if (!I->decided) return;
    if (first && e->io.send_decision) e->io.send_decision(e->io.ctx, from, inst, 0, NULL, 0);
    if (all_decided(e, I)) finish(e, I);
}

int hoc_engine_decision(hoc_engine *e, int from, uint64_t inst, uint32_t flags,
                        const uint8_t *value, size_t len)
{
    if (from < 0 || from >= e->n || from == e->id) return HOC_RX_BAD;
    if (!(flags & HOC_DECISION_ADOPT)) {
        notice(e, from, inst);
        return HOC_RX_OK;
    }
    const hoc_output *o = e->decide_out >= 0 ? &e->a->outputs[e->decide_out] : NULL;
    if (!o || !o->agreed || !hoc_value_valid(o, value, len)) return HOC_RX_BAD;
    Inst *I = find(e, inst);
    if (I) {
        if (!I->decided) {
            I->decided = true;
            e->st.decided_learned++;
            if (e->io.decided) e->io.decided(e->io.ctx, inst, value, len, from);
        }
        finish(e, I);
        return HOC_RX_OK;
    }
    const uint8_t *v;
    size_t vlen;
    if (e->io.lookup(e->io.ctx, inst, &v, &vlen) != HOC_INST_NEW) {
        drop(e, &e->st.decisions_ignored, from, inst, -1, HOC_DROP_DECISION);
        return HOC_RX_OK;
    }
    e->st.decided_learned++;
    if (e->io.decided) e->io.decided(e->io.ctx, inst, value, len, from);
    return HOC_RX_OK;
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

int hoc_engine_active(const hoc_engine *e)
{
    return e->live - e->nquiet;
}

bool hoc_engine_forwards(const hoc_engine *e)
{
    return e->forward;
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
