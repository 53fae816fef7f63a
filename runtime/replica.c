/* replica.c: the replica's command line and main loop: the engine driven by
 * the libevent transport, the decisions file, /metrics and the exit rules. */
#include "replica.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

#include "engine.h"
#include "net.h"
#include "params.h"
#include "peers.h"
#include "wire.h"

static const char *usage =
    "usage: %s --id I --peers FILE [options]\n"
    "  --instances K      run instances 0..K-1 (default 1)\n"
    "  --decisions OUT    append 'INSTANCE VALUE' for each decision\n"
    "  --window W         instances in flight at most (default 256)\n"
    "  --max-live L       live instances at most, also those started by peers (default max(2W, "
    "W+1024))\n"
    "  --input V[:V...]   this process's inputs in every instance (default: (instance + id) %% 2)\n"
    "  --param X=V        an algorithm parameter (default: the largest allowed)\n"
    "  --secret FILE      cluster secret for the HMAC handshake (required unless all peers are on "
    "loopback)\n"
    "  --metrics PORT     serve /metrics (Prometheus text) on this replica's host\n"
    "  --drop P           drop each outgoing round message with probability P\n"
    "  --delay MS         hold outgoing messages MS milliseconds\n"
    "  --linger S         once done, keep serving peers up to S seconds (default 5)\n"
    "  --start-wait MS    wait for connections to all peers up to MS before starting (default "
    "2000)\n"
    "  --timeout S        give up after S seconds (exit 1; default: never)\n"
    "  --no-forward       keep running decided instances; do not answer peers with decisions\n"
    "  --summary FILE     write a JSON summary (throughput, latency) at exit\n"
    "  --seed S           seed for oracles and fault injection\n"
    "  --log LEVEL        error, warn (default), info or debug\n"
    "  --spin US          poll up to US microseconds after the last input before sleeping\n"
    "                     (lower latency for a busy CPU; default 0: sleep at once)\n";

typedef struct Replica {
    const hoc_algo *a;
    int id, n;
    int64_t params[16];
    uint64_t K;
    int window;
    int64_t fixed_inputs[64];
    int nfixed;
    uint8_t *status; /* per instance: 0 new, 1 decided, 2 ended without decision */
    int64_t *value;
    uint64_t *start_us;
    uint32_t *lat_us;
    uint64_t nlat, ndecided, next_local, first_start, last_decision;
    FILE *decisions;
    bool decisions_dirty;
    struct event_base *base;
    hoc_engine *eng;
    hoc_net *net;
    struct event *timer, *house, *sigint, *sigterm;
    uint64_t armed;
    bool started, done, exit_ok;
    uint64_t t0, done_at, start_wait_us, linger_us, timeout_us;
    uint64_t peers_done, last_done_sent;
    hoc_logger log;
    uint64_t hist[16];
    double hist_sum;
} Replica;

static const double hist_le[] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                 0.025,  0.05,    0.1,    0.25,  0.5,    1,     2.5};
#define NHIST (sizeof hist_le / sizeof *hist_le)

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
    if (inst >= r->K || r->status[inst] == 1) return;
    r->status[inst] = 1;
    r->value[inst] = value;
    r->ndecided++;
    uint64_t now = hoc_now_us();
    r->last_decision = now;
    if (r->start_us[inst]) {
        uint64_t l = now - r->start_us[inst];
        r->lat_us[r->nlat++] = l > UINT32_MAX ? UINT32_MAX : (uint32_t)l;
        double s = (double)l / 1e6;
        r->hist_sum += s;
        size_t b = 0;
        while (b < NHIST && s > hist_le[b])
            b++;
        r->hist[b]++;
    }
    if (r->decisions) {
        fprintf(r->decisions, "%" PRIu64 " %" PRId64 "\n", inst, value);
        r->decisions_dirty = true;
    }
    hoc_log(&r->log, HOC_LOG_DEBUG, "instance %" PRIu64 " decided %" PRId64 "%s", inst, value,
            from >= 0 ? " (forwarded)" : "");
}

static void io_finished(void *ctx, uint64_t inst, bool decided)
{
    Replica *r = ctx;
    if (inst < r->K && !decided && r->status[inst] == 0) r->status[inst] = 2;
}

static hoc_inst_status io_lookup(void *ctx, uint64_t inst, int64_t *value)
{
    Replica *r = ctx;
    if (inst >= r->K) return HOC_INST_IGNORE;
    if (r->status[inst] == 1) {
        *value = r->value[inst];
        return HOC_INST_DECIDED;
    }
    return r->status[inst] == 0 ? HOC_INST_NEW : HOC_INST_IGNORE;
}

/* Called exactly once, when the engine creates the instance: also the start
 * of its decision latency. */
static void io_inputs(void *ctx, uint64_t inst, int64_t *in)
{
    Replica *r = ctx;
    uint64_t now = hoc_now_us();
    if (inst < r->K) r->start_us[inst] = now;
    if (!r->first_start) r->first_start = now;
    for (int i = 0; i < r->a->ninputs && i < 64; i++) {
        if (r->nfixed)
            in[i] = r->fixed_inputs[i < r->nfixed ? i : r->nfixed - 1];
        else
            in[i] = (int64_t)((inst + (uint64_t)r->id) % 2);
        const hoc_field *f = &r->a->inputs[i];
        if (f->kind == HOC_K_ENUM && f->enum_count && in[i] >= (int64_t)f->enum_count) in[i] = 0;
    }
}

/* ---- transport callbacks ---- */
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

static void check_exit(Replica *r, uint64_t now)
{
    if (!r->done && r->ndecided == r->K) {
        r->done = true;
        r->done_at = now;
        hoc_log(&r->log, HOC_LOG_INFO, "all %" PRIu64 " instances decided", r->K);
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

static void start_more(Replica *r, uint64_t now)
{
    if (!r->started) {
        bool all = hoc_net_ready_count(r->net) == r->n - 1;
        if (!all && now - r->t0 < r->start_wait_us) return;
        r->started = true;
        hoc_log(&r->log, HOC_LOG_INFO, "starting with %d of %d peers connected",
                hoc_net_ready_count(r->net), r->n - 1);
    }
    while (r->next_local < r->K && hoc_engine_live(r->eng) < r->window) {
        if (r->status[r->next_local] == 0 && hoc_engine_start(r->eng, r->next_local, now) < 0)
            break;
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
    if (r->decisions && r->decisions_dirty) {
        fflush(r->decisions);
        r->decisions_dirty = false;
    }
    if (r->done && now - r->last_done_sent > 500000) { /* peers that reconnected hear it too */
        r->last_done_sent = now;
        send_done(r);
    }
    if (r->timeout_us && now - r->t0 > r->timeout_us) {
        hoc_log(&r->log, HOC_LOG_ERROR, "timeout: %" PRIu64 " of %" PRIu64 " instances decided",
                r->ndecided, r->K);
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

/* ---- /metrics ---- */
static void metric(struct evbuffer *b, const char *name, const char *type, const char *help,
                   uint64_t v)
{
    evbuffer_add_printf(b, "# HELP hoc_%s %s\n# TYPE hoc_%s %s\nhoc_%s %" PRIu64 "\n", name, help,
                        name, type, name, v);
}

static void metrics_cb(struct evhttp_request *req, void *arg)
{
    Replica *r = arg;
    if (strcmp(evhttp_request_get_uri(req), "/metrics") != 0) {
        evhttp_send_error(req, HTTP_NOTFOUND, "try /metrics");
        return;
    }
    struct evbuffer *b = evbuffer_new();
    if (!b) return;
    const hoc_engine_stats *e = hoc_engine_get_stats(r->eng);
    const hoc_net_stats *s = hoc_net_get_stats(r->net);
    metric(b, "rounds_total", "counter", "Rounds ended (updates run).", e->rounds);
    metric(b, "timeouts_total", "counter", "Rounds whose timeout passed.", e->timeouts);
    metric(b, "catchups_total", "counter", "Jumps to a later round seen from a peer.", e->catchups);
    metric(b, "catchup_rounds_total", "counter",
           "Rounds run with an empty mailbox while catching up.", e->catchup_rounds);
    metric(b, "messages_out_total", "counter", "Round messages sent.", e->msgs_sent);
    metric(b, "messages_in_total", "counter", "Round messages received.", e->msgs_in);
    metric(b, "messages_late_total", "counter", "Messages for an earlier round, dropped.", e->late);
    metric(b, "messages_future_total", "counter", "Messages buffered for the next round.",
           e->future);
    metric(b, "messages_dropped_total", "counter", "Messages dropped at the live-instance bound.",
           e->dropped_full);
    metric(b, "frames_in_total", "counter", "Frames received.", s->frames_in);
    metric(b, "frames_out_total", "counter", "Frames queued for sending.", s->frames_out);
    metric(b, "bytes_in_total", "counter", "Bytes received.", s->bytes_in);
    metric(b, "bytes_out_total", "counter", "Bytes queued for sending.", s->bytes_out);
    metric(b, "bad_frames_total", "counter", "Connections closed for a bad frame.", s->bad_frames);
    metric(b, "auth_failures_total", "counter", "Connections that failed authentication.",
           s->auth_failures);
    metric(b, "fault_drops_total", "counter", "Messages dropped by --drop.", s->dropped_injected);
    metric(b, "decisions_total", "counter", "Instances decided here.", r->ndecided);
    metric(b, "decisions_forwarded_total", "counter", "Decisions learned from a peer.",
           e->decided_learned);
    metric(b, "live_instances", "gauge", "Instances running now.",
           (uint64_t)hoc_engine_live(r->eng));
    metric(b, "peers_connected", "gauge", "Peers with an authenticated connection.",
           (uint64_t)hoc_net_ready_count(r->net));
    evbuffer_add_printf(
        b, "# HELP hoc_decision_latency_seconds From starting an instance here to its decision.\n"
           "# TYPE hoc_decision_latency_seconds histogram\n");
    uint64_t cum = 0;
    for (size_t i = 0; i < NHIST; i++) {
        cum += r->hist[i];
        evbuffer_add_printf(b, "hoc_decision_latency_seconds_bucket{le=\"%g\"} %" PRIu64 "\n",
                            hist_le[i], cum);
    }
    cum += r->hist[NHIST];
    evbuffer_add_printf(b, "hoc_decision_latency_seconds_bucket{le=\"+Inf\"} %" PRIu64 "\n", cum);
    evbuffer_add_printf(
        b,
        "hoc_decision_latency_seconds_sum %.6f\nhoc_decision_latency_seconds_count %" PRIu64 "\n",
        r->hist_sum, cum);
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
                      "text/plain; version=0.0.4");
    evhttp_send_reply(req, HTTP_OK, "OK", b);
    evbuffer_free(b);
}

/* ---- start-up ---- */
static int cmp_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return a < b ? -1 : a > b;
}

static void write_summary(Replica *r, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        hoc_log(&r->log, HOC_LOG_ERROR, "cannot write %s: %s", path, strerror(errno));
        return;
    }
    qsort(r->lat_us, r->nlat, sizeof *r->lat_us, cmp_u32);
    double secs =
        r->last_decision > r->first_start ? (double)(r->last_decision - r->first_start) / 1e6 : 0;
    uint32_t p50 = r->nlat ? r->lat_us[r->nlat / 2] : 0;
    uint32_t p99 =
        r->nlat ? r->lat_us[(r->nlat * 99) / 100 < r->nlat ? (r->nlat * 99) / 100 : r->nlat - 1]
                : 0;
    const hoc_engine_stats *e = hoc_engine_get_stats(r->eng);
    fprintf(f,
            "{\"id\": %d, \"instances\": %" PRIu64 ", \"decided\": %" PRIu64 ", \"seconds\": %.6f, "
            "\"decisions_per_s\": %.1f, \"p50_us\": %u, \"p99_us\": %u, \"rounds\": %" PRIu64
            ", \"timeouts\": %" PRIu64 ", \"catchups\": %" PRIu64 ", \"forwarded\": %" PRIu64 "}\n",
            r->id, r->K, r->ndecided, secs, secs > 0 ? (double)r->ndecided / secs : 0.0, p50, p99,
            e->rounds, e->timeouts, e->catchups, e->decided_learned);
    fclose(f);
}

static int parse_num(const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

static int read_secret(const char *path, uint8_t *buf, size_t cap, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "hoc: cannot read the secret '%s': %s\n", path, strerror(errno));
        return -1;
    }
    size_t n = fread(buf, 1, cap, f);
    bool more = fgetc(f) != EOF;
    fclose(f);
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        n--;
    if (more || n == 0) {
        fprintf(stderr, "hoc: the secret in '%s' must be 1 to %zu bytes\n", path, cap);
        return -1;
    }
    *len = n;
    return 0;
}

/* What the replica's main needs beyond the stack, in one allocation: no
 * globals in the library. */
typedef struct Main {
    hoc_peers peers;
    uint8_t secret[256];
    char pnames[16][64];
    Replica r;
} Main;

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

static int replica_main(Main *m, const hoc_algo *a, int argc, char **argv)
{
    const char *prog = argc > 0 ? argv[0] : "replica";
    const char *peers_path = NULL, *decisions = NULL, *secret_path = NULL, *summary = NULL,
               *inputs = NULL;
    const char *pnames[16];
    int64_t pvals[16];
    int npset = 0;
    double id = -1, K = 1, window = 256, max_live = -1, metrics = 0, drop = 0, delay = 0,
           linger = 5, start_wait = 2000, timeout = 0, seed = 1, spin = 0;
    bool forward = true;
    int level = HOC_LOG_WARN;
    if (!a || a->abi != HOC_ABI_VERSION) {
        fprintf(stderr, "hoc: the algorithm was compiled for another runtime ABI\n");
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        double *num = NULL;
        double lo = 0, hi = 1e15;
        if (strcmp(o, "--help") == 0 || strcmp(o, "-h") == 0) {
            printf(usage, prog);
            return 0;
        }
        if (strcmp(o, "--no-forward") == 0) {
            forward = false;
            continue;
        }
        if (!v) {
            fprintf(stderr, "hoc: '%s' needs a value (or is unknown)\n", o);
            fprintf(stderr, usage, prog);
            return 2;
        }
        i++;
        if (strcmp(o, "--id") == 0)
            num = &id, hi = HOC_PEERS_MAX - 1;
        else if (strcmp(o, "--peers") == 0)
            peers_path = v;
        else if (strcmp(o, "--instances") == 0)
            num = &K, lo = 1, hi = 1e9;
        else if (strcmp(o, "--decisions") == 0)
            decisions = v;
        else if (strcmp(o, "--window") == 0)
            num = &window, lo = 1, hi = 1 << 20;
        else if (strcmp(o, "--max-live") == 0)
            num = &max_live, lo = 1, hi = 1 << 22;
        else if (strcmp(o, "--input") == 0)
            inputs = v;
        else if (strcmp(o, "--secret") == 0)
            secret_path = v;
        else if (strcmp(o, "--metrics") == 0)
            num = &metrics, lo = 1, hi = 65535;
        else if (strcmp(o, "--drop") == 0)
            num = &drop, hi = 1;
        else if (strcmp(o, "--delay") == 0)
            num = &delay, hi = 60000;
        else if (strcmp(o, "--linger") == 0)
            num = &linger, hi = 86400;
        else if (strcmp(o, "--start-wait") == 0)
            num = &start_wait, hi = 3600000;
        else if (strcmp(o, "--timeout") == 0)
            num = &timeout, hi = 86400 * 365;
        else if (strcmp(o, "--summary") == 0)
            summary = v;
        else if (strcmp(o, "--spin") == 0)
            num = &spin, hi = 1000000;
        else if (strcmp(o, "--seed") == 0)
            num = &seed, hi = 1e18;
        else if (strcmp(o, "--log") == 0) {
            if ((level = hoc_log_parse(v)) < 0) {
                fprintf(stderr, "hoc: --log takes error, warn, info or debug\n");
                return 2;
            }
        } else if (strcmp(o, "--param") == 0) {
            const char *eq = strchr(v, '=');
            double pv;
            if (!eq || npset == 16 || eq == v || eq - v > 63 ||
                parse_num(eq + 1, 0, INT32_MAX, &pv)) {
                fprintf(stderr, "hoc: --param takes NAME=VALUE\n");
                return 2;
            }
            memcpy(m->pnames[npset], v, (size_t)(eq - v));
            m->pnames[npset][eq - v] = 0;
            pnames[npset] = m->pnames[npset];
            pvals[npset++] = (int64_t)pv;
        } else {
            fprintf(stderr, "hoc: unknown option '%s'\n", o);
            fprintf(stderr, usage, prog);
            return 2;
        }
        if (num && (parse_num(v, lo, hi, num) ||
                    (num != &drop && num != &linger && *num != (double)(long long)*num))) {
            fprintf(stderr, "hoc: bad value '%s' for %s\n", v, o);
            return 2;
        }
    }
    if (id < 0 || !peers_path) {
        fprintf(stderr, "hoc: --id and --peers are required\n");
        fprintf(stderr, usage, prog);
        return 2;
    }
    hoc_peers *peers = &m->peers;
    char err[512];
    if (hoc_peers_load(peers_path, peers, err, sizeof err)) {
        fprintf(stderr, "hoc: %s\n", err);
        return 2;
    }
    if ((int)id >= peers->n) {
        fprintf(stderr, "hoc: --id %d is not in %s (ids 0 to %d)\n", (int)id, peers_path,
                peers->n - 1);
        return 2;
    }
    if (peers->n > a->maxn) {
        fprintf(stderr, "hoc: %d peers, but this build holds at most %d processes\n", peers->n,
                a->maxn);
        return 2;
    }
    uint8_t *secret = m->secret;
    size_t secret_len = 0;
    bool loop = true;
    for (int p = 0; p < peers->n; p++)
        loop &= hoc_peers_is_loopback(peers->p[p].host);
    if (secret_path && read_secret(secret_path, secret, sizeof m->secret, &secret_len)) return 2;
    if (!secret_path && !loop) {
        fprintf(stderr, "hoc: --secret FILE is required when a peer is not on loopback\n");
        return 2;
    }
    Replica *r = &m->r;
    r->log = (hoc_logger){(hoc_log_level)level, (int)id};
    r->a = a, r->id = (int)id, r->n = peers->n, r->K = (uint64_t)K, r->window = (int)window;
    if (hoc_params_pick(a, peers->n, pnames, pvals, npset, r->params, err, sizeof err)) {
        fprintf(stderr, "hoc: %s\n", err);
        return 2;
    }
    if (inputs) {
        char *s = strdup(inputs), *save = NULL;
        for (char *t = strtok_r(s, ":", &save); t && r->nfixed < 64;
             t = strtok_r(NULL, ":", &save)) {
            double v;
            if (parse_num(t, -9.2e18, 9.2e18, &v)) {
                fprintf(stderr, "hoc: bad --input '%s'\n", inputs);
                free(s);
                return 2;
            }
            r->fixed_inputs[r->nfixed++] = (int64_t)v;
        }
        free(s);
    }
    r->status = calloc(r->K, 1);
    r->value = calloc(r->K, sizeof *r->value);
    r->start_us = calloc(r->K, sizeof *r->start_us);
    r->lat_us = calloc(r->K, sizeof *r->lat_us);
    if (!r->status || !r->value || !r->start_us || !r->lat_us) {
        fprintf(stderr, "hoc: out of memory for %" PRIu64 " instances\n", r->K);
        return 2;
    }
    if (decisions && !(r->decisions = fopen(decisions, "a"))) {
        fprintf(stderr, "hoc: cannot open '%s': %s\n", decisions, strerror(errno));
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    int rc = 2;
    struct evhttp *http = NULL;
    r->base = event_base_new();
    if (!r->base || event_base_priority_init(r->base, 2) != 0) goto out;
    hoc_engine_opts eo = {
        max_live > 0 ? (int)max_live
                     : (r->window * 2 > r->window + 1024 ? r->window * 2 : r->window + 1024),
        forward, (uint64_t)seed};
    hoc_engine_io io = {r,    io_send,     io_send_decision, io_decided,
                        NULL, io_finished, io_lookup,        io_inputs};
    r->eng = hoc_engine_new(a, r->id, r->params, &eo, &io);
    if (!r->eng) {
        fprintf(stderr, "hoc: cannot set up the round engine\n");
        goto out;
    }
    hoc_net_opts no = {r->id,
                       peers,
                       secret,
                       secret_len,
                       hoc_wire_algo_tag(a->name, a->abi),
                       drop,
                       (uint64_t)(delay * 1000),
                       (uint64_t)seed,
                       0,
                       r->log};
    hoc_net_cb cb = {r, on_frame, on_iteration};
    r->t0 = hoc_now_us();
    r->start_wait_us = (uint64_t)start_wait * 1000;
    r->linger_us = (uint64_t)(linger * 1e6);
    r->timeout_us = (uint64_t)timeout * 1000000;
    r->armed = UINT64_MAX;
    r->net = hoc_net_new(r->base, &no, &cb);
    if (!r->net) goto out;
    r->timer = event_new(r->base, -1, 0, timer_cb, r);
    r->house = event_new(r->base, -1, EV_PERSIST, house_cb, r);
    r->sigint = evsignal_new(r->base, SIGINT, signal_cb, r);
    r->sigterm = evsignal_new(r->base, SIGTERM, signal_cb, r);
    if (!r->timer || !r->house || !r->sigint || !r->sigterm) goto out;
    event_priority_set(r->timer, 0);
    struct timeval hv = {0, 100000};
    event_add(r->house, &hv);
    event_add(r->sigint, NULL);
    event_add(r->sigterm, NULL);
    if (metrics > 0) {
        http = evhttp_new(r->base);
        if (!http || evhttp_bind_socket(http, peers->p[r->id].host, (uint16_t)metrics) != 0) {
            fprintf(stderr, "hoc: cannot serve /metrics on %s:%d\n", peers->p[r->id].host,
                    (int)metrics);
            goto out;
        }
        evhttp_set_gencb(http, metrics_cb, r);
    }
    hoc_log(&r->log, HOC_LOG_INFO, "replica %d of %d running %s, %" PRIu64 " instances", r->id,
            r->n, a->name, r->K);
    hoc_net_kick(r->net);
    run_loop(r, (uint64_t)spin);
    hoc_net_flush_now(r->net);
    rc = r->exit_ok ? 0 : 1;
    if (summary) write_summary(r, summary);
    {
        const hoc_engine_stats *e = hoc_engine_get_stats(r->eng);
        hoc_log(&r->log, HOC_LOG_INFO,
                "exit: decided %" PRIu64 "/%" PRIu64 ", rounds %" PRIu64 ", timeouts %" PRIu64
                ", catch-ups %" PRIu64 ", forwarded %" PRIu64,
                r->ndecided, r->K, e->rounds, e->timeouts, e->catchups, e->decided_learned);
    }
out:
    if (r->decisions) fclose(r->decisions);
    if (http) evhttp_free(http);
    hoc_net_free(r->net);
    hoc_engine_free(r->eng);
    if (r->timer) event_free(r->timer);
    if (r->house) event_free(r->house);
    if (r->sigint) event_free(r->sigint);
    if (r->sigterm) event_free(r->sigterm);
    if (r->base) event_base_free(r->base);
    free(r->status), free(r->value), free(r->start_us), free(r->lat_us);
    return rc;
}

int hoc_replica_main(const hoc_algo *a, int argc, char **argv)
{
    Main *m = calloc(1, sizeof *m);
    if (!m) {
        fprintf(stderr, "hoc: out of memory\n");
        return 2;
    }
    int rc = replica_main(m, a, argc, argv);
    free(m);
    return rc;
}
