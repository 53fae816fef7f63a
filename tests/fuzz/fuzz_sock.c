/* fuzz_sock.c: see fuzz_sock.h. */
#define _GNU_SOURCE
#include "fuzz_sock.h"

#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

void fzs_own_netns(void)
{
    if (geteuid() != 0 || unshare(CLONE_NEWNET) != 0) return;
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) return;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strcpy(ifr.ifr_name, "lo");
    if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
        ifr.ifr_flags |= IFF_UP;
        ioctl(fd, SIOCSIFFLAGS, &ifr);
    }
    close(fd);
}

void fzs_pump(struct event_base *base)
{
    for (int i = 0; i < 4; i++)
        event_base_loop(base, EVLOOP_NONBLOCK);
}

void fzs_await_reply(struct event_base *base, int fd)
{
    for (int i = 0; i < 10; i++) {
        fzs_pump(base);
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 1) == 1) return;
    }
}

void fzs_drain(int fd, uint8_t *in, size_t *len, size_t cap)
{
    for (;;) {
        uint8_t scratch[4096];
        bool room = *len < cap;
        ssize_t r = room ? read(fd, in + *len, cap - *len) : read(fd, scratch, sizeof scratch);
        if (r <= 0) return;
        if (room) *len += (size_t)r;
    }
}

void fzs_addr(char *buf, size_t cap, unsigned k)
{
    snprintf(buf, cap, "127.100.%u.%u", (k >> 8) & 255, 1 + (k & 127) * 2);
}

size_t fzs_next_chunk(const uint8_t *data, size_t size, size_t *off, bool *eof)
{
    size_t len = size - *off >= 2 ? (size_t)(data[*off] | data[*off + 1] << 8) : 1;
    *off += size - *off >= 2 ? 2 : 1;
    *eof = len == 0;
    return len > size - *off ? size - *off : len;
}
