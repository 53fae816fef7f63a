/* bench_dial.c: the benchmarks' connections (bench_dial.h). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* getaddrinfo under -std=c11 */
#endif
#include "bench_dial.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int bench_dial(const char *hostport)
{
    char host[256];
    const char *colon = strrchr(hostport, ':');
    if (!colon || (size_t)(colon - hostport) >= sizeof host) return -1;
    memcpy(host, hostport, (size_t)(colon - hostport));
    host[colon - hostport] = 0;
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
    if (getaddrinfo(host, colon + 1, &hints, &res) || !res) return -1;
    int fd = socket(res->ai_family, SOCK_STREAM, 0), one = 1;
    if (fd >= 0 && connect(fd, res->ai_addr, res->ai_addrlen)) {
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    /* a request is one write and its answer is awaited: Nagle only delays it */
    if (fd >= 0) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

int bench_listen_loopback(struct sockaddr_in *a, int backlog)
{
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    memset(a, 0, sizeof *a);
    a->sin_family = AF_INET;
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof *a;
    if (ls >= 0 && (bind(ls, (struct sockaddr *)a, sizeof *a) || listen(ls, backlog) ||
                    getsockname(ls, (struct sockaddr *)a, &al))) {
        close(ls);
        ls = -1;
    }
    return ls;
}
