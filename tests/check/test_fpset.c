/* test_fpset.c: the seen set (checker/fpset.c) against a plain sorted
 * array: every fingerprint is new once and seen after, including those that
 * share the slot's 48 bits or the shard's 16 bits with another; the count
 * is exact through many growths; two threads adding overlapping sets count
 * every fingerprint once; and a budget that stops growth leaves what was
 * stored answering as before. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fpset.h"

static int failures;

#define EXPECT(c, ...)                                                                             \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            fprintf(stderr, "test-fpset: " __VA_ARGS__);                                           \
            fputc('\n', stderr);                                                                   \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

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
    EXPECT(fpset_init(&s, 0) == 0, "init");
    int64_t news = 0;
    for (int i = 0; i < N; i++) {
        int rc = fpset_add(&s, fps[i]);
        EXPECT(rc == 0 || rc == 1, "add returned %d", rc);
        news += rc == 1;
        EXPECT(fpset_add(&s, fps[i]) == 0, "fingerprint %d not seen right after", i);
    }
    int64_t d = distinct(fps);
    EXPECT(news == d, "%lld new, %lld distinct", (long long)news, (long long)d);
    EXPECT(fpset_count(&s) == d, "count %lld, %lld distinct", (long long)fpset_count(&s),
           (long long)d);
    for (int i = 0; i < N; i++)
        EXPECT(fpset_add(&s, fps[i]) == 0, "fingerprint %d lost after growing", i);
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
    EXPECT(fpset_init(&s, 0) == 0, "init");
    /* the two ranges overlap by half */
    Half a = {&s, fps, 0, N * 3 / 4, 0}, b = {&s, fps, N / 4, N, 0};
    pthread_t t;
    pthread_create(&t, NULL, add_range, &b);
    add_range(&a);
    pthread_join(t, NULL);
    int64_t d = distinct(fps);
    EXPECT(a.news + b.news == d, "threads: %lld new, %lld distinct", (long long)(a.news + b.news),
           (long long)d);
    fpset_free(&s);
}

/* At a few million states the table costs what fpset.h says: 6-byte slots
 * at a load of 0.68 to 0.85, plus the shard headers. */
static void test_size(void)
{
    FpSet s;
    EXPECT(fpset_init(&s, 0) == 0, "init");
    uint64_t seed = 7;
    int64_t news = 0, n = 2000000;
    for (int64_t i = 0; i < n; i++)
        news += fpset_add(&s, fp_of(splitmix(&seed))) == 1;
    double per = (double)fpset_bytes(&s) / (double)news;
    EXPECT(news == n, "%lld of %lld random fingerprints new", (long long)news, (long long)n);
    EXPECT(per > 6.0 && per < 9.2, "%.2f bytes per fingerprint", per);
    printf("%lld fingerprints, %.2f bytes each\n", (long long)news, per);
    fpset_free(&s);
}

static void test_budget(const uint64_t *fps)
{
    FpSet s;
    size_t budget = 2u << 20;
    EXPECT(fpset_init(&s, budget) == 0, "init");
    int stop = -1;
    for (int i = 0; i < N && stop < 0; i++)
        if (fpset_add(&s, fps[i]) < 0) stop = i;
    EXPECT(stop > 0, "a 2 MB budget never stopped %d fingerprints", N);
    EXPECT(fpset_bytes(&s) <= budget, "%zu bytes past a budget of %zu", fpset_bytes(&s), budget);
    for (int i = 0; i < stop; i++)
        EXPECT(fpset_add(&s, fps[i]) == 0, "fingerprint %d lost at the budget", i);
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
    for (int i = 0; i < 1000; i++) {
        uint8_t k[13];
        memset(k, 0, sizeof k);
        memcpy(k, &i, sizeof i);
        EXPECT(fpset_hash(k, sizeof k) & 0xffffffffffffu, "hash of %d has a zero slot", i);
    }
    free(fps);
    if (failures) fprintf(stderr, "test-fpset: %d failures\n", failures);
    return failures != 0;
}
