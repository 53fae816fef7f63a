/* net_readpath.c: the measurement behind the replica transport's read and
 * write paths (runtime/net.c). A forked sender streams MSG frames over
 * loopback TCP (TCP_NODELAY, as replicas set it) and the receiver reads them
 * on a libevent loop with one candidate path, decoding every frame with the
 * real wire decoder (hoc_wire_decode) and checking that all arrived intact.
 * Then the write side: the same frames queued the way net.c queues them and
 * written by a bufferevent or by evbuffer_write on a raw event, to a plain
 * reader. Figures, not pass/fail; exit 1 only if frames were lost or bad.
 *
 * usage: bench-net-readpath [MIB]   (MiB streamed per run, default 128) */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "wire.h"
#include "bench_dial.h"

#define PATTERN_BYTES (256u << 10) /* the sender repeats this many bytes of whole frames */
#define READ_CHUNK 65536           /* one read call of the raw paths */
#define READ_BUDGET (1u << 20)     /* bytes read per callback at most, as in net.c */
#define FLAT_CAP (256u << 10)      /* the flat buffer: leaves >= 190 KiB after a partial frame */
#define RUNS 3                     /* best of */

typedef enum { R_BEV, R_BEV_MAX, R_EVREAD1, R_EVREAD, R_RESERVE, R_FLAT, R_NMODES } rmode;
static const char *const rnames[] = {"bufferevent",
                                     "bufferevent, max_single_read 64K",
                                     "event + evbuffer_read(64K), once",
                                     "event + evbuffer_read(64K), loop",
                                     "event + reserve_space/readv",
                                     "event + read() into a flat buffer"};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The pattern: whole MSG frames with `payload` bytes each, about PATTERN_BYTES long. */
static uint8_t *make_pattern(size_t payload, size_t *len, uint64_t *frames)
{
    size_t fsz = HOC_WIRE_LEN + HOC_WIRE_HDR + HOC_WIRE_MSG_FIXED + payload;
    size_t k = PATTERN_BYTES / fsz ? PATTERN_BYTES / fsz : 1;
    uint8_t *p = malloc(k * fsz);
    if (!p) return NULL;
    for (size_t i = 0; i < k; i++) {
        uint8_t *f = p + i * fsz;
        hoc_wire_msg_header(f, fsz, i, (int64_t)(i % 7), 1, 0xabcd, payload);
        memset(f + (fsz - payload), (int)(i & 0xff), payload);
    }
    *len = k * fsz, *frames = k;
    return p;
}

static int listen_loopback(struct sockaddr_in *a)
{
    int ls = bench_listen_loopback(a, 1);
    if (ls < 0) {
        perror("bench-net-readpath: listen");
        exit(2);
    }
    return ls;
}

static int connect_loopback(const struct sockaddr_in *a)
{
    int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (s < 0 || connect(s, (const struct sockaddr *)a, sizeof *a)) {
        perror("bench-net-readpath: connect");
        _exit(2);
    }
    return s;
}

static void set_nonblock(int fd)
{
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/* ---- the receive side ---- */
typedef struct Rx {
    struct event_base *base;
    struct bufferevent *bev;
    struct event *ev;
    struct evbuffer *in;
    uint8_t *flat;
    size_t flen;
    int fd;
    uint64_t frames, reads;
    bool bad;
} Rx;

/* Decodes the whole frames at the front of d; returns the bytes they take. */
static size_t decode_all(Rx *x, const uint8_t *d, size_t len)
{
    size_t off = 0;
    for (;;) {
        hoc_frame f;
        size_t used;
        const char *why;
        hoc_wire_status s = hoc_wire_decode(d + off, len - off, &f, &used, &why);
        if (s == HOC_WIRE_MORE) return off;
        if (s == HOC_WIRE_BAD || f.type != HOC_F_MSG || f.algo != 0xabcd) {
            x->bad = true;
            event_base_loopbreak(x->base);
            return off;
        }
        x->frames++;
        off += used;
    }
}

/* Decodes from an evbuffer, making it contiguous only once its first frame
 * is whole (a frame that arrives in pieces is not copied once per piece). */
static void decode_evbuffer(Rx *x, struct evbuffer *in)
{
    size_t len = evbuffer_get_length(in);
    uint8_t h[HOC_WIRE_LEN];
    if (len < HOC_WIRE_LEN || evbuffer_copyout(in, h, HOC_WIRE_LEN) != HOC_WIRE_LEN) return;
    size_t need =
        HOC_WIRE_LEN + ((size_t)h[0] | (size_t)h[1] << 8 | (size_t)h[2] << 16 | (size_t)h[3] << 24);
    if (len < need && need <= HOC_WIRE_LEN + HOC_WIRE_MAX_FRAME) return;
    evbuffer_drain(in, decode_all(x, evbuffer_pullup(in, -1), len));
}

static void bev_read_cb(struct bufferevent *bev, void *arg)
{
    Rx *x = arg;
    struct evbuffer *in = bufferevent_get_input(bev);
    x->reads++;
    decode_evbuffer(x, in);
}

static void bev_event_cb(struct bufferevent *bev, short what, void *arg)
{
    (void)bev;
    Rx *x = arg;
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) event_base_loopbreak(x->base);
}

static void raw_read_cb(evutil_socket_t fd, short what, void *arg, rmode mode)
{
    (void)what;
    Rx *x = arg;
    size_t got = 0;
    bool eof = false;
    while (got < READ_BUDGET) {
        ssize_t r;
        size_t room = FLAT_CAP - x->flen;
        if (mode == R_EVREAD || mode == R_EVREAD1) {
            r = evbuffer_read(x->in, fd, READ_CHUNK);
        } else if (mode == R_RESERVE) {
            struct evbuffer_iovec v[2];
            int nv = evbuffer_reserve_space(x->in, READ_CHUNK, v, 2);
            if (nv < 0) break;
            struct iovec iov[2];
            for (int i = 0; i < nv; i++)
                iov[i].iov_base = v[i].iov_base, iov[i].iov_len = v[i].iov_len;
            r = readv(fd, iov, nv);
            size_t left = r > 0 ? (size_t)r : 0;
            for (int i = 0; i < nv; i++) {
                size_t k = left < v[i].iov_len ? left : v[i].iov_len;
                v[i].iov_len = k, left -= k;
            }
            evbuffer_commit_space(x->in, v, nv);
        } else {
            r = read(fd, x->flat + x->flen, room);
            if (r > 0) {
                x->flen += (size_t)r;
                size_t used = decode_all(x, x->flat, x->flen);
                memmove(x->flat, x->flat + used, x->flen - used);
                x->flen -= used;
            }
        }
        x->reads++;
        if (r > 0) {
            got += (size_t)r;
            /* "once": stop at a short read, believing the socket drained (it
             * never is: libevent 2.1 returns at most 4 KiB); the flat buffer
             * stops at a short read too, as net.c does */
            if ((mode == R_EVREAD1 && r < READ_CHUNK) || (mode == R_FLAT && r < (ssize_t)room))
                break;
            continue;
        }
        if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) eof = true;
        break;
    }
    if (mode != R_FLAT) decode_evbuffer(x, x->in);
    if (eof) event_base_loopbreak(x->base);
}

static void evread_cb(evutil_socket_t fd, short what, void *arg)
{
    raw_read_cb(fd, what, arg, R_EVREAD);
}
static void evread1_cb(evutil_socket_t fd, short what, void *arg)
{
    raw_read_cb(fd, what, arg, R_EVREAD1);
}
static void reserve_cb(evutil_socket_t fd, short what, void *arg)
{
    raw_read_cb(fd, what, arg, R_RESERVE);
}
static void flat_cb(evutil_socket_t fd, short what, void *arg)
{
    raw_read_cb(fd, what, arg, R_FLAT);
}

/* One receive run; returns MB/s (1e6 bytes) or -1 if frames were lost. */
static double rx_run(rmode mode, const uint8_t *pat, size_t plen, uint64_t pframes, uint64_t reps,
                     double *mfps, double *bytes_per_read)
{
    struct sockaddr_in a;
    int ls = listen_loopback(&a);
    pid_t pid = fork();
    if (pid == 0) {
        int s = connect_loopback(&a);
        for (uint64_t i = 0; i < reps; i++)
            for (size_t d = 0; d < plen;) {
                ssize_t k = write(s, pat + d, plen - d);
                if (k <= 0) _exit(1);
                d += (size_t)k;
            }
        close(s);
        _exit(0);
    }
    int fd = accept(ls, NULL, NULL);
    close(ls);
    set_nonblock(fd);
    Rx x = {0};
    x.fd = fd;
    x.base = event_base_new();
    if (mode == R_BEV || mode == R_BEV_MAX) {
        x.bev = bufferevent_socket_new(x.base, fd, 0);
        if (mode == R_BEV_MAX) bufferevent_set_max_single_read(x.bev, READ_CHUNK);
        bufferevent_setcb(x.bev, bev_read_cb, NULL, bev_event_cb, &x);
        bufferevent_enable(x.bev, EV_READ);
    } else {
        event_callback_fn cb = mode == R_EVREAD    ? evread_cb
                               : mode == R_EVREAD1 ? evread1_cb
                               : mode == R_RESERVE ? reserve_cb
                                                   : flat_cb;
        x.in = evbuffer_new();
        x.flat = malloc(FLAT_CAP);
        x.ev = event_new(x.base, fd, EV_READ | EV_PERSIST, cb, &x);
        event_add(x.ev, NULL);
    }
    double t0 = now_s();
    event_base_dispatch(x.base);
    double t = now_s() - t0;
    if (x.bev) bufferevent_free(x.bev);
    if (x.ev) event_free(x.ev);
    if (x.in) evbuffer_free(x.in);
    free(x.flat);
    event_base_free(x.base);
    close(fd);
    int st;
    waitpid(pid, &st, 0);
    uint64_t want = pframes * reps;
    if (x.bad || x.frames != want) {
        fprintf(stderr, "%s: %llu of %llu frames%s\n", rnames[mode], (unsigned long long)x.frames,
                (unsigned long long)want, x.bad ? ", a bad one" : "");
        return -1;
    }
    *mfps = (double)x.frames / t / 1e6;
    *bytes_per_read = (double)plen * (double)reps / (double)(x.reads ? x.reads : 1);
    return (double)plen * (double)reps / t / 1e6;
}

/* ---- the write side ---- */
typedef enum { W_BEV, W_RAW, W_NMODES } wmode;
static const char *const wnames[] = {"bufferevent_write", "evbuffer + evbuffer_write (net.c)"};
#define BATCH_BYTES (64u << 10) /* frames produced per "loop iteration" */

typedef struct Tx {
    struct event_base *base;
    struct bufferevent *bev;
    struct event *wev;
    struct evbuffer *out;
    const uint8_t *pat;
    size_t fsz, payload;
    uint64_t sent, total, next;
    int fd;
    bool err;
} Tx;

/* Queues frames like net.c's hoc_net_send_msg: header, then payload, per frame. */
static void tx_produce(Tx *t, struct evbuffer *out)
{
    size_t hl = t->fsz - t->payload;
    for (size_t b = 0; b < BATCH_BYTES && t->next < t->total; b += t->fsz, t->next++) {
        const uint8_t *f = t->pat + (t->next % (PATTERN_BYTES / t->fsz)) * t->fsz;
        if (t->bev) {
            bufferevent_write(t->bev, f, hl);
            bufferevent_write(t->bev, f + hl, t->payload);
        } else {
            evbuffer_add(out, f, hl);
            evbuffer_add(out, f + hl, t->payload);
        }
    }
}

static void tx_bev_write_cb(struct bufferevent *bev, void *arg)
{
    Tx *t = arg;
    if (t->next == t->total && evbuffer_get_length(bufferevent_get_output(bev)) == 0) {
        event_base_loopbreak(t->base);
        return;
    }
    tx_produce(t, NULL);
}

static void tx_bev_event_cb(struct bufferevent *bev, short what, void *arg)
{
    (void)bev;
    Tx *t = arg;
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) t->err = true, event_base_loopbreak(t->base);
}

static void tx_raw_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)what;
    Tx *t = arg;
    for (;;) {
        if (evbuffer_get_length(t->out) < BATCH_BYTES) tx_produce(t, t->out);
        if (evbuffer_get_length(t->out) == 0) {
            event_base_loopbreak(t->base);
            return;
        }
        int w = evbuffer_write(t->out, fd);
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) break;
        if (w <= 0) {
            t->err = true;
            event_base_loopbreak(t->base);
            return;
        }
    }
    event_add(t->wev, NULL);
}

/* One send run: MB/s until the reader has every byte, or -1. */
static double tx_run(wmode mode, const uint8_t *pat, size_t fsz, size_t payload, uint64_t frames)
{
    struct sockaddr_in a;
    int ls = listen_loopback(&a);
    uint64_t want = frames * fsz;
    pid_t pid = fork();
    if (pid == 0) {
        int s = connect_loopback(&a);
        uint8_t *b = malloc(FLAT_CAP);
        uint64_t got = 0;
        for (ssize_t k; b && (k = read(s, b, FLAT_CAP)) > 0;)
            got += (uint64_t)k;
        _exit(got == want ? 0 : 1);
    }
    int fd = accept(ls, NULL, NULL);
    close(ls);
    set_nonblock(fd);
    Tx t = {0};
    t.base = event_base_new();
    t.pat = pat, t.fsz = fsz, t.payload = payload, t.total = frames, t.fd = fd;
    double t0 = now_s();
    if (mode == W_BEV) {
        t.bev = bufferevent_socket_new(t.base, fd, 0);
        bufferevent_setwatermark(t.bev, EV_WRITE, BATCH_BYTES, 0);
        bufferevent_setcb(t.bev, NULL, tx_bev_write_cb, tx_bev_event_cb, &t);
        bufferevent_enable(t.bev, EV_WRITE);
        tx_produce(&t, NULL);
    } else {
        t.out = evbuffer_new();
        t.wev = event_new(t.base, fd, EV_WRITE, tx_raw_cb, &t);
        event_active(t.wev, EV_WRITE, 0);
    }
    event_base_dispatch(t.base);
    if (t.bev) bufferevent_free(t.bev);
    if (t.wev) event_free(t.wev);
    if (t.out) evbuffer_free(t.out);
    event_base_free(t.base);
    close(fd);
    int st;
    waitpid(pid, &st, 0);
    double secs = now_s() - t0;
    if (t.err || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(stderr, "%s: the reader did not get every byte\n", wnames[mode]);
        return -1;
    }
    return (double)want / secs / 1e6;
}

int main(int argc, char **argv)
{
    double mib = argc > 1 ? atof(argv[1]) : 128;
    if (mib <= 0) {
        fprintf(stderr, "usage: %s [MIB]\n", argv[0]);
        return 2;
    }
    static const size_t payloads[] = {8, 64, 4096, 16384};
    int rc = 0;
    printf("read path: %.0f MiB of MSG frames per run, every frame decoded; best of %d\n", mib,
           RUNS);
    printf("%-8s %-7s %-36s %9s %11s %12s\n", "payload", "frame", "path", "MB/s", "Mframes/s",
           "bytes/read");
    for (size_t pi = 0; pi < sizeof payloads / sizeof *payloads; pi++) {
        size_t plen;
        uint64_t pframes;
        uint8_t *pat = make_pattern(payloads[pi], &plen, &pframes);
        if (!pat) return 2;
        uint64_t reps = (uint64_t)(mib * 1048576.0 / (double)plen) + 1;
        for (int m = 0; m < R_NMODES; m++) {
            double best = -1, fps = 0, bpr = 0;
            for (int r = 0; r < RUNS; r++) {
                double f = 0, b = 0, v = rx_run((rmode)m, pat, plen, pframes, reps, &f, &b);
                if (v < 0) rc = 1;
                if (v > best) best = v, fps = f, bpr = b;
            }
            printf("%-8zu %-7zu %-36s %9.0f %11.2f %12.0f\n", payloads[pi], plen / pframes,
                   rnames[m], best, fps, bpr);
        }
        free(pat);
    }
    printf("\nwrite path: frames queued as net.c queues them (header, payload), to a plain "
           "reader; best of %d\n",
           RUNS);
    printf("%-8s %-7s %-36s %9s\n", "payload", "frame", "path", "MB/s");
    for (size_t pi = 0; pi < sizeof payloads / sizeof *payloads; pi++) {
        size_t plen;
        uint64_t pframes;
        uint8_t *pat = make_pattern(payloads[pi], &plen, &pframes);
        if (!pat) return 2;
        size_t fsz = plen / pframes;
        uint64_t frames = (uint64_t)(mib * 1048576.0 / (double)fsz) + 1;
        for (int m = 0; m < W_NMODES; m++) {
            double best = -1;
            for (int r = 0; r < RUNS; r++) {
                double v = tx_run((wmode)m, pat, fsz, payloads[pi], frames);
                if (v < 0) rc = 1;
                if (v > best) best = v;
            }
            printf("%-8zu %-7zu %-36s %9.0f\n", payloads[pi], fsz, wnames[m], best);
        }
        free(pat);
    }
    return rc;
}
