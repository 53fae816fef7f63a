/* reason.h: why an attempt cannot conclude. Every part of the prover
 * reports there: the translation (a construct it cannot encode, at its
 * position), the Venn families (a bound, a timeout), the solver back end
 * (Z3's reason for unknown, Z3 errors) and the attempt itself (its budget,
 * the bounds of the encoding). The first reason recorded is the one users
 * read: what follows it is usually its consequence. */
#ifndef HOC_REASON_H
#define HOC_REASON_H

#include <stdbool.h>
#include <stddef.h>

#include "ast.h" /* Pos */

typedef enum ReasonKind {
    REASON_NONE,
    REASON_UNSUPPORTED, /* the query cannot be encoded: "unsupported: ..." */
    REASON_SOLVER       /* the solver or a bound of the encoding gave up: "solver: ..." */
} ReasonKind;

typedef struct Reason {
    ReasonKind kind; /* REASON_NONE until one is recorded */
    bool has_pos;
    Pos pos;        /* where in the program, when has_pos */
    char text[300]; /* truncated if longer */
} Reason;

/* Records why the attempt cannot conclude, at pos (NULL: no position),
 * unless a reason is recorded already. */
void reason_note(Reason *r, ReasonKind kind, const Pos *pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Whether a reason is recorded. */
bool reason_any(const Reason *r);
/* The reason as hoc verify prints it ("unsupported: FILE:LINE:COL: text",
 * "solver: text"; "solver: unknown" when none is recorded), into out. */
void reason_format(const Reason *r, char *out, size_t n);

#endif
