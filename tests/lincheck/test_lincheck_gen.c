/* test_lincheck_gen.c: histories made from a real sequential execution.
 *
 * A reference store (a few arrays, nothing shared with the models) runs ops
 * one after another at linearization points 10 us apart; each op then gets
 * an interval around its point, overlapping others', and a client that never
 * runs two at once. Such a history is linearizable by construction, pending
 * ops (applied or not) included. Mutations that provably break it:
 *   - a read returns a value no op ever writes;
 *   - an INCRBY returns more than all increments of its key together;
 *   - a read that returns before a write is called sees that write's unique
 *     value.
 * Also: the budget (time, steps, memory) gives "unknown", never a verdict;
 * and with "perf", 10k ops over 100 keys and 8 clients, timed. */
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "hoc_check.h"
#include "lin_check.h"
#include "lin_kv.h"
#include "lin_text.h"
#include "rng.h"

#define MAXARGS 6
#define VALLEN 32
#define GROUP 4 /* register keys that multi-key ops mix */

typedef struct gop {
    char name[8];
    char arg[MAXARGS][VALLEN];
    int nargs;
    char res[MAXARGS][VALLEN];
    bool nil[MAXARGS];
    int nres;
    bool expect_nil; /* CAS: the expected value (argument 1) is nil */
    int client;
    int64_t lin, call, ret; /* ret LIN_PENDING: no reply */
    bool applied;
} gop;

typedef struct gen {
    int nreg, ncnt, nclients;
    char (*val)[VALLEN]; /* the reference store: registers, then counters */
    bool *set;
    uint64_t rng;
    gop *ops;
    int n;
} gen;

static int pick(gen *g, int n)
{
    return (int)hoc_rng_below(&g->rng, (uint64_t)n);
}

static void key_name(const gen *g, int k, char *out)
{
    snprintf(out, VALLEN, k < g->nreg ? "r%d" : "n%d", k < g->nreg ? k : k - g->nreg);
}

/* Sets result r of op to key k's value in the reference store. */
static void result_of(const gen *g, gop *op, int r, int k)
{
    op->nil[r] = !g->set[k];
    snprintf(op->res[r], VALLEN, "%s", g->val[k]);
}

static void write_key(gen *g, int k, const char *v)
{
    g->set[k] = v != NULL;
    snprintf(g->val[k], VALLEN, "%s", v ? v : "");
}

static void gen_counter(gen *g, gop *op, int i)
{
    (void)i;
    int k = g->nreg + pick(g, g->ncnt);
    key_name(g, k, op->arg[0]);
    op->nargs = op->nres = 1;
    if (pick(g, 10) < 3) {
        strcpy(op->name, "GET");
        result_of(g, op, 0, k);
        return;
    }
    strcpy(op->name, "INCRBY");
    long long d = 1 + pick(g, 5), cur = g->set[k] ? atoll(g->val[k]) : 0;
    snprintf(op->arg[1], VALLEN, "%lld", d);
    op->nargs = 2;
    if (!op->applied) return;
    char v[VALLEN];
    snprintf(v, sizeof v, "%lld", cur + d);
    write_key(g, k, v);
    result_of(g, op, 0, k);
}

/* A multi-key op over two keys of one group: MGET, MSET or DEL. */
static void gen_multi(gen *g, gop *op, int i, int k1, int k2)
{
    key_name(g, k1, op->arg[0]);
    int what = pick(g, 3);
    if (what == 0) {
        strcpy(op->name, "MGET");
        key_name(g, k2, op->arg[1]);
        op->nargs = op->nres = 2;
        result_of(g, op, 0, k1), result_of(g, op, 1, k2);
    } else if (what == 1) {
        strcpy(op->name, "MSET");
        key_name(g, k2, op->arg[2]);
        snprintf(op->arg[1], VALLEN, "v%da", i), snprintf(op->arg[3], VALLEN, "v%db", i);
        op->nargs = 4, op->nres = 1;
        strcpy(op->res[0], "OK");
        if (op->applied) write_key(g, k1, op->arg[1]), write_key(g, k2, op->arg[3]);
    } else {
        strcpy(op->name, "DEL");
        key_name(g, k2, op->arg[1]);
        op->nargs = 2, op->nres = 1;
        snprintf(op->res[0], VALLEN, "%d", g->set[k1] + (k1 != k2 && g->set[k2]));
        if (op->applied) write_key(g, k1, NULL), write_key(g, k2, NULL);
    }
}

static void gen_register(gen *g, gop *op, int i)
{
    int k = pick(g, g->nreg), k2 = k / GROUP * GROUP + pick(g, GROUP);
    if (k2 >= g->nreg) k2 = k;
    int what = pick(g, 20);
    key_name(g, k, op->arg[0]);
    op->nargs = op->nres = 1;
    if (what < 7) {
        strcpy(op->name, "GET");
        result_of(g, op, 0, k);
    } else if (what < 12) {
        strcpy(op->name, "SET");
        snprintf(op->arg[1], VALLEN, "v%d", i);
        op->nargs = 2;
        strcpy(op->res[0], "OK");
        if (op->applied) write_key(g, k, op->arg[1]);
    } else if (what < 15) {
        strcpy(op->name, "CAS");
        /* expect the current value mostly, else a value of another key */
        int from = pick(g, 3) ? k : k2;
        snprintf(op->arg[1], VALLEN, "%s", g->set[from] ? g->val[from] : "");
        snprintf(op->arg[2], VALLEN, "v%d", i);
        op->expect_nil = !g->set[from];
        op->nargs = 3;
        int swap = g->set[from] == g->set[k] && strcmp(g->val[from], g->val[k]) == 0;
        strcpy(op->res[0], swap ? "1" : "0");
        if (op->applied && swap) write_key(g, k, op->arg[2]);
    } else {
        gen_multi(g, op, i, k, k2);
    }
}

/* Gives each op an interval around its point; a client's intervals never
 * overlap (a client that gave up on an op waits its give-up time). */
static void gen_intervals(gen *g, int64_t width)
{
    int64_t *free_at = calloc((size_t)g->nclients, sizeof *free_at);
    for (int i = 0; i < g->n; i++) {
        gop *op = &g->ops[i];
        int64_t lo = op->lin - (int64_t)hoc_rng_below(&g->rng, (uint64_t)width);
        if (lo < free_at[op->client]) lo = free_at[op->client];
        op->call = lo;
        /* the client's next op is not before its own point */
        int64_t hi = op->lin + (int64_t)hoc_rng_below(&g->rng, (uint64_t)width);
        for (int j = i + 1; j < g->n; j++)
            if (g->ops[j].client == op->client) {
                if (hi >= g->ops[j].lin) hi = g->ops[j].lin - 1;
                break;
            }
        if (op->ret != LIN_PENDING) op->ret = hi;
        free_at[op->client] = hi + 1;
    }
    free(free_at);
}

/* n ops on nreg register and ncnt counter keys by nclients clients; about
 * pending in 100 ops get no reply (half of them applied). */
static void gen_run(gen *g, uint64_t seed, int n, int nreg, int ncnt, int nclients, int pending)
{
    memset(g, 0, sizeof *g);
    g->rng = seed * 0x9e3779b97f4a7c15u + 1;
    g->nreg = nreg, g->ncnt = ncnt, g->nclients = nclients, g->n = n;
    g->val = calloc((size_t)(nreg + ncnt), sizeof *g->val);
    g->set = calloc((size_t)(nreg + ncnt), sizeof *g->set);
    g->ops = calloc((size_t)n, sizeof *g->ops);
    for (int i = 0; i < n; i++) {
        gop *op = &g->ops[i];
        op->client = pick(g, nclients);
        op->lin = 10 * (int64_t)i + 1000;
        int no_reply = pick(g, 100) < pending;
        op->applied = !no_reply || pick(g, 2);
        op->ret = no_reply ? LIN_PENDING : 0;
        if (pick(g, 10) < 2 && ncnt)
            gen_counter(g, op, i);
        else
            gen_register(g, op, i);
        if (no_reply) op->nres = 0;
    }
    gen_intervals(g, 150);
}

static void gen_free(gen *g)
{
    free(g->val), free(g->set), free(g->ops);
}

static void to_history(const gen *g, lin_history *h)
{
    char err[256], client[16];
    for (int i = 0; i < g->n; i++) {
        const gop *op = &g->ops[i];
        lin_val args[MAXARGS], res[MAXARGS];
        for (int a = 0; a < op->nargs; a++)
            args[a] = lin_history_str(op->arg[a]);
        if (op->expect_nil) args[1] = lin_history_nil();
        for (int r = 0; r < op->nres; r++)
            res[r] = op->nil[r] ? lin_history_nil() : lin_history_str(op->res[r]);
        snprintf(client, sizeof client, "c%d", op->client);
        if (op->client < 0) strcpy(client, "stale");
        if (lin_history_add(h, lin_history_client(h, client), op->call, op->ret, op->name, args,
                            (size_t)op->nargs, res, (size_t)op->nres, 0, err, sizeof err) < 0)
            fprintf(stderr, "generator bug: %s\n", err);
    }
}

/* The verdict on g's history (dumped to stderr when it is not want). */
static lin_verdict verdict(const gen *g, bool whole, double budget, lin_verdict want, double *secs)
{
    lin_model m;
    lin_kv_model(&m);
    lin_history h;
    lin_history_init(&h);
    to_history(g, &h);
    lin_options o = {.budget_s = budget, .whole = whole};
    lin_result r;
    char err[256];
    lin_verdict v = LIN_UNKNOWN;
    if (lin_check_run(&m, &h, &o, &r, err, sizeof err) == 0) {
        v = r.verdict;
        if (secs) *secs = r.seconds;
        lin_check_free(&r);
    } else {
        fprintf(stderr, "generator bug: %s\n", err);
    }
    if (v != want && h.nops <= 500) lin_text_write(stderr, &h);
    lin_history_free(&h);
    m.free(m.ctx);
    return v;
}

/* The first completed op at or after from named name (on a register key
 * when reg), or -1. */
static int find_op(const gen *g, int from, const char *name, int reg)
{
    for (int i = from; i < g->n; i++) {
        const gop *op = &g->ops[i];
        if (op->ret != LIN_PENDING && strcmp(op->name, name) == 0 && (!reg || op->arg[0][0] == 'r'))
            return i;
    }
    return -1;
}

static int mutate_unwritten(gen *g)
{
    int i = find_op(g, g->n / 2, "GET", 1);
    if (i < 0) i = find_op(g, 0, "MGET", 1);
    if (i < 0) return 0;
    snprintf(g->ops[i].res[0], VALLEN, "never-written-%d", i);
    g->ops[i].nil[0] = false;
    return 1;
}

static int mutate_counter(gen *g)
{
    int i = find_op(g, g->n / 2, "INCRBY", 0);
    if (i < 0) i = find_op(g, 0, "INCRBY", 0);
    if (i < 0) return 0;
    long long total = 0;
    for (int j = 0; j < g->n; j++)
        if (strcmp(g->ops[j].name, "INCRBY") == 0 &&
            strcmp(g->ops[j].arg[0], g->ops[i].arg[0]) == 0)
            total += atoll(g->ops[j].arg[1]);
    snprintf(g->ops[i].res[0], VALLEN, "%lld", total + 1);
    return 1;
}

/* Appends a read of a SET's unique value that returns before the SET is
 * called. */
static int mutate_stale(gen *g)
{
    int i = find_op(g, g->n / 3, "SET", 1);
    if (i < 0 || g->ops[i].call < 2) return 0;
    gop read = {.name = "GET", .nargs = 1, .nres = 1, .client = -1, .applied = true};
    strcpy(read.arg[0], g->ops[i].arg[0]);
    strcpy(read.res[0], g->ops[i].arg[1]);
    read.call = g->ops[i].call - 2, read.ret = g->ops[i].call - 1;
    g->ops = realloc(g->ops, (size_t)(g->n + 1) * sizeof *g->ops);
    g->ops[g->n++] = read;
    return 1;
}

static void test_generated(void)
{
    int (*mutations[])(gen *) = {mutate_unwritten, mutate_counter, mutate_stale};
    int ok = 0, caught = 0, mutants = 0;
    for (uint64_t seed = 1; seed <= 40; seed++) {
        gen g;
        gen_run(&g, seed, 400, 2 * GROUP, 2, 8, 4);
        int good = verdict(&g, false, 30, LIN_LINEARIZABLE, NULL) == LIN_LINEARIZABLE;
        if (seed <= 5) good &= verdict(&g, true, 30, LIN_LINEARIZABLE, NULL) == LIN_LINEARIZABLE;
        CHECK(good);
        ok += good;
        gen_free(&g);
        for (size_t k = 0; k < sizeof mutations / sizeof *mutations; k++) {
            gen_run(&g, seed, 400, 2 * GROUP, 2, 8, 4);
            if (mutations[k](&g)) {
                mutants++;
                int bad = verdict(&g, false, 30, LIN_VIOLATION, NULL) == LIN_VIOLATION;
                CHECK(bad);
                caught += bad;
            }
            gen_free(&g);
        }
    }
    printf("generated: 40 of 40 expected linearizable, %d are; %d of %d mutants caught\n", ok,
           caught, mutants);
    CHECK(mutants >= 100);
}

/* 24 concurrent writes, then a read of a value none wrote: refuting it
 * means trying every order of the writes (about 24 * 2^23 pairs). */
static void hard_history(lin_history *h, int with_easy_violation)
{
    char err[256], v[16];
    for (int i = 0; i < 24; i++) {
        snprintf(v, sizeof v, "%d", i);
        lin_val args[2] = {lin_history_str("x"), lin_history_str(v)}, res = lin_history_str("OK");
        lin_history_add(h, lin_history_client(h, v), i, 1000, "SET", args, 2, &res, 1, 0, err,
                        sizeof err);
    }
    lin_val key = lin_history_str("x"), res = lin_history_str("never");
    lin_history_add(h, lin_history_client(h, "r"), 2000, 2001, "GET", &key, 1, &res, 1, 0, err,
                    sizeof err);
    if (with_easy_violation)
        lin_text_read_string("w 0 1 SET y 1 -> OK\nr2 5 6 GET y -> nil", h, err, sizeof err);
}

static void test_budget(void)
{
    struct {
        lin_options o;
        const char *why;
        int easy;
        lin_verdict want;
    } cases[] = {
        {{.budget_s = 0.3}, "time", 0, LIN_UNKNOWN},
        {{.max_steps = 20000}, "steps", 0, LIN_UNKNOWN},
        {{.max_bytes = 1 << 20}, "memory", 0, LIN_UNKNOWN},
        /* the small partition that fails is searched first */
        {{.budget_s = 0.3}, NULL, 1, LIN_VIOLATION},
        /* memory is per partition: the next partition still gives a verdict */
        {{.max_bytes = 1 << 20, .all = true}, NULL, 1, LIN_VIOLATION},
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        lin_model m;
        lin_kv_model(&m);
        lin_history h;
        lin_history_init(&h);
        hard_history(&h, cases[c].easy);
        lin_result r;
        char err[256];
        double t0 = hoc_now_s();
        CHECK(lin_check_run(&m, &h, &cases[c].o, &r, err, sizeof err) == 0);
        double secs = hoc_now_s() - t0;
        CHECK(r.verdict == cases[c].want);
        CHECK(cases[c].why ? r.why && strcmp(r.why, cases[c].why) == 0 : r.why == NULL);
        CHECK(secs < 5);
        printf("budget case %zu: %s (%s) in %.3f s\n", c, lin_check_verdict_name(r.verdict),
               r.why ? r.why : "-", secs);
        lin_check_free(&r);
        lin_history_free(&h);
        m.free(m.ctx);
    }
}

/* One timed check of 10k ops over 100 keys (80 registers in groups of 4,
 * 20 counters) by 8 clients, pending in 100 without reply. */
static void perf_case(const char *what, int pending, bool whole, int stale, lin_verdict want)
{
    gen g;
    double t = 0;
    gen_run(&g, 7, 10000, 80, 20, 8, pending);
    if (stale) mutate_stale(&g);
    lin_verdict v = verdict(&g, whole, 30, want, &t);
    /* the budget may cut a search short, but no verdict may be wrong */
    CHECK(v == want || (v == LIN_UNKNOWN && whole));
    printf("perf: 10000 ops, 100 keys, 8 clients, %d%% without reply, %s: %s in %.3f s\n", pending,
           what, lin_check_verdict_name(v), t);
    gen_free(&g);
}

static void test_perf(void)
{
    perf_case("partitioned", 2, false, 0, LIN_LINEARIZABLE);
    perf_case("partitioned", 10, false, 0, LIN_LINEARIZABLE);
    perf_case("partitioned, with a stale read", 2, false, 1, LIN_VIOLATION);
    perf_case("as one partition (--whole)", 0, true, 0, LIN_LINEARIZABLE);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "perf") == 0) {
        test_perf();
        return check_summary("lincheck-perf");
    }
    test_generated();
    test_budget();
    return check_summary("lincheck-gen");
}
