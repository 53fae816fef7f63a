/* fpset.c: the fingerprint set (see fpset.h). */
#include "fpset.h"

#include <stdlib.h>
#include <string.h>

/* 2^SHARD_BITS shards: the top bits of a fingerprint pick its shard, and a
 * slot keeps the REM_BITS below them. */
#define SHARD_BITS 16
#define NSHARDS (1u << SHARD_BITS)
#define REM_BITS (64 - SHARD_BITS)
#define REM_MASK ((UINT64_C(1) << REM_BITS) - 1)
#define SLOT (REM_BITS / 8)
#define NLOCKS 1024u
#define SHARD_MIN_CAP 8u

static const uint64_t P1 = 0x9e3779b185ebca87u, P2 = 0xc2b2ae3d27d4eb4fu;

static uint64_t rotl(uint64_t x, int r)
{
    return (x << r) | (x >> (64 - r));
}

/* One round of xxHash64's lane, then its final avalanche: every bit of
 * the state reaches every bit of the fingerprint. */
uint64_t fpset_hash(const uint8_t *k, size_t len)
{
    uint64_t h = 0x27d4eb2f165667c5u ^ (len * P1);
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, k + i, 8);
        h = rotl(h + w * P2, 31) * P1;
    }
    if (i < len) {
        uint64_t w = 0;
        memcpy(&w, k + i, len - i);
        h = rotl(h + w * P2, 31) * P1;
    }
    h ^= h >> 33;
    h *= P2;
    h ^= h >> 29;
    h *= 0x165667b19e3779f9u;
    h ^= h >> 32;
    /* a slot of zeros is an empty one */
    return h & REM_MASK ? h : h | 1;
}

/* The slot's remainder, byte by byte (the same on any endianness). */
static uint64_t slot_get(const uint8_t *p)
{
    uint64_t r = 0;
    for (int i = SLOT - 1; i >= 0; i--)
        r = r << 8 | p[i];
    return r;
}

static void slot_put(uint8_t *p, uint64_t r)
{
    for (int i = 0; i < SLOT; i++, r >>= 8)
        p[i] = (uint8_t)r;
}

/* The home slot of remainder r in a shard of cap slots: r scaled to cap (no
 * power of two needed, so shards grow by a quarter). */
static uint64_t home(uint64_t r, uint64_t cap)
{
    return (uint64_t)(((unsigned __int128)(r << SHARD_BITS) * cap) >> 64);
}

int fpset_init(FpSet *s, size_t budget)
{
    memset(s, 0, sizeof *s);
    s->budget = budget;
    s->shards = calloc(NSHARDS, sizeof *s->shards);
    s->locks = malloc(NLOCKS * sizeof *s->locks);
    if (!s->shards || !s->locks) {
        free(s->shards), free(s->locks);
        memset(s, 0, sizeof *s);
        return -1;
    }
    for (unsigned i = 0; i < NLOCKS; i++)
        pthread_mutex_init(&s->locks[i], NULL);
    /* shards get their slots when their first fingerprint comes */
    s->bytes = NSHARDS * sizeof *s->shards + NLOCKS * sizeof *s->locks;
    return 0;
}

void fpset_free(FpSet *s)
{
    for (unsigned i = 0; s->shards && i < NSHARDS; i++)
        free(s->shards[i].slots);
    for (unsigned i = 0; s->locks && i < NLOCKS; i++)
        pthread_mutex_destroy(&s->locks[i]);
    free(s->shards);
    free(s->locks);
    memset(s, 0, sizeof *s);
}

/* Puts remainder r, known to be absent, in slots of cap. */
static void place(uint8_t *slots, uint64_t cap, uint64_t r)
{
    uint64_t j = home(r, cap);
    while (slot_get(slots + j * SLOT))
        j = j + 1 == cap ? 0 : j + 1;
    slot_put(slots + j * SLOT, r);
}

/* Grows a shard by a quarter (or gives an empty one its first slots); -1
 * past the budget, the shard's largest size or memory. */
static int grow(FpSet *s, FpShard *sh)
{
    uint64_t ncap = sh->cap ? sh->cap + sh->cap / 4 : SHARD_MIN_CAP;
    if (ncap > UINT32_MAX) return -1;
    size_t more = (ncap - sh->cap) * SLOT;
    if (s->budget && __atomic_load_n(&s->bytes, __ATOMIC_RELAXED) + more > s->budget) return -1;
    uint8_t *ns = calloc(ncap, SLOT);
    if (!ns) return -1;
    for (uint64_t i = 0; i < sh->cap; i++) {
        uint64_t r = slot_get(sh->slots + i * SLOT);
        if (r) place(ns, ncap, r);
    }
    free(sh->slots);
    sh->slots = ns;
    sh->cap = (uint32_t)ncap;
    __atomic_add_fetch(&s->bytes, more, __ATOMIC_RELAXED);
    return 0;
}

int fpset_add(FpSet *s, uint64_t fp)
{
    unsigned i = (unsigned)(fp >> REM_BITS);
    FpShard *sh = &s->shards[i];
    uint64_t r = fp & REM_MASK;
    pthread_mutex_t *lock = &s->locks[i % NLOCKS];
    pthread_mutex_lock(lock);
    int rc = 1;
    uint64_t j = 0;
    if (sh->cap) {
        uint64_t v;
        for (j = home(r, sh->cap); (v = slot_get(sh->slots + j * SLOT)) != 0;
             j = j + 1 == sh->cap ? 0 : j + 1)
            if (v == r) {
                rc = 0;
                goto out;
            }
    }
    /* keep the load at most 0.85: linear probing stays short enough */
    if ((sh->used + 1) * UINT64_C(20) > sh->cap * UINT64_C(17)) {
        if (grow(s, sh) != 0) {
            rc = -1;
            goto out;
        }
        place(sh->slots, sh->cap, r);
    } else {
        slot_put(sh->slots + j * SLOT, r);
    }
    sh->used++;
out:
    pthread_mutex_unlock(lock);
    return rc;
}

int64_t fpset_count(const FpSet *s)
{
    int64_t c = 0;
    for (unsigned i = 0; i < NSHARDS; i++)
        c += (int64_t)s->shards[i].used;
    return c;
}

size_t fpset_bytes(const FpSet *s)
{
    return __atomic_load_n(&s->bytes, __ATOMIC_RELAXED);
}

double fpset_collision_odds(int64_t count)
{
    if (count < 2) return 0;
    double c = (double)count;
    double p = c * (c - 1) / 36893488147419103232.0; /* 2^65 */
    return p > 1 ? 1 : p;
}
