/* fpset.c: the fingerprint set (see fpset.h). */
#include "fpset.h"

#include <stdlib.h>
#include <string.h>

/* 2^SHARD_BITS shards: the top bits of a fingerprint pick its shard. */
#define SHARD_BITS 10
#define NSHARDS (1u << SHARD_BITS)
#define SHARD_MIN_CAP 16

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
    return h ? h : 1;
}

/* The home slot of fp in a shard of cap slots: the bits below the shard's
 * scaled to cap (no power of two needed, so shards grow by half). */
static uint64_t home(uint64_t fp, uint64_t cap)
{
    return (uint64_t)(((unsigned __int128)(fp << SHARD_BITS) * cap) >> 64);
}

int fpset_init(FpSet *s, size_t budget)
{
    memset(s, 0, sizeof *s);
    s->budget = budget;
    s->shards = calloc(NSHARDS, sizeof *s->shards);
    if (!s->shards) return -1;
    for (unsigned i = 0; i < NSHARDS; i++) {
        FpShard *sh = &s->shards[i];
        pthread_mutex_init(&sh->lock, NULL);
        sh->cap = SHARD_MIN_CAP;
        sh->slots = calloc(sh->cap, 8);
        if (!sh->slots) return -1;
        s->bytes += sh->cap * 8;
    }
    return 0;
}

void fpset_free(FpSet *s)
{
    for (unsigned i = 0; s->shards && i < NSHARDS; i++) {
        free(s->shards[i].slots);
        pthread_mutex_destroy(&s->shards[i].lock);
    }
    free(s->shards);
    memset(s, 0, sizeof *s);
}

/* Puts fp, known to be absent, in slots of cap. */
static void place(uint64_t *slots, uint64_t cap, uint64_t fp)
{
    uint64_t j = home(fp, cap);
    while (slots[j])
        j = j + 1 == cap ? 0 : j + 1;
    slots[j] = fp;
}

/* Grows a full shard by half; -1 past the budget or out of memory. */
static int grow(FpSet *s, FpShard *sh)
{
    uint64_t ncap = sh->cap + sh->cap / 2;
    size_t more = (ncap - sh->cap) * 8;
    if (s->budget && __atomic_load_n(&s->bytes, __ATOMIC_RELAXED) + more > s->budget) return -1;
    uint64_t *ns = calloc(ncap, 8);
    if (!ns) return -1;
    for (uint64_t i = 0; i < sh->cap; i++)
        if (sh->slots[i]) place(ns, ncap, sh->slots[i]);
    free(sh->slots);
    sh->slots = ns;
    sh->cap = ncap;
    __atomic_add_fetch(&s->bytes, more, __ATOMIC_RELAXED);
    return 0;
}

int fpset_add(FpSet *s, uint64_t fp)
{
    FpShard *sh = &s->shards[fp >> (64 - SHARD_BITS)];
    pthread_mutex_lock(&sh->lock);
    uint64_t j = home(fp, sh->cap);
    int rc = 1;
    for (; sh->slots[j]; j = j + 1 == sh->cap ? 0 : j + 1)
        if (sh->slots[j] == fp) {
            rc = 0;
            goto out;
        }
    /* keep the load at most 3/4: linear probing stays short */
    if ((sh->used + 1) * 4 > sh->cap * 3) {
        if (grow(s, sh) != 0) {
            rc = -1;
            goto out;
        }
        place(sh->slots, sh->cap, fp);
    } else {
        sh->slots[j] = fp;
    }
    sh->used++;
out:
    pthread_mutex_unlock(&sh->lock);
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
    double c = (double)count;
    double p = c * (c - 1) / 36893488147419103232.0; /* 2^65 */
    return p > 1 ? 1 : p;
}
