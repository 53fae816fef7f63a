/* xaddr.h: durable addresses of explorer states, the part of a URL after
 * "#/". A node reached from inputs by rounds is addressed by those inputs and
 * each round's choices, so a shared link rebuilds the same run on any
 * explorer of the same program:
 *
 *   run/INPUTS/ROUND/ROUND...
 *   INPUTS  each process's inputs, ':' between one process's, ',' between
 *           processes ('-' when the algorithm has none)
 *   ROUND   each process's heard-of set in hex, '.' between processes, then
 *           optionally "~c" and the crashed set in hex, then optionally "~o"
 *           and each process's oracle bits in hex, '.' between processes
 *
 * e.g. run/0,1,1/7.7.7/3.3.7~c4 (three processes; p2 crashes in round 1). */
#ifndef HOC_XADDR_H
#define HOC_XADDR_H

#include <stddef.h>

#include "buf.h"
#include "xtree.h"

/* Appends node id's address to b; 0, or -1 (b untouched) when the node's
 * root did not start from inputs (a trace from an arbitrary state) or the
 * environment did something on its way (events, replacements: a trace of
 * hoc check --events or --replace), which the address does not hold. */
int xaddr_of(const xt_tree *t, int id, hoc_buf *b);
/* The node an address names, made (with its ancestors) as needed; -1 with
 * a message in err when the address is malformed or does not fit. */
int xaddr_resolve(xt_tree *t, const char *addr, char *err, size_t errn);

#endif
