/* modelrun.c: a failed obligation's model run in the generated C (modelrun.h). */
#include "modelrun.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "concrete.h"
#include "value.h"

/* The run: the algorithm, the model, and the states at n processes. */
typedef struct Mr {
    const hoc_algo *a;
    const Algo *al;
    const VcModel *m;
    uint8_t *states;
    char *why;
    size_t whyn;
} Mr;

static int spec_index(const hoc_algo *a, const char *name)
{
    for (int i = 0; i < a->nspecs; i++)
        if (strcmp(a->specs[i].name, name) == 0) return i;
    return -1;
}

static uint8_t *state_of(const Mr *r, int p)
{
    return r->states + (size_t)p * r->a->state_size;
}

/* The model's value of slot k at every process into the state field of the
 * same name; false (why set) when there is no such scalar field. */
static bool put_slot(Mr *r, int k, bool inputs_only)
{
    const Decl *d = conc_slot(r->al, k);
    const hoc_field *fs = inputs_only ? r->a->inputs : r->a->fields;
    int nf = inputs_only ? r->a->ninputs : r->a->nfields;
    for (int i = 0; i < nf; i++) {
        const hoc_field *fd = &fs[i];
        if (strcmp(fd->name, d->name) != 0) continue;
        if (fd->count != 1 || fd->kind == HOC_K_BYTES) break;
        for (int p = 0; p < r->m->n; p++) {
            int64_t v = r->m->vals[(size_t)p * r->m->nslots + k];
            hoc_value_put(fd->kind, v, state_of(r, p) + fd->offset);
        }
        return true;
    }
    snprintf(r->why, r->whyn, "'%s' is no scalar of the compiled state", d->name);
    return false;
}

/* The model's state, before any round: its values and flags. */
static bool put_state(Mr *r)
{
    for (int k = 0; k < r->m->nslots; k++)
        if (!put_slot(r, k, false)) return false;
    for (int p = 0; p < r->m->n; p++) {
        state_of(r, p)[r->a->halted_offset] = r->m->halted[p];
        state_of(r, p)[r->a->crashed_offset] = r->m->crashed[p];
    }
    return true;
}

/* The initial states for the model's inputs. */
static void put_init(Mr *r)
{
    int64_t in[HOC_MAXINPUTS + 1] = {0};
    for (int p = 0; p < r->m->n; p++) {
        for (int i = 0; i < r->al->ninputs && i < HOC_MAXINPUTS; i++)
            in[i] = r->m->vals[(size_t)p * r->m->nslots + i];
        hoc_env env = {p, r->m->n, 0, r->m->params, 0};
        r->a->init(state_of(r, p), &env, in);
    }
}

/* Whether every spec of kind k holds (assumptions: of one round, with ho); the
 * first that does not is named in why. */
static bool all_hold(Mr *r, hoc_spec_kind k, const hoc_set *ho, const char *when)
{
    for (int i = 0; i < r->a->nspecs; i++) {
        const hoc_spec *sp = &r->a->specs[i];
        if (sp->kind != k || (k == HOC_ASSUME && sp->rounds != 0)) continue;
        if (sp->holds(r->states, r->m->params, ho)) continue;
        snprintf(r->why, r->whyn, "%s %s does not hold %s", hoc_spec_kind_name(k), sp->name, when);
        return false;
    }
    return true;
}

/* The model's round, as hoc sim runs one: the processes neither crashed nor
 * halted send; those not crashing now update from what they hear. */
static void run_round(Mr *r, int64_t round)
{
    const hoc_algo *a = r->a;
    const VcModel *m = r->m;
    const hoc_round *rd = &a->rounds[round % a->nrounds];
    size_t box = (size_t)HOC_MAXN * rd->msg_size;
    uint8_t *outbox = calloc((size_t)m->n, box + 1), *msgs = calloc(HOC_MAXN, rd->msg_size + 1);
    uint8_t *outputs = calloc(1, a->outputs_size + 1);
    hoc_set to[HOC_MAXN] = {0};
    bool step[HOC_MAXN];
    if (!outbox || !msgs || !outputs) abort();
    for (int p = 0; p < m->n; p++) {
        step[p] = !m->crashed[p] && !m->halted[p];
        hoc_env env = {p, m->n, round, m->params, 0};
        if (step[p]) rd->send(state_of(r, p), &env, &to[p], outbox + (size_t)p * box);
    }
    for (int q = 0; q < m->n; q++) {
        if (!step[q] || m->crash_now[q]) continue;
        hoc_set from = 0;
        memset(msgs, 0, box);
        for (int p = 0; p < m->n; p++)
            if (step[p] && hoc_set_has(m->ho[q], p) && hoc_set_has(to[p], q)) {
                from |= hoc_set_one(p);
                memcpy(msgs + (size_t)p * rd->msg_size,
                       outbox + (size_t)p * box + (size_t)q * rd->msg_size, rd->msg_size);
            }
        hoc_env env = {q, m->n, round, m->params, m->oracle[q]};
        rd->update(state_of(r, q), &env, from, msgs, outputs);
    }
    for (int p = 0; p < m->n; p++)
        if (m->crash_now[p]) state_of(r, p)[a->crashed_offset] = 1;
    free(outbox), free(msgs), free(outputs);
}

/* The verdict once the states are set: ob's spec broken or not. */
static MrVerdict judge(Mr *r, const VcObligation *ob, const hoc_set *ho, const char *when)
{
    int i = spec_index(r->a, ob->spec->name);
    if (i < 0) {
        snprintf(r->why, r->whyn, "the compiled code has no spec %s", ob->spec->name);
        return MR_CANNOT;
    }
    if (!r->a->specs[i].holds(r->states, r->m->params, ho)) return MR_CONFIRMED;
    snprintf(r->why, r->whyn, "%s holds %s", ob->spec->name, when);
    return MR_SPURIOUS;
}

static MrVerdict run(Mr *r, const VcObligation *ob)
{
    const VcModel *m = r->m;
    if (ob->kind == VC_INIT) {
        put_init(r);
        return judge(r, ob, NULL, "in the initial state of the model's inputs");
    }
    if (!put_state(r)) return MR_CANNOT;
    if (!all_hold(r, HOC_INVARIANT, NULL, "in the model's state")) return MR_SPURIOUS;
    if (ob->kind == VC_PROP) return judge(r, ob, NULL, "in the model's state");
    int64_t round = m->round >= 0 && m->round % r->a->nrounds == ob->round ? m->round : ob->round;
    run_round(r, round);
    if (!all_hold(r, HOC_ASSUME, m->ho, "in the model's round")) return MR_SPURIOUS;
    return judge(r, ob, NULL, "after the model's round");
}

MrVerdict mr_run(const hoc_algo *a, const Algo *al, const VcObligation *ob, const VcModel *m,
                 char *why, size_t whyn)
{
    if (ob->kind == VC_LIVE || m->n > a->maxn || m->nslots != al->ninputs + al->nvars) {
        snprintf(why, whyn, "a model of this obligation is not run");
        return MR_CANNOT;
    }
    Mr r = {a, al, m, calloc((size_t)m->n, a->state_size + 1), why, whyn};
    if (!r.states) abort();
    MrVerdict v = run(&r, ob);
    free(r.states);
    return v;
}
