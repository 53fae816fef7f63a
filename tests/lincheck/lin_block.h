/* lin_block.h: the block model, for Amalgam: each key (its first argument,
 * the block's index) holds a block of a fixed size, all zeros at first.
 * The built-in ops:
 *
 *   READ b              -> the block
 *   WRITE b data        -> OK
 *   XOR b data          -> OK     (block ^= data: Amalgam's deltas)
 *   ADD b off delta     -> the sum (the little-endian 64-bit two's-complement
 *                          integer at byte off, plus delta, wrapping)
 *   CAS b expected new  -> 1 (swapped) | 0
 *
 * Other read-modify-writes plug in through lin_block_ops: a prepare that
 * checks an op and an apply that changes one block and says what it returns. */
#ifndef LIN_BLOCK_H
#define LIN_BLOCK_H

#include "lin_model.h"

typedef struct lin_block_ops {
    void *ctx;
    /* Like lin_model.prepare, knowing that argument 0 is the block's key.
     * *block_size is 0 while unknown: an op that shows a block sets it, one
     * that needs it and finds it set checks against it. *need is raised to
     * the least block size the op can work on. */
    int (*prepare)(void *ctx, lin_op *op, size_t *block_size, size_t *need, char *err, size_t errn);
    /* Applies op to the block (block_size bytes) in place and pushes its
     * output on out. */
    void (*apply)(void *ctx, const lin_op *op, uint8_t *block, size_t block_size, lin_out *out);
} lin_block_ops;

/* Fills m with a block model of blocks of block_size bytes (0: the size of
 * the first block an op shows), running ops (NULL: the built-in ones). Free
 * it with m->free(m->ctx). */
void lin_block_model(lin_model *m, size_t block_size, const lin_block_ops *ops);

#endif
