/* cgen.c: emits an algorithm as C that reads like hand-written code: the
 * header (its types and prototypes), the functions (init, and per round
 * send, update, progress and codecs), the spec predicates, and the constant
 * hoc_algo descriptor through which drivers know the algorithm. The parts
 * that write expressions, statements and data layout are in cgen_int.h. */
#include "cgen_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "monotone.h"
#include "symmetry.h"

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

/* ---- the header ---- */
/* The program's enums and their names, guarded: every algorithm of the
 * program declares them in its header, and one C file may include several. */
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

/* The state struct, one struct per round's message and their union, and
 * the outputs of an update. */
static void emit_structs(Gen *g, hoc_buf *h)
{
    Algo *al = g->algo;
    const char *px = g->px;
    hoc_buf_printf(h, "typedef struct %s_state {\n", px);
    cgen_struct_fields(g, h, NULL, 0, al->inputs, al->ninputs);
    cgen_struct_fields(g, h, NULL, 0, al->vars, al->nvars);
    hoc_buf_printf(
        h, "    bool hoc_halted;\n    bool hoc_crashed; /* set by the drivers */\n} %s_state;\n\n",
        px);
    for (int i = 0; i < al->nrounds; i++) {
        Round *r = al->rounds[i];
        hoc_buf_printf(h, "/* The message of round %s. */\ntypedef struct %s_msg_%s {\n", r->name,
                       px, r->name);
        cgen_msg_struct(g, h, r);
        hoc_buf_printf(h, "} %s_msg_%s;\n\n", px, r->name);
    }
    hoc_buf_printf(h, "typedef union %s_msg {\n", px);
    for (int i = 0; i < al->nrounds; i++)
        hoc_buf_printf(h, "    %s_msg_%s %s;\n", px, al->rounds[i]->name, al->rounds[i]->name);
    hoc_buf_printf(h, "} %s_msg;\n\n", px);
    hoc_buf_printf(
        h,
        "/* What one update produced: each output at most once. */\ntypedef struct %s_outputs {\n",
        px);
    for (int i = 0; i < al->noutputs; i++) {
        Decl *o = al->outputs[i];
        hoc_buf_printf(h, "    bool %s_fired;\n", o->name);
        if (o->ret)
            hoc_buf_printf(h, "    %s %s%s;\n", cgen_ctype(g, o->ret), o->name,
                           cgen_dims(g, o->ret));
    }
    if (!al->noutputs) hoc_buf_printf(h, "    bool hoc_none;\n");
    hoc_buf_printf(h, "} %s_outputs;\n\n", px);
}

/* The signatures of the functions a driver may call directly, as both
 * their prototypes and their definitions give them. */
static const char *init_sig(Gen *g)
{
    return cgen_fmt(g, "void %s_init(%s_state *s, const hoc_env *env, const int64_t *inputs)",
                    g->px, g->px);
}

/* init with bytes inputs given as bytes (hoc_algo.init_bytes). */
static const char *init_bytes_sig(Gen *g)
{
    return cgen_fmt(g,
                    "void %s_init_bytes(%s_state *s, const hoc_env *env, const int64_t *inputs, "
                    "const uint8_t *const *bytes)",
                    g->px, g->px);
}

static const char *send_sig(Gen *g, const char *rn)
{
    return cgen_fmt(g,
                    "void %s_send_%s(const %s_state *s, const hoc_env *env, hoc_set *to, "
                    "%s_msg_%s *out)",
                    g->px, rn, g->px, g->px, rn);
}

static const char *update_sig(Gen *g, const char *rn)
{
    return cgen_fmt(g,
                    "void %s_update_%s(%s_state *s, const hoc_env *env, hoc_set from, const "
                    "%s_msg_%s *msgs, %s_outputs *out)",
                    g->px, rn, g->px, g->px, rn, g->px);
}

/* The functions a driver may call directly, besides the descriptor. */
static void emit_prototypes(Gen *g, hoc_buf *h)
{
    Algo *al = g->algo;
    hoc_buf_printf(h, "%s;\n", init_sig(g));
    hoc_buf_printf(h, "%s;\n", init_bytes_sig(g));
    for (int i = 0; i < al->nrounds; i++) {
        Round *r = al->rounds[i];
        hoc_buf_printf(h, "%s;\n", send_sig(g, r->name));
        hoc_buf_printf(h, "%s;\n", update_sig(g, r->name));
        hoc_buf_printf(h, "%s;\n", cgen_codec_sig(g, r, false));
        hoc_buf_printf(h, "%s;\n", cgen_codec_sig(g, r, true));
    }
    cgen_event_prototypes(g, h);
}

/* Everything of the header but its last line: the spec helpers' sizes go
 * there once the specs are written. */
static void emit_header(Gen *g, const char *source_name, hoc_buf *h)
{
    const char *PX = g->PX;
    hoc_buf_printf(h,
                   "/* Generated by hoc from %s: algorithm %s as a pure state machine.\n"
                   " * Do not edit; change the .ho file and run hoc again. */\n",
                   source_name, g->algo->decl->name);
    hoc_buf_printf(h, "#ifndef HOC_GEN_%s_H\n#define HOC_GEN_%s_H\n\n#include \"hoc_rt.h\"\n\n", PX,
                   PX);
    hoc_buf_printf(h, "/* Capacity of arrays indexed by process; a driver may lower it. */\n");
    hoc_buf_printf(h, "#ifndef %s_MAXN\n#define %s_MAXN HOC_MAXN\n#endif\n\n", PX, PX);
    emit_enums(g, h);
    emit_structs(g, h);
    emit_prototypes(g, h);
    hoc_buf_printf(h,
                   "\n/* The descriptor drivers use: simulator, model checker, TCP runtime. */\n");
    hoc_buf_printf(h, "extern const hoc_algo %s_algo;\n\n", g->px);
}

/* ---- the functions ---- */
/* A C parameter for f; an extern gets a block's length beside it, so C code
 * written by hand need not know the program's sizes. */
static const char *param_decl(Gen *g, const Field *f, bool ext)
{
    if (f->type->kind == TY_BYTES)
        return cgen_fmt(g, ext ? "const uint8_t *%s, size_t %s_len" : "const uint8_t *%s", f->name,
                        f->name);
    return cgen_fmt(g, "%s %s", cgen_ctype(g, f->type), f->name);
}

/* The C signature of def or extern d. */
static char *def_signature(Gen *g, Decl *d)
{
    hoc_buf sig = {0};
    bool bytes_ret = d->ret->kind == TY_BYTES, ext = d->kind == D_EXTERN;
    hoc_buf_printf(&sig, "%s%s %s%s(", ext ? "" : "static inline ",
                   bytes_ret ? "void" : cgen_ctype(g, d->ret), ext ? "" : cgen_fmt(g, "%s_", g->px),
                   d->name);
    for (int i = 0; i < d->nparams; i++)
        hoc_buf_printf(&sig, "%s%s", i ? ", " : "", param_decl(g, &d->params[i], ext));
    if (bytes_ret)
        hoc_buf_printf(&sig, "%suint8_t *hoc_ret%s", d->nparams ? ", " : "",
                       ext ? ", size_t hoc_ret_len" : "");
    if (!d->nparams && !bytes_ret) hoc_buf_printf(&sig, "void");
    hoc_buf_put(&sig, ")", 1);
    return cgen_take(g, &sig);
}

/* Appends def d as a static inline function; a def returning a block
 * writes it to hoc_ret. The defs it calls are marked used. */
static void emit_def(Gen *g, hoc_buf *b, Decl *d)
{
    hoc_buf body = {0};
    hoc_buf *saved = g->out;
    g->out = &body;
    g->indent = 1;
    g->mode = M_DEF;
    hoc_buf_free(&g->frame);
    for (int i = 0; i < d->nparams; i++)
        if (!cgen_expr_reads(d->init, NULL, d->params[i].name))
            cgen_line(g, "(void)%s; /* never read */", d->params[i].name);
    const char *v = cgen_expr(g, d->init);
    if (d->ret->kind == TY_BYTES)
        cgen_line(g, "memcpy(hoc_ret, %s, %lld);", v, (long long)d->ret->len);
    else
        cgen_line(g, "return %s;", v);
    g->out = saved;
    hoc_buf_puts(&g->def_frames, hoc_buf_str(&g->frame));
    hoc_buf_printf(b, "%s\n{\n%s}\n\n", def_signature(g, d), body.p);
    free(body.p);
}

/* The program's externs as prototypes, and the defs the algorithm calls
 * (directly or through other defs) as functions, in declaration order.
 * Last, once everything else is written: a def only calls defs above it,
 * so going backwards finds every def used before it is written. */
static void emit_defs(Gen *g, hoc_buf *b)
{
    int n = 0;
    for (Decl *d = g->prog->decls; d; d = d->next)
        n += d->kind == D_EXTERN || d->kind == D_DEF;
    Decl **ds = calloc((size_t)n + 1, sizeof *ds);
    hoc_buf *text = calloc((size_t)n + 1, sizeof *text);
    if (!ds || !text) abort();
    n = 0;
    for (Decl *d = g->prog->decls; d; d = d->next)
        if (d->kind == D_EXTERN || d->kind == D_DEF) ds[n++] = d;
    for (int i = n - 1; i >= 0; i--) {
        if (ds[i]->kind == D_EXTERN)
            hoc_buf_printf(&text[i], "/* extern: implemented in C by the user, pure */\n%s;\n\n",
                           def_signature(g, ds[i]));
        else if (cgen_def_used(g, ds[i], false))
            emit_def(g, &text[i], ds[i]);
    }
    for (int i = 0; i < n; i++) {
        hoc_buf_puts(b, hoc_buf_str(&text[i]));
        hoc_buf_free(&text[i]);
    }
    free(ds), free(text);
}

bool cgen_def_used(Gen *g, Decl *d, bool mark)
{
    for (int i = 0; i < g->ndefs_used; i++)
        if (g->defs_used[i] == d) return true;
    if (!mark) return false;
    if (g->ndefs_used == g->capdefs_used) {
        g->capdefs_used = g->capdefs_used ? 2 * g->capdefs_used : 8;
        g->defs_used = realloc(g->defs_used, sizeof *g->defs_used * (size_t)g->capdefs_used);
        if (!g->defs_used) abort();
    }
    g->defs_used[g->ndefs_used++] = d;
    return true;
}

/* The inputs (given as bytes when from_bytes, else as the ints standing
 * for them), then the initialiser of every variable but, when keep, the
 * ghosts and durable ones, in declaration order. The state's other fields
 * must be zero already. */
void cgen_init_fields(Gen *g, bool from_bytes, bool keep)
{
    Algo *al = g->algo;
    for (int i = 0; i < al->ninputs; i++) {
        Decl *d = al->inputs[i];
        if (d->type->kind == TY_BYTES) { /* given as bytes, or as a number standing for them */
            if (from_bytes) {
                cgen_line(g, "if (bytes && bytes[%d])", i);
                cgen_line(g, "    memcpy(s->%s, bytes[%d], sizeof s->%s);", d->name, i, d->name);
                cgen_line(g, "else");
            }
            cgen_line(g, "%shoc_bytes_from_int(s->%s, sizeof s->%s, inputs[%d]);",
                      from_bytes ? "    " : "", d->name, d->name, i);
            continue;
        }
        const char *conv = d->type->kind == TY_BOOL   ? "inputs[%d] != 0"
                           : d->type->kind == TY_ENUM ? "(int32_t)inputs[%d]"
                                                      : "inputs[%d]";
        cgen_line(g, "s->%s = %s;", d->name, cgen_fmt(g, conv, i));
    }
    for (int i = 0; i < al->nvars; i++) {
        Decl *d = al->vars[i];
        if (!d->init || (keep && (d->ghost || d->durable))) continue;
        const char *v = cgen_expr(g, d->init);
        cgen_copy(g, cgen_fmt(g, "s->%s", d->name), v, d->type);
    }
}

/* init: the whole state zero (only where it is not: hoc_zero), then the
 * inputs and initialisers. */
static void body_init(Gen *g, void *arg)
{
    (void)arg;
    Algo *al = g->algo;
    if (!al->ninputs) cgen_line(g, "(void)inputs;");
    bool blocks = false;
    for (int i = 0; i < al->ninputs; i++)
        blocks |= al->inputs[i]->type->kind == TY_BYTES;
    if (!blocks) cgen_line(g, "(void)bytes;");
    cgen_line(g, "hoc_zero(s, sizeof *s); /* padding too: states compare with memcmp */");
    g->use_s = true;
    cgen_init_fields(g, true, false);
}

/* send or update: the statements of the block arg, which may be NULL. */
static void body_block(Gen *g, void *arg)
{
    Stmt *b = arg;
    if (b) cgen_stmts(g, b->body);
}

/* A predicate: the value of the expression arg. */
static void body_return(Gen *g, void *arg)
{
    Expr *e = arg;
    cgen_line(g, "return %s;", cgen_expr(g, e));
}

/* A number of processes to wait for, clamped to 0..HOC_MAXN; n if arg is NULL. */
static void body_count(Gen *g, void *arg)
{
    Expr *e = arg;
    if (e)
        cgen_line(g, "return (int32_t)hoc_max(0, hoc_min(%s, HOC_MAXN));", cgen_expr(g, e));
    else
        cgen_line(g, "return (int32_t)%s;", cgen_n(g));
}

/* Whether n fits the compiled capacity and every where clause holds. */
static void body_params_ok(Gen *g, void *arg)
{
    (void)arg;
    Algo *al = g->algo;
    cgen_line(g, "if (%s < 1 || %s > %s_MAXN) return false;", cgen_n(g), cgen_n(g), g->PX);
    for (int i = 0; i < al->nwhere; i++)
        cgen_line(g, "if (!%s) return false;", cgen_expr(g, al->where[i]->init));
    cgen_line(g, "return true;");
}

/* How much of the phase hoc check must keep when it ranks stamps: the lcm of
 * every m in `phase % m`, or 0 when the phase is read as a plain number. */
static void body_phase_period(Gen *g, void *arg)
{
    (void)arg;
    Algo *al = g->algo;
    if (al->phase_as_int) {
        cgen_line(g, "return 0; /* the round or phase counter is read as a number */");
        return;
    }
    cgen_line(g, "int64_t period = 1;");
    for (int i = 0; i < al->nphase_mods; i++)
        cgen_line(g, "period = hoc_lcm(period, %s);", cgen_expr(g, al->phase_mods[i]));
    cgen_line(g, "return period;");
}

/* Round r's send and update, its progress conditions, and its codec. */
static void emit_round_functions(Gen *g, hoc_buf *b, Round *r)
{
    const char *px = g->px, *rn = r->name;
    g->round = r;
    hoc_buf_printf(b, "/* ---- round %s ---- */\n\n", rn);
    if (cgen_msg_has_moves(r)) cgen_msg_moves(g, b, r);
    cgen_function(g, b, send_sig(g, rn), M_PROC, body_block, r->send);
    cgen_function(g, b, update_sig(g, rn), M_PROC, body_block, r->update);
    cgen_function(g, b, cgen_fmt(g, "static int32_t %s_goahead_%s(const int64_t *params)", px, rn),
                  M_PARAM, body_count, r->goahead);
    Expr zero = {.kind = E_INT, .ival = 0};
    cgen_function(g, b, cgen_fmt(g, "static int32_t %s_wait_%s(const int64_t *params)", px, rn),
                  M_PARAM, body_count, r->wait ? r->wait : &zero);
    if (r->when)
        cgen_function(g, b,
                      cgen_fmt(g,
                               "static bool %s_when_%s(const %s_state *s, const hoc_env *env, "
                               "hoc_set from, const %s_msg_%s *msgs)",
                               px, rn, px, px, rn),
                      M_PROC, body_return, r->when);
    cgen_codec(g, b, r);
    g->round = NULL;
}

/* The program's defs and externs, init, each round's functions, and the
 * checks of the parameters. */
static void emit_functions(Gen *g, hoc_buf *b)
{
    Algo *al = g->algo;
    const char *px = g->px;
    cgen_function(g, b, init_bytes_sig(g), M_PROC, body_init, NULL);
    hoc_buf_printf(b, "%s\n{\n    %s_init_bytes(s, env, inputs, NULL);\n}\n\n", init_sig(g), px);
    for (int i = 0; i < al->nrounds; i++)
        emit_round_functions(g, b, al->rounds[i]);
    cgen_event_functions(g, b);
    cgen_function(g, b, cgen_fmt(g, "static bool %s_params_ok(const int64_t *params)", px), M_PARAM,
                  body_params_ok, NULL);
    cgen_function(g, b, cgen_fmt(g, "static int64_t %s_phase_period(const int64_t *params)", px),
                  M_PARAM, body_phase_period, NULL);
}

/* The spec predicates, over the array of all process states. */
static hoc_buf emit_specs(Gen *g)
{
    Algo *al = g->algo;
    const char *px = g->px;
    hoc_buf specs = {0};
    for (int i = 0; i < al->nspecs; i++) {
        Decl *d = al->specs[i];
        static const char *const what[] = {"invariant", "property", "assumption",
                                           "goal",      "prune",    "progress stage"};
        hoc_buf_printf(&specs, "/* %s %s */\n", what[d->spec_kind], d->name);
        cgen_function(g, &specs,
                      cgen_fmt(g,
                               "static bool %s_judge_%s(const void *states, const int64_t "
                               "*params, const hoc_set *ho, hoc_judge *judge)",
                               px, d->name),
                      M_SPEC, body_return, d->init);
        hoc_buf_printf(&specs,
                       "static bool %s_spec_%s(const void *states, const int64_t *params, "
                       "const hoc_set *ho)\n{\n    return %s_judge_%s(states, params, ho, "
                       "NULL);\n}\n\n",
                       px, d->name, px, d->name);
    }
    return specs;
}

/* ---- the descriptor ---- */
/* The array PX_<what> of the names of d[0..n). */
static void emit_names(hoc_buf *t, const char *px, const char *what, Decl **d, int n)
{
    hoc_buf_printf(t, "static const char *const %s_%s[] = {", px, what);
    for (int i = 0; i < n; i++)
        hoc_buf_printf(t, "%s\"%s\"", i ? ", " : "", d[i]->name);
    hoc_buf_printf(t, "};\n\n");
}

/* The fields of the state (inputs, variables, then the halted flag), and of
 * the inputs alone. */
static void emit_state_tables(Gen *g, hoc_buf *t)
{
    Algo *al = g->algo;
    const char *px = g->px;
    Decl **all = calloc((size_t)(al->ninputs + al->nvars + 1), sizeof *all);
    if (!all) abort();
    for (int i = 0; i < al->ninputs; i++)
        all[i] = al->inputs[i];
    for (int i = 0; i < al->nvars; i++)
        all[al->ninputs + i] = al->vars[i];
    cgen_field_table(g, t, cgen_fmt(g, "%s_state_fields", px), cgen_fmt(g, "%s_state", px), NULL, 0,
                     all, al->ninputs + al->nvars,
                     cgen_fmt(g,
                              "    {\"hoc_halted\", offsetof(%s_state, hoc_halted), HOC_K_BOOL, "
                              "1, false, NULL, false, 0, false},\n",
                              px));
    free(all);
    if (al->ninputs)
        cgen_field_table(g, t, cgen_fmt(g, "%s_input_fields", px), cgen_fmt(g, "%s_state", px),
                         NULL, 0, al->inputs, al->ninputs, NULL);
}

/* A round's message fields, and its functions behind the untyped
 * signatures of hoc_round. */
static void emit_round_adapters(Gen *g, hoc_buf *t, Round *r)
{
    const char *px = g->px, *rn = r->name;
    cgen_field_table(g, t, cgen_fmt(g, "%s_fields_%s", px, rn), cgen_fmt(g, "%s_msg_%s", px, rn),
                     r->fields, r->nfields, NULL, 0, NULL);
    hoc_buf_printf(t,
                   "static void %s_send_%s_any(const void *s, const hoc_env *env, hoc_set *to, "
                   "void *out)\n{\n"
                   "    %s_send_%s(s, env, to, out);\n}\n\n",
                   px, rn, px, rn);
    hoc_buf_printf(t,
                   "static void %s_update_%s_any(void *s, const hoc_env *env, hoc_set from, "
                   "const void *msgs, void *out)\n{\n"
                   "    %s_update_%s(s, env, from, msgs, out);\n}\n\n",
                   px, rn, px, rn);
    if (r->when)
        hoc_buf_printf(t,
                       "static bool %s_when_%s_any(const void *s, const hoc_env *env, hoc_set "
                       "from, const void *msgs)\n{\n"
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

/* One hoc_round per round; a round without a timeout waits 50 ms. */
static void emit_round_table(Gen *g, hoc_buf *t)
{
    Algo *al = g->algo;
    const char *px = g->px;
    hoc_buf_printf(t, "static const hoc_round %s_rounds[] = {\n", px);
    for (int i = 0; i < al->nrounds; i++) {
        Round *r = al->rounds[i];
        const char *rn = r->name;
        bool moves = cgen_msg_has_moves(r);
        hoc_buf_printf(
            t,
            "    {\"%s\", sizeof(%s_msg_%s), %s_fields_%s, %d, %s_send_%s_any, %s_update_%s_any,\n"
            "     %s_goahead_%s, %s_wait_%s, %lld, %s, %s_encode_%s_any, %s_decode_%s_any, %d,\n"
            "     %s, %s},\n",
            rn, px, rn, px, rn, r->nfields, px, rn, px, rn, px, rn, px, rn,
            (long long)(r->timeout_us ? r->timeout_us->ival : 50000),
            r->when ? cgen_fmt(g, "%s_when_%s_any", px, rn) : "NULL", px, rn, px, rn,
            cgen_wire_size(r), moves ? cgen_fmt(g, "%s_copy_%s_any", px, rn) : "NULL",
            moves ? cgen_fmt(g, "%s_clear_%s_any", px, rn) : "NULL");
    }
    hoc_buf_printf(t, "};\n\n");
}

/* One hoc_output per output, if there are any. */
static void emit_output_table(Gen *g, hoc_buf *t)
{
    Algo *al = g->algo;
    const char *px = g->px;
    if (!al->noutputs) return;
    hoc_buf_printf(t, "static const hoc_output %s_output_table[] = {\n", px);
    for (int i = 0; i < al->noutputs; i++) {
        Decl *o = al->outputs[i];
        bool is_enum = o->ret && o->ret->kind == TY_ENUM;
        hoc_buf_printf(
            t, "    {\"%s\", %s, %s, offsetof(%s_outputs, %s_fired), %s, %s, %d, %lld, %s},\n",
            o->name, o->ret ? cgen_kind_name(o->ret) : "HOC_K_BOOL", o->ret ? "true" : "false", px,
            o->name, o->ret ? cgen_fmt(g, "offsetof(%s_outputs, %s)", px, o->name) : "0",
            is_enum ? cgen_fmt(g, "%s_names", o->ret->enm->name) : "NULL",
            is_enum ? o->ret->enm->nmembers : 0,
            o->ret && o->ret->kind == TY_BYTES ? (long long)o->ret->len : 1LL,
            o->agreed ? "true" : "false");
    }
    hoc_buf_printf(t, "};\n\n");
}

/* s as a C string literal, or NULL. */
static void emit_c_string(hoc_buf *t, const char *s)
{
    if (!s) {
        hoc_buf_printf(t, "NULL");
        return;
    }
    hoc_buf_printf(t, "\"");
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            hoc_buf_printf(t, "\\%c", ch);
        else if (ch < 0x20 || ch >= 0x7f)
            hoc_buf_printf(t, "\\%03o", ch);
        else
            hoc_buf_printf(t, "%c", ch);
    }
    hoc_buf_printf(t, "\"");
}

/* One hoc_spec per spec, if there are any. */
static void emit_spec_table(Gen *g, hoc_buf *t)
{
    Algo *al = g->algo;
    const char *px = g->px;
    if (al->nspecs) {
        hoc_buf_printf(t, "static const hoc_spec %s_specs[] = {\n", px);
        for (int i = 0; i < al->nspecs; i++) {
            Decl *d = al->specs[i];
            const char *kinds[] = {"HOC_INVARIANT", "HOC_PROPERTY", "HOC_ASSUME",
                                   "HOC_GOAL",      "HOC_PRUNE",    "HOC_PROGRESS"};
            /* a progress stage is aligned like its assumption */
            const Decl *al_of = d->spec_kind == SPEC_PROGRESS ? d->assumption : d;
            SymVerdict sv;
            sym_spec(al, d, &sv);
            hoc_buf_printf(
                t, "    {\"%s\", %s, %s_spec_%s, %lld, %s, %s, %s, ", d->name, kinds[d->spec_kind],
                px, d->name, (long long)(d->ev_rounds < 0 ? al->nrounds : d->ev_rounds),
                al_of && al_of->ev_rounds < 0 ? "true" : "false", sv.symmetric ? "true" : "false",
                ho_monotone(d->init) ? "true" : "false");
            emit_c_string(t, sv.symmetric ? NULL : sv.why);
            hoc_buf_printf(t, ", %s_judge_%s},\n", px, d->name);
        }
        hoc_buf_printf(t, "};\n\n");
    }
}

/* The hoc_algo itself, pointing at the tables before it. */
static void emit_algo_struct(Gen *g, hoc_buf *t)
{
    Algo *al = g->algo;
    const char *px = g->px;
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
        g->PX, px, al->nparams, px);
    if (al->ninputs)
        hoc_buf_printf(t, "    .inputs = %s_input_fields,\n    .ninputs = %d,\n", px, al->ninputs);
    if (al->noracles)
        hoc_buf_printf(t, "    .oracles = %s_oracles,\n    .noracles = %d,\n", px, al->noracles);
    hoc_buf_printf(t, "    .init = (void (*)(void *, const hoc_env *, const int64_t *))%s_init,\n",
                   px);
    hoc_buf_printf(t,
                   "    .init_bytes = (void (*)(void *, const hoc_env *, const int64_t *, const "
                   "uint8_t *const *))%s_init_bytes,\n",
                   px);
    hoc_buf_printf(t, "    .fields = %s_state_fields,\n    .nfields = %d,\n", px,
                   al->ninputs + al->nvars + 1);
    hoc_buf_printf(t, "    .rounds = %s_rounds,\n    .nrounds = %d,\n", px, al->nrounds);
    if (al->noutputs)
        hoc_buf_printf(t, "    .outputs = %s_output_table,\n    .noutputs = %d,\n", px,
                       al->noutputs);
    if (al->nspecs)
        hoc_buf_printf(t, "    .specs = %s_specs,\n    .nspecs = %d,\n", px, al->nspecs);
    SymVerdict sv;
    sym_rounds(al, &sv);
    bool uses_id = al->uses_id || !sv.symmetric;
    hoc_buf_printf(
        t,
        "    .halted_offset = offsetof(%s_state, hoc_halted),\n"
        "    .crashed_offset = offsetof(%s_state, hoc_crashed),\n    .uses_id = %d,\n    "
        ".uses_round = %d,\n    .phase_period = %s_phase_period,\n    .asym_why = ",
        px, px, uses_id ? 1 : 0, al->uses_round ? 1 : 0, px);
    /* the checker's own flag is a backstop: it may mark what the analysis admits */
    emit_c_string(t, !uses_id       ? NULL
                     : sv.symmetric ? "the compiler marks the rounds as reading process ids"
                                    : sv.why);
    hoc_buf_printf(t, ",\n");
    cgen_event_descriptor(g, t);
    hoc_buf_printf(t, "    .stack_bytes = %s_stack_bytes,\n", px);
    hoc_buf_printf(t, "};\n");
}

/* The tables drivers read the algorithm from, ending with the hoc_algo. */
static void emit_descriptor(Gen *g, hoc_buf *t)
{
    Algo *al = g->algo;
    hoc_buf_printf(t, "/* ---- descriptor ---- */\n\n");
    emit_names(t, g->px, "params", al->params, al->nparams);
    emit_state_tables(g, t);
    if (al->noracles) emit_names(t, g->px, "oracles", al->oracles, al->noracles);
    for (int i = 0; i < al->nrounds; i++)
        emit_round_adapters(g, t, al->rounds[i]);
    emit_round_table(g, t);
    emit_output_table(g, t);
    emit_spec_table(g, t);
    cgen_event_table(g, t);
    emit_algo_struct(g, t);
}

/* PX_stack_bytes: the stack the generated functions may need, from the
 * sizes of their large locals (blocks, messages, aggregates) as the C
 * compiler lays them out. A driver that runs them on a smaller stack
 * would crash at the first large block (Amalgam's op at 1 MiB blocks keeps
 * six of them), so drivers compare (hoc_stack_fit). */
static void emit_stack_bytes(Gen *g, hoc_buf *b)
{
    hoc_buf_printf(b,
                   "/* The stack these functions may need: the largest one's locals, plus\n"
                   " * every def's, which may be called under it (defs do not recurse). */\n"
                   "static size_t %s_stack_bytes(void)\n{\n"
                   "    static const size_t fn[] = {\n%s        0,\n    };\n"
                   "    size_t most = 0;\n"
                   "    for (size_t i = 0; i < sizeof fn / sizeof fn[0]; i++)\n"
                   "        if (fn[i] > most) most = fn[i];\n"
                   "    return most + (0%s);\n}\n\n",
                   g->px, hoc_buf_str(&g->frames), hoc_buf_str(&g->def_frames));
}

int cgen_algo(Program *p, Algo *al, const char *source_name, FILE *hf, FILE *cf)
{
    char px[256], PX[256];
    cgen_prefix(al->decl->name, px, sizeof px);
    for (size_t i = 0; i <= strlen(px); i++)
        PX[i] = (char)toupper((unsigned char)px[i]);
    Gen g = {.prog = p, .algo = al, .a = p->arena, .px = px, .PX = PX};
    hoc_buf h = {0}, fns = {0}, tables = {0}, helpers = {0}, defs = {0};
    emit_header(&g, source_name, &h);
    emit_functions(&g, &fns);
    hoc_buf specs = emit_specs(&g);
    emit_descriptor(&g, &tables);
    emit_defs(&g, &defs);        /* after all their callers */
    emit_stack_bytes(&g, &defs); /* after the defs: it counts their locals */
    /* last: the specs just written say which quantifier ranges they need */
    cgen_active_helpers(&g, &h, &helpers);
    if (g.need_zero)
        hoc_buf_printf(&helpers,
                       "/* Zero bytes: what an array element outside its array reads. */\n"
                       "static const union {\n    %s_state s;\n    %s_msg m;\n} %s_zero;\n\n",
                       px, px, px);
    hoc_buf_printf(&h, "#endif\n");
    int rc = 0;
    if (fputs(h.p, hf) < 0 ||
        fprintf(cf,
                "/* Generated by hoc from %s: algorithm %s. Do not edit. */\n#include \"%s.h\"\n\n",
                source_name, al->decl->name, px) < 0 ||
        fputs(hoc_buf_str(&helpers), cf) < 0 || fputs(hoc_buf_str(&defs), cf) < 0 ||
        fputs(fns.p, cf) < 0 || fputs(hoc_buf_str(&specs), cf) < 0 || fputs(tables.p, cf) < 0)
        rc = -1;
    hoc_buf_free(&h), hoc_buf_free(&fns), hoc_buf_free(&specs), hoc_buf_free(&tables);
    hoc_buf_free(&helpers), hoc_buf_free(&defs);
    hoc_buf_free(&g.frame), hoc_buf_free(&g.frames), hoc_buf_free(&g.def_frames);
    free(g.defs_used);
    return rc;
}
