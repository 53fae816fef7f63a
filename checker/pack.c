/* pack.c: XOR with the record before, then zero runs (see pack.h).
 *
 * The packed stream is a sequence of tokens: a byte c < 128 is followed by
 * c + 1 literal bytes; a byte c >= 128 stands for c - 127 zero bytes. */
#include "pack.h"

#include <string.h>

#define RUN 128

size_t pack_bound(size_t len)
{
    return len + len / RUN + 1;
}

/* The i-th byte of the XOR-delta stream. */
static uint8_t delta(const uint8_t *in, size_t rec, size_t i)
{
    return i < rec ? in[i] : in[i] ^ in[i - rec];
}

size_t pack_records(const uint8_t *in, size_t rec, int count, uint8_t *out)
{
    size_t len = (size_t)count * rec, o = 0, i = 0;
    while (i < len) {
        size_t j = i;
        if (delta(in, rec, i) == 0) {
            while (j < len && j - i < RUN && delta(in, rec, j) == 0)
                j++;
            out[o++] = (uint8_t)(RUN - 1 + (j - i));
        } else {
            /* literals up to the next zero byte (a lone zero is cheaper
             * kept as a literal than as a run, so only two or more stop) */
            while (j < len && j - i < RUN &&
                   (delta(in, rec, j) != 0 || (j + 1 < len && delta(in, rec, j + 1) != 0)))
                j++;
            out[o++] = (uint8_t)(j - i - 1);
            for (size_t k = i; k < j; k++)
                out[o++] = delta(in, rec, k);
        }
        i = j;
    }
    return o;
}

int pack_unpack(const uint8_t *in, size_t n, size_t rec, int count, uint8_t *out)
{
    size_t len = (size_t)count * rec, o = 0, i = 0;
    while (i < n) {
        uint8_t c = in[i++];
        size_t k = c < RUN ? (size_t)c + 1 : (size_t)c - (RUN - 1);
        if (o + k > len || (c < RUN && i + k > n)) return -1;
        if (c < RUN) {
            memcpy(out + o, in + i, k);
            i += k;
        } else {
            memset(out + o, 0, k);
        }
        o += k;
    }
    if (o != len) return -1;
    for (size_t j = rec; j < len; j++)
        out[j] ^= out[j - rec];
    return 0;
}
