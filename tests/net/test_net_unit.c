/* test_net_unit.c: the round engine on the generated OTR and LastVoting
 * code (late, future and duplicate messages, timeouts, catch-up, forwarding,
 * the live bound, an in-memory cluster with loss and reordering; a process
 * hears itself in rounds it catches up over, on tests/net/selfhear.ho), events and
 * start by replacement on tests/net/counter.ho (a new state equal to
 * init's, which the engine copies in by its nonzero pieces; at the boundary a catch-up
 * crosses, joining 3 * 2^20 rounds ahead at no cost, a halt dropping the
 * events behind it), rounds that sleep while silent (tests/net/sleepy.ho), the wire
 * format's decoder (truncations, corruptions, random bytes), zero-run
 * framing (round trips, its size bound, malformed input; a cluster with it
 * on), how values of
 * each kind are carried and printed, and the peers file parser. No sockets. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "counter.h"
#include "engine.h"
#include "last_voting.h"
#include "otr.h"
#include "peers.h"
#include "rejoin_zero.h"
#include "self_hear.h"
#include "sleepy.h"
#include "value.h"
#include "wire.h"
#include "zrun.h"

#include "hoc_check.h"
#include "rng.h"

static uint64_t rng = 12345;
static uint64_t rnd(void)
{
    return hoc_rng_next(&rng);
}

/* ---- a cluster of engines joined by an in-memory network ---- */
#define MAXQ 400000
#define NI 200
typedef struct Msg {
    int from, to;
    uint64_t inst;
    int64_t round;
    uint8_t payload[64];
    size_t len;
    bool decision;
    uint32_t flags;
    uint8_t value[8];
    size_t vlen;
} Msg;

typedef struct Node {
    int id;
    hoc_engine *e;
    uint8_t status[NI];
    int64_t value[NI];
    uint8_t carried[NI][8]; /* the value as the engine carries it */
    int ndecided, sends, replies, notices;
    int drops[HOC_DROP_FAR + 1]; /* as io.dropped reported them, by reason */
} Node;

static Msg *queue;
static size_t nq;
static double drop_p;
static Node nodes[8];

static void q_send(void *ctx, int to, uint64_t inst, int64_t round, const uint8_t *p, size_t len)
{
    Node *nd = ctx;
    nd->sends++;
    if (drop_p > 0 && (double)(rnd() % 1000) / 1000.0 < drop_p) return;
    if (nq == MAXQ || len > 64) return;
    Msg *m = &queue[nq++];
    memset(m, 0, sizeof *m);
    m->from = nd->id, m->to = to, m->inst = inst, m->round = round, m->len = len;
    memcpy(m->payload, p, len);
}

static void q_decision(void *ctx, int to, uint64_t inst, uint32_t flags, const uint8_t *v,
                       size_t len)
{
    Node *nd = ctx;
    if (flags & HOC_DECISION_ADOPT)
        nd->replies++;
    else
        nd->notices++;
    if (nq == MAXQ || len > 8) return;
    Msg *m = &queue[nq++];
    memset(m, 0, sizeof *m);
    m->from = nd->id, m->to = to, m->inst = inst, m->decision = true, m->flags = flags;
    m->vlen = len;
    if (len) memcpy(m->value, v, len);
}

/* An int64 as the engine carries an int decision: 8 bytes, little-endian. */
static const uint8_t *v8(int64_t v)
{
    static uint8_t b[8];
    hoc_put_u64(b, (uint64_t)v);
    return b;
}

static void n_decided(void *ctx, uint64_t inst, const uint8_t *v, size_t len, int from)
{
    (void)from;
    Node *nd = ctx;
    if (inst < NI && nd->status[inst] != 1 && len == 8) {
        nd->status[inst] = 1, nd->value[inst] = (int64_t)hoc_get_u64(v), nd->ndecided++;
        memcpy(nd->carried[inst], v, 8);
    }
}

static hoc_inst_status n_lookup(void *ctx, uint64_t inst, const uint8_t **v, size_t *len)
{
    Node *nd = ctx;
    if (inst >= NI) return HOC_INST_IGNORE;
    if (nd->status[inst] == 1) {
        *v = nd->carried[inst], *len = 8;
        return HOC_INST_DECIDED;
    }
    return nd->status[inst] ? HOC_INST_IGNORE : HOC_INST_NEW;
}

static void n_inputs(void *ctx, uint64_t inst, int64_t *in, const uint8_t **bytes)
{
    (void)bytes;
    Node *nd = ctx;
    in[0] = (int64_t)((inst * 7 + (uint64_t)nd->id) % 3);
}

static void n_dropped(void *ctx, int from, uint64_t inst, int64_t round, hoc_drop why)
{
    (void)from, (void)inst, (void)round;
    Node *nd = ctx;
    nd->drops[why]++;
}

static bool zero_runs; /* setup's engines pack zero runs (zrun.h) */

static void setup(const hoc_algo *a, int n, int max_live, bool forward)
{
    for (int i = 0; i < n; i++) {
        memset(&nodes[i], 0, sizeof nodes[i]);
        nodes[i].id = i;
        int64_t params[16] = {n};
        hoc_engine_opts o = {max_live, forward, 7, 0, 0, zero_runs};
        hoc_engine_io io = {.ctx = &nodes[i],
                            .send = q_send,
                            .send_decision = q_decision,
                            .decided = n_decided,
                            .lookup = n_lookup,
                            .inputs = n_inputs,
                            .dropped = n_dropped};
        nodes[i].e = hoc_engine_new(a, i, params, &o, &io);
    }
    nq = 0;
}

static void teardown(int n)
{
    for (int i = 0; i < n; i++)
        hoc_engine_free(nodes[i].e);
}

/* Delivers queued messages in random order until quiet, with time moving
 * on so that timeouts fire; returns the simulated time used. */
static uint64_t run_cluster(int n, uint64_t t, uint64_t limit)
{
    while (t < limit) {
        if (nq == 0) {
            /* nothing in flight: jump to the earliest timeout */
            uint64_t next = UINT64_MAX;
            for (int i = 0; i < n; i++) {
                uint64_t d = hoc_engine_next_deadline(nodes[i].e);
                if (d < next) next = d;
            }
            if (next == UINT64_MAX) break;
            t = next > t ? next : t + 1;
            for (int i = 0; i < n; i++)
                hoc_engine_tick(nodes[i].e, t);
            continue;
        }
        /* deliver a random batch, then settle everybody (one loop iteration) */
        size_t batch = 1 + rnd() % (nq < 16 ? nq : 16);
        for (size_t b = 0; b < batch && nq; b++) {
            size_t k = rnd() % nq;
            Msg m = queue[k];
            queue[k] = queue[--nq];
            Node *to = &nodes[m.to];
            if (m.decision)
                CHECK(hoc_engine_decision(to->e, m.from, m.inst, m.flags, m.value, m.vlen) ==
                      HOC_RX_OK);
            else
                CHECK(hoc_engine_receive(to->e, m.from, m.inst, m.round, m.payload, m.len, t) ==
                      HOC_RX_OK);
        }
        t += 10;
        for (int i = 0; i < n; i++) {
            hoc_engine_settle(nodes[i].e, t);
            hoc_engine_tick(nodes[i].e, t);
        }
    }
    return t;
}

static void cluster_test(const hoc_algo *a, int n, double drop, bool forward, const char *what)
{
    queue = calloc(MAXQ, sizeof *queue);
    drop_p = drop;
    setup(a, n, 64, forward);
    uint64_t t = 1;
    /* each node starts instances as slots free: like a replica's window */
    while (t < 200000000) {
        for (int i = 0; i < n; i++)
            for (int s = 0; s < NI && hoc_engine_live(nodes[i].e) < 16; s++)
                if (nodes[i].status[s] == 0) hoc_engine_start(nodes[i].e, (uint64_t)s, t);
        t = run_cluster(n, t, t + 200000);
        bool all = true;
        for (int i = 0; i < n; i++)
            all &= nodes[i].ndecided == NI;
        if (all) break;
        if (getenv("NET_DEBUG")) {
            fprintf(stderr, "t=%" PRIu64 " nq=%zu", t, nq);
            for (int i = 0; i < n; i++)
                fprintf(stderr, " %d/%d", nodes[i].ndecided, hoc_engine_live(nodes[i].e));
            fputc('\n', stderr);
        }
    }
    int agree = 1, decided = 0;
    for (int s = 0; s < NI; s++)
        for (int i = 0; i < n; i++) {
            decided += nodes[i].status[s] == 1;
            if (nodes[i].status[s] == 1 && nodes[0].status[s] == 1 &&
                nodes[i].value[s] != nodes[0].value[s])
                agree = 0;
        }
    printf("%s: n=%d drop=%.1f forward=%d: %d/%d decisions, agreement %s\n", what, n, drop, forward,
           decided, n * NI, agree ? "yes" : "NO");
    CHECK(agree);
    CHECK(decided == n * NI); /* without forwarding too: decided instances end by notices */
    if (!forward)
        for (int i = 0; i < n; i++)
            CHECK(hoc_engine_live(nodes[i].e) == 0); /* every peer decided: all freed */
    teardown(n);
    free(queue);
    queue = NULL;
}

/* ---- single-engine tests on OTR ---- */
static void put_msg(uint8_t *buf, int64_t v)
{
    hoc_put_u64(buf, (uint64_t)v);
}

static void engine_tests(void)
{
    queue = calloc(MAXQ, sizeof *queue);
    drop_p = 0;
    setup(&otr_algo, 4, 2, true);
    hoc_engine *e = nodes[0].e;
    const hoc_engine_stats *st = hoc_engine_get_stats(e);
    uint8_t m[8];
    CHECK(hoc_engine_start(e, 1, 100) == 1);
    CHECK(nq == 3); /* broadcast to the three others */
    CHECK(hoc_engine_round(e, 1) == 0);
    /* its own input is 1; it hears 2, 0, 2: no value more than 2n/3 times */
    put_msg(m, 2);
    /* a refused frame leaves the slot it was decoded into unheard */
    CHECK(hoc_engine_receive(e, 1, 1, 0, m, 7, 110) == HOC_RX_BAD);
    CHECK(hoc_engine_receive(e, 1, 1, 0, m, 8, 110) == HOC_RX_OK);
    CHECK(hoc_engine_receive(e, 1, 1, 0, m, 8, 110) == HOC_RX_OK);
    CHECK(st->dup == 1 && st->msgs_in == 2);
    put_msg(m, 0);
    CHECK(hoc_engine_receive(e, 2, 1, 0, m, 8, 110) == HOC_RX_OK);
    CHECK(hoc_engine_round(e, 1) == 0);
    put_msg(m, 2);
    CHECK(hoc_engine_receive(e, 3, 1, 0, m, 8, 110) == HOC_RX_OK);
    CHECK(hoc_engine_round(e, 1) == 1); /* goahead n: all four heard */
    const otr_state *os = hoc_engine_state(e, 1);
    CHECK(os && os->x == 2 && !os->decided); /* the most often received value */
    put_msg(m, 1);
    CHECK(hoc_engine_receive(e, 2, 1, 0, m, 8, 120) == HOC_RX_OK);
    CHECK(st->late == 1);
    CHECK(hoc_engine_receive(e, 2, 1, 2, m, 8, 120) == HOC_RX_OK);
    CHECK(st->future == 1 && hoc_engine_round(e, 1) == 1);
    hoc_engine_settle(e, 130);
    CHECK(hoc_engine_round(e, 1) == 2); /* caught up to where peer 2 is */
    CHECK(st->catchups == 1);
    /* a message from a much later round: catch up at once */
    CHECK(hoc_engine_receive(e, 3, 1, 9, m, 8, 140) == HOC_RX_OK);
    CHECK(hoc_engine_round(e, 1) == 9 && st->catchup_rounds >= 6);
    /* beyond HOC_ENGINE_MAX_JUMP ahead: dropped (one frame with round 2^62
     * kept the engine catching up for ever); at the bound: caught up */
    CHECK(hoc_engine_receive(e, 3, 1, 9 + HOC_ENGINE_MAX_JUMP + 1, m, 8, 140) == HOC_RX_OK);
    CHECK(hoc_engine_receive(e, 3, 1, INT64_MAX, m, 8, 140) == HOC_RX_OK);
    CHECK(st->far == 2 && nodes[0].drops[HOC_DROP_FAR] == 2 && hoc_engine_round(e, 1) == 9);
    CHECK(hoc_engine_receive(e, 3, 1, 9 + HOC_ENGINE_MAX_JUMP, m, 8, 140) == HOC_RX_OK);
    CHECK(hoc_engine_round(e, 1) == 9 + HOC_ENGINE_MAX_JUMP);
    /* bad payloads and senders; a late or duplicate message is dropped
     * undecoded, whatever it holds */
    uint64_t late = st->late, dup = st->dup;
    CHECK(hoc_engine_receive(e, 2, 1, hoc_engine_round(e, 1), m, 7, 150) == HOC_RX_BAD);
    CHECK(hoc_engine_receive(e, 3, 1, 9, m, 7, 150) == HOC_RX_OK && st->late == late + 1);
    CHECK(hoc_engine_receive(e, 3, 1, hoc_engine_round(e, 1), m, 7, 150) == HOC_RX_OK &&
          st->dup == dup + 1);
    CHECK(hoc_engine_receive(e, 0, 1, 9, m, 8, 150) == HOC_RX_BAD);
    CHECK(hoc_engine_receive(e, 4, 1, 9, m, 8, 150) == HOC_RX_BAD);
    CHECK(hoc_engine_receive(e, -1, 1, 9, m, 8, 150) == HOC_RX_BAD);
    CHECK(hoc_engine_receive(e, 1, 1, -3, m, 8, 150) == HOC_RX_BAD);
    /* timeout: 20 ms after the round began, with wait 0, the round ends */
    int64_t r = hoc_engine_round(e, 1);
    hoc_engine_tick(e, 140 + 19999);
    CHECK(hoc_engine_round(e, 1) == r);
    hoc_engine_tick(e, 140 + 20000);
    CHECK(hoc_engine_round(e, 1) == r + 1 && st->timeouts == 1);
    /* a hurry ends the round named, long before its timeout; one for the
     * next round ends that one as soon as it begins (the hurrying peer is
     * ahead); one for another round or instance changes nothing; the
     * rounds' timers, fired later, do not end the rounds after them */
    CHECK(!hoc_engine_hurry(e, 1, r, 20200) && !hoc_engine_hurry(e, 1, r + 3, 20200));
    CHECK(!hoc_engine_hurry(e, 77, r + 1, 20200) && hoc_engine_round(e, 1) == r + 1);
    CHECK(!hoc_engine_hurry(e, 1, r + 2, 20200) && hoc_engine_round(e, 1) == r + 1);
    CHECK(hoc_engine_hurry(e, 1, r + 1, 20200)); /* r + 1 began at 20140: 20 ms to go */
    CHECK(hoc_engine_round(e, 1) == r + 3 && st->hurried == 2 && st->timeouts == 1);
    hoc_engine_tick(e, 20140 + 20000);
    CHECK(hoc_engine_round(e, 1) == r + 3 && st->timeouts == 1);
    hoc_engine_tick(e, 20200 + 20000);
    CHECK(hoc_engine_round(e, 1) == r + 4 && st->timeouts == 2);
    /* the live bound: two instances at most */
    CHECK(hoc_engine_start(e, 2, 200) == 1);
    CHECK(hoc_engine_start(e, 3, 200) == -1);
    CHECK(hoc_engine_receive(e, 1, 4, 0, m, 8, 200) == HOC_RX_OK);
    CHECK(st->dropped_full == 1 && hoc_engine_live(e) == 2);
    /* deciding: its input is 2, the others send 1; the instance ends and is freed */
    for (int p = 1; p < 4; p++)
        CHECK(hoc_engine_receive(e, p, 2, 0, m, 8, 210) == HOC_RX_OK);
    CHECK(nodes[0].status[2] == 1 && nodes[0].value[2] == 1);
    CHECK(hoc_engine_live(e) == 1 && hoc_engine_round(e, 2) == -1);
    /* forwarding: a late peer is answered with the decision */
    size_t before = (size_t)nodes[0].replies;
    CHECK(hoc_engine_receive(e, 3, 2, 1, m, 8, 230) == HOC_RX_OK);
    CHECK((size_t)nodes[0].replies == before + 1);
    /* a forwarded decision ends a live instance */
    CHECK(hoc_engine_decision(e, 2, 1, HOC_DECISION_ADOPT, v8(1), 8) == HOC_RX_OK);
    CHECK(nodes[0].status[1] == 1 && hoc_engine_live(e) == 0);
    /* an instance beyond what the embedder runs is ignored */
    CHECK(hoc_engine_receive(e, 1, NI + 5, 0, m, 8, 240) == HOC_RX_OK && st->dropped_ignored == 1);
    /* so is a decision forwarded for an instance decided already */
    CHECK(hoc_engine_decision(e, 3, 2, HOC_DECISION_ADOPT, v8(1), 8) == HOC_RX_OK);
    CHECK(st->decisions_ignored == 1);
    /* a value that is not an int's, or a value in a notice, is a bad frame */
    CHECK(hoc_engine_decision(e, 3, 7, HOC_DECISION_ADOPT, v8(1), 7) == HOC_RX_BAD);
    CHECK(hoc_engine_decision(e, 0, 7, HOC_DECISION_ADOPT, v8(1), 8) == HOC_RX_BAD);
    /* every drop was reported to the embedder, with its reason */
    const int *d = nodes[0].drops;
    CHECK(d[HOC_DROP_DUP] == (int)st->dup && d[HOC_DROP_LATE] == (int)st->late &&
          d[HOC_DROP_FULL] == (int)st->dropped_full && d[HOC_DROP_IGNORED] == 1 &&
          d[HOC_DROP_DECISION] == 1 && d[HOC_DROP_UNENCODABLE] == 0);
    teardown(4);
    free(queue);
    queue = NULL;
}

/* ---- starting in a later round, with inputs given ---- */
static void start_at_tests(void)
{
    queue = calloc(MAXQ, sizeof *queue);
    drop_p = 0;
    setup(&last_voting_algo, 3, 8, true);
    /* process 1 starts instance 3 in phase 1, which it coordinates: its
     * collect message goes to itself, nothing is sent */
    int64_t in[1] = {42};
    CHECK(hoc_engine_start_at(nodes[1].e, 3, 4, in, NULL, 10) == HOC_START_OK);
    CHECK(hoc_engine_round(nodes[1].e, 3) == 4 && nq == 0);
    /* the others join it in phase 1 (their first message catches them up)
     * and decide; examples/lastvoting.ho's coordinator takes, among estimates
     * no one adopted yet, the lowest sender's (services/kv/kv.ho takes its own) */
    CHECK(hoc_engine_start_at(nodes[0].e, 3, 4, (int64_t[]){7}, NULL, 10) == HOC_START_OK);
    CHECK(hoc_engine_start_at(nodes[2].e, 3, 0, (int64_t[]){9}, NULL, 10) == HOC_START_OK);
    run_cluster(3, 20, 10000000);
    for (int i = 0; i < 3; i++)
        CHECK(nodes[i].status[3] == 1 && nodes[i].value[3] == 7); /* lowest sender: argmax ties */
    CHECK(hoc_engine_start_at(nodes[0].e, 3, 0, in, NULL, 10) == HOC_START_SKIPPED);
    teardown(3);
    free(queue);
    queue = NULL;
}

/* tests/net/selfhear.ho: a round run without being begun (caught up over,
 * or before the round an instance starts in) hears the process's own
 * message, as in the model; before, `lost` was set in each of them. */
static void selfhear_tests(void)
{
    queue = calloc(MAXQ, sizeof *queue);
    drop_p = 0;
    setup(&self_hear_algo, 3, 8, true);
    hoc_engine *e = nodes[0].e;
    uint8_t m[8];
    put_msg(m, 1);
    /* peer 1's round 3 catches instance 0 up over rounds 1 and 2 */
    CHECK(hoc_engine_start(e, 0, 10) == HOC_START_OK);
    CHECK(hoc_engine_receive(e, 1, 0, 3, m, 8, 20) == HOC_RX_OK);
    const self_hear_state *s = hoc_engine_state(e, 0);
    CHECK(hoc_engine_round(e, 0) == 3 && s && s->r == 3 && !s->lost);
    /* peer 1's round 2 starts instance 1 here: rounds 0 and 1 run at once */
    CHECK(hoc_engine_receive(e, 1, 1, 2, m, 8, 30) == HOC_RX_OK);
    s = hoc_engine_state(e, 1);
    CHECK(hoc_engine_round(e, 1) == 2 && s && s->r == 2 && !s->lost);
    /* the service starts instance 2 in round 4 */
    CHECK(hoc_engine_start_at(e, 2, 4, (int64_t[]){1}, NULL, 40) == HOC_START_OK);
    s = hoc_engine_state(e, 2);
    CHECK(hoc_engine_round(e, 2) == 4 && s && s->r == 4 && !s->lost);
    CHECK(hoc_engine_get_stats(e)->catchup_rounds >= 3);
    teardown(3);
    free(queue);
    queue = NULL;
}

/* tests/net/rejoin0.ho: a replacement never runs round 0 (the model
 * replaces a process only after a round's update). Before, one joining
 * peers still in round 0, or started at round 0, ran the replaced block and
 * then round 0 (`early`), and decided 7, which no checked run does. */
static void rejoin0_tests(void)
{
    queue = calloc(MAXQ, sizeof *queue);
    drop_p = 0;
    setup(&rejoin_zero_algo, 3, 8, true);
    /* instance 0: process 0 joins its peers, which start it in round 0 */
    CHECK(hoc_engine_start_replaced(nodes[0].e, 0, HOC_ENGINE_JOIN, NULL, NULL, 10) ==
          HOC_START_OK);
    CHECK(hoc_engine_start(nodes[1].e, 0, 10) == HOC_START_OK);
    CHECK(hoc_engine_start(nodes[2].e, 0, 10) == HOC_START_OK);
    /* instance 1: process 0 is started replaced at round 0 */
    CHECK(hoc_engine_start_replaced(nodes[0].e, 1, 0, NULL, NULL, 10) == HOC_START_OK);
    const rejoin_zero_state *s = hoc_engine_state(nodes[0].e, 1);
    CHECK(hoc_engine_round(nodes[0].e, 1) == 1 && s && !s->fresh && !s->early);
    CHECK(hoc_engine_start(nodes[1].e, 1, 10) == HOC_START_OK);
    CHECK(hoc_engine_start(nodes[2].e, 1, 10) == HOC_START_OK);
    run_cluster(3, 20, 10000000);
    for (int i = 0; i < 3; i++)
        for (int k = 0; k < 2; k++)
            CHECK(nodes[i].status[k] == 1 && nodes[i].value[k] == 1);
    CHECK(hoc_engine_get_stats(nodes[0].e)->replaced == 2);
    teardown(3);
    free(queue);
    queue = NULL;
}

/* Writes a frame header with length field l and type t into b (8 bytes). */
static void raw_header(uint8_t *b, uint32_t l, int t)
{
    hoc_put_u32(b, l);
    b[4] = HOC_WIRE_VERSION, b[5] = (uint8_t)t, b[6] = b[7] = 0;
}

/* The frame limits: each type's length is judged from its first 6 bytes,
 * before the rest is waited for (so before a receiver makes room for it),
 * and a frame just under its limit decodes. */
static void limit_tests(void)
{
    uint8_t h[8];
    hoc_frame f;
    size_t used;
    const char *why;
    struct {
        int type;
        uint32_t max;
    } lim[] = {{HOC_F_MSG, HOC_WIRE_MAX_FRAME},     {HOC_F_DECISION, HOC_WIRE_MAX_FRAME},
               {HOC_F_SEALED, HOC_WIRE_MAX_SEALED}, {HOC_F_APP, HOC_WIRE_MAX_APP_FRAME},
               {HOC_F_HELLO, HOC_WIRE_MAX_FIXED},   {HOC_F_DONE, HOC_WIRE_MAX_FIXED}};
    for (size_t i = 0; i < sizeof lim / sizeof *lim; i++) {
        raw_header(h, lim[i].max, lim[i].type); /* at the limit: wait for the rest */
        CHECK(hoc_wire_decode(h, sizeof h, &f, &used, &why) == HOC_WIRE_MORE);
        raw_header(h, lim[i].max + 1, lim[i].type); /* one over: refused at once */
        CHECK(hoc_wire_decode(h, sizeof h, &f, &used, &why) == HOC_WIRE_BAD && why &&
              strcmp(why, "frame too long") == 0);
    }
    raw_header(h, HOC_WIRE_MAX_SEALED + 1, HOC_F_SEALED); /* no type may be longer */
    CHECK(hoc_wire_decode(h, 4, &f, &used, &why) == HOC_WIRE_BAD);
    CHECK(HOC_WIRE_MAX_FRAME == 64 << 20 && HOC_WIRE_MAX_APP == 65536 - 12);
    /* a whole MSG just under the limit, and its encoders' bounds */
    size_t big = HOC_WIRE_LEN + HOC_WIRE_MAX_FRAME;
    uint8_t *b = calloc(1, big + 1);
    CHECK(b != NULL);
    if (!b) return;
    CHECK(hoc_wire_msg_header(b, big, 9, 1, 2, 7, HOC_WIRE_MAX_PAYLOAD + 1) == -1);
    int hl = hoc_wire_msg_header(b, big, 9, 1, 2, 7, HOC_WIRE_MAX_PAYLOAD);
    CHECK(hl == 32);
    b[big - 1] = 0xee;
    CHECK(hoc_wire_decode(b, big, &f, &used, &why) == HOC_WIRE_OK && used == big &&
          f.payload_len == HOC_WIRE_MAX_PAYLOAD && f.payload[f.payload_len - 1] == 0xee);
    CHECK(hoc_wire_decode(b, big - 1, &f, &used, &why) == HOC_WIRE_MORE);
    uint8_t *val = calloc(1, HOC_WIRE_MAX_VALUE + 1); /* a decision's value, just under */
    CHECK(val != NULL);
    if (val) {
        CHECK(hoc_wire_decision(b, big + 1, 9, 2, 7, HOC_DECISION_ADOPT, val,
                                HOC_WIRE_MAX_VALUE + 1) == -1);
        CHECK(hoc_wire_decision(b, big + 1, 9, 2, 7, HOC_DECISION_ADOPT, val, HOC_WIRE_MAX_VALUE) ==
              (int)big);
        CHECK(hoc_wire_decode(b, big, &f, &used, &why) == HOC_WIRE_OK && f.type == HOC_F_DECISION &&
              f.payload_len == HOC_WIRE_MAX_VALUE);
    }
    free(val);
    CHECK(hoc_wire_sealed_header(b, 8, HOC_WIRE_LEN + HOC_WIRE_MAX_FRAME) == 8);
    CHECK(hoc_wire_sealed_header(b, 8, HOC_WIRE_LEN + HOC_WIRE_MAX_FRAME + 1) == -1);
    free(b);
}

/* ---- events and replacement (tests/net/counter.ho), one engine ---- */
typedef struct EvRec {
    uint64_t inst, tag;
    int64_t round;
    bool ran;
    int64_t added;
} EvRec;
static EvRec evrec[16];
static int nevrec, ev_sends;

static void ev_done(void *ctx, uint64_t inst, int64_t round, uint64_t tag, int ev, bool ran,
                    const void *outputs)
{
    (void)ctx, (void)ev;
    const counter_outputs *o = outputs;
    if (nevrec < 16) evrec[nevrec++] = (EvRec){inst, tag, round, ran, o ? o->added : -1};
}

static void ev_send(void *ctx, int to, uint64_t inst, int64_t round, const uint8_t *p, size_t len)
{
    (void)ctx, (void)to, (void)inst, (void)round, (void)p, (void)len;
    ev_sends++;
}

static hoc_inst_status ev_lookup(void *ctx, uint64_t inst, const uint8_t **v, size_t *len)
{
    (void)ctx, (void)inst, (void)v, (void)len;
    return HOC_INST_NEW;
}

static void ev_inputs(void *ctx, uint64_t inst, int64_t *in, const uint8_t **bytes)
{
    (void)ctx, (void)inst, (void)in, (void)bytes;
}

/* Peer `from`'s message of round r of Counter into e. */
static int feed_counter(hoc_engine *e, int from, uint64_t inst, int64_t r, uint64_t now)
{
    static uint8_t buf[16 + 262144]; /* the encoder wants room for a whole blob */
    int len;
    if (r % 2 == 0) {
        counter_msg_spread m;
        memset(&m, 0, sizeof m);
        m.mine = 1;
        len = counter_encode_spread(&m, buf, sizeof buf);
    } else {
        counter_msg_back m = {0};
        len = counter_encode_back(&m, buf, sizeof buf);
    }
    return hoc_engine_receive(e, from, inst, r, buf, (size_t)len, now);
}

static void event_tests(void)
{
    int64_t params[2] = {3, 4}; /* go-ahead n + 1: rounds end on timeouts or catch-up */
    hoc_engine_opts o = {4, true, 1, 0, 0, false};
    hoc_engine_io io = {
        .send = ev_send, .lookup = ev_lookup, .inputs = ev_inputs, .event_done = ev_done};
    hoc_engine *e = hoc_engine_new(&counter_algo, 0, params, &o, &io);
    CHECK(e != NULL);
    if (!e) return;
    int add = hoc_engine_event_index(&counter_algo, "add");
    int quit = hoc_engine_event_index(&counter_algo, "quit");
    /* catching up over a boundary hands the event over there: round 1 */
    CHECK(hoc_engine_start(e, 1, 0) == HOC_START_OK);
    /* a new state is init's (the engine copies the nonzero pieces of init's
     * state, made once, into each: tag lies past the 256 KiB blob) */
    counter_state *init = calloc(1, sizeof *init);
    hoc_env env0 = {0, 3, 0, params, 0};
    if (init) counter_init(init, &env0, NULL);
    CHECK(init && init->tag == 7 && !memcmp(hoc_engine_state(e, 1), init, sizeof *init));
    CHECK(hoc_engine_event(e, 1, add, (int64_t[]){5}, NULL, 11, NULL, 0) == HOC_EVENT_QUEUED);
    CHECK(hoc_engine_events_queued(e) == 1);
    CHECK(feed_counter(e, 1, 1, 0, 10) == HOC_RX_OK && nevrec == 0); /* round 0: no boundary */
    CHECK(feed_counter(e, 1, 1, 5, 20) == HOC_RX_OK);
    CHECK(nevrec == 1 && evrec[0].tag == 11 && evrec[0].ran && evrec[0].round == 1 &&
          evrec[0].added == 5 && hoc_engine_round(e, 1) == 5);
    CHECK(((const counter_state *)hoc_engine_state(e, 1))->c[0] == 5);
    CHECK(hoc_engine_events_queued(e) == 0);
    /* a replacement that joins a peer far beyond HOC_ENGINE_MAX_JUMP: O(1),
     * the replaced block ran, the event queued meanwhile runs at the first
     * boundary after it */
    int64_t far = 3 * HOC_ENGINE_MAX_JUMP + 1; /* odd: back, the phase's last round */
    uint64_t cu = hoc_engine_get_stats(e)->catchup_rounds;
    CHECK(hoc_engine_start_replaced(e, 2, HOC_ENGINE_JOIN, NULL, NULL, 30) == HOC_START_OK);
    CHECK(hoc_engine_joining(e, 2) && hoc_engine_next_deadline(e) != 30 + 20000);
    CHECK(!((const counter_state *)hoc_engine_state(e, 2))->rejoined);
    CHECK(init && !memcmp(hoc_engine_state(e, 2), init, sizeof *init));
    CHECK(hoc_engine_event(e, 2, add, (int64_t[]){2}, NULL, 12, NULL, 0) == HOC_EVENT_QUEUED);
    int sends = ev_sends;
    CHECK(feed_counter(e, 2, 2, far, 40) == HOC_RX_OK);
    CHECK(!hoc_engine_joining(e, 2) && hoc_engine_round(e, 2) == far);
    CHECK(((const counter_state *)hoc_engine_state(e, 2))->rejoined);
    /* exactly what replace leaves in init's state (the engine ran it on its
     * copy of init's state and took the pieces it changed) */
    counter_outputs outs = {0};
    hoc_env envr = {0, 3, far - 1, params, 0};
    if (init) counter_replaced(init, &envr, NULL, &outs);
    CHECK(init && init->rejoined && init->tag == 7 &&
          !memcmp(hoc_engine_state(e, 2), init, sizeof *init));
    free(init);
    CHECK(ev_sends == sends + 2); /* it began round far: its messages to 1 and 2 */
    CHECK(hoc_engine_get_stats(e)->catchup_rounds == cu && hoc_engine_get_stats(e)->far == 0);
    CHECK(hoc_engine_get_stats(e)->replaced == 1 && nevrec == 1);
    hoc_engine_tick(e, 40 + 20000); /* round far ends on its timeout: the boundary */
    CHECK(nevrec == 2 && evrec[1].tag == 12 && evrec[1].ran && evrec[1].round == far &&
          evrec[1].added == 2 && hoc_engine_round(e, 2) == far + 1);
    /* replaced in a given round: begins it at once */
    sends = ev_sends;
    CHECK(hoc_engine_start_replaced(e, 3, 10, NULL, NULL, 50) == HOC_START_OK);
    CHECK(hoc_engine_round(e, 3) == 10 && ev_sends == sends + 2 &&
          ((const counter_state *)hoc_engine_state(e, 3))->rejoined);
    CHECK(hoc_engine_start_replaced(e, 3, 10, NULL, NULL, 50) == HOC_START_SKIPPED);
    /* the live bound (4) holds: a fifth is refused, nothing evicted */
    CHECK(hoc_engine_start(e, 4, 60) == HOC_START_OK);
    CHECK(hoc_engine_start_replaced(e, 5, 1, NULL, NULL, 60) == HOC_START_FULL);
    CHECK(hoc_engine_live(e) == 4 && hoc_engine_round(e, 1) >= 5); /* still live */
    /* quit halts: the event behind it is dropped unrun, the instance ends */
    CHECK(hoc_engine_event(e, 4, quit, NULL, NULL, 13, NULL, 0) == HOC_EVENT_QUEUED);
    CHECK(hoc_engine_event(e, 4, add, (int64_t[]){1}, NULL, 14, NULL, 0) == HOC_EVENT_QUEUED);
    CHECK(feed_counter(e, 1, 4, 2, 70) == HOC_RX_OK);
    CHECK(nevrec == 4 && evrec[2].tag == 13 && evrec[2].ran && evrec[3].tag == 14 &&
          !evrec[3].ran && evrec[3].added == -1);
    CHECK(hoc_engine_round(e, 4) == -1 && hoc_engine_live(e) == 3);
    CHECK(hoc_engine_get_stats(e)->events_lost == 1 && hoc_engine_get_stats(e)->events_run == 3);
    /* a bytes argument given as bytes: any BLOB bytes (its range bounds the
     * drivers only), copied when queued (the caller's buffer is reused here
     * before the boundary) */
    int put = hoc_engine_event_index(&counter_algo, "put");
    uint8_t blk[sizeof((counter_state *)0)->blob];
    for (size_t k = 0; k < sizeof blk; k++)
        blk[k] = (uint8_t)(0xf0 ^ k);
    const uint8_t *bargs[1] = {blk};
    CHECK(hoc_engine_event(e, 1, put, (int64_t[]){0}, bargs, 16, NULL, 0) == HOC_EVENT_QUEUED);
    memset(blk, 0, sizeof blk);
    CHECK(feed_counter(e, 1, 1, hoc_engine_round(e, 1) + 2, 80) == HOC_RX_OK);
    const counter_state *c1 = hoc_engine_state(e, 1);
    CHECK(nevrec == 5 && evrec[4].tag == 16 && evrec[4].ran && c1->blob[0] == 0xf0 &&
          c1->blob[sizeof blk - 1] == (uint8_t)(0xf0 ^ (sizeof blk - 1)));
    /* as an int, it must lie in its range */
    CHECK(hoc_engine_event(e, 1, put, (int64_t[]){0}, NULL, 17, NULL, 0) == HOC_EVENT_INVALID);
    /* an event that fires nothing, right after one that fired, sees the
     * outputs zero (the engine clears them only after a firing) */
    int fill = hoc_engine_event_index(&counter_algo, "fill");
    CHECK(hoc_engine_event(e, 1, add, (int64_t[]){1}, NULL, 18, NULL, 0) == HOC_EVENT_QUEUED);
    CHECK(hoc_engine_event(e, 1, fill, (int64_t[]){3}, NULL, 19, NULL, 0) == HOC_EVENT_QUEUED);
    CHECK(feed_counter(e, 1, 1, hoc_engine_round(e, 1) + 2, 85) == HOC_RX_OK);
    CHECK(nevrec == 7 && evrec[5].tag == 18 && evrec[5].added == 6 && evrec[6].tag == 19 &&
          evrec[6].ran && evrec[6].added == 0);
    /* the bytes bound: two blocks fit, a third waits for the boundary */
    hoc_engine_opts ob = {4, true, 1, 0, 2 * sizeof blk, false};
    hoc_engine *eb = hoc_engine_new(&counter_algo, 0, params, &ob, &io);
    CHECK(eb && hoc_engine_start(eb, 1, 0) == HOC_START_OK);
    char why[160] = "";
    for (int k = 0; eb && k < 3; k++)
        CHECK(hoc_engine_event(eb, 1, put, (int64_t[]){0}, bargs, 20 + k, why, sizeof why) ==
              (k < 2 ? HOC_EVENT_QUEUED : HOC_EVENT_FULL));
    CHECK(strstr(why, "max_event_bytes") != NULL);
    CHECK(eb &&
          hoc_engine_event(eb, 1, add, (int64_t[]){1}, NULL, 23, NULL, 0) == HOC_EVENT_QUEUED);
    if (eb) {
        CHECK(feed_counter(eb, 1, 1, 3, 10) == HOC_RX_OK && hoc_engine_events_queued(eb) == 0);
        CHECK(hoc_engine_event(eb, 1, put, (int64_t[]){0}, bargs, 24, NULL, 0) == HOC_EVENT_QUEUED);
        hoc_engine_free(eb);
    }
    /* events left queued are freed with the engine (ASan: no leak) */
    CHECK(hoc_engine_event(e, 3, add, (int64_t[]){1}, NULL, 15, NULL, 0) == HOC_EVENT_QUEUED);
    hoc_engine_free(e);
}

/* ---- sleeping rounds (io.idle), hoc_engine_wake and hoc_engine_nudge, on
 * tests/net/sleepy.ho: a process speaks only when it has news ---- */
static int sl_sends, sl_idle_calls, sl_last_to;
static int64_t sl_last_round;
static bool sl_allow = true;

static void sl_send(void *ctx, int to, uint64_t inst, int64_t round, const uint8_t *p, size_t len)
{
    (void)ctx, (void)inst, (void)p, (void)len;
    sl_sends++;
    sl_last_to = to, sl_last_round = round;
}

static bool sl_idle(void *ctx, uint64_t inst, int64_t round, const void *state)
{
    (void)ctx, (void)inst, (void)round, (void)state;
    sl_idle_calls++;
    return sl_allow;
}

/* Peer `from`'s message of round r (say or ack) of Sleepy, carrying v, into e. */
static int feed_sleepy(hoc_engine *e, int from, uint64_t inst, int64_t r, int64_t v, uint64_t now)
{
    uint8_t buf[32];
    sleepy_msg_say m = {v}; /* say and ack both carry one int */
    int len = sleepy_encode_say(&m, buf, sizeof buf);
    return hoc_engine_receive(e, from, inst, r, buf, (size_t)len, now);
}

static void sleep_tests(void)
{
    int64_t params[1] = {3};
    hoc_engine_opts o = {4, false, 1, 0, 0, false};
    hoc_engine_io io = {.send = sl_send, .lookup = ev_lookup, .inputs = ev_inputs, .idle = sl_idle};
    hoc_engine *e = hoc_engine_new(&sleepy_algo, 0, params, &o, &io);
    CHECK(e != NULL);
    if (!e) return;
    const hoc_engine_stats *st = hoc_engine_get_stats(e);
    int tell = hoc_engine_event_index(&sleepy_algo, "tell");
    /* round 0 begins silent: asleep, no timer; time passes, nothing ends */
    CHECK(hoc_engine_start(e, 1, 0) == HOC_START_OK);
    CHECK(hoc_engine_asleep(e, 1) && st->slept == 1 && sl_sends == 0 && sl_idle_calls == 1);
    CHECK(hoc_engine_next_deadline(e) == UINT64_MAX);
    hoc_engine_tick(e, 1000000);
    CHECK(hoc_engine_round(e, 1) == 0);
    /* woken: the round's timeout runs from then; io.idle saying no keeps the
     * timer of a silent round */
    sl_allow = false;
    CHECK(hoc_engine_wake(e, 1, 1000000) && !hoc_engine_wake(e, 1, 1000000));
    CHECK(!hoc_engine_asleep(e, 1) && hoc_engine_next_deadline(e) == 1020000 && st->woken == 1);
    hoc_engine_tick(e, 1020000);
    CHECK(hoc_engine_round(e, 1) == 1 && !hoc_engine_asleep(e, 1));
    sl_allow = true;
    hoc_engine_tick(e, 1040000);
    CHECK(hoc_engine_round(e, 1) == 2 && hoc_engine_asleep(e, 1) && st->slept == 2);
    /* an event wakes it (it runs at the next boundary, after round 3), and a
     * round with an event waiting does not sleep */
    CHECK(hoc_engine_event(e, 1, tell, (int64_t[]){5}, NULL, 1, NULL, 0) == HOC_EVENT_QUEUED);
    CHECK(!hoc_engine_asleep(e, 1) && hoc_engine_next_deadline(e) == 1060000);
    hoc_engine_tick(e, 1060000);
    CHECK(hoc_engine_round(e, 1) == 3 && !hoc_engine_asleep(e, 1));
    int calls = sl_idle_calls;
    hoc_engine_tick(e, 1080000); /* the boundary: tell ran, round 4 says 5 to both peers */
    CHECK(hoc_engine_round(e, 1) == 4 && sl_sends == 2 && !hoc_engine_asleep(e, 1));
    CHECK(sl_idle_calls == calls); /* a round that sends is never asked about */
    hoc_engine_tick(e, 1100000);
    CHECK(hoc_engine_round(e, 1) == 5 && hoc_engine_asleep(e, 1));
    /* a peer's message of the next round: buffered, caught up to at the
     * settle; the round it lands in holds a peer's message and is awake */
    CHECK(feed_sleepy(e, 1, 1, 6, 7, 1200000) == HOC_RX_OK);
    CHECK(hoc_engine_round(e, 1) == 5 && !hoc_engine_asleep(e, 1));
    hoc_engine_settle(e, 1200000);
    CHECK(hoc_engine_round(e, 1) == 6 && !hoc_engine_asleep(e, 1));
    CHECK(hoc_engine_next_deadline(e) == 1220000);
    hoc_engine_tick(e, 1220000); /* it heard 7: the ack goes to peer 1 */
    const sleepy_state *ss = hoc_engine_state(e, 1);
    CHECK(hoc_engine_round(e, 1) == 7 && ss->sum == 7 && sl_sends == 3 && !hoc_engine_asleep(e, 1));
    hoc_engine_tick(e, 1240000);
    CHECK(hoc_engine_round(e, 1) == 8 && hoc_engine_asleep(e, 1));
    /* a late message wakes it too: the peer behind is not idle */
    uint64_t late = st->late, woken = st->woken;
    CHECK(feed_sleepy(e, 2, 1, 3, 1, 1300000) == HOC_RX_OK);
    CHECK(st->late == late + 1 && st->woken == woken + 1 && hoc_engine_round(e, 1) == 8);
    CHECK(hoc_engine_next_deadline(e) == 1320000);
    hoc_engine_tick(e, 1320000);
    CHECK(hoc_engine_round(e, 1) == 9 && hoc_engine_asleep(e, 1));
    /* a hurry ends a sleeping round */
    CHECK(hoc_engine_hurry(e, 1, 9, 1400000) && hoc_engine_round(e, 1) == 10);
    CHECK(hoc_engine_asleep(e, 1));
    /* a message of a round further on: caught up at once; the round it lands
     * in began silent, asleep, and the message wakes it */
    CHECK(feed_sleepy(e, 2, 1, 12, 3, 1450000) == HOC_RX_OK);
    CHECK(hoc_engine_round(e, 1) == 12 && !hoc_engine_asleep(e, 1));
    hoc_engine_tick(e, 1469999);
    CHECK(hoc_engine_round(e, 1) == 12);
    hoc_engine_tick(e, 1470000);
    CHECK(hoc_engine_round(e, 1) == 13 && ss->sum == 10 && sl_sends == 4);
    /* a nudge catches it up to the peer's round, never back, never beyond
     * HOC_ENGINE_MAX_JUMP */
    uint64_t cu = st->catchups;
    CHECK(hoc_engine_nudge(e, 1, 16, 1500000) && hoc_engine_round(e, 1) == 16);
    CHECK(st->catchups == cu + 1 && st->nudged == 1 && hoc_engine_asleep(e, 1));
    CHECK(!hoc_engine_nudge(e, 1, 16, 1500000) && !hoc_engine_nudge(e, 1, 3, 1500000));
    CHECK(!hoc_engine_nudge(e, 1, 16 + HOC_ENGINE_MAX_JUMP + 1, 1500000));
    CHECK(!hoc_engine_nudge(e, 1, -1, 1500000) && !hoc_engine_nudge(e, 9, 20, 1500000));
    CHECK(hoc_engine_round(e, 1) == 16 && st->nudged == 1);
    /* with io.idle a catch-up sends the round just before its target: peer 1,
     * heard in say 16, gets its ack of round 17, a round this process never
     * began (peer 1 may still be in it, waiting, with nothing else coming) */
    int sends = sl_sends;
    CHECK(feed_sleepy(e, 1, 1, 16, 2, 1700000) == HOC_RX_OK && hoc_engine_round(e, 1) == 16);
    CHECK(feed_sleepy(e, 2, 1, 18, 1, 1700000) == HOC_RX_OK && hoc_engine_round(e, 1) == 18);
    CHECK(sl_sends == sends + 1 && sl_last_to == 1 && sl_last_round == 17 && ss->sum == 12);
    /* a joining replacement joins at the round a nudge names */
    CHECK(hoc_engine_start_replaced(e, 2, HOC_ENGINE_JOIN, NULL, NULL, 1600000) == HOC_START_OK);
    CHECK(hoc_engine_joining(e, 2) && !hoc_engine_asleep(e, 2));
    CHECK(hoc_engine_nudge(e, 2, 7, 1600000) && !hoc_engine_joining(e, 2));
    ss = hoc_engine_state(e, 2);
    CHECK(hoc_engine_round(e, 2) == 7 && ss && ss->rejoined && hoc_engine_asleep(e, 2));
    hoc_engine_free(e);
    /* without io.idle nothing sleeps */
    io.idle = NULL;
    e = hoc_engine_new(&sleepy_algo, 0, params, &o, &io);
    CHECK(e && hoc_engine_start(e, 1, 0) == HOC_START_OK && !hoc_engine_asleep(e, 1));
    CHECK(e && hoc_engine_next_deadline(e) == 20000);
    hoc_engine_free(e);
}

/* ---- wire ---- */
static void wire_tests(void)
{
    uint8_t buf[256], nonce[16] = {1, 2, 3}, mac[32] = {9};
    hoc_frame f;
    size_t used;
    const char *why;
    int len = hoc_wire_msg_header(buf, sizeof buf, 77, 5, 3, 0xabcd, 8);
    CHECK(len == 32);
    memset(buf + len, 0x5a, 8);
    len += 8;
    CHECK(hoc_wire_decode(buf, (size_t)len, &f, &used, &why) == HOC_WIRE_OK);
    CHECK(used == (size_t)len && f.type == HOC_F_MSG && f.instance == 77 && f.round == 5 &&
          f.id == 3 && f.algo == 0xabcd && f.payload_len == 8 && f.payload[0] == 0x5a);
    for (int k = 0; k < len; k++)
        CHECK(hoc_wire_decode(buf, (size_t)k, &f, &used, &why) == HOC_WIRE_MORE);
    buf[4] = 1; /* version 1: before connections carried both ways */
    CHECK(hoc_wire_decode(buf, (size_t)len, &f, &used, &why) == HOC_WIRE_BAD);
    buf[4] = 2; /* version 2: before the handshake carried the cluster */
    CHECK(hoc_wire_decode(buf, (size_t)len, &f, &used, &why) == HOC_WIRE_BAD);
    buf[4] = 6; /* version 6: before WHERE and ROUND */
    CHECK(hoc_wire_decode(buf, (size_t)len, &f, &used, &why) == HOC_WIRE_BAD);
    buf[4] = HOC_WIRE_VERSION, buf[5] = HOC_F_ROUND + 1; /* no such type */
    CHECK(hoc_wire_decode(buf, (size_t)len, &f, &used, &why) == HOC_WIRE_BAD);
    buf[5] = HOC_F_HURRY; /* a HURRY has no payload: this one's 8 bytes are wrong */
    CHECK(hoc_wire_decode(buf, (size_t)len, &f, &used, &why) == HOC_WIRE_BAD);
    {
        uint8_t h[64];
        int hl = hoc_wire_hurry(h, sizeof h, 78, 6, 4, 0xabcd);
        CHECK(hl == 32 && hoc_wire_decode(h, (size_t)hl, &f, &used, &why) == HOC_WIRE_OK);
        CHECK(used == 32 && f.type == HOC_F_HURRY && f.instance == 78 && f.round == 6 &&
              f.id == 4 && f.algo == 0xabcd);
        CHECK(hoc_wire_hurry(h, sizeof h, 78, -1, 4, 0xabcd) == -1);
        CHECK(hoc_wire_hurry(h, 31, 78, 6, 4, 0xabcd) == -1);
        hl = hoc_wire_round(h, sizeof h, 79, 1 << 20, 2, 0xabcd);
        CHECK(hl == 32 && hoc_wire_decode(h, (size_t)hl, &f, &used, &why) == HOC_WIRE_OK);
        CHECK(used == 32 && f.type == HOC_F_ROUND && f.instance == 79 && f.round == 1 << 20 &&
              f.id == 2 && f.algo == 0xabcd);
        CHECK(hoc_wire_round(h, sizeof h, 79, -2, 2, 0xabcd) == -1);
        h[23] = 0x80; /* a negative round */
        CHECK(hoc_wire_decode(h, (size_t)hl, &f, &used, &why) == HOC_WIRE_BAD);
        hl = hoc_wire_where(h, sizeof h, 80, 1, 0xabcd);
        CHECK(hl == 24 && hoc_wire_decode(h, (size_t)hl, &f, &used, &why) == HOC_WIRE_OK);
        CHECK(used == 24 && f.type == HOC_F_WHERE && f.instance == 80 && f.id == 1 &&
              f.algo == 0xabcd);
        CHECK(hoc_wire_where(h, 23, 80, 1, 0xabcd) == -1);
        h[0] = 28; /* a WHERE with a round's 8 bytes more: the wrong size */
        CHECK(hoc_wire_decode(h, 32, &f, &used, &why) == HOC_WIRE_BAD);
    }
    buf[5] = HOC_F_MSG, buf[6] = 1;
    CHECK(hoc_wire_decode(buf, (size_t)len, &f, &used, &why) == HOC_WIRE_BAD);
    buf[6] = 0;
    buf[0] = 0xff, buf[1] = 0xff, buf[2] = 0xff; /* 16 MiB: a MSG may be that long */
    CHECK(hoc_wire_decode(buf, (size_t)len, &f, &used, &why) == HOC_WIRE_MORE);
    buf[3] = 0x04; /* about 80 MiB: oversized */
    CHECK(hoc_wire_decode(buf, (size_t)len, &f, &used, &why) == HOC_WIRE_BAD);
    buf[0] = 2, buf[1] = buf[2] = buf[3] = 0; /* undersized */
    CHECK(hoc_wire_decode(buf, (size_t)len, &f, &used, &why) == HOC_WIRE_BAD);
    hoc_wire_cluster cl = {7, 4, 0xbeef};
    len = hoc_wire_hello(buf, sizeof buf, 2, &cl, nonce);
    CHECK(hoc_wire_decode(buf, (size_t)len, &f, &used, &why) == HOC_WIRE_OK &&
          f.type == HOC_F_HELLO && f.id == 2 && f.algo == 7 && f.n == 4 && f.params == 0xbeef &&
          f.nonce[2] == 3);
    buf[0]++; /* HELLO with a byte too many */
    buf[len] = 0;
    CHECK(hoc_wire_decode(buf, (size_t)len + 1, &f, &used, &why) == HOC_WIRE_BAD);
    len = hoc_wire_auth(buf, sizeof buf, 1, &cl, mac, nonce);
    CHECK(hoc_wire_decode(buf, (size_t)len, &f, &used, &why) == HOC_WIRE_OK &&
          f.type == HOC_F_AUTH && f.mac[0] == 9 && f.nonce[2] == 3 && f.n == 4 &&
          f.params == 0xbeef);
    CHECK(hoc_wire_params_tag((int64_t[]){4, 1}, 2) != hoc_wire_params_tag((int64_t[]){4, 0}, 2));
    len = hoc_wire_accept(buf, sizeof buf, 2, 7, mac);
    CHECK(hoc_wire_decode(buf, (size_t)len, &f, &used, &why) == HOC_WIRE_OK &&
          f.type == HOC_F_ACCEPT && f.id == 2 && f.mac[0] == 9);
    buf[5] = HOC_F_AUTH; /* an ACCEPT's body is too short for an AUTH */
    CHECK(hoc_wire_decode(buf, (size_t)len, &f, &used, &why) == HOC_WIRE_BAD);
    len = hoc_wire_decision(buf, sizeof buf, 5, 1, 7, HOC_DECISION_ADOPT, v8(-42), 8);
    CHECK(hoc_wire_decode(buf, (size_t)len, &f, &used, &why) == HOC_WIRE_OK && f.payload_len == 8 &&
          (int64_t)hoc_get_u64(f.payload) == -42 && f.instance == 5 &&
          f.flags == HOC_DECISION_ADOPT);
    len = hoc_wire_decision(buf, sizeof buf, 5, 1, 7, 0, NULL, 0); /* a notice */
    CHECK(hoc_wire_decode(buf, (size_t)len, &f, &used, &why) == HOC_WIRE_OK && f.payload_len == 0 &&
          f.flags == 0);
    buf[24] = 2; /* an unknown flag */
    CHECK(hoc_wire_decode(buf, (size_t)len, &f, &used, &why) == HOC_WIRE_BAD);
    len = hoc_wire_app_header(buf, sizeof buf, 2, 7, 3);
    memcpy(buf + len, "abc", 3);
    CHECK(hoc_wire_decode(buf, (size_t)len + 3, &f, &used, &why) == HOC_WIRE_OK &&
          f.type == HOC_F_APP && f.id == 2 && f.payload_len == 3 && f.payload[2] == 'c');
    CHECK(hoc_wire_app_header(buf, sizeof buf, 2, 7, HOC_WIRE_MAX_APP + 1) == -1);
    len = hoc_wire_done(buf, sizeof buf, 1, 7);
    CHECK(hoc_wire_decode(buf, (size_t)len, &f, &used, &why) == HOC_WIRE_OK &&
          f.type == HOC_F_DONE);
    CHECK(hoc_wire_done(buf, 4, 1, 7) == -1);
    limit_tests();
    /* random bytes: never a crash, never a read past the end (ASan) */
    int ok = 0;
    for (int i = 0; i < 200000; i++) {
        size_t l = rnd() % 64;
        uint8_t *r = malloc(l ? l : 1);
        for (size_t k = 0; k < l; k++)
            r[k] = (uint8_t)rnd();
        if (l >= 8 && (rnd() & 1))
            r[0] = (uint8_t)(l - 4), r[1] = r[2] = r[3] = 0, r[4] = HOC_WIRE_VERSION,
            r[5] = (uint8_t)(1 + rnd() % 7);
        hoc_wire_status s = hoc_wire_decode(r, l, &f, &used, &why);
        if (s == HOC_WIRE_OK) {
            ok++;
            CHECK(used <= l);
        }
        free(r);
    }
    printf("wire: %d random frames decoded as valid, the rest rejected or incomplete\n", ok);
}

/* ---- values: as hoc sim prints them, through the bytes the runtime carries ---- */
static void value_tests(void)
{
    static const char *const names[] = {"Commit", "Abort"};
    struct {
        hoc_output o;
        int64_t v;
        const char *want;
    } cases[] = {
        {{"decide", HOC_K_INT, true, 0, 0, NULL, 0, 1, false}, -42, "-42"},
        {{"decide", HOC_K_SET, true, 0, 0, NULL, 0, 1, false}, 0x13, "{0,1,4}"},
        {{"decide", HOC_K_SET, true, 0, 0, NULL, 0, 1, false}, 0, "{}"},
        {{"decide", HOC_K_BOOL, true, 0, 0, NULL, 0, 1, false}, 1, "true"},
        {{"decide", HOC_K_BOOL, true, 0, 0, NULL, 0, 1, false}, 0, "false"},
        {{"decide", HOC_K_ENUM, true, 0, 0, names, 2, 1, false}, 1, "Abort"},
        {{"decide", HOC_K_ENUM, true, 0, 0, names, 2, 1, false}, 5, "5"},
        {{"decide", HOC_K_PID, true, 0, 0, NULL, 0, 1, false}, 3, "3"},
        {{"decide", HOC_K_STAMP, true, 0, 0, NULL, 0, 1, false}, HOC_NEVER, "never"},
        {{"decide", HOC_K_STAMP, true, 0, 0, NULL, 0, 1, false}, hoc_stamp(6), "6"},
        {{"done", HOC_K_BOOL, false, 0, 0, NULL, 0, 1, false}, 0, ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char text[64] = {0};
        FILE *f = fmemopen(text, sizeof text, "w");
        CHECK(f != NULL);
        if (!f) continue;
        /* into an outputs struct, carried, printed */
        hoc_output o = cases[i].o;
        o.value_offset = 8;
        uint8_t outputs[16] = {0}, carried[8];
        hoc_value_put(o.kind, cases[i].v, outputs + 8);
        size_t len = hoc_value_encode(&o, outputs, carried);
        hoc_value_print_carried(f, &o, carried, len);
        fclose(f);
        /* valid, but for the enum value past its members */
        bool valid = hoc_value_valid(&o, carried, len) == !(o.kind == HOC_K_ENUM && cases[i].v > 1);
        bool round_trip =
            valid && (!o.has_value || hoc_value_scalar(&o, carried, len) == cases[i].v);
        if (strcmp(text, cases[i].want) != 0 || !round_trip) {
            failures++;
            fprintf(stderr, "value case %zu: printed '%s', want '%s'\n", i, text, cases[i].want);
        }
    }
}

/* ---- peers ---- */
static void peers_tests(void)
{
    hoc_peers p;
    char err[256];
    CHECK(hoc_peers_parse("# cluster\n1 127.0.0.1:9001 # two\n0 localhost:9000\n\n2 [::1]:9002\n",
                          "f", &p, err, sizeof err) == 0);
    CHECK(p.n == 3 && p.p[0].port == 9000 && strcmp(p.p[2].host, "::1") == 0 && p.p[1].line == 2);
    CHECK(hoc_peers_is_loopback("127.0.0.1") && hoc_peers_is_loopback("localhost") &&
          !hoc_peers_is_loopback("10.0.0.1"));
    struct {
        const char *text, *msg;
    } bad[] = {
        {"0 a:1\n0 b:2\n", "f:2: duplicate id"},
        {"0 a:1\n2 b:2\n", "missing id: 1"},
        {"0 a:99999\n", "f:1: the port"},
        {"0 a\n", "f:1: missing ':PORT'"},
        {"x a:1\n", "f:1: the id"},
        {"0 a:1 extra\n", "f:1: expected"},
        {"0 a:1\n1 a:1\n", "f:2: duplicate address"},
        {"# nothing\n", "no peers"},
        {"0 a$b:1\n", "f:1: bad character"},
        {"0 :1\n", "f:1: empty host"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int rc = hoc_peers_parse(bad[i].text, "f", &p, err, sizeof err);
        CHECK(rc == -1);
        if (!strstr(err, bad[i].msg)) {
            failures++;
            fprintf(stderr, "peers case %zu: got '%s', want '%s'\n", i, err, bad[i].msg);
        }
    }
}

/* Zero-run framing: random buffers of zeros and runs of bytes round-trip
 * within the size bound; truncated, corrupted and over-long inputs are
 * refused or stay within the output's capacity (ASan watches). */
static void zrun_tests(void)
{
    enum { N = 4096 };
    static uint8_t in[N], packed[N + HOC_ZRUN_SLACK], out[N];
    int ok = 1, bound = 1, bad = 1;
    size_t small = 0, total = 0;
    for (int t = 0; t < 2000; t++) {
        size_t n = (size_t)(rnd() % N);
        int density = (int)(rnd() % 5); /* 0: all zeros .. 4: no zero runs to speak of */
        for (size_t i = 0; i < n; i++)
            in[i] = density == 4                 ? (uint8_t)(rnd() | 1)
                    : (int)(rnd() % 8) < density ? (uint8_t)rnd()
                                                 : 0;
        if (t % 7 == 0) /* long runs, as a message's unused block fields */
            memset(in + n / 4, 0, n / 2);
        size_t k = hoc_zrun_pack(in, n, packed);
        bound &= k <= n + HOC_ZRUN_SLACK;
        long u = hoc_zrun_unpack(packed, k, out, N);
        ok &= u == (long)n && memcmp(in, out, n) == 0;
        total += n, small += k;
        if (k > 1) { /* cut short or one byte changed: refused, or within cap */
            long v = hoc_zrun_unpack(packed, k - 1 - (size_t)(rnd() % (k - 1)), out, N);
            bad &= v >= -1 && v <= N;
            packed[rnd() % k] ^= (uint8_t)(1 + rnd() % 255);
            v = hoc_zrun_unpack(packed, k, out, N);
            bad &= v >= -1 && v <= N;
        }
        if (n > 0) bad &= hoc_zrun_unpack(packed, hoc_zrun_pack(in, n, packed), out, n - 1) == -1;
    }
    CHECK(ok);
    CHECK(bound);
    CHECK(bad);
    /* a run of exactly ZRUN_MIN (16) zeros at an odd offset among bytes
     * that are never zero is packed: 40 bytes in, 24 + 3 varints out */
    uint8_t odd[40], oddp[40 + HOC_ZRUN_SLACK], oddo[40];
    for (size_t i = 0; i < sizeof odd; i++)
        odd[i] = i >= 5 && i < 21 ? 0 : (uint8_t)(i + 1);
    size_t ko = hoc_zrun_pack(odd, sizeof odd, oddp);
    CHECK(ko == 28);
    CHECK(hoc_zrun_unpack(oddp, ko, oddo, sizeof oddo) == 40 && memcmp(odd, oddo, 40) == 0);
    /* 64 KiB of zeros after a byte: a few bytes on the wire */
    static uint8_t big[1 << 16], bigp[(1 << 16) + HOC_ZRUN_SLACK], bigo[1 << 16];
    big[0] = 7;
    size_t k = hoc_zrun_pack(big, sizeof big, bigp);
    CHECK(k <= 8);
    CHECK(hoc_zrun_unpack(bigp, k, bigo, sizeof bigo) == (long)sizeof big && bigo[0] == 7);
    /* runs of several pages that start and end off a page boundary (zeros_end
     * skips a page at a time), and one to the buffer's end */
    static uint8_t bigo2[1 << 16];
    const size_t at[] = {1, 4095, 4096, 13000, 13001, 40000, 65534};
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++)
        big[at[i]] = (uint8_t)(i + 1);
    k = hoc_zrun_pack(big, sizeof big, bigp);
    CHECK(k <= 64);
    CHECK(hoc_zrun_unpack(bigp, k, bigo2, sizeof bigo2) == (long)sizeof big &&
          memcmp(big, bigo2, sizeof big) == 0);
    const uint8_t overlong[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
    CHECK(hoc_zrun_unpack(overlong, sizeof overlong, bigo, sizeof bigo) == -1);
    printf("zero runs: 2000 buffers round-trip, %zu bytes packed to %zu\n", total, small);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    engine_tests();
    event_tests();
    sleep_tests();
    wire_tests();
    value_tests();
    peers_tests();
    cluster_test(&otr_algo, 4, 0.0, true, "OTR");
    cluster_test(&otr_algo, 5, 0.2, true, "OTR");
    cluster_test(&last_voting_algo, 3, 0.0, true, "LastVoting");
    cluster_test(&last_voting_algo, 5, 0.2, true, "LastVoting");
    /* without forwarding: decided instances go quiet and end by notices */
    cluster_test(&otr_algo, 4, 0.2, false, "OTR");
    cluster_test(&last_voting_algo, 3, 0.0, false, "LastVoting");
    start_at_tests();
    selfhear_tests();
    rejoin0_tests();
    zrun_tests();
    /* the same cluster with messages packed on the wire (hoc_engine_opts.zero_runs) */
    zero_runs = true;
    cluster_test(&last_voting_algo, 5, 0.2, true, "LastVoting, zero runs");
    zero_runs = false;
    return check_summary("net-unit");
}
