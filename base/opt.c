/* opt.c: the table-driven command-line parser (see opt.h). */
#include "opt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int hoc_opt_int(const char *s, long long min, long long max, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max) return -1;
    *out = v;
    return 0;
}

static const hoc_opt *find(const hoc_opt *t, const char *name)
{
    for (; t->name; t++)
        if (strcmp(t->name, name) == 0) return t;
    return NULL;
}

/* Stores val for option o; 0, or -1 with a message. */
static int take(const hoc_opt *o, const char *val, char *err, size_t errn)
{
    switch (o->kind) {
    case HOC_OPT_INT:
        if (hoc_opt_int(val, o->min, o->max, o->dst) == 0) return 0;
        snprintf(err, errn, "%s takes a whole number from %lld to %lld, not '%s'", o->name, o->min,
                 o->max, val);
        return -1;
    case HOC_OPT_REAL: {
        char *end;
        errno = 0;
        double v = strtod(val, &end);
        if (!errno && end != val && !*end && v >= o->lo && v <= o->hi) {
            *(double *)o->dst = v;
            return 0;
        }
        snprintf(err, errn, "%s takes a number from %g to %g, not '%s'", o->name, o->lo, o->hi,
                 val);
        return -1;
    }
    case HOC_OPT_STR:
        *(const char **)o->dst = val;
        return 0;
    case HOC_OPT_LIST: {
        hoc_opt_list *l = o->dst;
        int cap = o->limit > 0 && o->limit < HOC_OPT_LIST_MAX ? o->limit : HOC_OPT_LIST_MAX;
        if (l->n >= cap) {
            snprintf(err, errn, "at most %d %s options", cap, o->name);
            return -1;
        }
        l->v[l->n++] = val;
        return 0;
    }
    case HOC_OPT_CALL:
        return o->call(o->dst, val, err, errn);
    default:
        return -1;
    }
}

int hoc_opt_parse(const hoc_opt *table, int argc, char **argv, const char **pos, int maxpos,
                  int *npos, char *err, size_t errn)
{
    *npos = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || a[1] == 0) { /* "-" alone is a positional argument (stdin) */
            if (*npos >= maxpos) {
                snprintf(err, errn, "unexpected argument '%s'", a);
                return -1;
            }
            pos[(*npos)++] = a;
            continue;
        }
        const hoc_opt *o = find(table, a);
        if (!o) {
            snprintf(err, errn, "unknown option '%s'", a);
            return -1;
        }
        if (o->kind == HOC_OPT_SET || o->kind == HOC_OPT_CLEAR) {
            *(bool *)o->dst = o->kind == HOC_OPT_SET;
            continue;
        }
        if (i + 1 >= argc) {
            snprintf(err, errn, "option '%s' needs a value (%s)", a, o->arg ? o->arg : "VALUE");
            return -1;
        }
        if (take(o, argv[++i], err, errn) != 0) return -1;
    }
    return 0;
}

void hoc_opt_print(FILE *f, const hoc_opt *table, int indent)
{
    for (const hoc_opt *o = table; o->name; o++) {
        if (!o->help) continue;
        char head[64];
        snprintf(head, sizeof head, "%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
        fprintf(f, "%*s%-18s ", indent, "", head);
        for (const char *h = o->help; *h; h++) {
            fputc(*h, f);
            if (*h == '\n') fprintf(f, "%*s", indent + 19, "");
        }
        fputc('\n', f);
    }
}

/* The number of entries of a NULL-terminated table (0 for NULL). */
static size_t table_len(const hoc_opt *t)
{
    size_t n = 0;
    while (t && t[n].name)
        n++;
    return n;
}

int hoc_opt_join(hoc_opt *dst, size_t cap, const hoc_opt *a, const hoc_opt *b)
{
    size_t na = table_len(a), nb = table_len(b);
    if (cap == 0) return -1;
    if (na + nb + 1 > cap) {
        dst[0] = (hoc_opt){0};
        return -1;
    }
    if (na) memcpy(dst, a, na * sizeof *a);
    if (nb) memcpy(dst + na, b, nb * sizeof *b);
    dst[na + nb] = (hoc_opt){0};
    return 0;
}
