/* kvfront.c: RESP clients of a hoc-kv replica (see kvfront.h). */
#include "kvfront.h"

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
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "clock.h"
#include "resp.h"

#define IN_FIRST 16384
/* A request holding the largest command: its RESP framing takes at most 12
 * bytes an argument where the command's encoding takes 4, and a command has
 * at most KV_MAX_ARGS of them. */
#define IN_MAX (KV_MAX_CMD + 8 * KV_MAX_ARGS + 65536)
#define IN_KEEP (256u << 10) /* a buffer grown past this shrinks back once empty */
#define MAX_QUEUED 65536     /* replies owed to one connection before it is paused */
#define READ_BUDGET (1u << 20)

/* One request's reply slot, in request order. */
typedef struct Reply {
    uint64_t seq;
    int g; /* the group that answers, -1: answered here */
    bool done;
    char *data;
    size_t len;
} Reply;

typedef struct Conn {
    kv_front *f;
    int fd;
    struct event *rev, *wev;
    uint8_t *in;
    size_t inlen, incap;
    struct evbuffer *out;
    uint64_t client;
    uint64_t *seq; /* per group: the number of its last command there */
    Reply *q;      /* a ring of qcap, qlen from qhead */
    size_t qhead, qlen, qcap;
    bool closing, paused, dirty;
    struct Conn *prev, *next, *hnext, *next_dirty;
} Conn;

struct kv_front {
    struct event_base *base;
    int id, ngroups, lfd;
    kv_group **groups;
    hoc_logger log;
    struct event *lev, *flush_ev;
    Conn *dirty;        /* connections with replies to write at the end of this iteration */
    Conn *conns, **tab; /* all; by client id */
    size_t tcap;
    int nconns;
    uint64_t boot, counter;
    resp_req req;
    hoc_buf tmp;
    kv_front_stats st;
};

static void conn_close(Conn *c);
static void read_cb(evutil_socket_t fd, short what, void *arg);
static void write_cb(evutil_socket_t fd, short what, void *arg);

/* ---- connections by client id ---- */
static Conn **tslot(kv_front *f, uint64_t client)
{
    Conn **pp = &f->tab[(client * 0x9e3779b97f4a7c15u >> 20) & (f->tcap - 1)];
    while (*pp && (*pp)->client != client)
        pp = &(*pp)->hnext;
    return pp;
}

static void tgrow(kv_front *f)
{
    size_t nc = f->tcap * 2;
    Conn **t = calloc(nc, sizeof *t);
    if (!t) return;
    Conn **old = f->tab;
    size_t oc = f->tcap;
    f->tab = t, f->tcap = nc;
    for (size_t i = 0; i < oc; i++)
        for (Conn *c = old[i], *nx; c; c = nx) {
            nx = c->hnext;
            Conn **pp = tslot(f, c->client);
            c->hnext = *pp;
            *pp = c;
        }
    free(old);
}

/* ---- replies in order ---- */
static Reply *slot_at(Conn *c, size_t i)
{
    return &c->q[(c->qhead + i) % c->qcap];
}

/* A new reply slot at the end; NULL when memory runs out. */
static Reply *push(Conn *c, int g, uint64_t seq)
{
    if (c->qlen == c->qcap) {
        size_t cap = c->qcap ? c->qcap * 2 : 16;
        Reply *q = malloc(sizeof *q * cap);
        if (!q) return NULL;
        for (size_t i = 0; i < c->qlen; i++)
            q[i] = *slot_at(c, i);
        free(c->q);
        c->q = q, c->qcap = cap, c->qhead = 0;
    }
    Reply *r = slot_at(c, c->qlen++);
    *r = (Reply){seq, g, false, NULL, 0};
    return r;
}

static void fill(Reply *r, const char *p, size_t len)
{
    r->data = malloc(len ? len : 1);
    if (r->data) memcpy(r->data, p, len);
    r->len = r->data ? len : 0;
    r->done = true;
}

/* Writes out what the socket takes; false if c was closed. */
static bool write_out(Conn *c)
{
    while (evbuffer_get_length(c->out) > 0) {
        int w = evbuffer_write(c->out, c->fd);
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) break;
        if (w <= 0) {
            conn_close(c);
            return false;
        }
    }
    if (evbuffer_get_length(c->out) > 0) {
        event_add(c->wev, NULL);
        return true;
    }
    if (c->closing && c->qlen == 0) { /* every reply owed is out */
        conn_close(c);
        return false;
    }
    return true;
}

/* c has output: it is written once, at the end of this loop iteration, with
 * every reply that became due in it (one write for a pipeline's replies, not
 * one per reply). */
static void mark_dirty(Conn *c)
{
    if (c->dirty) return;
    c->dirty = true;
    c->next_dirty = c->f->dirty;
    c->f->dirty = c;
    event_active(c->f->flush_ev, 0, 0);
}

static void undirty(Conn *c)
{
    if (!c->dirty) return;
    for (Conn **pp = &c->f->dirty; *pp; pp = &(*pp)->next_dirty)
        if (*pp == c) {
            *pp = c->next_dirty;
            break;
        }
    c->dirty = false;
}

static void flush_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    kv_front *f = arg;
    while (f->dirty) {
        Conn *c = f->dirty;
        f->dirty = c->next_dirty;
        c->dirty = false;
        write_out(c); /* which may close c */
    }
}

/* Moves the replies that are due, in order, to the output, written at the
 * end of the iteration; never closes c, so true. */
static bool flush_replies(Conn *c)
{
    while (c->qlen && slot_at(c, 0)->done) {
        Reply *r = slot_at(c, 0);
        evbuffer_add(c->out, r->data ? r->data : "-ERR out of memory\r\n", r->data ? r->len : 20);
        free(r->data);
        c->qhead = (c->qhead + 1) % c->qcap, c->qlen--;
    }
    if (c->paused && c->qlen < MAX_QUEUED / 2) {
        c->paused = false;
        event_add(c->rev, NULL);
        event_active(c->rev, EV_READ, 0); /* requests may be waiting in c->in */
    }
    if (evbuffer_get_length(c->out) > 0 || (c->closing && c->qlen == 0)) mark_dirty(c);
    return true;
}

void kv_front_reply(kv_front *f, int g, uint64_t client, uint64_t seq, const uint8_t *r, size_t len)
{
    Conn *c = *tslot(f, client);
    if (!c) {
        f->st.replies_dropped++; /* its connection closed meanwhile */
        return;
    }
    for (size_t i = 0; i < c->qlen; i++) {
        Reply *x = slot_at(c, i);
        if (x->g == g && x->seq == seq && !x->done) {
            fill(x, (const char *)r, len);
            if (i == 0) flush_replies(c);
            return;
        }
    }
    f->st.replies_dropped++;
}

/* Answers the current request at once. */
static void answer(Conn *c, const hoc_buf *b)
{
    Reply *r = push(c, -1, 0);
    if (r) fill(r, b->p, b->n);
}

static void answer_error(Conn *c, const char *msg)
{
    kv_front *f = c->f;
    f->tmp.n = 0;
    resp_error(&f->tmp, msg);
    answer(c, &f->tmp);
    f->st.errors++;
}

/* ---- commands ---- */
int kv_front_group_of(const uint8_t *key, size_t len, int n)
{
    /* a {tag} hashes alone, so related keys can share a group */
    const uint8_t *o = memchr(key, '{', len);
    if (o) {
        const uint8_t *e = memchr(o + 1, '}', len - (size_t)(o + 1 - key));
        if (e && e > o + 1) key = o + 1, len = (size_t)(e - o - 1);
    }
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ key[i]) * 16777619u;
    return (int)(h % (uint32_t)n);
}

/* The command names the log carries, their op and their argument counts:
 * exactly argc (min == max), at least min (max -1), or key/value pairs. */
typedef struct Cmd {
    const char *name;
    kv_op op;
    int min, max;
    int keys; /* 1: the first argument; -1: every argument; -2: every other */
} Cmd;

static const Cmd cmds[] = {
    {"GET", KV_GET, 2, 2, 1},       {"SET", KV_SET, 3, 3, 1},     {"DEL", KV_DEL, 2, -1, -1},
    {"INCR", KV_INCRBY, 2, 2, 1},   {"DECR", KV_INCRBY, 2, 2, 1}, {"INCRBY", KV_INCRBY, 3, 3, 1},
    {"DECRBY", KV_INCRBY, 3, 3, 1}, {"MGET", KV_MGET, 2, -1, -1}, {"MSET", KV_MSET, 3, -1, -2},
    {"CAS", KV_CAS, 4, 4, 1},
};

/* The group all of r's keys hash to, or -1 (after answering) when they do
 * not share one. */
static int keys_group(Conn *c, const Cmd *k, const resp_req *r)
{
    int n = c->f->ngroups, g = kv_front_group_of(r->argv[1], r->lens[1], n);
    int step = k->keys == -2 ? 2 : 1;
    for (int i = 1 + step; k->keys < 0 && i < r->argc; i += step)
        if (kv_front_group_of(r->argv[i], r->lens[i], n) != g) {
            answer_error(c, "CROSSSLOT Keys in request don't hash to the same group");
            return -1;
        }
    return g;
}

/* The delta of INCR, DECR, INCRBY or DECRBY as text, into buf. */
static size_t delta(const Cmd *k, const resp_req *r, char *buf, size_t cap)
{
    bool neg = k->name[0] == 'D';
    if (r->argc == 2) return (size_t)snprintf(buf, cap, neg ? "-1" : "1");
    size_t l = r->lens[2] < cap - 2 ? r->lens[2] : cap - 2;
    if (!neg) {
        memcpy(buf, r->argv[2], l);
        return l;
    }
    if (l && r->argv[2][0] == '-') { /* DECRBY -5 is INCRBY 5 */
        memcpy(buf, r->argv[2] + 1, l - 1);
        return l - 1;
    }
    buf[0] = '-';
    memcpy(buf + 1, r->argv[2], l);
    return l + 1;
}

/* A command for the log: checked, then submitted to its group. */
static void submit(Conn *c, const Cmd *k, const resp_req *r)
{
    kv_front *f = c->f;
    char msg[320], d[32];
    if (r->argc < k->min || (k->max > 0 && r->argc > k->max) ||
        (k->keys == -2 && r->argc % 2 == 0)) {
        snprintf(msg, sizeof msg, "ERR wrong number of arguments for '%s' command", k->name);
        answer_error(c, msg);
        return;
    }
    int g = keys_group(c, k, r);
    if (g < 0) return;
    const uint8_t **args = r->argv + 1;
    size_t *lens = r->lens + 1, dl;
    const uint8_t *a2[2];
    size_t l2[2];
    if (k->op == KV_INCRBY) { /* key, delta */
        dl = delta(k, r, d, sizeof d);
        a2[0] = args[0], l2[0] = lens[0], a2[1] = (const uint8_t *)d, l2[1] = dl;
        args = a2, lens = l2;
    }
    uint32_t nargs = k->op == KV_INCRBY ? 2 : (uint32_t)r->argc - 1;
    size_t size = kv_cmd_size(nargs, lens), max = kv_group_max_cmd(f->groups[g]);
    if (size > max || nargs > KV_MAX_ARGS) {
        if (nargs > KV_MAX_ARGS)
            snprintf(msg, sizeof msg, "ERR request too large (%u arguments, at most %d)", nargs,
                     KV_MAX_ARGS);
        else
            snprintf(msg, sizeof msg, "ERR request too large (%zu bytes, at most %zu)", size, max);
        f->st.too_large++;
        answer_error(c, msg);
        return;
    }
    const char *fault = kv_group_fault(f->groups[g]);
    if (fault) { /* what it cannot keep, it does not take */
        snprintf(msg, sizeof msg,
                 "ERR this replica cannot write its log (%.100s): writes refused, "
                 "and reads too, which go through the log; use another replica",
                 fault);
        answer_error(c, msg);
        return;
    }
    Reply *rep = push(c, g, 0);
    if (!rep) {
        answer_error(c, "ERR out of memory");
        return;
    }
    /* a command in parts takes a number a part; its reply, the last's */
    rep->seq = c->seq[g] =
        kv_group_submit(f->groups[g], c->client, c->seq[g] + 1, k->op, nargs, args, lens);
}

static void info(Conn *c)
{
    kv_front *f = c->f;
    hoc_buf b = {0};
    hoc_buf_printf(&b, "# hoc-kv\r\nreplica:%d\r\ngroups:%d\r\nconnected_clients:%d\r\n", f->id,
                   f->ngroups, f->nconns);
    for (int g = 0; g < f->ngroups; g++) {
        const kv_group *k = f->groups[g];
        const kv_group_stats *s = kv_group_get_stats(k);
        hoc_buf_printf(&b,
                       "group%d:leader=%d,leading=%d,applied_slots=%" PRIu64
                       ",keys=%zu,clients=%zu,parts=%zu,"
                       "commands=%" PRIu64 ",retries=%" PRIu64 "\r\n",
                       g, kv_group_leader(k), kv_group_leading(k), kv_group_applied(k),
                       kv_store_keys(kv_group_store(k)), kv_store_clients(kv_group_store(k)),
                       kv_store_parts(kv_group_store(k)), s->applied_cmds, s->retries);
    }
    f->tmp.n = 0;
    resp_bulk(&f->tmp, (const uint8_t *)b.p, b.n);
    hoc_buf_free(&b);
    answer(c, &f->tmp);
}

/* Commands answered here, without the log; false if r is none of them. */
static bool local(Conn *c, const resp_req *r)
{
    kv_front *f = c->f;
    const uint8_t *a = r->argv[0];
    size_t l = r->lens[0];
    f->tmp.n = 0;
    if (resp_is(a, l, "PING") && r->argc <= 2) {
        if (r->argc == 2)
            resp_bulk(&f->tmp, r->argv[1], r->lens[1]);
        else
            resp_simple(&f->tmp, "PONG");
    } else if (resp_is(a, l, "ECHO") && r->argc == 2) {
        resp_bulk(&f->tmp, r->argv[1], r->lens[1]);
    } else if (resp_is(a, l, "QUIT")) {
        resp_simple(&f->tmp, "OK");
        c->closing = true;
    } else if (resp_is(a, l, "SELECT") && r->argc == 2) {
        if (r->lens[1] == 1 && r->argv[1][0] == '0')
            resp_simple(&f->tmp, "OK");
        else
            resp_error(&f->tmp, "ERR DB index is out of range");
    } else if (resp_is(a, l, "CONFIG") && r->argc == 3 &&
               (resp_is(r->argv[2], r->lens[2], "save") ||
                resp_is(r->argv[2], r->lens[2], "appendonly"))) {
        /* what redis-benchmark asks: nothing is saved (docs/services.md) */
        bool save = resp_is(r->argv[2], r->lens[2], "save");
        resp_array(&f->tmp, 2);
        resp_bulk(&f->tmp, r->argv[2], r->lens[2]);
        resp_bulk(&f->tmp, (const uint8_t *)(save ? "" : "no"), save ? 0 : 2);
    } else if (resp_is(a, l, "COMMAND") || (resp_is(a, l, "CONFIG") && r->argc >= 2)) {
        resp_array(&f->tmp, 0); /* nothing to tell: clients that ask go on */
    } else if (resp_is(a, l, "INFO")) {
        info(c);
        return true;
    } else {
        return false;
    }
    answer(c, &f->tmp);
    return true;
}

static void dispatch(Conn *c, const resp_req *r)
{
    kv_front *f = c->f;
    f->st.commands++;
    if (r->argc == 0) return; /* an empty inline line: nothing, as Redis */
    if (local(c, r)) return;
    for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++)
        if (resp_is(r->argv[0], r->lens[0], cmds[i].name)) {
            submit(c, &cmds[i], r);
            return;
        }
    char msg[200], name[64];
    size_t nl = r->lens[0] < sizeof name - 1 ? r->lens[0] : sizeof name - 1;
    for (size_t i = 0; i < nl; i++) /* no control bytes in the error line */
        name[i] = r->argv[0][i] >= 32 && r->argv[0][i] < 127 ? (char)r->argv[0][i] : '?';
    name[nl] = 0;
    snprintf(msg, sizeof msg, "ERR unknown command '%s', with args beginning with: ", name);
    answer_error(c, msg);
}

/* ---- reading ---- */
/* Handles every whole request in c->in; false if c was closed. */
static bool consume(Conn *c)
{
    kv_front *f = c->f;
    size_t off = 0;
    while (!c->closing && c->qlen < MAX_QUEUED) {
        size_t used;
        const char *why;
        resp_status s = resp_parse(c->in + off, c->inlen - off, &f->req, &used, &why);
        if (s == RESP_MORE) break;
        if (s == RESP_BAD) { /* answered, then closed: the stream cannot be resynchronised */
            f->st.protocol_errors++;
            hoc_log(&f->log, HOC_LOG_INFO, "client %" PRIx64 ": %s: closed", c->client, why);
            answer_error(c, why);
            c->closing = true;
            break;
        }
        off += used;
        dispatch(c, &f->req);
    }
    c->inlen -= off;
    if (c->inlen && off) memmove(c->in, c->in + off, c->inlen);
    if (c->incap > IN_KEEP && c->inlen <= IN_FIRST) { /* a large request is over */
        uint8_t *in = realloc(c->in, IN_FIRST);
        if (in) c->in = in, c->incap = IN_FIRST;
    }
    if (c->qlen >= MAX_QUEUED && !c->paused) { /* the client must read its replies first */
        c->paused = true;
        event_del(c->rev);
    }
    return flush_replies(c);
}

/* Room for more input: the buffer grows up to IN_MAX; false (after closing
 * c with an error) when a request would need more. */
static bool make_room(Conn *c)
{
    if (c->inlen < c->incap) return true;
    if (c->incap >= IN_MAX) {
        c->f->st.protocol_errors++;
        answer_error(c, "ERR Protocol error: request too large");
        c->closing = true;
        c->inlen = 0;
        return false;
    }
    size_t cap = c->incap * 2 > IN_MAX ? IN_MAX : c->incap * 2;
    uint8_t *in = realloc(c->in, cap);
    if (!in) {
        conn_close(c);
        return false;
    }
    c->in = in, c->incap = cap;
    return true;
}

static void read_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    Conn *c = arg;
    size_t got = 0;
    if (c->closing || c->paused) return;
    if (c->inlen && !consume(c)) return; /* requests left when it was paused */
    while (got < READ_BUDGET && !c->closing && !c->paused) {
        if (!make_room(c)) {
            flush_replies(c);
            return;
        }
        ssize_t r = read(c->fd, c->in + c->inlen, c->incap - c->inlen);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        if (r <= 0) {
            conn_close(c);
            return;
        }
        c->inlen += (size_t)r, got += (size_t)r;
        if (!consume(c)) return;
    }
}

static void write_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    write_out(arg);
}

/* ---- connections ---- */
/* Tells every group this client is gone, so its table entry can go. */
static void say_goodbye(Conn *c)
{
    kv_front *f = c->f;
    for (int g = 0; g < f->ngroups; g++)
        if (c->seq[g])
            kv_group_submit(f->groups[g], c->client, c->seq[g] + 1, KV_CLOSE, 0, NULL, NULL);
}

static void conn_close(Conn *c)
{
    kv_front *f = c->f;
    undirty(c);
    say_goodbye(c);
    Conn **pp = tslot(f, c->client);
    if (*pp == c) *pp = c->hnext;
    if (c->prev)
        c->prev->next = c->next;
    else
        f->conns = c->next;
    if (c->next) c->next->prev = c->prev;
    f->nconns--;
    f->st.closed++;
    for (size_t i = 0; i < c->qlen; i++)
        free(slot_at(c, i)->data);
    event_free(c->rev), event_free(c->wev);
    evbuffer_free(c->out);
    close(c->fd);
    free(c->in), free(c->q), free(c->seq);
    free(c);
}

static Conn *conn_new(kv_front *f, int fd)
{
    Conn *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->f = f, c->fd = fd, c->incap = IN_FIRST;
    c->in = malloc(c->incap);
    c->seq = calloc((size_t)f->ngroups, sizeof *c->seq);
    c->out = evbuffer_new();
    c->rev = event_new(f->base, fd, EV_READ | EV_PERSIST, read_cb, c);
    c->wev = event_new(f->base, fd, EV_WRITE, write_cb, c);
    if (!c->in || !c->seq || !c->out || !c->rev || !c->wev) {
        if (c->rev) event_free(c->rev);
        if (c->wev) event_free(c->wev);
        if (c->out) evbuffer_free(c->out);
        free(c->in), free(c->seq), free(c);
        return NULL;
    }
    /* unique across this replica's restarts too: the client tables outlive it */
    c->client =
        ((uint64_t)f->id << 56) | ((f->boot & 0xffffff) << 32) | (++f->counter & 0xffffffff);
    if ((size_t)f->nconns >= f->tcap) tgrow(f);
    Conn **pp = tslot(f, c->client);
    c->hnext = *pp;
    *pp = c;
    c->next = f->conns;
    if (f->conns) f->conns->prev = c;
    f->conns = c;
    f->nconns++;
    f->st.accepted++;
    return c;
}

static void accept_cb(evutil_socket_t lfd, short what, void *arg)
{
    (void)what;
    kv_front *f = arg;
    for (;;) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) return;
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        fcntl(fd, F_SETFD, FD_CLOEXEC);
        Conn *c = conn_new(f, fd);
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
    hints.ai_socktype = SOCK_STREAM, hints.ai_flags = AI_PASSIVE;
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

kv_front *kv_front_new(struct event_base *base, const char *host, int port, int id,
                       kv_group **groups, int ngroups, hoc_logger log, char *err, size_t errn)
{
    kv_front *f = calloc(1, sizeof *f);
    if (!f) {
        snprintf(err, errn, "out of memory");
        return NULL;
    }
    f->base = base, f->id = id, f->groups = groups, f->ngroups = ngroups, f->log = log;
    f->boot = (hoc_now_us() ^ ((uint64_t)getpid() << 20)) * 0x9e3779b97f4a7c15u >> 40;
    f->tcap = 256;
    f->tab = calloc(f->tcap, sizeof *f->tab);
    if (!f->tab || (f->lfd = listen_on(host, port, err, errn)) < 0) {
        free(f->tab), free(f);
        return NULL;
    }
    f->lev = event_new(base, f->lfd, EV_READ | EV_PERSIST, accept_cb, f);
    f->flush_ev = event_new(base, -1, 0, flush_cb, f);
    if (!f->lev || !f->flush_ev) {
        if (f->lev) event_free(f->lev);
        if (f->flush_ev) event_free(f->flush_ev);
        close(f->lfd), free(f->tab), free(f);
        snprintf(err, errn, "out of memory");
        return NULL;
    }
    event_priority_set(f->flush_ev, 1); /* after this iteration's reads */
    event_add(f->lev, NULL);
    return f;
}

void kv_front_free(kv_front *f)
{
    if (!f) return;
    while (f->conns) {
        Conn *c = f->conns;
        memset(c->seq, 0, sizeof *c->seq * (size_t)f->ngroups); /* no goodbyes at exit */
        conn_close(c);
    }
    event_free(f->lev);
    event_free(f->flush_ev);
    close(f->lfd);
    resp_req_free(&f->req);
    hoc_buf_free(&f->tmp);
    free(f->tab);
    free(f);
}

const kv_front_stats *kv_front_get_stats(const kv_front *f)
{
    return &f->st;
}

int kv_front_conns(const kv_front *f)
{
    return f->nconns;
}
