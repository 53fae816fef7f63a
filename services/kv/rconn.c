/* rconn.c: a RESP front end's client connections (rconn.h). */
#include "rconn.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "flush.h"

#define IN_FIRST 16384
#define IN_KEEP (256u << 10) /* a buffer grown past this shrinks back once empty */
/* The sockets' priority, with the peers' (hoc_net): a pass that reads
 * requests writes its replies (flush.h), and the requests' frames to peers */
#define PRIO_IO 0

struct rc_conn {
    rc_front *f;
    void *data;
    int fd;
    struct event *rev, *wev;
    uint8_t *in; /* in[0..inlen) read and not yet taken, of incap */
    size_t inlen, incap;
    struct evbuffer *out;
    bool paused, closing, dirty;
    bool stalled; /* rev deleted: the buffer is full */
    rc_conn *prev, *next, *next_dirty;
};

struct rc_front {
    struct event_base *base;
    rc_handlers h;
    void *ctx;
    size_t max_in, max_io;
    int lfd;
    struct event *lev;
    hoc_flush flush;        /* the loop pass's writes (flush_cb) */
    rc_conn *conns, *dirty; /* all; those to write at the end of this iteration */
};

static void conn_close(rc_conn *c, bool at_exit)
{
    rc_front *f = c->f;
    if (c->dirty)
        for (rc_conn **pp = &f->dirty; *pp; pp = &(*pp)->next_dirty)
            if (*pp == c) {
                *pp = c->next_dirty;
                break;
            }
    f->h.closed(c->data, at_exit);
    if (c->prev)
        c->prev->next = c->next;
    else
        f->conns = c->next;
    if (c->next) c->next->prev = c->prev;
    event_free(c->rev), event_free(c->wev);
    evbuffer_free(c->out);
    close(c->fd);
    free(c->in);
    free(c);
}

/* Writes what the socket takes, up to max_io; false if c was closed. */
static bool write_out(rc_conn *c)
{
    size_t sent = 0;
    while (evbuffer_get_length(c->out) > 0 && sent < c->f->max_io) {
        int w = evbuffer_write_atmost(c->out, c->fd, (ev_ssize_t)(c->f->max_io - sent));
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) break;
        if (w <= 0) {
            conn_close(c, false);
            return false;
        }
        sent += (size_t)w;
    }
    if (evbuffer_get_length(c->out) > 0) { /* the rest when the socket takes it */
        event_add(c->wev, NULL);
        return true;
    }
    if (c->closing) {
        conn_close(c, false);
        return false;
    }
    return true;
}

void rc_dirty(rc_conn *c)
{
    if (c->dirty) return;
    c->dirty = true;
    c->next_dirty = c->f->dirty;
    c->f->dirty = c;
    hoc_flush_ask(&c->f->flush);
}

/* Once per loop iteration with output: one write a connection for every
 * reply that became due in it, a pipeline's included. */
static void flush_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    rc_front *f = arg;
    hoc_flush_began(&f->flush);
    while (f->dirty) {
        rc_conn *c = f->dirty;
        f->dirty = c->next_dirty;
        c->dirty = false;
        write_out(c); /* which may close c */
    }
}

static void write_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    write_out(arg);
}

struct evbuffer *rc_out(rc_conn *c)
{
    return c->out;
}

void rc_send(rc_conn *c, const void *p, size_t n)
{
    evbuffer_add(c->out, p, n);
    rc_dirty(c);
}

/* Hands the requests read to the owner, unless it waits. */
static void take(rc_conn *c)
{
    if (c->paused || c->closing || c->inlen == 0) return;
    bool full = c->inlen == c->incap && c->incap >= c->f->max_in;
    size_t used = c->f->h.input(c->data, c->in, c->inlen, full);
    if (c->closing) { /* what follows a refused request is not read */
        c->inlen = 0;
        return;
    }
    c->inlen -= used;
    if (c->inlen && used) memmove(c->in, c->in + used, c->inlen);
    if (c->incap > IN_KEEP && c->inlen <= IN_FIRST) { /* a large request is over */
        uint8_t *in = realloc(c->in, IN_FIRST);
        if (in) c->in = in, c->incap = IN_FIRST;
    }
}

/* EV_READ from the socket; EV_TIMEOUT from rc_resume: what was read before
 * is taken first. */
static void read_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    rc_conn *c = arg;
    rc_front *f = c->f;
    size_t got = 0;
    take(c);
    while ((what & EV_READ) && got < f->max_io && !c->closing) {
        if (c->inlen == c->incap) {
            if (c->incap >= f->max_in) { /* until resumed (or refused: closing) */
                event_del(c->rev);
                c->stalled = true;
                return;
            }
            size_t cap = c->incap * 2 > f->max_in ? f->max_in : c->incap * 2;
            uint8_t *in = realloc(c->in, cap);
            if (!in) {
                conn_close(c, false);
                return;
            }
            c->in = in, c->incap = cap;
        }
        size_t room = c->incap - c->inlen;
        ssize_t r = read(c->fd, c->in + c->inlen, room);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        if (r <= 0) {
            conn_close(c, false);
            return;
        }
        c->inlen += (size_t)r, got += (size_t)r;
        take(c);
        if ((size_t)r < room) break; /* drained the socket: spare the read that says EAGAIN */
    }
}

void rc_pause(rc_conn *c)
{
    c->paused = true;
}

void rc_resume(rc_conn *c)
{
    if (!c->paused || c->closing) return;
    c->paused = false;
    if (c->stalled) {
        c->stalled = false;
        event_add(c->rev, NULL);
    }
    if (c->inlen) event_active(c->rev, EV_TIMEOUT, 0);
}

void rc_close_after(rc_conn *c)
{
    if (c->closing) return;
    c->closing = true;
    event_del(c->rev); /* what it sends now is not read: no wake-ups for it */
    rc_dirty(c);
}

static rc_conn *conn_new(rc_front *f, int fd)
{
    rc_conn *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->f = f, c->fd = fd, c->incap = IN_FIRST;
    c->in = malloc(c->incap);
    c->out = evbuffer_new();
    c->rev = event_new(f->base, fd, EV_READ | EV_PERSIST, read_cb, c);
    c->wev = event_new(f->base, fd, EV_WRITE, write_cb, c);
    if (c->rev) event_priority_set(c->rev, PRIO_IO);
    if (c->wev) event_priority_set(c->wev, PRIO_IO);
    if (!c->in || !c->out || !c->rev || !c->wev || !(c->data = f->h.open(f->ctx, c))) {
        if (c->rev) event_free(c->rev);
        if (c->wev) event_free(c->wev);
        if (c->out) evbuffer_free(c->out);
        free(c->in), free(c);
        return NULL;
    }
    c->next = f->conns;
    if (f->conns) f->conns->prev = c;
    f->conns = c;
    return c;
}

static void accept_cb(evutil_socket_t lfd, short what, void *arg)
{
    (void)what;
    rc_front *f = arg;
    for (;;) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) return;
        /* a reply that ends in a segment smaller than the MSS would wait
         * for the client's delayed ACK under Nagle: about 26 ms a 128 KiB
         * block on loopback */
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        fcntl(fd, F_SETFD, FD_CLOEXEC);
        rc_conn *c = conn_new(f, fd);
        if (!c) {
            close(fd);
            continue;
        }
        event_add(c->rev, NULL);
    }
}

/* Binds and listens on host:port; the socket, or -1 with err. */
static int listen_on(const char *host, int port, char *err, size_t errn)
{
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_socktype = SOCK_STREAM, hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    char ps[16];
    snprintf(ps, sizeof ps, "%d", port);
    int rc = getaddrinfo(host, ps, &hints, &res);
    if (rc || !res) {
        snprintf(err, errn, "cannot resolve %s: %s", host, gai_strerror(rc));
        return -1;
    }
    int fd = socket(res->ai_family, SOCK_STREAM, 0), one = 1;
    if (fd >= 0) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fd < 0 || bind(fd, res->ai_addr, res->ai_addrlen) || listen(fd, 511)) {
        snprintf(err, errn, "cannot listen for clients on %s:%d: %s", host, port, strerror(errno));
        if (fd >= 0) close(fd);
        fd = -1;
    } else {
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
    freeaddrinfo(res);
    return fd;
}

rc_front *rc_listen(struct event_base *base, const char *host, int port, const rc_handlers *h,
                    void *ctx, size_t max_in, size_t max_io, char *err, size_t errn)
{
    rc_front *f = calloc(1, sizeof *f);
    if (!f) {
        snprintf(err, errn, "out of memory");
        return NULL;
    }
    *f = (rc_front){.base = base, .h = *h, .ctx = ctx, .max_in = max_in, .max_io = max_io};
    if ((f->lfd = listen_on(host, port, err, errn)) < 0) {
        free(f);
        return NULL;
    }
    f->lev = event_new(base, f->lfd, EV_READ | EV_PERSIST, accept_cb, f);
    if (!f->lev || hoc_flush_init(&f->flush, base, flush_cb, f)) {
        snprintf(err, errn, "out of memory");
        rc_free(f);
        return NULL;
    }
    event_priority_set(f->lev, PRIO_IO);
    event_add(f->lev, NULL);
    return f;
}

void rc_free(rc_front *f)
{
    if (!f) return;
    while (f->conns)
        conn_close(f->conns, true);
    if (f->lev) event_free(f->lev);
    hoc_flush_free(&f->flush);
    close(f->lfd);
    free(f);
}
