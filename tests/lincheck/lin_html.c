/* lin_html.c: the HTML timeline (see lin_html.h). */
#include "lin_html.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lin_report.h"

#define STEP_MIN 16 /* pixels between two distinct times */
#define STEP_MAX 80
#define WIDE 1600 /* pixels a timeline fills when it can */
#define LANE 26   /* pixels a row */
#define LABEL 120 /* pixels of the client column */

static const char *css =
    "body{font:14px system-ui,sans-serif;margin:20px;color:#222}"
    "h1{font-size:20px}h2{font-size:16px;margin-top:28px}"
    ".v-ok{color:#1a7f37}.v-bad{color:#cf222e}.v-unk{color:#9a6700}"
    ".scroll{overflow-x:auto;border:1px solid #ddd;background:#fafafa}"
    ".tl{position:relative}"
    ".lane{position:absolute;left:0;height:25px;border-top:1px solid #eee;width:100%}"
    ".who{position:absolute;left:4px;width:110px;font:12px monospace;overflow:hidden;"
    "white-space:nowrap;text-overflow:ellipsis;line-height:22px}"
    ".op{position:absolute;height:20px;border-radius:3px;font:11px monospace;line-height:20px;"
    "padding:0 3px;box-sizing:border-box;overflow:hidden;white-space:nowrap;"
    "text-overflow:ellipsis;border:1px solid #8c959f;background:#eaeef2}"
    ".op:hover{overflow:visible;z-index:5;background:#fff}"
    ".lin{background:#dafbe1;border-color:#4ac26b}"
    ".cand{background:#ffebe9;border-color:#cf222e;border-width:2px}"
    ".pend{border-style:dashed}"
    ".fail{position:absolute;top:0;width:2px;background:#cf222e}"
    "table{border-collapse:collapse;margin-top:8px}td,th{border:1px solid #ddd;padding:2px 8px;"
    "font:12px monospace;text-align:left;vertical-align:top}";

static void esc(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '<')
            fputs("&lt;", f);
        else if (*s == '>')
            fputs("&gt;", f);
        else if (*s == '&')
            fputs("&amp;", f);
        else if (*s == '"')
            fputs("&quot;", f);
        else
            fputc(*s, f);
    }
}

typedef struct layout {
    int64_t *times;
    size_t nt;
    long step;     /* pixels between two distinct times */
    uint32_t *row; /* per op of the partition: its row */
    uint32_t nrows;
    uint32_t *row_client;
    long *order; /* per history op: place in the order shown, -1 none */
} layout;

/* The x of time at: its rank among the sorted distinct times. */
static long xpos(const layout *L, int64_t at)
{
    return LABEL + (long)lin_report_rank(L->times, L->nt, at) * L->step;
}

/* Gives each client as many rows as its ops overlap (a client that gave up
 * on a request may send the next). */
static void lay_rows(const lin_history *h, const lin_part *p, layout *L)
{
    int64_t *ends = lin_history_calloc(p->nops, sizeof *ends);
    uint32_t *first = lin_history_calloc(h->nclients, sizeof *first);
    L->row = lin_history_calloc(p->nops, sizeof *L->row);
    L->row_client = lin_history_calloc(p->nops, sizeof *L->row_client);
    for (uint32_t c = 0; c < h->nclients; c++) {
        first[c] = L->nrows;
        for (size_t k = 0; k < p->nops; k++) {
            const lin_op *o = &h->ops[p->ops[k]];
            if (o->client != c) continue;
            uint32_t r = first[c];
            while (r < L->nrows && ends[r] >= o->call)
                r++;
            if (r == L->nrows) L->row_client[L->nrows++] = c;
            ends[r] = o->ret == LIN_PENDING ? INT64_MAX : o->ret;
            L->row[k] = r;
        }
    }
    free(ends);
    free(first);
}

static void layout_init(const lin_result *r, size_t part, const uint32_t *order, size_t n,
                        layout *L)
{
    const lin_history *h = r->mc.h;
    const lin_part *p = &r->parts.v[part];
    memset(L, 0, sizeof *L);
    L->times = lin_history_calloc(2 * p->nops, sizeof *L->times);
    L->order = lin_history_calloc(h->nops, sizeof *L->order);
    L->nt = lin_report_times(h, p->ops, p->nops, L->times);
    L->step = L->nt ? WIDE / (long)L->nt : STEP_MAX;
    L->step = L->step < STEP_MIN ? STEP_MIN : L->step > STEP_MAX ? STEP_MAX : L->step;
    for (size_t i = 0; i < h->nops; i++)
        L->order[i] = -1;
    for (size_t i = 0; i < n; i++)
        L->order[order[i]] = (long)i;
    lay_rows(h, p, L);
}

static void layout_free(layout *L)
{
    free(L->times), free(L->row), free(L->row_client), free(L->order);
}

static void bar(FILE *f, const lin_result *r, const layout *L, uint32_t op, uint32_t row,
                const char *cls)
{
    const lin_op *o = &r->mc.h->ops[op];
    long x0 = xpos(L, o->call);
    long x1 = o->ret == LIN_PENDING ? LABEL + (long)L->nt * L->step : xpos(L, o->ret);
    hoc_buf b = {0};
    lin_history_show_op(&b, o, 48);
    fprintf(f, "<div class=\"op %s%s\" style=\"left:%ldpx;width:%ldpx;top:%ldpx\" title=\"", cls,
            o->ret == LIN_PENDING ? " pend" : "", x0, x1 - x0 < 8 ? 8 : x1 - x0,
            (long)row * LANE + 3);
    fprintf(f, "%s, %lld..", r->mc.h->clients[o->client], (long long)o->call);
    if (o->ret == LIN_PENDING)
        fputs("? (no reply)", f);
    else
        fprintf(f, "%lld", (long long)o->ret);
    fprintf(f, ", line %u: ", o->line);
    esc(f, hoc_buf_str(&b));
    if (L->order[op] >= 0) fprintf(f, " [linearized #%ld]", L->order[op] + 1);
    fputs("\">", f);
    if (L->order[op] >= 0) fprintf(f, "#%ld ", L->order[op] + 1);
    esc(f, hoc_buf_str(&b));
    fputs("</div>\n", f);
    hoc_buf_free(&b);
}

static void timeline(FILE *f, const lin_result *r, size_t part, const layout *L,
                     const lin_failure *fail)
{
    const lin_part *p = &r->parts.v[part];
    long width = LABEL + (long)(L->nt + 2) * L->step, height = (long)L->nrows * LANE;
    fprintf(f, "<div class=\"scroll\"><div class=\"tl\" style=\"width:%ldpx;height:%ldpx\">\n",
            width, height);
    for (uint32_t row = 0; row < L->nrows; row++) {
        fprintf(f, "<div class=\"lane\" style=\"top:%ldpx\"><div class=\"who\">", (long)row * LANE);
        esc(f, r->mc.h->clients[L->row_client[row]]);
        fputs("</div></div>\n", f);
    }
    if (fail && fail->blocker >= 0)
        fprintf(f,
                "<div class=\"fail\" style=\"left:%ldpx;height:%ldpx\" title=\"the prefix "
                "gets stuck here\"></div>\n",
                xpos(L, fail->frontier), height);
    for (size_t k = 0; k < p->nops; k++) {
        uint32_t op = p->ops[k];
        const char *cls = L->order[op] >= 0 ? "lin" : "";
        for (size_t i = 0; fail && i < fail->ncands; i++)
            if (fail->cands[i] == op) cls = "cand";
        bar(f, r, L, op, L->row[k], cls);
    }
    fputs("</div></div>\n", f);
}

static void order_table(FILE *f, lin_result *r, size_t part, const uint32_t *order, size_t n)
{
    const lin_part *p = &r->parts.v[part];
    uint8_t *st = lin_history_calloc(1, lin_machine_size(&r->mc, p));
    lin_machine_start(&r->mc, p, st);
    hoc_buf b = {0};
    fputs("<table><tr><th>#</th><th>client</th><th>op</th><th>state after</th></tr>\n", f);
    for (size_t i = 0; i < n; i++) {
        const lin_op *o = &r->mc.h->ops[order[i]];
        lin_machine_apply(&r->mc, order[i], st);
        fprintf(f, "<tr><td>%zu</td><td>", i + 1);
        esc(f, r->mc.h->clients[o->client]);
        b.n = 0;
        lin_history_show_op(&b, o, 64);
        fputs("</td><td>", f);
        esc(f, hoc_buf_str(&b));
        b.n = 0;
        lin_machine_show(&r->mc, p, (long)order[i], st, &b);
        fputs("</td><td>", f);
        esc(f, hoc_buf_str(&b));
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
    hoc_buf_free(&b);
    free(st);
}

static void failure_table(FILE *f, const lin_result *r, const lin_failure *fail)
{
    hoc_buf b = {0};
    fputs("<p>State after the prefix: <code>", f);
    esc(f, fail->state_text);
    fputs("</code>. No op can go next:</p>\n<table><tr><th>client</th><th>op</th><th>line</th>"
          "<th>why not</th></tr>\n",
          f);
    for (size_t i = 0; i < fail->ncands; i++) {
        const lin_op *o = &r->mc.h->ops[fail->cands[i]];
        b.n = 0;
        lin_history_show_op(&b, o, 64);
        fputs("<tr><td>", f);
        esc(f, r->mc.h->clients[o->client]);
        fputs("</td><td>", f);
        esc(f, hoc_buf_str(&b));
        fprintf(f, "</td><td>%u</td><td>", o->line);
        esc(f, fail->why[i]);
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
    hoc_buf_free(&b);
}

static void section(FILE *f, lin_result *r, size_t part)
{
    const lin_part_result *pr = &r->per[part];
    hoc_buf keys = {0};
    lin_report_keys(&r->parts.v[part], &keys);
    const char *v = !pr->checked                      ? "not searched"
                    : pr->verdict == LIN_LINEARIZABLE ? "linearizable"
                    : pr->verdict == LIN_VIOLATION    ? "not linearizable"
                                                      : "unknown (budget)";
    const char *cls = pr->verdict == LIN_LINEARIZABLE ? "v-ok"
                      : pr->verdict == LIN_VIOLATION  ? "v-bad"
                                                      : "v-unk";
    fputs("<h2>Partition of ", f);
    esc(f, hoc_buf_str(&keys));
    fprintf(f, " (%zu ops): <span class=\"%s\">%s</span></h2>\n", r->parts.v[part].nops,
            pr->checked ? cls : "v-unk", v);
    hoc_buf_free(&keys);
    lin_failure fail;
    int failed = pr->checked && pr->verdict == LIN_VIOLATION;
    if (failed) lin_report_failure(r, part, &fail);
    layout L;
    layout_init(r, part, pr->s.order, pr->s.norder, &L);
    timeline(f, r, part, &L, failed ? &fail : NULL);
    layout_free(&L);
    fprintf(f, "<p>%s (%zu ops):</p>\n",
            pr->verdict == LIN_LINEARIZABLE ? "A linearization" : "The longest linearizable prefix",
            pr->s.norder);
    order_table(f, r, part, pr->s.order, pr->s.norder);
    if (failed) {
        failure_table(f, r, &fail);
        lin_report_failure_free(&fail);
    }
}

int lin_html_write(const char *path, lin_result *r, const char *title, size_t max_ops)
{
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    fprintf(f, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>hoc-lincheck: ");
    esc(f, title);
    fprintf(f, "</title><style>%s</style></head><body>\n<h1>", css);
    esc(f, title);
    fprintf(f, ": <span class=\"%s\">%s</span></h1>\n",
            r->verdict == LIN_LINEARIZABLE ? "v-ok"
            : r->verdict == LIN_VIOLATION  ? "v-bad"
                                           : "v-unk",
            lin_check_verdict_name(r->verdict));
    fprintf(f,
            "<p>%zu ops, %zu partition(s), %llu steps, %.3f s. Bars span call to return "
            "(dashed: no reply); #N is the place in the linearization shown; red: ops that "
            "could go next where the prefix gets stuck (red line).</p>\n",
            r->mc.h->nops, r->parts.n, (unsigned long long)r->steps, r->seconds);
    if (r->verdict == LIN_VIOLATION)
        section(f, r, r->failed);
    else if (r->verdict == LIN_UNKNOWN)
        section(f, r, r->stuck);
    size_t shown = 0;
    for (size_t p = 0; r->verdict == LIN_LINEARIZABLE && p < r->parts.n; p++) {
        shown += r->parts.v[p].nops;
        if (shown > max_ops && p > 0) {
            fprintf(f, "<p>%zu more partitions not shown.</p>\n", r->parts.n - p);
            break;
        }
        section(f, r, p);
    }
    fputs("</body></html>\n", f);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) {
        if (!errno) errno = EIO;
        return -1;
    }
    return 0;
}
