/*
 * Tests for stdlib/erasure: the Cauchy generator against an independent GF(2^8)
 * reference, encode/decode round trips, every erasure pattern of small codes,
 * delta updates in any order, and the documented errors.
 *
 * Usage: test-ec [--seed N]. Deterministic for a given seed (printed first).
 * No assert(): release builds define NDEBUG, and a test must be able to fail.
 */
#include "erasure.h"
#include "rng.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    long pass, fail;
    uint64_t rng;
} tctx;

#define CHECK(t, cond, ...)                                                                        \
    do {                                                                                           \
        if (cond) {                                                                                \
            (t)->pass++;                                                                           \
        } else {                                                                                   \
            (t)->fail++;                                                                           \
            fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);                        \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
        }                                                                                          \
    } while (0)

static uint64_t rnd(tctx *t)
{
    return hoc_rng_next(&t->rng);
}

/* Uniform-enough int in [lo, hi]. */
static int rnd_in(tctx *t, int lo, int hi)
{
    return lo + (int)(rnd(t) % (uint64_t)(hi - lo + 1));
}

static void fill(tctx *t, uint8_t *p, size_t len)
{
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t x = rnd(t);
        memcpy(p + i, &x, 8);
    }
    for (; i < len; i++)
        p[i] = (uint8_t)rnd(t);
}

static void shuffle(tctx *t, int *a, int n)
{
    for (int i = n - 1; i > 0; i--) {
        int j = rnd_in(t, 0, i), x = a[i];
        a[i] = a[j];
        a[j] = x;
    }
}

/* ---- independent GF(2^8) reference (polynomial 0x11d, as ISA-L) ---- */

static uint8_t gmul(uint8_t a, uint8_t b)
{
    uint8_t p = 0;
    while (b) {
        if (b & 1) p ^= a;
        b >>= 1;
        a = (uint8_t)((a << 1) ^ ((a & 0x80) ? 0x1d : 0));
    }
    return p;
}

static uint8_t ginv(uint8_t a)
{
    for (int x = 1; x < 256; x++)
        if (gmul(a, (uint8_t)x) == 1) return (uint8_t)x;
    return 0;
}

/* parity[r] = sum_j P[r][j] data[j] by the definition, with the coefficients
 * taken from the Cauchy formula rather than from the library. */
static void ref_encode(int k, int m, uint8_t *const *data, uint8_t *const *parity, size_t len)
{
    for (int r = 0; r < m; r++) {
        memset(parity[r], 0, len);
        for (int j = 0; j < k; j++) {
            uint8_t c = ginv((uint8_t)((k + r) ^ j));
            for (size_t b = 0; b < len; b++)
                parity[r][b] ^= gmul(c, data[j][b]);
        }
    }
}

/* ---- a stripe of k+m blocks in one aligned allocation ---- */

typedef struct {
    int k, m;
    size_t len;
    uint8_t *mem;
    uint8_t *blk[ERASURE_MAX_N]; /* blk[0..k) data, blk[k..k+m) parity */
} stripe;

static int stripe_init(stripe *s, int k, int m, size_t len, size_t offset)
{
    s->k = k;
    s->m = m;
    s->len = len;
    /* offset lets a test misalign every block on purpose. */
    s->mem = erasure_alloc((size_t)(k + m) * (len + offset) + 64);
    if (!s->mem) return -1;
    for (int i = 0; i < k + m; i++)
        s->blk[i] = s->mem + offset + (size_t)i * (len + offset);
    return 0;
}

static void stripe_free(stripe *s)
{
    erasure_free(s->mem);
}

static int stripe_eq(const stripe *a, const stripe *b)
{
    for (int i = 0; i < a->k + a->m; i++)
        if (memcmp(a->blk[i], b->blk[i], a->len) != 0) return 0;
    return 1;
}

static void stripe_copy(stripe *dst, const stripe *src)
{
    for (int i = 0; i < src->k + src->m; i++)
        memcpy(dst->blk[i], src->blk[i], src->len);
}

/* What most tests need: a (k, m) code, its decoder, a stripe s of encoded
 * random data and a work stripe w to erase and decode into. */
typedef struct {
    erasure_code *code;
    erasure_decoder *dec;
    stripe s, w;
} rig;

/* Sets r up, with blocks misaligned by offset; 0, or -1 after a failed CHECK naming what. */
static int rig_open(tctx *t, rig *r, int k, int m, size_t len, size_t offset, const char *what)
{
    *r = (rig){0};
    if (erasure_code_new(k, m, &r->code) != ERASURE_OK) {
        CHECK(t, 0, "%s: erasure_code_new(%d,%d)", what, k, m);
        return -1;
    }
    if (erasure_decoder_new(r->code, &r->dec) != ERASURE_OK ||
        stripe_init(&r->s, k, m, len, offset) || stripe_init(&r->w, k, m, len, offset)) {
        CHECK(t, 0, "%s", what);
        return -1;
    }
    for (int i = 0; i < k; i++)
        fill(t, r->s.blk[i], len);
    erasure_err e = erasure_encode(r->code, (const uint8_t *const *)r->s.blk, r->s.blk + k, len);
    CHECK(t, e == ERASURE_OK, "%s: encode: %s", what, erasure_strerror(e));
    return 0;
}

static void rig_close(rig *r)
{
    stripe_free(&r->s);
    stripe_free(&r->w);
    erasure_decoder_free(r->dec);
    erasure_code_free(r->code);
}

/* Erases blocks lost[0..n_lost) in a copy of `orig`, decodes from the rest
 * (survivors passed in `order`), and checks the copy equals orig again. */
static void erase_and_decode(tctx *t, erasure_decoder *dec, const stripe *orig, stripe *work,
                             const int *lost, int n_lost, int shuffled)
{
    int n = orig->k + orig->m, avail[ERASURE_MAX_N], n_avail = 0;
    uint8_t is_lost[ERASURE_MAX_N] = {0};
    stripe_copy(work, orig);
    for (int i = 0; i < n_lost; i++) {
        is_lost[lost[i]] = 1;
        memset(work->blk[lost[i]], 0xA5, work->len);
    }
    for (int i = 0; i < n; i++)
        if (!is_lost[i]) avail[n_avail++] = i;
    if (shuffled) shuffle(t, avail, n_avail);
    erasure_err e = erasure_decode(dec, avail, n_avail, lost, n_lost, work->blk, work->len);
    CHECK(t, e == ERASURE_OK, "k=%d m=%d n_lost=%d: %s", orig->k, orig->m, n_lost,
          erasure_strerror(e));
    CHECK(t, stripe_eq(orig, work), "k=%d m=%d len=%zu n_lost=%d first=%d", orig->k, orig->m,
          orig->len, n_lost, n_lost ? lost[0] : -1);
}

/* ---- the tests ---- */

static void test_matrix(tctx *t)
{
    static const int km[][2] = {{1, 1}, {3, 2}, {10, 4}, {13, 2}, {28, 4}, {200, 55}};
    for (size_t c = 0; c < sizeof km / sizeof km[0]; c++) {
        int k = km[c][0], m = km[c][1], bad = 0;
        erasure_code *code;
        erasure_err e = erasure_code_new(k, m, &code);
        CHECK(t, e == ERASURE_OK && code, "erasure_code_new(%d,%d): %s", k, m, erasure_strerror(e));
        if (!code) continue;
        CHECK(t, erasure_code_k(code) == k && erasure_code_m(code) == m, "k/m accessors");
        for (int i = 0; i < k + m; i++)
            for (int j = 0; j < k; j++) {
                uint8_t want = i < k ? (i == j) : ginv((uint8_t)(i ^ j));
                bad += erasure_code_coeff(code, i, j) != want;
            }
        CHECK(t, bad == 0, "(%d,%d): %d generator entries differ from identity/Cauchy", k, m, bad);
        CHECK(t, erasure_code_coeff(code, k + m, 0) == 0 && erasure_code_coeff(code, 0, k) == 0,
              "out-of-range coeff is 0");
        erasure_code_free(code);
    }
}

static void test_encode_reference(tctx *t)
{
    for (int iter = 0; iter < 60; iter++) {
        int m = rnd_in(t, 1, 4), k = rnd_in(t, 1, 32 - m);
        size_t len = (size_t)ERASURE_LEN_ALIGN * (size_t)rnd_in(t, 1, 32);
        erasure_code *code;
        stripe s, r;
        if (erasure_code_new(k, m, &code) != ERASURE_OK || stripe_init(&s, k, m, len, 0) ||
            stripe_init(&r, k, m, len, 0)) {
            CHECK(t, 0, "setup");
            return;
        }
        for (int i = 0; i < k; i++) {
            fill(t, s.blk[i], len);
            memcpy(r.blk[i], s.blk[i], len);
        }
        erasure_err e = erasure_encode(code, (const uint8_t *const *)s.blk, s.blk + k, len);
        ref_encode(k, m, r.blk, r.blk + k, len);
        CHECK(t, e == ERASURE_OK && stripe_eq(&s, &r), "encode vs reference k=%d m=%d len=%zu", k,
              m, len);
        stripe_free(&s);
        stripe_free(&r);
        erasure_code_free(code);
    }
}

/* Random k, m, len; random erasures of 1..m blocks; survivors in random order. */
static void test_roundtrip(tctx *t)
{
    static const size_t sizes[] = {64, 128, 192, 4096, 65536, 1 << 20};
    for (int iter = 0; iter < 1000; iter++) {
        int m = rnd_in(t, 1, 4), k = rnd_in(t, 1, 32 - m);
        /* 1 MiB blocks only for the first few iterations to bound the runtime. */
        size_t len = iter < 12 ? sizes[5] : sizes[rnd_in(t, 0, 4)];
        if (iter % 3 == 0 && len < sizes[4])
            len = (size_t)ERASURE_LEN_ALIGN * (size_t)rnd_in(t, 1, 64);
        size_t offset = iter % 5 == 4 ? (size_t)rnd_in(t, 1, 63) : 0;
        rig g;
        if (rig_open(t, &g, k, m, len, offset, "setup") != 0) return;
        for (int rep = 0; rep < 3; rep++) {
            int all[ERASURE_MAX_N], n_lost = rnd_in(t, 1, m);
            for (int i = 0; i < k + m; i++)
                all[i] = i;
            shuffle(t, all, k + m);
            erase_and_decode(t, g.dec, &g.s, &g.w, all, n_lost, 1);
        }
        rig_close(&g);
    }
}

/* Every subset of up to m lost blocks, for small and for the deployment codes. */
static void test_all_erasures(tctx *t)
{
    static const int km[][2] = {{1, 1}, {1, 4}, {2, 1}, {2, 2},  {3, 3},
                                {4, 2}, {5, 3}, {6, 4}, {10, 4}, {13, 2}};
    for (size_t c = 0; c < sizeof km / sizeof km[0]; c++) {
        int k = km[c][0], m = km[c][1], n = k + m;
        size_t len = 128;
        long patterns = 0;
        rig g;
        if (rig_open(t, &g, k, m, len, 0, "setup") != 0) return;
        long before = t->fail;
        for (uint32_t mask = 1; mask < (1u << n); mask++) {
            int lost[ERASURE_MAX_N], n_lost = 0;
            if (__builtin_popcount(mask) > m) continue;
            for (int i = 0; i < n; i++)
                if (mask & (1u << i)) lost[n_lost++] = i;
            erase_and_decode(t, g.dec, &g.s, &g.w, lost, n_lost, 0);
            patterns++;
        }
        printf("  all erasures (%d+%d): %ld patterns, %s\n", k, m, patterns,
               t->fail == before ? "ok" : "FAILED");
        rig_close(&g);
    }
}

/* Random writes; deltas applied via update_all, update_row and erasure_row in
 * different orders must all equal re-encoding, and decode must still work. */
static void test_updates(tctx *t)
{
    enum { WRITES = 24 };
    for (int iter = 0; iter < 80; iter++) {
        int m = rnd_in(t, 1, 4), k = rnd_in(t, 1, 32 - m);
        size_t len = (size_t)ERASURE_LEN_ALIGN * (size_t)rnd_in(t, 1, iter < 3 ? 1024 : 64);
        erasure_code *code;
        erasure_decoder *dec;
        erasure_row *rows[4] = {0};
        stripe s, a, b, c, w;
        uint8_t *delta[WRITES];
        int target[WRITES], order[WRITES];
        if (erasure_code_new(k, m, &code) != ERASURE_OK ||
            erasure_decoder_new(code, &dec) != ERASURE_OK || stripe_init(&s, k, m, len, 0) ||
            stripe_init(&a, k, m, len, 0) || stripe_init(&b, k, m, len, 0) ||
            stripe_init(&c, k, m, len, 0) || stripe_init(&w, k, m, len, 0)) {
            CHECK(t, 0, "setup");
            return;
        }
        for (int r = 0; r < m; r++)
            CHECK(t, erasure_row_new(code, r, &rows[r]) == ERASURE_OK, "erasure_row_new");
        for (int i = 0; i < k; i++)
            fill(t, s.blk[i], len);
        erasure_encode(code, (const uint8_t *const *)s.blk, s.blk + k, len);
        stripe_copy(&a, &s);
        stripe_copy(&b, &s);
        stripe_copy(&c, &s);

        /* Apply the writes to the data of s, recording each delta. */
        uint8_t *nb = erasure_alloc(len);
        for (int i = 0; i < WRITES; i++) {
            target[i] = rnd_in(t, 0, k - 1);
            delta[i] = erasure_alloc(len);
            fill(t, nb, len);
            erasure_xor(s.blk[target[i]], nb, delta[i], len);
            memcpy(s.blk[target[i]], nb, len);
            order[i] = i;
        }
        erasure_free(nb);
        /* Parity servers only need the deltas; data must match the final s. */
        for (int i = 0; i < k; i++) {
            memcpy(a.blk[i], s.blk[i], len);
            memcpy(b.blk[i], s.blk[i], len);
            memcpy(c.blk[i], s.blk[i], len);
        }
        erasure_encode(code, (const uint8_t *const *)s.blk, s.blk + k, len);

        int errs = 0;
        for (int i = 0; i < WRITES; i++)
            errs += erasure_update_all(code, target[i], delta[i], a.blk + k, len) != ERASURE_OK;
        for (int r = 0; r < m; r++)
            for (int i = WRITES - 1; i >= 0; i--)
                errs += erasure_update_row(code, r, target[i], delta[i], b.blk[k + r], len) !=
                        ERASURE_OK;
        for (int r = 0; r < m; r++) {
            shuffle(t, order, WRITES);
            for (int i = 0; i < WRITES; i++)
                errs += erasure_row_update(rows[r], target[order[i]], delta[order[i]], c.blk[k + r],
                                           len) != ERASURE_OK;
        }
        CHECK(t, errs == 0, "%d update calls failed", errs);
        CHECK(t, stripe_eq(&a, &s), "update_all in order != re-encode (k=%d m=%d)", k, m);
        CHECK(t, stripe_eq(&b, &s), "update_row reversed != re-encode (k=%d m=%d)", k, m);
        CHECK(t, stripe_eq(&c, &s), "erasure_row shuffled != re-encode (k=%d m=%d)", k, m);

        /* Decode the updated stripe (not the re-encoded one) after losing m blocks. */
        int all[ERASURE_MAX_N];
        for (int i = 0; i < k + m; i++)
            all[i] = i;
        shuffle(t, all, k + m);
        erase_and_decode(t, dec, &c, &w, all, m, 1);

        for (int i = 0; i < WRITES; i++)
            erasure_free(delta[i]);
        for (int r = 0; r < m; r++)
            erasure_row_free(rows[r]);
        stripe_free(&s);
        stripe_free(&a);
        stripe_free(&b);
        stripe_free(&c);
        stripe_free(&w);
        erasure_decoder_free(dec);
        erasure_code_free(code);
    }
}

/* A decoder caches the last pattern: new data under the same pattern, and a
 * new pattern afterwards, must both decode correctly. */
static void test_decoder_cache(tctx *t)
{
    int k = 6, m = 3;
    size_t len = 256;
    rig g;
    if (rig_open(t, &g, k, m, len, 0, "setup") != 0) return;
    int p1[] = {0, 7, 4}, p2[] = {0, 7, 5}, p3[] = {0, 7};
    const int *pats[] = {p1, p1, p2, p1, p3, p1};
    int npat[] = {3, 3, 3, 3, 2, 3};
    for (int i = 0; i < 6; i++) {
        for (int j = 0; j < k; j++)
            fill(t, g.s.blk[j], len);
        erasure_encode(g.code, (const uint8_t *const *)g.s.blk, g.s.blk + k, len);
        erase_and_decode(t, g.dec, &g.s, &g.w, pats[i], npat[i], 0);
    }
    rig_close(&g);
}

/* The widest code allowed: k + m = 255. */
static void test_widest(tctx *t)
{
    int k = 251, m = 4;
    size_t len = 64;
    rig g;
    if (rig_open(t, &g, k, m, len, 0, "setup 251+4") != 0) return;
    int lost[] = {0, 100, 250, 253};
    erase_and_decode(t, g.dec, &g.s, &g.w, lost, 4, 1);
    rig_close(&g);
}

static void test_xor_alloc(tctx *t)
{
    uint8_t a[300], b[300], o[300], ref[300];
    for (size_t len = 0; len <= 300; len += (len < 20 ? 1 : 37)) {
        fill(t, a, sizeof a);
        fill(t, b, sizeof b);
        memset(o, 0x5a, sizeof o);
        for (size_t i = 0; i < len; i++)
            ref[i] = a[i] ^ b[i];
        erasure_xor(a, b, o, len);
        CHECK(t, memcmp(o, ref, len) == 0, "xor len %zu", len);
        CHECK(t, len == sizeof o || o[len] == 0x5a, "xor wrote past len %zu", len);
        erasure_xor(a, b, a, len); /* in place: a ^= b */
        CHECK(t, memcmp(a, ref, len) == 0, "in-place xor len %zu", len);
    }
    for (int i = 0; i < 8; i++) {
        size_t sz = (size_t)rnd_in(t, 1, 100000);
        uint8_t *p = erasure_alloc(sz);
        CHECK(t, p && ((uintptr_t)p % ERASURE_LEN_ALIGN) == 0, "erasure_alloc(%zu) alignment", sz);
        if (p) memset(p, 1, sz);
        erasure_free(p);
    }
    CHECK(t, erasure_alloc(0) == NULL, "erasure_alloc(0)");
    erasure_free(NULL);
}

static void test_errors(tctx *t)
{
    erasure_code *code = (erasure_code *)&code; /* non-NULL, so we see it reset */
    CHECK(t, erasure_code_new(0, 2, &code) == ERASURE_EBADK && code == NULL, "k=0");
    CHECK(t, erasure_code_new(-3, 2, &code) == ERASURE_EBADK, "k<0");
    CHECK(t, erasure_code_new(4, 0, &code) == ERASURE_EBADM, "m=0");
    CHECK(t, erasure_code_new(4, -1, &code) == ERASURE_EBADM, "m<0");
    CHECK(t, erasure_code_new(250, 6, &code) == ERASURE_ETOOBIG, "k+m=256");
    CHECK(t, erasure_code_new(255, 1, &code) == ERASURE_ETOOBIG, "k=255");
    CHECK(t, erasure_code_new(INT_MAX, INT_MAX, &code) == ERASURE_ETOOBIG, "int overflow");
    CHECK(t, erasure_code_new(254, 1, &code) == ERASURE_OK, "k+m=255 accepted");
    erasure_code_free(code);

    int k = 4, m = 2;
    erasure_code *c;
    erasure_decoder *dec;
    erasure_row *row = NULL;
    stripe s;
    size_t len = 128;
    if (erasure_code_new(k, m, &c) != ERASURE_OK || erasure_decoder_new(c, &dec) != ERASURE_OK ||
        stripe_init(&s, k, m, len, 0)) {
        CHECK(t, 0, "setup");
        return;
    }
    for (int i = 0; i < k; i++)
        fill(t, s.blk[i], len);
    CHECK(t, erasure_encode(c, (const uint8_t *const *)s.blk, s.blk + k, len) == ERASURE_OK,
          "encode");
    uint8_t saved[128], delta[128];
    memcpy(saved, s.blk[k], len);
    fill(t, delta, len);

    static const size_t bad_lens[] = {0, 1, 63, 65, 100, 127, ERASURE_MAX_LEN + 64, SIZE_MAX};
    for (size_t i = 0; i < sizeof bad_lens / sizeof bad_lens[0]; i++) {
        size_t bl = bad_lens[i];
        CHECK(t, erasure_check_len(bl) == ERASURE_EBADLEN, "check_len %zu", bl);
        CHECK(t, erasure_encode(c, (const uint8_t *const *)s.blk, s.blk + k, bl) == ERASURE_EBADLEN,
              "encode len %zu", bl);
        CHECK(t, erasure_update_row(c, 0, 0, delta, s.blk[k], bl) == ERASURE_EBADLEN,
              "update_row %zu", bl);
        CHECK(t, erasure_update_all(c, 0, delta, s.blk + k, bl) == ERASURE_EBADLEN,
              "update_all %zu", bl);
        int avail[] = {1, 2, 3, 4}, want[] = {0};
        CHECK(t, erasure_decode(dec, avail, 4, want, 1, s.blk, bl) == ERASURE_EBADLEN, "decode %zu",
              bl);
    }
    CHECK(t,
          erasure_check_len(64) == ERASURE_OK && erasure_check_len(ERASURE_MAX_LEN) == ERASURE_OK,
          "good lens");
    CHECK(t, memcmp(saved, s.blk[k], len) == 0, "failed calls left parity untouched");

    CHECK(t, erasure_update_row(c, m, 0, delta, s.blk[k], len) == ERASURE_EBADINDEX, "row=m");
    CHECK(t, erasure_update_row(c, -1, 0, delta, s.blk[k], len) == ERASURE_EBADINDEX, "row<0");
    CHECK(t, erasure_update_row(c, 0, k, delta, s.blk[k], len) == ERASURE_EBADINDEX,
          "data_index=k");
    CHECK(t, erasure_update_all(c, -1, delta, s.blk + k, len) == ERASURE_EBADINDEX, "data_index<0");
    CHECK(t, erasure_row_new(c, m, &row) == ERASURE_EBADINDEX && row == NULL,
          "erasure_row_new row=m");
    CHECK(t, memcmp(saved, s.blk[k], len) == 0, "failed calls left parity untouched");

    int few[] = {0, 1, 5}, want0[] = {2};
    CHECK(t, erasure_decode(dec, few, 3, want0, 1, s.blk, len) == ERASURE_ETOOFEW,
          "3 of 4 survivors");
    CHECK(t, erasure_decode(dec, few, 0, want0, 1, s.blk, len) == ERASURE_ETOOFEW, "no survivors");
    int dup[] = {0, 1, 1, 5}, oor[] = {0, 1, 3, 6}, ok4[] = {0, 1, 3, 5};
    CHECK(t, erasure_decode(dec, dup, 4, want0, 1, s.blk, len) == ERASURE_EBADINDEX, "duplicate");
    CHECK(t, erasure_decode(dec, oor, 4, want0, 1, s.blk, len) == ERASURE_EBADINDEX, "index k+m");
    int want_surv[] = {3}, want_oor[] = {-1}, want_dup[] = {2, 2};
    CHECK(t, erasure_decode(dec, ok4, 4, want_surv, 1, s.blk, len) == ERASURE_EBADINDEX,
          "want in avail");
    CHECK(t, erasure_decode(dec, ok4, 4, want_oor, 1, s.blk, len) == ERASURE_EBADINDEX, "want -1");
    CHECK(t, erasure_decode(dec, ok4, 4, want_dup, 2, s.blk, len) == ERASURE_EBADINDEX,
          "want twice");
    uint8_t *holes[6] = {s.blk[0], s.blk[1], NULL, s.blk[3], NULL, s.blk[5]};
    CHECK(t, erasure_decode(dec, ok4, 4, want0, 1, holes, len) == ERASURE_EBADINDEX,
          "NULL want buffer");
    holes[2] = s.blk[2];
    CHECK(t, erasure_decode(dec, ok4, 4, want0, 1, holes, len) == ERASURE_OK,
          "NULL unused buffer ok");
    CHECK(t, erasure_decode(dec, ok4, 4, want0, 0, s.blk, len) == ERASURE_OK, "nothing wanted");
    uint8_t *nosurv[6] = {NULL, s.blk[1], s.blk[2], s.blk[3], s.blk[4], s.blk[5]};
    CHECK(t, erasure_decode(dec, ok4, 4, want0, 1, nosurv, len) == ERASURE_EBADINDEX,
          "NULL survivor");
    /* Only the first k survivors are read, so a NULL fifth one is fine. */
    int five[] = {1, 3, 4, 5, 0}, want_none[] = {2};
    CHECK(t, erasure_decode(dec, five, 5, want_none, 1, nosurv, len) == ERASURE_OK,
          "NULL extra survivor");

    const char *seen[ERASURE_ENOMEM + 1];
    for (int e = ERASURE_OK; e <= ERASURE_ENOMEM; e++) {
        seen[e] = erasure_strerror((erasure_err)e);
        CHECK(t, seen[e] && *seen[e], "strerror %d", e);
        for (int f = ERASURE_OK; f < e; f++)
            CHECK(t, strcmp(seen[e], seen[f]) != 0, "strerror %d == %d", e, f);
    }
    CHECK(t, strstr(erasure_strerror((erasure_err)99), "unknown") != NULL, "strerror unknown");

    stripe_free(&s);
    erasure_decoder_free(dec);
    erasure_code_free(c);
}

int main(int argc, char **argv)
{
    tctx t = {0, 0, 0x5eed2024u};
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
            t.rng = strtoull(argv[++i], NULL, 0);
        } else {
            fprintf(stderr, "usage: %s [--seed N]\n", argv[0]);
            return 2;
        }
    }
    printf("ec: seed %" PRIu64 "\n", t.rng);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);

    static const struct {
        const char *name;
        void (*fn)(tctx *);
    } tests[] = {
        {"matrix", test_matrix},       {"encode_reference", test_encode_reference},
        {"roundtrip", test_roundtrip}, {"all_erasures", test_all_erasures},
        {"updates", test_updates},     {"decoder_cache", test_decoder_cache},
        {"widest", test_widest},       {"xor_alloc", test_xor_alloc},
        {"errors", test_errors},
    };
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
        long f0 = t.fail, p0 = t.pass;
        tests[i].fn(&t);
        printf("%s %s (%ld checks)\n", t.fail == f0 ? "ok  " : "FAIL", tests[i].name,
               t.pass - p0 + t.fail - f0);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("ec: %ld passed, %ld failed (%.2f s)\n", t.pass, t.fail, secs);
    return t.fail == 0 ? 0 : 1;
}
