/* lin_model.c: what models share: outputs and integers (see lin_model.h). */
#include "lin_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void lin_model_out_reset(lin_out *out)
{
    out->n = 0;
    out->used = 0;
}

void lin_model_out_push(lin_out *out, lin_val v)
{
    if (out->n == out->cap) {
        out->cap = out->cap ? 2 * out->cap : 8;
        out->v = lin_history_realloc(out->v, out->cap * sizeof *out->v);
    }
    out->v[out->n++] = v;
}

void lin_model_out_text(lin_out *out, const char *s)
{
    lin_model_out_push(out, lin_history_str(s));
}

void lin_model_out_int(lin_out *out, long long x)
{
    size_t room = sizeof out->scratch - out->used;
    int n = snprintf((char *)out->scratch + out->used, room, "%lld", x);
    if (n < 0 || (size_t)n >= room) {
        fputs("hoc-lincheck: a model wrote more than 256 bytes of scratch in one step\n", stderr);
        abort();
    }
    lin_model_out_push(out, (lin_val){out->scratch + out->used, n});
    out->used += (size_t)n;
}

void lin_model_out_free(lin_out *out)
{
    free(out->v);
    memset(out, 0, sizeof *out);
}

int lin_model_int(lin_val v, long long *x)
{
    if (v.n <= 0 || v.n > 20) return -1;
    const uint8_t *p = v.p, *end = v.p + v.n;
    int neg = *p == '-';
    p += neg;
    if (p == end || *p < '0' || *p > '9' || (*p == '0' && (end - p > 1 || neg))) return -1;
    unsigned long long u = 0, lim = neg ? 9223372036854775808ull : 9223372036854775807ull;
    for (; p < end; p++) {
        if (*p < '0' || *p > '9') return -1;
        unsigned d = *p - '0';
        if (u > (lim - d) / 10) return -1;
        u = u * 10 + d;
    }
    *x = neg ? (long long)(0 - u) : (long long)u;
    return 0;
}
