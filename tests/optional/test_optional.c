/* test_optional.c: the code hoc compiles for a message with optional fields
 * (tests/optional/optional.ho: v: int, d?: bytes[4], e?: int[2], ok?: bool).
 * An absent field costs nothing on the wire; a frame is decoded only as far
 * as it goes, and one whose mask or length lies is refused; copy and clear
 * move what a message holds and leave a mailbox slot as zero as it was; a
 * later send to the same recipient clears what the earlier one left. */
#include <string.h>

#include "hoc_check.h"
#include "optional.h"

static const hoc_round *rd(void)
{
    return &optional_algo.rounds[0];
}

/* Whether n bytes at p are all zero. */
static bool zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i]) return false;
    return true;
}

/* Encodes m, decodes it into a slot full of garbage, copies that into a
 * clear slot: the slot must equal m's fixed and present fields and be
 * zero elsewhere; then clear must leave it all zero. Decoded straight into
 * a clear slot, as the engine does, it must be the same. Returns the
 * length. */
static int round_trip(const optional_msg_r0 *m)
{
    uint8_t buf[256];
    int len = optional_encode_r0(m, buf, sizeof buf);
    CHECK(len > 0 && (size_t)len <= rd()->wire_max);
    optional_msg_r0 scratch, slot, want;
    memset(&scratch, 0xA5, sizeof scratch);
    CHECK(optional_decode_r0(&scratch, buf, (size_t)len) == len);
    memset(&slot, 0, sizeof slot);
    rd()->copy(&slot, &scratch);
    memset(&want, 0, sizeof want);
    rd()->copy(&want, m);
    CHECK(memcmp(&slot, &want, sizeof slot) == 0);
    rd()->clear(&slot);
    CHECK(zero(&slot, sizeof slot));
    CHECK(optional_decode_r0(&slot, buf, (size_t)len) == len);
    CHECK(memcmp(&slot, &want, sizeof slot) == 0);
    rd()->clear(&slot);
    CHECK(zero(&slot, sizeof slot));
    return len;
}

static void test_round_trip(void)
{
    optional_msg_r0 m;
    memset(&m, 0, sizeof m);
    m.v = -3;
    CHECK(round_trip(&m) == 16);   /* v and the mask: nothing absent is sent */
    memset(m.d, 0x77, sizeof m.d); /* absent: its bytes are not sent */
    CHECK(round_trip(&m) == 16);
    m.hoc_has = 1; /* d present, 4 bytes */
    CHECK(round_trip(&m) == 16 + 4 + 4);
    m.d[2] = m.d[3] = 0; /* trailing zeros are not sent */
    CHECK(round_trip(&m) == 16 + 4 + 2);
    m.hoc_has = 7, m.e[0] = 5, m.e[1] = -1, m.ok = true;
    CHECK(round_trip(&m) == 16 + 4 + 2 + 16 + 1);
    CHECK((size_t)(16 + 4 + 4 + 16 + 1) == rd()->wire_max);
}

/* A frame of v = 1 and mask `has`, then the bytes in rest. */
static size_t frame(uint8_t *buf, uint64_t has, const uint8_t *rest, size_t n)
{
    hoc_put_u64(buf, 1);
    hoc_put_u64(buf + 8, has);
    if (n) memcpy(buf + 16, rest, n);
    return 16 + n;
}

static void test_malformed(void)
{
    uint8_t buf[64];
    optional_msg_r0 m;
    const uint8_t d4[] = {4, 0, 0, 0, 1, 2, 3, 4};
    CHECK(optional_decode_r0(&m, buf, frame(buf, 1, d4, sizeof d4)) == 24);
    CHECK(m.d[3] == 4);
    /* a length past the block (5 of 4), past the frame (4, 3 bytes left) */
    const uint8_t d5[] = {5, 0, 0, 0, 1, 2, 3, 4, 5};
    CHECK(optional_decode_r0(&m, buf, frame(buf, 1, d5, sizeof d5)) == -1);
    CHECK(optional_decode_r0(&m, buf, frame(buf, 1, d4, sizeof d4 - 1)) == -1);
    const uint8_t huge[] = {0xff, 0xff, 0xff, 0xff, 1};
    CHECK(optional_decode_r0(&m, buf, frame(buf, 1, huge, sizeof huge)) == -1);
    /* a length that stops short of the frame: bytes left over */
    const uint8_t d2[] = {2, 0, 0, 0, 1, 2, 3};
    CHECK(optional_decode_r0(&m, buf, frame(buf, 1, d2, sizeof d2)) == -1);
    /* a mask bit no field has; a field the mask names and the frame lacks */
    CHECK(optional_decode_r0(&m, buf, frame(buf, 8, NULL, 0)) == -1);
    CHECK(optional_decode_r0(&m, buf, frame(buf, (uint64_t)1 << 63, NULL, 0)) == -1);
    CHECK(optional_decode_r0(&m, buf, frame(buf, 2, d4, 8)) == -1);   /* e: 16 bytes */
    CHECK(optional_decode_r0(&m, buf, frame(buf, 4, NULL, 0)) == -1); /* ok: 1 byte */
    const uint8_t two[] = {2};
    CHECK(optional_decode_r0(&m, buf, frame(buf, 4, two, 1)) == -1); /* a bool of 2 */
    /* cut before the mask; nothing present and a byte more */
    CHECK(optional_decode_r0(&m, buf, 15) == -1);
    CHECK(optional_decode_r0(&m, buf, frame(buf, 0, two, 1)) == -1);
    CHECK(optional_decode_r0(&m, buf, frame(buf, 0, NULL, 0)) == 16);
}

/* Process x sends (x, d if x is even, no e, x > 1) to all, then (x + 1, no
 * d, ez or nothing, no ok) to process 0: what process 0 gets must hold no d. */
static void test_send(void)
{
    int64_t params[1] = {3};
    hoc_env env = {.id = 2, .n = 3, .params = params};
    optional_state s;
    int64_t in[1] = {0};
    optional_init(&s, &env, in);
    s.x = 2;
    memset(s.blk, 9, sizeof s.blk);
    s.ez[1] = 4;
    optional_msg_r0 out[3];
    memset(out, 0, sizeof out);
    hoc_set to = 0;
    optional_send_r0(&s, &env, &to, out);
    CHECK(to == 7);
    CHECK(out[1].v == 2 && out[1].hoc_has == 5 && out[1].d[0] == 9 && out[1].ok);
    CHECK(out[0].v == 3 && out[0].hoc_has == 2 && out[0].e[1] == 4);
    CHECK(zero(out[0].d, sizeof out[0].d) && !out[0].ok); /* cleared, not left over */
}

int main(void)
{
    test_round_trip();
    test_malformed();
    test_send();
    return check_summary("test-optional");
}
