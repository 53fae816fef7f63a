/* ledger.c: ended instances in a chained hash table that doubles as it
 * fills (see ledger.h). */
#include "ledger.h"

#include <stdlib.h>
#include <string.h>

typedef struct Entry {
    uint64_t inst;
    struct Entry *next;
    bool decided;
    size_t len;
    uint8_t value[]; /* len bytes */
} Entry;

struct hoc_ledger {
    Entry **buckets;
    size_t nbuckets; /* a power of two */
    size_t count, bytes;
    uint64_t floor;
};

static size_t slot_of(const hoc_ledger *l, uint64_t k)
{
    return (size_t)((k * 0x9e3779b97f4a7c15u) >> 17) & (l->nbuckets - 1);
}

hoc_ledger *hoc_ledger_new(void)
{
    hoc_ledger *l = calloc(1, sizeof *l);
    if (!l) return NULL;
    l->nbuckets = 1024;
    l->buckets = calloc(l->nbuckets, sizeof *l->buckets);
    if (!l->buckets) {
        free(l);
        return NULL;
    }
    return l;
}

void hoc_ledger_free(hoc_ledger *l)
{
    if (!l) return;
    for (size_t b = 0; b < l->nbuckets; b++)
        for (Entry *e = l->buckets[b], *nx; e; e = nx)
            nx = e->next, free(e);
    free(l->buckets);
    free(l);
}

static Entry *find(const hoc_ledger *l, uint64_t inst)
{
    for (Entry *e = l->buckets[slot_of(l, inst)]; e; e = e->next)
        if (e->inst == inst) return e;
    return NULL;
}

/* Doubles the table at load 1; stays as it is if memory runs out (chains
 * just grow longer). */
static void grow(hoc_ledger *l)
{
    size_t nb = l->nbuckets * 2;
    Entry **b = calloc(nb, sizeof *b);
    if (!b) return;
    Entry **old = l->buckets;
    size_t ob = l->nbuckets;
    l->buckets = b, l->nbuckets = nb;
    for (size_t i = 0; i < ob; i++)
        for (Entry *e = old[i], *nx; e; e = nx) {
            nx = e->next;
            size_t s = slot_of(l, e->inst);
            e->next = b[s];
            b[s] = e;
        }
    free(old);
}

/* Adds an entry; 1, 0 when known or below the floor, -1 out of memory. */
static int add(hoc_ledger *l, uint64_t inst, bool decided, const uint8_t *v, size_t len)
{
    if (inst < l->floor || find(l, inst)) return 0;
    Entry *e = malloc(sizeof *e + len);
    if (!e) return -1;
    e->inst = inst, e->decided = decided, e->len = len;
    if (len) memcpy(e->value, v, len);
    if (l->count >= l->nbuckets) grow(l);
    size_t s = slot_of(l, inst);
    e->next = l->buckets[s];
    l->buckets[s] = e;
    l->count++;
    l->bytes += len;
    return 1;
}

int hoc_ledger_decide(hoc_ledger *l, uint64_t inst, const uint8_t *v, size_t len)
{
    return add(l, inst, true, v, len);
}

void hoc_ledger_end(hoc_ledger *l, uint64_t inst)
{
    add(l, inst, false, NULL, 0);
}

hoc_inst_status hoc_ledger_get(const hoc_ledger *l, uint64_t inst, const uint8_t **v, size_t *len)
{
    *v = NULL, *len = 0;
    if (inst < l->floor) return HOC_INST_IGNORE;
    const Entry *e = find(l, inst);
    if (!e) return HOC_INST_NEW;
    if (!e->decided) return HOC_INST_IGNORE;
    *v = e->value, *len = e->len;
    return HOC_INST_DECIDED;
}

void hoc_ledger_forget_below(hoc_ledger *l, uint64_t floor)
{
    if (floor <= l->floor) return;
    l->floor = floor;
    for (size_t b = 0; b < l->nbuckets; b++)
        for (Entry **pp = &l->buckets[b]; *pp;) {
            Entry *e = *pp;
            if (e->inst >= floor) {
                pp = &e->next;
                continue;
            }
            *pp = e->next;
            l->count--;
            l->bytes -= e->len;
            free(e);
        }
}

uint64_t hoc_ledger_floor(const hoc_ledger *l)
{
    return l->floor;
}

size_t hoc_ledger_count(const hoc_ledger *l)
{
    return l->count;
}

size_t hoc_ledger_bytes(const hoc_ledger *l)
{
    return l->bytes;
}
