/* smt.h: the Z3 back end of hoc verify: one context and solver per
 * obligation, checks with a timeout, SMT-LIB dumps and model access. */
#ifndef HOC_SMT_H
#define HOC_SMT_H

#include <stdbool.h>
#include <stdint.h>
#include <z3.h>

typedef enum SmtResult { SMT_UNSAT, SMT_SAT, SMT_UNKNOWN } SmtResult;

typedef struct Smt {
    Z3_context ctx;
    Z3_solver solver;
    Z3_model model;   /* after SMT_SAT, until the next check */
    char reason[256]; /* why the last check was unknown */
    bool error;       /* a Z3 error was raised */
} Smt;

/* A fresh context and solver; timeout_ms 0 means none. */
void smt_open(Smt *s, unsigned timeout_ms);
/* Bounds the next checks to timeout_ms (at least 1 ms). */
void smt_set_timeout(Smt *s, unsigned timeout_ms);
/* Frees the model, solver and context. */
void smt_close(Smt *s);
/* Asserts f (a Bool). */
void smt_assert(Smt *s, Z3_ast f);
/* Checks the assertions so far; keeps the model on SMT_SAT. */
SmtResult smt_check(Smt *s);
/* Writes the assertions as a self-contained SMT-LIB script (with check-sat)
 * to path; returns false if it cannot be written. */
bool smt_dump(Smt *s, const char *path, const char *comment);
/* Whether Z3 raised an error since the last smt_open. */
bool smt_error_raised(void);
/* Evaluates t in the current model (model completion on); false if no model
 * or t has no numeral value. */
bool smt_eval_int(Smt *s, Z3_ast t, int64_t *out);
bool smt_eval_bool(Smt *s, Z3_ast t, bool *out);

#endif
