/* decisions.h: what a replica knows of its instances 0..K-1: which were
 * decided, the latency of each (for /metrics and the summary) and the
 * decisions file, where each decision is one line "INSTANCE VALUE" with
 * VALUE as hoc sim prints it ({0,1}, true, Commit; bytes as 0x and hex). */
#ifndef HOC_DECISIONS_H
#define HOC_DECISIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "engine.h"
#include "hoc_rt.h"

/* Upper bounds (seconds) of the decision latency histogram's buckets, and
 * one more bucket beyond the last. */
#define HOC_LATENCY_BUCKETS 14
extern const double hoc_latency_le[HOC_LATENCY_BUCKETS];

typedef struct hoc_decisions {
    uint64_t k;              /* instances 0..k-1 */
    uint8_t *decided;        /* per instance: decided here (or adopted) */
    uint64_t *start_us;      /* per instance started here: when (0: not started here) */
    uint32_t *lat_us;        /* latencies of the decisions of instances started here */
    uint64_t nlat, ndecided; /* entries in lat_us; instances decided */
    uint64_t first_start, last_decision;
    FILE *out;                /* the decisions file, or NULL */
    bool dirty;               /* out has lines not yet flushed */
    const hoc_output *decide; /* the algorithm's decide output: how values print */
    uint64_t hist[HOC_LATENCY_BUCKETS + 1];
    double hist_sum;
} hoc_decisions;

/* Sets d up for k instances of an algorithm whose decide output is decide
 * (NULL: it has none), appending to the file at path unless it is NULL.
 * Returns 0, or -1 with a message in err (out of memory, the file cannot be
 * opened); hoc_decisions_close frees what was set up. */
int hoc_decisions_open(hoc_decisions *d, uint64_t k, const char *path, const hoc_output *decide,
                       char *err, size_t errn);
/* Flushes and closes the file and frees d's memory; never fails. */
void hoc_decisions_close(hoc_decisions *d);

/* Instance inst started here at now: its decision latency counts from then.
 * Instances beyond k are ignored. */
void hoc_decisions_started(hoc_decisions *d, uint64_t inst, uint64_t now);
/* Records the decision of inst at now, its value v[0..len) as
 * hoc_value_encode writes it, and writes its line; false (nothing recorded)
 * when inst is beyond k or already decided. */
bool hoc_decisions_decide(hoc_decisions *d, uint64_t inst, const uint8_t *v, size_t len,
                          uint64_t now);
/* Flushes the decisions file if lines were written since the last flush. */
void hoc_decisions_flush(hoc_decisions *d);

/* Writes the JSON summary line (throughput, p50/p99 latency, the engine's
 * counters e) of replica id to path; -1 with errno set when it cannot. Sorts
 * the latencies. */
int hoc_decisions_summary(hoc_decisions *d, const char *path, int id, const hoc_engine_stats *e);

#endif
