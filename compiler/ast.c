/* ast.c: the arena and node constructors. */
#include "ast.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct Arena {
    struct Chunk {
        struct Chunk *next;
        size_t used, cap;
        _Alignas(16) unsigned char data[];
    } * head;
};

Arena *arena_new(void)
{
    Arena *a = calloc(1, sizeof *a);
    if (!a) {
        perror("hoc");
        exit(2);
    }
    return a;
}

void arena_free(Arena *a)
{
    if (!a) return;
    for (struct Chunk *c = a->head, *n; c; c = n) {
        n = c->next;
        free(c);
    }
    free(a);
}

void *arena_alloc(Arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    struct Chunk *c = a->head;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > 65536 ? n : 65536;
        c = malloc(sizeof *c + cap);
        if (!c) {
            perror("hoc");
            exit(2);
        }
        c->next = a->head, c->used = 0, c->cap = cap;
        a->head = c;
    }
    void *p = c->data + c->used;
    c->used += n;
    memset(p, 0, n);
    return p;
}

char *arena_strndup(Arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

Expr *ast_expr(Arena *a, ExprKind k, Pos p)
{
    Expr *e = arena_alloc(a, sizeof *e);
    e->kind = k, e->pos = p, e->index = -1;
    return e;
}

Stmt *ast_stmt(Arena *a, StmtKind k, Pos p)
{
    Stmt *s = arena_alloc(a, sizeof *s);
    s->kind = k, s->pos = p;
    return s;
}

Decl *ast_decl(Arena *a, DeclKind k, Pos p, const char *name)
{
    Decl *d = arena_alloc(a, sizeof *d);
    d->kind = k, d->pos = p, d->name = name, d->index = -1;
    return d;
}

Type *ast_type(Arena *a, TypeKind k)
{
    Type *t = arena_alloc(a, sizeof *t);
    t->kind = k, t->proj = -1;
    return t;
}

bool ast_only(const Expr *e, bool (*leaf)(const Expr *))
{
    switch (e->kind) {
    case E_UNARY:
        return ast_only(e->a, leaf);
    case E_BINARY:
        return ast_only(e->a, leaf) && ast_only(e->b, leaf);
    case E_COND:
        return ast_only(e->a, leaf) && ast_only(e->b, leaf) && ast_only(e->c, leaf);
    default:
        return leaf(e);
    }
}

const char *type_name(Arena *a, const Type *t)
{
    char buf[256];
    if (!t) return "?";
    switch (t->kind) {
    case TY_ERROR:
        return "<error>";
    case TY_UNKNOWN:
        return "<unknown>";
    case TY_INT:
        return "int";
    case TY_BOOL:
        return "bool";
    case TY_PID:
        return "pid";
    case TY_ENUM:
        return t->enm ? t->enm->name : "enum";
    case TY_SET:
        return "set";
    case TY_STAMP:
        return "stamp";
    case TY_VOID:
        return "void";
    case TY_BYTES:
        snprintf(buf, sizeof buf, "bytes[%lld]", (long long)t->len);
        break;
    case TY_ARRAY:
        if (t->len < 0)
            snprintf(buf, sizeof buf, "%s[pid]", type_name(a, t->elem));
        else
            snprintf(buf, sizeof buf, "%s[%lld]", type_name(a, t->elem), (long long)t->len);
        break;
    case TY_MSG:
        snprintf(buf, sizeof buf, "message of round %s", t->round ? t->round->name : "?");
        break;
    case TY_MBOX:
        if (t->proj >= 0 && t->round)
            snprintf(buf, sizeof buf, "mailbox field %s", t->round->fields[t->proj].name);
        else
            snprintf(buf, sizeof buf, "mailbox");
        break;
    }
    return arena_strndup(a, buf, strlen(buf));
}
