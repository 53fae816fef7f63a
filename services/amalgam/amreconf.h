/* amreconf.h: the reconfiguration service's failure detector and its
 * account of replacements (docs/deploy.md, "Failure detection and
 * replacement").
 *
 * Every `amalgam serve` sends a heartbeat (a service frame on each of its
 * groups, to pid n-1) every amr_heartbeat_ms; the reconf replica records
 * when it last heard each machine, and suspects a machine silent for
 * suspect-ms. It also watches its own instances' reconfiguration role
 * (amalgam.ho's mode, who and epoch) and logs and counts each replacement
 * step. Pure bookkeeping: times are passed in, nothing here does I/O but
 * the log and the /metrics text. */
#ifndef HOC_AMRECONF_H
#define HOC_AMRECONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "amlayout.h"
#include "amop.h"
#include "log.h"

struct evbuffer;

/* A heartbeat frame's bytes: "AMHB", the machine (u32), its incarnation (u64),
 * its instances with a server not whole (u64). */
#define AMR_HB_LEN 24
/* ... and the one of before the count, without it: still taken (read as 0). */
#define AMR_HB_LEN_V1 16

typedef struct amr_machine {
    int64_t heard_ms;     /* monotonic time of its last heartbeat; -1: never */
    int64_t heard_wall;   /* the same in unix milliseconds */
    uint64_t incarnation; /* its process's stamp, from the last heartbeat */
    int64_t degraded;     /* its instances with a server not whole, by that heartbeat */
    bool suspected;
    int64_t suspected_wall; /* unix ms of the last suspicion; 0: never */
    int64_t replaced_wall;  /* unix ms when its last whole replacement completed; 0: never */
    int replacing;          /* server replacements of its pids in progress */
    int64_t plays;          /* instances where it plays a pid: a whole replacement */
    int64_t round_done;     /* of the current whole replacement, the servers replaced */
    uint64_t suspicions, replacements;
    int64_t held_wall; /* suspected_wall of the last suspicion held back (amr_hold) */
} amr_machine;

/* One instance's reconfiguration role as last seen. */
typedef struct amr_track {
    amop_ask mode;
    int who;
    int64_t epoch;
    int64_t since_wall; /* unix ms the current replacement started */
} amr_track;

typedef struct amr_detector {
    const aml_geom *geo;
    int suspect_ms;
    int64_t start_ms; /* a machine never heard is suspected suspect_ms after this */
    amr_machine *m;   /* geo->machines */
    amr_track *track; /* one an instance */
    int64_t ninst;
    uint64_t suspicions, replacements, bad_heartbeats;
    uint64_t held; /* suspicions whose replacements waited for a rebuild (amr_hold) */
    hoc_logger log;
} amr_detector;

/* A driver's term frame (its first on every connection, R > 1): "AMTM",
 * the term (u64). */
#define AMR_TERM_LEN 12

/* How often a server sends its heartbeat for suspicion timeout suspect_ms:
 * a fifth of it (10 ms to 1 s), so four may be lost before a suspicion. */
int amr_heartbeat_ms(int suspect_ms);
/* Writes machine's heartbeat with its incarnation and degraded count to out[AMR_HB_LEN]. */
void amr_hb_encode(uint8_t *out, int machine, uint64_t incarnation, int64_t degraded);
/* Reads a heartbeat: 0 with machine, incarnation and degraded count, or -1 (not one). */
int amr_hb_decode(const uint8_t *p, size_t len, int *machine, uint64_t *incarnation,
                  int64_t *degraded);

/* Writes term's frame to out[AMR_TERM_LEN]. */
void amr_term_encode(uint8_t *out, uint64_t term);
/* Reads a term frame: 0 with term, or -1 (not one). */
int amr_term_decode(const uint8_t *p, size_t len, uint64_t *term);

/* A detector for geo's machines and ninst instances, started at now_ms:
 * 0, or -1 (out of memory). */
int amr_init(amr_detector *d, const aml_geom *geo, int suspect_ms, int64_t ninst, int64_t now_ms,
             hoc_logger log);
void amr_free(amr_detector *d);
/* A heartbeat from machine m's process `incarnation`, `degraded` of its
 * instances not whole there, at now (monotonic and unix ms); one from a
 * suspected machine clears the suspicion (logged). */
void amr_heard(amr_detector *d, int m, uint64_t incarnation, int64_t degraded, int64_t now_ms,
               int64_t wall_ms);
/* Must the suspicion of machine q's server in instance inst wait: are f
 * other machines of inst suspected or rebuilding (by their heartbeats), so that
 * replacing a live one would leave a stripe more than f short? The first
 * hold of each suspicion is logged and counted. */
bool amr_hold(amr_detector *d, int64_t inst, int q);
/* Suspects the machines silent for suspect_ms by now (logged once each). */
void amr_tick(amr_detector *d, int64_t now_ms, int64_t wall_ms);
/* Instance inst's reconfiguration role is now (mode, who, epoch): logs
 * each step of a replacement and counts the completed ones. */
void amr_observe(amr_detector *d, int64_t inst, amop_ask mode, int who, int64_t epoch,
                 int64_t wall_ms);
/* Appends the detector's /metrics families at now_ms to b. Never fails. */
void amr_render(const amr_detector *d, struct evbuffer *b, int64_t now_ms);

#endif
