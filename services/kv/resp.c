/* resp.c: RESP2 requests and replies (see resp.h). */
#include "resp.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Makes room for n arguments; false when memory runs out. */
static bool room(resp_req *r, int n)
{
    if (n <= r->cap) return true;
    int cap = r->cap ? r->cap : 16;
    while (cap < n)
        cap *= 2;
    const uint8_t **a = realloc(r->argv, sizeof *a * (size_t)cap);
    if (!a) return false;
    r->argv = a;
    size_t *l = realloc(r->lens, sizeof *l * (size_t)cap);
    if (!l) return false;
    r->lens = l, r->cap = cap;
    return true;
}

void resp_req_free(resp_req *r)
{
    free(r->argv), free(r->lens);
    memset(r, 0, sizeof *r);
}

/* The line at p[0..len) ending in \r\n: its length without them, or -1 if
 * the line is not whole yet, -2 if it is longer than max. */
static long line_end(const uint8_t *p, size_t len, size_t max)
{
    const uint8_t *nl = memchr(p, '\n', len < max + 2 ? len : max + 2);
    if (!nl) return len >= max + 2 ? -2 : -1;
    size_t l = (size_t)(nl - p);
    if (l == 0 || p[l - 1] != '\r') return -3; /* a bare \n */
    return (long)(l - 1);
}

/* A decimal integer filling p[0..len) exactly, within [lo, hi]. */
static bool number(const uint8_t *p, size_t len, long long lo, long long hi, long long *out)
{
    if (len == 0 || len > 20) return false;
    char tmp[24];
    memcpy(tmp, p, len);
    tmp[len] = 0;
    char *end;
    long long v = strtoll(tmp, &end, 10);
    if (*end || (!isdigit((unsigned char)tmp[0]) && tmp[0] != '-') || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

/* Splits an inline command line on spaces (no quoting). */
static resp_status parse_inline(const uint8_t *buf, size_t len, resp_req *r, size_t *used,
                                const char **why)
{
    long l = line_end(buf, len, RESP_MAX_INLINE);
    if (l == -1) return RESP_MORE;
    if (l < 0) {
        *why = l == -2 ? "Protocol error: too big inline request"
                       : "Protocol error: expected '\\r\\n' at the end of the line";
        return RESP_BAD;
    }
    r->argc = 0;
    for (size_t i = 0; i < (size_t)l;) {
        while (i < (size_t)l && (buf[i] == ' ' || buf[i] == '\t'))
            i++;
        if (i == (size_t)l) break;
        size_t s = i;
        while (i < (size_t)l && buf[i] != ' ' && buf[i] != '\t')
            i++;
        if (!room(r, r->argc + 1)) {
            *why = "ERR out of memory";
            return RESP_BAD;
        }
        r->argv[r->argc] = buf + s, r->lens[r->argc++] = i - s;
    }
    *used = (size_t)l + 2;
    return RESP_OK;
}

resp_status resp_parse(const uint8_t *buf, size_t len, resp_req *r, size_t *used, const char **why)
{
    *why = NULL;
    if (len == 0) return RESP_MORE;
    if (buf[0] != '*') return parse_inline(buf, len, r, used, why);
    long l = line_end(buf, len, 32);
    if (l == -1) return RESP_MORE;
    long long n;
    if (l < 0 || !number(buf + 1, (size_t)l - 1, -1, RESP_MAX_ARGS, &n)) {
        *why = "Protocol error: invalid multibulk length";
        return RESP_BAD;
    }
    size_t off = (size_t)l + 2;
    r->argc = 0;
    if (n <= 0) { /* *0 and *-1: nothing to do, as Redis */
        *used = off;
        return RESP_OK;
    }
    if (!room(r, (int)n)) {
        *why = "ERR out of memory";
        return RESP_BAD;
    }
    for (long long i = 0; i < n; i++) {
        if (off >= len) return RESP_MORE;
        if (buf[off] != '$') {
            *why = "Protocol error: expected '$'";
            return RESP_BAD;
        }
        l = line_end(buf + off, len - off, 32);
        if (l == -1) return RESP_MORE;
        long long bl;
        if (l < 0 || !number(buf + off + 1, (size_t)l - 1, 0, RESP_MAX_BULK, &bl)) {
            *why = "Protocol error: invalid bulk length";
            return RESP_BAD;
        }
        off += (size_t)l + 2;
        if (len - off < (size_t)bl + 2) return RESP_MORE;
        if (buf[off + bl] != '\r' || buf[off + bl + 1] != '\n') {
            *why = "Protocol error: bulk string not followed by '\\r\\n'";
            return RESP_BAD;
        }
        r->argv[r->argc] = buf + off, r->lens[r->argc++] = (size_t)bl;
        off += (size_t)bl + 2;
    }
    *used = off;
    return RESP_OK;
}

void resp_simple(hoc_buf *b, const char *s)
{
    hoc_buf_printf(b, "+%s\r\n", s);
}

void resp_error(hoc_buf *b, const char *msg)
{
    hoc_buf_printf(b, "-%s\r\n", msg);
}

void resp_int(hoc_buf *b, int64_t v)
{
    hoc_buf_printf(b, ":%" PRId64 "\r\n", v);
}

size_t resp_dec(char out[20], uint64_t v)
{
    char t[20];
    size_t k = 0, n = 0;
    do
        t[k++] = (char)('0' + v % 10);
    while ((v /= 10) > 0);
    while (k > 0)
        out[n++] = t[--k];
    return n;
}

/* c, then n in decimal, then CRLF */
static void head(hoc_buf *b, char c, size_t n)
{
    char h[24];
    h[0] = c;
    size_t k = 1 + resp_dec(h + 1, n);
    h[k++] = '\r', h[k++] = '\n';
    hoc_buf_put(b, h, k);
}

void resp_bulk_head(hoc_buf *b, size_t len)
{
    head(b, '$', len);
}

void resp_bulk(hoc_buf *b, const uint8_t *p, size_t len)
{
    head(b, '$', len);
    hoc_buf_put(b, (const char *)p, len);
    hoc_buf_put(b, "\r\n", 2);
}

void resp_nil(hoc_buf *b)
{
    hoc_buf_put(b, "$-1\r\n", 5);
}

void resp_array(hoc_buf *b, size_t n)
{
    head(b, '*', n);
}

bool resp_is(const uint8_t *arg, size_t len, const char *cmd)
{
    size_t n = strlen(cmd);
    if (len != n) return false;
    for (size_t i = 0; i < n; i++)
        if (toupper(arg[i]) != toupper((unsigned char)cmd[i])) return false;
    return true;
}
