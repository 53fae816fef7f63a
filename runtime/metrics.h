/* metrics.h: a replica's /metrics endpoint (Prometheus text format 0.0.4)
 * on the replica's event loop: the engine's and the transport's counters,
 * the decisions and their latency histogram. */
#ifndef HOC_METRICS_H
#define HOC_METRICS_H

#include "decisions.h"
#include "engine.h"
#include "net.h"

struct event_base;
typedef struct hoc_metrics hoc_metrics;

/* What the endpoint reports; each must outlive the endpoint. */
typedef struct hoc_metrics_src {
    const hoc_engine *eng;
    const hoc_net *net;
    const hoc_decisions *dec;
} hoc_metrics_src;

/* Serves GET and HEAD of /metrics (a query string is ignored) on host:port;
 * any other path is 404, any other method 405. NULL when the port cannot be
 * bound or memory runs out. */
hoc_metrics *hoc_metrics_new(struct event_base *base, const char *host, int port,
                             const hoc_metrics_src *src);
/* Stops serving and frees the endpoint; NULL is a no-op. */
void hoc_metrics_free(hoc_metrics *m);

#endif
