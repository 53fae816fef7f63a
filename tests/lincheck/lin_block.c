/* lin_block.c: the block model (see lin_block.h). A cell is the block. */
#include "lin_block.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { BLK_READ, BLK_WRITE, BLK_XOR, BLK_ADD, BLK_CAS };

typedef struct blk_ctx {
    size_t size;      /* 0 until known */
    uint32_t size_at; /* the line that set it (0: given) */
    size_t need;      /* the least size the ops work on */
    uint32_t need_at;
    lin_block_ops ops;
} blk_ctx;

/* Checks that v is one whole block, or sets the size from it. */
static int block_arg(lin_val v, const lin_op *op, const char *what, size_t *size, char *err,
                     size_t errn)
{
    if (v.n == LIN_NIL) {
        snprintf(err, errn, "%s: %s cannot be nil", op->name, what);
        return -1;
    }
    if (*size == 0) *size = (size_t)v.n;
    if ((size_t)v.n != *size || v.n == 0) {
        snprintf(err, errn, "%s: %s is %lld bytes, but blocks are %zu", op->name, what,
                 (long long)v.n, *size);
        return -1;
    }
    return 0;
}

static int want(const lin_op *op, uint32_t nargs, const char *usage, char *err, size_t errn)
{
    if (op->nargs == nargs && (op->ret == LIN_PENDING || op->nres == 1)) return 0;
    if (op->nargs != nargs)
        snprintf(err, errn, "%s takes %s", op->name, usage);
    else
        snprintf(err, errn, "%s has 1 result, not %u", op->name, op->nres);
    return -1;
}

static int prep_add(lin_op *op, size_t *size, size_t *need, char *err, size_t errn)
{
    long long off, delta;
    if (want(op, 3, "a block, a byte offset and an integer", err, errn) != 0) return -1;
    if (lin_model_int(op->args[1], &off) != 0 || off < 0 || off > (1ll << 40) ||
        lin_model_int(op->args[2], &delta) != 0) {
        snprintf(err, errn, "ADD takes a byte offset (from 0) and a 64-bit integer");
        return -1;
    }
    op->aux[1] = (uint64_t)off;
    op->aux[2] = (uint64_t)delta;
    *need = (size_t)off + 8;
    if (*size && *need > *size) {
        snprintf(err, errn, "ADD at offset %lld needs 8 bytes, but blocks are %zu", off, *size);
        return -1;
    }
    return 0;
}

static int builtin_prepare(void *ctx, lin_op *op, size_t *size, size_t *need, char *err,
                           size_t errn)
{
    (void)ctx;
    const char *s = op->name;
    int rc = 0;
    if (strcmp(s, "READ") == 0) {
        op->kind = BLK_READ;
        rc = want(op, 1, "a block", err, errn);
        if (rc == 0 && op->nres) rc = block_arg(op->res[0], op, "the result", size, err, errn);
    } else if (strcmp(s, "WRITE") == 0 || strcmp(s, "XOR") == 0) {
        op->kind = s[0] == 'W' ? BLK_WRITE : BLK_XOR;
        rc = want(op, 2, "a block and data", err, errn);
        if (rc == 0) rc = block_arg(op->args[1], op, "the data", size, err, errn);
    } else if (strcmp(s, "CAS") == 0) {
        op->kind = BLK_CAS;
        rc = want(op, 3, "a block, the expected data and the new", err, errn);
        if (rc == 0) rc = block_arg(op->args[1], op, "the expected data", size, err, errn);
        if (rc == 0) rc = block_arg(op->args[2], op, "the new data", size, err, errn);
    } else if (strcmp(s, "ADD") == 0) {
        op->kind = BLK_ADD;
        rc = prep_add(op, size, need, err, errn);
    } else {
        snprintf(err, errn, "unknown op %s (the block model has READ WRITE XOR ADD CAS)", s);
        rc = -1;
    }
    return rc;
}

static void builtin_apply(void *ctx, const lin_op *op, uint8_t *block, size_t size, lin_out *out)
{
    (void)ctx;
    uint64_t x;
    switch (op->kind) {
    case BLK_READ:
        lin_model_out_push(out, (lin_val){block, (int64_t)size});
        return;
    case BLK_WRITE:
        memcpy(block, op->args[1].p, size);
        break;
    case BLK_XOR:
        for (size_t i = 0; i < size; i++)
            block[i] ^= op->args[1].p[i];
        break;
    case BLK_ADD:
        x = 0;
        for (int i = 7; i >= 0; i--)
            x = x << 8 | block[op->aux[1] + (size_t)i];
        x += op->aux[2];
        for (int i = 0; i < 8; i++)
            block[op->aux[1] + (size_t)i] = (uint8_t)(x >> (8 * i));
        lin_model_out_int(out, (long long)x);
        return;
    case BLK_CAS:
        if (memcmp(block, op->args[1].p, size) != 0) {
            lin_model_out_text(out, "0");
            return;
        }
        memcpy(block, op->args[2].p, size);
        lin_model_out_text(out, "1");
        return;
    }
    lin_model_out_text(out, "OK");
}

static int blk_prepare(void *ctx, lin_op *op, char *err, size_t errn)
{
    blk_ctx *c = ctx;
    if (op->nargs < 1 || op->args[0].n == LIN_NIL) {
        snprintf(err, errn, "%s takes a block (its key) first", op->name);
        return -1;
    }
    op->keys[0] = 0;
    op->nkeys = 1;
    size_t size = c->size, need = 0;
    if (c->ops.prepare(c->ops.ctx, op, &size, &need, err, errn) != 0) return -1;
    if (!c->size && size) c->size = size, c->size_at = op->line;
    if (need > c->need) c->need = need, c->need_at = op->line;
    return 0;
}

static int blk_finish(void *ctx, char *err, size_t errn)
{
    blk_ctx *c = ctx;
    if (!c->size) c->size = c->need, c->size_at = c->need_at;
    if (!c->size) {
        snprintf(err, errn, "the block size is unknown: no op shows a block (give it)");
        return -1;
    }
    if (c->need > c->size) {
        snprintf(err, errn, "line %u needs blocks of %zu bytes, but they are %zu (line %u)",
                 c->need_at, c->need, c->size, c->size_at);
        return -1;
    }
    return 0;
}

static size_t blk_cell_size(void *ctx)
{
    return ((blk_ctx *)ctx)->size;
}

static void blk_init(void *ctx, uint8_t *cell)
{
    memset(cell, 0, ((blk_ctx *)ctx)->size);
}

static void blk_step(void *ctx, const lin_op *op, uint8_t *const *cells, lin_out *out)
{
    blk_ctx *c = ctx;
    c->ops.apply(c->ops.ctx, op, cells[0], c->size, out);
}

static void blk_show_cell(void *ctx, const uint8_t *cell, hoc_buf *b)
{
    lin_history_show_val(b, (lin_val){cell, (int64_t)((blk_ctx *)ctx)->size}, 32);
}

void lin_block_model(lin_model *m, size_t block_size, const lin_block_ops *ops)
{
    blk_ctx *c = lin_history_calloc(1, sizeof *c);
    c->size = block_size;
    c->ops = ops ? *ops : (lin_block_ops){NULL, builtin_prepare, builtin_apply};
    *m = (lin_model){.name = "block",
                     .ctx = c,
                     .prepare = blk_prepare,
                     .finish = blk_finish,
                     .cell_size = blk_cell_size,
                     .init = blk_init,
                     .step = blk_step,
                     .show_cell = blk_show_cell,
                     .free = free};
}
