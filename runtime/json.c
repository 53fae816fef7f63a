/* json.c: recursive descent with a depth bound, so no input can exhaust the stack. */
#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct P {
    const char *s, *end;
    char *err;
    size_t errcap;
    const char *start;
} P;

#define MAX_DEPTH 64

static bool fail(P *p, const char *what)
{
    if (!p->err[0]) snprintf(p->err, p->errcap, "%s at byte %ld", what, (long)(p->s - p->start));
    return false;
}

static void ws(P *p)
{
    while (p->s < p->end && (*p->s == ' ' || *p->s == '\n' || *p->s == '\t' || *p->s == '\r'))
        p->s++;
}

static bool value(P *p, json *j, int depth);

static bool string(P *p, char **out)
{
    if (p->s >= p->end || *p->s != '"') return fail(p, "expected a string");
    p->s++;
    const char *b = p->s;
    while (p->s < p->end && *p->s != '"') {
        if (*p->s == '\\') return fail(p, "escapes are not supported in hoc traces");
        if ((unsigned char)*p->s < 32) return fail(p, "control character in a string");
        p->s++;
    }
    if (p->s >= p->end) return fail(p, "unterminated string");
    size_t n = (size_t)(p->s - b);
    *out = malloc(n + 1);
    if (!*out) return fail(p, "out of memory");
    memcpy(*out, b, n);
    (*out)[n] = 0;
    p->s++;
    return true;
}

static bool push(P *p, json *j, char *key, json *item)
{
    json *ni = realloc(j->items, sizeof *ni * (size_t)(j->n + 1));
    if (!ni) return fail(p, "out of memory");
    j->items = ni;
    if (j->type == JSON_OBJ) {
        char **nk = realloc(j->keys, sizeof *nk * (size_t)(j->n + 1));
        if (!nk) return fail(p, "out of memory");
        j->keys = nk;
        j->keys[j->n] = key;
    }
    j->items[j->n++] = *item;
    return true;
}

static bool composite(P *p, json *j, int depth, char close)
{
    p->s++;
    ws(p);
    if (p->s < p->end && *p->s == close) {
        p->s++;
        return true;
    }
    for (;;) {
        char *key = NULL;
        ws(p);
        if (j->type == JSON_OBJ) {
            if (!string(p, &key)) return false;
            ws(p);
            if (p->s >= p->end || *p->s != ':') {
                free(key);
                return fail(p, "expected ':'");
            }
            p->s++;
        }
        json item = {0};
        if (!value(p, &item, depth + 1) || !push(p, j, key, &item)) {
            free(key);
            json_free(&item);
            return false;
        }
        ws(p);
        if (p->s < p->end && *p->s == ',') {
            p->s++;
            continue;
        }
        if (p->s < p->end && *p->s == close) {
            p->s++;
            return true;
        }
        return fail(p, "expected ',' or a closing bracket");
    }
}

static bool value(P *p, json *j, int depth)
{
    if (depth > MAX_DEPTH) return fail(p, "nested too deeply");
    ws(p);
    if (p->s >= p->end) return fail(p, "unexpected end");
    char c = *p->s;
    if (c == '{') {
        j->type = JSON_OBJ;
        return composite(p, j, depth, '}');
    }
    if (c == '[') {
        j->type = JSON_ARR;
        return composite(p, j, depth, ']');
    }
    if (c == '"') {
        j->type = JSON_STR;
        return string(p, &j->str);
    }
    static const struct {
        const char *w;
        json_type t;
        bool b;
    } words[] = {
        {"true", JSON_BOOL, true}, {"false", JSON_BOOL, false}, {"null", JSON_NULL, false}};
    for (size_t i = 0; i < 3; i++) {
        size_t n = strlen(words[i].w);
        if ((size_t)(p->end - p->s) >= n && memcmp(p->s, words[i].w, n) == 0) {
            p->s += n;
            j->type = words[i].t;
            j->b = words[i].b;
            return true;
        }
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
        bool neg = c == '-';
        if (neg) p->s++;
        uint64_t v = 0;
        const char *b = p->s;
        while (p->s < p->end && *p->s >= '0' && *p->s <= '9') {
            if (v > (UINT64_MAX - 9) / 10) return fail(p, "number too large");
            v = v * 10 + (uint64_t)(*p->s++ - '0');
        }
        if (p->s == b) return fail(p, "expected digits");
        if (p->s < p->end && (*p->s == '.' || *p->s == 'e' || *p->s == 'E'))
            return fail(p, "fractions are not expected here");
        if (v > (uint64_t)INT64_MAX + (neg ? 1u : 0u)) return fail(p, "number too large");
        j->type = JSON_NUM;
        j->num = neg ? (int64_t)(0u - v) : (int64_t)v;
        return true;
    }
    return fail(p, "unexpected character");
}

json *json_parse(const char *text, size_t len, char *err, size_t errcap)
{
    P p = {text, text + len, err, errcap, text};
    err[0] = 0;
    json *j = calloc(1, sizeof *j);
    if (!j) return NULL;
    if (value(&p, j, 0)) {
        ws(&p);
        if (p.s == p.end) return j;
        fail(&p, "trailing characters");
    }
    json_free(j);
    free(j);
    return NULL;
}

void json_free(json *j)
{
    if (!j) return;
    for (int i = 0; i < j->n; i++) {
        json_free(&j->items[i]);
        if (j->keys) free(j->keys[i]);
    }
    free(j->items);
    free(j->keys);
    free(j->str);
    j->items = NULL, j->keys = NULL, j->str = NULL, j->n = 0;
}

const json *json_get(const json *obj, const char *key)
{
    if (!obj || obj->type != JSON_OBJ) return NULL;
    for (int i = 0; i < obj->n; i++)
        if (strcmp(obj->keys[i], key) == 0) return &obj->items[i];
    return NULL;
}

void json_write_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; s && *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(f, "\\%c", ch);
        else if (ch == '\n')
            fputs("\\n", f);
        else if (ch < 0x20)
            fprintf(f, "\\u%04x", ch);
        else
            fputc(ch, f);
    }
    fputc('"', f);
}
