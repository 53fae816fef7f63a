/* net_pingpong.c: the plain TCP round trip on loopback that bench_net.sh
 * prints beside the replicas' decision latency. A forked echo server, 64-byte
 * messages, TCP_NODELAY; prints the median and p99 round trip in
 * microseconds. usage: pingpong ITERS [CPU_CLIENT CPU_SERVER]: with CPUs
 * given, both ends are pinned, because the unpinned figure depends on where
 * the scheduler puts the two processes (on a 2-core VM: about 14 us on one
 * core, about 36 us across cores). */
#define _GNU_SOURCE /* sched_setaffinity */
#include <sched.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int full(int fd, char *b, size_t n, int wr)
{
    for (size_t d = 0; d < n;) {
        ssize_t k = wr ? write(fd, b + d, n - d) : read(fd, b + d, n - d);
        if (k <= 0) return -1;
        d += (size_t)k;
    }
    return 0;
}

static void pin(const char *cpu)
{
    if (!cpu) return;
    cpu_set_t cs;
    CPU_ZERO(&cs);
    CPU_SET(atoi(cpu), &cs);
    if (sched_setaffinity(0, sizeof cs, &cs)) perror("pingpong: sched_setaffinity");
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    int iters = argc > 1 ? atoi(argv[1]) : 20000;
    if (iters < 1) iters = 1;
    int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof a;
    if (bind(ls, (struct sockaddr *)&a, sizeof a) || listen(ls, 1) ||
        getsockname(ls, (struct sockaddr *)&a, &al)) {
        perror("pingpong");
        return 1;
    }
    const char *cpu_client = argc > 3 ? argv[2] : NULL, *cpu_server = argc > 3 ? argv[3] : NULL;
    pid_t pid = fork();
    if (pid == 0) {
        pin(cpu_server);
        int c = accept(ls, NULL, NULL);
        setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        char b[64];
        while (full(c, b, sizeof b, 0) == 0 && full(c, b, sizeof b, 1) == 0) {
        }
        _exit(0);
    }
    pin(cpu_client);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(s, (struct sockaddr *)&a, sizeof a)) {
        perror("pingpong");
        return 1;
    }
    double *rtt = malloc((size_t)iters * sizeof *rtt);
    char b[64] = {0};
    for (int i = 0; i < iters; i++) {
        double t = now_us();
        if (full(s, b, sizeof b, 1) || full(s, b, sizeof b, 0)) return 1;
        rtt[i] = now_us() - t;
    }
    close(s);
    waitpid(pid, NULL, 0);
    qsort(rtt, (size_t)iters, sizeof *rtt, cmp);
    printf("%.1f %.1f\n", rtt[iters / 2], rtt[iters * 99 / 100]);
    free(rtt);
    return 0;
}
