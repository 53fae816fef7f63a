/* store.h: the states hoc check has seen, each kept once with the index of
 * the state it was reached from. States are told apart by a 64-bit
 * fingerprint in an open-addressing table: a collision could hide a state,
 * with the odds docs/checker.md gives, as in TLC's and SPIN's hash compaction. */
#ifndef HOC_STORE_H
#define HOC_STORE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

typedef struct Store {
    /* records in fixed chunks, so that readers never see them move */
    uint8_t **chunks;
    int64_t nchunks, cap_chunks;
    int64_t count;
    size_t key;    /* bytes of one state */
    size_t rec;    /* bytes of one record: the parent's index, then the state */
    size_t budget; /* bytes the records and the table may take; 0: no limit */
    uint64_t *fps; /* the fingerprint table; 0 marks an empty slot */
    uint64_t mask;
    int64_t used;
    pthread_mutex_t lock;
} Store;

/* Starts an empty store of states of key bytes each; -1 when out of memory. */
int store_init(Store *s, size_t key, size_t budget);
/* Frees what the store holds; s may be initialised again. */
void store_free(Store *s);
/* Adds the state reached from state parent (-1 for a root) unless its
 * fingerprint was seen; safe from several threads. Returns the new index,
 * -1 if seen, -2 when out of memory or over the budget. */
int64_t store_add(Store *s, const uint8_t *key, int64_t parent);
/* The state at index i (< count). */
uint8_t *store_key(const Store *s, int64_t i);
/* The index of the state that state i was reached from, or -1 for a root. */
int64_t store_parent(const Store *s, int64_t i);
/* Bytes the records and the table take. */
size_t store_bytes(const Store *s);

#endif
