/* verify.c: the `hoc verify` command line: parses and checks the program,
 * lists each algorithm's obligations, discharges them (vc.c) and reports. */
#include "cmd_verify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "diag.h"
#include "parse.h"
#include "vc.h"

#ifndef HOC_STDLIB_DIR
#define HOC_STDLIB_DIR "stdlib"
#endif

static int usage(const char *msg, const char *arg)
{
    fprintf(stderr, "hoc verify: ");
    fprintf(stderr, msg, arg);
    fprintf(stderr, "\nusage: hoc verify FILE.ho [--algorithm A] [--timeout S] [--smt2 DIR] "
                    "[--json] [--only TEXT]\n");
    return 2;
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

int hoc_cmd_verify(int argc, char **argv)
{
    const char *file = NULL, *algo = NULL, *smt2 = NULL, *only = NULL;
    double timeout = 20;
    bool json = false;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--algorithm") == 0 || strcmp(a, "--timeout") == 0 ||
            strcmp(a, "--smt2") == 0 || strcmp(a, "--only") == 0) {
            if (i + 1 >= argc) return usage("%s needs a value", a);
            const char *val = argv[++i];
            if (a[2] == 'a')
                algo = val;
            else if (a[2] == 'o')
                only = val;
            else if (a[2] == 's')
                smt2 = val;
            else {
                char *end;
                timeout = strtod(val, &end);
                if (*end || !(timeout > 0) || timeout > 86400)
                    return usage("bad --timeout '%s' (seconds, > 0)", val);
            }
        } else if (strcmp(a, "--json") == 0) {
            json = true;
        } else if (a[0] == '-' && a[1]) {
            return usage("unknown option '%s'", a);
        } else if (!file) {
            file = a;
        } else {
            return usage("unexpected argument '%s'", a);
        }
    }
    if (!file) return usage("%s", "no input file");
    Diag diag = {0};
    diag.out = stderr;
    const char *stdlib_dir = getenv("HOC_STDLIB");
    Program *prog =
        parse_program(file, stdlib_dir && *stdlib_dir ? stdlib_dir : HOC_STDLIB_DIR, &diag);
    if (!prog) return 2;
    Algo *algos = NULL;
    if (!diag.errors) algos = check_program(prog);
    if (diag.errors) {
        fprintf(stderr, "%d error%s\n", diag.errors, diag.errors == 1 ? "" : "s");
        algo_free(algos);
        program_free(prog);
        return 2;
    }
    int rc = 0, nfound = 0;
    bool any_failed = false, any_unknown = false;
    VcOpts o = {.timeout_ms = (unsigned)(timeout * 1000), .smt2_dir = smt2};
    if (json) printf("{\"file\": "), json_str(stdout, file), printf(", \"algorithms\": [");
    for (Algo *a = algos; a; a = a->next) {
        if (algo && strcmp(a->decl->name, algo) != 0) continue;
        VcObligation *obs = NULL;
        int nob = vc_obligations(a, &obs);
        if (only) { /* keep the obligations whose name contains the text */
            int k = 0;
            for (int i = 0; i < nob; i++)
                if (strstr(obs[i].name, only)) obs[k++] = obs[i];
            if (!json)
                printf("%s: --only '%s': %d of %d obligations selected; the exit status covers "
                       "those only\n",
                       a->decl->name, only, k, nob);
            nob = k;
        }
        if (json)
            printf("%s{\"name\": ", nfound ? ", " : ""), json_str(stdout, a->decl->name),
                printf(", \"obligations\": [");
        else
            printf("%s: %d obligation%s\n", a->decl->name, nob, nob == 1 ? "" : "s");
        nfound++;
        double total = 0;
        int nproved = 0;
        for (int i = 0; i < nob; i++) {
            VcResult r;
            vc_discharge(a, &obs[i], &o, &r);
            total += r.secs;
            if (r.status == VC_PROVED) nproved++;
            if (r.status == VC_FAILED) any_failed = true;
            if (r.status == VC_UNKNOWN) any_unknown = true;
            if (json) {
                printf("%s{\"name\": ", i ? ", " : "");
                json_str(stdout, obs[i].name);
                printf(", \"status\": \"%s\", \"seconds\": %.4f", status_name(r.status), r.secs);
                if (r.reason[0]) printf(", \"reason\": "), json_str(stdout, r.reason);
                if (r.cex) printf(", \"counterexample\": "), json_str(stdout, r.cex);
                if (r.smt2_path[0]) printf(", \"smt2\": "), json_str(stdout, r.smt2_path);
                printf("}");
            } else {
                printf("  %-8s %7.3fs  %s\n", status_name(r.status), r.secs, obs[i].name);
                /* a proof that used other invariants says which */
                if (r.reason[0] && (r.status != VC_PROVED || strncmp(r.reason, "with", 4) == 0))
                    printf("           %s\n", r.reason);
                if (r.cex)
                    printf("           counterexample (a model of the encoding):\n%s", r.cex);
                if (r.smt2_path[0]) printf("           query: %s\n", r.smt2_path);
            }
            free(r.cex);
        }
        if (json)
            printf("], \"proved\": %d, \"total\": %d, \"seconds\": %.4f}", nproved, nob, total);
        else
            printf("  %d of %d proved in %.3fs\n", nproved, nob, total);
        free(obs);
    }
    if (json) printf("]}\n");
    if (nfound == 0) {
        if (algo) fprintf(stderr, "hoc verify: no algorithm named '%s' in %s\n", algo, file);
        rc = 2;
    } else {
        rc = any_failed ? 1 : any_unknown ? 3 : 0;
    }
    algo_free(algos);
    program_free(prog);
    return rc;
}
