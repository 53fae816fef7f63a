/* zrun.c: zero-run framing of round messages (zrun.h). */
#include "zrun.h"

#include <string.h>

/* Zero runs shorter than this stay literal: a token's two varints take at
 * most 10 bytes, so each token that ends in such a run saves bytes. */
#define ZRUN_MIN 16

static size_t put_varint(uint8_t *out, uint64_t v)
{
    size_t k = 0;
    while (v >= 0x80) {
        out[k++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    out[k++] = (uint8_t)v;
    return k;
}

/* Reads a varint of at most 5 bytes (values below 2^35) at in[*i..n). */
static int get_varint(const uint8_t *in, size_t n, size_t *i, uint64_t *v)
{
    *v = 0;
    for (int shift = 0; shift < 35 && *i < n; shift += 7) {
        uint8_t b = in[(*i)++];
        *v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) return 0;
    }
    return -1;
}

/* The end of the zero run starting at in[j] (in[j] == 0): a page at a time
 * first, as libc's memcmp compares (a large block is mostly one run). */
static size_t zeros_end(const uint8_t *in, size_t j, size_t n)
{
    static const uint8_t zeros[4096];
    while (j + sizeof zeros <= n && memcmp(in + j, zeros, sizeof zeros) == 0)
        j += sizeof zeros;
    while (j + 8 <= n) {
        uint64_t w;
        memcpy(&w, in + j, 8);
        if (w) break;
        j += 8;
    }
    while (j < n && in[j] == 0)
        j++;
    return j;
}

/* The first zero run of in[i..n) that is packed (at least ZRUN_MIN long,
 * or reaching n): its start, and its length in *z (n and 0: none). Such a
 * run of ZRUN_MIN = 16 holds a whole zero word at an offset that is a
 * multiple of 8, so words are tested, not bytes: random bytes have a zero
 * every 256 or so, and a memchr for each was 3 % of the servers' CPU at
 * 128 KiB writes. The runs found are the maximal ones a byte scan finds. */
static size_t next_run(const uint8_t *in, size_t i, size_t n, size_t *z)
{
    size_t w = (i + 7) & ~(size_t)7;
    while (w + 8 <= n) {
        uint64_t v;
        memcpy(&v, in + w, 8);
        if (v) {
            w += 8;
            continue;
        }
        size_t s = w, e = zeros_end(in, w, n);
        while (s > i && in[s - 1] == 0)
            s--;
        if (e - s >= ZRUN_MIN || e == n) {
            *z = e - s;
            return s;
        }
        w = (e + 7) & ~(size_t)7;
    }
    /* a shorter run that reaches n holds no whole word */
    size_t t = n;
    while (t > i && in[t - 1] == 0)
        t--;
    *z = n - t;
    return t;
}

size_t hoc_zrun_pack(const uint8_t *in, size_t n, uint8_t *out)
{
    size_t o = 0, i = 0;
    while (i < n) {
        size_t z, j = next_run(in, i, n, &z);
        o += put_varint(out + o, j - i);
        memcpy(out + o, in + i, j - i);
        o += j - i;
        o += put_varint(out + o, z);
        i = j + z;
    }
    return o;
}

long hoc_zrun_unpack(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
    size_t i = 0, o = 0;
    while (i < n) {
        uint64_t lit, z;
        if (get_varint(in, n, &i, &lit) || lit > n - i || lit > cap - o) return -1;
        memcpy(out + o, in + i, lit);
        i += lit, o += lit;
        if (get_varint(in, n, &i, &z) || z > cap - o) return -1;
        memset(out + o, 0, z);
        o += z;
    }
    return (long)o;
}
