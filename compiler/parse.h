/* parse.h: from .ho files to a Program (imports spliced in), and the helpers
 * the Lemon actions in grammar.y call. */
#ifndef HOC_PARSE_H
#define HOC_PARSE_H

#include "ast.h"
#include "diag.h"
#include "lexer.h"

typedef struct NameList {
    const char **v;
    Pos *pos;
    int n, cap;
} NameList;
typedef struct FieldList {
    Field *v;
    int n, cap;
} FieldList;
typedef struct ExprList {
    Expr **v;
    int n, cap;
} ExprList;

typedef struct Parser {
    Arena *arena;
    Diag *diag;
    Decl *decls;
    Round *round; /* the round whose header was just read */
    bool overflow;
    Pos last;            /* the token being parsed, for errors that have no token of their own */
    bool eof_in_comment; /* input ended inside a comment: an early end is no news */
    /* The last node of recently grown lists, keyed by their head, so that
     * appending to a long list does not walk it each time (parse_add_*). */
    struct ParseTail {
        const void *head, *tail;
    } tails[64];
} Parser;

/* Reads and parses path and everything it imports; NULL if it cannot be read
 * (the reason is already printed on diag->out).
 * Syntax errors are reported to diag and leave a partial tree. */
Program *parse_program(const char *path, const char *stdlib_dir, Diag *diag);
/* Parses text held in memory, without imports; for tests and fuzzing. */
Program *parse_text(const char *name, const char *text, size_t len, Diag *diag);
/* Frees a program and its arena; p may be NULL. */
void program_free(Program *p);

/* ---- used by grammar.y ----
 * Nodes live in the program's arena, which exits the program when memory
 * runs out: none of these fails. Errors go to ps->diag. */

/* Reports a syntax error at token t, unless the parse has stopped or the
 * input ended in a comment already reported. */
void parse_syntax_error(Parser *ps, const Token *t);
/* Reports that Lemon's stack overflowed, and stops the parse. */
void parse_overflow(Parser *ps);
/* Appends d (NULL: nothing) to the list that starts at list and returns the
 * list's head, in amortised constant time for the grammar's long lists. */
Decl *parse_add_decl(Parser *ps, Decl *list, Decl *d);
Stmt *parse_add_stmt(Parser *ps, Stmt *list, Stmt *s);
Binder *parse_add_binder(Parser *ps, Binder *list, Binder *b);
/* Records e's nesting depth from its operands; past PARSE_MAX_EXPR_DEPTH it
 * reports an error and stops the parse (the back ends recurse over trees). */
#define PARSE_MAX_EXPR_DEPTH 1000
Expr *parse_nested(Parser *ps, Expr *e);
/* The same for array types: at most PARSE_MAX_TYPE_DEPTH dimensions. */
#define PARSE_MAX_TYPE_DEPTH 64
Type *parse_nested_type(Parser *ps, Type *t);
/* Appends to list l (NULL: a new one) and returns it; a NULL field or
 * expression (a syntax error's) is left out. */
NameList *parse_names(Parser *ps, NameList *l, Token t);
FieldList *parse_fields(Parser *ps, FieldList *l, const Field *f);
ExprList *parse_exprs(Parser *ps, ExprList *l, Expr *e);
/* The type named t: an enum, resolved by the checker. */
Type *parse_named_type(Parser *ps, Token t);
/* One parameter per name; the where constraint rides on the first. */
Decl *parse_params(Parser *ps, NameList *l, Expr *where);
Decl *parse_spec(Parser *ps, Token name, SpecKind kind, Expr *e, int64_t rounds);
/* `progress A after K rounds: e`: a spec named A_after_K, of assumption A. */
Decl *parse_stage(Parser *ps, Token assumption, Token k, Expr *e);
/* A round whose message the checker infers unless declared; the progress
 * clauses that follow its header apply to it. */
Round *parse_round(Parser *ps, Pos p, const char *name);
/* Declares r's message a single value of type t. */
void parse_round_single(Parser *ps, Round *r, Type *t);
/* Sets a progress clause of the current round: which is 1 wait, 2 goahead,
 * 3 when, 0 a timeout of us microseconds (-1: one without a unit, an
 * error); a clause given twice is an error. */
void parse_progress(Parser *ps, int which, Pos p, Expr *e, int64_t us);
/* The statements and expressions of each rule, with their nesting depth
 * recorded (parse_nested). A comprehension whose head is not `x` or
 * `x in D` is an error and binds `_`. */
Stmt *parse_output_stmt(Parser *ps, Token f, ExprList *args);
Stmt *parse_for(Parser *ps, Pos p, Token var, Expr *lo, Expr *hi, Stmt *body);
Stmt *parse_let(Parser *ps, Pos p, Token var, Type *t, Expr *e);
Expr *parse_tuple(Parser *ps, Pos p, Expr *first, ExprList *rest);
Expr *parse_call(Parser *ps, Token f, ExprList *args);
Expr *parse_setlit(Parser *ps, Pos p, ExprList *l);
Expr *parse_compr(Parser *ps, Pos p, Expr *var, Expr *cond);
Expr *parse_unary(Parser *ps, Op op, Pos p, Expr *e);
Expr *parse_binary(Parser *ps, Op op, Pos p, Expr *a, Expr *b);
Expr *parse_quant(Parser *ps, Pos p, bool forall, Binder *b, Expr *body);
/* A bound variable: typed t, or inferred by the checker when t is NULL;
 * ranging over the set or mailbox named dom when not NULL. */
Binder *parse_binder(Parser *ps, Token name, Type *t, const char *dom);

#endif
