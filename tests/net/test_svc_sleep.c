/* test_svc_sleep.c: sleeping rounds through the service layer (svc.h's
 * io.idle; docs/runtime.md, "Sleeping rounds"), three processes of
 * tests/net/sleepy.ho (a process speaks only when it has news) on one event
 * loop over loopback TCP, sealed frames:
 *  - an idle instance sleeps: no round ends, no message leaves, for as long
 *    as nothing happens;
 *  - an event wakes it; its news reaches the sleeping peers, which wake on
 *    the message, and everyone sleeps again afterwards;
 *  - a replacement started with HOC_ENGINE_JOIN joins although its peers
 *    sleep and send it nothing: it asks their round (WHERE) and joins at
 *    their answer (ROUND);
 *  - a process far behind (started afresh in round 0) whose message comes
 *    late at sleeping peers is told their round (ROUND) and catches up, so
 *    that its next news reaches them.
 * Every check would fail without the frames: with no message from its
 * sleeping peers, a joiner or a laggard waits for ever. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "clock.h"
#include "sleepy.h"
#include "svc.h"

#include "free_port.h"
#include "hoc_check.h"

#define N 3
#define INST 4

typedef struct Node {
    hoc_svc *s;
    int64_t got; /* the last sum the instance output here */
} Node;

static Node nodes[N];
static struct event_base *base;
static hoc_peers peers;
static int64_t params[1] = {N};
static const uint8_t secret[] = "sleep-test-secret";
static int tell;

static void io_inputs(void *ctx, uint64_t inst, int64_t *ints, const uint8_t **bytes)
{
    (void)ctx, (void)inst, (void)ints, (void)bytes;
}

static void io_output(void *ctx, uint64_t inst, int64_t round, const void *outputs)
{
    Node *n = ctx;
    const sleepy_outputs *o = outputs;
    (void)round;
    if (inst == INST && o->got_fired) n->got = o->got;
}

static bool io_idle(void *ctx, uint64_t inst, int64_t round, const void *state)
{
    (void)ctx, (void)inst, (void)round, (void)state;
    return true; /* Sleepy's silent rounds change nothing */
}

static hoc_svc *open_node(int id)
{
    hoc_svc_opts o = {.algo = &sleepy_algo,
                      .id = id,
                      .peers = &peers,
                      .secret = secret,
                      .secret_len = sizeof secret - 1,
                      .params = params,
                      .max_live = 2,
                      .seed = 1,
                      .log = {HOC_LOG_ERROR, id}};
    hoc_svc_io io = {.ctx = &nodes[id], .inputs = io_inputs, .output = io_output, .idle = io_idle};
    char err[256] = "";
    hoc_svc *s = hoc_svc_new(base, &o, &io, err, sizeof err);
    if (!s) fprintf(stderr, "node %d: %s\n", id, err);
    return s;
}

static bool run_until(bool (*cond)(void), uint64_t max_us)
{
    uint64_t t0 = hoc_now_us();
    while (!cond()) {
        if (hoc_now_us() - t0 > max_us) return false;
        /* 2 ms at a time: sleeping instances arm no timer to wake the loop */
        struct timeval tv = {0, 2000};
        event_base_loopexit(base, &tv);
        event_base_loop(base, 0);
    }
    return true;
}

static bool never(void)
{
    return false;
}

static void run_for(uint64_t us)
{
    run_until(never, us);
}

static hoc_engine *eng(int i)
{
    return hoc_svc_engine(nodes[i].s);
}

static const hoc_engine_stats *stats(int i)
{
    return hoc_engine_get_stats(eng(i));
}

static bool all_connected(void)
{
    for (int i = 0; i < N; i++)
        if (hoc_net_ready_count(hoc_svc_net(nodes[i].s)) != N - 1) return false;
    return true;
}

static bool all_asleep(void)
{
    for (int i = 0; i < N; i++)
        if (!hoc_engine_asleep(eng(i), INST)) return false;
    return true;
}

static int64_t want;
static bool got_everywhere(void)
{
    for (int i = 0; i < N; i++)
        if (nodes[i].got != want && i != 0) return false;
    return true;
}

static bool got_at_0(void)
{
    return nodes[0].got == want;
}

static bool joined(void)
{
    const sleepy_state *st = hoc_engine_state(eng(2), INST);
    return st && st->rejoined && !hoc_engine_joining(eng(2), INST);
}

/* Rounds and round messages of all three over us of an idle cluster. */
static void idle_for(uint64_t us, uint64_t *rounds, uint64_t *msgs)
{
    uint64_t r0 = 0, m0 = 0;
    for (int i = 0; i < N; i++)
        r0 += stats(i)->rounds, m0 += stats(i)->msgs_sent;
    run_for(us);
    *rounds = *msgs = 0;
    for (int i = 0; i < N; i++)
        *rounds += stats(i)->rounds, *msgs += stats(i)->msgs_sent;
    *rounds -= r0, *msgs -= m0;
}

static void restart(int i)
{
    hoc_svc_free(nodes[i].s);
    memset(&nodes[i], 0, sizeof nodes[i]);
    nodes[i].s = open_node(i);
    CHECK(nodes[i].s != NULL);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    base = event_base_new();
    CHECK(base && event_base_priority_init(base, 2) == 0);
    tell = hoc_engine_event_index(&sleepy_algo, "tell");
    peers.n = N;
    for (int i = 0; i < N; i++) {
        peers.p[i] = (hoc_peer){i, "127.0.0.1", free_port(), i + 1};
        CHECK(peers.p[i].port > 0);
    }
    for (int i = 0; i < N; i++)
        CHECK((nodes[i].s = open_node(i)) != NULL);
    for (int i = 0; i < N; i++)
        if (!nodes[i].s) return check_summary("net-svc-sleep");
    CHECK(run_until(all_connected, 5000000));

    /* idle: asleep from the first round, nothing ends, nothing is sent */
    for (int i = 0; i < N; i++)
        CHECK(hoc_svc_start(nodes[i].s, INST, 0, NULL, NULL) == HOC_START_OK);
    CHECK(all_asleep());
    uint64_t rounds, msgs;
    idle_for(300000, &rounds, &msgs);
    printf("idle, asleep: %" PRIu64 " rounds, %" PRIu64 " messages in 0.3 s (three processes)\n",
           rounds, msgs);
    CHECK(rounds == 0 && msgs == 0 && all_asleep());

    /* an event: its news reaches the sleeping peers, then all sleep again */
    CHECK(hoc_svc_event(nodes[0].s, INST, tell, (int64_t[]){5}, NULL, 1, NULL, 0) ==
          HOC_EVENT_QUEUED);
    want = 5;
    CHECK(run_until(got_everywhere, 2000000));
    CHECK(run_until(all_asleep, 2000000));
    idle_for(200000, &rounds, &msgs);
    CHECK(rounds == 0 && msgs == 0);
    int64_t r0 = hoc_engine_round(eng(0), INST);
    printf("news 5 from process 0 reached 1 and 2; all asleep again in round %" PRId64 "\n", r0);

    /* a replacement joins sleeping peers: WHERE, then their ROUND */
    restart(2);
    CHECK(hoc_svc_start_replaced(nodes[2].s, INST, HOC_ENGINE_JOIN, NULL, NULL) == HOC_START_OK);
    CHECK(run_until(joined, 3000000));
    int64_t r2 = hoc_engine_round(eng(2), INST);
    printf("replacement: process 2 joined in round %" PRId64 " (process 0 in %" PRId64 ")\n", r2,
           hoc_engine_round(eng(0), INST));
    CHECK(r2 >= r0 && stats(2)->nudged >= 1 && stats(2)->replaced == 1);
    CHECK(hoc_svc_told(nodes[0].s) + hoc_svc_told(nodes[1].s) >= 1);

    /* a laggard: process 1 again from round 0; its news comes late at the
     * sleeping peers, which tell it their round; it catches up, and its
     * next news reaches them */
    restart(1);
    CHECK(run_until(all_connected, 5000000));
    CHECK(hoc_svc_start(nodes[1].s, INST, 0, NULL, NULL) == HOC_START_OK);
    CHECK(hoc_engine_round(eng(1), INST) == 0 && hoc_engine_round(eng(0), INST) > 2);
    CHECK(hoc_svc_event(nodes[1].s, INST, tell, (int64_t[]){7}, NULL, 2, NULL, 0) ==
          HOC_EVENT_QUEUED);
    CHECK(run_until(all_asleep, 3000000));
    printf("laggard: process 1 told its peers' round, now in round %" PRId64 " (process 0 in "
           "%" PRId64 "); got at 0: %" PRId64 "\n",
           hoc_engine_round(eng(1), INST), hoc_engine_round(eng(0), INST), nodes[0].got);
    CHECK(stats(1)->nudged >= 1 && hoc_engine_round(eng(1), INST) >= r0);
    /* its news of round 2 was lost on the way (late): a heard-of set like
     * any other; the next news arrives */
    CHECK(hoc_svc_event(nodes[1].s, INST, tell, (int64_t[]){9}, NULL, 3, NULL, 0) ==
          HOC_EVENT_QUEUED);
    want = nodes[0].got + 9;
    CHECK(run_until(got_at_0, 3000000));
    CHECK(run_until(all_asleep, 3000000));

    for (int i = 0; i < N; i++)
        hoc_svc_free(nodes[i].s);
    event_base_free(base);
    return check_summary("net-svc-sleep");
}
