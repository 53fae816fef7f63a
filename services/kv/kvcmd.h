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

/* A batch header into out (KV_BATCH_HDR bytes). */
void kv_batch_header(uint8_t *out, uint32_t proposer, uint64_t term, uint32_t count);
/* Reads a batch header: the proposer, term and count, and where the
 * commands start; false for bytes that are not a batch. The empty batch
 * (no bytes, or a zero magic: the empty input) reads as count 0, proposer
 * and term 0. */
bool kv_batch_open(const uint8_t *p, size_t len, uint32_t *proposer, uint64_t *term,
                   uint32_t *count, size_t *off);

#endif
