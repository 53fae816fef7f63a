/* value.c: printing and carrying values of compiled algorithms (see value.h). */
#include "value.h"

#include <inttypes.h>
#include <string.h>

void hoc_print_value(FILE *f, hoc_kind k, const void *p, const char *const *names, uint32_t nnames)
{
    switch (k) {
    case HOC_K_INT:
        fprintf(f, "%" PRId64, hoc_value_get(k, p));
        break;
    case HOC_K_STAMP: {
        int64_t v = hoc_value_get(k, p);
        if (v == HOC_NEVER)
            fputs("never", f);
        else
            fprintf(f, "%" PRId64, v - 1);
        break;
    }
    case HOC_K_BOOL:
        fputs(*(const bool *)p ? "true" : "false", f);
        break;
    case HOC_K_PID:
        fprintf(f, "%" PRId64, hoc_value_get(k, p));
        break;
    case HOC_K_ENUM: {
        int64_t v = hoc_value_get(k, p);
        if (names && v >= 0 && (uint64_t)v < nnames)
            fputs(names[v], f);
        else
            fprintf(f, "%" PRId64, v);
        break;
    }
    case HOC_K_SET: {
        hoc_set s = (hoc_set)hoc_value_get(k, p);
        fputc('{', f);
        for (int32_t i = hoc_set_min(s), first = 1; i >= 0; i = hoc_set_next(s, i), first = 0)
            fprintf(f, "%s%" PRId32, first ? "" : ",", i);
        fputc('}', f);
        break;
    }
    case HOC_K_BYTES:
        fprintf(f, "0x%02x..", *(const uint8_t *)p);
        break;
    default:
        fputs("?", f);
    }
}

int64_t hoc_value_get(hoc_kind k, const void *p)
{
    switch (k) {
    case HOC_K_INT:
    case HOC_K_PID:
    case HOC_K_SET:
    case HOC_K_STAMP: {
        int64_t v;
        memcpy(&v, p, 8);
        return v;
    }
    case HOC_K_ENUM: {
        int32_t v;
        memcpy(&v, p, 4);
        return v;
    }
    case HOC_K_BOOL:
        return *(const uint8_t *)p != 0;
    default:
        return 0;
    }
}

void hoc_input_range(const hoc_field *fd, int n, int64_t *lo, int64_t *hi)
{
    *lo = fd->kind == HOC_K_INT ? INT64_MIN : 0;
    *hi = fd->kind == HOC_K_BOOL   ? 1
          : fd->kind == HOC_K_PID  ? n - 1
          : fd->kind == HOC_K_ENUM ? (int64_t)fd->enum_count - 1
                                   : INT64_MAX;
}

void hoc_value_put(hoc_kind k, int64_t v, void *p)
{
    switch (k) {
    case HOC_K_INT:
    case HOC_K_PID:
    case HOC_K_SET:
    case HOC_K_STAMP:
        memcpy(p, &v, 8);
        break;
    case HOC_K_ENUM: {
        int32_t w = (int32_t)v;
        memcpy(p, &w, 4);
        break;
    }
    case HOC_K_BOOL:
        *(bool *)p = v != 0;
        break;
    default:
        *(uint8_t *)p = 0;
    }
}

size_t hoc_value_max(const hoc_output *o)
{
    if (!o->has_value) return 0;
    return o->kind == HOC_K_BYTES ? o->count : hoc_kind_size(o->kind);
}

size_t hoc_value_encode(const hoc_output *o, const void *outputs, uint8_t *buf)
{
    if (!o->has_value) return 0;
    const uint8_t *p = (const uint8_t *)outputs + o->value_offset;
    if (o->kind == HOC_K_BYTES) {
        size_t l = hoc_bytes_used(p, o->count);
        memcpy(buf, p, l);
        return l;
    }
    size_t w = hoc_kind_size(o->kind);
    int64_t v = hoc_value_get(o->kind, p);
    for (size_t i = 0; i < w; i++)
        buf[i] = (uint8_t)((uint64_t)v >> (8 * i));
    return w;
}

bool hoc_value_valid(const hoc_output *o, const uint8_t *v, size_t len)
{
    if (!o->has_value) return len == 0;
    if (o->kind == HOC_K_BYTES) return len <= o->count && (len == 0 || v[len - 1] != 0);
    if (len != hoc_kind_size(o->kind)) return false;
    int64_t x = hoc_value_scalar(o, v, len);
    if (o->kind == HOC_K_BOOL) return v[0] <= 1;
    if (o->kind == HOC_K_ENUM) return x >= 0 && (!o->enum_count || x < (int64_t)o->enum_count);
    return true;
}

int64_t hoc_value_scalar(const hoc_output *o, const uint8_t *v, size_t len)
{
    if (!o->has_value || o->kind == HOC_K_BYTES) return 0;
    uint64_t x = 0;
    for (size_t i = 0; i < len && i < 8; i++)
        x |= (uint64_t)v[i] << (8 * i);
    if (len == 4) return (int32_t)(uint32_t)x; /* pids and enums are signed 32-bit */
    return (int64_t)x;
}

void hoc_value_print_carried(FILE *f, const hoc_output *o, const uint8_t *v, size_t len)
{
    if (!o->has_value) return;
    if (o->kind == HOC_K_BYTES) {
        fputs("0x", f);
        for (size_t i = 0; i < len; i++)
            fprintf(f, "%02x", v[i]);
        return;
    }
    uint8_t buf[8] = {0};
    hoc_value_put(o->kind, hoc_value_scalar(o, v, len), buf);
    hoc_print_value(f, o->kind, buf, o->enum_names, o->enum_count);
}

void hoc_print_bytes(FILE *f, const uint8_t *b, size_t k, size_t cap)
{
    size_t used = hoc_bytes_used(b, k), shown = used ? used : k ? 1 : 0;
    if (cap && shown > cap) shown = cap;
    fputs("0x", f);
    for (size_t i = 0; i < shown; i++)
        fprintf(f, "%02x", b[i]);
    if (used > shown) fprintf(f, "\u2026(+%zu bytes)", used - shown);
}

static int hex_digit(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

int64_t hoc_bytes_compare(const uint8_t *b, size_t k, const char *hex, uint8_t *mine,
                          uint8_t *theirs)
{
    size_t len = strlen(hex);
    if (len < 2 || hex[0] != '0' || hex[1] != 'x' || len % 2 || (len - 2) / 2 > k) return -2;
    for (size_t i = 2; i < len; i++)
        if (hex_digit(hex[i]) < 0) return -2;
    for (size_t i = 0; i < k; i++) {
        size_t at = 2 + 2 * i;
        uint8_t t = at < len ? (uint8_t)(hex_digit(hex[at]) * 16 + hex_digit(hex[at + 1])) : 0;
        if (at >= len && hoc_bytes_used(b + i, k - i) == 0) return -1; /* zeros to the end */
        if (b[i] != t) {
            *mine = b[i], *theirs = t;
            return (int64_t)i;
        }
    }
    return -1;
}

uint32_t hoc_field_shown(const hoc_field *fd, int n, int maxn)
{
    if (fd->per_process && maxn > 0) return fd->count / (uint32_t)maxn * (uint32_t)n;
    return fd->count;
}

void hoc_print_field(FILE *f, const hoc_field *fd, const uint8_t *base, int n, int maxn)
{
    const uint8_t *p = base + fd->offset;
    if (fd->kind == HOC_K_BYTES) {
        hoc_print_bytes(f, p, fd->count, HOC_BYTES_SHOWN);
        return;
    }
    if (fd->count == 1) {
        hoc_print_value(f, fd->kind, p, fd->enum_names, fd->enum_count);
        return;
    }
    uint32_t shown = hoc_field_shown(fd, n, maxn);
    fputc('[', f);
    for (uint32_t i = 0; i < shown; i++) {
        if (i) fputs(", ", f);
        hoc_print_value(f, fd->kind, p + i * hoc_kind_size(fd->kind), fd->enum_names,
                        fd->enum_count);
    }
    fputc(']', f);
}

void hoc_print_state(FILE *f, const hoc_algo *a, const uint8_t *st, int n)
{
    for (int i = 0; i < a->nfields; i++) {
        const hoc_field *fd = &a->fields[i];
        if (strcmp(fd->name, "hoc_halted") == 0) {
            if (st[fd->offset]) fputs(" halted", f);
            continue;
        }
        fprintf(f, " %s=", fd->name);
        hoc_print_field(f, fd, st, n, a->maxn);
    }
}
