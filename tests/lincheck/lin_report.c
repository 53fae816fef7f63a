/* lin_report.c: verdicts and failures for people (see lin_report.h). */
#include "lin_report.h"

#include <stdlib.h>
#include <string.h>

#define BAR_WIDTH 64
#define PREFIX_SHOWN 20

void lin_report_keys(const lin_part *p, hoc_buf *b)
{
    if (p->nslots == 0) {
        hoc_buf_puts(b, "no key");
        return;
    }
    hoc_buf_puts(b, p->nslots == 1 ? "key " : "keys ");
    for (uint32_t s = 0; s < p->nslots && s < 8; s++) {
        if (s) hoc_buf_puts(b, ", ");
        lin_history_show_val(b, p->keys[s], 32);
    }
    if (p->nslots > 8) hoc_buf_printf(b, " and %u more", p->nslots - 8);
}

static char *explain(lin_result *r, const lin_failure *f, uint32_t op)
{
    const lin_part *p = &r->parts.v[f->part];
    const lin_op *o = &r->mc.h->ops[op];
    uint8_t *st = lin_history_calloc(1, lin_machine_size(&r->mc, p));
    memcpy(st, f->state, lin_machine_size(&r->mc, p));
    bool fits = lin_machine_apply(&r->mc, op, st);
    hoc_buf b = {0};
    if (o->ret == LIN_PENDING) {
        hoc_buf_puts(&b, "no reply: may take effect here (it would return ");
        lin_machine_show_out(&r->mc, &b);
        hoc_buf_puts(&b, "), but no linearization goes on from there");
    } else if (!fits) {
        hoc_buf_puts(&b, "here it would return ");
        lin_machine_show_out(&r->mc, &b);
    } else {
        hoc_buf_puts(&b, "fits here, but no linearization goes on from there");
    }
    free(st);
    return hoc_buf_take(&b);
}

void lin_report_failure(lin_result *r, size_t part, lin_failure *f)
{
    const lin_part *p = &r->parts.v[part];
    const lin_history *h = r->mc.h;
    memset(f, 0, sizeof *f);
    f->part = part;
    f->prefix = r->per[part].s.order;
    f->nprefix = r->per[part].s.norder;
    f->state = lin_history_calloc(1, lin_machine_size(&r->mc, p));
    lin_machine_start(&r->mc, p, f->state);
    bool *done = lin_history_calloc(h->nops, sizeof *done);
    for (size_t i = 0; i < f->nprefix; i++) {
        lin_machine_apply(&r->mc, f->prefix[i], f->state);
        done[f->prefix[i]] = true;
    }
    f->blocker = -1;
    for (size_t k = 0; k < p->nops; k++) {
        const lin_op *o = &h->ops[p->ops[k]];
        if (!done[p->ops[k]] && o->ret != LIN_PENDING && (f->blocker < 0 || o->ret < f->frontier))
            f->frontier = o->ret, f->blocker = p->ops[k];
    }
    f->cands = lin_history_calloc(p->nops, sizeof *f->cands);
    f->why = lin_history_calloc(p->nops, sizeof *f->why);
    for (size_t k = 0; k < p->nops; k++) {
        uint32_t op = p->ops[k];
        if (done[op] || (f->blocker >= 0 && h->ops[op].call > f->frontier)) continue;
        f->why[f->ncands] = explain(r, f, op);
        f->cands[f->ncands++] = op;
    }
    hoc_buf b = {0};
    lin_machine_show(&r->mc, p, -1, f->state, &b);
    f->state_text = hoc_buf_take(&b);
    free(done);
}

void lin_report_failure_free(lin_failure *f)
{
    for (size_t i = 0; i < f->ncands; i++)
        free(f->why[i]);
    free(f->why), free(f->cands), free(f->state), free(f->state_text);
    memset(f, 0, sizeof *f);
}

/* How far op's interval lies from time t (0 when it spans t). */
static int64_t distance(const lin_op *o, int64_t t)
{
    if (o->call > t) return o->call - t;
    if (o->ret != LIN_PENDING && o->ret < t) return t - o->ret;
    return 0;
}

/* Up to max ops of partition p nearest to the failure, by call time. */
static size_t pick_ops(const lin_result *r, const lin_failure *f, size_t max, uint32_t *out)
{
    const lin_part *p = &r->parts.v[f->part];
    size_t n = p->nops < max ? p->nops : max;
    if (n == p->nops) {
        memcpy(out, p->ops, n * sizeof *out);
        return n;
    }
    /* a threshold on the distance, found by bisection, keeps call order */
    int64_t lo = 0, hi = INT64_MAX / 2;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        size_t c = 0;
        for (size_t k = 0; k < p->nops; k++)
            c += distance(&r->mc.h->ops[p->ops[k]], f->frontier) <= mid;
        if (c >= n)
            hi = mid;
        else
            lo = mid + 1;
    }
    size_t c = 0;
    for (size_t k = 0; k < p->nops && c < n; k++)
        if (distance(&r->mc.h->ops[p->ops[k]], f->frontier) <= lo) out[c++] = p->ops[k];
    return c;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

size_t lin_report_rank(const int64_t *t, size_t nt, int64_t at)
{
    size_t lo = 0, hi = nt;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (t[mid] < at)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The column of time t among the sorted distinct times. */
static int column(const int64_t *times, size_t nt, int64_t t, int width)
{
    size_t rank = lin_report_rank(times, nt, t);
    return nt < 2 ? 0 : (int)(rank * (size_t)(width - 1) / (nt - 1));
}

size_t lin_report_times(const lin_history *h, const uint32_t *ops, size_t n, int64_t *t)
{
    size_t nt = 0;
    for (size_t k = 0; k < n; k++) {
        t[nt++] = h->ops[ops[k]].call;
        if (h->ops[ops[k]].ret != LIN_PENDING) t[nt++] = h->ops[ops[k]].ret;
    }
    qsort(t, nt, sizeof *t, cmp_i64);
    size_t u = 0;
    for (size_t i = 0; i < nt; i++)
        if (u == 0 || t[i] != t[u - 1]) t[u++] = t[i];
    return u;
}

/* One row: the op's place in the prefix (or !! for a candidate), its
 * client, a bar over the compressed time axis, and the op itself. */
static void timeline_row(FILE *out, const lin_result *r, const lin_failure *f, uint32_t op,
                         const int64_t *times, size_t nt, int width)
{
    const lin_op *o = &r->mc.h->ops[op];
    char bar[BAR_WIDTH + 1], mark[24] = "  ";
    memset(bar, ' ', (size_t)width);
    bar[width] = 0;
    if (f->blocker >= 0) bar[column(times, nt, f->frontier, width)] = ':';
    int a = column(times, nt, o->call, width);
    int z = o->ret == LIN_PENDING ? width - 1 : column(times, nt, o->ret, width);
    for (int c = a; c <= z; c++)
        bar[c] = '=';
    bar[a] = '[';
    bar[z] = o->ret == LIN_PENDING ? '>' : a == z ? '|' : ']';
    for (size_t i = 0; i < f->nprefix; i++)
        if (f->prefix[i] == op) snprintf(mark, sizeof mark, "%zu", i + 1);
    for (size_t i = 0; i < f->ncands; i++)
        if (f->cands[i] == op) snprintf(mark, sizeof mark, "!!");
    hoc_buf b = {0};
    lin_history_show_op(&b, o, 32);
    char when[48];
    if (o->ret == LIN_PENDING)
        snprintf(when, sizeof when, "%lld..?", (long long)o->call);
    else
        snprintf(when, sizeof when, "%lld..%lld", (long long)o->call, (long long)o->ret);
    fprintf(out, "  %5s %-10.10s %-21s %s  %s\n", mark, r->mc.h->clients[o->client], when, bar,
            hoc_buf_str(&b));
    hoc_buf_free(&b);
}

static void timeline_text(FILE *out, lin_result *r, const lin_failure *f, size_t max_ops)
{
    const lin_part *p = &r->parts.v[f->part];
    uint32_t *ops = lin_history_calloc(p->nops, sizeof *ops);
    size_t n = pick_ops(r, f, max_ops, ops);
    int64_t *times = lin_history_calloc(2 * n + 1, sizeof *times);
    size_t nt = lin_report_times(r->mc.h, ops, n, times);
    int width = nt * 3 < BAR_WIDTH ? (int)nt * 3 : BAR_WIDTH;
    if (width < 8) width = 8;
    fprintf(out,
            "\nTimeline (%zu of %zu ops; N: place in the prefix, !!: could go next; ':' "
            "marks time %lld, where the prefix gets stuck):\n",
            n, p->nops, (long long)f->frontier);
    fprintf(out, "  %5s %-10s %-21s %-*s  %s\n", "", "client", "call..return", width, "time", "op");
    for (size_t k = 0; k < n; k++)
        timeline_row(out, r, f, ops[k], times, nt, width);
    free(times);
    free(ops);
}

static void prefix_text(FILE *out, lin_result *r, const lin_failure *f)
{
    const lin_part *p = &r->parts.v[f->part];
    const lin_history *h = r->mc.h;
    fprintf(out, "\nLongest linearizable prefix found: %zu of %zu ops\n", f->nprefix, p->nops);
    size_t from = f->nprefix > PREFIX_SHOWN ? f->nprefix - PREFIX_SHOWN : 0;
    if (from) fprintf(out, "  (%zu earlier ops)\n", from);
    uint8_t *st = lin_history_calloc(1, lin_machine_size(&r->mc, p));
    lin_machine_start(&r->mc, p, st);
    hoc_buf b = {0};
    for (size_t i = 0; i < f->nprefix; i++) {
        lin_machine_apply(&r->mc, f->prefix[i], st);
        if (i < from) continue;
        const lin_op *o = &h->ops[f->prefix[i]];
        b.n = 0;
        lin_history_show_op(&b, o, 32);
        hoc_buf_puts(&b, "   => ");
        lin_machine_show(&r->mc, p, (long)f->prefix[i], st, &b);
        fprintf(out, "  %5zu %-10.10s %s\n", i + 1, h->clients[o->client], hoc_buf_str(&b));
    }
    fprintf(out, "State then: %s\n", f->state_text);
    if (f->blocker >= 0) {
        b.n = 0;
        lin_history_show_op(&b, &h->ops[f->blocker], 32);
        fprintf(out, "No op can go next: %s %s (line %u) has returned by %lld.\n",
                h->clients[h->ops[f->blocker].client], hoc_buf_str(&b), h->ops[f->blocker].line,
                (long long)f->frontier);
    }
    for (size_t i = 0; i < f->ncands; i++) {
        const lin_op *o = &h->ops[f->cands[i]];
        b.n = 0;
        lin_history_show_op(&b, o, 32);
        fprintf(out, "     %-10.10s %s (line %u): %s\n", h->clients[o->client], hoc_buf_str(&b),
                o->line, f->why[i]);
    }
    hoc_buf_free(&b);
    free(st);
}

static size_t largest(const lin_result *r)
{
    return r->parts.n ? r->parts.v[r->parts.n - 1].nops : 0;
}

void lin_report_text(FILE *out, lin_result *r, size_t max_ops)
{
    fprintf(out, "%s: %zu ops, %zu partition%s (largest %zu ops), %llu steps, %.3f s\n",
            lin_check_verdict_name(r->verdict), r->mc.h->nops, r->parts.n,
            r->parts.n == 1 ? "" : "s", largest(r), (unsigned long long)r->steps, r->seconds);
    hoc_buf b = {0};
    if (r->verdict == LIN_UNKNOWN) {
        size_t p = r->stuck;
        lin_report_keys(&r->parts.v[p], &b);
        fprintf(out,
                "The %s budget ran out in the partition of %s (%zu ops; longest "
                "linearizable prefix %zu); %zu of %zu partitions were searched.\n",
                r->why, hoc_buf_str(&b), r->parts.v[p].nops, r->per[p].s.norder, r->nchecked,
                r->parts.n);
    }
    if (r->verdict == LIN_VIOLATION) {
        lin_failure f;
        lin_report_failure(r, r->failed, &f);
        lin_report_keys(&r->parts.v[r->failed], &b);
        fprintf(out,
                "Not linearizable: the partition of %s (%zu ops; the smallest of those "
                "searched that fails).\n",
                hoc_buf_str(&b), r->parts.v[r->failed].nops);
        timeline_text(out, r, &f, max_ops);
        prefix_text(out, r, &f);
        lin_report_failure_free(&f);
    }
    hoc_buf_free(&b);
}
