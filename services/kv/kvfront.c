/* kvfront.c: RESP clients of a hoc-kv replica (see kvfront.h). */
#include "kvfront.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>

#include "clock.h"
#include "rconn.h"
#include "resp.h"

/* A request holding the largest command: its RESP framing takes at most 12
 * bytes an argument where the command's encoding takes 4, and a command has
 * at most KV_MAX_ARGS of them. */
#define IN_MAX (KV_MAX_CMD + 8 * KV_MAX_ARGS + 65536)
#define MAX_QUEUED 65536       /* replies owed to one connection before it is paused */
#define READ_BUDGET (1u << 20) /* bytes read, and written, for a connection a callback */

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
    rc_conn *rc;
    uint64_t client;
    uint64_t *seq; /* per group: the number of its last command there */
    Reply *q;      /* a ring of qcap, qlen from qhead */
    size_t qhead, qlen, qcap;
    bool closing, paused;
    struct Conn *hnext;
} Conn;

struct kv_front {
    int id, ngroups;
    kv_group **groups;
    hoc_logger log;
    rc_front *rc;
    Conn **tab; /* by client id */
    size_t tcap;
    int nconns;
    uint64_t boot, counter;
    resp_req req;
    hoc_buf tmp;
    kv_front_stats st;
};

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

/* Moves the replies that are due, in order, to the output, written once at
 * the end of this loop iteration with every reply that became due in it. */
static void flush_replies(Conn *c)
{
    bool any = false;
    while (c->qlen && slot_at(c, 0)->done) {
        Reply *r = slot_at(c, 0);
        evbuffer_add(rc_out(c->rc), r->data ? r->data : "-ERR out of memory\r\n",
                     r->data ? r->len : 20);
        free(r->data);
        c->qhead = (c->qhead + 1) % c->qcap, c->qlen--;
        any = true;
    }
    if (c->paused && !c->closing && c->qlen < MAX_QUEUED / 2) {
        c->paused = false;
        rc_resume(c->rc); /* requests may be waiting in its buffer */
    }
    if (c->closing && c->qlen == 0) /* every reply owed is out */
        rc_close_after(c->rc);
    else if (any)
        rc_dirty(c->rc);
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
    hoc_buf_printf(&b,
                   "# hoc-kv\r\nreplica:%d\r\nprocess_id:%ld\r\ngroups:%d\r\n"
                   "connected_clients:%d\r\n",
                   f->id, (long)getpid(), f->ngroups, f->nconns);
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
/* Handles the whole requests in in[0..len) (rconn.h's input): the bytes
 * they took. */
static size_t consume(void *data, const uint8_t *in, size_t len, bool full)
{
    Conn *c = data;
    kv_front *f = c->f;
    size_t off = 0;
    while (!c->closing && c->qlen < MAX_QUEUED) {
        size_t used;
        const char *why;
        resp_status s = resp_parse(in + off, len - off, &f->req, &used, &why);
        if (s == RESP_MORE && !(full && off == 0)) break;
        if (s != RESP_OK) { /* answered, then closed: the stream cannot be resynchronised */
            f->st.protocol_errors++;
            if (s == RESP_BAD)
                hoc_log(&f->log, HOC_LOG_INFO, "client %" PRIx64 ": %s: closed", c->client, why);
            answer_error(c, s == RESP_BAD ? why : "ERR Protocol error: request too large");
            c->closing = true;
            off = len;
            break;
        }
        off += used;
        dispatch(c, &f->req);
    }
    /* the client must read its replies first; once closing, nothing more */
    if ((c->qlen >= MAX_QUEUED || c->closing) && !c->paused) {
        c->paused = true;
        rc_pause(c->rc);
    }
    flush_replies(c);
    return off;
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

/* A connection is closing (rconn.h's closed). */
static void conn_closed(void *data, bool at_exit)
{
    Conn *c = data;
    kv_front *f = c->f;
    if (!at_exit) say_goodbye(c);
    Conn **pp = tslot(f, c->client);
    if (*pp == c) *pp = c->hnext;
    f->nconns--;
    f->st.closed++;
    for (size_t i = 0; i < c->qlen; i++)
        free(slot_at(c, i)->data);
    free(c->q), free(c->seq);
    free(c);
}

/* A new connection (rconn.h's open). */
static void *conn_new(void *ctx, rc_conn *rc)
{
    kv_front *f = ctx;
    Conn *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->f = f, c->rc = rc;
    if (!(c->seq = calloc((size_t)f->ngroups, sizeof *c->seq))) {
        free(c);
        return NULL;
    }
    /* unique across this replica's restarts too: the client tables outlive it */
    c->client =
        ((uint64_t)f->id << 56) | ((f->boot & 0xffffff) << 32) | (++f->counter & 0xffffffff);
    if ((size_t)f->nconns >= f->tcap) tgrow(f);
    Conn **pp = tslot(f, c->client);
    c->hnext = *pp;
    *pp = c;
    f->nconns++;
    f->st.accepted++;
    return c;
}

kv_front *kv_front_new(struct event_base *base, const char *host, int port, int id,
                       kv_group **groups, int ngroups, hoc_logger log, char *err, size_t errn)
{
    static const rc_handlers h = {.open = conn_new, .input = consume, .closed = conn_closed};
    kv_front *f = calloc(1, sizeof *f);
    if (!f) {
        snprintf(err, errn, "out of memory");
        return NULL;
    }
    f->id = id, f->groups = groups, f->ngroups = ngroups, f->log = log;
    f->boot = (hoc_now_us() ^ ((uint64_t)getpid() << 20)) * 0x9e3779b97f4a7c15u >> 40;
    f->tcap = 256;
    f->tab = calloc(f->tcap, sizeof *f->tab);
    if (!f->tab) snprintf(err, errn, "out of memory");
    if (!f->tab || !(f->rc = rc_listen(base, host, port, &h, f, IN_MAX, READ_BUDGET, err, errn))) {
        free(f->tab), free(f);
        return NULL;
    }
    return f;
}

void kv_front_free(kv_front *f)
{
    if (!f) return;
    rc_free(f->rc);
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
