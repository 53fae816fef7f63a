/* amreq.c: decoding a client request (amreq.h). */
#include "amreq.h"

#include <stdio.h>
#include <string.h>

/* A whole decimal number in [lo, hi]: 0, or -1. */
static int number(const uint8_t *p, size_t n, int64_t lo, int64_t hi, int64_t *out)
{
    if (n == 0 || n > 18) return -1;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') return -1;
        v = v * 10 + (p[i] - '0');
    }
    if (v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

/* STRIPE and SHARD (data) or POS (any position) in argv[1], argv[2]. */
static int locate(const aml_geom *geo, const resp_req *r, aml_role want, amr_req *q, char *err,
                  size_t errn)
{
    int64_t b, p, x;
    int64_t last = want == AML_DATA ? geo->g - 1 : aml_width(geo) - 1;
    if (number(r->argv[1], r->lens[1], 0, geo->stripes - 1, &b) ||
        number(r->argv[2], r->lens[2], 0, last, &p)) {
        snprintf(err, errn, "ERR expected STRIPE in 0..%lld and %s in 0..%lld",
                 (long long)geo->stripes - 1, want == AML_DATA ? "SHARD" : "POS", (long long)last);
        return -1;
    }
    q->stripe = b;
    q->pos = (int)p;
    q->inst = aml_instance_of(geo, b, &x);
    q->blk = (int)x;
    return 0;
}

/* An op's operands (after STRIPE SHARD): WRITE and XOR take a block, ADD
 * an integer and an optional byte offset, CAS two blocks; then the event's
 * arguments (the blocks point into r). */
static int operands(const amop_model *m, const resp_req *r, int nops, amr_req *q, char *err,
                    size_t errn)
{
    int64_t x = 0, at = 0;
    const uint8_t *bx = NULL, *by = NULL;
    char *why = err + 4;
    size_t whyn = errn - 4;
    memcpy(err, "ERR ", 5); /* errn > 4: the reasons below go after it */
    if (q->kind == AMOP_ADD) {
        if (number(r->argv[3], r->lens[3], m->vlo, m->vhi - 1, &x)) {
            snprintf(why, whyn, "ADD takes a whole number in %lld..%lld", (long long)m->vlo,
                     (long long)m->vhi - 1);
            return -1;
        }
        if (nops == 5 && number(r->argv[4], r->lens[4], 0, m->block - 1, &at)) {
            snprintf(why, whyn, "ADD's OFFSET is a byte of the block: 0..%lld",
                     (long long)m->block - 1);
            return -1;
        }
    } else if (amop_value(m, r->lens[3], why, whyn) ||
               (q->kind == AMOP_CAS && amop_value(m, r->lens[4], why, whyn))) {
        return -1;
    } else {
        bx = r->argv[3];
        by = q->kind == AMOP_CAS ? r->argv[4] : NULL;
    }
    return amop_args(m, q->kind, q->blk, x, bx, by, at, q->args, q->bytes, why, whyn);
}

/* AM.WRITE|XOR|ADD|CAS STRIPE SHARD OPERANDS [ID CLIENT SEQ]; nargs counts
 * the command and its operands. */
static int op(const aml_geom *geo, const amop_model *m, const resp_req *r, int nargs, amr_req *q,
              char *err, size_t errn)
{
    int64_t seq = 0;
    if (r->argc == nargs + 3) {
        if (!resp_is(r->argv[nargs], r->lens[nargs], "ID") ||
            number(r->argv[nargs + 2], r->lens[nargs + 2], 1, INT64_MAX / 2, &seq)) {
            snprintf(err, errn, "ERR expected ... ID CLIENT SEQ (SEQ a whole number from 1)");
            return -1;
        }
        q->client = r->argv[nargs + 1];
        q->clen = r->lens[nargs + 1];
    }
    q->seq = (uint64_t)seq;
    q->verb = AMR_OP;
    if (locate(geo, r, AML_DATA, q, err, errn)) return -1;
    return operands(m, r, nargs, q, err, errn);
}

int amr_decode(const aml_geom *geo, const amop_model *m, const resp_req *r, amr_req *q, char *err,
               size_t errn)
{
    static const struct {
        const char *name;
        amop_kind kind;
        int nargs;
    } OPS[] = {{"AM.WRITE", AMOP_WRITE, 4},
               {"AM.XOR", AMOP_XOR, 4},
               {"AM.ADD", AMOP_ADD, 4},
               {"AM.CAS", AMOP_CAS, 5}};
    *q = (amr_req){.verb = AMR_EMPTY};
    if (r->argc == 0) return 0;
    const uint8_t *cmd = r->argv[0];
    size_t n = r->lens[0];
    if (resp_is(cmd, n, "PING") && r->argc <= 2) {
        q->verb = AMR_PING;
        return 0;
    }
    if (resp_is(cmd, n, "COMMAND") || (resp_is(cmd, n, "CONFIG") && r->argc >= 2)) {
        q->verb = AMR_LIST0;
        return 0;
    }
    if (resp_is(cmd, n, "QUIT")) {
        q->verb = AMR_QUIT;
        return 0;
    }
    for (size_t i = 0; i < sizeof OPS / sizeof OPS[0]; i++) {
        if (!resp_is(cmd, n, OPS[i].name)) continue;
        /* ADD's OFFSET is optional: 4 or 5 words before ID CLIENT SEQ */
        int k = OPS[i].nargs,
            more = OPS[i].kind == AMOP_ADD && (r->argc == k + 1 || r->argc == k + 4);
        if (r->argc == k + more || r->argc == k + more + 3) {
            q->kind = OPS[i].kind;
            return op(geo, m, r, k + more, q, err, errn);
        }
    }
    if (resp_is(cmd, n, "AM.READ") && r->argc == 3) {
        q->verb = AMR_READ;
        return locate(geo, r, AML_DATA, q, err, errn);
    }
    if (resp_is(cmd, n, "AM.RAW") && r->argc == 3) {
        q->verb = AMR_RAW;
        return locate(geo, r, AML_NONE, q, err, errn);
    }
    if (resp_is(cmd, n, "AM.INFO") && r->argc == 1) {
        q->verb = AMR_INFO;
        return 0;
    }
    snprintf(err, errn,
             "ERR unknown command or wrong number of arguments: expected PING, QUIT, "
             "AM.READ STRIPE SHARD, AM.WRITE|AM.XOR STRIPE SHARD BLOCK, AM.ADD STRIPE "
             "SHARD N [OFFSET], AM.CAS STRIPE SHARD EXPECTED NEW, AM.RAW STRIPE POS, AM.INFO");
    return -1;
}
