/* xserve.c: hoc explore's HTTP server (see xserve.h). One event loop, one
 * request at a time: the tree is never touched by two requests at once. */
#include "xserve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "json.h"
#include "sim.h"
#include "xassets.h"
#include "xaddr.h"
#include "xload.h"
#include "xpage.h"
#include "xsearch.h"
#include "xview.h"

/* Largest request body: a long trace fits, a flood does not. */
#define XSRV_MAXBODY (64 << 20)
/* Bounds of what one request may ask a search to do. */
#define XSRV_MAXWALKS 100000
#define XSRV_MAXDEPTH 10000
#define XSRV_MAXSECONDS 60

typedef struct Server {
    xt_tree *t;
    int focus;
    const xsrv_opts *o;
    struct event_base *base;
} Server;

bool xsrv_loopback(const char *addr)
{
    struct in_addr a4;
    struct in6_addr a6;
    if (inet_pton(AF_INET, addr, &a4) == 1) return (ntohl(a4.s_addr) >> 24) == 127;
    return inet_pton(AF_INET6, addr, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
}

static void reply(struct evhttp_request *req, int code, const char *type, const char *body,
                  size_t len)
{
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    evhttp_add_header(h, "Content-Type", type);
    evhttp_add_header(h, "Cache-Control", "no-store");
    evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
    struct evbuffer *out = evbuffer_new();
    if (!out) {
        evhttp_send_error(req, HTTP_INTERNAL, "out of memory");
        return;
    }
    evbuffer_add(out, body, len);
    static const char *const reasons[] = {"OK", "Bad Request", "Not Found", "Method Not Allowed",
                                          "Unprocessable Content"};
    const char *why = code == 200   ? reasons[0]
                      : code == 400 ? reasons[1]
                      : code == 404 ? reasons[2]
                      : code == 405 ? reasons[3]
                      : code == 422 ? reasons[4]
                                    : "Error";
    evhttp_send_reply(req, code, why, out);
    evbuffer_free(out);
}

static void reply_json(struct evhttp_request *req, int code, hoc_buf *b)
{
    reply(req, code, "application/json", hoc_buf_str(b), b->n);
    hoc_buf_free(b);
}

/* {"error": msg} with the given status; an HTML page outside /api. */
static void reply_error(struct evhttp_request *req, int code, bool api, const char *msg)
{
    hoc_buf b = {0};
    if (api) {
        hoc_buf_puts(&b, "{\"error\": ");
        xv_str(&b, msg);
        hoc_buf_puts(&b, "}");
        reply_json(req, code, &b);
        return;
    }
    hoc_buf_printf(&b,
                   "<!doctype html><html><head><meta charset=\"utf-8\"><title>hoc explore: "
                   "%d</title></head><body><h1>%d</h1><p>",
                   code, code);
    for (const char *s = msg; *s; s++) /* escape: msg may echo the request */
        if (*s == '<' || *s == '>' || *s == '&' || *s == '"')
            hoc_buf_printf(&b, "&#%d;", *s);
        else
            hoc_buf_put(&b, s, 1);
    hoc_buf_puts(&b, "</p><p><a href=\"/\">hoc explore</a></p></body></html>\n");
    reply(req, code, "text/html; charset=utf-8", hoc_buf_str(&b), b.n);
    hoc_buf_free(&b);
}

/* {"id": id, "message": msg}. */
static void reply_id(struct evhttp_request *req, int id, const char *msg)
{
    hoc_buf b = {0};
    hoc_buf_printf(&b, "{\"id\": %d, \"message\": ", id);
    xv_str(&b, msg);
    hoc_buf_puts(&b, "}");
    reply_json(req, 200, &b);
}

/* Whether a spec could not be judged while answering this request; then
 * it is answered with that error (and b, if given, freed): its verdicts
 * mean nothing, and the server serves on. */
static bool unjudged(Server *s, struct evhttp_request *req, hoc_buf *b)
{
    if (!atomic_load(&s->t->judge->failed)) return false;
    if (b) hoc_buf_free(b);
    reply_error(req, 422, true, s->t->judge->why);
    return true;
}

/* A node id in text s (all of it); -1 if it is not one of t's. */
static int node_id(const xt_tree *t, const char *s)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < 0 || v >= t->count) return -1;
    return (int)v;
}

/* GET /api/...: the documents of xview.h, and addresses. */
static void get_api(Server *s, struct evhttp_request *req, const char *path, const char *query)
{
    hoc_buf b = {0};
    int id;
    if (strcmp(path, "/api/algo") == 0)
        xv_algo(s->t, &b);
    else if (strcmp(path, "/api/tree") == 0)
        xv_tree(s->t, &b);
    else if (strncmp(path, "/api/state/", 11) == 0 && (id = node_id(s->t, path + 11)) >= 0)
        xv_state(s->t, id, &b);
    else if (strncmp(path, "/api/path/", 10) == 0 && (id = node_id(s->t, path + 10)) >= 0)
        xv_path(s->t, id, &b);
    else if (strcmp(path, "/api/focus") == 0)
        hoc_buf_printf(&b, "{\"id\": %d, \"seed\": %" PRIu64 "}", s->focus, s->o->seed);
    else if (strcmp(path, "/api/resolve") == 0) {
        struct evkeyvalq q = {0};
        const char *addr = NULL;
        char err[256] = "";
        if (query && evhttp_parse_query_str(query, &q) == 0) addr = evhttp_find_header(&q, "addr");
        id = addr ? xaddr_resolve(s->t, addr, err, sizeof err) : -1;
        evhttp_clear_headers(&q);
        if (id < 0) return reply_error(req, 400, true, addr ? err : "resolve needs ?addr=run/...");
        return reply_id(req, id, "");
    } else
        return reply_error(req, 404, true, "no such document (or no such state)");
    if (unjudged(s, req, &b)) return;
    reply_json(req, 200, &b);
}

/* The request's body parsed as JSON; NULL after replying 400. */
static json *body_json(struct evhttp_request *req)
{
    struct evbuffer *in = evhttp_request_get_input_buffer(req);
    size_t len = evbuffer_get_length(in);
    const char *text = (const char *)evbuffer_pullup(in, -1);
    char err[200];
    json *j = json_parse(text ? text : "", text ? len : 0, err, sizeof err);
    if (!j) {
        char msg[260];
        snprintf(msg, sizeof msg, "the body is not JSON: %s", err);
        reply_error(req, 400, true, msg);
        return NULL;
    }
    if (j->type != JSON_OBJ) {
        reply_error(req, 400, true, "the body should be a JSON object");
        json_free(j);
        free(j);
        return NULL;
    }
    return j;
}

/* The whole number member key of j in [lo, hi], or def when absent; false
 * when present but not such a number. */
static bool member_int(const json *j, const char *key, int64_t lo, int64_t hi, int64_t def,
                       int64_t *out)
{
    const json *v = json_get(j, key);
    *out = def;
    if (!v) return true;
    if (v->type != JSON_NUM || v->num < lo || v->num > hi) return false;
    *out = v->num;
    return true;
}

/* A list of process ids as a set; false when it is not one. */
static bool proc_set(const json *v, int n, hoc_set *out)
{
    *out = 0;
    if (!v || v->type != JSON_ARR) return false;
    for (int i = 0; i < v->n; i++) {
        if (v->items[i].type != JSON_NUM || v->items[i].num < 0 || v->items[i].num >= n)
            return false;
        *out |= hoc_set_one(v->items[i].num);
    }
    return true;
}

/* Reads a step's choices; NULL, or what is wrong with them. */
static const char *step_choices(const xt_tree *t, const json *j, hoc_set *ho, hoc_set *crash,
                                uint64_t *oracle)
{
    const json *jho = json_get(j, "ho"), *jc = json_get(j, "crash"), *jo = json_get(j, "oracle");
    for (int q = 0; q < t->n; q++) {
        ho[q] = hoc_set_all(t->n), oracle[q] = 0;
        if (jho &&
            (jho->type != JSON_ARR || jho->n != t->n || !proc_set(&jho->items[q], t->n, &ho[q])))
            return "ho should hold, for each process, the list of processes it hears";
        ho[q] |= hoc_set_one(q); /* a process always hears itself, as in hoc sim and hoc check */
    }
    *crash = 0;
    if (jc && !proc_set(jc, t->n, crash)) return "crash should be a list of processes";
    if (jo && (jo->type != JSON_ARR || jo->n != t->n))
        return "oracle should hold a number per process";
    uint64_t mask = t->a->noracles >= 64 ? ~0ull : (1ull << t->a->noracles) - 1;
    for (int q = 0; jo && q < t->n; q++) {
        if (jo->items[q].type != JSON_NUM || jo->items[q].num < 0 ||
            ((uint64_t)jo->items[q].num & ~mask))
            return "oracle bits beyond the algorithm's oracles";
        oracle[q] = (uint64_t)jo->items[q].num;
    }
    return NULL;
}

static void post_step(Server *s, struct evhttp_request *req, const json *j)
{
    int64_t from;
    hoc_set ho[HOC_MAXN], crash;
    uint64_t oracle[HOC_MAXN];
    if (!member_int(j, "from", 0, s->t->count - 1, -1, &from) || from < 0)
        return reply_error(req, 400, true, "step needs \"from\": the id of a state");
    const char *why = step_choices(s->t, j, ho, &crash, oracle);
    if (why) return reply_error(req, 400, true, why);
    int id = xt_step(s->t, (int)from, ho, crash, oracle, NULL, "step");
    if (id < 0) return reply_error(req, 400, true, "the explorer holds too many states");
    if (unjudged(s, req, NULL)) return;
    reply_id(req, id, "");
}

static void post_root(Server *s, struct evhttp_request *req, const json *j)
{
    const json *ji = json_get(j, "inputs");
    int want = s->t->n * s->t->a->ninputs;
    char err[200];
    if (!ji || ji->type != JSON_ARR || ji->n != want) {
        snprintf(err, sizeof err, "root needs \"inputs\": %d numbers (%d per process)", want,
                 s->t->a->ninputs);
        return reply_error(req, 400, true, err);
    }
    int64_t in[HOC_MAXN * HOC_MAXINPUTS + 1];
    for (int i = 0; i < want; i++) {
        if (ji->items[i].type != JSON_NUM) return reply_error(req, 400, true, "inputs are numbers");
        in[i] = ji->items[i].num;
    }
    if (!xt_inputs_ok(s->t, in, err, sizeof err)) return reply_error(req, 400, true, err);
    int id = xt_root(s->t, in, "start");
    if (id < 0) return reply_error(req, 400, true, "the explorer holds too many states");
    reply_id(req, id, "");
}

static void post_search(Server *s, struct evhttp_request *req, const json *j, bool walk)
{
    int64_t from, walks, depth, seed, seconds;
    char msg[2048];
    /* walks start from a state; hoc check from one, or from every start */
    if (!member_int(j, "from", 0, s->t->count - 1, walk ? 0 : -1, &from) ||
        !member_int(j, "walks", 1, XSRV_MAXWALKS, 100, &walks) ||
        !member_int(j, "depth", 1, XSRV_MAXDEPTH, walk ? 30 : 20, &depth) ||
        !member_int(j, "seed", 0, INT64_MAX, 1, &seed) ||
        !member_int(j, "seconds", 1, XSRV_MAXSECONDS, 10, &seconds))
        return reply_error(req, 400, true,
                           "search takes from (a state), walks (1..100000), depth (1..10000), "
                           "seed and seconds (1..60)");
    int id = walk
                 ? xs_walks(s->t, (int)from, walks, depth, (uint64_t)seed, msg, sizeof msg)
                 : xs_check(s->t, (int)from, s->o->source, depth, (double)seconds, msg, sizeof msg);
    if (unjudged(s, req, NULL)) return;
    reply_id(req, id, msg);
}

/* POST /api/...: what changes the tree. */
static void post_api(Server *s, struct evhttp_request *req, const char *path)
{
    if (strcmp(path, "/api/trace") == 0) {
        struct evbuffer *in = evhttp_request_get_input_buffer(req);
        size_t len = evbuffer_get_length(in);
        const char *text = (const char *)evbuffer_pullup(in, -1);
        char err[512];
        int id = xload_trace(s->t, -1, text ? text : "", text ? len : 0, "trace", err, sizeof err);
        if (id < 0) return reply_error(req, 400, true, err);
        if (unjudged(s, req, NULL)) return;
        return reply_id(req, id, "");
    }
    bool step = strcmp(path, "/api/step") == 0, root = strcmp(path, "/api/root") == 0,
         walk = strcmp(path, "/api/walk") == 0, check = strcmp(path, "/api/check") == 0;
    if (!step && !root && !walk && !check)
        return reply_error(req, 404, true, "no such action (step, root, trace, walk, check)");
    json *j = body_json(req);
    if (!j) return;
    if (step)
        post_step(s, req, j);
    else if (root)
        post_root(s, req, j);
    else
        post_search(s, req, j, walk);
    json_free(j);
    free(j);
}

/* Is the Host header one of loopback's names? Refusing others keeps a web
 * page elsewhere from reaching the explorer through DNS rebinding. */
static bool host_ok(struct evhttp_request *req)
{
    const char *h = evhttp_find_header(evhttp_request_get_input_headers(req), "Host");
    if (!h) return true; /* HTTP/1.0 clients (curl -0, tests) */
    static const char *const names[] = {"127.0.0.1", "localhost", "[::1]"};
    for (int i = 0; i < 3; i++) {
        size_t k = strlen(names[i]);
        if (strncmp(h, names[i], k) == 0 && (h[k] == 0 || h[k] == ':')) return true;
    }
    return false;
}

static void serve_asset(struct evhttp_request *req, const char *path)
{
    if (strcmp(path, "/app.js") == 0)
        return reply(req, 200, "text/javascript; charset=utf-8", (const char *)xassets_app_js,
                     xassets_app_js_len);
    if (strcmp(path, "/app.css") == 0)
        return reply(req, 200, "text/css; charset=utf-8", (const char *)xassets_app_css,
                     xassets_app_css_len);
    if (strcmp(path, "/") == 0 || strcmp(path, "/index.html") == 0) {
        hoc_buf b = {0};
        xpage_live(&b);
        reply(req, 200, "text/html; charset=utf-8", hoc_buf_str(&b), b.n);
        hoc_buf_free(&b);
        return;
    }
    reply_error(req, 404, false, "no such page");
}

static void handle(struct evhttp_request *req, void *arg)
{
    Server *s = arg;
    const char *uri = evhttp_request_get_uri(req);
    struct evhttp_uri *u = uri ? evhttp_uri_parse(uri) : NULL;
    const char *path = u ? evhttp_uri_get_path(u) : NULL;
    enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
    bool api = path && strncmp(path, "/api/", 5) == 0;
    atomic_store(&s->t->judge->failed, 0); /* each request is judged afresh */
    if (!path || !*path)
        reply_error(req, 400, false, "malformed request target");
    else if (!s->o->public_ok && !host_ok(req))
        reply_error(req, 400, api, "this explorer answers only to localhost and 127.0.0.1");
    else if (api && cmd == EVHTTP_REQ_GET)
        get_api(s, req, path, evhttp_uri_get_query(u));
    else if (api && cmd == EVHTTP_REQ_POST)
        post_api(s, req, path);
    else if (!api && cmd == EVHTTP_REQ_GET)
        serve_asset(req, path);
    else
        reply_error(req, 405, api, "method not allowed");
    if (u) evhttp_uri_free(u);
}

static void on_signal(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    event_base_loopbreak(arg);
}

/* Binds the server; the port it got, or -1 after a message. */
static int listen_on(struct evhttp *http, const xsrv_opts *o, const char *addr)
{
    struct evhttp_bound_socket *sock =
        evhttp_bind_socket_with_handle(http, addr, (uint16_t)o->port);
    if (!sock) {
        fprintf(stderr, "hoc explore: cannot listen on %s port %d: %s\n", addr, o->port,
                strerror(errno));
        return -1;
    }
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getsockname(evhttp_bound_socket_get_fd(sock), (struct sockaddr *)&ss, &len) != 0) return -1;
    return ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                          : ((struct sockaddr_in *)&ss)->sin_port);
}

int xsrv_run(xt_tree *t, int focus, const xsrv_opts *o)
{
    const char *addr = o->bind ? o->bind : "127.0.0.1";
    if (!o->public_ok && !xsrv_loopback(addr)) {
        fprintf(stderr,
                "hoc explore: %s is not a loopback address; the explorer runs code and reads "
                "files for whoever reaches it, so it listens elsewhere only with --public\n",
                addr);
        return 2;
    }
    Server s = {t, focus, o, event_base_new()};
    struct evhttp *http = s.base ? evhttp_new(s.base) : NULL;
    struct event *sigint = s.base ? evsignal_new(s.base, SIGINT, on_signal, s.base) : NULL;
    struct event *sigterm = s.base ? evsignal_new(s.base, SIGTERM, on_signal, s.base) : NULL;
    int rc = 2, port = -1;
    if (http && sigint && sigterm) {
        evhttp_set_max_body_size(http, XSRV_MAXBODY);
        evhttp_set_max_headers_size(http, 64 << 10);
        evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_POST);
        evhttp_set_gencb(http, handle, &s);
        port = listen_on(http, o, addr);
    }
    if (port >= 0) {
        event_add(sigint, NULL), event_add(sigterm, NULL);
        bool v6 = strchr(addr, ':') != NULL;
        fprintf(o->out, "hoc explore: serving http://%s%s%s:%d/ (Ctrl-C to stop)\n", v6 ? "[" : "",
                addr, v6 ? "]" : "", port);
        if (o->block_look) hoc_sim_note_blocks(o->out, o->block_look);
        fflush(o->out);
        rc = event_base_dispatch(s.base) < 0 ? 2 : 0;
    }
    if (sigint) event_free(sigint);
    if (sigterm) event_free(sigterm);
    if (http) evhttp_free(http);
    if (s.base) event_base_free(s.base);
    return rc;
}
