/* test_fpset.c: the seen set (checker/fpset.c) against a plain sorted
 * array: every fingerprint is new once and seen after, including those that
 * share the slot's 48 bits or the shard's 16 bits with another; the count
 * is exact through many growths; fingerprints one bit apart are told
 * apart, whichever the bit; two threads adding overlapping sets count
 * every fingerprint once; and a budget that stops growth leaves what was
 * stored answering as before. */
#include <stdlib.h>
#include <string.h>

#include "../hoc_check.h"
#include "fpset.h"

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* A fingerprint as fpset_hash could give it: low 48 bits not all zero. */
static uint64_t fp_of(uint64_t x)
{
    return x & 0xffffffffffffu ? x : x | 1;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

enum { N = 400000 };

/* N fingerprints, a quarter of them repeats and a tenth of them sharing
 * their low 48 bits or their top 16 bits with an earlier one. */
static void make(uint64_t *fps, uint64_t seed)
{
    for (int i = 0; i < N; i++) {
        uint64_t x = splitmix(&seed);
        if (i > 0 && x % 4 == 0)
            x = fps[x / 4 % (uint64_t)i];
        else if (i > 0 && x % 10 == 1)
            x = (fps[x / 10 % (uint64_t)i] & 0xffffffffffffu) | (x << 48);
        else if (i > 0 && x % 10 == 2)
            x = (fps[x / 10 % (uint64_t)i] & ~0xffffffffffffu) | (x >> 16);
        fps[i] = fp_of(x);
    }
}

static int64_t distinct(const uint64_t *fps)
{
    uint64_t *s = malloc(N * sizeof *s);
    memcpy(s, fps, N * sizeof *s);
    qsort(s, N, sizeof *s, cmp_u64);
    int64_t d = 0;
    for (int i = 0; i < N; i++)
        d += i == 0 || s[i] != s[i - 1];
    free(s);
    return d;
}

static void test_exact(const uint64_t *fps)
{
    FpSet s;
    CHECK(fpset_init(&s, 0) == 0);
    int64_t news = 0;
    for (int i = 0; i < N; i++) {
        int rc = fpset_add(&s, fps[i]);
        CHECK(rc == 0 || rc == 1);
        news += rc == 1;
        CHECK(fpset_add(&s, fps[i]) == 0);
    }
    int64_t d = distinct(fps);
    CHECK(news == d);
    CHECK(fpset_count(&s) == d);
    for (int i = 0; i < N; i++)
        CHECK(fpset_add(&s, fps[i]) == 0);
    fpset_free(&s);
}

typedef struct Half {
    FpSet *s;
    const uint64_t *fps;
    int from, to;
    int64_t news;
} Half;

static void *add_range(void *arg)
{
    Half *h = arg;
    for (int i = h->from; i < h->to; i++)
        h->news += fpset_add(h->s, h->fps[i]) == 1;
    return NULL;
}

static void test_threads(const uint64_t *fps)
{
    FpSet s;
    CHECK(fpset_init(&s, 0) == 0);
    /* the two ranges overlap by half */
    Half a = {&s, fps, 0, N * 3 / 4, 0}, b = {&s, fps, N / 4, N, 0};
    pthread_t t;
    pthread_create(&t, NULL, add_range, &b);
    add_range(&a);
    pthread_join(t, NULL);
    int64_t d = distinct(fps);
    CHECK(a.news + b.news == d);
    fpset_free(&s);
}

/* Fingerprints one bit apart, for every bit: the slot and the shard
 * together keep all 64. */
static void test_bits(void)
{
    FpSet s;
    CHECK(fpset_init(&s, 0) == 0);
    uint64_t seed = 3;
    for (int k = 0; k < 200; k++) {
        uint64_t base = fp_of(splitmix(&seed));
        CHECK(fpset_add(&s, base) == 1);
        for (int b = 0; b < 64; b++) {
            uint64_t fp = base ^ (UINT64_C(1) << b);
            if (fp != fp_of(fp)) continue; /* not a fingerprint fpset_hash gives */
            CHECK(fpset_add(&s, fp) == 1);
            CHECK(fpset_add(&s, fp) == 0);
        }
    }
    fpset_free(&s);
}

/* At a few million states the table costs what fpset.h says: 6-byte slots
 * at a load of 0.68 to 0.85, plus the shard headers. */
static void test_size(void)
{
    FpSet s;
    CHECK(fpset_init(&s, 0) == 0);
    uint64_t seed = 7;
    int64_t news = 0, n = 2000000;
    for (int64_t i = 0; i < n; i++)
        news += fpset_add(&s, fp_of(splitmix(&seed))) == 1;
    double per = (double)fpset_bytes(&s) / (double)news;
    CHECK(news == n);
    CHECK(per > 6.0 && per < 9.2);
    printf("%lld fingerprints, %.2f bytes each\n", (long long)news, per);
    fpset_free(&s);
}

static void test_budget(const uint64_t *fps)
{
    FpSet s;
    size_t budget = 2u << 20;
    CHECK(fpset_init(&s, budget) == 0);
    int stop = -1;
    for (int i = 0; i < N && stop < 0; i++)
        if (fpset_add(&s, fps[i]) < 0) stop = i;
    CHECK(stop > 0);
    CHECK(fpset_bytes(&s) <= budget);
    for (int i = 0; i < stop; i++)
        CHECK(fpset_add(&s, fps[i]) == 0);
    fpset_free(&s);
}

int main(void)
{
    uint64_t *fps = malloc(N * sizeof *fps);
    make(fps, 1);
    test_exact(fps);
    test_threads(fps);
    test_budget(fps);
    test_size();
    test_bits();
    for (int i = 0; i < 1000; i++) {
        uint8_t k[13];
        memset(k, 0, sizeof k);
        memcpy(k, &i, sizeof i);
        CHECK(fpset_hash(k, sizeof k) & 0xffffffffffffu);
    }
    free(fps);
    return check_summary("fpset");
}
