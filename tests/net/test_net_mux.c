/* test_net_mux.c: two groups between two processes over one connection
 * (runtime/mux.c), both "processes" in this one on one event loop. Both
 * groups' connections become ready and carry frames both ways over a
 * single TCP connection; closing one group's connection leaves the other's
 * alone; a stranger that cannot prove the secret (a HELLO with a wrong
 * MAC, or garbage) is closed without touching the processes' connection;
 * a lease that ran out ends its group's connection only; a process that
 * dials again while its old connection still stands (restarted after a
 * crash, which sent no FIN) replaces it, logged at warn if the old one
 * carried chunks; two processes dialing each other at once log no
 * "replaced" at info or warn. */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "clock.h"
#include "hoc_rt.h"
#include "mux.h"
#include "net.h"

#include "free_port.h"
#include "hoc_check.h"

/* Open sockets of this process (/proc/self/fd). */
static int sockets(void)
{
    DIR *d = opendir("/proc/self/fd");
    int k = 0;
    for (struct dirent *e; d && (e = readdir(d));) {
        char path[300], to[64];
        snprintf(path, sizeof path, "/proc/self/fd/%s", e->d_name);
        ssize_t n = readlink(path, to, sizeof to - 1);
        if (n > 0) to[n] = 0;
        k += n > 0 && strncmp(to, "socket:", 7) == 0;
    }
    if (d) closedir(d);
    return k;
}

static int on_frame(void *ctx, int peer, const hoc_frame *f)
{
    (void)peer;
    *(uint64_t *)ctx += f->type == HOC_F_MSG;
    return 0;
}

typedef struct World {
    struct event_base *base;
    hoc_net *net[2][2]; /* [group][process] */
    uint64_t got[2][2];
} World;

static void spin(World *w, int ms)
{
    for (uint64_t t0 = hoc_now_us(); hoc_now_us() - t0 < (uint64_t)ms * 1000;) {
        event_base_loop(w->base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
        nanosleep(&(struct timespec){0, 200000}, NULL);
    }
}

static bool all_ready(World *w)
{
    for (int g = 0; g < 2; g++)
        if (!hoc_net_peer_ready(w->net[g][0], 1) || !hoc_net_peer_ready(w->net[g][1], 0))
            return false;
    return true;
}

/* Runs the loop until every connection is ready, or 10 s. */
static bool settle(World *w)
{
    for (uint64_t t0 = hoc_now_us(); !all_ready(w);) {
        if (hoc_now_us() - t0 > 10000000) return false;
        spin(w, 5);
    }
    return true;
}

/* Each group's process 1 and 0 send one frame to the other. */
static void exchange(World *w, uint64_t inst)
{
    uint8_t payload[64] = {7};
    for (int g = 0; g < 2; g++)
        for (int p = 0; p < 2; p++)
            hoc_net_send_msg(w->net[g][p], 1 - p, inst, 0, payload, sizeof payload);
    spin(w, 100);
}

/* Connects to port and sends bytes: the socket, or -1. */
static int stranger(int port, const uint8_t *bytes, size_t len)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET, a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct timeval tv = {0, 100000};
    if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof a) ||
        setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) ||
        write(s, bytes, len) != (ssize_t)len) {
        if (s >= 0) close(s);
        return -1;
    }
    return s;
}

/* Did the other end close s (after its NONCE)? Closes s. */
static bool was_closed(int s)
{
    uint8_t b[256];
    ssize_t r;
    while ((r = read(s, b, sizeof b)) > 0)
        ;
    close(s);
    return r == 0 || (r < 0 && errno == ECONNRESET);
}

/* Dials port as process q of a 2-process mux cluster with secret, proving
 * it (NONCE in, HELLO with mux.c's MAC out, as mux.h lays them out): the
 * socket, or -1. */
static int dial_as(World *w, int port, uint32_t q, const uint8_t *secret, size_t slen)
{
    int s = stranger(port, NULL, 0);
    uint8_t in[12 + 16];
    size_t got = 0;
    for (uint64_t t0 = hoc_now_us(); s >= 0 && got < sizeof in && hoc_now_us() - t0 < 2000000;) {
        spin(w, 5);
        ssize_t r = recv(s, in + got, sizeof in - got, MSG_DONTWAIT);
        if (r > 0) got += (size_t)r;
    }
    if (s < 0 || got < sizeof in || in[0] != 5) {
        if (s >= 0) close(s);
        return -1;
    }
    uint8_t msg[7 + 16 + 8], hello[12 + 32] = {1, 0, 1, 0, (uint8_t)q, 0, 0, 0, 32, 0, 0, 0};
    memcpy(msg, "hoc-mux", 7), memcpy(msg + 7, in + 12, 16);
    hoc_put_u32(msg + 23, q), hoc_put_u32(msg + 27, 1);
    unsigned int outlen = 32;
    HMAC(EVP_sha256(), secret, (int)slen, msg, sizeof msg, hello + 12, &outlen);
    if (write(s, hello, sizeof hello) != (ssize_t)sizeof hello) {
        close(s);
        return -1;
    }
    spin(w, 100);
    return s;
}

/* stderr (where hoc_log writes) to a temporary file, to read back. */
typedef struct Capture {
    int saved;
    FILE *f;
} Capture;

static Capture capture_begin(void)
{
    fflush(stderr);
    Capture c = {dup(2), tmpfile()};
    if (c.f) dup2(fileno(c.f), 2);
    return c;
}

/* Ends the capture: what was logged meanwhile, into buf. */
static void capture_end(Capture *c, char *buf, size_t cap)
{
    fflush(stderr);
    dup2(c->saved, 2);
    close(c->saved);
    buf[0] = 0;
    if (!c->f) return;
    rewind(c->f);
    size_t n = fread(buf, 1, cap - 1, c->f);
    buf[n] = 0;
    fclose(c->f);
}

/* A channel's owner that only holds it: *owner, NULL once closed. */
static void chan_gone(void *owner, const char *why)
{
    (void)why;
    hoc_mux_chan **slot = owner;
    hoc_mux_close(*slot);
    *slot = NULL;
}

/* Counts the channels opened to a port, and refuses them. */
static void *count_chan(void *ctx, hoc_mux_chan *ch)
{
    (void)ch;
    ++*(int *)ctx;
    return NULL;
}

/* Is s still open at the other end (nothing to read, no EOF)? */
static bool still_open(int s)
{
    uint8_t b[64];
    ssize_t r = recv(s, b, sizeof b, MSG_DONTWAIT);
    return r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

int main(void)
{
    World w = {0};
    w.base = event_base_new();
    CHECK(w.base && event_base_priority_init(w.base, 2) == 0);
    static const uint8_t secret[] = "mux test secret";
    hoc_mux_proc procs[2] = {{"127.0.0.1", free_port()}, {"127.0.0.1", free_port()}};
    hoc_mux *mux[2];
    for (int p = 0; p < 2; p++) {
        hoc_mux_opts mo = {.self = p,
                           .nprocs = 2,
                           .procs = procs,
                           .secret = secret,
                           .secret_len = sizeof secret,
                           .log = {HOC_LOG_ERROR, p}};
        mux[p] = hoc_mux_new(w.base, &mo);
        CHECK(mux[p] != NULL);
    }
    /* two groups, each with a pid on either process; their ports name
     * channels only (nothing binds them) */
    static const int proc_of[2] = {0, 1};
    hoc_peers peers[2];
    for (int g = 0; g < 2; g++) {
        peers[g] = (hoc_peers){
            2, {{0, "127.0.0.1", 40000 + 10 * g, 1}, {1, "127.0.0.1", 40001 + 10 * g, 2}}};
        for (int p = 0; p < 2; p++) {
            hoc_net_cb cb = {&w.got[g][p], on_frame, NULL};
            hoc_net_opts o = {.id = p,
                              .peers = &peers[g],
                              .secret = secret,
                              .secret_len = sizeof secret,
                              .algo = 0x90u + (uint32_t)g,
                              .seed = 1,
                              .mux = mux[p],
                              .mux_proc = proc_of,
                              .log = {HOC_LOG_ERROR, p}};
            w.net[g][p] = hoc_net_new(w.base, &o, &cb);
            CHECK(w.net[g][p] != NULL);
        }
    }
    CHECK(settle(&w));
    /* two listening sockets and the two ends of one connection */
    int socks = sockets();
    exchange(&w, 1);
    printf("mux: %d sockets with both groups ready; frames in: %" PRIu64 " %" PRIu64 " %" PRIu64
           " %" PRIu64 "\n",
           socks, w.got[0][0], w.got[0][1], w.got[1][0], w.got[1][1]);
    CHECK(socks == 4);
    CHECK(w.got[0][0] == 1 && w.got[0][1] == 1 && w.got[1][0] == 1 && w.got[1][1] == 1);

    /* one group's connection closed: it redials, the other never noticed */
    uint64_t d1 = hoc_net_get_stats(w.net[1][0])->disconnects;
    hoc_net_close_peer(w.net[0][0], 1, "test");
    /* checked at once: a mux net redials 2 ms later (net.c, MUX_BACKOFF_MIN_MS) */
    CHECK(!hoc_net_peer_ready(w.net[0][0], 1));
    spin(&w, 5);
    CHECK(settle(&w));
    exchange(&w, 2);
    CHECK(w.got[0][0] == 2 && w.got[1][1] == 2);
    CHECK(hoc_net_get_stats(w.net[1][0])->disconnects == d1 && sockets() == 4);

    /* strangers: a HELLO naming process 1 with a wrong MAC, and garbage */
    uint8_t hello[12 + 32] = {1, 0, 1, 0, 1, 0, 0, 0, 32, 0, 0, 0};
    memset(hello + 12, 0xab, 32);
    uint8_t junk[64];
    memset(junk, 0x5a, sizeof junk);
    int s1 = stranger(procs[0].port, hello, sizeof hello);
    int s2 = stranger(procs[0].port, junk, sizeof junk);
    spin(&w, 300);
    CHECK(s1 >= 0 && s2 >= 0 && was_closed(s1) && was_closed(s2));
    CHECK(all_ready(&w) && hoc_net_get_stats(w.net[1][0])->disconnects == d1 && sockets() == 4);
    exchange(&w, 3);
    CHECK(w.got[0][0] == 3 && w.got[1][0] == 3);

    /* a lease that ran out ends group 0's connection from process 1 only */
    hoc_net_set_lease(w.net[0][1], hoc_lease_us() + 100000);
    nanosleep(&(struct timespec){0, 150000000}, NULL);
    exchange(&w, 4);
    spin(&w, 300);
    CHECK(hoc_net_lease_over(w.net[0][1]) && !hoc_net_peer_ready(w.net[0][1], 0));
    CHECK(w.got[0][0] == 3 && hoc_net_get_stats(w.net[0][1])->dropped_lease_bytes > 0);
    CHECK(hoc_net_peer_ready(w.net[1][0], 1) && w.got[1][0] == 4 && w.got[1][1] == 4);

    /* process 0 dials a mux of process 1 (nothing else there), then dials
     * again with the first still open, as after a crash: the newer wins */
    static const uint8_t sec2[] = "restart secret";
    hoc_mux_proc p2[2] = {{"127.0.0.1", free_port()}, {"127.0.0.1", free_port()}};
    hoc_mux_opts o2 = {.self = 1,
                       .nprocs = 2,
                       .procs = p2,
                       .secret = sec2,
                       .secret_len = sizeof sec2,
                       .log = {HOC_LOG_INFO, 9}};
    Capture cap = capture_begin();
    hoc_mux *lone = hoc_mux_new(w.base, &o2);
    CHECK(lone != NULL);
    int a1 = dial_as(&w, p2[1].port, 0, sec2, sizeof sec2);
    CHECK(a1 >= 0 && still_open(a1));
    /* a channel opened to a port nobody listens at: a1 carried a chunk */
    static const uint8_t open7[12] = {2, 0, 7, 0, 2, 0, 0, 0, 0, 0, 0, 0};
    CHECK(a1 >= 0 && write(a1, open7, sizeof open7) == (ssize_t)sizeof open7);
    uint8_t closed7[12];
    ssize_t got7 = -1;
    for (uint64_t t0 = hoc_now_us(); a1 >= 0 && got7 < 0 && hoc_now_us() - t0 < 5000000;) {
        spin(&w, 5);
        got7 = recv(a1, closed7, sizeof closed7, MSG_DONTWAIT);
    }
    CHECK(got7 == 12 && closed7[0] == 4);
    int a2 = dial_as(&w, p2[1].port, 0, sec2, sizeof sec2);
    CHECK(a2 >= 0 && still_open(a2));
    CHECK(a1 >= 0 && was_closed(a1));
    if (a2 >= 0) close(a2);
    hoc_mux_free(lone);
    static char logged[16384];
    capture_end(&cap, logged, sizeof logged);
    CHECK(strstr(logged, "WARN connection with process 0 closed: replaced by the process's newer "
                         "dial") != NULL);

    /* two processes dial each other at once: process 0's dial goes, at
     * debug (neither side took it for a connection) */
    hoc_mux_proc p3[2] = {{"127.0.0.1", free_port()}, {"127.0.0.1", free_port()}};
    hoc_mux *x[2];
    cap = capture_begin();
    for (int p = 0; p < 2; p++) {
        hoc_mux_opts o3 = {.self = p,
                           .nprocs = 2,
                           .procs = p3,
                           .secret = sec2,
                           .secret_len = sizeof sec2,
                           .log = {HOC_LOG_INFO, 20 + p}};
        x[p] = hoc_mux_new(w.base, &o3);
        CHECK(x[p] != NULL);
    }
    hoc_mux_chan_cb gone = {NULL, chan_gone};
    int took = 0;
    if (x[0] && x[1] && hoc_mux_listen(x[0], 7, count_chan, NULL, &took) == 0) {
        /* both dial in this pass, before either accepts */
        CHECK(hoc_mux_open(x[0], 1, 7, &gone, NULL) == NULL);
        CHECK(hoc_mux_open(x[1], 0, 7, &gone, NULL) == NULL);
        /* settled once process 0 takes a channel from 1: on 1's dial */
        hoc_mux_chan *c1 = NULL;
        for (uint64_t t0 = hoc_now_us(); !took && hoc_now_us() - t0 < 5000000;) {
            spin(&w, 5);
            if (!c1) c1 = hoc_mux_open(x[1], 0, 7, &gone, &c1);
        }
        if (c1) hoc_mux_close(c1);
        spin(&w, 50);
    }
    bool both = took > 0;
    hoc_mux_free(x[0]);
    hoc_mux_free(x[1]);
    capture_end(&cap, logged, sizeof logged);
    printf("crossing dials: %s; logged at info: %s", both ? "connected" : "NOT connected", logged);
    CHECK(both && strstr(logged, "connection from process 1") && !strstr(logged, "replaced"));

    for (int g = 0; g < 2; g++)
        for (int p = 0; p < 2; p++)
            hoc_net_free(w.net[g][p]);
    hoc_mux_free(mux[0]);
    hoc_mux_free(mux[1]);
    event_base_free(w.base);
    return check_summary("net-mux");
}
