/* bench_dial.h: the benchmarks' client connections (bench-etcd-load,
 * bench-am-load). */
#ifndef HOC_BENCH_DIAL_H
#define HOC_BENCH_DIAL_H

/* A blocking TCP connection to "HOST:PORT" with TCP_NODELAY: its fd, or -1. */
int bench_dial(const char *hostport);

#endif
