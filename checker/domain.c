/* domain.c: the process states of a small domain, as an odometer over every
 * scalar slot of the state (see domain.h). */
#include "domain.h"

#include <stdlib.h>
#include <string.h>

typedef struct Slot {
    size_t off;
    hoc_kind kind;
    int64_t size; /* how many values it takes */
} Slot;

static int64_t slot_size(const hoc_field *f, int n, int values)
{
    switch (f->kind) {
    case HOC_K_INT:
        return values;
    case HOC_K_STAMP:
        return values + 1;
    case HOC_K_BOOL:
        return strcmp(f->name, "hoc_halted") == 0 ? 1 : 2;
    case HOC_K_PID:
        return n;
    case HOC_K_ENUM:
        return f->enum_count ? f->enum_count : 1;
    case HOC_K_SET:
        return n < 40 ? (int64_t)1 << n : INT64_MAX; /* too many either way */
    default:
        return 1; /* byte blocks stay zero */
    }
}

static void put(uint8_t *st, const Slot *s, int64_t i)
{
    if (s->kind == HOC_K_BYTES) return;
    size_t w = hoc_kind_size(s->kind);
    if (w == 8) {
        int64_t v = i; /* a stamp's i is already its stored form: never, then p + 1 */
        memcpy(st + s->off, &v, 8);
    } else if (w == 4) {
        int32_t v = (int32_t)i;
        memcpy(st + s->off, &v, 4);
    } else {
        st[s->off] = (uint8_t)i;
    }
}

int dom_states(const hoc_algo *a, int n, int values, int64_t limit, DomStates *out)
{
    memset(out, 0, sizeof *out);
    int nslots = 0;
    for (int i = 0; i < a->nfields; i++) {
        const hoc_field *f = &a->fields[i];
        if (f->kind == HOC_K_BYTES) continue;
        nslots += (int)(f->per_process ? f->count / (uint32_t)a->maxn * (uint32_t)n : f->count);
    }
    Slot *slots = malloc(sizeof *slots * (size_t)(nslots ? nslots : 1));
    int64_t *digit = calloc((size_t)(nslots ? nslots : 1), sizeof *digit);
    if (!slots || !digit) {
        free(slots), free(digit);
        return -1;
    }
    int k = 0;
    int64_t total = 1;
    for (int i = 0; i < a->nfields; i++) {
        const hoc_field *f = &a->fields[i];
        if (f->kind == HOC_K_BYTES) continue;
        uint32_t used = f->per_process ? f->count / (uint32_t)a->maxn * (uint32_t)n : f->count;
        for (uint32_t j = 0; j < used; j++) {
            slots[k] =
                (Slot){f->offset + j * hoc_kind_size(f->kind), f->kind, slot_size(f, n, values)};
            if (total > limit / slots[k].size) {
                total = limit + 1;
                break;
            }
            total *= slots[k++].size;
        }
        if (total > limit) break;
    }
    int rc = 1;
    if (total > limit) goto done;
    rc = -1;
    out->states = calloc((size_t)total, a->state_size);
    if (!out->states) goto done;
    for (int64_t c = 0; c < total; c++) {
        uint8_t *st = out->states + (size_t)c * a->state_size;
        for (int s = 0; s < nslots; s++)
            put(st, &slots[s], digit[s]);
        for (int s = 0; s < nslots && ++digit[s] == slots[s].size; s++)
            digit[s] = 0;
    }
    out->count = total;
    rc = 0;
done:
    free(slots), free(digit);
    return rc;
}

void dom_free(DomStates *d)
{
    free(d->states);
    d->states = NULL;
    d->count = 0;
}
