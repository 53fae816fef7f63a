/* job.c: the options, program and loaded algorithm of hoc sim and hoc check. */
#include "job.h"

#include <string.h>

#include "opaque.h"
#include "tool.h"

/* Takes one --param NAME=VALUE. Values are checked here, before anything is
 * compiled; names only once the algorithm is known (hoc_params_pick). */
static int param_arg(void *dst, const char *val, char *err, size_t errn)
{
    ParamArgs *pa = dst;
    const char *eq = strchr(val, '=');
    long long v;
    if (!eq || eq == val) {
        snprintf(err, errn, "--param takes NAME=VALUE, not '%s'", val);
        return -1;
    }
    if ((size_t)(eq - val) >= sizeof pa->names[0]) {
        snprintf(err, errn, "--param: no parameter has a name that long ('%.*s...')", 20, val);
        return -1;
    }
    if (hoc_opt_int(eq + 1, 0, INT32_MAX, &v) != 0) {
        snprintf(err, errn,
                 "--param takes NAME=VALUE with VALUE a whole number from 0 to %d, not '%s'",
                 INT32_MAX, val);
        return -1;
    }
    if (pa->n == HOC_MAXPARAMS) {
        snprintf(err, errn, "at most %d --param options", HOC_MAXPARAMS);
        return -1;
    }
    snprintf(pa->names[pa->n], sizeof pa->names[0], "%.*s", (int)(eq - val), val);
    pa->vals[pa->n++] = v;
    return 0;
}

void job_options(Job *j, const hoc_opt *own, const char *json_help, hoc_opt *t, size_t cap)
{
    const hoc_opt shared[] = {
        {"-n", HOC_OPT_INT, &j->n, 1, HOC_MAXN, .arg = "N", .help = "number of processes, 1 to 64"},
        {"--seed", HOC_OPT_INT, &j->seed, 0, LLONG_MAX, .arg = "S",
         .help = "seed of the adversary's random choices (default 1)"},
        {"--param", HOC_OPT_CALL, &j->params, .arg = "X=V", .call = param_arg,
         .help = "fix a parameter (default: the largest allowed)"},
        {"--algorithm", HOC_OPT_STR, &j->name, .arg = "A",
         .help = "which algorithm, when the file has several"},
        {"--extern", HOC_OPT_LIST, &j->externs, .arg = "F.c", .limit = 16,
         .help = "C file implementing the program's extern functions"},
        {"--json", HOC_OPT_SET, &j->json, .help = json_help},
        {NULL},
    };
    if (hoc_opt_join(t, cap, shared, own) != 0) /* a table too big is a bug, not a user error */
        hoc_opt_join(t, cap, shared, NULL);
}

int job_load(Job *j, int maxn)
{
    if (front_load(j->file, &j->fr) != 0) return 2;
    j->al = front_pick(&j->fr, j->name);
    if (!j->al) return 2;
    return load_algo(&j->fr, j->al, j->file, j->externs.v, j->externs.n, maxn, &j->l);
}

int job_params(const Job *j, int64_t *params)
{
    const char *names[HOC_MAXPARAMS];
    char err[512];
    for (int k = 0; k < j->params.n; k++)
        names[k] = j->params.names[k];
    if (hoc_params_pick(j->l.algo, (int)j->n, names, j->params.vals, j->params.n, params, err,
                        sizeof err) != 0) {
        fprintf(stderr, "hoc: %s\n", err);
        return 2;
    }
    return 0;
}

const char *job_block_look(const Job *j, char *buf, size_t cap)
{
    char lib[4096];
    return opaque_first_look(j->al, tool_path(TOOL_STDLIB, lib, sizeof lib), buf, cap) ? buf : NULL;
}

void job_free(Job *j)
{
    load_free(&j->l);
    front_free(&j->fr);
}
