/* metrics.h: the /metrics endpoint (Prometheus text format 0.0.4) of a
 * replica or a service, on its event loop, and helpers to write the
 * exposition. What the page holds is the owner's render callback's. */
#ifndef HOC_METRICS_H
#define HOC_METRICS_H

#include <stdint.h>

struct event_base;
struct evbuffer;
typedef struct hoc_metrics hoc_metrics;

/* Appends the whole page to b. */
typedef void (*hoc_metrics_render)(void *ctx, struct evbuffer *b);

/* Serves GET and HEAD of /metrics (a query string is ignored) on host:port;
 * any other path is 404, any other method 405. NULL when the port cannot be
 * bound or memory runs out. */
hoc_metrics *hoc_metrics_new(struct event_base *base, const char *host, int port,
                             hoc_metrics_render render, void *ctx);
/* Stops serving and frees the endpoint; NULL is a no-op. */
void hoc_metrics_free(hoc_metrics *m);

/* Appends metric hoc_NAME of type (counter, gauge) with its HELP and TYPE
 * lines and one sample per value: unlabelled for one, LABEL="i" for the
 * i-th of several. Never fails. */
void hoc_metrics_family(struct evbuffer *b, const char *name, const char *type, const char *help,
                        const uint64_t *values, int n, const char *label);
/* Appends histogram hoc_NAME: counts[i] observations in bucket le[i]
 * (0 <= i < nle) and counts[nle] beyond the last; sum of all. Never fails. */
void hoc_metrics_histogram(struct evbuffer *b, const char *name, const char *help, const double *le,
                           const uint64_t *counts, int nle, double sum);

#endif
