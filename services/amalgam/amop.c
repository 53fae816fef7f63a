/* amop.c: amalgam.ho's interface as the service uses it (amop.h). */
#include "amop.h"

#include <stdio.h>
#include <string.h>

static const char *const KINDS[AMOP_NKINDS] = {"Read", "Write", "Xor", "Add", "Cas"};
static const char *const ASKS[AMOP_NASKS] = {"Idle", "Stop", "Install", "Go", "Consent", "Admit"};

static const hoc_field *field(const hoc_algo *a, const char *name, hoc_kind k)
{
    for (int i = 0; i < a->nfields; i++)
        if (strcmp(a->fields[i].name, name) == 0 && a->fields[i].kind == k) return &a->fields[i];
    return NULL;
}

static const hoc_output *output(const hoc_algo *a, const char *name, hoc_kind k)
{
    for (int i = 0; i < a->noutputs; i++)
        if (strcmp(a->outputs[i].name, name) == 0 && a->outputs[i].has_value &&
            a->outputs[i].kind == k)
            return &a->outputs[i];
    return NULL;
}

/* Event op(kind: Kind, mask, x, y) with Kind's members by name: 0, or -1. */
static int find_op(amop_model *m)
{
    const hoc_algo *a = m->a;
    for (int i = 0; i < a->nevents; i++) {
        const hoc_event *e = &a->events[i];
        if (strcmp(e->name, "op") != 0 || e->nargs != 5 || e->args[0].kind != HOC_K_ENUM ||
            e->args[2].kind != HOC_K_BYTES || e->args[2].count != (uint32_t)m->block ||
            e->args[3].kind != HOC_K_BYTES || e->args[3].count != (uint32_t)m->block)
            continue;
        for (int k = 0; k < AMOP_NKINDS; k++) {
            m->kind[k] = -1;
            for (uint32_t j = 0; j < e->args[0].enum_count; j++)
                if (strcmp(e->args[0].enum_names[j], KINDS[k]) == 0) m->kind[k] = j;
            if (m->kind[k] < 0) return -1;
        }
        m->ev_op = i;
        m->vlo = 0, m->vhi = 256;
        if (e->range) e->range(m->params, 2, &m->vlo, &m->vhi);
        return 0;
    }
    return -1;
}

/* Event suspect(q: int): the index, or -1. */
static int find_suspect(const hoc_algo *a)
{
    for (int i = 0; i < a->nevents; i++)
        if (!strcmp(a->events[i].name, "suspect") && a->events[i].nargs == 1 &&
            a->events[i].args[0].kind == HOC_K_INT)
            return i;
    return -1;
}

/* The parameters by name: a deployment's values (amop.h). */
static int set_params(amop_model *m, const aml_geom *geo)
{
    const hoc_algo *a = m->a;
    if (a->nparams > AMOP_MAX_ARGS) return -1;
    for (int i = 0; i < a->nparams; i++) {
        const char *p = a->params[i];
        m->params[i] = !strcmp(p, "n")                        ? aml_width(geo) + 1
                       : !strcmp(p, "g")                      ? geo->g
                       : !strcmp(p, "f")                      ? geo->f
                       : !strcmp(p, "nw") || !strcmp(p, "sw") ? geo->w
                       : !strcmp(p, "rot")                    ? 0
                                                              : -1;
        if (m->params[i] < 0) return -1;
    }
    return a->params_ok && !a->params_ok(m->params) ? -1 : 0;
}

int amop_model_init(amop_model *m, const hoc_algo *a, int64_t block, int64_t per_inst,
                    const aml_geom *geo, char *err, size_t errn)
{
    *m = (amop_model){.a = a, .block = block, .per_inst = per_inst, .ev_op = -1};
    if (set_params(m, geo)) {
        snprintf(err, errn,
                 "amalgam.ho (%s) does not take g = %d, f = %d, witnesses = %d as parameters "
                 "n, g, f, nw, sw, rot: check its `where`, or adapt services/amalgam/amop.c",
                 a->name, geo->g, geo->f, geo->w);
        return -1;
    }
    m->blk = field(a, "blk", HOC_K_BYTES);
    m->par = field(a, "par", HOC_K_BYTES);
    m->opn = field(a, "opn", HOC_K_INT);
    m->com = field(a, "com", HOC_K_INT);
    m->base = field(a, "base", HOC_K_INT);
    m->pm = field(a, "pm", HOC_K_INT);
    m->asked = field(a, "asked", HOC_K_SET);
    m->huk = field(a, "huk", HOC_K_INT);
    m->hm = field(a, "hm", HOC_K_INT);
    m->exq = field(a, "exq", HOC_K_SET);
    m->hlo = field(a, "hlo", HOC_K_INT);
    m->hhi = field(a, "hhi", HOC_K_INT);
    m->rq = field(a, "rq", HOC_K_BOOL);
    m->closed = field(a, "closed", HOC_K_BOOL);
    m->fwd = -1;
    for (int r = 0; r < a->nrounds; r++)
        if (!strcmp(a->rounds[r].name, "fwd")) m->fwd = r;
    m->live = field(a, "live", HOC_K_BOOL);
    m->lost = field(a, "lost", HOC_K_BOOL);
    m->plost = field(a, "plost", HOC_K_BOOL);
    m->inb = field(a, "inb", HOC_K_BOOL);
    m->app = field(a, "app", HOC_K_INT);
    m->mode = field(a, "mode", HOC_K_ENUM);
    m->who = field(a, "who", HOC_K_INT);
    m->eps = field(a, "eps", HOC_K_INT);
    m->beps = field(a, "beps", HOC_K_INT);
    for (int k = 0; k < AMOP_NASKS; k++) {
        m->ask[k] = -1;
        for (uint32_t j = 0; m->mode && j < m->mode->enum_count; j++)
            if (strcmp(m->mode->enum_names[j], ASKS[k]) == 0) m->ask[k] = (int32_t)j;
    }
    m->g = geo->g;
    static const char *const DECISION[10] = {"mode", "who", "eps", "beps", "tau",
                                             "top",  "uop", "um",  "ukb",  "ud"};
    bool decided = true;
    for (int k = 0; k < 10; k++) {
        m->decision[k] = NULL;
        for (int i = 0; i < a->nfields; i++)
            if (strcmp(a->fields[i].name, DECISION[k]) == 0) m->decision[k] = &a->fields[i];
        decided = decided && m->decision[k];
    }
    /* what `amalgam reconf --data` saves is what the model keeps across a replacement */
    int durable = 0;
    for (int i = 0; i < a->nfields; i++)
        durable += a->fields[i].durable;
    decided = decided && durable == 10;
    for (int k = 0; decided && k < 10; k++)
        decided = m->decision[k]->durable;
    m->resp = field(a, "resp", HOC_K_SET);
    m->executed = output(a, "executed", HOC_K_BYTES);
    m->committed = output(a, "committed", HOC_K_INT);
    m->ev_suspect = find_suspect(a);
    uint64_t bytes = (uint64_t)block * (uint64_t)per_inst;
    if (find_op(m) || !m->blk || !m->par || !m->opn || !m->com || !m->base || !m->pm || !m->asked ||
        !m->huk || !m->hm || !m->exq || !m->hlo || !m->hhi || !m->rq || !m->closed ||
        m->closed->count < (uint32_t)geo->g || m->hlo->count < (uint32_t)geo->g ||
        m->hhi->count < (uint32_t)geo->g || m->huk->count != m->hm->count ||
        m->huk->count % m->pm->count || m->fwd < 0 || !m->live || !m->lost || !m->plost ||
        !m->inb || !m->app || !m->executed || !m->committed || !m->mode || !m->who || !m->eps ||
        !m->beps || m->ask[AMOP_IDLE] < 0 || m->ask[AMOP_ADMIT] < 0 || !decided || !m->resp ||
        m->blk->count != bytes || m->par->count != bytes || m->executed->count != block ||
        m->ev_suspect < 0) {
        snprintf(
            err, errn,
            "this build of amalgam.ho (%s) is not the one services/amalgam/amop.c was "
            "written for (events op(kind: Kind, mask, x, y), suspect(q); outputs executed(bytes), "
            "committed(int); round fwd; state blk, par, opn, com, base, pm, huk, hm, asked, live, "
            "lost, "
            "plost, inb, app, mode, who, eps, beps; durable exactly mode, who, eps, beps, tau, "
            "top, uop, um, ukb, ud): adapt "
            "amop.c",
            a->name);
        return -1;
    }
    return 0;
}

int amop_value(const amop_model *m, size_t len, char *err, size_t errn)
{
    if (len == (size_t)m->block) return 0;
    snprintf(err, errn, "a block is %lld bytes, the value has %zu", (long long)m->block, len);
    return -1;
}

int amop_args(const amop_model *m, amop_kind k, int b, int64_t x, const uint8_t *bx,
              const uint8_t *by, int64_t at, int64_t *args, const uint8_t **bytes, char *err,
              size_t errn)
{
    if (b < 0 || b >= m->per_inst || b >= 4) {
        snprintf(err, errn, "block %d is outside the instance's 0..%lld", b,
                 (long long)m->per_inst - 1);
        return -1;
    }
    if (x < m->vlo || x >= m->vhi) {
        snprintf(err, errn, "ADD takes a whole number in %lld..%lld", (long long)m->vlo,
                 (long long)m->vhi - 1);
        return -1;
    }
    if (at < 0 || at >= m->block) {
        snprintf(err, errn, "an offset is in 0..%lld", (long long)m->block - 1);
        return -1;
    }
    for (int i = 0; i < AMOP_MAX_ARGS; i++)
        args[i] = 0, bytes[i] = NULL;
    args[0] = m->kind[k];
    args[1] = (int64_t)1 << b; /* mask: this block alone */
    args[2] = bx ? 0 : x;      /* an int stands for a block: its bytes, then zeros */
    bytes[2] = bx;
    bytes[3] = by;
    args[4] = at;
    return 0;
}

static int64_t get_int(const void *state, const hoc_field *f, int i)
{
    int64_t v;
    memcpy(&v, (const uint8_t *)state + f->offset + (size_t)i * sizeof v, sizeof v);
    return v;
}

static bool get_bool(const void *state, const hoc_field *f)
{
    bool v;
    memcpy(&v, (const uint8_t *)state + f->offset, sizeof v);
    return v;
}

void amop_view_of(const amop_model *m, const void *state, amop_view *v)
{
    *v = (amop_view){.opn = get_int(state, m->opn, 0),
                     .com = get_int(state, m->com, 0),
                     .live = get_bool(state, m->live),
                     .lost = get_bool(state, m->lost),
                     .plost = get_bool(state, m->plost),
                     .inb = get_bool(state, m->inb)};
}

bool amop_idle_fwd(const amop_model *m, const void *state, int64_t round)
{
    amop_view v;
    amop_view_of(m, state, &v);
    /* A full window refuses the op at the boundary: hurrying it then only
     * speeds up rounds (with a backup down, every retry of every client
     * would). And a server rebuilding (it asked for snapshots last phase)
     * runs on timeouts and needs every snapshot of one round: hurried
     * rounds leave it behind. */
    int64_t base = get_int(state, m->base, 0);
    hoc_set asked;
    memcpy(&asked, (const uint8_t *)state + m->asked->offset, sizeof asked);
    return round >= 0 && round % m->a->nrounds == m->fwd && v.live && !v.lost && v.opn == v.com &&
           v.opn - base < (int64_t)m->pm->count && !asked;
}

bool amop_idle(const amop_model *m, aml_role role, const void *state, hoc_set heard)
{
    int64_t n = m->params[0];
    if (role == AML_RECONF) { /* every server answers it every phase */
        int32_t v;
        memcpy(&v, (const uint8_t *)state + m->mode->offset, sizeof v);
        hoc_set all = hoc_set_all((int32_t)n) & ~hoc_set_one(n - 1);
        return v == m->ask[AMOP_IDLE] && (heard & all) == all;
    }
    amop_view v;
    amop_view_of(m, state, &v);
    hoc_set asked, exq;
    memcpy(&asked, (const uint8_t *)state + m->asked->offset, sizeof asked);
    memcpy(&exq, (const uint8_t *)state + m->exq->offset, sizeof exq);
    if (asked || get_bool(state, m->rq)) return false; /* a peer rebuilds or is replaced */
    if (role == AML_DATA)                              /* its backups answer it every phase */
        return v.live && !v.lost && v.opn == get_int(state, m->base, 0) && !exq &&
               (heard & amop_backups(m)) == amop_backups(m);
    hoc_set data = hoc_set_all((int32_t)m->g); /* every data server sends a backup its window */
    if (!v.inb || v.plost || (heard & data) != data) return false;
    const bool *closed = (const bool *)((const uint8_t *)state + m->closed->offset);
    for (int s = 0; s < (int)m->g; s++) /* a window with ops in it, or a shard replaced */
        if (get_int(state, m->hlo, s) != get_int(state, m->hhi, s) || closed[s]) return false;
    return true;
}

hoc_set amop_backups(const amop_model *m)
{
    hoc_set b = 0;
    for (int64_t q = m->g; q < m->params[0] - 1; q++)
        b |= hoc_set_one(q);
    return b;
}

hoc_set amop_rebuild_hurry(const amop_model *m, aml_role role, int self, const void *state,
                           int64_t *step)
{
    int64_t n = m->params[0];
    hoc_set all = hoc_set_all((int32_t)n);
    *step = 1;
    if (role == AML_RECONF) {
        amop_ask mode;
        int who;
        int64_t ep;
        amop_reconf_of(m, state, &mode, &who, &ep);
        *step = (int64_t)mode << 56 | (int64_t)(who + 1) << 40 | (ep & 0xffffffffff);
        return mode == AMOP_IDLE ? 0 : all & ~hoc_set_one(n - 1);
    }
    amop_view v;
    amop_view_of(m, state, &v);
    if (role == AML_DATA) return v.live && v.lost ? all & ~hoc_set_one(n - 1) : 0;
    if (!v.inb) return *step = 2, hoc_set_one(self);
    return v.inb && v.plost ? hoc_set_all((int32_t)m->g) : 0;
}

void amop_reconf_of(const amop_model *m, const void *state, amop_ask *mode, int *who,
                    int64_t *epoch)
{
    int32_t v;
    memcpy(&v, (const uint8_t *)state + m->mode->offset, sizeof v);
    *mode = AMOP_IDLE;
    for (int k = 0; k < AMOP_NASKS; k++)
        if (m->ask[k] == v) *mode = (amop_ask)k;
    int64_t w = get_int(state, m->who, 0);
    *who = (int)w;
    *epoch = 0;
    if (w >= 0 && w < m->g && (uint32_t)w < m->eps->count)
        *epoch = get_int(state, m->eps, (int)w);
    else if (w >= m->g && (uint32_t)w < m->beps->count)
        *epoch = get_int(state, m->beps, (int)w);
}

static size_t field_bytes(const hoc_field *f)
{
    return (size_t)f->count * hoc_kind_size(f->kind);
}

size_t amop_reconf_size(const amop_model *m)
{
    size_t n = 0;
    for (int k = 0; k < 10; k++)
        n += field_bytes(m->decision[k]);
    return n;
}

void amop_reconf_save(const amop_model *m, const void *state, uint8_t *out)
{
    for (int k = 0; k < 10; k++) {
        size_t n = field_bytes(m->decision[k]);
        memcpy(out, (const uint8_t *)state + m->decision[k]->offset, n);
        out += n;
    }
}

void amop_reconf_load(const amop_model *m, const uint8_t *in, void *state)
{
    for (int k = 0; k < 10; k++) {
        size_t n = field_bytes(m->decision[k]);
        memcpy((uint8_t *)state + m->decision[k]->offset, in, n);
        in += n;
    }
    memset((uint8_t *)state + m->resp->offset, 0, sizeof(hoc_set));
}

int64_t amop_deltas(const amop_model *m, const void *state, bool data)
{
    int64_t n = 0, w = m->pm->count;
    if (data) {
        int64_t hi = get_int(state, m->opn, 0);
        for (int64_t k = get_int(state, m->base, 0) + 1; k <= hi; k++)
            n += __builtin_popcountll((unsigned long long)get_int(state, m->pm, (int)(k % w)));
        return n;
    }
    for (int i = 0; i < (int)m->huk->count; i++) /* huk[s][k % W]: shard s's slot of op k */
        if (get_int(state, m->huk, i))
            n += __builtin_popcountll((unsigned long long)get_int(state, m->hm, i));
    return n;
}

const uint8_t *amop_block(const amop_model *m, const void *state, int b)
{
    return (const uint8_t *)state + m->blk->offset + (size_t)b * (size_t)m->block;
}

const uint8_t *amop_parity(const amop_model *m, const void *state, int b)
{
    return (const uint8_t *)state + m->par->offset + (size_t)b * (size_t)m->block;
}

int64_t amop_applied(const amop_model *m, const void *state, int s)
{
    return s >= 0 && (uint32_t)s < m->app->count ? get_int(state, m->app, s) : -1;
}

static bool fired(const void *outputs, const hoc_output *o)
{
    bool f;
    memcpy(&f, (const uint8_t *)outputs + o->fired_offset, sizeof f);
    return f;
}

bool amop_executed(const amop_model *m, const void *outputs, const uint8_t **reply)
{
    if (!fired(outputs, m->executed)) return false;
    *reply = (const uint8_t *)outputs + m->executed->value_offset;
    return true;
}

bool amop_committed(const amop_model *m, const void *outputs, int64_t *com)
{
    if (!fired(outputs, m->committed)) return false;
    memcpy(com, (const uint8_t *)outputs + m->committed->value_offset, sizeof *com);
    return true;
}
