/* metrics.c: the /metrics endpoint of a replica or service (see metrics.h). */
#include "metrics.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

struct hoc_metrics {
    struct evhttp *http;
    hoc_metrics_render render;
    void *ctx;
};

void hoc_metrics_family(struct evbuffer *b, const char *name, const char *type, const char *help,
                        const uint64_t *values, int n, const char *label)
{
    evbuffer_add_printf(b, "# HELP hoc_%s %s\n# TYPE hoc_%s %s\n", name, help, name, type);
    for (int i = 0; i < n; i++) {
        if (n > 1)
            evbuffer_add_printf(b, "hoc_%s{%s=\"%d\"} %" PRIu64 "\n", name, label, i, values[i]);
        else
            evbuffer_add_printf(b, "hoc_%s %" PRIu64 "\n", name, values[i]);
    }
}

void hoc_metrics_histogram(struct evbuffer *b, const char *name, const char *help, const double *le,
                           const uint64_t *counts, int nle, double sum)
{
    evbuffer_add_printf(b, "# HELP hoc_%s %s\n# TYPE hoc_%s histogram\n", name, help, name);
    uint64_t cum = 0;
    for (int i = 0; i < nle; i++) {
        cum += counts[i];
        evbuffer_add_printf(b, "hoc_%s_bucket{le=\"%g\"} %" PRIu64 "\n", name, le[i], cum);
    }
    cum += counts[nle];
    evbuffer_add_printf(b, "hoc_%s_bucket{le=\"+Inf\"} %" PRIu64 "\n", name, cum);
    evbuffer_add_printf(b, "hoc_%s_sum %.6f\nhoc_%s_count %" PRIu64 "\n", name, sum, name, cum);
}

static void metrics_cb(struct evhttp_request *req, void *arg)
{
    hoc_metrics *m = arg;
    /* the path alone: a scraper's query string (?x=1) asks for the same page */
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
    if (!path || strcmp(path, "/metrics") != 0) {
        evhttp_send_error(req, HTTP_NOTFOUND, "try /metrics");
        return;
    }
    enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    struct evbuffer *b = evbuffer_new();
    if (!b) {
        evhttp_send_error(req, HTTP_INTERNAL, NULL);
        return;
    }
    if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
        /* not evhttp_send_error, which drops the headers set before it */
        evhttp_add_header(h, "Allow", "GET, HEAD");
        evhttp_add_header(h, "Content-Type", "text/plain");
        evbuffer_add_printf(b, "/metrics answers GET and HEAD\n");
        evhttp_send_reply(req, HTTP_BADMETHOD, "Method Not Allowed", b);
        evbuffer_free(b);
        return;
    }
    m->render(m->ctx, b);
    evhttp_add_header(h, "Content-Type", "text/plain; version=0.0.4");
    if (cmd == EVHTTP_REQ_HEAD) {
        /* libevent 2.1 would send the body after a HEAD's headers: send none,
         * and the length a GET would get */
        char len[32];
        snprintf(len, sizeof len, "%zu", evbuffer_get_length(b));
        evhttp_add_header(h, "Content-Length", len);
        evhttp_send_reply(req, HTTP_OK, "OK", NULL);
    } else {
        evhttp_send_reply(req, HTTP_OK, "OK", b);
    }
    evbuffer_free(b);
}

hoc_metrics *hoc_metrics_new(struct event_base *base, const char *host, int port,
                             hoc_metrics_render render, void *ctx)
{
    hoc_metrics *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    m->render = render, m->ctx = ctx;
    m->http = evhttp_new(base);
    if (!m->http || evhttp_bind_socket(m->http, host, (uint16_t)port) != 0) {
        hoc_metrics_free(m);
        return NULL;
    }
    /* every method reaches metrics_cb, which answers 405 where libevent
     * would answer 501 (Not Implemented) */
    evhttp_set_allowed_methods(m->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
                                            EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
                                            EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE |
                                            EVHTTP_REQ_CONNECT | EVHTTP_REQ_PATCH);
    evhttp_set_gencb(m->http, metrics_cb, m);
    return m;
}

void hoc_metrics_free(hoc_metrics *m)
{
    if (!m) return;
    if (m->http) evhttp_free(m->http);
    free(m);
}
