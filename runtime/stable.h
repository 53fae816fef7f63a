/* stable.h: a replica's stable storage (`--data DIR`): the state of each
 * live instance as of the round it is sending, and the instances that
 * ended (decided, with the value, or not), so that a replica killed at any
 * point restarts with the state its peers may have heard from it.
 *
 * DIR holds `decided` (DECIDED and ENDED records, appended, never
 * rewritten) and `states.N` (N in hex, rising): STATE records (instance,
 * round, the generated state struct's bytes). A segment that has grown past
 * twice what the live instances take (at least 4 MiB) is replaced by a new
 * one holding only their latest states (written as `states.tmp`, synced,
 * renamed), so ended instances' states leave the disk. Every file starts
 * with a HEAD record naming the algorithm, its parameters, the process, the
 * state's size and layout: a directory of another replica is refused.
 *
 * A record is [u32 length][u32 CRC-32 of the body][body], little-endian. On
 * opening, a record that runs past the end of its file (torn) or whose CRC
 * does not match (corrupt) ends that file: it is cut there, with a log
 * line, and nothing after it is loaded.
 *
 * Modes: always (fdatasync after every record: nothing needs holding),
 * batch (records are buffered and written and synced by hoc_stable_sync,
 * once per loop turn: the caller holds what depends on them until then),
 * never (written by hoc_stable_sync, not synced: survives a killed process,
 * not a lost machine). A failed write or sync fails the store for good. */
#ifndef HOC_STABLE_H
#define HOC_STABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hoc_rt.h"
#include "log.h"

typedef enum hoc_fsync { HOC_FSYNC_BATCH, HOC_FSYNC_ALWAYS, HOC_FSYNC_NEVER } hoc_fsync;

/* Parses "always", "batch" or "never" into *(hoc_fsync *)dst (an
 * HOC_OPT_CALL for base/opt.h): 0, or -1 with a message in err. */
int hoc_stable_fsync_option(void *dst, const char *v, char *err, size_t errn);

/* Who the directory belongs to: a directory written with other values is refused. */
typedef struct hoc_stable_owner {
    const hoc_algo *algo;
    uint32_t params; /* hoc_wire_params_tag of the parameter values */
    int id, n;
} hoc_stable_owner;

/* What opening found, handed over in this order: every ended instance
 * (value NULL when it ended undecided), then the latest state of every
 * instance that had not ended (valid during the call). A callback returns
 * 0, or -1 to fail the opening (its message in err). */
typedef struct hoc_stable_replay {
    void *ctx;
    int (*ended)(void *ctx, uint64_t inst, const uint8_t *value, size_t len, char *err,
                 size_t errn);
    int (*state)(void *ctx, uint64_t inst, int64_t round, const void *state, char *err,
                 size_t errn);
} hoc_stable_replay;

/* The state a live instance has now and its round, or NULL when it is not
 * live: what a new segment is made of. */
typedef const void *(*hoc_stable_state_of)(void *ctx, uint64_t inst, int64_t *round);

typedef struct hoc_stable hoc_stable;

/* Opens (creating) dir for owner and replays it through rp. NULL with a
 * message in err when dir cannot be created, read or written, belongs to
 * another replica, or a callback fails. state_of(ctx) is kept for later. */
hoc_stable *hoc_stable_open(const char *dir, hoc_fsync mode, const hoc_stable_owner *owner,
                            const hoc_logger *log, const hoc_stable_replay *rp,
                            hoc_stable_state_of state_of, void *ctx, char *err, size_t errn);
/* Syncs what is pending and closes; NULL is a no-op. */
void hoc_stable_close(hoc_stable *s);

/* Appends a record: the state instance inst sends round `round` from; inst
 * decided v[0..len); inst ended undecided. 0, or -1 once the store failed. */
int hoc_stable_state(hoc_stable *s, uint64_t inst, int64_t round, const void *state);
int hoc_stable_decided(hoc_stable *s, uint64_t inst, const uint8_t *v, size_t len);
int hoc_stable_ended(hoc_stable *s, uint64_t inst);
/* inst is no longer live (decided or ended): its state is not kept any more. */
void hoc_stable_forget(hoc_stable *s, uint64_t inst);
/* Records appended and not yet where the mode promises (batch, never)? */
bool hoc_stable_pending(const hoc_stable *s);
/* Writes what is pending (and syncs it, in batch), starting a new segment
 * when this one is due: every record appended so far is then kept. 0, or
 * -1 when the store failed (now or before). */
int hoc_stable_sync(hoc_stable *s);
/* NULL, or why the store failed ("cannot write d/states.2: No space left
 * on device"). */
const char *hoc_stable_error(const hoc_stable *s);

/* What the store did, for /metrics and tests. */
typedef struct hoc_stable_stats {
    uint64_t records, syncs, bytes, segments, cut;
} hoc_stable_stats;
const hoc_stable_stats *hoc_stable_get_stats(const hoc_stable *s);

#endif
