/* test_kv_unit.c: hoc-kv's parts without sockets: the RESP parser (every
 * prefix of a request is incomplete, malformed requests are refused, random
 * bytes never read past the end), commands and batches on the wire
 * (truncated and random bytes refused), and the store with its client table
 * (each command once, in order); commands in parts (joined in order, once,
 * across a snapshot; too large, or not whole, refused); snapshots of the
 * store; the write-ahead
 * log (records replayed in order, a torn tail and a flipped byte cut at the
 * last good record, a snapshot read back, segments removed behind it). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hoc_check.h"
#include "kvcmd.h"
#include "kvstore.h"
#include "kvwal.h"
#include "resp.h"
#include "rng.h"

static uint64_t seed = 99;

static void resp_tests(void)
{
    resp_req r = {0};
    size_t used;
    const char *why;
    const char *ok = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n";
    size_t n = strlen(ok);
    CHECK(resp_parse((const uint8_t *)ok, n, &r, &used, &why) == RESP_OK && used == n &&
          r.argc == 3 && r.lens[2] == 0 && resp_is(r.argv[0], r.lens[0], "set"));
    for (size_t k = 0; k < n; k++)
        CHECK(resp_parse((const uint8_t *)ok, k, &r, &used, &why) == RESP_MORE);
    CHECK(resp_parse((const uint8_t *)"PING  x\r\n", 9, &r, &used, &why) == RESP_OK &&
          r.argc == 2 && used == 9);
    CHECK(resp_parse((const uint8_t *)"\r\n", 2, &r, &used, &why) == RESP_OK && r.argc == 0);
    const char *bad[] = {
        "*x\r\n",        "*1\r\n:1\r\n",        "*1\r\n$-5\r\n", "*1\r\n$2\r\nabc\r\n",
        "*99999999\r\n", "*1\r\n$17000000\r\n", "PING\n"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        CHECK(resp_parse((const uint8_t *)bad[i], strlen(bad[i]), &r, &used, &why) == RESP_BAD &&
              why);
    for (int i = 0; i < 100000; i++) { /* random bytes: refused or incomplete, never overread */
        size_t l = hoc_rng_next(&seed) % 40;
        uint8_t *b = malloc(l + 1);
        for (size_t k = 0; k < l; k++)
            b[k] = "*$\r\n0123x"[hoc_rng_next(&seed) % 9];
        if (resp_parse(b, l, &r, &used, &why) == RESP_OK) CHECK(used <= l);
        free(b);
    }
    resp_req_free(&r);
}

static void cmd_tests(void)
{
    hoc_buf b = {0};
    const uint8_t *args[2] = {(const uint8_t *)"key", (const uint8_t *)"value"};
    size_t lens[2] = {3, 5};
    kv_cmd_encode(&b, 7, 3, KV_SET, 2, args, lens);
    CHECK(b.n == kv_cmd_size(2, lens));
    kv_cmd *c = malloc(sizeof *c);
    CHECK(kv_cmd_decode((const uint8_t *)b.p, b.n, c) == b.n && c->client == 7 && c->seq == 3 &&
          c->op == KV_SET && c->nargs == 2 && c->lens[1] == 5 &&
          memcmp(c->args[1], "value", 5) == 0);
    for (size_t k = 0; k < b.n; k++)
        CHECK(kv_cmd_decode((const uint8_t *)b.p, k, c) == 0);
    b.p[20] = 99; /* an unknown op */
    CHECK(kv_cmd_decode((const uint8_t *)b.p, b.n, c) == 0);
    for (int i = 0; i < 100000; i++) {
        uint8_t r[64];
        size_t l = hoc_rng_next(&seed) % sizeof r;
        for (size_t k = 0; k < l; k++)
            r[k] = (uint8_t)(hoc_rng_next(&seed) % 4);
        size_t u = kv_cmd_decode(r, l, c);
        CHECK(u <= l);
    }
    uint8_t h[KV_BATCH_HDR];
    uint32_t prop, count;
    uint64_t term;
    size_t off;
    kv_batch_header(h, 2, 5, 9);
    CHECK(kv_batch_open(h, sizeof h, &prop, &term, &count, &off) && prop == 2 && term == 5 &&
          count == 9 && off == KV_BATCH_HDR);
    CHECK(kv_batch_open(h, 0, &prop, &term, &count, &off) && count == 0); /* the empty input */
    uint8_t zeros[64] = {0};
    CHECK(kv_batch_open(zeros, sizeof zeros, &prop, &term, &count, &off) && count == 0);
    CHECK(!kv_batch_open(h, 7, &prop, &term, &count, &off));
    h[0] ^= 1;
    CHECK(!kv_batch_open(h, sizeof h, &prop, &term, &count, &off));
    free(c);
    hoc_buf_free(&b);
}

/* Applies (client, seq, op, args) and returns the reply ("" when none). */
static const char *apply(kv_store *s, uint64_t client, uint64_t seq, kv_op op, int nargs,
                         const char *const *a, kv_applied *how)
{
    static hoc_buf reply;
    static kv_cmd c;
    c.client = client, c.seq = seq, c.op = op, c.nargs = (uint32_t)nargs;
    for (int i = 0; i < nargs; i++)
        c.args[i] = (const uint8_t *)a[i], c.lens[i] = (uint32_t)strlen(a[i]);
    reply.n = 0;
    *how = kv_store_apply(s, &c, &reply);
    return reply.n ? hoc_buf_str(&reply) : "";
}

static void store_tests(void)
{
    kv_store *s = kv_store_new();
    kv_applied how;
    CHECK(strcmp(apply(s, 1, 1, KV_SET, 2, (const char *[]){"a", "5"}, &how), "+OK\r\n") == 0 &&
          how == KV_APPLIED);
    CHECK(strcmp(apply(s, 1, 2, KV_INCRBY, 2, (const char *[]){"a", "-7"}, &how), ":-2\r\n") == 0);
    /* a retry of command 2: dropped; command 4 before 3: not yet */
    CHECK(strcmp(apply(s, 1, 2, KV_INCRBY, 2, (const char *[]){"a", "-7"}, &how), "") == 0 &&
          how == KV_DUPLICATE);
    CHECK(strcmp(apply(s, 1, 4, KV_GET, 1, (const char *[]){"a"}, &how), "") == 0 &&
          how == KV_EARLY);
    CHECK(strcmp(apply(s, 1, 3, KV_GET, 1, (const char *[]){"a"}, &how), "$2\r\n-2\r\n") == 0);
    CHECK(strcmp(apply(s, 2, 1, KV_CAS, 3, (const char *[]){"a", "-2", "x"}, &how), ":1\r\n") == 0);
    CHECK(strcmp(apply(s, 2, 2, KV_CAS, 3, (const char *[]){"a", "-2", "y"}, &how), ":0\r\n") == 0);
    CHECK(strcmp(apply(s, 2, 3, KV_INCRBY, 2, (const char *[]){"a", "1"}, &how),
                 "-ERR value is not an integer or out of range\r\n") == 0);
    CHECK(strcmp(apply(s, 2, 4, KV_MSET, 4, (const char *[]){"b", "1", "c", "2"}, &how),
                 "+OK\r\n") == 0);
    CHECK(strcmp(apply(s, 2, 5, KV_MGET, 3, (const char *[]){"b", "zz", "c"}, &how),
                 "*3\r\n$1\r\n1\r\n$-1\r\n$1\r\n2\r\n") == 0);
    CHECK(strcmp(apply(s, 2, 6, KV_DEL, 3, (const char *[]){"b", "zz", "c"}, &how), ":2\r\n") == 0);
    CHECK(strcmp(apply(s, 2, 7, KV_SET, 1, (const char *[]){"b"}, &how),
                 "-ERR wrong number of arguments\r\n") == 0);
    CHECK(kv_store_keys(s) == 1 && kv_store_clients(s) == 2);
    apply(s, 2, 8, KV_CLOSE, 0, NULL, &how);
    CHECK(how == KV_APPLIED && kv_store_clients(s) == 1);
    /* a retry of client 2's commands still in flight after its close: dropped,
     * not taken for a new client's (the nemesis soak saw an MSET twice) */
    CHECK(strcmp(apply(s, 2, 1, KV_CAS, 3, (const char *[]){"a", "x", "z"}, &how), "") == 0 &&
          how == KV_DUPLICATE && kv_store_clients(s) == 1);
    CHECK(strcmp(apply(s, 2, 7, KV_SET, 2, (const char *[]){"a", "w"}, &how), "") == 0 &&
          how == KV_DUPLICATE);
    for (int i = 0; i < 10000; i++) { /* the tables grow */
        char k[16];
        snprintf(k, sizeof k, "k%d", i);
        apply(s, 100 + (uint64_t)i, 1, KV_SET, 2, (const char *[]){k, k}, &how);
    }
    CHECK(kv_store_keys(s) == 10001 && kv_store_clients(s) == 10001);
    hoc_buf b = {0}, b2 = {0}; /* a snapshot holds keys and clients */
    kv_store_save(s, &b);
    kv_store *t = kv_store_new();
    CHECK(kv_store_load(t, (const uint8_t *)b.p, b.n) == 0 && kv_store_keys(t) == 10001 &&
          kv_store_clients(t) == 10001);
    CHECK(strcmp(apply(t, 1, 4, KV_GET, 1, (const char *[]){"a"}, &how), "$1\r\nx\r\n") == 0);
    CHECK(strcmp(apply(t, 1, 4, KV_GET, 1, (const char *[]){"a"}, &how), "") == 0 &&
          how == KV_DUPLICATE);
    CHECK(strcmp(apply(t, 2, 1, KV_SET, 2, (const char *[]){"a", "w"}, &how), "") == 0 &&
          how == KV_DUPLICATE); /* the tombstone is in the snapshot too */
    kv_store_save(s, &b2);
    kv_store *u = kv_store_new();
    CHECK(kv_store_load(u, (const uint8_t *)b2.p, b2.n - 1) == -1);
    hoc_buf_free(&b), hoc_buf_free(&b2);
    kv_store_free(u);
    kv_store_free(t);
    kv_store_free(s);
}

/* Applies the encoded command p[0..len): its reply into r. */
static kv_applied apply_enc(kv_store *s, const hoc_buf *p, hoc_buf *r)
{
    static kv_cmd c;
    r->n = 0;
    CHECK(kv_cmd_decode((const uint8_t *)p->p, p->n, &c) == p->n);
    return kv_store_apply(s, &c, r);
}

/* Part i of n of the whole command w, cut at `most` bytes a part. */
static const hoc_buf *part_of(const hoc_buf *w, size_t most, uint64_t client, uint64_t seq,
                              uint64_t i, uint64_t n)
{
    static hoc_buf b;
    b.n = 0;
    kv_cmd_encode_part(&b, (const uint8_t *)w->p, w->n, most, client, seq, i, n);
    CHECK(b.n <= most);
    return &b;
}

static void parts_tests(void)
{
    size_t vlen = 200000, most = 1000;
    uint8_t *val = malloc(vlen);
    for (size_t i = 0; i < vlen; i++)
        val[i] = (uint8_t)(i * 7 + i / 251);
    const uint8_t *args[2] = {(const uint8_t *)"big", val};
    size_t lens[2] = {3, vlen};
    size_t size = kv_cmd_size(2, lens);
    uint64_t n = kv_cmd_parts(size, most);
    CHECK(kv_cmd_parts(size, size) == 1 && n == (size + most - 30) / (most - 29));
    hoc_buf w = {0}, r = {0}, snap = {0};
    kv_cmd_encode(&w, 5, 10 + n - 1, KV_SET, 2, args, lens); /* numbered as its JOIN */
    kv_store *s = kv_store_new();
    CHECK(apply_enc(s, part_of(&w, most, 5, 10, 0, n), &r) == KV_EARLY); /* 1..9 first */
    for (uint64_t q = 1; q < 10; q++) {
        hoc_buf c = {0};
        kv_cmd_encode(&c, 5, q, KV_GET, 1, args, lens);
        apply_enc(s, &c, &r);
        hoc_buf_free(&c);
    }
    for (uint64_t i = 0; i < n; i++) {
        if (i == n / 2) { /* a snapshot in the middle keeps the pieces */
            CHECK(kv_store_parts(s) == 1);
            kv_store_save(s, &snap);
            kv_store *t = kv_store_new();
            CHECK(kv_store_load(t, (const uint8_t *)snap.p, snap.n) == 0 && kv_store_parts(t) == 1);
            kv_store_free(s);
            s = t;
        }
        CHECK(apply_enc(s, part_of(&w, most, 5, 10, i, n), &r) == KV_APPLIED);
        CHECK(i + 1 == n ? strcmp(hoc_buf_str(&r), "+OK\r\n") == 0 : r.n == 0);
        if (i == 3) /* a retry of a part taken already */
            CHECK(apply_enc(s, part_of(&w, most, 5, 10, 2, n), &r) == KV_DUPLICATE && r.n == 0);
    }
    CHECK(kv_store_parts(s) == 0);
    kv_applied how;
    const char *got = apply(s, 5, 10 + n, KV_GET, 1, (const char *[]){"big"}, &how);
    char head[32];
    int hl = snprintf(head, sizeof head, "$%zu\r\n", vlen);
    CHECK(strncmp(got, head, (size_t)hl) == 0 && memcmp(got + hl, val, vlen) == 0);

    /* a JOIN whose whole is not this client's command numbered as it */
    uint64_t q = 10 + n + 1;
    for (uint64_t i = 0; i < n; i++)
        apply_enc(s, part_of(&w, most, 5, q, i, n), &r);
    CHECK(strcmp(hoc_buf_str(&r), "-ERR malformed command in parts\r\n") == 0 &&
          kv_store_parts(s) == 0);
    /* pieces past KV_MAX_CMD: dropped, and the JOIN says too large */
    q += n;
    size_t piece = 1u << 20;
    uint8_t *junk = calloc(1, piece);
    const uint8_t *ja[1] = {junk};
    for (uint64_t i = 0; i <= KV_MAX_CMD / piece; i++) {
        hoc_buf c = {0};
        kv_cmd_encode(&c, 5, q + i, i == KV_MAX_CMD / piece ? KV_JOIN : KV_PART, 1, ja, &piece);
        CHECK(apply_enc(s, &c, &r) == KV_APPLIED);
        hoc_buf_free(&c);
    }
    CHECK(strcmp(hoc_buf_str(&r), "-ERR request too large\r\n") == 0 && kv_store_parts(s) == 0);
    /* a close drops what was kept */
    q += KV_MAX_CMD / piece + 1;
    apply_enc(s, part_of(&w, most, 5, q, 0, n), &r);
    CHECK(kv_store_parts(s) == 1);
    apply(s, 5, q + 1, KV_CLOSE, 0, NULL, &how);
    CHECK(how == KV_APPLIED && kv_store_parts(s) == 0);
    free(junk), free(val);
    hoc_buf_free(&w), hoc_buf_free(&r), hoc_buf_free(&snap);
    kv_store_free(s);
}

/* ---- the write-ahead log ---- */
typedef struct Seen {
    int n, decided, promised;
    uint64_t last_slot, snap_len;
} Seen;

static int seen_rec(void *ctx, const kv_wal_rec *r)
{
    Seen *s = ctx;
    bool ok = r->slot == (uint64_t)s->n && r->len == 100 + (size_t)(r->slot % 7) &&
              r->v[0] == (uint8_t)r->slot;
    if (r->type == KV_WAL_PROMISE) ok = ok && r->phase == r->slot + 1 && r->ts == r->slot + 2;
    CHECK(ok);
    s->n++, s->last_slot = r->slot;
    if (r->type == KV_WAL_DECIDED) s->decided++;
    if (r->type == KV_WAL_PROMISE) s->promised++;
    return 0;
}

static int seen_snap(void *ctx, const uint8_t *p, size_t len)
{
    Seen *s = ctx;
    s->snap_len = len;
    return len == 5 && !memcmp(p, "hello", 5) ? 0 : -1;
}

static kv_wal *reopen(const char *dir, Seen *s)
{
    char err[512];
    hoc_logger lg = {HOC_LOG_ERROR, 0};
    *s = (Seen){0};
    kv_wal *w = kv_wal_open(dir, KV_FSYNC_BATCH, &lg, seen_snap, seen_rec, s, err, sizeof err);
    if (!w) printf("kv_wal_open: %s\n", err);
    return w;
}

static void wal_tests(void)
{
    char dir[] = "/tmp/hoc-kvwal-XXXXXX", seg[600];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(seg, sizeof seg, "%s/wal.0000000000000001", dir);
    Seen s;
    kv_wal *w = reopen(dir, &s);
    uint8_t v[200] = {0};
    for (uint64_t i = 0; i < 50; i++) {
        v[0] = (uint8_t)i;
        if (i % 2)
            kv_wal_promise(w, i, i + 1, i + 2, v, 100 + i % 7);
        else
            kv_wal_decided(w, i, v, 100 + i % 7);
    }
    CHECK(kv_wal_pending(w) && kv_wal_commit(w) == 0 && !kv_wal_pending(w) && !kv_wal_error(w));
    kv_wal_close(w);
    w = reopen(dir, &s);
    CHECK(w && s.n == 50 && s.decided == 25 && s.promised == 25);
    kv_wal_close(w);
    struct stat st;
    stat(seg, &st);
    CHECK(truncate(seg, st.st_size - 3) == 0); /* torn: the last record loses its end */
    w = reopen(dir, &s);
    CHECK(w && s.n == 49);
    stat(seg, &st);
    kv_wal_close(w);
    FILE *f = fopen(seg, "r+b"); /* a flipped byte inside record 40 */
    long at = (long)st.st_size - 9 * 120;
    fseek(f, at, SEEK_SET);
    int c = fgetc(f);
    fseek(f, at, SEEK_SET);
    fputc(c ^ 1, f);
    fclose(f);
    w = reopen(dir, &s);
    CHECK(w && s.n >= 38 && s.n <= 41);
    int after = s.n;
    v[0] = (uint8_t)after; /* appending goes on after the cut */
    kv_wal_decided(w, (uint64_t)after, v, 100 + (size_t)after % 7);
    kv_wal_close(w);
    w = reopen(dir, &s);
    CHECK(w && s.n == after + 1);
    /* a snapshot covering every slot: the old segment goes */
    CHECK(kv_wal_rotate(w, 100) == 0);
    CHECK(kv_wal_write_snapshot(dir, (const uint8_t *)"hello", 5) == 0);
    CHECK(kv_wal_snapshot_done(w, 100) == 0 && access(seg, F_OK) != 0);
    kv_wal_close(w);
    w = reopen(dir, &s);
    CHECK(w && s.snap_len == 5 && s.n == 0);
    kv_wal_close(w);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
}

int main(void)
{
    resp_tests();
    cmd_tests();
    store_tests();
    parts_tests();
    wal_tests();
    return check_summary("kv-unit");
}
