/* params.h: an algorithm's parameter values for n processes, as every
 * driver chooses them: the values the user fixed, and for each other
 * parameter the largest value in 0..n that, in declaration order, satisfies
 * the algorithm's `where` constraints. */
#ifndef HOC_PARAMS_H
#define HOC_PARAMS_H

#include <stddef.h>
#include <stdint.h>

#include "hoc_rt.h"

/* The most parameters an algorithm may have, n included (the compiler refuses more). */
#define HOC_MAXPARAMS 16

/* Fills params[0..a->nparams) (params[0] = n) from the nset fixed values
 * names[k] = vals[k] and the default rule above. Returns 0, or -1 with a
 * one-line message in err: an unknown name, n fixed to another value than
 * the number of processes, or no values that satisfy the constraints. */
int hoc_params_pick(const hoc_algo *a, int n, const char *const *names, const int64_t *vals,
                    int nset, int64_t *params, char *err, size_t errn);

#endif
