/* cmd_verify.c: `hoc verify FILE.ho`: lists each algorithm's obligations,
 * discharges them (prover/vc.c) and reports, as text or JSON. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cmd.h"
#include "front.h"
#include "json.h"
#include "vc.h"
#include "evidence.h"

/* Z3 resource units a second of --timeout buys: about what Z3 spends in a
 * second on an idle two-core machine (docs/verifier.md, "Budgets"). */
#define VERIFY_UNITS_PER_S 2000000.0
/* The wall clock's backstop, in multiples of --timeout, where units count. */
#define VERIFY_BACKSTOP 4.0

typedef struct VerifyArgs {
    const char *algo, *smt2, *only;
    double timeout;
    long long rlimit; /* Z3 resource units per obligation; 0: none; -1: from --timeout */
    bool json;
    double check_time;    /* hoc check's budget per algorithm; 0: no runs */
    const char *evidence; /* where its traces go; NULL: a fresh directory */
    const char *file;
} VerifyArgs;

/* The options of hoc verify, writing into *args, a VerifyArgs. */
static void verify_options(void *args, hoc_opt *t, size_t cap)
{
    VerifyArgs *v = args;
    const hoc_opt own[] = {
        {"--algorithm", HOC_OPT_STR, &v->algo, .arg = "A",
         .help = "only algorithm A (default: every algorithm of the file)"},
        {"--timeout", HOC_OPT_REAL, &v->timeout, .lo = 0.001, .hi = 86400, .arg = "S",
         .help = "seconds for each obligation (default 20), counted in Z3 resource\n"
                 "units (--rlimit); the wall clock stops it at four times that"},
        {"--rlimit", HOC_OPT_INT, &v->rlimit, 0, 1000000000000LL, .arg = "R",
         .help = "Z3 resource units for each obligation (default: 2000000 per second\n"
                 "of --timeout; 0: none, the wall clock alone)"},
        {"--only", HOC_OPT_STR, &v->only, .arg = "TEXT",
         .help = "only the obligations whose name contains TEXT"},
        {"--smt2", HOC_OPT_STR, &v->smt2, .arg = "DIR",
         .help = "write each query to DIR as an SMT-LIB script"},
        {"--json", HOC_OPT_SET, &v->json, .help = "one JSON object instead of text"},
        {"--check-time", HOC_OPT_REAL, &v->check_time, .lo = 0, .hi = 86400, .arg = "S",
         .help = "seconds hoc check may spend per algorithm on a run that refutes\n"
                 "what is not proved, or cross-checks what is (default 5; 0: none)"},
        {"--evidence", HOC_OPT_STR, &v->evidence, .arg = "DIR",
         .help = "where those runs' traces go (default: a new /tmp/hoc-verify-*)"},
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

static const char *status_name(VcStatus s)
{
    return s == VC_PROVED ? "proved" : s == VC_FAILED ? "failed" : "unknown";
}

/* Prints one obligation's result, with the trace that refuted it if any. */
static void report(const VerifyArgs *v, const VcObligation *ob, const VcResult *r,
                   const XcFinding *x, bool first)
{
    if (v->json) {
        printf("%s{\"name\": ", first ? "" : ", ");
        json_write_str(stdout, ob->name);
        printf(", \"status\": \"%s\", \"seconds\": %.4f", status_name(r->status), r->secs);
        if (r->reason[0]) printf(", \"reason\": "), json_write_str(stdout, r->reason);
        if (r->cex) printf(", \"counterexample\": "), json_write_str(stdout, r->cex);
        if (r->smt2_path[0]) printf(", \"smt2\": "), json_write_str(stdout, r->smt2_path);
        if (x) ev_json(stdout, x);
        printf("}");
        return;
    }
    printf("  %-8s %7.3fs  %s\n", status_name(r->status), r->secs, ob->name);
    /* a proof that used other invariants says which */
    if (r->reason[0] && (r->status != VC_PROVED || strncmp(r->reason, "with", 4) == 0))
        printf("           %s\n", r->reason);
    if (x) ev_print(stdout, x, v->file);
    if (r->cex) printf("           counterexample (a model of the encoding):\n%s", r->cex);
    if (r->smt2_path[0]) printf("           query: %s\n", r->smt2_path);
}

/* The tests' way to make a wrong proof, which the cross-check with hoc
 * check must catch: HOC_VERIFY_TEST_PROVED=TEXT marks the obligations
 * whose name contains TEXT proved (tests/verify/run.sh usage). */
static void pretend_proved(const VcObligation *ob, VcResult *r)
{
    const char *text = getenv("HOC_VERIFY_TEST_PROVED");
    if (!text || !*text || !strstr(ob->name, text)) return;
    r->status = VC_PROVED;
    snprintf(r->reason, sizeof r->reason, "pretended proved (HOC_VERIFY_TEST_PROVED)");
}

/* The header of one algorithm's report. */
static void report_start(const VerifyArgs *v, const Duty *d, bool first)
{
    const char *name = d->al->decl->name;
    if (v->json) {
        printf("%s{\"name\": ", first ? "" : ", "), json_write_str(stdout, name);
        printf(", \"obligations\": [");
        return;
    }
    if (v->only)
        printf("%s: --only '%s': %d of %d obligations selected; the exit status covers "
               "those only\n",
               name, v->only, d->nselected, d->n);
    printf("%s: %d obligation%s\n", name, d->nselected, d->nselected == 1 ? "" : "s");
    fflush(stdout);
}

/* Discharges one algorithm's selected obligations; its worst verdict as an
 * exit status (0 proved, 3 unknown, 1 failed, 2 a disagreement with hoc check). */
static int discharge(const VerifyArgs *v, Front *fr, const Duty *d, bool first)
{
    VcResult *res = calloc((size_t)d->n + 1, sizeof *res);
    bool *sel = calloc((size_t)d->n + 1, sizeof *sel);
    if (!res || !sel) abort();
    for (int i = 0; i < d->n; i++)
        sel[i] = selected(v, &d->obs[i]);
    /* The budget is counted in Z3's resource units, which a busy machine
     * spends as an idle one does, so that the verdicts are the same on both;
     * the wall clock, four times --timeout, is only a backstop. */
    uint64_t units =
        v->rlimit >= 0 ? (uint64_t)v->rlimit : (uint64_t)(v->timeout * VERIFY_UNITS_PER_S) + 1;
    double wall = units ? v->timeout * VERIFY_BACKSTOP : v->timeout;
    VcOpts o = {.timeout_ms = (unsigned)(wall * 1000), .rlimit = units, .smt2_dir = v->smt2};
    EvOpts eo = {
        .budget = v->check_time, .dir = v->evidence, .src = v->file, .timeout_ms = o.timeout_ms};
    Evidence ev;
    ev_init(&ev, &eo, fr, d->al, d->obs, d->n, sel);
    report_start(v, d, first);
    double total = 0;
    int nproved = 0, ndone = 0, rc = 0;
    for (int i = 0; i < d->n; i++) {
        if (!sel[i]) continue;
        VcResult *r = &res[i];
        vc_discharge(d->al, &d->obs[i], &o, r);
        pretend_proved(&d->obs[i], r);
        const XcFinding *x = ev_refute(&ev, i, r);
        total += r->secs;
        nproved += r->status == VC_PROVED;
        if (r->status == VC_FAILED) rc = 1;
        if (r->status == VC_UNKNOWN && rc == 0) rc = 3;
        report(v, &d->obs[i], r, x, ndone++ == 0);
        fflush(stdout);
    }
    int xrc = ev_cross_check(&ev, res);
    const char *searched = ev_searched(&ev);
    if (v->json) {
        printf("], \"proved\": %d, \"total\": %d, \"seconds\": %.4f", nproved, d->nselected, total);
        if (searched) printf(", \"checked\": "), json_write_str(stdout, searched);
        printf("}");
    } else {
        printf("  %d of %d proved in %.3fs\n", nproved, d->nselected, total);
        if (searched) printf("  hoc check (%g s budget): %s\n", v->check_time, searched);
    }
    for (int i = 0; i < d->n; i++)
        vc_result_free(&res[i]);
    free(res), free(sel);
    ev_free(&ev);
    return xrc ? xrc : rc;
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
        bool failed = false, unknown = false, broken = false;
        if (v->json)
            printf("{\"file\": "), json_write_str(stdout, file), printf(", \"algorithms\": [");
        for (int k = 0; k < nd; k++) {
            int r = discharge(v, fr, &d[k], k == 0);
            failed |= r == 1, unknown |= r == 3, broken |= r == 2;
        }
        if (v->json) printf("]}\n");
        rc = broken ? 2 : failed ? 1 : unknown ? 3 : 0;
    }
    for (int k = 0; k < nd; k++)
        free(d[k].obs);
    free(d);
    return rc;
}

static int verify_run(int argc, char **argv)
{
    VerifyArgs v = {.timeout = 20, .rlimit = -1, .check_time = 5};
    hoc_opt t[CMD_MAXOPTS];
    const char *file;
    verify_options(&v, t, CMD_MAXOPTS);
    if (cmd_parse(t, argc, argv, "verify", &file) != 0) return 2;
    v.file = file;
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
