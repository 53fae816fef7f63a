/* parse.c: drives the Lemon parser over re2c tokens; splices imports. */
#include "parse.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "grammar.h"

/* Lemon's generated interface (grammar.c). */
void *hocParseAlloc(void *(*malloc_fn)(size_t));
void hocParseFree(void *p, void (*free_fn)(void *));
void hocParse(void *p, int kind, Token t, Parser *ps);

#define MAX_FILE_BYTES (16u << 20)
#define MAX_IMPORT_DEPTH 16

const char *lexer_token_name(int kind)
{
    switch (kind) {
    case 0:
        return "end of input";
    case TK_IDENT:
        return "identifier";
    case TK_INT:
        return "integer";
    case TK_DURATION:
        return "duration";
    case TK_LBRACE:
        return "'{'";
    case TK_RBRACE:
        return "'}'";
    case TK_LPAREN:
        return "'('";
    case TK_RPAREN:
        return "')'";
    case TK_LBRACKET:
        return "'['";
    case TK_RBRACKET:
        return "']'";
    case TK_COMMA:
        return "','";
    case TK_SEMI:
        return "';'";
    case TK_COLON:
        return "':'";
    case TK_DOT:
        return "'.'";
    case TK_DOTDOT:
        return "'..'";
    case TK_QUESTION:
        return "'?'";
    case TK_ASSIGN:
        return "'='";
    case TK_EQ:
        return "'=='";
    case TK_NE:
        return "'!='";
    case TK_LT:
        return "'<'";
    case TK_LE:
        return "'<='";
    case TK_GT:
        return "'>'";
    case TK_GE:
        return "'>='";
    case TK_PLUS:
        return "'+'";
    case TK_MINUS:
        return "'-'";
    case TK_STAR:
        return "'*'";
    case TK_SLASH:
        return "'/'";
    case TK_PERCENT:
        return "'%'";
    case TK_NOT:
        return "'!'";
    case TK_AND:
        return "'&&'";
    case TK_OR:
        return "'||'";
    case TK_IMPLIES:
        return "'==>'";
    case TK_BAR:
        return "'|'";
    default:
        return "keyword";
    }
}

void parse_syntax_error(Parser *ps, const Token *t)
{
    if (ps->overflow) return;
    if (t->kind == 0 && ps->eof_in_comment) return; /* the unterminated comment was reported */
    if (t->kind == TK_IDENT)
        diag_error(ps->diag, t->pos, "syntax error: unexpected identifier '%s'", t->s);
    else if (t->kind == 0)
        diag_error(ps->diag, t->pos,
                   "syntax error: unexpected end of input (a '}' or ';' missing?)");
    else if (t->s) /* keywords carry their spelling */
        diag_error(ps->diag, t->pos, "syntax error: unexpected keyword '%s'", t->s);
    else
        diag_error(ps->diag, t->pos, "syntax error: unexpected %s", lexer_token_name(t->kind));
}

void parse_overflow(Parser *ps)
{
    ps->overflow = true;
    diag_error(ps->diag, ps->last, "program nested too deeply");
}

/* ---- list helpers ---- */
/* Appends the list d (NULL: nothing) to list, walking it: for splicing a
 * module's declarations, not for the grammar's long lists (parse_add_*). */
static Decl *append_decls(Decl *list, Decl *d)
{
    if (!d) return list;
    if (!list) return d;
    Decl *t = list;
    while (t->next)
        t = t->next;
    t->next = d;
    return list;
}

/* The remembered tail of the list starting at head: a node of that list from
 * which to walk to its end (lists only grow, so a stale tail is still on it). */
static struct ParseTail *tail_slot(Parser *ps, const void *head)
{
    uintptr_t h = (uintptr_t)head;
    h ^= h >> 7;
    return &ps->tails[(h >> 3) % (sizeof ps->tails / sizeof ps->tails[0])];
}

#define PARSE_ADD(T, ps, list, x)                                                                  \
    do {                                                                                           \
        if (!(x)) return list;                                                                     \
        if (!(list)) return x;                                                                     \
        struct ParseTail *slot = tail_slot(ps, list);                                              \
        T *t = slot->head == (list) ? (T *)slot->tail : (list);                                    \
        while (t->next)                                                                            \
            t = t->next;                                                                           \
        t->next = (x);                                                                             \
        slot->head = (list);                                                                       \
        slot->tail = (x);                                                                          \
        return list;                                                                               \
    } while (0)

Decl *parse_add_decl(Parser *ps, Decl *list, Decl *d)
{
    PARSE_ADD(Decl, ps, list, d);
}
Stmt *parse_add_stmt(Parser *ps, Stmt *list, Stmt *s)
{
    PARSE_ADD(Stmt, ps, list, s);
}
Binder *parse_add_binder(Parser *ps, Binder *list, Binder *b)
{
    PARSE_ADD(Binder, ps, list, b);
}

Expr *parse_nested(Parser *ps, Expr *e)
{
    int d = 0;
    Expr *kids[3] = {e->a, e->b, e->c};
    for (int i = 0; i < 3; i++)
        if (kids[i] && kids[i]->depth > d) d = kids[i]->depth;
    for (int i = 0; i < e->nargs; i++)
        if (e->args[i] && e->args[i]->depth > d) d = e->args[i]->depth;
    e->depth = d + 1;
    if (e->depth > PARSE_MAX_EXPR_DEPTH && !ps->overflow) {
        diag_error(ps->diag, e->pos, "expression nested too deeply (the limit is %d levels)",
                   PARSE_MAX_EXPR_DEPTH);
        ps->overflow = true; /* stops the parse */
    }
    return e;
}

Type *parse_nested_type(Parser *ps, Type *t)
{
    int d = 0;
    for (const Type *u = t; u && u->kind == TY_ARRAY; u = u->elem)
        d++;
    if (d > PARSE_MAX_TYPE_DEPTH && !ps->overflow) {
        diag_error(ps->diag, ps->last, "type nested too deeply (the limit is %d dimensions)",
                   PARSE_MAX_TYPE_DEPTH);
        ps->overflow = true; /* stops the parse */
    }
    return t;
}

/* Grows a list kept in the arena; the old array is simply abandoned. */
static void *grow(Parser *ps, void *v, int n, int *cap, size_t elem)
{
    if (n < *cap) return v;
    int ncap = *cap ? *cap * 2 : 4;
    void *nv = arena_alloc(ps->arena, (size_t)ncap * elem);
    if (n) memcpy(nv, v, (size_t)n * elem);
    *cap = ncap;
    return nv;
}

NameList *parse_names(Parser *ps, NameList *l, Token t)
{
    if (!l) l = arena_alloc(ps->arena, sizeof *l);
    int cap = l->cap;
    l->v = grow(ps, l->v, l->n, &cap, sizeof *l->v);
    int cap2 = l->cap;
    l->pos = grow(ps, l->pos, l->n, &cap2, sizeof *l->pos);
    l->cap = cap;
    l->pos[l->n] = t.pos;
    l->v[l->n++] = t.s;
    return l;
}

FieldList *parse_fields(Parser *ps, FieldList *l, const Field *f)
{
    if (!l) l = arena_alloc(ps->arena, sizeof *l);
    if (!f) return l;
    l->v = grow(ps, l->v, l->n, &l->cap, sizeof *l->v);
    l->v[l->n++] = *f;
    return l;
}

ExprList *parse_exprs(Parser *ps, ExprList *l, Expr *e)
{
    if (!l) l = arena_alloc(ps->arena, sizeof *l);
    if (!e) return l;
    l->v = grow(ps, l->v, l->n, &l->cap, sizeof *l->v);
    l->v[l->n++] = e;
    return l;
}

/* ---- declarations ---- */
Type *parse_named_type(Parser *ps, Token t)
{
    Type *ty = ast_type(ps->arena, TY_ENUM);
    /* resolved by the checker; the name waits in a stand-in expression */
    ty->lenx = ast_expr(ps->arena, E_NAME, t.pos);
    ty->lenx->name = t.s;
    return ty;
}

Decl *parse_params(Parser *ps, NameList *l, Expr *where)
{
    Decl *list = NULL;
    for (int i = 0; i < l->n; i++) {
        Decl *d = ast_decl(ps->arena, D_PARAM, l->pos[i], l->v[i]);
        list = append_decls(list, d);
    }
    /* the constraint rides on the first parameter of the group */
    if (list) list->init = where;
    return list;
}

Decl *parse_spec(Parser *ps, Token name, SpecKind kind, Expr *e, int64_t rounds)
{
    Decl *d = ast_decl(ps->arena, D_SPEC, name.pos, name.s);
    d->spec_kind = kind;
    d->init = e;
    d->ev_rounds = rounds;
    return d;
}

Decl *parse_stage(Parser *ps, Token assumption, Token k, Expr *e)
{
    char name[160];
    snprintf(name, sizeof name, "%s_after_%lld", assumption.s, (long long)k.ival);
    Decl *d = parse_spec(ps, assumption, SPEC_PROGRESS, e, k.ival);
    d->name = arena_strndup(ps->arena, name, strlen(name));
    d->target = assumption.s;
    return d;
}

Round *parse_round(Parser *ps, Pos p, const char *name)
{
    Round *r = arena_alloc(ps->arena, sizeof *r);
    r->pos = p;
    r->name = name;
    r->inferred = true;
    ps->round = r;
    return r;
}

void parse_round_single(Parser *ps, Round *r, Type *t)
{
    r->fields = arena_alloc(ps->arena, sizeof *r->fields);
    r->fields[0] = (Field){.name = "value", .pos = r->pos, .type = t};
    r->nfields = 1;
    r->single = true;
    r->inferred = false;
}

void parse_progress(Parser *ps, int which, Pos p, Expr *e, int64_t us)
{
    Round *r = ps->round;
    if (!r) return;
    Expr **slot = which == 1   ? &r->wait
                  : which == 2 ? &r->goahead
                  : which == 3 ? &r->when
                               : &r->timeout_us;
    if (*slot) diag_error(ps->diag, p, "this progress clause is given twice");
    if (which <= 0) {
        if (which < 0) diag_error(ps->diag, p, "a timeout needs a unit: us, ms or s");
        e = ast_expr(ps->arena, E_INT, p);
        e->ival = us;
    }
    *slot = e;
}

/* ---- statements ---- */
Stmt *parse_output_stmt(Parser *ps, Token f, ExprList *args)
{
    Stmt *s = ast_stmt(ps->arena, S_OUTPUT, f.pos);
    s->rhs = parse_call(ps, f, args);
    return s;
}

Stmt *parse_for(Parser *ps, Pos p, Token var, Expr *lo, Expr *hi, Stmt *body)
{
    Stmt *s = ast_stmt(ps->arena, S_FOR, p);
    s->var = parse_binder(ps, var, NULL, NULL);
    s->cond = lo;
    s->hi = hi;
    s->body = body;
    return s;
}

Stmt *parse_let(Parser *ps, Pos p, Token var, Type *t, Expr *e)
{
    Stmt *s = ast_stmt(ps->arena, S_LET, p);
    s->var = parse_binder(ps, var, t, NULL);
    s->rhs = e;
    return s;
}

/* ---- expressions ---- */
Expr *parse_tuple(Parser *ps, Pos p, Expr *first, ExprList *rest)
{
    Expr *e = ast_expr(ps->arena, E_TUPLE, p);
    e->nargs = rest->n + 1;
    e->args = arena_alloc(ps->arena, sizeof *e->args * (size_t)e->nargs);
    e->args[0] = first;
    memcpy(e->args + 1, rest->v, sizeof *e->args * (size_t)rest->n);
    return parse_nested(ps, e);
}

Expr *parse_call(Parser *ps, Token f, ExprList *args)
{
    Expr *e = ast_expr(ps->arena, E_CALL, f.pos);
    e->name = f.s;
    e->args = args->v;
    e->nargs = args->n;
    return parse_nested(ps, e);
}

Expr *parse_setlit(Parser *ps, Pos p, ExprList *l)
{
    Expr *e = ast_expr(ps->arena, E_SETLIT, p);
    if (l) e->args = l->v, e->nargs = l->n;
    return parse_nested(ps, e);
}

/* { x | c } or { x in D | c }: the head was parsed as an expression. */
Expr *parse_compr(Parser *ps, Pos p, Expr *var, Expr *cond)
{
    Expr *e = ast_expr(ps->arena, E_COMPR, p);
    e->a = cond;
    Token t = {.pos = var->pos};
    const char *dom = NULL;
    if (var->kind == E_BINARY && var->op == OP_IN && var->a->kind == E_NAME &&
        var->b->kind == E_NAME) {
        t.s = var->a->name;
        dom = var->b->name;
    } else if (var->kind == E_NAME) {
        t.s = var->name;
    } else {
        diag_error(
            ps->diag, var->pos,
            "a set comprehension starts with a variable, as in { i | ... } or { m in mbox | ... }");
        t.s = "_";
    }
    e->binders = parse_binder(ps, t, NULL, dom);
    return parse_nested(ps, e);
}

Expr *parse_unary(Parser *ps, Op op, Pos p, Expr *a)
{
    Expr *e = ast_expr(ps->arena, E_UNARY, p);
    e->op = op;
    e->a = a;
    return parse_nested(ps, e);
}

Expr *parse_binary(Parser *ps, Op op, Pos p, Expr *a, Expr *b)
{
    Expr *e = ast_expr(ps->arena, E_BINARY, p);
    e->op = op;
    e->a = a;
    e->b = b;
    return parse_nested(ps, e);
}

Expr *parse_quant(Parser *ps, Pos p, bool forall, Binder *b, Expr *body)
{
    Expr *e = ast_expr(ps->arena, E_QUANT, p);
    e->is_forall = forall;
    e->binders = b;
    e->a = body;
    return parse_nested(ps, e);
}

Binder *parse_binder(Parser *ps, Token name, Type *t, const char *dom)
{
    Binder *b = arena_alloc(ps->arena, sizeof *b);
    b->name = name.s;
    b->pos = name.pos;
    b->type = t;
    b->dom = dom;
    return b;
}

/* ---- driving ---- */
static Decl *parse_buffer(Arena *a, Diag *diag, const char *name, const char *text, size_t len)
{
    Parser ps = {.arena = a, .diag = diag};
    Lexer lx;
    lexer_init(&lx, name, text, len, a, diag);
    void *p = hocParseAlloc(malloc);
    if (!p) {
        perror("hoc");
        exit(2);
    }
    Token t;
    for (;;) {
        int k = lexer_next(&lx, &t);
        t.kind = k;
        ps.last = t.pos;
        ps.eof_in_comment = lx.open_comment;
        hocParse(p, k, t, &ps);
        if (k == 0 || ps.overflow || diag->errors > DIAG_MAX_ERRORS) break;
    }
    hocParseFree(p, free);
    return ps.decls;
}

/* Editors may start a UTF-8 file with a byte order mark; it is no part of
 * the program, and columns on the first line count from after it. */
static void skip_bom(const char **text, size_t *len)
{
    if (*len >= 3 && memcmp(*text, "\xEF\xBB\xBF", 3) == 0) *text += 3, *len -= 3;
}

Program *parse_text(const char *name, const char *text, size_t len, Diag *diag)
{
    skip_bom(&text, &len);
    Program *prog = calloc(1, sizeof *prog);
    if (!prog) return NULL;
    prog->arena = arena_new();
    prog->diag = diag;
    char *copy = arena_strndup(prog->arena, text, len);
    const char *nm = arena_strndup(prog->arena, name, strlen(name));
    diag_source(diag, nm, copy, len);
    prog->decls = parse_buffer(prog->arena, diag, nm, copy, len);
    return prog;
}

/* Reads a whole file into the arena, NUL-terminated. */
static char *read_file(Arena *a, const char *path, size_t *len, const char **why)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        *why = strerror(errno);
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (n + 1 >= cap) {
            if (cap >= MAX_FILE_BYTES) {
                *why = "file too large (the limit is 16 MiB)";
                free(buf);
                fclose(f);
                return NULL;
            }
            cap *= 2;
            char *nb = realloc(buf, cap);
            if (!nb) break;
            buf = nb;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        if (got == 0) break;
        n += got;
    }
    int err = ferror(f), errnum = errno;
    fclose(f);
    if (err) {
        *why = errnum ? strerror(errnum) : "read error"; /* "Is a directory", say */
        free(buf);
        return NULL;
    }
    char *copy = arena_strndup(a, buf, n);
    free(buf);
    *len = n;
    return copy;
}

typedef struct Loader {
    Program *prog;
    const char *stdlib_dir;
    const char **loaded; /* module names: each is read once */
    int nloaded;
    /* The files being read, the program's first, each as named and as the
     * file system knows it (whatever path leads there): importing one is a
     * cycle. */
    struct OpenFile {
        const char *name; /* the module name: the file's, without directory and .ho */
        Pos via;          /* the import of the next file on the stack */
        bool known;       /* stat succeeded: dev and ino say which file it is */
        dev_t dev;
        ino_t ino;
    } open[MAX_IMPORT_DEPTH + 1];
    int nopen;
} Loader;

static Decl *load_file(Loader *ld, const char *path, Pos from, int depth);

/* A module NAME.ho may come with NAME.c, compiled with the program, and
 * NAME.libs, linker flags separated by white space; more than Program holds
 * is an error at the import (from), never dropped. */
static void add_companions(Loader *ld, const char *ho_path, Pos from)
{
    Program *p = ld->prog;
    char path[4096];
    size_t len = strlen(ho_path);
    if (len < 3 || len + 3 >= sizeof path) return;
    memcpy(path, ho_path, len - 3);
    strcpy(path + len - 3, ".c");
    FILE *f = fopen(path, "rb");
    int max = (int)(sizeof p->csrc / sizeof *p->csrc);
    if (f) {
        fclose(f);
        if (p->ncsrc < max)
            p->csrc[p->ncsrc++] = arena_strndup(p->arena, path, strlen(path));
        else /* never dropped: the program would not link */
            diag_error(p->diag, from, "more than %d imported modules with C companions", max);
    }
    strcpy(path + len - 3, ".libs");
    f = fopen(path, "rb");
    if (!f) return;
    char word[256];
    max = (int)(sizeof p->libs / sizeof *p->libs);
    while (fscanf(f, "%255s", word) == 1) {
        if (word[0] != '-') continue;
        if (p->nlibs < max) {
            p->libs[p->nlibs++] = arena_strndup(p->arena, word, strlen(word));
        } else {
            diag_error(p->diag, from, "more than %d linker flags in the modules' .libs files", max);
            break;
        }
    }
    fclose(f);
}

/* Where `import name` in importer reads from: NAME.ho beside the importer,
 * else in the stdlib. Writes the path to read into buf; false when there is
 * no such file in either place. */
static bool find_module(const Loader *ld, const char *name, const char *importer, char *buf,
                        size_t cap)
{
    const char *slash = strrchr(importer, '/');
    int dirlen = slash ? (int)(slash - importer) : 1;
    const char *dir = slash ? importer : ".";
    snprintf(buf, cap, "%.*s/%s.ho", dirlen, dir, name);
    FILE *f = fopen(buf, "rb");
    if (!f && ld->stdlib_dir) {
        snprintf(buf, cap, "%s/%s.ho", ld->stdlib_dir, name);
        f = fopen(buf, "rb");
        if (!f && errno == ENOENT) return false;
    }
    if (f) fclose(f);
    return true; /* or a file that cannot be read, which load_file reports */
}

/* Reports an import of path, a file being read, as a cycle: true if it is
 * one. Without this the file would be spliced in twice and each of its
 * names reported as defined twice, which hides the real mistake. The error
 * is at the import that opened the cycle, in the outermost file of it. */
static bool import_cycle(Loader *ld, const Decl *imp, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) return false;
    int k = 0;
    while (k < ld->nopen &&
           !(ld->open[k].known && ld->open[k].dev == st.st_dev && ld->open[k].ino == st.st_ino))
        k++;
    if (k == ld->nopen) return false;
    if (k == ld->nopen - 1) {
        diag_error(ld->prog->diag, imp->pos, "self-import: '%s' is this file", imp->name);
        return true;
    }
    hoc_buf b = {0};
    hoc_buf_puts(&b, ld->open[k].name);
    for (int i = k + 1; i < ld->nopen; i++)
        hoc_buf_printf(&b, "%s %s", i == k + 1 ? " imports" : ", which imports", ld->open[i].name);
    hoc_buf_printf(&b, ", which imports %s", ld->open[k].name);
    diag_error(ld->prog->diag, ld->open[k].via, "import cycle: %s", hoc_buf_str(&b));
    diag_note(ld->prog->diag, imp->pos, "the import that closes the cycle");
    hoc_buf_free(&b);
    return true;
}

/* The module name of the file at path: its name without directory and .ho. */
static const char *module_name(Arena *a, const char *path)
{
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    size_t n = strlen(base);
    if (n > 3 && strcmp(base + n - 3, ".ho") == 0) n -= 3;
    return arena_strndup(a, base, n);
}

static Decl *load_import(Loader *ld, const Decl *imp, const char *importer, int depth)
{
    char buf[4096];
    bool found = find_module(ld, imp->name, importer, buf, sizeof buf);
    if (found && import_cycle(ld, imp, buf)) return NULL;
    for (int i = 0; i < ld->nloaded; i++)
        if (strcmp(ld->loaded[i], imp->name) == 0) return NULL; /* once only */
    const char **grown = realloc(ld->loaded, sizeof *grown * (size_t)(ld->nloaded + 1));
    if (!grown) abort();
    ld->loaded = grown;
    ld->loaded[ld->nloaded++] = imp->name;
    if (depth >= MAX_IMPORT_DEPTH) {
        diag_error(ld->prog->diag, imp->pos, "imports nested too deeply");
        return NULL;
    }
    if (!found) { /* say where we looked, not just the last place */
        diag_error(
            ld->prog->diag, imp->pos,
            "cannot import '%s': there is no %s.ho beside this file or in the standard library",
            imp->name, imp->name);
        return NULL;
    }
    add_companions(ld, buf, imp->pos);
    Arena *a = ld->prog->arena;
    ld->open[ld->nopen - 1].via = imp->pos;
    return load_file(ld, arena_strndup(a, buf, strlen(buf)), imp->pos, depth + 1);
}

static Decl *load_file(Loader *ld, const char *path, Pos from, int depth)
{
    Program *prog = ld->prog;
    size_t len = 0;
    const char *why = NULL;
    char *text = read_file(prog->arena, path, &len, &why);
    if (!text) {
        if (from.line)
            diag_error(prog->diag, from, "cannot import '%s': %s", path, why);
        else
            fprintf(prog->diag->out, "hoc: cannot read '%s': %s\n", path, why);
        return NULL;
    }
    const char *ctext = text;
    skip_bom(&ctext, &len);
    diag_source(prog->diag, path, ctext, len);
    Decl *decls = parse_buffer(prog->arena, prog->diag, path, ctext, len);
    struct stat st;
    struct OpenFile *of = &ld->open[ld->nopen++]; /* depth <= MAX_IMPORT_DEPTH */
    *of = (struct OpenFile){.name = module_name(prog->arena, path), .known = stat(path, &st) == 0};
    if (of->known) of->dev = st.st_dev, of->ino = st.st_ino;
    Decl *imported = NULL;
    for (Decl *d = decls; d; d = d->next)
        if (d->kind == D_IMPORT) imported = append_decls(imported, load_import(ld, d, path, depth));
    ld->nopen--;
    return append_decls(imported, decls);
}

Program *parse_program(const char *path, const char *stdlib_dir, Diag *diag)
{
    Program *prog = calloc(1, sizeof *prog);
    if (!prog) {
        fprintf(diag->out, "hoc: out of memory\n");
        return NULL;
    }
    prog->arena = arena_new();
    prog->diag = diag;
    Loader ld = {.prog = prog, .stdlib_dir = stdlib_dir};
    int sources = diag->nsources;
    const char *p = arena_strndup(prog->arena, path, strlen(path));
    prog->decls = load_file(&ld, p, (Pos){0}, 0);
    free(ld.loaded);
    if (diag->nsources == sources) { /* unreadable (a directory, say); load_file said why */
        program_free(prog);
        return NULL;
    }
    return prog;
}

void program_free(Program *p)
{
    if (!p) return;
    arena_free(p->arena);
    free(p);
}
