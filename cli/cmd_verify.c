/* cmd_verify.c: `hoc verify FILE.ho`: lists each algorithm's obligations,
 * discharges them (prover/vc.c) and reports, as text or JSON. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cmd.h"
#include "front.h"
#include "vc.h"

typedef struct VerifyArgs {
    const char *algo, *smt2, *only;
    double timeout;
    bool json;
} VerifyArgs;

/* The options of hoc verify, writing into *args, a VerifyArgs. */
static void verify_options(void *args, hoc_opt *t, size_t cap)
{
    VerifyArgs *v = args;
    const hoc_opt own[] = {
        {"--algorithm", HOC_OPT_STR, &v->algo, .arg = "A",
         .help = "only algorithm A (default: every algorithm of the file)"},
        {"--timeout", HOC_OPT_REAL, &v->timeout, .lo = 0.001, .hi = 86400, .arg = "S",
         .help = "seconds for each obligation (default 20)"},
        {"--only", HOC_OPT_STR, &v->only, .arg = "TEXT",
         .help = "only the obligations whose name contains TEXT"},
        {"--smt2", HOC_OPT_STR, &v->smt2, .arg = "DIR",
         .help = "write each query to DIR as an SMT-LIB script"},
        {"--json", HOC_OPT_SET, &v->json, .help = "one JSON object instead of text"},
        {NULL},
    };
    hoc_opt_join(t, cap, own, NULL);
}

/* One algorithm's obligations, and how many of them --only selects. */
typedef struct Duty {
    Algo *al;
    VcObligation *obs;
    int n, nselected;
} Duty;

static bool selected(const VerifyArgs *v, const VcObligation *ob)
{
    return !v->only || strstr(ob->name, v->only);
}

/* The obligations of the algorithms --algorithm selects, into *out (count
 * returned); -1 after a message when there is no such algorithm. */
static int list_duties(Front *fr, const VerifyArgs *v, Duty **out)
{
    int n = 0, k = 0;
    for (Algo *a = fr->algos; a; a = a->next)
        n++;
    Duty *d = calloc((size_t)n + 1, sizeof *d);
    if (!d) {
        fprintf(stderr, "hoc: out of memory\n");
        return -1;
    }
    for (Algo *a = fr->algos; a; a = a->next) {
        if (v->algo && strcmp(a->decl->name, v->algo) != 0) continue;
        d[k].al = a;
        d[k].n = vc_obligations(a, &d[k].obs);
        for (int i = 0; i < d[k].n; i++)
            d[k].nselected += selected(v, &d[k].obs[i]);
        k++;
    }
    *out = d;
    if (k == 0 && v->algo) fprintf(stderr, "hoc: no algorithm named '%s'\n", v->algo);
    return k == 0 && v->algo ? -1 : k;
}

/* --only that selects nothing is a mistake in the command, not a verdict:
 * exit 2, naming what could have been selected. */
static int only_matches_nothing(const VerifyArgs *v, const Duty *d, int nd)
{
    hoc_buf b = {0};
    int total = 0;
    hoc_buf_printf(&b, "--only '%s' matches no obligation; the obligations are:", v->only);
    for (int k = 0; k < nd; k++)
        for (int i = 0; i < d[k].n; i++, total++)
            hoc_buf_printf(&b, "\n  %s: %s", d[k].al->decl->name, d[k].obs[i].name);
    if (total == 0) hoc_buf_puts(&b, "\n  (none)");
    int rc = cmd_usage("%s", hoc_buf_str(&b));
    hoc_buf_free(&b);
    return rc;
}

static void json_str(FILE *f, const char *s)
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

static const char *status_name(VcStatus s)
{
    return s == VC_PROVED ? "proved" : s == VC_FAILED ? "failed" : "unknown";
}

/* Prints one obligation's result. */
static void report(const VerifyArgs *v, const VcObligation *ob, const VcResult *r, bool first)
{
    if (v->json) {
        printf("%s{\"name\": ", first ? "" : ", ");
        json_str(stdout, ob->name);
        printf(", \"status\": \"%s\", \"seconds\": %.4f", status_name(r->status), r->secs);
        if (r->reason[0]) printf(", \"reason\": "), json_str(stdout, r->reason);
        if (r->cex) printf(", \"counterexample\": "), json_str(stdout, r->cex);
        if (r->smt2_path[0]) printf(", \"smt2\": "), json_str(stdout, r->smt2_path);
        printf("}");
        return;
    }
    printf("  %-8s %7.3fs  %s\n", status_name(r->status), r->secs, ob->name);
    /* a proof that used other invariants says which */
    if (r->reason[0] && (r->status != VC_PROVED || strncmp(r->reason, "with", 4) == 0))
        printf("           %s\n", r->reason);
    if (r->cex) printf("           counterexample (a model of the encoding):\n%s", r->cex);
    if (r->smt2_path[0]) printf("           query: %s\n", r->smt2_path);
}

/* Discharges one algorithm's selected obligations; its worst verdict as an
 * exit status (0 proved, 3 unknown, 1 failed). */
static int discharge(const VerifyArgs *v, const Duty *d, bool first)
{
    const char *name = d->al->decl->name;
    VcOpts o = {.timeout_ms = (unsigned)(v->timeout * 1000), .smt2_dir = v->smt2};
    if (v->json) {
        printf("%s{\"name\": ", first ? "" : ", "), json_str(stdout, name);
        printf(", \"obligations\": [");
    } else {
        if (v->only)
            printf("%s: --only '%s': %d of %d obligations selected; the exit status covers "
                   "those only\n",
                   name, v->only, d->nselected, d->n);
        printf("%s: %d obligation%s\n", name, d->nselected, d->nselected == 1 ? "" : "s");
    }
    double total = 0;
    int nproved = 0, ndone = 0, rc = 0;
    for (int i = 0; i < d->n; i++) {
        if (!selected(v, &d->obs[i])) continue;
        VcResult r;
        vc_discharge(d->al, &d->obs[i], &o, &r);
        total += r.secs;
        nproved += r.status == VC_PROVED;
        if (r.status == VC_FAILED) rc = 1;
        if (r.status == VC_UNKNOWN && rc == 0) rc = 3;
        report(v, &d->obs[i], &r, ndone++ == 0);
        free(r.cex);
    }
    if (v->json)
        printf("], \"proved\": %d, \"total\": %d, \"seconds\": %.4f}", nproved, d->nselected,
               total);
    else
        printf("  %d of %d proved in %.3fs\n", nproved, d->nselected, total);
    return rc;
}

/* Lists, checks --only, and discharges; the exit status. */
static int verify(Front *fr, const char *file, const VerifyArgs *v)
{
    Duty *d = NULL;
    int nd = list_duties(fr, v, &d), rc = 0, nselected = 0;
    if (nd < 0) rc = 2;
    for (int k = 0; k < nd; k++)
        nselected += d[k].nselected;
    if (rc == 0 && v->only && nselected == 0) rc = only_matches_nothing(v, d, nd);
    if (rc == 0 && nd == 0) {
        fprintf(stderr, "hoc: %s defines no algorithm\n", file);
        rc = 2;
    }
    if (rc == 0) {
        bool failed = false, unknown = false;
        if (v->json) printf("{\"file\": "), json_str(stdout, file), printf(", \"algorithms\": [");
        for (int k = 0; k < nd; k++) {
            int r = discharge(v, &d[k], k == 0);
            failed |= r == 1, unknown |= r == 3;
        }
        if (v->json) printf("]}\n");
        rc = failed ? 1 : unknown ? 3 : 0;
    }
    for (int k = 0; k < nd; k++)
        free(d[k].obs);
    free(d);
    return rc;
}

static int verify_run(int argc, char **argv)
{
    VerifyArgs v = {.timeout = 20};
    hoc_opt t[CMD_MAXOPTS];
    const char *file;
    verify_options(&v, t, CMD_MAXOPTS);
    if (cmd_parse(t, argc, argv, "verify", &file) != 0) return 2;
    Front fr;
    int rc = front_load(file, &fr);
    if (rc == 0) rc = verify(&fr, file, &v);
    front_free(&fr);
    return rc;
}

const Command cmd_verify = {"verify",
                            "verify FILE.ho [options]",
                            "prove the invariants with Z3 (see docs/verifier.md)",
                            verify_run,
                            verify_options,
                            sizeof(VerifyArgs)};
