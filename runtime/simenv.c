/* simenv.c: events and replacements in the simulator (see simenv.h). */
#include "simenv.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "rng.h"

void simenv_inputs(const hoc_algo *a, const uint8_t *st, int64_t *in)
{
    for (int i = 0; i < a->ninputs && i < HOC_MAXINPUTS; i++) {
        const hoc_field *f = &a->inputs[i];
        int32_t x = 0;
        size_t size = hoc_kind_size(f->kind);
        in[i] = 0;
        if (f->count != 1 || f->kind == HOC_K_BYTES)
            continue; /* an array or bytes input: init sees 0, as without bytes */
        if (size == 8)
            memcpy(&in[i], st + f->offset, 8);
        else if (size == 4)
            memcpy(&x, st + f->offset, 4), in[i] = x;
        else
            in[i] = st[f->offset];
    }
}

void simenv_draw(const hoc_algo *a, const int64_t *params, uint64_t *rng, int *event, int64_t *args)
{
    const hoc_event *e = &a->events[hoc_rng_next(rng) % (uint64_t)a->nevents];
    *event = (int)(e - a->events);
    for (int i = 0; i < e->nargs && i < 8; i++) {
        int64_t lo, hi;
        e->range(params, i, &lo, &hi);
        /* no range: 0..1; an empty one never comes here (hoc_sim_run refuses it) */
        if (hi <= lo) lo = 0, hi = 2;
        /* unsigned: hi - lo overflows past 2^63 values (-1..INT64_MAX) */
        uint64_t span = (uint64_t)hi - (uint64_t)lo;
        args[i] = (int64_t)((uint64_t)lo + hoc_rng_next(rng) % span);
    }
}

void simenv_replace(const hoc_algo *a, uint8_t *st, const hoc_env *env, void *outputs)
{
    int64_t in[HOC_MAXINPUTS];
    simenv_inputs(a, st, in);
    a->replace(st, env, in, outputs);
}

/* Whether args are in the ranges event e declares. */
static bool in_range(const hoc_event *e, const int64_t *params, const int64_t *args)
{
    for (int i = 0; i < e->nargs; i++) {
        int64_t lo, hi;
        e->range(params, i, &lo, &hi);
        if (hi >= lo && (args[i] < lo || args[i] >= hi)) return false;
    }
    return true;
}

int simenv_parse(const hoc_algo *a, const int64_t *params, const json *j, simenv_step *out,
                 char *why, size_t whyn)
{
    memset(out, 0, sizeof *out);
    if (!j || j->type != JSON_ARR || j->n < 1 || j->items[0].type != JSON_NUM) {
        snprintf(why, whyn, "not [replaced, [event, args...], ...]");
        return -1;
    }
    out->replaced = j->items[0].num != 0;
    if (j->n - 1 > SIMENV_MAX) {
        snprintf(why, whyn, "%d events, more than the %d a process may take at once", j->n - 1,
                 SIMENV_MAX);
        return -1;
    }
    for (int k = 1; k < j->n; k++) {
        const json *ev = &j->items[k];
        if (ev->type != JSON_ARR || ev->n < 1 || ev->items[0].type != JSON_NUM ||
            ev->items[0].num < 0 || ev->items[0].num >= a->nevents) {
            snprintf(why, whyn, "not an event of %s", a->name);
            return -1;
        }
        const hoc_event *e = &a->events[ev->items[0].num];
        int64_t *args = out->args[out->count];
        if (ev->n != e->nargs + 1 || e->nargs > 8) {
            snprintf(why, whyn, "event %s takes %d arguments, not %d", e->name, e->nargs,
                     ev->n - 1);
            return -1;
        }
        for (int i = 0; i < e->nargs; i++) {
            if (ev->items[i + 1].type != JSON_NUM) {
                snprintf(why, whyn, "event %s: argument %s is not a number", e->name,
                         e->args[i].name);
                return -1;
            }
            args[i] = ev->items[i + 1].num;
        }
        if (!in_range(e, params, args)) {
            snprintf(why, whyn, "event %s: an argument outside its declared range", e->name);
            return -1;
        }
        out->event[out->count++] = (int)ev->items[0].num;
    }
    return 0;
}

void simenv_apply(const hoc_algo *a, const simenv_step *s, uint8_t *st, const hoc_env *env,
                  void *outputs)
{
    if (s->replaced) simenv_replace(a, st, env, outputs);
    for (int k = 0; k < s->count; k++) /* bytes as their ints, as hoc check gave them */
        a->events[s->event[k]].handle(st, env, s->args[k], NULL, outputs);
}

void simenv_print(FILE *f, const hoc_algo *a, const simenv_step *s)
{
    if (s->replaced) fputs(" replaced", f);
    for (int k = 0; k < s->count; k++) {
        const hoc_event *e = &a->events[s->event[k]];
        fprintf(f, " %s(", e->name);
        for (int i = 0; i < e->nargs && i < 8; i++) {
            const hoc_field *fd = &e->args[i];
            int64_t v = s->args[k][i];
            if (i) fputs(", ", f);
            if (fd->kind == HOC_K_ENUM && v >= 0 && v < (int64_t)fd->enum_count)
                fputs(fd->enum_names[v], f);
            else if (fd->kind == HOC_K_BOOL)
                fputs(v ? "true" : "false", f);
            else
                fprintf(f, "%" PRId64, v);
        }
        fputc(')', f);
    }
}
