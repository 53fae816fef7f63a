/* kvfront.h: hoc-kv's client side: a RESP2 listener whose connections'
 * commands go to the group their key hashes to (kvgroup.h), with replies
 * sent in request order once the commands are decided and applied.
 *
 * Local commands answered at once: PING, ECHO, QUIT, SELECT 0, COMMAND and
 * CONFIG GET (empty, for clients that ask), INFO (this replica's view: not
 * linearizable). Through the log: GET, SET, DEL, INCR, DECR, INCRBY, DECRBY,
 * MGET, MSET (atomic), CAS key expected new. Keys of one multi-key command
 * must hash to one group (a {tag} in a key hashes alone, as in Redis
 * Cluster). A malformed request gets an error reply and its connection is
 * closed (it cannot be resynchronised); an unknown command, wrong arguments
 * or a command too large for a slot get an error reply and the connection
 * goes on. Nothing a client sends affects another connection. */
#ifndef KV_FRONT_H
#define KV_FRONT_H

#include <stddef.h>
#include <stdint.h>

#include "kvgroup.h"
#include "log.h"

struct event_base;
struct evbuffer;
typedef struct kv_front kv_front;

typedef struct kv_front_stats {
    uint64_t accepted, closed, commands, errors, protocol_errors, too_large, replies_dropped;
} kv_front_stats;

/* Listens on host:port for RESP clients of replica id, whose groups are
 * groups[0..ngroups) (kept, not owned). NULL with a message in err when the
 * port cannot be bound. */
kv_front *kv_front_new(struct event_base *base, const char *host, int port, int id,
                       kv_group **groups, int ngroups, hoc_logger log, char *err, size_t errn);
/* Closes every connection and the listener; NULL is a no-op. */
void kv_front_free(kv_front *f);
/* The reply to (client, seq) from group g (kv_group_cb.reply). */
void kv_front_reply(kv_front *f, int g, uint64_t client, uint64_t seq, const uint8_t *r,
                    size_t len);
/* The group a key belongs to, of n. */
int kv_front_group_of(const uint8_t *key, size_t len, int n);
const kv_front_stats *kv_front_get_stats(const kv_front *f);
/* Connections open now. */
int kv_front_conns(const kv_front *f);

#endif
