/* fuzz_wire.c: the replica wire decoder (runtime/wire.c) and what a replica
 * does with the frames it decodes (runtime/engine.c, running OTR).
 *
 * The input is a byte stream as it arrives on an authenticated connection:
 * SEALED frames (wire version 5), each holding frames and a tag. They are
 * decoded from its front the way net.c's consume() and unseal() do, until
 * the decoder wants more bytes or calls the stream garbage (a stream whose
 * next frame is not SEALED stops, as net.c closes the connection). The tag
 * is checked as net.c checks it; a fuzzer cannot forge a GMAC tag, so the
 * frames inside go on whatever the check says, as if it had passed. Each
 * frame, SEALED or inside one, must
 *  - lie inside the bytes it was decoded from (payload and tag included), and
 *  - encode back to exactly those bytes with wire.c's encoders (the decoder
 *    accepts nothing the encoders cannot write, and loses nothing);
 * then each frame inside goes to an OTR engine for process 0 of 4 as replica.c's on_frame
 * hands it (MSG to hoc_engine_receive, DECISION to hoc_engine_decision,
 * HURRY to hoc_engine_hurry, ROUND to hoc_engine_nudge; every third
 * instance's rounds may sleep),
 * from the sender the frame names (folded into 1..3, as net.c only passes
 * frames whose sender is the authenticated peer), with the clock moving 1 ms
 * per frame and the engine ticked and settled after each. No input may
 * crash, leak, hit undefined behaviour or take long. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "otr.h"
#include "seal.h"
#include "wire.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define N 4

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    return 0;
}

static void io_send(void *ctx, int to, uint64_t inst, int64_t round, const uint8_t *p, size_t len)
{
    (void)ctx, (void)inst, (void)round;
    if (to < 1 || to >= N || (len && !p)) abort();
}
static void io_send_decision(void *ctx, int to, uint64_t inst, uint32_t flags, const uint8_t *value,
                             size_t len)
{
    (void)ctx, (void)inst, (void)flags;
    if (to < 1 || to >= N || (len && !value)) abort();
}
static void io_decided(void *ctx, uint64_t inst, const uint8_t *value, size_t len, int from)
{
    (void)ctx, (void)inst, (void)from;
    if (len && !value) abort();
}
/* a few instances "ended here" so forwarding paths run too; their value is
 * an int, 0 or 1, as hoc_value_encode writes it (8 bytes) */
static const uint8_t ended_value[2][8] = {{0}, {1}};
static hoc_inst_status io_lookup(void *ctx, uint64_t inst, const uint8_t **value, size_t *len)
{
    (void)ctx;
    if (inst % 7 == 3) {
        *value = ended_value[inst % 2];
        *len = sizeof ended_value[0];
        return HOC_INST_DECIDED;
    }
    return inst % 7 == 5 ? HOC_INST_IGNORE : HOC_INST_NEW;
}
/* rounds of every third instance may sleep (engine.h, io.idle; OTR's
 * rounds are never silent, so only a joining replacement's would) */
static bool io_idle(void *ctx, uint64_t inst, int64_t round, const void *state)
{
    (void)ctx, (void)round, (void)state;
    return inst % 3 == 1;
}
static void io_nudge(void *ctx, int to, uint64_t inst, int64_t round)
{
    (void)ctx, (void)inst;
    if (to < 1 || to >= N || round < 0) abort();
}
static void io_inputs(void *ctx, uint64_t inst, int64_t *in, const uint8_t **bytes)
{
    (void)ctx, (void)bytes;
    in[0] = (int64_t)(inst % 2);
}

/* Encodes f again; returns the frame's size or -1. */
static int reencode(const hoc_frame *f, uint8_t *out, size_t cap)
{
    hoc_wire_cluster cl = {f->algo, f->n, f->params};
    switch (f->type) {
    case HOC_F_HELLO:
        return hoc_wire_hello(out, cap, f->id, &cl, f->nonce);
    case HOC_F_AUTH:
        return hoc_wire_auth(out, cap, f->id, &cl, f->mac, f->nonce);
    case HOC_F_ACCEPT:
        return hoc_wire_accept(out, cap, f->id, f->algo, f->mac);
    case HOC_F_MSG: {
        int h =
            hoc_wire_msg_header(out, cap, f->instance, f->round, f->id, f->algo, f->payload_len);
        if (h < 0 || (size_t)h + f->payload_len > cap) return -1;
        if (f->payload_len) memcpy(out + h, f->payload, f->payload_len);
        return h + (int)f->payload_len;
    }
    case HOC_F_DECISION:
        return hoc_wire_decision(out, cap, f->instance, f->id, f->algo, f->flags, f->payload,
                                 f->payload_len);
    case HOC_F_APP: {
        int h = hoc_wire_app_header(out, cap, f->id, f->algo, f->payload_len);
        if (h < 0 || (size_t)h + f->payload_len > cap) return -1;
        if (f->payload_len) memcpy(out + h, f->payload, f->payload_len);
        return h + (int)f->payload_len;
    }
    case HOC_F_DONE:
        return hoc_wire_done(out, cap, f->id, f->algo);
    case HOC_F_HURRY:
        return hoc_wire_hurry(out, cap, f->instance, f->round, f->id, f->algo);
    case HOC_F_WHERE:
        return hoc_wire_where(out, cap, f->instance, f->id, f->algo);
    case HOC_F_ROUND:
        return hoc_wire_round(out, cap, f->instance, f->round, f->id, f->algo);
    case HOC_F_SEALED: {
        int h = hoc_wire_sealed_header(out, cap, f->payload_len);
        if (h < 0 || (size_t)h + f->payload_len + HOC_WIRE_TAG > cap) return -1;
        if (f->payload_len) memcpy(out + h, f->payload, f->payload_len);
        memcpy(out + h + f->payload_len, f->tag, HOC_WIRE_TAG);
        return h + (int)(f->payload_len + HOC_WIRE_TAG);
    }
    }
    return -1;
}

static void check_frame(const uint8_t *at, size_t left, const hoc_frame *f, size_t used)
{
    if (used < HOC_WIRE_LEN + HOC_WIRE_HDR || used > left) abort();
    const uint8_t *ptrs[4] = {f->nonce, f->mac, f->payload, f->tag};
    const size_t lens[4] = {HOC_WIRE_NONCE, HOC_WIRE_MAC, f->payload_len, HOC_WIRE_TAG};
    for (int i = 0; i < 4; i++)
        if (ptrs[i] && (ptrs[i] < at || ptrs[i] + lens[i] > at + used)) abort();
    /* as long as the frame: frames may be 64 MiB, inputs are small */
    uint8_t *again = malloc(used);
    if (!again) abort();
    int len = reencode(f, again, used);
    if (len < 0 || (size_t)len != used || memcmp(again, at, used) != 0) {
        fprintf(stderr, "frame type %d does not encode back to its %zu bytes\n", f->type, used);
        abort();
    }
    free(again);
}

/* The frames inside one SEALED frame, as net.c's unseal() hands them over;
 * false where net.c would close the connection. */
static bool deliver(hoc_engine *e, const hoc_engine_opts *o, const uint8_t *p, size_t len,
                    uint64_t *now)
{
    size_t off = 0;
    while (off < len) {
        hoc_frame f;
        size_t used = 0;
        const char *why = NULL;
        hoc_wire_status s = hoc_wire_decode(p + off, len - off, &f, &used, &why);
        if (s == HOC_WIRE_BAD && !why) abort(); /* every refusal says why: net.c logs it */
        if (s != HOC_WIRE_OK) return false;
        check_frame(p + off, len - off, &f, used);
        off += used;
        if (f.type == HOC_F_SEALED) return false; /* net.c: not after authentication */
        int from = 1 + (int)(f.id % (N - 1));
        *now += 1000;
        if (f.type == HOC_F_MSG)
            hoc_engine_receive(e, from, f.instance, f.round, f.payload, f.payload_len, *now);
        else if (f.type == HOC_F_DECISION)
            hoc_engine_decision(e, from, f.instance, f.flags, f.payload, f.payload_len);
        else if (f.type == HOC_F_HURRY)
            hoc_engine_hurry(e, f.instance, f.round, *now);
        else if (f.type == HOC_F_ROUND)
            hoc_engine_nudge(e, f.instance, f.round, *now);
        hoc_engine_tick(e, *now);
        hoc_engine_settle(e, *now);
        if (hoc_engine_live(e) > o->max_live) abort();
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int64_t params[1] = {N};
    hoc_engine_opts o = {.max_live = 16, .forward = size % 2 == 0, .seed = 1};
    hoc_engine_io io = {.send = io_send,
                        .send_decision = io_send_decision,
                        .decided = io_decided,
                        .lookup = io_lookup,
                        .inputs = io_inputs,
                        .idle = io_idle,
                        .nudge = io_nudge};
    hoc_engine *e = hoc_engine_new(&otr_algo, 0, params, &o, &io);
    static const uint8_t key[HOC_SEAL_KEY] = {1, 2, 3};
    hoc_seal *rx = hoc_seal_new(key);
    if (!e || !rx) abort();
    uint64_t now = 1000;
    for (uint64_t i = 0; i < 4; i++)
        hoc_engine_start(e, i, now);
    size_t off = 0;
    for (;;) {
        hoc_frame f;
        size_t used = 0;
        const char *why = NULL;
        hoc_wire_status s = hoc_wire_decode(data + off, size - off, &f, &used, &why);
        if (s == HOC_WIRE_MORE) break;
        if (s == HOC_WIRE_BAD) {
            if (!why) abort();
            break;
        }
        if (s != HOC_WIRE_OK) abort();
        check_frame(data + off, size - off, &f, used);
        if (f.type != HOC_F_SEALED) break; /* net.c: tampering, the connection closes */
        if (hoc_seal_check(rx, data + off, used - HOC_WIRE_TAG, f.tag)) abort(); /* forged? */
        off += used;
        if (!deliver(e, &o, f.payload, f.payload_len, &now)) break;
    }
    hoc_engine_free(e);
    hoc_seal_free(rx);
    return 0;
}
