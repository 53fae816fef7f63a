/* store.c: the seen set, the frontier and the trace log of hoc check (see
 * store.h). */
#include "store.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* A worker hands its new states over in blocks of about this many bytes. */
#define BLOCK_BYTES (256 * 1024)
/* Entries of the trace log kept in memory before they go to disk. */
#define LOG_ENTRIES 65536

int store_init(Store *s, size_t key, size_t budget)
{
    memset(s, 0, sizeof *s);
    s->key = key;
    s->budget = budget;
    frontier_init(&s->level[0], key);
    frontier_init(&s->level[1], key);
    spill_init(&s->log);
    pthread_mutex_init(&s->lock, NULL);
    pthread_mutex_init(&s->take, NULL);
    s->logbuf = malloc(LOG_ENTRIES * 2 * sizeof *s->logbuf);
    if (fpset_init(&s->seen, budget) != 0 || !s->logbuf) return -1;
    return 0;
}

void store_free(Store *s)
{
    fpset_free(&s->seen);
    frontier_free(&s->level[0]);
    frontier_free(&s->level[1]);
    spill_close(&s->log);
    free(s->logbuf);
    s->logbuf = NULL;
    pthread_mutex_destroy(&s->lock);
    pthread_mutex_destroy(&s->take);
}

int store_buf_init(StoreBuf *b, const Store *s)
{
    memset(b, 0, sizeof *b);
    b->cap = (int)(BLOCK_BYTES / s->key);
    if (b->cap < 16) b->cap = 16;
    b->keys = malloc((size_t)b->cap * s->key);
    b->parents = malloc((size_t)b->cap * sizeof *b->parents);
    b->fps = malloc((size_t)b->cap * sizeof *b->fps);
    return b->keys && b->parents && b->fps ? 0 : -1;
}

void store_buf_free(StoreBuf *b)
{
    free(b->keys), free(b->parents), free(b->fps);
    memset(b, 0, sizeof *b);
}

size_t store_seen_bytes(const Store *s)
{
    return fpset_bytes(&s->seen);
}

size_t store_mem_bytes(const Store *s)
{
    return fpset_bytes(&s->seen) + s->level[0].mem + s->level[1].mem +
           LOG_ENTRIES * 2 * sizeof *s->logbuf;
}

int64_t store_disk_peak(const Store *s)
{
    return s->level[0].file.peak + s->level[1].file.peak + s->log.peak;
}

/* Whether a block of len more bytes (before packing: at most that after)
 * may stay in memory: the frontier takes at most a quarter of the budget,
 * and leaves the seen set room to grow. */
static bool fits_in_memory(const Store *s, size_t len)
{
    if (!s->budget) return true;
    size_t frontier = s->level[0].mem + s->level[1].mem + len;
    return frontier <= s->budget / 4 && fpset_bytes(&s->seen) / 2 * 3 + frontier <= s->budget;
}

/* Appends (parent, fp) of the next index to the trace log; -1 on disk errors. */
static int log_append(Store *s, int64_t parent, uint64_t fp)
{
    if (s->logfill == LOG_ENTRIES) {
        if (spill_append(&s->log, s->logbuf, sizeof *s->logbuf * 2 * LOG_ENTRIES) < 0) return -1;
        s->logbase += LOG_ENTRIES;
        s->logfill = 0;
    }
    s->logbuf[2 * s->logfill] = (uint64_t)parent;
    s->logbuf[2 * s->logfill + 1] = fp;
    s->logfill++;
    return 0;
}

int64_t store_flush(Store *s, StoreBuf *b)
{
    if (b->count == 0) return -1;
    size_t len = (size_t)b->count * s->key;
    int64_t last = -2;
    pthread_mutex_lock(&s->lock);
    Frontier *f = &s->level[s->fill];
    if (frontier_push(f, b->keys, b->count, s->count, fits_in_memory(s, len)) != 0) goto out;
    for (int i = 0; i < b->count; i++)
        if (log_append(s, b->parents[i], b->fps[i]) != 0) goto out;
    s->count += b->count;
    last = s->count - 1;
    size_t mem = store_mem_bytes(s);
    if (mem > s->mem_peak) s->mem_peak = mem;
out:
    pthread_mutex_unlock(&s->lock);
    b->count = 0;
    return last;
}

int store_add(Store *s, StoreBuf *b, const uint8_t *key, int64_t parent)
{
    uint64_t fp = fpset_hash(key, s->key);
    int rc = fpset_add(&s->seen, fp);
    if (rc <= 0) return rc < 0 ? -2 : 0;
    /* make room first, so that a new state is always b's last */
    if (b->count == b->cap && store_flush(s, b) == -2) return -2;
    memcpy(b->keys + (size_t)b->count * s->key, key, s->key);
    b->parents[b->count] = parent;
    b->fps[b->count++] = fp;
    return 1;
}

int64_t store_next_level(Store *s)
{
    frontier_clear(&s->level[!s->fill]);
    s->fill = !s->fill;
    return s->level[!s->fill].count;
}

uint8_t *store_take(Store *s, int *count, int64_t *first)
{
    pthread_mutex_lock(&s->take);
    uint8_t *d = frontier_pop(&s->level[!s->fill], count, first);
    pthread_mutex_unlock(&s->take);
    return d;
}

int store_lineage(const Store *s, int64_t i, int64_t *parent, uint64_t *fp)
{
    uint64_t e[2];
    if (i < 0 || i >= s->count) return -1;
    if (i >= s->logbase)
        memcpy(e, s->logbuf + 2 * (i - s->logbase), sizeof e);
    else if (spill_read(&s->log, i * (int64_t)sizeof e, e, sizeof e) != 0)
        return -1;
    *parent = (int64_t)e[0], *fp = e[1];
    return 0;
}
