/* case.c: reading the `//!` case lines of a differential test (case.h). */
#include "case.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(char *err, size_t errn, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errn, int line, const char *fmt, ...)
{
    int k = snprintf(err, errn, "line %d: ", line);
    va_list ap;
    va_start(ap, fmt);
    if (k >= 0 && (size_t)k < errn) vsnprintf(err + k, errn - (size_t)k, fmt, ap);
    va_end(ap);
    return -1;
}

static int parse_int(const char *s, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 0);
    if (errno || end == s || *end) return -1;
    *out = v;
    return 0;
}

int sem_parse_set(const char *s, uint64_t *out)
{
    if (*s != '{') {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 0);
        if (errno || end == s || *end) return -1;
        *out = v;
        return 0;
    }
    uint64_t m = 0;
    const char *p = s + 1;
    while (*p && *p != '}') {
        char *end;
        long v = strtol(p, &end, 10);
        if (end == p || v < 0 || v > 63) return -1;
        m |= (uint64_t)1 << v;
        p = *end == ',' ? end + 1 : end;
    }
    if (*p != '}' || p[1]) return -1;
    *out = m;
    return 0;
}

/* The words of the `case` line after "case". */
static int read_header(SemCase *c, char *words, int line, char *err, size_t errn)
{
    c->line = line;
    c->n = -1;
    c->core = 2;
    for (char *w = strtok(words, " \t"); w; w = strtok(NULL, " \t")) {
        if (strcmp(w, "reach") == 0)
            c->reach = c->facts = true;
        else if (strcmp(w, "facts") == 0)
            c->facts = true;
        else if (strcmp(w, "uniform") == 0)
            c->uniform = true;
        else if (strncmp(w, "n=", 2) == 0) {
            int64_t n;
            if (parse_int(w + 2, &n) || n < 1 || n > SEM_MAXN)
                return fail(err, errn, line, "n must be 1..%d", SEM_MAXN);
            c->n = (int)n;
        } else if (strncmp(w, "core=", 5) == 0) {
            int64_t k;
            if (parse_int(w + 5, &k) || k < 1 || k > SEM_MAXN)
                return fail(err, errn, line, "core must be 1..%d", SEM_MAXN);
            c->core = (int)k;
        } else if (strncmp(w, "round=", 6) == 0) {
            if (parse_int(w + 6, &c->round) || c->round < 0)
                return fail(err, errn, line, "bad round '%s'", w + 6);
        } else if (strncmp(w, "params=", 7) == 0) {
            for (char *p = w + 7; *p && c->nparams < 16;) {
                char *end;
                c->params[c->nparams++] = strtoll(p, &end, 10);
                if (end == p) return fail(err, errn, line, "bad params '%s'", w + 7);
                p = *end == ',' ? end + 1 : end;
            }
        } else
            return fail(err, errn, line, "unknown word '%s' in a case line", w);
    }
    if (c->n < 1) return fail(err, errn, line, "a case needs n=N");
    if (c->reach && c->round > SEM_MAXROUNDS)
        return fail(err, errn, line, "a reach case runs at most %d rounds", SEM_MAXROUNDS);
    if (c->nparams == 0) c->params[c->nparams++] = c->n;
    return 0;
}

/* `step R: ho=... crash=... oracle=...` of process p. */
static int read_step(SemCase *c, int p, char *rest, int line, char *err, size_t errn)
{
    char *colon = strchr(rest, ':');
    int64_t r;
    if (!colon) return fail(err, errn, line, "a step line is `pN step R: ...`");
    *colon = 0;
    if (parse_int(rest, &r) || r < 0) return fail(err, errn, line, "bad round '%s'", rest);
    int64_t slot = c->reach ? r : r == c->round ? 0 : -1;
    if (slot < 0 || slot > SEM_MAXROUNDS)
        return fail(err, errn, line, "a step of round %lld does not belong to this case",
                    (long long)r);
    SemStep *s = &c->step[slot][p];
    s->given = true;
    s->ho = (uint64_t)1 << p; /* unless said otherwise, a process hears itself only */
    for (char *w = strtok(colon + 1, " \t"); w; w = strtok(NULL, " \t")) {
        int64_t v;
        if (strncmp(w, "ho=", 3) == 0 && sem_parse_set(w + 3, &s->ho) == 0) continue;
        if (strncmp(w, "crash=", 6) == 0) {
            s->crash = strcmp(w + 6, "true") == 0 || strcmp(w + 6, "1") == 0;
            continue;
        }
        if (strncmp(w, "oracle=", 7) == 0 && parse_int(w + 7, &v) == 0) {
            s->oracle = (uint64_t)v;
            continue;
        }
        return fail(err, errn, line, "bad step word '%s'", w);
    }
    return 0;
}

/* One `//!` line (without the marker) into the current case cur. */
static int read_line(SemCase *cur, char *s, int line, char *err, size_t errn)
{
    int p;
    char kind[16];
    int used = 0;
    if (!cur) return fail(err, errn, line, "a `//! case` line must come first");
    if (sscanf(s, " p%d %15[a-z]%n", &p, kind, &used) != 2 || p < 0 || p >= cur->n)
        return fail(err, errn, line, "expected `pN pre:`, `pN input:` or `pN step R:`");
    char *rest = s + used;
    if (strcmp(kind, "step") == 0) return read_step(cur, p, rest, line, err, errn);
    if (strcmp(kind, cur->reach ? "input" : "pre") != 0)
        return fail(err, errn, line, "a %s case has `%s` lines", cur->reach ? "reach" : "explicit",
                    cur->reach ? "input" : "pre");
    while (*rest == ' ' || *rest == ':')
        rest++;
    free(cur->pre[p]);
    cur->pre[p] = strdup(rest);
    if (!cur->pre[p]) abort();
    return 0;
}

int sem_cases_read(const char *text, SemCase **out, char *err, size_t errn)
{
    SemCase *v = NULL;
    int n = 0, line = 0;
    for (const char *p = text; *p;) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        line++;
        if (len > 3 && strncmp(p, "//!", 3) == 0) {
            char *s = strndup(p + 3, len - 3);
            if (!s) abort();
            int rc = 0;
            if (strncmp(s, " case", 5) == 0) {
                SemCase *nv = realloc(v, sizeof *v * (size_t)(n + 1));
                if (!nv) abort();
                v = nv;
                memset(&v[n], 0, sizeof v[n]);
                rc = read_header(&v[n++], s + 5, line, err, errn);
            } else
                rc = read_line(n ? &v[n - 1] : NULL, s, line, err, errn);
            free(s);
            if (rc) {
                sem_cases_free(v, n);
                return -1;
            }
        }
        p += len + (eol ? 1 : 0);
    }
    *out = v;
    return n;
}

void sem_cases_free(SemCase *c, int n)
{
    for (int i = 0; i < n; i++)
        for (int p = 0; p < SEM_MAXN; p++)
            free(c[i].pre[p]);
    free(c);
}
