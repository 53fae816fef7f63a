/* frontier.c: a level of the search, in memory or on disk (see frontier.h). */
#include "frontier.h"

#include "pack.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

void frontier_init(Frontier *f, size_t rec)
{
    memset(f, 0, sizeof *f);
    f->rec = rec;
    spill_init(&f->file);
}

void frontier_clear(Frontier *f)
{
    for (int64_t i = f->head; i < f->nblocks; i++)
        free(f->blocks[i].data);
    f->nblocks = f->head = f->count = 0;
    f->mem = 0;
    spill_clear(&f->file);
}

void frontier_free(Frontier *f)
{
    frontier_clear(f);
    free(f->blocks);
    free(f->scratch);
    f->scratch = NULL, f->scratch_cap = 0;
    spill_close(&f->file);
}

/* Makes f's scratch buffer at least len bytes; -1 out of memory. */
static int scratch(Frontier *f, size_t len)
{
    if (len <= f->scratch_cap) return 0;
    uint8_t *p = realloc(f->scratch, len);
    if (!p) return -1;
    f->scratch = p, f->scratch_cap = len;
    return 0;
}

int frontier_push(Frontier *f, const uint8_t *data, int count, int64_t first, bool in_memory)
{
    if (f->nblocks == f->cap) {
        int64_t cap = f->cap ? f->cap * 2 : 64;
        FrBlock *nb = realloc(f->blocks, (size_t)cap * sizeof *nb);
        if (!nb) return -1;
        f->blocks = nb, f->cap = cap;
    }
    FrBlock b = {.first = first, .count = count, .off = -1};
    size_t len = (size_t)count * f->rec;
    if (scratch(f, pack_bound(len)) != 0) return -1;
    b.packed = pack_records(data, f->rec, count, f->scratch);
    if (in_memory) {
        if (!(b.data = malloc(b.packed ? b.packed : 1))) return -1;
        memcpy(b.data, f->scratch, b.packed);
        f->mem += b.packed;
    } else if ((b.off = spill_append(&f->file, f->scratch, b.packed)) < 0) {
        return -1;
    }
    f->blocks[f->nblocks++] = b;
    f->count += count;
    return 0;
}

uint8_t *frontier_pop(Frontier *f, int *count, int64_t *first)
{
    *count = 0;
    if (f->head == f->nblocks) return NULL;
    FrBlock *b = &f->blocks[f->head];
    size_t len = (size_t)b->count * f->rec;
    uint8_t *data = malloc(len ? len : 1);
    const uint8_t *packed = b->data;
    if (!packed && data && scratch(f, b->packed) == 0 &&
        spill_read(&f->file, b->off, f->scratch, b->packed) == 0)
        packed = f->scratch;
    if (!data || !packed || pack_unpack(packed, b->packed, f->rec, b->count, data) != 0) {
        free(data);
        *count = -1;
        return NULL;
    }
    if (b->data) f->mem -= b->packed;
    free(b->data);
    b->data = NULL;
    *count = b->count, *first = b->first;
    f->head++;
    return data;
}
