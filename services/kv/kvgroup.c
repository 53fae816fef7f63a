/* kvgroup.c: one replica of one hoc-kv group (see kvgroup.h): the leader's
 * batching and slots, forwarding, applying the log in order, failure
 * detection, missing slots and retries. */
#include "kvgroup.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/event.h>

#include "clock.h"
#include "hoc_rt.h"
#include "wire.h"

/* The service frames replicas of a group exchange (first byte). */
enum { APP_FWD = 1, APP_START = 2, APP_FAULT = 3, APP_SNAPGET = 4, APP_SNAPDATA = 5 };
/* FAULT: my log failed, do not follow me. SNAPGET (u64 offset): send me
 * your snapshot from there. SNAPDATA (u64 id, u64 total, u64 offset, bytes):
 * a chunk of it (total 0: I have none). */

#define SUSPECT_US 300000    /* a leader unreachable this long is replaced */
#define SETTLE_US 200000     /* a replica that starts as leader first listens this long */
#define GRACE_US 2000000     /* at start-up, peers may come up this much later than us */
#define GAP_US 20000         /* a slot missing this long below a decided one is fetched */
#define RETRY_US 5000000     /* a command not applied this long after it was sent is sent again */
#define CATCHUP 64           /* missing slots fetched at once */
#define AHEAD (1u << 20)     /* slots beyond the next to apply a peer may start here */
#define XFER_STUCK 10        /* fetches of one missing slot before asking for a snapshot */
#define XFER_IDLE_US 3000000 /* a transfer without a chunk this long is given up */
#define XFER_WINDOW 16       /* chunks sent for one SNAPGET */
#define XFER_CHUNK (HOC_WIRE_MAX_APP - 32)

/* A command of this replica's client, sent and not yet applied here. */
typedef struct Pending {
    struct Pending *prev, *next; /* in the order sent first */
    struct Pending *hnext;       /* hash chain by (client, seq) */
    uint64_t client, seq, sent;
    size_t len;
    uint8_t cmd[]; /* encoded */
} Pending;

/* What the log holds of LastVoting's state in one undecided slot: the
 * stamp ts of x and the highest phase recorded; x itself only after a
 * restart, until the slot is started again with it. */
typedef struct Prom {
    uint64_t slot, ts, phase;
    uint8_t *x; /* restart: the estimate to start with (NULL once started) */
    size_t xlen;
    bool used;
} Prom;

/* A slot this replica started as leader, with the batch it proposed;
 * resent: its commands went back to the queue already (a slot before it was
 * lost), so losing it too sends them no more. */
typedef struct Mine {
    uint64_t slot;
    size_t len;
    uint8_t *batch;
    bool resent;
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
    /* durability: the log, promises per live slot, field offsets, snapshots */
    kv_wal *wal;
    Prom *prom;
    size_t promcap, nprom;
    size_t off_x, off_ts, off_vote, off_commit;
    bool replaying, failed;
    /* batch: the sync in flight covers the messages held before sync_mark
     * and the decided slots below sync_limit; those below apply_limit are
     * on stable storage */
    size_t sync_mark;
    uint64_t sync_limit, apply_limit;
    struct event *synced;
    struct event_base *base;
    size_t nrestore; /* Prom entries still waiting for restart_promised */
    bool restarting; /* restart_promised is starting a slot: admit it */
    uint64_t faulty; /* peers whose log failed (APP_FAULT): never followed */
    uint64_t snap_below, snap_pending;
    pid_t snap_pid;
    /* state transfer, as the replica that is behind */
    int xfer_peer, xfer_fd, xfer_next; /* xfer_next: the peer to ask next time */
    uint64_t xfer_id, xfer_off, xfer_total, xfer_last, xfer_t0, gap_at, gap_tries;
    kv_group_stats st;
};

static void commit_log(kv_group *g);
static void to_tail(kv_group *g, Pending *p);
static void apply_ready(kv_group *g);
static void snapshot_tick(kv_group *g);
static int on_snapget(kv_group *g, int from, const uint8_t *p, size_t len);
static int on_snapdata(kv_group *g, int from, const uint8_t *p, size_t len);

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

/* The largest command that travels whole: it must fit a slot's batch and,
 * forwarded by a follower, one APP frame after its type byte. Larger ones
 * go in parts of this size (kvcmd.h). */
static size_t slot_cmd(const kv_group *g)
{
    size_t slot = g->batch - KV_BATCH_HDR, frame = HOC_WIRE_MAX_APP - 1;
    return slot < frame ? slot : frame;
}

size_t kv_group_max_cmd(const kv_group *g)
{
    (void)g;
    return KV_MAX_CMD;
}

/* Queues the encoded command w[0..len) numbered (client, seq) as pending. */
static void submit_one(kv_group *g, uint64_t client, uint64_t seq, const char *w, size_t len,
                       uint64_t now)
{
    Pending *p = malloc(sizeof *p + len);
    if (!p) return; /* the client never hears back; its connection times out */
    memcpy(p->cmd, w, len);
    p->client = client, p->seq = seq, p->len = len;
    padd(g, p);
    send_cmd(g, p, now);
}

uint64_t kv_group_submit(kv_group *g, uint64_t client, uint64_t seq, kv_op op, uint32_t nargs,
                         const uint8_t *const *args, const size_t *lens)
{
    size_t size = kv_cmd_size(nargs, lens), most = slot_cmd(g);
    uint64_t n = kv_cmd_parts(size, most), now = hoc_now_us();
    hoc_buf b = {0}, part = {0};
    kv_cmd_encode(&b, client, seq + n - 1, op, nargs, args, lens); /* numbered as its JOIN */
    if (n == 1) submit_one(g, client, seq, b.p, b.n, now);
    for (uint64_t i = 0; n > 1 && i < n; i++) {
        part.n = 0;
        kv_cmd_encode_part(&part, (const uint8_t *)b.p, b.n, most, client, seq, i, n);
        submit_one(g, client, seq + i, part.p, part.n, now);
    }
    hoc_buf_free(&b), hoc_buf_free(&part);
    hoc_svc_kick(g->svc);
    return seq + n - 1;
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
        g->mine[g->nmine++] = (Mine){slot, used, copy, false};
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
 * leader again, in order (the client table drops what takes effect twice).
 * Each batch goes back once: a later slot lost too is resent already.
 * Sending every later batch again at every loss multiplied the queue: a
 * leader that took over while cut off, far behind, proposes slot after
 * slot that its peers decided meanwhile, loses them all, and its queue grew
 * to 76 MB in 15 s, copied whole at every loss, so it served nobody
 * (docs/testing.md, the kv stall after the heal). */
static void settle_mine(kv_group *g, uint64_t inst, const uint8_t *v, size_t len)
{
    int k = -1;
    for (int i = 0; i < g->nmine && k < 0; i++)
        if (g->mine[i].slot == inst) k = i;
    if (k < 0) return;
    Mine *m = &g->mine[k];
    bool lost = len != hoc_bytes_used(m->batch, m->len) || memcmp(v, m->batch, len) != 0;
    if (lost) g->st.lost_slots++;
    if (lost && !m->resent) {
        hoc_buf acc = {0};
        for (int i = 0; i < g->nmine; i++)
            if (g->mine[i].slot >= inst && !g->mine[i].resent) {
                batch_cmds(&acc, g->mine[i].batch, g->mine[i].len);
                g->mine[i].resent = true;
            }
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
    if (g->leading && !g->failed) start_slots(g);
    commit_log(g); /* before the slots' messages and replies leave */
    if (g->starts.n > 1) hoc_svc_send_app(g->svc, -1, (const uint8_t *)g->starts.p, g->starts.n);
    g->starts.n = 0;
}

/* ---- who leads ---- */
/* Phase `phase` is led by phase % n; a later one than the leader's known so
 * far makes its coordinator the leader, and this replica a follower. So
 * does the current one when watch_leader guessed another leader meanwhile
 * (the leader's connection was not up yet): a guess that is not leading
 * keeps the commands forwarded to it in its queue, and the term's own START
 * frames, which prove its leader alive, used to be ignored as not newer. */
static void learn_term(kv_group *g, uint64_t phase)
{
    int who = (int)(phase % (uint64_t)g->n);
    if (g->leader >= 0 && (phase < g->term || (phase == g->term && who == g->leader))) return;
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
    if (hoc_net_peer_ready(net, g->leader) && !(g->faulty >> g->leader & 1)) {
        g->lost_since = 0;
        return;
    }
    if (!g->lost_since) g->lost_since = now;
    if (now - g->lost_since < SUSPECT_US || now < g->started + GRACE_US) return;
    int c = g->leader;
    for (int k = 1; k <= g->n; k++) {
        c = (g->leader + k) % g->n;
        if (c == g->id || (hoc_net_peer_ready(net, c) && !(g->faulty >> c & 1))) break;
    }
    if (c == g->id && !g->failed) {
        take_over(g, now);
        return;
    }
    hoc_log(&g->o.log, HOC_LOG_INFO, "group %d: leader %d lost; forwarding to %d", g->o.gid,
            g->leader, c);
    g->leader = c, g->lost_since = 0;
    g->st.leader_changes++;
    resend_all(g, now);
}

/* ---- durability: promises per slot ---- */
/* Open addressing on the slot, linear probing, removal by backward shift. */
static size_t prom_home(const kv_group *g, uint64_t slot)
{
    return (size_t)((slot * 0x9e3779b97f4a7c15u) >> 17) & (g->promcap - 1);
}

static Prom *prom_find(kv_group *g, uint64_t slot)
{
    for (size_t i = prom_home(g, slot);; i = (i + 1) & (g->promcap - 1)) {
        if (!g->prom[i].used) return NULL;
        if (g->prom[i].slot == slot) return &g->prom[i];
    }
}

static Prom *prom_add(kv_group *g, uint64_t slot)
{
    if ((g->nprom + 1) * 2 > g->promcap) {
        Prom *old = g->prom;
        size_t oc = g->promcap;
        Prom *t = calloc(oc * 2, sizeof *t);
        if (!t) return NULL;
        g->prom = t, g->promcap = oc * 2;
        for (size_t i = 0; i < oc; i++)
            if (old[i].used) {
                size_t j = prom_home(g, old[i].slot);
                while (t[j].used)
                    j = (j + 1) & (g->promcap - 1);
                t[j] = old[i];
            }
        free(old);
    }
    size_t i = prom_home(g, slot);
    while (g->prom[i].used && g->prom[i].slot != slot)
        i = (i + 1) & (g->promcap - 1);
    if (!g->prom[i].used) {
        g->prom[i] = (Prom){.slot = slot, .phase = UINT64_MAX, .used = true};
        g->nprom++;
    }
    return &g->prom[i];
}

static void prom_del(kv_group *g, uint64_t slot)
{
    Prom *p = prom_find(g, slot);
    if (!p) return;
    if (p->x) g->nrestore--;
    free(p->x);
    size_t i = (size_t)(p - g->prom), m = g->promcap - 1;
    g->prom[i].used = false;
    g->nprom--;
    for (size_t j = (i + 1) & m; g->prom[j].used; j = (j + 1) & m) {
        size_t h = prom_home(g, g->prom[j].slot);
        bool stays = i <= j ? (i < h && h <= j) : (i < h || h <= j);
        if (stays) continue;
        g->prom[i] = g->prom[j];
        g->prom[j].used = false;
        i = j;
    }
}

/* The engine is about to send round `round` of slot inst from state. What
 * LastVoting's safety needs a process to keep (docs/services.md): its
 * estimate x with its stamp ts (collect reports them, acknowledge promises
 * them), and, as coordinator, that it proposed in this phase (a restarted
 * coordinator must never propose twice in one phase). Both are written
 * before the messages that depend on them leave; true holds those messages
 * until the covering sync. */
static bool io_sending(void *ctx, uint64_t inst, int64_t round, const void *state)
{
    kv_group *g = ctx;
    if (!g->wal) return false;
    if (g->failed) return true; /* never released: omissions */
    const uint8_t *st = state;
    int64_t ts;
    memcpy(&ts, st + g->off_ts, sizeof ts);
    uint64_t phase = (uint64_t)round / (uint64_t)g->rounds;
    bool proposing = round % g->rounds == 1 && st[g->off_commit];
    Prom *p = prom_find(g, inst);
    uint64_t had_ts = p ? p->ts : 0, had_phase = p ? p->phase : UINT64_MAX;
    const uint8_t *x = st + g->off_x;
    uint64_t wts = (uint64_t)ts, wphase = had_phase;
    if (proposing && (had_phase == UINT64_MAX || phase > had_phase)) {
        /* it hears its own proposal, so it adopts vote in this phase: record
         * that now, before the proposal leaves */
        x = st + g->off_vote, wts = phase + 1, wphase = phase;
    } else if ((uint64_t)ts != had_ts) {
        wphase =
            had_phase == UINT64_MAX || (uint64_t)ts - 1 > had_phase ? (uint64_t)ts - 1 : had_phase;
    } else {
        return kv_wal_pending(g->wal);
    }
    if (!p && !(p = prom_add(g, inst))) return true;
    p->ts = wts, p->phase = wphase;
    g->st.promises++;
    kv_wal_promise(g->wal, inst, wphase, wts, x, hoc_bytes_used(x, g->batch));
    return kv_wal_pending(g->wal) || kv_wal_error(g->wal);
}

/* A slot started again after a restart gets back its x and ts. */
static void io_restore(void *ctx, uint64_t inst, void *state)
{
    kv_group *g = ctx;
    Prom *p = g->nprom ? prom_find(g, inst) : NULL;
    if (!p) return;
    int64_t ts = (int64_t)p->ts;
    memcpy((uint8_t *)state + g->off_ts, &ts, sizeof ts);
    if (p->x) {
        memset((uint8_t *)state + g->off_x, 0, g->batch);
        memcpy((uint8_t *)state + g->off_x, p->x, p->xlen);
    }
}

static void io_finished(void *ctx, uint64_t inst, bool decided)
{
    (void)decided;
    kv_group *g = ctx;
    if (g->nprom) {
        Prom *p = prom_find(g, inst);
        if (p && !p->x) prom_del(g, inst);
    }
}

/* Slots with promises and no decision after a restart: started again, in
 * the phase after the last one recorded, with x and ts as they were. */
static void restart_promised(kv_group *g)
{
    for (size_t i = 0; g->nrestore && i < g->promcap; i++) {
        Prom *p = &g->prom[i];
        if (!p->used || !p->x) continue;
        int64_t ints[1] = {0}, round = (int64_t)(p->phase + 1) * g->rounds;
        memcpy(g->build, p->x, p->xlen);
        const uint8_t *bytes[1] = {g->build};
        g->restarting = true;
        hoc_start_result r = hoc_svc_start(g->svc, p->slot, round, ints, bytes);
        g->restarting = false;
        memset(g->build, 0, p->xlen);    /* SKIPPED: decided or ended meanwhile, nothing to keep */
        if (r == HOC_START_FULL) return; /* the next tick tries again */
        const uint8_t *st =
            r == HOC_START_OK ? hoc_engine_state(hoc_svc_engine(g->svc), p->slot) : NULL;
        int64_t ts = 0;
        if (st) memcpy(&ts, st + g->off_ts, sizeof ts);
        if (st && (uint64_t)ts < p->ts) /* a bug: the promise would be forgotten */
            hoc_log(&g->o.log, HOC_LOG_ERROR, "group %d: slot %" PRIu64 " restarted without its ts",
                    g->o.gid, p->slot);
        free(p->x);
        p->x = NULL;
        g->nrestore--;
        if (p->slot > g->max_seen) g->max_seen = p->slot;
        g->st.restored++;
    }
}

/* Writes what the iteration appended and syncs it (group commit), then lets
 * out what waited for it; a log that cannot be written stops everything
 * that would depend on it. */
static void commit_log(kv_group *g)
{
    if (!g->wal) return;
    if (g->failed) {
        hoc_svc_discard_held(g->svc);
        return;
    }
    if (g->o.fsync == KV_FSYNC_BATCH) { /* the syncer takes it; on_synced lets it out */
        if (!kv_wal_pending(g->wal)) {  /* held behind a sync that is over: nothing to wait for */
            /* and the decided slots are stable: a sync can end outside
             * on_synced (kv_wal_rotate, at a snapshot, commits the log), and
             * then they waited for the next command (a client's 5 s retry
             * once the load had stopped: kv-crash-all) */
            hoc_svc_release(g->svc);
            apply_ready(g);
            return;
        }
        if (kv_wal_start_sync(g->wal) != 1) return;
        g->sync_mark = hoc_svc_held_mark(g->svc);
        uint64_t s = g->next_apply;
        const uint8_t *v;
        size_t len;
        while (hoc_ledger_get(hoc_svc_ledger(g->svc), s, &v, &len) == HOC_INST_DECIDED)
            s++;
        g->sync_limit = s;
        return;
    }
    if (kv_wal_commit(g->wal) != 0) {
        g->failed = true, g->leading = false;
        hoc_svc_discard_held(g->svc);
        return;
    }
    hoc_svc_release(g->svc);
}

/* The syncer finished: what it covered goes out, and the next sync starts
 * with what came meanwhile (group commit). */
static void on_synced(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    kv_group *g = arg;
    if (g->failed) return;
    int rc = kv_wal_sync_done(g->wal);
    if (rc > 0) return;
    if (rc < 0) {
        g->failed = true, g->leading = false;
        hoc_svc_discard_held(g->svc);
        return;
    }
    hoc_svc_release_upto(g->svc, g->sync_mark);
    if (g->sync_limit > g->apply_limit) g->apply_limit = g->sync_limit;
    apply_ready(g);
    commit_log(g);
    hoc_svc_kick(g->svc);
}

/* ---- applying the log ---- */
/* A command of this replica's client came before one of its predecessors
 * (the store skips it: KV_EARLY). That happens when a slot is lost: its
 * commands go back to the leader's queue (settle_mine), but a later slot
 * that won, decided before the loss was known, still carries the client's
 * next ones. Skipped, they would wait for the 5 s retry, and every later
 * command of the client behind them (the reconfiguration service's lease
 * renewals: a lost lease). So the client's pending commands go again now,
 * in order, behind the lost ones; the client table drops what takes effect
 * twice. */
static void resend_client(kv_group *g, uint64_t client)
{
    uint64_t now = hoc_now_us();
    Pending *last = g->ptail;
    for (Pending *p = g->phead, *nx; p; p = nx) {
        nx = p == last ? NULL : p->next;
        if (p->client != client) continue;
        send_cmd(g, p, now);
        to_tail(g, p);
        g->st.retries++;
    }
}

static void apply_cmds(kv_group *g, size_t off, uint32_t count)
{
    uint64_t resent = UINT64_MAX; /* a client's commands go again once a slot */
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
        uint64_t c = g->cmd->client, s = g->cmd->seq;
        if (a == KV_DUPLICATE) g->st.duplicates++;
        if (a == KV_EARLY) {
            g->st.early++;
            if ((int)(c >> 56) == g->id && !g->replaying && c != resent) resend_client(g, c);
            resent = c;
        }
        if (a != KV_APPLIED) continue;
        g->st.applied_cmds++;
        if ((int)(c >> 56) != g->id) continue;
        pdone(g, c, s);
        if (g->cb.reply && g->reply.n && !g->replaying)
            g->cb.reply(g->cb.ctx, c, s, (const uint8_t *)g->reply.p, g->reply.n);
    }
}

/* Applies slot next_apply, whose value is v[0..len). */
static void apply_slot(kv_group *g, const uint8_t *v, size_t len)
{
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

/* Applies the decided slots from next_apply on, as far as they are on
 * stable storage (every record is, once nothing waits for a sync). */
static void apply_ready(kv_group *g)
{
    const hoc_ledger *l = hoc_svc_ledger(g->svc);
    if (g->failed) return;
    uint64_t lim = g->wal && kv_wal_pending(g->wal) ? g->apply_limit : UINT64_MAX;
    while (g->next_apply < lim) {
        const uint8_t *v;
        size_t len;
        if (hoc_ledger_get(l, g->next_apply, &v, &len) != HOC_INST_DECIDED) break;
        apply_slot(g, v, len);
        g->next_apply++;
    }
}

static void io_decided(void *ctx, uint64_t inst, const uint8_t *v, size_t len, int from)
{
    (void)from;
    kv_group *g = ctx;
    if (inst > g->max_decided || g->max_decided == UINT64_MAX) g->max_decided = inst;
    if (inst > g->max_seen) g->max_seen = inst;
    settle_mine(g, inst, v, len);
    if (g->wal && !g->failed) {
        kv_wal_decided(g->wal, inst, v, len); /* in batch, applied once a sync covers it */
        if (g->nprom) prom_del(g, inst);
    }
    if (inst == g->next_apply) apply_ready(g);
}

/* ---- the service's other callbacks ---- */
static bool io_admit(void *ctx, uint64_t inst)
{
    kv_group *g = ctx;
    if (g->nprom) { /* a slot to restart with its promises: only restart_promised starts it */
        const Prom *p = prom_find(g, inst);
        if (p && p->x && !g->restarting) return false;
    }
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

/* START: slots the leader started, (u64 slot, u64 round) each. A slot
 * decided here already is answered with its decision: a leader that is
 * behind (it took over while cut off) learns at once what its peers
 * decided meanwhile, where its own phase's rounds would tell it nothing
 * (nobody else runs the slot any more) until they time out into a phase
 * another replica coordinates: 400 ms for each pipeline of slots. */
static int on_start(kv_group *g, int from, const uint8_t *p, size_t len)
{
    if (len % 16) return -1;
    int64_t ints[1] = {0};
    const hoc_ledger *l = hoc_svc_ledger(g->svc);
    for (size_t i = 0; i < len; i += 16) {
        uint64_t slot = hoc_get_u64(p + i), round = hoc_get_u64(p + i + 8);
        if (round > INT64_MAX / 2) return -1;
        learn_term(g, round / (uint64_t)g->rounds);
        const uint8_t *v;
        size_t vlen;
        if (from >= 0 && from < g->n && from != g->id &&
            hoc_ledger_get(l, slot, &v, &vlen) == HOC_INST_DECIDED) {
            hoc_net_send_decision(hoc_svc_net(g->svc), from, slot, HOC_DECISION_ADOPT, v, vlen);
            continue;
        }
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
        if (!used || used > slot_cmd(g)) return -1;
        hoc_buf_put(&g->queue, (const char *)p + off, used);
        off += used;
    }
    return 0;
}

static int io_app(void *ctx, int from, const uint8_t *p, size_t len)
{
    (void)from;
    kv_group *g = ctx;
    if (len && p[0] == APP_FAULT && from >= 0 && from < 64) {
        if (!(g->faulty >> from & 1))
            hoc_log(&g->o.log, HOC_LOG_WARN, "group %d: replica %d cannot write its log", g->o.gid,
                    from);
        g->faulty |= 1ull << from;
        return 0;
    }
    if (from >= 0 && from < 64) g->faulty &= ~(1ull << from); /* it is back */
    int rc = len == 0               ? -1
             : p[0] == APP_FWD      ? on_fwd(g, p + 1, len - 1)
             : p[0] == APP_START    ? on_start(g, from, p + 1, len - 1)
             : p[0] == APP_SNAPGET  ? on_snapget(g, from, p + 1, len - 1)
             : p[0] == APP_SNAPDATA ? on_snapdata(g, from, p + 1, len - 1)
                                    : -1;
    if (rc) {
        g->st.bad_frames++;
        hoc_log(&g->o.log, HOC_LOG_WARN, "group %d: bad service frame from %d", g->o.gid, from);
    }
    return rc;
}

/* ---- state transfer ---- */
/* A replica whose peers have forgotten the slots it misses (they are below
 * their snapshots) copies a peer's snapshot file, a window of chunks per
 * request, into its own snap.tmp, then installs it and applies the log
 * from there (forwarded decisions). The peer reads its file with pread:
 * nothing on its request path grows with the store. */
static void xfer_get(kv_group *g)
{
    uint8_t f[9];
    f[0] = APP_SNAPGET;
    hoc_put_u64(f + 1, g->xfer_off);
    hoc_svc_send_app(g->svc, g->xfer_peer, f, sizeof f);
}

static void xfer_stop(kv_group *g)
{
    if (g->xfer_fd >= 0) close(g->xfer_fd);
    g->xfer_fd = -1, g->xfer_peer = -1, g->gap_tries = 0;
}

static void xfer_begin(kv_group *g, uint64_t now)
{
    const hoc_net *net = hoc_svc_net(g->svc);
    int p = -1;
    for (int k = 0; k < g->n && p < 0; k++) {
        int c = (g->xfer_next + k) % g->n;
        if (c != g->id && hoc_net_peer_ready(net, c) && !(g->faulty >> c & 1)) p = c;
    }
    if (p < 0 || g->snap_pid > 0) return; /* (a snapshot being written uses snap.tmp) */
    g->xfer_next = p + 1;
    char path[4200];
    snprintf(path, sizeof path, "%s/snap.tmp", kv_wal_dir(g->wal));
    g->xfer_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (g->xfer_fd < 0) {
        hoc_log(&g->o.log, HOC_LOG_WARN, "group %d: cannot write %s: %s", g->o.gid, path,
                strerror(errno));
        return;
    }
    g->xfer_peer = p, g->xfer_id = 0, g->xfer_off = 0, g->xfer_last = g->xfer_t0 = now;
    hoc_log(&g->o.log, HOC_LOG_WARN,
            "group %d: slot %" PRIu64 " still undecided here after %d fetches: asking replica %d "
            "for its snapshot, in case its log no longer has it",
            g->o.gid, g->next_apply, XFER_STUCK, p);
    xfer_get(g);
}

/* The snapshot received: it replaces the store if it is ahead of it. */
static int install_snap(void *ctx, const uint8_t *p, size_t len)
{
    kv_group *g = ctx;
    if (len < 8 || hoc_get_u64(p) <= g->next_apply) return -1;
    kv_store *ns = kv_store_new();
    if (!ns || kv_store_load(ns, p + 8, len - 8) != 0) {
        kv_store_free(ns);
        return -1;
    }
    kv_store_free(g->store);
    g->store = ns;
    g->snap_below = g->next_apply = hoc_get_u64(p);
    if (g->max_seen < g->next_apply) g->max_seen = g->next_apply;
    hoc_ledger_forget_below(hoc_svc_ledger(g->svc), g->snap_below);
    return 0;
}

static void xfer_done(kv_group *g, int from)
{
    close(g->xfer_fd);
    g->xfer_fd = -1;
    double secs = (double)(hoc_now_us() - g->xfer_t0) / 1e6;
    if (kv_wal_install_snapshot(g->wal, g->xfer_id, install_snap, g) != 0) {
        hoc_log(&g->o.log, HOC_LOG_WARN, "group %d: the snapshot from replica %d is not usable",
                g->o.gid, from);
    } else {
        g->st.xfers++;
        hoc_log(&g->o.log, HOC_LOG_WARN,
                "group %d: installed replica %d's snapshot below slot %" PRIu64 ": %" PRIu64
                " bytes in %.3f s (%.1f MB/s)",
                g->o.gid, from, g->snap_below, g->xfer_total, secs,
                secs > 0 ? (double)g->xfer_total / secs / 1e6 : 0.0);
        apply_ready(g);
    }
    xfer_stop(g);
}

/* SNAPDATA from the peer this replica asked. */
static int on_snapdata(kv_group *g, int from, const uint8_t *p, size_t len)
{
    if (len < 24) return -1;
    if (from != g->xfer_peer || g->xfer_fd < 0) return 0; /* a transfer given up */
    uint64_t id = hoc_get_u64(p), total = hoc_get_u64(p + 8), off = hoc_get_u64(p + 16);
    size_t n = len - 24;
    if (total == 0 || (g->xfer_id && id != g->xfer_id)) { /* none there, or it changed: again */
        if (total == 0) /* with --data its log then has every slot: being decided, not lost */
            hoc_log(&g->o.log, HOC_LOG_INFO, "group %d: replica %d has no snapshot to send",
                    g->o.gid, from);
        xfer_stop(g);
        return 0;
    }
    if (off != g->xfer_off || n > total - off) return 0;
    g->xfer_id = id, g->xfer_total = total, g->xfer_last = hoc_now_us();
    if (pwrite(g->xfer_fd, p + 24, n, (off_t)off) != (ssize_t)n) {
        hoc_log(&g->o.log, HOC_LOG_WARN, "group %d: cannot write the snapshot: %s", g->o.gid,
                strerror(errno));
        xfer_stop(g);
        return 0;
    }
    g->xfer_off += n, g->st.xfer_in += n;
    if (g->xfer_off == total)
        xfer_done(g, from);
    else if (g->xfer_off % ((uint64_t)XFER_WINDOW * XFER_CHUNK) == 0)
        xfer_get(g);
    return 0;
}

/* SNAPGET: a window of chunks of this replica's snapshot file. */
static int on_snapget(kv_group *g, int from, const uint8_t *p, size_t len)
{
    if (len != 8) return -1;
    uint64_t off = hoc_get_u64(p), total = 0, id = 0;
    uint8_t f[1 + 24 + XFER_CHUNK];
    char path[4200];
    int fd = -1;
    struct stat st;
    if (g->wal) {
        snprintf(path, sizeof path, "%s/snap", kv_wal_dir(g->wal));
        fd = open(path, O_RDONLY | O_CLOEXEC);
    }
    if (fd >= 0 && fstat(fd, &st) == 0 && pread(fd, f, 28, 0) == 28) {
        total = (uint64_t)st.st_size, id = hoc_get_u64(f + 20);
    }
    f[0] = APP_SNAPDATA;
    for (int k = 0; k < XFER_WINDOW && (off < total || (k == 0 && total == 0)); k++) {
        size_t want = total - off < XFER_CHUNK ? (size_t)(total - off) : XFER_CHUNK;
        ssize_t r = total ? pread(fd, f + 25, want, (off_t)off) : 0;
        if (r < 0 || (size_t)r != want) break;
        hoc_put_u64(f + 1, id);
        hoc_put_u64(f + 9, total);
        hoc_put_u64(f + 17, off);
        hoc_svc_send_app(g->svc, from, f, 25 + want);
        off += want, g->st.xfer_out += want;
    }
    if (fd >= 0) close(fd);
    return 0;
}

/* Counts fetches of one missing slot; past XFER_STUCK, its peers have
 * forgotten it: state transfer. A transfer that stalls is given up. */
static void xfer_tick(kv_group *g, uint64_t now, bool fetched)
{
    if (!g->wal || g->failed) return;
    if (g->xfer_peer >= 0) {
        if (now - g->xfer_last > XFER_IDLE_US) {
            hoc_log(&g->o.log, HOC_LOG_WARN, "group %d: snapshot transfer from %d stalled",
                    g->o.gid, g->xfer_peer);
            xfer_stop(g);
        }
        return;
    }
    if (!fetched) return;
    if (g->gap_at != g->next_apply) g->gap_at = g->next_apply, g->gap_tries = 0;
    if (++g->gap_tries >= XFER_STUCK) xfer_begin(g, now);
}

/* ---- missing slots, retries ---- */
/* A slot below a decided one still undecided after GAP_US is fetched:
 * started with an empty batch in a phase another replica coordinates, whose
 * answer is the decision, or whose rounds decide one. */
static bool fetch_missing(kv_group *g, uint64_t now)
{
    const hoc_ledger *l = hoc_svc_ledger(g->svc);
    const uint8_t *v;
    size_t len;
    bool behind = g->max_decided != UINT64_MAX && g->max_decided > g->next_apply &&
                  hoc_ledger_get(l, g->next_apply, &v, &len) == HOC_INST_NEW;
    if (!behind) {
        g->gap_since = 0;
        return false;
    }
    if (!g->gap_since) g->gap_since = now;
    if (now - g->gap_since < GAP_US) return false;
    g->gap_since = now;
    uint64_t phase = g->term;
    if (phase % (uint64_t)g->n == (uint64_t)g->id) phase++;
    int64_t ints[1] = {0}, round = (int64_t)phase * g->rounds;
    hoc_engine *e = hoc_svc_engine(g->svc);
    for (uint64_t s = g->next_apply; s < g->max_decided && s < g->next_apply + CATCHUP; s++)
        if (hoc_engine_round(e, s) < 0) hoc_svc_start(g->svc, s, round, ints, NULL);
    return true;
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
    bool fetched = fetch_missing(g, now);
    xfer_tick(g, now, fetched);
    retry(g, now);
    /* with a log, the ledger keeps what the log keeps (from the snapshot
     * on): a peer that lags further gets the snapshot */
    uint64_t floor = g->o.keep && g->next_apply > g->o.keep ? g->next_apply - g->o.keep : 0;
    if (g->wal) floor = g->o.keep && floor < g->snap_below ? floor : g->snap_below;
    if (floor) hoc_ledger_forget_below(hoc_svc_ledger(g->svc), floor);
    if (g->wal) {
        restart_promised(g);
        snapshot_tick(g);
    }
    if (g->failed) { /* so that the others stop following it */
        uint8_t f = APP_FAULT;
        hoc_svc_send_app(g->svc, -1, &f, 1);
    }
    hoc_svc_kick(g->svc);
}

/* ---- snapshots ---- */
/* The child: the store as of slot `below` (its pages are the parent's,
 * copied on write), written and synced; it never returns. */
static void snapshot_child(kv_group *g, uint64_t below, pid_t parent)
{
    /* The child holds copies of the replica's sockets, its listening ports
     * among them: it must not outlive a replica killed mid-snapshot, or the
     * replica's restart finds its ports taken (EADDRINUSE). Its snapshot,
     * unfinished, stays a temporary file that recovery ignores. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) _exit(1);
    hoc_buf b = {0};
    uint8_t h[8];
    hoc_put_u64(h, below);
    hoc_buf_put(&b, (const char *)h, 8);
    kv_store_save(g->store, &b);
    _exit(kv_wal_write_snapshot(kv_wal_dir(g->wal), (const uint8_t *)b.p, b.n) == 0 ? 0 : 1);
}

/* Every snap_every applied slots, a forked child writes the store, so the
 * request path pays for the fork only; once it is on disk, the log behind
 * it is removed. */
static void snapshot_tick(kv_group *g)
{
    if (g->snap_pid > 0) {
        int status;
        pid_t r = waitpid(g->snap_pid, &status, WNOHANG);
        if (r == 0) return;
        g->snap_pid = 0;
        if (r > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
            kv_wal_snapshot_done(g->wal, g->snap_pending) == 0) {
            g->snap_below = g->snap_pending;
            g->st.snapshots++;
            hoc_log(&g->o.log, HOC_LOG_INFO, "group %d: snapshot below slot %" PRIu64 " written",
                    g->o.gid, g->snap_below);
        } else {
            hoc_log(&g->o.log, HOC_LOG_WARN, "group %d: snapshot below slot %" PRIu64 " failed",
                    g->o.gid, g->snap_pending);
        }
        return;
    }
    if (!g->wal || g->failed || !g->o.snap_every || g->xfer_fd >= 0 ||
        g->next_apply < g->snap_below + g->o.snap_every)
        return; /* (a transfer writes snap.tmp too) */
    if (kv_wal_rotate(g->wal, g->next_apply) != 0) return;
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) snapshot_child(g, g->next_apply, parent);
    if (pid < 0) {
        hoc_log(&g->o.log, HOC_LOG_WARN, "group %d: cannot fork a snapshot: %s", g->o.gid,
                strerror(errno));
        return;
    }
    g->snap_pid = pid, g->snap_pending = g->next_apply;
}

/* ---- recovery ---- */
static int replay_snap(void *ctx, const uint8_t *p, size_t len)
{
    kv_group *g = ctx;
    if (len < 8 || kv_store_load(g->store, p + 8, len - 8) != 0) return -1;
    g->snap_below = g->next_apply = hoc_get_u64(p);
    hoc_ledger_forget_below(hoc_svc_ledger(g->svc), g->snap_below);
    return 0;
}

static int replay_rec(void *ctx, const kv_wal_rec *r)
{
    kv_group *g = ctx;
    if (r->slot < g->snap_below) return 0;
    g->st.replayed++;
    if (r->slot > g->max_seen) g->max_seen = r->slot;
    if (r->type == KV_WAL_DECIDED) {
        if (hoc_ledger_decide(hoc_svc_ledger(g->svc), r->slot, r->v, r->len) < 0) return -1;
        if (r->slot > g->max_decided || g->max_decided == UINT64_MAX) g->max_decided = r->slot;
        if (g->nprom) prom_del(g, r->slot);
        return 0;
    }
    if (r->len > g->batch) return -1;
    const uint8_t *v;
    size_t len;
    if (hoc_ledger_get(hoc_svc_ledger(g->svc), r->slot, &v, &len) != HOC_INST_NEW) return 0;
    Prom *p = prom_add(g, r->slot);
    uint8_t *x = malloc(r->len ? r->len : 1);
    if (!p || !x) {
        free(x);
        return -1;
    }
    memcpy(x, r->v, r->len);
    if (!p->x) g->nrestore++;
    free(p->x);
    p->x = x, p->xlen = r->len, p->ts = r->ts;
    if (p->phase == UINT64_MAX || r->phase > p->phase) p->phase = r->phase;
    return 0;
}

/* The offsets of LastVoting's x, ts, vote and commit in its state. */
static int find_fields(kv_group *g, char *err, size_t errn)
{
    const hoc_algo *a = g->o.algo;
    size_t *offs[] = {&g->off_x, &g->off_ts, &g->off_vote, &g->off_commit};
    const char *names[] = {"x", "ts", "vote", "commit"};
    for (int k = 0; k < 4; k++) {
        int i = 0;
        while (i < a->nfields && strcmp(a->fields[i].name, names[k]))
            i++;
        if (i == a->nfields) {
            snprintf(err, errn, "the algorithm has no '%s' to keep on disk", names[k]);
            return -1;
        }
        *offs[k] = a->fields[i].offset;
    }
    return 0;
}

/* Opens the log, replays snapshot and records, applies the decided prefix
 * and restarts the slots with promises. 0, or -1 with err. */
static int recover(kv_group *g, char *err, size_t errn)
{
    if (find_fields(g, err, errn)) return -1;
    g->promcap = 1024;
    if (!(g->prom = calloc(g->promcap, sizeof *g->prom))) {
        snprintf(err, errn, "out of memory");
        return -1;
    }
    uint64_t t0 = hoc_now_us();
    g->wal = kv_wal_open(g->o.dir, g->o.fsync, &g->o.log, replay_snap, replay_rec, g, err, errn);
    if (!g->wal) return -1;
    g->replaying = true;
    apply_ready(g);
    g->replaying = false;
    int efd = kv_wal_event_fd(g->wal);
    if (efd >= 0) {
        g->synced = event_new(g->base, efd, EV_READ | EV_PERSIST, on_synced, g);
        /* the sockets' priority: the messages a sync releases leave in the
         * same loop pass (runtime/flush.h), not behind every pass that reads */
        if (g->synced) event_priority_set(g->synced, 0);
        if (!g->synced || event_add(g->synced, NULL) != 0) {
            snprintf(err, errn, "cannot watch the log's syncer");
            return -1;
        }
    }
    if (g->o.keep && g->next_apply > g->o.keep)
        hoc_ledger_forget_below(hoc_svc_ledger(g->svc), g->next_apply - g->o.keep);
    restart_promised(g);
    if (g->st.replayed || g->snap_below)
        hoc_log(&g->o.log, HOC_LOG_WARN,
                "group %d: recovered from %s in %.3f s: snapshot below slot %" PRIu64 ", %" PRIu64
                " records, next slot to apply %" PRIu64 ", %" PRIu64
                " slots restarted with their promises",
                g->o.gid, g->o.dir, (double)(hoc_now_us() - t0) / 1e6, g->snap_below,
                g->st.replayed, g->next_apply, g->st.restored);
    return 0;
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
    if (g->batch < KV_BATCH_HDR + 2 * (KV_CMD_HDR + 4)) {
        snprintf(err, errn, "a slot of %zu bytes cannot carry a command in parts", g->batch);
        free(g);
        return NULL;
    }
    g->max_decided = UINT64_MAX;
    g->xfer_peer = g->xfer_fd = -1;
    g->base = base;
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
                     .iteration = io_iteration,
                     .finished = io_finished,
                     .restore = o->dir ? io_restore : NULL,
                     .sending = o->dir ? io_sending : NULL};
    if (!(g->svc = hoc_svc_new(base, &so, &io, err, errn)) || (o->dir && recover(g, err, errn))) {
        kv_group_free(g);
        return NULL;
    }
    return g;
}

void kv_group_free(kv_group *g)
{
    if (!g) return;
    if (g->snap_pid > 0) { /* a snapshot being written: it is not needed any more */
        kill(g->snap_pid, SIGKILL);
        waitpid(g->snap_pid, NULL, 0);
    }
    hoc_svc_free(g->svc);
    if (g->xfer_fd >= 0) close(g->xfer_fd);
    if (g->synced) event_free(g->synced);
    kv_wal_close(g->wal);
    for (size_t i = 0; g->prom && i < g->promcap; i++)
        if (g->prom[i].used) free(g->prom[i].x);
    free(g->prom);
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
const char *kv_group_fault(const kv_group *g)
{
    return g->wal ? kv_wal_error(g->wal) : NULL;
}
const kv_wal *kv_group_wal(const kv_group *g)
{
    return g->wal;
}
hoc_svc *kv_group_svc(const kv_group *g)
{
    return g->svc;
}
