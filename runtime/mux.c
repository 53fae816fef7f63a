/* mux.c: one connection per pair of processes, channels on it (see mux.h). */
#include "mux.h"

#include "clock.h"
#include "flush.h"
#include "hoc_rt.h"
#include "net.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

enum { K_HELLO = 1, K_OPEN = 2, K_DATA = 3, K_CLOSE = 4, K_NONCE = 5 };
#define NONCE 16
#define MAC 32
#define MUX_VERSION 1 /* in HELLO's port field: another version is refused */
#define CHUNK 12
#define IN_CAP (256u << 10)
#define READ_BUDGET (1u << 20) /* bytes a callback, for fairness (as net.c) */
#define MAX_UNNAMED 64         /* accepted sockets not yet named by a HELLO */
#define HELLO_TIMEOUT_S 5
#define SRC 9 /* who a source address is: its family, then IPv4 or the IPv6 /64 */
#define PRIO_IO 0

typedef struct Sock Sock;

struct hoc_mux_chan {
    hoc_mux *m;
    Sock *s; /* NULL once the socket is gone or the peer closed it */
    uint32_t id;
    hoc_mux_chan_cb cb;
    void *owner;
    hoc_mux_chan *next;
};

struct Sock {
    hoc_mux *m;
    int fd, proc; /* proc: -1 until an accepted socket's HELLO names it */
    bool dialed, connecting, dirty, dead;
    bool up;              /* carries channels: HELLO sent (dialer) or checked (acceptor) */
    bool heard;           /* a chunk past the handshake came: the peer took this socket */
    int busy;             /* in its read callback: a close waits for its end */
    const char *dead_why; /* the close that waited, and its log level */
    hoc_log_level dead_level;
    struct event *rev, *wev, *timer;
    struct evbuffer *out;
    uint64_t lease; /* the earliest lease of the bytes in out (0: none) */
    uint8_t *in;    /* chunk headers and DATA not yet handed over */
    size_t inlen;
    uint32_t cur; /* the DATA chunk being read: its channel, bytes left */
    size_t rem;
    uint32_t next_id;     /* channels we open: even if we dialed, odd if not */
    uint8_t nonce[NONCE]; /* acceptor: what the dialer's HELLO must MAC */
    uint8_t src[SRC];     /* acceptor: where it came from (family, address) */
    uint64_t born;        /* acceptor: its place in the order of accepts */
    hoc_mux_chan *chans;
    Sock *next, *next_dirty;
};

typedef struct Listener {
    int port;
    hoc_mux_accept_fn fn;
    void *ctx;
    hoc_mux_up_fn up; /* or NULL */
} Listener;

struct hoc_mux {
    struct event_base *base;
    hoc_mux_opts o;
    hoc_mux_proc *procs;
    Sock **by_proc; /* the connection with each process, if any */
    Sock *socks, *dirty;
    int unnamed;
    uint64_t accepts;
    Listener *ls;
    int nls, capls;
    int lfd;
    struct event *lev;
    hoc_flush flush;
    uint8_t secret[256];
};

static void sock_close(Sock *s, const char *why);
static void sock_close_at(Sock *s, hoc_log_level lv, const char *why);
static void read_cb(evutil_socket_t fd, short what, void *arg);
static void write_cb(evutil_socket_t fd, short what, void *arg);

/* HMAC-SHA256 of "hoc-mux" | nonce | u32 dialer | u32 acceptor under the
 * cluster secret: the dialer's proof that it is a process of the cluster. */
static void hello_mac(const hoc_mux *m, const uint8_t nonce[NONCE], uint32_t dialer,
                      uint32_t acceptor, uint8_t mac[MAC])
{
    uint8_t msg[7 + NONCE + 8];
    memcpy(msg, "hoc-mux", 7);
    memcpy(msg + 7, nonce, NONCE);
    hoc_put_u32(msg + 7 + NONCE, dialer);
    hoc_put_u32(msg + 11 + NONCE, acceptor);
    unsigned int outlen = MAC;
    static const uint8_t empty[1] = {0};
    HMAC(EVP_sha256(), m->o.secret_len ? m->secret : empty, (int)m->o.secret_len, msg, sizeof msg,
         mac, &outlen);
}

static void put_chunk(Sock *s, int kind, int port, uint32_t id, size_t len)
{
    uint8_t h[CHUNK];
    h[0] = (uint8_t)kind, h[1] = 0;
    h[2] = (uint8_t)port, h[3] = (uint8_t)(port >> 8);
    hoc_put_u32(h + 4, id);
    hoc_put_u32(h + 8, (uint32_t)len);
    evbuffer_add(s->out, h, sizeof h);
}

static void mark_dirty(Sock *s)
{
    if (!s->dirty) {
        s->dirty = true;
        s->next_dirty = s->m->dirty;
        s->m->dirty = s;
    }
    hoc_flush_ask(&s->m->flush);
}

static void unlink_sock(Sock *s)
{
    hoc_mux *m = s->m;
    for (Sock **pp = &m->socks; *pp; pp = &(*pp)->next)
        if (*pp == s) {
            *pp = s->next;
            break;
        }
    if (s->dirty)
        for (Sock **pp = &m->dirty; *pp; pp = &(*pp)->next_dirty)
            if (*pp == s) {
                *pp = s->next_dirty;
                break;
            }
    if (s->proc >= 0 && m->by_proc[s->proc] == s) m->by_proc[s->proc] = NULL;
    if (s->proc < 0 && !s->dialed) m->unnamed--;
}

static void sock_free(Sock *s)
{
    if (s->rev) event_free(s->rev);
    if (s->wev) event_free(s->wev);
    if (s->timer) event_free(s->timer);
    if (s->out) evbuffer_free(s->out);
    free(s->in);
    if (s->fd >= 0) close(s->fd);
    free(s);
}

/* Closes s and every channel on it (their owners are told), logged at lv;
 * waits for the end of s's read callback if it is in it. */
static void sock_close_at(Sock *s, hoc_log_level lv, const char *why)
{
    if (s->busy) {
        if (!s->dead) s->dead = true, s->dead_why = why, s->dead_level = lv;
        return;
    }
    hoc_log(&s->m->o.log, lv, "connection with process %d closed: %s", s->proc, why);
    s->dead = true; /* an owner told below may close another channel of s: no CLOSE for it */
    unlink_sock(s);
    while (s->chans) {
        hoc_mux_chan *ch = s->chans;
        s->chans = ch->next;
        ch->s = NULL, ch->next = NULL;
        if (ch->cb.closed)
            ch->cb.closed(ch->owner, why); /* which frees ch */
        else
            free(ch);
    }
    sock_free(s);
}

/* sock_close_at, at info for a socket with a process, else at debug. */
static void sock_close(Sock *s, const char *why)
{
    sock_close_at(s, s->proc >= 0 ? HOC_LOG_INFO : HOC_LOG_DEBUG, why);
}

static void hello_timeout(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    Sock *s = arg;
    sock_close(s, s->connecting ? "connect timed out" : "no handshake in time");
}

static Sock *sock_new(hoc_mux *m, int fd, bool dialed, int proc)
{
    Sock *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->m = m, s->fd = fd, s->dialed = dialed, s->proc = proc;
    s->next_id = dialed ? 2 : 1;
    s->out = evbuffer_new();
    s->in = malloc(IN_CAP);
    s->rev = event_new(m->base, fd, EV_READ | EV_PERSIST, read_cb, s);
    s->wev = event_new(m->base, fd, EV_WRITE, write_cb, s);
    s->timer = event_new(m->base, -1, 0, hello_timeout, s);
    struct timeval tv = {HELLO_TIMEOUT_S, 0};
    if (!s->out || !s->in || !s->rev || !s->wev || !s->timer || event_add(s->timer, &tv)) {
        s->fd = -1;
        sock_free(s);
        return NULL;
    }
    event_priority_set(s->rev, PRIO_IO);
    event_priority_set(s->wev, PRIO_IO);
    s->next = m->socks;
    m->socks = s;
    return s;
}

static void write_sock(Sock *s)
{
    while (!s->connecting && evbuffer_get_length(s->out) > 0) {
        if (s->lease && hoc_lease_us() >= s->lease) {
            sock_close(s, "the lease on sending ran out");
            return;
        }
        int w = evbuffer_write(s->out, s->fd);
        if (w < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) break;
            sock_close(s, strerror(errno));
            return;
        }
        if (w == 0) break;
    }
    if (evbuffer_get_length(s->out) == 0)
        s->lease = 0;
    else if (!s->connecting)
        event_add(s->wev, NULL);
}

static void write_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    Sock *s = arg;
    if (s->connecting) {
        int err = 0;
        socklen_t el = sizeof err;
        getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &el);
        if (err) {
            sock_close(s, strerror(err));
            return;
        }
        s->connecting = false;
        event_add(s->rev, NULL);
    }
    write_sock(s);
}

void hoc_mux_flush_now(hoc_mux *m)
{
    while (m->dirty) {
        Sock *s = m->dirty;
        m->dirty = s->next_dirty;
        s->dirty = false;
        write_sock(s);
    }
}

/* The pass's writes, after every net's flush handed its bytes over. */
static void flush_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    hoc_mux *m = arg;
    hoc_flush_began(&m->flush);
    hoc_mux_flush_now(m);
}

static hoc_mux_chan *find_chan(Sock *s, uint32_t id)
{
    for (hoc_mux_chan *ch = s->chans; ch; ch = ch->next)
        if (ch->id == id) return ch;
    return NULL;
}

static hoc_mux_chan *chan_new(Sock *s, uint32_t id)
{
    hoc_mux_chan *ch = calloc(1, sizeof *ch);
    if (!ch) return NULL;
    ch->m = s->m, ch->s = s, ch->id = id;
    ch->next = s->chans;
    s->chans = ch;
    return ch;
}

static void chan_unlink(hoc_mux_chan *ch)
{
    if (!ch->s) return;
    for (hoc_mux_chan **pp = &ch->s->chans; *pp; pp = &(*pp)->next)
        if (*pp == ch) {
            *pp = ch->next;
            break;
        }
    ch->s = NULL;
}

/* A socket with process q is up: the listeners' owners that wait to
 * open channels there (net.c's redial back-off) may go now. */
static void woke(hoc_mux *m, int q)
{
    for (int i = 0; i < m->nls; i++)
        if (m->ls[i].up) m->ls[i].up(m->ls[i].ctx, q);
}

/* An accepted socket named process q: of two connections between the
 * same processes, the one the higher index dialed stays. False if s was
 * closed. */
static bool named(Sock *s, uint32_t q, int version, const uint8_t *mac, size_t len)
{
    hoc_mux *m = s->m;
    if (s->dialed || s->proc >= 0 || version != MUX_VERSION || q >= (uint32_t)m->o.nprocs ||
        (int)q == m->o.self || len != MAC) {
        sock_close(s, "a bad HELLO (another version, or a process not in ours)");
        return false;
    }
    uint8_t want[MAC];
    hello_mac(m, s->nonce, q, (uint32_t)m->o.self, want);
    if (CRYPTO_memcmp(want, mac, MAC) != 0) {
        sock_close(s, "HELLO failed authentication (the same secret on both?)");
        return false;
    }
    /* Of two dials crossing, the higher process's stays: refused only
     * while this (higher) process's own dial stands. A connection q dialed
     * before is q's past: q dials only without one, so it was restarted
     * or lost it, and the old socket may not know yet (a crash sends no
     * FIN) */
    Sock *old = m->by_proc[q];
    if (old && old->dialed && (int)q < m->o.self) {
        sock_close(s, "a connection dialed by the higher process is kept");
        return false;
    }
    m->unnamed--;
    s->proc = (int)q, s->up = true;
    event_del(s->timer);
    /* Two processes dialing each other at once is routine: the lower one's
     * dial, which q never took (q closes it on its side), goes quietly. A
     * socket q spoke on was a live connection: q restarted or lost it. */
    if (old)
        sock_close_at(old, old->heard ? HOC_LOG_WARN : HOC_LOG_DEBUG,
                      old->dialed ? "replaced by the one the higher process dialed"
                                  : "replaced by the process's newer dial");
    m->by_proc[q] = s;
    hoc_log(&m->o.log, HOC_LOG_INFO, "connection from process %u", q);
    woke(m, (int)q);
    return true;
}

static bool on_open(Sock *s, uint32_t id, int port)
{
    hoc_mux *m = s->m;
    /* the opener's parity: the dialer's even, the acceptor's odd */
    if (find_chan(s, id) || (id & 1u) != (s->dialed ? 1u : 0u)) {
        sock_close(s, "a channel opened twice");
        return false;
    }
    Listener *l = NULL;
    for (int i = 0; i < m->nls; i++)
        if (m->ls[i].port == port) l = &m->ls[i];
    hoc_mux_chan *ch = l ? chan_new(s, id) : NULL;
    if (!ch || !(ch->owner = l->fn(l->ctx, ch))) {
        if (ch) chan_unlink(ch), free(ch);
        put_chunk(s, K_CLOSE, 0, id, 0);
        mark_dirty(s);
    }
    return true;
}

/* Hands the DATA bytes at p (n of them, of the chunk being read) over. */
static void deliver(Sock *s, const uint8_t *p, size_t n)
{
    hoc_mux_chan *ch = find_chan(s, s->cur);
    s->rem -= n;
    if (ch && ch->cb.data) ch->cb.data(ch->owner, p, n);
}

/* Decodes the chunks in s->in; false if s closed (or waits to). */
static bool consume(Sock *s)
{
    size_t off = 0;
    while (!s->dead) {
        if (s->rem) {
            size_t k = s->inlen - off < s->rem ? s->inlen - off : s->rem;
            if (!k) break;
            deliver(s, s->in + off, k);
            off += k;
            continue;
        }
        if (s->inlen - off < CHUNK) break;
        const uint8_t *h = s->in + off;
        int kind = h[0], port = h[2] | h[3] << 8;
        uint32_t id = hoc_get_u32(h + 4), len = hoc_get_u32(h + 8);
        /* HELLO and NONCE only before the socket is up, the acceptor's
         * HELLO first, and only they and DATA have a body */
        bool body = kind == K_HELLO || kind == K_NONCE;
        if (h[1] || (kind != K_DATA && !body && len) || (body && len > 64) ||
            (kind == K_HELLO) != (!s->dialed && !s->up) ||
            (kind == K_NONCE) != (s->dialed && !s->up)) {
            sock_close(s, "a bad chunk");
            break;
        }
        if (body && s->inlen - off < CHUNK + len) break; /* wait for the whole of it */
        off += CHUNK;
        if (kind == K_HELLO) {
            if (!named(s, id, port, s->in + off, len)) break;
            off += len;
        } else if (kind == K_NONCE) {
            if (len != NONCE) {
                sock_close(s, "a bad NONCE");
                break;
            }
            uint8_t mac[MAC];
            hello_mac(s->m, s->in + off, (uint32_t)s->m->o.self, (uint32_t)s->proc, mac);
            off += len;
            put_chunk(s, K_HELLO, MUX_VERSION, (uint32_t)s->m->o.self, MAC);
            evbuffer_add(s->out, mac, MAC);
            s->up = true;
            event_del(s->timer);
            mark_dirty(s);
            woke(s->m, s->proc);
        } else if (kind == K_OPEN) {
            s->heard = true;
            if (!on_open(s, id, port)) break;
        } else if (kind == K_DATA) {
            s->cur = id, s->rem = len, s->heard = true;
        } else if (kind == K_CLOSE) {
            s->heard = true;
            hoc_mux_chan *ch = find_chan(s, id);
            if (ch) {
                chan_unlink(ch);
                if (ch->cb.closed)
                    ch->cb.closed(ch->owner, "closed by the peer");
                else
                    free(ch);
            }
        } else {
            sock_close(s, "a chunk of an unknown kind");
            break;
        }
    }
    if (s->dead) return false;
    s->inlen -= off;
    if (s->inlen && off) memmove(s->in, s->in + off, s->inlen);
    return true;
}

static void read_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    Sock *s = arg;
    size_t got = 0;
    s->busy++;
    while (got < READ_BUDGET && !s->dead) {
        size_t room = IN_CAP - s->inlen;
        ssize_t r = read(s->fd, s->in + s->inlen, room);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        if (r <= 0) {
            sock_close(s, r == 0 ? "closed by the peer" : strerror(errno));
            break;
        }
        got += (size_t)r;
        s->inlen += (size_t)r;
        if (!consume(s)) break;
        if ((size_t)r < room) break; /* drained the socket */
    }
    if (--s->busy == 0 && s->dead) sock_close_at(s, s->dead_level, s->dead_why);
}

/* Who a peer address is, for counting: IPv4 (an IPv4-mapped IPv6 too)
 * by its address, IPv6 by its /64, which one host commonly holds whole. */
static void src_key(const struct sockaddr_storage *ss, uint8_t key[SRC])
{
    memset(key, 0, SRC);
    const uint8_t *a6 = ((const struct sockaddr_in6 *)ss)->sin6_addr.s6_addr;
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (ss->ss_family == AF_INET) {
        key[0] = 4;
        memcpy(key + 1, &((const struct sockaddr_in *)ss)->sin_addr, 4);
    } else if (ss->ss_family == AF_INET6 && memcmp(a6, mapped, 12) == 0) {
        key[0] = 4;
        memcpy(key + 1, a6 + 12, 4);
    } else if (ss->ss_family == AF_INET6) {
        key[0] = 6;
        memcpy(key + 1, a6, SRC - 1);
    }
}

/* The table of unnamed sockets is full and a socket from src arrives:
 * the oldest of the address holding the most of them (src's own count
 * with the newcomer) goes, so that a stranger who keeps the table full
 * evicts its own sockets, and a peer's dial, which names itself one round
 * trip after its accept, gets in. Refusing the newcomer instead let 64
 * silent sockets lock a restarted peer out for as long as they were
 * renewed (net-mux-strangers). */
static Sock *unnamed_victim(const hoc_mux *m, const uint8_t src[SRC])
{
    Sock *u[MAX_UNNAMED];
    int n = 0;
    for (Sock *s = m->socks; s && n < MAX_UNNAMED; s = s->next)
        if (s->proc < 0 && !s->dialed) u[n++] = s;
    Sock *victim = NULL;
    int most = 0;
    for (int i = 0; i < n; i++) {
        int k = memcmp(u[i]->src, src, SRC) == 0;
        for (int j = 0; j < n; j++)
            k += memcmp(u[i]->src, u[j]->src, SRC) == 0;
        if (k > most || (k == most && u[i]->born < victim->born)) victim = u[i], most = k;
    }
    return victim;
}

static void accept_cb(evutil_socket_t lfd, short what, void *arg)
{
    (void)what;
    hoc_mux *m = arg;
    for (;;) {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof ss;
        memset(&ss, 0, sizeof ss);
        int fd = accept(lfd, (struct sockaddr *)&ss, &sl);
        if (fd < 0) return;
        hoc_net_sock_opts(fd);
        uint8_t src[SRC];
        src_key(&ss, src);
        Sock *victim = m->unnamed >= MAX_UNNAMED ? unnamed_victim(m, src) : NULL;
        if (victim) sock_close(victim, "unnamed sockets full: the oldest of the busiest address");
        Sock *s = m->unnamed < MAX_UNNAMED ? sock_new(m, fd, false, -1) : NULL;
        if (!s) {
            close(fd);
            continue;
        }
        m->unnamed++;
        memcpy(s->src, src, SRC);
        s->born = ++m->accepts;
        RAND_bytes(s->nonce, NONCE);
        put_chunk(s, K_NONCE, 0, 0, NONCE);
        evbuffer_add(s->out, s->nonce, NONCE);
        mark_dirty(s);
        event_add(s->rev, NULL);
    }
}

/* Dials process q, which answers with a NONCE for our HELLO. */
static void dial(hoc_mux *m, int q)
{
    struct sockaddr_storage ss;
    socklen_t len;
    if (hoc_net_resolve(&m->o.log, m->procs[q].host, m->procs[q].port, &ss, &len)) return;
    int fd = socket(ss.ss_family, SOCK_STREAM, 0);
    if (fd < 0) return;
    hoc_net_sock_opts(fd);
    Sock *s = sock_new(m, fd, true, q);
    if (!s) {
        close(fd);
        return;
    }
    m->by_proc[q] = s;
    if (connect(fd, (struct sockaddr *)&ss, len) == 0) {
        event_add(s->rev, NULL);
    } else if (errno == EINPROGRESS) {
        s->connecting = true;
        event_add(s->wev, NULL);
    } else {
        sock_close(s, strerror(errno));
    }
}

hoc_mux_chan *hoc_mux_open(hoc_mux *m, int proc, int port, const hoc_mux_chan_cb *cb, void *owner)
{
    if (proc < 0 || proc >= m->o.nprocs || proc == m->o.self) return NULL;
    Sock *s = m->by_proc[proc];
    if (!s) dial(m, proc);
    if (!s || !s->up || s->dead) return NULL;
    hoc_mux_chan *ch = chan_new(s, s->next_id);
    if (!ch) return NULL;
    s->next_id += 2;
    ch->cb = *cb, ch->owner = owner;
    put_chunk(s, K_OPEN, port, ch->id, 0);
    mark_dirty(s);
    return ch;
}

void hoc_mux_own(hoc_mux_chan *ch, const hoc_mux_chan_cb *cb, void *owner)
{
    ch->cb = *cb, ch->owner = owner;
}

void hoc_mux_send(hoc_mux_chan *ch, struct evbuffer *buf, uint64_t lease_us)
{
    size_t len = evbuffer_get_length(buf);
    Sock *s = ch->s;
    if (!s || s->dead) {
        evbuffer_drain(buf, len);
        return;
    }
    while (len > 0) { /* a DATA chunk's length is a u32 */
        size_t k = len > 0x7fffffffu ? 0x7fffffffu : len;
        put_chunk(s, K_DATA, 0, ch->id, k);
        evbuffer_remove_buffer(buf, s->out, k);
        len -= k;
    }
    if (lease_us && (!s->lease || lease_us < s->lease)) s->lease = lease_us;
    mark_dirty(s);
}

size_t hoc_mux_queued(const hoc_mux_chan *ch)
{
    return ch->s ? evbuffer_get_length(ch->s->out) : 0;
}

void hoc_mux_close(hoc_mux_chan *ch)
{
    Sock *s = ch->s;
    if (s) {
        chan_unlink(ch);
        if (!s->dead) {
            put_chunk(s, K_CLOSE, 0, ch->id, 0);
            mark_dirty(s);
        }
    }
    free(ch);
}

int hoc_mux_listen(hoc_mux *m, int port, hoc_mux_accept_fn fn, hoc_mux_up_fn up, void *ctx)
{
    for (int i = 0; i < m->nls; i++)
        if (m->ls[i].port == port) return -1;
    if (m->nls == m->capls) {
        int cap = m->capls ? 2 * m->capls : 16;
        Listener *l = realloc(m->ls, (size_t)cap * sizeof *l);
        if (!l) return -1;
        m->ls = l, m->capls = cap;
    }
    m->ls[m->nls++] = (Listener){port, fn, ctx, up};
    return 0;
}

void hoc_mux_unlisten(hoc_mux *m, int port)
{
    for (int i = 0; i < m->nls; i++)
        if (m->ls[i].port == port) m->ls[i] = m->ls[--m->nls];
}

hoc_mux *hoc_mux_new(struct event_base *base, const hoc_mux_opts *o)
{
    if (o->self < 0 || o->self >= o->nprocs || o->nprocs > HOC_MUX_PROCS_MAX) {
        hoc_log(&o->log, HOC_LOG_ERROR, "a mux of %d processes, this one %d", o->nprocs, o->self);
        return NULL;
    }
    hoc_mux *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    m->base = base, m->o = *o, m->lfd = -1;
    m->procs = malloc((size_t)o->nprocs * sizeof *m->procs);
    m->by_proc = calloc((size_t)o->nprocs, sizeof *m->by_proc);
    if (!m->procs || !m->by_proc || hoc_flush_init(&m->flush, base, flush_cb, m)) goto fail;
    memcpy(m->procs, o->procs, (size_t)o->nprocs * sizeof *m->procs);
    m->o.procs = m->procs;
    if (o->secret_len > sizeof m->secret) goto fail;
    memcpy(m->secret, o->secret, o->secret_len);
    m->o.secret = m->secret;
    struct sockaddr_storage ss;
    socklen_t len;
    const hoc_mux_proc *me = &m->procs[o->self];
    if (hoc_net_resolve(&o->log, me->host, me->port, &ss, &len)) goto fail;
    int one = 1;
    if ((m->lfd = socket(ss.ss_family, SOCK_STREAM, 0)) < 0) goto fail;
    setsockopt(m->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(m->lfd, (struct sockaddr *)&ss, len) != 0 || listen(m->lfd, 128) != 0) {
        hoc_log(&o->log, HOC_LOG_ERROR, "cannot listen on %s:%d: %s", me->host, me->port,
                strerror(errno));
        goto fail;
    }
    hoc_net_sock_opts(m->lfd);
    m->lev = event_new(base, m->lfd, EV_READ | EV_PERSIST, accept_cb, m);
    if (!m->lev) goto fail;
    event_priority_set(m->lev, PRIO_IO);
    event_add(m->lev, NULL);
    return m;
fail:
    hoc_mux_free(m);
    return NULL;
}

void hoc_mux_free(hoc_mux *m)
{
    if (!m) return;
    while (m->socks) {
        Sock *s = m->socks;
        m->socks = s->next;
        while (s->chans) { /* owners were freed first: nobody to tell */
            hoc_mux_chan *ch = s->chans;
            s->chans = ch->next;
            free(ch);
        }
        sock_free(s);
    }
    if (m->lev) event_free(m->lev);
    if (m->lfd >= 0) close(m->lfd);
    hoc_flush_free(&m->flush);
    free(m->procs);
    free(m->by_proc);
    free(m->ls);
    free(m);
}
