/* diag.c: diagnostics. The caret line lets a user see the column at a glance. */
#include "diag.h"

#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

void diag_source(Diag *d, const char *file, const char *text, size_t len)
{
    if (d->nsources < (int)(sizeof d->sources / sizeof d->sources[0]))
        d->sources[d->nsources++] = (struct DiagSource){file, text, len};
}

/* Columns of a long line quoted on each side of the caret: a generated or
 * minified file may have a line of megabytes, and its diagnostics must
 * still fit on a screen. */
#define QUOTE_CONTEXT 100

static bool utf8_continuation(const char *p)
{
    return ((unsigned char)*p & 0xC0) == 0x80;
}

/* Quotes p's line, or the part of it around p's column when the line is
 * long (marked "..."), and puts a caret under the column. */
static void quote_line(Diag *d, Pos p)
{
    for (int i = 0; i < d->nsources; i++) {
        if (d->sources[i].file != p.file) continue;
        const char *s = d->sources[i].text, *end = s + d->sources[i].len;
        for (int line = 1; line < p.line && s < end; s++)
            if (*s == '\n') line++;
        const char *e = s;
        while (e < end && *e != '\n')
            e++;
        size_t len = (size_t)(e - s), at = p.col > 1 ? (size_t)p.col - 1 : 0;
        if (at > len) at = len;
        const char *from = s, *to = e; /* what is quoted */
        if (len > 2 * QUOTE_CONTEXT) { /* whole characters only */
            if (at > QUOTE_CONTEXT) from = s + at - QUOTE_CONTEXT;
            if (len - at > QUOTE_CONTEXT) to = s + at + QUOTE_CONTEXT;
            while (from > s && utf8_continuation(from))
                from--;
            while (to < e && utf8_continuation(to))
                to++;
        }
        const char *cut = from > s ? "..." : "";
        fprintf(d->out, "  %s%.*s%s\n  %s", cut, (int)(to - from), from, to < e ? "..." : "",
                from > s ? "   " : "");
        for (const char *c = from; c < s + at; c++)
            fputc(*c == '\t' ? '\t' : ' ', d->out);
        fputs("^\n", d->out);
        return;
    }
}

static void report(Diag *d, Pos p, const char *what, const char *fmt, va_list ap)
{
    fprintf(d->out, "%s:%d:%d: %s: ", p.file ? p.file : "<input>", p.line, p.col, what);
    vfprintf(d->out, fmt, ap);
    fputc('\n', d->out);
    if (p.line > 0) quote_line(d, p);
}

void diag_error(Diag *d, Pos p, const char *fmt, ...)
{
    if (++d->errors > DIAG_MAX_ERRORS) {
        if (d->errors == DIAG_MAX_ERRORS + 1) fprintf(d->out, "too many errors; stopping\n");
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    report(d, p, "error", fmt, ap);
    va_end(ap);
}

void diag_note(Diag *d, Pos p, const char *fmt, ...)
{
    if (d->errors > DIAG_MAX_ERRORS) return;
    va_list ap;
    va_start(ap, fmt);
    report(d, p, "note", fmt, ap);
    va_end(ap);
}
