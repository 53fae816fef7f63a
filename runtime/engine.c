/* engine.c: instances, rounds, progress and catch-up (see engine.h). */
#include "engine.h"

#include "params.h"
#include "rng.h"
#include "value.h"
#include "wire.h"
#include "zrun.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An event waiting for its instance's next phase boundary. */
typedef struct QEv {
    struct QEv *next;
    uint64_t tag;
    int ev;
    int64_t args[8];   /* the language allows 8 arguments */
    uint8_t *bytes[8]; /* bytes argument i given as bytes: a copy, after the QEv */
    size_t extra;      /* the copies' bytes: 0 when every argument came as an int */
} QEv;

typedef struct Inst {
    uint64_t id;
    struct Inst *next; /* hash chain, or free list */
    int64_t round;
    uint64_t deadline;
    bool timed_out, decided, pending;
    bool quiet;            /* decided, not forwarding: no timers, ends once all peers decided */
    bool joining;          /* started by replacement, waiting for a peer's round (no timers) */
    bool hurry_next;       /* a peer hurried the next round: it ends once begun */
    bool asleep;           /* io.idle let its round, silent so far, run no timer */
    hoc_set nudged;        /* peers told its round (io.nudge) since the round began */
    bool fresh;            /* its state is still init's, copied (replace_copy) */
    QEv *evq, *evq_tail;   /* events queued for the next phase boundary, in order */
    int64_t *rin;          /* a replacement's int inputs until replace runs (heap), or NULL */
    hoc_set from, from1;   /* heard in this round; buffered for the next */
    hoc_set peers_decided; /* peers that sent a notice that they decided */
    uint8_t *state, *box, *box1;
    const hoc_round *box_rd, *box1_rd; /* the rounds box and box1 hold messages of, or NULL */
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
    bool outputs_dirty; /* an output fired since outputs was last cleared */
    size_t wire_cap;
    uint8_t *zout, *zin; /* with zero_runs: a packed message to send, one received unpacked */
    bool forward;        /* opts.forward and the decide output is agreed */
    int nquiet;          /* live quiet instances */
    uint64_t *quiet_q;   /* ids of quiet instances in the order they went quiet (a ring) */
    size_t quiet_head, quiet_len, quiet_cap;
    uint64_t rng;
    int nevq, max_events;              /* events queued (all instances); the bound */
    size_t evq_bytes, max_event_bytes; /* their bytes arguments' copies; the bound */
    uint8_t *tmpl;     /* init's state when the algorithm takes no inputs (init_copy) */
    uint32_t *tmpl_at; /* the 4 KiB pieces of it that are not zero */
    size_t ntmpl;
    bool *tmpl_nz;     /* by piece: not zero in tmpl */
    uint8_t *rscratch; /* tmpl again, for a replacement's reset (replace_copy) */
    uint64_t now;      /* the latest time the embedder gave: an event wakes with it (after a
                          long sleep it is past, and the woken round ends at the next tick) */
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
    e->max_events = o->max_events > 0 ? o->max_events : HOC_ENGINE_MAX_EVENTS;
    e->max_event_bytes = o->max_event_bytes > 0 ? o->max_event_bytes : HOC_ENGINE_MAX_EVENT_BYTES;
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
    if (o->zero_runs) {
        e->zout = malloc(e->wire_cap + HOC_ZRUN_SLACK);
        e->zin = malloc(e->wire_cap);
    }
    e->rng = o->seed ^ ((uint64_t)id << 32);
    if (!e->goahead || !e->wait || !e->buckets || !e->outbox || !e->outputs || !e->scratch ||
        !e->wire || !e->value || (o->zero_runs && (!e->zout || !e->zin))) {
        hoc_engine_free(e);
        return NULL;
    }
    return e;
}

void hoc_engine_free(hoc_engine *e)
{
    if (!e) return;
    for (size_t b = 0; e->buckets && b < e->nbuckets; b++)
        for (Inst *i = e->buckets[b], *nx; i; i = nx) {
            for (QEv *q = i->evq, *qn; q; q = qn)
                qn = q->next, free(q);
            free(i->rin);
            nx = i->next, free(i);
        }
    for (Inst *i = e->free_list, *nx; i; i = nx)
        nx = i->next, free(i);
    free(e->buckets), free(e->goahead), free(e->wait), free(e->outbox), free(e->outputs),
        free(e->scratch), free(e->zout), free(e->zin);
    free(e->wire), free(e->heap), free(e->pending), free(e->value), free(e->quiet_q);
    free(e->tmpl), free(e->tmpl_at), free(e->tmpl_nz), free(e->rscratch);
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
static void clear_box(uint8_t *box, hoc_set from, const hoc_round *rd)
{
    for (int p = hoc_set_min(from); p >= 0; p = hoc_set_next(from, p)) {
        uint8_t *m = box + (size_t)p * rd->msg_size;
        if (rd->clear)
            rd->clear(m); /* its present fields only */
        else
            memset(m, 0, rd->msg_size);
    }
}

static void unlink_inst(hoc_engine *e, Inst *I)
{
    free(I->rin);
    I->rin = NULL;
    if (I->from) clear_box(I->box, I->from, I->box_rd);
    if (I->from1) clear_box(I->box1, I->from1, I->box1_rd);
    Inst **pp = &e->buckets[hash(I->id) & (e->nbuckets - 1)];
    while (*pp != I)
        pp = &(*pp)->next;
    *pp = I->next;
    I->next = e->free_list;
    e->free_list = I;
    e->live--;
}

/* Reports the events of list q as dropped unrun (the instance ended, or a
 * halt stopped it) and frees them. */
static void lose_events(hoc_engine *e, uint64_t id, int64_t round, QEv *q)
{
    for (QEv *nx; q; q = nx) {
        nx = q->next;
        e->nevq--;
        e->evq_bytes -= q->extra;
        e->st.events_lost++;
        if (e->io.event_done) e->io.event_done(e->io.ctx, id, round, q->tag, q->ev, false, NULL);
        free(q);
    }
}

static void finish(hoc_engine *e, Inst *I)
{
    uint64_t id = I->id;
    int64_t round = I->round;
    bool d = I->decided;
    QEv *q = I->evq;
    if (I->quiet) e->nquiet--;
    unlink_inst(e, I);
    lose_events(e, id, round, q); /* after unlinking: a callback cannot queue more for it */
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

/* Hands what a step (an update, an event, a replacement) of I fired in
 * e->outputs to the embedder, as of round `round`: a first decide is a
 * decision here; io.output sees them all. */
static void fired(hoc_engine *e, Inst *I, int64_t round)
{
    const hoc_algo *a = e->a;
    bool any = false;
    for (int i = 0; i < a->noutputs; i++) {
        if (!e->outputs[a->outputs[i].fired_offset]) continue;
        any = true;
        if (i == e->decide_out && !I->decided) decided_here(e, I, &a->outputs[i]);
    }
    e->outputs_dirty = any;
    if (any && e->io.output) e->io.output(e->io.ctx, I->id, round, e->outputs);
}

/* Zeroes the outputs before a handler runs. Handlers write an output's
 * value only when they fire it, so after one that fired nothing the struct
 * is still zero: clearing it again would cost its whole size (a bytes
 * output of a large block) every round of every instance. */
static void clear_outputs(hoc_engine *e)
{
    if (e->outputs_dirty) memset(e->outputs, 0, e->a->outputs_size);
    e->outputs_dirty = false;
}

/* The phase boundary after round I->round's update: runs the events queued
 * before it, in order, each on its own outputs. Those queued meanwhile (by
 * a callback) wait for the next boundary; a halt drops the rest. */
static void run_events(hoc_engine *e, Inst *I)
{
    const hoc_algo *a = e->a;
    QEv *q = I->evq;
    I->evq = I->evq_tail = NULL;
    I->fresh = false;
    while (q) {
        if (halted(e, I)) {
            lose_events(e, I->id, I->round, q);
            return;
        }
        QEv *nx = q->next;
        hoc_env env = env_of(e, I, false);
        clear_outputs(e);
        a->events[q->ev].handle(I->state, &env, q->args,
                                q->extra ? (const uint8_t *const *)q->bytes : NULL, e->outputs);
        e->nevq--;
        e->evq_bytes -= q->extra;
        e->st.events_run++;
        fired(e, I, I->round);
        if (e->io.event_done)
            e->io.event_done(e->io.ctx, I->id, I->round, q->tag, q->ev, true, e->outputs);
        free(q);
        q = nx;
    }
}

/* Has I ended: halted, or decided and done with its peers? Then it is
 * freed (true). */
static bool ended(hoc_engine *e, Inst *I)
{
    if (halted(e, I) || (I->decided && (e->forward || all_decided(e, I)))) {
        finish(e, I);
        return true;
    }
    return false;
}

/* Runs the update of the current round on the mailbox, then, at the end of
 * a phase, the events queued; true if the instance ended (and was freed). */
static bool update(hoc_engine *e, Inst *I)
{
    const hoc_algo *a = e->a;
    const hoc_round *rd = &a->rounds[I->round % a->nrounds];
    hoc_env env = env_of(e, I, true);
    clear_outputs(e);
    I->fresh = false;
    rd->update(I->state, &env, I->from, I->box, e->outputs);
    e->st.rounds++;
    fired(e, I, I->round);
    if (I->evq && I->round % a->nrounds == a->nrounds - 1 && !halted(e, I)) run_events(e, I);
    return ended(e, I);
}

/* Moves to the next round's mailbox (what was buffered for it). */
static void shift(hoc_engine *e, Inst *I)
{
    I->round++;
    /* the old mailbox becomes the next one: zero what it held (unheard
     * senders' messages must read zero), not the whole of it */
    uint8_t *old = I->box;
    if (I->from) clear_box(old, I->from, I->box_rd);
    I->box = I->box1, I->box1 = old;
    I->box_rd = I->box1_rd, I->box1_rd = NULL;
    I->from = I->from1, I->from1 = 0;
    I->timed_out = I->hurry_next;
    if (I->hurry_next) e->st.hurried++;
    I->hurry_next = false;
}

/* Counts the message of round rd from `from`, in its slot already, as heard
 * in I's mailbox (next: the one for the next round). */
static void heard(Inst *I, int from, const hoc_round *rd, bool next)
{
    if (next) {
        I->from1 |= hoc_set_one(from);
        I->box1_rd = rd;
    } else {
        I->from |= hoc_set_one(from);
        I->box_rd = rd;
    }
}

static void place(hoc_engine *e, Inst *I, int from, const void *msg, int64_t round, bool next)
{
    const hoc_round *rd = &e->a->rounds[round % e->a->nrounds];
    uint8_t *box = next ? I->box1 : I->box;
    if (rd->copy) /* the slot is clear: its fixed and present fields are enough */
        rd->copy(box + (size_t)from * rd->msg_size, msg);
    else
        memcpy(box + (size_t)from * rd->msg_size, msg, rd->msg_size);
    heard(I, from, rd, next);
}

/* The clear slot a message of `round` from `from` takes in I's mailboxes
 * with no step of I before it (I's round or the next, not heard yet), or
 * NULL: then it is decoded into the scratch and placed after those steps. */
static uint8_t *direct_slot(const hoc_engine *e, const Inst *I, int from, int64_t round)
{
    if (!I || I->joining) return NULL;
    size_t at = (size_t)from * e->a->rounds[round % e->a->nrounds].msg_size;
    if (round == I->round && !hoc_set_has(I->from, from)) return I->box + at;
    if (round == I->round + 1 && !hoc_set_has(I->from1, from)) return I->box1 + at;
    return NULL;
}

/* Arms the timer of I's current round, from now. */
static void arm(hoc_engine *e, Inst *I, uint64_t now)
{
    const hoc_round *rd = &e->a->rounds[I->round % e->a->nrounds];
    I->deadline = now + (uint64_t)rd->timeout_us;
    heap_push(e, (Timer){I->deadline, I->id, I->round});
}

/* Something for sleeping I came (a message, an event, a hurry): its round's
 * timer runs from now, as if the round began now. */
static void wake(hoc_engine *e, Inst *I, uint64_t now)
{
    if (!I->asleep) return;
    I->asleep = false;
    e->st.woken++;
    arm(e, I, now);
}

/* Peer `from` sent a message of a round I has left: with io.nudge, tell it
 * I's round, once a round (when I's rounds send nothing, as an idle one's
 * may, nothing else would catch it up). */
static void nudge_back(hoc_engine *e, Inst *I, int from)
{
    if (!e->io.nudge || hoc_set_has(I->nudged, from)) return;
    I->nudged |= hoc_set_one(from);
    e->io.nudge(e->io.ctx, from, I->id, I->round);
}

/* May I's round, just begun, run without a timer? Only if it is silent:
 * nothing sent to a peer, nothing heard from one, no event waiting; and
 * io.idle says so. */
static bool may_sleep(hoc_engine *e, const Inst *I, hoc_set to)
{
    hoc_set peers = ~hoc_set_one(e->id);
    return e->io.idle && !(to & peers) && !(I->from & peers) && !I->evq && !halted(e, I) &&
           e->io.idle(e->io.ctx, I->id, I->round, I->state);
}

/* Hands round rd's messages from I's state to io.send (its own into its
 * mailbox); *to: the recipients. */
static void send_round(hoc_engine *e, Inst *I, const hoc_round *rd, hoc_set *to)
{
    if (e->io.begin) e->io.begin(e->io.ctx, I->id, I->round, I->state);
    hoc_env env = env_of(e, I, false);
    rd->send(I->state, &env, to, e->outbox);
    for (int p = hoc_set_min(*to); p >= 0; p = hoc_set_next(*to, p)) {
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
        if (e->o.zero_runs)
            e->io.send(e->io.ctx, p, I->id, I->round, e->zout,
                       hoc_zrun_pack(e->wire, (size_t)len, e->zout));
        else
            e->io.send(e->io.ctx, p, I->id, I->round, e->wire, (size_t)len);
        e->st.msgs_sent++;
    }
}

/* Sends the current round's messages and arms its timer (unless the round
 * may sleep). */
static void begin(hoc_engine *e, Inst *I, uint64_t now)
{
    const hoc_algo *a = e->a;
    const hoc_round *rd = &a->rounds[I->round % a->nrounds];
    I->asleep = false;
    I->nudged = 0;
    hoc_set to = 0; /* send writes whole messages for the recipients in to, nothing else */
    if (!halted(e, I)) send_round(e, I, rd, &to);
    if (rd->timeout_us <= 0 || I->quiet) return; /* a quiet instance waits for its peers */
    if (may_sleep(e, I, to)) {
        I->asleep = true;
        e->st.slept++;
        return;
    }
    arm(e, I, now);
}

/* A round this process runs without beginning it (catching up, or started
 * in a later round): its messages to peers are lost, but the model's
 * process always hears itself (docs/checker.md, benign faults), so its own
 * message goes into its mailbox. Without it a catch-up ran updates no
 * heard-of run has (tests/net/selfhear.ho). */
static void hear_self(hoc_engine *e, Inst *I)
{
    const hoc_round *rd = &e->a->rounds[I->round % e->a->nrounds];
    if (halted(e, I) || hoc_set_has(I->from, e->id)) return;
    hoc_set to = 0;
    hoc_env env = env_of(e, I, false);
    rd->send(I->state, &env, &to, e->outbox);
    if (hoc_set_has(to, e->id))
        place(e, I, e->id, e->outbox + (size_t)e->id * rd->msg_size, I->round, false);
}

/* Ends the current round and runs rounds up to `target` (> round), updating
 * skipped ones with what was buffered (nothing beyond the next) and their
 * own message, then begins target. False if the instance ended on the way.
 * With io.idle, and when io.idle says this process is idle in it, the round
 * just before target sends its messages to its peers too: a peer still in
 * it may wait for them with no other message coming (its peers' rounds
 * sleep, or answer only when spoken to), and without them waited out its
 * timeout (Amalgam's 64 B tail: a backup pulled over its `back` by a data
 * server's next `fwd`, the others waiting 50 ms for its answer). Not when
 * busy: a rebuild's snapshots sent again on every catch-up were 7 times
 * the bytes and a third of the rate. */
static bool jump(hoc_engine *e, Inst *I, int64_t target, uint64_t now)
{
    if (update(e, I)) return false;
    shift(e, I);
    while (I->round < target) {
        e->st.catchup_rounds++;
        if (e->io.idle && I->round == target - 1 && !halted(e, I) &&
            e->io.idle(e->io.ctx, I->id, I->round, I->state)) {
            hoc_set to = 0;
            send_round(e, I, &e->a->rounds[I->round % e->a->nrounds], &to);
        } else
            hear_self(e, I);
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

/* hoc_zero's piece: init_copy and replace_copy copy states by it. */
#define PIECE 4096

/* init of I's state, all zero as create made it, when the algorithm takes
 * no inputs: init's result then depends only on this engine's id and
 * parameters (round 0, no oracle), so it is computed once and each state
 * gets only its nonzero 4 KiB pieces. The generated init reads every piece
 * to write only those that are not zero (hoc_zero); on fresh memory each
 * read maps a page, a fault per 4 KiB: most of a restarted Amalgam
 * machine's start-up (3 MiB a state at 128 KiB blocks). False when this
 * does not apply (inputs) or memory is short: then init runs as usual. */
static bool init_copy(hoc_engine *e, Inst *I, const hoc_env *env)
{
    const hoc_algo *a = e->a;
    size_t ss = a->state_size, np = (ss + PIECE - 1) / PIECE;
    if (a->ninputs > 0 || np > UINT32_MAX) return false;
    if (!e->tmpl) {
        uint8_t *t = calloc(1, ss ? ss : 1);
        uint32_t *at = malloc((np ? np : 1) * sizeof *at);
        bool *nz = calloc(np ? np : 1, sizeof *nz);
        int64_t in[HOC_ENGINE_MAX_INPUTS] = {0};
        const uint8_t *bin[HOC_ENGINE_MAX_INPUTS] = {0};
        if (!t || !at || !nz) {
            free(t), free(at), free(nz);
            return false;
        }
        if (a->init_bytes)
            a->init_bytes(t, env, in, bin);
        else
            a->init(t, env, in);
        for (size_t p = 0; p < np; p++)
            if (!hoc_zero_piece(t + p * PIECE, ss - p * PIECE < PIECE ? ss - p * PIECE : PIECE))
                at[e->ntmpl++] = (uint32_t)p, nz[p] = true;
        e->tmpl = t, e->tmpl_at = at, e->tmpl_nz = nz;
    }
    for (size_t k = 0; k < e->ntmpl; k++) {
        size_t off = (size_t)e->tmpl_at[k] * PIECE;
        memcpy(I->state + off, e->tmpl + off, ss - off < PIECE ? ss - off : PIECE);
    }
    return true;
}

/* A new live instance in its initial state, at round 0, not begun; NULL at
 * max_live (with no quiet instance to free) or out of memory. */
static Inst *create(hoc_engine *e, uint64_t id, const int64_t *ints, const uint8_t *const *bytes,
                    bool keep_inputs)
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
    if (keep_inputs && e->a->ninputs > 0 && (I->rin = malloc(sizeof *in * (size_t)e->a->ninputs)))
        memcpy(I->rin, in, sizeof *in * (size_t)e->a->ninputs);
    hoc_env env = env_of(e, I, false);
    bool copied = init_copy(e, I, &env);
    I->fresh = copied && !e->io.restore;
    if (!copied && e->a->init_bytes)
        e->a->init_bytes(I->state, &env, in, bin);
    else if (!copied)
        e->a->init(I->state, &env, in);
    if (e->io.restore) e->io.restore(e->io.ctx, id, I->state);
    return I;
}

/* Runs I from round 0 to `round`, each mailbox holding its own message
 * alone, and begins that round; false if the instance ended on the way. */
static bool launch(hoc_engine *e, Inst *I, int64_t round, uint64_t now)
{
    while (I->round < round) {
        hear_self(e, I);
        if (update(e, I)) return false;
        shift(e, I);
    }
    begin(e, I, now);
    return true;
}

/* Is inst neither live nor known to the embedder (HOC_INST_NEW)? */
static bool startable(hoc_engine *e, uint64_t inst)
{
    const uint8_t *v;
    size_t len;
    return !find(e, inst) && e->io.lookup(e->io.ctx, inst, &v, &len) == HOC_INST_NEW;
}

hoc_start_result hoc_engine_start_at(hoc_engine *e, uint64_t inst, int64_t round,
                                     const int64_t *ints, const uint8_t *const *bytes, uint64_t now)
{
    e->now = now;
    if (round < 0 || !startable(e, inst)) return HOC_START_SKIPPED;
    Inst *I = create(e, inst, ints, bytes, false);
    if (!I) return HOC_START_FULL;
    if (launch(e, I, round, now)) progress(e, I, now);
    return HOC_START_OK;
}

hoc_start_result hoc_engine_resume(hoc_engine *e, uint64_t inst, int64_t round, const void *state,
                                   uint64_t now)
{
    e->now = now;
    if (round < 0 || !startable(e, inst)) return HOC_START_SKIPPED;
    Inst *I = create(e, inst, NULL, NULL, false);
    if (!I) return HOC_START_FULL;
    memcpy(I->state, state, e->a->state_size); /* init's state is replaced whole */
    I->fresh = false;
    I->round = round;
    if (ended(e, I)) return HOC_START_OK; /* it had halted */
    begin(e, I, now);
    progress(e, I, now);
    return HOC_START_OK;
}

hoc_start_result hoc_engine_start(hoc_engine *e, uint64_t inst, uint64_t now)
{
    return hoc_engine_start_at(e, inst, 0, NULL, NULL, now);
}

/* A replacement's reset of a state that is still init's (I->fresh): the
 * generated replace zeroes its fields with hoc_zero, which reads every
 * page of them, a page fault each on a state whose pages init_copy never
 * wrote (700 an instance, most of a restarted Amalgam machine's start-up
 * after init_copy). It runs instead on a copy of init's state kept for
 * this, whose pages stay mapped, and I gets the pieces that are not zero,
 * and those init's state had (the reset may zero them); the copy is put
 * back as init's. The result is the one replace would have left in I.
 * False when this does not apply or memory is short. */
static bool replace_copy(hoc_engine *e, Inst *I, const hoc_env *env, const int64_t *in)
{
    size_t ss = e->a->state_size, np = (ss + PIECE - 1) / PIECE;
    if (!I->fresh || !e->tmpl) return false;
    if (!e->rscratch) {
        if (!(e->rscratch = malloc(ss ? ss : 1))) return false;
        memcpy(e->rscratch, e->tmpl, ss);
    }
    uint8_t *w = e->rscratch;
    e->a->replace(w, env, in, e->outputs);
    for (size_t p = 0; p < np; p++) {
        size_t off = p * PIECE, len = ss - off < PIECE ? ss - off : PIECE;
        bool nz = !hoc_zero_piece(w + off, len);
        if (nz || e->tmpl_nz[p]) memcpy(I->state + off, w + off, len);
        if (e->tmpl_nz[p])
            memcpy(w + off, e->tmpl + off, len);
        else if (nz)
            memset(w + off, 0, len);
    }
    return true;
}

/* I, init'd, is replaced after the update of round - 1 and sits at round
 * `round`, not begun: the replaced block runs with env.round the round
 * before, its outputs go out as of it. Never before round 1: the model
 * replaces a process only after a round's update (hoc check's replacement
 * points, docs/checker.md), so a replacement asked for round 0 (peers still
 * in it) comes after round 0's update, unheard in it, and begins round 1;
 * before, it ran the replaced block and then round 0, which no checked run
 * does (tests/net/rejoin0.ho). */
static void replace_at(hoc_engine *e, Inst *I, int64_t round)
{
    const hoc_algo *a = e->a;
    if (round < 1) round = 1;
    int64_t in[HOC_ENGINE_MAX_INPUTS] = {0};
    /* replace re-runs init from int inputs: those create gave init_bytes
     * (a bytes input then stands as its int, as hoc_bytes_from_int writes) */
    if (I->rin) memcpy(in, I->rin, sizeof *in * (size_t)a->ninputs);
    free(I->rin);
    I->rin = NULL;
    I->round = round - 1;
    hoc_env env = env_of(e, I, false);
    clear_outputs(e);
    if (!replace_copy(e, I, &env, in)) a->replace(I->state, &env, in, e->outputs);
    I->fresh = false;
    e->st.replaced++;
    fired(e, I, I->round);
    I->round = round;
}

hoc_start_result hoc_engine_start_replaced(hoc_engine *e, uint64_t inst, int64_t round,
                                           const int64_t *ints, const uint8_t *const *bytes,
                                           uint64_t now)
{
    e->now = now;
    if ((round < 0 && round != HOC_ENGINE_JOIN) || !startable(e, inst)) return HOC_START_SKIPPED;
    Inst *I = create(e, inst, ints, bytes, true);
    if (!I) return HOC_START_FULL;
    if (e->a->ninputs > 0 && !I->rin) { /* out of memory for the inputs: as if never made */
        unlink_inst(e, I);
        return HOC_START_FULL;
    }
    if (round == HOC_ENGINE_JOIN) {
        I->joining = true; /* replace_at runs when a peer's round is known */
        return HOC_START_OK;
    }
    replace_at(e, I, round);
    if (ended(e, I)) return HOC_START_OK; /* the replaced block halted or decided */
    begin(e, I, now);
    progress(e, I, now);
    return HOC_START_OK;
}

int hoc_engine_event_index(const hoc_algo *a, const char *name)
{
    for (int i = 0; i < a->nevents; i++)
        if (strcmp(a->events[i].name, name) == 0) return i;
    return -1;
}

/* Is the call to event ev with args (and bytes) one the algorithm takes?
 * 0, or -1 with the reason in err (when not NULL). */
static int event_ok(const hoc_engine *e, int ev, const int64_t *args, const uint8_t *const *bytes,
                    char *err, size_t errn)
{
    const hoc_algo *a = e->a;
    char none[1];
    if (!err) err = none, errn = sizeof none;
    if (ev < 0 || ev >= a->nevents) {
        snprintf(err, errn, "%s has no event %d (it has %d)", a->name, ev, a->nevents);
        return -1;
    }
    const hoc_event *he = &a->events[ev];
    if (he->nargs > 8) { /* the language allows 8: another compiler's descriptor */
        snprintf(err, errn, "event %s takes %d arguments, more than 8", he->name, he->nargs);
        return -1;
    }
    if (he->nargs > 0 && !args) {
        snprintf(err, errn, "event %s takes %d arguments, none were given", he->name, he->nargs);
        return -1;
    }
    for (int i = 0; i < he->nargs; i++) {
        /* a bytes argument given as bytes is any K bytes: its range is of the
         * ints that stand for it in the drivers (docs/language.md) */
        if (bytes && bytes[i] && he->args[i].kind == HOC_K_BYTES) continue;
        int64_t lo, hi;
        he->range(e->params, i, &lo, &hi);
        if (hi >= lo && (args[i] < lo || args[i] >= hi)) { /* declared (empty: none fits) */
            snprintf(err, errn,
                     "event %s: argument %s is %" PRId64 ", outside its range %" PRId64 "..%" PRId64
                     " (%" PRId64 " excluded)",
                     he->name, he->args[i].name, args[i], lo, hi, hi);
            return -1;
        }
    }
    return 0;
}

hoc_event_result hoc_engine_event(hoc_engine *e, uint64_t inst, int ev, const int64_t *args,
                                  const uint8_t *const *bytes, uint64_t tag, char *err, size_t errn)
{
    if (event_ok(e, ev, args, bytes, err, errn) < 0) {
        e->st.events_refused++;
        return HOC_EVENT_INVALID;
    }
    Inst *I = find(e, inst);
    if (!I) {
        if (err) snprintf(err, errn, "instance %" PRIu64 " is not live here", inst);
        e->st.events_refused++;
        return HOC_EVENT_NOT_LIVE;
    }
    const hoc_event *he = &e->a->events[ev];
    size_t extra = 0; /* the bytes arguments given as bytes, copied: the caller's may not last */
    for (int i = 0; bytes && i < he->nargs; i++)
        if (bytes[i] && he->args[i].kind == HOC_K_BYTES) extra += he->args[i].count;
    /* Bounded by count and by bytes: a client's blocks (up to 1 MiB each)
     * wait here until the boundary, and a full queue is back pressure, not
     * memory the process cannot have. */
    bool room = e->nevq < e->max_events && extra <= e->max_event_bytes - e->evq_bytes;
    /* the copies after the QEv are written whole below: zeroing them (calloc)
     * cost a block's memset per op */
    QEv *q = room ? malloc(sizeof *q + extra) : NULL;
    if (q) memset(q, 0, sizeof *q);
    if (!q) {
        if (err) {
            if (e->nevq >= e->max_events)
                snprintf(err, errn, "%d events wait already, the most allowed (max_events)",
                         e->nevq);
            else if (!room)
                snprintf(err, errn,
                         "%zu bytes of event arguments wait already; %zu more would pass the "
                         "bound (max_event_bytes %zu)",
                         e->evq_bytes, extra, e->max_event_bytes);
            else
                snprintf(err, errn, "%d events wait already and memory ran out", e->nevq);
        }
        e->st.events_refused++;
        return HOC_EVENT_FULL;
    }
    q->tag = tag, q->ev = ev, q->extra = extra;
    memcpy(q->args, args ? args : q->args, sizeof *args * (size_t)he->nargs);
    uint8_t *at = (uint8_t *)(q + 1);
    for (int i = 0; bytes && i < he->nargs; i++) {
        if (!bytes[i] || he->args[i].kind != HOC_K_BYTES) continue;
        memcpy(at, bytes[i], he->args[i].count);
        q->bytes[i] = at;
        at += he->args[i].count;
    }
    if (I->evq_tail)
        I->evq_tail->next = q;
    else
        I->evq = q;
    I->evq_tail = q;
    e->nevq++;
    e->evq_bytes += extra;
    wake(e, I, e->now); /* it runs at a phase boundary: the rounds must end */
    return HOC_EVENT_QUEUED;
}

int hoc_engine_events_queued(const hoc_engine *e)
{
    return e->nevq;
}

bool hoc_engine_joining(const hoc_engine *e, uint64_t inst)
{
    Inst *I = find(e, inst);
    return I && I->joining;
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

/* A joining replacement learns its peers' round and begins it there; false
 * when the instance ended at once (I is then gone). */
static bool join_at(hoc_engine *e, Inst *I, int64_t round, uint64_t now)
{
    I->joining = false;
    replace_at(e, I, round);
    if (ended(e, I)) return false;
    begin(e, I, now);
    return true;
}

int hoc_engine_receive(hoc_engine *e, int from, uint64_t inst, int64_t round,
                       const uint8_t *payload, size_t len, uint64_t now)
{
    if (from < 0 || from >= e->n || from == e->id || round < 0) return HOC_RX_BAD;
    const hoc_round *rd = &e->a->rounds[round % e->a->nrounds];
    /* A message no step can hear (for a round the instance has left, or a
     * second one from its sender) is dropped before it is unpacked or
     * decoded: a machine that falls behind its input (a restarted Amalgam
     * machine under 100 MB of snapshots) spent a copy and a decode of each
     * 128 KiB block it then dropped, which kept it behind. */
    e->now = now;
    Inst *I = find(e, inst);
    if (I && !I->joining) {
        wake(e, I, now); /* a peer's message, even a late one: the instance is not idle */
        bool late = round < I->round;
        bool dup = !late && round <= I->round + 1 &&
                   hoc_set_has(round == I->round ? I->from : I->from1, from);
        if (late || dup) {
            e->st.msgs_in++; /* received, though not decoded */
            if (late) {
                drop(e, &e->st.late, from, inst, round, HOC_DROP_LATE);
                nudge_back(e, I, from);
            } else
                drop(e, &e->st.dup, from, inst, round, HOC_DROP_DUP);
            return HOC_RX_OK;
        }
    }
    if (e->o.zero_runs) {
        long u = hoc_zrun_unpack(payload, len, e->zin, e->wire_cap);
        if (u < 0) return HOC_RX_BAD;
        payload = e->zin, len = (size_t)u;
    }
    /* Decoding straight into a clear slot saves copying each block once
     * more, and the decoder writes only its nonzero pieces (hoc_zero), so
     * the pages of a mostly-zero block are never touched. */
    uint8_t *slot = direct_slot(e, I, from, round);
    if (!slot && !rd->copy)
        memset(e->scratch, 0, rd->msg_size); /* else decode zeroes what place reads */
    int used = rd->decode(slot ? slot : e->scratch, payload, len);
    if (used < 0 || (size_t)used != len) {
        if (slot) hoc_zero(slot, rd->msg_size); /* clear again, as it was */
        return HOC_RX_BAD;
    }
    e->st.msgs_in++;
    if (slot) {
        bool next = round == I->round + 1;
        heard(I, from, rd, next);
        if (next) {
            e->st.future++;
            add_pending(e, I);
        } else {
            progress(e, I, now);
        }
        return HOC_RX_OK;
    }
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
        if (!(I = create(e, inst, NULL, NULL, false))) {
            drop(e, &e->st.dropped_full, from, inst, round, HOC_DROP_FULL);
            return HOC_RX_OK;
        }
        /* the decode scratch is intact: create does not touch it */
        if (launch(e, I, 0, now)) progress(e, I, now);
        if (!(I = find(e, inst))) return HOC_RX_OK;
    }
    if (I->joining && !join_at(e, I, round, now)) return HOC_RX_OK;
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
    wake(e, I, now); /* the round it caught up to or joined may have begun asleep */
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

bool hoc_engine_hurry(hoc_engine *e, uint64_t inst, int64_t round, uint64_t now)
{
    e->now = now;
    Inst *I = find(e, inst);
    /* quiet and joining instances run no timers: they wait for their peers */
    if (!I || I->quiet || I->joining) return false;
    if (round == I->round)
        I->asleep = false; /* it ends now: no timer to arm */
    else
        wake(e, I, now);
    /* the hurrying peer is one round ahead (this process has not ended the
     * round before yet, e.g. it waits for that one's timeout): its messages
     * of the hurried round came first on the connection, so the round ends
     * once begun, with them */
    if (round == I->round + 1) I->hurry_next = true;
    if (I->round != round) return false;
    if (!I->timed_out) {
        I->timed_out = true;
        e->st.hurried++;
    }
    progress(e, I, now);
    return true;
}

void hoc_engine_tick(hoc_engine *e, uint64_t now)
{
    e->now = now;
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
    e->now = now;
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

bool hoc_engine_wake(hoc_engine *e, uint64_t inst, uint64_t now)
{
    e->now = now;
    Inst *I = find(e, inst);
    if (!I || !I->asleep) return false;
    wake(e, I, now);
    return true;
}

bool hoc_engine_asleep(const hoc_engine *e, uint64_t inst)
{
    Inst *I = find(e, inst);
    return I && I->asleep;
}

bool hoc_engine_nudge(hoc_engine *e, uint64_t inst, int64_t round, uint64_t now)
{
    e->now = now;
    Inst *I = find(e, inst);
    if (!I || round < 0) return false;
    if (I->joining) { /* as a peer's message of that round would (hoc_engine_receive) */
        e->st.nudged++;
        if (join_at(e, I, round, now)) progress(e, I, now);
        return true;
    }
    if (round <= I->round || round - I->round > HOC_ENGINE_MAX_JUMP) return false;
    e->st.nudged++;
    e->st.catchups++;
    if (jump(e, I, round, now)) progress(e, I, now);
    return true;
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
