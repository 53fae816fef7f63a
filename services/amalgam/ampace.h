/* ampace.h: how fast a machine's replacements and rebuilds go (docs/amalgam.md,
 * "Pacing" and "A block on demand"): each step's `fwd` hurried, a
 * restarted machine's instances started a window at a time, and an
 * instance an op is waiting for started and hurried first. Pacing only:
 * which rounds end early and when an instance starts here, nothing that
 * amalgam.ho computes (hoc check explores every heard-of set, and a
 * server that starts late is one whose messages were all lost). */
#ifndef HOC_AMPACE_H
#define HOC_AMPACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hoc_rt.h"

struct evbuffer;
typedef struct ams_group ams_group;
typedef struct ams_server ams_server;

/* One instance's pacing at one server. */
typedef struct amp_inst {
    int64_t round, step; /* the last `fwd` hurried, and the step it belonged to */
    int n;               /* hurries of that step */
    bool started;        /* running here (a rejoining machine starts a window at a time) */
    bool whole;          /* last seen whole (installed, live, nothing to rebuild) */
    bool stalled;        /* not whole AMP_STALL_MS after its start: out of the window */
    uint64_t started_ms; /* mono ms it started (rejoining) */
    uint64_t wanted_ms;  /* mono ms an op first asked for it while not whole; 0: none */
    uint64_t asked_ms;   /* ... and last asked (a client retries TRYAGAIN every 20 ms) */
    int64_t ask_first;   /* phase + 1 it was first seen asking for snapshots; 0: not asking */
    int64_t ask_last;    /* ... and the last phase + 1 counted as asked again */
    uint64_t late;       /* its engine's late messages when ask_last was counted */
    uint64_t late_ms;    /* mono ms it last asked again with late messages about (congested) */
} amp_inst;

/* A machine's rebuild as /metrics and the logs show it. */
typedef struct amp_machine {
    int window;         /* instances rebuilding at once at most; 0: not rejoining */
    int cap, floor;     /* the window's bounds: it is halved on congestion, grows back */
    uint64_t cut_ms;    /* mono ms the window was last halved */
    uint64_t cuts;      /* times it was */
    int64_t next;       /* the next instance to start in the background */
    int64_t total;      /* instances with a server here */
    int64_t rebuilding; /* started here and not whole yet (the window's) */
    int64_t stalled;    /* ... for longer than AMP_STALL_MS: left out of the window */
    int64_t waiting;    /* not started yet (the window is full) */
    int64_t wanted;     /* not whole, with an op waiting for them */
    int64_t whole;      /* whole since this process started */
    int quarter;        /* the last quarter of the rebuild logged */
    uint64_t on_demand; /* instances rebuilt while an op was waiting for them */
    int64_t idle_us;    /* an idle instance's `fwd` timeout (amp_timeout); 0: the round's */
} amp_machine;

/* Sets the window of a machine that rejoins (rejoin) or not, whose
 * instances hold inst_bytes of blocks each (AMALGAM_REBUILD_WINDOW, for
 * tests and benchmarks: instances, 0 for all), and the idle pace
 * (AMALGAM_IDLE_MS, 0 for the round's 50 ms): 0, or -1 with err. */
int amp_init(amp_machine *p, bool rejoin, int64_t inst_bytes, char *err, size_t errn);
/* Starts group gr's instances (all of them, or, rejoining with a window, the
 * ones amp_iteration lets in later): 0, or -1 with err. */
int amp_start_group(ams_group *gr, char *err, size_t errn);
/* Starts background instances, lowest first, while fewer than the window
 * are rebuilding (after every group opened, then from amp_iteration). */
void amp_fill(ams_server *s);
/* Is instance inst running at gr (io.admit: a peer's message must not start
 * an instance a rejoining machine holds back, as new)? */
bool amp_started(const ams_group *gr, uint64_t inst);
/* Once a loop iteration of gr: its instances' hurries, the ones that became
 * whole (counted, logged), and more instances started while the window has
 * room. */
void amp_iteration(ams_group *gr, uint64_t now_us);
/* An op needs instance inst's data server here, which is not whole: start
 * it now if it waits for the window, and hurry its steps first. */
void amp_want(ams_server *s, int64_t inst);
/* io.timeout of gr's instances: an idle one's `fwd` (amop_idle, every
 * peer heard last phase) lasts idle_us instead of 50 ms; 0 (the round's
 * own) otherwise. */
int64_t amp_timeout(const ams_group *gr, int64_t round, const void *state, hoc_set heard);
/* The rebuild's /metrics families. */
void amp_render(const amp_machine *p, struct evbuffer *b);

#endif
