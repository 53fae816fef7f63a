/* amwatch.h: heartbeats, the failure detector and the reconfiguration
 * service's decisions on disk, in an amserve process (docs/deploy.md,
 * "Failure detection and replacement", "Restarting the reconfiguration
 * service").
 *
 * `amalgam serve` sends a heartbeat on each of its groups to pid n-1 every
 * amr_heartbeat_ms and reports when its servers are whole again;
 * `amalgam reconf` hears the heartbeats (amreconf.h), watches its
 * instances' reconfiguration role, and with --data writes each decision
 * (amrstore.h) before the round messages that follow it leave. The
 * service-layer callbacks are installed on every group and do nothing
 * where they do not apply. */
#ifndef HOC_AMWATCH_H
#define HOC_AMWATCH_H

#include "amserve.h"

struct evbuffer;

/* Draws the process's incarnation; a reconf replica also starts its
 * detector and opens its decisions (o->data): 0, or -1 with err. */
int amw_open(ams_server *s, const ams_opts *o, uint64_t cid, char *err, size_t errn);
/* Starts the heartbeat (serve) or the detector's tick (reconf), once the
 * groups are open: 0, or -1 with err. */
int amw_start(ams_server *s, char *err, size_t errn);
/* Appends the /metrics families of the detector (reconf) or of the
 * machine's degraded servers (serve) to b. Never fails. */
void amw_render(ams_server *s, struct evbuffer *b);
/* Runs the event loop until a signal breaks it: the one reconf process of
 * R = 1, while it replaces nothing, at most one pass every AMW_QUIET_US. */
void amw_run(ams_server *s);
/* Frees what amw_open and amw_start made; safe on a zeroed server. */
void amw_free(ams_server *s);

/* hoc_svc_io callbacks (svc.h), ctx an ams_group. app: a heartbeat at a
 * reconf group (anything else refused); sending, restore: the decisions on
 * disk; iteration: syncs them and watches the reconfiguration role, and at a
 * machine rebuilding counts what is not whole yet, once a ms. */
int amw_app(void *ctx, int from, const uint8_t *p, size_t len);
bool amw_sending(void *ctx, uint64_t inst, int64_t round, const void *state);
void amw_restore(void *ctx, uint64_t inst, void *state);
void amw_iteration(void *ctx, uint64_t now);

#endif
