/* test_net_transport.c: the libevent transport (runtime/net.c) on loopback,
 * two hoc_net endpoints in one process on one event loop. Frames of every
 * size up to the largest payload, sent in bursts far larger than one read,
 * arrive whole, in order and intact (the flat read buffer, partial frames
 * kept across reads); DECISION and DONE frames too; a client that sends a
 * frame too long for the handshake, random bytes or a wrong MAC is
 * disconnected and counted, and the authenticated traffic goes on; a server
 * that does not know the secret is refused by the peer dialing it; two
 * endpoints of different clusters (n, parameters, algorithm) refuse each
 * other as such. With --delay, an endpoint that answers from its read
 * callback (as a replica does) keeps its handshake and its frames in order.
 * Under a lease, a frame queued before it ran out but written after (the
 * process paused in between) never leaves, the connection closes and is
 * not dialed again. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <openssl/evp.h>

#include "clock.h"
#include "hoc_rt.h"
#include "net.h"
#include "seal.h"

#include "free_port.h"
#include "hoc_check.h"

#define NFRAMES 3000
/* up to 64 KiB frames, either side of the 64 KiB the wire took before, and
 * a frame that a SEALED batch holds alone; the largest payload is sent once
 * after the bursts (BIG) */
static const size_t sizes[] = {0, 1, 8, 100, 4000, 4096, 4097, 16384, 65000, 65508, 65509, 200000};
#define BIG ((uint64_t)1 << 40) /* the instance of the one largest frame */
#define NSIZES (sizeof sizes / sizeof *sizes)

typedef struct Rx {
    uint64_t next;                 /* the instance of the next MSG expected */
    uint64_t bad, decisions, done; /* frames that were not as sent; others */
    uint64_t big;                  /* largest frames (instance BIG) arrived intact */
} Rx;

/* -5 as an int decision travels: 8 bytes, little-endian */
static const uint8_t minus5[8] = {0xfb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static uint8_t byte_of(uint64_t inst, size_t i)
{
    return (uint8_t)(inst * 31 + i * 7 + (i >> 8));
}

static int on_frame(void *ctx, int peer, const hoc_frame *f)
{
    Rx *x = ctx;
    if (peer != 0) x->bad++;
    if (f->type == HOC_F_DECISION) {
        x->decisions +=
            f->instance == 77 && f->payload_len == 8 && (int64_t)hoc_get_u64(f->payload) == -5;
        return 0;
    }
    if (f->type == HOC_F_DONE) {
        x->done++;
        return 0;
    }
    if (f->type == HOC_F_MSG && f->instance == BIG) {
        bool ok = f->payload_len == HOC_WIRE_MAX_PAYLOAD && f->round == 1;
        for (size_t i = 0; ok && i < f->payload_len; i++)
            ok = f->payload[i] == byte_of(BIG, i);
        x->big += ok;
        x->bad += !ok;
        return 0;
    }
    size_t want = sizes[x->next % NSIZES];
    bool ok = f->type == HOC_F_MSG && f->instance == x->next &&
              f->round == (int64_t)(x->next % 5) && f->payload_len == want;
    for (size_t i = 0; ok && i < want; i++)
        ok = f->payload[i] == byte_of(f->instance, i);
    if (!ok) x->bad++;
    x->next++;
    return 0;
}

static bool big_in(void *arg)
{
    return ((Rx *)arg)->big + ((Rx *)arg)->bad > 0;
}

static int on_frame_sender(void *ctx, int peer, const hoc_frame *f)
{
    (void)ctx, (void)peer, (void)f;
    return 0; /* endpoint 0 receives nothing in this test */
}

/* The delayed endpoint: echoes every MSG back from inside its read callback,
 * so new frames are queued in the iterations where held ones come due. */
typedef struct Echo {
    hoc_net *net;
    Rx back; /* what the sender gets back */
} Echo;

static int on_frame_echo(void *ctx, int peer, const hoc_frame *f)
{
    Echo *e = ctx;
    if (f->type == HOC_F_MSG)
        hoc_net_send_msg(e->net, peer, f->instance, f->round, f->payload, f->payload_len);
    return 0;
}

static int on_frame_back(void *ctx, int peer, const hoc_frame *f)
{
    Rx *x = ctx;
    bool ok = peer == 1 && f->type == HOC_F_MSG && f->instance == x->next && f->payload_len == 16;
    for (size_t i = 0; ok && i < 16; i++)
        ok = f->payload[i] == byte_of(f->instance, i);
    x->bad += !ok;
    x->next++;
    return 0;
}

/* Runs the loop until *flag or about 10 s. */
static bool run_until(struct event_base *base, const bool *flag, bool (*cond)(void *), void *arg)
{
    uint64_t t0 = hoc_now_us();
    while (!(flag ? *flag : cond(arg))) {
        if (hoc_now_us() - t0 > 10000000) return false;
        event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
        nanosleep(&(struct timespec){0, 50000}, NULL);
    }
    return true;
}

/* One connection carries both ways: each side's view of it. */
static bool ready(void *arg)
{
    hoc_net **nets = arg;
    return hoc_net_peer_ready(nets[0], 1) && hoc_net_peer_ready(nets[1], 0);
}

#define NECHO 5000

/* Endpoint 1 runs with --delay 0.3 ms and echoes what endpoint 0 sends:
 * every echo comes back, in order, after a handshake that held. */
static void delayed_echo(void)
{
    hoc_peers peers = {2, {{0, "127.0.0.1", free_port(), 1}, {1, "127.0.0.1", free_port(), 2}}};
    struct event_base *base = event_base_new();
    CHECK(base && event_base_priority_init(base, 2) == 0);
    Echo e = {0};
    hoc_net_cb cb0 = {&e.back, on_frame_back, NULL}, cb1 = {&e, on_frame_echo, NULL};
    hoc_net_opts o0 = {.peers = &peers, .algo = 0x77, .seed = 1, .log = {HOC_LOG_ERROR, 0}};
    hoc_net_opts o1 = o0;
    o1.id = 1, o1.log.id = 1, o1.delay_us = 300;
    hoc_net *nets[2] = {hoc_net_new(base, &o0, &cb0), hoc_net_new(base, &o1, &cb1)};
    e.net = nets[1];
    CHECK(nets[0] && nets[1] && run_until(base, NULL, ready, nets));
    /* the first connect may have found no listener yet: count from here */
    uint64_t d0 = hoc_net_get_stats(nets[0])->disconnects,
             d1 = hoc_net_get_stats(nets[1])->disconnects;
    uint8_t payload[16];
    uint64_t sent = 0, t0 = hoc_now_us();
    while (e.back.next < NECHO && hoc_now_us() - t0 < 20000000) {
        for (int k = 0; k < 50 && sent < NECHO && sent - e.back.next < 2000; k++, sent++) {
            for (size_t i = 0; i < sizeof payload; i++)
                payload[i] = byte_of(sent, i);
            hoc_net_send_msg(nets[0], 1, sent, 0, payload, sizeof payload);
        }
        hoc_net_kick(nets[0]);
        /* past the hold: held frames come due in the iterations that read */
        nanosleep(&(struct timespec){0, 400000}, NULL);
        event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
    }
    const hoc_net_stats *s0 = hoc_net_get_stats(nets[0]);
    printf("delayed echo: %" PRIu64 " of %d back, %" PRIu64 " out of order\n", e.back.next, NECHO,
           e.back.bad);
    CHECK(e.back.next == NECHO && e.back.bad == 0);
    CHECK(s0->bad_frames == 0 && s0->auth_failures == 0 && s0->disconnects == d0);
    CHECK(hoc_net_get_stats(nets[1])->disconnects == d1);
    hoc_net_free(nets[0]);
    hoc_net_free(nets[1]);
    event_base_free(base);
}

static int on_frame_count(void *ctx, int peer, const hoc_frame *f)
{
    (void)peer;
    *(uint64_t *)ctx += f->type == HOC_F_MSG;
    return 0;
}

static bool one_in(void *arg)
{
    return *(uint64_t *)arg == 1;
}

/* Runs the loop for ms milliseconds. */
static void spin(struct event_base *base, int ms)
{
    for (uint64_t t0 = hoc_now_us(); hoc_now_us() - t0 < (uint64_t)ms * 1000;) {
        event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
        nanosleep(&(struct timespec){0, 200000}, NULL);
    }
}

/* Endpoint 1 (the dialer) sends under a lease of 300 ms: a frame before it
 * arrives; one queued after it, as a process paused across the lease's end
 * would on resuming, is dropped at the write, the connection closes, and
 * no new one is dialed, even when the lease is set again. */
static void lease(void)
{
    hoc_peers peers = {2, {{0, "127.0.0.1", free_port(), 1}, {1, "127.0.0.1", free_port(), 2}}};
    struct event_base *base = event_base_new();
    CHECK(base && event_base_priority_init(base, 2) == 0);
    uint64_t got = 0;
    hoc_net_cb cb0 = {&got, on_frame_count, NULL}, cb1 = {NULL, on_frame_sender, NULL};
    hoc_net_opts o0 = {.peers = &peers, .algo = 0x78, .seed = 1, .log = {HOC_LOG_ERROR, 0}};
    hoc_net_opts o1 = o0;
    o1.id = 1, o1.log.id = 1;
    hoc_net *nets[2] = {hoc_net_new(base, &o0, &cb0), hoc_net_new(base, &o1, &cb1)};
    CHECK(nets[0] && nets[1] && run_until(base, NULL, ready, nets));
    uint64_t until = hoc_lease_us() + 300000;
    hoc_net_set_lease(nets[1], until);
    uint8_t payload[100] = {1};
    hoc_net_send_msg(nets[1], 0, 1, 0, payload, sizeof payload);
    CHECK(run_until(base, NULL, one_in, &got));
    nanosleep(&(struct timespec){0, 350000000}, NULL); /* paused past the lease's end */
    hoc_net_send_msg(nets[1], 0, 2, 0, payload, sizeof payload);
    spin(base, 200);
    const hoc_net_stats *st = hoc_net_get_stats(nets[1]);
    printf("lease: %" PRIu64 " frame in, %" PRIu64 " bytes dropped; writes from %" PRIu64
           " to %" PRIu64 " us before the lease ran out\n",
           got, st->dropped_lease_bytes, until - st->first_write_us, until - st->last_write_us);
    CHECK(got == 1 && st->dropped_lease_bytes >= sizeof payload);
    CHECK(st->first_write_us > 0 && st->last_write_us >= st->first_write_us &&
          st->last_write_us < until);
    CHECK(hoc_net_lease_over(nets[1]) && !hoc_net_peer_ready(nets[1], 0));
    hoc_net_set_lease(nets[1], hoc_lease_us() + 10000000); /* over for good */
    spin(base, 300);
    CHECK(!hoc_net_peer_ready(nets[1], 0) && !hoc_net_peer_ready(nets[0], 1) && got == 1);
    hoc_net_free(nets[0]);
    hoc_net_free(nets[1]);
    event_base_free(base);
}

/* Reads one whole frame from fd (the test's side of a connection) into buf,
 * running the loop meanwhile; false on garbage, EOF or after about 5 s. */
static bool fake_read_frame(struct event_base *base, int fd, uint8_t *buf, size_t cap, hoc_frame *f)
{
    size_t have = 0, used;
    const char *why;
    uint64_t t0 = hoc_now_us();
    while (hoc_now_us() - t0 < 5000000) {
        hoc_wire_status st = hoc_wire_decode(buf, have, f, &used, &why);
        if (st != HOC_WIRE_MORE) return st == HOC_WIRE_OK;
        ssize_t r = recv(fd, buf + have, cap - have, MSG_DONTWAIT);
        if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) return false;
        if (r > 0) have += (size_t)r;
        event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
    }
    return false;
}

typedef struct Dialer {
    hoc_net *net;
    Rx rx;
} Dialer;

static bool refused_server(void *arg)
{
    return hoc_net_get_stats(((Dialer *)arg)->net)->auth_failures == 1;
}

static bool got_frame(void *arg)
{
    return ((Dialer *)arg)->rx.next == 1;
}

static bool replay_refused(void *arg)
{
    return hoc_net_get_stats(((Dialer *)arg)->net)->tampered == 1;
}

/* An empty MSG of instance 0 from server 0 in a SEALED frame, the
 * server's first on a connection whose handshake had nonces cn (client)
 * and sn; its size. */
static int seal_msg(uint8_t *out, size_t cap, const uint8_t *secret, size_t slen, const uint8_t *cn,
                    const uint8_t *sn, const hoc_wire_cluster *cl)
{
    uint8_t cs[HOC_SEAL_KEY], sc[HOC_SEAL_KEY];
    hoc_seal_keys(secret, slen, cn, sn, 1, 0, cl, cs, sc);
    hoc_seal *tx = hoc_seal_new(sc);
    int mlen = hoc_wire_msg_header(out + 8, cap - 8, 0, 0, 0, 0x99, 0);
    int h = hoc_wire_sealed_header(out, cap, (size_t)mlen);
    CHECK(tx && mlen > 0 && h == 8 && (size_t)(h + mlen) + HOC_WIRE_TAG <= cap);
    CHECK(hoc_seal_tag(tx, out, (size_t)(h + mlen), NULL, 0, out + h + mlen) == 0);
    hoc_seal_free(tx);
    return h + mlen + HOC_WIRE_TAG;
}

/* Peer 0's address is held by a server that answers the handshake: endpoint
 * 1 dials it and proves itself. Without the secret the server's ACCEPT is
 * refused and the MSG behind it never delivered; with it, the MSG is. */
static void impostor(void)
{
    static const uint8_t secret[] = "cluster";
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof a;
    CHECK(lfd >= 0 && bind(lfd, (struct sockaddr *)&a, sizeof a) == 0 && listen(lfd, 4) == 0 &&
          getsockname(lfd, (struct sockaddr *)&a, &al) == 0);
    fcntl(lfd, F_SETFL, fcntl(lfd, F_GETFL) | O_NONBLOCK);
    hoc_peers peers = {2,
                       {{0, "127.0.0.1", ntohs(a.sin_port), 1}, {1, "127.0.0.1", free_port(), 2}}};
    struct event_base *base = event_base_new();
    CHECK(base && event_base_priority_init(base, 2) == 0);
    Dialer d = {0};
    hoc_net_cb cb = {&d.rx, on_frame, NULL};
    hoc_net_opts o = {.id = 1,
                      .peers = &peers,
                      .secret = secret,
                      .secret_len = sizeof secret - 1,
                      .algo = 0x99,
                      .params = 5,
                      .seed = 1,
                      .log = {HOC_LOG_ERROR, 1}};
    hoc_wire_cluster cl = {0x99, 2, 5}; /* the impostor announces the dialer's cluster */
    d.net = hoc_net_new(base, &o, &cb);
    CHECK(d.net != NULL);
    for (int knows = 0; d.net && knows < 2; knows++) {
        int fd = -1;
        uint64_t t0 = hoc_now_us();
        while ((fd = accept(lfd, NULL, NULL)) < 0 && hoc_now_us() - t0 < 5000000)
            event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
        CHECK(fd >= 0);
        if (fd < 0) break;
        uint8_t sn[HOC_WIRE_NONCE] = {7, 7}, buf[512], mac[HOC_WIRE_MAC], fr[128];
        int len = hoc_wire_hello(fr, sizeof fr, 0, &cl, sn);
        CHECK(send(fd, fr, (size_t)len, MSG_NOSIGNAL) == len);
        hoc_frame f;
        bool got =
            fake_read_frame(base, fd, buf, sizeof buf, &f) && f.type == HOC_F_AUTH && f.id == 1;
        CHECK(got);
        if (!got) {
            close(fd);
            break;
        }
        hoc_net_auth_mac(secret, sizeof secret - 1, HOC_AUTH_CLIENT, sn, 1, 0, &cl, mac);
        CHECK(memcmp(mac, f.mac, HOC_WIRE_MAC) == 0); /* the dialer knows the secret */
        if (knows)
            hoc_net_auth_mac(secret, sizeof secret - 1, HOC_AUTH_SERVER, f.nonce, 1, 0, &cl, mac);
        else /* replaying the dialer's own MAC does not pass either: another label */
            memcpy(mac, f.mac, HOC_WIRE_MAC);
        len = hoc_wire_accept(fr, sizeof fr, 0, 0x99, mac);
        int mlen = seal_msg(fr + len, sizeof fr - (size_t)len, secret, sizeof secret - 1, f.nonce,
                            sn, &cl);
        CHECK(send(fd, fr, (size_t)(len + mlen), MSG_NOSIGNAL) == len + mlen);
        if (!knows) {
            CHECK(run_until(base, NULL, refused_server, &d));
            CHECK(d.rx.next == 0 && !hoc_net_peer_ready(d.net, 0));
        } else {
            CHECK(run_until(base, NULL, got_frame, &d));
            CHECK(d.rx.bad == 0 && hoc_net_peer_ready(d.net, 0));
            CHECK(hoc_net_get_stats(d.net)->auth_failures == 1);
            /* the same sealed MSG again, as a replay on the path: its tag is
             * for sequence number 0, and the dialer expects 1 */
            CHECK(send(fd, fr + len, (size_t)mlen, MSG_NOSIGNAL) == mlen);
            CHECK(run_until(base, NULL, replay_refused, &d));
            CHECK(d.rx.next == 1 && !hoc_net_peer_ready(d.net, 0));
        }
        close(fd);
    }
    printf("impostor server refused, %" PRIu64 " frame delivered from the real one\n", d.rx.next);
    hoc_net_free(d.net);
    event_base_free(base);
    close(lfd);
}

static bool both_refused(void *arg)
{
    hoc_net **nets = arg;
    return hoc_net_get_stats(nets[0])->mismatches > 0 && hoc_net_get_stats(nets[1])->mismatches > 0;
}

/* Two endpoints that share the secret but not the cluster: another
 * parameter tag, another n (peers files of 2 and 3 processes), another
 * algorithm. Each side refuses the other as a mismatch, not as a stranger,
 * and the connection never becomes ready. */
static void mismatch(void)
{
    static const uint8_t secret[] = "shared";
    for (int c = 0; c < 3; c++) {
        hoc_peers p0 = {2, {{0, "127.0.0.1", free_port(), 1}, {1, "127.0.0.1", free_port(), 2}}};
        hoc_peers p1 = p0;
        if (c == 1) p1.n = 3, p1.p[2] = (hoc_peer){2, "127.0.0.1", free_port(), 3};
        struct event_base *base = event_base_new();
        CHECK(base && event_base_priority_init(base, 2) == 0);
        Rx rx = {0};
        hoc_net_cb cb = {&rx, on_frame, NULL};
        hoc_net_opts o0 = {.peers = &p0,
                           .secret = secret,
                           .secret_len = sizeof secret - 1,
                           .algo = 0x55,
                           .params = 7,
                           .seed = 1,
                           .log = {HOC_LOG_ERROR, 0}};
        hoc_net_opts o1 = o0;
        o1.id = 1, o1.peers = &p1, o1.log.id = 1;
        if (c == 0) o1.params = 8;
        if (c == 2) o1.algo = 0x56;
        hoc_net *nets[2] = {hoc_net_new(base, &o0, &cb), hoc_net_new(base, &o1, &cb)};
        CHECK(nets[0] && nets[1]);
        if (nets[0] && nets[1]) {
            CHECK(run_until(base, NULL, both_refused, nets));
            CHECK(!hoc_net_peer_ready(nets[0], 1) && !hoc_net_peer_ready(nets[1], 0));
            CHECK(hoc_net_get_stats(nets[0])->auth_failures == 0 &&
                  hoc_net_get_stats(nets[1])->auth_failures == 0);
        }
        hoc_net_free(nets[0]);
        hoc_net_free(nets[1]);
        event_base_free(base);
    }
    printf("other parameters, another n, another algorithm: refused by both sides as mismatches\n");
}

static bool all_in(void *arg)
{
    Rx *x = arg;
    return x->next == NFRAMES && x->decisions == 1 && x->done == 1;
}

typedef struct Client {
    int fd;
    bool closed;
} Client;

static bool client_closed(void *arg)
{
    Client *c = arg;
    char b[256];
    ssize_t r = recv(c->fd, b, sizeof b, 0);
    if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) c->closed = true;
    return c->closed;
}

/* Connects to port, sends len bytes and runs the loop until the server hangs up. */
static bool rejected(struct event_base *base, int port, const uint8_t *bytes, size_t len)
{
    Client c = {socket(AF_INET, SOCK_STREAM, 0), false};
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((uint16_t)port);
    if (c.fd < 0 || connect(c.fd, (struct sockaddr *)&a, sizeof a)) return false;
    fcntl(c.fd, F_SETFL, fcntl(c.fd, F_GETFL) | O_NONBLOCK);
    size_t done = 0;
    uint64_t t0 = hoc_now_us();
    while (done < len && hoc_now_us() - t0 < 5000000) { /* the server reads while we write */
        ssize_t w = send(c.fd, bytes + done, len - done, MSG_NOSIGNAL);
        if (w > 0) done += (size_t)w;
        if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK) break; /* reset: rejected early */
        event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
    }
    bool ok = run_until(base, NULL, client_closed, &c);
    close(c.fd);
    return ok;
}

/* The tags are AES-256-GCM's over the frame as additional data, nonce 4
 * zero bytes then the sequence number (docs/runtime.md, "Authenticated
 * frames"): computed here by the EVP GCM cipher, whatever seal.c uses, for
 * sizes around GHASH's 16-byte blocks, split in two pieces at every offset
 * of the small ones, and consecutive sequence numbers. */
static void seal_is_gcm(void)
{
    uint8_t key[HOC_SEAL_KEY], msg[4100];
    for (size_t i = 0; i < sizeof key; i++)
        key[i] = (uint8_t)(i * 29 + 3);
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (uint8_t)(i * 7 + 1);
    hoc_seal *s = hoc_seal_new(key);
    EVP_CIPHER_CTX *e = EVP_CIPHER_CTX_new();
    CHECK(s && e && EVP_EncryptInit_ex(e, EVP_aes_256_gcm(), NULL, key, NULL) == 1);
    static const size_t lens[] = {0, 1, 15, 16, 17, 31, 33, 200, 4097};
    uint64_t seq = 0;
    int bad = 0;
    for (size_t li = 0; s && e && li < sizeof lens / sizeof lens[0]; li++)
        for (size_t cut = 0; cut <= lens[li]; cut += lens[li] < 40 ? 1 : 97, seq++) {
            uint8_t iv[12] = {0}, want[HOC_WIRE_TAG], got[HOC_WIRE_TAG], none[16];
            for (int i = 0; i < 8; i++)
                iv[4 + i] = (uint8_t)(seq >> (8 * i));
            int outl;
            bool ok =
                EVP_EncryptInit_ex(e, NULL, NULL, NULL, iv) == 1 &&
                (lens[li] == 0 || EVP_EncryptUpdate(e, NULL, &outl, msg, (int)lens[li]) == 1) &&
                EVP_EncryptFinal_ex(e, none, &outl) == 1 &&
                EVP_CIPHER_CTX_ctrl(e, EVP_CTRL_GCM_GET_TAG, HOC_WIRE_TAG, want) == 1;
            ok = ok && hoc_seal_seq(s) == seq &&
                 hoc_seal_tag(s, msg, cut, msg + cut, lens[li] - cut, got) == 0 &&
                 memcmp(got, want, sizeof want) == 0;
            bad += !ok;
        }
    CHECK(bad == 0);
    /* and a receiver keyed alike accepts them in order, not out of it */
    hoc_seal *r = hoc_seal_new(key), *t = hoc_seal_new(key);
    uint8_t tag0[HOC_WIRE_TAG], tag1[HOC_WIRE_TAG];
    CHECK(r && t && hoc_seal_tag(t, msg, 200, NULL, 0, tag0) == 0 &&
          hoc_seal_tag(t, msg, 200, NULL, 0, tag1) == 0);
    CHECK(r && !hoc_seal_check(r, msg, 200, tag1) && hoc_seal_check(r, msg, 200, tag0) &&
          hoc_seal_check(r, msg, 200, tag1) && !hoc_seal_check(r, msg, 199, tag1));
    hoc_seal_free(r), hoc_seal_free(t), hoc_seal_free(s);
    EVP_CIPHER_CTX_free(e);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    hoc_peers peers = {2, {{0, "127.0.0.1", free_port(), 1}, {1, "127.0.0.1", free_port(), 2}}};
    CHECK(peers.p[0].port > 0 && peers.p[1].port > 0);
    struct event_base *base = event_base_new();
    CHECK(base && event_base_priority_init(base, 2) == 0);
    static const uint8_t secret[] = "transport-test";
    Rx rx = {0};
    hoc_net_cb cb0 = {NULL, on_frame_sender, NULL}, cb1 = {&rx, on_frame, NULL};
    hoc_net_opts o0 = {.peers = &peers,
                       .secret = secret,
                       .secret_len = sizeof secret - 1,
                       .algo = 0x1234,
                       .seed = 1,
                       .log = {HOC_LOG_ERROR, 0}};
    hoc_net_opts o1 = o0;
    o1.id = 1, o1.log.id = 1;
    hoc_net *nets[2] = {hoc_net_new(base, &o0, &cb0), hoc_net_new(base, &o1, &cb1)};
    CHECK(nets[0] && nets[1]);
    if (!nets[0] || !nets[1]) return check_summary("net-transport");
    CHECK(run_until(base, NULL, ready, nets));

    /* bursts of frames of every size: about 106 MB, partial frames at every
     * read boundary; sent from the loop in slices so that the queue bound
     * (64 MiB and a largest frame) is never reached */
    uint8_t *payload = malloc(HOC_WIRE_MAX_PAYLOAD);
    CHECK(payload != NULL);
    uint64_t sent = 0;
    bool fin = false;
    uint64_t t0 = hoc_now_us();
    while (payload && rx.next < NFRAMES && hoc_now_us() - t0 < 20000000) {
        for (int k = 0; k < 100 && sent < NFRAMES && sent - rx.next < 400; k++, sent++) {
            size_t len = sizes[sent % NSIZES];
            for (size_t i = 0; i < len; i++)
                payload[i] = byte_of(sent, i);
            hoc_net_send_msg(nets[0], 1, sent, (int64_t)(sent % 5), payload, len);
        }
        if (sent == NFRAMES && !fin) {
            fin = true;
            hoc_net_send_decision(nets[0], 1, 77, HOC_DECISION_ADOPT, minus5, 8);
            hoc_net_send_done(nets[0], 1);
        }
        hoc_net_kick(nets[0]);
        event_base_loop(base, EVLOOP_ONCE);
    }
    CHECK(run_until(base, NULL, all_in, &rx));
    CHECK(rx.next == NFRAMES && rx.bad == 0 && rx.decisions == 1 && rx.done == 1);
    const hoc_net_stats *s1 = hoc_net_get_stats(nets[1]);
    CHECK(s1->bad_frames == 0 && s1->auth_failures == 0 &&
          s1->frames_in == NFRAMES + 4); /* + HELLO, ACCEPT (endpoint 1 dials) */
    CHECK(hoc_net_get_stats(nets[0])->dropped_overflow == 0);
    printf("%" PRIu64 " frames, %" PRIu64 " bytes in\n", (uint64_t)rx.next, s1->bytes_in);

    /* the largest payload (64 MiB less the MSG header) arrives whole and
     * intact, sealed alone; one byte more is not sent (counted as oversize) */
    if (payload) {
        for (size_t i = 0; i < HOC_WIRE_MAX_PAYLOAD; i++)
            payload[i] = byte_of(BIG, i);
        uint64_t oversize0 = hoc_net_get_stats(nets[0])->dropped_oversize;
        uint64_t tb = hoc_now_us();
        hoc_net_send_msg(nets[0], 1, BIG, 1, payload, HOC_WIRE_MAX_PAYLOAD + 1);
        CHECK(hoc_net_get_stats(nets[0])->dropped_oversize == oversize0 + 1);
        hoc_net_send_msg(nets[0], 1, BIG, 1, payload, HOC_WIRE_MAX_PAYLOAD);
        hoc_net_kick(nets[0]);
        CHECK(run_until(base, NULL, big_in, &rx));
        CHECK(rx.big == 1 && rx.bad == 0 && s1->bad_frames == 0 && s1->tampered == 0);
        printf("one frame of %d bytes in %.0f ms\n", HOC_WIRE_MAX_PAYLOAD,
               (double)(hoc_now_us() - tb) / 1000.0);
    }

    /* strangers: each connection is closed and counted, none stops the server */
    uint8_t junk[6000];
    memset(junk, 0, sizeof junk);
    /* an AUTH header announcing 5000 bytes: longer than the handshake buffer */
    uint8_t hdr[8] = {0x88, 0x13, 0, 0, 1, HOC_F_AUTH, 0, 0};
    memcpy(junk, hdr, sizeof hdr);
    CHECK(rejected(base, peers.p[1].port, junk, sizeof junk));
    CHECK(s1->bad_frames == 1);
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (uint8_t)(i * 131 + 7);
    CHECK(rejected(base, peers.p[1].port, junk, 64));
    CHECK(s1->bad_frames == 2);
    uint8_t auth[128], mac[HOC_WIRE_MAC] = {1, 2, 3}, nonce[HOC_WIRE_NONCE] = {4};
    hoc_wire_cluster cl = {0x1234, 2, 0};
    int alen = hoc_wire_auth(auth, sizeof auth, 0, &cl, mac, nonce);
    CHECK(alen > 0 && rejected(base, peers.p[1].port, auth, (size_t)alen));
    CHECK(s1->auth_failures == 1);

    /* the authenticated connection still works */
    rx.decisions = 0;
    hoc_net_send_decision(nets[0], 1, 77, HOC_DECISION_ADOPT, minus5, 8);
    hoc_net_kick(nets[0]);
    bool got = false;
    t0 = hoc_now_us();
    while (!(got = rx.decisions == 1) && hoc_now_us() - t0 < 5000000)
        event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
    CHECK(got && rx.bad == 0);

    free(payload);
    hoc_net_free(nets[0]);
    hoc_net_free(nets[1]);
    event_base_free(base);

    seal_is_gcm();
    delayed_echo();
    lease();
    impostor();
    mismatch();
    return check_summary("net-transport");
}
