/* idset.c: see idset.h. Keys are stored as id + 1 so that 0 marks a free
 * slot; the table doubles before it is half full. */
#include "idset.h"

#include <stdlib.h>

static size_t slot_of(unsigned key, size_t cap)
{
    return (key * 2654435761u) & (cap - 1);
}

static void grow(IdSet *s)
{
    size_t nc = s->cap ? s->cap * 2 : 256;
    unsigned *nv = calloc(nc, sizeof *nv);
    if (!nv) abort();
    for (size_t i = 0; i < s->cap; i++)
        if (s->v[i]) {
            size_t h = slot_of(s->v[i], nc);
            while (nv[h])
                h = (h + 1) & (nc - 1);
            nv[h] = s->v[i];
        }
    free(s->v);
    s->v = nv;
    s->cap = nc;
}

bool idset_add(IdSet *s, unsigned id)
{
    if (s->n * 2 + 2 > s->cap) grow(s);
    unsigned key = id + 1;
    size_t h = slot_of(key, s->cap);
    while (s->v[h]) {
        if (s->v[h] == key) return false;
        h = (h + 1) & (s->cap - 1);
    }
    s->v[h] = key;
    s->n++;
    return true;
}

bool idset_has(const IdSet *s, unsigned id)
{
    if (!s->cap) return false;
    unsigned key = id + 1;
    size_t h = slot_of(key, s->cap);
    while (s->v[h]) {
        if (s->v[h] == key) return true;
        h = (h + 1) & (s->cap - 1);
    }
    return false;
}

void idset_free(IdSet *s)
{
    free(s->v);
    *s = (IdSet){0};
}
