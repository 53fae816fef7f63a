/* decisions.c: the instances' fates, decisions and latencies of a replica
 * (see decisions.h). */
#include "decisions.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "value.h"

const double hoc_latency_le[HOC_LATENCY_BUCKETS] = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};

int hoc_decisions_open(hoc_decisions *d, uint64_t k, const char *path, const hoc_output *decide,
                       char *err, size_t errn)
{
    memset(d, 0, sizeof *d);
    d->k = k, d->decide = decide;
    d->decided = calloc(k, 1);
    d->start_us = calloc(k, sizeof *d->start_us);
    d->lat_us = calloc(k, sizeof *d->lat_us);
    if (!d->decided || !d->start_us || !d->lat_us) {
        snprintf(err, errn, "out of memory for %" PRIu64 " instances", k);
        return -1;
    }
    if (path && !(d->out = fopen(path, "a"))) {
        snprintf(err, errn, "cannot open '%s': %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

void hoc_decisions_close(hoc_decisions *d)
{
    if (d->out) fclose(d->out);
    free(d->decided), free(d->start_us), free(d->lat_us);
    memset(d, 0, sizeof *d);
}

void hoc_decisions_started(hoc_decisions *d, uint64_t inst, uint64_t now)
{
    if (inst < d->k) d->start_us[inst] = now;
    if (!d->first_start) d->first_start = now;
}

/* Counts the latency of a decision, l microseconds, in the histogram. */
static void add_latency(hoc_decisions *d, uint64_t l)
{
    d->lat_us[d->nlat++] = l > UINT32_MAX ? UINT32_MAX : (uint32_t)l;
    double s = (double)l / 1e6;
    d->hist_sum += s;
    size_t b = 0;
    while (b < HOC_LATENCY_BUCKETS && s > hoc_latency_le[b])
        b++;
    d->hist[b]++;
}

bool hoc_decisions_decide(hoc_decisions *d, uint64_t inst, const uint8_t *v, size_t len,
                          uint64_t now)
{
    if (inst >= d->k || d->decided[inst]) return false;
    d->decided[inst] = 1;
    d->ndecided++;
    d->last_decision = now;
    if (d->start_us[inst]) add_latency(d, now - d->start_us[inst]);
    if (d->out) {
        fprintf(d->out, "%" PRIu64, inst);
        if (d->decide && d->decide->has_value) {
            fputc(' ', d->out);
            hoc_value_print_carried(d->out, d->decide, v, len);
        }
        fputc('\n', d->out);
        d->dirty = true;
    }
    return true;
}

void hoc_decisions_flush(hoc_decisions *d)
{
    if (!d->out || !d->dirty) return;
    fflush(d->out);
    d->dirty = false;
}

static int cmp_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return a < b ? -1 : a > b;
}

int hoc_decisions_summary(hoc_decisions *d, const char *path, int id, const hoc_engine_stats *e)
{
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    qsort(d->lat_us, d->nlat, sizeof *d->lat_us, cmp_u32);
    double secs =
        d->last_decision > d->first_start ? (double)(d->last_decision - d->first_start) / 1e6 : 0;
    uint64_t i99 = (d->nlat * 99) / 100 < d->nlat ? (d->nlat * 99) / 100 : d->nlat - 1;
    uint32_t p50 = d->nlat ? d->lat_us[d->nlat / 2] : 0, p99 = d->nlat ? d->lat_us[i99] : 0;
    fprintf(f,
            "{\"id\": %d, \"instances\": %" PRIu64 ", \"decided\": %" PRIu64 ", \"seconds\": %.6f, "
            "\"decisions_per_s\": %.1f, \"p50_us\": %u, \"p99_us\": %u, \"rounds\": %" PRIu64
            ", \"timeouts\": %" PRIu64 ", \"catchups\": %" PRIu64 ", \"forwarded\": %" PRIu64 "}\n",
            id, d->k, d->ndecided, secs, secs > 0 ? (double)d->ndecided / secs : 0.0, p50, p99,
            e->rounds, e->timeouts, e->catchups, e->decided_learned);
    return fclose(f) == 0 ? 0 : -1;
}
