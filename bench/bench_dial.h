/* bench_dial.h: the benchmarks' connections: clients (bench-etcd-load,
 * bench-am-load) and loopback listeners (bench-net-readpath,
 * bench-rebuild-ceiling). */
#ifndef HOC_BENCH_DIAL_H
#define HOC_BENCH_DIAL_H

/* A blocking TCP connection to "HOST:PORT" with TCP_NODELAY: its fd, or -1. */
int bench_dial(const char *hostport);

struct sockaddr_in;
/* A TCP socket listening on 127.0.0.1 at a port the kernel picks, its
 * address written to *a: its fd, or -1 (errno set). */
int bench_listen_loopback(struct sockaddr_in *a, int backlog);

#endif
