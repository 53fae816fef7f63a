/* frontier.h: one level of hoc check's breadth-first search, a FIFO of
 * blocks of fixed-size records (global states), packed (pack.h). A block
 * stays in memory or goes to a spill file as its pusher decides, so a level
 * may be far larger than memory; blocks come out in the order they went
 * in, each with the index of its first record. Not thread-safe: callers
 * hold their lock. */
#ifndef HOC_FRONTIER_H
#define HOC_FRONTIER_H

#include <stdbool.h>

#include "spill.h"

/* A block of records, packed, in memory (data) or in the spill file (at off). */
typedef struct FrBlock {
    int64_t first; /* the index of its first record */
    int64_t off;
    size_t packed; /* its bytes packed (pack.h) */
    uint8_t *data;
    int count;
} FrBlock;

typedef struct Frontier {
    size_t rec; /* bytes of one record */
    FrBlock *blocks;
    int64_t nblocks, cap, head; /* blocks[head..nblocks) are still to come out */
    int64_t count;              /* records pushed since the last clear */
    size_t mem;                 /* bytes of packed records held in memory */
    Spill file;
    uint8_t *scratch; /* a block packed, on its way to or from the file */
    size_t scratch_cap;
} Frontier;

/* An empty frontier of records of rec bytes. */
void frontier_init(Frontier *f, size_t rec);
/* Frees its blocks and closes its file. */
void frontier_free(Frontier *f);
/* Appends count records at data, the first of index first, packed (in
 * memory or in the spill file as in_memory says); data stays the caller's.
 * Returns 0, or -1 out of memory or disk. */
int frontier_push(Frontier *f, const uint8_t *data, int count, int64_t first, bool in_memory);
/* The next block: its records (malloc'd, the caller frees them), count and
 * first index; NULL with *count 0 when none is left, -1 on error. */
uint8_t *frontier_pop(Frontier *f, int *count, int64_t *first);
/* Forgets every block; the spill file is kept for reuse. */
void frontier_clear(Frontier *f);

#endif
