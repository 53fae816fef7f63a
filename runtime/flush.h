/* flush.h: the once-a-loop-pass write of a libevent owner (hoc_net's frames,
 * a client front's replies): asked for by the socket callbacks of a pass,
 * run after them, in the same pass.
 *
 * libevent runs one priority's active events a pass. A flush at the lowest
 * priority, below the sockets' 0 (as it was), ran in a pass of its own, an
 * epoll_wait more for every pass with input (1.46 an op of Amalgam's 11.4
 * syscalls at 64 B). Activated at priority 0 it joins the tail of the
 * queue being run: after every socket callback already active, so it
 * still batches the pass. It may run again in the pass (asked by its own
 * iteration, or by another owner's flush), up to HOC_FLUSH_RUNS times;
 * beyond, an ask goes to the lowest priority, a pass of its own, so that
 * owners that keep asking cannot keep a pass going and starve the
 * sockets (as they could before, at the lowest priority). Asked from a
 * callback of a lower priority (a timer), the flush runs in the next pass,
 * as the callback's priority goes before it. */
#ifndef HOC_FLUSH_H
#define HOC_FLUSH_H

#include <stdbool.h>
#include <sys/time.h>

struct event;
struct event_base;

typedef struct hoc_flush {
    struct event_base *base;
    struct event *now, *later; /* priority 0; the lowest */
    struct timeval ran;        /* the pass of the last run (libevent's cached time) */
    int runs;                  /* in that pass */
    bool asked;                /* one of the two is active */
} hoc_flush;

/* Makes f call cb(-1, 0, arg) once a pass in which hoc_flush_ask was
 * called: 0, or -1 (memory). */
int hoc_flush_init(hoc_flush *f, struct event_base *base, void (*cb)(int, short, void *),
                   void *arg);
/* Frees f's events; a zeroed f is a no-op. */
void hoc_flush_free(hoc_flush *f);
#define HOC_FLUSH_RUNS 4 /* runs a pass at the sockets' priority */

/* Asks for a run: in this pass, after the callbacks active now, unless f
 * ran HOC_FLUSH_RUNS times in this pass already (then in a pass of its
 * own). */
void hoc_flush_ask(hoc_flush *f);
/* To be called first by the callback: f's run has begun (a later ask is
 * for another run). */
void hoc_flush_began(hoc_flush *f);

#endif
