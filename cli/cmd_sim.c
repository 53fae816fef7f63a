/* cmd_sim.c: `hoc sim FILE.ho -n N`, the lockstep simulator's command line
 * (runtime/sim.c runs it), and --input. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "explore.h"
#include "job.h"
#include "sim.h"

typedef struct SimArgs {
    Job job;
    long long rounds, crash, good_from, trace_rounds, replace;
    double drop, events;
    const char *inputs, *replay, *html;
} SimArgs;

/* hoc sim's options: job.h's shared ones, then its own; writing into *args, a SimArgs. */
static void sim_options(void *args, hoc_opt *t, size_t cap)
{
    SimArgs *s = args;
    const hoc_opt own[] = {
        {"--rounds", HOC_OPT_INT, &s->rounds, 0, 100000000, .arg = "R",
         .help = "rounds to run (default 30)"},
        {"--drop", HOC_OPT_REAL, &s->drop, .lo = 0, .hi = 1, .arg = "P",
         .help = "probability a message is not heard (default 0)"},
        {"--crash", HOC_OPT_INT, &s->crash, 0, HOC_MAXN, .arg = "K",
         .help = "processes that crash at random rounds (default 0)"},
        {"--events", HOC_OPT_REAL, &s->events, .lo = 0, .hi = 1, .arg = "P",
         .help = "chance a process gets a random event between phases (default 0)"},
        {"--replace", HOC_OPT_INT, &s->replace, 0, HOC_MAXN, .arg = "K",
         .help = "processes replaced at random rounds (default 0)"},
        {"--input", HOC_OPT_STR, &s->inputs, .arg = "V,...",
         .help = "each process's input; a:b for several inputs"},
        {"--good-from", HOC_OPT_INT, &s->good_from, 0, 100000000, .arg = "R",
         .help = "from round R, make the spec's eventual assumptions hold"},
        {"--trace-rounds", HOC_OPT_INT, &s->trace_rounds, 0, 10000, .arg = "K",
         .help = "rounds kept for a violation trace (default 20)"},
        {"--replay", HOC_OPT_STR, &s->replay, .arg = "TRACE",
         .help = "replay a counterexample written by hoc check --trace"},
        {"--html", HOC_OPT_STR, &s->html, .arg = "FILE",
         .help = "also write the run as a self-contained page (hoc explore's views)"},
        {NULL},
    };
    job_options(&s->job, own, "one JSON object instead of text", t, cap);
}

/* Reads n * ninputs whole numbers separated by ',' or ':' (which separator
 * is where does not matter); 0, or -1 if s is not exactly that. */
static int parse_inputs(const char *s, int n, int ninputs, int64_t *out)
{
    int count = 0;
    const char *p = s;
    while (*p) {
        char *end;
        errno = 0;
        long long v = strtoll(p, &end, 10);
        if (errno || end == p) return -1;
        if (count >= n * (ninputs ? ninputs : 1)) return -1;
        out[count++] = v;
        p = end;
        if (*p == ',' || *p == ':')
            p++;
        else if (*p)
            return -1;
    }
    return count == n * ninputs ? 0 : -1;
}

/* The largest value input fd may take with n processes. */
static int64_t input_max(const hoc_field *fd, int n)
{
    int64_t lo, hi;
    hoc_input_range(fd, n, &lo, &hi);
    return hi;
}

/* Says what --input wants, with an example of the right shape for a and n:
 * processes separated by ',', one process's inputs by ':'. */
static void input_help(const hoc_algo *a, int n)
{
    if (a->ninputs == 0) {
        fprintf(stderr, "hoc: --input: %s has no inputs\n", a->name);
        return;
    }
    fprintf(stderr, "hoc: --input needs %d value%s per process for %d processes, as in ",
            a->ninputs, a->ninputs == 1 ? "" : "s", n);
    for (int p = 0; p < n; p++)
        for (int i = 0; i < a->ninputs; i++) {
            int64_t v = (p + i) % 2, hi = input_max(&a->inputs[i], n);
            fprintf(stderr, "%s%lld", i ? ":" : p ? "," : "", (long long)(v < hi ? v : hi));
        }
    fputc('\n', stderr);
}

/* Reads --input: n * ninputs values, each a value of its input's type; NULL
 * after a message. */
static int64_t *read_inputs(const hoc_algo *a, int n, const char *text)
{
    int64_t *in = calloc((size_t)n * (size_t)(a->ninputs + 1), sizeof *in);
    if (!in || parse_inputs(text, n, a->ninputs, in) != 0) {
        input_help(a, n);
        free(in);
        return NULL;
    }
    for (int p = 0; p < n; p++)
        for (int i = 0; i < a->ninputs; i++) {
            const hoc_field *fd = &a->inputs[i];
            int64_t x = in[p * a->ninputs + i];
            int64_t lo, hi;
            hoc_input_range(fd, n, &lo, &hi);
            if (x < lo || x > hi) {
                fprintf(stderr, "hoc: input %s of process %d is %lld, outside %lld..%lld\n",
                        fd->name, p, (long long)x, (long long)lo, (long long)hi);
                free(in);
                return NULL;
            }
        }
    return in;
}

/* Loads the algorithm and runs or replays it; the exit status. */
static int simulate(SimArgs *s)
{
    Job *j = &s->job;
    int64_t *in = NULL;
    /* compiled for the run's n, as hoc check compiles it: the same object,
     * so a replay of hoc check's trace comes from the compile cache */
    int rc = job_load(j, s->replay ? hoc_sim_trace_n(s->replay) : (int)j->n);
    if (rc) return rc;
    const hoc_algo *a = j->l.algo;
    if (s->replay && s->html) return cmd_usage("--html records a simulation, not a --replay");
    if (s->replay) return hoc_sim_replay(a, s->replay, stdout);
    hoc_sim_opts o = {.n = (int)j->n,
                      .rounds = s->rounds,
                      .seed = (uint64_t)j->seed,
                      .drop = s->drop,
                      .crash = (int)s->crash,
                      .event_rate = s->events,
                      .replace = (int)s->replace,
                      .good_from = s->good_from,
                      .trace_rounds = (int)s->trace_rounds,
                      .json = j->json,
                      .out = stdout};
    if (job_params(j, o.params)) return 2;
    if (s->inputs && !(in = read_inputs(a, o.n, s->inputs))) return 2;
    o.inputs = in;
    char look[1024];
    o.block_look = job_block_look(j, look, sizeof look);
    explore_rec *rec = NULL;
    if (s->html && !(rec = explore_rec_new(a, o.n, o.params))) {
        free(in);
        fprintf(stderr, "hoc: out of memory\n");
        return 2;
    }
    o.observe = rec ? explore_rec_observe : NULL, o.observe_ctx = rec;
    rc = hoc_sim_run(a, &o);
    if (rec && rc != 2) {
        char note[200];
        snprintf(note, sizeof note, "hoc sim: seed %lld, drop %.2f, crash %lld (exit %d)", j->seed,
                 s->drop, s->crash, rc);
        if (explore_rec_write(rec, note, s->html) != 0) rc = 2;
    }
    explore_rec_free(rec);
    free(in);
    return rc;
}

static int sim_run(int argc, char **argv)
{
    SimArgs s = {.job = {.seed = 1}, .rounds = 30, .good_from = -1, .trace_rounds = 20};
    hoc_opt t[CMD_MAXOPTS];
    sim_options(&s, t, CMD_MAXOPTS);
    if (cmd_parse(t, argc, argv, "sim", &s.job.file) != 0) return 2;
    if (!s.job.n && !s.replay) return cmd_usage("sim needs -n N, the number of processes");
    if (s.crash > s.job.n) return cmd_usage("--crash cannot exceed -n");
    if (s.replace > s.job.n) return cmd_usage("--replace cannot exceed -n");
    int rc = simulate(&s);
    job_free(&s.job);
    return rc;
}

const Command cmd_sim = {"sim",
                         "sim FILE.ho -n N [options]",
                         "run the lockstep semantics",
                         sim_run,
                         sim_options,
                         sizeof(SimArgs)};
