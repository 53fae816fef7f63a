/* lin_check.c: a whole history against a model (see lin_check.h). */
#include "lin_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"

static int prepare(const lin_model *m, lin_history *h, char *err, size_t errn)
{
    char msg[240];
    for (size_t i = 0; i < h->nops; i++) {
        lin_op *op = &h->ops[i];
        op->nkeys = 0;
        if (m->prepare(m->ctx, op, msg, sizeof msg) != 0) {
            if (op->line)
                snprintf(err, errn, "line %u: %s", op->line, msg);
            else
                snprintf(err, errn, "op %zu: %s", i + 1, msg);
            return -1;
        }
    }
    if (m->finish && m->finish(m->ctx, err, errn) != 0) return -1;
    return 0;
}

/* Searches the partitions, fewest ops first, until one violates (unless
 * o->all) or the budget runs out. */
static void search_parts(lin_result *r, const lin_options *o, lin_budget *b)
{
    int unknown = 0;
    for (size_t p = 0; p < r->parts.n; p++) {
        lin_part_result *pr = &r->per[p];
        pr->verdict = lin_search_run(&r->mc, p, b, &pr->s);
        pr->checked = true;
        r->nchecked++;
        if (pr->verdict == LIN_VIOLATION && r->failed == SIZE_MAX) r->failed = p;
        if (pr->verdict == LIN_VIOLATION && !o->all) break;
        if (pr->verdict == LIN_UNKNOWN) {
            if (!unknown) r->stuck = p;
            unknown = 1;
            r->why = b->why;
            /* memory is a per-partition limit: a later partition may still
             * give a verdict; time and steps are spent for all */
            if (strcmp(b->why, "memory") != 0) break;
            b->why = NULL;
        }
    }
    r->verdict = r->failed != SIZE_MAX ? LIN_VIOLATION : unknown ? LIN_UNKNOWN : LIN_LINEARIZABLE;
    if (r->verdict != LIN_UNKNOWN) r->why = NULL;
}

int lin_check_run(const lin_model *m, lin_history *h, const lin_options *o, lin_result *r,
                  char *err, size_t errn)
{
    memset(r, 0, sizeof *r);
    r->failed = r->stuck = SIZE_MAX;
    double t0 = hoc_now_s();
    if (prepare(m, h, err, errn) != 0) return -1;
    lin_part_build(h, o->whole, &r->parts);
    r->per = lin_history_calloc(r->parts.n, sizeof *r->per);
    lin_machine_init(&r->mc, m, h, &r->parts);
    lin_budget b = {.deadline = o->budget_s > 0 ? t0 + o->budget_s : 0,
                    .max_steps = o->max_steps,
                    .max_bytes = o->max_bytes};
    search_parts(r, o, &b);
    r->steps = b.steps;
    r->seconds = hoc_now_s() - t0;
    return 0;
}

void lin_check_free(lin_result *r)
{
    for (size_t p = 0; p < r->parts.n && r->per; p++)
        free(r->per[p].s.order);
    free(r->per);
    lin_machine_free(&r->mc);
    lin_part_free(&r->parts);
    memset(r, 0, sizeof *r);
}

const char *lin_check_verdict_name(lin_verdict v)
{
    return v == LIN_LINEARIZABLE ? "linearizable"
           : v == LIN_VIOLATION  ? "not linearizable"
                                 : "unknown";
}
