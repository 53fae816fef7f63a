/* fuzz_mux.c: the mux's chunk stream (runtime/mux.c: NONCE, HELLO, then
 * OPEN, DATA, CLOSE) read by a real hoc_mux over loopback sockets, with the
 * fuzzer as the other end of one socket. The mux under test is process 0
 * of 3 (secret "fuzz-secret"); group port 7100 is listened with an owner
 * that takes the channel, 7101 with one that refuses it, others are not.
 *
 * Input: a mode byte, then chunks, each a little-endian u16 length and that
 * many bytes (the last chunk takes what is left); length 0 shuts our side's
 * writing down (EOF). Mode bits:
 *   bit 0  we dial the mux (a stranger until a good HELLO) and, with bit 1
 *          clear, a chunk that starts like a HELLO (kind 1, length 32) gets
 *          the MAC the mux expects for the NONCE it sent and the process
 *          the HELLO names, so that later chunks reach the channel path.
 *   bit 1  the mux dials us (we are process 2 and answer with a NONCE; the
 *          dialer does not authenticate the acceptor, by design: channels
 *          do, net.c); the mux opens a channel to us once it is up.
 *   bit 2  a real peer first: process 1, another hoc_mux on the same loop,
 *          connected to the mux under test with a channel to port 7100.
 *   bit 3  an owner answers each DATA it gets (hoc_mux_send).
 *   bit 4  an owner closes its channel on its first DATA.
 *   bit 5  a hoc_net on the mux under test too (group ports 7200-7202,
 *          its process 0 on the mux's): channels to 7200 go to net.c's
 *          handshake, and it opens its own to processes 1 and 2.
 * After each chunk the loop runs until the mux has read it. No input may
 * crash, leak or hit undefined behaviour, and:
 *  - a channel from a dialer is handed to an owner only after a HELLO
 *    with a good MAC was sent (a stranger gets none);
 *  - bytes reach only a live owner, and never the real peer's channel
 *    (the real peer sends nothing while we play);
 *  - the real peer's connection stays unless we proved the secret as
 *    process 1 (a good HELLO naming it replaces it, as it should);
 *  - the hoc_net hands over no frame and has no peer ready (we never
 *    pass its own handshake: proving the mux's secret is not enough).
 *
 * Each input gets its own loopback address (127.100.x.y); as root, the
 * target first moves into a network namespace of its own (unshare). With
 * HOC_FUZZ_SEEDS naming a folder, LLVMFuzzerInitialize writes seeds there
 * from the bytes a real hoc_mux writes (its HELLO, OPEN, DATA, CLOSE). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <netinet/in.h>
#include <linux/tcp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "fuzz_sock.h"
#include "hoc_rt.h"
#include "mux.h"
#include "net.h"
#include "peers.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define N 3
#define PORT 7000 /* process i listens at PORT + i */
#define TAKEN 7100
#define REFUSED 7101
#define GROUP 7200 /* the hoc_net's process i at GROUP + i */
#define CHUNK 12
static const char secret[] = "fuzz-secret";

static unsigned next_addr; /* which 127.100.x.y the next input uses */
static bool verbose;       /* FUZZ_VERBOSE=1: say how far each input got */

typedef struct Owner Owner;
typedef struct Ctx {
    uint8_t mode;
    bool playing;         /* the fuzzer's bytes are going out (setup is over) */
    bool proved[N];       /* we sent a HELLO with a good MAC naming process i */
    bool real_closed;     /* the real peer's channel at the mux under test */
    Owner *live;          /* owners of channels not yet closed */
    Owner *real, *dialed; /* the real peer's channel; the one the mux opened to us */
    int accepted;         /* channels handed to an owner while we played */
    size_t bytes;         /* DATA bytes handed over while we played */
    struct event_base *base;
} Ctx;

struct Owner {
    Ctx *c;
    hoc_mux_chan *ch;
    bool real, answered;
    Owner *next;
};

static bool is_live(Ctx *c, Owner *o)
{
    for (Owner *p = c->live; p; p = p->next)
        if (p == o) return true;
    return false;
}

static void owner_drop(Owner *o)
{
    Ctx *c = o->c;
    for (Owner **pp = &c->live; *pp; pp = &(*pp)->next)
        if (*pp == o) {
            *pp = o->next;
            break;
        }
    if (c->real == o) c->real = NULL;
    if (c->dialed == o) c->dialed = NULL;
    hoc_mux_close(o->ch);
    free(o);
}

static void on_data(void *owner, const uint8_t *p, size_t n)
{
    Owner *o = owner;
    if (!is_live(o->c, o) || (o->real && o->c->playing)) {
        fprintf(stderr, "%zu bytes handed to a %s owner\n", n, o->real ? "real peer's" : "dead");
        abort();
    }
    o->c->bytes += o->c->playing ? n : 0;
    if (o->c->mode & 8 && !o->answered) {
        struct evbuffer *b = evbuffer_new();
        evbuffer_add(b, p, n < 64 ? n : 64);
        hoc_mux_send(o->ch, b, 0);
        evbuffer_free(b);
        o->answered = true;
    }
    if (o->c->mode & 16) owner_drop(o);
}

static void on_closed(void *owner, const char *why)
{
    (void)why;
    Owner *o = owner;
    if (!is_live(o->c, o)) abort();
    if (o->real) o->c->real_closed = true;
    owner_drop(o);
}

static const hoc_mux_chan_cb owner_cb = {on_data, on_closed};

static int on_frame(void *ctx, int peer, const hoc_frame *f)
{
    (void)ctx;
    fprintf(stderr, "the hoc_net handed over frame type %d from %d\n", f->type, peer);
    abort();
}

static Owner *owner_new(Ctx *c, hoc_mux_chan *ch)
{
    Owner *o = calloc(1, sizeof *o);
    if (!o) abort();
    o->c = c, o->ch = ch;
    o->next = c->live;
    c->live = o;
    return o;
}

static void *accept_taken(void *ctx, hoc_mux_chan *ch)
{
    Ctx *c = ctx;
    /* we dial: only a process that proved the secret opens channels */
    bool any = false;
    for (int i = 0; i < N; i++)
        any |= c->proved[i];
    if (c->playing && c->mode & 1 && !(c->mode & 2) && !any) {
        fprintf(stderr, "a channel handed over before a good HELLO\n");
        abort();
    }
    c->accepted += c->playing;
    Owner *o = owner_new(c, ch);
    hoc_mux_own(ch, &owner_cb, o);
    return o;
}

static void *accept_refused(void *ctx, hoc_mux_chan *ch)
{
    (void)ctx, (void)ch;
    return NULL;
}

/* The mux's end of our socket fd (the fd whose addresses are ours
 * swapped: the mux may be dialing us again meanwhile), or -1 once the mux
 * closed it. */
static int mux_end(int fd)
{
    struct sockaddr_in ours, theirs, a, b;
    socklen_t len = sizeof ours;
    if (getsockname(fd, (struct sockaddr *)&ours, &len)) return -1;
    len = sizeof theirs;
    if (getpeername(fd, (struct sockaddr *)&theirs, &len)) return -1;
    for (int i = 3, gap = 0; i < 1024 && gap < 32; i++) { /* fds are dense: stop at a gap */
        len = sizeof a;
        int r = getpeername(i, (struct sockaddr *)&a, &len);
        gap = r < 0 && errno == EBADF ? gap + 1 : 0;
        if (i == fd || r != 0 || a.sin_port != ours.sin_port ||
            a.sin_addr.s_addr != ours.sin_addr.s_addr)
            continue;
        len = sizeof b;
        if (getsockname(i, (struct sockaddr *)&b, &len) == 0 && b.sin_port == theirs.sin_port &&
            b.sin_addr.s_addr == theirs.sin_addr.s_addr)
            return i;
    }
    return -1;
}

/* Pumps until the mux has read the `sent` bytes we sent it (its socket's
 * count, nothing left in its queue) or closed the socket: loopback
 * delivery can lag behind a send on a busy machine, and a pump before the
 * bytes arrive would see nothing: inputs would not replay alike. */
static void delivered(struct event_base *base, int fd, uint64_t sent)
{
    for (int i = 0; i < 2000; i++) {
        fzs_pump(base);
        int mfd = mux_end(fd), q = 0;
        struct tcp_info ti;
        socklen_t len = sizeof ti;
        if (mfd < 0 || getsockopt(mfd, IPPROTO_TCP, TCP_INFO, &ti, &len) ||
            (ti.tcpi_bytes_received >= sent && ioctl(mfd, FIONREAD, &q) == 0 && q == 0))
            break;
        if (i >= 8) usleep(20);
    }
    fzs_pump(base);
}

/* mux.c's hello_mac, from its documented layout (mux.h). */
static void hello_mac(const uint8_t nonce[16], uint32_t dialer, uint32_t acceptor, uint8_t mac[32])
{
    uint8_t msg[7 + 16 + 8];
    memcpy(msg, "hoc-mux", 7);
    memcpy(msg + 7, nonce, 16);
    hoc_put_u32(msg + 23, dialer);
    hoc_put_u32(msg + 27, acceptor);
    unsigned int outlen = 32;
    HMAC(EVP_sha256(), secret, (int)strlen(secret), msg, sizeof msg, mac, &outlen);
}

/* With fix: a chunk shaped like a HELLO gets a good MAC for the mux's NONCE
 * (the first chunk it sent us), and what it proves is noted. */
static void fix_hello(Ctx *c, uint8_t *chunk, size_t len, const uint8_t *in, size_t inlen)
{
    if (len < CHUNK + 32 || chunk[0] != 1 || hoc_get_u32(chunk + 8) != 32) return;
    if (inlen < CHUNK + 16 || in[0] != 5 || hoc_get_u32(in + 8) != 16) return;
    uint32_t q = hoc_get_u32(chunk + 4);
    hello_mac(in + CHUNK, q, 0, chunk + CHUNK);
    if (q < N && chunk[1] == 0 && (chunk[2] | chunk[3] << 8) == 1) c->proved[q] = true;
}

static int listen_at(const char *host, int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, host, &sa.sin_addr);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) || listen(fd, 4)) {
        if (fd >= 0) close(fd);
        return -1;
    }
    return fd;
}

static int accept_one(struct event_base *base, int lfd)
{
    for (int i = 0; i < 100; i++) {
        fzs_pump(base);
        struct pollfd p = {.fd = lfd, .events = POLLIN};
        if (poll(&p, 1, 10) == 1) return accept(lfd, NULL, NULL);
    }
    return -1;
}

static hoc_mux *mux_at(struct event_base *base, const hoc_mux_proc *procs, int self)
{
    hoc_mux_opts mo = {.self = self,
                       .nprocs = N,
                       .procs = procs,
                       .secret = (const uint8_t *)secret,
                       .secret_len = strlen(secret),
                       .log = {HOC_LOG_ERROR, self}};
    return hoc_mux_new(base, &mo);
}

/* Opens a channel from process `from` to port at process `to` (dialing if
 * needed), pumping until it is there (at most about 1 s). */
static hoc_mux_chan *open_chan(struct event_base *base, hoc_mux *m, int to, int port, Owner **o,
                               Ctx *c)
{
    *o = owner_new(c, NULL);
    for (int i = 0; i < 1000; i++) {
        hoc_mux_chan *ch = hoc_mux_open(m, to, port, &owner_cb, *o);
        if (ch) return (*o)->ch = ch;
        fzs_pump(base);
        usleep(i < 10 ? 0 : 100);
    }
    c->live = (*o)->next;
    free(*o);
    *o = NULL;
    return NULL;
}

static void teardown(Ctx *c)
{
    while (c->live) {
        Owner *o = c->live;
        c->live = o->next;
        if (o->ch) hoc_mux_close(o->ch);
        free(o);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    Ctx c = {.mode = data[0]};
    bool we_dial = !(c.mode & 2), fix = (c.mode & 3) == 1, real = c.mode & 4;
    char host[32];
    fzs_addr(host, sizeof host, next_addr++);
    hoc_mux_proc procs[N];
    for (int i = 0; i < N; i++) {
        snprintf(procs[i].host, sizeof procs[i].host, "%s", host);
        procs[i].port = PORT + i;
    }
    int lfd = -1, fd = -1;
    hoc_mux *m = NULL, *peer = NULL;
    hoc_net *net = NULL;
    struct event_base *base = c.base = event_base_new();
    if (!base || event_base_priority_init(base, 2)) abort();
    if (!we_dial && (lfd = listen_at(host, PORT + 2)) < 0) goto out; /* no loopback */
    if (!(m = mux_at(base, procs, 0))) goto out;
    if (hoc_mux_listen(m, TAKEN, accept_taken, NULL, &c) ||
        hoc_mux_listen(m, REFUSED, accept_refused, NULL, &c))
        abort();
    if (c.mode & 32) {
        static const int proc_of[N] = {0, 1, 2};
        static hoc_peers group;
        group.n = N;
        for (int i = 0; i < N; i++) {
            group.p[i].id = i, group.p[i].port = GROUP + i;
            snprintf(group.p[i].host, sizeof group.p[i].host, "%s", host);
        }
        hoc_net_opts o = {.id = 0,
                          .peers = &group,
                          .secret = (const uint8_t *)secret,
                          .secret_len = strlen(secret),
                          .algo = 0x0a1b2c3du,
                          .seed = 1,
                          .mux = m,
                          .mux_proc = proc_of,
                          .log = {HOC_LOG_ERROR, 0}};
        hoc_net_cb cb = {.ctx = &c, .frame = on_frame};
        if (!(net = hoc_net_new(base, &o, &cb))) abort();
    }
    if (real) {
        Owner *po;
        if (!(peer = mux_at(base, procs, 1)) || !open_chan(base, peer, 0, TAKEN, &po, &c)) goto out;
        for (int i = 0; i < 1000 && !c.real; i++) {
            fzs_pump(base);
            for (Owner *o = c.live; o; o = o->next)
                if (o != po) c.real = o;
        }
        if (!c.real) goto out;
        c.real->real = true;
    }
    if (we_dial) {
        fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(PORT)};
        inet_pton(AF_INET, host, &sa.sin_addr);
        if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) goto out;
    } else {
        hoc_mux_open(m, 2, TAKEN, &owner_cb, NULL); /* dials us; NULL until up */
        if ((fd = accept_one(base, lfd)) < 0) goto out;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    struct linger lg = {1, 0}; /* close with a reset: no TIME_WAIT left behind */
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    int one = 1; /* each chunk goes out at once, as it would from a process */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

    c.playing = true;
    static uint8_t in[4096];
    size_t inlen = 0, off = 1;
    uint64_t sent = 0;
    if (fix) fzs_await_reply(base, fd); /* the NONCE our HELLO must MAC */
    while (off < size) {
        fzs_pump(base);
        fzs_drain(fd, in, &inlen, sizeof in);
        bool eof;
        size_t len = fzs_next_chunk(data, size, &off, &eof);
        if (eof) {
            shutdown(fd, SHUT_WR);
            continue;
        }
        static uint8_t chunk[65536];
        memcpy(chunk, data + off, len);
        off += len;
        if (fix) fix_hello(&c, chunk, len, in, inlen);
        for (size_t w = 0, tries = 0; w < len && tries < 1000; tries++) {
            ssize_t r = send(fd, chunk + w, len - w, MSG_NOSIGNAL);
            if (r > 0) {
                w += (size_t)r;
                sent += (uint64_t)r;
                delivered(base, fd, sent);
                continue;
            }
            if (r < 0 && errno != EAGAIN) break; /* the mux closed on us */
            fzs_pump(base);
            fzs_drain(fd, in, &inlen, sizeof in);
        }
        if (!we_dial && !c.dialed) { /* once the mux took our NONCE */
            Owner *o = owner_new(&c, NULL);
            if ((o->ch = hoc_mux_open(m, 2, TAKEN, &owner_cb, o)))
                c.dialed = o;
            else
                c.live = o->next, free(o);
        }
    }
    fzs_pump(base);
    if (real && c.real_closed && !c.proved[1]) {
        fprintf(stderr, "the real peer's connection was displaced by a stranger\n");
        abort();
    }
    if (net && hoc_net_ready_count(net) > 0) {
        fprintf(stderr, "the hoc_net has a peer ready\n");
        abort();
    }
    if (verbose)
        fprintf(
            stderr,
            "mode %#x: channels handed over %d, bytes %zu, real peer %s, dialed %s, net in %llu\n",
            c.mode, c.accepted, c.bytes,
            !real           ? "-"
            : c.real_closed ? "replaced"
                            : "kept",
            c.dialed ? "open" : "none",
            net ? (unsigned long long)hoc_net_get_stats(net)->bytes_in : 0ULL);
out:
    teardown(&c);
    hoc_net_free(net);
    if (fd >= 0) close(fd);
    if (lfd >= 0) close(lfd);
    hoc_mux_free(peer);
    hoc_mux_free(m);
    event_base_free(base);
    return 0;
}

/* Seeds --------------------------------------------------------------- */

static void put_chunk(uint8_t *h, int kind, int port, uint32_t id, uint32_t len)
{
    h[0] = (uint8_t)kind, h[1] = 0, h[2] = (uint8_t)port, h[3] = (uint8_t)(port >> 8);
    hoc_put_u32(h + 4, id);
    hoc_put_u32(h + 8, len);
}

/* An input being made: the mode byte, then u16-framed chunks. */
typedef struct Seed {
    uint8_t b[4096];
    size_t n;
} Seed;

static void seed_chunk(Seed *s, const uint8_t *p, size_t n)
{
    s->b[s->n++] = (uint8_t)n, s->b[s->n++] = (uint8_t)(n >> 8);
    memcpy(s->b + s->n, p, n);
    s->n += n;
}

static void seed_hdr(Seed *s, int kind, int port, uint32_t id, uint32_t len, const char *body)
{
    uint8_t h[CHUNK + 64];
    put_chunk(h, kind, port, id, len);
    size_t bl = body ? strlen(body) : 0;
    memcpy(h + CHUNK, body ? body : "", bl);
    seed_chunk(s, h, CHUNK + bl);
}

static void seed_write(const char *dir, const char *name, const Seed *s)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(s->b, 1, s->n, f) != s->n) abort();
    fclose(f);
}

/* The stream a real hoc_mux (process 1) writes after our NONCE: its HELLO,
 * an OPEN to `port`, a DATA, a CLOSE; into w[0..*wn). */
static void real_stream(int port, uint8_t *w, size_t *wn, size_t cap)
{
    char host[32];
    fzs_addr(host, sizeof host, 40000);
    hoc_mux_proc procs[N];
    for (int i = 0; i < N; i++) {
        snprintf(procs[i].host, sizeof procs[i].host, "%s", host);
        procs[i].port = PORT + 10 + i;
    }
    Ctx c = {0};
    struct event_base *base = c.base = event_base_new();
    if (!base || event_base_priority_init(base, 2)) abort();
    int lfd = listen_at(host, PORT + 10);
    hoc_mux *m = mux_at(base, procs, 1);
    if (lfd < 0 || !m) abort();
    hoc_mux_open(m, 0, port, &owner_cb, NULL);
    int fd = accept_one(base, lfd);
    if (fd < 0) abort();
    uint8_t nonce[CHUNK + 16] = {0};
    put_chunk(nonce, 5, 0, 0, 16);
    if (write(fd, nonce, sizeof nonce) != sizeof nonce) abort();
    Owner *o;
    if (!open_chan(base, m, 0, port, &o, &c)) abort();
    struct evbuffer *b = evbuffer_new();
    evbuffer_add(b, "frames of a hoc_net", 19);
    hoc_mux_send(o->ch, b, 0);
    evbuffer_free(b);
    owner_drop(o);
    hoc_mux_flush_now(m);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    *wn = 0;
    for (int i = 0; i < 100 && *wn < CHUNK + 32 + CHUNK + CHUNK + 19 + CHUNK; i++) {
        fzs_pump(base);
        fzs_drain(fd, w, wn, cap);
        usleep(1000);
    }
    close(fd);
    close(lfd);
    hoc_mux_free(m);
    event_base_free(base);
}

/* Splits a chunk stream into one fuzzer chunk per mux chunk. */
static void seed_stream(Seed *s, const uint8_t *w, size_t n)
{
    for (size_t off = 0; off + CHUNK <= n;) {
        size_t k = CHUNK + (w[off] == 3 || w[off] == 1 ? hoc_get_u32(w + off + 8) : 0);
        if (off + k > n) k = n - off;
        seed_chunk(s, w + off, k);
        off += k;
    }
}

static void make_seeds(const char *dir)
{
    uint8_t w[512];
    size_t wn;
    real_stream(TAKEN, w, &wn, sizeof w);
    if (wn != 44 + 12 + 31 + 12) {
        fprintf(stderr, "fuzz-mux: the real mux wrote %zu bytes, not 99\n", wn);
        abort();
    }
    Seed s;
    /* we dial, and prove the secret with the real mux's HELLO */
    static const struct {
        const char *name;
        uint8_t mode;
    } dial[] = {
        {"seed-stream", 1},          {"seed-stream-answer", 1 | 8}, {"seed-stream-close", 1 | 16},
        {"seed-stream-real", 1 | 4}, {"bad-stream-nofix", 0},       {"bad-stream-nofix-real", 4}};
    for (size_t i = 0; i < sizeof dial / sizeof dial[0]; i++) {
        s.n = 0, s.b[s.n++] = dial[i].mode;
        seed_stream(&s, w, wn);
        seed_write(dir, dial[i].name, &s);
    }
    /* the same HELLO, then chunks to other ports and channels */
    s.n = 0, s.b[s.n++] = 1 | 8;
    seed_chunk(&s, w, 44);
    seed_hdr(&s, 2, REFUSED, 2, 0, NULL);
    seed_hdr(&s, 2, 7200, 4, 0, NULL);
    seed_hdr(&s, 3, 0, 4, 5, "abcde");
    seed_hdr(&s, 2, TAKEN, 6, 0, NULL);
    seed_hdr(&s, 3, 0, 8, 3, "xyz");
    seed_hdr(&s, 3, 0, 6, 4, "data");
    seed_hdr(&s, 4, 0, 6, 0, NULL);
    seed_hdr(&s, 3, 0, 6, 4, "late");
    seed_hdr(&s, 2, TAKEN, 6, 0, NULL);
    seed_hdr(&s, 2, TAKEN, 6, 0, NULL); /* twice: the socket is closed */
    seed_write(dir, "seed-ports-and-channels", &s);
    /* a DATA that says more than comes, and one of 4 GiB */
    s.n = 0, s.b[s.n++] = 1;
    seed_chunk(&s, w, 44);
    seed_hdr(&s, 2, TAKEN, 2, 0, NULL);
    seed_hdr(&s, 3, 0, 2, 0xffffffffu, "only this");
    seed_write(dir, "bad-huge-data", &s);
    /* HELLO naming ourselves, another process, a process past n, a good
     * HELLO as process 1 over a real peer (replaces it), as 2 beside it */
    static const struct {
        const char *name;
        uint8_t mode;
        uint32_t q;
        int version;
    } hellos[] = {{"bad-hello-self", 1, 0, 1},
                  {"bad-hello-past-n", 1, 3, 1},
                  {"bad-hello-version", 1, 2, 2},
                  {"seed-hello-as-1-real", 1 | 4, 1, 1},
                  {"seed-hello-as-2-real", 1 | 4, 2, 1}};
    for (size_t i = 0; i < sizeof hellos / sizeof hellos[0]; i++) {
        uint8_t h[44];
        memcpy(h, w, 44);
        put_chunk(h, 1, hellos[i].version, hellos[i].q, 32);
        s.n = 0, s.b[s.n++] = hellos[i].mode;
        seed_chunk(&s, h, 44);
        seed_hdr(&s, 2, TAKEN, 2, 0, NULL);
        seed_hdr(&s, 3, 0, 2, 4, "ping");
        seed_write(dir, hellos[i].name, &s);
    }
    /* strangers: chunks before HELLO, garbage, a HELLO longer than 64 */
    s.n = 0, s.b[s.n++] = 1 | 4;
    seed_hdr(&s, 2, TAKEN, 2, 0, NULL);
    seed_hdr(&s, 3, 0, 2, 4, "ping");
    seed_write(dir, "bad-open-before-hello", &s);
    s.n = 0, s.b[s.n++] = 4;
    seed_chunk(&s, (const uint8_t *)"GET / HTTP/1.0\r\n\r\n", 18);
    seed_write(dir, "bad-garbage", &s);
    s.n = 0, s.b[s.n++] = 1;
    seed_hdr(&s, 1, 1, 1, 1000, NULL);
    seed_write(dir, "bad-hello-long", &s);
    s.n = 0, s.b[s.n++] = 1;
    seed_hdr(&s, 5, 0, 0, 16, "0123456789abcdef");
    seed_write(dir, "bad-nonce-to-acceptor", &s);
    /* a hoc_net behind the mux: a channel to its port, bytes for its
     * handshake, and the socket lost under it */
    s.n = 0, s.b[s.n++] = 1 | 4 | 32;
    seed_chunk(&s, w, 44);
    seed_hdr(&s, 2, GROUP, 2, 0, NULL);
    seed_hdr(&s, 3, 0, 2, 16, "not a hoc frame.");
    seed_hdr(&s, 2, GROUP, 4, 0, NULL);
    seed_hdr(&s, 4, 0, 4, 0, NULL);
    seed_hdr(&s, 2, GROUP, 6, 0, NULL);
    seed_chunk(&s, (const uint8_t *)"", 0);
    seed_write(dir, "seed-net", &s);
    s.n = 0, s.b[s.n++] = 2 | 32;
    seed_hdr(&s, 5, 0, 0, 16, "0123456789abcdef");
    seed_hdr(&s, 2, GROUP, 1, 0, NULL);
    seed_hdr(&s, 3, 0, 1, 8, "garbage!");
    seed_write(dir, "seed-net-dialed", &s);
    /* the mux dials us: our NONCE, then channels both ways */
    s.n = 0, s.b[s.n++] = 2 | 8;
    seed_hdr(&s, 5, 0, 0, 16, "0123456789abcdef");
    seed_hdr(&s, 2, TAKEN, 1, 0, NULL);
    seed_hdr(&s, 3, 0, 1, 4, "ping");
    seed_hdr(&s, 3, 0, 2, 4, "pong");
    seed_hdr(&s, 2, TAKEN, 2, 0, NULL); /* the dialer's parity: closed */
    seed_write(dir, "seed-dialed", &s);
    s.n = 0, s.b[s.n++] = 2 | 16;
    seed_hdr(&s, 5, 0, 0, 16, "0123456789abcdef");
    seed_hdr(&s, 3, 0, 2, 4, "pong");
    seed_hdr(&s, 4, 0, 2, 0, NULL);
    seed_hdr(&s, 2, REFUSED, 3, 0, NULL);
    seed_write(dir, "seed-dialed-close", &s);
    s.n = 0, s.b[s.n++] = 2 | 4;
    seed_hdr(&s, 5, 0, 0, 8, "01234567");
    seed_write(dir, "bad-dialed-short-nonce", &s);
    s.n = 0, s.b[s.n++] = 2;
    seed_hdr(&s, 1, 1, 2, 32, "01234567012345670123456701234567");
    seed_write(dir, "bad-dialed-hello", &s);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    signal(SIGPIPE, SIG_IGN); /* as a process does: a closed socket is an error */
    fzs_own_netns();
    verbose = getenv("FUZZ_VERBOSE") != NULL;
    const char *dir = getenv("HOC_FUZZ_SEEDS");
    if (dir) make_seeds(dir);
    return 0;
}
