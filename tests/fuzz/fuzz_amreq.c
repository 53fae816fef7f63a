/* fuzz_amreq.c: Amalgam's client protocol as a machine's front end reads
 * it (services/amalgam/amfront.c): RESP requests (services/kv/resp.c),
 * decoded into commands by amr_decode (amreq.c, with amop.c's operand
 * checks and amlayout.c's geometry), and ops with ID CLIENT SEQ through the
 * exactly-once table (amdedup.c).
 *
 * Input: 4 bytes choosing a cluster (g, f, witnesses, machines, stripes,
 * block size, blocks an instance), then a client's byte stream. Every
 * request parsed from it is decoded; a decoded op must name a stripe and
 * shard in range, on a machine of the cluster, with the event arguments of
 * its block; a refusal must say why with an ERR reply. Ops with an id go
 * through the table, and are aborted, committed, or left running until a
 * READ commits the oldest (by stripe mod 3): a duplicate's reply must be
 * the one recorded for that client and op number, which a shadow record
 * checks.
 * No input may crash, leak, hit undefined behaviour or take long. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amdedup.h"
#include "amreq.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    return 0;
}

#define SHADOWS 8 /* the table's capacity: few, so eviction happens */

/* What the target knows of table entry i: its client, the op running
 * there (run) and the last one completed (seq, with its reply). */
typedef struct shadow {
    char client[AMD_CLIENT_MAX + 1];
    uint64_t run, seq;
    uint8_t reply;
} shadow;

/* An op left running, completed later (as a commit comes after others). */
typedef struct running {
    int idx;
    uint64_t seq;
    uint8_t reply;
} running;

typedef struct harness {
    amd_table t;
    shadow sh[SHADOWS];
    running run[64];
    int nrun;
} harness;

static void check_op(const aml_geom *geo, const amop_model *m, const amr_req *q)
{
    if (q->stripe < 0 || q->stripe >= geo->stripes || q->pos < 0 || q->pos >= geo->g) abort();
    if (aml_machine(geo, q->stripe, q->pos) < 0) abort();
    int64_t blk;
    if (aml_instance_of(geo, q->stripe, &blk) != q->inst || blk != q->blk) abort();
    if (q->inst < 0 || q->inst >= aml_instances(geo) || q->blk >= m->per_inst) abort();
    if (q->verb != AMR_OP) return;
    if (q->args[0] != m->kind[q->kind] || q->args[1] != ((int64_t)1 << q->blk)) abort();
    if (q->args[2] < m->vlo || q->args[2] >= m->vhi || q->args[3] != 0) abort();
    if (q->args[4] < 0 || q->args[4] >= m->block) abort();
    /* a block operand points into the request and is a whole block */
    if ((q->kind == AMOP_ADD) != !q->bytes[2] || (q->kind == AMOP_CAS) != !!q->bytes[3]) abort();
    if (q->seq && !q->client) abort();
}

/* The oldest running op commits: the table records its reply. */
static void commit_oldest(harness *h)
{
    if (h->nrun == 0) return;
    running r = h->run[0];
    memmove(h->run, h->run + 1, (size_t)--h->nrun * sizeof h->run[0]);
    uint8_t out[64] = {r.reply};
    amd_done(&h->t, r.idx, out);
    shadow *s = &h->sh[r.idx];
    if (s->run == r.seq) s->seq = r.seq, s->reply = r.reply;
}

/* An op with an id through the table, against the shadow records. */
static void exactly_once(harness *h, const amr_req *q)
{
    int idx = -1;
    const uint8_t *reply = NULL;
    amd_verdict v = amd_begin(&h->t, q->client, q->clen, q->seq, &idx, &reply);
    if (v == AMD_BAD) {
        if (q->clen > 0 && q->clen <= AMD_CLIENT_MAX && !memchr(q->client, 0, q->clen)) abort();
        return;
    }
    char name[AMD_CLIENT_MAX + 1];
    memcpy(name, q->client, q->clen);
    name[q->clen] = 0;
    shadow *s = NULL;
    for (int i = 0; i < SHADOWS; i++)
        if (h->sh[i].client[0] && strcmp(h->sh[i].client, name) == 0) s = &h->sh[i];
    if (v == AMD_DUP) {
        /* a table may forget (evict) but never answer with another op's reply */
        if (!s || s->seq != q->seq || reply[0] != s->reply) abort();
        return;
    }
    if (v != AMD_NEW) return;
    if (idx < 0 || idx >= h->t.cap) abort();
    if (s && s != &h->sh[idx]) s->client[0] = 0; /* evicted before, now in another entry */
    s = &h->sh[idx];                             /* the entry's previous client is forgotten */
    memcpy(s->client, name, q->clen + 1);
    s->run = q->seq;
    s->seq = 0;
    uint8_t out = (uint8_t)(q->seq * 31 + (uint64_t)q->args[2]);
    switch (q->stripe % 3) {
    case 0: /* left running */
        if (h->nrun == (int)(sizeof h->run / sizeof h->run[0])) commit_oldest(h);
        h->run[h->nrun++] = (running){idx, q->seq, out};
        break;
    case 1: {
        h->run[h->nrun++] = (running){idx, q->seq, out};
        while (h->nrun) /* commits are in order: the earlier ones first */
            commit_oldest(h);
        break;
    }
    default:
        amd_abort(&h->t, idx);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4) return 0;
    static const int64_t BLOCKS[] = {64, 4096};
    aml_geom geo = {.g = 1 + data[0] % 4,
                    .f = 1 + ((data[0] >> 2) & 3) % 3,
                    .w = (data[0] >> 4) % 3,
                    .stripes = 1 + data[2] % 64,
                    .per_inst = 1 + data[3] % 4};
    geo.machines = geo.g + geo.f + geo.w + data[1] % 3;
    char err[512];
    if (aml_check(&geo, err, sizeof err)) return 0;
    amop_model m = {.block = BLOCKS[(data[1] >> 2) & 1],
                    .per_inst = geo.per_inst,
                    .vlo = 0,
                    .vhi = 256,
                    .kind = {0, 1, 2, 3, 4}};
    static harness h; /* large: not on the stack */
    memset(&h, 0, sizeof h);
    if (amd_init(&h.t, SHADOWS, 64)) abort();
    data += 4, size -= 4;

    resp_req r = {0};
    size_t off = 0;
    while (off < size) {
        size_t used = 0;
        const char *why = NULL;
        resp_status st = resp_parse(data + off, size - off, &r, &used, &why);
        if (st == RESP_MORE) break;
        if (st == RESP_BAD) {
            if (!why) abort(); /* the client is told why */
            break;
        }
        if (used == 0 || used > size - off) abort();
        amr_req q;
        err[0] = 0;
        if (amr_decode(&geo, &m, &r, &q, err, sizeof err)) {
            if (strncmp(err, "ERR ", 4) != 0 || strlen(err) < 8) abort();
        } else if (q.verb == AMR_READ || q.verb == AMR_OP) {
            check_op(&geo, &m, &q);
            if (q.verb == AMR_OP && q.seq) exactly_once(&h, &q);
            if (q.verb == AMR_READ) commit_oldest(&h);
        } else if (q.verb == AMR_RAW) {
            if (q.pos < 0 || q.pos >= aml_width(&geo) || aml_machine(&geo, q.stripe, q.pos) < 0)
                abort();
        }
        off += used;
    }
    resp_req_free(&r);
    amd_free(&h.t);
    return 0;
}
