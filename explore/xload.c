/* xload.c: replaying hoc check's traces into the explorer (see xload.h). */
#include "xload.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "simenv.h"
#include "value.h"

/* A trace being loaded: the parsed JSON, and where the replay stands. */
typedef struct Load {
    xt_tree *t;
    const json *j;
    char *err;
    size_t errn;
    const char *label;
} Load;

static int fail(Load *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(Load *l, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(l->err, l->errn, fmt, ap);
    va_end(ap);
    return -1;
}

/* Parses text and checks that it is a hoc trace at all; NULL with err. */
static json *parse_trace(const char *text, size_t len, char *err, size_t errn)
{
    char why[160];
    json *j = json_parse(text, len, why, sizeof why);
    if (!j) {
        snprintf(err, errn, "not a hoc trace: not JSON (%s)", why);
        return NULL;
    }
    const json *fmt = json_get(j, "format");
    if (!fmt || fmt->type != JSON_STR || strcmp(fmt->str, "hoc-trace-1") != 0) {
        snprintf(err, errn, "not a hoc trace: its format is %s%s%s, not hoc-trace-1",
                 fmt && fmt->type == JSON_STR ? "'" : "",
                 fmt && fmt->type == JSON_STR ? fmt->str : "missing",
                 fmt && fmt->type == JSON_STR ? "'" : "");
        json_free(j);
        free(j);
        return NULL;
    }
    return j;
}

int xload_trace_n(const char *text, size_t len, char *err, size_t errn)
{
    json *j = parse_trace(text, len, err, errn);
    if (!j) return -1;
    const json *jn = json_get(j, "n");
    int n = jn && jn->type == JSON_NUM && jn->num >= 1 && jn->num <= HOC_MAXN ? (int)jn->num : -1;
    if (n < 0) snprintf(err, errn, "the trace has no n between 1 and %d", HOC_MAXN);
    json_free(j);
    free(j);
    return n;
}

/* The trace's algorithm, n and parameters against the explorer's. */
static int check_header(Load *l)
{
    const hoc_algo *a = l->t->a;
    const json *ja = json_get(l->j, "algorithm"), *jn = json_get(l->j, "n"),
               *jp = json_get(l->j, "params");
    if (!ja || ja->type != JSON_STR) return fail(l, "the trace names no algorithm");
    if (strcmp(ja->str, a->name) != 0)
        return fail(l, "the trace is of algorithm %s, and this explorer runs %s", ja->str, a->name);
    if (!jn || jn->type != JSON_NUM) return fail(l, "the trace has no n");
    if (jn->num != l->t->n)
        return fail(
            l, "the trace has n=%" PRId64 ", and this explorer n=%d (hoc explore -n %" PRId64 ")",
            jn->num, l->t->n, jn->num);
    if (!jp || jp->type != JSON_ARR || jp->n != a->nparams)
        return fail(l, "the trace has %d parameter values, and %s has %d parameters",
                    jp && jp->type == JSON_ARR ? jp->n : 0, a->name, a->nparams);
    for (int i = 0; i < a->nparams; i++)
        if (jp->items[i].type != JSON_NUM || jp->items[i].num != l->t->params[i])
            return fail(l,
                        "parameter %s: the trace has %" PRId64 ", and this explorer %" PRId64
                        " (--param %s=...)",
                        a->params[i], jp->items[i].type == JSON_NUM ? jp->items[i].num : -1,
                        l->t->params[i], a->params[i]);
    return 0;
}

static int hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The root the trace starts from: its inputs, or its "start" states. */
static int load_root(Load *l)
{
    xt_tree *t = l->t;
    const hoc_algo *a = t->a;
    const json *ji = json_get(l->j, "inputs"), *js = json_get(l->j, "start");
    if (js) {
        const json *jr = json_get(js, "round"), *jh = json_get(js, "states");
        size_t len = (size_t)t->n * a->state_size;
        if (!jr || jr->type != JSON_NUM || jr->num < 0 || !jh || jh->type != JSON_STR ||
            strlen(jh->str) != 2 * len)
            return fail(l, "the trace's start is not %d states of %s", t->n, a->name);
        uint8_t *st = calloc(len + 1, 1);
        if (!st) return fail(l, "out of memory");
        for (size_t i = 0; i < len; i++) {
            int hi = hex_digit(jh->str[2 * i]), lo = hex_digit(jh->str[2 * i + 1]);
            st[i] = (uint8_t)(hi < 0 || lo < 0 ? 0 : hi * 16 + lo);
        }
        for (int p = 0; p < t->n; p++)
            for (int i = 0; i < a->nfields; i++)
                for (uint32_t k = 0; a->fields[i].kind == HOC_K_BOOL && k < a->fields[i].count; k++)
                    if (st[(size_t)p * a->state_size + a->fields[i].offset + k] > 1) {
                        free(st);
                        return fail(l, "the trace's start holds a bool that is neither 0 nor 1");
                    }
        int id = xt_root_states(t, st, jr->num, l->label);
        free(st);
        return id < 0 ? fail(l, "the explorer holds too many states") : id;
    }
    int want = t->n * a->ninputs;
    if (!ji || ji->type != JSON_ARR || ji->n != want)
        return fail(l, "the trace has %d inputs, and %s needs %d (%d per process)",
                    ji && ji->type == JSON_ARR ? ji->n : 0, a->name, want, a->ninputs);
    int64_t *in = calloc((size_t)want + 1, sizeof *in);
    if (!in) return fail(l, "out of memory");
    for (int i = 0; i < want; i++)
        in[i] = ji->items[i].type == JSON_NUM ? ji->items[i].num : -1;
    char why[160];
    int id = xt_inputs_ok(t, in, why, sizeof why) ? xt_root(t, in, l->label) : -2;
    free(in);
    if (id == -2) return fail(l, "the trace's inputs do not fit: %s", why);
    return id < 0 ? fail(l, "the explorer holds too many states") : id;
}

/* A scalar of the trace as drivers print it; false if it is not one. */
static bool scalar_text(const json *v, hoc_buf *b)
{
    if (v->type == JSON_NUM)
        hoc_buf_printf(b, "%" PRId64, v->num);
    else if (v->type == JSON_BOOL)
        hoc_buf_puts(b, v->b ? "true" : "false");
    else if (v->type == JSON_STR)
        hoc_buf_puts(b, v->str);
    else
        return false;
    return true;
}

/* The trace's value of a field as hoc_print_field prints it; false if malformed. */
static bool trace_text(const json *v, hoc_buf *b)
{
    if (v->type != JSON_ARR) return scalar_text(v, b);
    hoc_buf_puts(b, "[");
    for (int i = 0; i < v->n; i++) {
        if (i) hoc_buf_puts(b, ", ");
        if (!scalar_text(&v->items[i], b)) return false;
    }
    hoc_buf_puts(b, "]");
    return true;
}

/* Compares process p's replayed state in node id with the trace's object. */
static int compare_proc(Load *l, int id, int p, int64_t round, const json *obj)
{
    xt_tree *t = l->t;
    const hoc_algo *a = t->a;
    if (obj->type != JSON_OBJ) return fail(l, "round %" PRId64 ", p%d: not an object", round, p);
    for (int k = 0; k < obj->n; k++) {
        int i = 0;
        while (i < a->nfields && strcmp(a->fields[i].name, obj->keys[k]) != 0)
            i++;
        if (i == a->nfields)
            return fail(l,
                        "round %" PRId64 ", p%d: the trace's state has a field '%s' that %s "
                        "does not have",
                        round, p, obj->keys[k], a->name);
        if (a->fields[i].kind == HOC_K_BYTES) { /* the whole block, byte by byte */
            const hoc_field *fd = &a->fields[i];
            const json *v = &obj->items[k];
            uint8_t mine = 0, theirs = 0;
            int64_t at = v->type == JSON_STR ? hoc_bytes_compare(xt_state(t, id, p) + fd->offset,
                                                                 fd->count, v->str, &mine, &theirs)
                                             : -2;
            if (at == -2)
                return fail(l,
                            "round %" PRId64 ", p%d, %s: the trace's value is not a block of %u "
                            "bytes (0x and hex digits)",
                            round, p, fd->name, fd->count);
            if (at >= 0)
                return fail(l,
                            "round %" PRId64 ", p%d, %s[%" PRId64
                            "]: the trace says 0x%02x, the replay has 0x%02x",
                            round, p, fd->name, at, theirs, mine);
            continue;
        }
        hoc_buf mine = {0}, theirs = {0};
        FILE *f = open_memstream(&mine.p, &mine.n);
        if (!f) return fail(l, "out of memory");
        hoc_print_field(f, &a->fields[i], xt_state(t, id, p), t->n, a->maxn);
        fclose(f);
        bool ok = trace_text(&obj->items[k], &theirs);
        int rc = 0;
        if (!ok || strcmp(hoc_buf_str(&mine), hoc_buf_str(&theirs)) != 0)
            rc = fail(l, "round %" PRId64 ", p%d, %s: the trace says %s, the replay has %s", round,
                      p, obj->keys[k], ok ? hoc_buf_str(&theirs) : "something malformed",
                      mine.p ? mine.p : "");
        free(mine.p);
        hoc_buf_free(&theirs);
        if (rc) return rc;
    }
    return 0;
}

/* Reads an array of n whole numbers (heard-of sets, oracle bits) into out. */
static bool words(const json *v, int n, uint64_t *out)
{
    if (!v || v->type != JSON_ARR || v->n != n) return false;
    for (int i = 0; i < n; i++) {
        if (v->items[i].type != JSON_NUM || v->items[i].num < 0) return false;
        out[i] = (uint64_t)v->items[i].num;
    }
    return true;
}

/* Reads what the round's env (jenv, absent when the environment did
 * nothing) says the environment did to each process, as hoc sim --replay
 * reads it (simenv.h); env stays all zero without one. 0, or -1. */
static int load_env(Load *l, int64_t round, const json *jenv, simenv_step *env)
{
    xt_tree *t = l->t;
    memset(env, 0, sizeof *env * (size_t)t->n);
    if (!jenv) return 0;
    if (jenv->type != JSON_ARR || jenv->n != t->n)
        return fail(l, "round %" PRId64 ": the trace's env is not one entry per process of %d",
                    round, t->n);
    for (int p = 0; p < t->n; p++) {
        char why[160];
        if (simenv_parse(t->a, t->params, &jenv->items[p], &env[p], why, sizeof why) != 0)
            return fail(l, "round %" PRId64 ", p%d: the trace's env does not fit %s's events: %s",
                        round, p, t->a->name, why);
    }
    return 0;
}

/* Replays the trace's rounds from node id; the last node, or -1. */
static int load_rounds(Load *l, int id)
{
    xt_tree *t = l->t;
    const json *jr = json_get(l->j, "rounds");
    if (!jr || jr->type != JSON_ARR) return fail(l, "the trace has no rounds");
    for (int r = 0; r < jr->n; r++) {
        const json *round = &jr->items[r], *jc = json_get(round, "crashed"),
                   *js = json_get(round, "states"), *jo = json_get(round, "oracle");
        uint64_t ho[HOC_MAXN], oracle[HOC_MAXN] = {0};
        simenv_step env[HOC_MAXN];
        int64_t num = t->nodes[id].round;
        if (!words(json_get(round, "ho"), t->n, ho) || !jc || jc->type != JSON_NUM || !js ||
            js->type != JSON_ARR || js->n != t->n || (jo && !words(jo, t->n, oracle)))
            return fail(l,
                        "round %" PRId64 " of the trace lacks ho, crashed, oracle or states "
                        "for each of %d processes",
                        num, t->n);
        if ((uint64_t)jc->num & ~hoc_set_all(t->n))
            return fail(l, "round %" PRId64 ": a crashed process beyond p%d", num, t->n - 1);
        if (load_env(l, num, json_get(round, "env"), env) != 0) return -1;
        id = xt_step(t, id, ho, (uint64_t)jc->num, oracle, env, l->label);
        if (id < 0) return fail(l, "the explorer holds too many states");
        for (int p = 0; p < t->n; p++)
            if (compare_proc(l, id, p, num, &js->items[p]) != 0) return -1;
    }
    return id;
}

int xload_trace(xt_tree *t, int from, const char *text, size_t len, const char *label, char *err,
                size_t errn)
{
    json *j = parse_trace(text, len, err, errn);
    if (!j) return -1;
    Load l = {t, j, err, errn, label};
    int count = t->count; /* a trace that does not fit leaves nothing behind */
    int id = check_header(&l);
    if (id == 0) id = from >= 0 ? from : load_root(&l);
    if (id >= 0) id = load_rounds(&l, id);
    if (id < 0) xt_truncate(t, count);
    json_free(j);
    free(j);
    return id;
}
