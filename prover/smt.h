/* smt.h: the Z3 back end of hoc verify: one context and solver per
 * attempt, checks with a timeout, SMT-LIB dumps and model access. Why a
 * check is unknown goes to the attempt's reason (reason.h). */
#ifndef HOC_SMT_H
#define HOC_SMT_H

#include <stdbool.h>
#include <stdint.h>
#include <z3.h>

#include "reason.h"

typedef enum SmtResult { SMT_UNSAT, SMT_SAT, SMT_UNKNOWN } SmtResult;

typedef struct Smt {
    Z3_context ctx;
    uint64_t rlimit;     /* Z3 resource units for the next checks (each); 0: none */
    unsigned timeout_ms; /* wall-clock for the next checks (each); 0: none */
    Z3_solver solver;
    Z3_model model; /* after SMT_SAT, until the next check */
    Reason *why;    /* where a check that is unknown says why */
    bool error;     /* an assertion raised a Z3 error */
} Smt;

/* A fresh context and solver; timeout_ms 0 means none, rlimit (Z3 resource
 * units, per check) 0 means none; unknown checks record their reason in why.
 * Z3 errors are never fatal (smt_had_error). */
void smt_open(Smt *s, unsigned timeout_ms, uint64_t rlimit, Reason *why);
/* The Z3 resource units the checks of s have used so far. */
uint64_t smt_rlimit_used(Smt *s);
/* Bounds the next checks to timeout_ms (0 counts as 1 ms). */
void smt_set_timeout(Smt *s, unsigned timeout_ms);
/* Bounds each next check to rlimit more Z3 resource units (0 counts as 1). */
void smt_set_rlimit(Smt *s, uint64_t rlimit);
/* Frees the model, solver and context (and every term made in it); s may
 * be closed already. */
void smt_close(Smt *s);
/* Asserts f (a Bool); a Z3 error it raises is remembered (smt_had_error). */
void smt_assert(Smt *s, Z3_ast f);
/* Checks the assertions so far; keeps the model on SMT_SAT; SMT_UNKNOWN
 * (with the reason recorded) on a timeout, Z3's giving up, or an assertion
 * that raised an error. */
SmtResult smt_check(Smt *s);
/* Writes the assertions as a self-contained SMT-LIB script (with check-sat)
 * to path; returns false if it cannot be written. */
bool smt_dump(Smt *s, const char *path, const char *comment);
/* Whether Z3 raised an error since s was opened: its queries prove nothing. */
bool smt_had_error(const Smt *s);
/* Evaluates t in the current model (model completion on); false if no model
 * or t has no numeral value. */
bool smt_eval_int(Smt *s, Z3_ast t, int64_t *out);
/* Evaluates formula t in the current model; false if no model or t has no
 * truth value there. */
bool smt_eval_bool(Smt *s, Z3_ast t, bool *out);

#endif
