/* lin_history.c: a client history in memory (see lin_history.h). */
#include "lin_history.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Ops point into the arena, so it never moves what it handed out. */
#define CHUNK_BYTES 65536

struct lin_chunk {
    struct lin_chunk *next;
    size_t used, cap;
    _Alignas(16) unsigned char data[];
};

static _Noreturn void out_of_memory(void)
{
    fputs("hoc-lincheck: out of memory\n", stderr);
    abort();
}

void *lin_history_realloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) out_of_memory();
    return q;
}

void *lin_history_calloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) out_of_memory();
    return p;
}

uint64_t lin_history_hash(const uint8_t *p, size_t n)
{
    /* FNV-1a over 8-byte words, then a strong finaliser */
    uint64_t h = 0xcbf29ce484222325u;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        h = (h ^ w) * 0x100000001b3u;
        h ^= h >> 29;
    }
    for (; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3u;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdu;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53u;
    return h ^ (h >> 33);
}

void lin_history_init(lin_history *h)
{
    memset(h, 0, sizeof *h);
}

void lin_history_free(lin_history *h)
{
    for (struct lin_chunk *c = h->arena, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    for (size_t i = 0; i < h->nclients; i++)
        free(h->clients[i]);
    free(h->clients);
    free(h->ops);
    memset(h, 0, sizeof *h);
}

void *lin_history_alloc(lin_history *h, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    struct lin_chunk *c = h->arena;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > CHUNK_BYTES / 4 ? n : CHUNK_BYTES;
        c = lin_history_realloc(NULL, sizeof *c + cap);
        c->used = 0, c->cap = cap;
        /* a big block goes behind the current chunk, which keeps its room */
        if (n > CHUNK_BYTES / 4 && h->arena) {
            c->next = h->arena->next;
            h->arena->next = c;
        } else {
            c->next = h->arena;
            h->arena = c;
        }
    }
    void *p = c->data + c->used;
    c->used += n;
    return p;
}

uint32_t lin_history_client(lin_history *h, const char *name)
{
    for (size_t i = 0; i < h->nclients; i++)
        if (strcmp(h->clients[i], name) == 0) return (uint32_t)i;
    if (h->nclients == h->capclients) {
        h->capclients = h->capclients ? 2 * h->capclients : 16;
        h->clients = lin_history_realloc(h->clients, h->capclients * sizeof *h->clients);
    }
    size_t n = strlen(name);
    char *copy = lin_history_realloc(NULL, n + 1);
    memcpy(copy, name, n + 1);
    h->clients[h->nclients] = copy;
    return (uint32_t)h->nclients++;
}

static lin_val *copy_vals(lin_history *h, const lin_val *v, size_t n)
{
    lin_val *out = lin_history_alloc(h, n * sizeof *out);
    for (size_t i = 0; i < n; i++) {
        out[i] = v[i];
        if (v[i].n > 0) {
            uint8_t *p = lin_history_alloc(h, (size_t)v[i].n);
            memcpy(p, v[i].p, (size_t)v[i].n);
            out[i].p = p;
        } else if (v[i].n == 0) {
            out[i].p = (const uint8_t *)"";
        }
    }
    return out;
}

long lin_history_add(lin_history *h, uint32_t client, int64_t call, int64_t ret, const char *name,
                     const lin_val *args, size_t nargs, const lin_val *res, size_t nres,
                     uint32_t line, char *err, size_t errn)
{
    if (client >= h->nclients) {
        snprintf(err, errn, "client %u does not exist", client);
        return -1;
    }
    if (call < 0) {
        snprintf(err, errn, "the call time %lld is negative", (long long)call);
        return -1;
    }
    if (ret != LIN_PENDING && ret < call) {
        snprintf(err, errn, "the return time %lld is before the call time %lld", (long long)ret,
                 (long long)call);
        return -1;
    }
    if (ret == LIN_PENDING && nres > 0) {
        snprintf(err, errn, "a pending op (no return time) cannot have a result");
        return -1;
    }
    if (!name || !*name || nargs > UINT32_MAX / 2 || nres > UINT32_MAX / 2 ||
        h->nops >= UINT32_MAX / 2) {
        snprintf(err, errn, "an op needs a name, and fewer than 2^31 arguments and ops");
        return -1;
    }
    if (h->nops == h->capops) {
        h->capops = h->capops ? 2 * h->capops : 256;
        h->ops = lin_history_realloc(h->ops, h->capops * sizeof *h->ops);
    }
    lin_op *op = &h->ops[h->nops];
    memset(op, 0, sizeof *op);
    op->client = client, op->call = call, op->ret = ret, op->line = line;
    size_t len = strlen(name);
    char *up = lin_history_alloc(h, len + 1);
    for (size_t i = 0; i <= len; i++)
        up[i] = (char)toupper((unsigned char)name[i]);
    op->name = up;
    op->args = copy_vals(h, args, nargs), op->nargs = (uint32_t)nargs;
    op->res = copy_vals(h, res, nres), op->nres = (uint32_t)nres;
    op->aux = lin_history_alloc(h, nargs * sizeof *op->aux);
    op->keys = lin_history_alloc(h, nargs * sizeof *op->keys);
    return (long)h->nops++;
}

lin_val lin_history_str(const char *s)
{
    return (lin_val){(const uint8_t *)s, (int64_t)strlen(s)};
}

lin_val lin_history_nil(void)
{
    return (lin_val){NULL, LIN_NIL};
}

bool lin_history_val_eq(lin_val a, lin_val b)
{
    if (a.n != b.n) return false;
    return a.n <= 0 || memcmp(a.p, b.p, (size_t)a.n) == 0;
}

/* A bare token is what the reader would read back as the same bytes. */
static bool bare(lin_val v)
{
    if (v.n <= 0) return false;
    const char *s = (const char *)v.p;
    if ((v.n == 3 && memcmp(s, "nil", 3) == 0) || (v.n == 1 && s[0] == '?') ||
        (v.n == 2 && memcmp(s, "->", 2) == 0) || s[0] == '#' ||
        (s[0] == 'x' && v.n > 1 && s[1] == '"'))
        return false;
    for (int64_t i = 0; i < v.n; i++)
        if (v.p[i] <= ' ' || v.p[i] >= 127 || v.p[i] == '"' || v.p[i] == '\\') return false;
    return true;
}

static void show_quoted(hoc_buf *b, const uint8_t *p, size_t n)
{
    hoc_buf_put(b, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        uint8_t c = p[i];
        if (c == '"' || c == '\\')
            hoc_buf_printf(b, "\\%c", c);
        else if (c == '\n')
            hoc_buf_puts(b, "\\n");
        else if (c == '\t')
            hoc_buf_puts(b, "\\t");
        else if (c < ' ' || c >= 127)
            hoc_buf_printf(b, "\\x%02x", c);
        else
            hoc_buf_put(b, (const char *)&p[i], 1);
    }
    hoc_buf_put(b, "\"", 1);
}

void lin_history_show_val(hoc_buf *b, lin_val v, size_t max)
{
    if (v.n == LIN_NIL) {
        hoc_buf_puts(b, "nil");
        return;
    }
    size_t n = (size_t)v.n, shown = max && n > max ? max : n, odd = 0;
    for (size_t i = 0; i < shown; i++)
        odd += v.p[i] < ' ' || v.p[i] >= 127;
    if (shown == n && bare(v)) {
        hoc_buf_put(b, (const char *)v.p, n);
    } else if (4 * odd > shown) {
        hoc_buf_puts(b, "x\"");
        for (size_t i = 0; i < shown; i++)
            hoc_buf_printf(b, "%02x", v.p[i]);
        hoc_buf_puts(b, "\"");
    } else {
        show_quoted(b, v.p, shown);
    }
    if (shown < n) hoc_buf_printf(b, "...(%zu bytes)", n);
}

void lin_history_show_op(hoc_buf *b, const lin_op *op, size_t max)
{
    hoc_buf_puts(b, op->name);
    for (uint32_t i = 0; i < op->nargs; i++) {
        hoc_buf_puts(b, " ");
        lin_history_show_val(b, op->args[i], max);
    }
    hoc_buf_puts(b, " ->");
    if (op->ret == LIN_PENDING) hoc_buf_puts(b, " ?");
    for (uint32_t i = 0; i < op->nres; i++) {
        hoc_buf_puts(b, " ");
        lin_history_show_val(b, op->res[i], max);
    }
}
