/* lin_model.h: what the checker needs to know of a sequential object.
 *
 * An object is a set of keys, each holding a cell of cell_size bytes; an op
 * reads and writes the cells of the keys it names and produces an output.
 * Keys are what the checker partitions by (P-compositionality): ops that share
 * no key, directly or through other ops, are checked apart. A cell is compared
 * with memcmp and hashed by its bytes, so equal states must have equal bytes
 * (zero any padding). */
#ifndef LIN_MODEL_H
#define LIN_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "lin_history.h"

/* An op's output, as the model computes it: values that point into the
 * cells, the model's own storage, or scratch (valid until the next step). */
typedef struct lin_out {
    lin_val *v;
    size_t n, cap;
    uint8_t scratch[256];
    size_t used;
} lin_out;

typedef struct lin_model {
    const char *name;
    void *ctx; /* the model's own data, passed to every callback */
    /* Checks op against the model (name, argument and result counts and
     * syntax) and compiles it: sets op->kind, op->aux[i] per argument as it
     * likes, and op->keys/op->nkeys, the indices of the arguments that are
     * keys (in the order step wants their cells). Returns 0, or -1 with a
     * message (without the line, which the caller adds) in err. */
    int (*prepare)(void *ctx, lin_op *op, char *err, size_t errn);
    /* Checks what only all ops together tell (NULL: nothing), called once
     * all are prepared. Returns 0, or -1 with a message in err. */
    int (*finish)(void *ctx, char *err, size_t errn);
    /* Bytes of one key's cell; asked once all ops are prepared. */
    size_t (*cell_size)(void *ctx);
    /* Writes the cell of a key never written. */
    void (*init)(void *ctx, uint8_t *cell);
    /* Applies op: cells[j] is the cell of key op->keys[j], updated in place
     * (two keys that are the same bytes share one cell); pushes the output
     * on out (empty on entry). Never fails: an op the model refuses is
     * an output ("ERR"). */
    void (*step)(void *ctx, const lin_op *op, uint8_t *const *cells, lin_out *out);
    /* Appends a cell's value for reports. */
    void (*show_cell)(void *ctx, const uint8_t *cell, hoc_buf *b);
    /* Frees ctx (may be NULL). */
    void (*free)(void *ctx);
} lin_model;

/* Empties out (keeps its storage). */
void lin_model_out_reset(lin_out *out);
/* Appends v to out (v's bytes are not copied). */
void lin_model_out_push(lin_out *out, lin_val v);
/* Appends the NUL-terminated s, not copied (a literal such as "OK"). */
void lin_model_out_text(lin_out *out, const char *s);
/* Appends x in decimal, written in out's scratch; a step may write 256
 * bytes of scratch, and aborts (a bug in the model) beyond. */
void lin_model_out_int(lin_out *out, long long x);
/* Frees out's storage. */
void lin_model_out_free(lin_out *out);

/* Parses the whole of v as a decimal integer in Redis's strict syntax
 * (optional '-', no leading zeros or '+', no spaces, fits in 64 bits).
 * Returns 0, or -1 when it is not one. */
int lin_model_int(lin_val v, long long *x);

#endif
