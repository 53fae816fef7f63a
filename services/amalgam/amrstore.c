/* amrstore.c: the reconfiguration service's decisions on disk (amrstore.h). */
#include "amrstore.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "amstate.h"
#include "hoc_rt.h"

#define HEAD 32      /* "AMRS0001", cluster id, instances, record bytes */
#define SLOT_HEAD 16 /* sequence number, hash of it and the payload */

static off_t slot_off(const ars_store *s, int64_t inst, int k)
{
    return (off_t)HEAD + (off_t)(inst * 2 + k) * (off_t)(SLOT_HEAD + s->rec);
}

static uint64_t slot_hash(const uint8_t *slot, size_t rec)
{
    uint64_t h = amst_hash(0xcbf29ce484222325ULL, slot, 8);
    return amst_hash(h, slot + SLOT_HEAD, rec);
}

/* Reads slot k of inst into s->slot: its sequence number if whole, else 0. */
static uint64_t read_slot(ars_store *s, int64_t inst, int k)
{
    size_t n = SLOT_HEAD + s->rec;
    if (pread(s->fd, s->slot, n, slot_off(s, inst, k)) != (ssize_t)n) return 0;
    uint64_t seq = hoc_get_u64(s->slot);
    return seq && hoc_get_u64(s->slot + 8) == slot_hash(s->slot, s->rec) ? seq : 0;
}

static int fail(ars_store *s, char *err, size_t errn, const char *what)
{
    snprintf(err, errn, "%s: %s%s%s", s->path, what, errno ? ": " : "",
             errno ? strerror(errno) : "");
    ars_close(s);
    return -1;
}

int ars_open(ars_store *s, const char *dir, uint64_t cid, int replica, int64_t ninst, size_t rec,
             char *err, size_t errn)
{
    *s = (ars_store){.fd = -1, .ninst = ninst, .rec = rec};
    snprintf(s->path, sizeof s->path, "%s/amalgam-%016llx-reconf-%d.decisions", dir,
             (unsigned long long)cid, replica);
    errno = 0;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return fail(s, err, errn, "cannot create its folder");
    errno = 0;
    s->seq = calloc((size_t)ninst, sizeof *s->seq);
    s->slot = malloc(SLOT_HEAD + rec);
    if (!s->seq || !s->slot) return fail(s, err, errn, "out of memory");
    if ((s->fd = open(s->path, O_RDWR | O_CREAT, 0600)) < 0)
        return fail(s, err, errn, "cannot open");
    uint8_t head[HEAD], want[HEAD];
    memcpy(want, "AMRS0001", 8);
    hoc_put_u64(want + 8, cid);
    hoc_put_u64(want + 16, (uint64_t)ninst);
    hoc_put_u64(want + 24, (uint64_t)rec);
    ssize_t got = pread(s->fd, head, HEAD, 0);
    if (got == 0) { /* new: the header, durably, before any record */
        if (pwrite(s->fd, want, HEAD, 0) != HEAD || fsync(s->fd) != 0)
            return fail(s, err, errn, "cannot write");
        int dfd = open(dir, O_RDONLY);
        if (dfd >= 0) fsync(dfd), close(dfd);
        return 0;
    }
    errno = 0;
    if (got != HEAD || memcmp(head, want, HEAD) != 0)
        return fail(s, err, errn,
                    "was written for another cluster (or a build of another block size): move it "
                    "away to start the reconfiguration service afresh, which forgets its epochs");
    for (int64_t i = 0; i < ninst; i++)
        for (int k = 0; k < 2; k++) {
            uint64_t q = read_slot(s, i, k);
            /* no decision could follow it: ars_put's next would be slot 0, never read */
            if (q == UINT64_MAX) {
                snprintf(err, errn,
                         "%s: the record at offset %lld holds the last sequence number: the file "
                         "is damaged; move it away to start the reconfiguration service afresh, "
                         "which forgets its epochs",
                         s->path, (long long)slot_off(s, i, k));
                ars_close(s);
                return -1;
            }
            if (q > s->seq[i]) s->seq[i] = q;
        }
    return 0;
}

bool ars_get(ars_store *s, int64_t inst, uint8_t *out)
{
    if (!s->seq[inst]) return false;
    for (int k = 0; k < 2; k++)
        if (read_slot(s, inst, k) == s->seq[inst]) {
            memcpy(out, s->slot + SLOT_HEAD, s->rec);
            return true;
        }
    return false;
}

int ars_put(ars_store *s, int64_t inst, const uint8_t *payload)
{
    uint64_t seq = s->seq[inst] + 1;
    if (seq == UINT64_MAX) { /* ars_open would refuse it (it could not be followed) */
        errno = EOVERFLOW;
        return -1;
    }
    hoc_put_u64(s->slot, seq);
    memcpy(s->slot + SLOT_HEAD, payload, s->rec);
    hoc_put_u64(s->slot + 8, slot_hash(s->slot, s->rec));
    size_t n = SLOT_HEAD + s->rec;
    /* slot seq % 2: never the one holding the newest record */
    if (pwrite(s->fd, s->slot, n, slot_off(s, inst, (int)(seq % 2))) != (ssize_t)n) return -1;
    s->seq[inst] = seq;
    s->dirty = true;
    s->puts++;
    return 0;
}

int ars_sync(ars_store *s)
{
    if (!s->dirty) return 0;
    if (fdatasync(s->fd) != 0) return -1;
    s->dirty = false;
    s->syncs++;
    return 0;
}

void ars_close(ars_store *s)
{
    if (s->fd > 0) close(s->fd);
    free(s->seq);
    free(s->slot);
    s->fd = -1, s->seq = NULL, s->slot = NULL;
}
