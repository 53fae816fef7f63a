/* net.h: the libevent transport of a replica: a full mesh of TCP connections,
 * one per pair of processes carrying frames both ways (the higher id dials,
 * so the two never race to open it; ACKs ride on the replies), TCP_NODELAY,
 * reconnection with back-off by the dialer, a mutual HMAC challenge when a
 * connection opens, and one flush per event-loop iteration: every frame
 * produced while handling one batch of events goes out in one write per peer.
 */
#ifndef HOC_NET_H
#define HOC_NET_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "log.h"
#include "peers.h"
#include "wire.h"

struct event_base;


typedef struct hoc_net_cb {
    void *ctx;
    /* An authenticated MSG, DECISION or DONE frame from peer `peer`; return
     * -1 to reject it as bad (the connection is closed). */
    int (*frame)(void *ctx, int peer, const hoc_frame *f);
    /* Once per loop iteration in which something happened, before the
     * flush: the place to settle the engine and start new work. */
    void (*iteration)(void *ctx);
} hoc_net_cb;

typedef struct hoc_net_opts {
    int id;
    const hoc_peers *peers;
    const uint8_t *secret; /* cluster secret (may be empty) */
    size_t secret_len;
    uint32_t algo;     /* hoc_wire_algo_tag */
    double drop;       /* fault injection: drop each outgoing MSG frame with this probability */
    uint64_t delay_us; /* fault injection: hold every flush this long */
    uint64_t seed;
    size_t max_out; /* bytes queued to one peer at most; frames beyond are dropped */
    hoc_logger log;
} hoc_net_opts;

typedef struct hoc_net_stats {
    uint64_t frames_in, frames_out, bytes_in, bytes_out;
    uint64_t bad_frames, auth_failures, accepted, connects, disconnects;
    uint64_t dropped_unconnected, dropped_overflow, dropped_injected;
} hoc_net_stats;

typedef struct hoc_net hoc_net;

/* Binds the listening socket and starts connecting; NULL (logged) on failure. */
hoc_net *hoc_net_new(struct event_base *base, const hoc_net_opts *o, const hoc_net_cb *cb);
void hoc_net_free(hoc_net *net);
void hoc_net_send_msg(hoc_net *net, int to, uint64_t inst, int64_t round, const uint8_t *payload,
                      size_t len);
void hoc_net_send_decision(hoc_net *net, int to, uint64_t inst, int64_t value);
void hoc_net_send_done(hoc_net *net, int to);
/* Writes what is queued to peers now, frames held by --delay included,
 * without waiting for the socket (call before exiting). */
void hoc_net_flush_now(hoc_net *net);
/* Asks for an iteration callback and a flush at the end of this iteration. */
void hoc_net_kick(hoc_net *net);
/* Is the connection with peer p authenticated both ways and usable? */
bool hoc_net_peer_ready(const hoc_net *net, int p);
/* Peers whose connection is ready. */
int hoc_net_ready_count(const hoc_net *net);
const hoc_net_stats *hoc_net_get_stats(const hoc_net *net);

/* Who proves itself with a MAC: the dialing side (in AUTH) or the accepting
 * one (in ACCEPT); the label keeps one side's MAC from passing for the other's. */
typedef enum hoc_auth_role { HOC_AUTH_CLIENT, HOC_AUTH_SERVER } hoc_auth_role;
/* HMAC-SHA256 of "hoc-client" (or "hoc-server") | nonce | client | server
 * under the secret; nonce is the other side's. */
void hoc_net_auth_mac(const uint8_t *secret, size_t len, hoc_auth_role role,
                      const uint8_t nonce[HOC_WIRE_NONCE], uint32_t client, uint32_t server,
                      uint8_t mac[HOC_WIRE_MAC]);

#endif
