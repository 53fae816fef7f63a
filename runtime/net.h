/* net.h: the libevent transport of a replica: a full mesh of TCP connections,
 * one per pair of processes carrying frames both ways (the higher id dials,
 * so the two never race to open it; ACKs ride on the replies), TCP_NODELAY,
 * reconnection with back-off by the dialer, a mutual HMAC challenge when a
 * connection opens, every frame after it sealed (seal.h), and one flush per event-loop iteration:
 * every frame produced while handling one batch of events goes out in one write per peer.
 * A process with several nets may give them one mux (mux.h): each connection
 * is then a channel on the one TCP connection between the two processes.
 */
#ifndef HOC_NET_H
#define HOC_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "log.h"
#include "peers.h"
#include "wire.h"

struct event_base;
typedef struct hoc_mux hoc_mux;

typedef struct hoc_net_cb {
    void *ctx;
    /* An authenticated MSG, DECISION, DONE or APP frame from peer `peer`; return
     * -1 to reject it as bad (the connection is closed). The first frame of a
     * new connection from a peer in opts.greeters is its greeting, and
     * returning -1 refuses that connection only. */
    int (*frame)(void *ctx, int peer, const hoc_frame *f);
    /* Once per loop iteration in which something happened, before the
     * flush: the place to settle the engine and start new work. */
    void (*iteration)(void *ctx);
} hoc_net_cb;

/* The default bound on bytes queued to one peer: 64 MiB, and room for one
 * frame of the largest size beyond it, so that a peer that reads gets a
 * largest frame however much is queued before it. */
#define HOC_NET_MAX_OUT ((size_t)(64u << 20) + HOC_WIRE_LEN + HOC_WIRE_MAX_SEALED)

typedef struct hoc_net_opts {
    int id;
    const hoc_peers *peers;
    const uint8_t *secret; /* cluster secret (may be empty) */
    size_t secret_len;
    uint32_t algo;     /* hoc_wire_algo_tag */
    uint32_t params;   /* hoc_wire_params_tag: peers with other parameter values are refused */
    double drop;       /* fault injection: drop each outgoing MSG frame with this probability */
    uint64_t delay_us; /* fault injection: hold every flush this long */
    uint64_t seed;
    size_t max_out; /* bytes queued to one peer at most (0: HOC_NET_MAX_OUT); frames beyond
                       are dropped */
    /* TEST ONLY (bench/bench_net.sh measures what tags cost): frames after
     * the handshake go unsealed, so anybody on the path can forge them.
     * Both ends must agree; a sealed peer closes the connection. */
    bool test_unsealed;
    /* A service frame (APP) sent first on every connection once it is
     * ready, ahead of any other frame (len 0: none; at most 64 bytes, copied).
     * The peer's service sees it before anything else this process sends
     * there and may refuse the connection: how a process that can move or
     * be deposed presents its generation (docs/services.md). */
    const uint8_t *greeting;
    size_t greeting_len;
    /* Bit p: peer p opens every connection with a greeting. A connection it
     * dials (it has the higher id) becomes its connection, replacing an
     * older one, only once cb.frame has accepted that greeting; until then
     * the older one carries its traffic both ways, and a connection whose
     * first frame is not an APP, or is refused, or that does not greet
     * within the handshake's 5 s is closed alone (stats.greetings_refused). */
    uint64_t greeters;
    /* One connection per pair of processes (mux.h), shared with the
     * process's other nets: with mux set this net neither listens nor dials
     * a socket of its own; its connection with peer p is a channel to
     * process mux_proc[p] (n entries, copied) at group port peers->p[p].port,
     * and channels to its own port come in through the mux. Every process of
     * the group must use one. */
    hoc_mux *mux;
    const int *mux_proc;
    hoc_logger log;
} hoc_net_opts;

/* Counters since hoc_net_new. Every frame the transport does not send is
 * counted in one of the dropped_ fields. */
typedef struct hoc_net_stats {
    uint64_t frames_in, frames_out, bytes_in, bytes_out;
    uint64_t bad_frames, auth_failures, mismatches, disconnects;
    uint64_t tampered;            /* connections closed for a frame whose tag was wrong */
    uint64_t greetings_refused;   /* connections of a greeter closed for their greeting */
    uint64_t dropped_unconnected; /* the connection with the peer was not ready */
    uint64_t dropped_overflow;    /* max_out bytes were already queued for the peer */
    uint64_t dropped_injected;    /* by the drop option */
    uint64_t dropped_oversize;    /* a payload beyond what its frame carries */
    uint64_t dropped_closed;      /* held by delay_us, and their connection closed meanwhile */
    /* With a lease (hoc_net_set_lease): bytes queued and never written
     * because it ran out, and when (hoc_lease_us) the first and the last
     * write to a socket took bytes (0: none yet). */
    uint64_t dropped_lease_bytes;
    uint64_t first_write_us, last_write_us;
} hoc_net_stats;

typedef struct hoc_net hoc_net;

/* Binds the listening socket (with a mux: takes its port's channels
 * there) and starts connecting; NULL (logged) when a host does not
 * resolve, the port cannot be bound (or is taken on the mux), or memory
 * runs out. */
hoc_net *hoc_net_new(struct event_base *base, const hoc_net_opts *o, const hoc_net_cb *cb);
/* Closes every connection and the listening socket, dropping what is still
 * queued (call hoc_net_flush_now first to send it); NULL is a no-op. */
void hoc_net_free(hoc_net *net);
/* The senders queue one frame for peer `to`, written at the end of this loop
 * iteration. A frame for a peer whose connection is not ready (not
 * connected, or its handshake not done) is dropped, counted in
 * stats.dropped_unconnected and logged at debug: the algorithm sees an
 * omission. So is a frame beyond max_out (dropped_overflow) and, for
 * hoc_net_send_msg, one the drop option picks (dropped_injected) or whose
 * payload is longer than HOC_WIRE_MAX_PAYLOAD (dropped_oversize); overflow
 * and oversize drops are logged at warn, at most once a second each. */
void hoc_net_send_msg(hoc_net *net, int to, uint64_t inst, int64_t round, const uint8_t *payload,
                      size_t len);
void hoc_net_send_decision(hoc_net *net, int to, uint64_t inst, uint32_t flags,
                           const uint8_t *value, size_t len);
/* A service's own frame (APP) for peer `to`; dropped like the others, and as
 * oversize beyond HOC_WIRE_MAX_APP. */
void hoc_net_send_app(hoc_net *net, int to, const uint8_t *payload, size_t len);
void hoc_net_send_done(hoc_net *net, int to);
/* HURRY for peer `to`: end round `round` of instance inst now (svc.h). */
void hoc_net_send_hurry(hoc_net *net, int to, uint64_t inst, int64_t round);
/* ROUND for peer `to`: instance inst is in round `round` here (svc.h). */
void hoc_net_send_round(hoc_net *net, int to, uint64_t inst, int64_t round);
/* WHERE for peer `to`: which round is instance inst in there? (svc.h) */
void hoc_net_send_where(hoc_net *net, int to, uint64_t inst);
/* A lease on sending: no byte is written to any socket once hoc_lease_us()
 * reaches until_us (0, the default: no lease), checked at every write, so
 * that a process paused or slowed past it sends nothing when it resumes.
 * The first write tried past it closes every connection (what they had
 * queued counted in stats.dropped_lease_bytes), and the net dials no peer
 * again; a lease that ran out stays out. A later call may extend a lease
 * still running. */
void hoc_net_set_lease(hoc_net *net, uint64_t until_us);
/* True once a lease ran out here (hoc_net_set_lease). */
bool hoc_net_lease_over(const hoc_net *net);
/* Closes the connection with peer p, if any, with what it queued and what
 * it had not read yet: the dialer redials (a peer that does not complete
 * the handshake is then not ready). */
void hoc_net_close_peer(hoc_net *net, int p, const char *why);
/* Writes what is queued to peers now, frames held by --delay included,
 * without waiting for the socket (call before exiting); what the sockets
 * do not take at once is dropped with them at hoc_net_free. */
void hoc_net_flush_now(hoc_net *net);
/* Asks for an iteration callback and a flush at the end of this iteration. */
void hoc_net_kick(hoc_net *net);
/* Is the connection with peer p authenticated both ways and usable? False
 * for p out of range or this process. */
bool hoc_net_peer_ready(const hoc_net *net, int p);
/* Peers whose connection is ready. */
int hoc_net_ready_count(const hoc_net *net);
/* The counters so far; valid as long as net. */
const hoc_net_stats *hoc_net_get_stats(const hoc_net *net);

/* TCP_NODELAY, the user timeout, keepalive, non-blocking, close-on-exec:
 * every socket of the transport's (net.c, mux.c). */
void hoc_net_sock_opts(int fd);
/* host:port's first address; -1 (logged) if it does not resolve. */
int hoc_net_resolve(const hoc_logger *lg, const char *host, int port, struct sockaddr_storage *ss,
                    socklen_t *len);

/* Who proves itself with a MAC: the dialing side (in AUTH) or the accepting
 * one (in ACCEPT); the label keeps one side's MAC from passing for the other's. */
typedef enum hoc_auth_role { HOC_AUTH_CLIENT, HOC_AUTH_SERVER } hoc_auth_role;
/* Writes the HMAC-SHA256 of "hoc-client" (or "hoc-server") | nonce | client |
 * server | cluster under the secret (len 0: the empty key) to mac; nonce is
 * the other side's, the cluster the prover's. Never fails. */
void hoc_net_auth_mac(const uint8_t *secret, size_t len, hoc_auth_role role,
                      const uint8_t nonce[HOC_WIRE_NONCE], uint32_t client, uint32_t server,
                      const hoc_wire_cluster *cluster, uint8_t mac[HOC_WIRE_MAC]);

#endif
