/* etcd_load.c: a small closed-loop client for etcd 3.4's v3 JSON gateway,
 * the peer hoc-kv is compared with in make bench (bench/bench_kv.sh).
 *
 *   bench-etcd-load HOST:PORT[,HOST:PORT...] put|range CLIENTS SECONDS VALUE_BYTES
 *
 * CLIENTS connections (spread over the endpoints), each with one request
 * in flight (HTTP/1.1 keep-alive POST /v3/kv/put or /v3/kv/range of a key of
 * 10000), for SECONDS. Prints one line: ops/s, p50 and p99 latency in
 * microseconds, errors. */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bench_dial.h"

#define MAXC 1024

typedef struct Client {
    int fd;
    char in[8192];
    size_t inlen;
    double sent;
} Client;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static size_t base64(const char *s, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned char)s[i] << 16;
        if (i + 1 < n) v |= (unsigned char)s[i + 1] << 8;
        if (i + 2 < n) v |= (unsigned char)s[i + 2];
        out[o++] = b64[(v >> 18) & 63], out[o++] = b64[(v >> 12) & 63];
        out[o++] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < n ? b64[v & 63] : '=';
    }
    out[o] = 0;
    return o;
}

static void request(Client *c, int put, int vbytes, unsigned *seed)
{
    char key[32], k64[64], val[4096], v64[8192], body[9000], req[10000];
    snprintf(key, sizeof key, "key:%06u", rand_r(seed) % 10000);
    base64(key, strlen(key), k64);
    memset(val, 'x', (size_t)vbytes);
    base64(val, (size_t)vbytes, v64);
    int bl = put ? snprintf(body, sizeof body, "{\"key\":\"%s\",\"value\":\"%s\"}", k64, v64)
                 : snprintf(body, sizeof body, "{\"key\":\"%s\"}", k64);
    int rl = snprintf(req, sizeof req,
                      "POST /v3/kv/%s HTTP/1.1\r\nHost: etcd\r\nContent-Type: application/json\r\n"
                      "Content-Length: %d\r\n\r\n%s",
                      put ? "put" : "range", bl, body);
    c->sent = now();
    if (write(c->fd, req, (size_t)rl) != rl) c->sent = -1;
}

/* A whole response in c->in? Its length, or 0. */
static size_t response(const Client *c, int *ok)
{
    const char *end = memmem(c->in, c->inlen, "\r\n\r\n", 4);
    if (!end) return 0;
    const char *cl = memmem(c->in, (size_t)(end - c->in), "Content-Length:", 15);
    size_t head = (size_t)(end - c->in) + 4, body = cl ? strtoul(cl + 15, NULL, 10) : 0;
    if (c->inlen < head + body) return 0;
    *ok = c->inlen > 12 && memcmp(c->in + 9, "200", 3) == 0;
    return head + body;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: bench-etcd-load HOST:PORT[,...] put|range CLIENTS SECONDS BYTES\n");
        return 2;
    }
    char *eps[16], *save;
    int neps = 0;
    for (char *t = strtok_r(argv[1], ",", &save); t && neps < 16; t = strtok_r(NULL, ",", &save))
        eps[neps++] = t;
    int put = strcmp(argv[2], "put") == 0, nc = atoi(argv[3]), vb = atoi(argv[5]);
    double secs = atof(argv[4]);
    if (nc < 1 || nc > MAXC || vb < 0 || vb > 3000 || neps == 0) return 2;
    static Client cs[MAXC];
    static struct pollfd pf[MAXC];
    size_t cap = 1 << 22, nlat = 0, errors = 0;
    double *lat = malloc(sizeof *lat * cap);
    unsigned seed = 7;
    for (int i = 0; i < nc; i++) {
        if ((cs[i].fd = bench_dial(eps[i % neps])) < 0) {
            fprintf(stderr, "cannot connect to %s\n", eps[i % neps]);
            return 1;
        }
        pf[i] = (struct pollfd){cs[i].fd, POLLIN, 0};
        request(&cs[i], put, vb, &seed);
    }
    double t0 = now(), end = t0 + secs;
    while (now() < end) {
        if (poll(pf, (nfds_t)nc, 100) <= 0) continue;
        for (int i = 0; i < nc; i++) {
            if (!(pf[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            Client *c = &cs[i];
            ssize_t r = read(c->fd, c->in + c->inlen, sizeof c->in - c->inlen);
            if (r <= 0) {
                fprintf(stderr, "connection lost\n");
                return 1;
            }
            c->inlen += (size_t)r;
            int ok;
            size_t used = response(c, &ok);
            if (!used) continue;
            if (nlat < cap) lat[nlat++] = now() - c->sent;
            errors += !ok;
            memmove(c->in, c->in + used, c->inlen - used);
            c->inlen -= used;
            request(c, put, vb, &seed);
        }
    }
    double el = now() - t0;
    qsort(lat, nlat, sizeof *lat, cmp);
    printf("%.0f %.0f %.0f %zu\n", (double)nlat / el, nlat ? lat[nlat / 2] * 1e6 : 0,
           nlat ? lat[nlat * 99 / 100] * 1e6 : 0, errors);
    return 0;
}
