/* params.c: choosing parameter values (see params.h). */
#include "params.h"

#include <stdio.h>
#include <string.h>

/* The index of parameter name in a, or -1. */
static int param_index(const hoc_algo *a, const char *name)
{
    for (int i = 0; i < a->nparams; i++)
        if (strcmp(a->params[i], name) == 0) return i;
    return -1;
}

/* Checks the fixed values and writes them into params, the free ones into
 * free_idx. Returns the number of free parameters, or -1 with a message. */
static int fix_given(const hoc_algo *a, int n, const char *const *names, const int64_t *vals,
                     int nset, int64_t *params, int *free_idx, char *err, size_t errn)
{
    bool fixed[HOC_MAXPARAMS] = {false};
    for (int k = 0; k < nset; k++) {
        int i = param_index(a, names[k]);
        if (i < 0) {
            int used =
                snprintf(err, errn, "%s has no parameter '%s' (its parameters:", a->name, names[k]);
            for (int j = 0; j < a->nparams && used > 0 && (size_t)used < errn; j++)
                used += snprintf(err + used, errn - (size_t)used, " %s", a->params[j]);
            if (used > 0 && (size_t)used < errn) snprintf(err + used, errn - (size_t)used, ")");
            return -1;
        }
        if (i == 0 && vals[k] != n) {
            snprintf(err, errn,
                     "n is the number of processes (%d here); it cannot be set to %lld with "
                     "--param",
                     n, (long long)vals[k]);
            return -1;
        }
        if (vals[k] < 0) {
            snprintf(err, errn, "parameter %s cannot be negative (%lld)", names[k],
                     (long long)vals[k]);
            return -1;
        }
        params[i] = vals[k], fixed[i] = true;
    }
    int nfree = 0;
    for (int i = 1; i < a->nparams; i++)
        if (!fixed[i]) free_idx[nfree++] = i, params[i] = n;
    return nfree;
}

int hoc_params_pick(const hoc_algo *a, int n, const char *const *names, const int64_t *vals,
                    int nset, int64_t *params, char *err, size_t errn)
{
    if (a->nparams < 1 || a->nparams > HOC_MAXPARAMS) {
        snprintf(err, errn, "%s has %d parameters; drivers take 1 to %d", a->name, a->nparams,
                 HOC_MAXPARAMS);
        return -1;
    }
    int free_idx[HOC_MAXPARAMS];
    params[0] = n;
    int nfree = fix_given(a, n, names, vals, nset, params, free_idx, err, errn);
    if (nfree < 0) return -1;
    /* Count down like an odometer, the last free parameter fastest, so the
     * first satisfying assignment is the lexicographically largest. The
     * bound keeps unsatisfiable constraints over many parameters from
     * hanging, and reaching it is said as such. */
    for (long tries = 0; tries < 4000000; tries++) {
        if (a->params_ok(params)) return 0;
        int d = nfree - 1;
        while (d >= 0 && params[free_idx[d]] == 0)
            params[free_idx[d--]] = n;
        if (d < 0) {
            snprintf(err, errn,
                     "no parameters satisfy %s's constraints with n = %d (fix some with "
                     "--param X=V)",
                     a->name, n);
            return -1;
        }
        params[free_idx[d]]--;
    }
    snprintf(err, errn,
             "no parameters satisfy %s's constraints with n = %d among the 4000000 tried "
             "(the search stops there); fix some with --param X=V",
             a->name, n);
    return -1;
}
