/* kvgroup.h: one replica of one hoc-kv group: a log of slots decided by
 * LastVotingKV (kv.ho) through the service layer (runtime/svc.h), applied
 * in order to the group's store (kvstore.h).
 *
 * - The leader batches commands (its clients' and those its followers
 *   forward) into slots, several slots in flight; it starts each slot in the
 *   phase it coordinates (its term) and tells the followers to start it too
 *   (a START frame), so the slot's rounds need no timeout.
 * - Any replica accepts commands: a follower forwards them to the leader
 *   (FWD frames); every replica applies every slot, and the replica a client
 *   is connected to answers it once the command is applied there.
 * - The leader is sticky: it keeps leading until its followers lose it (its
 *   connection is down), then the next connected replica in id order takes
 *   the next phase it coordinates. Who leads matters to speed only: each
 *   phase has one coordinator (phase % n), so two replicas that both think
 *   they lead never coordinate the same phase of a slot.
 * - A replica that finds a slot missing below one it has (it restarted, or
 *   missed a START) starts it with an empty batch; the decision is forwarded
 *   to it, or its rounds help decide one.
 * - Commands a replica's clients sent are sent again, in order, until they
 *   take effect; the store's client table drops the duplicates (kvstore.h).
 * - A command larger than a slot goes as parts, one a slot at most, each
 *   forwarded, retried and numbered like a command (kvcmd.h); the store
 *   joins them.
 *
 * With a data directory (o->dir), every decided slot and every promise
 * LastVoting's safety rests on (x, ts, and the phases this replica
 * coordinated) is written to a write-ahead log (kvwal.h) before anything
 * that depends on it leaves (a reply, a round message); the store is
 * snapshotted by a forked child and the log truncated behind it; a restart
 * replays snapshot and log. Without one, the log is memory only. */
#ifndef KV_GROUP_H
#define KV_GROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kvcmd.h"
#include "kvstore.h"
#include "kvwal.h"
#include "log.h"
#include "peers.h"
#include "svc.h"

struct event_base;

typedef struct kv_group_opts {
    const hoc_algo *algo; /* LastVotingKV, its input and decision bytes[batch] */
    int gid;              /* this group */
    int id;               /* this replica in peers */
    const hoc_peers *peers;
    const uint8_t *secret;
    size_t secret_len;
    int pipeline;        /* slots the leader has in flight at most */
    uint64_t keep;       /* applied slots kept for peers that lag (0: all) */
    const char *dir;     /* the group's write-ahead log (kvwal.h); NULL: memory only */
    kv_fsync fsync;      /* --fsync */
    uint64_t snap_every; /* applied slots between snapshots (0: none) */
    double drop;
    uint64_t delay_us, seed, memory;
    hoc_logger log;
} kv_group_opts;

typedef struct kv_group_cb {
    void *ctx;
    /* The reply to command (client, seq) of one of this replica's clients,
     * once it took effect here. */
    void (*reply)(void *ctx, uint64_t client, uint64_t seq, const uint8_t *r, size_t len);
} kv_group_cb;

typedef struct kv_group_stats {
    uint64_t applied_slots, applied_cmds, duplicates, early, retries, forwarded, batches;
    uint64_t bad_batches, bad_frames, leader_changes;
    uint64_t lost_slots; /* slots this leader started that another value won */
    uint64_t promises, replayed, restored, snapshots; /* durability */
    uint64_t xfer_in, xfer_out,
        xfers; /* state transfer: bytes received, sent; snapshots installed */
} kv_group_stats;

typedef struct kv_group kv_group;

/* A replica of group o->gid on base, its store and log recovered from
 * o->dir; NULL with a message in err when the service cannot start (svc.h),
 * the log cannot be read or memory runs out. */
kv_group *kv_group_new(struct event_base *base, const kv_group_opts *o, const kv_group_cb *cb,
                       char *err, size_t errn);
/* Frees g; NULL is a no-op. */
void kv_group_free(kv_group *g);

/* The largest command (kv_cmd_size) the group takes, KV_MAX_CMD: one
 * larger than a slot goes in parts over several slots (kvcmd.h). */
size_t kv_group_max_cmd(const kv_group *g);
/* Submits a command of one of this replica's clients, numbered seq, or, in
 * n parts, seq .. seq + n - 1; returns the last number, which its reply
 * (through cb.reply) carries. It is retried until it takes effect. */
uint64_t kv_group_submit(kv_group *g, uint64_t client, uint64_t seq, kv_op op, uint32_t nargs,
                         const uint8_t *const *args, const size_t *lens);
/* Failure detection, missing slots, retries; call every few milliseconds. */
void kv_group_tick(kv_group *g, uint64_t now);

/* NULL, or why this replica refuses writes (its log cannot be written). */
const char *kv_group_fault(const kv_group *g);
/* The write-ahead log, or NULL (memory only). */
const kv_wal *kv_group_wal(const kv_group *g);

/* Who this replica thinks leads, and whether it is itself. */
int kv_group_leader(const kv_group *g);
bool kv_group_leading(const kv_group *g);
/* The next slot to apply; the store; counters; the service. */
uint64_t kv_group_applied(const kv_group *g);
const kv_store *kv_group_store(const kv_group *g);
const kv_group_stats *kv_group_get_stats(const kv_group *g);
hoc_svc *kv_group_svc(const kv_group *g);

#endif
