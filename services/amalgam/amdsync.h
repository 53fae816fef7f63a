/* amdsync.h: fdatasync off the event loop. An `amalgam serve` machine
 * syncs its exactly-once journal (amdedup.h) before its data servers'
 * round messages go out; done on the loop, the sync stalled every server
 * of the machine for its length (about a fifth of the write throughput in
 * bench_amalgam.sh). One thread syncs one descriptor at a time and tells
 * the loop when it is done (an eventfd), as hoc-kv's log does. */
#ifndef HOC_AMDSYNC_H
#define HOC_AMDSYNC_H

#include <stdbool.h>

struct event_base;
typedef struct amds amds;

/* Called on the loop when a sync ended: err 0, or its errno. */
typedef void (*amds_done_fn)(void *ctx, int err);

/* A syncer on base calling done(ctx, err): NULL with errno (no thread). */
amds *amds_new(struct event_base *base, amds_done_fn done, void *ctx);
/* Stops the thread (after the sync in flight); NULL is a no-op. */
void amds_free(amds *s);
/* Starts fdatasync(fd): true, or false when one is still in flight. */
bool amds_start(amds *s, int fd);
/* Is a sync in flight (done not yet called)? */
bool amds_busy(const amds *s);

#endif
