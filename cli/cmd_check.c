/* cmd_check.c: `hoc check FILE.ho -n N`, the model checker's command line
 * (checker/mc.c searches), with goals, prunes and --skip planning: which
 * specs are not checked and which ghosts then need not be stored. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "explore.h"
#include "ghost.h"
#include "job.h"
#include "mc.h"

typedef struct CheckArgs {
    Job job;
    mc_opts o;
    long long values, depth, threads, time, mem, walks, events, replace;
    const char *prune, *html;
    hoc_opt_list goals, skips;
    bool quiet;
    long long status;
    char look[1024]; /* where the algorithm looks inside a block (opaque.h) */
} CheckArgs;

/* --faults benign|none|crash=K into the mc_opts at dst. */
static int faults_arg(void *dst, const char *val, char *err, size_t errn)
{
    mc_opts *o = dst;
    long long k;
    if (strcmp(val, "benign") == 0)
        o->faults = MC_BENIGN;
    else if (strcmp(val, "none") == 0)
        o->faults = MC_RELIABLE;
    else if (strncmp(val, "crash=", 6) == 0 && hoc_opt_int(val + 6, 0, HOC_MAXN, &k) == 0)
        o->faults = MC_CRASH, o->crash = (int)k;
    else {
        snprintf(err, errn, "--faults takes benign, none or crash=K, not '%s'", val);
        return -1;
    }
    return 0;
}

/* hoc check's options: job.h's shared ones, then its own; writing into
 * *args, a CheckArgs. */
static void check_options(void *args, hoc_opt *t, size_t cap)
{
    CheckArgs *c = args;
    const hoc_opt own[] = {
        {"--values", HOC_OPT_INT, &c->values, 1, 64, .arg = "V",
         .help = "inputs range over 0..V-1 (default 2)"},
        {"--depth", HOC_OPT_INT, &c->depth, 0, 1000000, .arg = "R",
         .help = "at most R rounds (default 1000)"},
        {"--faults", HOC_OPT_CALL, &c->o, .arg = "F", .call = faults_arg,
         .help = "benign (any loss, default), crash=K, or none"},
        {"--events", HOC_OPT_INT, &c->events, 0, 64, .arg = "K",
         .help = "at most K events in an execution (default 2; the bound is reported)"},
        {"--replace", HOC_OPT_INT, &c->replace, 0, 64, .arg = "K",
         .help = "up to K processes replaced in an execution (default 0)"},
        {"--threads", HOC_OPT_INT, &c->threads, 1, 16, .arg = "T",
         .help = "worker threads (default: the cores)"},
        {"--time", HOC_OPT_INT, &c->time, 1, 100000000, .arg = "S",
         .help = "stop after S seconds (exit 3 when reached)"},
        {"--mem", HOC_OPT_INT, &c->mem, 1, 1 << 24, .arg = "MB",
         .help = "stop beyond MB megabytes of states (default 8192; exit 3)"},
        {"--trace", HOC_OPT_STR, &c->o.trace_path, .arg = "FILE",
         .help = "write the counterexample as JSON (hoc sim --replay)"},
        {"--html", HOC_OPT_STR, &c->html, .arg = "FILE",
         .help = "also write the counterexample as a self-contained page"},
        {"--goal", HOC_OPT_LIST, &c->goals, .arg = "NAME", .limit = 8,
         .help = "stop where spec NAME holds; several: reach each in turn"},
        {"--prune", HOC_OPT_STR, &c->prune, .arg = "NAME",
         .help = "do not expand states where spec NAME holds"},
        {"--skip", HOC_OPT_LIST, &c->skips, .arg = "NAME", .limit = 32,
         .help = "do not check invariant or property NAME (repeatable); ghosts\n"
                 "that only skipped specs need are left out of the states"},
        {"--no-symmetry", HOC_OPT_CLEAR, &c->o.symmetry,
         .help = "do not merge states that differ by a permutation of processes"},
        {"--no-abstraction", HOC_OPT_CLEAR, &c->o.abstraction,
         .help = "keep phase numbers as they are instead of ranking stamps"},
        {"--inductive", HOC_OPT_SET, &c->o.inductive,
         .help = "look for a state satisfying the invariants that one round breaks"},
        {"--stage", HOC_OPT_STR, &c->o.stage, .arg = "NAME",
         .help = "look for a good round that misses progress stage NAME, from a\n"
                 "reachable state (with --inductive: any) satisfying the\n"
                 "invariants and the stage before"},
        {"--walks", HOC_OPT_INT, &c->walks, 1, LLONG_MAX, .arg = "W",
         .help = "W seeded random walks (--seed) of --depth rounds instead"},
        {"--progress", HOC_OPT_SET, &c->o.progress,
         .help = "a progress line on stderr (default: when it is a terminal)"},
        {"--status", HOC_OPT_INT, &c->status, 0, 86400, .arg = "S",
         .help = "a status line on stderr every S seconds of a long run\n"
                 "(default 10; 0: none)"},
        {"--quiet", HOC_OPT_SET, &c->quiet, .help = "nothing on stderr while searching"},
        {NULL},
    };
    job_options(&c->job, own, "a JSON summary line", t, cap);
}

/* Finds a spec by name; -1 (and a message) if there is none. */
static int find_spec(const hoc_algo *a, const char *name)
{
    for (int i = 0; i < a->nspecs; i++)
        if (strcmp(a->specs[i].name, name) == 0) return i;
    fprintf(stderr, "hoc: %s has no goal, prune, invariant or property named '%s'\n", a->name,
            name);
    return -1;
}

/* What --skip NAME... leaves out. */
typedef struct Skips {
    bool *spec;      /* per spec of the hoc_algo */
    bool *untracked; /* per state field */
} Skips;

/* Why spec i cannot be skipped in this search, or NULL if it can. */
static const char *unskippable(const hoc_algo *a, const mc_opts *o, int i)
{
    bool guide = o->prune == i;
    for (int g = 0; g < o->ngoals; g++)
        guide |= o->goals[g] == i;
    if (guide) return "guides this search (--goal, --prune), so it is not checked anyway";
    if (a->specs[i].kind == HOC_ASSUME)
        return "is an assumption: it restricts the adversary (or, with eventually, plays no "
               "part in hoc check); it is not checked";
    if (a->specs[i].kind != HOC_INVARIANT && a->specs[i].kind != HOC_PROPERTY)
        return "is a goal or a prune, which are never checked";
    return NULL;
}

/* Fills sk->spec and sk->untracked and points o at them: the named specs are
 * not checked, and the ghosts that no other spec needs (ghost.h) are not
 * stored. Returns 0, or 2 after a message. */
static int plan_skips(const Algo *al, const hoc_algo *a, const hoc_opt_list *names, Skips *sk,
                      mc_opts *o)
{
    sk->spec = calloc((size_t)a->nspecs + 1, sizeof *sk->spec);
    sk->untracked = calloc((size_t)a->nfields + 1, sizeof *sk->untracked);
    bool *skip = calloc((size_t)al->nspecs + 1, sizeof *skip); /* per spec of the front end */
    bool *needed = calloc((size_t)al->nvars + 1, sizeof *needed);
    int rc = 2;
    if (!sk->spec || !sk->untracked || !skip || !needed) {
        fprintf(stderr, "hoc: out of memory\n");
        goto out;
    }
    for (int k = 0; k < names->n; k++) {
        int i = find_spec(a, names->v[k]);
        if (i < 0) goto out;
        const char *why = unskippable(a, o, i);
        if (why) {
            fprintf(stderr, "hoc: --skip takes an invariant or property; '%s' %s\n", names->v[k],
                    why);
            goto out;
        }
        sk->spec[i] = true;
    }
    /* the front end's specs and variables are the descriptor's, matched by name */
    for (int j = 0; j < al->nspecs; j++)
        for (int i = 0; i < a->nspecs; i++)
            if (sk->spec[i] && strcmp(a->specs[i].name, al->specs[j]->name) == 0) skip[j] = true;
    ghost_needed(al, skip, needed);
    for (int f = 0; f < a->nfields; f++)
        for (int v = 0; v < al->nvars; v++)
            if (a->fields[f].ghost && !needed[v] &&
                strcmp(a->fields[f].name, al->vars[v]->name) == 0)
                sk->untracked[f] = true;
    o->skip = sk->spec, o->untracked = sk->untracked;
    rc = 0;
out:
    free(skip), free(needed);
    return rc;
}

/* Runs the search; with --html, writes the page of its trace too (kept in a
 * temporary file when --trace is not given). The search's exit status, or 2
 * when the page cannot be written. */
static int html_search(CheckArgs *c, const hoc_algo *a)
{
    mc_opts *o = &c->o;
    if (!c->html) return mc_run(a, o);
    char tmp[] = "/tmp/hoc-trace-XXXXXX";
    if (!o->trace_path) {
        int fd = mkstemp(tmp);
        if (fd < 0) {
            fprintf(stderr, "hoc: cannot create a temporary file for --html\n");
            return 2;
        }
        close(fd);
        o->trace_path = tmp;
    }
    int rc = mc_run(a, o);
    FILE *t = fopen(o->trace_path, "r");
    bool found = t && fgetc(t) != EOF; /* a search that finds nothing writes no trace */
    if (t) fclose(t);
    char note[160];
    snprintf(note, sizeof note, "hoc check: %s (exit %d)",
             found ? "the trace it found" : "no trace found; the initial states", rc);
    if (rc != 2 &&
        explore_html_trace(a, o->n, o->params, found ? o->trace_path : NULL, note, c->html) != 0)
        rc = 2;
    if (o->trace_path == tmp) unlink(tmp);
    return rc;
}

/* Loads the algorithm, resolves the specs named by options, and searches. */
static int search(CheckArgs *c)
{
    Job *j = &c->job;
    mc_opts *o = &c->o;
    Skips sk = {NULL, NULL};
    int rc = job_load(j, (int)j->n);
    if (rc) return rc;
    const hoc_algo *a = j->l.algo;
    rc = 2;
    if (job_params(j, o->params)) goto out;
    for (int i = 0; i < c->goals.n; i++)
        if ((o->goals[o->ngoals++] = find_spec(a, c->goals.v[i])) < 0) goto out;
    if (c->prune && (o->prune = find_spec(a, c->prune)) < 0) goto out;
    if (c->skips.n && plan_skips(j->al, a, &c->skips, &sk, o) != 0) goto out;
    o->n = (int)j->n, o->seed = (uint64_t)j->seed, o->json = j->json;
    o->values = (int)c->values, o->depth = c->depth, o->threads = (int)c->threads;
    o->time_limit = (double)c->time, o->mem_mb = c->mem, o->walks = c->walks;
    o->events = (int)c->events, o->replace = (int)c->replace;
    o->out = stdout, o->source = j->file;
    o->block_look = job_block_look(j, c->look, sizeof c->look);
    o->heartbeat = (int)c->status;
    if (c->quiet) o->progress = false, o->heartbeat = 0;

    rc = html_search(c, a);
out:
    free(sk.spec), free(sk.untracked);
    return rc;
}

static int check_run(int argc, char **argv)
{
    CheckArgs c = {.job = {.seed = 1},
                   .o = {.faults = MC_BENIGN,
                         .symmetry = true,
                         .abstraction = true,
                         .progress = isatty(2),
                         .stage_round = -1,
                         .prune = -1},
                   .values = 2,
                   .status = 10,
                   .depth = 1000,
                   .events = 2,
                   .threads = sysconf(_SC_NPROCESSORS_ONLN),
                   .mem = 8192};
    hoc_opt t[CMD_MAXOPTS];
    check_options(&c, t, CMD_MAXOPTS);
    if (cmd_parse(t, argc, argv, "check", &c.job.file) != 0) return 2;
    if (!c.job.n) return cmd_usage("check needs -n N, the number of processes");
    int rc = search(&c);
    job_free(&c.job);
    return rc;
}

const Command cmd_check = {"check",
                           "check FILE.ho -n N [options]",
                           "explore every heard-of choice (small n)",
                           check_run,
                           check_options,
                           sizeof(CheckArgs)};
