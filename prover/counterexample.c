/* counterexample.c: a readable counterexample from the solver's model: the
 * parameters, and the named processes' state before and after the round and
 * whom they heard. */
#include "counterexample.h"

#include "buf.h"

#include <inttypes.h>

/* ---- counterexamples ---- */

static void print_value(Attempt *v, hoc_buf *b, int s, Z3_ast t, int64_t *procs, int np)
{
    Slot *sl = &v->slot[s];
    if (sl->kind == SLOT_BOOL) {
        bool x;
        hoc_buf_printf(b, "%s", smt_eval_bool(&v->s, t, &x) ? (x ? "true" : "false") : "?");
    } else if (sl->kind == SLOT_INT) {
        int64_t x;
        if (!smt_eval_int(&v->s, t, &x))
            hoc_buf_printf(b, "?");
        else if (sl->d && sl->d->type->kind == TY_ENUM && x >= 0 && x < sl->d->type->enm->nmembers)
            hoc_buf_printf(b, "%s", sl->d->type->enm->members[x]);
        else
            hoc_buf_printf(b, "%" PRId64, x);
    } else {
        hoc_buf_printf(b, "{");
        int k = 0;
        for (int i = 0; i < np; i++) {
            bool in;
            if (smt_eval_bool(&v->s, subst1(v, t, v->Q, num(v, procs[i])), &in) && in)
                hoc_buf_printf(b, "%s%" PRId64, k++ ? "," : "", procs[i]);
        }
        hoc_buf_printf(b, "}");
    }
}

char *cex_text(Attempt *v, bool post)
{
    hoc_buf b = {0};
    int64_t n = 0;
    smt_eval_int(&v->s, v->n, &n);
    hoc_buf_printf(&b, "  n = %" PRId64, n);
    for (int i = 1; i < v->al->nparams; i++) {
        int64_t x;
        if (smt_eval_int(&v->s, v->par[i], &x))
            hoc_buf_printf(&b, ", %s = %" PRId64, v->al->params[i]->name, x);
    }
    if (post) {
        int64_t r;
        if (smt_eval_int(&v->s, v->R, &r))
            hoc_buf_printf(&b, ", round = %" PRId64 " (round %s of the phase)", r, v->rnd->name);
    }
    hoc_buf_printf(&b, "\n");
    /* the named processes: values of the pool terms */
    int64_t procs[64];
    int np = 0;
    for (int i = 0; i < v->npool; i++) {
        int64_t x;
        if (!smt_eval_int(&v->s, v->pool[i], &x) || x < 0 || x >= n) continue;
        bool dup = false;
        for (int k = 0; k < np; k++)
            dup |= procs[k] == x;
        if (!dup && np < 64) procs[np++] = x;
    }
    for (int i = 0; i < np; i++)
        for (int k = i + 1; k < np; k++)
            if (procs[k] < procs[i]) {
                int64_t t = procs[i];
                procs[i] = procs[k];
                procs[k] = t;
            }
    if (np == 0) hoc_buf_printf(&b, "  (no process is named by the query)\n");
    for (int i = 0; i < np; i++) {
        Z3_ast p = num(v, procs[i]);
        for (int pass = 0; pass < (post ? 2 : 1); pass++) {
            hoc_buf_printf(&b, "  process %" PRId64 " %s:", procs[i],
                           pass ? "after " : (post ? "before" : "      "));
            for (int s = 0; s < v->nslot; s++) {
                Slot *sl = &v->slot[s];
                if (!sl->d && !post) continue;
                Z3_ast t = pass ? attempt_state_read(v, V_POST, s, p)
                                : (v->have_init && !post ? attempt_state_read(v, V_INIT, s, p)
                                                         : attempt_pre_read(v, s, p));
                if (!sl->d) {
                    bool x;
                    if (smt_eval_bool(&v->s, t, &x) && x) hoc_buf_printf(&b, " %s", sl->name);
                    continue;
                }
                hoc_buf_printf(&b, " %s=", sl->name);
                print_value(v, &b, s, t, procs, np);
            }
            hoc_buf_printf(&b, "\n");
        }
        if (post) {
            hoc_buf_printf(&b, "  process %" PRId64 " heard from {", procs[i]);
            int k = 0;
            for (int j = 0; j < np; j++) {
                bool in;
                if (smt_eval_bool(&v->s, attempt_in_mailbox(v, p, num(v, procs[j])), &in) && in)
                    hoc_buf_printf(&b, "%s%" PRId64, k++ ? "," : "", procs[j]);
            }
            hoc_buf_printf(&b, "}");
            Z3_ast hoc = NULL;
            for (int c = 0; c < v->ncards; c++) {
                if (v->cards[c].fam != 0 ||
                    !Z3_is_eq_ast(v->c, v->cards[c].pred,
                                  Z3_simplify(v->c, attempt_in_mailbox(v, p, v->Q))))
                    continue;
                hoc = v->cards[c].c;
            }
            int64_t hn;
            if (hoc && smt_eval_int(&v->s, hoc, &hn))
                hoc_buf_printf(&b, " (%" PRId64 " messages in all)", hn);
            hoc_buf_printf(&b, " among the named processes\n");
        }
    }
    return b.p;
}
