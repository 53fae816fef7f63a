/* lin_history.h: a client history in memory, the input of the
 * linearizability checker. An operation is what one client asked (a name
 * and byte-string arguments), when it asked (call), when it heard back
 * (return, or never: pending) and what it heard (byte strings or nil).
 * Histories are built here directly, or read from text by lin_text. */
#ifndef LIN_HISTORY_H
#define LIN_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* A return time meaning "no reply": the op may have taken effect at any
 * time after its call, or never. */
#define LIN_PENDING (-1)
/* The length of the nil value (a missing key, RESP's null bulk string). */
#define LIN_NIL (-1)

/* A byte string (n >= 0) or nil (n == LIN_NIL). Never owns its bytes. */
typedef struct lin_val {
    const uint8_t *p;
    int64_t n;
} lin_val;

typedef struct lin_op {
    uint32_t client;  /* index into lin_history.clients */
    int64_t call;     /* >= 0, any unit (the text format uses microseconds) */
    int64_t ret;      /* >= call, or LIN_PENDING */
    const char *name; /* upper case, e.g. "SET" */
    lin_val *args;
    uint32_t nargs;
    lin_val *res; /* what the client heard; nres == 0 when pending */
    uint32_t nres;
    uint32_t line; /* where it was read (1-based), 0 when built in memory */
    /* Filled by the model's prepare (lin_model.h): its op code, one word per
     * argument for what it compiled, and which arguments are keys. */
    int kind;
    uint64_t *aux;
    uint32_t *keys;
    uint32_t nkeys;
} lin_op;

/* Zero-initialise, or lin_history_init, to start empty. */
typedef struct lin_history {
    lin_op *ops;
    size_t nops, capops;
    char **clients;
    size_t nclients, capclients;
    struct lin_chunk *arena; /* owns names, values and per-op arrays */
} lin_history;

/* A history with no ops and no clients. */
void lin_history_init(lin_history *h);
/* Frees all that h owns, including the bytes its ops point to. */
void lin_history_free(lin_history *h);
/* The index of the client called name, added if new. */
uint32_t lin_history_client(lin_history *h, const char *name);
/* Appends an op, copying name (upper-cased), args and res. Returns its index,
 * or -1 with a message in err when the times are out of range (call < 0,
 * ret < call), a pending op has a result, or the client does not exist. */
long lin_history_add(lin_history *h, uint32_t client, int64_t call, int64_t ret, const char *name,
                     const lin_val *args, size_t nargs, const lin_val *res, size_t nres,
                     uint32_t line, char *err, size_t errn);
/* realloc(p, n), n == 0 allowed; aborts with a message when memory runs out
 * (the checker has nothing sensible to do without it). */
void *lin_history_realloc(void *p, size_t n);
/* calloc(n, size), n == 0 allowed; aborts when memory runs out. */
void *lin_history_calloc(size_t n, size_t size);
/* A 64-bit hash of n bytes, mixed in all its bits. */
uint64_t lin_history_hash(const uint8_t *p, size_t n);
/* n bytes of storage that live as long as h (aborts when memory runs out). */
void *lin_history_alloc(lin_history *h, size_t n);

/* The bytes of the NUL-terminated s, not copied. */
lin_val lin_history_str(const char *s);
/* The nil value. */
lin_val lin_history_nil(void);
/* Whether a and b are the same bytes, or both nil. */
bool lin_history_val_eq(lin_val a, lin_val b);
/* Appends v as a token of the text format: bare when it can be, "..." with C
 * escapes, or x"..." in hex when mostly unprintable; values longer than max
 * bytes (0: no limit) are cut, with their length said. */
void lin_history_show_val(hoc_buf *b, lin_val v, size_t max);
/* Appends op as "NAME ARGS... -> RESULTS" (or "-> ?" when pending). */
void lin_history_show_op(hoc_buf *b, const lin_op *op, size_t max);

#endif
