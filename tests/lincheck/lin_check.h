/* lin_check.h: the linearizability check of a whole history against a
 * model: prepare every op, split the history into partitions (lin_part.h),
 * search each (lin_search.h), smallest first, within one budget. */
#ifndef LIN_CHECK_H
#define LIN_CHECK_H

#include <stdbool.h>

#include "lin_search.h"

typedef struct lin_options {
    double budget_s;    /* seconds for the whole check; 0: no limit */
    uint64_t max_steps; /* ops tried, over all partitions; 0: no limit */
    size_t max_bytes;   /* memory for one partition's search; 0: no limit */
    bool whole;         /* one partition for all ops (no P-compositionality) */
    bool all;           /* go on after a violation, to judge every partition */
} lin_options;

typedef struct lin_part_result {
    bool checked; /* false: not reached (budget, or stopped at a violation) */
    lin_verdict verdict;
    lin_search_out s;
} lin_part_result;

typedef struct lin_result {
    lin_verdict verdict;
    lin_parts parts;
    lin_part_result *per; /* one per partition */
    size_t failed;        /* the smallest violating partition, or SIZE_MAX */
    size_t stuck;         /* the first partition the budget cut short, or SIZE_MAX */
    size_t nchecked;
    double seconds;
    uint64_t steps;
    const char *why; /* what ran out when the verdict is LIN_UNKNOWN */
    lin_machine mc;  /* the model on the history, for reports */
} lin_result;

/* Checks h against m (m and h must outlive r, and r must not move: its
 * machine points into it; h's ops are prepared for m).
 * Returns 0 with the verdict in r, or -1 with "line N: message" in err when
 * an op does not fit the model (r is then empty). */
int lin_check_run(const lin_model *m, lin_history *h, const lin_options *o, lin_result *r,
                  char *err, size_t errn);
/* Frees what r owns. */
void lin_check_free(lin_result *r);
/* "linearizable", "not linearizable" or "unknown". */
const char *lin_check_verdict_name(lin_verdict v);

#endif
