/* lin_part.c: partitions by connected components of keys (see lin_part.h). */
#include "lin_part.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct keymap {
    lin_val *keys;   /* by key id */
    uint32_t *table; /* key id + 1, 0 empty */
    size_t n, mask;
} keymap;

/* The id of key k; the map holds at most as many keys as it was sized for. */
static uint32_t key_id(keymap *m, lin_val k)
{
    size_t i = lin_history_hash(k.p, (size_t)k.n) & m->mask;
    for (; m->table[i]; i = (i + 1) & m->mask)
        if (lin_history_val_eq(m->keys[m->table[i] - 1], k)) return m->table[i] - 1;
    m->keys[m->n] = k;
    m->table[i] = (uint32_t)++m->n;
    return (uint32_t)m->n - 1;
}

static uint32_t find(uint32_t *up, uint32_t x)
{
    while (up[x] != x)
        x = up[x] = up[up[x]];
    return x;
}

typedef struct call_at {
    int64_t call;
    uint32_t op;
} call_at;

static int by_call(const void *a, const void *b)
{
    const call_at *x = a, *y = b;
    if (x->call != y->call) return x->call < y->call ? -1 : 1;
    return (x->op > y->op) - (x->op < y->op);
}

static void sort_by_call(const lin_history *h, lin_part *p)
{
    call_at *v = lin_history_calloc(p->nops, sizeof *v);
    for (size_t k = 0; k < p->nops; k++)
        v[k] = (call_at){h->ops[p->ops[k]].call, p->ops[k]};
    qsort(v, p->nops, sizeof *v, by_call);
    for (size_t k = 0; k < p->nops; k++)
        p->ops[k] = v[k].op;
    free(v);
}

static int by_size(const void *a, const void *b)
{
    const lin_part *x = a, *y = b;
    if (x->nops != y->nops) return x->nops < y->nops ? -1 : 1;
    return (x->ops[0] > y->ops[0]) - (x->ops[0] < y->ops[0]);
}

/* Gives every op a component (comp[i]) and every key a slot in its own. */
static size_t components(const lin_history *h, bool whole, keymap *m, const uint32_t *ids,
                         const uint32_t *slot_off, uint32_t *comp, uint32_t *key_slot,
                         uint32_t **nslots_out)
{
    uint32_t *up = lin_history_calloc(m->n, sizeof *up),
             *key_comp = lin_history_calloc(m->n, sizeof *key_comp);
    for (uint32_t k = 0; k < m->n; k++)
        up[k] = k, key_comp[k] = UINT32_MAX;
    for (size_t i = 0; i < h->nops; i++)
        for (uint32_t j = 1; j < h->ops[i].nkeys; j++)
            up[find(up, ids[slot_off[i]])] = find(up, ids[slot_off[i] + j]);
    size_t n = 0;
    uint32_t *nslots = lin_history_calloc(h->nops + 1, sizeof *nslots);
    for (size_t i = 0; i < h->nops; i++) {
        const lin_op *op = &h->ops[i];
        if (op->nkeys == 0) {
            comp[i] = whole ? 0 : (uint32_t)n++;
            continue;
        }
        uint32_t root = whole ? 0 : find(up, ids[slot_off[i]]);
        if (key_comp[root] == UINT32_MAX) key_comp[root] = whole && n ? 0 : (uint32_t)n++;
        comp[i] = key_comp[root];
        for (uint32_t j = 0; j < op->nkeys; j++) {
            uint32_t k = ids[slot_off[i] + j];
            if (key_slot[k] == UINT32_MAX) key_slot[k] = nslots[comp[i]]++;
        }
    }
    free(up);
    free(key_comp);
    *nslots_out = nslots;
    return whole && h->nops ? 1 : n;
}

void lin_part_build(const lin_history *h, bool whole, lin_parts *ps)
{
    memset(ps, 0, sizeof *ps);
    ps->slot_off = lin_history_calloc(h->nops + 1, sizeof *ps->slot_off);
    for (size_t i = 0; i < h->nops; i++)
        ps->slot_off[i + 1] = ps->slot_off[i] + h->ops[i].nkeys;
    size_t nk = ps->slot_off[h->nops], size = 16;
    while (size < 2 * nk)
        size *= 2;
    keymap m = {lin_history_calloc(nk, sizeof(lin_val)), lin_history_calloc(size, sizeof(uint32_t)),
                0, size - 1};
    uint32_t *ids = lin_history_calloc(nk, sizeof *ids);
    for (size_t i = 0; i < h->nops; i++)
        for (uint32_t j = 0; j < h->ops[i].nkeys; j++)
            ids[ps->slot_off[i] + j] = key_id(&m, h->ops[i].args[h->ops[i].keys[j]]);
    uint32_t *comp = lin_history_calloc(h->nops, sizeof *comp),
             *key_slot = lin_history_calloc(m.n, sizeof *key_slot);
    memset(key_slot, 0xff, m.n * sizeof *key_slot);
    uint32_t *nslots;
    ps->n = components(h, whole, &m, ids, ps->slot_off, comp, key_slot, &nslots);
    ps->v = lin_history_calloc(ps->n, sizeof *ps->v);
    ps->slots = lin_history_calloc(nk, sizeof *ps->slots);
    for (size_t p = 0; p < ps->n; p++) {
        ps->v[p].nslots = nslots[p];
        ps->v[p].keys = lin_history_calloc(nslots[p], sizeof(lin_val));
    }
    for (size_t i = 0; i < h->nops; i++) {
        ps->v[comp[i]].nops++;
        for (uint32_t j = 0; j < h->ops[i].nkeys; j++) {
            uint32_t k = ids[ps->slot_off[i] + j];
            ps->slots[ps->slot_off[i] + j] = key_slot[k];
            ps->v[comp[i]].keys[key_slot[k]] = m.keys[k];
        }
    }
    for (size_t p = 0; p < ps->n; p++) {
        ps->v[p].ops = lin_history_calloc(ps->v[p].nops, sizeof(uint32_t));
        ps->v[p].nops = 0;
    }
    for (size_t i = 0; i < h->nops; i++)
        ps->v[comp[i]].ops[ps->v[comp[i]].nops++] = (uint32_t)i;
    for (size_t p = 0; p < ps->n; p++)
        sort_by_call(h, &ps->v[p]);
    qsort(ps->v, ps->n, sizeof *ps->v, by_size);
    ps->part_of = lin_history_calloc(h->nops, sizeof *ps->part_of);
    for (size_t p = 0; p < ps->n; p++)
        for (size_t k = 0; k < ps->v[p].nops; k++)
            ps->part_of[ps->v[p].ops[k]] = (uint32_t)p;
    free(nslots), free(comp), free(key_slot), free(ids), free(m.keys), free(m.table);
}

void lin_part_free(lin_parts *ps)
{
    for (size_t p = 0; p < ps->n; p++) {
        free(ps->v[p].ops);
        free(ps->v[p].keys);
    }
    free(ps->v), free(ps->slot_off), free(ps->slots), free(ps->part_of);
    memset(ps, 0, sizeof *ps);
}
