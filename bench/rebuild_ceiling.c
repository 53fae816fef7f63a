/* rebuild_ceiling.c: the rate at which this machine can rebuild a replaced
 * Amalgam machine when only the bytes cost: no protocol, no rounds. g forked
 * senders each stream their block of every stripe (random bytes, parity by
 * stdlib/erasure on ISA-L) to one receiver over loopback TCP, framed as the
 * replica transport frames them (a MSG frame a block, whole frames in
 * SEALED frames ending in a GMAC tag: runtime/wire.h, runtime/seal.h). The
 * receiver reads them as runtime/net.c reads: a libevent loop, read() into a
 * flat buffer, READ_BUDGET bytes a callback, frames decoded in place; checks
 * every tag; copies each block out of the read buffer and rebuilds the
 * stripe's lost block with erasure_decode into a block store; and compares
 * the store with the original blocks (exit 1 if any differs).
 *
 * Each variant adds one cost to the one before, so their differences
 * isolate it (the bytes on the wire are the same in all four):
 *   (a) TCP and framing: the receiver only reads and decodes frame headers;
 *       the senders copy each block into their out buffer, as net.c queues
 *       it, and add tags computed before the clock starts
 *   (b) + the receiver checks every tag (hoc_seal_check)
 *   (c) + the receiver copies each block out and decodes each stripe
 *   (d) + the senders compute their tags as they send (everything real)
 * Figures, not pass/fail; exit 1 if a byte or frame is wrong, 2 on misuse.
 *
 * Left out, each a cost the service pays on top: the handshake, the value
 * encoding and zero-run packing of a message, the engine and its rounds. */
#include "bench_dial.h"
#include "clock.h"
#include "erasure.h"
#include "hoc_rt.h"
#include "opt.h"
#include "rng.h"
#include "seal.h"
#include "wire.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <openssl/rand.h>

/* runtime/net.c's read path (static there): bytes read per callback at
 * most, and the flat buffer's size once authenticated. */
#define READ_BUDGET (1u << 20)
#define IN_CAP (256u << 10)
/* A sender writes once it has queued this much, as a flush would: a
 * replica writes what one loop iteration produced for a peer. */
#define FLUSH_BYTES (1u << 20)
#define MAX_G 16
#define TIMEOUT_S 120

enum { V_TCP, V_CHECK, V_DECODE, V_SEAL, V_N };
static const char *const vnames[V_N] = {"(a) TCP + framing", "(b) + tag checks", "(c) + decode",
                                        "(d) + senders seal"};

typedef struct cfg {
    int k, m; /* the stripe: k = g data blocks (and senders), m = f parity */
    size_t block, stripes;
    int runs;
} cfg;

/* Every block of every stripe, made before the senders fork (they and the
 * final comparison share it); the lost block of stripe s is s % (k + m),
 * so that data and parity blocks are rebuilt in turn, as a machine holding
 * a rotating position rebuilds them. */
typedef struct data {
    const cfg *c;
    int n; /* k + m */
    uint8_t *mem;
    erasure_code *code;
} data;

static uint8_t *blk(const data *d, size_t s, int i)
{
    return d->mem + (s * (size_t)d->n + (size_t)i) * d->c->block;
}

static int lost_of(const data *d, size_t s)
{
    return (int)(s % (size_t)d->n);
}

/* The i-th block sent for stripe s: the survivors in order, data first (a
 * lost data block takes the other data blocks and the first parity row). */
static int avail_of(const data *d, size_t s, int i)
{
    int lost = lost_of(d, s);
    return i < lost ? i : i + 1;
}

static void die(const char *what)
{
    perror(what);
    exit(2);
}

static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* This thread's CPU seconds: the receiver's parts are timed by it, so
 * that time the thread spent preempted is not counted in a part. */
static double thread_cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The machine's busy and total jiffies so far (every process, every core). */
static void machine_jiffies(unsigned long long *busy, unsigned long long *total)
{
    unsigned long long v[8] = {0};
    FILE *f = fopen("/proc/stat", "r");
    *busy = *total = 0;
    if (!f) return;
    int got = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
                     &v[4], &v[5], &v[6], &v[7]);
    fclose(f);
    for (int i = 0; i < got; i++)
        *total += v[i];
    *busy = *total - v[3] - v[4]; /* less idle and iowait */
}

static int make_data(const cfg *c, data *d)
{
    d->c = c, d->n = c->k + c->m;
    size_t bytes = c->stripes * (size_t)d->n * c->block;
    if (!(d->mem = erasure_alloc(bytes)) || erasure_code_new(c->k, c->m, &d->code) != ERASURE_OK)
        return -1;
    uint64_t rng = 0x5eedb10c;
    for (size_t s = 0; s < c->stripes; s++) {
        const uint8_t *dat[MAX_G];
        uint8_t *par[MAX_G];
        for (int i = 0; i < c->k; i++) {
            uint8_t *b = blk(d, s, i);
            for (size_t o = 0; o < c->block; o += 8) {
                uint64_t r = hoc_rng_next(&rng);
                memcpy(b + o, &r, 8);
            }
            dat[i] = b;
        }
        for (int r = 0; r < c->m; r++)
            par[r] = blk(d, s, c->k + r);
        if (erasure_encode(d->code, dat, par, c->block) != ERASURE_OK) return -1;
    }
    return 0;
}

/* ---- the senders ---- */

/* The bytes of one MSG frame carrying a block. */
static size_t frame_len(const cfg *c)
{
    return HOC_WIRE_LEN + HOC_WIRE_HDR + HOC_WIRE_MSG_FIXED + c->block;
}

/* Frames a SEALED frame takes, as net.c's seal_batch takes them from a
 * queue of equal frames: as many as fit in HOC_WIRE_SEAL_BATCH, at least one. */
static size_t frames_per_seal(const cfg *c)
{
    size_t per = HOC_WIRE_SEAL_BATCH / frame_len(c);
    return per ? per : 1;
}

/* Queues the MSG frames of stripes [s0, s1) for sender i into rec, as
 * net.c's queue2 does (the block copied in). */
static void queue_frames(const data *d, int i, uint32_t algo, size_t s0, size_t s1,
                         struct evbuffer *rec)
{
    for (size_t s = s0; s < s1; s++) {
        uint8_t hdr[HOC_WIRE_LEN + HOC_WIRE_HDR + HOC_WIRE_MSG_FIXED];
        int h = hoc_wire_msg_header(hdr, sizeof hdr, s, 0, (uint32_t)(i + 1), algo, d->c->block);
        evbuffer_add(rec, hdr, (size_t)h);
        evbuffer_add(rec, blk(d, s, avail_of(d, s, i)), d->c->block);
    }
}

/* The tag of the SEALED frame with header hdr over the frames in rec, as
 * net.c's seal_out computes it (the frames read where they are queued). */
static int seal_rec(hoc_seal *tx, const uint8_t *hdr, size_t h, struct evbuffer *rec,
                    uint8_t tag[HOC_WIRE_TAG])
{
    if (hoc_seal_begin(tx) < 0 || hoc_seal_add(tx, hdr, h) < 0) return -1;
    size_t len = evbuffer_get_length(rec);
    int nv = evbuffer_peek(rec, (ev_ssize_t)len, NULL, NULL, 0);
    struct evbuffer_iovec *v = malloc((size_t)(nv > 0 ? nv : 1) * sizeof *v);
    if (!v) return -1;
    nv = evbuffer_peek(rec, (ev_ssize_t)len, NULL, v, nv);
    int rc = 0;
    for (int j = 0; j < nv && rc == 0; j++)
        rc = hoc_seal_add(tx, v[j].iov_base, v[j].iov_len);
    free(v);
    return rc == 0 ? hoc_seal_end(tx, tag) : -1;
}

/* Sender i: connect, say which sender it is, then (tags computed ahead
 * unless live) wait for the go byte on ctl[0], stream every stripe's
 * block in SEALED frames, and report the CPU seconds that took on ctl[1]. */
static int sender(const data *d, int i, const struct sockaddr_in *addr, const uint8_t *key,
                  uint32_t algo, bool live, const int ctl[2])
{
    const cfg *c = d->c;
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    if (fd < 0 || connect(fd, (const struct sockaddr *)addr, sizeof *addr) != 0) return 2;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    uint8_t id = (uint8_t)i;
    hoc_seal *tx = hoc_seal_new(key);
    struct evbuffer *rec = evbuffer_new(), *out = evbuffer_new();
    size_t per = frames_per_seal(c), nseal = (c->stripes + per - 1) / per;
    uint8_t(*tags)[HOC_WIRE_TAG] = malloc(nseal * HOC_WIRE_TAG);
    if (!tx || !rec || !out || !tags || write(fd, &id, 1) != 1) return 2;
    for (size_t j = 0; !live && j < nseal; j++) { /* the same bytes, tagged ahead */
        size_t s0 = j * per, s1 = s0 + per < c->stripes ? s0 + per : c->stripes;
        uint8_t hdr[HOC_WIRE_LEN + HOC_WIRE_HDR];
        queue_frames(d, i, algo, s0, s1, rec);
        int h = hoc_wire_sealed_header(hdr, sizeof hdr, evbuffer_get_length(rec));
        if (h < 0 || seal_rec(tx, hdr, (size_t)h, rec, tags[j]) < 0) return 2;
        evbuffer_drain(rec, evbuffer_get_length(rec));
    }
    char go;
    if (read(ctl[0], &go, 1) != 1) return 2;
    double cpu0 = cpu_s();
    for (size_t j = 0; j < nseal; j++) {
        size_t s0 = j * per, s1 = s0 + per < c->stripes ? s0 + per : c->stripes;
        uint8_t hdr[HOC_WIRE_LEN + HOC_WIRE_HDR], tag[HOC_WIRE_TAG];
        queue_frames(d, i, algo, s0, s1, rec);
        int h = hoc_wire_sealed_header(hdr, sizeof hdr, evbuffer_get_length(rec));
        if (h < 0 || (live && seal_rec(tx, hdr, (size_t)h, rec, tag) < 0)) return 2;
        evbuffer_add(out, hdr, (size_t)h);
        evbuffer_remove_buffer(rec, out, evbuffer_get_length(rec));
        evbuffer_add(out, live ? tag : tags[j], HOC_WIRE_TAG);
        if (evbuffer_get_length(out) < FLUSH_BYTES && j + 1 < nseal) continue;
        while (evbuffer_get_length(out) > 0) /* a blocking socket: waits for room */
            if (evbuffer_write(out, fd) < 0 && errno != EINTR) return 2;
    }
    double cpu = cpu_s() - cpu0;
    if (write(ctl[1], &cpu, sizeof cpu) != (ssize_t)sizeof cpu) return 2;
    close(fd);
    return 0;
}

/* ---- the receiver ---- */

typedef struct rx rx;

typedef struct rconn {
    rx *r;
    int fd, sender;
    hoc_seal *seal;
    struct event *ev;
    uint8_t *in; /* net.c's flat buffer: in[0..inlen) of incap */
    size_t inlen, incap;
} rconn;

struct rx {
    const data *d;
    int variant;
    uint32_t algo;
    struct event_base *base;
    rconn conn[MAX_G];
    uint8_t *store; /* the rebuilt blocks, one a stripe */
    bool *seen;     /* seen[s * k + i]: sender i's block of stripe s arrived */
    uint8_t **slot; /* slot[s * k + i]: that block, copied out, until the stripe decodes */
    int *have;      /* blocks of stripe s copied out */
    uint8_t **pool; /* free slots */
    size_t npool;
    erasure_decoder *dec;
    int closed;                       /* senders that hung up */
    double t_check, t_copy, t_decode; /* CPU seconds checking tags, copying out, decoding */
    size_t frames, rebuilt, received; /* so far */
    const char *failed;               /* why the run failed */
};

static void fail(rx *r, const char *why)
{
    if (!r->failed) r->failed = why;
    event_base_loopbreak(r->base);
}

static bool finished(const rx *r)
{
    const cfg *c = r->d->c;
    return r->variant >= V_DECODE ? r->rebuilt == c->stripes
                                  : r->frames == c->stripes * (size_t)c->k;
}

/* Copies a block out of the read buffer into a slot (the runtime copies
 * each message into its instance's mailbox) and decodes the stripe once
 * its k blocks are in. */
static bool deliver(rx *r, size_t s, int i, const uint8_t *payload)
{
    const data *d = r->d;
    const cfg *c = d->c;
    int k = c->k;
    uint8_t *b = r->npool ? r->pool[--r->npool] : erasure_alloc(c->block);
    if (!b) return false;
    double t0 = thread_cpu_s();
    memcpy(b, payload, c->block);
    r->t_copy += thread_cpu_s() - t0;
    r->slot[s * (size_t)k + (size_t)i] = b;
    if (++r->have[s] < k) return true;
    uint8_t *blocks[ERASURE_MAX_N] = {0};
    int avail[MAX_G], lost = lost_of(d, s);
    for (int j = 0; j < k; j++) {
        avail[j] = avail_of(d, s, j);
        blocks[avail[j]] = r->slot[s * (size_t)k + (size_t)j];
    }
    blocks[lost] = r->store + s * c->block;
    t0 = thread_cpu_s();
    if (erasure_decode(r->dec, avail, k, &lost, 1, blocks, c->block) != ERASURE_OK) return false;
    r->t_decode += thread_cpu_s() - t0;
    for (int j = 0; j < k; j++)
        r->pool[r->npool++] = r->slot[s * (size_t)k + (size_t)j];
    r->rebuilt++;
    return true;
}

/* One frame inside a SEALED frame: a MSG carrying sender i's block of a
 * stripe, each exactly once. */
static bool on_msg(rconn *cn, const hoc_frame *g)
{
    rx *r = cn->r;
    const cfg *c = r->d->c;
    if (g->type != HOC_F_MSG || g->id != (uint32_t)(cn->sender + 1) || g->algo != r->algo ||
        g->instance >= c->stripes || g->payload_len != c->block) {
        fail(r, "a frame that is not a block of this sender");
        return false;
    }
    size_t s = (size_t)g->instance;
    bool *seen = &r->seen[s * (size_t)c->k + (size_t)cn->sender];
    if (*seen) {
        fail(r, "a block received twice");
        return false;
    }
    *seen = true;
    if (r->variant >= V_DECODE && !deliver(r, s, cn->sender, g->payload)) {
        fail(r, "out of memory, or the decode failed");
        return false;
    }
    r->frames++;
    return true;
}

/* net.c's consume: decode the whole frames at the front of in (checking
 * each SEALED frame's tag), keep the partial one, and size the buffer for
 * it. */
static bool consume(rconn *cn)
{
    rx *r = cn->r;
    size_t off = 0;
    for (;;) {
        hoc_frame f;
        size_t used;
        const char *why;
        const uint8_t *at = cn->in + off;
        hoc_wire_status st = hoc_wire_decode(at, cn->inlen - off, &f, &used, &why);
        if (st == HOC_WIRE_MORE) break;
        if (st == HOC_WIRE_BAD || f.type != HOC_F_SEALED) {
            fail(r, st == HOC_WIRE_BAD ? why : "a frame outside a sealed frame");
            return false;
        }
        if (r->variant >= V_CHECK) {
            double t0 = thread_cpu_s();
            bool ok = hoc_seal_check(cn->seal, at, used - HOC_WIRE_TAG, f.tag);
            r->t_check += thread_cpu_s() - t0;
            if (!ok) {
                fail(r, "a sealed frame failed its tag check");
                return false;
            }
        }
        off += used;
        for (size_t o = 0; o < f.payload_len;) {
            hoc_frame g;
            size_t n;
            if (hoc_wire_decode(f.payload + o, f.payload_len - o, &g, &n, &why) != HOC_WIRE_OK) {
                fail(r, "a frame cut short or bad inside its sealed frame");
                return false;
            }
            o += n;
            if (!on_msg(cn, &g)) return false;
        }
    }
    cn->inlen -= off;
    if (cn->inlen && off) memmove(cn->in, cn->in + off, cn->inlen);
    size_t want = IN_CAP;
    if (cn->inlen >= HOC_WIRE_LEN) {
        size_t need = HOC_WIRE_LEN + (size_t)hoc_get_u32(cn->in);
        if (need > want) want = need;
    }
    if (want != cn->incap && (want > cn->incap || cn->inlen <= IN_CAP)) {
        uint8_t *b = realloc(cn->in, want);
        if (!b) {
            fail(r, "out of memory for a frame");
            return false;
        }
        cn->in = b, cn->incap = want;
    }
    return true;
}

/* net.c's read_cb. */
static void read_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)what;
    rconn *cn = arg;
    rx *r = cn->r;
    size_t got = 0;
    while (got < READ_BUDGET) {
        size_t room = cn->incap - cn->inlen;
        ssize_t n = read(fd, cn->in + cn->inlen, room);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        if (n <= 0) { /* a sender hangs up once it has sent everything */
            event_del(cn->ev);
            r->closed++;
            break;
        }
        got += (size_t)n;
        r->received += (size_t)n;
        cn->inlen += (size_t)n;
        if (!consume(cn)) return;
        if ((size_t)n < room) break;
    }
    if (finished(r))
        event_base_loopbreak(r->base);
    else if (r->closed == r->d->c->k)
        fail(r, "the senders hung up before everything arrived");
}

static void timeout_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    fail(arg, "timed out");
}

/* ---- one run ---- */

typedef struct result {
    double wall, rx_cpu, tx_cpu, busy_cores; /* seconds; cores busy machine-wide */
    double t_check, t_copy, t_decode;        /* the receiver's, as in rx */
    size_t received;
} result;

/* The first stripe whose rebuilt block differs from the original, or
 * stripes if none does. */
static size_t first_wrong(const data *d, const uint8_t *store)
{
    for (size_t s = 0; s < d->c->stripes; s++)
        if (memcmp(store + s * d->c->block, blk(d, s, lost_of(d, s)), d->c->block) != 0) return s;
    return d->c->stripes;
}

/* Forks the senders, receives and rebuilds, checks; 0, or 1 with a message. */
static int run(const data *d, int variant, result *res)
{
    const cfg *c = d->c;
    int k = c->k;
    struct sockaddr_in addr;
    int ls = bench_listen_loopback(&addr, MAX_G), go[MAX_G][2], back[MAX_G][2];
    pid_t pid[MAX_G];
    if (ls < 0) die("bench-rebuild-ceiling: listen");
    uint8_t secret[32], nonce[2][HOC_WIRE_NONCE], key[MAX_G][HOC_SEAL_KEY], unused[HOC_SEAL_KEY];
    uint32_t algo = hoc_wire_algo_tag("rebuild-ceiling", 1);
    hoc_wire_cluster cl = {algo, (uint32_t)(k + 1), 0};
    RAND_bytes(secret, sizeof secret);
    RAND_bytes(&nonce[0][0], sizeof nonce);
    for (int i = 0; i < k; i++) { /* the key of what sender i + 1 sends to the receiver 0 */
        hoc_seal_keys(secret, sizeof secret, nonce[0], nonce[1], (uint32_t)(i + 1), 0, &cl, key[i],
                      unused);
        if (pipe(go[i]) || pipe(back[i])) die("bench-rebuild-ceiling: pipe");
        fflush(stdout);
        if ((pid[i] = fork()) < 0) die("bench-rebuild-ceiling: fork");
        if (pid[i] == 0) {
            close(ls);
            int ctl[2] = {go[i][0], back[i][1]};
            _exit(sender(d, i, &addr, key[i], algo, variant == V_SEAL, ctl));
        }
        close(go[i][0]), close(back[i][1]);
    }
    rx r = {.d = d, .variant = variant, .algo = algo, .base = event_base_new()};
    r.store = erasure_alloc(c->stripes * c->block);
    r.seen = calloc(c->stripes * (size_t)k, sizeof *r.seen);
    r.slot = calloc(c->stripes * (size_t)k, sizeof *r.slot);
    r.have = calloc(c->stripes, sizeof *r.have);
    r.pool = calloc(c->stripes * (size_t)k, sizeof *r.pool);
    if (!r.base || !r.store || !r.seen || !r.slot || !r.have || !r.pool ||
        erasure_decoder_new(d->code, &r.dec) != ERASURE_OK)
        die("bench-rebuild-ceiling: memory");
    memset(r.store, 0, c->stripes * c->block); /* touched ahead: no page faults in the run */
    struct timeval patience = {10, 0};         /* a sender that died never connects */
    setsockopt(ls, SOL_SOCKET, SO_RCVTIMEO, &patience, sizeof patience);
    for (int j = 0; j < k; j++) {
        int fd = accept(ls, NULL, NULL), one = 1;
        uint8_t id;
        if (fd < 0 || read(fd, &id, 1) != 1 || id >= k || r.conn[id].r)
            die("bench-rebuild-ceiling: accept");
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        rconn *cn = &r.conn[id];
        *cn = (rconn){.r = &r, .fd = fd, .sender = id, .incap = IN_CAP};
        cn->seal = hoc_seal_new(key[id]);
        cn->in = malloc(cn->incap);
        cn->ev = event_new(r.base, fd, EV_READ | EV_PERSIST, read_cb, cn);
        if (!cn->seal || !cn->in || !cn->ev || event_add(cn->ev, NULL))
            die("bench-rebuild-ceiling: connection");
    }
    close(ls);
    struct event *timer = evtimer_new(r.base, timeout_cb, &r);
    struct timeval tv = {TIMEOUT_S, 0};
    evtimer_add(timer, &tv);
    unsigned long long b0, t0, b1, t1;
    machine_jiffies(&b0, &t0);
    double w0 = hoc_now_s(), cpu0 = cpu_s();
    for (int i = 0; i < k; i++)
        if (write(go[i][1], "g", 1) != 1) die("bench-rebuild-ceiling: go");
    event_base_dispatch(r.base);
    res->wall = hoc_now_s() - w0;
    res->rx_cpu = cpu_s() - cpu0;
    machine_jiffies(&b1, &t1);
    res->busy_cores =
        t1 > t0 ? (double)(b1 - b0) / (double)(t1 - t0) * (double)sysconf(_SC_NPROCESSORS_ONLN) : 0;
    res->received = r.received;
    res->t_check = r.t_check, res->t_copy = r.t_copy, res->t_decode = r.t_decode;
    res->tx_cpu = 0;
    for (int i = 0; i < k; i++) {
        double cpu = 0;
        if (!r.failed && read(back[i][0], &cpu, sizeof cpu) != (ssize_t)sizeof cpu)
            r.failed = "a sender failed";
        res->tx_cpu += cpu;
        close(go[i][1]), close(back[i][0]);
    }
    for (int i = 0; i < k; i++) {
        int st;
        if (r.failed) kill(pid[i], SIGKILL);
        if (waitpid(pid[i], &st, 0) == pid[i] && !r.failed && (!WIFEXITED(st) || WEXITSTATUS(st)))
            r.failed = "a sender failed";
    }
    size_t wrong = variant >= V_DECODE && !r.failed ? first_wrong(d, r.store) : c->stripes;
    if (wrong < c->stripes) {
        fprintf(stderr, "bench-rebuild-ceiling: stripe %zu rebuilt wrong\n", wrong);
        r.failed = "a block rebuilt wrong";
    }
    for (int j = 0; j < k; j++) {
        event_free(r.conn[j].ev);
        hoc_seal_free(r.conn[j].seal);
        free(r.conn[j].in);
        close(r.conn[j].fd);
    }
    event_free(timer);
    event_base_free(r.base);
    while (r.npool)
        erasure_free(r.pool[--r.npool]);
    erasure_decoder_free(r.dec);
    erasure_free(r.store);
    free(r.seen), free(r.slot), free(r.have), free(r.pool);
    if (r.failed) fprintf(stderr, "bench-rebuild-ceiling: %s: %s\n", vnames[variant], r.failed);
    return r.failed ? 1 : 0;
}

/* ---- main ---- */

static int by_wall(const void *a, const void *b)
{
    double x = ((const result *)a)->wall, y = ((const result *)b)->wall;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    long long g = 3, f = 2, block = 131072, stripes = 256, runs = 3;
    bool quick = false, help = false;
    const char *which = "abcd";
    const hoc_opt t[] = {
        {"--g", HOC_OPT_INT, &g, 1, MAX_G, 0, 0, "G", "senders, the data blocks of a stripe (3)", 0,
         0},
        {"--f", HOC_OPT_INT, &f, 1, 8, 0, 0, "F", "parity blocks of a stripe (2)", 0, 0},
        {"--block", HOC_OPT_INT, &block, 64, 16 << 20, 0, 0, "BYTES",
         "block size, a multiple of 64 (131072)", 0, 0},
        {"--stripes", HOC_OPT_INT, &stripes, 1, 1 << 20, 0, 0, "N",
         "stripes, one block rebuilt each (256)", 0, 0},
        {"--runs", HOC_OPT_INT, &runs, 1, 100, 0, 0, "R", "runs of each variant (3)", 0, 0},
        {"--variants", HOC_OPT_STR, &which, 0, 0, 0, 0, "abcd", "which variants, in order", 0, 0},
        {"--quick", HOC_OPT_SET, &quick, 0, 0, 0, 0, NULL,
         "64 stripes, one run (over --stripes and --runs)", 0, 0},
        {"--help", HOC_OPT_SET, &help, 0, 0, 0, 0, NULL, "this help", 0, 0},
        {0},
    };
    char err[200] = "";
    int npos = 0;
    if (hoc_opt_parse(t, argc - 1, argv + 1, NULL, 0, &npos, err, sizeof err) == 0 && !help) {
        if (erasure_check_len((size_t)block) != ERASURE_OK)
            snprintf(err, sizeof err, "--block %lld is not a multiple of 64", block);
        else if (strspn(which, "abcd") != strlen(which) || !*which)
            snprintf(err, sizeof err, "--variants takes letters a to d, not '%s'", which);
    }
    if (*err || help) {
        if (*err) fprintf(stderr, "bench-rebuild-ceiling: %s\n", err);
        fprintf(help ? stdout : stderr, "usage: bench-rebuild-ceiling [options]\n");
        hoc_opt_print(help ? stdout : stderr, t, 2);
        return help ? 0 : 2;
    }
    if (quick) stripes = 64, runs = 1;
    cfg c = {(int)g, (int)f, (size_t)block, (size_t)stripes, (int)runs};
    data d;
    if (make_data(&c, &d) != 0) die("bench-rebuild-ceiling: making the stripes");
    signal(SIGPIPE, SIG_IGN);
    double rebuilt = (double)c.stripes * (double)c.block, frame = (double)(frame_len(&c));
    double wire =
        frame + (double)(HOC_WIRE_LEN + HOC_WIRE_HDR + HOC_WIRE_TAG) / (double)frames_per_seal(&c);
    printf("rebuild ceiling: g = %d senders, f = %d, %zu stripes of %zu KiB: %.1f MiB rebuilt, "
           "%.1f MiB on the wire (%.3f bytes a byte rebuilt); %d run(s) a variant\n",
           c.k, c.m, c.stripes, c.block >> 10, rebuilt / 1048576,
           wire * (double)c.k * (double)c.stripes / 1048576, wire * c.k / (double)c.block, c.runs);
    int nv = (int)strlen(which);
    result *res = calloc((size_t)(nv * c.runs), sizeof *res);
    if (!res) die("bench-rebuild-ceiling: memory");
    int rc = 0;
    for (int i = 0; i < c.runs && rc == 0; i++) /* variants in turn: drift spreads over all */
        for (int v = 0; v < nv && rc == 0; v++)
            rc = run(&d, which[v] - 'a', &res[v * c.runs + i]);
    if (rc) return rc;
    double gb = rebuilt / 1e9, last_rx = 0, last_all = 0;
    printf("%-20s %17s | %29s | %26s\n", "", "MB/s rebuilt", "CPU s a GB rebuilt", "cores busy");
    printf("%-20s %8s %8s | %9s %9s %9s | %8s %8s %8s\n", "variant", "median", "best", "receiver",
           "senders", "all", "receiver", "bench", "machine");
    for (int v = 0; v < nv; v++) {
        result *r = &res[v * c.runs];
        qsort(r, (size_t)c.runs, sizeof *r, by_wall);
        const result *med = &r[c.runs / 2];
        last_rx = med->rx_cpu / gb, last_all = (med->rx_cpu + med->tx_cpu) / gb;
        printf("%-20s %8.1f %8.1f | %9.2f %9.2f %9.2f | %8.2f %8.2f %8.2f\n",
               vnames[which[v] - 'a'], rebuilt / med->wall / 1e6, rebuilt / r[0].wall / 1e6,
               last_rx, med->tx_cpu / gb, last_all, med->rx_cpu / med->wall,
               (med->rx_cpu + med->tx_cpu) / med->wall, med->busy_cores);
    }
    printf("(CPU and cores busy: the median run's; GB and MB: 10^9 and 10^6 bytes; bench: the "
           "receiver and senders; machine: every process on it, from /proc/stat)\n\n");
    printf("the receiver's CPU by part, s a GB rebuilt (median run; the parts by the thread's CPU "
           "clock, the rest is reads, framing and the loop)\n");
    printf("%-20s %9s %9s %9s %9s %9s\n", "variant", "tags", "copy out", "decode", "the rest",
           "ns/B in");
    for (int v = 0; v < nv; v++) {
        const result *med = &res[v * c.runs + c.runs / 2];
        double parts = med->t_check + med->t_copy + med->t_decode;
        printf("%-20s %9.2f %9.2f %9.2f %9.2f %9.3f\n", vnames[which[v] - 'a'], med->t_check / gb,
               med->t_copy / gb, med->t_decode / gb, (med->rx_cpu - parts) / gb,
               med->rx_cpu / (double)med->received * 1e9);
    }
    printf("\nbound by CPU alone (%s, median run): one receiving thread with a core to itself "
           "%.0f MB/s;",
           vnames[which[nv - 1] - 'a'], 1e3 / last_rx);
    for (int n = 2; n <= 16; n *= 2) {
        double all = n * 1e3 / last_all;
        printf(" %d free cores %.0f%s", n, all < 1e3 / last_rx ? all : 1e3 / last_rx,
               n < 16 ? "," : " MB/s\n");
    }
    free(res);
    erasure_code_free(d.code);
    erasure_free(d.mem);
    return 0;
}
