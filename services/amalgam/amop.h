/* amop.h: everything the service knows about amalgam.ho's interface, in one
 * place, so that a change of the model (its event, outputs, parameters or
 * state fields) is a change here only: a client request becomes the event's
 * arguments, the outputs and state become a reply. Fields, outputs and the
 * event's enum members are found by name in the build's descriptor
 * (hoc_algo), never through the generated structs, so one module serves
 * every build (amvariant.h).
 *
 * The model this is written against (services/amalgam/amalgam.ho):
 * `event op(kind: Kind, mask: int in 1..MASKS, x: bytes[EC_BLOCK] in
 * 0..VALS, y: bytes[EC_BLOCK] in 0..VALS, at: int in 0..EC_BLOCK)` runs
 * Read, Write, Xor, Add or Cas on the blocks of mask with the client's
 * blocks x and y (Add adds the integer of x's first 8 bytes to the 8 bytes
 * from byte at), and fires executed(bytes) with the old value of the op's
 * first block;
 * `event suspect(q: int)` makes the reconfiguration role replace backup q;
 * `committed(c)` says ops 1..c are committed. Parameters n, g, f, nw, sw,
 * rot: a deployment runs rot = 0 (it rotates stripes over machines
 * itself) and sw = nw (every witness of an instance witnesses its stripes). */
#ifndef HOC_AMOP_H
#define HOC_AMOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "amlayout.h"
#include "hoc_rt.h"

#define AMOP_MAX_ARGS 8

/* The ops a client may ask for (amalgam.ho's Kind). */
typedef enum amop_kind {
    AMOP_READ,
    AMOP_WRITE,
    AMOP_XOR,
    AMOP_ADD,
    AMOP_CAS,
    AMOP_NKINDS
} amop_kind;

/* What the reconfiguration role of an instance is doing (amalgam.ho's Ask). */
typedef enum amop_ask {
    AMOP_IDLE,
    AMOP_STOP,
    AMOP_INSTALL,
    AMOP_GO,
    AMOP_CONSENT,
    AMOP_ADMIT,
    AMOP_NASKS
} amop_ask;

/* What the build offers, found once at start-up. */
typedef struct amop_model {
    const hoc_algo *a;
    int64_t block, per_inst;
    int ev_op;                     /* index of event op */
    int ev_suspect;                /* index of event suspect(q): replace backup q */
    int64_t kind[AMOP_NKINDS];     /* the value of each Kind member */
    int64_t vlo, vhi;              /* ADD's addend, an integer: [vlo, vhi) */
    int64_t params[AMOP_MAX_ARGS]; /* n first */
    const hoc_field *blk, *par, *opn, *com, *base, *pm, *asked, *live, *lost, *app, *plost, *inb;
    const hoc_field *huk, *hm;        /* a backup's prepares: op and mask per shard and slot */
    const hoc_field *exq, *hlo, *hhi; /* backups being replaced; a backup's windows last had */
    const hoc_field *rq;              /* the reconfiguration service asked it something */
    const hoc_field *closed;          /* a backup: shard s stopped, not yet installed */
    int fwd;                          /* index of round fwd (the data servers send their windows) */
    const hoc_field *mode, *who, *eps, *beps; /* the reconfiguration role's */
    const hoc_field *decision[10];            /* what it decided (amop_reconf_save) */
    const hoc_field *resp;                    /* who answered its current request */
    int32_t ask[AMOP_NASKS];                  /* the value of each Ask member */
    int64_t g;
    const hoc_output *executed, *committed;
} amop_model;

/* Where a server stands in an instance (from its state). */
typedef struct amop_view {
    int64_t opn, com; /* data server: last op executed, last committed */
    bool live, lost;  /* data server: installed; its blocks are degraded */
    bool plost;       /* parity server: its rows are degraded */
    bool inb;         /* backup: admitted (a replacement is not until installed) */
} amop_view;

/* Finds the event, fields, outputs and parameters in a for a cluster of
 * geometry geo: 0, or -1 with what is missing in err. */
int amop_model_init(amop_model *m, const hoc_algo *a, int64_t block, int64_t per_inst,
                    const aml_geom *geo, char *err, size_t errn);
/* Is a value of len bytes a block the model takes (any bytes, a whole block)? 0, or
 * -1 with why not in err. */
int amop_value(const amop_model *m, size_t len, char *err, size_t errn);
/* The op event's arguments for an op of kind k on block b (0..per_inst-1) of
 * a shard: args (x as an int: ADD's addend; `at`: the byte ADD adds at) and
 * bytes (the blocks bx, by; NULL: zeros, or x's integer): 0, or -1 with err
 * (out of range). */
int amop_args(const amop_model *m, amop_kind k, int b, int64_t x, const uint8_t *bx,
              const uint8_t *by, int64_t at, int64_t *args, const uint8_t **bytes, char *err,
              size_t errn);
/* Reads a server's standing in an instance from its state. */
void amop_view_of(const amop_model *m, const void *state, amop_view *v);
/* Does a data server in round `round` with this state wait only for the
 * round's timeout: in `fwd` with every op of its window committed (its
 * backups end `fwd` early only when some window has ops not committed),
 * with room in the window for one more, and nobody rebuilding (no
 * snapshot asked of it last phase)? Then an op queued now is worth a
 * hoc_svc_hurry rather than the rest of the timeout. */
bool amop_idle_fwd(const amop_model *m, const void *state, int64_t round);
/* The pids of an instance's backups (g .. n-2): the processes whose `fwd`
 * only its timeout ends when every window is idle. */
hoc_set amop_backups(const amop_model *m);
/* Whom a server of role `role` (pid `self`) with this state hurries in
 * `fwd` rounds (hoc_svc_hurry), or nobody: the reconfiguration role
 * replacing a server (its request is all anyone needs of that round), every
 * peer; a data server rebuilding its blocks (its snapshot requests are
 * out), every server; a parity server or witness rebuilding its rows, the
 * data servers; a backup not yet admitted, itself alone (a newcomer that
 * waits out its `fwd` timeouts can run a round behind its peers for good,
 * its join late at the service every phase; ending its own `fwd` early puts
 * it ahead, and its peers catch up). Each step of a replacement and rebuild
 * then takes a round trip, not an idle round's timeout (docs/amalgam.md,
 * "Pacing"). *step names the step (the reconfiguration role's mode, pid and
 * epoch; a rebuild is one step, a newcomer's wait another), so that a step
 * is hurried a few times only: one whose answers cannot come (a machine
 * down) must not spin its instance. */
hoc_set amop_rebuild_hurry(const amop_model *m, aml_role role, int self, const void *state,
                           int64_t *step);
/* Is the instance idle as far as this server of it (role) can tell from
 * its state and the senders it heard over its last phase: no op in its
 * window or in any window it last had, nothing to rebuild, no snapshot
 * asked for, no shard stopped or backup replaced, every peer that sends to
 * it heard (one missing is down or restarting: its join must not wait)?
 * Every server of an instance that one of them drives at the rounds' pace
 * must say no, or it would be caught up past its answers (ampace.c paces
 * idle instances slower). */
bool amop_idle(const amop_model *m, aml_role role, const void *state, hoc_set heard);
/* The reconfiguration role's standing in an instance (pid n-1's state):
 * what it does, the pid it replaces (-1: none) and that pid's epoch. */
void amop_reconf_of(const amop_model *m, const void *state, amop_ask *mode, int *who,
                    int64_t *epoch);
/* Bytes of the reconfiguration role's decision fields: its mode, the pid
 * it replaces, every epoch, and the chain and union it collected (exactly
 * amalgam.ho's durable variables: what the model keeps across a replacement). */
size_t amop_reconf_size(const amop_model *m);
/* Copies pid n-1's decision fields from state to out[amop_reconf_size]. */
void amop_reconf_save(const amop_model *m, const void *state, uint8_t *out);
/* Puts saved decision fields back into state, with the answers to its
 * current request forgotten (collected again, as after lost messages). */
void amop_reconf_load(const amop_model *m, const uint8_t *in, void *state);
/* Deltas a server holds now, in blocks: a data server's window (ops
 * base+1..opn, one delta for each block it acts on), or a backup's
 * prepares (each op it holds, one for each block of its mask). */
int64_t amop_deltas(const amop_model *m, const void *state, bool data);
/* Block b of a data server's shard (m->block bytes). */
const uint8_t *amop_block(const amop_model *m, const void *state, int b);
/* Block b of a parity server's row (m->block bytes). */
const uint8_t *amop_parity(const amop_model *m, const void *state, int b);
/* Shard s's ops a parity server has applied. */
int64_t amop_applied(const amop_model *m, const void *state, int s);
/* Did these outputs (the outputs struct) fire executed (its reply: m->block
 * bytes) / committed, and with what? */
bool amop_executed(const amop_model *m, const void *outputs, const uint8_t **reply);
bool amop_committed(const amop_model *m, const void *outputs, int64_t *com);

#endif
