/* lin_report.h: what a check found, for people. A violation is shown on the
 * smallest failing partition: its ops as a timeline, the longest
 * linearizable prefix the search found, and why no op can go after it. */
#ifndef LIN_REPORT_H
#define LIN_REPORT_H

#include <stdio.h>

#include "lin_check.h"

/* Where the longest linearizable prefix of a partition gets stuck. */
typedef struct lin_failure {
    size_t part;
    const uint32_t *prefix; /* history indices, in linearization order */
    size_t nprefix;
    uint8_t *state;   /* after the prefix */
    int64_t frontier; /* the earliest return of an op not in the prefix */
    long blocker;     /* that op (-1: none, every op left is pending) */
    uint32_t *cands;  /* the ops not in the prefix that could go next */
    size_t ncands;
    char **why; /* per candidate: why it cannot go next */
    char *state_text;
} lin_failure;

/* Replays the prefix found for partition part of r and explains where it
 * is stuck. */
void lin_report_failure(lin_result *r, size_t part, lin_failure *f);
/* Frees what f owns. */
void lin_report_failure_free(lin_failure *f);
/* Writes the verdict line, and for a violation the partition, timeline,
 * prefix and failure, showing at most max_ops ops of the timeline (those
 * nearest to the failure). */
void lin_report_text(FILE *out, lin_result *r, size_t max_ops);
/* Sorts the distinct call and return times of ops[0..n) into t (room for
 * 2n); returns how many there are. */
size_t lin_report_times(const lin_history *h, const uint32_t *ops, size_t n, int64_t *t);
/* The rank of at among the nt sorted times t (the first not below it). */
size_t lin_report_rank(const int64_t *t, size_t nt, int64_t at);
/* Appends the partition's keys ("key \"x\"", "keys a, b", "no key"). */
void lin_report_keys(const lin_part *p, hoc_buf *b);

#endif
