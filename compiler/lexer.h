/* lexer.h: the tokenizer (lexer.re, turned into C by re2c at build time). */
#ifndef HOC_LEXER_H
#define HOC_LEXER_H

#include "ast.h"
#include "diag.h"

typedef struct Token {
    int kind; /* a TK_ constant from grammar.h; 0 at end of input */
    Pos pos;
    int64_t ival;  /* TK_INT; TK_DURATION in microseconds */
    const char *s; /* TK_IDENT, in the arena */
} Token;

typedef struct Lexer {
    const char *cur, *lim, *tok, *line_start;
    int line;
    const char *file;
    Arena *arena;
    Diag *diag;
    bool open_comment; /* the input ended inside a block comment (already reported) */
} Lexer;

/* Starts scanning text[0..len); text[len] must be a NUL byte. */
void lexer_init(Lexer *lx, const char *file, const char *text, size_t len, Arena *a, Diag *d);
/* Scans the next token into t and returns its kind (0 at end of input).
 * Bad characters are reported and skipped. */
int lexer_next(Lexer *lx, Token *t);
/* A printable name for a token kind, for syntax errors. */
const char *lexer_token_name(int kind);

#endif
