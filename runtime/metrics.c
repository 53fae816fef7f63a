/* metrics.c: the /metrics endpoint of a replica (see metrics.h). */
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
    hoc_metrics_src src;
};

typedef struct Metric {
    const char *name, *type, *help;
    uint64_t value;
} Metric;

/* Appends the whole exposition: every counter and gauge, then the histogram. */
static void render(struct evbuffer *b, const hoc_metrics_src *src)
{
    const hoc_engine_stats *e = hoc_engine_get_stats(src->eng);
    const hoc_net_stats *s = hoc_net_get_stats(src->net);
    const hoc_decisions *d = src->dec;
    const Metric m[] = {
        {"rounds_total", "counter", "Rounds ended (updates run).", e->rounds},
        {"timeouts_total", "counter", "Rounds whose timeout passed.", e->timeouts},
        {"catchups_total", "counter", "Jumps to a later round seen from a peer.", e->catchups},
        {"catchup_rounds_total", "counter", "Rounds run with an empty mailbox while catching up.",
         e->catchup_rounds},
        {"messages_out_total", "counter", "Round messages sent.", e->msgs_sent},
        {"messages_in_total", "counter", "Round messages received.", e->msgs_in},
        {"messages_late_total", "counter", "Messages for an earlier round, dropped.", e->late},
        {"messages_future_total", "counter", "Messages buffered for the next round.", e->future},
        {"messages_dropped_total", "counter", "Messages dropped at the live-instance bound.",
         e->dropped_full},
        {"messages_duplicate_total", "counter",
         "Second messages from one sender for one round, dropped.", e->dup},
        {"messages_ignored_total", "counter",
         "Messages for an instance not run here (ended undecided, or beyond --instances), "
         "dropped.",
         e->dropped_ignored},
        {"messages_unencodable_total", "counter",
         "Round messages the algorithm's encoder refused, not sent.", e->unencodable},
        {"decisions_ignored_total", "counter",
         "Forwarded decisions of instances already decided or ended here.", e->decisions_ignored},
        {"frames_in_total", "counter", "Frames received.", s->frames_in},
        {"frames_out_total", "counter", "Frames queued for sending.", s->frames_out},
        {"frames_unsent_total", "counter",
         "Frames dropped because the connection with the peer was not ready.",
         s->dropped_unconnected},
        {"frames_overflow_total", "counter",
         "Frames dropped because too much was queued for a peer that does not read.",
         s->dropped_overflow},
        {"frames_oversize_total", "counter", "Round messages too long for a frame, dropped.",
         s->dropped_oversize},
        {"frames_lost_total", "counter",
         "Frames held by --delay whose connection closed meanwhile.", s->dropped_closed},
        {"bytes_in_total", "counter", "Bytes received.", s->bytes_in},
        {"bytes_out_total", "counter", "Bytes queued for sending.", s->bytes_out},
        {"bad_frames_total", "counter", "Connections closed for a bad frame.", s->bad_frames},
        {"auth_failures_total", "counter", "Connections that failed authentication.",
         s->auth_failures},
        {"cluster_mismatches_total", "counter",
         "Connections refused because the peer runs another algorithm, n or parameters.",
         s->mismatches},
        {"fault_drops_total", "counter", "Messages dropped by --drop.", s->dropped_injected},
        {"decisions_total", "counter", "Instances decided here.", d->ndecided},
        {"decisions_forwarded_total", "counter", "Decisions learned from a peer.",
         e->decided_learned},
        {"live_instances", "gauge", "Instances running now.", (uint64_t)hoc_engine_live(src->eng)},
        {"peers_connected", "gauge", "Peers with an authenticated connection.",
         (uint64_t)hoc_net_ready_count(src->net)},
    };
    for (size_t i = 0; i < sizeof m / sizeof *m; i++)
        evbuffer_add_printf(b, "# HELP hoc_%s %s\n# TYPE hoc_%s %s\nhoc_%s %" PRIu64 "\n",
                            m[i].name, m[i].help, m[i].name, m[i].type, m[i].name, m[i].value);
    evbuffer_add_printf(
        b, "# HELP hoc_decision_latency_seconds From starting an instance here to its decision.\n"
           "# TYPE hoc_decision_latency_seconds histogram\n");
    uint64_t cum = 0;
    for (size_t i = 0; i < HOC_LATENCY_BUCKETS; i++) {
        cum += d->hist[i];
        evbuffer_add_printf(b, "hoc_decision_latency_seconds_bucket{le=\"%g\"} %" PRIu64 "\n",
                            hoc_latency_le[i], cum);
    }
    cum += d->hist[HOC_LATENCY_BUCKETS];
    evbuffer_add_printf(b, "hoc_decision_latency_seconds_bucket{le=\"+Inf\"} %" PRIu64 "\n", cum);
    evbuffer_add_printf(
        b,
        "hoc_decision_latency_seconds_sum %.6f\nhoc_decision_latency_seconds_count %" PRIu64 "\n",
        d->hist_sum, cum);
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
    render(b, &m->src);
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
                             const hoc_metrics_src *src)
{
    hoc_metrics *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    m->src = *src;
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
