/* store.h: the states hoc check has seen, kept the way TLC keeps them, so
 * that a stored state costs at most 16 bytes of memory:
 *
 *   - the seen set holds only 64-bit fingerprints of canonical states
 *     (fpset.h): a collision could hide a state, with the odds the summary
 *     prints, as in TLC's and SPIN's hash compaction;
 *   - whole states live only in the frontier, the level being expanded and
 *     the level being filled (frontier.h), which go to disk when they
 *     outgrow their share of memory;
 *   - every state has an index (states are numbered in the order they
 *     join a level), and the trace log keeps, on disk past a small buffer,
 *     each index's parent and fingerprint: a trace is rebuilt by running the
 *     rounds again from an initial state, following fingerprints (path.h).
 *
 * Workers gather new states in their own StoreBuf and hand them to the
 * next level in blocks; a state's index is known once its block is handed
 * over (store_flush). */
#ifndef HOC_STORE_H
#define HOC_STORE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "fpset.h"
#include "frontier.h"

/* A worker's new states, waiting to join the next level. */
typedef struct StoreBuf {
    uint8_t *keys;
    int64_t *parents;
    uint64_t *fps;
    int count, cap;
} StoreBuf;

typedef struct Store {
    size_t key;    /* bytes of one state */
    size_t budget; /* bytes of memory the seen set and the frontier may take; 0: no limit */
    FpSet seen;
    Frontier level[2];
    int fill;      /* level[fill] is being filled, level[!fill] expanded */
    int64_t count; /* states stored, indices 0..count-1 */
    /* the trace log: (parent, fingerprint) of every index, on disk before logbase */
    Spill log;
    uint64_t *logbuf;
    int64_t logbase, logfill;
    size_t mem_peak;
    pthread_mutex_t lock; /* the level being filled, the count and the log */
    pthread_mutex_t take; /* the level being expanded */
} Store;

/* Starts an empty store of states of key bytes each; -1 when out of memory. */
int store_init(Store *s, size_t key, size_t budget);
/* Frees what the store holds; s may be initialised again. */
void store_free(Store *s);
/* Room for a worker's new states; -1 when out of memory (free it anyway). */
int store_buf_init(StoreBuf *b, const Store *s);
/* Frees b. */
void store_buf_free(StoreBuf *b);

/* Adds the canonical state key, reached from the state of index parent (-1
 * for a root), unless its fingerprint was seen; safe from several threads,
 * each with its own b. Returns 1 when new (then b's last state until
 * flushed), 0 if seen, -2 when out of memory, disk or budget. */
int store_add(Store *s, StoreBuf *b, const uint8_t *key, int64_t parent);
/* Hands b's states to the level being filled. Returns the index of the
 * last of them, -1 if b was empty, -2 when out of memory or disk. */
int64_t store_flush(Store *s, StoreBuf *b);
/* Ends the level being filled: it becomes the one expanded (the old one
 * must be used up). Returns how many states it holds. */
int64_t store_next_level(Store *s);
/* A block of the level being expanded, safe from several threads: its
 * states (malloc'd, the caller frees them), count and the index of the
 * first; NULL with *count 0 when the level is used up, -1 on error. */
uint8_t *store_take(Store *s, int *count, int64_t *first);
/* The parent's index (-1 for a root) and the fingerprint of state i;
 * 0, or -1 when the log cannot be read. Not while states are added. */
int store_lineage(const Store *s, int64_t i, int64_t *parent, uint64_t *fp);

/* Bytes of memory the store takes now: the seen set, the frontier in
 * memory and the log's buffer. */
size_t store_mem_bytes(const Store *s);
/* Bytes of the seen set alone. */
size_t store_seen_bytes(const Store *s);
/* The most bytes the frontier and the log have had on disk. */
int64_t store_disk_peak(const Store *s);

#endif
