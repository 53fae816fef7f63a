/* lin_part.h: P-compositionality. Linearizability is local (Herlihy and
 * Wing): a history is linearizable iff its restriction to each object is.
 * Here an object is a connected component of keys: two keys are in one
 * component when some op names both (MSET a 1 b 2, MGET a b, DEL a b), so a
 * multi-key op is checked with every key it is tied to, atomically. */
#ifndef LIN_PART_H
#define LIN_PART_H

#include <stdbool.h>

#include "lin_history.h"

typedef struct lin_part {
    uint32_t *ops; /* history indices, by call time (then index) */
    size_t nops;
    uint32_t nslots; /* keys in the partition; a state is nslots cells */
    lin_val *keys;   /* the key of each slot, for reports */
} lin_part;

typedef struct lin_parts {
    lin_part *v; /* fewest ops first (ties: the earliest op first) */
    size_t n;
    uint32_t *slot_off; /* op i's key j lives in slot slots[slot_off[i] + j] */
    uint32_t *slots;
    uint32_t *part_of; /* the index in v of op i's partition */
} lin_parts;

/* Splits the prepared ops of h (lin_op.keys set) into partitions, or puts
 * all in one when whole. An op with no key is a partition of its own. */
void lin_part_build(const lin_history *h, bool whole, lin_parts *ps);
/* Frees what ps owns. */
void lin_part_free(lin_parts *ps);

#endif
