/* kvcmd.h: hoc-kv's commands as they travel: between replicas (a follower
 * forwarding its clients' commands to the leader) and in a log slot's value,
 * a batch. All integers little-endian.
 *
 *   command  u32 size (of what follows), u64 client, u64 seq, u8 op,
 *            u32 nargs, then nargs times: u32 len, len bytes
 *   batch    u32 magic KV_MAGIC, u32 proposer, u64 term, u32 count, then
 *            count commands; all zero bytes (the empty input) is the empty
 *            batch
 *
 * A command larger than one slot carries travels as parts: its encoding
 * (numbered like its last part) cut into pieces, each the one argument of a
 * command of its own, KV_PART, and the last KV_JOIN, numbered one after the
 * other. The client table applies them in order like any commands; the
 * store keeps the pieces per client and applies the whole at the JOIN
 * (kvstore.h). So a value is not bounded by a slot, and a slot's bytes (the
 * memory of every instance, docs/services.md) are not bounded by a value.
 *
 * Decoding checks every length against the buffer: a batch or a frame from
 * a peer cannot make a replica read past its end. */
#ifndef KV_CMD_H
#define KV_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define KV_MAGIC 0x31766b68u /* "hkv1" */
#define KV_BATCH_HDR 20
#define KV_CMD_HDR 25 /* size, client, seq, op, nargs */
#define KV_MAX_ARGS 4096
/* The largest command, parts joined: what a client may send (a value of a
 * few MiB) and what the store keeps for a client between its parts. */
#define KV_MAX_CMD (16u << 20)

/* What a command does (the log carries these, not command names). */
typedef enum kv_op {
    KV_GET = 1,
    KV_SET,
    KV_DEL,
    KV_INCRBY, /* INCR, DECR, INCRBY, DECRBY: key, delta as text */
    KV_MGET,
    KV_MSET,
    KV_CAS,   /* key, expected, new */
    KV_CLOSE, /* forget the client (its connection closed) */
    KV_PART,  /* a piece of a larger command: kept until its JOIN */
    KV_JOIN,  /* the last piece: the command, joined, takes effect */
    KV_OP_END
} kv_op;

/* One decoded command; args point into the decoded buffer. */
typedef struct kv_cmd {
    uint64_t client, seq;
    kv_op op;
    uint32_t nargs;
    const uint8_t *args[KV_MAX_ARGS];
    uint32_t lens[KV_MAX_ARGS];
} kv_cmd;

/* Bytes kv_cmd_encode appends for these args. */
size_t kv_cmd_size(uint32_t nargs, const size_t *lens);
/* Appends one command to b; never fails (hoc_buf grows). */
void kv_cmd_encode(hoc_buf *b, uint64_t client, uint64_t seq, kv_op op, uint32_t nargs,
                   const uint8_t *const *args, const size_t *lens);
/* Decodes the command at p[0..len) into c; returns its size, or 0 if the
 * bytes are not a whole, well-formed command. */
size_t kv_cmd_decode(const uint8_t *p, size_t len, kv_cmd *c);
/* How many parts a command of `size` bytes takes when no part may pass
 * `most` bytes (1: it goes whole); most must exceed KV_CMD_HDR + 4. */
uint64_t kv_cmd_parts(size_t size, size_t most);
/* Appends part i (0-based) of the n parts of the encoded command w[0..size)
 * to b: numbered seq + i, its piece of at most `most` bytes as a command. */
void kv_cmd_encode_part(hoc_buf *b, const uint8_t *w, size_t size, size_t most, uint64_t client,
                        uint64_t seq, uint64_t i, uint64_t n);

/* A batch header into out (KV_BATCH_HDR bytes). */
void kv_batch_header(uint8_t *out, uint32_t proposer, uint64_t term, uint32_t count);
/* Reads a batch header: the proposer, term and count, and where the
 * commands start; false for bytes that are not a batch. The empty batch
 * (no bytes, or a zero magic: the empty input) reads as count 0, proposer
 * and term 0. */
bool kv_batch_open(const uint8_t *p, size_t len, uint32_t *proposer, uint64_t *term,
                   uint32_t *count, size_t *off);

#endif
