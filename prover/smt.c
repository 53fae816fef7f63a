/* smt.c: the Z3 C API, kept behind a few calls so that the rest of the
 * prover only builds terms. Errors raised by Z3 are recorded, never fatal:
 * the obligation is then reported unknown. */
#include "smt.h"

#include <stdio.h>
#include <string.h>

/* Z3 errors raised since the last smt_open. The one mutable global of the
 * prover: Z3's error callback is given the context and nothing of ours, and
 * an error code read after the fact is cleared by the next API call. One
 * attempt is open at a time. */
static int g_errors;

static void on_error(Z3_context c, Z3_error_code e)
{
    (void)c;
    (void)e;
    g_errors++; /* an obligation with an error is never reported proved */
}

bool smt_had_error(const Smt *s)
{
    return s->error || g_errors != 0;
}

/* Opens a context; terms are freed all at once when it is closed. */
/* The solver's parameters: the wall-clock timeout, and the resource limit,
 * which Z3 counts in steps of its own, the same on a busy machine as on an
 * idle one: a check it ends gives the same verdict everywhere. */
static void set_limits(Smt *s)
{
    Z3_params p = Z3_mk_params(s->ctx);
    Z3_params_inc_ref(s->ctx, p);
    if (s->timeout_ms)
        Z3_params_set_uint(s->ctx, p, Z3_mk_string_symbol(s->ctx, "timeout"), s->timeout_ms);
    if (s->rlimit) /* per check: Z3 counts it from where the context is */
        Z3_params_set_uint(s->ctx, p, Z3_mk_string_symbol(s->ctx, "rlimit"),
                           s->rlimit > UINT32_MAX ? UINT32_MAX : (unsigned)s->rlimit);
    Z3_solver_set_params(s->ctx, s->solver, p);
    Z3_params_dec_ref(s->ctx, p);
}

void smt_open(Smt *s, unsigned timeout_ms, uint64_t rlimit, Reason *why)
{
    memset(s, 0, sizeof *s);
    s->why = why;
    s->rlimit = rlimit;
    s->timeout_ms = timeout_ms;
    g_errors = 0;
    Z3_config cfg = Z3_mk_config();
    Z3_set_param_value(cfg, "model", "true");
    s->ctx = Z3_mk_context(cfg); /* terms live as long as the context */
    Z3_del_config(cfg);
    Z3_set_error_handler(s->ctx, on_error);
    s->solver = Z3_mk_simple_solver(s->ctx);
    Z3_solver_inc_ref(s->ctx, s->solver);
    set_limits(s);
}

void smt_set_timeout(Smt *s, unsigned timeout_ms)
{
    s->timeout_ms = timeout_ms ? timeout_ms : 1;
    set_limits(s);
}

void smt_set_rlimit(Smt *s, uint64_t rlimit)
{
    s->rlimit = rlimit ? rlimit : 1;
    set_limits(s);
}

uint64_t smt_rlimit_used(Smt *s)
{
    Z3_stats st = Z3_solver_get_statistics(s->ctx, s->solver);
    Z3_stats_inc_ref(s->ctx, st);
    uint64_t used = 0;
    for (unsigned i = 0; i < Z3_stats_size(s->ctx, st); i++)
        if (strcmp(Z3_stats_get_key(s->ctx, st, i), "rlimit count") == 0 &&
            Z3_stats_is_uint(s->ctx, st, i))
            used = Z3_stats_get_uint_value(s->ctx, st, i);
    Z3_stats_dec_ref(s->ctx, st);
    return used;
}

void smt_close(Smt *s)
{
    if (!s->ctx) return;
    if (s->model) Z3_model_dec_ref(s->ctx, s->model);
    Z3_solver_dec_ref(s->ctx, s->solver);
    Z3_del_context(s->ctx);
    memset(s, 0, sizeof *s);
}

void smt_assert(Smt *s, Z3_ast f)
{
    Z3_solver_assert(s->ctx, s->solver, f);
    if (Z3_get_error_code(s->ctx) != Z3_OK) s->error = true;
}

SmtResult smt_check(Smt *s)
{
    if (s->model) Z3_model_dec_ref(s->ctx, s->model);
    s->model = NULL;
    if (s->error) {
        reason_note(s->why, REASON_SOLVER, NULL, "Z3 reported an error while the query was built");
        return SMT_UNKNOWN;
    }
    uint64_t before = s->rlimit ? smt_rlimit_used(s) : 0;
    Z3_lbool r = Z3_solver_check(s->ctx, s->solver);
    if (r == Z3_L_FALSE) return SMT_UNSAT;
    if (r == Z3_L_TRUE) {
        s->model = Z3_solver_get_model(s->ctx, s->solver);
        if (s->model) Z3_model_inc_ref(s->ctx, s->model);
        return SMT_SAT;
    }
    if (s->rlimit && smt_rlimit_used(s) - before >= s->rlimit) {
        reason_note(s->why, REASON_SOLVER, NULL, "resource limit (--rlimit)");
        return SMT_UNKNOWN;
    }
    const char *why = Z3_solver_get_reason_unknown(s->ctx, s->solver);
    reason_note(s->why, REASON_SOLVER, NULL, "%s", why ? why : "unknown");
    return SMT_UNKNOWN;
}

bool smt_dump(Smt *s, const char *path, const char *comment)
{
    FILE *f = fopen(path, "w");
    if (!f) return false;
    fprintf(f, "; %s\n; replay: z3 %s   (unsat = proved)\n", comment, path);
    fputs(Z3_solver_to_string(s->ctx, s->solver), f);
    fputs("(check-sat)\n", f);
    return fclose(f) == 0;
}

bool smt_eval_int(Smt *s, Z3_ast t, int64_t *out)
{
    Z3_ast v = NULL;
    if (!s->model || !Z3_model_eval(s->ctx, s->model, t, true, &v) || !v) return false;
    if (Z3_get_ast_kind(s->ctx, v) != Z3_NUMERAL_AST) return false;
    return Z3_get_numeral_int64(s->ctx, v, out);
}

bool smt_eval_bool(Smt *s, Z3_ast t, bool *out)
{
    Z3_ast v = NULL;
    if (!s->model || !Z3_model_eval(s->ctx, s->model, t, true, &v) || !v) return false;
    Z3_lbool b = Z3_get_bool_value(s->ctx, v);
    if (b == Z3_L_UNDEF) return false;
    *out = b == Z3_L_TRUE;
    return true;
}
