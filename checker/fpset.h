/* fpset.h: the seen set of hoc check as TLC keeps it: 64-bit fingerprints
 * of canonical states and nothing else, in 6 bytes a slot.
 *
 * The table is split into 2^16 shards by the fingerprint's top 16 bits, so
 * a slot holds only the 48 bits below them: the shard a slot is in gives
 * back the rest, and the set still tells apart any two different 64-bit
 * fingerprints. A shard is an open-addressing table (linear probing) at a
 * load between 0.68 and 0.85: it grows by a quarter when it passes 0.85, so
 * a state costs 7.1 to 8.8 bytes, and growing never needs more than one
 * shard's worth of extra memory at a time. Shards share 1024 locks, so
 * threads rarely wait for each other. Two states with the same fingerprint
 * count as one: with s states the odds that any pair collides are about
 * s^2 / 2^65 (fpset_collision_odds). */
#ifndef HOC_FPSET_H
#define HOC_FPSET_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

typedef struct FpShard {
    uint8_t *slots; /* cap slots of 6 bytes; 0 marks an empty one (fpset_hash
                       never gives a fingerprint whose low 48 bits are 0) */
    uint32_t cap, used;
} FpShard;

typedef struct FpSet {
    FpShard *shards;
    pthread_mutex_t *locks; /* shard i is under locks[i % 1024] */
    size_t bytes;           /* the slots of every shard, updated atomically */
    size_t budget;          /* fpset_add fails rather than grow past it; 0: none */
} FpSet;

/* The fingerprint of len bytes at k: a 64-bit hash whose low 48 bits are
 * never all 0. */
uint64_t fpset_hash(const uint8_t *k, size_t len);
/* Starts an empty set that will not grow past budget bytes (0: no limit);
 * -1 when out of memory. */
int fpset_init(FpSet *s, size_t budget);
/* Frees what the set holds. */
void fpset_free(FpSet *s);
/* Adds fp (a fpset_hash value); safe from several threads. Returns 1 when
 * it is new, 0 when it was there, -1 when growing would pass the budget or
 * memory. */
int fpset_add(FpSet *s, uint64_t fp);
/* The number of fingerprints held. */
int64_t fpset_count(const FpSet *s);
/* Bytes the table takes now (slots, shard headers and locks). */
size_t fpset_bytes(const FpSet *s);
/* The probability that two of count distinct states share a fingerprint. */
double fpset_collision_odds(int64_t count);

#endif
