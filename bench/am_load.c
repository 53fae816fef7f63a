/* am_load.c: a closed-loop load generator for Amalgam and, for comparison,
 * hoc-kv (ShardedPaxos), used by bench/bench_amalgam.sh (make bench).
 *
 *   bench-am-load --cluster FILE [--mix write|xor|add] [common options]
 *   bench-am-load --kv HOST:PORT[,...] --size BYTES [--mix set|cas] [common options]
 *   bench-am-load --cluster FILE --rebuilt M [--seconds S]
 *
 * Common options: --conns N connections (threads, one op in flight each),
 * --seconds S, --blocks K (blocks or keys, split among the connections so
 * that each block has one writer), --fill 1 (instead of S seconds of random
 * ops: each block or key written once, for the storage figures),
 * --skip-machine M (Amalgam: leave out the blocks whose data server is
 * machine M, which is down). Amalgam ops go through amclient
 * (services/amalgam/amclient.h); a write's operand is a whole block, an
 * XOR's too (each a new block of pseudo-random bytes; --values zeros: one
 * byte and zeros, as the first benchmarks wrote, which zero runs carry
 * cheaply), an ADD's a number. The kv's ops are SET and CAS with values of
 * --size bytes (a random body, its first byte counting; zeros with
 * --values zeros) (its only read-modify-write that carries a value). The one
 * connection writing a block or key checks every reply it can (an op's old
 * block against what it left there, a CAS that must succeed): a mismatch
 * counts as an error. Prints one line: ops/s, p50 and p99 latency in ms,
 * errors, ops.
 *
 * --rebuilt M polls AM.RAW on every position machine M holds (its data
 * blocks and parity rows) until each answers, i.e. the restarted machine
 * rebuilt it, and prints the bytes rebuilt, the seconds from the start and
 * MB/s (10^6 bytes), then the seconds to the first position that answered
 * (the fixed part) and the MB/s of the rest; exit 1 if S seconds pass first. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "amclient.h"
#include "amcluster.h"
#include "amlayout.h"
#include "bench_dial.h"
#include "hoc_rt.h"
#include "rng.h"

#define MAX_CONNS 512
#define MAX_KV 16

typedef struct opts {
    const char *cluster, *kv, *mix;
    long conns, seconds, blocks, size, skip, rebuilt, fill, zeros;
} opts;

typedef struct worker {
    int id;
    const opts *o;
    const amc_cluster *c;
    const char *kvaddr[MAX_KV];
    int nkv;
    double stop;
    double *lat; /* seconds per op done */
    long nlat, cap;
    long errors;
    char err[256];
} worker;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void record(worker *w, double secs)
{
    if (w->nlat == w->cap) {
        long cap = w->cap ? 2 * w->cap : 4096;
        double *p = realloc(w->lat, sizeof *p * (size_t)cap);
        if (!p) return; /* out of memory: the op counts as done, not timed */
        w->lat = p, w->cap = cap;
    }
    w->lat[w->nlat++] = secs;
}

/* The blocks of this worker: index i (stripe i / g, shard i % g) with
 * i % conns == id, minus those of the skipped machine. */
static long my_blocks(const worker *w, int64_t *out, long cap)
{
    const aml_geom *geo = &w->c->geo;
    long total = (long)(geo->stripes * geo->g), n = 0;
    if (w->o->blocks > 0 && w->o->blocks < total) total = w->o->blocks;
    for (long i = w->id; i < total && n < cap; i += w->o->conns) {
        if (w->o->skip >= 0 && aml_data_machine(geo, i / geo->g, (int)(i % geo->g)) == w->o->skip)
            continue;
        out[n++] = i;
    }
    return n;
}

/* Fills p[0..n) with pseudo-random bytes from seed (hoc's generator). */
static void random_bytes(uint8_t *p, size_t n, uint64_t seed)
{
    for (size_t i = 0; i < n; i += 8) {
        uint64_t x = hoc_rng_next(&seed);
        memcpy(p + i, &x, n - i < 8 ? n - i : 8);
    }
}

/* What op cmd with operand v (ADD: the number add) makes of block b[0..bl). */
static void am_apply(const char *cmd, uint8_t *b, const uint8_t *v, uint64_t add, size_t bl)
{
    if (cmd[3] == 'W') {
        memcpy(b, v, bl);
    } else if (cmd[3] == 'X') {
        for (size_t i = 0; i < bl; i++)
            b[i] ^= v[i];
    } else { /* ADD at offset 0: a little-endian integer of 8 bytes (or the block's) */
        uint64_t carry = 0;
        for (size_t i = 0; i < bl && i < 8; i++) {
            uint64_t sum = (uint64_t)b[i] + (add >> (8 * i) & 0xff) + carry;
            b[i] = (uint8_t)sum;
            carry = sum >> 8;
        }
    }
}

static void *am_worker(void *arg)
{
    worker *w = arg;
    const amc_cluster *c = w->c;
    size_t bl = (size_t)c->block;
    amcl *cl = amcl_new(c, 10000);
    long cap = 1 << 16;
    int64_t *mine = malloc(sizeof *mine * (size_t)cap);
    uint8_t *v = calloc(1, bl), *old = malloc(bl), *pool = malloc(2 * bl), *shadow = NULL;
    uint8_t *known = calloc((size_t)cap, 1);
    long n = mine ? my_blocks(w, mine, cap) : 0;
    /* what this connection left in each of its blocks (each has one writer) */
    if (n > 0 && (size_t)n <= (SIZE_MAX / 2) / bl) shadow = calloc((size_t)n, bl);
    if (!cl || !mine || !v || !old || !pool || !known || (n > 0 && !shadow)) {
        snprintf(w->err, sizeof w->err, "out of memory (%ld blocks of %zu bytes)", n, bl);
        w->errors++;
        goto out;
    }
    random_bytes(pool, 2 * bl, (uint64_t)w->id + 1);
    const char *cmd = !strcmp(w->o->mix, "xor")   ? "AM.XOR"
                      : !strcmp(w->o->mix, "add") ? "AM.ADD"
                                                  : "AM.WRITE";
    unsigned seed = (unsigned)w->id * 2654435761u + 1;
    for (long k = 0; n > 0 && (w->o->fill ? k < n : now() < w->stop); k++) {
        long at = w->o->fill ? k : (long)(rand_r(&seed) % (unsigned)n);
        int64_t b = mine[at];
        char num[24];
        const uint8_t *args[1] = {v};
        size_t lens[1] = {bl};
        uint64_t add = (uint64_t)(1 + k % 255);
        if (w->o->zeros) { /* one byte and zeros, the blocks of the first benchmarks */
            v[0] = (uint8_t)add;
        } else { /* a new block of random bytes: a window of the pool, then k */
            memcpy(v, pool + rand_r(&seed) % bl, bl);
            memcpy(v, &k, bl < sizeof k ? bl : sizeof k);
        }
        if (cmd[3] == 'A') { /* ADD takes a number */
            lens[0] = (size_t)snprintf(num, sizeof num, "%llu", (unsigned long long)add);
            args[0] = (const uint8_t *)num;
        }
        double t0 = now();
        if (amcl_op(cl, cmd, b / c->geo.g, (int)(b % c->geo.g), 1, args, lens, old, w->err,
                    sizeof w->err)) {
            w->errors++;
            known[at] = 0; /* it may have run: what the block holds is unknown now */
            continue;
        }
        record(w, now() - t0);
        /* from a block's second op on, the old value a reply carries must be
         * the one this connection left there */
        uint8_t *mineb = shadow + (size_t)at * bl;
        if (known[at] && memcmp(old, mineb, bl) != 0) {
            size_t d = 0;
            while (old[d] == mineb[d])
                d++;
            snprintf(w->err, sizeof w->err,
                     "stripe %lld shard %d: the reply's old block differs at byte %zu (%02x) from "
                     "what this connection left there (%02x)",
                     (long long)(b / c->geo.g), (int)(b % c->geo.g), d, old[d], mineb[d]);
            w->errors++;
        }
        memcpy(mineb, old, bl);
        am_apply(cmd, mineb, v, add, bl);
        known[at] = 1;
    }
out:
    amcl_free(cl);
    free(mine), free(v), free(old), free(pool), free(shadow), free(known);
    return NULL;
}

/* ---- the kv side: RESP over one blocking socket ---- */

static int put_arg(char *buf, size_t cap, size_t *len, const void *p, size_t n)
{
    int k = snprintf(buf + *len, cap - *len, "$%zu\r\n", n);
    if (k < 0 || *len + (size_t)k + n + 2 > cap) return -1;
    *len += (size_t)k;
    memcpy(buf + *len, p, n), *len += n;
    memcpy(buf + *len, "\r\n", 2), *len += 2;
    return 0;
}

/* Reads one reply (status, error, integer or bulk) into in: 1 if an error
 * reply, 0 otherwise, -1 when the connection failed. */
static int kv_reply(int fd, char *in, size_t cap)
{
    size_t n = 0;
    long long want = -1;
    for (;;) {
        ssize_t r = read(fd, in + n, cap - n - 1);
        if (r <= 0) return -1;
        n += (size_t)r;
        in[n] = 0;
        char *eol = strstr(in, "\r\n");
        if (!eol) continue;
        if (in[0] != '$') return in[0] == '-';
        if (want < 0) want = atoll(in + 1) < 0 ? 0 : (long long)(eol - in) + 2 + atoll(in + 1) + 2;
        if ((long long)n >= want) return 0;
        if ((size_t)want >= cap) return -1;
    }
}

static void *kv_worker(void *arg)
{
    worker *w = arg;
    size_t vs = (size_t)w->o->size, cap = 2 * vs + 256;
    char *buf = malloc(cap), *in = malloc(vs + 256), key[32];
    uint8_t *cur = calloc(1, vs), *next = calloc(1, vs);
    if (cur && next && !w->o->zeros) { /* a random body (the kv stores bytes as they come) */
        random_bytes(cur, vs, (uint64_t)w->id + 1);
        cur[0] = 0; /* the first byte counts the key's writes (val) */
        memcpy(next, cur, vs);
    }
    int fd = bench_dial(w->kvaddr[w->id % w->nkv]);
    int cas = !strcmp(w->o->mix, "cas");
    long nkeys = w->o->blocks / w->o->conns;
    if (nkeys < 1) nkeys = 1;
    uint8_t *val = calloc((size_t)nkeys, 1); /* each key's first byte, as last written */
    if (!buf || !in || !cur || !next || !val || fd < 0) {
        snprintf(w->err, sizeof w->err, "cannot connect to %s or out of memory",
                 w->kvaddr[w->id % w->nkv]);
        w->errors++;
        goto out;
    }
    /* CAS needs the keys to exist: each is set first, untimed unless that is the run */
    for (long i = 0; (cas || w->o->fill) && i < nkeys; i++) {
        double t0 = now();
        size_t len = (size_t)snprintf(buf, cap, "*3\r\n");
        snprintf(key, sizeof key, "k%d:%ld", w->id, i);
        put_arg(buf, cap, &len, "SET", 3), put_arg(buf, cap, &len, key, strlen(key));
        put_arg(buf, cap, &len, cur, vs);
        if (send(fd, buf, len, MSG_NOSIGNAL) != (ssize_t)len || kv_reply(fd, in, vs + 256)) {
            w->errors++;
            goto out;
        }
        if (w->o->fill) record(w, now() - t0);
    }
    unsigned seed = (unsigned)w->id * 2654435761u + 1;
    for (long k = 0; !w->o->fill && now() < w->stop; k++) {
        long i = (long)(rand_r(&seed) % (unsigned)nkeys);
        snprintf(key, sizeof key, "k%d:%ld", w->id, i);
        cur[0] = val[i];
        next[0] = (uint8_t)(val[i] + 1);
        size_t len = (size_t)snprintf(buf, cap, "*%d\r\n", cas ? 4 : 3);
        put_arg(buf, cap, &len, cas ? "CAS" : "SET", 3);
        put_arg(buf, cap, &len, key, strlen(key));
        if (cas) put_arg(buf, cap, &len, cur, vs);
        put_arg(buf, cap, &len, next, vs);
        double t0 = now();
        int rc = send(fd, buf, len, MSG_NOSIGNAL) == (ssize_t)len ? kv_reply(fd, in, vs + 256) : -1;
        if (rc < 0) {
            snprintf(w->err, sizeof w->err, "connection lost");
            w->errors++;
            break;
        }
        if (rc || (cas && strncmp(in, ":1", 2))) { /* a key has one writer: CAS must hold */
            snprintf(w->err, sizeof w->err, "%s: %.200s", cas ? "CAS" : "SET", in);
            w->errors++;
            continue;
        }
        record(w, now() - t0);
        val[i] = next[0];
    }
out:
    if (fd >= 0) close(fd);
    free(buf), free(in), free(cur), free(next), free(val);
    return NULL;
}

/* ---- --rebuilt M ---- */

static int await_rebuilt(const amc_cluster *c, int m, long seconds)
{
    double t0 = now(), first = -1;
    amcl *cl = amcl_new(c, 0); /* one try a position a pass */
    uint8_t *out = malloc((size_t)c->block);
    int64_t bytes = 0, ctr[16], left = 0, done = 0;
    int64_t *todo = malloc(sizeof *todo * (size_t)c->geo.stripes);
    double *at = malloc(sizeof *at * (size_t)c->geo.stripes);
    char err[256] = "";
    int rc = 0;
    if (!cl || !out || !todo || !at) rc = 2;
    for (int64_t b = 0; b < c->geo.stripes && !rc; b++) {
        int pos = aml_position(&c->geo, b, m);
        if (pos >= 0 && pos < c->geo.g + c->geo.f) todo[left++] = b; /* a witness holds none */
    }
    /* pass after pass over the positions not yet answered, since instances
     * rebuild in no particular order: the first answer marks the end of the
     * fixed part (restart, replacement rounds), the last one the rebuild's */
    while (left > 0 && !rc) {
        int64_t kept = 0;
        for (int64_t i = 0; i < left; i++) {
            int nctr = 16, pos = aml_position(&c->geo, todo[i], m);
            if (amcl_raw(cl, todo[i], pos, out, ctr, &nctr, err, sizeof err)) {
                todo[kept++] = todo[i];
                continue;
            }
            at[done++] = now() - t0;
            if (first < 0) first = at[0];
            bytes += c->block;
        }
        if (kept == left) { /* nothing new: do not spin on the restarting machine */
            struct timespec ts = {0, 10 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
        left = kept;
        if (left > 0 && now() - t0 > (double)seconds) {
            fprintf(stderr, "bench-am-load: stripe %lld not rebuilt after %ld s (%lld left): %s\n",
                    (long long)todo[0], seconds, (long long)left, err);
            rc = 1;
        }
    }
    double secs = now() - t0;
    if (!rc) /* bytes, seconds, MB/s; the first block's seconds, and MB/s after it */
        printf("%lld %.3f %.1f %.3f %.1f\n", (long long)bytes, secs, (double)bytes / secs / 1e6,
               first, secs > first ? (double)(bytes - c->block) / (secs - first) / 1e6 : 0.0);
    if (!rc && done > 0) /* when the positions answered: the shape of the rebuild */
        fprintf(stderr,
                "bench-am-load: rebuilt positions answered at (s) 0%% %.2f 10%% %.2f 50%% %.2f "
                "90%% %.2f 100%% %.2f\n",
                at[0], at[done / 10], at[done / 2], at[done * 9 / 10], at[done - 1]);
    amcl_free(cl);
    free(out);
    free(todo);
    free(at);
    return rc;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int usage(void)
{
    fprintf(stderr,
            "usage: bench-am-load --cluster FILE [--mix write|xor|add] | --kv HOST:PORT[,...] "
            "--size BYTES [--mix set|cas]\n"
            "       [--conns N] [--seconds S] [--blocks K] [--fill 0|1] [--skip-machine M]\n"
            "       [--values random|zeros]\n"
            "       bench-am-load --cluster FILE --rebuilt M [--seconds S]\n");
    return 2;
}

int main(int argc, char **argv)
{
    opts o = {
        .mix = NULL, .conns = 16, .seconds = 5, .blocks = 0, .size = 0, .skip = -1, .rebuilt = -1};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) return usage();
        char *end = NULL;
        long n = strtol(v, &end, 10);
        int isnum = end && *end == 0 && end != v;
        if (!strcmp(a, "--cluster"))
            o.cluster = v;
        else if (!strcmp(a, "--kv"))
            o.kv = v;
        else if (!strcmp(a, "--mix"))
            o.mix = v;
        else if (!strcmp(a, "--conns") && isnum && n >= 1 && n <= MAX_CONNS)
            o.conns = n;
        else if (!strcmp(a, "--seconds") && isnum && n >= 1)
            o.seconds = n;
        else if (!strcmp(a, "--blocks") && isnum && n >= 1)
            o.blocks = n;
        else if (!strcmp(a, "--size") && isnum && n >= 1 && n <= (1 << 24))
            o.size = n;
        else if (!strcmp(a, "--skip-machine") && isnum && n >= 0)
            o.skip = n;
        else if (!strcmp(a, "--rebuilt") && isnum && n >= 0)
            o.rebuilt = n;
        else if (!strcmp(a, "--fill") && isnum && n >= 0 && n <= 1)
            o.fill = n;
        else if (!strcmp(a, "--values") && (!strcmp(v, "random") || !strcmp(v, "zeros")))
            o.zeros = !strcmp(v, "zeros");
        else
            return usage();
        i++;
    }
    if (!o.cluster == !o.kv || (o.kv && !o.size)) return usage();
    if (!o.mix) o.mix = o.kv ? "set" : "write";
    static const char *const am_mix[] = {"write", "xor", "add"}, *const kv_mix[] = {"set", "cas"};
    int ok = 0;
    for (int i = 0; i < (o.kv ? 2 : 3); i++)
        ok |= !strcmp(o.mix, o.kv ? kv_mix[i] : am_mix[i]);
    if (!ok) return usage();

    amc_cluster c = {0};
    char err[512];
    if (o.cluster && amc_load(o.cluster, &c, err, sizeof err)) {
        fprintf(stderr, "bench-am-load: %s\n", err);
        return 2;
    }
    if (o.cluster && (o.skip >= c.geo.machines || o.rebuilt >= c.geo.machines)) {
        fprintf(stderr, "bench-am-load: machine out of range (the cluster has %d)\n",
                c.geo.machines);
        amc_free(&c);
        return 2;
    }
    if (o.rebuilt >= 0) {
        int rc = await_rebuilt(&c, (int)o.rebuilt, o.seconds);
        amc_free(&c);
        return rc;
    }
    if (o.kv && !o.blocks) o.blocks = 10000;
    worker *w = calloc((size_t)o.conns, sizeof *w);
    pthread_t *th = calloc((size_t)o.conns, sizeof *th);
    char *kvs = o.kv ? strdup(o.kv) : NULL;
    if (!w || !th || (o.kv && !kvs)) return 2;
    int nkv = 0;
    const char *kvaddr[MAX_KV];
    for (char *s = kvs, *tok; s && (tok = strsep(&s, ","));) {
        if (nkv == MAX_KV) {
            fprintf(stderr, "bench-am-load: --kv takes at most %d addresses\n", MAX_KV);
            free(w), free(th), free(kvs);
            return 2;
        }
        kvaddr[nkv++] = tok;
    }
    double t0 = now();
    for (long i = 0; i < o.conns; i++) {
        w[i] = (worker){.id = (int)i, .o = &o, .c = &c, .nkv = nkv, .stop = t0 + (double)o.seconds};
        memcpy(w[i].kvaddr, kvaddr, sizeof kvaddr);
        if (pthread_create(&th[i], NULL, o.kv ? kv_worker : am_worker, &w[i])) return 2;
    }
    long total = 0, errors = 0;
    for (long i = 0; i < o.conns; i++) {
        pthread_join(th[i], NULL);
        total += w[i].nlat, errors += w[i].errors;
    }
    double secs = now() - t0;
    double *all = malloc(sizeof *all * (size_t)(total ? total : 1));
    long k = 0;
    for (long i = 0; i < o.conns; i++) {
        if (all) memcpy(all + k, w[i].lat, sizeof *all * (size_t)w[i].nlat);
        k += w[i].nlat;
        if (w[i].errors && w[i].err[0])
            fprintf(stderr, "bench-am-load: conn %ld: %s\n", i, w[i].err);
        free(w[i].lat);
    }
    if (all && total) qsort(all, (size_t)total, sizeof *all, cmp);
    double p50 = total && all ? all[total / 2] : 0, p99 = total && all ? all[total * 99 / 100] : 0;
    printf("%.0f %.3f %.3f %ld %ld\n", (double)total / secs, p50 * 1e3, p99 * 1e3, errors, total);
    free(all), free(w), free(th), free(kvs);
    amc_free(&c);
    return 0;
}
