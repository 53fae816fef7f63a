/* lin_text.c: the text format of histories (see lin_text.h). A line is
 * first cut into tokens (with their bytes decoded), then read as an op. */
#include "lin_text.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

typedef enum { T_WORD, T_STR, T_NIL, T_UNKNOWN, T_ARROW } tok_kind;

typedef struct tok {
    tok_kind kind;
    size_t off, n; /* decoded bytes in lexer.bytes */
    size_t col;    /* 1-based */
} tok;

typedef struct lexer {
    const char *s;
    size_t len, i;
    hoc_buf bytes;
    tok *t;
    size_t nt, cap;
    uint32_t line;
    char *err;
    size_t errn;
} lexer;

static int lex_error(lexer *lx, size_t col, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int lex_error(lexer *lx, size_t col, const char *fmt, ...)
{
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (col)
        snprintf(lx->err, lx->errn, "line %u, column %zu: %s", lx->line, col, msg);
    else
        snprintf(lx->err, lx->errn, "line %u: %s", lx->line, msg);
    return -1;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int lex_escape(lexer *lx)
{
    static const char from[] = "ntr0\\\"", to[] = "\n\t\r\0\\\"";
    char c = lx->i + 1 < lx->len ? lx->s[lx->i + 1] : 0;
    const char *e = c ? strchr(from, c) : NULL;
    if (e) {
        hoc_buf_put(&lx->bytes, &to[e - from], 1);
        lx->i += 2;
        return 0;
    }
    if (c == 'x' && lx->i + 3 < lx->len && hexval(lx->s[lx->i + 2]) >= 0 &&
        hexval(lx->s[lx->i + 3]) >= 0) {
        char b = (char)(hexval(lx->s[lx->i + 2]) * 16 + hexval(lx->s[lx->i + 3]));
        hoc_buf_put(&lx->bytes, &b, 1);
        lx->i += 4;
        return 0;
    }
    return lex_error(lx, lx->i + 1, "unknown escape (use \\n \\t \\r \\0 \\\\ \\\" or \\xHH)");
}

/* A "quoted" (C escapes) or x"hex" token; lx->i is at the opening quote. */
static int lex_string(lexer *lx, int hex, size_t col)
{
    for (lx->i++; lx->i < lx->len && lx->s[lx->i] != '"';) {
        if (hex) {
            int a = hexval(lx->s[lx->i]), b = lx->i + 1 < lx->len ? hexval(lx->s[lx->i + 1]) : -1;
            if (a < 0 || b < 0)
                return lex_error(lx, lx->i + 1, "x\"...\" holds pairs of hex digits");
            char c = (char)(a * 16 + b);
            hoc_buf_put(&lx->bytes, &c, 1);
            lx->i += 2;
        } else if (lx->s[lx->i] == '\\') {
            if (lex_escape(lx) != 0) return -1;
        } else {
            hoc_buf_put(&lx->bytes, &lx->s[lx->i++], 1);
        }
    }
    if (lx->i >= lx->len) return lex_error(lx, col, "the string has no closing quote");
    lx->i++;
    if (lx->i < lx->len && lx->s[lx->i] != ' ' && lx->s[lx->i] != '\t')
        return lex_error(lx, lx->i + 1, "a space must follow a string's closing quote");
    return 0;
}

static void push_tok(lexer *lx, tok t)
{
    if (lx->nt == lx->cap) {
        lx->cap = lx->cap ? 2 * lx->cap : 16;
        lx->t = lin_history_realloc(lx->t, lx->cap * sizeof *lx->t);
    }
    lx->t[lx->nt++] = t;
}

static int lex_token(lexer *lx)
{
    size_t start = lx->i, col = start + 1, off = lx->bytes.n;
    const char *s = lx->s;
    tok t = {T_WORD, off, 0, col};
    if (s[start] == '"' || (s[start] == 'x' && start + 1 < lx->len && s[start + 1] == '"')) {
        lx->i += s[start] == 'x';
        if (lex_string(lx, s[start] == 'x', col) != 0) return -1;
        t.kind = T_STR;
    } else {
        while (lx->i < lx->len && s[lx->i] != ' ' && s[lx->i] != '\t') {
            if (s[lx->i] == '"' || s[lx->i] == '\\' || s[lx->i] == '\0')
                return lex_error(lx, lx->i + 1, "a bare word cannot hold '%s' (quote it)",
                                 s[lx->i] == '"'    ? "\""
                                 : s[lx->i] == '\\' ? "\\"
                                                    : "\\0");
            lx->i++;
        }
        size_t n = lx->i - start;
        hoc_buf_put(&lx->bytes, s + start, n);
        if (n == 3 && memcmp(s + start, "nil", 3) == 0) t.kind = T_NIL;
        if (n == 1 && s[start] == '?') t.kind = T_UNKNOWN;
        if (n == 2 && memcmp(s + start, "->", 2) == 0) t.kind = T_ARROW;
    }
    t.n = lx->bytes.n - off;
    push_tok(lx, t);
    return 0;
}

static int lex_line(lexer *lx)
{
    while (lx->i < lx->len) {
        char c = lx->s[lx->i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            lx->i++;
            continue;
        }
        if (c == '#') break;
        if (lex_token(lx) != 0) return -1;
    }
    return 0;
}

static const char *tok_text(const lexer *lx, size_t k)
{
    return lx->bytes.p + lx->t[k].off;
}

/* A time: a whole number of microseconds, at most 2^62. */
static int parse_time(const lexer *lx, size_t k, int64_t *out)
{
    const tok *t = &lx->t[k];
    if (t->kind != T_WORD || t->n == 0 || t->n > 18) return -1;
    int64_t x = 0;
    for (size_t i = 0; i < t->n; i++) {
        char c = tok_text(lx, k)[i];
        if (c < '0' || c > '9') return -1;
        x = x * 10 + (c - '0');
    }
    *out = x;
    return 0;
}

static lin_val tok_val(const lexer *lx, size_t k)
{
    if (lx->t[k].kind == T_NIL) return lin_history_nil();
    return (lin_val){(const uint8_t *)lx->bytes.p + lx->t[k].off, (int64_t)lx->t[k].n};
}

/* Collects the values of tokens [from, to) into vals; T_UNKNOWN and T_ARROW
 * are errors. */
static int take_vals(lexer *lx, size_t from, size_t to, lin_val *vals, const char *what)
{
    for (size_t k = from; k < to; k++) {
        if (lx->t[k].kind == T_UNKNOWN || lx->t[k].kind == T_ARROW)
            return lex_error(lx, lx->t[k].col, "'%s' cannot be %s (quote it)", tok_text(lx, k),
                             what);
        vals[k - from] = tok_val(lx, k);
    }
    return 0;
}

static int read_op(lexer *lx, lin_history *h)
{
    int64_t call, ret = LIN_PENDING;
    if (lx->nt < 4)
        return lex_error(lx, 0, "an op is CLIENT CALL RET OP ARGS... -> RESULTS (%zu word%s here)",
                         lx->nt, lx->nt == 1 ? "" : "s");
    char client[65];
    if ((lx->t[0].kind != T_WORD && lx->t[0].kind != T_STR) || lx->t[0].n == 0 ||
        lx->t[0].n >= sizeof client || memchr(tok_text(lx, 0), 0, lx->t[0].n))
        return lex_error(lx, 1, "the client must be a name (1 to 64 bytes, no NUL)");
    memcpy(client, tok_text(lx, 0), lx->t[0].n);
    client[lx->t[0].n] = 0;
    if (parse_time(lx, 1, &call) != 0)
        return lex_error(lx, lx->t[1].col, "CALL must be a time (a whole number of microseconds)");
    if (lx->t[2].kind != T_UNKNOWN && parse_time(lx, 2, &ret) != 0)
        return lex_error(lx, lx->t[2].col,
                         "RET must be a time (a whole number of microseconds) or ? (no reply)");
    if (lx->t[3].kind != T_WORD || lx->t[3].n > 32)
        return lex_error(lx, lx->t[3].col, "OP must be a bare name (at most 32 bytes)");
    size_t arrow = 4;
    while (arrow < lx->nt && lx->t[arrow].kind != T_ARROW)
        arrow++;
    size_t nargs = arrow - 4, nres = arrow < lx->nt ? lx->nt - arrow - 1 : 0;
    int unknown = nres == 1 && lx->t[arrow + 1].kind == T_UNKNOWN;
    if (ret != LIN_PENDING && (arrow == lx->nt || unknown))
        return lex_error(lx, 0, "a replied op needs '-> RESULT' (write RET as ? if no reply came)");
    if (ret == LIN_PENDING && arrow < lx->nt && !unknown)
        return lex_error(lx, lx->t[arrow].col, "an op without reply (RET ?) has no result but ?");
    if (unknown) nres = 0;
    lin_val *vals = lin_history_calloc(nargs + nres, sizeof *vals);
    char err[200];
    int rc = take_vals(lx, 4, arrow, vals, "an argument");
    if (rc == 0) rc = take_vals(lx, arrow + 1, arrow + 1 + nres, vals + nargs, "a result");
    if (rc == 0) {
        char op[64];
        snprintf(op, sizeof op, "%.*s", (int)lx->t[3].n, tok_text(lx, 3));
        if (lin_history_add(h, lin_history_client(h, client), call, ret, op, vals, nargs,
                            vals + nargs, nres, lx->line, err, sizeof err) < 0)
            rc = lex_error(lx, 0, "%s", err);
    }
    free(vals);
    return rc;
}

int lin_text_line(lin_history *h, const char *line, size_t len, uint32_t lineno, char *err,
                  size_t errn)
{
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        len--;
    lexer lx = {.s = line, .len = len, .line = lineno, .err = err, .errn = errn};
    int rc = lex_line(&lx);
    if (rc == 0 && lx.nt > 0) rc = read_op(&lx, h);
    hoc_buf_free(&lx.bytes);
    free(lx.t);
    return rc;
}

int lin_text_read(FILE *f, lin_history *h, char *err, size_t errn)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    uint32_t lineno = 0;
    int rc = 0;
    while (rc == 0 && (n = getline(&line, &cap, f)) >= 0) {
        if (++lineno == UINT32_MAX) {
            snprintf(err, errn, "line %u: too many lines", lineno);
            rc = -1;
            break;
        }
        rc = lin_text_line(h, line, (size_t)n, lineno, err, errn);
    }
    if (rc == 0 && ferror(f)) {
        snprintf(err, errn, "line %u: cannot read on", lineno + 1);
        rc = -1;
    }
    free(line);
    return rc;
}

int lin_text_read_string(const char *text, lin_history *h, char *err, size_t errn)
{
    uint32_t lineno = 0;
    for (const char *s = text; *s;) {
        const char *end = strchr(s, '\n');
        size_t n = end ? (size_t)(end - s) : strlen(s);
        if (lin_text_line(h, s, n, ++lineno, err, errn) != 0) return -1;
        s += n + (end != NULL);
    }
    return 0;
}

void lin_text_write(FILE *f, const lin_history *h)
{
    hoc_buf b = {0};
    for (size_t i = 0; i < h->nops; i++) {
        const lin_op *op = &h->ops[i];
        b.n = 0;
        lin_history_show_val(&b, lin_history_str(h->clients[op->client]), 0);
        hoc_buf_printf(&b, " %lld ", (long long)op->call);
        if (op->ret == LIN_PENDING)
            hoc_buf_puts(&b, "?");
        else
            hoc_buf_printf(&b, "%lld", (long long)op->ret);
        hoc_buf_puts(&b, " ");
        lin_history_show_op(&b, op, 0);
        fprintf(f, "%s\n", hoc_buf_str(&b));
    }
    hoc_buf_free(&b);
}
