/* test_net_halfopen.c: a connection cut while one end has nothing to send
 * (runtime/net.c, keepalive). Two hoc_net endpoints on loopback, in a
 * network namespace of the test's own (root only: exit 77, skipped,
 * otherwise). Endpoint 1 dials endpoint 0; endpoint 0 sends a frame every
 * 50 ms, endpoint 1 sends nothing, as a LastVoting follower sends nothing to
 * a replica that does not coordinate. Then loopback goes down for 7 s: the
 * packets, the resets included, are lost, as in a partition. Endpoint 0's
 * unacknowledged frames abort its side (TCP_USER_TIMEOUT); endpoint 1 has
 * nothing unacknowledged, and without keepalive kept its side for ever and
 * never redialed, so after the heal endpoint 0 (which cannot dial a higher
 * id) stayed cut off from it: the kv stall of issue 18 (docs/testing.md).
 * Required: during the cut both ends see the connection gone, and within
 * 5 s of the heal a new connection carries frames both ways. */
#define _GNU_SOURCE
#include <inttypes.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "clock.h"
#include "hoc_rt.h"
#include "net.h"

#include "free_port.h"
#include "hoc_check.h"

#define CUT_US 7000000  /* longer than the user timeout and keepalive's detection */
#define HEAL_US 5000000 /* a new connection within: back-off (250 ms) and a handshake */

typedef struct Rx {
    uint64_t msgs; /* MSG frames received */
} Rx;

static int on_frame(void *ctx, int peer, const hoc_frame *f)
{
    (void)peer;
    Rx *x = ctx;
    if (f->type == HOC_F_MSG) x->msgs++;
    return 0;
}

/* Sets loopback up or down: a partition of everything on it. */
static bool lo_set(bool up)
{
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct ifreq r;
    memset(&r, 0, sizeof r);
    snprintf(r.ifr_name, sizeof r.ifr_name, "lo");
    bool ok = s >= 0 && ioctl(s, SIOCGIFFLAGS, &r) == 0;
    if (ok) {
        r.ifr_flags = (short)(up ? r.ifr_flags | IFF_UP : r.ifr_flags & ~IFF_UP);
        ok = ioctl(s, SIOCSIFFLAGS, &r) == 0;
    }
    if (s >= 0) close(s);
    return ok;
}

/* Runs the loop for up to us microseconds, endpoint 0 sending a frame to 1
 * every 50 ms; stops early once done(nets, rx) holds. */
static bool run(struct event_base *base, hoc_net **nets, Rx *rx, uint64_t us,
                bool (*done)(hoc_net **, Rx *))
{
    uint64_t t0 = hoc_now_us(), last = 0, k = 0;
    while (hoc_now_us() - t0 < us) {
        if (done && done(nets, rx)) return true;
        uint64_t now = hoc_now_us();
        if (now - last >= 50000) {
            uint8_t p[16] = {0};
            hoc_net_send_msg(nets[0], 1, k++, 0, p, sizeof p);
            hoc_net_kick(nets[0]);
            last = now;
        }
        event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    }
    return done ? done(nets, rx) : true;
}

static bool connected(hoc_net **nets, Rx *rx)
{
    (void)rx;
    return hoc_net_peer_ready(nets[0], 1) && hoc_net_peer_ready(nets[1], 0);
}

static bool both_gone(hoc_net **nets, Rx *rx)
{
    (void)rx;
    return !hoc_net_peer_ready(nets[0], 1) && !hoc_net_peer_ready(nets[1], 0);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    if (geteuid() != 0 || unshare(CLONE_NEWNET) != 0 || !lo_set(true)) {
        printf("SKIP: needs root and a network namespace of its own (unshare)\n");
        return 77;
    }
    hoc_peers peers = {2, {{0, "127.0.0.1", free_port(), 1}, {1, "127.0.0.1", free_port(), 2}}};
    CHECK(peers.p[0].port > 0 && peers.p[1].port > 0);
    struct event_base *base = event_base_new();
    CHECK(base && event_base_priority_init(base, 2) == 0);
    static const uint8_t secret[] = "half-open-test";
    Rx rx0 = {0}, rx1 = {0};
    hoc_net_cb cb0 = {&rx0, on_frame, NULL}, cb1 = {&rx1, on_frame, NULL};
    hoc_net_opts o0 = {.peers = &peers,
                       .secret = secret,
                       .secret_len = sizeof secret - 1,
                       .algo = 0x4a1f,
                       .seed = 1,
                       .log = {HOC_LOG_ERROR, 0}};
    hoc_net_opts o1 = o0;
    o1.id = 1, o1.log.id = 1;
    hoc_net *nets[2] = {hoc_net_new(base, &o0, &cb0), hoc_net_new(base, &o1, &cb1)};
    CHECK(nets[0] && nets[1]);
    if (!nets[0] || !nets[1]) return check_summary("net-halfopen");
    CHECK(run(base, nets, &rx1, 5000000, connected));
    CHECK(run(base, nets, &rx1, 300000, NULL) && rx1.msgs > 0);
    uint64_t conns = hoc_net_get_stats(nets[1])->disconnects;

    /* the cut: endpoint 0 keeps sending into it, endpoint 1 sends nothing */
    CHECK(lo_set(false));
    uint64_t t0 = hoc_now_us();
    bool gone = run(base, nets, &rx1, CUT_US, both_gone);
    printf("cut: both ends saw the connection gone: %s (after %.1f s)\n", gone ? "yes" : "NO",
           (double)(hoc_now_us() - t0) / 1e6);
    CHECK(gone);
    uint64_t spent = hoc_now_us() - t0;
    if (spent < CUT_US) run(base, nets, &rx1, CUT_US - spent, NULL); /* the rest of the cut */
    CHECK(hoc_net_get_stats(nets[1])->disconnects > conns);

    /* the heal: a new connection, frames both ways */
    CHECK(lo_set(true));
    t0 = hoc_now_us();
    bool back = run(base, nets, &rx1, HEAL_US, connected);
    printf("heal: connected again: %s (after %.1f s)\n", back ? "yes" : "NO",
           (double)(hoc_now_us() - t0) / 1e6);
    CHECK(back);
    uint64_t before1 = rx1.msgs, before0 = rx0.msgs;
    uint8_t p[8] = {0};
    hoc_net_send_msg(nets[1], 0, 1, 0, p, sizeof p);
    hoc_net_kick(nets[1]);
    run(base, nets, &rx1, 500000, NULL);
    CHECK(rx1.msgs > before1 && rx0.msgs > before0);

    hoc_net_free(nets[0]);
    hoc_net_free(nets[1]);
    event_base_free(base);
    return check_summary("net-halfopen");
}
