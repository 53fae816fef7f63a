/* attempt.c: what the prover's modules share about one attempt (attempt.h):
 * reporting what cannot be encoded, assertions, reading state, the mailbox,
 * placeholders in terms and the deadline. */
#include "attempt.h"

#include <stdarg.h>

/* ---- small helpers ---- */
void attempt_unsupported(Attempt *v, Pos p, const char *fmt, ...)
{
    char msg[sizeof v->why.text];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    reason_note(&v->why, REASON_UNSUPPORTED, &p, "%s", msg);
}

void attempt_assert(Attempt *v, Z3_ast f)
{
    GROW(v->asserted, v->nasserted, v->capasserted);
    v->asserted[v->nasserted++] = f;
    smt_assert(&v->s, f);
}

/* ---- state ---- */
int attempt_slot_of(Attempt *v, Decl *d)
{
    for (int i = 0; i < v->nslot; i++)
        if (v->slot[i].d == d) return i;
    return -1;
}

Z3_ast attempt_pre_read(Attempt *v, int s, Z3_ast p)
{
    if (s == v->s_halted && v->never_stopped) return fls(v);
    /* liveness: nobody crashes, and nobody is stopped if nothing halts */
    if (s == v->s_crashed && v->never_stopped) return fls(v);
    if (v->slot[s].kind == SLOT_SET) return app2(v, v->slot[s].pre, p, v->Q);
    return app1(v, v->slot[s].pre, p);
}

/* A state variable of process p in a view: for sets, a predicate over Q. */
Z3_ast attempt_state_read(Attempt *v, View view, int s, Z3_ast p)
{
    if (view == V_POST && v->have_post) return subst1(v, v->post[s], v->S, p);
    if (view == V_INIT && v->have_init) return subst1(v, v->init[s], v->S, p);
    return attempt_pre_read(v, s, p);
}

/* ---- the mailbox ---- */
/* q's message is in p's mailbox: q is in HO(p), sent to p and has not
 * stopped. A process crashing in this round (crashes_now) still sends, as in
 * hoc sim, but does not update; from the next round on it is stopped like a
 * halted one: frozen and never heard again. */
/* Whether p hears q in this round. */
Z3_ast attempt_hears(Attempt *v, Z3_ast p, Z3_ast q)
{
    return v->uniform ? app1(v, v->good, q) : app2(v, v->ho, p, q);
}

Z3_ast attempt_in_mailbox(Attempt *v, Z3_ast p, Z3_ast q)
{
    Z3_ast sends = subst2(v, v->sends, v->S, q, v->T, p);
    Z3_ast r = and2(v, attempt_hears(v, p, q), sends);
    r = and2(v, r, not_(v, attempt_pre_read(v, v->s_halted, q)));
    return Z3_is_eq_ast(v->c, q, v->Q) ? r : and2(v, r, in_range(v, q)); /* sets live in 0..n-1 */
}

/* ---- placeholders in terms ---- */
static bool mentions(Attempt *v, Z3_ast t, Z3_ast x, IdSet *memo_yes, IdSet *memo_no)
{
    if (Z3_is_eq_ast(v->c, t, x)) return true;
    unsigned id = aid(v, t);
    if (idset_has(memo_yes, id)) return true;
    if (idset_has(memo_no, id)) return false;
    bool r = false;
    if (Z3_get_ast_kind(v->c, t) == Z3_APP_AST) {
        Z3_app a = Z3_to_app(v->c, t);
        unsigned na = Z3_get_app_num_args(v->c, a);
        for (unsigned i = 0; i < na && !r; i++)
            r = mentions(v, Z3_get_app_arg(v->c, a, i), x, memo_yes, memo_no);
    }
    idset_add(r ? memo_yes : memo_no, id);
    return r;
}

bool attempt_has_q(Attempt *v, Z3_ast t)
{
    IdSet y = {0}, n = {0};
    bool r = mentions(v, t, v->Q, &y, &n);
    idset_free(&y), idset_free(&n);
    return r;
}

bool attempt_is_ground(Attempt *v, Z3_ast t)
{
    IdSet y = {0}, n = {0};
    bool r = !mentions(v, t, v->Q, &y, &n) && !mentions(v, t, v->S, &y, &n) &&
             !mentions(v, t, v->T, &y, &n);
    idset_free(&y), idset_free(&n);
    return r;
}

/* Whether the attempt's time is up: building a query can take longer than
 * solving it, and the timeout covers both. */
bool attempt_over_time(Attempt *v)
{
    return v->deadline > 0 && hoc_now_s() > v->deadline;
}

bool attempt_stop_if_late(Attempt *v)
{
    if (!attempt_over_time(v)) return false;
    reason_note(&v->why, REASON_SOLVER, NULL, "timeout (while building the query)");
    return true;
}
