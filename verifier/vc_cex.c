/* vc_cex.c: a readable counterexample from the solver's model: the
 * parameters, and the named processes' state before and after the round and
 * whom they heard. */
#include "vcx.h"

#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

/* ---- counterexamples ---- */
typedef struct Buf {
    char *p;
    size_t n, cap;
} Buf;

static void bp(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void bp(Buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char tmp[1024];
    int k = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (k < 0) return;
    if ((size_t)k >= sizeof tmp) k = sizeof tmp - 1;
    if (b->n + (size_t)k + 1 > b->cap) {
        size_t nc = (b->cap + (size_t)k + 1) * 2;
        char *np = realloc(b->p, nc);
        if (!np) abort();
        b->p = np;
        b->cap = nc;
    }
    memcpy(b->p + b->n, tmp, (size_t)k + 1);
    b->n += (size_t)k;
}

static void print_value(Vc *v, Buf *b, int s, Z3_ast t, int64_t *procs, int np)
{
    Slot *sl = &v->slot[s];
    if (sl->kind == 1) {
        bool x;
        bp(b, "%s", smt_eval_bool(&v->s, t, &x) ? (x ? "true" : "false") : "?");
    } else if (sl->kind == 0) {
        int64_t x;
        if (!smt_eval_int(&v->s, t, &x))
            bp(b, "?");
        else if (sl->d && sl->d->type->kind == TY_ENUM && x >= 0 && x < sl->d->type->enm->nmembers)
            bp(b, "%s", sl->d->type->enm->members[x]);
        else
            bp(b, "%" PRId64, x);
    } else {
        bp(b, "{");
        int k = 0;
        for (int i = 0; i < np; i++) {
            bool in;
            if (smt_eval_bool(&v->s, subst1(v, t, v->Q, num(v, procs[i])), &in) && in)
                bp(b, "%s%" PRId64, k++ ? "," : "", procs[i]);
        }
        bp(b, "}");
    }
}

char *cex_text(Vc *v, bool post)
{
    Buf b = {0};
    int64_t n = 0;
    smt_eval_int(&v->s, v->n, &n);
    bp(&b, "  n = %" PRId64, n);
    for (int i = 1; i < v->al->nparams; i++) {
        int64_t x;
        if (smt_eval_int(&v->s, v->par[i], &x))
            bp(&b, ", %s = %" PRId64, v->al->params[i]->name, x);
    }
    if (post) {
        int64_t r;
        if (smt_eval_int(&v->s, v->R, &r))
            bp(&b, ", round = %" PRId64 " (round %s of the phase)", r, v->rnd->name);
    }
    bp(&b, "\n");
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
    if (np == 0) bp(&b, "  (no process is named by the query)\n");
    for (int i = 0; i < np; i++) {
        Z3_ast p = num(v, procs[i]);
        for (int pass = 0; pass < (post ? 2 : 1); pass++) {
            bp(&b, "  process %" PRId64 " %s:", procs[i],
               pass ? "after " : (post ? "before" : "      "));
            for (int s = 0; s < v->nslot; s++) {
                Slot *sl = &v->slot[s];
                if (!sl->d && !post) continue;
                Z3_ast t = pass ? vcx_state_read(v, V_POST, s, p)
                                : (v->have_init && !post ? vcx_state_read(v, V_INIT, s, p)
                                                         : vcx_pre_read(v, s, p));
                if (!sl->d) {
                    bool x;
                    if (smt_eval_bool(&v->s, t, &x) && x) bp(&b, " %s", sl->name);
                    continue;
                }
                bp(&b, " %s=", sl->name);
                print_value(v, &b, s, t, procs, np);
            }
            bp(&b, "\n");
        }
        if (post) {
            bp(&b, "  process %" PRId64 " heard from {", procs[i]);
            int k = 0;
            for (int j = 0; j < np; j++) {
                bool in;
                if (smt_eval_bool(&v->s, vcx_inmb(v, p, num(v, procs[j])), &in) && in)
                    bp(&b, "%s%" PRId64, k++ ? "," : "", procs[j]);
            }
            bp(&b, "%s}", k ? "" : "");
            Z3_ast hoc = NULL;
            for (int c = 0; c < v->ncards; c++) {
                if (v->cards[c].fam != 0 ||
                    !Z3_is_eq_ast(v->c, v->cards[c].pred, Z3_simplify(v->c, vcx_inmb(v, p, v->Q))))
                    continue;
                hoc = v->cards[c].c;
            }
            int64_t hn;
            if (hoc && smt_eval_int(&v->s, hoc, &hn)) bp(&b, " (%" PRId64 " messages in all)", hn);
            bp(&b, " among the named processes\n");
        }
    }
    return b.p;
}
