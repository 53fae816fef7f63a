/* canon.c: canonical forms of global states (see canon.h). */
#include "canon.h"

#include <stdlib.h>

/* Sorts process states (with their crashed bits): the canonical member of a
 * symmetry class. */
static void sort_procs(const Mc *m, uint8_t *k, uint8_t *tmp)
{
    int n = m->n;
    uint64_t crashed = *key_crashed(k), out = 0;
    int idx[HOC_MAXN];
    for (int i = 0; i < n; i++)
        idx[i] = i;
    for (int i = 1; i < n; i++) {
        int v = idx[i], j = i;
        for (; j > 0; j--) {
            int u = idx[j - 1];
            int cu = (int)((crashed >> u) & 1), cv = (int)((crashed >> v) & 1);
            int c = cu != cv ? cu - cv : memcmp(key_proc(m, k, u), key_proc(m, k, v), m->ssz);
            if (c <= 0) break;
            idx[j] = u;
        }
        idx[j] = v;
    }
    for (int i = 0; i < n; i++) {
        memcpy(tmp + (size_t)i * m->ssz, key_proc(m, k, idx[i]), m->ssz);
        if ((crashed >> idx[i]) & 1) out |= (uint64_t)1 << i;
    }
    memcpy(key_proc(m, k, 0), tmp, (size_t)n * m->ssz);
    *key_crashed(k) = out;
}

void canon_order(const Mc *m, uint8_t *k, uint8_t *tmp, int64_t *scratch)
{
    rank_apply(&m->rank, key_round(k), key_proc(m, k, 0), scratch);
    if (m->sym) sort_procs(m, k, tmp);
}

/* Untracked ghosts are zeroed first, so that neither their stamps' ranks
 * nor the sort order depend on them. */
void canon_form(const Mc *m, uint8_t *k, uint8_t *tmp, int64_t *scratch)
{
    for (int p = 0; p < m->n; p++)
        for (int i = 0; i < m->nforget; i++)
            memset(key_proc(m, k, p) + m->forget[i].off, 0, m->forget[i].len);
    canon_order(m, k, tmp, scratch);
}

bool canon_same_tracked(const Mc *m, const uint8_t *x, const uint8_t *y)
{
    if (memcmp(x, y, m->ssz) == 0) return true;
    size_t from = 0; /* the spans are sorted */
    for (int i = 0; i < m->nforget; i++) {
        if (memcmp(x + from, y + from, m->forget[i].off - from) != 0) return false;
        from = m->forget[i].off + m->forget[i].len;
    }
    return m->nforget && memcmp(x + from, y + from, m->ssz - from) == 0;
}

static int cmp_span(const void *x, const void *y)
{
    size_t a = ((const Span *)x)->off, b = ((const Span *)y)->off;
    return (a > b) - (a < b);
}

int canon_forget_init(Mc *m)
{
    const hoc_algo *a = m->a;
    m->forget = malloc(((size_t)a->nfields + 1) * sizeof *m->forget);
    if (!m->forget) return -1;
    for (int i = 0; m->o->untracked && i < a->nfields; i++) {
        const hoc_field *f = &a->fields[i];
        if (m->o->untracked[i] && f->ghost)
            m->forget[m->nforget++] = (Span){f->offset, f->count * hoc_kind_size(f->kind)};
    }
    qsort(m->forget, (size_t)m->nforget, sizeof *m->forget, cmp_span);
    return 0;
}
