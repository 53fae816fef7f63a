/* job.h: what hoc sim and hoc check share: their common options (the file,
 * -n, --seed, --algorithm, --extern, --param, --json), one table fragment
 * for both, and the algorithm they compile, load and run. */
#ifndef HOC_JOB_H
#define HOC_JOB_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "front.h"
#include "load.h"
#include "opt.h"
#include "params.h"

/* The values fixed with --param NAME=VALUE, in order. */
typedef struct ParamArgs {
    char names[HOC_MAXPARAMS][64];
    int64_t vals[HOC_MAXPARAMS];
    int n;
} ParamArgs;

typedef struct Job {
    const char *file;
    const char *name; /* --algorithm, or NULL */
    hoc_opt_list externs;
    ParamArgs params;
    long long n; /* 0 when -n was not given */
    long long seed;
    bool json;
    Front fr;
    Loaded l;
    Algo *al; /* the checked algorithm, once loaded */
} Job;

/* Writes the shared options (storing into j; --json described by
 * json_help) followed by own (NULL-terminated) into t, cap entries; when
 * they do not fit (a bug: CMD_MAXOPTS is the size), the shared ones only. */
void job_options(Job *j, const hoc_opt *own, const char *json_help, hoc_opt *t, size_t cap);
/* Parses, checks, compiles and loads the job's algorithm (j->al, j->l.algo)
 * with arrays indexed by process of capacity maxn (0: the default). Returns
 * 0, or 2 after a message. job_free(j) is due either way. */
int job_load(Job *j, int maxn);
/* The loaded algorithm's parameter values for j->n processes, from --param
 * and hoc_params_pick's defaults. Returns 0, or 2 after a message. */
int job_params(const Job *j, int64_t *params);
/* Where the loaded algorithm first looks inside a block ("FILE:LINE:
 * indexes a block ...", written into buf[cap]), or NULL: the note hoc sim,
 * check and explore give when the blocks they hand it are stand-ins. */
const char *job_block_look(const Job *j, char *buf, size_t cap);
/* Frees what job_load made. */
void job_free(Job *j);

#endif
