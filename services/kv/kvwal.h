/* kvwal.h: the write-ahead log of one hoc-kv group, in a directory of its
 * own: segments `wal.N` (N in hex, rising) of checksummed records, and at
 * most one snapshot `snap` of the store (kvgroup writes it, from a forked
 * child, so the request path never waits for it).
 *
 * Records (docs/services.md, "What is on disk"):
 *   DECIDED (slot, value): the slot's decision, before it is applied;
 *   PROMISE (slot, phase, ts, x): LastVoting's x and ts at this replica, and
 *     the highest phase it sent anything in as coordinator, before a round
 *     message that depends on them leaves.
 * Each is [u32 length][u32 CRC-32 of the body][body], little-endian; a
 * record that ends past the end of the file (torn) or whose checksum does
 * not match (corrupt) ends the log: the file is cut there, with a log line,
 * and nothing after it is replayed.
 *
 * --fsync: always (fdatasync after every record), batch (group commit: a
 * syncer thread writes and fdatasyncs what was appended up to
 * kv_wal_start_sync while the event loop goes on; the caller holds replies
 * and promises until kv_wal_sync_done says they are covered), never (written to the kernel at
 * once, never synced: survives a killed process, not a lost machine). */
#ifndef KV_WAL_H
#define KV_WAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "log.h"

typedef enum kv_fsync { KV_FSYNC_ALWAYS, KV_FSYNC_BATCH, KV_FSYNC_NEVER } kv_fsync;

enum { KV_WAL_DECIDED = 1, KV_WAL_PROMISE = 2 };

/* A record as replay hands it over (v valid during the call). */
typedef struct kv_wal_rec {
    int type;
    uint64_t slot, phase, ts; /* phase, ts: PROMISE only (ts a stamp: phase + 1, 0 never) */
    const uint8_t *v;         /* DECIDED: the value; PROMISE: x */
    size_t len;
} kv_wal_rec;

typedef struct kv_wal kv_wal;

/* Opens (creating) the log in dir and replays it: first the snapshot's
 * bytes, if any, to snap(ctx, p, len), then every good record to rec(ctx, r)
 * in order; a torn or corrupt tail is cut (and logged). NULL with a message
 * in err when dir cannot be used, a callback fails or memory runs out. */
kv_wal *kv_wal_open(const char *dir, kv_fsync mode, const hoc_logger *log,
                    int (*snap)(void *ctx, const uint8_t *p, size_t len),
                    int (*rec)(void *ctx, const kv_wal_rec *r), void *ctx, char *err, size_t errn);
/* Closes w (writing what is buffered, syncing in modes always and batch);
 * NULL is a no-op. */
void kv_wal_close(kv_wal *w);

/* Appends a record: written (and synced, in mode always) before it returns,
 * or buffered until kv_wal_commit (batch). 0, or -1 once the log has failed
 * (kv_wal_error says why; nothing is written after a failure). */
int kv_wal_decided(kv_wal *w, uint64_t slot, const uint8_t *v, size_t len);
int kv_wal_promise(kv_wal *w, uint64_t slot, uint64_t phase, uint64_t ts, const uint8_t *x,
                   size_t len);
/* Records appended and not yet on stable storage (batch mode)? */
bool kv_wal_pending(const kv_wal *w);
/* Writes what is buffered and, in modes always and batch, fdatasyncs: every
 * record appended so far is then on stable storage. 0, or -1 (failed). */
int kv_wal_commit(kv_wal *w);
/* Batch mode: hands every record appended so far to the syncer thread,
 * which writes and fdatasyncs them while the caller goes on (appending
 * more, which the next sync covers). 1 if a sync started, 0 if none was
 * needed or one is still in flight. */
int kv_wal_start_sync(kv_wal *w);
/* Batch mode: a file descriptor that becomes readable when a sync ends
 * (-1 in the other modes); then kv_wal_sync_done: 0 (the records handed
 * over are on stable storage), 1 (not yet), -1 (failed: kv_wal_error). */
int kv_wal_event_fd(const kv_wal *w);
int kv_wal_sync_done(kv_wal *w);
/* NULL, or why the log failed (a full disk): the replica must not
 * acknowledge anything after that. */
const char *kv_wal_error(const kv_wal *w);

/* Starts a new segment (the snapshot about to be taken covers the slots
 * below `below`); 0 or -1 (failed). */
int kv_wal_rotate(kv_wal *w, uint64_t below);
/* The snapshot of the slots below `below` was written to dir/snap.tmp and
 * synced by the caller: renames it into place and removes the segments
 * that only hold slots below it. 0 or -1 (logged). */
int kv_wal_snapshot_done(kv_wal *w, uint64_t below);
/* Writes the snapshot p[0..len) to dir/snap.tmp, checksummed, and syncs
 * it (a forked child calls it); 0, or -1 with errno (nothing left behind). */
int kv_wal_write_snapshot(const char *dir, const uint8_t *p, size_t len);
/* A snapshot received from a peer was written to dir/snap.tmp: syncs it,
 * checks it (magic, length, checksum), hands its payload to snap and, if
 * that returns 0, installs it as kv_wal_snapshot_done(below). 0, or -1
 * (snap.tmp removed; the log itself is unharmed). */
int kv_wal_install_snapshot(kv_wal *w, uint64_t below,
                            int (*snap)(void *ctx, const uint8_t *p, size_t len), void *ctx);
/* The directory (for snapshot files); bytes the segments take. */
const char *kv_wal_dir(const kv_wal *w);
uint64_t kv_wal_bytes(const kv_wal *w);
/* Counters: records, syncs. */
uint64_t kv_wal_records(const kv_wal *w);
uint64_t kv_wal_syncs(const kv_wal *w);
/* Parses always|batch|never; -1 for anything else. */
int kv_fsync_parse(const char *s);

#endif
