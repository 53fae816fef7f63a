/* fuzz_stable.c: a replica's stable storage (`hoc build` replicas' --data,
 * runtime/stable.c) as hoc_stable_open replays it at start, for OTR
 * (examples/otr.ho) as process 0 of 3.
 *
 * The input is a flags byte (fuzz_disk.h: FZD_FIX puts right every
 * record's CRC-32; SEG: a states segment follows the `decided` file, whose
 * length is a u16 after the flags). Whatever the files hold,
 * hoc_stable_open must answer a store, or NULL with a message, without a
 * crash, a leak or UB, and:
 *  - it fails exactly when a file's first good record is not this
 *    replica's HEAD, or a good record after it is a state holding what
 *    no run stores (a bool of neither 0 nor 1, an enum past its members);
 *  - every ended instance and every state it hands over is a record of a
 *    file's good prefix (those before the first torn or corrupt one), an
 *    instance's end only one of `decided`'s;
 *  - opened again, it hands over as many of each. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <isa-l/crc.h>

#include "hoc_rt.h"
#include "fuzz_disk.h"
#include "otr.h"
#include "stable.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { SEG = 2, R_HEAD = 1, R_STATE = 2, R_DECIDED = 3, R_ENDED = 4, HEAD_LEN = 37 };
static const hoc_stable_owner owner = {.algo = &otr_algo, .params = 0, .id = 0, .n = 3};
static uint8_t head[HEAD_LEN]; /* this replica's HEAD record body */

/* The good records of the files: bodies. */
typedef struct Good {
    const uint8_t *body[4096];
    size_t len[4096];
    bool seg[4096]; /* of a segment: an end there is skipped */
    int n;
    int ended, states; /* handed over */
    bool refused;      /* a file's first record is not our HEAD */
} Good;

/* Whether an OTR state holds a value no run stores, from the fields'
 * kinds as otr.h lays them out. */
static bool malformed(const uint8_t *st)
{
    for (int i = 0; i < otr_algo.nfields; i++) {
        const hoc_field *f = &otr_algo.fields[i];
        for (uint32_t j = 0; j < f->count; j++) {
            const uint8_t *v = st + f->offset + j * hoc_kind_size(f->kind);
            if ((f->kind == HOC_K_BOOL && v[0] > 1) ||
                (f->kind == HOC_K_ENUM && hoc_get_u32(v) >= f->enum_count))
                return true;
        }
    }
    return false;
}

/* Records of f[0..n) until the first torn or corrupt one (fix: CRCs put
 * right first), into g. */
static void walk(Good *g, uint8_t *f, size_t n, bool fix, bool seg)
{
    for (size_t off = 0; off < n;) {
        size_t len = off + 8 <= n ? hoc_get_u32(f + off) : 0;
        if (off + 8 > n || len > n - off - 8) break;
        const uint8_t *b = f + off + 8;
        if (fix) hoc_put_u32(f + off + 4, crc32_gzip_refl(0, b, len));
        if (len == 0 || crc32_gzip_refl(0, b, len) != hoc_get_u32(f + off + 4)) break;
        if (off == 0 && (len != HEAD_LEN || memcmp(b, head, HEAD_LEN))) g->refused = true;
        if (off > 0 && b[0] == R_STATE && len == 17 + otr_algo.state_size && malformed(b + 17))
            g->refused = true;
        if (g->n == (int)(sizeof g->body / sizeof *g->body)) abort();
        g->body[g->n] = b, g->seg[g->n] = seg, g->len[g->n++] = len;
        off += 8 + len;
    }
}

static int on_ended(void *ctx, uint64_t inst, const uint8_t *v, size_t len, char *err, size_t errn)
{
    (void)err, (void)errn;
    Good *g = ctx;
    g->ended++;
    for (int i = 0; i < g->n; i++) {
        const uint8_t *b = g->body[i];
        if (!g->seg[i] && g->len[i] >= 9 && (b[0] == R_DECIDED || b[0] == R_ENDED) &&
            hoc_get_u64(b + 1) == inst && (b[0] == R_DECIDED) == (v != NULL) &&
            g->len[i] - 9 == len && (!v || !len || !memcmp(v, b + 9, len)))
            return 0;
    }
    abort();
}

static int on_state(void *ctx, uint64_t inst, int64_t round, const void *state, char *err,
                    size_t errn)
{
    (void)err, (void)errn;
    Good *g = ctx;
    g->states++;
    for (int i = 0; i < g->n; i++) {
        const uint8_t *b = g->body[i];
        if (g->len[i] == 17 + otr_algo.state_size && b[0] == R_STATE &&
            hoc_get_u64(b + 1) == inst && (int64_t)hoc_get_u64(b + 9) == round &&
            !memcmp(state, b + 17, otr_algo.state_size))
            return 0;
    }
    abort();
}

static const void *no_state(void *ctx, uint64_t inst, int64_t *round)
{
    (void)ctx, (void)inst, (void)round;
    return NULL;
}

static hoc_stable *open_store(Good *g, char *err, size_t errn)
{
    char dir[512];
    fzd_path(dir, sizeof dir, "data");
    hoc_logger quiet = {.max = HOC_LOG_ERROR};
    hoc_stable_replay rp = {.ctx = g, .ended = on_ended, .state = on_state};
    g->ended = g->states = 0;
    return hoc_stable_open(dir, HOC_FSYNC_NEVER, &owner, &quiet, &rp, no_state, g, err, errn);
}

/* Learns this replica's HEAD from a store it makes; with seeds, writes them. */
static void make_files(bool seeding)
{
    char err[512];
    Good g = {0};
    hoc_stable *s = open_store(&g, err, sizeof err);
    if (!s) {
        fprintf(stderr, "fuzz_stable: %s\n", err);
        abort();
    }
    otr_state st;
    memset(&st, 0, sizeof st);
    uint8_t v[16];
    for (int k = 0; k < 4; k++) {
        memset(&st, k + 1, sizeof st);
        for (int i = 0; i < otr_algo.nfields; i++) { /* what a run could store */
            const hoc_field *f = &otr_algo.fields[i];
            uint8_t *at = (uint8_t *)&st + f->offset;
            size_t w = hoc_kind_size(f->kind) * f->count;
            if (f->kind == HOC_K_BOOL) memset(at, k & 1, w);
            if (f->kind == HOC_K_ENUM || f->kind == HOC_K_SET) memset(at, 0, w);
        }
        memset(v, 'a' + k, sizeof v);
        if (hoc_stable_state(s, (uint64_t)k, k + 1, &st) ||
            (k == 1 && hoc_stable_decided(s, 1, v, sizeof v)) ||
            (k == 2 && hoc_stable_ended(s, 2)) || hoc_stable_sync(s))
            abort();
    }
    hoc_stable_close(s);
    uint8_t *dec = NULL, *seg = NULL;
    long nd = fzd_read("data/decided", &dec), ns = fzd_read("data/states.0000000000000001", &seg);
    if (nd < 8 + HEAD_LEN || ns < 0 || nd > 65535) abort();
    memcpy(head, dec + 8, HEAD_LEN);
    if (seeding) {
        uint8_t pre[3 + 65536];
        pre[0] = SEG, pre[1] = (uint8_t)nd, pre[2] = (uint8_t)(nd >> 8);
        memcpy(pre + 3, dec, (size_t)nd);
        size_t lens[] = {0, 8 + HEAD_LEN, 2 * (8 + HEAD_LEN) + 8 + 17 + otr_algo.state_size};
        fzd_seed("states", pre, 3 + (size_t)nd, seg, (size_t)ns, lens, 3);
        pre[0] = SEG | FZD_FIX;
        fzd_seed("states-fix", pre, 3 + (size_t)nd, seg, (size_t)ns, NULL, 0);
        pre[0] = 0, pre[1] = (uint8_t)nd, pre[2] = (uint8_t)(nd >> 8);
        size_t dlens[] = {0, 8 + HEAD_LEN};
        fzd_seed("decided", pre, 3, dec, (size_t)nd, dlens, 2);
        dec[8 + 13] ^= 1; /* another process's */
        fzd_seed("decided-other", pre, 3, dec, (size_t)nd, NULL, 0);
    }
    free(dec), free(seg);
    fzd_clear();
}

void fzd_init(bool seeding)
{
    make_files(seeding);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3) return 0;
    int flags = data[0];
    bool fix = flags & FZD_FIX;
    size_t left;
    uint8_t *body = fzd_body(data, size, &left), *f = body + 2;
    size_t nd = (size_t)data[1] | (size_t)data[2] << 8;
    if (nd > (left -= 2)) nd = left;
    char dir[512], err[512] = "";
    fzd_path(dir, sizeof dir, "data");
    if (mkdir(dir, 0700) != 0) abort();
    Good g = {0};
    walk(&g, f, nd, fix, false);
    fzd_write("data/decided", f, nd);
    if (flags & SEG) {
        walk(&g, f + nd, left - nd, fix, true);
        fzd_write("data/states.0000000000000001", f + nd, left - nd);
    }
    hoc_stable *s = open_store(&g, err, sizeof err);
    if (!s) {
        if (!g.refused || !err[0]) abort();
    } else {
        if (g.refused) abort();
        int ended = g.ended, states = g.states;
        hoc_stable_close(s);
        if (!(s = open_store(&g, err, sizeof err)) || g.ended != ended || g.states != states)
            abort();
        hoc_stable_close(s);
    }
    free(body);
    fzd_clear();
    return 0;
}
