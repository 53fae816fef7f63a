/* rank.c: stamps ranked, the phase kept modulo its period (see rank.h). */
#include "rank.h"

#include <stdlib.h>
#include <string.h>

int rank_init(RankMap *r, const hoc_algo *a, int n, const int64_t *params, bool abstract)
{
    memset(r, 0, sizeof *r);
    r->nrounds = a->nrounds, r->n = n, r->ssz = a->state_size;
    /* every element, unused ones too (they hold never): an array of
     * process-indexed rows need not keep its used slots first */
    size_t total = 0;
    for (int i = 0; i < a->nfields; i++)
        if (a->fields[i].kind == HOC_K_STAMP) total += a->fields[i].count;
    r->off = malloc((total ? total : 1) * sizeof *r->off);
    if (!r->off) return -1;
    for (int i = 0; i < a->nfields; i++) {
        const hoc_field *f = &a->fields[i];
        if (f->kind != HOC_K_STAMP) continue;
        for (uint32_t j = 0; j < f->count; j++)
            r->off[r->count++] = f->offset + j * sizeof(int64_t);
    }
    if (abstract && a->uses_round && a->phase_period) {
        int64_t period = a->phase_period(params);
        r->period = period > 0 ? period : 0;
    }
    return 0;
}

void rank_free(RankMap *r)
{
    free(r->off);
    r->off = NULL;
}

size_t rank_scratch(const RankMap *r)
{
    return (size_t)r->count * (size_t)r->n + 1;
}

static int cmp_i64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

/* Index of v in the sorted, distinct vals[0..k). */
static size_t find(const int64_t *vals, size_t k, int64_t v)
{
    size_t lo = 0, hi = k;
    while (lo + 1 < hi) {
        size_t mid = (lo + hi) / 2;
        if (vals[mid] <= v)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

void rank_apply(const RankMap *r, int64_t *round, uint8_t *procs, int64_t *scratch)
{
    if (r->period <= 0) return;
    int64_t phase = *round / r->nrounds, pos = *round % r->nrounds;
    int64_t now = hoc_stamp(phase); /* stamps are stored as phase + 1, never as 0 */
    size_t k = 0;
    scratch[k++] = now;
    for (int p = 0; p < r->n; p++)
        for (int i = 0; i < r->count; i++) {
            int64_t v;
            memcpy(&v, procs + (size_t)p * r->ssz + r->off[i], 8);
            if (v != HOC_NEVER) scratch[k++] = v;
        }
    qsort(scratch, k, sizeof *scratch, cmp_i64);
    size_t d = 0;
    for (size_t i = 0; i < k; i++)
        if (d == 0 || scratch[i] != scratch[d - 1]) scratch[d++] = scratch[i];
    /* the phases below the current one become 0, 1, ..., c - 1; the current
     * one the least value >= c with the same remainder modulo the period */
    int64_t c = (int64_t)find(scratch, d, now);
    int64_t canon = c + hoc_emod(phase - c, r->period);
    for (int p = 0; p < r->n; p++)
        for (int i = 0; i < r->count; i++) {
            uint8_t *slot = procs + (size_t)p * r->ssz + r->off[i];
            int64_t v;
            memcpy(&v, slot, 8);
            if (v == HOC_NEVER) continue;
            int64_t j = (int64_t)find(scratch, d, v);
            /* a stamp past the current phase cannot arise; keep its order anyway */
            int64_t w = j < c ? hoc_stamp(j) : hoc_stamp(canon + (j - c));
            memcpy(slot, &w, 8);
        }
    *round = canon * r->nrounds + pos;
}
