/* kvcmd.c: commands and batches on the wire (see kvcmd.h). */
#include "kvcmd.h"

#include <string.h>

#include "hoc_rt.h"

size_t kv_cmd_size(uint32_t nargs, const size_t *lens)
{
    size_t n = KV_CMD_HDR;
    for (uint32_t i = 0; i < nargs; i++)
        n += 4 + lens[i];
    return n;
}

void kv_cmd_encode(hoc_buf *b, uint64_t client, uint64_t seq, kv_op op, uint32_t nargs,
                   const uint8_t *const *args, const size_t *lens)
{
    uint8_t h[KV_CMD_HDR];
    hoc_put_u32(h, (uint32_t)(kv_cmd_size(nargs, lens) - 4));
    hoc_put_u64(h + 4, client);
    hoc_put_u64(h + 12, seq);
    h[20] = (uint8_t)op;
    hoc_put_u32(h + 21, nargs);
    hoc_buf_put(b, (const char *)h, sizeof h);
    for (uint32_t i = 0; i < nargs; i++) {
        uint8_t l[4];
        hoc_put_u32(l, (uint32_t)lens[i]);
        hoc_buf_put(b, (const char *)l, 4);
        hoc_buf_put(b, (const char *)args[i], lens[i]);
    }
}

size_t kv_cmd_decode(const uint8_t *p, size_t len, kv_cmd *c)
{
    if (len < KV_CMD_HDR) return 0;
    size_t size = (size_t)hoc_get_u32(p) + 4;
    if (size < KV_CMD_HDR || size > len) return 0;
    c->client = hoc_get_u64(p + 4);
    c->seq = hoc_get_u64(p + 12);
    c->op = (kv_op)p[20];
    c->nargs = hoc_get_u32(p + 21);
    if (c->op < KV_GET || c->op >= KV_OP_END || c->nargs > KV_MAX_ARGS) return 0;
    size_t off = KV_CMD_HDR;
    for (uint32_t i = 0; i < c->nargs; i++) {
        if (size - off < 4) return 0;
        uint32_t l = hoc_get_u32(p + off);
        off += 4;
        if (size - off < l) return 0;
        c->args[i] = p + off, c->lens[i] = l;
        off += l;
    }
    return off == size ? size : 0;
}

/* A part's piece: what is left of `most` after its command header and the
 * length of its one argument. */
static size_t piece(size_t most)
{
    return most - KV_CMD_HDR - 4;
}

uint64_t kv_cmd_parts(size_t size, size_t most)
{
    return size <= most ? 1 : (size + piece(most) - 1) / piece(most);
}

void kv_cmd_encode_part(hoc_buf *b, const uint8_t *w, size_t size, size_t most, uint64_t client,
                        uint64_t seq, uint64_t i, uint64_t n)
{
    size_t off = (size_t)i * piece(most), len = size - off < piece(most) ? size - off : piece(most);
    const uint8_t *args[1] = {w + off};
    kv_cmd_encode(b, client, seq + i, i + 1 == n ? KV_JOIN : KV_PART, 1, args, &len);
}

void kv_batch_header(uint8_t *out, uint32_t proposer, uint64_t term, uint32_t count)
{
    hoc_put_u32(out, KV_MAGIC);
    hoc_put_u32(out + 4, proposer);
    hoc_put_u64(out + 8, term);
    hoc_put_u32(out + 16, count);
}

bool kv_batch_open(const uint8_t *p, size_t len, uint32_t *proposer, uint64_t *term,
                   uint32_t *count, size_t *off)
{
    *proposer = 0, *term = 0, *count = 0, *off = 0;
    if (len == 0) return true; /* the empty input, trimmed */
    if (len < KV_BATCH_HDR) return false;
    if (hoc_get_u32(p) == 0) return true; /* the empty input, zero-padded: no commands */
    if (hoc_get_u32(p) != KV_MAGIC) return false;
    *proposer = hoc_get_u32(p + 4);
    *term = hoc_get_u64(p + 8);
    *count = hoc_get_u32(p + 16);
    *off = KV_BATCH_HDR;
    return true;
}
