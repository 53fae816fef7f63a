/* fuzz_resp.c: hoc-kv's parsers of untrusted bytes: the RESP2 request
 * parser (services/kv/resp.c), which reads what clients send, and the
 * command and batch decoders (services/kv/kvcmd.c), which read what peers
 * forward and what log slots hold.
 *
 * Input: a mode byte, then the bytes.
 *   mode bit 0 clear: a client's byte stream. Requests are parsed from its
 *     front the way kvfront.c does (resp_parse until MORE or BAD). Each
 *     request must lie inside the bytes it was parsed from, consume at
 *     least one byte, and (unless inline, where spaces split) survive a
 *     round trip: written back as a RESP array of bulk strings it parses
 *     to the same arguments, consuming exactly what was written. Its
 *     arguments then go through kv_cmd_encode and kv_cmd_decode (as a
 *     follower forwards them), which must give them back.
 *   mode bit 0 set: a log slot's value: kv_batch_open and then up to count
 *     kv_cmd_decode calls, each command inside the bytes, re-encoding to
 *     exactly its bytes.
 * No input may crash, leak, hit undefined behaviour or take long. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "kvcmd.h"
#include "resp.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    return 0;
}

static kv_cmd cmd; /* large (KV_MAX_ARGS pointers): not on the stack */

/* The arguments of r through a forwarded command and back. */
static void forward_round_trip(const resp_req *r)
{
    if (r->argc > KV_MAX_ARGS) return; /* kvfront.c refuses these before forwarding */
    hoc_buf b = {0};
    kv_cmd_encode(&b, 7, 9, KV_MSET, (uint32_t)r->argc, r->argv, r->lens);
    size_t want = kv_cmd_size((uint32_t)r->argc, r->lens);
    if (b.n != want || kv_cmd_decode((const uint8_t *)b.p, b.n, &cmd) != want) abort();
    if (cmd.client != 7 || cmd.seq != 9 || cmd.op != KV_MSET || cmd.nargs != (uint32_t)r->argc)
        abort();
    for (int i = 0; i < r->argc; i++)
        if (cmd.lens[i] != r->lens[i] || memcmp(cmd.args[i], r->argv[i], r->lens[i]) != 0) abort();
    hoc_buf_free(&b);
}

/* r written back as a RESP array parses to the same request. */
static void resp_round_trip(const resp_req *r)
{
    hoc_buf b = {0};
    resp_array(&b, (size_t)r->argc);
    for (int i = 0; i < r->argc; i++)
        resp_bulk(&b, r->argv[i], r->lens[i]);
    resp_req again = {0};
    size_t used = 0;
    const char *why = NULL;
    if (resp_parse((const uint8_t *)b.p, b.n, &again, &used, &why) != RESP_OK || used != b.n ||
        again.argc != r->argc)
        abort();
    for (int i = 0; i < r->argc; i++)
        if (again.lens[i] != r->lens[i] || memcmp(again.argv[i], r->argv[i], r->lens[i]) != 0)
            abort();
    resp_req_free(&again);
    hoc_buf_free(&b);
}

static void client_stream(const uint8_t *data, size_t size)
{
    resp_req r = {0};
    size_t off = 0;
    while (off < size) {
        size_t used = 0;
        const char *why = NULL;
        resp_status s = resp_parse(data + off, size - off, &r, &used, &why);
        if (s == RESP_MORE) break;
        if (s == RESP_BAD) {
            if (!why) abort(); /* the client is told why */
            break;
        }
        if (s != RESP_OK || used == 0 || used > size - off || r.argc < 0) abort();
        for (int i = 0; i < r.argc; i++)
            if (r.argv[i] < data + off || r.argv[i] + r.lens[i] > data + off + used) abort();
        if (r.argc > 0 && data[off] == '*') resp_round_trip(&r);
        forward_round_trip(&r);
        off += used;
    }
    resp_req_free(&r);
}

static void batch(const uint8_t *data, size_t size)
{
    uint32_t proposer, count;
    uint64_t term;
    size_t off;
    if (!kv_batch_open(data, size, &proposer, &term, &count, &off)) return;
    if (off > size) abort();
    for (uint32_t i = 0; i < count && off < size; i++) {
        size_t n = kv_cmd_decode(data + off, size - off, &cmd);
        if (n == 0) return;
        if (n > size - off || n < KV_CMD_HDR) abort();
        size_t lens[KV_MAX_ARGS];
        for (uint32_t k = 0; k < cmd.nargs; k++) {
            if (cmd.args[k] < data + off || cmd.args[k] + cmd.lens[k] > data + off + n) abort();
            lens[k] = cmd.lens[k];
        }
        hoc_buf b = {0};
        kv_cmd_encode(&b, cmd.client, cmd.seq, cmd.op, cmd.nargs, cmd.args, lens);
        if (b.n != n || memcmp(b.p, data + off, n) != 0) abort();
        hoc_buf_free(&b);
        off += n;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    if (data[0] & 1)
        batch(data + 1, size - 1);
    else
        client_stream(data + 1, size - 1);
    return 0;
}
