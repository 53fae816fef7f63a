/* replica_args.c: the replica's options (see replica_args.h). */
#include "replica_args.h"

#include <limits.h>
#include <string.h>

#include "opt.h"
#include "peers.h"
#include "stable.h"

/* --param NAME=VALUE, appended to the args' parameters. */
static int take_param(void *dst, const char *v, char *err, size_t errn)
{
    hoc_replica_args *a = dst;
    const char *eq = strchr(v, '=');
    long long val;
    if (!eq || eq == v || eq - v > 63 || hoc_opt_int(eq + 1, 0, INT32_MAX, &val)) {
        snprintf(err, errn, "--param takes NAME=VALUE (VALUE from 0 to %d), not '%s'", INT32_MAX,
                 v);
        return -1;
    }
    if (a->nparams == HOC_MAXPARAMS) {
        snprintf(err, errn, "at most %d --param options", HOC_MAXPARAMS);
        return -1;
    }
    char *name = a->pnames[a->nparams];
    memcpy(name, v, (size_t)(eq - v));
    name[eq - v] = 0;
    a->pname[a->nparams] = name;
    a->pvals[a->nparams++] = val;
    return 0;
}

/* --input V[:V...]: replaces the inputs given before. */
static int take_inputs(void *dst, const char *v, char *err, size_t errn)
{
    hoc_replica_args *a = dst;
    a->ninputs = 0;
    for (const char *t = v; *t; t += *t == ':') {
        size_t len = strcspn(t, ":");
        if (len == 0) continue; /* empty fields ("1::2") are skipped */
        char num[32];
        long long x;
        bool fits = len < sizeof num;
        if (fits) memcpy(num, t, len), num[len] = 0;
        if (!fits || hoc_opt_int(num, LLONG_MIN, LLONG_MAX, &x)) {
            snprintf(err, errn, "--input takes integers separated by ':', not '%s'", v);
            return -1;
        }
        if (a->ninputs == HOC_REPLICA_MAX_INPUTS) {
            snprintf(err, errn, "--input takes at most %d values", HOC_REPLICA_MAX_INPUTS);
            return -1;
        }
        a->inputs[a->ninputs++] = x;
        t += len;
    }
    return 0;
}

#define NOPTS 27

/* The table: where each option goes in a, its bounds and its help line. */
static void table(hoc_replica_args *a, hoc_opt t[NOPTS])
{
    const hoc_opt opts[] = {
        {"--id", HOC_OPT_INT, &a->id, 0, HOC_PEERS_MAX - 1, 0, 0, "I",
         "this process's id in the peers file (required)", 0, 0},
        {"--peers", HOC_OPT_STR, &a->peers, 0, 0, 0, 0, "FILE", "the cluster (required)", 0, 0},
        {"--instances", HOC_OPT_INT, &a->instances, 1, 1000000000, 0, 0, "K",
         "run instances 0..K-1 (default 1)", 0, 0},
        {"--decisions", HOC_OPT_STR, &a->decisions, 0, 0, 0, 0, "OUT",
         "append 'INSTANCE VALUE' for each decision", 0, 0},
        {"--window", HOC_OPT_INT, &a->window, 1, 1 << 20, 0, 0, "W",
         "instances in flight at most (default 256)", 0, 0},
        {"--max-live", HOC_OPT_INT, &a->max_live, 1, 1 << 22, 0, 0, "L",
         "live instances at most, also those started by peers (default max(2W, W+1024))", 0, 0},
        {"--input", HOC_OPT_CALL, a, 0, 0, 0, 0, "V[:V...]",
         "this process's inputs in every instance (default: (instance + id) % 2)", take_inputs, 0},
        {"--param", HOC_OPT_CALL, a, 0, 0, 0, 0, "X=V",
         "an algorithm parameter (default: the largest allowed)", take_param, 0},
        {"--secret", HOC_OPT_STR, &a->secret, 0, 0, 0, 0, "FILE",
         "cluster secret for the HMAC handshake (required unless all peers are on loopback)", 0, 0},
        {"--metrics", HOC_OPT_INT, &a->metrics_port, 1, 65535, 0, 0, "PORT",
         "serve /metrics (Prometheus text) on this replica's host", 0, 0},
        {"--drop", HOC_OPT_REAL, &a->drop, 0, 0, 0, 1, "P",
         "drop each outgoing round message with probability P", 0, 0},
        {"--delay", HOC_OPT_INT, &a->delay_ms, 0, 60000, 0, 0, "MS",
         "hold outgoing messages MS milliseconds", 0, 0},
        {"--linger", HOC_OPT_REAL, &a->linger_s, 0, 0, 0, 86400, "S",
         "once done, keep serving peers up to S seconds (default 5)", 0, 0},
        {"--start-wait", HOC_OPT_INT, &a->start_wait_ms, 0, 3600000, 0, 0, "MS",
         "wait for connections to all peers up to MS before starting (default 2000)", 0, 0},
        {"--timeout", HOC_OPT_INT, &a->timeout_s, 0, 86400 * 365, 0, 0, "S",
         "give up after S seconds (exit 1; default: never)", 0, 0},
        {"--no-forward", HOC_OPT_CLEAR, &a->forward, 0, 0, 0, 0, NULL,
         "keep running decided instances; do not answer peers with decisions", 0, 0},
        {"--data", HOC_OPT_STR, &a->data, 0, 0, 0, 0, "DIR",
         "keep each running instance's state and every decision in DIR, so that a restart "
         "resumes them (default: no stable storage; a restart forgets)",
         0, 0},
        {"--fsync", HOC_OPT_CALL, &a->fsync, 0, 0, 0, 0, "MODE",
         "with --data: batch (default: one fdatasync per loop turn, messages held until it), "
         "always (after every record) or never (survives a killed process, not a lost machine)",
         hoc_stable_fsync_option, 0},
        {"--summary", HOC_OPT_STR, &a->summary, 0, 0, 0, 0, "FILE",
         "write a JSON summary (throughput, latency) at exit", 0, 0},
        {"--seed", HOC_OPT_INT, &a->seed, 0, 1000000000000000000LL, 0, 0, "S",
         "seed for oracles and fault injection", 0, 0},
        {"--log", HOC_OPT_CALL, &a->log, 0, 0, 0, 0, "LEVEL",
         "error, warn (default), info or debug", hoc_log_option, 0},
        {"--memory", HOC_OPT_INT, &a->memory_mb, 1, 1 << 24, 0, 0, "MB",
         "memory live instances may take (default 1024); an algorithm whose --max-live "
         "instances need more is refused at start-up",
         0, 0},
        {"--spin", HOC_OPT_INT, &a->spin_us, 0, 1000000, 0, 0, "US",
         "poll up to US microseconds after the last input before sleeping (lower latency for a "
         "busy CPU; default 0: sleep at once)",
         0, 0},
        {"--test-unsealed-frames", HOC_OPT_SET, &a->test_unsealed, 0, 0, 0, 0, NULL,
         "TEST ONLY, for measuring what authenticated frames cost (bench/): frames after the "
         "handshake carry no tag, so anybody on the path can forge them; every peer on loopback "
         "and given it too",
         0, 0},
        {"--help", HOC_OPT_SET, &a->help, 0, 0, 0, 0, NULL, NULL, 0, 0},
        {"-h", HOC_OPT_SET, &a->help, 0, 0, 0, 0, NULL, NULL, 0, 0},
        {NULL, 0, NULL, 0, 0, 0, 0, NULL, NULL, 0, 0},
    };
    _Static_assert(sizeof opts / sizeof *opts == NOPTS, "NOPTS counts the table");
    memcpy(t, opts, sizeof opts);
}

static void usage(FILE *f, const char *prog, const hoc_opt *t)
{
    fprintf(f, "usage: %s --id I --peers FILE [options]\n", prog);
    hoc_opt_print(f, t, 2);
}

hoc_replica_args_result hoc_replica_args_parse(hoc_replica_args *a, int argc, char **argv)
{
    *a = (hoc_replica_args){.id = -1,
                            .instances = 1,
                            .window = 256,
                            .max_live = -1,
                            .linger_s = 5,
                            .start_wait_ms = 2000,
                            .seed = 1,
                            .memory_mb = 1024,
                            .forward = true,
                            .log = HOC_LOG_WARN};
    const char *prog = argc > 0 ? argv[0] : "replica";
    hoc_opt t[NOPTS];
    table(a, t);
    char err[256];
    int npos;
    if (hoc_opt_parse(t, argc > 0 ? argc - 1 : 0, argv + (argc > 0), NULL, 0, &npos, err,
                      sizeof err)) {
        fprintf(stderr, "hoc: %s\n", err);
        usage(stderr, prog, t);
        return HOC_REPLICA_ARGS_BAD;
    }
    if (a->help) {
        usage(stdout, prog, t);
        return HOC_REPLICA_ARGS_HELP;
    }
    if (a->id < 0 || !a->peers) {
        fprintf(stderr, "hoc: --id and --peers are required\n");
        usage(stderr, prog, t);
        return HOC_REPLICA_ARGS_BAD;
    }
    return HOC_REPLICA_ARGS_RUN;
}

int hoc_replica_args_max_live(const hoc_replica_args *a)
{
    if (a->max_live > 0) return (int)a->max_live;
    int w = (int)a->window;
    return w * 2 > w + 1024 ? w * 2 : w + 1024;
}
