/* amop.h: everything the service knows about amalgam.ho's interface, in one
 * place, so that a change of the model (its event, outputs or state fields)
 * is a change here only: a client request becomes the event's arguments,
 * the outputs and state become a reply. Fields are found by name in the
 * build's descriptor (hoc_algo.fields), never through the generated struct,
 * so one module serves every build (amvariant.h).
 *
 * The model this was written against (services/amalgam/amalgam.ho at
 * 3c2520a): `event op(mask: int in 1..MASKS, v: int in 1..VALS)` writes v
 * into the first byte of each block in mask and fires executed(the old first
 * byte of the first block); `committed(c)` says ops 1..c are committed. */
#ifndef HOC_AMOP_H
#define HOC_AMOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "amlayout.h"
#include "hoc_rt.h"

#define AMOP_MAX_ARGS 8

/* What the build offers, found once at start-up. */
typedef struct amop_model {
    const hoc_algo *a;
    int64_t block, per_inst;
    int ev_op; /* index of event op */
    const hoc_field *blk, *par, *opn, *com, *live, *lost, *app, *plost, *inb;
    const hoc_output *executed, *committed;
} amop_model;

/* Where a server stands in an instance (from its state). */
typedef struct amop_view {
    int64_t opn, com; /* data server: last op executed, last committed */
    bool live, lost;  /* data server: installed; its blocks are degraded */
    bool plost;       /* parity server: its row is degraded */
    bool inb;         /* backup: admitted (a replacement is not until installed) */
} amop_view;

/* Finds the fields and outputs in a: 0, or -1 with what is missing in err. */
int amop_model_init(amop_model *m, const hoc_algo *a, int64_t block, int64_t per_inst, char *err,
                    size_t errn);
/* The algorithm's parameters (n first) for a cluster of geometry geo, in
 * params (AMOP_MAX_ARGS long); how many, or -1 with err. */
int amop_params(const amop_model *m, const aml_geom *geo, int64_t *params, char *err, size_t errn);
/* A write of val[0..len) to block b (0..per_inst-1) of a shard: the op
 * event's arguments in args, or -1 with why the model cannot express it in
 * err (the current model writes a block's first byte, 1..255, the rest
 * zero). */
int amop_write_args(const amop_model *m, int b, const uint8_t *val, size_t len, int64_t *args,
                    char *err, size_t errn);
/* Reads a server's standing in an instance from its state. */
void amop_view_of(const amop_model *m, const void *state, amop_view *v);
/* Block b of a data server's shard (m->block bytes). */
const uint8_t *amop_block(const amop_model *m, const void *state, int b);
/* Block b of a parity server's row (m->block bytes). */
const uint8_t *amop_parity(const amop_model *m, const void *state, int b);
/* Shard s's ops a parity server has applied. */
int64_t amop_applied(const amop_model *m, const void *state, int s);
/* Did these outputs (the outputs struct) fire executed / committed, and with what? */
bool amop_executed(const amop_model *m, const void *outputs, int64_t *reply);
bool amop_committed(const amop_model *m, const void *outputs, int64_t *com);

#endif
