/* xserve.h: hoc explore's HTTP server (libevent's evhttp): the page, its
 * script and style from the binary, and a small JSON API over an event tree:
 *
 *   GET  /api/algo, /api/tree, /api/state/ID, /api/path/ID   (xview.h)
 *   GET  /api/focus                      the state to show first, and the walks' seed
 *   GET  /api/resolve?addr=run/...       the node a durable address names
 *   POST /api/step   {"from": ID, "ho": [[p...]...], "crash": [p...], "oracle": [bits...]}
 *   POST /api/root   {"inputs": [v...]}  a new start
 *   POST /api/trace  a hoc check --trace file, replayed into a new branch
 *   POST /api/walk   {"from": ID, "walks": W, "depth": D, "seed": S}
 *   POST /api/check  {"depth": D, "seconds": S}
 *
 * Answers to POSTs are {"id": ID, "message": ...}; a bad request gets status
 * 400, 404 or 405 with {"error": ...} (an HTML page outside /api), never a
 * crash. It listens on loopback only unless told otherwise. */
#ifndef HOC_XSERVE_H
#define HOC_XSERVE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "xtree.h"

typedef struct xsrv_opts {
    const char *bind;       /* numeric address; NULL: 127.0.0.1 */
    int port;               /* 0: any free port */
    bool public_ok;         /* allow an address other than loopback */
    const char *source;     /* the .ho file, for hoc check runs */
    FILE *out;              /* where the URL is announced (one line, flushed) */
    uint64_t seed;          /* the page's first random walks use it, then the next ones */
    const char *block_look; /* blocks handed are stand-ins and it looks inside: a note */
} xsrv_opts;

/* Whether a numeric address is a loopback address (127/8 or ::1). */
bool xsrv_loopback(const char *addr);
/* Serves tree t (the page opens at node focus) until SIGINT or SIGTERM.
 * Returns 0 then, or 2 after a message when it cannot listen (an address
 * that is not loopback without public_ok, a port in use). */
int xsrv_run(xt_tree *t, int focus, const xsrv_opts *o);

#endif
