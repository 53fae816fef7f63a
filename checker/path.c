/* path.c: counterexamples and goal traces (see path.h). */
#include "path.h"

#include <inttypes.h>
#include <stdlib.h>

#include "canon.h"

void path_free(Path *p)
{
    free(p->states), free(p->hos), free(p->bits), free(p->envs);
    memset(p, 0, sizeof *p);
}

int path_alloc(Path *p, const Mc *m, int64_t depth)
{
    p->depth = depth;
    p->states = malloc(m->key * (size_t)(depth + 1));
    p->hos = calloc(HOC_MAXN * (size_t)(depth + 1), sizeof *p->hos);
    p->bits = calloc(HOC_MAXN * (size_t)(depth + 1), sizeof *p->bits);
    p->envs = calloc(HOC_MAXN * (size_t)(depth + 1), sizeof *p->envs);
    return p->states && p->hos && p->bits && p->envs ? 0 : -1;
}

void path_note(Path *p, int64_t d, const Step *s)
{
    memcpy(p->hos + HOC_MAXN * (size_t)d, s->ho, sizeof s->ho);
    memcpy(p->bits + HOC_MAXN * (size_t)d, s->bits, sizeof s->bits);
    memcpy(p->envs + HOC_MAXN * (size_t)d, s->env, sizeof s->env);
}

int path_append(Path *dst, const Path *seg, const Mc *m)
{
    if (!dst->states) {
        if (path_alloc(dst, m, seg->depth) != 0) return -1;
        memcpy(dst->states, seg->states, m->key * (size_t)(seg->depth + 1));
        memcpy(dst->hos, seg->hos, sizeof *dst->hos * HOC_MAXN * (size_t)(seg->depth + 1));
        memcpy(dst->bits, seg->bits, sizeof *dst->bits * HOC_MAXN * (size_t)(seg->depth + 1));
        memcpy(dst->envs, seg->envs, sizeof *dst->envs * HOC_MAXN * (size_t)(seg->depth + 1));
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
    memcpy(p.envs, dst->envs, sizeof *p.envs * HOC_MAXN * d0);
    memcpy(p.envs + HOC_MAXN * d0, seg->envs + HOC_MAXN, sizeof *p.envs * HOC_MAXN * d1);
    path_free(dst);
    *dst = p;
    return 0;
}

/* The fingerprint of the canonical form of state k, through scratch c. */
static uint64_t canon_fp(Worker *w, const uint8_t *k, uint8_t *c)
{
    Mc *m = w->m;
    memcpy(c, k, m->key);
    canon_form(m, c, w->next, w->rank_scratch);
    return fpset_hash(c, m->key);
}

/* What rebuilding a step looks for: a state whose canonical form has
 * fingerprint fp. */
typedef struct Find {
    uint64_t fp;
    uint8_t *scratch; /* a key */
    Step step;        /* where it goes, and the choices that led there */
    bool ok;
} Find;

static int find_initial(Mc *m, Worker *w, uint8_t *k, void *arg)
{
    Find *f = arg;
    if (canon_fp(w, k, f->scratch) != f->fp) return 0;
    /* the real initial state, with its untracked ghosts, in canonical order */
    memcpy(f->step.state, k, m->key);
    canon_order(m, f->step.state, w->next, w->rank_scratch);
    f->ok = true;
    return 1;
}

static int visit_find(Worker *w, uint8_t *succ, const hoc_set *ho, void *arg)
{
    Find *f = arg;
    if (canon_fp(w, succ, f->scratch) != f->fp) return 0;
    succ_keep(w, &f->step, succ, ho);
    f->ok = true;
    return 1;
}

/* The fingerprints of the stored states from a root to state idx, read off
 * the trace log (depth + 1 of them, root first); NULL when out of memory or
 * the log cannot be read. */
static uint64_t *stored_path(const Mc *m, int64_t idx, int64_t *depth)
{
    int64_t n = 0;
    for (int64_t i = idx, p; i >= 0; i = p, n++) {
        uint64_t fp;
        if (store_lineage(&m->st, i, &p, &fp) != 0) return NULL;
    }
    uint64_t *fps = malloc(sizeof *fps * (size_t)(n ? n : 1));
    if (!fps) return NULL;
    *depth = n - 1;
    for (int64_t i = idx, p, d = n - 1; i >= 0; i = p, d--)
        if (store_lineage(&m->st, i, &p, &fps[d]) != 0) {
            free(fps);
            return NULL;
        }
    return fps;
}

int path_rebuild(Mc *m, Worker *w, int64_t idx, Path *out)
{
    int64_t depth;
    uint64_t *fps = stored_path(m, idx, &depth);
    uint8_t *scratch = malloc(m->key);
    if (!fps || !scratch || path_alloc(out, m, depth) != 0) {
        free(fps), free(scratch);
        path_free(out);
        return -1;
    }
    Find f = {.fp = fps[0], .scratch = scratch, .step.state = out->states};
    if (m->roots_initial) {
        succ_initial(m, w, find_initial, &f);
    } else {
        memcpy(out->states, m->root, m->key);
        f.ok = fpset_hash(m->root, m->key) == fps[0];
    }
    int64_t d = 1;
    for (; f.ok && d <= depth; d++) {
        f = (Find){
            .fp = fps[d], .scratch = scratch, .step.state = out->states + m->key * (size_t)d};
        succ_each(w, out->states + m->key * (size_t)(d - 1), visit_find, &f);
        path_note(out, d, &f.step);
    }
    free(fps), free(scratch);
    if (f.ok) return 0;
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
                   .ev = &m->ev,
                   .envs = p->envs,
                   .stage = m->stage >= 0 ? m->a->specs[m->stage].name : NULL};
    for (int i = 0, k = 0; i < m->a->nspecs && k < TRACE_GUIDES; i++)
        if (run_guides(m, i)) t.guides[k++] = m->a->specs[i].name;
    trace_print(m->out, &t, p->states, p->hos, p->bits, depth);
    if (m->o->trace_path) trace_write(m->o->trace_path, &t, p->states, p->hos, p->bits, depth);
}
