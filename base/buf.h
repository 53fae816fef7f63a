/* buf.h: the one growable string buffer of hoc. It never truncates: it
 * grows to fit, and aborts when memory runs out (hoc's tools have nothing
 * sensible to do without it). */
#ifndef HOC_BUF_H
#define HOC_BUF_H

#include <stdarg.h>
#include <stddef.h>

/* Zero-initialise ({0}) to start empty; p is NUL-terminated once non-NULL. */
typedef struct hoc_buf {
    char *p;
    size_t n, cap;
} hoc_buf;

/* Appends n bytes of s. */
void hoc_buf_put(hoc_buf *b, const char *s, size_t n);
/* Appends the NUL-terminated string s. */
void hoc_buf_puts(hoc_buf *b, const char *s);
/* Appends formatted text, however long. */
void hoc_buf_printf(hoc_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends formatted text from a va_list, however long. */
void hoc_buf_vprintf(hoc_buf *b, const char *fmt, va_list ap);
/* The contents ("" when empty); valid until the next append or free. */
const char *hoc_buf_str(const hoc_buf *b);
/* Hands the contents (malloc'd, NUL-terminated, never NULL) to the caller and empties b. */
char *hoc_buf_take(hoc_buf *b);
/* Frees the contents and empties b. */
void hoc_buf_free(hoc_buf *b);

#endif
