/* crun.c: running the generated C on a case (crun.h). */
#include "crun.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "value.h"

const hoc_field *crun_field(const hoc_algo *a, const char *name)
{
    if (strcmp(name, "halted") == 0) name = "hoc_halted";
    for (int i = 0; i < a->nfields; i++)
        if (strcmp(a->fields[i].name, name) == 0) return &a->fields[i];
    return NULL;
}

/* One scalar of field fd written as text: a number, true/false, an enum
 * member's name, a set {0,2}. */
static int parse_scalar(const hoc_field *fd, const char *s, int64_t *out)
{
    if (fd->kind == HOC_K_BOOL && (strcmp(s, "true") == 0 || strcmp(s, "false") == 0)) {
        *out = s[0] == 't';
        return 0;
    }
    if (fd->kind == HOC_K_SET) {
        uint64_t m;
        if (sem_parse_set(s, &m)) return -1;
        *out = (int64_t)m;
        return 0;
    }
    for (uint32_t i = 0; fd->kind == HOC_K_ENUM && i < fd->enum_count; i++)
        if (strcmp(fd->enum_names[i], s) == 0) {
            *out = i;
            return 0;
        }
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 0);
    if (errno || end == s || *end) return -1;
    *out = v;
    return 0;
}

/* Element i of field fd in state st. */
static uint8_t *element(const hoc_field *fd, uint8_t *st, uint32_t i)
{
    return st + fd->offset + i * hoc_kind_size(fd->kind);
}

/* value: one scalar, or [a,b,...] for an array (the elements not given are 0). */
static int assign_field(const hoc_field *fd, uint8_t *st, char *value)
{
    memset(st + fd->offset, 0, fd->count * hoc_kind_size(fd->kind));
    if (value[0] != '[') {
        int64_t v;
        if (fd->count != 1 || parse_scalar(fd, value, &v)) return -1;
        hoc_value_put(fd->kind, v, element(fd, st, 0));
        return 0;
    }
    size_t len = strlen(value);
    if (value[len - 1] != ']') return -1;
    value[len - 1] = 0;
    uint32_t i = 0;
    for (char *save = NULL, *w = strtok_r(value + 1, ",", &save); w;
         w = strtok_r(NULL, ",", &save), i++) {
        int64_t v;
        if (i >= fd->count || parse_scalar(fd, w, &v)) return -1;
        if (fd->kind == HOC_K_BYTES)
            *element(fd, st, i) = (uint8_t)v;
        else
            hoc_value_put(fd->kind, v, element(fd, st, i));
    }
    return 0;
}

int crun_assign(const hoc_algo *a, uint8_t *st, const char *text, bool *crashed, char *err,
                size_t errn)
{
    char *copy = strdup(text ? text : "");
    if (!copy) abort();
    int rc = 0;
    for (char *save = NULL, *w = strtok_r(copy, " \t", &save); w && !rc;
         w = strtok_r(NULL, " \t", &save)) {
        char *eq = strchr(w, '=');
        if (!eq) {
            snprintf(err, errn, "expected NAME=VALUE, not '%s'", w);
            rc = -1;
            break;
        }
        *eq = 0;
        if (strcmp(w, "crashed") == 0 && crashed) {
            *crashed = strcmp(eq + 1, "true") == 0 || strcmp(eq + 1, "1") == 0;
            continue;
        }
        const hoc_field *fd = crun_field(a, w);
        if (!fd || assign_field(fd, st, eq + 1)) {
            snprintf(err, errn, "cannot set '%s' to '%s'", w, eq + 1);
            rc = -1;
        }
    }
    free(copy);
    return rc;
}

/* Whether p takes no step at all in this round. */
static bool idle(const hoc_algo *a, const uint8_t *states, const bool *crashed, int p)
{
    return crashed[p] || states[(size_t)p * a->state_size + a->halted_offset];
}

void crun_step(const hoc_algo *a, int n, const int64_t *params, int64_t r, uint8_t *states,
               const bool *crashed, const SemStep *step)
{
    const hoc_round *rd = &a->rounds[r % a->nrounds];
    size_t box = (size_t)HOC_MAXN * rd->msg_size;
    uint8_t *outbox = calloc((size_t)n, box), *msgs = calloc(HOC_MAXN, rd->msg_size);
    uint8_t *outputs = calloc(1, a->outputs_size ? a->outputs_size : 1);
    hoc_set to[SEM_MAXN] = {0};
    bool active[SEM_MAXN];
    if (!outbox || !msgs || !outputs) abort();
    for (int p = 0; p < n; p++) { /* decided before anyone updates, as in hoc sim */
        active[p] = !idle(a, states, crashed, p);
        if (!active[p]) continue;
        hoc_env env = {p, n, r, params, 0};
        rd->send(states + (size_t)p * a->state_size, &env, &to[p], outbox + (size_t)p * box);
    }
    for (int q = 0; q < n; q++) {
        if (!active[q] || step[q].crash) continue;
        hoc_set from = 0;
        memset(msgs, 0, box);
        for (int p = 0; p < n; p++) {
            if (!active[p] || !hoc_set_has(step[q].ho, p) || !hoc_set_has(to[p], q)) continue;
            from |= hoc_set_one(p);
            memcpy(msgs + (size_t)p * rd->msg_size,
                   outbox + (size_t)p * box + (size_t)q * rd->msg_size, rd->msg_size);
        }
        hoc_env env = {q, n, r, params, step[q].oracle};
        memset(outputs, 0, a->outputs_size);
        rd->update(states + (size_t)q * a->state_size, &env, from, msgs, outputs);
    }
    free(outbox), free(msgs), free(outputs);
}

int64_t crun_get(const hoc_field *fd, const uint8_t *st)
{
    return hoc_value_get(fd->kind, st + fd->offset);
}

static void print_scalar(FILE *f, const hoc_field *fd, const uint8_t *p)
{
    int64_t v = fd->kind == HOC_K_BYTES ? *p : hoc_value_get(fd->kind, p);
    if (fd->kind == HOC_K_BOOL)
        fputs(v ? "true" : "false", f);
    else if (fd->kind == HOC_K_SET) {
        fputc('{', f);
        for (int q = 0, k = 0; q < 64; q++)
            if ((uint64_t)v >> q & 1) fprintf(f, "%s%d", k++ ? "," : "", q);
        fputc('}', f);
    } else
        fprintf(f, "%" PRId64, v);
}

void crun_print(FILE *f, const hoc_algo *a, const uint8_t *st)
{
    for (int i = 0; i < a->nfields; i++) {
        const hoc_field *fd = &a->fields[i];
        const char *name = strcmp(fd->name, "hoc_halted") == 0 ? "halted" : fd->name;
        size_t w = hoc_kind_size(fd->kind);
        fprintf(f, "%s%s=", i ? " " : "", name);
        if (fd->count == 1 && fd->kind != HOC_K_BYTES) {
            print_scalar(f, fd, st + fd->offset);
            continue;
        }
        uint32_t last = 0; /* the elements after the last non-zero one are left out */
        for (uint32_t k = 0; k < fd->count; k++)
            for (size_t b = 0; b < w; b++)
                if (st[fd->offset + k * w + b]) last = k + 1;
        fputc('[', f);
        for (uint32_t k = 0; k < last; k++) {
            if (k) fputc(',', f);
            print_scalar(f, fd, st + fd->offset + k * w);
        }
        fputc(']', f);
    }
}
