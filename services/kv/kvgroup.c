/* kvgroup.c: one replica of one hoc-kv group (see kvgroup.h): the leader's
 * batching and slots, forwarding, applying the log in order, failure
 * detection, missing slots and retries. */
#include "kvgroup.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "hoc_rt.h"
#include "wire.h"

/* The service frames replicas of a group exchange (first byte). */
enum { APP_FWD = 1, APP_START = 2 };

#define SUSPECT_US 300000 /* a leader unreachable this long is replaced */
#define SETTLE_US 200000  /* a replica that starts as leader first listens this long */
#define GRACE_US 2000000  /* at start-up, peers may come up this much later than us */
#define GAP_US 20000      /* a slot missing this long below a decided one is fetched */
#define RETRY_US 5000000  /* a command not applied this long after it was sent is sent again */
#define CATCHUP 64        /* missing slots fetched at once */
#define AHEAD (1u << 20)  /* slots beyond the next to apply a peer may start here */

/* A command of this replica's client, sent and not yet applied here. */
typedef struct Pending {
    struct Pending *prev, *next; /* in the order sent first */
    struct Pending *hnext;       /* hash chain by (client, seq) */
    uint64_t client, seq, sent;
    size_t len;
    uint8_t cmd[]; /* encoded */
} Pending;

/* A slot this replica started as leader, with the batch it proposed. */
typedef struct Mine {
    uint64_t slot;
    size_t len;
    uint8_t *batch;
} Mine;

struct kv_group {
    kv_group_opts o;
    kv_group_cb cb;
    hoc_svc *svc;
    kv_store *store;
    int n, id, rounds; /* rounds: of a phase */
    size_t batch;      /* bytes of a slot's value */
    uint8_t *scratch, *build;
    kv_cmd *cmd;
    hoc_buf reply;
    /* the log */
    uint64_t next_apply, max_seen, max_decided, gap_since;
    /* leadership */
    int leader;
    uint64_t term; /* the phase the leader starts its slots in */
    bool leading;
    uint64_t started, lead_after, lost_since, next_slot;
    Mine *mine; /* slots this leader started, not yet decided, in order */
    int nmine;
    /* commands: waiting for a slot (leader), to forward, slots to announce */
    hoc_buf queue, fwd, starts;
    size_t qhead;
    uint32_t nstarts;
    /* this replica's clients' commands not yet applied */
    Pending **ptab, *phead, *ptail;
    size_t pcap, npending;
    kv_group_stats st;
};

/* ---- pending commands ---- */
static size_t pslot(const kv_group *g, uint64_t client, uint64_t seq)
{
    return (size_t)(((client * 0x9e3779b97f4a7c15u) ^ (seq * 0xc2b2ae3d27d4eb4fu)) >> 20) &
           (g->pcap - 1);
}

static Pending **pfind(kv_group *g, uint64_t client, uint64_t seq)
{
    Pending **pp = &g->ptab[pslot(g, client, seq)];
    while (*pp && ((*pp)->client != client || (*pp)->seq != seq))
        pp = &(*pp)->hnext;
    return pp;
}

static void pgrow(kv_group *g)
{
    size_t old = g->pcap;
    Pending **t = calloc(old * 2, sizeof *t);
    if (!t) return; /* longer chains then */
    Pending **ot = g->ptab;
    g->ptab = t, g->pcap = old * 2;
    for (size_t i = 0; i < old; i++)
        for (Pending *p = ot[i], *nx; p; p = nx) {
            nx = p->hnext;
            size_t s = pslot(g, p->client, p->seq);
            p->hnext = t[s];
            t[s] = p;
        }
    free(ot);
}

static void padd(kv_group *g, Pending *p)
{
    if (g->npending >= g->pcap) pgrow(g);
    Pending **pp = pfind(g, p->client, p->seq);
    p->hnext = *pp;
    *pp = p;
    p->prev = g->ptail, p->next = NULL;
    if (g->ptail)
        g->ptail->next = p;
    else
        g->phead = p;
    g->ptail = p;
    g->npending++;
}

static void pdone(kv_group *g, uint64_t client, uint64_t seq)
{
    Pending **pp = pfind(g, client, seq), *p = *pp;
    if (!p) return;
    *pp = p->hnext;
    if (p->prev)
        p->prev->next = p->next;
    else
        g->phead = p->next;
    if (p->next)
        p->next->prev = p->prev;
    else
        g->ptail = p->prev;
    g->npending--;
    free(p);
}

/* ---- sending commands to the leader ---- */
static void flush_fwd(kv_group *g)
{
    if (g->fwd.n <= 1) return;
    if (g->leading || g->leader == g->id) {
        hoc_buf_put(&g->queue, g->fwd.p + 1, g->fwd.n - 1);
    } else {
        hoc_svc_send_app(g->svc, g->leader, (const uint8_t *)g->fwd.p, g->fwd.n);
        g->st.forwarded++;
    }
    g->fwd.n = 0;
}

/* Sends p towards the leader: into its queue if this replica leads. */
static void send_cmd(kv_group *g, Pending *p, uint64_t now)
{
    p->sent = now;
    if (g->leading) {
        hoc_buf_put(&g->queue, (const char *)p->cmd, p->len);
        return;
    }
    if (g->fwd.n + p->len > HOC_WIRE_MAX_APP) flush_fwd(g);
    if (g->fwd.n == 0) hoc_buf_put(&g->fwd, "\x01", 1); /* APP_FWD */
    hoc_buf_put(&g->fwd, (const char *)p->cmd, p->len);
}

size_t kv_group_max_cmd(const kv_group *g)
{
    return g->batch - KV_BATCH_HDR;
}

void kv_group_submit(kv_group *g, uint64_t client, uint64_t seq, kv_op op, uint32_t nargs,
                     const uint8_t *const *args, const size_t *lens)
{
    size_t size = kv_cmd_size(nargs, lens);
    Pending *p = malloc(sizeof *p + size);
    if (!p) return; /* the client never hears back; its connection times out */
    hoc_buf b = {0};
    kv_cmd_encode(&b, client, seq, op, nargs, args, lens);
    memcpy(p->cmd, b.p, size);
    hoc_buf_free(&b);
    p->client = client, p->seq = seq, p->len = size;
    padd(g, p);
    send_cmd(g, p, hoc_now_us());
    hoc_svc_kick(g->svc);
}

/* ---- leading: batches into slots ---- */
/* Fills g->build with commands from the queue; returns the bytes used and
 * sets *take to the queue bytes they came from (0: nothing to send). */
static size_t fill_batch(kv_group *g, size_t *take)
{
    size_t off = KV_BATCH_HDR, q = g->qhead;
    uint32_t count = 0;
    while (q + 4 <= g->queue.n) {
        size_t size = (size_t)hoc_get_u32((const uint8_t *)g->queue.p + q) + 4;
        if (off + size > g->batch) break;
        memcpy(g->build + off, g->queue.p + q, size);
        off += size, q += size, count++;
    }
    *take = q - g->qhead;
    if (!count) return 0;
    kv_batch_header(g->build, (uint32_t)g->id, g->term, count);
    return off;
}

static void announce(kv_group *g, uint64_t slot, int64_t round)
{
    uint8_t e[16];
    hoc_put_u64(e, slot);
    hoc_put_u64(e + 8, (uint64_t)round);
    if (g->starts.n == 0) hoc_buf_put(&g->starts, "\x02", 1); /* APP_START */
    hoc_buf_put(&g->starts, (const char *)e, 16);
    if (g->starts.n + 16 > HOC_WIRE_MAX_APP) {
        hoc_svc_send_app(g->svc, -1, (const uint8_t *)g->starts.p, g->starts.n);
        g->starts.n = 0;
    }
}

/* Starts slots while the pipeline has room and commands wait; each
 * proposed batch is kept until its slot is decided. */
static void start_slots(kv_group *g)
{
    int64_t round = (int64_t)g->term * g->rounds;
    while (g->nmine < g->o.pipeline && g->qhead < g->queue.n) {
        size_t take, used = fill_batch(g, &take);
        if (!used) break;
        if (g->next_slot <= g->max_seen) g->next_slot = g->max_seen + 1;
        if (g->next_slot < g->next_apply) g->next_slot = g->next_apply;
        uint8_t *copy = malloc(used);
        if (!copy) break;
        memcpy(copy, g->build, used);
        int64_t ints[1] = {0};
        const uint8_t *bytes[1] = {g->build};
        hoc_start_result r = hoc_svc_start(g->svc, g->next_slot, round, ints, bytes);
        memset(g->build, 0, used);
        if (r != HOC_START_OK) free(copy);
        if (r == HOC_START_FULL) break;
        uint64_t slot = g->next_slot++;
        if (r == HOC_START_SKIPPED) continue; /* taken meanwhile: the next one */
        g->qhead += take;
        g->mine[g->nmine++] = (Mine){slot, used, copy};
        if (slot > g->max_seen) g->max_seen = slot;
        announce(g, slot, round);
        g->st.batches++;
    }
    if (g->qhead > (1u << 20) && g->qhead * 2 > g->queue.n) { /* drop what was sent */
        memmove(g->queue.p, g->queue.p + g->qhead, g->queue.n - g->qhead);
        g->queue.n -= g->qhead, g->qhead = 0;
    }
}

/* Appends the commands of batch b[0..len) to acc. */
static void batch_cmds(hoc_buf *acc, const uint8_t *b, size_t len)
{
    uint32_t proposer, count;
    uint64_t term;
    size_t off;
    if (!kv_batch_open(b, len, &proposer, &term, &count, &off)) return;
    for (uint32_t i = 0; i < count && off + 4 <= len; i++) {
        size_t size = (size_t)hoc_get_u32(b + off) + 4;
        if (size > len - off) break;
        hoc_buf_put(acc, (const char *)b + off, size);
        off += size;
    }
}

/* Sends the commands in old[0..len) to the leader ahead of everything
 * waiting: they are older than what the queue (or the forwarding buffer)
 * holds, and a client's commands must arrive in order. */
static void resend_first(kv_group *g, const char *old, size_t len)
{
    if (g->leading) {
        hoc_buf q = {0};
        hoc_buf_put(&q, old, len);
        hoc_buf_put(&q, g->queue.p + g->qhead, g->queue.n - g->qhead);
        hoc_buf_free(&g->queue);
        g->queue = q, g->qhead = 0;
        return;
    }
    uint8_t frame[HOC_WIRE_MAX_APP];
    size_t off = 0;
    while (off < len) { /* whole commands, a frame at a time, before g->fwd */
        size_t n = 1;
        frame[0] = APP_FWD;
        while (off < len) {
            size_t size = (size_t)hoc_get_u32((const uint8_t *)old + off) + 4;
            if (n + size > sizeof frame) break;
            memcpy(frame + n, old + off, size);
            n += size, off += size;
        }
        hoc_svc_send_app(g->svc, g->leader, frame, n);
    }
}

/* Slot inst was decided: if it is one this replica started with another
 * value, its batch was lost (another coordinator's value won), and the
 * commands of its later slots would arrive ahead of them: all go to the
 * leader again, in order (the client table drops what takes effect twice). */
static void settle_mine(kv_group *g, uint64_t inst, const uint8_t *v, size_t len)
{
    int k = -1;
    for (int i = 0; i < g->nmine && k < 0; i++)
        if (g->mine[i].slot == inst) k = i;
    if (k < 0) return;
    Mine *m = &g->mine[k];
    bool lost = len != hoc_bytes_used(m->batch, m->len) || memcmp(v, m->batch, len) != 0;
    if (lost) {
        g->st.lost_slots++;
        hoc_buf acc = {0};
        for (int i = 0; i < g->nmine; i++)
            if (g->mine[i].slot >= inst) batch_cmds(&acc, g->mine[i].batch, g->mine[i].len);
        if (acc.n) resend_first(g, acc.p, acc.n);
        hoc_buf_free(&acc);
    }
    free(m->batch);
    memmove(m, m + 1, sizeof *m * (size_t)(g->nmine - k - 1));
    g->nmine--;
}

static void io_iteration(void *ctx, uint64_t now)
{
    kv_group *g = ctx;
    if (!g->leading && g->leader == g->id && now >= g->lead_after) {
        g->leading = true;
        hoc_log(&g->o.log, HOC_LOG_INFO, "group %d: leading in phase %" PRIu64, g->o.gid, g->term);
    }
    flush_fwd(g);
    if (g->leading) start_slots(g);
    if (g->starts.n > 1) hoc_svc_send_app(g->svc, -1, (const uint8_t *)g->starts.p, g->starts.n);
    g->starts.n = 0;
}

/* ---- who leads ---- */
/* Phase `phase` is led by phase % n; a later one than the leader's known so
 * far makes its coordinator the leader, and this replica a follower. */
static void learn_term(kv_group *g, uint64_t phase)
{
    if (phase <= g->term && g->leader >= 0) return;
    int who = (int)(phase % (uint64_t)g->n);
    if (who != g->leader) g->st.leader_changes++;
    if (g->leading && who != g->id)
        hoc_log(&g->o.log, HOC_LOG_INFO, "group %d: %d leads from phase %" PRIu64 ", following",
                g->o.gid, who, phase);
    g->term = phase, g->leader = who, g->lost_since = 0;
    g->leading = g->leading && who == g->id;
}

/* Sends every pending command again, now (the leader changed). */
static void resend_all(kv_group *g, uint64_t now)
{
    for (Pending *p = g->phead; p; p = p->next)
        send_cmd(g, p, now);
}

/* This replica takes over: the next phase it coordinates after the term. */
static void take_over(kv_group *g, uint64_t now)
{
    uint64_t t = g->term + 1;
    while (t % (uint64_t)g->n != (uint64_t)g->id)
        t++;
    g->term = t, g->leader = g->id, g->leading = true, g->lost_since = 0;
    g->st.leader_changes++;
    hoc_log(&g->o.log, HOC_LOG_INFO, "group %d: leader lost; leading from phase %" PRIu64, g->o.gid,
            t);
    if (g->next_slot <= g->max_seen) g->next_slot = g->max_seen + 1;
    /* the slots the old leader left undecided: decided again, in this phase */
    int64_t ints[1] = {0}, round = (int64_t)t * g->rounds;
    for (uint64_t s = g->next_apply; s <= g->max_seen && s < g->next_apply + CATCHUP; s++)
        if (hoc_svc_start(g->svc, s, round, ints, NULL) == HOC_START_OK) announce(g, s, round);
    resend_all(g, now);
}

/* Watches the leader's connection; after SUSPECT_US without it, the next
 * connected replica after it (in id order) leads. */
static void watch_leader(kv_group *g, uint64_t now)
{
    if (g->leader == g->id) return;
    const hoc_net *net = hoc_svc_net(g->svc);
    if (hoc_net_peer_ready(net, g->leader)) {
        g->lost_since = 0;
        return;
    }
    if (!g->lost_since) g->lost_since = now;
    if (now - g->lost_since < SUSPECT_US || now < g->started + GRACE_US) return;
    int c = g->leader;
    for (int k = 1; k <= g->n; k++) {
        c = (g->leader + k) % g->n;
        if (c == g->id || hoc_net_peer_ready(net, c)) break;
    }
    if (c == g->id) {
        take_over(g, now);
        return;
    }
    hoc_log(&g->o.log, HOC_LOG_INFO, "group %d: leader %d lost; forwarding to %d", g->o.gid,
            g->leader, c);
    g->leader = c, g->lost_since = 0;
    g->st.leader_changes++;
    resend_all(g, now);
}

/* ---- applying the log ---- */
static void apply_cmds(kv_group *g, size_t off, uint32_t count)
{
    for (uint32_t i = 0; i < count; i++) {
        size_t used = kv_cmd_decode(g->scratch + off, g->batch - off, g->cmd);
        if (!used) {
            g->st.bad_batches++;
            hoc_log(&g->o.log, HOC_LOG_ERROR, "group %d: slot %" PRIu64 ": bad command %u: skipped",
                    g->o.gid, g->next_apply, i);
            return;
        }
        off += used;
        g->reply.n = 0;
        kv_applied a = kv_store_apply(g->store, g->cmd, &g->reply);
        if (a == KV_DUPLICATE) g->st.duplicates++;
        if (a == KV_EARLY) g->st.early++;
        if (a != KV_APPLIED) continue;
        g->st.applied_cmds++;
        uint64_t c = g->cmd->client, s = g->cmd->seq;
        if ((int)(c >> 56) != g->id) continue;
        pdone(g, c, s);
        if (g->cb.reply && g->reply.n)
            g->cb.reply(g->cb.ctx, c, s, (const uint8_t *)g->reply.p, g->reply.n);
    }
}

/* Applies slot next_apply, whose value is v[0..len). */
static void apply_slot(kv_group *g, const uint8_t *v, size_t len)
{
    if (g->o.store && g->o.store->append(g->o.store->ctx, g->next_apply, v, len) != 0)
        hoc_log(&g->o.log, HOC_LOG_ERROR, "group %d: slot %" PRIu64 " not stored", g->o.gid,
                g->next_apply);
    memcpy(g->scratch, v, len); /* trailing zeros were not carried: put them back */
    memset(g->scratch + len, 0, g->batch - len);
    uint32_t proposer, count;
    uint64_t term;
    size_t off;
    if (!kv_batch_open(g->scratch, g->batch, &proposer, &term, &count, &off)) {
        g->st.bad_batches++;
        hoc_log(&g->o.log, HOC_LOG_ERROR, "group %d: slot %" PRIu64 " is not a batch: skipped",
                g->o.gid, g->next_apply);
        return;
    }
    if (count && term > g->term) learn_term(g, term);
    apply_cmds(g, off, count);
    g->st.applied_slots++;
}

static void apply_ready(kv_group *g)
{
    const hoc_ledger *l = hoc_svc_ledger(g->svc);
    for (;;) {
        const uint8_t *v;
        size_t len;
        if (hoc_ledger_get(l, g->next_apply, &v, &len) != HOC_INST_DECIDED) break;
        apply_slot(g, v, len);
        g->next_apply++;
    }
    if (g->o.store && g->o.store->sync) g->o.store->sync(g->o.store->ctx);
}

static void io_decided(void *ctx, uint64_t inst, const uint8_t *v, size_t len, int from)
{
    (void)from;
    kv_group *g = ctx;
    if (inst > g->max_decided || g->max_decided == UINT64_MAX) g->max_decided = inst;
    if (inst > g->max_seen) g->max_seen = inst;
    settle_mine(g, inst, v, len);
    if (inst == g->next_apply) apply_ready(g);
}

/* ---- the service's other callbacks ---- */
static bool io_admit(void *ctx, uint64_t inst)
{
    kv_group *g = ctx;
    return inst < g->next_apply + AHEAD; /* below: decided here, or forgotten (the ledger says) */
}

/* A slot a peer's message starts here: this replica proposes nothing in it. */
static void io_inputs(void *ctx, uint64_t inst, int64_t *ints, const uint8_t **bytes)
{
    (void)bytes;
    kv_group *g = ctx;
    ints[0] = 0;
    if (inst > g->max_seen) g->max_seen = inst;
}

/* START: slots the leader started, (u64 slot, u64 round) each. */
static int on_start(kv_group *g, const uint8_t *p, size_t len)
{
    if (len % 16) return -1;
    int64_t ints[1] = {0};
    for (size_t i = 0; i < len; i += 16) {
        uint64_t slot = hoc_get_u64(p + i), round = hoc_get_u64(p + i + 8);
        if (round > INT64_MAX / 2) return -1;
        learn_term(g, round / (uint64_t)g->rounds);
        if (slot > g->max_seen && io_admit(g, slot)) g->max_seen = slot;
        hoc_svc_start(g->svc, slot, (int64_t)round, ints, NULL);
    }
    return 0;
}

/* FWD: commands for the leader's queue; each is checked. */
static int on_fwd(kv_group *g, const uint8_t *p, size_t len)
{
    for (size_t off = 0; off < len;) {
        size_t used = kv_cmd_decode(p + off, len - off, g->cmd);
        if (!used || used > kv_group_max_cmd(g)) return -1;
        hoc_buf_put(&g->queue, (const char *)p + off, used);
        off += used;
    }
    return 0;
}

static int io_app(void *ctx, int from, const uint8_t *p, size_t len)
{
    (void)from;
    kv_group *g = ctx;
    int rc = len == 0            ? -1
             : p[0] == APP_FWD   ? on_fwd(g, p + 1, len - 1)
             : p[0] == APP_START ? on_start(g, p + 1, len - 1)
                                 : -1;
    if (rc) {
        g->st.bad_frames++;
        hoc_log(&g->o.log, HOC_LOG_WARN, "group %d: bad service frame from %d", g->o.gid, from);
    }
    return rc;
}

/* ---- missing slots, retries ---- */
/* A slot below a decided one still undecided after GAP_US is fetched:
 * started with an empty batch in a phase another replica coordinates, whose
 * answer is the decision, or whose rounds decide one. */
static void fetch_missing(kv_group *g, uint64_t now)
{
    const hoc_ledger *l = hoc_svc_ledger(g->svc);
    const uint8_t *v;
    size_t len;
    bool behind = g->max_decided != UINT64_MAX && g->max_decided > g->next_apply &&
                  hoc_ledger_get(l, g->next_apply, &v, &len) == HOC_INST_NEW;
    if (!behind) {
        g->gap_since = 0;
        return;
    }
    if (!g->gap_since) g->gap_since = now;
    if (now - g->gap_since < GAP_US) return;
    g->gap_since = now;
    uint64_t phase = g->term;
    if (phase % (uint64_t)g->n == (uint64_t)g->id) phase++;
    int64_t ints[1] = {0}, round = (int64_t)phase * g->rounds;
    hoc_engine *e = hoc_svc_engine(g->svc);
    for (uint64_t s = g->next_apply; s < g->max_decided && s < g->next_apply + CATCHUP; s++)
        if (hoc_engine_round(e, s) < 0) hoc_svc_start(g->svc, s, round, ints, NULL);
}

/* Moves p to the end of the list (the order it was last sent in). */
static void to_tail(kv_group *g, Pending *p)
{
    if (!p->next) return;
    if (p->prev)
        p->prev->next = p->next;
    else
        g->phead = p->next;
    p->next->prev = p->prev;
    p->prev = g->ptail, p->next = NULL;
    g->ptail->next = p;
    g->ptail = p;
}

/* Sends again what was sent RETRY_US ago and not applied. The list is in
 * the order of sending, so the walk stops at the first recent one; a
 * client's commands keep their order. */
static void retry(kv_group *g, uint64_t now)
{
    Pending *last = g->ptail;
    for (Pending *p = g->phead, *nx; p && now - p->sent >= RETRY_US; p = nx) {
        nx = p == last ? NULL : p->next;
        send_cmd(g, p, now);
        to_tail(g, p);
        g->st.retries++;
    }
}

void kv_group_tick(kv_group *g, uint64_t now)
{
    watch_leader(g, now);
    fetch_missing(g, now);
    retry(g, now);
    if (g->o.keep && g->next_apply > g->o.keep)
        hoc_ledger_forget_below(hoc_svc_ledger(g->svc), g->next_apply - g->o.keep);
    hoc_svc_kick(g->svc);
}

/* ---- life ---- */
kv_group *kv_group_new(struct event_base *base, const kv_group_opts *o, const kv_group_cb *cb,
                       char *err, size_t errn)
{
    const hoc_algo *a = o->algo;
    if (a->ninputs != 1 || a->inputs[0].kind != HOC_K_BYTES || a->nrounds < 1) {
        snprintf(err, errn, "the algorithm does not take one bytes input");
        return NULL;
    }
    kv_group *g = calloc(1, sizeof *g);
    if (!g) {
        snprintf(err, errn, "out of memory");
        return NULL;
    }
    g->o = *o, g->cb = *cb, g->n = o->peers->n, g->id = o->id, g->rounds = a->nrounds;
    g->batch = a->inputs[0].count;
    g->max_decided = UINT64_MAX;
    g->leader = o->gid % g->n; /* leaders spread over the replicas */
    g->term = (uint64_t)g->leader;
    g->started = hoc_now_us();
    g->lead_after = g->started + SETTLE_US;
    g->pcap = 1024;
    g->scratch = calloc(1, g->batch);
    g->build = calloc(1, g->batch);
    g->cmd = malloc(sizeof *g->cmd);
    g->mine = calloc((size_t)o->pipeline + 1, sizeof *g->mine);
    g->ptab = calloc(g->pcap, sizeof *g->ptab);
    g->store = kv_store_new();
    if (!g->scratch || !g->build || !g->cmd || !g->mine || !g->ptab || !g->store) {
        snprintf(err, errn, "out of memory");
        kv_group_free(g);
        return NULL;
    }
    int64_t params[1] = {g->n};
    hoc_svc_opts so = {.algo = a,
                       .id = o->id,
                       .peers = o->peers,
                       .secret = o->secret,
                       .secret_len = o->secret_len,
                       .params = params,
                       .max_live = 2 * o->pipeline + 2 * CATCHUP + 64,
                       .forward = true,
                       .memory = o->memory,
                       .drop = o->drop,
                       .delay_us = o->delay_us,
                       .seed = o->seed,
                       .log = o->log};
    hoc_svc_io io = {.ctx = g,
                     .admit = io_admit,
                     .inputs = io_inputs,
                     .decided = io_decided,
                     .app = io_app,
                     .iteration = io_iteration};
    if (!(g->svc = hoc_svc_new(base, &so, &io, err, errn))) {
        kv_group_free(g);
        return NULL;
    }
    return g;
}

void kv_group_free(kv_group *g)
{
    if (!g) return;
    hoc_svc_free(g->svc);
    kv_store_free(g->store);
    for (Pending *p = g->phead, *nx; p; p = nx)
        nx = p->next, free(p);
    for (int i = 0; i < g->nmine; i++)
        free(g->mine[i].batch);
    free(g->ptab), free(g->mine), free(g->cmd), free(g->build), free(g->scratch);
    hoc_buf_free(&g->reply), hoc_buf_free(&g->queue), hoc_buf_free(&g->fwd);
    hoc_buf_free(&g->starts);
    free(g);
}

int kv_group_leader(const kv_group *g)
{
    return g->leader;
}
bool kv_group_leading(const kv_group *g)
{
    return g->leading;
}
uint64_t kv_group_applied(const kv_group *g)
{
    return g->next_apply;
}
const kv_store *kv_group_store(const kv_group *g)
{
    return g->store;
}
const kv_group_stats *kv_group_get_stats(const kv_group *g)
{
    return &g->st;
}
hoc_svc *kv_group_svc(const kv_group *g)
{
    return g->svc;
}
