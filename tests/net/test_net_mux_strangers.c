/* test_net_mux_strangers.c: strangers who fill a mux's table of unnamed
 * sockets (runtime/mux.c: accepted, no HELLO yet, 64 at most, each held up
 * to 5 s) do not keep a real peer out. Anyone who reaches the port can open
 * sockets and say nothing; the mux used to refuse every newcomer once 64
 * were held, so a restarted peer's dial was refused for as long as the
 * strangers renewed theirs. A mux of process 1 of 3 on loopback:
 *  1. 100 silent sockets from 127.0.0.1 (the peer's own address), then,
 *     while one more stranger arrives every loop pass, process 0 dials
 *     from 127.0.0.1 and opens a channel: it must be handed over within
 *     BOUND_US (less than the 5 s the strangers' sockets are held);
 *  2. the same with 64 strangers from 64 addresses (127.0.2.x) and the
 *     newcomers from yet others, process 2 dialing;
 *  3. 1 again on ::1 (a mux of its own), if loopback has IPv6;
 * and once the mux caught up it holds no more than 64 of the strangers. Sources
 * other than 127.0.0.1 are bound on loopback (127/8 is all local), which
 * needs no privilege. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <event2/event.h>

#include "clock.h"
#include "mux.h"

#include "free_port.h"
#include "hoc_check.h"

#define PORT 7100        /* the group port the channels open */
#define BOUND_US 2000000 /* a peer gets in within: well below the 5 s hold */
#define MAX_FDS 600

typedef struct Owner {
    hoc_mux_chan *ch;
} Owner;

typedef struct World {
    struct event_base *base;
    int handed[3]; /* channels handed over at process 1, by the process up there */
    int up_from;   /* the last process whose socket came up at process 1 (-1: none) */
    Owner owners[16];
    int nowners;
    int fds[MAX_FDS]; /* the strangers' ends, -1 once closed */
    int nfds;
    const char *host; /* process 1's, where the strangers go */
    int port;
} World;

static void on_data(void *owner, const uint8_t *p, size_t n)
{
    (void)owner, (void)p, (void)n;
}

static void on_closed(void *owner, const char *why)
{
    (void)why;
    Owner *o = owner;
    hoc_mux_close(o->ch);
    o->ch = NULL;
}

static const hoc_mux_chan_cb owner_cb = {on_data, on_closed};

static void *accept_fn(void *ctx, hoc_mux_chan *ch)
{
    World *w = ctx;
    if (w->nowners == 16 || w->up_from < 0) return NULL;
    Owner *o = &w->owners[w->nowners++];
    o->ch = ch;
    hoc_mux_own(ch, &owner_cb, o);
    w->handed[w->up_from]++;
    return o;
}

static void up_fn(void *ctx, int proc)
{
    ((World *)ctx)->up_from = proc;
}

static void pump(World *w)
{
    event_base_loop(w->base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
    nanosleep(&(struct timespec){0, 500000}, NULL);
}

/* Closes our ends of the strangers the mux closed; the number still open. */
static int sweep(World *w)
{
    int open = 0;
    for (int i = 0; i < w->nfds; i++) {
        if (w->fds[i] < 0) continue;
        char b[64];
        ssize_t r;
        while ((r = recv(w->fds[i], b, sizeof b, MSG_DONTWAIT)) > 0)
            ; /* the mux's NONCE */
        if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
            close(w->fds[i]);
            w->fds[i] = -1;
        } else {
            open++;
        }
    }
    return open;
}

/* The strangers still held once the mux has caught up. */
static int settled(World *w)
{
    for (int i = 0; i < 20; i++)
        pump(w);
    return sweep(w);
}

/* A silent socket from address src to process 1, its end kept in w->fds. */
static void stranger(World *w, const char *src)
{
    if (w->nfds == MAX_FDS) { /* reuse a slot the mux closed */
        int i = 0;
        while (i < MAX_FDS && w->fds[i] >= 0)
            i++;
        if (i == MAX_FDS) return;
        w->fds[i] = w->fds[--w->nfds];
    }
    bool v6 = strchr(src, ':') != NULL;
    int s = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET}, to = {.sin_family = AF_INET};
    struct sockaddr_in6 a6 = {.sin6_family = AF_INET6}, to6 = {.sin6_family = AF_INET6};
    inet_pton(AF_INET, src, &a.sin_addr);
    inet_pton(AF_INET6, src, &a6.sin6_addr);
    inet_pton(AF_INET, w->host, &to.sin_addr);
    inet_pton(AF_INET6, w->host, &to6.sin6_addr);
    to.sin_port = to6.sin6_port = htons((uint16_t)w->port);
    struct sockaddr *from = v6 ? (struct sockaddr *)&a6 : (struct sockaddr *)&a;
    struct sockaddr *dest = v6 ? (struct sockaddr *)&to6 : (struct sockaddr *)&to;
    socklen_t len = v6 ? sizeof a6 : sizeof a;
    if (s < 0 || bind(s, from, len) != 0 || fcntl(s, F_SETFL, O_NONBLOCK) != 0 ||
        (connect(s, dest, len) != 0 && errno != EINPROGRESS)) {
        if (s >= 0) close(s);
        return;
    }
    w->fds[w->nfds++] = s;
    pump(w); /* the mux accepts it */
}

static void strangers_gone(World *w)
{
    for (int i = 0; i < w->nfds; i++)
        if (w->fds[i] >= 0) close(w->fds[i]);
    w->nfds = 0;
    for (int i = 0; i < 20; i++)
        pump(w);
}

/* Process self's mux on loopback, procs' ports given. */
static hoc_mux *mux_of(World *w, const hoc_mux_proc *procs, int self, bool listen)
{
    static const uint8_t secret[] = "stranger test secret";
    hoc_mux_opts o = {.self = self,
                      .nprocs = 3,
                      .procs = procs,
                      .secret = secret,
                      .secret_len = sizeof secret,
                      .log = {HOC_LOG_ERROR, self}};
    hoc_mux *m = hoc_mux_new(w->base, &o);
    if (m && listen) hoc_mux_listen(m, PORT, accept_fn, up_fn, w);
    return m;
}

/* Process q dials process 1 and opens a channel while a stranger from
 * next_src(k) arrives every pass: microseconds until process 1 handed the
 * channel over, or -1 past BOUND_US. */
static int64_t dial_through(World *w, hoc_mux *m, int q, void (*next_src)(char *, int))
{
    Owner *mine = &w->owners[w->nowners++];
    mine->ch = NULL;
    uint64_t t0 = hoc_now_us();
    for (int k = 0; hoc_now_us() - t0 < BOUND_US; k++) {
        if (w->handed[q] > 0) return (int64_t)(hoc_now_us() - t0);
        if (!mine->ch) mine->ch = hoc_mux_open(m, 1, PORT, &owner_cb, mine);
        char src[32];
        next_src(src, k);
        stranger(w, src);
        sweep(w);
    }
    return -1;
}

/* The strangers already sent, process q (mux m) dials through more of
 * them: it must get in, and the mux hold no more than 64 of them before
 * and after (exactly 64 before with full). */
static void attack(World *w, const char *what, hoc_mux *m, int q, void (*next_src)(char *, int),
                   bool full)
{
    int open = settled(w);
    int64_t took = m ? dial_through(w, m, q, next_src) : -1;
    int after = settled(w);
    printf("%s (%d held), more arriving: process %d %s (%.3f s); %d held after\n", what, open, q,
           took >= 0 ? "got in" : "kept OUT", (double)(took >= 0 ? took : BOUND_US) / 1e6, after);
    CHECK((full ? open == 64 : open <= 64) && took >= 0 && after <= 64);
    strangers_gone(w);
}

static void src_same(char *src, int k)
{
    (void)k;
    snprintf(src, 32, "127.0.0.1");
}

static void src_many(char *src, int k)
{
    snprintf(src, 32, "127.0.%d.%d", 3 + k / 250, 1 + k % 250);
}

static void src_v6(char *src, int k)
{
    (void)k;
    snprintf(src, 32, "::1");
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    World w = {.up_from = -1};
    w.base = event_base_new();
    CHECK(w.base && event_base_priority_init(w.base, 2) == 0);
    hoc_mux_proc procs[3];
    for (int p = 0; p < 3; p++)
        procs[p] = (hoc_mux_proc){"127.0.0.1", free_port()};
    w.host = "127.0.0.1", w.port = procs[1].port;
    hoc_mux *lone = mux_of(&w, procs, 1, true);
    CHECK(lone != NULL);
    if (!lone) return check_summary("net-mux-strangers");

    /* 1. one address holds the table, the peer's own */
    for (int i = 0; i < 100; i++)
        stranger(&w, "127.0.0.1");
    hoc_mux *m0 = mux_of(&w, procs, 0, false);
    CHECK(m0 != NULL);
    attack(&w, "1: 100 strangers from 127.0.0.1", m0, 0, src_same, false);

    /* 2. 64 addresses hold one each, newcomers from others */
    for (int i = 0; i < 64; i++) {
        char src[32];
        snprintf(src, sizeof src, "127.0.2.%d", 1 + i);
        stranger(&w, src);
    }
    hoc_mux *m2 = mux_of(&w, procs, 2, false);
    CHECK(m2 != NULL);
    attack(&w, "2: 64 strangers from 64 addresses, newcomers from others", m2, 2, src_many, true);

    /* 3. as 1 over IPv6 (its /64 is one address), where loopback has it */
    hoc_mux_proc p6[3];
    for (int p = 0; p < 3; p++)
        p6[p] = (hoc_mux_proc){"::1", free_port()};
    int probe = socket(AF_INET6, SOCK_STREAM, 0);
    struct sockaddr_in6 lo6 = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
    bool has6 = probe >= 0 && bind(probe, (struct sockaddr *)&lo6, sizeof lo6) == 0;
    if (probe >= 0) close(probe);
    hoc_mux *lone6 = has6 ? mux_of(&w, p6, 1, true) : NULL;
    hoc_mux *m6 = has6 ? mux_of(&w, p6, 0, false) : NULL;
    if (has6) {
        w.host = "::1", w.port = p6[1].port, w.handed[0] = 0;
        for (int i = 0; i < 100; i++)
            stranger(&w, "::1");
        attack(&w, "3: 100 strangers from ::1", lone6 ? m6 : NULL, 0, src_v6, false);
    } else {
        printf("3: no IPv6 loopback here: not run\n");
    }

    hoc_mux_free(m6);
    hoc_mux_free(lone6);
    hoc_mux_free(m0);
    hoc_mux_free(m2);
    hoc_mux_free(lone);
    event_base_free(w.base);
    return check_summary("net-mux-strangers");
}
