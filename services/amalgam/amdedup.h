/* amdedup.h: exactly-once answers across a client's retries, at one
 * machine's front end. A client names itself and numbers its ops (one at a
 * time per client); the table keeps, per client, the last op's number, its
 * state and, once executed, its reply, so an op sent again (a lost reply,
 * a reconnect) gets the reply of the first execution instead of running
 * twice.
 *
 * With a journal (amd_open, `amalgam serve --data`) it survives a restart:
 * an op's record (client, number, instance, op number, reply) is queued
 * when the data server executes it, written with the other records of the
 * loop iteration (amd_flush), and synced before the op's prepare leaves
 * (the caller holds its round messages while amd_dirty). A
 * restarted machine does not know which of its last ops committed: their
 * entries are unsure until the shard's replacement installs its chain,
 * whose top says it (an op ran iff its number is at most the top; above
 * it, it was never held by a backup and is gone). docs/deploy.md, "Exactly
 * once across retries", says why that is enough. */
#ifndef HOC_AMDEDUP_H
#define HOC_AMDEDUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define AMD_CLIENT_MAX 64 /* bytes of a client's name */

typedef enum amd_verdict {
    AMD_NEW,    /* run it: *idx is its entry, now pending */
    AMD_DUP,    /* done before: *reply is the reply (block bytes, until the next call) */
    AMD_BUSY,   /* this op or an earlier one of the client is running: ask again later */
    AMD_STALE,  /* an older op of the client than its last: refused */
    AMD_FULL,   /* every entry is pending: refused */
    AMD_BAD,    /* a name that is empty or too long */
    AMD_UNSURE, /* the client's last op ran before a restart: amd_resolve its instance first */
} amd_verdict;

typedef struct amd_entry {
    char client[AMD_CLIENT_MAX + 1];
    uint64_t seq, used; /* used: when last touched, for eviction */
    int st;             /* amdedup.c's enum */
    int64_t inst, opn;  /* where the op executed (ran, unsure) */
    uint8_t *reply;     /* once executed: the reply's first rlen bytes (the rest zeros) */
    size_t rlen;
    uint64_t hash; /* of client */
    int next;      /* the next entry + 1 of its name chain; 0: none */
} amd_entry;

typedef struct amd_table {
    amd_entry *e;
    int n, cap;
    int *head, nhead; /* name chains by hash (nhead a power of two), entry + 1 */
    size_t block;
    uint8_t *whole; /* a reply given again, zeros put back (block bytes) */
    uint64_t tick;
    uint64_t dups; /* replies given again */
    int unsure;    /* entries unsure now */
    bool journal;  /* journaled: fd is open */
    bool nosync;   /* journaled, never synced (amd_open) */
    int fd;
    char *path;                          /* its path */
    hoc_buf pend;                        /* records queued, not yet written */
    uint64_t queued;                     /* records in pend */
    uint64_t written;                    /* records appended, ever */
    uint64_t durable;                    /* of those, the ones a finished sync covers */
    uint64_t appended;                   /* records since the journal was last rewritten */
    uint64_t bytes;                      /* the journal's size */
    uint64_t syncs, resolved, forgotten; /* syncs; unsure entries found ran / not ran */
} amd_table;

/* A table of cap clients for replies of block bytes: 0, or -1 (memory). */
int amd_init(amd_table *t, int cap, size_t block);
/* Frees the table (and closes its journal); a zeroed table is a no-op. */
void amd_free(amd_table *t);
/* Journals t at path: with keep, first takes back what the journal holds
 * (ops executed by an earlier process are unsure until resolved), then
 * rewrites it compacted; without keep, starts it empty. Without sync its
 * records are written but never waited for (amd_dirty stays false): they
 * survive a killed process, not a host's crash. 0 (err then non-empty
 * when the journal was cut at a bad record: a warning to log), or -1 with
 * err (unreadable, unwritable: nothing served yet, so the caller stops). */
int amd_open(amd_table *t, const char *path, bool keep, bool sync, char *err, size_t errn);
/* Writes the records queued since the last call, in one write: 0, or -1
 * (errno set; the journal is then closed and the table is memory only
 * from here on). Without sync (amd_open) they are then as durable as they
 * get. */
int amd_flush(amd_table *t);
/* Makes what was journaled durable (amd_flush, then a sync): 0, or -1
 * (errno set; the journal is then closed and the table is memory only from
 * here on). */
int amd_sync(amd_table *t);
/* Is a record queued or written that no finished sync covers? */
bool amd_dirty(const amd_table *t);
/* The journal's descriptor, for a sync elsewhere (amdsync.h) of what
 * amd_flush wrote; -1: none. */
int amd_fd(const amd_table *t);
/* A sync of amd_fd started when `written` was upto ended with err (0 or
 * its errno): as amd_sync's result, for the records up to there. */
int amd_synced(amd_table *t, uint64_t upto, int err);
/* What to do with op seq of client[0..len): see amd_verdict. A new client
 * takes a free entry or the least recently used one that is not pending. */
amd_verdict amd_begin(amd_table *t, const uint8_t *client, size_t len, uint64_t seq, int *idx,
                      const uint8_t **reply);
/* Entry idx's op executed as op opn of instance inst with this reply:
 * its record queued for amd_flush (the reply copied). */
void amd_ran(amd_table *t, int idx, int64_t inst, int64_t opn, const uint8_t *reply);
/* Entry idx's op committed with this reply (the one amd_ran kept, if it
 * kept one). */
void amd_done(amd_table *t, int idx, const uint8_t *reply);
/* Entry idx's op was refused, nothing changed: the same op may run again. */
void amd_abort(amd_table *t, int idx);
/* Bytes of the replies the table keeps to answer retries (their trailing
 * zeros left out, as in the journal). */
uint64_t amd_held(const amd_table *t);
/* Does instance inst have unsure entries? */
bool amd_unsure(const amd_table *t, int64_t inst);
/* The replacement of inst's data server installed the chain up to op top
 * (the data server's opn before it executes anything): each unsure entry
 * of inst ran (op number <= top: done, with its reply) or not (forgotten,
 * the op may run again). Journaled: written at once (amd_flush), a failure
 * leaving the table memory only. */
void amd_resolve(amd_table *t, int64_t inst, int64_t top);

#endif
