/* main.c: hoc-lincheck, the linearizability checker's command line. It
 * reads a history (tests/lincheck/README.md), checks it against a model and
 * says so by its exit status: 0 linearizable, 1 not, 2 bad usage or
 * history, 3 unknown (the budget ran out). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "lin_block.h"
#include "lin_html.h"
#include "lin_kv.h"
#include "lin_report.h"
#include "lin_text.h"
#include "opt.h"

typedef struct args {
    const char *model, *html;
    long long block_size, max_steps, max_mb, report_ops, html_ops;
    double budget;
    bool whole, all, quiet, help;
} args;

static void options(args *a, hoc_opt *t)
{
    const hoc_opt table[] = {
        {"--model", HOC_OPT_STR, &a->model, .arg = "M", .help = "kv (default) or block"},
        {"--block-size", HOC_OPT_INT, &a->block_size, 0, 1 << 30, .arg = "N",
         .help = "bytes of a block (block model; default: the first block the history shows)"},
        {"--budget", HOC_OPT_REAL, &a->budget, .lo = 0, .hi = 1e9, .arg = "S",
         .help = "seconds for the whole check; beyond: unknown (default 60, 0: no limit)"},
        {"--max-steps", HOC_OPT_INT, &a->max_steps, 0, (long long)1 << 62, .arg = "N",
         .help = "ops tried, over all partitions; beyond: unknown (default 0: no limit)"},
        {"--max-mb", HOC_OPT_INT, &a->max_mb, 0, 1 << 30, .arg = "N",
         .help = "MiB one partition's search may remember; beyond: unknown (default 2048)"},
        {"--whole", HOC_OPT_SET, &a->whole, .help = "check all ops as one partition"},
        {"--all", HOC_OPT_SET, &a->all, .help = "search every partition, even after a violation"},
        {"--html", HOC_OPT_STR, &a->html, .arg = "FILE", .help = "write an HTML timeline to FILE"},
        {"--html-ops", HOC_OPT_INT, &a->html_ops, 1, 1000000, .arg = "N",
         .help = "ops the HTML shows when linearizable (default 2000)"},
        {"--report-ops", HOC_OPT_INT, &a->report_ops, 1, 1000000, .arg = "N",
         .help = "ops the text timeline shows, nearest the failure (default 60)"},
        {"--quiet", HOC_OPT_SET, &a->quiet, .help = "print the verdict line only"},
        {"--help", HOC_OPT_SET, &a->help, .help = "this text"},
        {"-h", HOC_OPT_SET, &a->help, .help = NULL},
        {0},
    };
    memcpy(t, table, sizeof table);
}

static void usage(FILE *f, const hoc_opt *t)
{
    fputs("usage: hoc-lincheck [options] HISTORY   (- reads standard input)\n"
          "Checks a client history for linearizability against a sequential model.\n"
          "Exit status: 0 linearizable, 1 not linearizable, 2 bad usage or history, 3 unknown.\n"
          "options:\n",
          f);
    hoc_opt_print(f, t, 2);
}

static int fail(const char *fmt, const char *a, const char *b)
{
    fputs("hoc-lincheck: ", stderr);
    fprintf(stderr, fmt, a, b);
    fputs("\n", stderr);
    return 2;
}

static int read_history(const char *path, lin_history *h)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (!f) return fail("%s: %s", path, strerror(errno));
    char err[512];
    int rc = lin_text_read(f, h, err, sizeof err);
    if (f != stdin) fclose(f);
    return rc == 0 ? 0 : fail("%s: %s", path, err);
}

static int check(const args *a, const char *path, lin_model *m, lin_history *h)
{
    lin_options o = {.budget_s = a->budget,
                     .max_steps = (uint64_t)a->max_steps,
                     .max_bytes = (size_t)a->max_mb << 20,
                     .whole = a->whole,
                     .all = a->all};
    lin_result r;
    char err[512];
    if (lin_check_run(m, h, &o, &r, err, sizeof err) != 0) return fail("%s: %s", path, err);
    if (a->quiet)
        printf("%s\n", lin_check_verdict_name(r.verdict));
    else
        lin_report_text(stdout, &r, (size_t)a->report_ops);
    int rc = r.verdict == LIN_LINEARIZABLE ? 0 : r.verdict == LIN_VIOLATION ? 1 : 3;
    if (a->html && lin_html_write(a->html, &r, path, (size_t)a->html_ops) != 0)
        rc = fail("%s: %s", a->html, strerror(errno));
    lin_check_free(&r);
    return rc;
}

int main(int argc, char **argv)
{
    args a = {.model = "kv", .budget = 60, .max_mb = 2048, .report_ops = 60, .html_ops = 2000};
    hoc_opt t[16];
    options(&a, t);
    const char *path = NULL;
    int npos;
    char err[512];
    if (hoc_opt_parse(t, argc - 1, argv + 1, &path, 1, &npos, err, sizeof err) != 0) {
        fprintf(stderr, "hoc-lincheck: %s\n", err);
        return 2;
    }
    if (a.help) {
        usage(stdout, t);
        return 0;
    }
    if (npos != 1) {
        usage(stderr, t);
        return 2;
    }
    lin_model m;
    if (strcmp(a.model, "kv") == 0)
        lin_kv_model(&m);
    else if (strcmp(a.model, "block") == 0)
        lin_block_model(&m, (size_t)a.block_size, NULL);
    else
        return fail("unknown model '%s'%s (kv or block)", a.model, "");
    lin_history h;
    lin_history_init(&h);
    int rc = read_history(path, &h);
    if (rc == 0) rc = check(&a, path, &m, &h);
    lin_history_free(&h);
    m.free(m.ctx);
    return rc;
}
