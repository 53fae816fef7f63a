/* cgen_expr.c: expressions as C expressions.
 *
 * Expressions are total and pure, so anything that needs a loop (a
 * quantifier, a comprehension, an aggregate over the mailbox) is computed
 * into a temporary by statements written just before the statement that
 * uses it; the expression itself is then a plain C expression. */
#include "cgen_int.h"

#include <string.h>

#include "hoc_rt.h" /* HOC_MAXN */

static const char *param_name(Gen *g, int i)
{
    g->use_param[i] = true;
    return g->algo->params[i]->name;
}

const char *cgen_n(Gen *g)
{
    return param_name(g, 0);
}

static const char *state_base(Gen *g)
{
    g->use_s = true;
    return "s->";
}

static const char *msgs(Gen *g)
{
    g->use_msgs = true;
    return "msgs";
}

/* Opens the loop of a spec's int binder bounded by its guard (compiler/qdom.c):
 * over the interval its bounds give in this state, beyond QDOM_CAP values
 * the spec cannot be judged. */
static void open_range_loop(Gen *g, Binder *b, const char *cond)
{
    g->need_qdom_range = true;
    const char *lo = cgen_temp(g, "lo"), *hi = cgen_temp(g, "hi"), *none = cgen_temp(g, "none");
    cgen_line(g, "int64_t %s = INT64_MIN, %s = INT64_MAX; /* %s: what its guard allows */", lo, hi,
              b->name);
    cgen_line(g, "bool %s = false;", none);
    for (int i = 0; i < b->nbounds; i++) {
        const QBound *q = &b->bounds[i];
        const char *t = cgen_temp(g, "bound");
        cgen_line(g, "int64_t %s = %s;", t, cgen_expr(g, q->e));
        switch (q->kind) {
        case QB_GE:
        case QB_LE:
        case QB_EQ:
            if (q->kind != QB_LE) cgen_line(g, "if (%s > %s) %s = %s;", t, lo, lo, t);
            if (q->kind != QB_GE) cgen_line(g, "if (%s < %s) %s = %s;", t, hi, hi, t);
            break;
        case QB_GT: /* k > t: from t + 1, and nothing above the largest int */
            cgen_line(g, "if (%s == INT64_MAX) %s = true; else if (%s + 1 > %s) %s = %s + 1;", t,
                      none, t, lo, lo, t);
            break;
        case QB_LT:
            cgen_line(g, "if (%s == INT64_MIN) %s = true; else if (%s - 1 < %s) %s = %s - 1;", t,
                      none, t, hi, hi, t);
            break;
        }
    }
    const char *span = cgen_temp(g, "span");
    g->use_judge = true;
    cgen_line(g, "uint64_t %s = %s_qspan(%s, %s, %s, \"%s:%d:%d: %s\", judge);", span, g->px, lo,
              hi, none, b->pos.file ? b->pos.file : "spec", b->pos.line, b->pos.col, b->name);
    cgen_line(g, "for (uint64_t %s_i = 0; %s_i < %s%s; %s_i++) {", b->name, b->name, span, cond,
              b->name);
    g->indent++;
    cgen_line(g, "int64_t %s = (int64_t)((uint64_t)%s + %s_i);", b->name, lo, b->name);
}

/* Opens the loop of a spec's int or stamp binder used only in == and != with
 * held values (compiler/qdom.c): the active domain, the constants compared
 * with the spec's such binders, and one fresh value per such binder. */
static void open_held_loop(Gen *g, Binder *b, const char *cond)
{
    bool st = b->type->kind == TY_STAMP;
    const char *what = st ? "stamps" : "ints", *WHAT = st ? "STAMPS" : "INTS";
    if (st)
        g->need_active_stamps = true;
    else
        g->need_active_ints = true;
    g->need_qdom_held = true;
    g->use_s = true;
    const char *vals = cgen_temp(g, "vals"), *k = cgen_temp(g, "k");
    const char *cs = "NULL";
    if (b->nconsts > 0) {
        hoc_buf l = {0};
        for (int i = 0; i < b->nconsts; i++)
            hoc_buf_printf(&l, "%s%s", i ? ", " : "", cgen_expr(g, b->consts[i]));
        cs = cgen_temp(g, "consts");
        cgen_line(g, "const int64_t %s[] = {%s};", cs, hoc_buf_str(&l));
        hoc_buf_free(&l);
    }
    cgen_line(g, "int64_t %s[%s_ACTIVE_%s + %d];", vals, g->PX, WHAT, b->nconsts + b->nfresh);
    cgen_line(g, "int %s = %s_active_%s(S, %s, %s);", k, g->px, what, cgen_n(g), vals);
    cgen_line(g, "%s = %s_qheld(%s, %s, %s, %d, %d);", k, g->px, vals, k, cs, b->nconsts,
              b->nfresh);
    cgen_line(g, "for (int %s_i = 0; %s_i < %s%s; %s_i++) {", b->name, b->name, k, cond, b->name);
    g->indent++;
    cgen_line(g, "int64_t %s = %s[%s_i];", b->name, vals, b->name);
}

/* Opens the loop of a spec's set binder (compiler/qdom.c): the value its
 * guard pins it to (at every process, for a pin under `forall q`), or every
 * subset of the processes, beyond QDOM_CAP of them the spec cannot be judged. */
static void open_set_loop(Gen *g, Binder *b, const char *cond)
{
    const char *n = cgen_n(g), *k = cgen_temp(g, "k");
    if (!b->pin) {
        g->need_qdom_subsets = true;
        g->use_judge = true;
        cgen_line(g, "uint64_t %s = %s_qsubsets(%s, \"%s:%d:%d: %s\", judge);", k, g->px, n,
                  b->pos.file ? b->pos.file : "spec", b->pos.line, b->pos.col, b->name);
        cgen_line(g, "for (uint64_t %s_i = 0; %s_i < %s%s; %s_i++) {", b->name, b->name, k, cond,
                  b->name);
        g->indent++;
        cgen_line(g, "hoc_set %s = (hoc_set)%s_i;", b->name, b->name);
        return;
    }
    const char *vals = cgen_temp(g, "sets");
    cgen_line(g, "hoc_set %s[HOC_MAXN + 1];", vals);
    cgen_line(g, "int %s = 0;", k);
    if (b->pin_over) { /* with no process, `forall q` pins nothing: {} is every subset */
        const char *q = b->pin_over->name;
        cgen_line(g, "for (int64_t %s = 0; %s < %s; %s++) {", q, q, n, q);
        g->indent++;
        const char *v = cgen_expr(g, b->pin);
        cgen_line(g, "%s[%s++] = %s;", vals, k, v);
        cgen_close(g);
        cgen_line(g, "if (%s == 0) %s[%s++] = 0;", k, vals, k);
    } else {
        cgen_line(g, "%s[%s++] = %s;", vals, k, cgen_expr(g, b->pin));
    }
    cgen_line(g, "for (int %s_i = 0; %s_i < %s%s; %s_i++) {", b->name, b->name, k, cond, b->name);
    g->indent++;
    cgen_line(g, "hoc_set %s = %s[%s_i];", b->name, vals, b->name);
}

/* Opens the loop of one binder, declaring its C variable; see bind() in check.c. */
static void open_binder_loop(Gen *g, Binder *b, const char *cond_in)
{
    const char *cond = cond_in ? cgen_fmt(g, " && %s", cond_in) : "";
    if (b->domx) {
        const char *set = cgen_temp(g, "dom");
        cgen_line(g, "hoc_set %s = %s;", set, cgen_expr(g, b->domx));
        cgen_line(g, "for (int64_t %s = hoc_set_min(%s); %s >= 0%s; %s = hoc_set_next(%s, %s)) {",
                  b->name, set, b->name, cond, b->name, set, b->name);
        g->indent++;
        return;
    }
    TypeKind t = b->type->kind;
    if ((t == TY_INT || t == TY_STAMP) && b->nbounds > 0) {
        open_range_loop(g, b, cond);
        return;
    }
    if ((t == TY_INT || t == TY_STAMP) && b->nfresh > 0) {
        open_held_loop(g, b, cond);
        return;
    }
    switch (t) {
    case TY_BOOL:
        cgen_line(g, "for (int %s_i = 0; %s_i < 2%s; %s_i++) {", b->name, b->name, cond, b->name);
        g->indent++;
        cgen_line(g, "bool %s = %s_i;", b->name, b->name);
        return;
    case TY_ENUM:
        cgen_line(g, "for (int32_t %s = 0; %s < %d%s; %s++) {", b->name, b->name,
                  b->type->enm->nmembers, cond, b->name);
        g->indent++;
        return;
    case TY_SET: /* specs only */
        open_set_loop(g, b, cond);
        return;
    default: /* processes; and a comprehension's int binder: a set keeps only processes */
        cgen_line(g, "for (int64_t %s = 0; %s < %s%s; %s++) {", b->name, b->name, cgen_n(g), cond,
                  b->name);
        g->indent++;
        return;
    }
}

/* Marks a binder's C variable used when the body does not read it (the
 * loop header does not, for these kinds). */
static void binder_used(Gen *g, Binder *b, Expr *body)
{
    if (b->domx || cgen_expr_reads(body, b, NULL)) return;
    TypeKind k = b->type->kind;
    if (k == TY_BOOL || k == TY_INT || k == TY_STAMP || k == TY_SET)
        cgen_line(g, "(void)%s; /* never read */", b->name);
}

static const char *emit_quant(Gen *g, Expr *e)
{
    const char *r = cgen_temp(g, e->is_forall ? "all" : "some");
    cgen_line(g, "bool %s = %s; /* %s */", r, e->is_forall ? "true" : "false",
              e->is_forall ? "forall" : "exists");
    const char *guard = e->is_forall ? r : cgen_fmt(g, "!%s", r);
    int depth = 0;
    for (Binder *b = e->binders; b; b = b->next, depth++) {
        open_binder_loop(g, b, guard);
        binder_used(g, b, e->a);
    }
    const char *body = cgen_expr(g, e->a);
    if (e->is_forall)
        cgen_line(g, "if (!(%s)) %s = false;", body, r);
    else
        cgen_line(g, "if (%s) %s = true;", body, r);
    while (depth--)
        cgen_close(g);
    return r;
}

static const char *emit_compr(Gen *g, Expr *e)
{
    const char *r = cgen_temp(g, "set");
    cgen_line(g, "hoc_set %s = 0;", r);
    open_binder_loop(g, e->binders, NULL);
    const char *cond = cgen_expr(g, e->a);
    cgen_line(g, "if (%s) %s |= hoc_set_one(%s);", cond, r, e->binders->name);
    cgen_close(g);
    return r;
}

/* The C expression for the field `f` of the message from sender `p`. */
static const char *msg_field(Gen *g, Round *r, const char *p, int f)
{
    return cgen_fmt(g, "%s[%s].%s", msgs(g), p, r->fields[f].name);
}

static const char *emit_aggregate(Gen *g, Expr *e)
{
    const char *f = e->name;
    if (e->nargs == 2)
        return cgen_fmt(g, "hoc_%s(%s, %s)", f, cgen_expr(g, e->args[0]), cgen_expr(g, e->args[1]));
    Expr *arg = e->args[0];
    const char *set = cgen_expr(g, arg);
    if (arg->type->kind == TY_SET) { /* a pid-wide local: -1 when the set is empty */
        const char *r = cgen_temp(g, f);
        cgen_line(g, "const int64_t %s = hoc_set_%s(%s);", r, f, set);
        return r;
    }
    Round *r = arg->type->round;
    int field = arg->index;
    const Type *ft = r->fields[field].type;
    const char *from = cgen_temp(g, "from"), *p = cgen_temp(g, "p");
    cgen_line(g, "hoc_set %s = %s; /* %s over %s */", from, set, f, r->fields[field].name);
    if (strcmp(f, "mmor") == 0) {
        const char *vals = cgen_temp(g, "vals"), *k = cgen_temp(g, "k"),
                   *res = cgen_temp(g, "mmor");
        cgen_line(g, "int64_t %s[HOC_MAXN];", vals);
        cgen_line(g, "int %s = 0;", k);
        cgen_set_loop(g, p, from);
        cgen_line(g, "%s[%s++] = %s;", vals, k, msg_field(g, r, p, field));
        cgen_close(g);
        cgen_line(g, "%s %s = (%s)hoc_mmor(%s, %s);", cgen_ctype(g, ft), res, cgen_ctype(g, ft),
                  vals, k);
        return res;
    }
    bool is_arg = f[0] == 'a', is_max = strstr(f, "max") != NULL;
    const char *best = cgen_temp(g, "best"), *who = cgen_temp(g, "who");
    cgen_line(g, "int64_t %s = 0;", best);
    cgen_line(g, "int64_t %s = -1;", who);
    cgen_set_loop(g, p, from);
    cgen_line(g, "if (%s < 0 || %s %s %s) {", who, msg_field(g, r, p, field), is_max ? ">" : "<",
              best);
    g->indent++;
    cgen_line(g, "%s = %s;", best, msg_field(g, r, p, field));
    cgen_line(g, "%s = %s;", who, p);
    cgen_close(g);
    cgen_close(g);
    /* on an empty mailbox: 0, and for arg*, -1: no one, whose fields are all zero */
    return is_arg ? who : best;
}

static const char *emit_call(Gen *g, Expr *e)
{
    Decl *d = e->decl;
    if (!d) return emit_aggregate(g, e);
    if (d->kind == D_DEF) cgen_def_used(g, d, true);
    hoc_buf b = {0};
    bool bytes_ret = d->ret->kind == TY_BYTES;
    const char *res = NULL;
    if (bytes_ret) {
        res = cgen_temp(g, "bytes");
        cgen_line(g, "uint8_t %s[%lld];", res, (long long)d->ret->len);
        cgen_local(g, cgen_fmt(g, "uint8_t[%lld]", (long long)d->ret->len));
    }
    bool ext = d->kind == D_EXTERN; /* externs get every block's length beside it */
    hoc_buf_printf(&b, "%s%s(", ext ? "" : cgen_fmt(g, "%s_", g->px), d->name);
    for (int i = 0; i < e->nargs; i++) {
        hoc_buf_printf(&b, "%s%s", i ? ", " : "", cgen_expr(g, e->args[i]));
        if (ext && d->params[i].type->kind == TY_BYTES)
            hoc_buf_printf(&b, ", %lld", (long long)d->params[i].type->len);
    }
    if (bytes_ret) hoc_buf_printf(&b, "%s%s", e->nargs ? ", " : "", res);
    if (bytes_ret && ext) hoc_buf_printf(&b, ", %lld", (long long)d->ret->len);
    hoc_buf_put(&b, ")", 1);
    char *call = cgen_take(g, &b);
    if (bytes_ret) {
        cgen_line(g, "%s;", call);
        return res;
    }
    return call;
}

/* Does a let read nothing that changes during a round (variables, oracles)? */
static bool let_stable(const Expr *e)
{
    if (!e) return true;
    if (e->kind == E_NAME && e->nk == N_STATE && e->decl && e->decl->kind != D_INPUT) return false;
    if (e->kind == E_NAME && e->nk == N_LET && !let_stable(e->decl->init)) return false;
    for (int i = 0; i < e->nargs; i++)
        if (!let_stable(e->args[i])) return false;
    return let_stable(e->a) && let_stable(e->b) && let_stable(e->c);
}

static int let_index(const Gen *g, const Decl *d)
{
    for (int i = 0; i < g->algo->nlets && i < 64; i++)
        if (g->algo->lets[i] == d) return i;
    return -1;
}

static const char *emit_name(Gen *g, Expr *e)
{
    switch (e->nk) {
    case N_STATE:
        if (e->decl && e->decl->kind == D_ORACLE) {
            g->use_env = true;
            int i = 0;
            while (g->algo->oracles[i] != e->decl)
                i++;
            return cgen_fmt(g, "hoc_oracle(env, %d)", i);
        }
        return cgen_fmt(g, "%s%s", state_base(g), e->name);
    case N_PARAM:
        return param_name(g, e->index);
    case N_CONST:
        return cgen_fmt(g, "%lld /* %s */", (long long)e->decl->value, e->name);
    case N_ENUMVAL:
        return cgen_fmt(g, "%s_%s", e->decl->name, e->name);
    case N_LET: {
        int i = let_index(g, e->decl);
        if (g->mode == M_PROC && i >= 0 && let_stable(e->decl->init)) {
            g->use_let[i] = true; /* a named local: `p coord` works in gdb */
            return e->name;
        }
        return cgen_fmt(g, "(%s)",
                        cgen_expr(g, e->decl->init)); /* reads state: its value where used */
    }
    case N_LOCAL:
    case N_BINDER:
        return e->name;
    case N_MSGVAR:
        if (g->round && g->round->single) return msg_field(g, g->round, e->name, 0);
        return e->name;
    case N_ID: /* a named local, of the width of a pid */
        g->use_id = true;
        return "id";
    case N_PROCS:
        return cgen_fmt(g, "hoc_set_all((int32_t)%s)", cgen_n(g));
    case N_MBOX:
        g->use_from = true;
        return "from";
    default:
        return "0";
    }
}

/* The zero value of a scalar of type t. */
static const char *zero_of(const Type *t)
{
    return t->kind == TY_BOOL ? "false" : "0";
}

static bool is_block(const Type *t)
{
    return t->kind == TY_ARRAY || t->kind == TY_BYTES;
}

/* How many elements array or block t has: n for an array indexed by process. */
static const char *elem_count(Gen *g, const Type *t)
{
    if (t->kind == TY_ARRAY && t->len < 0) return cgen_n(g);
    return cgen_fmt(g, "%lld", (long long)t->len);
}

/* Conjoins c to the condition *cond (NULL: none yet). */
static void and_cond(Gen *g, const char **cond, const char *c)
{
    *cond = *cond ? cgen_fmt(g, "%s && %s", *cond, c) : c;
}

/* An index the program fixes: a literal, its negation or a constant. */
static bool const_index(const Expr *i, int64_t *k)
{
    if (i->kind == E_INT) return *k = i->ival, true;
    if (i->kind == E_NAME && i->nk == N_CONST) return *k = i->decl->value, true;
    if (i->kind == E_UNARY && i->op == OP_NEG && i->a->kind == E_INT) return *k = -i->a->ival, true;
    return false;
}

bool cgen_no_element(const Expr *e)
{
    int64_t k;
    if (e->kind != E_INDEX || e->nk == N_STATE || e->nk == N_MBOX || !is_block(e->a->type))
        return false;
    if (cgen_no_element(e->a)) return true;
    const Type *t = e->a->type;
    return const_index(e->b, &k) && (k < 0 || k >= (t->len < 0 ? HOC_MAXN : t->len));
}

/* A spec's process index that is a process by construction: a binder over
 * processes (or over a set, which holds only processes). */
static bool is_process(const Expr *i)
{
    return i->kind == E_NAME && i->nk == N_BINDER && i->binder && i->binder->type->kind == TY_PID;
}

const char *cgen_access(Gen *g, Expr *e, const char **cond)
{
    if (e->kind == E_INDEX && e->nk == N_STATE) { /* a spec reading process i's variable */
        Expr *i = e->b;
        g->use_s = true;
        const char *ix = cgen_expr(g, i);
        if (!is_process(i)) and_cond(g, cond, cgen_fmt(g, "hoc_in(%s, %s)", ix, cgen_n(g)));
        return cgen_fmt(g, "S[%s].%s", ix, e->a->name);
    }
    if (e->kind == E_INDEX && e->nk == N_MBOX) { /* mbox[p] of a single-value round */
        const char *p = cgen_expr(g, e->b), *heard = cgen_expr(g, e->a);
        and_cond(g, cond, cgen_fmt(g, "hoc_set_has(%s, %s)", heard, p));
        return msg_field(g, e->a->type->round, p, 0);
    }
    if (e->kind == E_INDEX && is_block(e->a->type)) {
        const char *base = cgen_access(g, e->a, cond);
        if (!base) return NULL;
        const Type *t = e->a->type;
        bool per_process = t->kind == TY_ARRAY && t->len < 0;
        int64_t k;
        if (const_index(e->b, &k)) { /* decided here, so no C compiler sees a[3] of int[3] */
            if (cgen_no_element(e)) return NULL;
            if (per_process) /* the capacity first: a smaller build skips it at compile time */
                and_cond(g, cond,
                         cgen_fmt(g, "%lld < %s_MAXN && hoc_in(%lld, %s)", (long long)k, g->PX,
                                  (long long)k, cgen_n(g)));
            return cgen_fmt(g, "%s[%lld]", base, (long long)k);
        }
        const char *idx = cgen_expr(g, e->b);
        and_cond(g, cond, cgen_fmt(g, "hoc_in(%s, %s)", idx, elem_count(g, t)));
        return cgen_fmt(g, "%s[%s]", base, idx);
    }
    if (e->kind == E_FIELD && e->index >= 0 && e->a->type->kind == TY_MSG) {
        /* a message: a sender, or -1 for no one, whose fields are all zero */
        const char *h = cgen_expr(g, e->a);
        bool sure = e->a->kind == E_NAME && e->a->nk == N_MSGVAR;
        if (!sure) and_cond(g, cond, cgen_fmt(g, "%s >= 0", h));
        return msg_field(g, e->a->type->round, h, e->index);
    }
    return cgen_expr(g, e);
}

/* Reads element access e: its value where it is in range, else the zero
 * value of its type (for an array or block, a pointer to zero bytes). */
static const char *read_access(Gen *g, Expr *e)
{
    bool none = cgen_no_element(e);
    const char *cond = NULL, *v = none ? NULL : cgen_access(g, e, &cond);
    if (v && e->kind == E_INDEX && e->a->type && e->a->type->kind == TY_BYTES)
        v = cgen_fmt(g, "hoc_byte(%s)",
                     v); /* a call: compilers do not see b < 256 as always true */
    if (v && !cond) return v;
    const char *zero = zero_of(e->type);
    if (is_block(e->type)) { /* the zero bytes PX_zero, and v as a pointer like them */
        g->need_zero = true;
        zero = cgen_fmt(g, "(const void *)&%s_zero", g->px);
        if (v) v = cgen_fmt(g, "(const void *)%s", v);
    }
    if (!v) return zero;
    return cgen_fmt(g, "(%s ? %s : %s)", cond, v, zero);
}

static const char *emit_index(Gen *g, Expr *e)
{
    if (e->nk == N_HO) { /* no process p: an empty heard-of set */
        g->use_ho = true;
        const char *p = cgen_expr(g, e->b);
        return cgen_fmt(g, "(hoc_in(%s, %s) ? ho[%s] : 0)", p, cgen_n(g), p);
    }
    if (e->nk == N_CRASHED) { /* no process p: not crashed */
        g->use_s = true;
        const char *p = cgen_expr(g, e->b);
        return cgen_fmt(g, "(hoc_in(%s, %s) && S[%s].hoc_crashed)", p, cgen_n(g), p);
    }
    if (e->nk == N_MBOX && !e->a->type->round->single) { /* a message: its sender, or -1 */
        const char *p = cgen_expr(g, e->b);
        return cgen_fmt(g, "hoc_sender(%s, %s)", cgen_expr(g, e->a), p);
    }
    return read_access(g, e);
}

static const char *emit_field(Gen *g, Expr *e)
{
    if (e->a->type->kind == TY_MBOX) return cgen_expr(g, e->a); /* a projection: same senders */
    Round *r = e->a->type->kind == TY_MSG ? e->a->type->round : g->round;
    bool single_var = e->a->kind == E_NAME && e->a->nk == N_MSGVAR && r->single;
    if (single_var) {
        if (e->index == -2) return e->a->name;
        return msg_field(g, r, e->a->name, e->index);
    }
    if (e->index == -2) return cgen_expr(g, e->a); /* m.sender: the handle itself */
    if (e->a->type->kind == TY_MSG) return read_access(g, e);
    return msg_field(g, r, cgen_expr(g, e->a), e->index);
}

static const char *int_op(Op op)
{
    switch (op) {
    case OP_ADD:
        return "hoc_add";
    case OP_SUB:
        return "hoc_sub";
    case OP_MUL:
        return "hoc_mul";
    case OP_DIV:
        return "hoc_div";
    default:
        return "hoc_mod";
    }
}

static const char *emit_binary(Gen *g, Expr *e)
{
    Gen before = *g; /* what the function used before the operands */
    const char *a = cgen_expr(g, e->a), *b = cgen_expr(g, e->b);
    const Type *t = e->a->type;
    switch (e->op) {
    case OP_AND:
        return cgen_fmt(g, "(%s && %s)", a, b);
    case OP_OR:
        return cgen_fmt(g, "(%s || %s)", a, b);
    case OP_IMPLIES:
        return cgen_fmt(g, "(!%s || %s)", a, b);
    case OP_IN:
        return cgen_fmt(g, "hoc_set_has(%s, %s)", b, a);
    case OP_EQ:
    case OP_NE:
    case OP_LT:
    case OP_LE:
    case OP_GT:
    case OP_GE: {
        static const char *const c_op[] = {[OP_EQ] = "==", [OP_NE] = "!=", [OP_LT] = "<",
                                           [OP_LE] = "<=", [OP_GT] = ">",  [OP_GE] = ">="};
        if (t->kind == TY_BYTES) /* only == and != type-check for blocks */
            return cgen_fmt(g, "(memcmp(%s, %s, %lld) %s 0)", a, b, (long long)t->len, c_op[e->op]);
        if (strcmp(a, b) == 0) { /* x == x: pure, so decided here (compilers warn of it) */
            *g = before;         /* same text, so no temporary was written: nothing else is used */
            return e->op == OP_EQ || e->op == OP_LE || e->op == OP_GE ? "true" : "false";
        }
        return cgen_fmt(g, "(%s %s %s)", a, c_op[e->op], b);
    }
    default:
        if (t->kind == TY_SET)
            return e->op == OP_ADD ? cgen_fmt(g, "(%s | %s)", a, b)
                                   : cgen_fmt(g, "(%s & ~%s)", a, b);
        return cgen_fmt(g, "%s(%s, %s)", int_op(e->op), a, b);
    }
}

const char *cgen_expr(Gen *g, Expr *e)
{
    switch (e->kind) {
    case E_INT:
        return cgen_fmt(g, e->ival > 2147483647 ? "INT64_C(%lld)" : "%lld", (long long)e->ival);
    case E_BOOL:
        return e->ival ? "true" : "false";
    case E_NAME:
        return emit_name(g, e);
    case E_ROUND:
        g->use_env = true;
        return "env->round";
    case E_PHASE:
        g->use_env = g->use_phase = true;
        return e->type && e->type->kind == TY_STAMP ? "hoc_stamp(phase)" : "phase";
    case E_NEVER:
        return "HOC_NEVER";
    case E_ABSENT: /* emit_optional writes nothing for it: never reached */
        return "0";
    case E_UNARY:
        if (e->op == OP_NOT) return cgen_fmt(g, "!%s", cgen_expr(g, e->a));
        if (e->a->kind == E_INT) return cgen_fmt(g, "(-%s)", cgen_expr(g, e->a));
        return cgen_fmt(g, "hoc_neg(%s)", cgen_expr(g, e->a));
    case E_BINARY:
        return emit_binary(g, e);
    case E_COND: {
        /* both branches are total and pure, so evaluating both is safe */
        const char *c = cgen_expr(g, e->a), *x = cgen_expr(g, e->b), *y = cgen_expr(g, e->c);
        return cgen_fmt(g, "(%s ? %s : %s)", c, x, y);
    }
    case E_INDEX:
        return emit_index(g, e);
    case E_FIELD:
        return emit_field(g, e);
    case E_CALL:
        return emit_call(g, e);
    case E_CARD:
        return cgen_fmt(g, "hoc_set_size(%s)", cgen_expr(g, e->a));
    case E_COMPR:
        return emit_compr(g, e);
    case E_SETLIT: {
        if (!e->nargs) return "((hoc_set)0)";
        hoc_buf b = {0};
        hoc_buf_put(&b, "(", 1);
        for (int i = 0; i < e->nargs; i++)
            hoc_buf_printf(&b, "%shoc_set_of(%s, %s)", i ? " | " : "", cgen_expr(g, e->args[i]),
                           cgen_n(g));
        hoc_buf_put(&b, ")", 1);
        return cgen_take(g, &b);
    }
    case E_QUANT:
        return emit_quant(g, e);
    case E_TUPLE:
        return "0";
    }
    return "0";
}
