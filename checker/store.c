/* store.c: the seen set of hoc check (see store.h). */
#include "store.h"

#include <stdlib.h>
#include <string.h>

#define CHUNK_STATES 65536

static uint64_t fingerprint(const uint8_t *k, size_t len)
{
    /* FNV-1a over 8-byte words, then a strong finaliser */
    uint64_t h = 0xcbf29ce484222325u;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, k + i, 8);
        h = (h ^ w) * 0x100000001b3u;
        h ^= h >> 29;
    }
    for (; i < len; i++)
        h = (h ^ k[i]) * 0x100000001b3u;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdu;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53u;
    h ^= h >> 33;
    return h ? h : 1;
}

static uint8_t *rec_at(const Store *s, int64_t i)
{
    return s->chunks[i / CHUNK_STATES] + (size_t)(i % CHUNK_STATES) * s->rec;
}

uint8_t *store_key(const Store *s, int64_t i)
{
    return rec_at(s, i) + 8;
}

int64_t store_parent(const Store *s, int64_t i)
{
    int64_t p;
    memcpy(&p, rec_at(s, i), 8);
    return p;
}

size_t store_bytes(const Store *s)
{
    return (size_t)s->nchunks * CHUNK_STATES * s->rec + (size_t)(s->mask + 1) * 8;
}

int store_init(Store *s, size_t key, size_t budget)
{
    memset(s, 0, sizeof *s);
    s->key = key;
    s->rec = 8 + key;
    s->budget = budget;
    s->mask = (1u << 16) - 1;
    s->fps = calloc(s->mask + 1, 8);
    pthread_mutex_init(&s->lock, NULL);
    return s->fps ? 0 : -1;
}

void store_free(Store *s)
{
    for (int64_t i = 0; i < s->nchunks; i++)
        free(s->chunks[i]);
    free(s->chunks);
    free(s->fps);
    pthread_mutex_destroy(&s->lock);
}

static int grow_table(Store *s)
{
    uint64_t nmask = s->mask * 2 + 1;
    uint64_t *nf = calloc(nmask + 1, 8);
    if (!nf) return -1;
    for (uint64_t i = 0; i <= s->mask; i++) {
        uint64_t fp = s->fps[i];
        if (!fp) continue;
        uint64_t j = fp & nmask;
        while (nf[j])
            j = (j + 1) & nmask;
        nf[j] = fp;
    }
    free(s->fps);
    s->fps = nf;
    s->mask = nmask;
    return 0;
}

/* Room for record count; -1 when out of memory. */
static int reserve_record(Store *s)
{
    if (s->count % CHUNK_STATES != 0 || s->count / CHUNK_STATES != s->nchunks) return 0;
    if (s->nchunks == s->cap_chunks) {
        int64_t cap = s->cap_chunks ? s->cap_chunks * 2 : 64;
        uint8_t **nc = realloc(s->chunks, (size_t)cap * sizeof *nc);
        if (!nc) return -1;
        s->chunks = nc, s->cap_chunks = cap;
    }
    uint8_t *c = malloc(CHUNK_STATES * s->rec);
    if (!c) return -1;
    s->chunks[s->nchunks++] = c;
    return 0;
}

int64_t store_add(Store *s, const uint8_t *key, int64_t parent)
{
    uint64_t fp = fingerprint(key, s->key);
    pthread_mutex_lock(&s->lock);
    uint64_t j = fp & s->mask;
    while (s->fps[j]) {
        if (s->fps[j] == fp) {
            pthread_mutex_unlock(&s->lock);
            return -1;
        }
        j = (j + 1) & s->mask;
    }
    int64_t idx = -2;
    if ((s->budget && store_bytes(s) > s->budget) || reserve_record(s) != 0) goto out;
    s->fps[j] = fp;
    idx = s->count++;
    uint8_t *r = rec_at(s, idx);
    memcpy(r, &parent, 8);
    memcpy(r + 8, key, s->key);
    if ((uint64_t)++s->used * 2 > s->mask && grow_table(s) != 0) idx = -2;
out:
    pthread_mutex_unlock(&s->lock);
    return idx;
}
