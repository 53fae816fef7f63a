/* lin_machine.h: a model run on the state of one partition (its keys'
 * cells side by side): what the search, the reports and the tests share. */
#ifndef LIN_MACHINE_H
#define LIN_MACHINE_H

#include <stdbool.h>

#include "lin_model.h"
#include "lin_part.h"

typedef struct lin_machine {
    const lin_model *m;
    const lin_history *h;
    const lin_parts *ps;
    size_t cell; /* bytes of a cell */
    lin_out out; /* the output of the last apply */
    uint8_t **cells;
    size_t capcells;
} lin_machine;

/* A machine for h's ops (prepared for m and partitioned into ps). */
void lin_machine_init(lin_machine *mc, const lin_model *m, const lin_history *h,
                      const lin_parts *ps);
/* Frees what mc owns. */
void lin_machine_free(lin_machine *mc);
/* The bytes of a state of partition p. */
size_t lin_machine_size(const lin_machine *mc, const lin_part *p);
/* Writes the initial state of partition p. */
void lin_machine_start(const lin_machine *mc, const lin_part *p, uint8_t *state);
/* Applies op (a history index) to state, a state of op's partition, in
 * place; its output is left in mc->out. Returns whether the output is what
 * the client heard (always true when it heard nothing). */
bool lin_machine_apply(lin_machine *mc, uint32_t op, uint8_t *state);
/* Appends "key=value" for the keys of op (all keys of p if op < 0). */
void lin_machine_show(const lin_machine *mc, const lin_part *p, long op, const uint8_t *state,
                      hoc_buf *b);
/* Appends the output left by the last apply, as results are written. */
void lin_machine_show_out(const lin_machine *mc, hoc_buf *b);

#endif
