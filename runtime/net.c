/* net.c: the TCP transport on libevent (see net.h). */
#include "net.h"

#include "clock.h"
#include "flush.h"
#include "hoc_rt.h"
#include "mux.h"
#include "rng.h"
#include "seal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

/* ---- connections ---- */
/* A dialed connection goes CONNECTING, HANDSHAKE (waiting for HELLO), PROVE
 * (AUTH sent, waiting for ACCEPT), READY; an accepted one HANDSHAKE (waiting
 * for AUTH), then from a peer in opts.greeters GREET (authenticated and
 * keyed, not yet the peer's: waiting for its greeting), READY. */
enum { C_CONNECTING, C_HANDSHAKE, C_PROVE, C_GREET, C_READY };
#define PRIO_IO 0         /* the sockets'; the flush runs after them in their pass (flush.h) */
#define MAX_PENDING_IN 64 /* unauthenticated incoming connections */
#define HANDSHAKE_TIMEOUT_MS 5000
#define BACKOFF_MIN_MS 20
/* With a mux the first try to a peer always fails: it only starts the
 * dial of the process's socket, which is up a round trip or two later. At
 * 20 ms, what a restarted hoc-kv replica forwarded to a leader in its
 * first 20 ms was dropped and sent again 5 s later (kv-sharded). */
#define MUX_BACKOFF_MIN_MS 2
/* A restarted peer with a lower id waits for the redial: at 1 s, a
 * restarted Amalgam machine heard from its reconfiguration service (which
 * dials everyone) up to 1.2 s after its start, most of its rebuild's fixed
 * part (docs/runtime.md, "Transport"). */
#define BACKOFF_MAX_MS 250
#define WARN_EVERY_US 1000000 /* a drop that repeats with every frame warns once a second */
/* The read path (measured by bench/net_readpath.c, figures in docs/runtime.md):
 * read() straight into a flat per-connection buffer and decode the frames in
 * place. libevent 2.1's evbuffer_read, and so bufferevents, read at most
 * 4 KiB per call whatever they are asked for, and evbuffers must be pulled up
 * (copied) before a frame can be decoded. A connection reads into a small
 * buffer until it is authenticated, so strangers cost little memory. After,
 * the buffer grows to hold a frame longer than it (up to
 * HOC_WIRE_MAX_SEALED, once the frame's length is read and judged) and
 * shrinks back once that frame is consumed: 64 MiB frames are allowed, not
 * reserved per connection. */
#define IN_SMALL 4096          /* before authentication: HELLO and AUTH fit */
#define IN_CAP (256u << 10)    /* after: >= 190 KiB free after a 64 KiB frame */
#define READ_BUDGET (1u << 20) /* bytes read per callback at most, for fairness */

typedef struct Conn {
    hoc_net *net;
    int fd, peer, state;
    bool dialed, dirty;
    bool refused; /* closed for what the other side did: worth a warning */
    struct event *rev, *wev, *timer;
    /* out: bytes for the socket, in order. rec: once ready, the frames
     * queued in this loop iteration, which join out in SEALED frames at its
     * end. pend (with --delay) instead of rec: held as a batch, they join
     * out (sealed) when due, behind every older byte */
    struct evbuffer *out, *rec, *pend;
    uint64_t pend_frames; /* frames in pend */
    uint64_t gen;         /* which connection with the peer this is, once it is the peer's */
    uint8_t *in;          /* bytes read and not yet decoded: in[0..inlen) of incap */
    size_t inlen, incap;
    uint8_t nonce[HOC_WIRE_NONCE]; /* ours, which the other side must MAC */
    uint8_t their_nonce[HOC_WIRE_NONCE];
    /* once ready: the tags of what we send and of what we receive (both
     * NULL with the test-only unsealed option) */
    hoc_seal *tx, *rx;
    hoc_mux_chan *ch; /* with a mux (fd -1): the channel that carries it */
    /* the other side runs another cluster. Dialer: as the server's HELLO
     * announced it (theirs); the server learns it from our AUTH and hangs
     * up. Server: as an authentic AUTH said, so it is refused. */
    bool mismatch;
    hoc_wire_cluster theirs;
    struct Conn *next; /* accepted list */
    struct Conn *next_dirty;
} Conn;

typedef struct Peer {
    struct hoc_net *net;
    int idx;
    struct sockaddr_storage addr;
    socklen_t alen;
    Conn *conn; /* the connection with it: dialed (peer id below ours) or accepted */
    struct event *retry;
    int backoff_ms;
    uint64_t gen; /* connections with it so far */
    bool done;    /* said DONE since it last authenticated: its exit is expected */
    int proc;     /* with a mux: its process */
} Peer;

typedef struct Delayed {
    uint64_t due;
    int peer;
    uint64_t gen; /* the connection it was queued on: no other may send it */
    struct evbuffer *buf;
    uint64_t frames; /* in buf */
    struct Delayed *next;
} Delayed;

struct hoc_net {
    struct event_base *base;
    hoc_net_opts o;
    hoc_wire_cluster cluster; /* ours, which a peer's must equal */
    hoc_net_cb cb;
    uint8_t secret[256];
    uint8_t greeting[64]; /* o.greeting's bytes (o.greeting points here) */
    int n;
    Peer peers[HOC_PEERS_MAX];
    int lfd;
    struct event *lev, *delay_ev;
    hoc_flush flush; /* the loop pass's writes (flush_cb) */
    Conn *incoming;  /* accepted connections, authenticated or not */
    int nincoming;
    Conn *dirty;
    Delayed *dhead, *dtail;
    uint64_t rng;
    hoc_net_stats st;
    uint64_t warned_overflow, warned_oversize; /* when, for WARN_EVERY_US */
    uint64_t lease_until;                      /* hoc_lease_us; 0: no lease */
    bool lease_over;
};

static void conn_close(Conn *c, const char *why);
static bool refuse(Conn *c, uint64_t *counter, const char *why);
static void connect_peer(hoc_net *net, int p);
static void read_cb(evutil_socket_t fd, short what, void *arg);
static void write_cb(evutil_socket_t fd, short what, void *arg);

void hoc_net_auth_mac(const uint8_t *secret, size_t len, hoc_auth_role role,
                      const uint8_t nonce[HOC_WIRE_NONCE], uint32_t client, uint32_t server,
                      const hoc_wire_cluster *cluster, uint8_t mac[HOC_WIRE_MAC])
{
    uint8_t msg[10 + HOC_WIRE_NONCE + 20], *p = msg + 10 + HOC_WIRE_NONCE;
    memcpy(msg, role == HOC_AUTH_CLIENT ? "hoc-client" : "hoc-server", 10);
    memcpy(msg + 10, nonce, HOC_WIRE_NONCE);
    const uint32_t words[5] = {client, server, cluster->algo, cluster->n, cluster->params};
    for (int i = 0; i < 5; i++)
        hoc_put_u32(p + 4 * i, words[i]);
    unsigned int outlen = HOC_WIRE_MAC;
    static const uint8_t empty[1] = {0};
    HMAC(EVP_sha256(), len ? secret : empty, (int)len, msg, sizeof msg, mac, &outlen);
}

/* Is it time to warn again about a drop last warned about at *last? */
static bool warn_due(uint64_t *last)
{
    uint64_t now = hoc_now_us();
    if (*last && now - *last < WARN_EVERY_US) return false;
    *last = now;
    return true;
}

/* Data unacknowledged this long aborts the connection (TCP_USER_TIMEOUT);
 * the dialer then redials within its back-off. Without it, a connection
 * that lived through a partition waits out TCP's own retransmission
 * back-off after the heal: 13.7 s after a 40 s partition in the nemesis
 * tests (docs/testing.md), where a new connection takes about a second. */
#define USER_TIMEOUT_MS 2000
/* A connection that has nothing to send is not covered by the user timeout:
 * when the other end aborted it during a partition (its reset lost), this
 * end holds a half-open connection for ever. In LastVoting a follower sends
 * only to the coordinator, so the dialer of an isolated replica that is not
 * the coordinator kept such a connection, never redialed, and the isolated
 * replica (which cannot dial a higher id) stayed cut off from it after the
 * heal (docs/testing.md, "What the harness found"). Keepalive probes after
 * KEEPIDLE_S of silence from the peer; with TCP_USER_TIMEOUT set, the kernel
 * aborts once probes have gone unanswered for the user timeout, so a dead
 * idle connection is found in about KEEPIDLE_S + 2 s. A probe is an empty
 * segment: nothing above TCP sees it. */
#define KEEPIDLE_S 1
#define KEEPINTVL_S 1

void hoc_net_sock_opts(int fd)
{
    int one = 1, user_timeout = USER_TIMEOUT_MS, idle = KEEPIDLE_S, intvl = KEEPINTVL_S;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &user_timeout, sizeof user_timeout);
    setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof intvl);
    int fl = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    fcntl(fd, F_SETFD, FD_CLOEXEC);
}

static void schedule_flush(hoc_net *net)
{
    hoc_flush_ask(&net->flush);
}

void hoc_net_kick(hoc_net *net)
{
    schedule_flush(net);
}

static void mark_dirty(Conn *c)
{
    if (c->dirty) return;
    c->dirty = true;
    c->next_dirty = c->net->dirty;
    c->net->dirty = c;
    schedule_flush(c->net);
}

static void handshake_timeout(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    Conn *c = arg;
    if (c->state == C_CONNECTING) { /* nobody answered: the back-off retries */
        conn_close(c, "connect timed out");
        return;
    }
    if (c->state == C_GREET) {
        refuse(c, &c->net->st.greetings_refused, "no greeting in time");
        return;
    }
    refuse(c, &c->net->st.auth_failures, "no authentication in time");
}

/* Frees c and closes its socket; c must be off every list. */
static void conn_release(Conn *c)
{
    if (c->rev) event_free(c->rev);
    if (c->wev) event_free(c->wev);
    if (c->timer) event_free(c->timer);
    free(c->in);
    if (c->out) evbuffer_free(c->out);
    if (c->rec) evbuffer_free(c->rec);
    if (c->pend) evbuffer_free(c->pend);
    hoc_seal_free(c->tx);
    hoc_seal_free(c->rx);
    if (c->ch) hoc_mux_close(c->ch);
    if (c->fd >= 0) close(c->fd);
    free(c);
}

/* A connection in its handshake, which must end within HANDSHAKE_TIMEOUT_MS. */
static Conn *conn_new(hoc_net *net, int fd, bool dialed, int peer)
{
    Conn *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->net = net, c->fd = fd, c->dialed = dialed, c->peer = peer;
    c->incap = IN_SMALL;
    c->in = malloc(c->incap);
    c->out = evbuffer_new();
    c->rec = evbuffer_new();
    bool held = net->o.delay_us > 0; /* --delay holds what we send */
    c->pend = held ? evbuffer_new() : NULL;
    if (fd >= 0) {
        c->rev = event_new(net->base, fd, EV_READ | EV_PERSIST, read_cb, c);
        c->wev = event_new(net->base, fd, EV_WRITE, write_cb, c);
    }
    c->timer = event_new(net->base, -1, 0, handshake_timeout, c);
    struct timeval tv = {HANDSHAKE_TIMEOUT_MS / 1000, 0};
    if (!c->in || !c->out || !c->rec || (held && !c->pend) || (fd >= 0 && (!c->rev || !c->wev)) ||
        !c->timer || event_add(c->timer, &tv)) {
        c->fd = -1;
        conn_release(c);
        return NULL;
    }
    RAND_bytes(c->nonce, HOC_WIRE_NONCE);
    if (fd >= 0) {
        event_priority_set(c->rev, PRIO_IO);
        event_priority_set(c->wev, PRIO_IO);
    }
    return c;
}

/* Removes c from the dirty list (if there). */
static void undirty(Conn *c)
{
    if (!c->dirty) return;
    for (Conn **pp = &c->net->dirty; *pp; pp = &(*pp)->next_dirty)
        if (*pp == c) {
            *pp = c->next_dirty;
            break;
        }
    c->dirty = false;
}

static bool same_cluster(const hoc_wire_cluster *a, const hoc_wire_cluster *b)
{
    return a->algo == b->algo && a->n == b->n && a->params == b->params;
}

/* Says how a peer's cluster differs from ours, in buf; false if it does not. */
static bool cluster_differs(const hoc_net *net, uint32_t peer, const hoc_wire_cluster *theirs,
                            char *buf, size_t cap)
{
    const hoc_wire_cluster *ours = &net->cluster;
    if (same_cluster(theirs, ours)) return false;
    if (theirs->algo != ours->algo)
        snprintf(buf, cap,
                 "peer %u runs another algorithm (or one built for another runtime ABI) than "
                 "this replica",
                 peer);
    else if (theirs->n != ours->n)
        snprintf(buf, cap,
                 "peer %u runs with n = %u (its peers file has %u processes), this replica with "
                 "n = %u: the peers files differ",
                 peer, theirs->n, theirs->n, ours->n);
    else
        snprintf(buf, cap, "peer %u runs with other parameter values (--param) than this replica",
                 peer);
    return true;
}

/* Logs why c closes: at warn when the other side refused or misbehaved,
 * lower when it is routine (a peer exiting, a peer not up yet). */
static void log_close(const Conn *c, const char *why)
{
    hoc_net *net = c->net;
    if (c->state == C_READY) {
        /* routine when a peer exits: its EOF, or a reset when it leaves our
         * last frames unread after saying DONE */
        bool routine = strcmp(why, "closed by the peer") == 0 || net->peers[c->peer].done ||
                       net->lease_over; /* end_lease says it once */
        hoc_log(&net->o.log, routine ? HOC_LOG_INFO : HOC_LOG_WARN, "connection with %d closed: %s",
                c->peer, why);
    } else if (c->dialed) { /* routine while the peer is not up (yet): the back-off retries */
        /* a server that hangs up on our AUTH refused it: another cluster,
         * if its HELLO said so, else most likely another secret */
        bool proved = c->state == C_PROVE;
        char what[200] = " after our AUTH (the same --secret on both?)", diff[160];
        if (proved && c->mismatch) {
            cluster_differs(net, (uint32_t)c->peer, &c->theirs, diff, sizeof diff);
            snprintf(what, sizeof what, " after our AUTH: %s", diff);
        }
        hoc_log(&net->o.log, c->refused || proved ? HOC_LOG_WARN : HOC_LOG_DEBUG,
                "connecting to %d failed: %s%s", c->peer, why, proved ? what : "");
    } else if (c->state == C_GREET) { /* the peer's current connection, if any, stays */
        hoc_log(&net->o.log, HOC_LOG_WARN, "new connection from %d refused: %s", c->peer, why);
    } else {
        hoc_log(&net->o.log, HOC_LOG_WARN, "%s: %s",
                c->mismatch ? "connection refused" : "unauthenticated connection closed", why);
    }
}

/* Frames held for c (by --delay) go with it. */
static void drop_held(hoc_net *net, uint64_t frames)
{
    net->st.dropped_closed += frames;
    if (frames)
        hoc_log(&net->o.log, HOC_LOG_DEBUG, "%" PRIu64 " held frames lost with their connection",
                frames);
}

static void conn_close(Conn *c, const char *why)
{
    hoc_net *net = c->net;
    Peer *pe = c->peer >= 0 ? &net->peers[c->peer] : NULL;
    log_close(c, why);
    drop_held(net, c->pend_frames);
    net->st.disconnects++;
    undirty(c);
    if (pe && pe->conn == c) pe->conn = NULL;
    if (c->dialed) {
        /* back off: 20 ms doubling to 250 ms, reset once a handshake succeeds */
        struct timeval tv = {pe->backoff_ms / 1000, (pe->backoff_ms % 1000) * 1000};
        event_add(pe->retry, &tv);
        pe->backoff_ms = pe->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : pe->backoff_ms * 2;
    } else {
        for (Conn **pp = &net->incoming; *pp; pp = &(*pp)->next)
            if (*pp == c) {
                *pp = c->next;
                break;
            }
        net->nincoming--;
    }
    conn_release(c);
}

/* Closes c for what the other side did, counted in *counter (NULL: counted
 * already); returns false, as frame handlers do once c is closed. */
static bool refuse(Conn *c, uint64_t *counter, const char *why)
{
    if (counter) (*counter)++;
    c->refused = true;
    conn_close(c, why);
    return false;
}

static void bad_frame(Conn *c, const char *why)
{
    refuse(c, &c->net->st.bad_frames, why);
}

/* Bytes queued on c, sent or not yet sealed (on a mux: those not yet
 * handed to it). */
static size_t queued_bytes(const Conn *c)
{
    return evbuffer_get_length(c->out) + evbuffer_get_length(c->rec) +
           (c->pend ? evbuffer_get_length(c->pend) : 0);
}

/* Queues a whole frame, head then body (which may be empty), on conn c:
 * straight out during the handshake, once ready into rec (or pend), which
 * seal_out moves out in SEALED frames. */
static void queue2(Conn *c, const void *head, size_t hlen, const void *body, size_t blen)
{
    hoc_net *net = c->net;
    bool ready = c->state == C_READY;
    /* --delay holds the peer's traffic, not the handshake: held frames are
     * tied to the connection by peer and generation, which it has once ready */
    struct evbuffer *b = !ready ? c->out : c->pend ? c->pend : c->rec;
    /* on a mux, a peer process that does not read holds back every
     * channel to it: their bytes count against each */
    size_t queued = queued_bytes(c) + (c->ch ? hoc_mux_queued(c->ch) : 0);
    if (queued + hlen + blen > net->o.max_out) {
        net->st.dropped_overflow++;
        if (warn_due(&net->warned_overflow))
            hoc_log(&net->o.log, HOC_LOG_WARN,
                    "peer %d does not read: %zu bytes queued, frames dropped (%" PRIu64 " so far)",
                    c->peer, queued, net->st.dropped_overflow);
        return;
    }
    evbuffer_add(b, head, hlen);
    if (blen) evbuffer_add(b, body, blen);
    if (b == c->pend) c->pend_frames++;
    net->st.frames_out++;
    net->st.bytes_out += hlen + blen;
    mark_dirty(c);
}

/* The bytes of the whole frames at the front of src that one SEALED frame
 * takes: as many as fit in HOC_WIRE_SEAL_BATCH, at least one. src holds
 * whole frames only, so a batch that fits is all of it (the usual case:
 * no walk over the frames). */
static size_t seal_batch(struct evbuffer *src)
{
    size_t len = evbuffer_get_length(src), take = 0;
    if (len <= HOC_WIRE_SEAL_BATCH) return len;
    struct evbuffer_ptr at;
    evbuffer_ptr_set(src, &at, 0, EVBUFFER_PTR_SET);
    while (take + HOC_WIRE_LEN <= len) {
        uint8_t l4[HOC_WIRE_LEN];
        if (evbuffer_copyout_from(src, &at, l4, sizeof l4) != (ev_ssize_t)sizeof l4) break;
        size_t fl = HOC_WIRE_LEN + hoc_get_u32(l4);
        if (take && take + fl > HOC_WIRE_SEAL_BATCH) break;
        take += fl;
        if (take >= len || evbuffer_ptr_set(src, &at, fl, EVBUFFER_PTR_ADD) != 0) break;
    }
    return take < len ? take : len;
}

/* Moves the frames in src to c->out in SEALED frames (the test-only
 * unsealed option: as they are). Sealing here, where bytes join out, keeps
 * the sequence numbers in the order the bytes are written. */
static void seal_out(Conn *c, struct evbuffer *src)
{
    if (!c->tx) {
        evbuffer_add_buffer(c->out, src);
        return;
    }
    while (evbuffer_get_length(src) > 0) {
        size_t take = seal_batch(src);
        uint8_t hdr[HOC_WIRE_LEN + HOC_WIRE_HDR], tag[HOC_WIRE_TAG];
        struct evbuffer_iovec v[16];
        int h = hoc_wire_sealed_header(hdr, sizeof hdr, take);
        bool ok = h > 0 && hoc_seal_begin(c->tx) == 0 && hoc_seal_add(c->tx, hdr, (size_t)h) == 0;
        struct evbuffer_ptr at;
        evbuffer_ptr_set(src, &at, 0, EVBUFFER_PTR_SET);
        for (size_t done = 0; ok && done < take;) {
            int nv = evbuffer_peek(src, (ev_ssize_t)(take - done), &at, v, 16);
            ok = nv > 0;
            for (int i = 0; ok && i < nv && i < 16 && done < take; i++) {
                size_t k = v[i].iov_len < take - done ? v[i].iov_len : take - done;
                ok = hoc_seal_add(c->tx, v[i].iov_base, k) == 0;
                done += k;
            }
            ok = ok && evbuffer_ptr_set(src, &at, done, EVBUFFER_PTR_SET) == 0;
        }
        if (!ok || hoc_seal_end(c->tx, tag) < 0) { /* OpenSSL failed: nothing goes out */
            hoc_log(&c->net->o.log, HOC_LOG_ERROR, "frames for %d dropped: cannot seal them",
                    c->peer);
            evbuffer_drain(src, evbuffer_get_length(src));
            return;
        }
        evbuffer_add(c->out, hdr, (size_t)h);
        evbuffer_remove_buffer(src, c->out, take);
        evbuffer_add(c->out, tag, sizeof tag);
        c->net->st.bytes_out += (size_t)h + sizeof tag;
    }
}

static void queue(Conn *c, const void *frame, size_t len)
{
    queue2(c, frame, len, NULL, 0);
}

static Conn *ready_out(hoc_net *net, int to)
{
    if (to < 0 || to >= net->n || to == net->o.id) return NULL;
    Conn *c = net->peers[to].conn;
    if (!c || c->state != C_READY) {
        net->st.dropped_unconnected++;
        hoc_log(&net->o.log, HOC_LOG_DEBUG, "frame for %d dropped: not connected", to);
        return NULL;
    }
    return c;
}

/* Counts and (once a second) logs a frame too long to send. */
static void oversize(hoc_net *net, const char *what, size_t len, size_t max)
{
    net->st.dropped_oversize++;
    if (warn_due(&net->warned_oversize))
        hoc_log(&net->o.log, HOC_LOG_WARN,
                "%s of %zu bytes does not fit in a frame (at most %zu): dropped", what, len, max);
}

void hoc_net_send_msg(hoc_net *net, int to, uint64_t inst, int64_t round, const uint8_t *payload,
                      size_t len)
{
    if (net->o.drop > 0 && hoc_rng_unit(&net->rng) < net->o.drop) {
        net->st.dropped_injected++;
        return;
    }
    Conn *c = ready_out(net, to);
    if (!c) return;
    uint8_t hdr[HOC_WIRE_LEN + HOC_WIRE_HDR + HOC_WIRE_MSG_FIXED];
    int h =
        hoc_wire_msg_header(hdr, sizeof hdr, inst, round, (uint32_t)net->o.id, net->o.algo, len);
    if (h < 0) {
        oversize(net, "a message", len, HOC_WIRE_MAX_PAYLOAD);
        return;
    }
    queue2(c, hdr, (size_t)h, payload, len);
}

void hoc_net_send_decision(hoc_net *net, int to, uint64_t inst, uint32_t flags,
                           const uint8_t *value, size_t len)
{
    Conn *c = ready_out(net, to);
    if (!c) return;
    if (len > HOC_WIRE_MAX_VALUE) {
        oversize(net, "a decision", len, HOC_WIRE_MAX_VALUE);
        return;
    }
    uint8_t hdr[64];
    /* the header alone, then the value: no copy of a large value */
    int h =
        hoc_wire_decision(hdr, sizeof hdr, inst, (uint32_t)net->o.id, net->o.algo, flags, NULL, 0);
    if (h < 0) return;
    hoc_put_u32(hdr, (uint32_t)(HOC_WIRE_HDR + HOC_WIRE_DECISION_FIXED + len));
    queue2(c, hdr, (size_t)h, value, len);
}

void hoc_net_send_app(hoc_net *net, int to, const uint8_t *payload, size_t len)
{
    Conn *c = ready_out(net, to);
    if (!c) return;
    uint8_t hdr[32];
    int h = hoc_wire_app_header(hdr, sizeof hdr, (uint32_t)net->o.id, net->o.algo, len);
    if (h < 0) {
        oversize(net, "a service frame", len, HOC_WIRE_MAX_APP);
        return;
    }
    queue2(c, hdr, (size_t)h, payload, len);
}

/* Queues fixed-size frame f of len bytes (its encoder's result: nothing
 * when negative) for peer `to`, if its connection is ready. */
static void send_fixed(hoc_net *net, int to, const uint8_t *f, int len)
{
    Conn *c = ready_out(net, to);
    if (c && len > 0) queue(c, f, (size_t)len);
}

void hoc_net_send_done(hoc_net *net, int to)
{
    uint8_t f[64];
    send_fixed(net, to, f, hoc_wire_done(f, sizeof f, (uint32_t)net->o.id, net->o.algo));
}

void hoc_net_send_hurry(hoc_net *net, int to, uint64_t inst, int64_t round)
{
    uint8_t f[64];
    send_fixed(net, to, f,
               hoc_wire_hurry(f, sizeof f, inst, round, (uint32_t)net->o.id, net->o.algo));
}

void hoc_net_send_round(hoc_net *net, int to, uint64_t inst, int64_t round)
{
    uint8_t f[64];
    send_fixed(net, to, f,
               hoc_wire_round(f, sizeof f, inst, round, (uint32_t)net->o.id, net->o.algo));
}

void hoc_net_send_where(hoc_net *net, int to, uint64_t inst)
{
    uint8_t f[64];
    send_fixed(net, to, f, hoc_wire_where(f, sizeof f, inst, (uint32_t)net->o.id, net->o.algo));
}

bool hoc_net_peer_ready(const hoc_net *net, int p)
{
    return p >= 0 && p < net->n && net->peers[p].conn && net->peers[p].conn->state == C_READY;
}

int hoc_net_ready_count(const hoc_net *net)
{
    int k = 0;
    for (int p = 0; p < net->n; p++)
        if (p != net->o.id && hoc_net_peer_ready(net, p)) k++;
    return k;
}

const hoc_net_stats *hoc_net_get_stats(const hoc_net *net)
{
    return &net->st;
}

/* The lease ran out: every connection goes, with what it queued. */
static void end_lease(hoc_net *net)
{
    net->lease_over = true;
    uint64_t lost = 0;
    for (int p = 0; p < net->n; p++) {
        Conn *c = net->peers[p].conn;
        if (!c || !c->dialed) continue; /* accepted ones are on the incoming list */
        lost += queued_bytes(c);
        conn_close(c, "the lease on sending ran out");
    }
    while (net->incoming) {
        lost += queued_bytes(net->incoming);
        conn_close(net->incoming, "the lease on sending ran out");
    }
    net->st.dropped_lease_bytes += lost;
    hoc_log(&net->o.log, HOC_LOG_WARN,
            "the lease on sending ran out %.1f ms ago: connections closed, %" PRIu64
            " bytes unsent dropped",
            (double)(hoc_lease_us() - net->lease_until) / 1000.0, lost);
}

void hoc_net_set_lease(hoc_net *net, uint64_t until_us)
{
    if (!net->lease_over) net->lease_until = until_us;
}

bool hoc_net_lease_over(const hoc_net *net)
{
    return net->lease_over;
}

void hoc_net_close_peer(hoc_net *net, int p, const char *why)
{
    if (p >= 0 && p < net->n && net->peers[p].conn) conn_close(net->peers[p].conn, why);
}

/* Writes what c has queued; true if c is still open. Under a lease, the
 * clock is read at each write: the lease ends exactly where bytes leave. */
static bool write_out(Conn *c)
{
    hoc_net *net = c->net;
    while (evbuffer_get_length(c->out) > 0) {
        uint64_t now = net->lease_until ? hoc_lease_us() : 0;
        if (net->lease_until && now >= net->lease_until) {
            end_lease(net);
            return false;
        }
        if (c->ch) { /* the mux writes it with the other channels', lease checked there too */
            hoc_mux_send(c->ch, c->out, net->lease_until);
            if (now && !net->st.first_write_us) net->st.first_write_us = now;
            if (now) net->st.last_write_us = now;
            return true;
        }
        int w = evbuffer_write(c->out, c->fd);
        if (w < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) break;
            conn_close(c, strerror(errno));
            return false;
        }
        if (w == 0) break;
        if (now && !net->st.first_write_us) net->st.first_write_us = now;
        if (now) net->st.last_write_us = now;
    }
    if (evbuffer_get_length(c->out) > 0) event_add(c->wev, NULL);
    return true;
}

static void write_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    Conn *c = arg;
    if (c->state == C_CONNECTING) {
        int err = 0;
        socklen_t el = sizeof err;
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el);
        if (err) {
            conn_close(c, strerror(err));
            return;
        }
        c->state = C_HANDSHAKE; /* wait for the server's HELLO */
        event_add(c->rev, NULL);
        return;
    }
    write_out(c);
}

static void delay_cb(evutil_socket_t fd, short what, void *arg);

static void arm_delay(hoc_net *net)
{
    if (!net->dhead) return;
    uint64_t now = hoc_now_us(), due = net->dhead->due;
    uint64_t d = due > now ? due - now : 0;
    struct timeval tv = {(time_t)(d / 1000000), (suseconds_t)(d % 1000000)};
    event_add(net->delay_ev, &tv);
}

static void delay_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    hoc_net *net = arg;
    uint64_t now = hoc_now_us();
    while (net->dhead && net->dhead->due <= now) {
        Delayed *d = net->dhead;
        net->dhead = d->next;
        if (!net->dhead) net->dtail = NULL;
        Conn *c = net->peers[d->peer].conn;
        if (c && c->state == C_READY && c->gen == d->gen) {
            seal_out(c, d->buf);
            write_out(c);
        } else {
            drop_held(net, d->frames);
        }
        evbuffer_free(d->buf);
        free(d);
    }
    arm_delay(net);
}

/* Once per loop iteration with activity: let the owner settle, then write. */
static void flush_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    hoc_net *net = arg;
    hoc_flush_began(&net->flush);
    if (net->cb.iteration) net->cb.iteration(net->cb.ctx);
    while (net->dirty) {
        Conn *c = net->dirty;
        net->dirty = c->next_dirty;
        c->dirty = false;
        if (c->pend && evbuffer_get_length(c->pend) > 0) {
            Delayed *d = calloc(1, sizeof *d);
            if (d && (d->buf = evbuffer_new())) {
                d->due = hoc_now_us() + net->o.delay_us;
                d->peer = c->peer;
                d->gen = c->gen;
                d->frames = c->pend_frames;
                evbuffer_add_buffer(d->buf, c->pend);
                if (net->dtail)
                    net->dtail->next = d;
                else
                    net->dhead = d;
                net->dtail = d;
                if (net->dhead == d) arm_delay(net);
            } else {
                free(d);
                seal_out(c, c->pend); /* out of memory: send it now */
            }
            c->pend_frames = 0;
        }
        seal_out(c, c->rec);
        write_out(c); /* and handshake frames, which --delay does not hold */
    }
    /* the iteration callback may have asked for another run: it stays asked */
}

void hoc_net_flush_now(hoc_net *net)
{
    /* what --delay holds goes out now: the last frames before an exit are
     * the DONE notices, and peers that miss them wait out their linger */
    while (net->dhead) {
        Delayed *d = net->dhead;
        net->dhead = d->next;
        Conn *c = net->peers[d->peer].conn;
        if (c && c->state == C_READY && c->gen == d->gen)
            seal_out(c, d->buf);
        else
            drop_held(net, d->frames);
        evbuffer_free(d->buf);
        free(d);
    }
    net->dtail = NULL;
    for (int p = 0; p < net->n; p++) {
        Conn *c = net->peers[p].conn;
        if (c && c->pend) {
            seal_out(c, c->pend);
            c->pend_frames = 0;
        }
        if (c && c->state == C_READY) {
            seal_out(c, c->rec);
            write_out(c);
        }
    }
    if (net->o.mux) hoc_mux_flush_now(net->o.mux);
}

/* ---- frames in ---- */
/* Keys c's two directions from the secret and both nonces; false if
 * OpenSSL cannot (c is then closed). */
static bool conn_seal(Conn *c)
{
    hoc_net *net = c->net;
    if (net->o.test_unsealed) return true;
    uint8_t cs[HOC_SEAL_KEY], sc[HOC_SEAL_KEY];
    const uint8_t *cn = c->dialed ? c->nonce : c->their_nonce;
    const uint8_t *sn = c->dialed ? c->their_nonce : c->nonce;
    uint32_t me = (uint32_t)net->o.id, peer = (uint32_t)c->peer;
    hoc_seal_keys(net->secret, net->o.secret_len, cn, sn, c->dialed ? me : peer,
                  c->dialed ? peer : me, &net->cluster, cs, sc);
    c->tx = hoc_seal_new(c->dialed ? cs : sc);
    c->rx = hoc_seal_new(c->dialed ? sc : cs);
    OPENSSL_cleanse(cs, sizeof cs);
    OPENSSL_cleanse(sc, sizeof sc);
    if (c->tx && c->rx) return true;
    conn_close(c, "cannot key the connection (OpenSSL)");
    return false;
}

/* c becomes the connection with its peer, in place of an older one (a
 * restart, or a redial after a partition): it carries the peer's traffic. */
static void conn_take(Conn *c)
{
    hoc_net *net = c->net;
    Peer *pe = &net->peers[c->peer];
    if (pe->conn && pe->conn != c) conn_close(pe->conn, "replaced by a new connection");
    c->state = C_READY;
    pe->conn = c;
    c->gen = ++pe->gen;
    pe->backoff_ms = net->o.mux ? MUX_BACKOFF_MIN_MS : BACKOFF_MIN_MS;
    pe->done = false;
    event_free(c->timer);
    c->timer = NULL;
    hoc_log(&net->o.log, HOC_LOG_INFO, "%s %d", c->dialed ? "connected to" : "accepted", c->peer);
    /* first of all the connection carries: the peer may check it before
     * taking anything else from us */
    if (net->o.greeting_len) hoc_net_send_app(net, c->peer, net->greeting, net->o.greeting_len);
}

/* The handshake is over both ways: c is keyed, and the peer's unless it is
 * an accepted one from a peer that greets, which waits in GREET for its
 * greeting to be accepted (on_frame) while the peer's older connection, if
 * any, goes on: a newcomer the service refuses never displaces it. False
 * if c was closed instead. */
static bool conn_ready(Conn *c)
{
    if (!conn_seal(c)) return false;
    if (!c->dialed && (c->net->o.greeters >> c->peer & 1u)) {
        c->state = C_GREET;
        return true;
    }
    conn_take(c);
    return true;
}

static bool auth_failed(Conn *c, const char *why)
{
    return refuse(c, &c->net->st.auth_failures, why);
}

/* Dialer: answers HELLO with AUTH, our proof over our cluster. A server
 * whose HELLO announces another cluster gets the AUTH all the same, so that
 * it can tell its side what differs; it will hang up on it. */
static void answer_hello(Conn *c, const hoc_frame *f)
{
    hoc_net *net = c->net;
    uint8_t mac[HOC_WIRE_MAC], frame[128];
    c->theirs = (hoc_wire_cluster){f->algo, f->n, f->params};
    memcpy(c->their_nonce, f->nonce, HOC_WIRE_NONCE);
    c->mismatch = !same_cluster(&c->theirs, &net->cluster);
    net->st.mismatches += c->mismatch;
    hoc_net_auth_mac(net->secret, net->o.secret_len, HOC_AUTH_CLIENT, f->nonce, (uint32_t)net->o.id,
                     (uint32_t)c->peer, &net->cluster, mac);
    int len = hoc_wire_auth(frame, sizeof frame, (uint32_t)net->o.id, &net->cluster, mac, c->nonce);
    c->state = C_PROVE;
    queue(c, frame, (size_t)len);
}

/* Dialer: HELLO, answered with AUTH; then ACCEPT, the server's proof. */
static bool on_server_frame(Conn *c, const hoc_frame *f)
{
    hoc_net *net = c->net;
    bool hello = c->state == C_HANDSHAKE;
    if (f->type != (hello ? HOC_F_HELLO : HOC_F_ACCEPT)) {
        bad_frame(c, "unexpected frame from the server side");
        return false;
    }
    if (f->id != (uint32_t)c->peer) return auth_failed(c, "peer has another id");
    if (hello) {
        answer_hello(c, f);
        return true;
    }
    if (c->mismatch) { /* counted at HELLO */
        char what[160];
        cluster_differs(net, f->id, &c->theirs, what, sizeof what);
        return refuse(c, NULL, what);
    }
    if (f->algo != net->o.algo) return auth_failed(c, "peer runs another algorithm");
    uint8_t mac[HOC_WIRE_MAC];
    hoc_net_auth_mac(net->secret, net->o.secret_len, HOC_AUTH_SERVER, c->nonce, (uint32_t)net->o.id,
                     (uint32_t)c->peer, &net->cluster, mac);
    if (CRYPTO_memcmp(mac, f->mac, HOC_WIRE_MAC) != 0)
        return auth_failed(c, "the server failed authentication");
    return conn_ready(c);
}

/* Server: AUTH, the client's proof, answered with ACCEPT. The MAC is checked
 * first, over the cluster the client sent: a client that knows the secret
 * but runs another cluster is told apart from a stranger. */
static bool on_auth(Conn *c, const hoc_frame *f)
{
    hoc_net *net = c->net;
    if (f->type != HOC_F_AUTH) {
        net->st.auth_failures++;
        bad_frame(c, "frame before authentication");
        return false;
    }
    uint8_t mac[HOC_WIRE_MAC], frame[128];
    hoc_wire_cluster theirs = {f->algo, f->n, f->params};
    hoc_net_auth_mac(net->secret, net->o.secret_len, HOC_AUTH_CLIENT, c->nonce, f->id,
                     (uint32_t)net->o.id, &theirs, mac);
    if (CRYPTO_memcmp(mac, f->mac, HOC_WIRE_MAC) != 0)
        return auth_failed(c, "authentication failed");
    char what[160];
    if ((c->mismatch = cluster_differs(net, f->id, &theirs, what, sizeof what)))
        return refuse(c, &net->st.mismatches, what);
    if (f->id >= (uint32_t)net->n || f->id == (uint32_t)net->o.id)
        return auth_failed(c, "a peer with an id not among our peers (or our own) dialed");
    /* the peer with the higher id dials: a lower one has a peers file that
     * disagrees with ours */
    if (f->id < (uint32_t)net->o.id) return auth_failed(c, "a peer with a lower id dialed");
    c->peer = (int)f->id;
    memcpy(c->their_nonce, f->nonce, HOC_WIRE_NONCE);
    hoc_net_auth_mac(net->secret, net->o.secret_len, HOC_AUTH_SERVER, f->nonce, f->id,
                     (uint32_t)net->o.id, &net->cluster, mac);
    int len = hoc_wire_accept(frame, sizeof frame, (uint32_t)net->o.id, net->o.algo, mac);
    queue(c, frame, (size_t)len);
    return conn_ready(c);
}

/* Handles one decoded frame; false if c was closed. */
static bool on_frame(Conn *c, const hoc_frame *f)
{
    hoc_net *net = c->net;
    net->st.frames_in++;
    if (c->state < C_GREET) return c->dialed ? on_server_frame(c, f) : on_auth(c, f);
    if (f->type != HOC_F_MSG && f->type != HOC_F_DECISION && f->type != HOC_F_DONE &&
        f->type != HOC_F_APP && f->type != HOC_F_HURRY && f->type != HOC_F_WHERE &&
        f->type != HOC_F_ROUND) {
        bad_frame(c, "handshake frame after authentication");
        return false;
    }
    if (f->id != (uint32_t)c->peer) {
        bad_frame(c, "sender id differs from the authenticated one");
        return false;
    }
    if (f->algo != net->o.algo) {
        bad_frame(c, "frame for another algorithm");
        return false;
    }
    bool greeting = c->state == C_GREET;
    if (greeting && f->type != HOC_F_APP)
        return refuse(c, &net->st.greetings_refused, "its first frame is not a greeting");
    if (f->type == HOC_F_DONE) net->peers[c->peer].done = true;
    if (net->cb.frame(net->cb.ctx, c->peer, f) < 0) {
        if (greeting) return refuse(c, &net->st.greetings_refused, "greeting refused");
        bad_frame(c, "payload does not decode");
        return false;
    }
    if (greeting) conn_take(c);
    return true;
}

/* After the handshake: checks the SEALED frame f (its used bytes at at)
 * and hands its frames over; false if c was closed. A wrong tag means a
 * SEALED frame altered, injected, replayed or reordered on the path, or
 * one before it dropped; a bare frame, one injected. Either closes the
 * connection, logged and counted in tampered (the dialer redials: a new
 * connection, new keys). */
static bool unseal(Conn *c, const uint8_t *at, const hoc_frame *f, size_t used)
{
    char why[160];
    if (f->type != HOC_F_SEALED || !hoc_seal_check(c->rx, at, used - HOC_WIRE_TAG, f->tag)) {
        snprintf(why, sizeof why,
                 "%s %" PRIu64 " failed authentication (altered, injected, replayed, reordered or "
                 "dropped on the path)",
                 f->type == HOC_F_SEALED ? "sealed frame"
                                         : "unsealed frame in place of sealed frame",
                 hoc_seal_seq(c->rx));
        return refuse(c, &c->net->st.tampered, why);
    }
    size_t off = 0;
    while (off < f->payload_len) {
        hoc_frame g;
        size_t n;
        const char *bad;
        hoc_wire_status s = hoc_wire_decode(f->payload + off, f->payload_len - off, &g, &n, &bad);
        if (s != HOC_WIRE_OK) {
            bad_frame(c, s == HOC_WIRE_MORE ? "a frame cut short inside its sealed frame" : bad);
            return false;
        }
        off += n;
        if (!on_frame(c, &g)) return false;
    }
    return true;
}

/* Decodes and handles the whole frames in c->in and keeps the partial one at
 * the front; false if c was closed. */
static bool consume(Conn *c)
{
    size_t off = 0;
    bool open = true;
    while (open) {
        hoc_frame f;
        size_t used;
        const char *why;
        const uint8_t *at = c->in + off;
        hoc_wire_status s = hoc_wire_decode(at, c->inlen - off, &f, &used, &why);
        if (s == HOC_WIRE_MORE) break;
        if (s == HOC_WIRE_BAD) {
            bad_frame(c, why);
            return false;
        }
        off += used;
        open = c->rx ? unseal(c, at, &f, used) : on_frame(c, &f);
    }
    if (!open) return false;
    c->inlen -= off;
    if (c->inlen && off) memmove(c->in, c->in + off, c->inlen);
    if (c->state < C_GREET) return true;
    /* authenticated: IN_CAP, or room for the whole partial frame at the
     * front (its length was judged by hoc_wire_decode, which said MORE) */
    size_t want = IN_CAP;
    if (c->inlen >= HOC_WIRE_LEN) {
        size_t need = HOC_WIRE_LEN + (size_t)hoc_get_u32(c->in);
        if (need > want) want = need;
    }
    if (want != c->incap && (want > c->incap || c->inlen <= IN_CAP)) {
        uint8_t *b = realloc(c->in, want);
        if (!b) {
            conn_close(c, "out of memory for a frame");
            return false;
        }
        c->in = b, c->incap = want;
    }
    return true;
}

static void read_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    Conn *c = arg;
    hoc_net *net = c->net;
    size_t got = 0;
    while (got < READ_BUDGET) { /* c is freed once closed: leave at once */
        size_t room = c->incap - c->inlen;
        if (room == 0) { /* a whole frame always fits once authenticated */
            bad_frame(c, "frame too long for the handshake");
            break;
        }
        ssize_t r = read(c->fd, c->in + c->inlen, room);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        if (r <= 0) {
            conn_close(c, r == 0 ? "closed by the peer" : strerror(errno));
            break;
        }
        got += (size_t)r;
        net->st.bytes_in += (size_t)r;
        c->inlen += (size_t)r;
        if (!consume(c)) break;
        if ((size_t)r < room) break; /* drained the socket: spare the read that says EAGAIN */
    }
    schedule_flush(net);
}

/* An accepted connection (fd -1: a channel) in its handshake, HELLO queued. */
static Conn *conn_accepted(hoc_net *net, int fd)
{
    Conn *c = conn_new(net, fd, false, -1);
    if (!c) return NULL;
    c->state = C_HANDSHAKE;
    c->next = net->incoming;
    net->incoming = c;
    net->nincoming++;
    uint8_t frame[64];
    int len = hoc_wire_hello(frame, sizeof frame, (uint32_t)net->o.id, &net->cluster, c->nonce);
    queue(c, frame, (size_t)len);
    return c;
}

static void accept_cb(evutil_socket_t lfd, short what, void *arg)
{
    (void)what;
    hoc_net *net = arg;
    for (;;) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) return;
        if (net->nincoming >= MAX_PENDING_IN + net->n) {
            hoc_log(&net->o.log, HOC_LOG_WARN, "too many incoming connections: refused one");
            close(fd);
            continue;
        }
        hoc_net_sock_opts(fd);
        Conn *c = conn_accepted(net, fd);
        if (!c) {
            close(fd);
            continue;
        }
        event_add(c->rev, NULL);
    }
}

/* ---- channels of a mux (mux.h) in place of sockets ---- */
static void chan_data(void *owner, const uint8_t *p, size_t n)
{
    Conn *c = owner;
    hoc_net *net = c->net;
    net->st.bytes_in += n;
    while (n > 0) { /* c is freed once closed: leave at once */
        size_t room = c->incap - c->inlen, k = n < room ? n : room;
        if (room == 0) {
            bad_frame(c, "frame too long for the handshake");
            break;
        }
        memcpy(c->in + c->inlen, p, k);
        c->inlen += k, p += k, n -= k;
        if (!consume(c)) break;
    }
    schedule_flush(net);
}

static void chan_closed(void *owner, const char *why)
{
    Conn *c = owner;
    hoc_net *net = c->net;
    bool lease = net->lease_until && !net->lease_over && hoc_lease_us() >= net->lease_until;
    conn_close(c, why);        /* which hands c->ch back (hoc_mux_close) */
    if (lease) end_lease(net); /* the mux found the lease out as it wrote */
}

static const hoc_mux_chan_cb chan_cb = {chan_data, chan_closed};

static void *mux_accept(void *ctx, hoc_mux_chan *ch)
{
    hoc_net *net = ctx;
    if (net->nincoming >= MAX_PENDING_IN + net->n || net->lease_over) return NULL;
    Conn *c = conn_accepted(net, -1);
    if (c) c->ch = ch, hoc_mux_own(ch, &chan_cb, c);
    return c;
}

/* The mux's socket with process proc is up: peers there whose channel
 * waits for its retry (hoc_mux_open found no socket) retry now, in the
 * next loop pass. A restarted process dials its peers' processes at once;
 * without this their channels to it waited a back-off of up to 250 ms
 * more (a restart's fixed part 0.12-0.30 s -> 0.33-0.61 s with the mux). */
static void mux_up(void *ctx, int proc)
{
    hoc_net *net = ctx;
    static const struct timeval now = {0, 0};
    for (int p = 0; p < net->o.id; p++) { /* the higher id dials */
        Peer *pe = &net->peers[p];
        if (pe->proc == proc && !pe->conn && event_pending(pe->retry, EV_TIMEOUT, NULL))
            event_add(pe->retry, &now);
    }
}

static void connect_peer(hoc_net *net, int p)
{
    Peer *pe = &net->peers[p];
    if (pe->conn || net->lease_over) return;
    if (net->o.mux) {
        Conn *c = conn_new(net, -1, true, p);
        if (!c) return;
        pe->conn = c;
        c->ch = hoc_mux_open(net->o.mux, pe->proc, net->o.peers->p[p].port, &chan_cb, c);
        if (!c->ch) {
            conn_close(c, "no connection with its process yet");
            return;
        }
        c->state = C_HANDSHAKE; /* wait for the server's HELLO */
        return;
    }
    int fd = socket(pe->addr.ss_family, SOCK_STREAM, 0);
    if (fd < 0) return;
    hoc_net_sock_opts(fd);
    Conn *c = conn_new(net, fd, true, p);
    if (!c) {
        close(fd);
        return;
    }
    pe->conn = c;
    int r = connect(fd, (struct sockaddr *)&pe->addr, pe->alen);
    if (r == 0) {
        c->state = C_HANDSHAKE;
        event_add(c->rev, NULL);
    } else if (errno == EINPROGRESS) {
        c->state = C_CONNECTING;
        event_add(c->wev, NULL);
    } else {
        conn_close(c, strerror(errno));
    }
}

static void retry_peer_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    Peer *pe = arg;
    connect_peer(pe->net, pe->idx);
}

int hoc_net_resolve(const hoc_logger *lg, const char *host, int port, struct sockaddr_storage *ss,
                    socklen_t *len)
{
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_family = AF_UNSPEC;
    char ps[16];
    snprintf(ps, sizeof ps, "%d", port);
    int rc = getaddrinfo(host, ps, &hints, &res);
    if (rc != 0 || !res) {
        hoc_log(lg, HOC_LOG_ERROR, "cannot resolve %s: %s", host, gai_strerror(rc));
        return -1;
    }
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    *len = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

/* Binds the net's own port and listens there: 0, or -1 (logged). */
static int listen_own(hoc_net *net)
{
    Peer *me = &net->peers[net->o.id];
    net->lfd = socket(me->addr.ss_family, SOCK_STREAM, 0);
    int one = 1;
    if (net->lfd < 0) return -1;
    setsockopt(net->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(net->lfd, (struct sockaddr *)&me->addr, me->alen) != 0 || listen(net->lfd, 128) != 0) {
        hoc_log(&net->o.log, HOC_LOG_ERROR, "cannot listen on %s:%d: %s",
                net->o.peers->p[net->o.id].host, net->o.peers->p[net->o.id].port, strerror(errno));
        return -1;
    }
    hoc_net_sock_opts(net->lfd);
    net->lev = event_new(net->base, net->lfd, EV_READ | EV_PERSIST, accept_cb, net);
    if (!net->lev) return -1;
    event_priority_set(net->lev, PRIO_IO);
    event_add(net->lev, NULL);
    return 0;
}

hoc_net *hoc_net_new(struct event_base *base, const hoc_net_opts *o, const hoc_net_cb *cb)
{
    if (o->secret_len > sizeof((hoc_net *)0)->secret) {
        hoc_log(&o->log, HOC_LOG_ERROR, "the secret is longer than 256 bytes");
        return NULL;
    }
    if (o->greeting_len > sizeof((hoc_net *)0)->greeting) {
        hoc_log(&o->log, HOC_LOG_ERROR, "a greeting of %zu bytes: 64 at most", o->greeting_len);
        return NULL;
    }
    hoc_net *net = calloc(1, sizeof *net);
    if (!net) return NULL;
    net->base = base, net->o = *o, net->cb = *cb, net->n = o->peers->n, net->lfd = -1;
    net->cluster = (hoc_wire_cluster){o->algo, (uint32_t)net->n, o->params};
    if (!net->o.max_out) net->o.max_out = HOC_NET_MAX_OUT;
    memcpy(net->secret, o->secret ? o->secret : (const uint8_t *)"", o->secret_len);
    if (o->greeting_len) memcpy(net->greeting, o->greeting, o->greeting_len);
    net->o.greeting = net->greeting;
    net->rng = o->seed ^ 0x5eed0000u ^ (uint64_t)o->id;
    for (int p = 0; p < net->n; p++) {
        if (o->mux)
            net->peers[p].proc = o->mux_proc[p];
        else if (hoc_net_resolve(&o->log, o->peers->p[p].host, o->peers->p[p].port,
                                 &net->peers[p].addr, &net->peers[p].alen))
            goto fail;
        net->peers[p].backoff_ms = o->mux ? MUX_BACKOFF_MIN_MS : BACKOFF_MIN_MS;
    }
    net->delay_ev = event_new(base, -1, 0, delay_cb, net);
    if (hoc_flush_init(&net->flush, base, flush_cb, net) || !net->delay_ev) goto fail;
    if (o->mux ? hoc_mux_listen(o->mux, o->peers->p[o->id].port, mux_accept, mux_up, net) != 0
               : listen_own(net) != 0) {
        if (o->mux)
            hoc_log(&o->log, HOC_LOG_ERROR, "port %d taken twice on one mux",
                    o->peers->p[o->id].port);
        net->o.mux = NULL; /* not ours to unlisten */
        goto fail;
    }
    for (int p = 0; p < o->id; p++) { /* the higher id dials */
        net->peers[p].net = net, net->peers[p].idx = p;
        net->peers[p].retry = event_new(base, -1, 0, retry_peer_cb, &net->peers[p]);
        if (!net->peers[p].retry) goto fail;
        /* with the sockets: a redial never waits for a pass without input
         * (a busy loop's), as the service's tick and detector do not */
        event_priority_set(net->peers[p].retry, PRIO_IO);
        connect_peer(net, p);
    }
    return net;
fail:
    hoc_net_free(net);
    return NULL;
}

void hoc_net_free(hoc_net *net)
{
    if (!net) return;
    for (int p = 0; p < net->n; p++) {
        Conn *c = net->peers[p].conn;
        if (c && c->dialed) { /* accepted ones are on the incoming list */
            undirty(c);
            conn_release(c);
        }
        if (net->peers[p].retry) event_free(net->peers[p].retry);
    }
    while (net->incoming) {
        Conn *c = net->incoming;
        net->incoming = c->next;
        conn_release(c);
    }
    while (net->dhead) {
        Delayed *d = net->dhead;
        net->dhead = d->next;
        evbuffer_free(d->buf);
        free(d);
    }
    if (net->lev) event_free(net->lev);
    hoc_flush_free(&net->flush);
    if (net->delay_ev) event_free(net->delay_ev);
    if (net->lfd >= 0) close(net->lfd);
    if (net->o.mux) hoc_mux_unlisten(net->o.mux, net->o.peers->p[net->o.id].port);
    free(net);
}
