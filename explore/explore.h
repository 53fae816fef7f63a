/* explore.h: hoc explore, a visual debugger for heard-of executions, as the
 * hoc command uses it: serve a loaded algorithm in the browser, or write a
 * self-contained page of one run (hoc check --html, hoc sim --html). The
 * parts: the event tree (xtree.h), its JSON views (xview.h), durable
 * addresses (xaddr.h), traces (xload.h), searches (xsearch.h), pages
 * (xpage.h) and the server (xserve.h). */
#ifndef HOC_EXPLORE_H
#define HOC_EXPLORE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "hoc_rt.h"
#include "simenv.h"

typedef struct explore_opts {
    const char *trace;  /* a hoc check --trace file to open first, or NULL */
    const char *source; /* the .ho file (hoc check runs from the page) */
    const char *bind;   /* numeric address; NULL: 127.0.0.1 */
    int port;           /* 0: any free port */
    bool public_ok;     /* listen on an address other than loopback */
    FILE *out;          /* where the URL is announced */
    uint64_t seed;      /* the seed of the page's random walks */
    /* where the algorithm looks inside a block (opaque_first_look), or NULL:
     * the blocks the explorer hands it are stand-ins, so that is said */
    const char *block_look;
} explore_opts;

/* Serves algorithm a at n processes with params, starting from the default
 * inputs (hoc sim's) and the trace if one is given, until SIGINT or SIGTERM.
 * Returns 0, or 2 after a message (a trace that does not fit, a refused
 * address, a port in use). */
int explore_serve(const hoc_algo *a, int n, const int64_t *params, const explore_opts *o);
/* The number of processes of the trace at path; -1 after a message. */
int explore_trace_n(const char *path);
/* Writes the static page of the trace at path (NULL: only the initial states
 * of the default inputs) to html, with a line of note; 0, or 2 after a
 * message. */
int explore_html_trace(const hoc_algo *a, int n, const int64_t *params, const char *path,
                       const char *note, const char *html);

/* A run being recorded for hoc sim --html. */
typedef struct explore_rec explore_rec;
/* A recorder of runs of a at n processes with params; NULL when out of memory. */
explore_rec *explore_rec_new(const hoc_algo *a, int n, const int64_t *params);
/* hoc_sim_opts.observe: round -1 gives the inputs, each later call one
 * round's heard-of sets, oracle bits, the processes crashed once it ends and
 * the environment's events and replacements. */
void explore_rec_observe(void *rec, int64_t round, const int64_t *inputs, const hoc_set *ho,
                         const uint64_t *oracle, uint64_t crashed, const simenv_step *env);
/* Writes the recorded run's static page to html; 0, or 2 after a message. */
int explore_rec_write(explore_rec *r, const char *note, const char *html);
/* Frees the recorder; r may be NULL. */
void explore_rec_free(explore_rec *r);

#endif
