/* reason.c: see reason.h. */
#include "reason.h"

#include <stdarg.h>
#include <stdio.h>

void reason_note(Reason *r, ReasonKind kind, const Pos *pos, const char *fmt, ...)
{
    if (r->kind != REASON_NONE) return;
    r->kind = kind;
    r->has_pos = pos != NULL;
    if (pos) r->pos = *pos;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->text, sizeof r->text, fmt, ap);
    va_end(ap);
}

bool reason_any(const Reason *r)
{
    return r->kind != REASON_NONE;
}

void reason_format(const Reason *r, char *out, size_t n)
{
    char what[400]; /* the position and the text, cut where users have always seen it cut */
    if (r->has_pos)
        snprintf(what, sizeof what, "%s:%d:%d: %s", r->pos.file ? r->pos.file : "?", r->pos.line,
                 r->pos.col, r->text);
    else
        snprintf(what, sizeof what, "%s", r->kind == REASON_NONE ? "unknown" : r->text);
    snprintf(out, n, "%s: %s", r->kind == REASON_UNSUPPORTED ? "unsupported" : "solver", what);
}
