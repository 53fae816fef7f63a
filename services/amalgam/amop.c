/* amop.c: amalgam.ho's interface as the service uses it (amop.h). */
#include "amop.h"

#include <stdio.h>
#include <string.h>

static const hoc_field *field(const hoc_algo *a, const char *name, hoc_kind k)
{
    for (int i = 0; i < a->nfields; i++)
        if (strcmp(a->fields[i].name, name) == 0 && a->fields[i].kind == k) return &a->fields[i];
    return NULL;
}

static const hoc_output *output(const hoc_algo *a, const char *name)
{
    for (int i = 0; i < a->noutputs; i++)
        if (strcmp(a->outputs[i].name, name) == 0 && a->outputs[i].has_value &&
            a->outputs[i].kind == HOC_K_INT)
            return &a->outputs[i];
    return NULL;
}

int amop_model_init(amop_model *m, const hoc_algo *a, int64_t block, int64_t per_inst, char *err,
                    size_t errn)
{
    *m = (amop_model){.a = a, .block = block, .per_inst = per_inst, .ev_op = -1};
    for (int i = 0; i < a->nevents; i++)
        if (strcmp(a->events[i].name, "op") == 0 && a->events[i].nargs == 2) m->ev_op = i;
    m->blk = field(a, "blk", HOC_K_BYTES);
    m->par = field(a, "par", HOC_K_BYTES);
    m->opn = field(a, "opn", HOC_K_INT);
    m->com = field(a, "com", HOC_K_INT);
    m->live = field(a, "live", HOC_K_BOOL);
    m->lost = field(a, "lost", HOC_K_BOOL);
    m->plost = field(a, "plost", HOC_K_BOOL);
    m->inb = field(a, "inb", HOC_K_BOOL);
    m->app = field(a, "app", HOC_K_INT);
    m->executed = output(a, "executed");
    m->committed = output(a, "committed");
    uint64_t bytes = (uint64_t)block * (uint64_t)per_inst;
    if (m->ev_op < 0 || !m->blk || !m->par || !m->opn || !m->com || !m->live || !m->lost ||
        !m->plost || !m->inb || !m->app || !m->executed || !m->committed ||
        m->blk->count != bytes || m->par->count != bytes) {
        snprintf(err, errn,
                 "this build of amalgam.ho (%s) is not the one services/amalgam/amop.c was "
                 "written for (event op(mask, v); outputs executed(int), committed(int); state "
                 "blk, par, opn, com, live, lost, plost, inb, app): adapt amop.c",
                 a->name);
        return -1;
    }
    return 0;
}

int amop_params(const amop_model *m, const aml_geom *geo, int64_t *params, char *err, size_t errn)
{
    static const char *const want[] = {"n", "g", "f", "nw"};
    if (m->a->nparams != 4) goto other;
    for (int i = 0; i < 4; i++)
        if (strcmp(m->a->params[i], want[i]) != 0) goto other;
    params[0] = aml_width(geo) + 1;
    params[1] = geo->g, params[2] = geo->f, params[3] = geo->w;
    if (m->a->params_ok && !m->a->params_ok(params)) {
        snprintf(err, errn, "amalgam.ho refuses g = %d, f = %d, witnesses = %d (its `where`)",
                 geo->g, geo->f, geo->w);
        return -1;
    }
    return 4;
other:
    snprintf(err, errn, "amalgam.ho's parameters are not (n, g, f, nw): adapt amop.c");
    return -1;
}

int amop_write_args(const amop_model *m, int b, const uint8_t *val, size_t len, int64_t *args,
                    char *err, size_t errn)
{
    if (b < 0 || b >= m->per_inst || b >= 4) {
        snprintf(err, errn, "block %d is outside the instance's 0..%lld", b,
                 (long long)m->per_inst - 1);
        return -1;
    }
    if (len != (size_t)m->block) {
        snprintf(err, errn, "a block is %lld bytes, the value has %zu", (long long)m->block, len);
        return -1;
    }
    bool rest_zero = true;
    for (size_t i = 1; i < len; i++)
        rest_zero = rest_zero && val[i] == 0;
    if (val[0] == 0 || !rest_zero) {
        snprintf(err, errn,
                 "the deployed amalgam.ho writes a block's first byte only (1..255), the other "
                 "bytes stay zero; whole-block writes come with the model's next op kinds");
        return -1;
    }
    args[0] = (int64_t)1 << b; /* mask: this block alone */
    args[1] = val[0];
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

static bool fired(const void *outputs, const hoc_output *o, int64_t *v)
{
    bool f;
    memcpy(&f, (const uint8_t *)outputs + o->fired_offset, sizeof f);
    if (f) memcpy(v, (const uint8_t *)outputs + o->value_offset, sizeof *v);
    return f;
}

bool amop_executed(const amop_model *m, const void *outputs, int64_t *reply)
{
    return fired(outputs, m->executed, reply);
}

bool amop_committed(const amop_model *m, const void *outputs, int64_t *com)
{
    return fired(outputs, m->committed, com);
}
