/* diag.c: diagnostics. The caret line lets a user see the column at a glance. */
#include "diag.h"

#include <stdarg.h>
#include <string.h>

void diag_source(Diag *d, const char *file, const char *text, size_t len)
{
    if (d->nsources < (int)(sizeof d->sources / sizeof d->sources[0]))
        d->sources[d->nsources++] = (struct DiagSource){file, text, len};
}

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
        fprintf(d->out, "  %.*s\n  ", (int)(e - s), s);
        for (int c = 1; c < p.col && s + c - 1 < e; c++)
            fputc(s[c - 1] == '\t' ? '\t' : ' ', d->out);
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
