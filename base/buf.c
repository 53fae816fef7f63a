/* buf.c: the growable string buffer (see buf.h). */
#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void reserve(hoc_buf *b, size_t more)
{
    if (b->n + more + 1 <= b->cap) return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->n + more + 1)
        cap *= 2;
    char *np = realloc(b->p, cap);
    if (!np) {
        fputs("hoc: out of memory\n", stderr);
        abort();
    }
    b->p = np, b->cap = cap;
}

void hoc_buf_put(hoc_buf *b, const char *s, size_t n)
{
    reserve(b, n);
    if (n) memcpy(b->p + b->n, s, n); /* s may be NULL when n is 0 */
    b->n += n;
    b->p[b->n] = 0;
}

void hoc_buf_puts(hoc_buf *b, const char *s)
{
    hoc_buf_put(b, s, strlen(s));
}

void hoc_buf_vprintf(hoc_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    reserve(b, 64);
    int k = vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
    if (k >= 0 && (size_t)k >= b->cap - b->n) { /* did not fit: grow and format again */
        reserve(b, (size_t)k);
        vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap2);
    }
    va_end(ap2);
    if (k > 0) b->n += (size_t)k;
    b->p[b->n] = 0;
}

void hoc_buf_printf(hoc_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    hoc_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

const char *hoc_buf_str(const hoc_buf *b)
{
    return b->p ? b->p : "";
}

char *hoc_buf_take(hoc_buf *b)
{
    reserve(b, 0);
    b->p[b->n] = 0; /* an empty buffer has had nothing written to it yet */
    char *p = b->p;
    *b = (hoc_buf){0};
    return p;
}

void hoc_buf_free(hoc_buf *b)
{
    free(b->p);
    *b = (hoc_buf){0};
}
