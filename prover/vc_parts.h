/* vc_parts.h: the parts of a query that vc.c builds and concrete.c reuses,
 * so that the encoding evaluated on concrete values (tests/sem) is the very
 * one hoc verify discharges. Internal to prover/. */
#ifndef HOC_VC_PARTS_H
#define HOC_VC_PARTS_H

#include "attempt.h"

/* The symbols of a query over al (placeholders, params, state functions,
 * the heard-of relation, ...) with their ranges and al's where clauses;
 * v's context must be open. */
void vc_part_setup(Attempt *v, Algo *al);
/* The facts asserted at every pool process: it hears itself, the facts of
 * the code's shape (code_facts.h), int and enum ranges. */
void vc_part_state_ranges(Attempt *v);
/* Frees v, its solver and everything it allocated. */
void vc_part_close(Attempt *v);

#endif
