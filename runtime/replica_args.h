/* replica_args.h: a replica's command line, one table (base/opt.h) that
 * both parses it and prints --help. */
#ifndef HOC_REPLICA_ARGS_H
#define HOC_REPLICA_ARGS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "log.h"
#include "params.h"
#include "stable.h"

#define HOC_REPLICA_MAX_INPUTS 64

typedef struct hoc_replica_args {
    long long id; /* -1 until given */
    const char *peers, *decisions, *secret, *summary;
    const char *data;                      /* --data DIR: stable storage, or NULL */
    hoc_fsync fsync;                       /* --fsync */
    long long instances, window, max_live; /* max_live -1: the default, from window */
    long long metrics_port;                /* 0: no /metrics */
    double drop, linger_s;
    long long delay_ms, start_wait_ms, timeout_s, seed, spin_us;
    long long memory_mb; /* memory for live instances */
    bool forward, help;
    bool test_unsealed; /* --test-unsealed-frames: benchmarks only */
    hoc_log_level log;
    int64_t inputs[HOC_REPLICA_MAX_INPUTS]; /* --input, in order; ninputs 0: the default */
    int ninputs;
    char pnames[HOC_MAXPARAMS][64]; /* --param NAME=VALUE, in order */
    const char *pname[HOC_MAXPARAMS];
    int64_t pvals[HOC_MAXPARAMS];
    int nparams;
} hoc_replica_args;

/* The outcome of parsing. */
typedef enum hoc_replica_args_result {
    HOC_REPLICA_ARGS_RUN,  /* a usable command line */
    HOC_REPLICA_ARGS_HELP, /* --help: the usage was printed on stdout */
    HOC_REPLICA_ARGS_BAD,  /* the error and the usage were printed on stderr */
} hoc_replica_args_result;

/* Parses argv[1..argc) (argv[0] names the program in messages) into a,
 * defaults first. */
hoc_replica_args_result hoc_replica_args_parse(hoc_replica_args *a, int argc, char **argv);

/* The live-instance bound: --max-live, else max(2W, W + 1024) for window W. */
int hoc_replica_args_max_live(const hoc_replica_args *a);

#endif
