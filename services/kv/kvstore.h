/* kvstore.h: the state machine of one hoc-kv group: keys and values, and the
 * client table that makes retried commands take effect once. Every replica
 * applies the same decided commands in the same order, so every replica's
 * store, client table included, is the same after the same prefix of the
 * log: the client table is replicated with the log.
 *
 * Exactly once: each client numbers its commands 1, 2, 3, ... per group. A
 * command takes effect only if its number is the next one the table expects
 * for that client; an earlier number is a retry of a command that took
 * effect already, a later one arrived ahead of an earlier command (a slot
 * lost when the leader changed); neither changes anything, and the replica
 * that owns the client sends it again, in order, until it takes effect.
 * A client's close is its last command; the table then keeps a tombstone
 * (16 bytes) for it for good, so that a retry still in flight is dropped.
 *
 * A command in parts (kvcmd.h) takes one number a part: each part is kept
 * in the client's entry, up to KV_MAX_CMD bytes, and the JOIN applies the
 * command joined, with one reply, the JOIN's. The pieces kept are state
 * like the rest (snapshots hold them); a client's close drops them. */
#ifndef KV_STORE_H
#define KV_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "kvcmd.h"

typedef struct kv_store kv_store;

/* What applying a command did. */
typedef enum kv_applied {
    KV_APPLIED,   /* it took effect: its reply was appended */
    KV_DUPLICATE, /* an earlier number: a retry of what took effect already */
    KV_EARLY,     /* a later number than expected: it will be sent again */
} kv_applied;

/* An empty store; NULL when memory runs out. */
kv_store *kv_store_new(void);
/* Frees s and everything in it; NULL is a no-op. */
void kv_store_free(kv_store *s);

/* Applies command c, appending its RESP reply to reply when it takes
 * effect. Never fails (out of memory aborts, as hoc_buf does: a replica that
 * cannot apply the log must not go on diverging). */
kv_applied kv_store_apply(kv_store *s, const kv_cmd *c, hoc_buf *reply);
/* Keys held; clients in the table (tombstones of closed ones not counted). */
size_t kv_store_keys(const kv_store *s);
size_t kv_store_clients(const kv_store *s);
/* Clients with pieces of a command in parts kept. */
size_t kv_store_parts(const kv_store *s);
/* Calls f on every key and value (in no particular order): what a snapshot
 * writes. */
void kv_store_each(const kv_store *s,
                   void (*f)(void *ctx, const uint8_t *k, size_t klen, const uint8_t *v,
                             size_t vlen),
                   void *ctx);

/* Appends the whole state, keys and client table, to out (a snapshot);
 * never fails (out of memory aborts, as hoc_buf does). */
void kv_store_save(const kv_store *s, hoc_buf *out);
/* Adds what kv_store_save wrote, p[0..len), to s (an empty store); -1 if
 * the bytes are not such a state (s then holds part of it). */
int kv_store_load(kv_store *s, const uint8_t *p, size_t len);

#endif
