/* lin_kv.h: the key-value model of hoc-kv, the Redis-speaking replicated
 * store: each key holds a byte string or nothing (nil).
 *
 *   GET k                 -> value | nil
 *   SET k v               -> OK
 *   DEL k...              -> how many of the keys existed
 *   INCRBY k n, DECRBY k n, INCR k, DECR k
 *                         -> the new value | ERR (not an integer, overflow)
 *   MGET k...             -> one value | nil per key
 *   MSET k v [k v]...     -> OK (atomic)
 *   CAS k expected new    -> 1 (swapped) | 0; expected nil: "k is missing",
 *                            new nil: delete k
 *
 * Integers follow Redis's strict syntax (lin_model_int); a missing key counts
 * as 0 for INCRBY. Multi-key ops tie their keys into one partition. */
#ifndef LIN_KV_H
#define LIN_KV_H

#include "lin_model.h"

/* Fills m with a fresh KV model (free it with m->free(m->ctx)). */
void lin_kv_model(lin_model *m);

#endif
