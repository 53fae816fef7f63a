/* amreq.h: one Amalgam client request (amfront.c's commands) decoded from
 * its RESP arguments without touching a server: the command, and for a
 * block op its stripe and position checked against the geometry, its
 * operands turned into the model's event arguments, and its ID CLIENT SEQ.
 * Pure, so tests/fuzz/fuzz_amreq.c can fuzz it without sockets. */
#ifndef HOC_AMREQ_H
#define HOC_AMREQ_H

#include <stddef.h>
#include <stdint.h>

#include "amlayout.h"
#include "amop.h"
#include "resp.h"

typedef enum amr_verb {
    AMR_EMPTY, /* no arguments (an empty inline line): no reply */
    AMR_PING,
    AMR_LIST0, /* COMMAND, CONFIG ...: what clients ask at start-up */
    AMR_QUIT,
    AMR_OP, /* AM.WRITE, AM.XOR, AM.ADD, AM.CAS */
    AMR_READ,
    AMR_RAW,
    AMR_INFO
} amr_verb;

typedef struct amr_req {
    amr_verb verb;
    amop_kind kind;                      /* AMR_OP */
    int64_t stripe;                      /* READ, OP, RAW */
    int pos;                             /* position in the stripe: the shard for READ and OP */
    int64_t inst;                        /* the instance holding the stripe */
    int blk;                             /* the stripe's block index in that instance */
    int64_t args[AMOP_MAX_ARGS];         /* AMR_OP: the op event's arguments */
    const uint8_t *bytes[AMOP_MAX_ARGS]; /* AMR_OP: its blocks (in r), NULL: from args */
    const uint8_t *client;               /* AMR_OP with ID: the client's name (in r) */
    size_t clen;
    uint64_t seq; /* AMR_OP: the op's number, 0 without ID */
} amr_req;

/* Decodes r for a cluster of geometry geo (aml_check'ed) running model m
 * (only block, per_inst, vlo, vhi and kind are read; q's blocks point into r): 0, or -1 with the
 * error reply ("ERR ...") in err. Which machine holds the block is left to
 * the caller (aml_machine of stripe and pos). */
int amr_decode(const aml_geom *geo, const amop_model *m, const resp_req *r, amr_req *q, char *err,
               size_t errn);

#endif
