/* cgen_event.c: what the environment may do to a process between rounds,
 * in the generated C: one handler per event (its arguments as locals, then
 * its statements), the ranges drivers enumerate or draw the arguments
 * from, the event table, and the function that replaces a process. */
#include "cgen_int.h"

#include <stdlib.h>

static const char *handler_sig(Gen *g, const Decl *e)
{
    return cgen_fmt(g,
                    "void %s_event_%s(%s_state *s, const hoc_env *env, const int64_t *args, "
                    "const uint8_t *const *bytes, %s_outputs *out)",
                    g->px, e->name, g->px, g->px);
}

static const char *replaced_sig(Gen *g)
{
    return cgen_fmt(g,
                    "void %s_replaced(%s_state *s, const hoc_env *env, const int64_t *inputs, "
                    "%s_outputs *out)",
                    g->px, g->px, g->px);
}

void cgen_event_prototypes(Gen *g, hoc_buf *h)
{
    for (int i = 0; i < g->algo->nevents; i++)
        hoc_buf_printf(h, "%s;\n", handler_sig(g, g->algo->events[i]));
    hoc_buf_printf(h, "%s;\n", replaced_sig(g));
}

/* A bytes argument: a pointer to the K bytes the caller gave, or to the
 * int standing for them written out as bytes (as init_bytes does). */
static void bytes_arg(Gen *g, const Field *f, int i)
{
    cgen_line(g, "uint8_t hoc_num_%s[%lld]; /* %s given as a number */", f->name,
              (long long)f->type->len, f->name);
    cgen_local(g, cgen_fmt(g, "uint8_t[%lld]", (long long)f->type->len));
    cgen_line(g, "const uint8_t *%s = hoc_num_%s;", f->name, f->name);
    cgen_line(g, "if (bytes && bytes[%d])", i);
    cgen_line(g, "    %s = bytes[%d];", f->name, i);
    cgen_line(g, "else");
    cgen_line(g, "    hoc_bytes_from_int(hoc_num_%s, sizeof hoc_num_%s, args[%d]);", f->name,
              f->name, i);
}

/* An event's body: each argument as a typed local, then the statements. */
static void body_event(Gen *g, void *arg)
{
    Decl *e = arg;
    bool blocks = false;
    for (int i = 0; i < e->nparams; i++)
        blocks |= e->params[i].type->kind == TY_BYTES;
    if (!e->nparams) cgen_line(g, "(void)args;");
    if (!blocks) cgen_line(g, "(void)bytes;");
    for (int i = 0; i < e->nparams; i++) {
        const Field *f = &e->params[i];
        if (f->type->kind == TY_BYTES) {
            bytes_arg(g, f, i);
            cgen_line(g, "(void)%s;", f->name);
            continue;
        }
        const char *conv = f->type->kind == TY_BOOL   ? "args[%d] != 0"
                           : f->type->kind == TY_ENUM ? "(int32_t)args[%d]"
                                                      : "args[%d]"; /* int, pid: 64-bit */
        cgen_line(g, "const %s %s = %s;", cgen_ctype(g, f->type), f->name, cgen_fmt(g, conv, i));
        cgen_line(g, "(void)%s;", f->name);
    }
    cgen_stmts(g, e->body->body);
}

/* Whether e reads a durable variable, through the lets and defs it uses. */
static bool reads_durable(const Expr *e)
{
    if (!e) return false;
    if (e->kind == E_NAME && e->nk == N_STATE && e->decl && e->decl->durable) return true;
    if ((e->kind == E_NAME && e->nk == N_LET) || (e->kind == E_CALL && e->decl))
        if (e->decl->kind != D_EXTERN && reads_durable(e->decl->init)) return true;
    if (reads_durable(e->a) || reads_durable(e->b) || reads_durable(e->c)) return true;
    for (int i = 0; i < e->nargs; i++)
        if (reads_durable(e->args[i])) return true;
    for (const Binder *q = e->binders; q; q = q->next)
        if (reads_durable(q->domx)) return true;
    return false;
}

/* A replacement: init afresh, the ghosts and durable variables put back,
 * then the replaced block. Field by field, leaving the kept ones alone: a
 * copy of the old state would put the whole of it on the stack (megabytes
 * at Amalgam's large blocks), and zeroing every field would touch pages
 * that are zero already. Padding stays as init left it (zero). Only when
 * an initialiser reads a durable variable (which must see its init value,
 * not the kept one) is the old state copied whole. */
static void body_replaced(Gen *g, void *arg)
{
    Algo *al = g->algo;
    (void)arg;
    g->use_s = true;
    bool kept = false, whole = false;
    for (int i = 0; i < al->nvars; i++) {
        Decl *d = al->vars[i];
        kept |= d->ghost || d->durable;
        whole |= !d->ghost && !d->durable && reads_durable(d->init);
    }
    if (whole) {
        cgen_line(g, "const %s_state hoc_old = *s; /* ghosts: history; durable: its storage */",
                  g->px);
        cgen_local(g, cgen_fmt(g, "%s_state", g->px));
        cgen_line(g, "%s_init(s, env, inputs);", g->px);
        for (int i = 0; i < al->nvars; i++) {
            Decl *d = al->vars[i];
            if (d->ghost || d->durable)
                cgen_line(g, "memcpy(&s->%s, &hoc_old.%s, sizeof s->%s);", d->name, d->name,
                          d->name);
        }
    } else {
        if (!al->ninputs) cgen_line(g, "(void)inputs;");
        if (kept) cgen_line(g, "/* ghosts (history) and durable variables (storage) are kept */");
        for (int i = 0; i < al->nvars; i++) {
            Decl *d = al->vars[i];
            if (d->ghost || d->durable || d->init) continue;
            if (d->type->kind == TY_ARRAY || d->type->kind == TY_BYTES)
                cgen_line(g, "hoc_zero(s->%s, sizeof s->%s);", d->name, d->name);
            else
                cgen_line(g, "s->%s = 0;", d->name);
        }
        cgen_line(g, "s->hoc_halted = false;");
        cgen_line(g, "s->hoc_crashed = false;");
        cgen_init_fields(g, false, true);
    }
    if (al->replaced) cgen_stmts(g, al->replaced->body->body);
}

/* The range of each argument of event e, for the drivers. */
static void body_range(Gen *g, void *arg)
{
    Decl *e = arg;
    cgen_line(g, "*lo = 0, *hi = 0;");
    if (!e->nparams) cgen_line(g, "(void)i;");
    for (int i = 0; i < e->nparams; i++) {
        const Field *f = &e->params[i];
        const Type *t = f->type;
        if ((t->kind == TY_INT || t->kind == TY_BYTES) && !f->hi) {
            cgen_line(g, "if (i == %d) *lo = 0, *hi = -1; /* no range: the driver's choice */", i);
            continue;
        }
        const char *hi = t->kind == TY_BOOL   ? "2"
                         : t->kind == TY_PID  ? cgen_n(g)
                         : t->kind == TY_ENUM ? cgen_fmt(g, "%d", t->enm->nmembers)
                                              : cgen_expr(g, f->hi);
        const char *lo = f->lo ? cgen_expr(g, f->lo) : "0";
        /* a declared range empty at these params has hi == lo, never below:
         * hi < lo is kept for "no range" */
        cgen_line(g, "if (i == %d) *lo = %s, *hi = %s;", i, lo, hi);
        if (f->hi) cgen_line(g, "if (i == %d && *hi < *lo) *hi = *lo;", i);
    }
}

void cgen_event_functions(Gen *g, hoc_buf *b)
{
    Algo *al = g->algo;
    for (int i = 0; i < al->nevents; i++) {
        Decl *e = al->events[i];
        hoc_buf_printf(b, "/* ---- event %s ---- */\n\n", e->name);
        cgen_function(g, b, handler_sig(g, e), M_PROC, body_event, e);
        cgen_function(g, b,
                      cgen_fmt(g,
                               "static void %s_range_%s(const int64_t *params, int i, int64_t "
                               "*lo, int64_t *hi)",
                               g->px, e->name),
                      M_PARAM, body_range, e);
    }
    hoc_buf_printf(b, "/* ---- replacement ---- */\n\n");
    cgen_function(g, b, replaced_sig(g), M_PROC, body_replaced, NULL);
}

void cgen_event_table(Gen *g, hoc_buf *t)
{
    Algo *al = g->algo;
    const char *px = g->px;
    if (!al->nevents) return;
    for (int i = 0; i < al->nevents; i++) {
        Decl *e = al->events[i];
        hoc_buf_printf(t, "static const hoc_field %s_args_%s[] = {\n", px, e->name);
        for (int j = 0; j < e->nparams; j++) {
            const Type *ty = e->params[j].type;
            bool en = ty->kind == TY_ENUM;
            /* offset: where args[j] is; count: a bytes argument's size */
            hoc_buf_printf(
                t, "    {\"%s\", %d, %s, %lld, false, %s, false, %d, false},\n", e->params[j].name,
                j * 8, cgen_kind_name(ty), ty->kind == TY_BYTES ? (long long)ty->len : 1LL,
                en ? cgen_fmt(g, "%s_names", ty->enm->name) : "NULL", en ? ty->enm->nmembers : 0);
        }
        if (!e->nparams) hoc_buf_printf(t, "    {0},\n");
        hoc_buf_printf(t, "};\n\n");
        hoc_buf_printf(t,
                       "static void %s_event_%s_any(void *s, const hoc_env *env, const int64_t "
                       "*args,\n    const uint8_t *const *bytes, void *out)\n{\n    "
                       "%s_event_%s(s, env, args, bytes, out);\n}\n\n",
                       px, e->name, px, e->name);
    }
    hoc_buf_printf(t, "static const hoc_event %s_events[] = {\n", px);
    for (int i = 0; i < al->nevents; i++) {
        const char *en = al->events[i]->name;
        hoc_buf_printf(t, "    {\"%s\", %s_args_%s, %d, %s_range_%s, %s_event_%s_any},\n", en, px,
                       en, al->events[i]->nparams, px, en, px, en);
    }
    hoc_buf_printf(t, "};\n\n");
}

void cgen_event_descriptor(Gen *g, hoc_buf *t)
{
    Algo *al = g->algo;
    const char *px = g->px;
    if (al->nevents)
        hoc_buf_printf(t, "    .events = %s_events,\n    .nevents = %d,\n", px, al->nevents);
    hoc_buf_printf(t,
                   "    .replace = (void (*)(void *, const hoc_env *, const int64_t *, void "
                   "*))%s_replaced,\n    .has_replaced = %s,\n",
                   px, al->replaced ? "true" : "false");
}
