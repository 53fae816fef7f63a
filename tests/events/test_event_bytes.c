/* Bytes event arguments through the ABI (hoc_event.handle): a block given
 * as bytes lands in the state byte for byte, whatever its length (12 bytes,
 * 1 MiB) and wherever it is among the arguments; given as the int standing
 * for it (bytes NULL, or bytes[i] NULL) it is hoc_bytes_from_int's; and
 * where both can say the same value (trailing zeros, a full-width 4-byte
 * block) the two paths leave the same state and outputs. Also init and a
 * replacement on memory that is not zero (keep.ho, keepw.ho): init leaves
 * the state it leaves on zeroed memory, and a replacement leaves init's
 * state with the ghosts and durable variables put back, whether the
 * generated code resets it field by field or copies the old state whole. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b_reg.h"
#include "blocks.h"
#include "keep.h"
#include "keep_whole.h"

#include "hoc_check.h"

enum { N = 3 };

static const int64_t params[] = {N};

/* The event of a called name, or NULL. */
static const hoc_event *event(const hoc_algo *a, const char *name)
{
    for (int i = 0; i < a->nevents; i++)
        if (strcmp(a->events[i].name, name) == 0) return &a->events[i];
    return NULL;
}

/* BReg's write on process 0, given v as bytes and as the int standing for
 * it: the same state and the same output. */
static void same_both_ways(const uint8_t v[4], int64_t as_int)
{
    const hoc_event *w = event(&b_reg_algo, "write");
    hoc_env env = {0, N, 0, params, 0};
    b_reg_state by_bytes, by_int;
    b_reg_outputs out_bytes, out_int;
    b_reg_init(&by_bytes, &env, NULL);
    b_reg_init(&by_int, &env, NULL);
    memset(&out_bytes, 0, sizeof out_bytes);
    memset(&out_int, 0, sizeof out_int);
    uint8_t given[4];
    memcpy(given, v, 4);
    const uint8_t *bytes[] = {given};
    int64_t junk = 99; /* args[0] is not read when the bytes are given */
    w->handle(&by_bytes, &env, &junk, bytes, &out_bytes);
    w->handle(&by_int, &env, &as_int, NULL, &out_int);
    CHECK(memcmp(by_bytes.val, v, 4) == 0);
    CHECK(by_bytes.ver == 1 && by_bytes.first == v[0]);
    CHECK(memcmp(&by_bytes, &by_int, sizeof by_bytes) == 0);
    CHECK(out_bytes.wrote_fired && memcmp(out_bytes.wrote, v, 4) == 0);
    CHECK(memcmp(&out_bytes, &out_int, sizeof out_bytes) == 0);
    CHECK(memcmp(given, v, 4) == 0); /* read, never written */
}

static void breg(void)
{
    const hoc_event *w = event(&b_reg_algo, "write");
    CHECK(b_reg_algo.abi == HOC_ABI_VERSION && HOC_ABI_VERSION == 8);
    CHECK(w && w->nargs == 1 && w->args[0].kind == HOC_K_BYTES && w->args[0].count == 4);
    if (!w) return;
    int64_t lo, hi;
    w->range(params, 0, &lo, &hi);
    CHECK(lo == 1 && hi == 3);
    same_both_ways((const uint8_t[]){2, 0, 0, 0}, 2);                      /* trailing zeros */
    same_both_ways((const uint8_t[]){0x11, 0x22, 0x33, 0x44}, 0x44332211); /* full width */
    same_both_ways((const uint8_t[]){0xff, 0xff, 0xff, 0xff}, -1);         /* -1 cut to 4 bytes */
    same_both_ways((const uint8_t[]){0, 0, 0, 0x80}, 0x80000000);
    /* a bytes array whose entry is NULL: the int path */
    hoc_env env = {0, N, 0, params, 0};
    b_reg_state s;
    b_reg_outputs out = {0};
    b_reg_init(&s, &env, NULL);
    const uint8_t *none[] = {NULL};
    int64_t v = 0x0201;
    w->handle(&s, &env, &v, none, &out);
    CHECK(s.val[0] == 1 && s.val[1] == 2 && s.val[2] == 0 && s.val[3] == 0 && s.first == 1);
    /* another process refuses the write: nothing changes, whichever way it comes */
    env.id = 1;
    b_reg_state before = s;
    const uint8_t blk[4] = {9, 9, 9, 9};
    const uint8_t *given[] = {blk};
    w->handle(&s, &env, &v, given, &out);
    CHECK(memcmp(&s, &before, sizeof s) == 0);
}

static void blocks(void)
{
    const hoc_event *put = event(&blocks_algo, "put"), *load = event(&blocks_algo, "load");
    CHECK(put && put->nargs == 3 && put->args[1].kind == HOC_K_BYTES && put->args[1].count == 12 &&
          put->args[0].kind == HOC_K_INT && put->args[2].kind == HOC_K_BOOL);
    CHECK(load && load->nargs == 1 && load->args[0].count == 1048576);
    if (!put || !load) return;
    blocks_state *s = malloc(sizeof *s), *t = malloc(sizeof *t);
    blocks_outputs out;
    hoc_env env = {1, N, 0, params, 0};
    blocks_init(s, &env, NULL);
    /* a full-width block in the middle: bytes[1], args[0] and args[2] as ints */
    uint8_t b[12];
    for (int i = 0; i < 12; i++)
        b[i] = (uint8_t)(0xa0 + i);
    const uint8_t *bytes[] = {NULL, b, NULL};
    int64_t args[] = {3, 77, 1};
    memset(&out, 0, sizeof out);
    put->handle(s, &env, args, bytes, &out);
    CHECK(memcmp(s->small, b, 12) == 0 && s->at == 3 && s->flag);
    CHECK(s->ends == 0xa0 * 256 + 0xab && out.stored_fired && out.stored == 0xab);
    /* trailing zeros: the same as the int 0x0605, given either way */
    uint8_t z[12] = {5, 6};
    bytes[1] = z;
    put->handle(s, &env, args, bytes, &out);
    memcpy(t, s, sizeof *t);
    args[1] = 0x0605;
    put->handle(s, &env, args, NULL, &out);
    CHECK(memcmp(s, t, sizeof *s) == 0 && s->small[0] == 5 && s->small[1] == 6 &&
          s->ends == 5 * 256);
    /* 1 MiB, every byte its own */
    size_t k = 1048576;
    uint8_t *big = malloc(k);
    uint64_t x = 88172645463325252u;
    for (size_t i = 0; i < k; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        big[i] = (uint8_t)x;
    }
    big[0] = 0x12, big[k - 1] = 0x34;
    const uint8_t *one[] = {big};
    int64_t unused = 0;
    load->handle(s, &env, &unused, one, &out);
    CHECK(memcmp(s->big, big, k) == 0 && s->ends == 0x12 * 256 + 0x34);
    /* and as an int: its bytes, then zeros to the end of the megabyte */
    int64_t seven = 7;
    load->handle(s, &env, &seven, NULL, &out);
    size_t nonzero = 0;
    for (size_t i = 1; i < k; i++)
        nonzero += s->big[i] != 0;
    CHECK(s->big[0] == 7 && nonzero == 0 && s->ends == 7 * 256);
    free(big), free(s), free(t);
}

/* init on zeroed memory and on memory full of 0xa5 gives the same state;
 * after an op, a replacement gives init's state (the bytes input standing
 * as its int, as replace runs init) with epoch and seen put back and the
 * replaced block run; `from` (keepw.ho) reads epoch's init value. */
#define KEEP_TEST(px, extra)                                                                       \
    do {                                                                                           \
        const hoc_algo *a = &px##_algo;                                                            \
        hoc_env env = {1, N, 0, params, 0};                                                        \
        const int64_t in[2] = {3, 0x0102};                                                         \
        const uint8_t b0[16] = {9, 9, 9};                                                          \
        const uint8_t *bin[2] = {NULL, b0};                                                        \
        px##_state *z = calloc(1, sizeof *z), *d = malloc(sizeof *d), *e = calloc(1, sizeof *e);   \
        px##_outputs out;                                                                          \
        memset(d, 0xa5, sizeof *d);                                                                \
        a->init_bytes(z, &env, in, bin);                                                           \
        a->init_bytes(d, &env, in, bin);                                                           \
        CHECK(memcmp(z, d, sizeof *z) == 0 && z->x == 4 && z->copy[0] == 9 && z->epoch == 2);      \
        const hoc_event *put = event(a, "put");                                                    \
        int64_t k = 7;                                                                             \
        memset(&out, 0, sizeof out);                                                               \
        put->handle(d, &env, &k, NULL, &out);                                                      \
        CHECK(d->big[7] == 8 && d->zs[1] && d->arr[2] == 7 && d->epoch == 9 && d->seen == 6);      \
        a->replace(d, &env, in, &out);                                                             \
        a->init(e, &env, in);                                                                      \
        e->epoch = 9, e->seen = 6, e->back = 9;                                                    \
        CHECK(memcmp(d, e, sizeof *d) == 0 && d->big[7] == 0 && d->copy[0] == 2);                  \
        extra;                                                                                     \
        free(z), free(d), free(e);                                                                 \
    } while (0)

static void keep(void)
{
    KEEP_TEST(keep, (void)0);
    KEEP_TEST(keep_whole, CHECK(d->from == 2 && e->from == 2));
}

int main(void)
{
    breg();
    blocks();
    keep();
    return check_summary("event-bytes");
}
