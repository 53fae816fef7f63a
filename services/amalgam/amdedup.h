/* amdedup.h: exactly-once answers across a client's retries, at one
 * machine's front end. A client names itself and numbers its ops (one at a
 * time per client); the table keeps, per client, the last op's number, its
 * state and, once committed, its reply, so an op sent again (a lost reply,
 * a reconnect) gets the reply of the first execution instead of running
 * twice. In memory only: a restarted machine forgets it (docs/deploy.md). */
#ifndef HOC_AMDEDUP_H
#define HOC_AMDEDUP_H

#include <stddef.h>
#include <stdint.h>

#define AMD_CLIENT_MAX 64 /* bytes of a client's name */

typedef enum amd_verdict {
    AMD_NEW,   /* run it: *idx is its entry, now pending */
    AMD_DUP,   /* done before: *reply is the reply (block bytes) */
    AMD_BUSY,  /* this op or an earlier one of the client is running: ask again later */
    AMD_STALE, /* an older op of the client than its last: refused */
    AMD_FULL,  /* every entry is pending: refused */
    AMD_BAD    /* a name that is empty or too long */
} amd_verdict;

typedef struct amd_entry {
    char client[AMD_CLIENT_MAX + 1];
    uint64_t seq, used; /* used: when last touched, for eviction */
    int st;             /* 0 idle (refused, may run again), 1 pending, 2 done */
    uint8_t *reply;     /* block bytes, when done */
} amd_entry;

typedef struct amd_table {
    amd_entry *e;
    int n, cap;
    size_t block;
    uint64_t tick;
    uint64_t dups; /* replies given again */
} amd_table;

/* A table of cap clients for replies of block bytes: 0, or -1 (memory). */
int amd_init(amd_table *t, int cap, size_t block);
/* Frees the table; a zeroed table is a no-op. */
void amd_free(amd_table *t);
/* What to do with op seq of client[0..len): see amd_verdict. A new client
 * takes a free entry or the least recently used one that is not pending. */
amd_verdict amd_begin(amd_table *t, const uint8_t *client, size_t len, uint64_t seq, int *idx,
                      const uint8_t **reply);
/* Entry idx's op committed with this reply. */
void amd_done(amd_table *t, int idx, const uint8_t *reply);
/* Entry idx's op was refused, nothing changed: the same op may run again. */
void amd_abort(amd_table *t, int idx);

#endif
