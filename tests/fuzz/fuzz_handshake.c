/* fuzz_handshake.c: the replica transport's connection state machine
 * (runtime/net.c: HELLO, AUTH, ACCEPT, then MSG/DECISION/DONE frames) driven
 * over real loopback sockets through its public API, with the fuzzer as the
 * other end of one connection.
 *
 * Input: a mode byte, then chunks, each a little-endian u16 length and that
 * many bytes (the last chunk takes what is left); length 0 shuts our side's
 * writing down (EOF). Mode bits:
 *   bit 0  0: the replica under test is process 0 and accepts; we dial it
 *          as whichever process our AUTH names.
 *          1: the replica under test is process 1 and dials us (process 0).
 *   bit 1  fix MACs: a chunk shaped like an AUTH (we dial) or an ACCEPT (we
 *          accept) gets the MAC the replica expects patched in, computed
 *          from the nonce it sent us, so the fuzzer gets past the handshake
 *          and its later chunks reach the authenticated frame path: from
 *          then on every chunk goes inside a SEALED frame with the tag the
 *          replica expects (keys from both nonces, seal.h), whatever its
 *          bytes, so that the frames in it are decoded and handed over.
 *   bit 2  cluster secret "fuzz-secret" (else the empty key).
 *   bit 3  n = 4 (else 2).
 * After each chunk the event loop runs a few non-blocking passes and we read
 * what the replica sent. No input may crash, leak or hit undefined
 * behaviour; frames handed to the owner must be MSG, DECISION or DONE,
 * name as sender the peer they come from, which must be another process
 * of the cluster, and all come from one peer (we are one connection).
 *
 * Each input gets its own loopback address (127.100.x.y), so that
 * connections in TIME_WAIT never collide; as root, the target first moves
 * into a network namespace of its own (unshare), so it binds nothing on the
 * machine's loopback either. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <net/if.h>
#include <netinet/in.h>
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
#include <event2/event.h>

#include "fuzz_sock.h"
#include "hoc_rt.h"
#include "net.h"
#include "peers.h"
#include "seal.h"
#include "wire.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ALGO 0x0a1b2c3du
#define PARAMS 0x11223344u
#define PORT 7000

static unsigned next_addr; /* which 127.100.x.y the next input uses */
static bool verbose;       /* FUZZ_VERBOSE=1: say how far each input got */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    signal(SIGPIPE, SIG_IGN); /* as a replica does: a closed socket is an error, not a signal */
    fzs_own_netns();
    verbose = getenv("FUZZ_VERBOSE") != NULL;
    return 0;
}

typedef struct Ctx {
    int me, n;
    int peer; /* the peer the replica authenticated us as (-1: none yet) */
    int frames;
} Ctx;

static int on_frame(void *ctx, int peer, const hoc_frame *f)
{
    Ctx *c = ctx;
    if (c->peer < 0) c->peer = peer;
    if (peer != c->peer || peer < 0 || peer >= c->n || peer == c->me ||
        (f->type != HOC_F_MSG && f->type != HOC_F_DECISION && f->type != HOC_F_DONE &&
         f->type != HOC_F_APP && f->type != HOC_F_HURRY && f->type != HOC_F_WHERE &&
         f->type != HOC_F_ROUND) ||
        f->id != (uint32_t)peer) {
        fprintf(stderr, "frame type %d from %d (id %u) handed over; first peer %d\n", f->type, peer,
                f->id, c->peer);
        abort();
    }
    c->frames++;
    /* like a replica running an algorithm with 8-byte messages */
    return f->type == HOC_F_MSG && f->payload_len != 8 ? -1 : 0;
}

/* Pumps the replica's loop until it has read everything we sent so far
 * (its bytes_in reaches `sent`) or has hung up on us. Loopback delivery
 * can lag behind a send on a busy machine (softirqs), and a pump before
 * the bytes arrive would see nothing: inputs would not replay alike. */
static void delivered(struct event_base *base, hoc_net *net, int fd, uint64_t sent)
{
    for (int i = 0; i < 400 && hoc_net_get_stats(net)->bytes_in < sent; i++) {
        fzs_pump(base);
        struct pollfd p = {.fd = fd, .events = POLLRDHUP};
        if (poll(&p, 1, 0) == 1 && p.revents & (POLLRDHUP | POLLHUP | POLLERR)) return;
        if (i >= 8) usleep(50);
    }
}

/* The nonce of the first frame of type t in in[0..len) (HELLO's, AUTH's). */
static const uint8_t *find_nonce(const uint8_t *in, size_t len, hoc_frame_type t)
{
    size_t off = 0, used;
    hoc_frame f;
    const char *why;
    while (hoc_wire_decode(in + off, len - off, &f, &used, &why) == HOC_WIRE_OK) {
        if (f.type == t) return f.nonce;
        off += used;
    }
    return NULL;
}

/* Puts chunk[0..len) inside a SEALED frame tagged with *tx (chunk has
 * room for the 8 header bytes before and the tag after); its new length. */
static size_t seal_chunk(uint8_t *chunk, size_t len, hoc_seal *tx)
{
    uint8_t hdr[HOC_WIRE_LEN + HOC_WIRE_HDR];
    int h = hoc_wire_sealed_header(hdr, sizeof hdr, len);
    if (h < 0) return len;
    memmove(chunk + h, chunk, len);
    memcpy(chunk, hdr, (size_t)h);
    if (hoc_seal_tag(tx, chunk, (size_t)h + len, NULL, 0, chunk + h + len) < 0) abort();
    return (size_t)h + len + HOC_WIRE_TAG;
}

/* With the fix bit: patches the MAC the replica expects into an AUTH (we
 * dial) or ACCEPT (it dials) chunk and keys *tx from both nonces, or seals
 * a later frame; returns the chunk's length. */
static size_t fix_chunk(uint8_t *chunk, size_t len, const hoc_net_opts *o,
                        const hoc_wire_cluster *cl, int me, bool we_dial, const uint8_t *in,
                        size_t inlen, uint8_t *our_nonce, hoc_seal **tx)
{
    const uint8_t *nonce;
    uint8_t cs[HOC_SEAL_KEY], sc[HOC_SEAL_KEY];
    if (*tx) return seal_chunk(chunk, len, *tx);
    if (!we_dial && len >= 40 && chunk[5] == HOC_F_HELLO) memcpy(our_nonce, chunk + 24, 16);
    if (we_dial && len >= 72 && chunk[5] == HOC_F_AUTH &&
        (nonce = find_nonce(in, inlen, HOC_F_HELLO))) {
        uint32_t client = hoc_get_u32(chunk + 8);
        hoc_wire_cluster theirs = {hoc_get_u32(chunk + 12), hoc_get_u32(chunk + 16),
                                   hoc_get_u32(chunk + 20)};
        hoc_net_auth_mac(o->secret, o->secret_len, HOC_AUTH_CLIENT, nonce, client, (uint32_t)me,
                         &theirs, chunk + 24);
        hoc_seal_keys(o->secret, o->secret_len, chunk + 56, nonce, client, (uint32_t)me, cl, cs,
                      sc);
        *tx = hoc_seal_new(cs);
    } else if (!we_dial && len >= 48 && chunk[5] == HOC_F_ACCEPT &&
               (nonce = find_nonce(in, inlen, HOC_F_AUTH))) {
        hoc_net_auth_mac(o->secret, o->secret_len, HOC_AUTH_SERVER, nonce, (uint32_t)me, 0, cl,
                         chunk + 16);
        hoc_seal_keys(o->secret, o->secret_len, nonce, our_nonce, (uint32_t)me, 0, cl, cs, sc);
        *tx = hoc_seal_new(sc);
    }
    return len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    uint8_t mode = data[0];
    bool we_dial = !(mode & 1), fix = mode & 2;
    const char *secret = mode & 4 ? "fuzz-secret" : "";
    int n = mode & 8 ? 4 : 2;
    int me = we_dial ? 0 : 1; /* the replica under test; we are 0 when it dials */

    char host[2][32];
    unsigned k = next_addr++;
    fzs_addr(host[0], sizeof host[0], k);
    fzs_addr(host[1], sizeof host[1], k + 1u); /* other processes: other addresses */
    static hoc_peers peers;
    memset(&peers, 0, sizeof peers);
    peers.n = n;
    for (int i = 0; i < n; i++) {
        peers.p[i].id = i;
        snprintf(peers.p[i].host, sizeof peers.p[i].host, "%s", i == 0 ? host[0] : host[1]);
        peers.p[i].port = PORT + i;
    }

    int lfd = -1, fd = -1;
    hoc_seal *tx = NULL; /* once a fixed AUTH or ACCEPT went out */
    if (!we_dial) {      /* we are process 0: listen before the replica dials */
        lfd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(PORT)};
        inet_pton(AF_INET, host[0], &sa.sin_addr);
        int one = 1;
        setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(lfd, (struct sockaddr *)&sa, sizeof sa) || listen(lfd, 4)) {
            close(lfd);
            return 0; /* no loopback to play on: nothing to test */
        }
    }
    struct event_base *base = event_base_new();
    if (!base || event_base_priority_init(base, 2)) abort();
    Ctx ctx = {.me = me, .n = n, .peer = -1};
    hoc_net_opts o = {.id = me,
                      .peers = &peers,
                      .secret = (const uint8_t *)secret,
                      .secret_len = strlen(secret),
                      .algo = ALGO,
                      .params = PARAMS,
                      .seed = 1,
                      .log = {HOC_LOG_ERROR, me}};
    hoc_net_cb cb = {.ctx = &ctx, .frame = on_frame};
    hoc_net *net = hoc_net_new(base, &o, &cb);
    if (!net) goto out;
    if (we_dial) {
        fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(PORT)};
        inet_pton(AF_INET, host[0], &sa.sin_addr);
        if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) goto out;
    } else {
        fzs_pump(base); /* the replica dials */
        struct pollfd p = {.fd = lfd, .events = POLLIN};
        if (poll(&p, 1, 1000) != 1 || (fd = accept(lfd, NULL, NULL)) < 0) goto out;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    struct linger lg = {1, 0}; /* close with a reset: no TIME_WAIT left behind */
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);

    static uint8_t in[8192];
    size_t inlen = 0;
    hoc_wire_cluster cl = {ALGO, (uint32_t)n, PARAMS};
    size_t off = 1;
    bool waited = false;
    uint64_t sent = hoc_net_get_stats(net)->bytes_in;
    uint8_t our_nonce[HOC_WIRE_NONCE] = {0}; /* of our HELLO, when the replica dials */
    while (off < size) {
        fzs_pump(base);
        if (fix && !waited && !find_nonce(in, inlen, we_dial ? HOC_F_HELLO : HOC_F_AUTH)) {
            fzs_await_reply(base, fd);
            waited = true; /* once: a replica that closed on us will not answer */
        }
        fzs_drain(fd, in, &inlen, sizeof in);
        bool eof;
        size_t len = fzs_next_chunk(data, size, &off, &eof);
        if (eof) {
            shutdown(fd, SHUT_WR);
            continue;
        }
        static uint8_t chunk[65536 + 32]; /* room to seal it */
        memcpy(chunk, data + off, len);
        off += len;
        len = fix_chunk(chunk, len, &o, &cl, me, we_dial, in, inlen, our_nonce, &tx);
        for (size_t w = 0, tries = 0; w < len && tries < 1000; tries++) {
            ssize_t r = send(fd, chunk + w, len - w, MSG_NOSIGNAL);
            if (r > 0) {
                w += (size_t)r;
                sent += (uint64_t)r;
                delivered(base, net, fd, sent);
                continue;
            }
            if (r < 0 && errno != EAGAIN) break; /* the replica closed on us */
            fzs_pump(base);                      /* let it read */
            fzs_drain(fd, in, &inlen, sizeof in);
        }
    }
    fzs_pump(base);
    if (hoc_net_ready_count(net) > 1) abort(); /* only we could have connected */
    if (verbose)
        fprintf(stderr,
                "mode %#x: ready %d, frames handed over %d, bad %" PRIu64 ", tampered %" PRIu64
                ", auth failures %" PRIu64 ", mismatches %" PRIu64 "\n",
                mode, hoc_net_ready_count(net), ctx.frames, hoc_net_get_stats(net)->bad_frames,
                hoc_net_get_stats(net)->tampered, hoc_net_get_stats(net)->auth_failures,
                hoc_net_get_stats(net)->mismatches);
out:
    hoc_seal_free(tx);
    if (fd >= 0) close(fd);
    if (lfd >= 0) close(lfd);
    hoc_net_free(net);
    event_base_free(base);
    return 0;
}
