/* mux.h: one TCP connection per pair of processes, shared by every hoc_net
 * of the process (docs/runtime.md, "One connection per pair of
 * processes"). A process that runs several groups (an Amalgam `serve`: one
 * per server role and rotation class) would otherwise hold a connection per
 * group and peer, and a loop pass's frames to one peer process would leave
 * in as many writes and arrive in as many reads. With a mux each of a
 * group's connections is a *channel* on the socket with the peer's process:
 * its handshake, keys, sealing, greeting and closing stay its own (net.c
 * does not change what it sends, only where), and the mux writes what every
 * channel queued in a pass to one peer process in one write.
 *
 * The socket's stream is chunks: `u8 kind`, `u8 0`, `u16 port`, `u32
 * channel`, `u32 len`, then len bytes (NONCE, HELLO and DATA). The
 * acceptor's first chunk is NONCE (16 random bytes); the dialer answers
 * HELLO (port: the mux version, channel: its process index, body: an
 * HMAC-SHA256 of the nonce and both indices under the cluster secret),
 * so that only a process of the cluster names the socket and displaces an
 * older one. Then OPEN (port: the group's port at the accepting process)
 * starts a channel, DATA carries its bytes, CLOSE ends it. Within a
 * socket nothing more is checked: every channel authenticates its own
 * frames (net.c), and what is forged on the path can only cut channels,
 * as a forged TCP reset can. */
#ifndef HOC_MUX_H
#define HOC_MUX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "log.h"

struct event_base;
struct evbuffer;

#define HOC_MUX_PROCS_MAX 1100

typedef struct hoc_mux hoc_mux;
typedef struct hoc_mux_chan hoc_mux_chan;

/* A channel's owner (net.c's connection). data: bytes that arrived on it
 * (the owner may close the channel meanwhile). closed: the socket was lost or the peer closed the
 * channel; the owner must call hoc_mux_close on it before returning. */
typedef struct hoc_mux_chan_cb {
    void (*data)(void *owner, const uint8_t *p, size_t n);
    void (*closed)(void *owner, const char *why);
} hoc_mux_chan_cb;

/* A new channel from a peer process to `port` here: its owner, or NULL to
 * refuse it (the mux closes it). */
typedef void *(*hoc_mux_accept_fn)(void *ctx, hoc_mux_chan *ch);

typedef struct hoc_mux_proc {
    char host[256];
    int port;
} hoc_mux_proc;

typedef struct hoc_mux_opts {
    int self;                  /* this process in procs */
    int nprocs;                /* at most HOC_MUX_PROCS_MAX */
    const hoc_mux_proc *procs; /* copied */
    const uint8_t *secret;     /* the cluster's, copied: a dialer proves it knows it */
    size_t secret_len;         /* at most 256 */
    hoc_logger log;
} hoc_mux_opts;

/* Listens at procs[self]; NULL (logged) when it cannot. */
hoc_mux *hoc_mux_new(struct event_base *base, const hoc_mux_opts *o);
/* Closes every socket (channels' owners are not called: free them first);
 * NULL is a no-op. */
void hoc_mux_free(hoc_mux *m);
/* Told that the socket with process proc is up (dialed or accepted). */
typedef void (*hoc_mux_up_fn)(void *ctx, int proc);
/* Channels opened to `port` here go to fn(ctx, ...), and up(ctx, ...)
 * (NULL: none) hears of every socket that comes up, so that an owner that
 * found no socket opens its channels at once instead of at its next
 * retry: 0, or -1 (taken, or no room). hoc_mux_unlisten stops both. */
int hoc_mux_listen(hoc_mux *m, int port, hoc_mux_accept_fn fn, hoc_mux_up_fn up, void *ctx);
void hoc_mux_unlisten(hoc_mux *m, int port);
/* A channel to group port `port` of process proc, owned by owner: NULL
 * while there is no connection with proc yet (one is dialed: try again
 * later). Of two processes dialing each other, the higher index's
 * connection stays; a newer dial replaces one the same process dialed. */
hoc_mux_chan *hoc_mux_open(hoc_mux *m, int proc, int port, const hoc_mux_chan_cb *cb, void *owner);
/* Sets an accepted channel's owner and callbacks (from the accept fn). */
void hoc_mux_own(hoc_mux_chan *ch, const hoc_mux_chan_cb *cb, void *owner);
/* Moves buf's bytes to the channel's socket, written with every other
 * channel's at the end of the pass. lease_us (hoc_lease_us; 0: none): no
 * byte of it may be written once the lease clock reaches it; the socket
 * is closed instead, with every channel on it. */
void hoc_mux_send(hoc_mux_chan *ch, struct evbuffer *buf, uint64_t lease_us);
/* Bytes queued on the channel's socket, every channel's. */
size_t hoc_mux_queued(const hoc_mux_chan *ch);
/* Ends the channel (the peer is told) and frees it. */
void hoc_mux_close(hoc_mux_chan *ch);
/* Writes what is queued now, without waiting (before exiting). */
void hoc_mux_flush_now(hoc_mux *m);

#endif
