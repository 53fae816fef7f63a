/* net_mesh.c: the floor under the replicas' decision latency. N forked
 * processes on loopback run all-to-all rounds with no runtime at all: in
 * each round every process writes one 48-byte message to every other one
 * and waits until it has the round's message from all of them, over one TCP
 * connection per pair (TCP_NODELAY), as the replicas do. Prints the median
 * and p99, at process 0, of the time R rounds take. A replica running OTR
 * does the same exchanges plus its own work, so it cannot beat this.
 * usage: mesh N ROUNDS_TOTAL R [spin]: with "spin", a process polls
 * (epoll_wait without sleeping, then sched_yield), like a replica's --spin. */
#define _GNU_SOURCE /* sched_yield */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAXN 16
#define MSG 48

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int dial(int port)
{
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((uint16_t)port);
    for (int tries = 0; tries < 2000; tries++) {
        int s = socket(AF_INET, SOCK_STREAM, 0);
        if (s >= 0 && connect(s, (struct sockaddr *)&a, sizeof a) == 0) return s;
        if (s >= 0) close(s);
        usleep(1000);
    }
    return -1;
}

static int full(int fd, void *b, size_t n, int wr)
{
    for (size_t d = 0; d < n;) {
        ssize_t k = wr ? write(fd, (char *)b + d, n - d) : read(fd, (char *)b + d, n - d);
        if (k <= 0) return -1;
        d += (size_t)k;
    }
    return 0;
}

/* One process: connect (the higher id dials), run the rounds; process 0
 * prints the figures. */
static int member(int id, int n, int ls, const int *ports, int total, int per, int spin)
{
    int fd[MAXN];
    for (int j = 0; j < id; j++) {
        if ((fd[j] = dial(ports[j])) < 0 || full(fd[j], &id, sizeof id, 1)) return 1;
    }
    for (int k = id + 1; k < n; k++) {
        int s = accept(ls, NULL, NULL), who;
        if (s < 0 || full(s, &who, sizeof who, 0) || who <= id || who >= n) return 1;
        fd[who] = s;
    }
    int ep = epoll_create1(0), one = 1;
    for (int j = 0; j < n; j++) {
        if (j == id) continue;
        setsockopt(fd[j], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)j};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, fd[j], &ev)) return 1;
    }
    /* a peer is at most one round ahead: count arrivals for two rounds */
    int heard[2] = {0, 0};
    char part[MAXN][MSG];
    size_t have[MAXN] = {0};
    double *t = malloc(sizeof *t * (size_t)(total + 1));
    if (!t || ep < 0) return 1;
    t[0] = now_us();
    for (int r = 0; r < total; r++) {
        char m[MSG] = {0};
        memcpy(m, &r, sizeof r);
        for (int j = 0; j < n; j++)
            if (j != id && full(fd[j], m, MSG, 1)) return 1;
        while (heard[r & 1] < n - 1) {
            struct epoll_event evs[MAXN];
            int k = epoll_wait(ep, evs, MAXN, spin ? 0 : -1);
            if (k == 0) sched_yield();
            for (int e = 0; e < k; e++) {
                int j = (int)evs[e].data.u32;
                char buf[4096];
                ssize_t got = read(fd[j], buf, sizeof buf);
                if (got < 0) return 1;
                if (got == 0) { /* done before us: everything it sent is in */
                    epoll_ctl(ep, EPOLL_CTL_DEL, fd[j], NULL);
                    continue;
                }
                for (ssize_t o = 0; o < got; o++) {
                    part[j][have[j]++] = buf[o];
                    if (have[j] < MSG) continue;
                    int rr;
                    memcpy(&rr, part[j], sizeof rr);
                    heard[rr & 1]++;
                    have[j] = 0;
                }
            }
        }
        heard[r & 1] = 0;
        t[r + 1] = now_us();
    }
    if (id == 0) {
        int w = total / per;
        double *d = malloc(sizeof *d * (size_t)w);
        if (!d) return 1;
        for (int i = 0; i < w; i++)
            d[i] = t[(i + 1) * per] - t[i * per];
        qsort(d, (size_t)w, sizeof *d, cmp);
        printf("%.1f %.1f\n", d[w / 2], d[(w * 99) / 100]);
        fflush(stdout); /* the child leaves with _exit */
        free(d);
    }
    /* the others stay until process 0 has read everything */
    char b;
    for (int j = 0; j < n; j++)
        if (j != id) shutdown(fd[j], SHUT_WR);
    for (int j = 0; j < n; j++)
        if (j != id)
            while (read(fd[j], &b, 1) > 0) {
            }
    free(t);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: mesh N ROUNDS_TOTAL R [spin]\n");
        return 2;
    }
    int n = atoi(argv[1]), total = atoi(argv[2]), per = atoi(argv[3]);
    int spin = argc > 4 && strcmp(argv[4], "spin") == 0;
    if (n < 2 || n > MAXN || per < 1 || total < per) {
        fprintf(stderr, "mesh: need 2 <= N <= %d and ROUNDS_TOTAL >= R >= 1\n", MAXN);
        return 2;
    }
    int ls[MAXN], ports[MAXN];
    for (int i = 0; i < n; i++) {
        struct sockaddr_in a = {0};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t al = sizeof a;
        ls[i] = socket(AF_INET, SOCK_STREAM, 0);
        if (ls[i] < 0 || bind(ls[i], (struct sockaddr *)&a, sizeof a) || listen(ls[i], MAXN) ||
            getsockname(ls[i], (struct sockaddr *)&a, &al)) {
            perror("mesh: listen");
            return 1;
        }
        ports[i] = ntohs(a.sin_port);
    }
    for (int i = 0; i < n; i++) {
        pid_t p = fork();
        if (p < 0) {
            perror("mesh: fork");
            return 1;
        }
        if (p == 0) _exit(member(i, n, ls[i], ports, total, per, spin));
    }
    int bad = 0;
    for (int i = 0; i < n; i++) {
        int st;
        if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) bad = 1;
    }
    if (bad) fprintf(stderr, "mesh: a process failed\n");
    return bad;
}
