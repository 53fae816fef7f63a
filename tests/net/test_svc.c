/* test_svc.c: the service layer (runtime/svc.c) with a long-lived instance,
 * three processes of tests/net/counter.ho (BLOB = 256 KiB) on one event
 * loop over loopback TCP, sealed frames:
 *  - an idle instance keeps running phases on its round timers (measured);
 *  - events queued with hoc_svc_event run at the next phase boundary (after
 *    the update of the phase's last round), several in order, and their
 *    outputs come back with the caller's tag; the values spread to every
 *    process; an event out of its range, for an instance not live
 *    or beyond the queue bound is refused with a message, never run;
 *  - a process freed and started again by replacement (HOC_ENGINE_JOIN) runs
 *    the replaced block, follows its peers' round and learns back its entry;
 *    one started by replacement in a given round drags its peers there;
 *  - a long-lived instance is not evicted at the live bound;
 *  - an event that halts the process drops the events after it (reported
 *    unrun) and ends the instance;
 *  - a 256 KiB message (more than a frame carried before) crosses sealed;
 *  - with go-ahead n instead of timeouts, the idle cost is the network's
 *    speed (measured). */
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#include "clock.h"
#include "counter.h"
#include "svc.h"

#include "hoc_check.h"
#include "free_port.h"

#define N 3
#define INST 5     /* the long-lived instance */
#define INST2 6    /* one started by replacement in a given round */
#define MAXREC 256 /* event_done records kept per node */

typedef struct Done {
    uint64_t inst, tag, at; /* at: when it was reported */
    int64_t round, added, live_round;
    int ev;
    bool ran, added_fired;
} Done;

typedef struct Node {
    int id;
    hoc_svc *s;
    Done done[MAXREC];
    int ndone;
    int64_t total;     /* the last total output of INST */
    int outputs_added; /* added outputs io.output saw */
    bool finished2;    /* INST2 ended here */
    char greet[8];     /* the first service frame from the highest id, as text */
    int apps, refused; /* service frames from it; greetings refused */
    int gen3;          /* "gen3" greetings taken */
} Node;

static Node nodes[N];
static struct event_base *base;
static hoc_peers peers;
static int64_t params[2];
static const uint8_t secret[] = "svc-test-secret";
static const char *greeting; /* what the highest id opens with (NULL: nothing) */

static void io_inputs(void *ctx, uint64_t inst, int64_t *ints, const uint8_t **bytes)
{
    (void)ctx, (void)inst, (void)ints, (void)bytes; /* Counter has no inputs */
}

static void io_output(void *ctx, uint64_t inst, int64_t round, const void *outputs)
{
    Node *n = ctx;
    const counter_outputs *o = outputs;
    (void)round;
    if (inst == INST && o->total_fired) n->total = o->total;
    n->outputs_added += o->added_fired;
}

static void io_event_done(void *ctx, uint64_t inst, int64_t round, uint64_t tag, int ev, bool ran,
                          const void *outputs)
{
    Node *n = ctx;
    const counter_outputs *o = outputs;
    if (n->ndone == MAXREC) return;
    n->done[n->ndone++] = (Done){inst,
                                 tag,
                                 hoc_now_us(),
                                 round,
                                 o ? o->added : 0,
                                 hoc_engine_round(hoc_svc_engine(n->s), inst),
                                 ev,
                                 ran,
                                 o && o->added_fired};
}

static void io_finished(void *ctx, uint64_t inst, bool decided)
{
    Node *n = ctx;
    (void)decided;
    if (inst == INST2) n->finished2 = true;
}

/* The highest id's frames: its first on a connection must be its greeting;
 * "old!" is refused (a deposed generation). */
static int io_app(void *ctx, int from, const uint8_t *p, size_t len)
{
    Node *n = ctx;
    if (from != N - 1 || len >= sizeof n->greet) return 0;
    if (len == 4 && memcmp(p, "old!", 4) == 0) {
        n->refused++;
        return -1;
    }
    n->gen3 += len == 4 && memcmp(p, "gen3", 4) == 0;
    if (!n->apps++ || memcmp(p, "gen", 3) == 0) memcpy(n->greet, p, len), n->greet[len] = 0;
    return 0;
}

/* Process id with the peers pp, its greeting greet (NULL: none) and n as
 * its service's context; the others take a greeting from the highest id
 * whenever the cluster has one. */
static hoc_svc *open_as(int id, const hoc_peers *pp, Node *n, const char *greet)
{
    hoc_svc_opts o = {.algo = &counter_algo,
                      .id = id,
                      .peers = pp,
                      .secret = secret,
                      .secret_len = sizeof secret - 1,
                      .params = params,
                      .max_live = 2,
                      .forward = true,
                      .max_events = 8,
                      .seed = 1,
                      .greeting = (const uint8_t *)greet,
                      .greeting_len = greet ? strlen(greet) : 0,
                      .greeters = id < N - 1 && greeting ? hoc_set_one(N - 1) : 0,
                      .log = {HOC_LOG_ERROR, id}};
    hoc_svc_io io = {.ctx = n,
                     .app = io_app,
                     .inputs = io_inputs,
                     .output = io_output,
                     .event_done = io_event_done,
                     .finished = io_finished};
    char err[256] = "";
    hoc_svc *s = hoc_svc_new(base, &o, &io, err, sizeof err);
    if (!s) fprintf(stderr, "node %d: %s\n", id, err);
    return s;
}

static hoc_svc *open_node(int id)
{
    return open_as(id, &peers, &nodes[id], id == N - 1 ? greeting : NULL);
}

/* Runs the loop until cond holds or max_us pass; false on the timeout. */
static bool run_until(bool (*cond)(void), uint64_t max_us)
{
    uint64_t t0 = hoc_now_us();
    while (!cond()) {
        if (hoc_now_us() - t0 > max_us) return false;
        event_base_loop(base, EVLOOP_ONCE); /* the round timers wake it at least every 20 ms */
    }
    return true;
}

static void run_for(uint64_t us)
{
    uint64_t t0 = hoc_now_us();
    while (hoc_now_us() - t0 < us)
        event_base_loop(base, EVLOOP_ONCE);
}

static bool all_connected(void)
{
    for (int i = 0; i < N; i++)
        if (hoc_net_ready_count(hoc_svc_net(nodes[i].s)) != N - 1) return false;
    return true;
}

static const counter_state *state(int i, uint64_t inst)
{
    return hoc_engine_state(hoc_svc_engine(nodes[i].s), inst);
}

static int64_t want_total;
static bool totals_in(void)
{
    for (int i = 0; i < N; i++)
        if (nodes[i].total != want_total) return false;
    return true;
}

static int want_done;
static bool dones_in(void)
{
    int k = 0;
    for (int i = 0; i < N; i++)
        k += nodes[i].ndone;
    return k >= want_done;
}

static bool rejoined(void)
{
    const counter_state *st = state(2, INST);
    return st && st->rejoined && st->c[2] == 8 && nodes[2].total == 21;
}

static bool inst2_everywhere(void)
{
    for (int i = 0; i < N; i++)
        if (hoc_engine_round(hoc_svc_engine(nodes[i].s), INST2) < 40) return false;
    return true;
}

static bool blob_everywhere(void)
{
    for (int i = 0; i < N; i++) {
        const counter_state *st = state(i, INST);
        if (!st || st->blob[0] != 9 || st->blob[sizeof st->blob - 1] != 9) return false;
    }
    return true;
}

static bool finished2(void)
{
    return nodes[0].finished2;
}

/* Rounds, round messages and bytes node 0 sends on INST while idle for us. */
/* Runs the idle cluster for us; *rounds and *timeouts: node 0's rounds and
 * the rounds among them that a timeout ended. */
static void idle_cost(const char *what, uint64_t us, uint64_t *rounds, uint64_t *timeouts)
{
    const hoc_engine_stats *es = hoc_engine_get_stats(hoc_svc_engine(nodes[0].s));
    const hoc_net_stats *ns = hoc_net_get_stats(hoc_svc_net(nodes[0].s));
    uint64_t r0 = es->rounds, m0 = es->msgs_sent, b0 = ns->bytes_out, t0 = hoc_now_us();
    uint64_t to0 = es->timeouts;
    run_for(us);
    double s = (double)(hoc_now_us() - t0) / 1e6;
    *rounds = es->rounds - r0;
    *timeouts = es->timeouts - to0;
    printf("idle, %s: %.0f rounds/s, %.0f messages/s, %.0f bytes/s sent by one process of %d "
           "(one instance)\n",
           what, (double)*rounds / s, (double)(es->msgs_sent - m0) / s,
           (double)(ns->bytes_out - b0) / s, N);
}

static void open_cluster(int64_t go)
{
    params[0] = N, params[1] = go;
    peers.n = N;
    for (int i = 0; i < N; i++) {
        peers.p[i] = (hoc_peer){i, "127.0.0.1", free_port(), i + 1};
        CHECK(peers.p[i].port > 0);
    }
    for (int i = 0; i < N; i++) {
        memset(&nodes[i], 0, sizeof nodes[i]);
        nodes[i].id = i;
        nodes[i].s = open_node(i);
        CHECK(nodes[i].s != NULL);
    }
}

static void close_cluster(void)
{
    for (int i = 0; i < N; i++) {
        hoc_svc_free(nodes[i].s);
        nodes[i].s = NULL;
    }
}

static uint64_t hurried(int i)
{
    return hoc_engine_get_stats(hoc_svc_engine(nodes[i].s))->hurried;
}
static bool peer1_hurried(void)
{
    return hurried(1) > 0;
}

/* hoc_svc_hurry ends the round here and, by a HURRY frame, at the peers
 * named, and nowhere else; a peer in another round by the time the frame
 * arrives ignores it, so it is tried a few times. */
static void hurry_test(void)
{
    CHECK(hoc_svc_hurry(nodes[0].s, INST + 99, hoc_set_one(1)) == -1);
    CHECK(hurried(0) == 0 && hurried(1) == 0 && hurried(2) == 0);
    for (int k = 0; k < 20 && !peer1_hurried(); k++) {
        CHECK(hoc_svc_hurry(nodes[0].s, INST, hoc_set_one(1)) >= 0);
        run_until(peer1_hurried, 30000);
    }
    CHECK(hurried(1) > 0 && hurried(0) > 0 && hurried(2) == 0);
}

/* Events at boundaries, tagged outputs, refusals. */
static void events_test(void)
{
    int ev_add = hoc_engine_event_index(&counter_algo, "add");
    CHECK(ev_add >= 0 && hoc_engine_event_index(&counter_algo, "nope") == -1);
    /* two events at process 0, in order; one at process 1 */
    uint64_t t0 = hoc_now_us();
    CHECK(hoc_svc_event(nodes[0].s, INST, ev_add, (int64_t[]){7}, NULL, 100, NULL, 0) ==
          HOC_EVENT_QUEUED);
    CHECK(hoc_svc_event(nodes[0].s, INST, ev_add, (int64_t[]){5}, NULL, 101, NULL, 0) ==
          HOC_EVENT_QUEUED);
    CHECK(hoc_svc_event(nodes[1].s, INST, ev_add, (int64_t[]){1}, NULL, 200, NULL, 0) ==
          HOC_EVENT_QUEUED);
    want_done = 3;
    CHECK(run_until(dones_in, 10000000));
    const Done *d = nodes[0].done;
    CHECK(nodes[0].ndone == 2 && nodes[1].ndone == 1);
    CHECK(d[0].tag == 100 && d[0].ran && d[0].added_fired && d[0].added == 7);
    CHECK(d[1].tag == 101 && d[1].ran && d[1].added_fired && d[1].added == 12);
    /* at one boundary: after the update of a phase's last round (back,
     * round 1 of 2), before the next phase began */
    CHECK(d[0].round == d[1].round && d[0].round % 2 == 1 && d[0].live_round == d[0].round);
    CHECK(nodes[1].done[0].tag == 200 && nodes[1].done[0].added == 1 &&
          nodes[1].done[0].round % 2 == 1);
    CHECK(nodes[0].outputs_added == 2 && nodes[1].outputs_added == 1); /* io.output saw them */
    want_total = 13;
    CHECK(run_until(totals_in, 10000000));
    printf("events: added 7 and 5 at process 0 (round %" PRId64 ", %.1f ms after queueing), 1 at "
           "process 1: every total 13 after %.1f ms\n",
           d[0].round, (double)(d[0].at - t0) / 1000.0, (double)(hoc_now_us() - t0) / 1000.0);

    /* refused, never run */
    char err[200] = "";
    CHECK(hoc_svc_event(nodes[0].s, INST, ev_add, (int64_t[]){0}, NULL, 1, err, sizeof err) ==
          HOC_EVENT_INVALID);
    CHECK(strcmp(err, "event add: argument v is 0, outside its range 1..100 (100 excluded)") == 0);
    CHECK(hoc_svc_event(nodes[0].s, INST, ev_add, (int64_t[]){100}, NULL, 1, err, sizeof err) ==
          HOC_EVENT_INVALID);
    int ev_fill = hoc_engine_event_index(&counter_algo, "fill");
    CHECK(hoc_svc_event(nodes[0].s, INST, ev_fill, (int64_t[]){257}, NULL, 1, err, sizeof err) ==
          HOC_EVENT_INVALID);
    CHECK(hoc_svc_event(nodes[0].s, INST, 9, (int64_t[]){1}, NULL, 1, err, sizeof err) ==
          HOC_EVENT_INVALID);
    CHECK(strcmp(err, "Counter has no event 9 (it has 4)") == 0);
    CHECK(hoc_svc_event(nodes[0].s, 99, ev_add, (int64_t[]){1}, NULL, 1, err, sizeof err) ==
          HOC_EVENT_NOT_LIVE);
    CHECK(strcmp(err, "instance 99 is not live here") == 0);
    /* the queue bound (max_events 8), with no loop iteration in between */
    for (int k = 0; k < 8; k++)
        CHECK(hoc_svc_event(nodes[2].s, INST, ev_add, (int64_t[]){1}, NULL, 300 + k, NULL, 0) ==
              HOC_EVENT_QUEUED);
    CHECK(hoc_svc_event(nodes[2].s, INST, ev_add, (int64_t[]){1}, NULL, 399, err, sizeof err) ==
          HOC_EVENT_FULL);
    CHECK(strcmp(err, "8 events wait already, the most allowed (max_events)") == 0);
    CHECK(hoc_engine_get_stats(hoc_svc_engine(nodes[0].s))->events_refused == 5);
    want_done = 3 + 8;
    CHECK(run_until(dones_in, 10000000));
    for (int k = 0; k < 8; k++)
        CHECK(nodes[2].done[k].tag == (uint64_t)(300 + k) && nodes[2].done[k].ran &&
              nodes[2].done[k].added == k + 1 && nodes[2].done[k].round == nodes[2].done[0].round);
    want_total = 21;
    CHECK(run_until(totals_in, 10000000));
    CHECK(nodes[0].ndone == 2 && nodes[1].ndone == 1); /* the refused ones never ran */
}

/* Process 2 loses its state and comes back by replacement. */
static void replacement_test(void)
{
    int64_t before = hoc_engine_round(hoc_svc_engine(nodes[0].s), INST);
    hoc_svc_free(nodes[2].s);
    memset(&nodes[2], 0, sizeof nodes[2]);
    nodes[2].id = 2;
    run_for(200000); /* the others go on without it */
    CHECK(hoc_engine_round(hoc_svc_engine(nodes[0].s), INST) > before);
    nodes[2].s = open_node(2);
    CHECK(nodes[2].s != NULL);
    if (!nodes[2].s) return;
    hoc_engine *e2 = hoc_svc_engine(nodes[2].s);
    CHECK(hoc_svc_start_replaced(nodes[2].s, INST, HOC_ENGINE_JOIN, NULL, NULL) == HOC_START_OK);
    CHECK(hoc_engine_joining(e2, INST) && !state(2, INST)->rejoined);
    CHECK(hoc_svc_start_replaced(nodes[2].s, INST, HOC_ENGINE_JOIN, NULL, NULL) ==
          HOC_START_SKIPPED);
    CHECK(run_until(rejoined, 10000000));
    int64_t r0 = hoc_engine_round(hoc_svc_engine(nodes[0].s), INST),
            r2 = hoc_engine_round(e2, INST);
    printf("replacement: process 2 rejoined in round %" PRId64 " (process 0 in %" PRId64
           "), its entry learned back (8), total 21\n",
           r2, r0);
    CHECK(!hoc_engine_joining(e2, INST) && r2 > before && r2 >= r0 - 4 && r2 <= r0 + 4);
    CHECK(hoc_engine_get_stats(e2)->replaced == 1 && hoc_engine_get_stats(e2)->catchup_rounds < 8);

    /* started by replacement in round 40: the peers start it on its message
     * and catch up there */
    CHECK(hoc_svc_start_replaced(nodes[2].s, INST2, 40, NULL, NULL) == HOC_START_OK);
    CHECK(state(2, INST2)->rejoined && hoc_engine_round(e2, INST2) >= 40);
    CHECK(run_until(inst2_everywhere, 10000000));
    /* the live bound (2) is reached at process 0: a third instance is
     * refused, the long-lived one is not evicted for it */
    CHECK(hoc_svc_start(nodes[0].s, 7, 0, NULL, NULL) == HOC_START_FULL);
    CHECK(hoc_engine_round(hoc_svc_engine(nodes[0].s), INST) >= r0);
    CHECK(hoc_engine_get_stats(hoc_svc_engine(nodes[0].s))->quiet_evicted == 0);
}

/* An event that halts drops those behind it; the instance ends. */
static void halt_test(void)
{
    int ev_quit = hoc_engine_event_index(&counter_algo, "quit");
    int ev_add = hoc_engine_event_index(&counter_algo, "add");
    int k = nodes[0].ndone;
    CHECK(hoc_svc_event(nodes[0].s, INST2, ev_quit, NULL, NULL, 400, NULL, 0) == HOC_EVENT_QUEUED);
    CHECK(hoc_svc_event(nodes[0].s, INST2, ev_add, (int64_t[]){3}, NULL, 401, NULL, 0) ==
          HOC_EVENT_QUEUED);
    CHECK(run_until(finished2, 10000000));
    CHECK(nodes[0].ndone == k + 2);
    const Done *d = &nodes[0].done[k];
    CHECK(d[0].tag == 400 && d[0].ran && d[1].tag == 401 && !d[1].ran && d[1].inst == INST2);
    CHECK(hoc_engine_round(hoc_svc_engine(nodes[0].s), INST2) == -1);
    CHECK(hoc_svc_event(nodes[0].s, INST2, ev_add, (int64_t[]){3}, NULL, 402, NULL, 0) ==
          HOC_EVENT_NOT_LIVE);
    const hoc_engine_stats *st = hoc_engine_get_stats(hoc_svc_engine(nodes[0].s));
    CHECK(st->events_lost == 1 && st->events_run == 3);
}

/* A 256 KiB message crosses, sealed. */
static void big_test(void)
{
    const hoc_net_stats *ns = hoc_net_get_stats(hoc_svc_net(nodes[1].s));
    uint64_t in0 = ns->bytes_in;
    int ev_fill = hoc_engine_event_index(&counter_algo, "fill");
    CHECK(hoc_svc_event(nodes[0].s, INST, ev_fill, (int64_t[]){9}, NULL, 500, NULL, 0) ==
          HOC_EVENT_QUEUED);
    CHECK(run_until(blob_everywhere, 10000000));
    CHECK(ns->bytes_in - in0 > sizeof state(0, INST)->blob);
    for (int i = 0; i < N; i++) {
        const hoc_net_stats *s = hoc_net_get_stats(hoc_svc_net(nodes[i].s));
        CHECK(s->tampered == 0 && s->bad_frames == 0 && s->dropped_oversize == 0);
    }
    printf("a %zu-byte blob reached every process (process 1 read %" PRIu64 " bytes meanwhile)\n",
           sizeof state(0, INST)->blob, ns->bytes_in - in0);
}

static bool refused_both(void)
{
    return nodes[0].refused > 0 && nodes[1].refused > 0;
}

static bool gen2_both(void)
{
    return all_connected() && !strcmp(nodes[0].greet, "gen2") && !strcmp(nodes[1].greet, "gen2");
}

/* The highest id restarted under another greeting (net.h's greeting): it
 * is the first frame its peers see from it, and a refused one keeps it
 * out. */
static void greeting_test(void)
{
    for (int i = 0; i < N - 1; i++)
        CHECK(!strcmp(nodes[i].greet, "gen1") && nodes[i].apps == 1 && nodes[i].refused == 0);
    hoc_svc_free(nodes[N - 1].s);
    greeting = "old!";
    nodes[N - 1].s = open_node(N - 1);
    CHECK(nodes[N - 1].s != NULL);
    if (!nodes[N - 1].s) return;
    CHECK(run_until(refused_both, 10000000));
    run_for(200000);
    CHECK(hoc_net_ready_count(hoc_svc_net(nodes[0].s)) == 1); /* 1 only: 2 stays out */
    hoc_svc_free(nodes[N - 1].s);
    greeting = "gen2";
    nodes[N - 1].s = open_node(N - 1);
    CHECK(nodes[N - 1].s && hoc_svc_start(nodes[N - 1].s, INST, 0, NULL, NULL) == HOC_START_OK);
    CHECK(run_until(gen2_both, 10000000));
    printf("greetings: the first frame of each connection; a refused one kept out (%d times)\n",
           nodes[0].refused + nodes[1].refused);
}

static Node rogue_node;
static int lapses; /* loop turns in which 0 or 1 had no connection with N - 1 */

static uint64_t greets_refused(int i)
{
    return hoc_net_get_stats(hoc_svc_net(nodes[i].s))->greetings_refused;
}

static uint64_t want_refusals;
static bool refused_more(void)
{
    for (int i = 0; i < N - 1; i++)
        lapses += !hoc_net_peer_ready(hoc_svc_net(nodes[i].s), N - 1);
    return greets_refused(0) >= want_refusals && greets_refused(1) >= want_refusals;
}

static bool gen3_both(void)
{
    return nodes[0].gen3 > 0 && nodes[1].gen3 > 0;
}

/* gen2's end and its disconnects before the newcomers */
static const hoc_net_stats *gen2_stats;
static uint64_t gen2_disc;
static bool gen2_dropped(void)
{
    return gen2_stats->disconnects > gen2_disc;
}

/* A second process with the highest id, dialing from another port while
 * the current one (gen2) is connected, as a deposed driver on another
 * host would: refused for its greeting ("old!") or for having none (its
 * first frame a round message), it never displaces gen2's connection,
 * whose ends see no disconnect; one whose greeting is accepted (gen3) does
 * replace it, and gen2 is taken back once it is gone. */
static void newcomer_test(void)
{
    hoc_peers rp = peers;
    rp.p[N - 1].port = free_port();
    /* gen2's end: a connection its peers closed would count here */
    const hoc_net_stats *cur = gen2_stats = hoc_net_get_stats(hoc_svc_net(nodes[N - 1].s));
    uint64_t disc = gen2_disc = cur->disconnects;
    const char *greets[] = {"old!", NULL};
    for (int k = 0; k < 2; k++) {
        memset(&rogue_node, 0, sizeof rogue_node);
        hoc_svc *rogue = open_as(N - 1, &rp, &rogue_node, greets[k]);
        CHECK(rogue && hoc_svc_start(rogue, INST, 0, NULL, NULL) == HOC_START_OK);
        if (!rogue) return;
        want_refusals =
            (greets_refused(0) > greets_refused(1) ? greets_refused(0) : greets_refused(1)) +
            3; /* three dials at least: the back-off's first 20 + 40 ms */
        CHECK(run_until(refused_more, 10000000));
        hoc_svc_free(rogue);
    }
    CHECK(cur->disconnects == disc && lapses == 0 && !strcmp(nodes[0].greet, "gen2") &&
          !strcmp(nodes[1].greet, "gen2"));
    printf("newcomers refused for their greeting: %" PRIu64 " and %" PRIu64
           " times, the current connections never down\n",
           greets_refused(0), greets_refused(1));
    memset(&rogue_node, 0, sizeof rogue_node);
    hoc_svc *rogue = open_as(N - 1, &rp, &rogue_node, "gen3");
    CHECK(rogue != NULL);
    if (!rogue) return;
    CHECK(run_until(gen3_both, 10000000));
    /* gen2's end learns it when it reads their close: a pass later, or more */
    CHECK(run_until(gen2_dropped, 10000000));
    hoc_svc_free(rogue);
    CHECK(run_until(gen2_both, 10000000));
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    base = event_base_new();
    CHECK(base && event_base_priority_init(base, 2) == 0);

    /* go = n + 1: rounds end on their 20 ms timeouts */
    open_cluster(N + 1);
    for (int i = 0; i < N && nodes[i].s; i++)
        CHECK(hoc_svc_start(nodes[i].s, INST, 0, NULL, NULL) == HOC_START_OK);
    if (!nodes[0].s || !nodes[1].s || !nodes[2].s) return check_summary("net-svc");
    CHECK(run_until(all_connected, 10000000));
    uint64_t paced, paced_to;
    idle_cost("rounds end on 20 ms timeouts", 1000000, &paced, &paced_to);
    /* about 50, however loaded the machine, most ended by their timeouts (a
     * process that fell behind under load catches up on a later round's
     * message instead: seen under ASan on a busy machine, hence not all) */
    CHECK(paced >= 1 && paced <= 100 && paced_to * 2 >= paced);
    for (int i = 0; i < N; i++)
        CHECK(nodes[i].total == 0 && nodes[i].outputs_added == 0);
    hurry_test();
    events_test();
    replacement_test();
    halt_test();
    big_test();
    close_cluster();

    /* go = n: an idle instance runs as fast as its messages go round */
    greeting = "gen1";
    open_cluster(N);
    for (int i = 0; i < N && nodes[i].s; i++)
        CHECK(hoc_svc_start(nodes[i].s, INST, 0, NULL, NULL) == HOC_START_OK);
    CHECK(run_until(all_connected, 10000000));
    /* what ends the rounds, not how many there are (the machine may be
     * loaded): the n-th message, not a timeout */
    uint64_t fast, fast_to;
    idle_cost("go-ahead on n messages", 500000, &fast, &fast_to);
    CHECK(fast >= 10 && fast_to * 10 <= fast);
    greeting_test();
    newcomer_test();
    /* an event is handed over at the next boundary: sooner than with timeouts */
    uint64_t t0 = hoc_now_us();
    CHECK(hoc_svc_event(nodes[0].s, INST, hoc_engine_event_index(&counter_algo, "add"),
                        (int64_t[]){4}, NULL, 600, NULL, 0) == HOC_EVENT_QUEUED);
    want_total = 4;
    CHECK(run_until(totals_in, 10000000));
    CHECK(nodes[0].ndone == 1 && nodes[0].done[0].ran && nodes[0].done[0].added == 4);
    printf("events, go-ahead on n: handed over %.2f ms after queueing, every total 4 after %.2f "
           "ms\n",
           (double)(nodes[0].done[0].at - t0) / 1000.0, (double)(hoc_now_us() - t0) / 1000.0);
    close_cluster();
    event_base_free(base);
    return check_summary("net-svc");
}
