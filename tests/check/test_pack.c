/* test_pack.c: the frontier's packing (checker/pack.c) gives back exactly
 * the records it packed, for dense, sparse, repeated and all-zero records,
 * records of one byte and runs across record boundaries; stays within
 * pack_bound; shrinks siblings; and refuses a packed block that is cut
 * short, too long or for another record count. */
#include <stdlib.h>
#include <string.h>

#include "../hoc_check.h"
#include "pack.h"

static uint64_t rnd(uint64_t *x)
{
    *x ^= *x << 13, *x ^= *x >> 7, *x ^= *x << 17;
    return *x;
}

/* Packs and unpacks; returns the packed size. */
static size_t roundtrip(const uint8_t *in, size_t rec, int count)
{
    size_t len = rec * (size_t)count;
    uint8_t *p = malloc(pack_bound(len)), *out = malloc(len + 1);
    size_t n = pack_records(in, rec, count, p);
    CHECK(n <= pack_bound(len));
    CHECK(pack_unpack(p, n, rec, count, out) == 0 && memcmp(in, out, len) == 0);
    if (n > 0) CHECK(pack_unpack(p, n - 1, rec, count, out) != 0);
    if (count > 1) CHECK(pack_unpack(p, n, rec, count - 1, out) != 0);
    free(p), free(out);
    return n;
}

int main(void)
{
    enum { REC = 331, COUNT = 700 };
    uint8_t *a = malloc(REC * COUNT);
    uint64_t x = 88172645463325252u;
    /* density from all zero to all random, byte by byte */
    for (int dens = 0; dens <= 8; dens++) {
        for (size_t i = 0; i < (size_t)REC * COUNT; i++)
            a[i] = rnd(&x) % 8 < (uint64_t)dens ? (uint8_t)(rnd(&x) | 1) : 0;
        roundtrip(a, REC, COUNT);
        roundtrip(a, 1, 5000);
        roundtrip(a, REC, 1);
    }
    /* siblings: small numbers in 8-byte fields, each record one field off
     * its neighbour */
    memset(a, 0, REC * COUNT);
    for (int r = 0; r < COUNT; r++)
        for (int f = 0; f + 8 <= REC; f += 8)
            a[(size_t)r * REC + (size_t)f] = (uint8_t)(f % 5 + (f / 8 == r % 40 ? r : 0));
    size_t n = roundtrip(a, REC, COUNT);
    CHECK(n * 10 < (size_t)REC * COUNT);
    printf("siblings: %d bytes packed to %zu\n", REC * COUNT, n);
    /* a stream of tokens that decodes past the records is refused */
    uint8_t bad[] = {255, 255, 255};
    CHECK(pack_unpack(bad, sizeof bad, 100, 3, a) != 0);
    uint8_t lit[] = {5, 1, 2};
    CHECK(pack_unpack(lit, sizeof lit, 6, 1, a) != 0);
    free(a);
    return check_summary("pack");
}
