/* path.c: counterexamples and goal traces (see path.h). */
#include "path.h"

#include <inttypes.h>
#include <stdlib.h>

#include "canon.h"

void path_free(Path *p)
{
    free(p->states), free(p->hos), free(p->bits);
    memset(p, 0, sizeof *p);
}

int path_alloc(Path *p, const Mc *m, int64_t depth)
{
    p->depth = depth;
    p->states = malloc(m->key * (size_t)(depth + 1));
    p->hos = calloc(HOC_MAXN * (size_t)(depth + 1), sizeof *p->hos);
    p->bits = calloc(HOC_MAXN * (size_t)(depth + 1), sizeof *p->bits);
    return p->states && p->hos && p->bits ? 0 : -1;
}

void path_note(Path *p, int64_t d, const Step *s)
{
    memcpy(p->hos + HOC_MAXN * (size_t)d, s->ho, sizeof s->ho);
    memcpy(p->bits + HOC_MAXN * (size_t)d, s->bits, sizeof s->bits);
}

int path_append(Path *dst, const Path *seg, const Mc *m)
{
    if (!dst->states) {
        if (path_alloc(dst, m, seg->depth) != 0) return -1;
        memcpy(dst->states, seg->states, m->key * (size_t)(seg->depth + 1));
        memcpy(dst->hos, seg->hos, sizeof *dst->hos * HOC_MAXN * (size_t)(seg->depth + 1));
        memcpy(dst->bits, seg->bits, sizeof *dst->bits * HOC_MAXN * (size_t)(seg->depth + 1));
        return 0;
    }
    Path p;
    if (path_alloc(&p, m, dst->depth + seg->depth) != 0) {
        path_free(&p);
        return -1;
    }
    size_t d0 = (size_t)dst->depth + 1, d1 = (size_t)seg->depth;
    memcpy(p.states, dst->states, m->key * d0);
    memcpy(p.states + m->key * d0, seg->states + m->key, m->key * d1);
    memcpy(p.hos, dst->hos, sizeof *p.hos * HOC_MAXN * d0);
    memcpy(p.hos + HOC_MAXN * d0, seg->hos + HOC_MAXN, sizeof *p.hos * HOC_MAXN * d1);
    memcpy(p.bits, dst->bits, sizeof *p.bits * HOC_MAXN * d0);
    memcpy(p.bits + HOC_MAXN * d0, seg->bits + HOC_MAXN, sizeof *p.bits * HOC_MAXN * d1);
    path_free(dst);
    *dst = p;
    return 0;
}

/* Finds an initial state whose canonical form is arg[0] and writes it,
 * ordered but with its ghosts, to arg[1]. */
static int find_initial(Mc *m, Worker *w, uint8_t *k, void *arg)
{
    uint8_t **io = arg;
    memcpy(w->cur, k, m->key);
    canon_form(m, w->cur, w->next, w->rank_scratch);
    if (memcmp(w->cur, io[0], m->key) != 0) return 0;
    memcpy(io[1], k, m->key);
    canon_order(m, io[1], w->next, w->rank_scratch);
    return 1;
}

/* A successor looked for: one whose canonical form is target. */
typedef struct Find {
    const uint8_t *target;
    Step step;
    bool ok;
} Find;

static int visit_find(Worker *w, uint8_t *succ, const hoc_set *ho, void *arg)
{
    Find *f = arg;
    Mc *m = w->m;
    uint8_t *c = malloc(m->key);
    if (!c) return -1;
    memcpy(c, succ, m->key);
    canon_form(m, c, w->next, w->rank_scratch);
    bool same = memcmp(c, f->target, m->key) == 0;
    free(c);
    if (!same) return 0;
    succ_keep(w, &f->step, succ, ho);
    f->ok = true;
    return 1;
}

/* The indices of the stored states from a root to idx; NULL when out of memory. */
static int64_t *stored_path(const Mc *m, int64_t idx, int64_t *depth)
{
    *depth = 0;
    for (int64_t i = idx; store_parent(&m->st, i) >= 0; i = store_parent(&m->st, i))
        ++*depth;
    int64_t *path = malloc(sizeof *path * (size_t)(*depth + 1));
    if (!path) return NULL;
    for (int64_t i = idx, d = *depth; d >= 0; i = store_parent(&m->st, i), d--)
        path[d] = i;
    return path;
}

int path_rebuild(Mc *m, Worker *w, int64_t idx, Path *out)
{
    int64_t depth;
    int64_t *path = stored_path(m, idx, &depth);
    if (!path || path_alloc(out, m, depth) != 0) {
        free(path);
        path_free(out);
        return -1;
    }
    /* a stored root lacks its untracked ghosts: start from the real initial state */
    uint8_t *io[2] = {store_key(&m->st, path[0]), out->states};
    bool ok = true;
    if (m->nforget && m->roots_initial)
        ok = succ_initial(m, w, find_initial, io) == 1;
    else
        memcpy(out->states, io[0], m->key);
    int64_t d = 1;
    for (; ok && d <= depth; d++) {
        Find fd = {.target = store_key(&m->st, path[d]),
                   .step.state = out->states + m->key * (size_t)d};
        succ_each(w, out->states + m->key * (size_t)(d - 1), visit_find, &fd);
        path_note(out, d, &fd.step);
        ok = fd.ok;
    }
    free(path);
    if (ok) return 0;
    if (d == 1)
        fprintf(m->out, "hoc check: internal error: the trace has no initial state\n");
    else
        fprintf(m->out,
                "hoc check: internal error: the trace cannot be rebuilt at round %" PRId64 "\n",
                d - 2);
    path_free(out);
    return -1;
}

void path_print(const Mc *m, const Path *p, int64_t depth)
{
    TraceInfo t = {.a = m->a,
                   .n = m->n,
                   .key = m->key,
                   .params = m->o->params,
                   .source = m->o->source,
                   .violation = m->bad_spec >= 0 ? m->a->specs[m->bad_spec].name : "",
                   .skipped = m->o->skip,
                   .cti = m->cti,
                   .stage = m->stage >= 0 ? m->a->specs[m->stage].name : NULL};
    for (int i = 0, k = 0; i < m->a->nspecs && k < 8; i++)
        if (run_guides(m, i)) t.guides[k++] = m->a->specs[i].name;
    trace_print(m->out, &t, p->states, p->hos, p->bits, depth);
    if (m->o->trace_path) trace_write(m->o->trace_path, &t, p->states, p->hos, p->bits, depth);
}
