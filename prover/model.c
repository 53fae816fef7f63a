/* model.c: the solver's model as concrete values (model.h). */
#include "model.h"

#include "concrete.h"

void vc_model_free(VcModel *m)
{
    if (!m) return;
    free(m->vals), free(m->halted), free(m->crashed), free(m->crash_now);
    free(m->ho), free(m->oracle);
    free(m);
}

/* One slot's value at process p (a set: its members among the n). */
static bool slot_value(Attempt *v, View view, int s, int p, int n, int64_t *out)
{
    Z3_ast t = attempt_state_read(v, view, s, num(v, p));
    if (v->slot[s].kind == SLOT_BOOL) {
        bool b;
        if (!smt_eval_bool(&v->s, t, &b)) return false;
        *out = b;
        return true;
    }
    if (v->slot[s].kind == SLOT_INT) return smt_eval_int(&v->s, t, out);
    uint64_t mask = 0;
    for (int q = 0; q < n; q++) {
        bool in;
        if (!smt_eval_bool(&v->s, subst1(v, t, v->Q, num(v, q)), &in)) return false;
        if (in) mask |= (uint64_t)1 << q;
    }
    *out = (int64_t)mask;
    return true;
}

static bool flag(Attempt *v, Z3_ast t)
{
    bool b = false;
    return smt_eval_bool(&v->s, t, &b) && b;
}

/* Per process: the flags and heard-of sets of the round. */
static void read_round(Attempt *v, VcModel *m, bool post)
{
    for (int p = 0; p < m->n; p++) {
        Z3_ast P = num(v, p);
        bool stopped = flag(v, attempt_pre_read(v, v->s_halted, P));
        m->crashed[p] = flag(v, attempt_pre_read(v, v->s_crashed, P));
        m->halted[p] = stopped && !m->crashed[p];
        if (!post) continue;
        m->crash_now[p] = !v->uniform && flag(v, app1(v, v->crashnow, P));
        for (int q = 0; q < m->n; q++)
            if (flag(v, attempt_hears(v, P, num(v, q)))) m->ho[p] |= (uint64_t)1 << q;
        for (int i = 0; i < v->al->noracles && i < 64; i++)
            if (flag(v, app1(v, v->oracle[i], P))) m->oracle[p] |= (uint64_t)1 << i;
    }
}

VcModel *model_read(Attempt *v, const VcObligation *ob)
{
    Algo *al = v->al;
    int64_t n;
    if (!smt_eval_int(&v->s, v->n, &n) || n < 1 || n > HOC_MAXN || al->nparams > 16) return NULL;
    VcModel *m = calloc(1, sizeof *m);
    if (!m) abort();
    m->n = (int)n;
    m->nslots = conc_nslots(al);
    m->vals = calloc((size_t)(n * m->nslots) + 1, sizeof *m->vals);
    m->halted = calloc((size_t)n, sizeof *m->halted);
    m->crashed = calloc((size_t)n, sizeof *m->crashed);
    m->crash_now = calloc((size_t)n, sizeof *m->crash_now);
    m->ho = calloc((size_t)n, sizeof *m->ho);
    m->oracle = calloc((size_t)n, sizeof *m->oracle);
    if (!m->vals || !m->halted || !m->crashed || !m->crash_now || !m->ho || !m->oracle) abort();
    m->params[0] = n;
    bool ok = true;
    for (int i = 1; i < al->nparams && ok; i++)
        ok = smt_eval_int(&v->s, v->par[i], &m->params[i]);
    bool post = ob->kind == VC_CONSEC || ob->kind == VC_LIVE;
    if (post && !smt_eval_int(&v->s, v->R, &m->round)) m->round = ob->round;
    View view = ob->kind == VC_INIT && v->have_init ? V_INIT : V_PRE;
    for (int k = 0; k < m->nslots && ok; k++) {
        Decl *d = conc_slot(al, k);
        int s = attempt_slot_of(v, d);
        TypeKind tk = d->type->kind;
        if (s < 0 || tk == TY_ARRAY || tk == TY_BYTES) ok = false;
        for (int p = 0; p < n && ok; p++)
            ok = slot_value(v, view, s, p, (int)n, &m->vals[p * m->nslots + k]);
    }
    if (ok) read_round(v, m, post);
    if (ok) return m;
    vc_model_free(m);
    return NULL;
}
