/* replica.c: a replica's life: set up from the command line
 * (replica_args.c), run the service layer (svc.c: round engine, transport,
 * ledger) on an event loop, start instances 0..K-1 in order with a window,
 * record decisions (decisions.c), keep state on stable storage with --data
 * (stable.c), serve /metrics (metrics.c), and exit by the rules in
 * replica.h. The simplest service. */
#include "replica.h"

#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "clock.h"
#include "decisions.h"
#include "metrics.h"
#include "params.h"
#include "peers.h"
#include "replica_args.h"
#include "stable.h"
#include "svc.h"
#include "value.h"
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
    hoc_svc *svc;
    hoc_metrics *metrics;
    struct event *house, *sigint, *sigterm;
    uint64_t next_local; /* the next instance this replica starts */
    bool started, done, exit_ok;
    uint64_t t0, done_at, start_wait_us, linger_us, timeout_us;
    uint64_t peers_done, last_done_sent;
    hoc_stable *data; /* --data, or NULL */
    uint8_t *resume;  /* states found in data, resumed once it is open: (inst, round, state) */
    size_t nresume, capresume;
    uint64_t *pend; /* decided here, reported once on stable storage */
    size_t npend, cappend;
    uint64_t resumed, recovered; /* instances resumed, decisions recovered, at start */
} Replica;

/* ---- the service's callbacks ---- */
static bool io_admit(void *ctx, uint64_t inst)
{
    Replica *r = ctx;
    return inst < r->dec.k;
}

/* With --data, a decision is reported (decisions file, peers) only once
 * stable storage has it: a replica killed before that restarts in the
 * round it decided in, as if the decision had not been reached. */
static void io_decided(void *ctx, uint64_t inst, const uint8_t *v, size_t len, int from)
{
    (void)from;
    Replica *r = ctx;
    if (!r->data) {
        hoc_decisions_decide(&r->dec, inst, v, len, hoc_now_us());
        return;
    }
    hoc_stable_decided(r->data, inst, v, len);
    if (!hoc_stable_pending(r->data) && !hoc_stable_error(r->data)) { /* --fsync always */
        hoc_decisions_decide(&r->dec, inst, v, len, hoc_now_us());
        return;
    }
    hoc_svc_hold(r->svc);
    if (inst >= r->dec.k) return;
    if (r->npend == r->cappend) {
        size_t c = r->cappend ? 2 * r->cappend : 256;
        uint64_t *p = realloc(r->pend, c * sizeof *p);
        if (!p) return; /* out of memory: the file gets it when a restart recovers it */
        r->pend = p, r->cappend = c;
    }
    r->pend[r->npend++] = inst;
}

static void io_finished(void *ctx, uint64_t inst, bool decided)
{
    Replica *r = ctx;
    if (!r->data) return;
    hoc_stable_forget(r->data, inst);
    if (!decided) hoc_stable_ended(r->data, inst);
}

/* Persist before send: the state round `round`'s messages come from is
 * written first, and they wait for its sync (true: hold them). */
static bool io_sending(void *ctx, uint64_t inst, int64_t round, const void *state)
{
    Replica *r = ctx;
    if (hoc_stable_state(r->data, inst, round, state) != 0) return true; /* never released */
    return hoc_stable_pending(r->data);
}

/* The end of a loop turn: syncs what the turn appended, then lets out the
 * messages and decisions that waited for it; a store that failed lets
 * nothing out again. */
static void keep(Replica *r)
{
    if (!r->data) return;
    if (hoc_stable_sync(r->data) != 0) {
        hoc_svc_discard_held(r->svc);
        r->npend = 0;
        return;
    }
    hoc_svc_release(r->svc);
    hoc_ledger *l = hoc_svc_ledger(r->svc);
    for (size_t i = 0; i < r->npend; i++) {
        const uint8_t *v;
        size_t len;
        if (hoc_ledger_get(l, r->pend[i], &v, &len) == HOC_INST_DECIDED)
            hoc_decisions_decide(&r->dec, r->pend[i], v, len, hoc_now_us());
    }
    r->npend = 0;
}

/* Called exactly once, when the engine creates the instance: also the start
 * of its decision latency. */
static void io_inputs(void *ctx, uint64_t inst, int64_t *in, const uint8_t **bytes)
{
    (void)bytes; /* a bytes input gets the integer standing for it */
    Replica *r = ctx;
    hoc_decisions_started(&r->dec, inst, hoc_now_us());
    const hoc_replica_args *g = &r->args;
    for (int i = 0; i < r->a->ninputs && i < HOC_REPLICA_MAX_INPUTS; i++) {
        if (g->ninputs) { /* in its input's range (check_inputs) */
            in[i] = g->inputs[i < g->ninputs ? i : g->ninputs - 1];
            continue;
        }
        int64_t lo, hi; /* hi < 1: an enum of one member, a pid of one process */
        hoc_input_range(&r->a->inputs[i], r->n, &lo, &hi);
        in[i] = (int64_t)((inst + (uint64_t)r->id) % 2);
        if (in[i] > hi) in[i] = hi;
    }
}

static void io_peer_done(void *ctx, int peer)
{
    Replica *r = ctx;
    if (!(r->peers_done & hoc_set_one(peer)))
        hoc_log(&r->log, HOC_LOG_INFO, "peer %d is done", peer);
    r->peers_done |= hoc_set_one(peer);
}

/* Once every instance is decided: tell the peers, and stop when they are all
 * done too or the linger is over. */
static void check_exit(Replica *r, uint64_t now)
{
    if (!r->done && r->dec.ndecided == r->dec.k) {
        r->done = true;
        r->done_at = now;
        hoc_log(&r->log, HOC_LOG_INFO, "all %" PRIu64 " instances decided", r->dec.k);
        hoc_svc_send_done(r->svc);
    }
    if (!r->done) return;
    uint64_t others = hoc_set_all(r->n) & ~hoc_set_one(r->id);
    if ((r->peers_done & others) == others || now - r->done_at >= r->linger_us) {
        r->exit_ok = true;
        event_base_loopbreak(r->base);
    }
}

/* Starts this replica's instances in order while the window (instances not
 * decided here yet) has room, once connected to every peer or the start wait
 * is over. */
static void start_more(Replica *r, uint64_t now)
{
    hoc_net *net = hoc_svc_net(r->svc);
    if (!r->started) {
        bool all = hoc_net_ready_count(net) == r->n - 1;
        if (!all && now - r->t0 < r->start_wait_us) return;
        r->started = true;
        hoc_log(&r->log, HOC_LOG_INFO, "starting with %d of %d peers connected",
                hoc_net_ready_count(net), r->n - 1);
    }
    /* the engine skips instances that are not new here (decided by forwarding) */
    hoc_engine *eng = hoc_svc_engine(r->svc);
    while (r->next_local < r->dec.k && hoc_engine_active(eng) < r->args.window) {
        if (hoc_svc_start(r->svc, r->next_local, 0, NULL, NULL) == HOC_START_FULL) break;
        r->next_local++;
    }
}

static void io_iteration(void *ctx, uint64_t now)
{
    Replica *r = ctx;
    start_more(r, now);
    keep(r);
    check_exit(r, now);
}

static void house_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    Replica *r = arg;
    uint64_t now = hoc_now_us();
    hoc_decisions_flush(&r->dec);
    if (r->done && now - r->last_done_sent > DONE_RESEND_US) {
        r->last_done_sent = now;
        hoc_svc_send_done(r->svc);
    }
    if (r->timeout_us && now - r->t0 > r->timeout_us) {
        hoc_log(&r->log, HOC_LOG_ERROR, "timeout: %" PRIu64 " of %" PRIu64 " instances decided",
                r->dec.ndecided, r->dec.k);
        event_base_loopbreak(r->base);
        return;
    }
    hoc_svc_kick(r->svc);
}

static void signal_cb(evutil_socket_t sig, short what, void *arg)
{
    (void)what;
    Replica *r = arg;
    hoc_log(&r->log, HOC_LOG_INFO, "signal %d: stopping", (int)sig);
    event_base_loopbreak(r->base);
}

/* /metrics: the service's counters, then the decisions. */
static void render(void *ctx, struct evbuffer *b)
{
    Replica *r = ctx;
    hoc_svc *svcs[1] = {r->svc};
    hoc_svc_render_metrics(b, svcs, 1);
    const hoc_decisions *d = &r->dec;
    hoc_metrics_family(b, "decisions_total", "counter", "Instances decided here.", &d->ndecided, 1,
                       NULL);
    hoc_metrics_histogram(b, "decision_latency_seconds",
                          "From starting an instance here to its decision.", hoc_latency_le,
                          d->hist, HOC_LATENCY_BUCKETS, d->hist_sum);
    if (!r->data) return;
    const hoc_stable_stats *st = hoc_stable_get_stats(r->data);
    uint64_t failed = hoc_stable_error(r->data) != NULL;
    hoc_metrics_family(b, "data_records_total", "counter", "Records appended to --data.",
                       &st->records, 1, NULL);
    hoc_metrics_family(b, "data_syncs_total", "counter", "fdatasync calls on --data.", &st->syncs,
                       1, NULL);
    hoc_metrics_family(b, "data_bytes_total", "counter", "Bytes written to --data.", &st->bytes, 1,
                       NULL);
    hoc_metrics_family(b, "data_cut_total", "counter",
                       "Torn or corrupt records cut when --data was opened.", &st->cut, 1, NULL);
    hoc_metrics_family(b, "data_failed", "gauge",
                       "1 once --data could not be written: round messages are no longer sent.",
                       &failed, 1, NULL);
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
        uint64_t in = hoc_net_get_stats(hoc_svc_net(r->svc))->frames_in, now = hoc_now_us();
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

/* Refuses an --input outside its input's type (a pid of another cluster, an
 * enum's member that does not exist): hoc check never ran the algorithm on
 * it, so whatever it proved does not cover the run. 0, or EXIT_SETUP. */
static int check_inputs(const Replica *r)
{
    const hoc_replica_args *g = &r->args;
    for (int i = 0; g->ninputs && i < r->a->ninputs && i < HOC_REPLICA_MAX_INPUTS; i++) {
        const hoc_field *fd = &r->a->inputs[i];
        int64_t x = g->inputs[i < g->ninputs ? i : g->ninputs - 1], lo, hi;
        hoc_input_range(fd, r->n, &lo, &hi);
        if (x < lo || x > hi) {
            fprintf(stderr, "hoc: --input: input %s is %lld, outside %lld..%lld\n", fd->name,
                    (long long)x, (long long)lo, (long long)hi);
            return EXIT_SETUP;
        }
    }
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
    if (g->secret && hoc_peers_read_secret(g->secret, r->secret, sizeof r->secret, &r->secret_len,
                                           err, sizeof err)) {
        fprintf(stderr, "hoc: %s\n", err);
        return EXIT_SETUP;
    }
    if (!g->secret && !loopback) {
        fprintf(stderr, "hoc: --secret FILE is required when a peer is not on loopback\n");
        return EXIT_SETUP;
    }
    if (g->test_unsealed && !loopback) {
        fprintf(stderr, "hoc: --test-unsealed-frames is for benchmarks on loopback only\n");
        return EXIT_SETUP;
    }
    if (hoc_params_pick(r->a, r->n, g->pname, g->pvals, g->nparams, r->params, err, sizeof err)) {
        fprintf(stderr, "hoc: %s\n", err);
        return EXIT_SETUP;
    }
    return check_inputs(r);
}

/* Catches SIGINT and SIGTERM on the loop before any port is bound or the
 * stable storage read: a supervisor that stops the replica during start-up
 * gets the clean exit it gets later (the signal is handled once the loop
 * runs). 0, or EXIT_SETUP after saying what failed. */
static int open_signals(Replica *r)
{
    r->sigint = evsignal_new(r->base, SIGINT, signal_cb, r);
    r->sigterm = evsignal_new(r->base, SIGTERM, signal_cb, r);
    if (!r->sigint || !r->sigterm || event_add(r->sigint, NULL) || event_add(r->sigterm, NULL)) {
        fprintf(stderr, "hoc: cannot catch signals\n");
        return EXIT_SETUP;
    }
    return 0;
}

/* Creates the service on a new event loop. 0, or EXIT_SETUP after saying
 * what failed. */
static int open_service(Replica *r)
{
    const hoc_replica_args *g = &r->args;
    r->base = event_base_new();
    if (!r->base || event_base_priority_init(r->base, 2) != 0) {
        fprintf(stderr, "hoc: cannot set up the event loop\n");
        return EXIT_SETUP;
    }
    int rc = open_signals(r);
    if (rc) return rc;
    hoc_svc_opts so = {.algo = r->a,
                       .id = r->id,
                       .peers = &r->peers,
                       .secret = r->secret,
                       .secret_len = r->secret_len,
                       .params = r->params,
                       .max_live = hoc_replica_args_max_live(g),
                       .forward = g->forward,
                       .memory = (uint64_t)g->memory_mb << 20,
                       .drop = g->drop,
                       .delay_us = (uint64_t)g->delay_ms * 1000,
                       .test_unsealed = g->test_unsealed,
                       .seed = (uint64_t)g->seed,
                       .log = r->log};
    hoc_svc_io io = {.ctx = r,
                     .admit = io_admit,
                     .inputs = io_inputs,
                     .decided = io_decided,
                     .finished = io_finished,
                     .peer_done = io_peer_done,
                     .iteration = io_iteration,
                     .sending = g->data ? io_sending : NULL};
    char err[512];
    if (!(r->svc = hoc_svc_new(r->base, &so, &io, err, sizeof err))) {
        fprintf(stderr, "hoc: %s\n", err);
        return EXIT_SETUP;
    }
    return 0;
}

/* ---- --data: what a restart puts back ---- */
static int on_ended(void *ctx, uint64_t inst, const uint8_t *v, size_t len, char *err, size_t errn)
{
    (void)err, (void)errn;
    Replica *r = ctx;
    hoc_ledger *l = hoc_svc_ledger(r->svc);
    if (!v) {
        hoc_ledger_end(l, inst);
        return 0;
    }
    if (hoc_ledger_decide(l, inst, v, len) < 0) {
        snprintf(err, errn, "out of memory for the decisions in %s", r->args.data);
        return -1;
    }
    /* written again: the file may have missed it when the replica died */
    hoc_decisions_decide(&r->dec, inst, v, len, hoc_now_us());
    r->recovered++;
    return 0;
}

/* Kept until the store is open: a resumed instance may run rounds and
 * decide at once, and what it does must go to the store. */
static int on_state(void *ctx, uint64_t inst, int64_t round, const void *state, char *err,
                    size_t errn)
{
    Replica *r = ctx;
    size_t each = 16 + r->a->state_size;
    if (r->nresume == r->capresume) {
        size_t c = r->capresume ? 2 * r->capresume : 64;
        uint8_t *p = realloc(r->resume, c * each);
        if (!p) {
            snprintf(err, errn, "out of memory for the states in %s", r->args.data);
            return -1;
        }
        r->resume = p, r->capresume = c;
    }
    uint8_t *e = r->resume + r->nresume++ * each;
    hoc_put_u64(e, inst);
    hoc_put_u64(e + 8, (uint64_t)round);
    memcpy(e + 16, state, r->a->state_size);
    return 0;
}

/* Resumes the instances on_state kept. 0, or EXIT_SETUP after saying why. */
static int resume_all(Replica *r)
{
    size_t each = 16 + r->a->state_size;
    for (size_t i = 0; i < r->nresume; i++) {
        const uint8_t *e = r->resume + i * each;
        if (hoc_svc_resume(r->svc, hoc_get_u64(e), (int64_t)hoc_get_u64(e + 8), e + 16) ==
            HOC_START_FULL) {
            fprintf(stderr,
                    "hoc: --data: %s holds more running instances than --max-live (%d) allows: "
                    "restart with the --max-live and --memory it ran with\n",
                    r->args.data, hoc_replica_args_max_live(&r->args));
            return EXIT_SETUP;
        }
        r->resumed++;
    }
    free(r->resume);
    r->resume = NULL;
    return 0;
}

static const void *state_of(void *ctx, uint64_t inst, int64_t *round)
{
    Replica *r = ctx;
    hoc_engine *e = hoc_svc_engine(r->svc);
    *round = hoc_engine_round(e, inst);
    return hoc_engine_state(e, inst);
}

/* Opens --data and resumes what it holds, or says that there is no stable
 * storage. 0, or EXIT_SETUP after saying what is wrong. */
static int open_data(Replica *r)
{
    const hoc_replica_args *g = &r->args;
    if (!g->data) {
        hoc_log(&r->log, HOC_LOG_WARN,
                "no --data: this replica keeps no stable storage, so a restart forgets its "
                "running instances and is outside the crash-stop model (docs/runtime.md, "
                "\"Crashes and restarts\")");
        return 0;
    }
    hoc_stable_owner owner = {r->a, hoc_wire_params_tag(r->params, r->a->nparams), r->id, r->n};
    hoc_stable_replay rp = {r, on_ended, on_state};
    char err[512];
    uint64_t t0 = hoc_now_us();
    r->data =
        hoc_stable_open(g->data, g->fsync, &owner, &r->log, &rp, state_of, r, err, sizeof err);
    if (!r->data) {
        fprintf(stderr, "hoc: --data: %s\n", err);
        return EXIT_SETUP;
    }
    int rc = resume_all(r);
    if (rc) return rc;
    hoc_log(&r->log, HOC_LOG_INFO,
            "stable storage in %s: %" PRIu64 " instances resumed, %" PRIu64
            " decisions recovered, in %.3f s",
            g->data, r->resumed, r->recovered, (double)(hoc_now_us() - t0) / 1e6);
    return 0;
}

/* Adds the replica's own events: housekeeping, and /metrics if asked for.
 * 0, or EXIT_SETUP after saying what failed. */
static int open_events(Replica *r)
{
    r->house = event_new(r->base, -1, EV_PERSIST, house_cb, r);
    if (!r->house) {
        fprintf(stderr, "hoc: out of memory\n");
        return EXIT_SETUP;
    }
    struct timeval hv = {0, HOUSEKEEPING_US};
    event_add(r->house, &hv);
    long long port = r->args.metrics_port;
    if (port > 0) {
        const char *host = r->peers.p[r->id].host;
        if (!(r->metrics = hoc_metrics_new(r->base, host, (int)port, render, r))) {
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
    int rc = open_service(r);
    if (rc == 0) rc = open_data(r);
    return rc ? rc : open_events(r);
}

/* Runs until every instance is decided and the peers are done
 * (EXIT_DECIDED), or a signal or the timeout stops the replica
 * (EXIT_STOPPED); writes the summary. */
static int replica_run(Replica *r)
{
    hoc_log(&r->log, HOC_LOG_INFO, "replica %d of %d running %s, %" PRIu64 " instances", r->id,
            r->n, r->a->name, r->dec.k);
    hoc_svc_kick(r->svc);
    run_loop(r, (uint64_t)r->args.spin_us);
    keep(r);
    hoc_svc_flush(r->svc);
    const hoc_engine_stats *e = hoc_engine_get_stats(hoc_svc_engine(r->svc));
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
    hoc_svc_free(r->svc);
    hoc_stable_close(r->data);
    free(r->pend);
    free(r->resume);
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
