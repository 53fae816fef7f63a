/* lin_kv.c: the key-value model (see lin_kv.h). A cell is the id of an
 * interned value (0: nil), so a state is a few words however long the
 * values, and equal values are equal ids. */
#include "lin_kv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { KV_GET, KV_SET, KV_DEL, KV_INCRBY, KV_MGET, KV_MSET, KV_CAS };

typedef struct kv_value {
    lin_val v;
    int isnum;
    long long num;
} kv_value;

typedef struct kv_ctx {
    kv_value *vals; /* by id; vals[0] is nil */
    size_t n, cap;
    uint32_t *table; /* open addressing over ids, 0 empty */
    size_t mask;
} kv_ctx;

static void rehash(kv_ctx *c)
{
    size_t size = c->mask ? 2 * (c->mask + 1) : 1024;
    free(c->table);
    c->table = lin_history_realloc(NULL, size * sizeof *c->table);
    memset(c->table, 0, size * sizeof *c->table);
    c->mask = size - 1;
    for (size_t id = 1; id < c->n; id++) {
        size_t i = lin_history_hash(c->vals[id].v.p, (size_t)c->vals[id].v.n) & c->mask;
        while (c->table[i])
            i = (i + 1) & c->mask;
        c->table[i] = (uint32_t)id;
    }
}

/* The id of value v (nil is 0), interned if new. */
static uint32_t intern(kv_ctx *c, lin_val v)
{
    if (v.n == LIN_NIL) return 0;
    if (2 * c->n >= c->mask) rehash(c);
    size_t i = lin_history_hash(v.p, (size_t)v.n) & c->mask;
    for (; c->table[i]; i = (i + 1) & c->mask)
        if (lin_history_val_eq(c->vals[c->table[i]].v, v)) return c->table[i];
    if (c->n == c->cap) {
        c->cap *= 2;
        c->vals = lin_history_realloc(c->vals, c->cap * sizeof *c->vals);
    }
    uint8_t *copy = lin_history_realloc(NULL, (size_t)v.n);
    if (v.n) memcpy(copy, v.p, (size_t)v.n);
    kv_value *kv = &c->vals[c->n];
    kv->v = (lin_val){copy, v.n};
    kv->isnum = lin_model_int(kv->v, &kv->num) == 0;
    c->table[i] = (uint32_t)c->n;
    return (uint32_t)c->n++;
}

static int fail(char *err, size_t errn, const char *msg, const lin_op *op)
{
    snprintf(err, errn, msg, op->name);
    return -1;
}

/* Sets op's keys to arguments first, first + stride, ... */
static void keys_every(lin_op *op, uint32_t stride)
{
    op->nkeys = 0;
    for (uint32_t i = 0; i < op->nargs; i += stride)
        op->keys[op->nkeys++] = i;
}

static int prep_counter(kv_ctx *c, lin_op *op, int sign, char *err, size_t errn)
{
    (void)c;
    long long d = 1;
    int takes = strcmp(op->name, "INCRBY") == 0 || strcmp(op->name, "DECRBY") == 0;
    if (op->nargs != 1u + takes)
        return fail(err, errn, takes ? "%s takes a key and an integer" : "%s takes a key", op);
    if (takes &&
        (lin_model_int(op->args[1], &d) != 0 || (sign < 0 && d == (-9223372036854775807ll - 1))))
        return fail(err, errn, "%s takes an integer (Redis syntax, 64 bits) after the key", op);
    op->kind = KV_INCRBY;
    op->aux[0] = (uint64_t)(sign * d);
    keys_every(op, 2);
    return 0;
}

static int prep_op(kv_ctx *c, lin_op *op, char *err, size_t errn)
{
    const char *s = op->name;
    uint32_t n = op->nargs;
    if (strcmp(s, "GET") == 0) {
        if (n != 1) return fail(err, errn, "%s takes one key", op);
        op->kind = KV_GET;
    } else if (strcmp(s, "SET") == 0) {
        if (n != 2) return fail(err, errn, "%s takes a key and a value (no options)", op);
        op->kind = KV_SET;
    } else if (strcmp(s, "DEL") == 0 || strcmp(s, "MGET") == 0) {
        if (n < 1) return fail(err, errn, "%s takes one key or more", op);
        op->kind = s[0] == 'D' ? KV_DEL : KV_MGET;
        keys_every(op, 1);
        return 0;
    } else if (strcmp(s, "MSET") == 0) {
        if (n < 2 || n % 2) return fail(err, errn, "%s takes pairs of a key and a value", op);
        op->kind = KV_MSET;
        keys_every(op, 2);
        return 0;
    } else if (strcmp(s, "CAS") == 0) {
        if (n != 3)
            return fail(err, errn, "%s takes a key, the expected value and the new one", op);
        op->kind = KV_CAS;
        op->aux[1] = intern(c, op->args[1]);
        op->aux[2] = intern(c, op->args[2]);
    } else if (strcmp(s, "INCRBY") == 0 || strcmp(s, "INCR") == 0) {
        return prep_counter(c, op, 1, err, errn);
    } else if (strcmp(s, "DECRBY") == 0 || strcmp(s, "DECR") == 0) {
        return prep_counter(c, op, -1, err, errn);
    } else {
        return fail(
            err, errn,
            "unknown op %s (the kv model has GET SET DEL INCR INCRBY DECR DECRBY MGET MSET CAS)",
            op);
    }
    op->keys[0] = 0;
    op->nkeys = 1;
    return 0;
}

static int kv_prepare(void *ctx, lin_op *op, char *err, size_t errn)
{
    kv_ctx *c = ctx;
    if (prep_op(c, op, err, errn) != 0) return -1;
    for (uint32_t i = 0; i < op->nargs; i++) {
        int nil_ok = op->kind == KV_CAS && i > 0;
        if (op->args[i].n == LIN_NIL && !nil_ok)
            return fail(err, errn, "%s: only CAS takes nil (as its expected or new value)", op);
        if ((op->kind == KV_SET || op->kind == KV_MSET) && i % 2)
            op->aux[i] = intern(c, op->args[i]);
    }
    size_t want = op->kind == KV_MGET ? op->nargs : 1;
    if (op->ret != LIN_PENDING && op->nres != want) {
        snprintf(err, errn, "%s has %zu result%s, not %u", op->name, want, want > 1 ? "s" : "",
                 op->nres);
        return -1;
    }
    return 0;
}

static size_t kv_cell_size(void *ctx)
{
    (void)ctx;
    return sizeof(uint32_t);
}

static void kv_init(void *ctx, uint8_t *cell)
{
    (void)ctx;
    memset(cell, 0, sizeof(uint32_t));
}

static uint32_t get(uint8_t *cell)
{
    uint32_t id;
    memcpy(&id, cell, sizeof id);
    return id;
}

static void put(uint8_t *cell, uint64_t id)
{
    uint32_t v = (uint32_t)id;
    memcpy(cell, &v, sizeof v);
}

static void step_incrby(kv_ctx *c, const lin_op *op, uint8_t *cell, lin_out *out)
{
    const kv_value *cur = &c->vals[get(cell)];
    long long d = (long long)op->aux[0], x = get(cell) ? cur->num : 0, r;
    if ((get(cell) && !cur->isnum) || __builtin_add_overflow(x, d, &r)) {
        lin_model_out_text(out, "ERR");
        return;
    }
    lin_model_out_int(out, r);
    put(cell, intern(c, out->v[out->n - 1]));
}

static void kv_step(void *ctx, const lin_op *op, uint8_t *const *cells, lin_out *out)
{
    kv_ctx *c = ctx;
    long long count = 0;
    switch (op->kind) {
    case KV_GET:
    case KV_MGET:
        for (uint32_t j = 0; j < op->nkeys; j++)
            lin_model_out_push(out, c->vals[get(cells[j])].v);
        return;
    case KV_SET:
    case KV_MSET:
        for (uint32_t j = 0; j < op->nkeys; j++)
            put(cells[j], op->aux[op->keys[j] + 1]);
        lin_model_out_text(out, "OK");
        return;
    case KV_DEL:
        for (uint32_t j = 0; j < op->nkeys; j++) {
            count += get(cells[j]) != 0;
            put(cells[j], 0);
        }
        lin_model_out_int(out, count);
        return;
    case KV_INCRBY:
        step_incrby(c, op, cells[0], out);
        return;
    case KV_CAS:
        if (get(cells[0]) != op->aux[1]) {
            lin_model_out_text(out, "0");
            return;
        }
        put(cells[0], op->aux[2]);
        lin_model_out_text(out, "1");
        return;
    }
}

static void kv_show_cell(void *ctx, const uint8_t *cell, hoc_buf *b)
{
    kv_ctx *c = ctx;
    uint32_t id;
    memcpy(&id, cell, sizeof id);
    lin_history_show_val(b, c->vals[id].v, 64);
}

static void kv_free(void *ctx)
{
    kv_ctx *c = ctx;
    for (size_t i = 1; i < c->n; i++)
        free((void *)c->vals[i].v.p);
    free(c->vals);
    free(c->table);
    free(c);
}

void lin_kv_model(lin_model *m)
{
    kv_ctx *c = lin_history_realloc(NULL, sizeof *c);
    memset(c, 0, sizeof *c);
    c->cap = 64;
    c->vals = lin_history_realloc(NULL, c->cap * sizeof *c->vals);
    c->vals[0] = (kv_value){{NULL, LIN_NIL}, 0, 0};
    c->n = 1;
    *m = (lin_model){.name = "kv",
                     .ctx = c,
                     .prepare = kv_prepare,
                     .cell_size = kv_cell_size,
                     .init = kv_init,
                     .step = kv_step,
                     .show_cell = kv_show_cell,
                     .free = kv_free};
}
