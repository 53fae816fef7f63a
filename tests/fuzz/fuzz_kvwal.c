/* fuzz_kvwal.c: hoc-kv's write-ahead log and snapshot as a replica replays
 * them at start (services/kv/kvwal.c, kv_wal_open; the snapshot's payload
 * into kv_store_load, as kvgroup.c's replay_snap does).
 *
 * The input is a flags byte (fuzz_disk.h: FZD_FIX puts right every
 * record's CRC-32 and the snapshot's length and CRC; SNAP: a snapshot
 * file comes first, its length a u16; TWO: two segments, the first's
 * length a u16) and then the files. Whatever they hold, kv_wal_open must
 * answer a log, or NULL with a message, without a crash, a leak or UB:
 *  - it fails exactly when the snapshot is bad (magic, length, checksum)
 *    or the store refuses its payload;
 *  - the records it replays are, in order, those before the first torn or
 *    corrupt one (whose checksum held, every one);
 *  - opened again, the log (now cut) replays the same records. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <isa-l/crc.h>

#include "hoc_rt.h"
#include "buf.h"
#include "fuzz_disk.h"
#include "kvcmd.h"
#include "kvstore.h"
#include "kvwal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { SNAP = 2, TWO = 4, MAX_BODY = 1 << 20 };

/* The records expected: bodies, in order. */
typedef struct Want {
    const uint8_t *body[4096];
    size_t len[4096];
    int n, k; /* expected, replayed so far */
    kv_store *store;
} Want;

/* Records of f[0..n) until the first bad one (fix: their CRCs put right
 * first), into w: where the good ones end. */
static size_t walk(Want *w, uint8_t *f, size_t n, bool fix)
{
    size_t off = 0;
    while (off < n) {
        size_t len = off + 8 <= n ? hoc_get_u32(f + off) : 0;
        if (off + 8 > n || len > MAX_BODY || len > n - off - 8) break;
        const uint8_t *b = f + off + 8;
        if (fix) hoc_put_u32(f + off + 4, crc32_gzip_refl(0, b, len));
        bool known = len >= 9 && (b[0] == KV_WAL_DECIDED || (b[0] == KV_WAL_PROMISE && len >= 25));
        if (crc32_gzip_refl(0, b, len) != hoc_get_u32(f + off + 4) || !known) break;
        if (w->n == (int)(sizeof w->body / sizeof *w->body)) abort();
        w->body[w->n] = b, w->len[w->n++] = len;
        off += 8 + len;
    }
    return off;
}

static int on_snap(void *ctx, const uint8_t *p, size_t len)
{
    Want *w = ctx;
    kv_store_free(w->store);
    w->store = kv_store_new();
    if (!w->store) abort();
    return len < 8 || kv_store_load(w->store, p + 8, len - 8) != 0 ? -1 : 0;
}

static int on_rec(void *ctx, const kv_wal_rec *r)
{
    Want *w = ctx;
    if (w->k >= w->n) abort();
    const uint8_t *b = w->body[w->k];
    size_t len = w->len[w->k++];
    if (r->type != b[0] || r->slot != hoc_get_u64(b + 1) || r->len > len ||
        (r->len && memcmp(r->v, b + len - r->len, r->len)))
        abort();
    return 0;
}

static size_t take_u16(const uint8_t **p, size_t *n)
{
    if (*n < 2) return 0;
    size_t v = (size_t)(*p)[0] | (size_t)(*p)[1] << 8;
    *p += 2, *n -= 2;
    return v < *n ? v : *n;
}

void fzd_init(bool seeding)
{
    if (!seeding) return;
    char dir[512], err[512];
    fzd_path(dir, sizeof dir, "log");
    hoc_logger quiet = {.max = HOC_LOG_ERROR};
    Want w = {0};
    kv_wal *l = kv_wal_open(dir, KV_FSYNC_NEVER, &quiet, on_snap, on_rec, &w, err, sizeof err);
    if (!l) abort();
    uint8_t v[40];
    for (int k = 0; k < 6; k++) {
        memset(v, 'a' + k, sizeof v);
        if (k == 3 && kv_wal_rotate(l, 3)) abort();
        if ((k % 2 ? kv_wal_promise(l, (uint64_t)k, 2, 3, v, (size_t)k * 5)
                   : kv_wal_decided(l, (uint64_t)k, v, (size_t)k * 6)) ||
            kv_wal_commit(l))
            abort();
    }
    kv_wal_close(l);
    /* a store of two keys and a client, saved as a snapshot */
    kv_store *s = kv_store_new();
    hoc_buf out = {0}, snap = {0};
    for (int k = 0; k < 2; k++) {
        const uint8_t *args[2] = {(const uint8_t *)(k ? "key1" : "key0"), v};
        kv_cmd c = {.client = 9,
                    .seq = (uint64_t)k + 1,
                    .op = KV_SET,
                    .nargs = 2,
                    .args = {args[0], args[1]},
                    .lens = {4, 10}};
        kv_store_apply(s, &c, &out);
    }
    uint8_t below[8];
    hoc_put_u64(below, 3);
    hoc_buf_put(&snap, (const char *)below, 8);
    kv_store_save(s, &snap);
    kv_store_free(s);
    if (kv_wal_write_snapshot(dir, (const uint8_t *)snap.p, snap.n)) abort();
    hoc_buf_free(&out), hoc_buf_free(&snap);
    uint8_t *f[3] = {NULL, NULL, NULL};
    long n[3] = {fzd_read("log/wal.0000000000000001", &f[0]),
                 fzd_read("log/wal.0000000000000002", &f[1]), fzd_read("log/snap.tmp", &f[2])};
    if (n[0] < 0 || n[1] < 0 || n[2] < 0 || n[0] > 65535 || n[2] > 65535) abort();
    /* one segment; two; a snapshot and two segments: seeds torn in the last */
    uint8_t pre[4 + 65536 * 2];
    size_t lens[] = {0, 8 + hoc_get_u32(f[1])};
    pre[0] = 0;
    fzd_seed("wal-one", pre, 1, f[1], (size_t)n[1], lens, 2);
    pre[0] = FZD_FIX;
    fzd_seed("wal-one-fix", pre, 1, f[1], (size_t)n[1], NULL, 0);
    pre[0] = TWO, pre[1] = (uint8_t)n[0], pre[2] = (uint8_t)(n[0] >> 8);
    memcpy(pre + 3, f[0], (size_t)n[0]);
    fzd_seed("wal-two", pre, 3 + (size_t)n[0], f[1], (size_t)n[1], NULL, 0);
    pre[0] = SNAP | TWO, pre[1] = (uint8_t)n[2], pre[2] = (uint8_t)(n[2] >> 8);
    memcpy(pre + 3, f[2], (size_t)n[2]);
    size_t at = 3 + (size_t)n[2];
    pre[at] = (uint8_t)n[0], pre[at + 1] = (uint8_t)(n[0] >> 8);
    memcpy(pre + at + 2, f[0], (size_t)n[0]);
    fzd_seed("wal-snap", pre, at + 2 + (size_t)n[0], f[1], (size_t)n[1], NULL, 0);
    /* the snapshot itself varied, no segment */
    pre[0] = SNAP, pre[1] = (uint8_t)n[2], pre[2] = (uint8_t)(n[2] >> 8);
    size_t slens[] = {8, 16};
    fzd_seed("snap", pre, 3, f[2], (size_t)n[2], slens, 2);
    for (int k = 0; k < 3; k++)
        free(f[k]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    int flags = data[0];
    bool fix = flags & FZD_FIX;
    size_t left;
    uint8_t *copy = fzd_body(data, size, &left);
    const uint8_t *p = copy;
    char dir[512], err[512] = "";
    fzd_path(dir, sizeof dir, "log");
    if (mkdir(dir, 0700) != 0) abort();
    bool snap_ok = true;
    if (flags & SNAP) {
        size_t n = take_u16(&p, &left);
        uint8_t *s = (uint8_t *)p;
        if (fix && n >= 20) {
            memcpy(s, "HOCKVSN1", 8);
            hoc_put_u64(s + 8, n - 20);
            hoc_put_u32(s + 16, crc32_gzip_refl(0, s + 20, n - 20));
        }
        snap_ok = n >= 20 && !memcmp(s, "HOCKVSN1", 8) && hoc_get_u64(s + 8) == n - 20 &&
                  crc32_gzip_refl(0, s + 20, n - 20) == hoc_get_u32(s + 16);
        if (snap_ok) { /* what the store makes of it decides too */
            Want probe = {0};
            snap_ok = on_snap(&probe, s + 20, n - 20) == 0;
            kv_store_free(probe.store);
        }
        fzd_write("log/snap", s, n);
        p += n, left -= n;
    }
    Want w = {0};
    bool cut = false, two = flags & TWO;
    if (two) { /* a cut in the first segment removes the second */
        size_t n = take_u16(&p, &left);
        cut = walk(&w, (uint8_t *)p, n, fix) != n;
        fzd_write("log/wal.0000000000000001", p, n);
        p += n, left -= n;
    }
    if (!cut) walk(&w, (uint8_t *)p, left, fix);
    fzd_write(two ? "log/wal.0000000000000002" : "log/wal.0000000000000001", p, left);
    hoc_logger quiet = {.max = HOC_LOG_ERROR};
    kv_wal *l = kv_wal_open(dir, KV_FSYNC_NEVER, &quiet, on_snap, on_rec, &w, err, sizeof err);
    if (!l) {
        if (snap_ok || !err[0]) abort();
    } else {
        if (!snap_ok || w.k != w.n) abort();
        kv_wal_close(l);
        w.k = 0;
        l = kv_wal_open(dir, KV_FSYNC_NEVER, &quiet, on_snap, on_rec, &w, err, sizeof err);
        if (!l || w.k != w.n) abort();
        kv_wal_close(l);
    }
    kv_store_free(w.store);
    free(copy);
    fzd_clear();
    return 0;
}
