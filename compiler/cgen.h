/* cgen.h: the C back end. One .c/.h pair per algorithm: a fixed-layout state
 * struct, pure init/send/update functions, message codecs, spec predicates
 * and a hoc_algo descriptor (runtime/hoc_rt.h) that drivers use. */
#ifndef HOC_CGEN_H
#define HOC_CGEN_H

#include <stdio.h>

#include "check.h"

/* The C prefix of an algorithm: its name in snake_case ("OneThirdRule" ->
 * "one_third_rule"), cut short to fit cap bytes. */
void cgen_prefix(const char *name, char *out, size_t cap);
/* The most bytes round r's message takes on the wire (its wire_max). */
int cgen_round_wire_max(const Round *r);
/* Writes the header and the source of one algorithm; returns 0, or -1 on a write error. */
int cgen_algo(Program *p, Algo *a, const char *source_name, FILE *h, FILE *c);

#endif
