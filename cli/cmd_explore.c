/* cmd_explore.c: `hoc explore FILE.ho -n N`, the visual debugger's command
 * line (explore/ serves it): loads the algorithm as hoc check does and
 * serves it on loopback. */
#include <stdlib.h>

#include "cmd.h"
#include "explore.h"
#include "job.h"

typedef struct ExploreArgs {
    Job job;
    const char *trace, *bind;
    long long port;
    bool public_ok;
} ExploreArgs;

/* hoc explore's options: job.h's shared ones, then its own; writing into *args. */
static void explore_options(void *args, hoc_opt *t, size_t cap)
{
    ExploreArgs *e = args;
    const hoc_opt own[] = {
        {"--trace", HOC_OPT_STR, &e->trace, .arg = "FILE",
         .help = "open a counterexample written by hoc check --trace (gives -n)"},
        {"--port", HOC_OPT_INT, &e->port, 0, 65535, .arg = "P",
         .help = "port to listen on (default 7419; 0: any free port)"},
        {"--bind", HOC_OPT_STR, &e->bind, .arg = "ADDR",
         .help = "numeric address to listen on (default 127.0.0.1; loopback\n"
                 "only unless --public)"},
        {"--public", HOC_OPT_SET, &e->public_ok,
         .help = "allow --bind to an address other than loopback"},
        {NULL},
    };
    job_options(&e->job, own, "(no effect: the explorer speaks JSON at /api)", t, cap);
}

static int explore_run(int argc, char **argv)
{
    ExploreArgs e = {.job = {.seed = 1}, .port = 7419};
    hoc_opt t[CMD_MAXOPTS];
    explore_options(&e, t, CMD_MAXOPTS);
    if (cmd_parse(t, argc, argv, "explore", &e.job.file) != 0) return 2;
    if (!e.job.n && e.trace) {
        int n = explore_trace_n(e.trace);
        if (n < 0) return 2;
        e.job.n = n;
    }
    if (!e.job.n) return cmd_usage("explore needs -n N, the number of processes (or --trace)");
    Job *j = &e.job;
    int64_t params[16];
    char look[1024];
    int rc = job_load(j, (int)j->n);
    if (rc == 0 && job_params(j, params) != 0) rc = 2;
    if (rc == 0) {
        explore_opts o = {.trace = e.trace,
                          .source = j->file,
                          .bind = e.bind,
                          .port = (int)e.port,
                          .public_ok = e.public_ok,
                          .out = stdout,
                          .seed = (uint64_t)j->seed,
                          .block_look = job_block_look(j, look, sizeof look)};
        rc = explore_serve(j->l.algo, (int)j->n, params, &o);
    }
    job_free(j);
    return rc;
}

const Command cmd_explore = {"explore",
                             "explore FILE.ho -n N [options]",
                             "explore runs in the browser (visual debugger)",
                             explore_run,
                             explore_options,
                             sizeof(ExploreArgs)};
