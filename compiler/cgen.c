/* cgen.c: emits an algorithm as C that reads like hand-written code.
 *
 * Expressions are total and pure, so anything that needs a loop (a
 * quantifier, a comprehension, an aggregate over the mailbox) is computed
 * into a temporary by statements emitted just before the statement that
 * uses it; the expression itself is then a plain C expression. */
#include "cgen.h"

#include "buf.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

typedef enum Mode { M_PROC, M_SPEC, M_PARAM, M_DEF } Mode;

typedef struct Gen {
    Program *prog;
    Algo *algo;
    Arena *a;
    const char *px; /* C prefix */
    const char *PX; /* upper-case prefix, for macros */
    hoc_buf *out;   /* where statements go */
    int indent;
    int ntemp;
    Mode mode;
    Round *round;
    /* what the function being emitted used, for its prologue */
    bool use_param[16], use_phase, use_env, use_s, use_from, use_msgs, use_ho, use_n;
    bool use_let[64]; /* lets emitted as named locals in this function's prologue */
    bool use_out;     /* a send or an output: the out (and to) parameters */
    bool need_active_ints, need_active_sets, need_active_stamps;
} Gen;

static char *fmt(Gen *g, const char *f, ...) __attribute__((format(printf, 2, 3)));
static char *fmt(Gen *g, const char *f, ...)
{
    hoc_buf b = {0};
    va_list ap;
    va_start(ap, f);
    hoc_buf_vprintf(&b, f, ap);
    va_end(ap);
    char *s = arena_strndup(g->a, b.p, b.n);
    free(b.p);
    return s;
}

static void line(Gen *g, const char *f, ...) __attribute__((format(printf, 2, 3)));
static void line(Gen *g, const char *f, ...)
{
    for (int i = 0; i < g->indent; i++)
        hoc_buf_put(g->out, "    ", 4);
    va_list ap;
    va_start(ap, f);
    hoc_buf_vprintf(g->out, f, ap);
    va_end(ap);
    hoc_buf_put(g->out, "\n", 1);
}

static char *temp(Gen *g, const char *stem)
{
    return fmt(g, "hoc_%s%d", stem, ++g->ntemp);
}

void cgen_prefix(const char *name, char *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; name[i] && n + 2 < cap; i++) {
        unsigned char ch = (unsigned char)name[i];
        if (isupper(ch) && i > 0 &&
            (islower((unsigned char)name[i - 1]) || isdigit((unsigned char)name[i - 1]) ||
             (name[i + 1] && islower((unsigned char)name[i + 1]) &&
              isupper((unsigned char)name[i - 1]))))
            out[n++] = '_';
        out[n++] = (char)tolower(ch);
    }
    out[n] = 0;
}

/* ---- C types ---- */
static const char *ctype(Gen *g, const Type *t)
{
    switch (t->kind) {
    case TY_INT:
        return "int64_t";
    case TY_BOOL:
        return "bool";
    case TY_PID:
        return "int32_t";
    case TY_ENUM:
        return "int32_t";
    case TY_SET:
        return "hoc_set";
    case TY_BYTES:
        return "uint8_t";
    case TY_ARRAY:
        return ctype(g, t->elem);
    case TY_MSG:
        return "int32_t"; /* a sender index */
    case TY_MBOX:
        return "hoc_set"; /* the senders it holds */
    default:
        return "int64_t";
    }
}

/* The array suffix of a declaration: "[OTR_MAXN][4]" or "". */
static const char *cdims(Gen *g, const Type *t)
{
    if (t->kind == TY_BYTES) return fmt(g, "[%lld]", (long long)t->len);
    if (t->kind != TY_ARRAY) return "";
    const char *inner = cdims(g, t->elem);
    if (t->len < 0) return fmt(g, "[%s_MAXN]%s", g->PX, inner);
    return fmt(g, "[%lld]%s", (long long)t->len, inner);
}

static const char *clen(Gen *g, const Type *t)
{
    return t->len < 0 ? fmt(g, "%s_MAXN", g->PX) : fmt(g, "%lld", (long long)t->len);
}

static bool is_aggregate_type(const Type *t)
{
    return t->kind == TY_ARRAY || t->kind == TY_BYTES;
}

/* ---- expressions ---- */
static const char *emit(Gen *g, Expr *e);
static void emit_stmts(Gen *g, Stmt *s);

static const char *param_name(Gen *g, int i)
{
    g->use_param[i] = true;
    if (i == 0) g->use_n = true;
    return g->algo->params[i]->name;
}

/* The name "n" as a C expression, in any mode. */
static const char *nexpr(Gen *g)
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

/* Iterates the members of a set held in variable `set` with C variable `var`. */
static void open_set_loop(Gen *g, const char *var, const char *set)
{
    line(g, "for (int32_t %s = hoc_set_min(%s); %s >= 0; %s = hoc_set_next(%s, %s)) {", var, set,
         var, var, set, var);
    g->indent++;
}

static void close_block(Gen *g)
{
    g->indent--;
    line(g, "}");
}

/* Opens the loop of one binder, declaring its C variable; see bind() in check.c. */
static void open_binder_loop(Gen *g, Binder *b, const char *guard)
{
    const char *cond = guard ? fmt(g, " && %s", guard) : "";
    if (b->domx) {
        const char *set = temp(g, "dom");
        line(g, "hoc_set %s = %s;", set, emit(g, b->domx));
        line(g, "for (int32_t %s = hoc_set_min(%s); %s >= 0%s; %s = hoc_set_next(%s, %s)) {",
             b->name, set, b->name, cond, b->name, set, b->name);
        g->indent++;
        return;
    }
    switch (b->type->kind) {
    case TY_BOOL:
        line(g, "for (int %s_i = 0; %s_i < 2%s; %s_i++) {", b->name, b->name, cond, b->name);
        g->indent++;
        line(g, "bool %s = %s_i;", b->name, b->name);
        return;
    case TY_ENUM:
        line(g, "for (int32_t %s = 0; %s < %d%s; %s++) {", b->name, b->name, b->type->enm->nmembers,
             cond, b->name);
        g->indent++;
        return;
    case TY_INT:
    case TY_STAMP: { /* specs only: the values that occur in the state */
        bool st = b->type->kind == TY_STAMP;
        if (st)
            g->need_active_stamps = true;
        else
            g->need_active_ints = true;
        const char *vals = temp(g, "vals"), *k = temp(g, "k");
        line(g, "int64_t %s[%s_ACTIVE_%s];", vals, g->PX, st ? "STAMPS" : "INTS");
        line(g, "int %s = %s_active_%s(S, %s, %s);", k, g->px, st ? "stamps" : "ints", nexpr(g),
             vals);
        g->use_s = true;
        line(g, "for (int %s_i = 0; %s_i < %s%s; %s_i++) {", b->name, b->name, k, cond, b->name);
        g->indent++;
        line(g, "int64_t %s = %s[%s_i];", b->name, vals, b->name);
        return;
    }
    case TY_SET: { /* specs only: heard-of sets and set-valued state */
        g->need_active_sets = true;
        g->use_ho = true;
        const char *vals = temp(g, "sets"), *k = temp(g, "k");
        line(g, "hoc_set %s[%s_ACTIVE_SETS];", vals, g->PX);
        line(g, "int %s = %s_active_sets(S, %s, ho, %s);", k, g->px, nexpr(g), vals);
        g->use_s = true;
        line(g, "for (int %s_i = 0; %s_i < %s%s; %s_i++) {", b->name, b->name, k, cond, b->name);
        g->indent++;
        line(g, "hoc_set %s = %s[%s_i];", b->name, vals, b->name);
        return;
    }
    default:
        line(g, "for (int32_t %s = 0; %s < %s%s; %s++) {", b->name, b->name, nexpr(g), cond,
             b->name);
        g->indent++;
        return;
    }
}

static const char *emit_quant(Gen *g, Expr *e)
{
    const char *r = temp(g, e->is_forall ? "all" : "some");
    line(g, "bool %s = %s; /* %s */", r, e->is_forall ? "true" : "false",
         e->is_forall ? "forall" : "exists");
    const char *guard = e->is_forall ? r : fmt(g, "!%s", r);
    int depth = 0;
    for (Binder *b = e->binders; b; b = b->next, depth++)
        open_binder_loop(g, b, guard);
    const char *body = emit(g, e->a);
    if (e->is_forall)
        line(g, "if (!(%s)) %s = false;", body, r);
    else
        line(g, "if (%s) %s = true;", body, r);
    while (depth--)
        close_block(g);
    return r;
}

static const char *emit_compr(Gen *g, Expr *e)
{
    const char *r = temp(g, "set");
    line(g, "hoc_set %s = 0;", r);
    open_binder_loop(g, e->binders, NULL);
    const char *cond = emit(g, e->a);
    line(g, "if (%s) %s |= hoc_set_one(%s);", cond, r, e->binders->name);
    close_block(g);
    return r;
}

/* The C expression for the field `f` of the message from sender `p`. */
static const char *msg_field(Gen *g, Round *r, const char *p, int f)
{
    return fmt(g, "%s[%s].%s", msgs(g), p, r->fields[f].name);
}

static const char *emit_aggregate(Gen *g, Expr *e)
{
    const char *f = e->name;
    if (e->nargs == 2) return fmt(g, "hoc_%s(%s, %s)", f, emit(g, e->args[0]), emit(g, e->args[1]));
    Expr *arg = e->args[0];
    const char *set = emit(g, arg);
    if (arg->type->kind == TY_SET) return fmt(g, "hoc_set_%s(%s)", f, set);
    Round *r = arg->type->round;
    int field = arg->index;
    const Type *ft = r->fields[field].type;
    const char *from = temp(g, "from"), *p = temp(g, "p");
    line(g, "hoc_set %s = %s; /* %s over %s */", from, set, f, r->fields[field].name);
    if (strcmp(f, "mmor") == 0) {
        const char *vals = temp(g, "vals"), *k = temp(g, "k"), *res = temp(g, "mmor");
        line(g, "int64_t %s[HOC_MAXN];", vals);
        line(g, "int %s = 0;", k);
        open_set_loop(g, p, from);
        line(g, "%s[%s++] = %s;", vals, k, msg_field(g, r, p, field));
        close_block(g);
        line(g, "%s %s = (%s)hoc_mmor(%s, %s);", ctype(g, ft), res, ctype(g, ft), vals, k);
        return res;
    }
    bool is_arg = f[0] == 'a', is_max = strstr(f, "max") != NULL;
    const char *best = temp(g, "best"), *who = temp(g, "who");
    line(g, "int64_t %s = 0;", best);
    line(g, "int32_t %s = -1;", who);
    open_set_loop(g, p, from);
    line(g, "if (%s < 0 || %s %s %s) {", who, msg_field(g, r, p, field), is_max ? ">" : "<", best);
    g->indent++;
    line(g, "%s = %s;", best, msg_field(g, r, p, field));
    line(g, "%s = %s;", who, p);
    close_block(g);
    close_block(g);
    /* on an empty mailbox: 0, and a message with all fields zero */
    if (is_arg) return fmt(g, "(%s < 0 ? 0 : %s)", who, who);
    return best;
}

static const char *emit_call(Gen *g, Expr *e)
{
    Decl *d = e->decl;
    if (!d) return emit_aggregate(g, e);
    hoc_buf b = {0};
    bool bytes_ret = d->ret->kind == TY_BYTES;
    const char *res = NULL;
    if (bytes_ret) {
        res = temp(g, "bytes");
        line(g, "uint8_t %s[%lld];", res, (long long)d->ret->len);
    }
    bool ext = d->kind == D_EXTERN; /* externs get every block's length beside it */
    hoc_buf_printf(&b, "%s%s(", ext ? "" : fmt(g, "%s_", g->px), d->name);
    for (int i = 0; i < e->nargs; i++) {
        hoc_buf_printf(&b, "%s%s", i ? ", " : "", emit(g, e->args[i]));
        if (ext && d->params[i].type->kind == TY_BYTES)
            hoc_buf_printf(&b, ", %lld", (long long)d->params[i].type->len);
    }
    if (bytes_ret) hoc_buf_printf(&b, "%s%s", e->nargs ? ", " : "", res);
    if (bytes_ret && ext) hoc_buf_printf(&b, ", %lld", (long long)d->ret->len);
    hoc_buf_put(&b, ")", 1);
    char *call = arena_strndup(g->a, b.p, b.n);
    free(b.p);
    if (bytes_ret) {
        line(g, "%s;", call);
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
            return fmt(g, "hoc_oracle(env, %d)", i);
        }
        return fmt(g, "%s%s", state_base(g), e->name);
    case N_PARAM:
        return param_name(g, e->index);
    case N_CONST:
        return fmt(g, "%lld /* %s */", (long long)e->decl->value, e->name);
    case N_ENUMVAL:
        return fmt(g, "%s_%s", e->decl->name, e->name);
    case N_LET: {
        int i = let_index(g, e->decl);
        if (g->mode == M_PROC && i >= 0 && let_stable(e->decl->init)) {
            g->use_let[i] = true; /* a named local: `p coord` works in gdb */
            return e->name;
        }
        return fmt(g, "(%s)", emit(g, e->decl->init)); /* reads state: its value where used */
    }
    case N_LOCAL:
    case N_BINDER:
        return e->name;
    case N_MSGVAR:
        if (g->round && g->round->single) return msg_field(g, g->round, e->name, 0);
        return e->name;
    case N_ID:
        g->use_env = true;
        return "env->id";
    case N_PROCS:
        return fmt(g, "hoc_set_all((int32_t)%s)", nexpr(g));
    case N_MBOX:
        g->use_from = true;
        return "from";
    default:
        return "0";
    }
}

static const char *emit_index(Gen *g, Expr *e)
{
    if (e->nk == N_HO) {
        g->use_ho = true;
        return fmt(g, "ho[hoc_idx(%s, HOC_MAXN)]", emit(g, e->b));
    }
    if (e->nk == N_STATE) { /* a spec reading process i's variable */
        Expr *i = e->b;
        g->use_s = true;
        bool in_range = i->kind == E_NAME && i->nk == N_BINDER && i->binder && !i->binder->domx &&
                        i->binder->type->kind == TY_PID;
        if (in_range) return fmt(g, "S[%s].%s", i->name, e->a->name);
        return fmt(g, "S[hoc_idx(%s, (uint32_t)%s)].%s", emit(g, i), nexpr(g), e->a->name);
    }
    const char *idx = emit(g, e->b);
    if (e->nk == N_MBOX) {
        const char *p = fmt(g, "hoc_idx(%s, HOC_MAXN)", idx);
        Round *r = e->a->type->round;
        emit(g, e->a); /* the mailbox itself needs no code, but mark its use */
        if (r->single) return msg_field(g, r, p, 0);
        return fmt(g, "(int32_t)%s", p);
    }
    const char *base = emit(g, e->a);
    const Type *t = e->a->type;
    const char *len = t->kind == TY_BYTES ? fmt(g, "%lld", (long long)t->len) : clen(g, t);
    const char *el = fmt(g, "%s[hoc_idx(%s, %s)]", base, idx, len);
    return t->kind == TY_BYTES ? fmt(g, "(int64_t)%s", el) : el;
}

static const char *emit_field(Gen *g, Expr *e)
{
    const char *base = emit(g, e->a);
    if (e->a->type->kind == TY_MBOX) return base; /* a projection: the senders stay the same */
    Round *r = e->a->type->kind == TY_MSG ? e->a->type->round : g->round;
    bool single_var = e->a->kind == E_NAME && e->a->nk == N_MSGVAR && r->single;
    if (single_var) base = e->a->name;
    if (e->index == -2) return base;
    return msg_field(g, r, base, e->index);
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
    const char *a = emit(g, e->a), *b = emit(g, e->b);
    const Type *t = e->a->type;
    switch (e->op) {
    case OP_AND:
        return fmt(g, "(%s && %s)", a, b);
    case OP_OR:
        return fmt(g, "(%s || %s)", a, b);
    case OP_IMPLIES:
        return fmt(g, "(!%s || %s)", a, b);
    case OP_IN:
        return fmt(g, "hoc_set_has(%s, %s)", b, a);
    case OP_EQ:
    case OP_NE:
    case OP_LT:
    case OP_LE:
    case OP_GT:
    case OP_GE: {
        static const char *const c_op[] = {[OP_EQ] = "==", [OP_NE] = "!=", [OP_LT] = "<",
                                           [OP_LE] = "<=", [OP_GT] = ">",  [OP_GE] = ">="};
        if (t->kind == TY_BYTES) /* only == and != type-check for blocks */
            return fmt(g, "(memcmp(%s, %s, %lld) %s 0)", a, b, (long long)t->len, c_op[e->op]);
        return fmt(g, "(%s %s %s)", a, c_op[e->op], b);
    }
    default:
        if (t->kind == TY_SET)
            return e->op == OP_ADD ? fmt(g, "(%s | %s)", a, b) : fmt(g, "(%s & ~%s)", a, b);
        return fmt(g, "%s(%s, %s)", int_op(e->op), a, b);
    }
}

static const char *emit(Gen *g, Expr *e)
{
    switch (e->kind) {
    case E_INT:
        return fmt(g, e->ival > 2147483647 ? "INT64_C(%lld)" : "%lld", (long long)e->ival);
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
    case E_UNARY:
        if (e->op == OP_NOT) return fmt(g, "!%s", emit(g, e->a));
        if (e->a->kind == E_INT) return fmt(g, "(-%s)", emit(g, e->a));
        return fmt(g, "hoc_neg(%s)", emit(g, e->a));
    case E_BINARY:
        return emit_binary(g, e);
    case E_COND: {
        /* both branches are total and pure, so evaluating both is safe */
        const char *c = emit(g, e->a), *x = emit(g, e->b), *y = emit(g, e->c);
        return fmt(g, "(%s ? %s : %s)", c, x, y);
    }
    case E_INDEX:
        return emit_index(g, e);
    case E_FIELD:
        return emit_field(g, e);
    case E_CALL:
        return emit_call(g, e);
    case E_CARD:
        return fmt(g, "hoc_set_size(%s)", emit(g, e->a));
    case E_COMPR:
        return emit_compr(g, e);
    case E_SETLIT: {
        if (!e->nargs) return "((hoc_set)0)";
        hoc_buf b = {0};
        hoc_buf_put(&b, "(", 1);
        for (int i = 0; i < e->nargs; i++)
            hoc_buf_printf(&b, "%shoc_set_one(%s)", i ? " | " : "", emit(g, e->args[i]));
        hoc_buf_put(&b, ")", 1);
        char *s = arena_strndup(g->a, b.p, b.n);
        free(b.p);
        return s;
    }
    case E_QUANT:
        return emit_quant(g, e);
    case E_TUPLE:
        return "0";
    }
    return "0";
}

/* ---- statements ---- */
static void emit_copy(Gen *g, const char *dst, const char *src, const Type *t)
{
    if (is_aggregate_type(t))
        line(g, "memcpy(%s, %s, sizeof %s);", dst, src, dst);
    else
        line(g, "%s = %s;", dst, src);
}

static void emit_assign(Gen *g, Stmt *s)
{
    const char *rhs = emit(g, s->rhs);
    Expr *l = s->lhs;
    if (l->kind == E_INDEX && l->a->type->kind == TY_BYTES) {
        const char *base = emit(g, l->a), *idx = emit(g, l->b);
        line(g, "%s[hoc_idx(%s, %lld)] = (uint8_t)%s;", base, idx, (long long)l->a->type->len, rhs);
        return;
    }
    const char *lhs = emit(g, l);
    if (l->type->kind == TY_PID && s->rhs->type->kind == TY_INT) rhs = fmt(g, "(int32_t)%s", rhs);
    emit_copy(g, lhs, rhs, l->type);
}

/* Fills the message struct `m` from a send's payload. */
static void emit_payload(Gen *g, const char *m, Expr *payload)
{
    Round *r = g->round;
    line(g, "%s_msg_%s %s;", g->px, r->name, m);
    line(g, "memset(&%s, 0, sizeof %s);", m, m);
    for (int i = 0; i < r->nfields; i++) {
        Expr *v = payload->kind == E_TUPLE ? payload->args[i] : payload;
        const char *val = emit(g, v);
        const Type *ft = r->fields[i].type;
        if (ft->kind == TY_PID && v->type->kind == TY_INT) val = fmt(g, "(int32_t)%s", val);
        emit_copy(g, fmt(g, "%s.%s", m, r->fields[i].name), val, ft);
    }
}

static void emit_send(Gen *g, Stmt *s)
{
    g->use_out = true;
    const char *m = temp(g, "msg");
    line(g, "{");
    g->indent++;
    emit_payload(g, m, s->rhs);
    const char *n = nexpr(g);
    if (!s->lhs) { /* broadcast */
        line(g, "for (int32_t hoc_p = 0; hoc_p < %s; hoc_p++) out[hoc_p] = %s;", n, m);
        line(g, "*to = hoc_set_all((int32_t)%s);", n);
    } else if (s->lhs->type->kind == TY_SET) {
        const char *dest = temp(g, "dest");
        line(g, "hoc_set %s = %s & hoc_set_all((int32_t)%s);", dest, emit(g, s->lhs), n);
        open_set_loop(g, "hoc_p", dest);
        line(g, "out[hoc_p] = %s;", m);
        close_block(g);
        line(g, "*to |= %s;", dest);
    } else {
        const char *dest = temp(g, "dest");
        line(g, "int64_t %s = %s;", dest, emit(g, s->lhs));
        line(g, "if (%s >= 0 && %s < %s) {", dest, dest, n);
        g->indent++;
        line(g, "out[%s] = %s;", dest, m);
        line(g, "*to |= hoc_set_one(%s);", dest);
        close_block(g);
    }
    close_block(g);
}

static void emit_for(Gen *g, Stmt *s)
{
    const char *v = s->var->name;
    line(g, "{");
    g->indent++;
    if (s->hi) {
        const char *lo = emit(g, s->cond), *hi = emit(g, s->hi), *h = temp(g, "hi");
        line(g, "const int64_t %s = %s;", h, hi);
        line(g, "for (int64_t %s = %s; %s < %s; %s++) {", v, lo, v, h, v);
        g->indent++;
    } else {
        const char *set = temp(g, "each");
        line(g, "const hoc_set %s = %s;", set, emit(g, s->cond));
        open_set_loop(g, v, set);
    }
    emit_stmts(g, s->body->kind == S_BLOCK ? s->body->body : s->body);
    close_block(g);
    close_block(g);
}

static void emit_if(Gen *g, Stmt *s)
{
    const char *c = emit(g, s->cond);
    line(g, "if (%s) {", c);
    g->indent++;
    emit_stmts(g, s->body->body);
    g->indent--;
    if (!s->els) {
        line(g, "}");
        return;
    }
    line(g, "} else {");
    g->indent++;
    if (s->els->kind == S_IF)
        emit_if(g, s->els);
    else
        emit_stmts(g, s->els->body);
    close_block(g);
}

static void emit_stmts(Gen *g, Stmt *s)
{
    for (; s; s = s->next) {
        switch (s->kind) {
        case S_BLOCK:
            line(g, "{");
            g->indent++;
            emit_stmts(g, s->body);
            close_block(g);
            break;
        case S_ASSIGN:
            emit_assign(g, s);
            break;
        case S_IF:
            emit_if(g, s);
            break;
        case S_FOR:
            emit_for(g, s);
            break;
        case S_LET: {
            const Type *t = s->var->type;
            const char *v = emit(g, s->rhs);
            if (is_aggregate_type(t)) {
                line(g, "%s %s%s;", ctype(g, t), s->var->name, cdims(g, t));
                line(g, "memcpy(%s, %s, sizeof %s);", s->var->name, v, s->var->name);
            } else {
                line(g, "%s %s = %s;", ctype(g, t), s->var->name, v);
            }
            break;
        }
        case S_SEND:
            emit_send(g, s);
            break;
        case S_OUTPUT: {
            const char *name = s->out->name;
            if (s->rhs->nargs) line(g, "out->%s = %s;", name, emit(g, s->rhs->args[0]));
            line(g, "out->%s_fired = true;", name);
            g->use_out = true;
            break;
        }
        case S_HALT:
            line(g, "s->hoc_halted = true;");
            g->use_s = true;
            line(g, "return; /* a halted process takes no further steps */");
            break;
        case S_ERROR:
            break;
        }
    }
}

/* ---- functions ---- */

/* Emits one function: body() writes the statements, then the prologue is
 * written from what the body used, so no local is left unused. */
typedef void (*BodyFn)(Gen *g, void *arg);

static void emit_function(Gen *g, hoc_buf *dst, const char *signature, Mode mode, BodyFn body,
                          void *arg)
{
    hoc_buf b = {0};
    hoc_buf *saved = g->out;
    memset(g->use_param, 0, sizeof g->use_param);
    memset(g->use_let, 0, sizeof g->use_let);
    g->use_phase = g->use_env = g->use_s = g->use_from = g->use_msgs = g->use_ho = g->use_n =
        g->use_out = false;
    g->ntemp = 0;
    g->mode = mode;
    g->out = &b;
    g->indent = 1;
    body(g, arg);
    Algo *al = g->algo;
    /* the lets the body named, last first: a let may name earlier ones */
    hoc_buf lets[64] = {{0}};
    for (int i = (al->nlets < 64 ? al->nlets : 64) - 1; i >= 0; i--) {
        if (!g->use_let[i]) continue;
        g->out = &lets[i];
        const char *v = emit(g, al->lets[i]->init);
        line(g, "const %s %s = %s;", ctype(g, al->lets[i]->type), al->lets[i]->name, v);
    }
    g->out = dst;
    hoc_buf_printf(dst, "%s\n{\n", signature);
    if (mode == M_SPEC) {
        hoc_buf_printf(dst, "    const %s_state *S = states;\n", g->px);
        if (!g->use_s) hoc_buf_printf(dst, "    (void)S;\n");
        if (!g->use_ho) hoc_buf_printf(dst, "    (void)ho;\n");
    }
    bool any_param = false;
    for (int i = 0; i < al->nparams; i++) {
        if (!g->use_param[i]) continue;
        any_param = true;
        hoc_buf_printf(dst, "    const int64_t %s = %sparams[%d];\n", al->params[i]->name,
                       mode == M_PROC ? "env->" : "", i);
    }
    if (g->use_phase)
        hoc_buf_printf(dst, "    const int64_t phase = env->round / %d;\n", al->nrounds);
    if (mode == M_PROC) {
        if (!g->use_env && !any_param && !g->use_phase) hoc_buf_printf(dst, "    (void)env;\n");
        if (!g->use_s && strstr(signature, " *s,")) hoc_buf_printf(dst, "    (void)s;\n");
        if (!g->use_from && strstr(signature, "hoc_set from"))
            hoc_buf_printf(dst, "    (void)from;\n");
        if (!g->use_msgs && strstr(signature, "*msgs")) hoc_buf_printf(dst, "    (void)msgs;\n");
        if (!g->use_out && strstr(signature, "hoc_set *to")) hoc_buf_printf(dst, "    (void)to;\n");
        if (!g->use_out && strstr(signature, " *out)")) hoc_buf_printf(dst, "    (void)out;\n");
    }
    if ((mode == M_PARAM || mode == M_SPEC) && !any_param)
        hoc_buf_printf(dst, "    (void)params;\n");
    for (int i = 0; i < 64; i++) {
        if (lets[i].p) hoc_buf_put(dst, lets[i].p, lets[i].n);
        free(lets[i].p);
    }
    hoc_buf_put(dst, b.p ? b.p : "", b.n);
    hoc_buf_printf(dst, "}\n\n");
    free(b.p);
    g->out = saved;
}

static void body_init(Gen *g, void *arg)
{
    (void)arg;
    Algo *al = g->algo;
    if (!al->ninputs) line(g, "(void)inputs;");
    line(g, "memset(s, 0, sizeof *s); /* padding too: states compare with memcmp */");
    g->use_s = true;
    for (int i = 0; i < al->ninputs; i++) {
        Decl *d = al->inputs[i];
        const char *conv = d->type->kind == TY_BOOL  ? "inputs[%d] != 0"
                           : d->type->kind == TY_INT ? "inputs[%d]"
                                                     : "(int32_t)inputs[%d]";
        line(g, "s->%s = %s;", d->name, fmt(g, conv, i));
    }
    for (int i = 0; i < al->nvars; i++) {
        Decl *d = al->vars[i];
        if (!d->init) continue;
        const char *v = emit(g, d->init);
        if (d->type->kind == TY_PID && d->init->type->kind == TY_INT) v = fmt(g, "(int32_t)%s", v);
        emit_copy(g, fmt(g, "s->%s", d->name), v, d->type);
    }
}

static void body_block(Gen *g, void *arg)
{
    Stmt *b = arg;
    if (b) emit_stmts(g, b->body);
}

static void body_return(Gen *g, void *arg)
{
    Expr *e = arg;
    line(g, "return %s;", emit(g, e));
}

static void body_count(Gen *g, void *arg)
{
    Expr *e = arg;
    if (e)
        line(g, "return (int32_t)hoc_max(0, hoc_min(%s, HOC_MAXN));", emit(g, e));
    else
        line(g, "return (int32_t)%s;", nexpr(g));
}

static void body_params_ok(Gen *g, void *arg)
{
    (void)arg;
    Algo *al = g->algo;
    line(g, "if (%s < 1 || %s > %s_MAXN) return false;", nexpr(g), nexpr(g), g->PX);
    for (int i = 0; i < al->nwhere; i++)
        line(g, "if (!%s) return false;", emit(g, al->where[i]->init));
    line(g, "return true;");
}

/* How much of the phase hoc check must keep when it ranks stamps: the lcm of
 * every m in `phase % m`, or 0 when the phase is read as a plain number. */
static void body_phase_period(Gen *g, void *arg)
{
    (void)arg;
    Algo *al = g->algo;
    if (al->phase_as_int) {
        line(g, "return 0; /* the round or phase counter is read as a number */");
        return;
    }
    line(g, "int64_t period = 1;");
    for (int i = 0; i < al->nphase_mods; i++)
        line(g, "period = hoc_lcm(period, %s);", emit(g, al->phase_mods[i]));
    line(g, "return period;");
}

/* ---- layout ---- */
static const Type *innermost(const Type *t)
{
    while (t->kind == TY_ARRAY)
        t = t->elem;
    return t;
}

/* Total scalar elements of a type, as a C expression. */
static const char *count_expr(Gen *g, const Type *t)
{
    if (t->kind == TY_BYTES) return fmt(g, "%lld", (long long)t->len);
    if (t->kind != TY_ARRAY) return "1";
    return fmt(g, "%s * %s", clen(g, t), count_expr(g, t->elem));
}

static const char *hoc_kind_name(const Type *t)
{
    switch (innermost(t)->kind) {
    case TY_BOOL:
        return "HOC_K_BOOL";
    case TY_PID:
        return "HOC_K_PID";
    case TY_ENUM:
        return "HOC_K_ENUM";
    case TY_SET:
        return "HOC_K_SET";
    case TY_STAMP:
        return "HOC_K_STAMP";
    case TY_BYTES:
        return "HOC_K_BYTES";
    default:
        return "HOC_K_INT";
    }
}

/* Bytes of one scalar: its width on the wire, and its alignment in a struct. */
static int scalar_size(TypeKind k)
{
    switch (k) {
    case TY_INT:
    case TY_SET:
    case TY_STAMP:
        return 8;
    case TY_PID:
    case TY_ENUM:
        return 4;
    default:
        return 1; /* bool, and the bytes of a block */
    }
}

static int wire_size(const Type *t)
{
    if (t->kind == TY_BYTES) return (int)t->len;
    if (t->kind == TY_ARRAY) return (int)t->len * wire_size(t->elem);
    return scalar_size(t->kind);
}

/* Alignment of a field: that of its scalars, so widest-first leaves no padding. */
static int scalar_align(const Type *t)
{
    return scalar_size(innermost(t)->kind);
}

static void emit_struct_fields(Gen *g, hoc_buf *b, Field *f, int nf, Decl **vars, int nv)
{
    /* widest first: no padding between fields */
    for (int al = 8; al >= 1; al /= 2) {
        for (int i = 0; i < nf; i++)
            if (scalar_align(f[i].type) == al)
                hoc_buf_printf(b, "    %s %s%s;\n", ctype(g, innermost(f[i].type)), f[i].name,
                               cdims(g, f[i].type));
        for (int i = 0; i < nv; i++)
            if (scalar_align(vars[i]->type) == al)
                hoc_buf_printf(b, "    %s %s%s;%s%s\n", ctype(g, innermost(vars[i]->type)),
                               vars[i]->name, cdims(g, vars[i]->type),
                               vars[i]->ghost ? " /* ghost */" : "",
                               vars[i]->kind == D_INPUT ? " /* input */" : "");
    }
}

static void emit_field_table(Gen *g, hoc_buf *b, const char *tname, const char *sname, Field *f,
                             int nf, Decl **vars, int nv, const char *extra)
{
    hoc_buf_printf(b, "static const hoc_field %s[] = {\n", tname);
    for (int i = 0; i < nf + nv; i++) {
        const char *name = i < nf ? f[i].name : vars[i - nf]->name;
        const Type *t = i < nf ? f[i].type : vars[i - nf]->type, *in = innermost(t);
        bool ghost = i >= nf && vars[i - nf]->ghost;
        hoc_buf_printf(b, "    {\"%s\", offsetof(%s, %s), %s, %s, %s, %s, %s, %d},\n", name, sname,
                       name, hoc_kind_name(t), count_expr(g, t), ghost ? "true" : "false",
                       in->kind == TY_ENUM ? fmt(g, "%s_names", in->enm->name) : "NULL",
                       t->kind == TY_ARRAY && t->len < 0 ? "true" : "false",
                       in->kind == TY_ENUM ? in->enm->nmembers : 0);
    }
    hoc_buf_printf(b, "%s};\n\n", extra ? extra : "");
}

/* ---- codecs ---- */
static void emit_codec(Gen *g, hoc_buf *b, Round *r)
{
    int wire = 0;
    for (int i = 0; i < r->nfields; i++)
        wire += wire_size(r->fields[i].type);
    const char *m = fmt(g, "%s_msg_%s", g->px, r->name);
    hoc_buf_printf(b, "int %s_encode_%s(const %s *m, uint8_t *buf, size_t cap)\n{\n", g->px,
                   r->name, m);
    hoc_buf_printf(b, "    if (cap < %d) return -1;\n", wire);
    int off = 0;
    for (int i = 0; i < r->nfields; i++) {
        const Type *t = r->fields[i].type, *in = innermost(t);
        const char *name = r->fields[i].name;
        int each = in->kind == TY_BYTES ? 1 : wire_size(in);
        const char *cnt = count_expr(g, t);
        bool flat = t->kind == TY_ARRAY || t->kind == TY_BYTES;
        const char *elem = flat ? fmt(g, "((const %s *)m->%s)[i]",
                                      in->kind == TY_BYTES ? "uint8_t" : ctype(g, in), name)
                                : fmt(g, "m->%s", name);
        const char *at = flat ? fmt(g, "buf + %d + %d * i", off, each) : fmt(g, "buf + %d", off);
        if (flat) hoc_buf_printf(b, "    for (int i = 0; i < %s; i++)\n    ", cnt);
        if (each == 8)
            hoc_buf_printf(b, "    hoc_put_u64(%s, (uint64_t)%s);\n", at, elem);
        else if (each == 4)
            hoc_buf_printf(b, "    hoc_put_u32(%s, (uint32_t)%s);\n", at, elem);
        else
            hoc_buf_printf(b, "    *(%s) = (uint8_t)%s;\n", at, elem);
        off += wire_size(t);
    }
    hoc_buf_printf(b, "    return %d;\n}\n\n", wire);
    hoc_buf_printf(b, "int %s_decode_%s(%s *m, const uint8_t *buf, size_t len)\n{\n", g->px,
                   r->name, m);
    hoc_buf_printf(b, "    if (len != %d) return -1;\n    memset(m, 0, sizeof *m);\n", wire);
    off = 0;
    for (int i = 0; i < r->nfields; i++) {
        const Type *t = r->fields[i].type, *in = innermost(t);
        const char *name = r->fields[i].name;
        int each = in->kind == TY_BYTES ? 1 : wire_size(in);
        bool flat = t->kind == TY_ARRAY || t->kind == TY_BYTES;
        const char *ct = in->kind == TY_BYTES ? "uint8_t" : ctype(g, in);
        const char *elem = flat ? fmt(g, "((%s *)m->%s)[i]", ct, name) : fmt(g, "m->%s", name);
        const char *at = flat ? fmt(g, "buf + %d + %d * i", off, each) : fmt(g, "buf + %d", off);
        const char *ind = flat ? "        " : "    ";
        if (flat) hoc_buf_printf(b, "    for (int i = 0; i < %s; i++) {\n", count_expr(g, t));
        if (each == 8)
            hoc_buf_printf(b, "%s%s = (%s)hoc_get_u64(%s);\n", ind, elem, ct, at);
        else if (each == 4) {
            hoc_buf_printf(b, "%suint32_t v%d = hoc_get_u32(%s);\n", ind, i, at);
            if (in->kind == TY_ENUM)
                hoc_buf_printf(b, "%sif (v%d >= %d) return -1;\n", ind, i, in->enm->nmembers);
            hoc_buf_printf(b, "%s%s = (int32_t)v%d;\n", ind, elem, i);
        } else if (in->kind == TY_BOOL) {
            hoc_buf_printf(b, "%sif (*(%s) > 1) return -1;\n%s%s = *(%s) != 0;\n", ind, at, ind,
                           elem, at);
        } else {
            hoc_buf_printf(b, "%s%s = *(%s);\n", ind, elem, at);
        }
        if (flat) hoc_buf_printf(b, "    }\n");
        off += wire_size(t);
    }
    hoc_buf_printf(b, "    return %d;\n}\n\n", wire);
}

/* ---- spec helpers: the values a quantifier over int or set ranges over ---- */
static int count_slots(Algo *al, TypeKind k1, TypeKind k2, Gen *g, hoc_buf *b, const char *what)
{
    int scalars = 0;
    for (int pass = 0; pass < 2; pass++) {
        Decl **vs = pass ? al->vars : al->inputs;
        int nv = pass ? al->nvars : al->ninputs;
        for (int i = 0; i < nv; i++) {
            const Type *in = innermost(vs[i]->type);
            if (in->kind != k1 && in->kind != k2) continue;
            if (b) {
                if (vs[i]->type->kind == TY_ARRAY)
                    hoc_buf_printf(b,
                                   "        for (int j = 0; j < %s; j++) out[k++] = ((const %s "
                                   "*)S[i].%s)[j];\n",
                                   count_expr(g, vs[i]->type), ctype(g, in), vs[i]->name);
                else
                    hoc_buf_printf(b, "        out[k++] = S[i].%s;\n", vs[i]->name);
            }
            scalars++;
        }
    }
    (void)what;
    return scalars;
}

/* The values a spec quantifier over a scalar type ranges over: `first` (C
 * statements seeding out[]) plus every slot of kinds k1/k2 any process holds. */
static void emit_active_values(Gen *g, hoc_buf *h, hoc_buf *b, TypeKind k1, TypeKind k2,
                               const char *what, const char *WHAT, const char *first,
                               const char *why)
{
    Algo *al = g->algo;
    hoc_buf tmp = {0};
    for (int pass = 0; pass < 2; pass++) {
        Decl **vs = pass ? al->vars : al->inputs;
        int nv = pass ? al->nvars : al->ninputs;
        for (int i = 0; i < nv; i++) {
            const Type *in = innermost(vs[i]->type);
            if (in->kind == k1 || in->kind == k2)
                hoc_buf_printf(&tmp, " + %s", count_expr(g, vs[i]->type));
        }
    }
    hoc_buf_printf(h, "#define %s_ACTIVE_%s (%s_MAXN * (1%s))\n", g->PX, WHAT, g->PX,
                   tmp.p ? tmp.p : "");
    free(tmp.p);
    hoc_buf_printf(b, "/* %s */\n", why);
    hoc_buf_printf(b, "static int %s_active_%s(const %s_state *S, int64_t n, int64_t *out)\n{\n",
                   g->px, what, g->px);
    hoc_buf_printf(b, "    int k = 0;\n    for (int64_t i = 0; i < n; i++) {\n%s", first);
    if (!count_slots(al, k1, k2, g, b, what)) hoc_buf_printf(b, "        (void)S;\n");
    hoc_buf_printf(b, "    }\n    return k;\n}\n\n");
}

static void emit_active_helpers(Gen *g, hoc_buf *h, hoc_buf *b)
{
    Algo *al = g->algo;
    if (g->need_active_ints)
        emit_active_values(g, h, b, TY_INT, TY_PID, "ints", "INTS", "        out[k++] = i;\n",
                           "Every int a process holds: what a quantifier over int ranges over in "
                           "a spec.");
    if (g->need_active_stamps)
        emit_active_values(g, h, b, TY_STAMP, TY_STAMP, "stamps", "STAMPS",
                           "        if (i == 0) out[k++] = HOC_NEVER;\n",
                           "Every stamp a process holds, and never: the range of a quantifier "
                           "over stamps in a spec.");
    if (g->need_active_sets) {
        hoc_buf tmp = {0};
        for (int i = 0; i < al->nvars; i++)
            if (innermost(al->vars[i]->type)->kind == TY_SET)
                hoc_buf_printf(&tmp, " + %s", count_expr(g, al->vars[i]->type));
        hoc_buf_printf(h, "#define %s_ACTIVE_SETS (%s_MAXN * (1%s))\n", g->PX, g->PX,
                       tmp.p ? tmp.p : "");
        free(tmp.p);
        hoc_buf_printf(
            b, "/* Every heard-of set and set-valued variable: the range of a quantifier over "
               "sets. */\n");
        hoc_buf_printf(b,
                       "static int %s_active_sets(const %s_state *S, int64_t n, const hoc_set *ho, "
                       "hoc_set *out)\n{\n",
                       g->px, g->px);
        hoc_buf_printf(b, "    int k = 0;\n    for (int64_t i = 0; i < n; i++) {\n        if (ho) "
                          "out[k++] = ho[i];\n");
        if (!count_slots(al, TY_SET, TY_SET, g, b, "sets")) hoc_buf_printf(b, "        (void)S;\n");
        hoc_buf_printf(b, "    }\n    return k;\n}\n\n");
    }
}

/* ---- the whole algorithm ---- */
static void emit_enums(Gen *g, hoc_buf *h)
{
    for (Decl *d = g->prog->decls; d; d = d->next) {
        if (d->kind != D_ENUM) continue;
        hoc_buf_printf(h, "#ifndef HOC_ENUM_%s\n#define HOC_ENUM_%s\nenum {", d->name, d->name);
        for (int i = 0; i < d->nmembers; i++)
            hoc_buf_printf(h, "%s %s_%s", i ? "," : "", d->name, d->members[i]);
        hoc_buf_printf(h, " };\n#endif\n");
        hoc_buf_printf(h, "static const char *const %s_names[] = {", d->name);
        for (int i = 0; i < d->nmembers; i++)
            hoc_buf_printf(h, "%s\"%s\"", i ? ", " : "", d->members[i]);
        hoc_buf_printf(h, "};\n\n");
    }
}

static const char *param_decl(Gen *g, const Field *f, bool ext)
{
    if (f->type->kind == TY_BYTES)
        return fmt(g, ext ? "const uint8_t *%s, size_t %s_len" : "const uint8_t *%s", f->name,
                   f->name);
    return fmt(g, "%s %s", ctype(g, f->type), f->name);
}

static void emit_funcs(Gen *g, hoc_buf *b)
{
    for (Decl *d = g->prog->decls; d; d = d->next) {
        if (d->kind != D_EXTERN && d->kind != D_DEF) continue;
        hoc_buf sig = {0};
        bool bytes_ret = d->ret->kind == TY_BYTES;
        hoc_buf_printf(&sig, "%s%s %s%s(", d->kind == D_DEF ? "static inline " : "",
                       bytes_ret ? "void" : ctype(g, d->ret),
                       d->kind == D_DEF ? fmt(g, "%s_", g->px) : "", d->name);
        bool ext = d->kind == D_EXTERN;
        for (int i = 0; i < d->nparams; i++)
            hoc_buf_printf(&sig, "%s%s", i ? ", " : "", param_decl(g, &d->params[i], ext));
        if (bytes_ret)
            hoc_buf_printf(&sig, "%suint8_t *hoc_ret%s", d->nparams ? ", " : "",
                           ext ? ", size_t hoc_ret_len" : "");
        if (!d->nparams && !bytes_ret) hoc_buf_printf(&sig, "void");
        hoc_buf_put(&sig, ")", 1);
        if (d->kind == D_EXTERN) {
            hoc_buf_printf(b, "/* extern: implemented in C by the user, pure */\n%s;\n\n", sig.p);
        } else {
            hoc_buf body = {0};
            hoc_buf *saved = g->out;
            g->out = &body;
            g->indent = 1;
            g->mode = M_DEF;
            const char *v = emit(g, d->init);
            if (bytes_ret)
                line(g, "memcpy(hoc_ret, %s, %lld);", v, (long long)d->ret->len);
            else
                line(g, "return %s;", v);
            g->out = saved;
            hoc_buf_printf(b, "%s\n{\n%s}\n\n", sig.p, body.p);
            free(body.p);
        }
        free(sig.p);
    }
}

int cgen_algo(Program *p, Algo *al, const char *source_name, FILE *hf, FILE *cf)
{
    char px[256], PX[256];
    cgen_prefix(al->decl->name, px, sizeof px);
    for (size_t i = 0; i <= strlen(px); i++)
        PX[i] = (char)toupper((unsigned char)px[i]);
    Gen g = {.prog = p, .algo = al, .a = p->arena, .px = px, .PX = PX};
    hoc_buf h = {0}, c = {0}, fns = {0}, specs = {0}, tables = {0};

    /* ---- header ---- */
    hoc_buf_printf(&h,
                   "/* Generated by hoc from %s: algorithm %s as a pure state machine.\n"
                   " * Do not edit; change the .ho file and run hoc again. */\n",
                   source_name, al->decl->name);
    hoc_buf_printf(&h, "#ifndef HOC_GEN_%s_H\n#define HOC_GEN_%s_H\n\n#include \"hoc_rt.h\"\n\n",
                   PX, PX);
    hoc_buf_printf(&h, "/* Capacity of arrays indexed by process; a driver may lower it. */\n");
    hoc_buf_printf(&h, "#ifndef %s_MAXN\n#define %s_MAXN HOC_MAXN\n#endif\n\n", PX, PX);
    emit_enums(&g, &h);
    hoc_buf_printf(&h, "typedef struct %s_state {\n", px);
    emit_struct_fields(&g, &h, NULL, 0, al->inputs, al->ninputs);
    emit_struct_fields(&g, &h, NULL, 0, al->vars, al->nvars);
    hoc_buf_printf(&h, "    bool hoc_halted;\n} %s_state;\n\n", px);
    for (int i = 0; i < al->nrounds; i++) {
        Round *r = al->rounds[i];
        hoc_buf_printf(&h, "/* The message of round %s. */\ntypedef struct %s_msg_%s {\n", r->name,
                       px, r->name);
        emit_struct_fields(&g, &h, r->fields, r->nfields, NULL, 0);
        hoc_buf_printf(&h, "} %s_msg_%s;\n\n", px, r->name);
    }
    hoc_buf_printf(&h, "typedef union %s_msg {\n", px);
    for (int i = 0; i < al->nrounds; i++)
        hoc_buf_printf(&h, "    %s_msg_%s %s;\n", px, al->rounds[i]->name, al->rounds[i]->name);
    hoc_buf_printf(&h, "} %s_msg;\n\n", px);
    hoc_buf_printf(
        &h,
        "/* What one update produced: each output at most once. */\ntypedef struct %s_outputs {\n",
        px);
    for (int i = 0; i < al->noutputs; i++) {
        Decl *o = al->outputs[i];
        hoc_buf_printf(&h, "    bool %s_fired;\n", o->name);
        if (o->ret) hoc_buf_printf(&h, "    %s %s;\n", ctype(&g, o->ret), o->name);
    }
    if (!al->noutputs) hoc_buf_printf(&h, "    bool hoc_none;\n");
    hoc_buf_printf(&h, "} %s_outputs;\n\n", px);
    hoc_buf_printf(&h, "void %s_init(%s_state *s, const hoc_env *env, const int64_t *inputs);\n",
                   px, px);
    for (int i = 0; i < al->nrounds; i++) {
        const char *rn = al->rounds[i]->name;
        hoc_buf_printf(
            &h,
            "void %s_send_%s(const %s_state *s, const hoc_env *env, hoc_set *to, %s_msg_%s "
            "*out);\n",
            px, rn, px, px, rn);
        hoc_buf_printf(
            &h,
            "void %s_update_%s(%s_state *s, const hoc_env *env, hoc_set from, const %s_msg_%s "
            "*msgs, "
            "%s_outputs *out);\n",
            px, rn, px, px, rn, px);
        hoc_buf_printf(&h, "int %s_encode_%s(const %s_msg_%s *m, uint8_t *buf, size_t cap);\n", px,
                       rn, px, rn);
        hoc_buf_printf(&h, "int %s_decode_%s(%s_msg_%s *m, const uint8_t *buf, size_t len);\n", px,
                       rn, px, rn);
    }
    hoc_buf_printf(&h,
                   "\n/* The descriptor drivers use: simulator, model checker, TCP runtime. */\n");
    hoc_buf_printf(&h, "extern const hoc_algo %s_algo;\n\n", px);

    /* ---- source ---- */
    emit_funcs(&g, &fns);
    emit_function(
        &g, &fns,
        fmt(&g, "void %s_init(%s_state *s, const hoc_env *env, const int64_t *inputs)", px, px),
        M_PROC, body_init, NULL);
    for (int i = 0; i < al->nrounds; i++) {
        Round *r = al->rounds[i];
        const char *rn = r->name;
        g.round = r;
        hoc_buf_printf(&fns, "/* ---- round %s ---- */\n\n", rn);
        emit_function(&g, &fns,
                      fmt(&g,
                          "void %s_send_%s(const %s_state *s, const hoc_env *env, hoc_set *to, "
                          "%s_msg_%s *out)",
                          px, rn, px, px, rn),
                      M_PROC, body_block, r->send);
        emit_function(
            &g, &fns,
            fmt(&g,
                "void %s_update_%s(%s_state *s, const hoc_env *env, hoc_set from, const %s_msg_%s "
                "*msgs, %s_outputs *out)",
                px, rn, px, px, rn, px),
            M_PROC, body_block, r->update);
        emit_function(&g, &fns,
                      fmt(&g, "static int32_t %s_goahead_%s(const int64_t *params)", px, rn),
                      M_PARAM, body_count, r->goahead);
        Expr zero = {.kind = E_INT, .ival = 0};
        emit_function(&g, &fns, fmt(&g, "static int32_t %s_wait_%s(const int64_t *params)", px, rn),
                      M_PARAM, body_count, r->wait ? r->wait : &zero);
        if (r->when)
            emit_function(
                &g, &fns,
                fmt(&g,
                    "static bool %s_when_%s(const %s_state *s, const hoc_env *env, hoc_set from, "
                    "const %s_msg_%s *msgs)",
                    px, rn, px, px, rn),
                M_PROC, body_return, r->when);
        emit_codec(&g, &fns, r);
        g.round = NULL;
    }
    emit_function(&g, &fns, fmt(&g, "static bool %s_params_ok(const int64_t *params)", px), M_PARAM,
                  body_params_ok, NULL);
    emit_function(&g, &fns, fmt(&g, "static int64_t %s_phase_period(const int64_t *params)", px),
                  M_PARAM, body_phase_period, NULL);
    for (int i = 0; i < al->nspecs; i++) {
        Decl *d = al->specs[i];
        static const char *const what[] = {"invariant", "property", "assumption",
                                           "goal",      "prune",    "progress stage"};
        hoc_buf_printf(&specs, "/* %s %s */\n", what[d->spec_kind], d->name);
        emit_function(&g, &specs,
                      fmt(&g,
                          "static bool %s_spec_%s(const void *states, const int64_t *params, const "
                          "hoc_set *ho)",
                          px, d->name),
                      M_SPEC, body_return, d->init);
    }

    /* ---- tables ---- */
    hoc_buf *t = &tables;
    hoc_buf_printf(t, "/* ---- descriptor ---- */\n\nstatic const char *const %s_params[] = {", px);
    for (int i = 0; i < al->nparams; i++)
        hoc_buf_printf(t, "%s\"%s\"", i ? ", " : "", al->params[i]->name);
    hoc_buf_printf(t, "};\n\n");
    Decl **all = calloc((size_t)(al->ninputs + al->nvars + 1), sizeof *all);
    if (!all) abort();
    for (int i = 0; i < al->ninputs; i++)
        all[i] = al->inputs[i];
    for (int i = 0; i < al->nvars; i++)
        all[al->ninputs + i] = al->vars[i];
    emit_field_table(&g, t, fmt(&g, "%s_state_fields", px), fmt(&g, "%s_state", px), NULL, 0, all,
                     al->ninputs + al->nvars,
                     fmt(&g,
                         "    {\"hoc_halted\", offsetof(%s_state, hoc_halted), HOC_K_BOOL, 1, "
                         "false, NULL, false, 0},\n",
                         px));
    free(all);
    if (al->ninputs)
        emit_field_table(&g, t, fmt(&g, "%s_input_fields", px), fmt(&g, "%s_state", px), NULL, 0,
                         al->inputs, al->ninputs, NULL);
    if (al->noracles) {
        hoc_buf_printf(t, "static const char *const %s_oracles[] = {", px);
        for (int i = 0; i < al->noracles; i++)
            hoc_buf_printf(t, "%s\"%s\"", i ? ", " : "", al->oracles[i]->name);
        hoc_buf_printf(t, "};\n\n");
    }
    for (int i = 0; i < al->nrounds; i++) {
        Round *r = al->rounds[i];
        const char *rn = r->name, *m = fmt(&g, "%s_msg_%s", px, rn);
        emit_field_table(&g, t, fmt(&g, "%s_fields_%s", px, rn), m, r->fields, r->nfields, NULL, 0,
                         NULL);
        hoc_buf_printf(
            t,
            "static void %s_send_%s_any(const void *s, const hoc_env *env, hoc_set *to, void "
            "*out)\n{\n"
            "    %s_send_%s(s, env, to, out);\n}\n\n",
            px, rn, px, rn);
        hoc_buf_printf(
            t,
            "static void %s_update_%s_any(void *s, const hoc_env *env, hoc_set from, const "
            "void *msgs, void *out)\n{\n"
            "    %s_update_%s(s, env, from, msgs, out);\n}\n\n",
            px, rn, px, rn);
        if (r->when)
            hoc_buf_printf(
                t,
                "static bool %s_when_%s_any(const void *s, const hoc_env *env, hoc_set from, "
                "const void *msgs)\n{\n"
                "    return %s_when_%s(s, env, from, msgs);\n}\n\n",
                px, rn, px, rn);
        hoc_buf_printf(t,
                       "static int %s_encode_%s_any(const void *m, uint8_t *buf, size_t cap)\n{\n"
                       "    return %s_encode_%s(m, buf, cap);\n}\n\n",
                       px, rn, px, rn);
        hoc_buf_printf(t,
                       "static int %s_decode_%s_any(void *m, const uint8_t *buf, size_t len)\n{\n"
                       "    return %s_decode_%s(m, buf, len);\n}\n\n",
                       px, rn, px, rn);
    }
    hoc_buf_printf(t, "static const hoc_round %s_rounds[] = {\n", px);
    for (int i = 0; i < al->nrounds; i++) {
        Round *r = al->rounds[i];
        const char *rn = r->name;
        int wire = 0;
        for (int j = 0; j < r->nfields; j++)
            wire += wire_size(r->fields[j].type);
        hoc_buf_printf(
            t,
            "    {\"%s\", sizeof(%s_msg_%s), %s_fields_%s, %d, %s_send_%s_any, %s_update_%s_any,\n"
            "     %s_goahead_%s, %s_wait_%s, %lld, %s, %s_encode_%s_any, %s_decode_%s_any, %d},\n",
            rn, px, rn, px, rn, r->nfields, px, rn, px, rn, px, rn, px, rn,
            (long long)(r->timeout_us ? r->timeout_us->ival : 50000),
            r->when ? fmt(&g, "%s_when_%s_any", px, rn) : "NULL", px, rn, px, rn, wire);
    }
    hoc_buf_printf(t, "};\n\n");
    if (al->noutputs) {
        hoc_buf_printf(t, "static const hoc_output %s_output_table[] = {\n", px);
        for (int i = 0; i < al->noutputs; i++) {
            Decl *o = al->outputs[i];
            bool is_enum = o->ret && o->ret->kind == TY_ENUM;
            hoc_buf_printf(t, "    {\"%s\", %s, %s, offsetof(%s_outputs, %s_fired), %s, %s, %d},\n",
                           o->name, o->ret ? hoc_kind_name(o->ret) : "HOC_K_BOOL",
                           o->ret ? "true" : "false", px, o->name,
                           o->ret ? fmt(&g, "offsetof(%s_outputs, %s)", px, o->name) : "0",
                           is_enum ? fmt(&g, "%s_names", o->ret->enm->name) : "NULL",
                           is_enum ? o->ret->enm->nmembers : 0);
        }
        hoc_buf_printf(t, "};\n\n");
    }
    if (al->nspecs) {
        hoc_buf_printf(t, "static const hoc_spec %s_specs[] = {\n", px);
        for (int i = 0; i < al->nspecs; i++) {
            Decl *d = al->specs[i];
            const char *kinds[] = {"HOC_INVARIANT", "HOC_PROPERTY", "HOC_ASSUME",
                                   "HOC_GOAL",      "HOC_PRUNE",    "HOC_PROGRESS"};
            /* a progress stage is aligned like its assumption */
            const Decl *al_of = d->spec_kind == SPEC_PROGRESS ? d->assumption : d;
            hoc_buf_printf(t, "    {\"%s\", %s, %s_spec_%s, %lld, %s},\n", d->name,
                           kinds[d->spec_kind], px, d->name,
                           (long long)(d->ev_rounds < 0 ? al->nrounds : d->ev_rounds),
                           al_of && al_of->ev_rounds < 0 ? "true" : "false");
        }
        hoc_buf_printf(t, "};\n\n");
    }
    hoc_buf_printf(t, "const hoc_algo %s_algo = {\n", px);
    hoc_buf_printf(t, "    .abi = HOC_ABI_VERSION,\n    .name = \"%s\",\n", al->decl->name);
    hoc_buf_printf(t,
                   "    .state_size = sizeof(%s_state),\n    .msg_size = sizeof(%s_msg),\n    "
                   ".outputs_size = sizeof(%s_outputs),\n",
                   px, px, px);
    hoc_buf_printf(
        t,
        "    .maxn = %s_MAXN,\n    .params = %s_params,\n    .nparams = %d,\n    .params_ok = "
        "%s_params_ok,\n",
        PX, px, al->nparams, px);
    if (al->ninputs)
        hoc_buf_printf(t, "    .inputs = %s_input_fields,\n    .ninputs = %d,\n", px, al->ninputs);
    if (al->noracles)
        hoc_buf_printf(t, "    .oracles = %s_oracles,\n    .noracles = %d,\n", px, al->noracles);
    hoc_buf_printf(t, "    .init = (void (*)(void *, const hoc_env *, const int64_t *))%s_init,\n",
                   px);
    hoc_buf_printf(t, "    .fields = %s_state_fields,\n    .nfields = %d,\n", px,
                   al->ninputs + al->nvars + 1);
    hoc_buf_printf(t, "    .rounds = %s_rounds,\n    .nrounds = %d,\n", px, al->nrounds);
    if (al->noutputs)
        hoc_buf_printf(t, "    .outputs = %s_output_table,\n    .noutputs = %d,\n", px,
                       al->noutputs);
    if (al->nspecs)
        hoc_buf_printf(t, "    .specs = %s_specs,\n    .nspecs = %d,\n", px, al->nspecs);
    hoc_buf_printf(t,
                   "    .halted_offset = offsetof(%s_state, hoc_halted),\n    .uses_id = %d,\n    "
                   ".uses_round = %d,\n    .phase_period = %s_phase_period,\n};\n",
                   px, al->uses_id ? 1 : 0, al->uses_round ? 1 : 0, px);

    hoc_buf helpers = {0};
    emit_active_helpers(&g, &h, &helpers);
    hoc_buf_printf(&h, "#endif\n");
    hoc_buf_printf(
        &c, "/* Generated by hoc from %s: algorithm %s. Do not edit. */\n#include \"%s.h\"\n\n",
        source_name, al->decl->name, px);
    int rc = 0;
    if (fputs(h.p, hf) < 0 || fputs(c.p, cf) < 0 || (helpers.p && fputs(helpers.p, cf) < 0) ||
        fputs(fns.p, cf) < 0 || (specs.p && fputs(specs.p, cf) < 0) || fputs(tables.p, cf) < 0)
        rc = -1;
    free(helpers.p);
    free(h.p), free(c.p), free(fns.p), free(specs.p), free(tables.p);
    return rc;
}
