/* amfront.c: the client front end of an Amalgam machine (amfront.h).
 *
 *   PING [msg]                  PONG, or msg
 *   AM.READ STRIPE SHARD        the block (bulk), once every op executed before it committed
 *   AM.WRITE STRIPE SHARD BLOCK the block's old value, once the write committed
 *   AM.XOR STRIPE SHARD BLOCK   ... once the block XOR BLOCK committed
 *   AM.ADD STRIPE SHARD N       ... once N added to the byte at AT committed
 *   AM.CAS STRIPE SHARD OLD NEW ... once "NEW if the block is OLD" committed
 *   (each op may end with ID CLIENT SEQ: answered once however often sent, amdedup.h)
 *   AM.RAW STRIPE POS           debugging: [block or parity row, then op counters] of
 *                               position POS of the stripe, as this machine holds it now
 *   AM.INFO                     this machine's groups and instances (text)
 *   COMMAND, CONFIG GET ...     an empty list (redis-benchmark asks at start-up)
 *   QUIT
 *
 * A block that another machine holds gets "-MOVED MACHINE HOST:PORT", as
 * Redis Cluster redirects. Requests of one connection are answered in
 * order: the next is not taken before the last is answered (the front reads
 * ahead into the connection's buffer, up to AMF_MAX_INPUT). */
#include "amfront.h"

#include <event2/buffer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amreq.h"
#include "buf.h"
#include "rconn.h"
#include "resp.h"

/* A client that pipelines while a request waits is not read past this:
 * room for one whole request (amcluster.h: a block is at most 1 MiB, an
 * AM.CAS carries two) and more; a request that does not fit is refused. */
#define AMF_MAX_INPUT (4u << 20)
/* Bytes read or written for a client connection in one callback: a 128
 * KiB block in one go, not 16 KiB a loop iteration (libevent's default
 * made an AM.RAW take eight iterations each way, each behind every round
 * the loop had to run: 2.3 ms while a machine rebuilt) */
#define AMF_MAX_IO (1u << 20)

typedef struct amf_conn {
    amf_front *f;
    rc_conn *rc;
    bool busy;    /* a request is waiting for its commit */
    bool closing; /* a protocol error or QUIT: closed once the reply is out */
} amf_conn;

struct amf_front {
    ams_server *s;
    rc_front *rc;
    resp_req req;
    hoc_buf out;
};

/* Sends what f->out holds to c, with this loop iteration's other replies. */
static void flush_out(amf_conn *c)
{
    rc_send(c->rc, c->f->out.p, c->f->out.n);
    c->f->out.n = 0;
}

/* c takes no more requests and closes once its replies are out. */
static void close_after(amf_conn *c)
{
    c->closing = true;
    rc_close_after(c->rc);
}

static void reply_error(amf_conn *c, const char *msg)
{
    resp_error(&c->f->out, msg);
    flush_out(c);
}

/* The group here that holds position q->pos of q's stripe; NULL with the
 * reply (MOVED, or a witness's refusal) already sent. */
static ams_group *locate(amf_conn *c, const amr_req *q)
{
    ams_server *s = c->f->s;
    const aml_geom *geo = &s->c.geo;
    int m = aml_machine(geo, q->stripe, q->pos);
    if (m != s->machine) {
        const amc_machine *x = &s->c.machine[m];
        char msg[256];
        snprintf(msg, sizeof msg, strchr(x->host, ':') ? "MOVED %d [%s]:%d" : "MOVED %d %s:%d", m,
                 x->host, x->client);
        reply_error(c, msg);
        return NULL;
    }
    aml_role role = aml_role_of_pid(geo, q->pos, NULL);
    ams_group *gr = ams_group_of(s, role, aml_class(geo, q->stripe));
    if (!gr || role == AML_WITNESS) {
        reply_error(c, "ERR a witness holds no block");
        return NULL;
    }
    return gr;
}

/* The client's last op ran before this machine restarted, as op opn of
 * instance inst: whether it committed is known once the replacement of
 * inst's data server here installed its chain and went live (its opn is
 * then the chain's top, until it executes an op, which resolves it too).
 * True when resolved now. */
static bool resolve(ams_server *s, int64_t inst)
{
    ams_group *gr = ams_data_group(s, aml_class(&s->c.geo, inst));
    const void *st = gr ? ams_state(gr, (uint64_t)inst) : NULL;
    amop_view v = {0};
    if (st) amop_view_of(&s->model, st, &v);
    if (!v.live) {
        amp_want(s, inst); /* its installation is what the client waits for */
        return false;
    }
    amd_resolve(&s->dedup, inst, v.opn);
    return true;
}

/* An op sent with ID CLIENT SEQ: 0 to run it (*ded its entry + 1), or 1
 * when it is answered here (a duplicate's first reply, or a refusal). */
static int dedup(amf_conn *c, const uint8_t *client, size_t len, uint64_t seq, int *ded)
{
    amd_table *t = &c->f->s->dedup;
    const uint8_t *reply = NULL;
    int idx = -1;
    amd_verdict v = amd_begin(t, client, len, seq, &idx, &reply);
    if (v == AMD_UNSURE && resolve(c->f->s, t->e[idx].inst))
        v = amd_begin(t, client, len, seq, &idx, &reply);
    switch (v) {
    case AMD_NEW:
        *ded = idx + 1;
        return 0;
    case AMD_DUP:
        resp_bulk(&c->f->out, reply, t->block);
        flush_out(c);
        return 1;
    case AMD_BUSY:
        reply_error(c, "TRYAGAIN an op of this client is still running");
        return 1;
    case AMD_STALE:
        reply_error(c, "ERR the client has sent a later op than this one");
        return 1;
    case AMD_UNSURE:
        reply_error(c, "TRYAGAIN this machine restarted: whether the client's last op ran is "
                       "known once its shard is installed again");
        return 1;
    case AMD_FULL:
        reply_error(c, "TRYAGAIN too many clients with ops running here");
        return 1;
    default:
        reply_error(c, "ERR a CLIENT name is 1 to 64 bytes, no NUL");
        return 1;
    }
}

/* AM.WRITE, AM.XOR, AM.ADD, AM.CAS [ID CLIENT SEQ]: the model's op at the
 * block's data server, answered with the block's old value once committed;
 * with an id, answered once however often it is sent (amdedup.h). */
static void cmd_op(amf_conn *c, const amr_req *q)
{
    int ded = 0;
    char err[512];
    ams_server *s = c->f->s;
    ams_group *gr = locate(c, q);
    if (!gr) return;
    if (q->seq && dedup(c, q->client, q->clen, q->seq, &ded)) return;
    ams_wait *w = calloc(1, sizeof *w);
    if (!w) {
        if (ded) amd_abort(&s->dedup, ded - 1);
        reply_error(c, "ERR out of memory");
        return;
    }
    w->conn = c;
    w->ded = ded;
    c->busy = true;
    if (ams_submit_op(gr, (uint64_t)q->inst, q->args, q->bytes, w, err, sizeof err)) {
        if (ded) amd_abort(&s->dedup, ded - 1);
        free(w);
        c->busy = false;
        reply_error(c, err);
    }
}

static void cmd_read(amf_conn *c, const amr_req *q)
{
    char err[512];
    ams_group *gr = locate(c, q);
    if (!gr) return;
    ams_wait *w = calloc(1, sizeof *w);
    if (!w) {
        reply_error(c, "ERR out of memory");
        return;
    }
    w->conn = c;
    c->busy = true;
    if (ams_submit_read(gr, (uint64_t)q->inst, q->blk, w, err, sizeof err)) {
        free(w->bytes);
        free(w);
        c->busy = false;
        reply_error(c, err);
    }
}

/* Debugging: a position's block as it stands here, with its op counters, so
 * `amalgam cli verify` can check a stripe's parity against its data. */
static void cmd_raw(amf_conn *c, const amr_req *q)
{
    int blk = q->blk;
    ams_group *gr = locate(c, q);
    if (!gr) return;
    const amop_model *m = &c->f->s->model;
    const void *st = ams_state(gr, (uint64_t)q->inst);
    if (!st) {
        reply_error(c, "TRYAGAIN the instance is not running here yet (or still joining)");
        return;
    }
    hoc_buf *o = &c->f->out;
    int g = c->f->s->c.geo.g;
    amop_view v;
    amop_view_of(m, st, &v);
    if (gr->role == AML_DATA ? !v.live || v.lost : !v.inb || v.plost) {
        /* a block being rebuilt is not the stripe's: verify and decode must not read it */
        reply_error(c, "TRYAGAIN this position is being rebuilt here");
        return;
    }
    if (gr->role == AML_DATA) {
        resp_array(o, 3);
        resp_bulk(o, amop_block(m, st, blk), (size_t)m->block);
        resp_int(o, v.opn);
        resp_int(o, v.com);
    } else {
        resp_array(o, 1 + (size_t)g);
        resp_bulk(o, amop_parity(m, st, blk), (size_t)m->block);
        for (int sh = 0; sh < g; sh++)
            resp_int(o, amop_applied(m, st, sh));
    }
    flush_out(c);
}

static void cmd_info(amf_conn *c)
{
    ams_server *s = c->f->s;
    hoc_buf b = {0};
    hoc_buf_printf(&b, "machine:%d\r\nblock:%lld\r\ninstances:%lld\r\n", s->machine,
                   (long long)s->c.block, (long long)s->ninst);
    for (int i = 0; i < s->ngroups; i++) {
        ams_group *gr = &s->groups[i];
        for (int64_t in = gr->cls; in < s->ninst; in += s->c.geo.machines) {
            const void *st = ams_state(gr, (uint64_t)in);
            amop_view v = {0};
            if (st) amop_view_of(&s->model, st, &v);
            hoc_buf_printf(&b,
                           "group:%c class=%d pid=%d inst=%lld running=%d opn=%lld com=%lld\r\n",
                           aml_role_letter(gr->role), gr->cls, gr->pid, (long long)in, st != NULL,
                           (long long)v.opn, (long long)v.com);
        }
    }
    resp_bulk(&c->f->out, (const uint8_t *)b.p, b.n);
    hoc_buf_free(&b);
    flush_out(c);
}

static void dispatch(amf_conn *c, const resp_req *r)
{
    amr_req q;
    char err[512];
    if (amr_decode(&c->f->s->c.geo, &c->f->s->model, r, &q, err, sizeof err)) {
        reply_error(c, err);
        return;
    }
    switch (q.verb) {
    case AMR_EMPTY:
        return;
    case AMR_PING:
        if (r->argc == 2)
            resp_bulk(&c->f->out, r->argv[1], r->lens[1]);
        else
            resp_simple(&c->f->out, "PONG");
        flush_out(c);
        return;
    case AMR_LIST0:
        resp_array(&c->f->out, 0); /* what clients ask at start-up: nothing to say */
        flush_out(c);
        return;
    case AMR_QUIT:
        resp_simple(&c->f->out, "OK");
        flush_out(c);
        close_after(c);
        return;
    case AMR_OP:
        cmd_op(c, &q);
        return;
    case AMR_READ:
        cmd_read(c, &q);
        return;
    case AMR_RAW:
        cmd_raw(c, &q);
        return;
    case AMR_INFO:
        cmd_info(c);
        return;
    }
}

/* The requests waiting in c's input, up to the first that must wait: the
 * bytes they took (rconn.h). */
static size_t on_input(void *data, const uint8_t *in, size_t len, bool full)
{
    amf_conn *c = data;
    size_t off = 0;
    while (!c->busy && !c->closing && off < len) {
        size_t used = 0;
        const char *why = NULL;
        resp_status st = resp_parse(in + off, len - off, &c->f->req, &used, &why);
        if (st == RESP_MORE && !(full && off == 0)) break;
        if (st != RESP_OK) { /* the stream cannot be resynchronised: answer, then close */
            char msg[160];
            snprintf(msg, sizeof msg, "ERR %s", /* as Redis says it, and docs/deploy.md */
                     st == RESP_BAD ? why : "Protocol error: request too large");
            reply_error(c, msg);
            close_after(c);
            break;
        }
        dispatch(c, &c->f->req); /* its arguments point into in */
        off += used;
    }
    /* read on (up to AMF_MAX_INPUT) but take nothing until the reply */
    if (c->busy) rc_pause(c->rc);
    return off;
}

static void *on_open(void *ctx, rc_conn *rc)
{
    amf_conn *c = calloc(1, sizeof *c);
    if (c) c->f = ctx, c->rc = rc;
    return c;
}

static void on_closed(void *data, bool at_exit)
{
    amf_conn *c = data;
    /* at exit the waits go with their groups */
    if (c->busy && !at_exit) ams_forget_conn(c->f->s, c);
    free(c);
}

/* A block up to this size is copied into a reply, not referenced. */
#define AMF_SMALL 1024

static void free_block(const void *data, size_t len, void *arg)
{
    (void)len, (void)arg;
    free((void *)data);
}

/* A bulk reply of w's block: a small one copied through out like every
 * other reply (a reference costs a chain and a callback, more than copying
 * 64 bytes), a large one handed to the connection's output as it is (two
 * copies of a 128 KiB block less an op than through out). Memory that
 * runs out after the head leaves the reply cut short, which the client
 * reads as an error. */
static void reply_block(amf_conn *c, ams_wait *w, size_t len)
{
    if (len <= AMF_SMALL) {
        resp_bulk(&c->f->out, w->bytes, len);
        flush_out(c);
        return;
    }
    resp_bulk_head(&c->f->out, len);
    flush_out(c);
    struct evbuffer *o = rc_out(c->rc);
    if (evbuffer_add_reference(o, w->bytes, len, free_block, NULL) == 0)
        w->bytes = NULL; /* the buffer frees it once written */
    else
        evbuffer_add(o, w->bytes, len);
    evbuffer_add(o, "\r\n", 2);
}

void amf_reply(ams_server *s, ams_wait *w, const char *msg)
{
    amf_conn *c = w->conn;
    if (c) {
        if (msg || !w->bytes) {
            resp_error(&c->f->out, msg ? msg : "ERR out of memory");
            flush_out(c);
        } else {
            reply_block(c, w, (size_t)s->model.block);
        }
        c->busy = false;
    }
    free(w->bytes);
    free(w);
    /* the connection's next request, if it sent one while waiting: later in
     * this loop iteration, not from inside its own dispatch (on_input's loop
     * goes on by itself) */
    if (c) rc_resume(c->rc);
}

amf_front *amf_new(ams_server *s, const char *host, int port, char *err, size_t errn)
{
    static const rc_handlers h = {.open = on_open, .input = on_input, .closed = on_closed};
    amf_front *f = calloc(1, sizeof *f);
    if (!f) {
        snprintf(err, errn, "out of memory");
        return NULL;
    }
    f->s = s;
    f->rc = rc_listen(s->base, host, port, &h, f, AMF_MAX_INPUT, AMF_MAX_IO, err, errn);
    if (!f->rc) {
        free(f);
        return NULL;
    }
    return f;
}

void amf_free(amf_front *f)
{
    if (!f) return;
    rc_free(f->rc);
    resp_req_free(&f->req);
    hoc_buf_free(&f->out);
    free(f);
}
