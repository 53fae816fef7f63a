/* replica.c: a replica's life: set up from the command line
 * (replica_args.c), run the event loop in which the transport (net.c)
 * drives the round engine (engine.c), record decisions (decisions.c), serve
 * /metrics (metrics.c), and exit by the rules in replica.h. */
#include "replica.h"

#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "clock.h"
#include "decisions.h"
#include "engine.h"
#include "metrics.h"
#include "net.h"
#include "params.h"
#include "peers.h"
#include "replica_args.h"
#include "wire.h"

/* Exit statuses (replica.h). */
enum { EXIT_DECIDED = 0, EXIT_STOPPED = 1, EXIT_SETUP = 2 };

#define HOUSEKEEPING_US 100000 /* flush the decisions file, re-send DONE, check --timeout */
#define DONE_RESEND_US 500000  /* peers that reconnected hear DONE too */

/* Everything a replica owns, in one allocation: no globals in the library. */
typedef struct Replica {
    const hoc_algo *a;
    hoc_replica_args args;
    hoc_peers peers;
    uint8_t secret[256];
    size_t secret_len;
    int id, n;
    int64_t params[HOC_MAXPARAMS];
    hoc_logger log;
    hoc_decisions dec;
    struct event_base *base;
    hoc_engine *eng;
    hoc_net *net;
    hoc_metrics *metrics;
    struct event *timer, *house, *sigint, *sigterm;
    uint64_t armed;      /* the deadline the timer is set for; UINT64_MAX: none */
    uint64_t next_local; /* the next instance this replica starts */
    bool started, done, exit_ok;
    uint64_t t0, done_at, start_wait_us, linger_us, timeout_us;
    uint64_t peers_done, last_done_sent;
} Replica;

/* ---- engine callbacks ---- */
static void io_send(void *ctx, int to, uint64_t inst, int64_t round, const uint8_t *p, size_t len)
{
    Replica *r = ctx;
    hoc_net_send_msg(r->net, to, inst, round, p, len);
}

static void io_send_decision(void *ctx, int to, uint64_t inst, int64_t value)
{
    Replica *r = ctx;
    hoc_net_send_decision(r->net, to, inst, value);
}

static void io_decided(void *ctx, uint64_t inst, int64_t value, int from)
{
    Replica *r = ctx;
    if (!hoc_decisions_decide(&r->dec, inst, value, hoc_now_us())) return;
    hoc_log(&r->log, HOC_LOG_DEBUG, "instance %" PRIu64 " decided %" PRId64 "%s", inst, value,
            from >= 0 ? " (forwarded)" : "");
}

static void io_finished(void *ctx, uint64_t inst, bool decided)
{
    Replica *r = ctx;
    if (!decided) hoc_decisions_ended(&r->dec, inst);
}

static hoc_inst_status io_lookup(void *ctx, uint64_t inst, int64_t *value)
{
    Replica *r = ctx;
    return hoc_decisions_lookup(&r->dec, inst, value);
}

/* Called exactly once, when the engine creates the instance: also the start
 * of its decision latency. */
static void io_inputs(void *ctx, uint64_t inst, int64_t *in)
{
    Replica *r = ctx;
    hoc_decisions_started(&r->dec, inst, hoc_now_us());
    const hoc_replica_args *g = &r->args;
    for (int i = 0; i < r->a->ninputs && i < HOC_REPLICA_MAX_INPUTS; i++) {
        if (g->ninputs)
            in[i] = g->inputs[i < g->ninputs ? i : g->ninputs - 1];
        else
            in[i] = (int64_t)((inst + (uint64_t)r->id) % 2);
        const hoc_field *f = &r->a->inputs[i];
        if (f->kind == HOC_K_ENUM && f->enum_count && in[i] >= (int64_t)f->enum_count) in[i] = 0;
    }
}

static void io_dropped(void *ctx, int from, uint64_t inst, int64_t round, hoc_drop why)
{
    static const char *const reasons[] = {[HOC_DROP_LATE] = "late",
                                          [HOC_DROP_DUP] = "a duplicate",
                                          [HOC_DROP_FULL] = "beyond --max-live",
                                          [HOC_DROP_IGNORED] = "an instance not run here",
                                          [HOC_DROP_UNENCODABLE] = "the encoder refused it",
                                          [HOC_DROP_FAR] = "too many rounds ahead"};
    Replica *r = ctx;
    if (why == HOC_DROP_DECISION)
        hoc_log(&r->log, HOC_LOG_DEBUG,
                "dropped the decision of instance %" PRIu64 " from %d: known already", inst, from);
    else
        hoc_log(&r->log, HOC_LOG_DEBUG,
                "dropped the round %" PRId64 " message of instance %" PRIu64 " from %d: %s", round,
                inst, from, reasons[why]);
}

/* ---- the event loop ---- */
static int on_frame(void *ctx, int peer, const hoc_frame *f)
{
    Replica *r = ctx;
    switch (f->type) {
    case HOC_F_MSG:
        return hoc_engine_receive(r->eng, peer, f->instance, f->round, f->payload, f->payload_len,
                                  hoc_now_us());
    case HOC_F_DECISION:
        hoc_engine_decision(r->eng, peer, f->instance, f->value);
        return 0;
    case HOC_F_DONE:
        if (!(r->peers_done & hoc_set_one(peer)))
            hoc_log(&r->log, HOC_LOG_INFO, "peer %d is done", peer);
        r->peers_done |= hoc_set_one(peer);
        return 0;
    default:
        return -1;
    }
}

static void arm_timer(Replica *r)
{
    uint64_t next = hoc_engine_next_deadline(r->eng);
    if (next == r->armed) return;
    r->armed = next;
    if (next == UINT64_MAX) {
        event_del(r->timer);
        return;
    }
    uint64_t now = hoc_now_us(), d = next > now ? next - now : 0;
    struct timeval tv = {(time_t)(d / 1000000), (suseconds_t)(d % 1000000)};
    event_add(r->timer, &tv);
}

static void send_done(Replica *r)
{
    for (int p = 0; p < r->n; p++)
        if (p != r->id) hoc_net_send_done(r->net, p);
}

/* Once every instance is decided: tell the peers, and stop when they are all
 * done too or the linger is over. */
static void check_exit(Replica *r, uint64_t now)
{
    if (!r->done && r->dec.ndecided == r->dec.k) {
        r->done = true;
        r->done_at = now;
        hoc_log(&r->log, HOC_LOG_INFO, "all %" PRIu64 " instances decided", r->dec.k);
        send_done(r);
        hoc_net_kick(r->net);
    }
    if (!r->done) return;
    uint64_t others = hoc_set_all(r->n) & ~hoc_set_one(r->id);
    if ((r->peers_done & others) == others || now - r->done_at >= r->linger_us) {
        r->exit_ok = true;
        event_base_loopbreak(r->base);
    }
}

/* Starts this replica's instances in order while the window has room, once
 * connected to every peer or the start wait is over. */
static void start_more(Replica *r, uint64_t now)
{
    if (!r->started) {
        bool all = hoc_net_ready_count(r->net) == r->n - 1;
        if (!all && now - r->t0 < r->start_wait_us) return;
        r->started = true;
        hoc_log(&r->log, HOC_LOG_INFO, "starting with %d of %d peers connected",
                hoc_net_ready_count(r->net), r->n - 1);
    }
    /* the engine skips instances that are not new here (decided by forwarding) */
    while (r->next_local < r->dec.k && hoc_engine_live(r->eng) < r->args.window) {
        if (hoc_engine_start(r->eng, r->next_local, now) == HOC_START_FULL) break;
        r->next_local++;
    }
}

static void on_iteration(void *ctx)
{
    Replica *r = ctx;
    uint64_t now = hoc_now_us();
    hoc_engine_settle(r->eng, now);
    start_more(r, now);
    arm_timer(r);
    check_exit(r, now);
}

static void timer_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    Replica *r = arg;
    r->armed = UINT64_MAX - 1; /* fired: re-arm whatever comes next */
    hoc_engine_tick(r->eng, hoc_now_us());
    hoc_net_kick(r->net);
}

static void house_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    Replica *r = arg;
    uint64_t now = hoc_now_us();
    hoc_decisions_flush(&r->dec);
    if (r->done && now - r->last_done_sent > DONE_RESEND_US) {
        r->last_done_sent = now;
        send_done(r);
    }
    if (r->timeout_us && now - r->t0 > r->timeout_us) {
        hoc_log(&r->log, HOC_LOG_ERROR, "timeout: %" PRIu64 " of %" PRIu64 " instances decided",
                r->dec.ndecided, r->dec.k);
        event_base_loopbreak(r->base);
        return;
    }
    hoc_net_kick(r->net);
}

static void signal_cb(evutil_socket_t sig, short what, void *arg)
{
    (void)what;
    Replica *r = arg;
    hoc_log(&r->log, HOC_LOG_INFO, "signal %d: stopping", (int)sig);
    event_base_loopbreak(r->base);
}

/* Runs the event loop until a callback breaks it. With spin > 0 the loop
 * polls while input arrived in the last spin microseconds: a process that
 * never sleeps is woken by no one, which saves the cross-CPU wake-up (tens
 * of microseconds in a VM) on every message of a round. */
static void run_loop(Replica *r, uint64_t spin)
{
    if (!spin) {
        event_base_dispatch(r->base);
        return;
    }
    uint64_t seen = UINT64_MAX, last = hoc_now_us();
    while (!event_base_got_break(r->base)) {
        uint64_t in = hoc_net_get_stats(r->net)->frames_in, now = hoc_now_us();
        if (in != seen) seen = in, last = now;
        if (now - last < spin) {
            event_base_loop(r->base, EVLOOP_NONBLOCK);
            sched_yield();
        } else {
            event_base_loop(r->base, EVLOOP_ONCE);
            last = hoc_now_us();
        }
    }
}

/* ---- set-up, run, teardown ---- */
/* Reads the secret file into r (a final newline is not part of it); 0, or
 * -1 after saying what is wrong. */
static int read_secret(Replica *r, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "hoc: cannot read the secret '%s': %s\n", path, strerror(errno));
        return -1;
    }
    size_t n = fread(r->secret, 1, sizeof r->secret, f);
    bool more = fgetc(f) != EOF;
    fclose(f);
    while (n && (r->secret[n - 1] == '\n' || r->secret[n - 1] == '\r'))
        n--;
    if (more || n == 0) {
        fprintf(stderr, "hoc: the secret in '%s' must be 1 to %zu bytes\n", path, sizeof r->secret);
        return -1;
    }
    r->secret_len = n;
    return 0;
}

/* Reads the configuration the command line names: the peers file, the
 * secret, and the algorithm's parameters. 0, or EXIT_SETUP after saying what is wrong. */
static int load_config(Replica *r)
{
    const hoc_replica_args *g = &r->args;
    char err[512];
    if (hoc_peers_load(g->peers, &r->peers, err, sizeof err)) {
        fprintf(stderr, "hoc: %s\n", err);
        return EXIT_SETUP;
    }
    r->id = (int)g->id, r->n = r->peers.n;
    if (r->id >= r->n) {
        fprintf(stderr, "hoc: --id %d is not in %s (ids 0 to %d)\n", r->id, g->peers, r->n - 1);
        return EXIT_SETUP;
    }
    if (r->n > r->a->maxn) {
        fprintf(stderr, "hoc: %d peers, but this build holds at most %d processes\n", r->n,
                r->a->maxn);
        return EXIT_SETUP;
    }
    bool loopback = true;
    for (int p = 0; p < r->n; p++)
        loopback &= hoc_peers_is_loopback(r->peers.p[p].host);
    if (g->secret && read_secret(r, g->secret)) return EXIT_SETUP;
    if (!g->secret && !loopback) {
        fprintf(stderr, "hoc: --secret FILE is required when a peer is not on loopback\n");
        return EXIT_SETUP;
    }
    if (hoc_params_pick(r->a, r->n, g->pname, g->pvals, g->nparams, r->params, err, sizeof err)) {
        fprintf(stderr, "hoc: %s\n", err);
        return EXIT_SETUP;
    }
    return 0;
}

/* Creates the engine and the transport on a new event loop. 0, or
 * EXIT_SETUP after saying what failed. */
static int open_engine_and_net(Replica *r)
{
    const hoc_replica_args *g = &r->args;
    r->base = event_base_new();
    if (!r->base || event_base_priority_init(r->base, 2) != 0) {
        fprintf(stderr, "hoc: cannot set up the event loop\n");
        return EXIT_SETUP;
    }
    hoc_engine_opts eo = {hoc_replica_args_max_live(g), g->forward, (uint64_t)g->seed};
    hoc_engine_io io = {.ctx = r,
                        .send = io_send,
                        .send_decision = io_send_decision,
                        .decided = io_decided,
                        .finished = io_finished,
                        .lookup = io_lookup,
                        .inputs = io_inputs,
                        .dropped = io_dropped};
    r->eng = hoc_engine_new(r->a, r->id, r->params, &eo, &io);
    if (!r->eng) {
        fprintf(stderr, "hoc: cannot set up the round engine\n");
        return EXIT_SETUP;
    }
    hoc_net_opts no = {.id = r->id,
                       .peers = &r->peers,
                       .secret = r->secret,
                       .secret_len = r->secret_len,
                       .algo = hoc_wire_algo_tag(r->a->name, r->a->abi),
                       .params = hoc_wire_params_tag(r->params, r->a->nparams),
                       .drop = g->drop,
                       .delay_us = (uint64_t)g->delay_ms * 1000,
                       .seed = (uint64_t)g->seed,
                       .log = r->log};
    hoc_net_cb cb = {r, on_frame, on_iteration};
    r->net = hoc_net_new(r->base, &no, &cb); /* which logs why it fails */
    return r->net ? 0 : EXIT_SETUP;
}

/* Adds the replica's own events: the round timer, housekeeping, signals,
 * and /metrics if asked for. 0, or EXIT_SETUP after saying what failed. */
static int open_events(Replica *r)
{
    r->timer = event_new(r->base, -1, 0, timer_cb, r);
    r->house = event_new(r->base, -1, EV_PERSIST, house_cb, r);
    r->sigint = evsignal_new(r->base, SIGINT, signal_cb, r);
    r->sigterm = evsignal_new(r->base, SIGTERM, signal_cb, r);
    if (!r->timer || !r->house || !r->sigint || !r->sigterm) {
        fprintf(stderr, "hoc: out of memory\n");
        return EXIT_SETUP;
    }
    event_priority_set(r->timer, 0);
    struct timeval hv = {0, HOUSEKEEPING_US};
    event_add(r->house, &hv);
    event_add(r->sigint, NULL);
    event_add(r->sigterm, NULL);
    r->armed = UINT64_MAX;
    long long port = r->args.metrics_port;
    if (port > 0) {
        hoc_metrics_src src = {r->eng, r->net, &r->dec};
        const char *host = r->peers.p[r->id].host;
        if (!(r->metrics = hoc_metrics_new(r->base, host, (int)port, &src))) {
            fprintf(stderr, "hoc: cannot serve /metrics on %s:%lld\n", host, port);
            return EXIT_SETUP;
        }
    }
    return 0;
}

/* Everything the run needs, from the loaded configuration. 0, or
 * EXIT_SETUP after saying what failed (replica_close frees what was set up). */
static int replica_open(Replica *r)
{
    const hoc_replica_args *g = &r->args;
    char err[512];
    const hoc_algo *a = r->a;
    int d = hoc_engine_decide_output(a);
    if (hoc_decisions_open(&r->dec, (uint64_t)g->instances, g->decisions,
                           d >= 0 ? &a->outputs[d] : NULL, err, sizeof err)) {
        fprintf(stderr, "hoc: %s\n", err);
        return EXIT_SETUP;
    }
    signal(SIGPIPE, SIG_IGN);
    r->t0 = hoc_now_us();
    r->start_wait_us = (uint64_t)g->start_wait_ms * 1000;
    r->linger_us = (uint64_t)(g->linger_s * 1e6);
    r->timeout_us = (uint64_t)g->timeout_s * 1000000;
    int rc = open_engine_and_net(r);
    return rc ? rc : open_events(r);
}

/* Runs until every instance is decided and the peers are done
 * (EXIT_DECIDED), or a signal or the timeout stops the replica
 * (EXIT_STOPPED); writes the summary. */
static int replica_run(Replica *r)
{
    hoc_log(&r->log, HOC_LOG_INFO, "replica %d of %d running %s, %" PRIu64 " instances", r->id,
            r->n, r->a->name, r->dec.k);
    hoc_net_kick(r->net);
    run_loop(r, (uint64_t)r->args.spin_us);
    hoc_net_flush_now(r->net);
    const hoc_engine_stats *e = hoc_engine_get_stats(r->eng);
    const char *summary = r->args.summary;
    if (summary && hoc_decisions_summary(&r->dec, summary, r->id, e))
        hoc_log(&r->log, HOC_LOG_ERROR, "cannot write %s: %s", summary, strerror(errno));
    hoc_log(&r->log, HOC_LOG_INFO,
            "exit: decided %" PRIu64 "/%" PRIu64 ", rounds %" PRIu64 ", timeouts %" PRIu64
            ", catch-ups %" PRIu64 ", forwarded %" PRIu64,
            r->dec.ndecided, r->dec.k, e->rounds, e->timeouts, e->catchups, e->decided_learned);
    return r->exit_ok ? EXIT_DECIDED : EXIT_STOPPED;
}

/* Frees whatever replica_open set up, in reverse order. */
static void replica_close(Replica *r)
{
    hoc_metrics_free(r->metrics);
    hoc_net_free(r->net);
    hoc_engine_free(r->eng);
    if (r->timer) event_free(r->timer);
    if (r->house) event_free(r->house);
    if (r->sigint) event_free(r->sigint);
    if (r->sigterm) event_free(r->sigterm);
    if (r->base) event_base_free(r->base);
    hoc_decisions_close(&r->dec);
}

int hoc_replica_main(const hoc_algo *a, int argc, char **argv)
{
    if (!a || a->abi != HOC_ABI_VERSION) {
        fprintf(stderr, "hoc: the algorithm was compiled for another runtime ABI\n");
        return EXIT_SETUP;
    }
    Replica *r = calloc(1, sizeof *r);
    if (!r) {
        fprintf(stderr, "hoc: out of memory\n");
        return EXIT_SETUP;
    }
    r->a = a;
    int rc;
    switch (hoc_replica_args_parse(&r->args, argc, argv)) {
    case HOC_REPLICA_ARGS_HELP:
        rc = EXIT_DECIDED; /* nothing to do, done */
        break;
    case HOC_REPLICA_ARGS_BAD:
        rc = EXIT_SETUP;
        break;
    default:
        r->log = (hoc_logger){r->args.log, (int)r->args.id};
        rc = load_config(r);
        if (rc == 0) rc = replica_open(r);
        if (rc == 0) rc = replica_run(r);
        replica_close(r);
    }
    free(r);
    return rc;
}
