/* test_blocks.c: the code hoc compiles for a message that holds a block
 * and has no optional fields (tests/optional/blocks.ho: v: int, d:
 * bytes[16], ok: bool; 25 bytes of fields, 7 of padding). A send builds
 * its message in the recipients' outbox slots, whatever they held, to the
 * bytes a zeroed message with those fields has (padding zero); copy puts
 * a message into a clear mailbox slot as memcpy would, the block only up
 * to its last nonzero byte; clear leaves the slot all zero. */
#include <string.h>

#include "blocks.h"
#include "hoc_check.h"

static const hoc_round *rd(void)
{
    return &blocks_algo.rounds[0];
}

static bool zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i]) return false;
    return true;
}

/* The message a send of (v, blk, ok) must leave: zero bytes but its fields. */
static blocks_msg_r0 want(int64_t v, const uint8_t *blk, bool ok)
{
    blocks_msg_r0 m;
    memset(&m, 0, sizeof m);
    m.v = v, m.ok = ok;
    memcpy(m.d, blk, sizeof m.d);
    return m;
}

static void test_send(void)
{
    CHECK(sizeof(blocks_msg_r0) == 32); /* else the padding is not tested */
    int64_t params[] = {3};
    for (int id = 0; id < 3; id++) {
        hoc_env env = {.id = id, .n = 3, .round = 0, .params = params};
        blocks_state s;
        blocks_init(&s, &env, NULL);
        s.blk[0] = 9, s.blk[5] = (uint8_t)(id + 1);
        blocks_msg_r0 out[3];
        memset(out, 0xA5, sizeof out); /* what a previous round left */
        hoc_set to = 0;
        blocks_send_r0(&s, &env, &to, out);
        CHECK(to == hoc_set_all(3));
        blocks_msg_r0 w0 = want(id + 7, s.blk, true), w = want(id, s.blk, id > 1);
        CHECK(memcmp(&out[0], &w0, sizeof w0) == 0); /* the later send to 0 replaced it */
        CHECK(memcmp(&out[1], &w, sizeof w) == 0);
        CHECK(memcmp(&out[2], &w, sizeof w) == 0);
    }
}

/* Copies m into a clear slot and clears it again; decodes its encoding
 * into a clear slot and into garbage: each must be m, then all zero. */
static void round_trip(const blocks_msg_r0 *m)
{
    blocks_msg_r0 slot;
    memset(&slot, 0, sizeof slot);
    rd()->copy(&slot, m);
    CHECK(memcmp(&slot, m, sizeof slot) == 0);
    rd()->clear(&slot);
    CHECK(zero(&slot, sizeof slot));
    uint8_t buf[64];
    int len = blocks_encode_r0(m, buf, sizeof buf);
    CHECK(len > 0 && (size_t)len <= rd()->wire_max);
    CHECK(blocks_decode_r0(&slot, buf, (size_t)len) == len);
    CHECK(memcmp(&slot, m, sizeof slot) == 0);
    rd()->clear(&slot);
    CHECK(zero(&slot, sizeof slot));
    memset(&slot, 0x5A, sizeof slot);
    CHECK(blocks_decode_r0(&slot, buf, (size_t)len) == len);
    CHECK(memcmp(&slot, m, sizeof slot) == 0);
}

static void test_moves(void)
{
    uint8_t blk[16] = {0};
    blocks_msg_r0 m = want(-4, blk, false);
    round_trip(&m); /* an empty block: nothing of it is copied */
    blk[0] = 1, blk[6] = 2;
    m = want(1, blk, true);
    round_trip(&m); /* trailing zeros: up to d[6] */
    memset(blk, 0xFF, sizeof blk);
    m = want(INT64_MIN, blk, true);
    round_trip(&m); /* a full block */
}

int main(void)
{
    test_send();
    test_moves();
    return check_summary("test-blocks");
}
