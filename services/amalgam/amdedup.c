/* amdedup.c: the table of clients' last ops and its journal (amdedup.h).
 *
 * The journal is a sequence of records, each its body's length (u32) and
 * checksum (u64: CRC-64, or FNV-1a in journals written before), then the
 * body: an executed op (RAN: kind, client,
 * seq, instance, op number, reply with its trailing zeros left out), an
 * op known to have run (DONE: the same), or a resolution (RESOLVE: kind,
 * instance, top). A record cut short or not matching its hash ends the
 * journal (a write a crash tore; its op's prepare never left).
 *
 * Records wait in memory (pend) until amd_flush writes them in one write:
 * one a loop iteration instead of one an op (a write an op was 1.65 of the
 * servers' 11.4 syscalls an op at 64 B). The caller holds the round
 * messages they cover meanwhile (amd_dirty), as it does for a sync. */
#include "amdedup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <isa-l/crc64.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "hoc_rt.h"

enum { IDLE, PENDING, RAN, DONE, UNSURE };
enum { REC_RAN = 1, REC_DONE = 2, REC_RESOLVE = 3, HDR = 12 };

int amd_init(amd_table *t, int cap, size_t block)
{
    *t = (amd_table){.cap = cap, .block = block};
    t->nhead = 1;
    while (t->nhead < 2 * cap)
        t->nhead *= 2;
    t->e = calloc((size_t)cap, sizeof *t->e);
    t->head = calloc((size_t)t->nhead, sizeof *t->head);
    t->whole = malloc(block);
    return t->e && t->head && t->whole ? 0 : -1;
}

void amd_free(amd_table *t)
{
    for (int i = 0; i < t->n; i++)
        free(t->e[i].reply);
    free(t->e);
    free(t->head);
    free(t->whole);
    amd_flush(t); /* what a stop leaves behind is what a kill would, or more */
    if (t->journal) close(t->fd);
    hoc_buf_free(&t->pend);
    free(t->path);
    memset(t, 0, sizeof *t);
}

static uint64_t fnv(const uint8_t *p, size_t n);

/* The chain of names that hash to h (a link is an entry + 1; 0 ends it).
 * A scan of every entry's name was 1 % of the servers' CPU at 64 B: a
 * machine sees every connection of its clients by name. */
static int *chain(const amd_table *t, uint64_t h)
{
    return &t->head[h & (uint64_t)(t->nhead - 1)];
}

static uint64_t name_hash(const char *client)
{
    return fnv((const uint8_t *)client, strlen(client));
}

/* The entry of client, or -1. */
static int find(const amd_table *t, const char *client)
{
    uint64_t h = name_hash(client);
    for (int i = *chain(t, h) - 1; i >= 0; i = t->e[i].next - 1)
        if (t->e[i].hash == h && strcmp(t->e[i].client, client) == 0) return i;
    return -1;
}

/* Entry i, its client just named, joins its chain. */
static void link_name(amd_table *t, int i)
{
    amd_entry *e = &t->e[i];
    e->hash = name_hash(e->client);
    int *c = chain(t, e->hash);
    e->next = *c;
    *c = i + 1;
}

/* Entry i, about to be reused, leaves its chain. */
static void unlink_name(amd_table *t, int i)
{
    int *p = chain(t, t->e[i].hash);
    while (*p && *p != i + 1)
        p = &t->e[*p - 1].next;
    if (*p) *p = t->e[i].next;
}

/* Entries an eviction must keep: the op's outcome is still to come. */
static bool busy(const amd_entry *e)
{
    return e->st == PENDING || e->st == RAN || e->st == UNSURE;
}

/* A free entry, or the least recently used one not busy; -1 if none. */
static int take(amd_table *t)
{
    if (t->n < t->cap) return t->n++;
    int best = -1;
    for (int i = 0; i < t->n; i++)
        if (!busy(&t->e[i]) && (best < 0 || t->e[i].used < t->e[best].used)) best = i;
    if (best >= 0) {
        unlink_name(t, best);
        free(t->e[best].reply);
        memset(&t->e[best], 0, sizeof t->e[best]);
    }
    return best;
}

/* Keeps reply[0..n) in e without its trailing zeros: 0, or -1 (memory). */
static int keep_reply(amd_entry *e, const uint8_t *reply, size_t n)
{
    /* eight bytes at a time: a block's reply is mostly zeros, and a byte
     * loop over 128 KiB showed in a write profile (2.4 % of a server) */
    uint64_t w;
    while (n >= 8 && (memcpy(&w, reply + n - 8, 8), w == 0))
        n -= 8;
    while (n > 0 && reply[n - 1] == 0)
        n--;
    uint8_t *p = realloc(e->reply, n ? n : 1);
    if (!p) return -1;
    memcpy(p, reply, n);
    e->reply = p, e->rlen = n;
    return 0;
}

/* ---- the journal ---- */

/* The checksum of journals written before the CRC: a byte loop, 5 % of
 * the servers' CPU at 128 KiB writes (every op journals its reply). */
static uint64_t fnv(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

/* Does b[0..n) match sum? Either checksum, so that a journal written by
 * the version before the CRC is taken back after an upgrade. */
static bool sum_ok(const uint8_t *b, size_t n, uint64_t sum)
{
    return crc64_ecma_refl(0, b, n) == sum || fnv(b, n) == sum;
}

/* Writes all of the iov[0..cnt) to fd: 0, or -1. */
static int write_all(int fd, struct iovec *iov, int cnt)
{
    while (cnt > 0) {
        ssize_t w = writev(fd, iov, cnt);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        for (; cnt > 0 && (size_t)w >= iov->iov_len; cnt--, iov++)
            w -= (ssize_t)iov->iov_len;
        if (cnt > 0) iov->iov_base = (uint8_t *)iov->iov_base + w, iov->iov_len -= (size_t)w;
    }
    return 0;
}

/* The longest record head: HDR, kind, client length, client, seq, instance,
 * op number, reply length. */
enum { HEAD_MAX = HDR + 2 + AMD_CLIENT_MAX + 28 };

/* Entry e as a record of kind k: its head into head[HEAD_MAX] and the two
 * pieces of the record (the head, then e's reply, which is not copied) into
 * iov. The record's size. */
static size_t encode(const amd_entry *e, int k, uint8_t *head, struct iovec iov[2])
{
    size_t rl = e->rlen, cl = strlen(e->client);
    size_t body = 2 + cl + 24 + 4 + rl;
    uint8_t *b = head + HDR;
    b[0] = (uint8_t)k, b[1] = (uint8_t)cl;
    memcpy(b + 2, e->client, cl);
    uint8_t *q = b + 2 + cl;
    hoc_put_u64(q, e->seq), hoc_put_u64(q + 8, (uint64_t)e->inst),
        hoc_put_u64(q + 16, (uint64_t)e->opn);
    hoc_put_u32(q + 24, (uint32_t)rl);
    hoc_put_u32(head, (uint32_t)body);
    hoc_put_u64(head + 4, crc64_ecma_refl(crc64_ecma_refl(0, b, body - rl), e->reply, rl));
    iov[0] = (struct iovec){head, HDR + body - rl};
    iov[1] = (struct iovec){e->reply, rl};
    return HDR + body;
}

/* The journal failed: memory only from here on (the caller logs it). */
static int fail(amd_table *t)
{
    int e = errno;
    close(t->fd);
    t->journal = false;
    t->pend.n = 0, t->queued = 0;
    t->durable = t->written; /* nothing more to wait for: memory only */
    errno = e ? e : EIO;
    return -1;
}

static int rewrite(amd_table *t);

/* Queues the record iov[0..cnt) for amd_flush (copied: an entry's reply
 * may change before then, its client's next op, or be evicted; a
 * reference instead saved 2.5 us an op at 128 KiB, 0.2 % of the servers'
 * CPU: docs/amalgam-performance.md, "The journal's queue by reference"). */
static void queue(amd_table *t, const struct iovec *iov, int cnt)
{
    for (int i = 0; i < cnt; i++)
        hoc_buf_put(&t->pend, iov[i].iov_base, iov[i].iov_len);
    t->queued++;
}

int amd_flush(amd_table *t)
{
    if (!t->journal || t->pend.n == 0) return 0;
    struct iovec iov = {t->pend.p, t->pend.n};
    if (write_all(t->fd, &iov, 1)) return fail(t);
    t->written += t->queued;
    t->appended += t->queued;
    t->bytes += t->pend.n;
    t->pend.n = 0, t->queued = 0;
    if (!t->nosync) return 0;
    t->durable = t->written; /* as durable as this mode makes it */
    return t->appended > 4 * (uint64_t)t->cap && rewrite(t) ? fail(t) : 0;
}

/* Every entry worth keeping, as records, into a new journal that replaces
 * the old one (written, synced, renamed, the folder synced). */
static int rewrite(amd_table *t)
{
    size_t pl = strlen(t->path);
    char *tmp = malloc(pl + 5);
    if (!tmp) return -1;
    memcpy(tmp, t->path, pl);
    memcpy(tmp + pl, ".tmp", 5);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int rc = fd < 0 ? -1 : 0;
    uint64_t bytes = 0;
    for (int i = 0; i < t->n && rc == 0; i++) {
        const amd_entry *e = &t->e[i];
        if (e->st == IDLE || e->st == PENDING) continue;
        uint8_t head[HEAD_MAX];
        struct iovec iov[2];
        size_t n = encode(e, e->st == DONE ? REC_DONE : REC_RAN, head, iov);
        rc = write_all(fd, iov, 2);
        bytes += n;
    }
    if (rc == 0 && fsync(fd) != 0) rc = -1;
    if (fd >= 0 && close(fd) != 0) rc = -1;
    if (rc == 0 && rename(tmp, t->path) != 0) rc = -1;
    if (rc) {
        int e = errno;
        unlink(tmp);
        free(tmp);
        errno = e;
        return -1;
    }
    free(tmp);
    char *slash = strrchr(t->path, '/');
    char *dir = slash ? strndup(t->path, (size_t)(slash - t->path) + 1) : strdup(".");
    int dfd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
    free(dir);
    if (dfd >= 0) fsync(dfd), close(dfd);
    if (t->journal) close(t->fd);
    t->fd = open(t->path, O_WRONLY | O_APPEND | O_CLOEXEC);
    t->journal = t->fd >= 0;
    /* the table's state, just synced, covers the records still queued */
    t->written += t->queued;
    t->pend.n = 0, t->queued = 0;
    t->durable = t->written;
    t->appended = 0;
    t->bytes = bytes;
    return t->journal ? 0 : -1;
}

/* One record's body, taken back into the table: 0, or -1 if malformed. */
static int replay(amd_table *t, const uint8_t *b, size_t n)
{
    if (n == 17 && b[0] == REC_RESOLVE) {
        amd_resolve(t, (int64_t)hoc_get_u64(b + 1), (int64_t)hoc_get_u64(b + 9));
        return 0;
    }
    if (n < 2 || (b[0] != REC_RAN && b[0] != REC_DONE)) return -1;
    size_t cl = b[1];
    if (cl == 0 || cl > AMD_CLIENT_MAX || n < 2 + cl + 28) return -1;
    const uint8_t *q = b + 2 + cl;
    size_t rl = hoc_get_u32(q + 24);
    if (rl > t->block || n != 2 + cl + 28 + rl) return -1;
    char name[AMD_CLIENT_MAX + 1];
    memcpy(name, b + 2, cl);
    name[cl] = 0;
    if (memchr(name, 0, cl)) return -1;
    int i = find(t, name);
    bool named = i >= 0;
    if (i < 0 && (i = take(t)) < 0) return 0; /* full of unsure ops: forgotten, as evicted */
    amd_entry *e = &t->e[i];
    if (keep_reply(e, q + 28, rl)) return -1;
    if (e->st == UNSURE) t->unsure--;
    memcpy(e->client, name, cl + 1);
    if (!named) link_name(t, i);
    e->seq = hoc_get_u64(q), e->inst = (int64_t)hoc_get_u64(q + 8),
    e->opn = (int64_t)hoc_get_u64(q + 16);
    e->used = ++t->tick;
    e->st = b[0] == REC_DONE ? DONE : UNSURE; /* ran in an earlier process: did it commit? */
    if (e->st == UNSURE) t->unsure++;
    return 0;
}

/* Takes back every whole record of the journal at t->path, up to the
 * first torn, corrupt or malformed one: there the journal ends (the
 * rewrite drops the rest), said in err for the caller's log. */
static int load(amd_table *t, char *err, size_t errn)
{
    FILE *f = fopen(t->path, "rb");
    if (!f) {
        if (errno == ENOENT) return 0;
        snprintf(err, errn, "%s: %s", t->path, strerror(errno));
        return -1;
    }
    uint8_t h[HDR];
    uint8_t *b = NULL;
    int rc = 0;
    long off = 0; /* where the good records end */
    while (fread(h, 1, HDR, f) == HDR) {
        size_t n = hoc_get_u32(h);
        if (n > t->block + 128) break; /* torn or foreign: the journal ends here */
        uint8_t *nb = realloc(b, n ? n : 1);
        if (!nb) {
            snprintf(err, errn, "%s: out of memory", t->path);
            rc = -1;
            break;
        }
        b = nb;
        if (fread(b, 1, n, f) != n || !sum_ok(b, n, hoc_get_u64(h + 4)) || replay(t, b, n)) break;
        off += (long)(HDR + n);
    }
    free(b);
    long size = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    if (rc == 0 && size != off)
        snprintf(err, errn,
                 "%s: the record at offset %ld is torn, corrupt or malformed: the journal ends "
                 "there (%ld bytes dropped; a retry of an op they held may run it again)",
                 t->path, off, size - off);
    fclose(f);
    return rc;
}

int amd_open(amd_table *t, const char *path, bool keep, bool sync, char *err, size_t errn)
{
    t->nosync = !sync;
    if (errn) err[0] = 0;
    if (!(t->path = strdup(path))) {
        snprintf(err, errn, "out of memory");
        return -1;
    }
    if (keep && load(t, err, errn)) return -1;
    t->resolved = t->forgotten = 0; /* what this process finds, not what replaying redid */
    if (rewrite(t)) {
        snprintf(err, errn, "%s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

int amd_sync(amd_table *t)
{
    if (amd_flush(t)) return -1;
    if (!amd_dirty(t)) return 0;
    return amd_synced(t, t->written, fdatasync(t->fd) != 0 ? errno : 0);
}

bool amd_dirty(const amd_table *t)
{
    return t->journal && (t->pend.n > 0 || t->written > t->durable);
}

int amd_fd(const amd_table *t)
{
    return t->journal ? t->fd : -1;
}

int amd_synced(amd_table *t, uint64_t upto, int err)
{
    if (!t->journal) return 0;
    if (err) {
        errno = err;
        return fail(t);
    }
    if (upto > t->durable) t->durable = upto;
    t->syncs++;
    /* compacted once it holds many more records than the table has entries */
    if (t->appended > 4 * (uint64_t)t->cap && rewrite(t)) return fail(t);
    return 0;
}

/* ---- the table ---- */

amd_verdict amd_begin(amd_table *t, const uint8_t *client, size_t len, uint64_t seq, int *idx,
                      const uint8_t **reply)
{
    char name[AMD_CLIENT_MAX + 1];
    if (len == 0 || len > AMD_CLIENT_MAX || memchr(client, 0, len)) return AMD_BAD;
    memcpy(name, client, len);
    name[len] = 0;
    int i = find(t, name);
    if (i >= 0) {
        amd_entry *e = &t->e[i];
        e->used = ++t->tick;
        if (seq < e->seq) return AMD_STALE;
        if (e->st == UNSURE) {
            *idx = i;
            return AMD_UNSURE;
        }
        /* a later op too: the running one's commit would record its reply
         * under the later op's number, the answer to that op's retries */
        if (e->st == PENDING || e->st == RAN) return AMD_BUSY;
        if (seq == e->seq && e->st == DONE) {
            memset(t->whole, 0, t->block);
            memcpy(t->whole, e->reply, e->rlen);
            *reply = t->whole;
            t->dups++;
            return AMD_DUP;
        }
    } else if ((i = take(t)) < 0) {
        return AMD_FULL;
    } else {
        memcpy(t->e[i].client, name, len + 1);
        link_name(t, i);
    }
    amd_entry *e = &t->e[i];
    e->used = ++t->tick;
    e->seq = seq;
    e->st = PENDING;
    *idx = i;
    return AMD_NEW;
}

void amd_ran(amd_table *t, int idx, int64_t inst, int64_t opn, const uint8_t *reply)
{
    amd_entry *e = &t->e[idx];
    if (keep_reply(e, reply, t->block)) {
        e->st = IDLE; /* no room to keep it: a retry runs again, as without an id */
        return;
    }
    e->st = RAN, e->inst = inst, e->opn = opn;
    if (!t->journal) return;
    uint8_t head[HEAD_MAX];
    struct iovec iov[2];
    encode(e, REC_RAN, head, iov);
    queue(t, iov, 2);
}

void amd_done(amd_table *t, int idx, const uint8_t *reply)
{
    amd_entry *e = &t->e[idx];
    /* amd_ran kept the reply already (a block, copied again for each op) */
    if (e->st == RAN) {
        e->st = DONE;
        return;
    }
    /* no room to keep it: a retry runs again, as without an id */
    e->st = keep_reply(e, reply, t->block) ? IDLE : DONE;
}

void amd_abort(amd_table *t, int idx)
{
    t->e[idx].st = IDLE;
}

uint64_t amd_held(const amd_table *t)
{
    uint64_t n = 0;
    for (int i = 0; i < t->n; i++)
        n += t->e[i].st == RAN || t->e[i].st == DONE || t->e[i].st == UNSURE ? t->e[i].rlen : 0;
    return n;
}

bool amd_unsure(const amd_table *t, int64_t inst)
{
    for (int i = 0; t->unsure > 0 && i < t->n; i++)
        if (t->e[i].st == UNSURE && t->e[i].inst == inst) return true;
    return false;
}

void amd_resolve(amd_table *t, int64_t inst, int64_t top)
{
    for (int i = 0; i < t->n; i++) {
        amd_entry *e = &t->e[i];
        if (e->st != UNSURE || e->inst != inst) continue;
        t->unsure--;
        /* above the top no backup held it: the replacement's ops take its number */
        e->st = e->opn <= top ? DONE : IDLE;
        if (e->st == DONE)
            t->resolved++;
        else
            t->forgotten++;
    }
    if (!t->journal) return;
    uint8_t p[HDR + 17];
    p[HDR] = REC_RESOLVE;
    hoc_put_u64(p + HDR + 1, (uint64_t)inst), hoc_put_u64(p + HDR + 9, (uint64_t)top);
    hoc_put_u32(p, 17);
    hoc_put_u64(p + 4, crc64_ecma_refl(0, p + HDR, 17));
    queue(t, &(struct iovec){p, sizeof p}, 1);
    amd_flush(t); /* rare (after a restart): written at once, as the front may answer from it */
}
