/* main.c: the hoc command line. Exit codes: 0 success, 1 an error in the
 * program (or a violated spec), 2 a usage error or a failure of the tool. */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgen.h"
#include "check.h"
#include "diag.h"
#include "ghost.h"
#include "parse.h"
#include "tool.h"
#include "mc.h"
#include "params.h"
#include "sim.h"
#include "cmd_build.h"
#include "cmd_verify.h"

#define HOC_VERSION "0.1.0"

static const char *usage_text =
    "usage: hoc COMMAND [ARGS]\n"
    "\n"
    "commands:\n"
    "  compile FILE.ho -o DIR [--algorithm A]   write one .c/.h pair per algorithm\n"
    "  sim FILE.ho -n N [options]               run the lockstep semantics\n"
    "      --rounds R      rounds to run (default 30)\n"
    "      --seed S        seed of the adversary (default 1)\n"
    "      --drop P        probability a message is not heard (default 0)\n"
    "      --crash K       processes that crash at random rounds (default 0)\n"
    "      --input V,...   each process's input; a:b for several inputs\n"
    "      --param X=V     fix a parameter (default: the largest allowed)\n"
    "      --good-from R   from round R, make the spec's eventual assumptions hold\n"
    "      --extern F.c    C file implementing the program's extern functions\n"
    "      --algorithm A   which algorithm, when the file has several\n"
    "      --trace-rounds K  rounds kept for a violation trace (default 20)\n"
    "      --json          one JSON object instead of text\n"
    "      --replay TRACE  replay a counterexample written by hoc check --trace\n"
    "  check FILE.ho -n N [options]             explore every heard-of choice (small n)\n"
    "      --values V      inputs range over 0..V-1 (default 2)\n"
    "      --depth R       at most R rounds (default 1000)\n"
    "      --faults F      benign (any loss, default), crash=K, or none\n"
    "      --threads T     worker threads (default: the cores)\n"
    "      --time S, --mem MB   bounds (exit 3 when reached)\n"
    "      --trace FILE    write the counterexample as JSON (hoc sim --replay)\n"
    "      --goal NAME     stop where spec NAME holds; several: reach each in turn\n"
    "      --prune NAME    do not expand states where spec NAME holds\n"
    "      --skip NAME     do not check invariant or property NAME (repeatable); ghosts\n"
    "                      that only skipped specs need are left out of the states\n"
    "      --param X=V     fix a parameter (default: the largest allowed)\n"
    "      --no-symmetry   do not merge states that differ by a permutation of processes\n"
    "      --no-abstraction  keep phase numbers as they are instead of ranking stamps\n"
    "      --inductive     look for a state satisfying the invariants that one round breaks\n"
    "      --walks W --seed S   W seeded random walks of --depth rounds instead\n"
    "      --json          a JSON summary line\n"
    "  build FILE.ho -o BIN                     a native replica (see docs/runtime.md; BIN "
    "--help)\n"
    "  verify FILE.ho                           prove the invariants with Z3 (see "
    "docs/verifier.md)\n"
    "  help                                     this text\n"
    "  version                                  the version\n"
    "\n"
    "exit status: 0 ok, 1 error in the program or spec violated (or not proved),\n"
    "2 usage error, 3 (check, verify) a bound reached or a proof unknown\n";

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "hoc: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nrun 'hoc help' for usage\n");
    return 2;
}

/* ---- front end ---- */
typedef struct Front {
    Program *prog;
    Algo *algos;
    Diag diag;
} Front;

/* Parses and checks path; returns 0, 1 for errors in the program, 2 if unreadable. */
static int front(const char *path, Front *fr)
{
    memset(fr, 0, sizeof *fr);
    fr->diag.out = stderr;
    fr->prog = parse_program(path, tool_env_or("HOC_STDLIB", HOC_STDLIB_DIR), &fr->diag);
    if (!fr->prog) return 2; /* parse_program has said why */
    if (fr->diag.errors) {   /* syntax errors: the tree is partial, so it is not checked */
        fprintf(stderr, "%d error%s\n", fr->diag.errors, fr->diag.errors == 1 ? "" : "s");
        return 1;
    }
    fr->algos = check_program(fr->prog);
    if (fr->diag.errors) {
        fprintf(stderr, "%d error%s\n", fr->diag.errors, fr->diag.errors == 1 ? "" : "s");
        return 1;
    }
    return 0;
}

static void front_free(Front *fr)
{
    algo_free(fr->algos);
    program_free(fr->prog);
}

static Algo *pick_algo(Front *fr, const char *name)
{
    if (!name) {
        if (fr->algos && fr->algos->next) {
            fprintf(stderr,
                    "hoc: the file defines several algorithms; choose one with --algorithm:");
            for (Algo *a = fr->algos; a; a = a->next)
                fprintf(stderr, " %s", a->decl->name);
            fputc('\n', stderr);
            return NULL;
        }
        return fr->algos;
    }
    for (Algo *a = fr->algos; a; a = a->next)
        if (strcmp(a->decl->name, name) == 0) return a;
    fprintf(stderr, "hoc: no algorithm named '%s'\n", name);
    return NULL;
}

/* Writes DIR/prefix.{c,h} for one algorithm. */
static int write_algo(Front *fr, Algo *a, const char *src, const char *dir, char *cpath, size_t cap)
{
    char px[256], hpath[PATH_MAX];
    cgen_prefix(a->decl->name, px, sizeof px);
    snprintf(cpath, cap, "%s/%s.c", dir, px);
    snprintf(hpath, sizeof hpath, "%s/%s.h", dir, px);
    FILE *h = fopen(hpath, "w"), *c = fopen(cpath, "w");
    if (!h || !c) {
        fprintf(stderr, "hoc: cannot write in '%s': %s\n", dir, strerror(errno));
        if (h) fclose(h);
        if (c) fclose(c);
        return 2;
    }
    int rc = cgen_algo(fr->prog, a, src, h, c);
    if (fclose(h) != 0) rc = -1;
    if (fclose(c) != 0) rc = -1;
    if (rc) {
        fprintf(stderr, "hoc: write error in '%s'\n", dir);
        return 2;
    }
    return 0;
}

static int cmd_compile(int argc, char **argv)
{
    const char *file = NULL, *dir = NULL, *name = NULL;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
            dir = argv[++i];
        else if (strcmp(argv[i], "--algorithm") == 0 && i + 1 < argc)
            name = argv[++i];
        else if (argv[i][0] == '-')
            return usage_error("unknown or incomplete option '%s'", argv[i]);
        else if (!file)
            file = argv[i];
        else
            return usage_error("unexpected argument '%s'", argv[i]);
    }
    if (!file) return usage_error("%s", "compile needs a .ho file");
    if (!dir) return usage_error("%s", "compile needs -o DIR");
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "hoc: cannot create '%s': %s\n", dir, strerror(errno));
        return 2;
    }
    Front fr;
    int rc = front(file, &fr);
    if (rc == 0) {
        char cpath[PATH_MAX];
        for (Algo *a = fr.algos; a && rc == 0; a = a->next) {
            if (name && strcmp(a->decl->name, name) != 0) continue;
            rc = write_algo(&fr, a, file, dir, cpath, sizeof cpath);
            if (rc == 0) printf("%s\n", cpath);
        }
        if (name && !pick_algo(&fr, name)) rc = 2;
        /* what imported modules need: compile and link these with the code */
        for (int i = 0; rc == 0 && i < fr.prog->ncsrc; i++)
            printf("%s\n", fr.prog->csrc[i]);
        for (int i = 0; rc == 0 && i < fr.prog->nlibs; i++)
            fprintf(stderr, "hoc: link with %s\n", fr.prog->libs[i]);
    }
    front_free(&fr);
    return rc;
}

/* ---- building a shared object and loading it ---- */

typedef struct Loaded {
    char dir[64];
    char so[PATH_MAX], c[PATH_MAX], h[PATH_MAX];
    void *handle;
    const hoc_algo *algo;
} Loaded;

static void unload(Loaded *l)
{
    if (l->handle) dlclose(l->handle);
    if (l->so[0]) unlink(l->so);
    if (l->c[0]) unlink(l->c);
    if (l->h[0]) unlink(l->h);
    if (l->dir[0]) rmdir(l->dir);
}

/* Compiles the generated C (and the user's extern C files) into a shared
 * object and loads its descriptor. */
static int load_algo(Front *fr, Algo *a, const char *src, char **externs, int nexterns, int maxn,
                     Loaded *l)
{
    memset(l, 0, sizeof *l);
    snprintf(l->dir, sizeof l->dir, "%s/hoc-XXXXXX", "/tmp");
    if (!mkdtemp(l->dir)) {
        fprintf(stderr, "hoc: cannot create a temporary directory: %s\n", strerror(errno));
        l->dir[0] = 0;
        return 2;
    }
    int rc = write_algo(fr, a, src, l->dir, l->c, sizeof l->c);
    if (rc) return rc;
    char px[256];
    cgen_prefix(a->decl->name, px, sizeof px);
    snprintf(l->h, sizeof l->h, "%s/%s.h", l->dir, px);
    snprintf(l->so, sizeof l->so, "%s/%s.so", l->dir, px);
    ToolCmd cc;
    tool_cc_begin(&cc, px, maxn);
    tool_cmd_words(&cc, "-fPIC -shared -o");
    tool_cmd_add(&cc, l->so);
    tool_cmd_add(&cc, l->c);
    for (int i = 0; i < nexterns; i++)
        tool_cmd_add(&cc, externs[i]);
    for (int i = 0; i < fr->prog->ncsrc; i++)
        tool_cmd_add(&cc, fr->prog->csrc[i]);
    for (int i = 0; i < fr->prog->nlibs; i++)
        tool_cmd_add(&cc, fr->prog->libs[i]);
    if (tool_cmd_run(&cc) != 0) {
        fprintf(stderr, "hoc: the C compiler failed on the generated code (kept in %s)\n", l->dir);
        l->dir[0] = l->c[0] = l->h[0] = 0;
        return 2;
    }
    l->handle = dlopen(l->so, RTLD_NOW | RTLD_LOCAL);
    if (!l->handle) {
        fprintf(stderr, "hoc: cannot load the compiled algorithm: %s\n", dlerror());
        return 2;
    }
    char sym[300];
    snprintf(sym, sizeof sym, "%s_algo", px);
    l->algo = dlsym(l->handle, sym);
    if (!l->algo || l->algo->abi != HOC_ABI_VERSION) {
        fprintf(stderr, "hoc: the compiled algorithm has no usable descriptor\n");
        return 2;
    }
    return 0;
}

/* ---- parameters given as --param NAME=VALUE ---- */
typedef struct ParamArgs {
    const char *names[16];
    long long vals[16];
    int n;
} ParamArgs;

static int parse_int(const char *s, long long lo, long long hi, long long *out);

static int add_param_arg(ParamArgs *pa, const char *val)
{
    const char *eq = strchr(val, '=');
    if (!eq || pa->n == 16 || parse_int(eq + 1, 0, INT32_MAX, &pa->vals[pa->n]) != 0)
        return usage_error("--param takes NAME=VALUE, not '%s'", val);
    pa->names[pa->n++] = val;
    return 0;
}

/* The algorithm's params for n processes, from --param and the defaults; 0 or 2. */
static int resolve_params(const hoc_algo *a, int n, const ParamArgs *pa, int64_t *params)
{
    char names[16][64], err[512];
    const char *np[16];
    int64_t vals[16];
    for (int k = 0; k < pa->n; k++) {
        size_t len = (size_t)(strchr(pa->names[k], '=') - pa->names[k]);
        snprintf(names[k], sizeof names[k], "%.*s", (int)len, pa->names[k]);
        np[k] = names[k], vals[k] = pa->vals[k];
    }
    if (hoc_params_pick(a, n, np, vals, pa->n, params, err, sizeof err) != 0) {
        fprintf(stderr, "hoc: %s\n", err);
        return 2;
    }
    return 0;
}

/* ---- hoc sim ---- */
static int parse_int(const char *s, long long lo, long long hi, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

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

/* ---- what hoc sim and hoc check share: the program, its algorithm, options ---- */
typedef struct Job {
    const char *file, *name;
    char *externs[16];
    int nexterns;
    ParamArgs pa;
    int n;
    uint64_t seed;
    bool json;
    Front fr;
    Loaded l;
    Algo *al; /* the checked algorithm, once loaded */
    bool loaded_front;
} Job;

/* Takes argv[*i] if it is the file or an option both commands accept:
 * 1 if it did (advancing *i past a value), 0 if not, 2 on a usage error. */
static int job_option(Job *j, int argc, char **argv, int *i)
{
    const char *a = argv[*i];
    const char *val = *i + 1 < argc ? argv[*i + 1] : NULL;
    long long v;
    if (a[0] != '-') {
        if (j->file) return usage_error("unexpected argument '%s'", a);
        j->file = a;
        return 1;
    }
    if (strcmp(a, "--json") == 0) {
        j->json = true;
        return 1;
    }
    static const char *const valued[] = {"-n", "--seed", "--algorithm", "--extern", "--param"};
    size_t k = 0;
    while (k < sizeof valued / sizeof *valued && strcmp(a, valued[k]) != 0)
        k++;
    if (k == sizeof valued / sizeof *valued) return 0;
    if (!val) return usage_error("option '%s' needs a value", a);
    ++*i;
    if (k == 0) {
        if (parse_int(val, 1, HOC_MAXN, &v))
            return usage_error("-n takes a number from 1 to 64, not '%s'", val);
        j->n = (int)v;
    } else if (k == 1) {
        if (parse_int(val, 0, LLONG_MAX, &v))
            return usage_error("--seed takes a non-negative number, not '%s'", val);
        j->seed = (uint64_t)v;
    } else if (k == 2) {
        j->name = val;
    } else if (k == 3) {
        if (j->nexterns == 16) return usage_error("%s", "at most 16 --extern files");
        j->externs[j->nexterns++] = (char *)val;
    } else if (add_param_arg(&j->pa, val)) {
        return 2;
    }
    return 1;
}

/* Parses, checks, compiles and loads the job's algorithm, with arrays indexed
 * by process of capacity maxn (0: the default). Returns 0, or 2. */
static int job_load(Job *j, int maxn)
{
    j->loaded_front = true;
    if (front(j->file, &j->fr) != 0) return 2;
    j->al = pick_algo(&j->fr, j->name);
    if (!j->al) return 2;
    return load_algo(&j->fr, j->al, j->file, j->externs, j->nexterns, maxn, &j->l) ? 2 : 0;
}

static void job_free(Job *j)
{
    unload(&j->l);
    if (j->loaded_front) front_free(&j->fr);
}

/* Reads --input: n * ninputs values, each a value of its input's type. */
static int64_t *read_inputs(const hoc_algo *a, int n, const char *text)
{
    int64_t *in = calloc((size_t)n * (size_t)(a->ninputs + 1), sizeof *in);
    if (!in || parse_inputs(text, n, a->ninputs, in) != 0) {
        fprintf(stderr,
                "hoc: --input needs %d value%s per process for %d processes, as in 0,1,1,0\n",
                a->ninputs, a->ninputs == 1 ? "" : "s", n);
        free(in);
        return NULL;
    }
    for (int p = 0; p < n; p++)
        for (int i = 0; i < a->ninputs; i++) {
            const hoc_field *fd = &a->inputs[i];
            int64_t x = in[p * a->ninputs + i];
            int64_t hi = fd->kind == HOC_K_BOOL   ? 1
                         : fd->kind == HOC_K_PID  ? n - 1
                         : fd->kind == HOC_K_ENUM ? (int64_t)fd->enum_count - 1
                                                  : INT64_MAX;
            int64_t lo = fd->kind == HOC_K_INT ? INT64_MIN : 0;
            if (x < lo || x > hi) {
                fprintf(stderr, "hoc: input %s of process %d is %lld, outside %lld..%lld\n",
                        fd->name, p, (long long)x, (long long)lo, (long long)hi);
                free(in);
                return NULL;
            }
        }
    return in;
}

/* ---- hoc sim ---- */
static int cmd_sim(int argc, char **argv)
{
    const char *inputs = NULL, *replay = NULL;
    Job j = {.seed = 1};
    hoc_sim_opts o = {.rounds = 30, .good_from = -1, .trace_rounds = 20};
    long long v;
    for (int i = 0; i < argc; i++) {
        int taken = job_option(&j, argc, argv, &i);
        if (taken == 2) return 2;
        if (taken) continue;
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!val) return usage_error("option '%s' needs a value (or is unknown)", a);
        i++;
        if (strcmp(a, "--rounds") == 0) {
            if (parse_int(val, 0, 100000000, &v))
                return usage_error("--rounds takes a number from 0 to 10^8, not '%s'", val);
            o.rounds = v;
        } else if (strcmp(a, "--drop") == 0) {
            char *end;
            o.drop = strtod(val, &end);
            if (end == val || *end || !(o.drop >= 0 && o.drop <= 1))
                return usage_error("--drop takes a probability between 0 and 1, not '%s'", val);
        } else if (strcmp(a, "--crash") == 0) {
            if (parse_int(val, 0, HOC_MAXN, &v))
                return usage_error("--crash takes a number of processes, not '%s'", val);
            o.crash = (int)v;
        } else if (strcmp(a, "--good-from") == 0) {
            if (parse_int(val, 0, 100000000, &v))
                return usage_error("--good-from takes a round number, not '%s'", val);
            o.good_from = v;
        } else if (strcmp(a, "--trace-rounds") == 0) {
            if (parse_int(val, 0, 10000, &v))
                return usage_error("--trace-rounds takes a number from 0 to 10000, not '%s'", val);
            o.trace_rounds = (int)v;
        } else if (strcmp(a, "--input") == 0) {
            inputs = val;
        } else if (strcmp(a, "--replay") == 0) {
            replay = val;
        } else {
            return usage_error("unknown option '%s'", a);
        }
    }
    if (!j.file) return usage_error("%s", "sim needs a .ho file");
    if (!j.n && !replay) return usage_error("%s", "sim needs -n N, the number of processes");
    if (o.crash > j.n) return usage_error("%s", "--crash cannot exceed -n");
    int64_t *in = NULL;
    int rc = job_load(&j, 0);
    if (rc) goto out;
    const hoc_algo *a = j.l.algo;
    rc = 2;
    if (replay) {
        rc = hoc_sim_replay(a, replay, stdout);
        goto out;
    }
    if (resolve_params(a, j.n, &j.pa, o.params)) goto out;
    if (inputs && !(in = read_inputs(a, j.n, inputs))) goto out;
    o.n = j.n, o.seed = j.seed, o.json = j.json, o.inputs = in, o.out = stdout;
    rc = hoc_sim_run(a, &o);
out:
    free(in);
    job_free(&j);
    return rc;
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
    const char *names[32];
    int n;
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
static int plan_skips(const Algo *al, const hoc_algo *a, Skips *sk, mc_opts *o)
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
    for (int k = 0; k < sk->n; k++) {
        int i = find_spec(a, sk->names[k]);
        if (i < 0) goto out;
        const char *why = unskippable(a, o, i);
        if (why) {
            fprintf(stderr, "hoc: --skip takes an invariant or property; '%s' %s\n", sk->names[k],
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

/* ---- hoc check ---- */
static int cmd_check(int argc, char **argv)
{
    const char *prune = NULL, *faults = "benign", *goalnames[8];
    int ngoalnames = 0;
    Skips sk = {.n = 0};
    Job j = {.seed = 1};
    mc_opts o = {.values = 2,
                 .depth = 1000,
                 .threads = (int)sysconf(_SC_NPROCESSORS_ONLN),
                 .mem_mb = 8192,
                 .symmetry = true,
                 .abstraction = true,
                 .prune = -1};
    o.progress = isatty(2);
    long long v;
    for (int i = 0; i < argc; i++) {
        int taken = job_option(&j, argc, argv, &i);
        if (taken == 2) return 2;
        if (taken) continue;
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--inductive") == 0) {
            o.inductive = true;
            continue;
        }
        if (strcmp(a, "--no-abstraction") == 0) {
            o.abstraction = false;
            continue;
        }
        if (strcmp(a, "--no-symmetry") == 0) {
            o.symmetry = false;
            continue;
        }
        if (strcmp(a, "--progress") == 0) {
            o.progress = true;
            continue;
        }
        if (strcmp(a, "--quiet") == 0) {
            o.progress = false;
            continue;
        }
        if (!val) return usage_error("option '%s' needs a value (or is unknown)", a);
        i++;
        if (strcmp(a, "--values") == 0) {
            if (parse_int(val, 1, 64, &v))
                return usage_error("--values takes a number from 1 to 64, not '%s'", val);
            o.values = (int)v;
        } else if (strcmp(a, "--depth") == 0) {
            if (parse_int(val, 0, 1000000, &v))
                return usage_error("--depth takes a number of rounds, not '%s'", val);
            o.depth = v;
        } else if (strcmp(a, "--threads") == 0) {
            if (parse_int(val, 1, 16, &v))
                return usage_error("--threads takes a number from 1 to 16, not '%s'", val);
            o.threads = (int)v;
        } else if (strcmp(a, "--time") == 0) {
            if (parse_int(val, 1, 100000000, &v))
                return usage_error("--time takes seconds, not '%s'", val);
            o.time_limit = (double)v;
        } else if (strcmp(a, "--mem") == 0) {
            if (parse_int(val, 1, 1 << 24, &v))
                return usage_error("--mem takes megabytes, not '%s'", val);
            o.mem_mb = v;
        } else if (strcmp(a, "--faults") == 0) {
            faults = val;
        } else if (strcmp(a, "--walks") == 0) {
            if (parse_int(val, 1, LLONG_MAX, &v))
                return usage_error("--walks takes a number of walks, not '%s'", val);
            o.walks = v;
        } else if (strcmp(a, "--trace") == 0) {
            o.trace_path = val;
        } else if (strcmp(a, "--goal") == 0) {
            if (ngoalnames == 8) return usage_error("%s", "at most 8 --goal options");
            goalnames[ngoalnames++] = val;
        } else if (strcmp(a, "--prune") == 0) {
            prune = val;
        } else if (strcmp(a, "--skip") == 0) {
            if (sk.n == 32) return usage_error("%s", "at most 32 --skip options");
            sk.names[sk.n++] = val;
        } else {
            return usage_error("unknown option '%s'", a);
        }
    }
    if (!j.file) return usage_error("%s", "check needs a .ho file");
    if (!j.n) return usage_error("%s", "check needs -n N, the number of processes");
    if (strcmp(faults, "benign") == 0)
        o.faults = MC_BENIGN;
    else if (strcmp(faults, "none") == 0)
        o.faults = MC_RELIABLE;
    else if (strncmp(faults, "crash=", 6) == 0 && parse_int(faults + 6, 0, HOC_MAXN, &v) == 0) {
        o.faults = MC_CRASH;
        o.crash = (int)v;
    } else
        return usage_error("--faults takes benign, none or crash=K, not '%s'", faults);
    int rc = job_load(&j, j.n);
    if (rc) goto out;
    const hoc_algo *a = j.l.algo;
    rc = 2;
    if (resolve_params(a, j.n, &j.pa, o.params)) goto out;
    for (int i = 0; i < ngoalnames; i++)
        if ((o.goals[o.ngoals++] = find_spec(a, goalnames[i])) < 0) goto out;
    if (prune && (o.prune = find_spec(a, prune)) < 0) goto out;
    if (sk.n && plan_skips(j.al, a, &sk, &o) != 0) goto out;
    o.n = j.n, o.seed = j.seed, o.json = j.json, o.out = stdout, o.source = j.file;
    rc = mc_run(a, &o);
out:
    free(sk.spec), free(sk.untracked);
    job_free(&j);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage_text, stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "compile") == 0) return cmd_compile(argc - 2, argv + 2);
    if (strcmp(cmd, "sim") == 0) return cmd_sim(argc - 2, argv + 2);
    if (strcmp(cmd, "check") == 0) return cmd_check(argc - 2, argv + 2);
    if (strcmp(cmd, "verify") == 0) return hoc_cmd_verify(argc - 2, argv + 2);
    if (strcmp(cmd, "build") == 0) return hoc_cmd_build(argc - 2, argv + 2);
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        fputs(usage_text, stdout);
        return 0;
    }
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("hoc %s\n", HOC_VERSION);
        return 0;
    }
    return usage_error("unknown command '%s'", cmd);
}
