/*
 * bench-ec: throughput of stdlib/erasure against memcpy and against calling ISA-L
 * directly, for the Amalgam codes 13+2 and 10+4 with 128 KiB blocks.
 *
 * GB/s = 10^9 bytes of data blocks processed per second:
 *   memcpy  the k data blocks of a stripe copied (k * len per stripe)
 *   encode  the k data blocks encoded into m parity blocks (k * len)
 *   decode  a stripe with m lost data blocks rebuilt from k survivors (k * len)
 *   update  delta blocks folded into one or all parity rows (len per delta)
 *
 * Two working sets: "hot" reuses one stripe (fits in cache); "dram" cycles
 * through >= 512 MiB of stripes (128 MiB with --quick), far beyond the LLC.
 * Library and direct calls are measured in alternating back-to-back trials in
 * the same run. GB/s figures are the best trial, which filters out noise from
 * a shared host; the overhead is the median over trials of 1 - erasure/direct for
 * the paired trials, which cancels drift that best-of alone would not.
 *
 * Usage: bench-ec [--quick]
 */
#include "erasure.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <isa-l/erasure_code.h>

#define BLOCK_LEN ((size_t)128 * 1024)
#define MAX_N 16
/* Blocks 128 KiB apart alias in the L1/L2 sets that a 15-stream encode
 * touches at once; pad the stride by a few lines so the streams spread out
 * (without it, hot encode flipped between ~10 and ~26 GB/s from run to run). */
#ifndef BLOCK_PAD
#define BLOCK_PAD 320
#endif

typedef struct {
    uint8_t *blk[MAX_N]; /* k data blocks then m parity blocks */
} stripe;

typedef struct bench bench;
typedef void (*op_fn)(bench *, stripe *, stripe *);

struct bench {
    int k, m;
    size_t len;
    erasure_code *code;
    erasure_row *row0;
    erasure_decoder *dec;
    uint8_t *tbls;  /* direct ISA-L: 32 * k * m parity tables */
    uint8_t *dtbls; /* direct ISA-L: 32 * k * m tables decoding the lost data blocks 0..m-1 */
    int avail[MAX_N], want[MAX_N];
    int upd1_groups, updall_groups; /* update groups per stripe, see op_upd1_hec */
    stripe *stripes;
    size_t n_stripes, cursor;
    uint8_t *mem;
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the operations: (bench, stripe operated on, another stripe for memcpy) ---- */

static void op_memcpy(bench *b, stripe *s, stripe *other)
{
    for (int i = 0; i < b->k; i++)
        memcpy(other->blk[i], s->blk[i], b->len);
}

static void op_encode_hec(bench *b, stripe *s, stripe *o)
{
    (void)o;
    erasure_encode(b->code, (const uint8_t *const *)s->blk, s->blk + b->k, b->len);
}

static void op_encode_isal(bench *b, stripe *s, stripe *o)
{
    (void)o;
    ec_encode_data((int)b->len, b->k, b->m, b->tbls, s->blk, s->blk + b->k);
}

/* An update reads a delta block and read-modify-writes its parity block(s).
 * So that in the dram set those come from DRAM too, each stripe is carved into
 * disjoint groups (delta, target...) that cover most of its blocks, instead of
 * hitting the same two blocks per stripe (which would stay in the LLC). The
 * target blocks stand in for parity; their contents do not matter here. */
static void op_upd1_hec(bench *b, stripe *s, stripe *o)
{
    (void)o;
    for (int g = 0; g < b->upd1_groups; g++)
        erasure_update_row(b->code, 0, g % b->k, s->blk[2 * g], s->blk[2 * g + 1], b->len);
}

static void op_upd1_row(bench *b, stripe *s, stripe *o)
{
    (void)o;
    for (int g = 0; g < b->upd1_groups; g++)
        erasure_row_update(b->row0, g % b->k, s->blk[2 * g], s->blk[2 * g + 1], b->len);
}

static void op_upd1_isal(bench *b, stripe *s, stripe *o)
{
    (void)o;
    for (int g = 0; g < b->upd1_groups; g++)
        ec_encode_data_update((int)b->len, b->k, 1, g % b->k, b->tbls, s->blk[2 * g],
                              s->blk + 2 * g + 1);
}

static void op_updall_hec(bench *b, stripe *s, stripe *o)
{
    (void)o;
    for (int g = 0; g < b->updall_groups; g++) {
        uint8_t **grp = s->blk + g * (1 + b->m);
        erasure_update_all(b->code, g % b->k, grp[0], grp + 1, b->len);
    }
}

static void op_updall_isal(bench *b, stripe *s, stripe *o)
{
    (void)o;
    for (int g = 0; g < b->updall_groups; g++) {
        uint8_t **grp = s->blk + g * (1 + b->m);
        ec_encode_data_update((int)b->len, b->k, b->m, g % b->k, b->tbls, grp[0], grp + 1);
    }
}

static void op_decode_hec(bench *b, stripe *s, stripe *o)
{
    (void)o;
    erasure_decode(b->dec, b->avail, b->k, b->want, b->m, s->blk, b->len);
}

static void op_decode_isal(bench *b, stripe *s, stripe *o)
{
    (void)o;
    uint8_t *src[MAX_N], *dst[MAX_N];
    for (int i = 0; i < b->k; i++)
        src[i] = s->blk[b->avail[i]];
    for (int i = 0; i < b->m; i++)
        dst[i] = s->blk[b->want[i]];
    ec_encode_data((int)b->len, b->k, b->m, b->dtbls, src, dst);
}

/* Runs op over the working set for at least `secs`; returns GB/s of `bytes` per op. */
static double trial(bench *b, op_fn op, size_t bytes, double secs)
{
    size_t ops = 0;
    double t0 = now(), t;
    do {
        /* Several ops per clock read; 128 KiB ops are long enough either way. */
        for (int i = 0; i < 4; i++) {
            size_t c = b->cursor;
            b->cursor = (c + 1) % b->n_stripes;
            op(b, &b->stripes[c], &b->stripes[(c + b->n_stripes / 2) % b->n_stripes]);
            ops++;
        }
        t = now() - t0;
    } while (t < secs);
    return (double)ops * (double)bytes / t / 1e9;
}

/* Builds a bench with n_stripes stripes of k+m blocks, and direct ISA-L tables. */
static int bench_init(bench *b, int k, int m, size_t n_stripes)
{
    memset(b, 0, sizeof *b);
    b->k = k;
    b->m = m;
    b->len = BLOCK_LEN;
    b->n_stripes = n_stripes;
    b->upd1_groups = (k + m) / 2;
    b->updall_groups = (k + m) / (1 + m);
    if (erasure_code_new(k, m, &b->code) != ERASURE_OK || erasure_decoder_new(b->code, &b->dec) != ERASURE_OK ||
        erasure_row_new(b->code, 0, &b->row0) != ERASURE_OK)
        return -1;
    b->mem = erasure_alloc(n_stripes * (size_t)(k + m) * (b->len + BLOCK_PAD));
    b->stripes = calloc(n_stripes, sizeof *b->stripes);
    b->tbls = erasure_alloc((size_t)32 * k * m);
    b->dtbls = erasure_alloc((size_t)32 * k * m);
    if (!b->mem || !b->stripes || !b->tbls || !b->dtbls) return -1;

    /* Random first block, copied everywhere: touches every page up front. */
    uint64_t x = 0x2545f4914f6cdd1dull;
    for (size_t i = 0; i < b->len; i += 8) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        memcpy(b->mem + i, &x, 8);
    }
    for (size_t s = 0; s < n_stripes; s++)
        for (int i = 0; i < k + m; i++) {
            b->stripes[s].blk[i] =
                b->mem + (s * (size_t)(k + m) + (size_t)i) * (b->len + BLOCK_PAD);
            if (s || i) memcpy(b->stripes[s].blk[i], b->mem, b->len);
        }

    /* Direct ISA-L: the same Cauchy generator, tables built by hand. */
    uint8_t g[MAX_N * MAX_N], sub[MAX_N * MAX_N], inv[MAX_N * MAX_N];
    gf_gen_cauchy1_matrix(g, k + m, k);
    ec_init_tables(k, m, g + k * k, b->tbls);
    /* Decode pattern: data blocks 0..m-1 lost, survivors m..k+m-1. */
    for (int i = 0; i < k; i++) {
        b->avail[i] = m + i;
        memcpy(sub + i * k, g + (m + i) * k, (size_t)k);
    }
    for (int i = 0; i < m; i++)
        b->want[i] = i;
    if (gf_invert_matrix(sub, inv, k) != 0) return -1;
    ec_init_tables(k, m, inv, b->dtbls); /* rows 0..m-1 of the inverse rebuild data 0..m-1 */
    return 0;
}

/* Encodes stripe 0, then checks that both decoders rebuild the lost blocks. */
static int bench_selfcheck(bench *b)
{
    stripe *s = &b->stripes[0];
    uint8_t *keep = erasure_alloc((size_t)b->m * b->len);
    int ok = keep != NULL;
    op_encode_hec(b, s, s);
    for (int pass = 0; ok && pass < 2; pass++) {
        for (int i = 0; i < b->m; i++) {
            memcpy(keep + (size_t)i * b->len, s->blk[i], b->len);
            memset(s->blk[i], 0, b->len);
        }
        (pass ? op_decode_isal : op_decode_hec)(b, s, s);
        for (int i = 0; i < b->m; i++)
            ok = ok && memcmp(keep + (size_t)i * b->len, s->blk[i], b->len) == 0;
    }
    erasure_free(keep);
    return ok ? 0 : -1;
}

static void bench_free(bench *b)
{
    erasure_free(b->mem);
    erasure_free(b->tbls);
    erasure_free(b->dtbls);
    free(b->stripes);
    erasure_row_free(b->row0);
    erasure_decoder_free(b->dec);
    erasure_code_free(b->code);
}

enum { PER_STRIPE, PER_UPD1_GROUP, PER_UPDALL_GROUP };

typedef struct {
    const char *name;
    op_fn lib, direct;
    int unit; /* how many len-byte blocks of input one call processes */
} op_row;

static const op_row OPS[] = {
    {"encode", op_encode_hec, op_encode_isal, PER_STRIPE},
    {"update-1", op_upd1_hec, op_upd1_isal, PER_UPD1_GROUP},
    {"update-1 (erasure_row)", op_upd1_row, op_upd1_isal, PER_UPD1_GROUP},
    {"update-all", op_updall_hec, op_updall_isal, PER_UPDALL_GROUP},
    {"decode", op_decode_hec, op_decode_isal, PER_STRIPE},
    /* Direct against itself: the noise floor of the overhead column. */
    {"A/A: isa-l encode", op_encode_isal, op_encode_isal, PER_STRIPE},
};

#define MAX_TRIALS 32

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median of v[0..n), n >= 1; sorts v. */
static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Measures and prints memcpy and every op of OPS for one code and working set. */
static void run_set(bench *b, const char *set, int trials, double secs)
{
    size_t stripe_bytes = (size_t)b->k * b->len;
    double mc = 0;
    for (int t = 0; t < trials; t++) {
        double g = trial(b, op_memcpy, stripe_bytes, secs);
        mc = g > mc ? g : mc;
    }
    printf("%2d+%d  %-4s  %-19s %7.2f\n", b->k, b->m, set, "memcpy", mc);
    for (size_t o = 0; o < sizeof OPS / sizeof OPS[0]; o++) {
        int blocks = OPS[o].unit == PER_STRIPE       ? b->k
                     : OPS[o].unit == PER_UPD1_GROUP ? b->upd1_groups
                                                     : b->updall_groups;
        size_t bytes = (size_t)blocks * b->len;
        double lib = 0, dir = 0, ratio[MAX_TRIALS];
        for (int t = 0; t < trials; t++) {
            /* Alternate which goes first so drift favours neither. */
            double g1 = trial(b, t % 2 ? OPS[o].direct : OPS[o].lib, bytes, secs);
            double g2 = trial(b, t % 2 ? OPS[o].lib : OPS[o].direct, bytes, secs);
            double gl = t % 2 ? g2 : g1, gd = t % 2 ? g1 : g2;
            lib = gl > lib ? gl : lib;
            dir = gd > dir ? gd : dir;
            ratio[t] = gl / gd;
        }
        double r = median(ratio, trials);
        printf("%2d+%d  %-4s  %-19s %7.2f %7.2f  %+6.1f%%  %6.0f%%\n", b->k, b->m, set, OPS[o].name,
               lib, dir, (1.0 - r) * 100.0, lib / mc * 100.0);
    }
    fflush(stdout);
}

int main(int argc, char **argv)
{
    int quick = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0) {
            quick = 1;
        } else {
            fprintf(stderr, "usage: %s [--quick]\n", argv[0]);
            return 2;
        }
    }
    const size_t dram_bytes = (size_t)(quick ? 128 : 512) << 20;
    const int trials = quick ? 3 : 15;
    const double secs = quick ? 0.02 : 0.04;
    static const int codes[][2] = {{13, 2}, {10, 4}};
    double t0 = now();

    printf("bench-ec: %zu KiB blocks, GB/s = 10^9 bytes of data blocks processed per second\n"
           "  (memcpy/encode/decode: the k data blocks of a stripe; updates: each delta block),\n"
           "  best of %d (dram: %d) trials of %.0f ms (dram: %.0f ms);\n"
           "  hot = 2 stripes reused, dram = %zu MiB of stripes cycled\n"
           "  overhead = median of paired trials of 1 - erasure/direct; %%memcpy = erasure / memcpy\n\n",
           BLOCK_LEN >> 10, trials, 2 * trials + 1, secs * 1e3, 0.75 * secs * 1e3,
           dram_bytes >> 20);
    printf("code  set   op                  erasure   isa-l  overhead  %%memcpy\n");
    for (size_t c = 0; c < 2; c++) {
        int k = codes[c][0], m = codes[c][1];
        size_t stripe_total = (size_t)(k + m) * BLOCK_LEN;
        for (int dram = 0; dram < 2; dram++) {
            bench b;
            size_t n = dram ? (dram_bytes + stripe_total - 1) / stripe_total : 2;
            if (bench_init(&b, k, m, n) != 0 || bench_selfcheck(&b) != 0) {
                fprintf(stderr, "bench-ec: setup or self-check failed for %d+%d\n", k, m);
                bench_free(&b);
                return 1;
            }
            /* DRAM bandwidth on a shared host drifts more than cache
             * bandwidth, so the dram set gets more, shorter paired trials. */
            run_set(&b, dram ? "dram" : "hot", dram ? 2 * trials + 1 : trials,
                    dram ? 0.75 * secs : secs);
            bench_free(&b);
        }
    }
    printf("\nbench-ec: done in %.1f s\n", now() - t0);
    return 0;
}
