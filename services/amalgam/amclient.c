/* amclient.c: the C client of an Amalgam cluster (amclient.h). */
#include "amclient.h"

#include <errno.h>
#include <stdbool.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "amlayout.h"
#include "resp.h"

#define AMCL_MOVES 8 /* MOVED redirects followed for one command */
#define AMCL_MAX_ELEMS 64
#define AMCL_RECONNECTS 3 /* a connection lost: sent again this many times in all */

struct amcl {
    const amc_cluster *c;
    int timeout_ms;
    char id[24];      /* this client's name for exactly-once answers (amdedup.h) */
    uint64_t seq;     /* its last op's number */
    int *fd;          /* per machine, -1: not connected */
    struct inbuf *in; /* per machine: what was read and not yet parsed */
    char *out;        /* a request being sent, kept across ops (no malloc an op) */
    size_t outcap;
};

/* A reply is read through this, a read() a buffer rather than a byte. */
typedef struct inbuf {
    uint8_t b[4096];
    size_t lo, hi;
} inbuf;

/* One reply: a type byte (+ - : $ *), its integer or bytes, or elements.
 * A bulk of exactly `wantn` bytes is read into `want` (the caller's
 * buffer, not owned: s == want) instead of a buffer of its own. */
typedef struct reply {
    char type;
    int64_t i;
    uint8_t *s;
    size_t len;
    int nel;
    struct reply *el;
    uint8_t *want;
    size_t wantn;
} reply;

static void reply_free(reply *r)
{
    for (int i = 0; i < r->nel; i++)
        reply_free(&r->el[i]);
    free(r->el);
    if (r->s != r->want) free(r->s);
    uint8_t *want = r->want;
    size_t wantn = r->wantn;
    memset(r, 0, sizeof *r);
    r->want = want, r->wantn = wantn;
}

amcl *amcl_new(const amc_cluster *c, int timeout_ms)
{
    amcl *cl = calloc(1, sizeof *cl);
    if (!cl || !(cl->fd = malloc(sizeof(int) * (size_t)c->geo.machines)) ||
        !(cl->in = calloc((size_t)c->geo.machines, sizeof *cl->in))) {
        if (cl) free(cl->fd);
        free(cl);
        return NULL;
    }
    cl->c = c;
    cl->timeout_ms = timeout_ms;
    /* unique enough among a machine's clients: time, process and address */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    snprintf(cl->id, sizeof cl->id, "c%llx",
             (unsigned long long)(ts.tv_sec * 1000000007ull ^ (uint64_t)ts.tv_nsec ^
                                  (uint64_t)getpid() << 40 ^ (uint64_t)(uintptr_t)cl));
    for (int m = 0; m < c->geo.machines; m++)
        cl->fd[m] = -1;
    return cl;
}

void amcl_free(amcl *cl)
{
    if (!cl) return;
    for (int m = 0; m < cl->c->geo.machines; m++)
        if (cl->fd[m] >= 0) close(cl->fd[m]);
    free(cl->fd);
    free(cl->in);
    free(cl->out);
    free(cl);
}

static void drop(amcl *cl, int m)
{
    if (cl->fd[m] >= 0) close(cl->fd[m]);
    cl->fd[m] = -1;
    cl->in[m].lo = cl->in[m].hi = 0;
}

static int conn(amcl *cl, int m, char *err, size_t errn)
{
    if (cl->fd[m] >= 0) return cl->fd[m];
    const amc_machine *x = &cl->c->machine[m];
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
    char ps[16];
    snprintf(ps, sizeof ps, "%d", x->client);
    int fd = -1;
    if (getaddrinfo(x->host, ps, &hints, &res) == 0 && res) {
        fd = socket(res->ai_family, SOCK_STREAM, 0);
        struct timeval tv = {cl->timeout_ms / 1000, (cl->timeout_ms % 1000) * 1000};
        int one = 1;
        if (fd >= 0 && (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) ||
                        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) ||
                        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) ||
                        connect(fd, res->ai_addr, res->ai_addrlen))) {
            close(fd);
            fd = -1;
        }
    }
    if (res) freeaddrinfo(res);
    if (fd < 0)
        snprintf(err, errn, "machine %d (%s:%d): cannot connect: %s", m, x->host, x->client,
                 strerror(errno));
    return cl->fd[m] = fd;
}

/* ---- reading replies (blocking, through a buffer a connection) ---- */

static int get(int fd, inbuf *in, uint8_t *p, size_t n)
{
    size_t k = in->hi - in->lo < n ? in->hi - in->lo : n;
    memcpy(p, in->b + in->lo, k);
    in->lo += k, p += k, n -= k;
    if (n >= sizeof in->b) { /* a large block: straight into place */
        for (ssize_t r; n > 0; p += r, n -= (size_t)r)
            if ((r = read(fd, p, n)) <= 0) return -1;
        return 0;
    }
    while (n > 0) {
        ssize_t r = read(fd, in->b, sizeof in->b);
        if (r <= 0) return -1;
        in->lo = 0, in->hi = (size_t)r;
        k = (size_t)r < n ? (size_t)r : n;
        memcpy(p, in->b, k);
        in->lo = k, p += k, n -= k;
    }
    return 0;
}

/* One line (CRLF cut off) into buf: scanned in the buffer, refilled by a
 * read() when it holds no whole line. */
static int line(int fd, inbuf *in, char *buf, size_t cap)
{
    for (;;) {
        const uint8_t *p = in->b + in->lo, *nl = NULL;
        size_t have = in->hi - in->lo;
        for (size_t at = 1; at < have && (nl = memchr(p + at, '\n', have - at));
             at = (size_t)(nl - p) + 1)
            if (nl[-1] == '\r') break;
        if (nl && nl[-1] == '\r') {
            size_t n = (size_t)(nl - p);
            if (n > cap) return -1;
            memcpy(buf, p, n - 1);
            buf[n - 1] = 0;
            in->lo += n + 1;
            return 0;
        }
        if (have >= cap) return -1;
        memmove(in->b, p, have); /* a partial line to the front, then more after it */
        in->lo = 0, in->hi = have;
        ssize_t r = read(fd, in->b + have, sizeof in->b - have);
        if (r <= 0) return -1;
        in->hi += (size_t)r;
    }
}

static int read_reply(int fd, inbuf *in, reply *r, int depth)
{
    char l[1024];
    uint8_t *want = depth ? NULL : r->want;
    size_t wantn = depth ? 0 : r->wantn;
    memset(r, 0, sizeof *r);
    r->want = want, r->wantn = wantn;
    if (depth > 2 || line(fd, in, l, sizeof l)) return -1;
    r->type = l[0];
    if (r->type == '+' || r->type == '-') {
        r->len = strlen(l + 1);
        return (r->s = (uint8_t *)strdup(l + 1)) ? 0 : -1;
    }
    long long v = strtoll(l + 1, NULL, 10);
    if (r->type == ':') {
        r->i = v;
        return 0;
    }
    if (r->type == '$') {
        if (v < 0) return 0; /* nil */
        char crlf[2];
        if (want && (size_t)v == wantn) /* the block the caller expects: into its buffer */
            r->s = want;
        else if (v > (1 << 24) || !(r->s = malloc((size_t)v + 2)))
            return -1;
        if (get(fd, in, r->s, (size_t)v) || get(fd, in, (uint8_t *)crlf, 2) || crlf[0] != '\r' ||
            crlf[1] != '\n')
            return -1;
        r->len = (size_t)v;
        return 0;
    }
    if (r->type == '*' && v >= 0 && v <= AMCL_MAX_ELEMS) {
        if (v && !(r->el = calloc((size_t)v, sizeof *r->el))) return -1;
        for (r->nel = 0; r->nel < v; r->nel++)
            if (read_reply(fd, in, &r->el[r->nel], depth + 1)) return -1;
        return 0;
    }
    return -1;
}

/* Sends the command to machine m and reads its reply: 0, or -1 with err
 * (the connection is dropped: its stream may be out of step). */
static int roundtrip(amcl *cl, int m, int argc, const char **argv, const size_t *lens, reply *r,
                     char *err, size_t errn)
{
    int fd = conn(cl, m, err, errn);
    if (fd < 0) return -1;
    /* the whole command in one send: written piece by piece, Nagle held each
     * piece after the first until the server's delayed ACK (40 ms a op) */
    size_t cap = 32 + 24 * (size_t)argc, n = 0;
    for (int i = 0; i < argc; i++)
        cap += lens[i];
    if (cap > cl->outcap) {
        char *p = realloc(cl->out, cap);
        if (!p) {
            snprintf(err, errn, "out of memory");
            return -1;
        }
        cl->out = p, cl->outcap = cap;
    }
    char *buf = cl->out;
    buf[n++] = '*';
    n += resp_dec(buf + n, (uint64_t)argc);
    buf[n++] = '\r', buf[n++] = '\n';
    for (int i = 0; i < argc; i++) {
        buf[n++] = '$';
        n += resp_dec(buf + n, lens[i]);
        buf[n++] = '\r', buf[n++] = '\n';
        memcpy(buf + n, argv[i], lens[i]);
        memcpy(buf + n + lens[i], "\r\n", 2);
        n += lens[i] + 2;
    }
    errno = 0;
    int bad = send(fd, buf, n, MSG_NOSIGNAL) != (ssize_t)n;
    if (bad || read_reply(fd, &cl->in[m], r, 0)) {
        snprintf(err, errn, "machine %d: no reply (%s)", m,
                 errno ? strerror(errno) : "connection closed");
        reply_free(r);
        drop(cl, m);
        return -1;
    }
    return 0;
}

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* Runs a block command on machine m, following MOVED and retrying
 * TRYAGAIN (the op changed nothing) 20 ms apart until the client's timeout
 * has passed: by time, not by count, since how long a try takes varies
 * (50 tries were about 3 s while every op paid a delayed ACK, 1 s after).
 * A lost connection is tried again AMCL_RECONNECTS times, or with `once`
 * (an op with its id) until the timeout: a machine restarted meanwhile
 * answers it once, from its journal. 0 with a non-error reply in r, or -1
 * with err. */
static int command(amcl *cl, int m, int argc, const char **argv, const size_t *lens, bool once,
                   reply *r, char *err, size_t errn)
{
    int lost = 0, moves = 0, tries = 0;
    double until = now_ms() + cl->timeout_ms;
    for (;; tries++) {
        if (roundtrip(cl, m, argc, argv, lens, r, err, errn)) {
            /* no reply: send it again on a new connection (an op carries its id,
             * so it runs once however often it is sent) */
            if (++lost >= AMCL_RECONNECTS && (!once || now_ms() >= until)) return -1;
            struct timespec ts = {0, 100 * 1000 * 1000};
            nanosleep(&ts, NULL);
            continue;
        }
        if (r->type != '-') return 0;
        const char *msg = (const char *)r->s;
        int to;
        if (strncmp(msg, "MOVED ", 6) == 0 && sscanf(msg + 6, "%d", &to) == 1 && to >= 0 &&
            to < cl->c->geo.machines && to != m && ++moves <= AMCL_MOVES) {
            m = to;
        } else if (strncmp(msg, "TRYAGAIN", 8) == 0) {
            if (now_ms() >= until) {
                snprintf(err, errn, "machine %d: still refused after %d ms (%d tries): %s", m,
                         cl->timeout_ms, tries + 1, msg);
                reply_free(r);
                return -1;
            }
            struct timespec ts = {0, 20 * 1000 * 1000};
            nanosleep(&ts, NULL);
        } else {
            snprintf(err, errn, "machine %d: %s", m, msg);
            reply_free(r);
            return -1;
        }
        reply_free(r);
    }
}

/* cmd STRIPE POS [operands...] at the machine that plays pos in the stripe;
 * once: an op carrying its id (command). */
static int block_cmd(amcl *cl, const char *name, int64_t stripe, int pos, int nv,
                     const uint8_t *const *v, const size_t *vlen, bool once, reply *r, char *err,
                     size_t errn)
{
    int m = aml_machine(&cl->c->geo, stripe, pos);
    if (m < 0 || nv < 0 || nv > 5) {
        snprintf(err, errn, "stripe %lld position %d is not in the cluster", (long long)stripe,
                 pos);
        return -1;
    }
    char sb[24], pb[24];
    const char *argv[8] = {name, sb, pb};
    size_t lens[8] = {strlen(name), resp_dec(sb, (uint64_t)stripe), resp_dec(pb, (uint64_t)pos)};
    for (int i = 0; i < nv; i++)
        argv[3 + i] = (const char *)v[i], lens[3 + i] = vlen[i];
    return command(cl, m, 3 + nv, argv, lens, once, r, err, errn);
}

int amcl_op(amcl *cl, const char *cmd, int64_t stripe, int shard, int nv, const uint8_t *const *v,
            const size_t *vlen, uint8_t *old, char *err, size_t errn)
{
    reply r = {.want = old, .wantn = (size_t)cl->c->block};
    char seq[24];
    const uint8_t *args[5];
    size_t lens[5];
    if (nv < 0 || nv > 2) {
        snprintf(err, errn, "%s: at most 2 operands", cmd);
        return -1;
    }
    size_t seqn = resp_dec(seq, ++cl->seq);
    for (int i = 0; i < nv; i++)
        args[i] = v[i], lens[i] = vlen[i];
    args[nv] = (const uint8_t *)"ID", lens[nv] = 2;
    args[nv + 1] = (const uint8_t *)cl->id, lens[nv + 1] = strlen(cl->id);
    args[nv + 2] = (const uint8_t *)seq, lens[nv + 2] = seqn;
    if (block_cmd(cl, cmd, stripe, shard, nv + 3, args, lens, true, &r, err, errn)) return -1;
    int rc = r.type == '$' && r.s && r.len == (size_t)cl->c->block ? 0 : -1;
    if (rc)
        snprintf(err, errn, "%s: not a block of %lld bytes", cmd, (long long)cl->c->block);
    else if (r.s != old)
        memcpy(old, r.s, r.len);
    reply_free(&r);
    return rc;
}

int amcl_read(amcl *cl, int64_t stripe, int shard, uint8_t *out, char *err, size_t errn)
{
    reply r = {.want = out, .wantn = (size_t)cl->c->block};
    if (block_cmd(cl, "AM.READ", stripe, shard, 0, NULL, NULL, false, &r, err, errn)) return -1;
    int rc = r.type == '$' && r.s && r.len == (size_t)cl->c->block ? 0 : -1;
    if (rc)
        snprintf(err, errn, "AM.READ: not a block of %lld bytes", (long long)cl->c->block);
    else if (r.s != out)
        memcpy(out, r.s, r.len);
    reply_free(&r);
    return rc;
}

int amcl_raw(amcl *cl, int64_t stripe, int pos, uint8_t *out, int64_t *ctr, int *nctr, char *err,
             size_t errn)
{
    reply r = {0};
    if (block_cmd(cl, "AM.RAW", stripe, pos, 0, NULL, NULL, false, &r, err, errn)) return -1;
    int rc =
        r.type == '*' && r.nel >= 1 && r.el[0].type == '$' && r.el[0].len == (size_t)cl->c->block
            ? 0
            : -1;
    if (rc) {
        snprintf(err, errn, "AM.RAW: unexpected reply");
    } else {
        memcpy(out, r.el[0].s, r.el[0].len);
        int k = 0;
        for (int i = 1; i < r.nel && k < *nctr; i++)
            ctr[k++] = r.el[i].i;
        *nctr = k;
    }
    reply_free(&r);
    return rc;
}
