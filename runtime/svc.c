/* svc.c: the service layer (see svc.h): the engine's callbacks, the
 * transport's frames, the round timer, start-up checks, /metrics counters. */
#include "svc.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "buf.h"
#include "clock.h"
#include "metrics.h"
#include "params.h"
#include "stack.h"
#include "value.h"
#include "wire.h"
#include "zrun.h"

struct hoc_svc {
    hoc_svc_opts o;
    hoc_svc_io io;
    int64_t params[HOC_MAXPARAMS];
    struct event_base *base;
    hoc_engine *eng;
    hoc_net *net;
    hoc_ledger *ledger;
    struct event *timer;
    uint64_t armed;       /* the deadline the timer is set for; UINT64_MAX: none */
    uint64_t ledger_full; /* decisions not recorded: out of memory */
    /* round messages held until the service's stable storage covers them:
     * (to i32, inst u64, round i64, len u32, payload) each, in order */
    hoc_buf held;
    bool holding;       /* the round being begun is held (io.sending said so) */
    uint64_t held_msgs; /* held now */
    uint64_t discarded; /* held and never sent (hoc_svc_discard_held) */
    bool mute;          /* storage failed: nothing the engine sends leaves (hoc_svc_discard_held) */
    /* with io.idle: replacements waiting to join, asking their peers' round
     * (WHERE) every WHERE_US until they do, since sleeping peers send nothing */
    uint64_t *joiners;
    size_t njoiners, capjoiners;
    struct event *where;
    uint64_t told; /* ROUND frames sent: to a peer behind, or that asked */
};

/* How often a joining replacement asks its peers' round again. */
#define WHERE_US 100000

/* ---- the engine's side ---- */
enum { HELD_MSG = 0, HELD_DECISION = 1, HELD_HDR = 28 };

/* Must what is sent now wait for the service's stable storage? Once one
 * frame waits, every later one does too, so that a peer never gets a
 * round's messages ahead of the previous round's. */
static bool holding(const hoc_svc *s)
{
    return s->holding || s->held.n > 0;
}

/* Keeps a frame for hoc_svc_release: (to u32, kind u32, inst u64, round or
 * flags u64, len u32, payload). */
static void hold(hoc_svc *s, int to, uint32_t kind, uint64_t inst, uint64_t arg, const uint8_t *p,
                 size_t len)
{
    uint8_t h[HELD_HDR];
    hoc_put_u32(h, (uint32_t)to);
    hoc_put_u32(h + 4, kind);
    hoc_put_u64(h + 8, inst);
    hoc_put_u64(h + 16, arg);
    hoc_put_u32(h + 24, (uint32_t)len);
    hoc_buf_put(&s->held, (const char *)h, sizeof h);
    hoc_buf_put(&s->held, (const char *)p, len);
    s->held_msgs++;
}

static void io_send(void *ctx, int to, uint64_t inst, int64_t round, const uint8_t *p, size_t len)
{
    hoc_svc *s = ctx;
    if (s->mute)
        s->discarded++;
    else if (!holding(s))
        hoc_net_send_msg(s->net, to, inst, round, p, len);
    else
        hold(s, to, HELD_MSG, inst, (uint64_t)round, p, len);
}

static void io_begin(void *ctx, uint64_t inst, int64_t round, const void *state)
{
    hoc_svc *s = ctx;
    s->holding = s->io.sending && s->io.sending(s->io.ctx, inst, round, state);
    if (s->holding) hoc_net_kick(s->net); /* an iteration in which the service syncs */
}

static void io_restore(void *ctx, uint64_t inst, void *state)
{
    hoc_svc *s = ctx;
    if (s->io.restore) s->io.restore(s->io.ctx, inst, state);
}

static void io_send_decision(void *ctx, int to, uint64_t inst, uint32_t flags, const uint8_t *v,
                             size_t len)
{
    hoc_svc *s = ctx;
    if (s->mute) /* a decision in the ledger may be one the disk never got */
        s->discarded++;
    else if (!holding(s))
        hoc_net_send_decision(s->net, to, inst, flags, v, len);
    else /* a decision reached here stands for the state it came from */
        hold(s, to, HELD_DECISION, inst, flags, v, len);
}

static void io_decided(void *ctx, uint64_t inst, const uint8_t *v, size_t len, int from)
{
    hoc_svc *s = ctx;
    if (hoc_ledger_decide(s->ledger, inst, v, len) < 0) s->ledger_full++;
    hoc_log(&s->o.log, HOC_LOG_DEBUG, "instance %" PRIu64 " decided%s", inst,
            from >= 0 ? " (forwarded)" : "");
    if (s->io.decided) s->io.decided(s->io.ctx, inst, v, len, from);
}

static void io_output(void *ctx, uint64_t inst, int64_t round, const void *outputs)
{
    hoc_svc *s = ctx;
    if (s->io.output) s->io.output(s->io.ctx, inst, round, outputs);
}

static void io_event_done(void *ctx, uint64_t inst, int64_t round, uint64_t tag, int ev, bool ran,
                          const void *outputs)
{
    hoc_svc *s = ctx;
    if (!ran)
        hoc_log(&s->o.log, HOC_LOG_DEBUG,
                "event %s (tag %" PRIu64 ") of instance %" PRIu64 " dropped unrun: it ended",
                s->o.algo->events[ev].name, tag, inst);
    if (s->io.event_done) s->io.event_done(s->io.ctx, inst, round, tag, ev, ran, outputs);
}

static void io_finished(void *ctx, uint64_t inst, bool decided)
{
    hoc_svc *s = ctx;
    if (!decided) hoc_ledger_end(s->ledger, inst);
    if (s->io.finished) s->io.finished(s->io.ctx, inst, decided);
}

static hoc_inst_status io_lookup(void *ctx, uint64_t inst, const uint8_t **v, size_t *len)
{
    hoc_svc *s = ctx;
    hoc_inst_status st = hoc_ledger_get(s->ledger, inst, v, len);
    if (st == HOC_INST_NEW && s->io.admit && !s->io.admit(s->io.ctx, inst)) st = HOC_INST_IGNORE;
    return st;
}

static void io_inputs(void *ctx, uint64_t inst, int64_t *ints, const uint8_t **bytes)
{
    hoc_svc *s = ctx;
    s->io.inputs(s->io.ctx, inst, ints, bytes);
}

static bool io_idle(void *ctx, uint64_t inst, int64_t round, const void *state)
{
    hoc_svc *s = ctx;
    return s->io.idle(s->io.ctx, inst, round, state);
}

static void io_nudge(void *ctx, int to, uint64_t inst, int64_t round)
{
    hoc_svc *s = ctx;
    hoc_net_send_round(s->net, to, inst, round);
    s->told++;
}

static void io_dropped(void *ctx, int from, uint64_t inst, int64_t round, hoc_drop why)
{
    static const char *const reasons[] = {[HOC_DROP_LATE] = "late",
                                          [HOC_DROP_DUP] = "a duplicate",
                                          [HOC_DROP_FULL] = "beyond the live-instance bound",
                                          [HOC_DROP_IGNORED] = "an instance not run here",
                                          [HOC_DROP_DECISION] = "known already",
                                          [HOC_DROP_UNENCODABLE] = "the encoder refused it",
                                          [HOC_DROP_FAR] = "too many rounds ahead"};
    hoc_svc *s = ctx;
    if (why == HOC_DROP_DECISION)
        hoc_log(&s->o.log, HOC_LOG_DEBUG,
                "dropped the decision of instance %" PRIu64 " from %d: known already", inst, from);
    else
        hoc_log(&s->o.log, HOC_LOG_DEBUG,
                "dropped the round %" PRId64 " message of instance %" PRIu64 " from %d: %s", round,
                inst, from, reasons[why]);
}

/* ---- the transport's side ---- */
static int on_frame(void *ctx, int peer, const hoc_frame *f)
{
    hoc_svc *s = ctx;
    switch (f->type) {
    case HOC_F_MSG:
        return hoc_engine_receive(s->eng, peer, f->instance, f->round, f->payload, f->payload_len,
                                  hoc_now_us());
    case HOC_F_DECISION:
        return hoc_engine_decision(s->eng, peer, f->instance, f->flags, f->payload, f->payload_len);
    case HOC_F_DONE:
        if (s->io.peer_done) s->io.peer_done(s->io.ctx, peer);
        return 0;
    case HOC_F_APP:
        return s->io.app ? s->io.app(s->io.ctx, peer, f->payload, f->payload_len) : 0;
    case HOC_F_HURRY:
        hoc_engine_hurry(s->eng, f->instance, f->round, hoc_now_us());
        return 0;
    case HOC_F_WHERE: {
        int64_t r = hoc_engine_round(s->eng, f->instance);
        if (r >= 0 && !hoc_engine_joining(s->eng, f->instance)) io_nudge(s, peer, f->instance, r);
        return 0;
    }
    case HOC_F_ROUND:
        hoc_engine_nudge(s->eng, f->instance, f->round, hoc_now_us());
        return 0;
    default:
        return -1;
    }
}

/* Asks every peer which round inst is in (WHERE): their ROUND answer joins it. */
static void ask_where(hoc_svc *s, uint64_t inst)
{
    for (int q = 0; q < s->o.peers->n; q++)
        if (q != s->o.id) hoc_net_send_where(s->net, q, inst);
}

/* Asks the joiners again in WHERE_US. */
static void arm_where(hoc_svc *s)
{
    struct timeval tv = {0, WHERE_US};
    event_add(s->where, &tv);
}

/* Asks again for the replacements still joining; forgets the others. */
static void where_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    hoc_svc *s = arg;
    size_t k = 0;
    for (size_t i = 0; i < s->njoiners; i++) {
        if (!hoc_engine_joining(s->eng, s->joiners[i])) continue;
        ask_where(s, s->joiners[i]);
        s->joiners[k++] = s->joiners[i];
    }
    s->njoiners = k;
    if (k) {
        arm_where(s);
        hoc_net_kick(s->net);
    }
}

/* A replacement waits to join inst: ask now, and until it joins. Out of
 * memory it asks once: peers that wake it still join it. */
static void add_joiner(hoc_svc *s, uint64_t inst)
{
    ask_where(s, inst);
    if (s->njoiners == s->capjoiners) {
        size_t cap = s->capjoiners ? s->capjoiners * 2 : 16;
        uint64_t *j = realloc(s->joiners, cap * sizeof *j);
        if (!j) return;
        s->joiners = j, s->capjoiners = cap;
    }
    s->joiners[s->njoiners++] = inst;
    if (!event_pending(s->where, EV_TIMEOUT, NULL)) arm_where(s);
}

static void arm_timer(hoc_svc *s)
{
    uint64_t next = hoc_engine_next_deadline(s->eng);
    if (next == s->armed) return;
    s->armed = next;
    if (next == UINT64_MAX) {
        event_del(s->timer);
        return;
    }
    uint64_t now = hoc_now_us(), d = next > now ? next - now : 0;
    struct timeval tv = {(time_t)(d / 1000000), (suseconds_t)(d % 1000000)};
    event_add(s->timer, &tv);
}

static void on_iteration(void *ctx)
{
    hoc_svc *s = ctx;
    uint64_t now = hoc_now_us();
    hoc_engine_settle(s->eng, now);
    if (s->io.iteration) s->io.iteration(s->io.ctx, now);
    arm_timer(s);
}

static void timer_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    hoc_svc *s = arg;
    s->armed = UINT64_MAX - 1; /* fired: re-arm whatever comes next */
    hoc_engine_tick(s->eng, hoc_now_us());
    hoc_net_kick(s->net);
}

/* ---- set-up ---- */
/* Can the algorithm run here: every message and the decision fit in a
 * frame, and max_live instances in the memory budget? 0, or -1 with err. */
static int fits(const hoc_svc_opts *o, char *err, size_t errn)
{
    const hoc_algo *a = o->algo;
    for (int r = 0; r < a->nrounds; r++)
        if (a->rounds[r].wire_max + (o->zero_runs ? HOC_ZRUN_SLACK : 0) > HOC_WIRE_MAX_PAYLOAD) {
            snprintf(err, errn,
                     "round %s's message takes up to %zu bytes, more than a frame carries (%d): "
                     "make it smaller",
                     a->rounds[r].name, a->rounds[r].wire_max, HOC_WIRE_MAX_PAYLOAD);
            return -1;
        }
    int d = hoc_engine_decide_output(a);
    if (d >= 0 && hoc_value_max(&a->outputs[d]) > HOC_WIRE_MAX_VALUE) {
        snprintf(err, errn, "a decision takes up to %zu bytes, more than a frame carries (%d)",
                 hoc_value_max(&a->outputs[d]), HOC_WIRE_MAX_VALUE);
        return -1;
    }
    uint64_t budget = o->memory ? o->memory : HOC_SVC_MEMORY;
    uint64_t each = hoc_engine_instance_bytes(a);
    if (each > budget / (uint64_t)o->max_live) {
        snprintf(err, errn,
                 "an instance of %s takes %" PRIu64 " bytes (its state and mailboxes for %d "
                 "processes); %d live instances need %.1f MiB, more than the %.1f MiB allowed: "
                 "lower the live-instance bound, build with a smaller --maxn, or allow more memory",
                 a->name, each, a->maxn, o->max_live, (double)each * o->max_live / 1048576.0,
                 (double)budget / 1048576.0);
        return -1;
    }
    return 0;
}

static int open_engine(hoc_svc *s, char *err, size_t errn)
{
    const hoc_svc_opts *o = &s->o;
    hoc_engine_opts eo = {.max_live = o->max_live,
                          .forward = o->forward,
                          .seed = o->seed,
                          .max_events = o->max_events,
                          .zero_runs = o->zero_runs};
    hoc_engine_io io = {.ctx = s,
                        .send = io_send,
                        .send_decision = io_send_decision,
                        .decided = io_decided,
                        .output = io_output,
                        .finished = io_finished,
                        .lookup = io_lookup,
                        .inputs = io_inputs,
                        .dropped = io_dropped,
                        /* none when the service has none: the engine then knows a
                         * new state is init's (engine.c, replace_copy) */
                        .restore = s->io.restore ? io_restore : NULL,
                        .begin = io_begin,
                        .event_done = io_event_done,
                        .idle = s->io.idle ? io_idle : NULL,
                        .nudge = s->io.idle ? io_nudge : NULL};
    s->eng = hoc_engine_new(o->algo, o->id, s->params, &eo, &io);
    s->ledger = hoc_ledger_new();
    s->timer = event_new(s->base, -1, 0, timer_cb, s);
    s->where = event_new(s->base, -1, 0, where_cb, s);
    if (!s->eng || !s->ledger || !s->timer || !s->where) {
        snprintf(err, errn, "cannot set up the round engine");
        return -1;
    }
    event_priority_set(s->timer, 0);
    return 0;
}

hoc_svc *hoc_svc_new(struct event_base *base, const hoc_svc_opts *o, const hoc_svc_io *io,
                     char *err, size_t errn)
{
    if (!o->algo || o->algo->abi != HOC_ABI_VERSION || !io->inputs || o->max_live < 1 ||
        o->algo->nparams > HOC_MAXPARAMS) {
        snprintf(err, errn, "the algorithm was compiled for another runtime ABI");
        return NULL;
    }
    if (fits(o, err, errn) || hoc_stack_fit(o->algo, err, errn)) return NULL;
    hoc_svc *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errn, "out of memory");
        return NULL;
    }
    s->o = *o, s->io = *io, s->base = base, s->armed = UINT64_MAX;
    memcpy(s->params, o->params, sizeof *s->params * (size_t)o->algo->nparams);
    s->o.params = s->params;
    if (open_engine(s, err, errn)) {
        hoc_svc_free(s);
        return NULL;
    }
    hoc_net_opts no = {.id = o->id,
                       .peers = o->peers,
                       .secret = o->secret,
                       .secret_len = o->secret_len,
                       .algo = hoc_wire_algo_tag(o->algo->name, o->algo->abi),
                       .params = hoc_wire_params_tag(s->params, o->algo->nparams),
                       .drop = o->drop,
                       .delay_us = o->delay_us,
                       .test_unsealed = o->test_unsealed,
                       .greeting = o->greeting,
                       .greeting_len = o->greeting_len,
                       .greeters = o->greeters,
                       .mux = o->mux,
                       .mux_proc = o->mux_proc,
                       .seed = o->seed,
                       .log = o->log};
    hoc_net_cb cb = {s, on_frame, on_iteration};
    if (!(s->net = hoc_net_new(base, &no, &cb))) { /* which logged why */
        snprintf(err, errn, "cannot set up the transport on %s:%d", o->peers->p[o->id].host,
                 o->peers->p[o->id].port);
        hoc_svc_free(s);
        return NULL;
    }
    return s;
}

void hoc_svc_free(hoc_svc *s)
{
    if (!s) return;
    hoc_net_free(s->net);
    hoc_engine_free(s->eng);
    hoc_ledger_free(s->ledger);
    if (s->timer) event_free(s->timer);
    if (s->where) event_free(s->where);
    free(s->joiners);
    hoc_buf_free(&s->held);
    free(s);
}

void hoc_svc_release(hoc_svc *s)
{
    hoc_svc_release_upto(s, s->held.n);
}

size_t hoc_svc_held_mark(const hoc_svc *s)
{
    return s->held.n;
}

void hoc_svc_release_upto(hoc_svc *s, size_t mark)
{
    if (mark > s->held.n) mark = s->held.n;
    const uint8_t *p = (const uint8_t *)s->held.p, *end = p + mark;
    while (p + HELD_HDR <= end) {
        uint32_t len = hoc_get_u32(p + 24);
        int to = (int)hoc_get_u32(p);
        if (hoc_get_u32(p + 4) == HELD_DECISION)
            hoc_net_send_decision(s->net, to, hoc_get_u64(p + 8), (uint32_t)hoc_get_u64(p + 16),
                                  p + HELD_HDR, len);
        else
            hoc_net_send_msg(s->net, to, hoc_get_u64(p + 8), (int64_t)hoc_get_u64(p + 16),
                             p + HELD_HDR, len);
        p += HELD_HDR + len;
        s->held_msgs--;
    }
    if (mark) memmove(s->held.p, s->held.p + mark, s->held.n - mark); /* p is NULL if never held */
    s->held.n -= mark;
    if (s->held.n == 0) s->holding = false, s->held_msgs = 0;
    if (mark) hoc_net_kick(s->net);
}

void hoc_svc_discard_held(hoc_svc *s)
{
    s->mute = true;
    s->holding = false;
    s->discarded += s->held_msgs;
    s->held.n = 0, s->held_msgs = 0;
}

void hoc_svc_hold(hoc_svc *s)
{
    s->holding = true;
    hoc_net_kick(s->net); /* an iteration in which the service syncs */
}

uint64_t hoc_svc_held(const hoc_svc *s)
{
    return s->held_msgs;
}

/* ---- what a service does ---- */
hoc_start_result hoc_svc_start(hoc_svc *s, uint64_t inst, int64_t round, const int64_t *ints,
                               const uint8_t *const *bytes)
{
    hoc_start_result r = hoc_engine_start_at(s->eng, inst, round, ints, bytes, hoc_now_us());
    if (r == HOC_START_OK) hoc_net_kick(s->net); /* arm its timer, flush its messages */
    return r;
}

hoc_start_result hoc_svc_resume(hoc_svc *s, uint64_t inst, int64_t round, const void *state)
{
    hoc_start_result r = hoc_engine_resume(s->eng, inst, round, state, hoc_now_us());
    if (r == HOC_START_OK) hoc_net_kick(s->net);
    return r;
}

hoc_start_result hoc_svc_start_replaced(hoc_svc *s, uint64_t inst, int64_t round,
                                        const int64_t *ints, const uint8_t *const *bytes)
{
    hoc_start_result r = hoc_engine_start_replaced(s->eng, inst, round, ints, bytes, hoc_now_us());
    if (r == HOC_START_OK && s->io.idle && hoc_engine_joining(s->eng, inst)) add_joiner(s, inst);
    if (r == HOC_START_OK) hoc_net_kick(s->net);
    return r;
}

hoc_event_result hoc_svc_event(hoc_svc *s, uint64_t inst, int ev, const int64_t *args,
                               const uint8_t *const *bytes, uint64_t tag, char *err, size_t errn)
{
    bool slept = hoc_engine_asleep(s->eng, inst);
    hoc_event_result r = hoc_engine_event(s->eng, inst, ev, args, bytes, tag, err, errn);
    if (slept && r == HOC_EVENT_QUEUED) hoc_net_kick(s->net); /* arm the round timer it woke */
    return r;
}

int64_t hoc_svc_hurry(hoc_svc *s, uint64_t inst, hoc_set peers)
{
    int64_t r = hoc_engine_round(s->eng, inst);
    if (r < 0) return -1;
    /* the peers first: ending the round here may send the next round's
     * messages, and a peer that sees those catches up anyway */
    for (int q = 0; q < s->o.peers->n; q++)
        if (q != s->o.id && hoc_set_has(peers, q)) hoc_net_send_hurry(s->net, q, inst, r);
    hoc_engine_hurry(s->eng, inst, r, hoc_now_us());
    hoc_net_kick(s->net);
    return r;
}

void hoc_svc_send_app(hoc_svc *s, int to, const uint8_t *p, size_t len)
{
    for (int q = 0; q < s->o.peers->n; q++)
        if (q != s->o.id && (to < 0 || q == to)) hoc_net_send_app(s->net, q, p, len);
}

void hoc_svc_send_done(hoc_svc *s)
{
    for (int q = 0; q < s->o.peers->n; q++)
        if (q != s->o.id) hoc_net_send_done(s->net, q);
    hoc_net_kick(s->net);
}

void hoc_svc_kick(hoc_svc *s)
{
    hoc_net_kick(s->net);
}

void hoc_svc_flush(hoc_svc *s)
{
    hoc_net_flush_now(s->net);
}

uint64_t hoc_svc_told(const hoc_svc *s)
{
    return s->told;
}

hoc_engine *hoc_svc_engine(const hoc_svc *s)
{
    return s->eng;
}
hoc_net *hoc_svc_net(const hoc_svc *s)
{
    return s->net;
}
hoc_ledger *hoc_svc_ledger(const hoc_svc *s)
{
    return s->ledger;
}
int hoc_svc_id(const hoc_svc *s)
{
    return s->o.id;
}
int hoc_svc_n(const hoc_svc *s)
{
    return s->o.peers->n;
}

/* ---- /metrics ---- */
/* One counter or gauge, read from a service. */
typedef struct Family {
    const char *name, *type, *help;
    uint64_t (*get)(const hoc_svc *s);
} Family;

#define ENG(f)                                                                                     \
    static uint64_t eng_##f(const hoc_svc *s)                                                      \
    {                                                                                              \
        return hoc_engine_get_stats(s->eng)->f;                                                    \
    }
#define NET(f)                                                                                     \
    static uint64_t net_##f(const hoc_svc *s)                                                      \
    {                                                                                              \
        return hoc_net_get_stats(s->net)->f;                                                       \
    }
ENG(rounds)
ENG(timeouts)
ENG(catchups)
ENG(catchup_rounds)
ENG(msgs_sent)
ENG(msgs_in)
ENG(late)
ENG(future)
ENG(dropped_full)
ENG(dup)
ENG(dropped_ignored)
ENG(unencodable)
ENG(far)
ENG(decisions_ignored)
ENG(decided_learned)
ENG(quiet_evicted)
ENG(events_run)
ENG(events_lost)
ENG(events_refused)
ENG(replaced)
ENG(hurried)
ENG(slept)
ENG(woken)
ENG(nudged)
NET(frames_in)
NET(frames_out)
NET(dropped_unconnected)
NET(dropped_overflow)
NET(dropped_oversize)
NET(dropped_closed)
NET(bytes_in)
NET(bytes_out)
NET(bad_frames)
NET(auth_failures)
NET(tampered)
NET(greetings_refused)
NET(mismatches)
NET(dropped_injected)
static uint64_t live(const hoc_svc *s)
{
    return (uint64_t)hoc_engine_live(s->eng);
}
static uint64_t peers(const hoc_svc *s)
{
    return (uint64_t)hoc_net_ready_count(s->net);
}
static uint64_t remembered(const hoc_svc *s)
{
    return hoc_ledger_count(s->ledger);
}
static uint64_t ledger_full(const hoc_svc *s)
{
    return s->ledger_full;
}

static const Family families[] = {
    {"rounds_total", "counter", "Rounds ended (updates run).", eng_rounds},
    {"timeouts_total", "counter", "Rounds whose timeout passed.", eng_timeouts},
    {"catchups_total", "counter", "Jumps to a later round seen from a peer.", eng_catchups},
    {"catchup_rounds_total", "counter", "Rounds run with an empty mailbox while catching up.",
     eng_catchup_rounds},
    {"messages_out_total", "counter", "Round messages sent.", eng_msgs_sent},
    {"messages_in_total", "counter", "Round messages received.", eng_msgs_in},
    {"messages_late_total", "counter", "Messages for an earlier round, dropped.", eng_late},
    {"messages_future_total", "counter", "Messages buffered for the next round.", eng_future},
    {"messages_dropped_total", "counter", "Messages dropped at the live-instance bound.",
     eng_dropped_full},
    {"messages_duplicate_total", "counter",
     "Second messages from one sender for one round, dropped.", eng_dup},
    {"messages_ignored_total", "counter",
     "Messages for an instance not run here (ended undecided, forgotten, or not admitted), "
     "dropped.",
     eng_dropped_ignored},
    {"messages_unencodable_total", "counter",
     "Round messages the algorithm's encoder refused, not sent.", eng_unencodable},
    {"messages_far_total", "counter",
     "Messages more than 2^20 rounds ahead of their instance, dropped.", eng_far},
    {"decisions_ignored_total", "counter",
     "Forwarded decisions of instances already decided or ended here.", eng_decisions_ignored},
    {"quiet_evicted_total", "counter",
     "Decided instances freed at the live-instance bound before every peer had decided.",
     eng_quiet_evicted},
    {"events_total", "counter", "Events handed to an instance at a phase boundary.",
     eng_events_run},
    {"events_lost_total", "counter",
     "Queued events dropped unrun: their instance ended (or halted) first.", eng_events_lost},
    {"events_refused_total", "counter",
     "Events refused when queued: instance not live, argument out of range, queue full.",
     eng_events_refused},
    {"replaced_total", "counter", "Instances started here by replacement.", eng_replaced},
    {"hurried_total", "counter",
     "Rounds ended before their timeout by a hurry (an event at an idle instance, here or at "
     "a peer).",
     eng_hurried},
    {"rounds_slept_total", "counter",
     "Rounds begun asleep: silent and idle (the service allows it), no timer until woken.",
     eng_slept},
    {"rounds_woken_total", "counter",
     "Sleeping rounds woken by a peer's message, a hurry, an event or the service.", eng_woken},
    {"rounds_nudged_total", "counter",
     "Instances caught up to, or joined at, a round a peer named (ROUND frame).", eng_nudged},
    {"nudges_sent_total", "counter",
     "ROUND frames sent to a peer behind (its message came late) or that asked (WHERE).",
     hoc_svc_told},
    {"decisions_unrecorded_total", "counter",
     "Decisions the ledger could not keep (out of memory): not forwarded to late peers.",
     ledger_full},
    {"frames_in_total", "counter", "Frames received.", net_frames_in},
    {"frames_out_total", "counter", "Frames queued for sending.", net_frames_out},
    {"frames_unsent_total", "counter",
     "Frames dropped because the connection with the peer was not ready.", net_dropped_unconnected},
    {"frames_overflow_total", "counter",
     "Frames dropped because too much was queued for a peer that does not read.",
     net_dropped_overflow},
    {"frames_oversize_total", "counter", "Frames too long to send, dropped.", net_dropped_oversize},
    {"frames_lost_total", "counter", "Frames held by --delay whose connection closed meanwhile.",
     net_dropped_closed},
    {"bytes_in_total", "counter", "Bytes received.", net_bytes_in},
    {"bytes_out_total", "counter", "Bytes queued for sending.", net_bytes_out},
    {"bad_frames_total", "counter", "Connections closed for a bad frame.", net_bad_frames},
    {"auth_failures_total", "counter", "Connections that failed authentication.",
     net_auth_failures},
    {"frames_tampered_total", "counter",
     "Connections closed for a frame that failed authentication (tampering on the path).",
     net_tampered},
    {"greetings_refused_total", "counter",
     "New connections of a greeting peer closed for their greeting (refused, missing, late); "
     "its older connection stayed.",
     net_greetings_refused},
    {"cluster_mismatches_total", "counter",
     "Connections refused because the peer runs another algorithm, n or parameters.",
     net_mismatches},
    {"fault_drops_total", "counter", "Messages dropped by --drop.", net_dropped_injected},
    {"decisions_forwarded_total", "counter", "Decisions learned from a peer.", eng_decided_learned},
    {"live_instances", "gauge", "Instances running now.", live},
    {"peers_connected", "gauge", "Peers with an authenticated connection.", peers},
    {"ledger_instances", "gauge", "Ended instances remembered (decisions kept for late peers).",
     remembered},
};

void hoc_svc_render_metrics(struct evbuffer *b, hoc_svc *const *svcs, int nsvcs)
{
    uint64_t v[64];
    int n = nsvcs < 64 ? nsvcs : 64;
    for (size_t f = 0; f < sizeof families / sizeof *families; f++) {
        for (int i = 0; i < n; i++)
            v[i] = families[f].get(svcs[i]);
        hoc_metrics_family(b, families[f].name, families[f].type, families[f].help, v, n, "group");
    }
}
