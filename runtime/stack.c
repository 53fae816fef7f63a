/* stack.c: the stack generated code needs, and the limit it runs under. */
#include "stack.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

/* Room for the scalars, the drivers' own frames and the libraries under
 * them (ISA-L, OpenSSL, libevent): the generated count is of large locals. */
#define STACK_SLACK ((size_t)1 << 20)
/* The main thread's stack grows into the gap the kernel leaves below it at
 * exec, at least 128 MiB; beyond this much a raised limit would not help. */
#define STACK_MAIN_MAX ((size_t)96 << 20)

size_t hoc_stack_need(const hoc_algo *a)
{
    return (a && a->stack_bytes ? a->stack_bytes() : 0) + STACK_SLACK;
}

int hoc_stack_fit(const hoc_algo *a, char *err, size_t errn)
{
    size_t need = hoc_stack_need(a), kib = need >> 10;
    struct rlimit r;
    if (getrlimit(RLIMIT_STACK, &r) != 0) return 0; /* nothing known to check */
    if (r.rlim_cur == RLIM_INFINITY || r.rlim_cur >= need) return 0;
    const char *name = a && a->name ? a->name : "the algorithm";
    if (need > STACK_MAIN_MAX) {
        snprintf(err, errn,
                 "%s needs %zu KiB of stack (its blocks, messages and aggregate locals), more "
                 "than hoc lets its main thread grow to (%zu KiB): use smaller blocks",
                 name, kib, STACK_MAIN_MAX >> 10);
        return -1;
    }
    if (r.rlim_max != RLIM_INFINITY && r.rlim_max < need) {
        snprintf(err, errn,
                 "%s needs %zu KiB of stack (its blocks, messages and aggregate locals) and the "
                 "hard limit is %llu KiB: raise it (ulimit -Hs %zu, or LimitSTACK= in a "
                 "systemd unit)",
                 name, kib, (unsigned long long)(r.rlim_max >> 10), kib);
        return -1;
    }
    r.rlim_cur = need;
    if (setrlimit(RLIMIT_STACK, &r) != 0) {
        snprintf(err, errn, "%s needs %zu KiB of stack; raising the limit failed: %s", name, kib,
                 strerror(errno));
        return -1;
    }
    return 0;
}
