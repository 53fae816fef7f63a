/* cgen_stmt.c: writing the generated C, line by line: statements, and
 * whole functions whose prologue is written last, from what the body used. */
#include "cgen_int.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

char *cgen_take(Gen *g, hoc_buf *b)
{
    char *s = arena_strndup(g->a, hoc_buf_str(b), b->n);
    hoc_buf_free(b);
    return s;
}

char *cgen_fmt(Gen *g, const char *f, ...)
{
    hoc_buf b = {0};
    va_list ap;
    va_start(ap, f);
    hoc_buf_vprintf(&b, f, ap);
    va_end(ap);
    return cgen_take(g, &b);
}

void cgen_line(Gen *g, const char *f, ...)
{
    for (int i = 0; i < g->indent; i++)
        hoc_buf_put(g->out, "    ", 4);
    va_list ap;
    va_start(ap, f);
    hoc_buf_vprintf(g->out, f, ap);
    va_end(ap);
    hoc_buf_put(g->out, "\n", 1);
}

void cgen_local(Gen *g, const char *ctype)
{
    hoc_buf_printf(&g->frame, " + sizeof(%s)", ctype);
}

char *cgen_temp(Gen *g, const char *stem)
{
    return cgen_fmt(g, "hoc_%s%d", stem, ++g->ntemp);
}

void cgen_set_loop(Gen *g, const char *var, const char *set)
{
    cgen_line(g, "for (int64_t %s = hoc_set_min(%s); %s >= 0; %s = hoc_set_next(%s, %s)) {", var,
              set, var, var, set, var);
    g->indent++;
}

void cgen_close(Gen *g)
{
    g->indent--;
    cgen_line(g, "}");
}

static bool is_aggregate_type(const Type *t)
{
    return t->kind == TY_ARRAY || t->kind == TY_BYTES;
}

/* ---- what reads a local ---- */
bool cgen_expr_reads(const Expr *e, const Binder *b, const char *name)
{
    if (!e) return false;
    if (e->kind == E_NAME && (e->nk == N_LOCAL || e->nk == N_BINDER || e->nk == N_MSGVAR) &&
        (b ? e->binder == b : strcmp(e->name, name) == 0))
        return true;
    if (cgen_expr_reads(e->a, b, name) || cgen_expr_reads(e->b, b, name) ||
        cgen_expr_reads(e->c, b, name))
        return true;
    for (int i = 0; i < e->nargs; i++)
        if (cgen_expr_reads(e->args[i], b, name)) return true;
    for (const Binder *q = e->binders; q; q = q->next)
        if (cgen_expr_reads(q->domx, b, name)) return true;
    return false;
}

/* Whether the statements from s on read local b (assigning it is no read). */
static bool stmts_read(const Stmt *s, const Binder *b)
{
    for (; s; s = s->next) {
        const Expr *l = s->lhs;
        bool target = s->kind == S_ASSIGN && l->kind == E_NAME;
        if ((!target && cgen_expr_reads(l, b, NULL)) || cgen_expr_reads(s->rhs, b, NULL) ||
            cgen_expr_reads(s->cond, b, NULL) || cgen_expr_reads(s->hi, b, NULL) ||
            stmts_read(s->body, b) || stmts_read(s->els, b))
            return true;
    }
    return false;
}

/* ---- statements ---- */
void cgen_copy(Gen *g, const char *dst, const char *src, const Type *t)
{
    if (strcmp(dst, src) == 0) { /* x = x: nothing to do, and compilers warn of it */
        cgen_line(g, "(void)%s; /* assigned itself */", dst);
        return;
    }
    if (is_aggregate_type(t))
        cgen_line(g, "memcpy(%s, %s, sizeof %s);", dst, src, dst);
    else
        cgen_line(g, "%s = %s;", dst, src);
}

/* A write through an index outside the array does nothing. */
static void emit_assign(Gen *g, Stmt *s)
{
    Expr *l = s->lhs;
    if (cgen_no_element(l)) { /* its index is fixed outside the array (rhs: pure) */
        cgen_line(g, "/* no such element: nothing is written */");
        return;
    }
    const char *rhs = cgen_expr(g, s->rhs), *cond = NULL;
    const char *lhs = cgen_access(g, l, &cond);
    if (l->kind == E_INDEX && l->a->type->kind == TY_BYTES) rhs = cgen_fmt(g, "(uint8_t)%s", rhs);
    if (cond) {
        cgen_line(g, "if (%s) {", cond);
        g->indent++;
    }
    cgen_copy(g, lhs, rhs, l->type);
    if (cond) cgen_close(g);
}

/* Fills optional field i of the message m from v: `_` leaves it out, and
 * `c ? v : _` computes v only when c holds. */
static void emit_optional(Gen *g, const char *m, int i, Expr *v)
{
    Round *r = g->round;
    const char *dst = cgen_fmt(g, "%s.%s", m, r->fields[i].name);
    if (v->kind == E_ABSENT) return;
    bool cond = v->kind == E_COND && (v->b->kind == E_ABSENT || v->c->kind == E_ABSENT);
    if (cond) {
        const char *c = cgen_expr(g, v->a);
        cgen_line(g, v->b->kind == E_ABSENT ? "if (!(%s)) {" : "if (%s) {", c);
        g->indent++;
        v = v->b->kind == E_ABSENT ? v->c : v->b;
    }
    cgen_copy(g, dst, cgen_expr(g, v), r->fields[i].type);
    cgen_line(g, "%s", cgen_opt_mark(g, r, i, m));
    if (cond) cgen_close(g);
}

/* Fills the message struct `m` from a send's payload. With optional
 * fields, only the header is zeroed: the absent fields are never read.
 * Without, every field is written whole below, so only the padding after
 * the last is zeroed (equal messages stay equal byte for byte): zeroing
 * all of it first would write each block twice (a kv batch is 65,000
 * bytes). */
static void emit_fill(Gen *g, const char *m, const char *p, Expr *payload)
{
    Round *r = g->round;
    const char *pad = r->noptional || !r->nfields ? NULL : cgen_msg_padding(g, r, p);
    if (r->noptional) {
        cgen_line(g, "memset(%s, 0, %s);", p, cgen_msg_header(g, r));
    } else if (!r->nfields) {
        cgen_line(g, "memset(%s, 0, sizeof *%s);", p, p);
    } else if (pad) {
        cgen_line(g, "/* every field is written below: only the padding after them is zeroed */");
        cgen_line(g, "%s", pad);
    }
    for (int i = 0; i < r->nfields; i++) {
        Expr *v = payload->kind == E_TUPLE ? payload->args[i] : payload;
        if (r->fields[i].optional) {
            emit_optional(g, m, i, v);
            continue;
        }
        const char *val = cgen_expr(g, v);
        const Type *ft = r->fields[i].type;
        cgen_copy(g, cgen_fmt(g, "%s.%s", m, r->fields[i].name), val, ft);
    }
}

/* Declares the message struct `m` and fills it from a send's payload. */
static void emit_payload(Gen *g, const char *m, Expr *payload)
{
    cgen_line(g, "%s_msg_%s %s;", g->px, g->round->name, m);
    cgen_local(g, cgen_fmt(g, "%s_msg_%s", g->px, g->round->name));
    emit_fill(g, m, cgen_fmt(g, "&%s", m), payload);
}

/* Puts the message m of a round with optional fields in out[p]: a later
 * send to the same recipient replaces an earlier one, whose present fields
 * are cleared first. */
static void deliver(Gen *g, const char *p, const char *m)
{
    Round *r = g->round;
    cgen_line(g, "if (hoc_set_has(*to, %s)) %s_clear_%s(&out[%s]);", p, g->px, r->name, p);
    cgen_line(g, "%s_copy_%s(&out[%s], &%s);", g->px, r->name, p, m);
}

/* A send to one recipient fills its outbox slot in place: out[p] is
 * cleared (a round with optional fields: present fields zeroed) or was
 * never written, or is overwritten whole (a round without), so the result
 * is the same without building the message apart and copying it (an
 * Amalgam `fwd` carries W * NB blocks: two copies of 256 KiB a backup a
 * phase at 128 KiB). */
static void emit_send_direct(Gen *g, Stmt *s, const char *m)
{
    Round *r = g->round;
    const char *dest = cgen_temp(g, "dest"), *n = cgen_n(g);
    cgen_line(g, "int64_t %s = %s;", dest, cgen_expr(g, s->lhs));
    cgen_line(g, "if (%s >= 0 && %s < %s) {", dest, dest, n);
    g->indent++;
    if (r->noptional)
        cgen_line(g, "if (hoc_set_has(*to, %s)) %s_clear_%s(&out[%s]);", dest, g->px, r->name,
                  dest);
    cgen_line(g, "%s_msg_%s *const %s = &out[%s];", g->px, r->name, m, dest);
    emit_fill(g, cgen_fmt(g, "(*%s)", m), m, s->rhs);
    cgen_line(g, "*to |= hoc_set_one(%s);", dest);
    cgen_close(g);
}

/* A send to several recipients of a round without optional fields fills
 * the first one's slot in place and copies it into the others': a
 * broadcast of a block is built once, not built apart and copied n times. */
static void emit_send_many(Gen *g, Stmt *s, const char *m)
{
    Round *r = g->round;
    const char *n = cgen_n(g), *dest = cgen_temp(g, "dest");
    if (s->lhs)
        cgen_line(g, "hoc_set %s = %s & hoc_set_all((int32_t)%s);", dest, cgen_expr(g, s->lhs), n);
    else
        cgen_line(g, "hoc_set %s = hoc_set_all((int32_t)%s);", dest, n);
    cgen_line(g, "if (%s) {", dest);
    g->indent++;
    cgen_line(g, "%s_msg_%s *const %s = &out[hoc_set_min(%s)];", g->px, r->name, m, dest);
    emit_fill(g, cgen_fmt(g, "(*%s)", m), m, s->rhs);
    cgen_set_loop(g, "hoc_p", dest);
    cgen_line(g, "if (&out[hoc_p] != %s) memcpy(&out[hoc_p], %s, sizeof *%s);", m, m, m);
    cgen_close(g);
    cgen_line(g, "*to |= %s;", dest);
    cgen_close(g);
}

static void emit_send(Gen *g, Stmt *s)
{
    g->use_out = true;
    const char *m = cgen_temp(g, "msg");
    cgen_line(g, "{");
    g->indent++;
    if (s->lhs && s->lhs->type->kind != TY_SET) {
        emit_send_direct(g, s, m);
        cgen_close(g);
        return;
    }
    if (!g->round->noptional) {
        emit_send_many(g, s, m);
        cgen_close(g);
        return;
    }
    emit_payload(g, m, s->rhs);
    const char *n = cgen_n(g);
    if (!s->lhs) { /* broadcast */
        cgen_line(g, "for (int32_t hoc_p = 0; hoc_p < %s; hoc_p++) {", n);
        g->indent++;
        deliver(g, "hoc_p", m);
        cgen_close(g);
        cgen_line(g, "*to = hoc_set_all((int32_t)%s);", n);
    } else {
        const char *dest = cgen_temp(g, "dest");
        cgen_line(g, "hoc_set %s = %s & hoc_set_all((int32_t)%s);", dest, cgen_expr(g, s->lhs), n);
        cgen_set_loop(g, "hoc_p", dest);
        deliver(g, "hoc_p", m);
        cgen_close(g);
        cgen_line(g, "*to |= %s;", dest);
    }
    cgen_close(g);
}

static void emit_for(Gen *g, Stmt *s)
{
    const char *v = s->var->name;
    cgen_line(g, "{");
    g->indent++;
    if (s->hi) {
        const char *lo = cgen_expr(g, s->cond), *hi = cgen_expr(g, s->hi), *h = cgen_temp(g, "hi");
        cgen_line(g, "const int64_t %s = %s;", h, hi);
        cgen_line(g, "for (int64_t %s = %s; %s < %s; %s++) {", v, lo, v, h, v);
        g->indent++;
    } else {
        const char *set = cgen_temp(g, "each");
        cgen_line(g, "const hoc_set %s = %s;", set, cgen_expr(g, s->cond));
        cgen_set_loop(g, v, set);
    }
    cgen_stmts(g, s->body->kind == S_BLOCK ? s->body->body : s->body);
    cgen_close(g);
    cgen_close(g);
}

static void emit_if(Gen *g, Stmt *s)
{
    const char *c = cgen_expr(g, s->cond);
    cgen_line(g, "if (%s) {", c);
    g->indent++;
    cgen_stmts(g, s->body->body);
    g->indent--;
    if (!s->els) {
        cgen_line(g, "}");
        return;
    }
    cgen_line(g, "} else {");
    g->indent++;
    if (s->els->kind == S_IF)
        emit_if(g, s->els);
    else
        cgen_stmts(g, s->els->body);
    cgen_close(g);
}

void cgen_stmts(Gen *g, Stmt *s)
{
    for (; s; s = s->next) {
        switch (s->kind) {
        case S_BLOCK:
            cgen_line(g, "{");
            g->indent++;
            cgen_stmts(g, s->body);
            cgen_close(g);
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
            const char *v = cgen_expr(g, s->rhs);
            if (is_aggregate_type(t)) {
                cgen_line(g, "%s %s%s;", cgen_ctype(g, t), s->var->name, cgen_dims(g, t));
                cgen_local(g, cgen_fmt(g, "%s%s", cgen_ctype(g, t), cgen_dims(g, t)));
                cgen_line(g, "memcpy(%s, %s, sizeof %s);", s->var->name, v, s->var->name);
            } else {
                cgen_line(g, "%s %s = %s;", cgen_ctype(g, t), s->var->name, v);
            }
            if (!stmts_read(s->next, s->var))
                cgen_line(g, "(void)%s; /* never read */", s->var->name);
            break;
        }
        case S_SEND:
            emit_send(g, s);
            break;
        case S_OUTPUT: {
            const char *name = s->out->name;
            if (s->rhs->nargs)
                cgen_copy(g, cgen_fmt(g, "out->%s", name), cgen_expr(g, s->rhs->args[0]),
                          s->out->ret);
            cgen_line(g, "out->%s_fired = true;", name);
            g->use_out = true;
            break;
        }
        case S_HALT:
            cgen_line(g, "s->hoc_halted = true;");
            g->use_s = true;
            cgen_line(g, "return; /* a halted process takes no further steps */");
            break;
        case S_ERROR:
            break;
        }
    }
}

/* ---- functions ---- */

/* The lets the body named, as named locals: last first, since a let may
 * name earlier ones, which marks them used in turn. */
static void emit_lets(Gen *g, hoc_buf lets[64])
{
    Algo *al = g->algo;
    for (int i = (al->nlets < 64 ? al->nlets : 64) - 1; i >= 0; i--) {
        if (!g->use_let[i]) continue;
        g->out = &lets[i];
        const char *v = cgen_expr(g, al->lets[i]->init);
        cgen_line(g, "const %s %s = %s;", cgen_ctype(g, al->lets[i]->type), al->lets[i]->name, v);
    }
}

/* The declarations of what the body used, and (void) for every parameter it
 * did not: generated code compiles cleanly under -Wall -Wextra. */
static void emit_prologue(Gen *g, hoc_buf *dst, const char *signature, Mode mode)
{
    Algo *al = g->algo;
    if (mode == M_SPEC) {
        hoc_buf_printf(dst, "    const %s_state *S = states;\n", g->px);
        if (!g->use_s) hoc_buf_printf(dst, "    (void)S;\n");
        if (!g->use_ho) hoc_buf_printf(dst, "    (void)ho;\n");
        if (!g->use_judge) hoc_buf_printf(dst, "    (void)judge;\n");
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
    if (g->use_id) hoc_buf_printf(dst, "    const int64_t id = env->id;\n");
    if (mode == M_PROC) {
        if (!g->use_env && !any_param && !g->use_phase && !g->use_id)
            hoc_buf_printf(dst, "    (void)env;\n");
        if (!g->use_s && strstr(signature, " *s,")) hoc_buf_printf(dst, "    (void)s;\n");
        if (!g->use_from && strstr(signature, "hoc_set from"))
            hoc_buf_printf(dst, "    (void)from;\n");
        if (!g->use_msgs && strstr(signature, "*msgs")) hoc_buf_printf(dst, "    (void)msgs;\n");
        if (!g->use_out && strstr(signature, "hoc_set *to")) hoc_buf_printf(dst, "    (void)to;\n");
        if (!g->use_out && strstr(signature, " *out)")) hoc_buf_printf(dst, "    (void)out;\n");
    }
    if ((mode == M_PARAM || mode == M_SPEC) && !any_param)
        hoc_buf_printf(dst, "    (void)params;\n");
}

void cgen_function(Gen *g, hoc_buf *dst, const char *signature, Mode mode, cgen_body_fn body,
                   void *arg)
{
    hoc_buf b = {0};
    hoc_buf *saved = g->out;
    memset(g->use_param, 0, sizeof g->use_param);
    memset(g->use_let, 0, sizeof g->use_let);
    g->use_phase = g->use_id = g->use_env = g->use_s = g->use_from = g->use_msgs = g->use_ho =
        g->use_out = g->use_judge = false;
    g->ntemp = 0;
    g->mode = mode;
    g->out = &b;
    g->indent = 1;
    hoc_buf_free(&g->frame);
    body(g, arg);
    if (g->frame.n) /* one entry of PX_stack_bytes' table */
        hoc_buf_printf(&g->frames, "        0%s,\n", hoc_buf_str(&g->frame));
    hoc_buf lets[64] = {{0}};
    emit_lets(g, lets);
    g->out = dst;
    hoc_buf_printf(dst, "%s\n{\n", signature);
    emit_prologue(g, dst, signature, mode);
    for (int i = 0; i < 64; i++) {
        if (lets[i].p) hoc_buf_put(dst, lets[i].p, lets[i].n);
        free(lets[i].p);
    }
    hoc_buf_put(dst, b.p ? b.p : "", b.n);
    hoc_buf_printf(dst, "}\n\n");
    free(b.p);
    g->out = saved;
}
