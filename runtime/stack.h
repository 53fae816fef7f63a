/* stack.h: room on the stack for what generated code keeps there. A
 * function of a .ho keeps its blocks, messages and aggregate locals on the
 * stack (Amalgam's op at 1 MiB blocks keeps six of them, 6 MiB), so a
 * driver checks the stack it runs them on instead of crashing at the first
 * large one. */
#ifndef HOC_STACK_H
#define HOC_STACK_H

#include <stddef.h>

#include "hoc_rt.h"

/* The stack a thread running a's functions needs: their large locals
 * (a->stack_bytes) and a margin for everything else. */
size_t hoc_stack_need(const hoc_algo *a);

/* Makes the main thread's stack limit hold hoc_stack_need(a), raising the
 * soft limit when it is lower: 0, or -1 with why in err (the hard limit is
 * lower, or the need is beyond what the main thread can grow to). */
int hoc_stack_fit(const hoc_algo *a, char *err, size_t errn);

#endif
