/* lexer.re: tokens of the .ho language. re2c turns this into lexer.c.
 * Input ends with a NUL sentinel; a NUL before the end is an error. */
#include "lexer.h"

#include <string.h>

#include "grammar.h"

void lexer_init(Lexer *lx, const char *file, const char *text, size_t len, Arena *a, Diag *d)
{
    lx->cur = lx->tok = lx->line_start = text;
    lx->lim = text + len;
    lx->line = 1;
    lx->file = file;
    lx->arena = a;
    lx->diag = d;
    lx->open_comment = false;
}

static Pos here(const Lexer *lx)
{
    return (Pos){lx->file, lx->line, (int)(lx->tok - lx->line_start) + 1};
}

static void newline(Lexer *lx, const char *after)
{
    lx->line++;
    lx->line_start = after;
}

/* Skips a block comment; comments do not nest. */
static int block_comment(Lexer *lx)
{
    Pos start = here(lx); /* before newlines move line_start past the opening */
    for (const char *p = lx->cur; p < lx->lim; p++) {
        if (*p == '\n') newline(lx, p + 1);
        else if (p[0] == '*' && p + 1 < lx->lim && p[1] == '/') {
            lx->cur = p + 2;
            return 1;
        }
    }
    diag_error(lx->diag, start, "unterminated comment: this /* has no closing */");
    lx->open_comment = true;
    lx->cur = lx->lim;
    return 0;
}

static int number(Lexer *lx, Token *t, const char *end, int64_t scale)
{
    uint64_t v = 0;
    for (const char *p = lx->tok; p < end; p++) {
        if (*p == '_') continue;
        if (v > (uint64_t)(INT64_MAX - (*p - '0')) / 10) {
            diag_error(lx->diag, t->pos, "integer literal too large (the limit is %lld)",
                       (long long)INT64_MAX);
            v = 0;
            break;
        }
        v = v * 10 + (uint64_t)(*p - '0');
    }
    if (scale > 1 && v > (uint64_t)INT64_MAX / (uint64_t)scale) {
        diag_error(lx->diag, t->pos, "duration too large");
        v = 0;
    }
    t->ival = (int64_t)(scale > 0 ? v * (uint64_t)scale : v);
    return scale > 0 ? TK_DURATION : TK_INT;
}

struct Keyword {
    const char *word;
    int kind;
};

static const struct Keyword keywords[] = {
    {"algorithm", TK_ALGORITHM}, {"import", TK_IMPORT},   {"const", TK_CONST},
    {"enum", TK_ENUM},           {"def", TK_DEF},         {"extern", TK_EXTERN},
    {"param", TK_PARAM},         {"where", TK_WHERE},     {"input", TK_INPUT},
    {"output", TK_OUTPUT},       {"var", TK_VAR},         {"ghost", TK_GHOST},
    {"oracle", TK_ORACLE},       {"role", TK_ROLE},       {"let", TK_LET},
    {"round", TK_ROUND},         {"phase", TK_PHASE},     {"msg", TK_MSG},
    {"send", TK_SEND},           {"broadcast", TK_BROADCAST}, {"to", TK_TO},
    {"update", TK_UPDATE},       {"progress", TK_PROGRESS}, {"timeout", TK_TIMEOUT},
    {"wait", TK_WAIT},           {"goahead", TK_GOAHEAD}, {"when", TK_WHEN},
    {"if", TK_IF},               {"else", TK_ELSE},       {"for", TK_FOR},
    {"in", TK_IN},               {"halt", TK_HALT},       {"invariant", TK_INVARIANT},
    {"property", TK_PROPERTY},   {"assume", TK_ASSUME},   {"eventually", TK_EVENTUALLY},
    {"rounds", TK_ROUNDS},       {"after", TK_AFTER},       {"goal", TK_GOAL},       {"prune", TK_PRUNE},       {"forall", TK_FORALL},   {"exists", TK_EXISTS},
    {"true", TK_TRUE},           {"false", TK_FALSE},     {"int", TK_TINT},
    {"bool", TK_TBOOL},          {"pid", TK_TPID},        {"set", TK_TSET},
    {"bytes", TK_TBYTES},        {"stamp", TK_TSTAMP},    {"never", TK_NEVER},
    {"event", TK_EVENT},         {"replaced", TK_REPLACED}, {"durable", TK_DURABLE},
};

static int ident(Lexer *lx, Token *t)
{
    size_t n = (size_t)(lx->cur - lx->tok);
    if (n == 1 && *lx->tok == '_') return TK_UNDERSCORE; /* leaves out an optional field */
    for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
        if (strlen(keywords[i].word) == n && memcmp(keywords[i].word, lx->tok, n) == 0) {
            t->s = keywords[i].word; /* so a syntax error can name the keyword */
            return keywords[i].kind;
        }
    if (n > 128) diag_error(lx->diag, t->pos, "identifier longer than 128 characters");
    t->s = arena_strndup(lx->arena, lx->tok, n > 128 ? 128 : n);
    return TK_IDENT;
}

/*!re2c
    re2c:define:YYCTYPE = "unsigned char";
    re2c:define:YYCURSOR = "lx->cur";
    re2c:define:YYMARKER = "mark";
    re2c:yyfill:enable = 0;
    re2c:indent:string = "    ";

    digits = [0-9] [0-9_]*;
    id = [a-zA-Z_] [a-zA-Z0-9_]*;
*/

int lexer_next(Lexer *lx, Token *t)
{
    const char *mark;
    (void)mark;
    for (;;) {
        lx->tok = lx->cur;
        t->pos = here(lx);
        t->s = NULL;
        t->ival = 0;
        /*!re2c
            "\x00" {
                if (lx->cur - 1 >= lx->lim) { lx->cur = lx->lim; return 0; }
                diag_error(lx->diag, t->pos, "unexpected NUL byte");
                continue;
            }
            "\n" { newline(lx, lx->cur); continue; }
            [ \t\r\f\v]+ { continue; }
            "//" [^\n\x00]* { continue; }
            "/*" { block_comment(lx); continue; }

            digits "us" { return number(lx, t, lx->cur - 2, 1); }
            digits "ms" { return number(lx, t, lx->cur - 2, 1000); }
            digits "s"  { return number(lx, t, lx->cur - 1, 1000000); }
            digits      { return number(lx, t, lx->cur, 0); }
            digits id   {
                diag_error(lx->diag, t->pos, "malformed number '%.*s'",
                           (int)(lx->cur - lx->tok > 40 ? 40 : lx->cur - lx->tok), lx->tok);
                return TK_INT; /* stands in for the number, so the parser does not also complain */
            }
            id { return ident(lx, t); }

            "{" { return TK_LBRACE; }   "}" { return TK_RBRACE; }
            "(" { return TK_LPAREN; }   ")" { return TK_RPAREN; }
            "[" { return TK_LBRACKET; } "]" { return TK_RBRACKET; }
            "," { return TK_COMMA; }    ";" { return TK_SEMI; }
            ":" { return TK_COLON; }    "." { return TK_DOT; }
            ".." { return TK_DOTDOT; }  "?" { return TK_QUESTION; }
            "=" { return TK_ASSIGN; }   "==" { return TK_EQ; }
            "!=" { return TK_NE; }      "<" { return TK_LT; }
            "<=" { return TK_LE; }      ">" { return TK_GT; }
            ">=" { return TK_GE; }      "+" { return TK_PLUS; }
            "-" { return TK_MINUS; }    "*" { return TK_STAR; }
            "/" { return TK_SLASH; }    "%" { return TK_PERCENT; }
            "!" { return TK_NOT; }      "&&" { return TK_AND; }
            "||" { return TK_OR; }      "==>" { return TK_IMPLIES; }
            "|" { return TK_BAR; }

            [\x80-\xff]+ {
                diag_error(lx->diag, t->pos, "non-ASCII characters are only allowed in comments");
                continue;
            }
            * {
                unsigned char c = (unsigned char)lx->tok[0];
                if (c >= 32 && c < 127)
                    diag_error(lx->diag, t->pos, "unexpected character '%c'", c);
                else
                    diag_error(lx->diag, t->pos, "unexpected byte 0x%02x", c);
                continue;
            }
        */
    }
}
