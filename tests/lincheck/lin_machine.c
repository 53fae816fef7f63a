/* lin_machine.c: a model run on a partition's state (see lin_machine.h). */
#include "lin_machine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void lin_machine_init(lin_machine *mc, const lin_model *m, const lin_history *h,
                      const lin_parts *ps)
{
    memset(mc, 0, sizeof *mc);
    mc->m = m, mc->h = h, mc->ps = ps;
    mc->cell = m->cell_size(m->ctx);
}

void lin_machine_free(lin_machine *mc)
{
    lin_model_out_free(&mc->out);
    free(mc->cells);
    memset(mc, 0, sizeof *mc);
}

size_t lin_machine_size(const lin_machine *mc, const lin_part *p)
{
    return p->nslots * mc->cell;
}

void lin_machine_start(const lin_machine *mc, const lin_part *p, uint8_t *state)
{
    for (uint32_t s = 0; s < p->nslots; s++)
        mc->m->init(mc->m->ctx, state + s * mc->cell);
}

bool lin_machine_apply(lin_machine *mc, uint32_t op, uint8_t *state)
{
    const lin_op *o = &mc->h->ops[op];
    if (o->nkeys > mc->capcells) {
        mc->capcells = o->nkeys;
        mc->cells = lin_history_realloc(mc->cells, mc->capcells * sizeof *mc->cells);
    }
    const uint32_t *slots = mc->ps->slots + mc->ps->slot_off[op];
    for (uint32_t j = 0; j < o->nkeys; j++)
        mc->cells[j] = state + slots[j] * mc->cell;
    lin_model_out_reset(&mc->out);
    mc->m->step(mc->m->ctx, o, mc->cells, &mc->out);
    if (o->ret == LIN_PENDING) return true;
    if (mc->out.n != o->nres) return false;
    for (uint32_t i = 0; i < o->nres; i++)
        if (!lin_history_val_eq(mc->out.v[i], o->res[i])) return false;
    return true;
}

static void show_slot(const lin_machine *mc, const lin_part *p, uint32_t s, const uint8_t *state,
                      hoc_buf *b)
{
    lin_history_show_val(b, p->keys[s], 32);
    hoc_buf_puts(b, "=");
    mc->m->show_cell(mc->m->ctx, state + s * mc->cell, b);
}

void lin_machine_show(const lin_machine *mc, const lin_part *p, long op, const uint8_t *state,
                      hoc_buf *b)
{
    if (op < 0) {
        for (uint32_t s = 0; s < p->nslots; s++) {
            if (s) hoc_buf_puts(b, " ");
            show_slot(mc, p, s, state, b);
        }
        return;
    }
    const uint32_t *slots = mc->ps->slots + mc->ps->slot_off[op];
    for (uint32_t j = 0; j < mc->h->ops[op].nkeys; j++) {
        int seen = 0;
        for (uint32_t i = 0; i < j; i++)
            seen |= slots[i] == slots[j];
        if (seen) continue;
        if (j) hoc_buf_puts(b, " ");
        show_slot(mc, p, slots[j], state, b);
    }
}

void lin_machine_show_out(const lin_machine *mc, hoc_buf *b)
{
    for (size_t i = 0; i < mc->out.n; i++) {
        if (i) hoc_buf_puts(b, " ");
        lin_history_show_val(b, mc->out.v[i], 64);
    }
}
