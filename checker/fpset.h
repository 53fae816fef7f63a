/* fpset.h: the seen set of hoc check as TLC keeps it: 64-bit fingerprints
 * of canonical states and nothing else, 8 bytes a slot at a load between
 * 0.5 and 0.75 (so 10.7 to 16 bytes per state).
 *
 * The table is split into shards by the fingerprint's top bits, each with
 * its own lock and grown on its own (by half): threads rarely wait for each
 * other, and growing never needs more than one shard's worth of extra
 * memory at a time. Two states with the same fingerprint count as one:
 * with s states the odds that any pair collides are about s^2 / 2^65
 * (fpset_collision_odds). */
#ifndef HOC_FPSET_H
#define HOC_FPSET_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

typedef struct FpShard {
    pthread_mutex_t lock;
    uint64_t *slots; /* 0 marks an empty slot; fingerprints are never 0 */
    uint64_t cap, used;
} FpShard;

typedef struct FpSet {
    FpShard *shards;
    size_t bytes;  /* the slots of every shard, updated atomically */
    size_t budget; /* fpset_add fails rather than grow past it; 0: none */
} FpSet;

/* The fingerprint of len bytes at k: a 64-bit hash, never 0. */
uint64_t fpset_hash(const uint8_t *k, size_t len);
/* Starts an empty set that will not grow past budget bytes (0: no limit);
 * -1 when out of memory. */
int fpset_init(FpSet *s, size_t budget);
/* Frees what the set holds. */
void fpset_free(FpSet *s);
/* Adds fp (nonzero); safe from several threads. Returns 1 when it is new,
 * 0 when it was there, -1 when growing would pass the budget or memory. */
int fpset_add(FpSet *s, uint64_t fp);
/* The number of fingerprints held. */
int64_t fpset_count(const FpSet *s);
/* Bytes the table takes now. */
size_t fpset_bytes(const FpSet *s);
/* The probability that two of count distinct states share a fingerprint. */
double fpset_collision_odds(int64_t count);

#endif
