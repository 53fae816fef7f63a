/* xtree.c: the explorer's event tree (see xtree.h). */
#include "xtree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int xt_init(xt_tree *t, const hoc_algo *a, int n, const int64_t *params)
{
    memset(t, 0, sizeof *t);
    t->a = a, t->n = n;
    memcpy(t->params, params, sizeof t->params);
    t->box = calloc((size_t)n * HOC_MAXN, a->msg_size ? a->msg_size : 1);
    t->msgs = calloc(HOC_MAXN, a->msg_size ? a->msg_size : 1);
    t->judge = calloc(1, sizeof *t->judge);
    return t->box && t->msgs && t->judge ? 0 : -1;
}

static void node_free(xt_node *x)
{
    free(x->ho), free(x->oracle), free(x->states), free(x->outputs), free(x->inputs);
    free(x->env);
}

void xt_free(xt_tree *t)
{
    for (int i = 0; i < t->count; i++)
        node_free(&t->nodes[i]);
    free(t->nodes), free(t->box), free(t->msgs), free(t->judge);
    memset(t, 0, sizeof *t);
}

/* A fresh zeroed node at the end of the tree; NULL when out of room. */
static xt_node *node_new(xt_tree *t, int parent, const char *label)
{
    if (t->count >= XT_MAXNODES) return NULL;
    if (t->count == t->cap) {
        int cap = t->cap ? t->cap * 2 : 64;
        xt_node *nn = realloc(t->nodes, sizeof *nn * (size_t)cap);
        if (!nn) return NULL;
        t->nodes = nn, t->cap = cap;
    }
    xt_node *x = &t->nodes[t->count];
    memset(x, 0, sizeof *x);
    size_t n = (size_t)t->n;
    x->parent = parent;
    x->ho = calloc(n, sizeof *x->ho);
    x->oracle = calloc(n, sizeof *x->oracle);
    x->states = calloc(n, t->a->state_size);
    x->outputs = calloc(n, t->a->outputs_size ? t->a->outputs_size : 1);
    snprintf(x->label, sizeof x->label, "%s", label);
    if (!x->ho || !x->oracle || !x->states || !x->outputs) {
        node_free(x);
        return NULL;
    }
    t->count++;
    return x;
}

bool xt_inputs_ok(const xt_tree *t, const int64_t *inputs, char *err, size_t errn)
{
    const hoc_algo *a = t->a;
    for (int p = 0; p < t->n; p++)
        for (int i = 0; i < a->ninputs; i++) {
            const hoc_field *fd = &a->inputs[i];
            int64_t v = inputs[p * a->ninputs + i];
            int64_t hi = fd->kind == HOC_K_BOOL   ? 1
                         : fd->kind == HOC_K_PID  ? t->n - 1
                         : fd->kind == HOC_K_ENUM ? (int64_t)fd->enum_count - 1
                                                  : INT64_MAX;
            if ((fd->kind != HOC_K_INT && v < 0) || v > hi) {
                snprintf(err, errn, "input %s of p%d is %lld, outside 0..%lld", fd->name, p,
                         (long long)v, (long long)hi);
                return false;
            }
        }
    return true;
}

int xt_root(xt_tree *t, const int64_t *inputs, const char *label)
{
    const hoc_algo *a = t->a;
    size_t nin = (size_t)t->n * (size_t)a->ninputs;
    for (int i = 0; i < t->count; i++)
        if (t->nodes[i].inputs && memcmp(t->nodes[i].inputs, inputs, nin * sizeof *inputs) == 0)
            return i;
    xt_node *x = node_new(t, -1, label);
    if (!x) return -1;
    x->inputs = calloc(nin + 1, sizeof *x->inputs);
    if (!x->inputs) {
        t->count--;
        node_free(x);
        return -1;
    }
    memcpy(x->inputs, inputs, nin * sizeof *inputs);
    for (int p = 0; p < t->n; p++) {
        hoc_env env = {p, t->n, 0, t->params, 0};
        a->init(x->states + (size_t)p * a->state_size, &env, inputs + (size_t)p * a->ninputs);
    }
    return t->count - 1;
}

int xt_root_states(xt_tree *t, const uint8_t *states, int64_t round, const char *label)
{
    xt_node *x = node_new(t, -1, label);
    if (!x) return -1;
    memcpy(x->states, states, (size_t)t->n * t->a->state_size);
    x->round = round;
    return t->count - 1;
}

void xt_truncate(xt_tree *t, int count)
{
    while (t->count > count && t->count > 0)
        node_free(&t->nodes[--t->count]);
}

const uint8_t *xt_state(const xt_tree *t, int id, int p)
{
    return t->nodes[id].states + (size_t)p * t->a->state_size;
}

bool xt_halted(const xt_tree *t, int id, int p)
{
    return xt_state(t, id, p)[t->a->halted_offset] != 0;
}

size_t xt_sends(xt_tree *t, int from)
{
    const hoc_algo *a = t->a;
    const xt_node *x = &t->nodes[from];
    const hoc_round *rd = &a->rounds[x->round % a->nrounds];
    memset(t->box, 0, (size_t)t->n * HOC_MAXN * a->msg_size);
    for (int p = 0; p < t->n; p++) {
        t->to[p] = 0;
        if (((x->crashed >> p) & 1) || xt_halted(t, from, p)) continue;
        hoc_env env = {p, t->n, x->round, t->params, 0};
        rd->send(xt_state(t, from, p), &env, &t->to[p],
                 t->box + (size_t)p * HOC_MAXN * rd->msg_size);
    }
    return rd->msg_size;
}

/* Whether env (n steps, or NULL) does nothing at all. */
static bool env_empty(const xt_tree *t, const simenv_step *env)
{
    for (int q = 0; env && q < t->n; q++)
        if (env[q].replaced || env[q].count) return false;
    return true;
}

/* Do two environments (n steps each, or NULL) do the same? Field by field:
 * a struct's padding is not part of its value. */
static bool same_env(const xt_tree *t, const simenv_step *x, const simenv_step *y)
{
    if (env_empty(t, x) || env_empty(t, y)) return env_empty(t, x) && env_empty(t, y);
    for (int q = 0; q < t->n; q++) {
        const simenv_step *a = &x[q], *b = &y[q];
        if (a->replaced != b->replaced || a->count != b->count) return false;
        for (int k = 0; k < a->count; k++) {
            int nargs = t->a->events[a->event[k]].nargs < 8 ? t->a->events[a->event[k]].nargs : 8;
            if (a->event[k] != b->event[k] ||
                memcmp(a->args[k], b->args[k], sizeof a->args[k][0] * (size_t)nargs) != 0)
                return false;
        }
    }
    return true;
}

bool xt_has_env(const xt_tree *t, int id)
{
    return !env_empty(t, t->nodes[id].env);
}

/* Does child c of `from` record exactly these choices? */
static bool same_choice(const xt_tree *t, const xt_node *c, const hoc_set *ho, uint64_t after,
                        const uint64_t *oracle, const simenv_step *env)
{
    if (c->crashed != after || !same_env(t, c->env, env)) return false;
    for (int q = 0; q < t->n; q++) /* heard-of sets hold processes only, as stored */
        if (c->ho[q] != (ho[q] & hoc_set_all(t->n)) || c->oracle[q] != (oracle ? oracle[q] : 0))
            return false;
    return true;
}

int xt_step(xt_tree *t, int from, const hoc_set *ho, uint64_t after, const uint64_t *oracle,
            const simenv_step *env, const char *label)
{
    const hoc_algo *a = t->a;
    after |= t->nodes[from].crashed; /* a crash is forever */
    for (int i = from + 1; i < t->count; i++)
        if (t->nodes[i].parent == from && same_choice(t, &t->nodes[i], ho, after, oracle, env))
            return i;
    size_t rsz = xt_sends(t, from);
    xt_node *x = node_new(t, from, label);
    if (!x) return -1;
    if (!env_empty(t, env)) {
        x->env = malloc(sizeof *x->env * (size_t)t->n);
        if (!x->env) {
            t->count--;
            node_free(x);
            return -1;
        }
        memcpy(x->env, env, sizeof *x->env * (size_t)t->n);
    }
    const xt_node *p0 = &t->nodes[from]; /* node_new may move the array */
    x->round = p0->round + 1, x->crashed = after;
    memcpy(x->states, p0->states, (size_t)t->n * a->state_size);
    const hoc_round *rd = &a->rounds[p0->round % a->nrounds];
    for (int q = 0; q < t->n; q++) {
        x->ho[q] = ho[q] & hoc_set_all(t->n);
        x->oracle[q] = oracle ? oracle[q] : 0;
        uint8_t *st = x->states + (size_t)q * a->state_size;
        if ((after >> q) & 1) st[a->crashed_offset] = 1; /* crashed[q] in specs */
        if (((after >> q) & 1) || st[a->halted_offset]) continue;
        hoc_set from_set = 0;
        memset(t->msgs, 0, (size_t)HOC_MAXN * a->msg_size);
        for (int p = 0; p < t->n; p++)
            if (hoc_set_has(x->ho[q], p) && hoc_set_has(t->to[p], q)) {
                from_set |= hoc_set_one(p);
                memcpy(t->msgs + (size_t)p * rsz, t->box + ((size_t)p * HOC_MAXN + (size_t)q) * rsz,
                       rsz);
            }
        hoc_env henv = {q, t->n, p0->round, t->params, x->oracle[q]};
        uint8_t *out = x->outputs + (size_t)q * a->outputs_size;
        rd->update(st, &henv, from_set, t->msgs, out);
        /* after the update, as hoc check and hoc sim --replay: what the
         * handlers and the replaced block output joins the round's outputs */
        if (x->env && !st[a->halted_offset]) simenv_apply(a, &x->env[q], st, &henv, out);
    }
    return t->count - 1;
}

bool xt_judged(const xt_tree *t, int i)
{
    hoc_spec_kind k = t->a->specs[i].kind;
    return k == HOC_INVARIANT || k == HOC_PROPERTY;
}

/* Spec i over the given states with node id's heard-of sets. */
static bool holds_on(const xt_tree *t, int id, int i, const uint8_t *states)
{
    hoc_set ho[HOC_MAXN] = {0};
    if (t->nodes[id].parent >= 0) memcpy(ho, t->nodes[id].ho, sizeof *ho * (size_t)t->n);
    return hoc_spec_judge(&t->a->specs[i], states, t->params, ho, t->judge);
}

bool xt_holds(const xt_tree *t, int id, int i)
{
    return holds_on(t, id, i, t->nodes[id].states);
}

/* Does putting back the pre-round states of the processes in s make spec i
 * hold in node id? */
static bool revert_fixes(xt_tree *t, int id, int i, hoc_set s, uint8_t *tmp)
{
    const xt_node *x = &t->nodes[id], *p = &t->nodes[x->parent];
    size_t sz = t->a->state_size;
    memcpy(tmp, x->states, (size_t)t->n * sz);
    for (int q = hoc_set_min(s); q >= 0; q = hoc_set_next(s, q))
        memcpy(tmp + (size_t)q * sz, p->states + (size_t)q * sz, sz);
    return holds_on(t, id, i, tmp);
}

hoc_set xt_blame(xt_tree *t, int id, int i)
{
    if (t->nodes[id].parent < 0) return 0;
    uint8_t *tmp = malloc((size_t)t->n * t->a->state_size);
    if (!tmp) return 0;
    hoc_set found = 0, all = hoc_set_all(t->n);
    /* sets of one, two, then three processes: the smallest explanation (pairs
     * and triples only for small n, where they stay cheap) */
    for (int k = 1; k <= (t->n <= 16 ? 3 : 1) && !found; k++)
        for (int a = 0; a < t->n && !found; a++)
            for (int b = k > 1 ? a + 1 : a; b < t->n && !found; b++)
                for (int c = k > 2 ? b + 1 : b; c < t->n && !found; c++) {
                    hoc_set s = (hoc_set_one(a) | hoc_set_one(b) | hoc_set_one(c)) & all;
                    if (hoc_set_size(s) == k && revert_fixes(t, id, i, s, tmp)) found = s;
                }
    free(tmp);
    return found;
}
