/* hoc_kv.c: hoc-kv, the replicated key-value store (docs/services.md).
 *
 *   hoc-kv --id I --peers FILE --port P [--groups G] [options]
 *
 * One process is replica I of G groups (ShardedPaxos; G = 1 is a plain
 * replicated store): group g talks to its peers on the peers file's port +
 * g, keys hash to groups, and group g's first leader is replica g % n, so
 * leaders spread over the machines. Clients speak RESP2 on port P. */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "clock.h"
#include "kvfront.h"
#include "kvgroup.h"
#include "last_voting_kv.h"
#include "log.h"
#include "metrics.h"
#include "opt.h"
#include "peers.h"

#define MAX_GROUPS 64
#define TICK_US 10000

typedef struct Args {
    long long id, port, groups, pipeline, metrics, delay_ms, seed, keep, memory_mb, timeout_s;
    long long snap_every;
    const char *peers, *secret, *data, *fsync;
    double drop;
    hoc_log_level log;
    bool help;
} Args;

/* A group's replies go to the front end with the group's index. */
typedef struct Route {
    struct Kv *kv;
    int g;
} Route;

typedef struct Kv {
    Args a;
    hoc_peers peers, gpeers[MAX_GROUPS];
    uint8_t secret[256];
    size_t secret_len;
    hoc_logger log;
    struct event_base *base;
    kv_group *groups[MAX_GROUPS];
    Route routes[MAX_GROUPS];
    kv_front *front;
    hoc_metrics *metrics;
    struct event *tick, *sigint, *sigterm;
    uint64_t t0;
} Kv;

static int parse_args(Args *a, int argc, char **argv)
{
    *a = (Args){.id = -1,
                .groups = 1,
                .pipeline = 8,
                .seed = 1,
                .memory_mb = 1024,
                .log = HOC_LOG_WARN,
                .fsync = "batch",
                .snap_every = 20000};
    const hoc_opt t[] = {
        {"--id", HOC_OPT_INT, &a->id, 0, HOC_PEERS_MAX - 1, .arg = "I",
         .help = "this replica's id in the peers file (required)"},
        {"--peers", HOC_OPT_STR, &a->peers, .arg = "FILE",
         .help = "the replicas, 'ID HOST:PORT' a line; group g uses PORT + g (required)"},
        {"--port", HOC_OPT_INT, &a->port, 1, 65535, .arg = "P",
         .help = "serve RESP clients on this replica's host, port P (required)"},
        {"--groups", HOC_OPT_INT, &a->groups, 1, MAX_GROUPS, .arg = "G",
         .help = "groups (ShardedPaxos; default 1)"},
        {"--pipeline", HOC_OPT_INT, &a->pipeline, 1, 1024, .arg = "N",
         .help = "slots a leader has in flight at most (default 8)"},
        {"--secret", HOC_OPT_STR, &a->secret, .arg = "FILE",
         .help = "cluster secret (required unless every replica is on loopback)"},
        {"--metrics", HOC_OPT_INT, &a->metrics, 1, 65535, .arg = "PORT",
         .help = "serve /metrics on this replica's host"},
        {"--keep", HOC_OPT_INT, &a->keep, 0, 1LL << 40, .arg = "SLOTS",
         .help = "applied slots kept for lagging peers (default 0: all)"},
        {"--data", HOC_OPT_STR, &a->data, .arg = "DIR",
         .help = "keep the log and snapshots in DIR (one folder a group); default: memory only"},
        {"--fsync", HOC_OPT_STR, &a->fsync, .arg = "MODE",
         .help = "always, batch (default: group commit) or never (docs/services.md)"},
        {"--snapshot-every", HOC_OPT_INT, &a->snap_every, 0, 1LL << 40, .arg = "SLOTS",
         .help = "applied slots between snapshots (default 20000; 0: never)"},
        {"--memory", HOC_OPT_INT, &a->memory_mb, 1, 1 << 24, .arg = "MB",
         .help = "memory each group's live slots may take (default 1024)"},
        {"--drop", HOC_OPT_REAL, &a->drop, .lo = 0, .hi = 1, .arg = "P",
         .help = "fault injection: drop each outgoing round message with probability P"},
        {"--delay", HOC_OPT_INT, &a->delay_ms, 0, 60000, .arg = "MS",
         .help = "fault injection: hold what goes to peers MS milliseconds"},
        {"--seed", HOC_OPT_INT, &a->seed, 0, 1LL << 60, .arg = "S", .help = "seed of --drop"},
        {"--timeout", HOC_OPT_INT, &a->timeout_s, 0, 1LL << 30, .arg = "S",
         .help = "exit after S seconds (tests; default: never)"},
        {"--log", HOC_OPT_CALL, &a->log, .arg = "LEVEL",
         .help = "error, warn (default), info, debug", .call = hoc_log_option},
        {"--help", HOC_OPT_SET, &a->help, .help = "this text"},
        {NULL},
    };
    char err[256] = "";
    int npos;
    int rc = hoc_opt_parse(t, argc - 1, argv + 1, NULL, 0, &npos, err, sizeof err);
    if (rc == 0 && !a->help && (a->id < 0 || !a->peers || !a->port)) {
        snprintf(err, sizeof err, "--id, --peers and --port are required");
        rc = -1;
    }
    if (rc == 0 && !a->help && kv_fsync_parse(a->fsync) < 0) {
        snprintf(err, sizeof err, "--fsync takes always, batch or never, not '%s'", a->fsync);
        rc = -1;
    }
    if (rc == 0 && !a->help) return 0;
    FILE *out = a->help ? stdout : stderr;
    if (!a->help) fprintf(stderr, "hoc-kv: %s\n", err);
    fprintf(out, "usage: hoc-kv --id I --peers FILE --port P [options]\n");
    hoc_opt_print(out, t, 2);
    return a->help ? 1 : 2;
}

/* The peers file, the secret, and each group's peers (ports + g). 0, or -1
 * after saying what is wrong. */
static int load_config(Kv *kv)
{
    char err[512];
    if (hoc_peers_load(kv->a.peers, &kv->peers, err, sizeof err)) {
        fprintf(stderr, "hoc-kv: %s\n", err);
        return -1;
    }
    int n = kv->peers.n;
    if (kv->a.id >= n || n > last_voting_kv_algo.maxn) {
        fprintf(stderr, "hoc-kv: --id %lld is not in %s, or more than %d replicas\n", kv->a.id,
                kv->a.peers, last_voting_kv_algo.maxn);
        return -1;
    }
    bool loopback = true;
    for (int p = 0; p < n; p++) {
        loopback &= hoc_peers_is_loopback(kv->peers.p[p].host);
        if (kv->peers.p[p].port + kv->a.groups - 1 > 65535) {
            fprintf(stderr, "hoc-kv: %s: replica %d's port + %lld groups passes 65535\n",
                    kv->a.peers, p, kv->a.groups);
            return -1;
        }
    }
    if (kv->a.secret && hoc_peers_read_secret(kv->a.secret, kv->secret, sizeof kv->secret,
                                              &kv->secret_len, err, sizeof err)) {
        fprintf(stderr, "hoc-kv: %s\n", err);
        return -1;
    }
    if (!kv->a.secret && !loopback) {
        fprintf(stderr, "hoc-kv: --secret FILE is required when a replica is not on loopback\n");
        return -1;
    }
    for (int g = 0; g < kv->a.groups; g++) {
        kv->gpeers[g] = kv->peers;
        for (int p = 0; p < n; p++)
            kv->gpeers[g].p[p].port += g;
    }
    return 0;
}

/* ---- events ---- */
static void on_reply(void *ctx, uint64_t client, uint64_t seq, const uint8_t *r, size_t len)
{
    Route *rt = ctx;
    if (rt->kv->front) kv_front_reply(rt->kv->front, rt->g, client, seq, r, len);
}

static void tick_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    Kv *kv = arg;
    uint64_t now = hoc_now_us();
    for (int g = 0; g < kv->a.groups; g++)
        kv_group_tick(kv->groups[g], now);
    if (kv->a.timeout_s && now - kv->t0 > (uint64_t)kv->a.timeout_s * 1000000) {
        hoc_log(&kv->log, HOC_LOG_WARN, "--timeout: stopping");
        event_base_loopbreak(kv->base);
    }
}

static void signal_cb(evutil_socket_t sig, short what, void *arg)
{
    (void)what;
    Kv *kv = arg;
    hoc_log(&kv->log, HOC_LOG_INFO, "signal %d: stopping", (int)sig);
    event_base_loopbreak(kv->base);
}

/* /metrics: every group's service, then the store's own counters. */
static void render(void *ctx, struct evbuffer *b)
{
    Kv *kv = ctx;
    int ng = (int)kv->a.groups;
    hoc_svc *svcs[MAX_GROUPS];
    uint64_t v[16][MAX_GROUPS];
    for (int g = 0; g < ng; g++) {
        svcs[g] = kv_group_svc(kv->groups[g]);
        const kv_group_stats *s = kv_group_get_stats(kv->groups[g]);
        v[0][g] = s->applied_slots, v[1][g] = s->applied_cmds, v[2][g] = s->duplicates;
        v[3][g] = s->retries, v[4][g] = s->leader_changes, v[5][g] = s->bad_batches + s->bad_frames;
        v[6][g] = kv_group_leading(kv->groups[g]);
        v[7][g] = kv_store_keys(kv_group_store(kv->groups[g]));
        const kv_wal *w = kv_group_wal(kv->groups[g]);
        v[8][g] = w ? kv_wal_records(w) : 0, v[9][g] = w ? kv_wal_syncs(w) : 0;
        v[10][g] = w ? kv_wal_bytes(w) : 0, v[11][g] = s->snapshots;
        v[12][g] = s->xfer_in, v[13][g] = s->xfer_out;
        v[14][g] = kv_group_fault(kv->groups[g]) != NULL;
        v[15][g] = kv_store_parts(kv_group_store(kv->groups[g]));
    }
    hoc_svc_render_metrics(b, svcs, ng);
    static const char *const names[16][3] = {
        {"kv_slots_applied_total", "counter", "Log slots applied."},
        {"kv_commands_applied_total", "counter", "Commands that took effect."},
        {"kv_duplicates_total", "counter", "Retried commands dropped by the client table."},
        {"kv_retries_total", "counter", "Commands sent again, not applied in time."},
        {"kv_leader_changes_total", "counter", "Leaders this replica saw change."},
        {"kv_bad_input_total", "counter", "Malformed batches and service frames, refused."},
        {"kv_leading", "gauge", "1 where this replica leads the group."},
        {"kv_keys", "gauge", "Keys in the group's store."},
        {"kv_log_records_total", "counter", "Records appended to the write-ahead log."},
        {"kv_log_syncs_total", "counter", "fdatasyncs of the log (batch: group commits)."},
        {"kv_log_bytes", "gauge", "Bytes the log's segments take."},
        {"kv_snapshots_total", "counter", "Snapshots written, the log truncated behind them."},
        {"kv_transfer_in_bytes_total", "counter", "Snapshot bytes received from a peer."},
        {"kv_transfer_out_bytes_total", "counter", "Snapshot bytes sent to peers."},
        {"kv_log_failed", "gauge", "1 when the log cannot be written: commands refused."},
        {"kv_parts_pending", "gauge", "Clients with a command in parts half applied."}};
    for (int i = 0; i < 16; i++)
        hoc_metrics_family(b, names[i][0], names[i][1], names[i][2], v[i], ng, "group");
    const kv_front_stats *f = kv_front_get_stats(kv->front);
    uint64_t cv[4] = {f->accepted, f->commands, f->errors, f->protocol_errors};
    hoc_metrics_family(b, "kv_clients_accepted_total", "counter", "Client connections.", cv, 1,
                       NULL);
    hoc_metrics_family(b, "kv_requests_total", "counter", "Client requests.", cv + 1, 1, NULL);
    hoc_metrics_family(b, "kv_error_replies_total", "counter", "Error replies.", cv + 2, 1, NULL);
    hoc_metrics_family(b, "kv_protocol_errors_total", "counter",
                       "Connections closed for malformed RESP.", cv + 3, 1, NULL);
}

/* ---- set-up ---- */
static int open_groups(Kv *kv)
{
    char err[512], dir[4096];
    if (kv->a.data && mkdir(kv->a.data, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "hoc-kv: cannot create %s: %s\n", kv->a.data, strerror(errno));
        return -1;
    }
    for (int g = 0; g < kv->a.groups; g++) {
        kv->routes[g] = (Route){kv, g};
        snprintf(dir, sizeof dir, "%s/g%d", kv->a.data ? kv->a.data : "", g);
        kv_group_opts o = {.algo = &last_voting_kv_algo,
                           .gid = g,
                           .id = (int)kv->a.id,
                           .peers = &kv->gpeers[g],
                           .secret = kv->secret,
                           .secret_len = kv->secret_len,
                           .pipeline = (int)kv->a.pipeline,
                           .keep = (uint64_t)kv->a.keep,
                           .drop = kv->a.drop,
                           .delay_us = (uint64_t)kv->a.delay_ms * 1000,
                           .seed = (uint64_t)kv->a.seed + (uint64_t)g,
                           .memory = (uint64_t)kv->a.memory_mb << 20,
                           .dir = kv->a.data ? dir : NULL,
                           .fsync = (kv_fsync)kv_fsync_parse(kv->a.fsync),
                           .snap_every = (uint64_t)kv->a.snap_every,
                           .log = kv->log};
        kv_group_cb cb = {&kv->routes[g], on_reply};
        if (!(kv->groups[g] = kv_group_new(kv->base, &o, &cb, err, sizeof err))) {
            fprintf(stderr, "hoc-kv: group %d: %s\n", g, err);
            return -1;
        }
    }
    return 0;
}

static int open_all(Kv *kv)
{
    char err[512];
    kv->base = event_base_new();
    if (!kv->base || event_base_priority_init(kv->base, 2) != 0) return -1;
    /* caught before any port is bound or log read: a supervisor stopping
     * the replica during start-up gets a clean exit once the loop runs */
    kv->sigint = evsignal_new(kv->base, SIGINT, signal_cb, kv);
    kv->sigterm = evsignal_new(kv->base, SIGTERM, signal_cb, kv);
    if (!kv->sigint || !kv->sigterm || event_add(kv->sigint, NULL) || event_add(kv->sigterm, NULL))
        return -1;
    if (open_groups(kv)) return -1;
    const char *host = kv->peers.p[kv->a.id].host;
    kv->front = kv_front_new(kv->base, host, (int)kv->a.port, (int)kv->a.id, kv->groups,
                             (int)kv->a.groups, kv->log, err, sizeof err);
    if (!kv->front) {
        fprintf(stderr, "hoc-kv: %s\n", err);
        return -1;
    }
    if (kv->a.metrics &&
        !(kv->metrics = hoc_metrics_new(kv->base, host, (int)kv->a.metrics, render, kv))) {
        fprintf(stderr, "hoc-kv: cannot serve /metrics on %s:%lld\n", host, kv->a.metrics);
        return -1;
    }
    kv->tick = event_new(kv->base, -1, EV_PERSIST, tick_cb, kv);
    if (!kv->tick) return -1;
    struct timeval tv = {0, TICK_US};
    event_add(kv->tick, &tv);
    return 0;
}

static void close_all(Kv *kv)
{
    kv_front_free(kv->front);
    hoc_metrics_free(kv->metrics);
    for (int g = 0; g < kv->a.groups; g++)
        kv_group_free(kv->groups[g]);
    if (kv->tick) event_free(kv->tick);
    if (kv->sigint) event_free(kv->sigint);
    if (kv->sigterm) event_free(kv->sigterm);
    if (kv->base) event_base_free(kv->base);
}

int main(int argc, char **argv)
{
    Kv *kv = calloc(1, sizeof *kv);
    if (!kv) return 2;
    int rc = parse_args(&kv->a, argc, argv);
    if (rc) {
        free(kv);
        return rc == 1 ? 0 : 2;
    }
    kv->log = (hoc_logger){kv->a.log, (int)kv->a.id};
    signal(SIGPIPE, SIG_IGN);
    kv->t0 = hoc_now_us();
    rc = load_config(kv) || open_all(kv) ? 2 : 0;
    if (rc == 0) {
        hoc_log(&kv->log, HOC_LOG_INFO,
                "hoc-kv replica %lld of %d, %lld group(s), clients on %s:%lld", kv->a.id,
                kv->peers.n, kv->a.groups, kv->peers.p[kv->a.id].host, kv->a.port);
        event_base_dispatch(kv->base);
        for (int g = 0; g < kv->a.groups; g++)
            hoc_svc_flush(kv_group_svc(kv->groups[g]));
    }
    close_all(kv);
    free(kv);
    return rc;
}
