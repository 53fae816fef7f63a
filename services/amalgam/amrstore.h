/* amrstore.h: the reconfiguration service's decisions on disk, kept in
 * `amalgam reconf --data DIR` (docs/deploy.md, "Restarting the
 * reconfiguration service").
 *
 * One record an instance: pid n-1's decision fields (amop_reconf_save) as
 * of its last change of mode, server replaced or epoch. The service writes
 * a record before any round message that follows the change leaves
 * (svc.h's io.sending) and syncs before it lets them out, so a restarted
 * service resumes every instance from a decision no server saw undone:
 * epochs are never used twice. Each record has two slots, written in turn,
 * each with a sequence number and a hash, so a write torn by a crash
 * leaves the other slot, the previous decision, to be read. */
#ifndef HOC_AMRSTORE_H
#define HOC_AMRSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ars_store {
    int fd;
    int64_t ninst;
    size_t rec;    /* payload bytes a record */
    uint64_t *seq; /* the newest valid slot's sequence number an instance; 0: none */
    uint8_t *slot; /* one slot's bytes, for writing */
    bool dirty;    /* written since the last sync */
    uint64_t puts, syncs;
    char path[4096];
} ars_store;

/* Opens (creating DIR and the file if missing) the store of reconf replica
 * `replica` of cluster `cid` for ninst records of rec bytes: 0, or -1 with
 * err (unreadable, or written for another cluster or build). */
int ars_open(ars_store *s, const char *dir, uint64_t cid, int replica, int64_t ninst, size_t rec,
             char *err, size_t errn);
/* Instance inst's last record into out[rec]: true, or false when it has none. */
bool ars_get(ars_store *s, int64_t inst, uint8_t *out);
/* Writes instance inst's record (not yet synced): 0, or -1 (an I/O error;
 * EOVERFLOW: its sequence numbers are used up, in a damaged file). */
int ars_put(ars_store *s, int64_t inst, const uint8_t *payload);
/* Makes what was written durable, if anything: 0, or -1 (an I/O error). */
int ars_sync(ars_store *s);
/* Closes the store; a store never opened (zeroed, fd 0 aside) is a no-op. */
void ars_close(ars_store *s);

#endif
