/* kvwal.c: the write-ahead log of one hoc-kv group (see kvwal.h): segments
 * of checksummed records, replay with the torn or corrupt tail cut, group
 * commit, rotation behind snapshots. */
#include "kvwal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>
#include <isa-l/crc.h>

#include "buf.h"
#include "hoc_rt.h"

#define MAX_BODY (1u << 20)   /* a record's body at most (a slot is 65,000 bytes) */
#define SNAP_MAGIC "HOCKVSN1" /* a snapshot's first 8 bytes */

typedef struct Seg {
    uint64_t seq, max_slot, bytes;
} Seg;

struct kv_wal {
    char dir[4096];
    kv_fsync mode;
    hoc_logger log;
    int fd;      /* the current segment */
    hoc_buf buf; /* appended, not yet written */
    bool dirty;  /* written or buffered, not yet synced */
    char err[512];
    Seg *segs; /* in order; the last is the current one */
    int nsegs, capsegs;
    uint64_t records, syncs;
    /* batch: the syncer thread writes and fdatasyncs `fly` while the loop
     * goes on appending to `buf`; it signals `efd` when done */
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool threaded, flying, done, stop;
    int efd, fly_errno;
    hoc_buf fly;
};

static void *syncer(void *arg);

int kv_fsync_parse(const char *s)
{
    return !strcmp(s, "always")  ? KV_FSYNC_ALWAYS
           : !strcmp(s, "batch") ? KV_FSYNC_BATCH
           : !strcmp(s, "never") ? KV_FSYNC_NEVER
                                 : -1;
}

static uint32_t crc(const uint8_t *p, size_t n)
{
    return crc32_gzip_refl(0, p, n); /* the CRC-32 of zlib and gzip */
}

static void fail(kv_wal *w, const char *what, const char *file)
{
    if (w->err[0]) return;
    snprintf(w->err, sizeof w->err, "cannot %s %.300s/%s: %s", what, w->dir, file, strerror(errno));
    hoc_log(&w->log, HOC_LOG_ERROR, "%s: this replica stops acknowledging writes", w->err);
}

static void seg_name(char *out, size_t n, uint64_t seq)
{
    snprintf(out, n, "wal.%016" PRIx64, seq);
}

static int fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0) return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

/* ---- replay ---- */
static int read_all(const char *path, uint8_t **out, size_t *n)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        close(fd);
        return -1;
    }
    size_t size = (size_t)st.st_size, got = 0;
    uint8_t *p = malloc(size ? size : 1);
    while (p && got < size) {
        ssize_t r = read(fd, p + got, size - got);
        if (r <= 0) break;
        got += (size_t)r;
    }
    close(fd);
    if (!p || got < size) {
        free(p);
        return -1;
    }
    *out = p, *n = size;
    return 0;
}

/* Decodes the body of one record; false if it is not a record we know. */
static bool decode(const uint8_t *b, size_t len, kv_wal_rec *r)
{
    if (len < 9) return false;
    r->type = b[0];
    r->slot = hoc_get_u64(b + 1);
    if (r->type == KV_WAL_DECIDED) {
        r->phase = r->ts = 0, r->v = b + 9, r->len = len - 9;
        return true;
    }
    if (r->type != KV_WAL_PROMISE || len < 25) return false;
    r->phase = hoc_get_u64(b + 9), r->ts = hoc_get_u64(b + 17);
    r->v = b + 25, r->len = len - 25;
    return true;
}

/* A forward-only window on a file: replay holds one record (at most
 * MAX_BODY) and what one read brought, not the whole segment. */
typedef struct Win {
    int fd;
    uint8_t *b;
    size_t cap, n; /* b[0..n) is the file from offset at */
    uint64_t at;
} Win;

/* Makes the file's bytes [off, off + need) readable at *out (off never
 * moves back); 1, 0 if the file ends first, -1 on a read error. */
static int win_get(Win *w, uint64_t off, size_t need, const uint8_t **out)
{
    if (off + need > w->at + w->n) {
        size_t keep = (size_t)(w->at + w->n - off);
        memmove(w->b, w->b + (off - w->at), keep);
        w->at = off, w->n = keep;
        while (w->n < need) {
            ssize_t r = read(w->fd, w->b + w->n, w->cap - w->n);
            if (r < 0 && errno == EINTR) continue;
            if (r < 0) return -1;
            if (r == 0) return 0;
            w->n += (size_t)r;
        }
    }
    *out = w->b + (off - w->at);
    return 1;
}

/* Reads records from w until the end or the first bad one (*why says
 * which); *off is where the good ones end. 0, or -1 (read error, or rec
 * failed: err set). */
static int replay_records(kv_wal *w, Win *in, Seg *s, int (*rec)(void *, const kv_wal_rec *),
                          void *ctx, uint64_t *off, const char **why)
{
    const uint8_t *h, *body;
    for (;;) {
        int g = win_get(in, *off, 8, &h);
        if (g <= 0) {
            if (g == 0 && in->at + in->n > *off) *why = "torn (the file ends inside its header)";
            return g;
        }
        uint32_t len = hoc_get_u32(h), sum = hoc_get_u32(h + 4);
        if (len > MAX_BODY) {
            *why = "corrupt (impossible length)";
            return 0;
        }
        if ((g = win_get(in, *off, 8 + (size_t)len, &body)) <= 0) {
            if (g == 0) *why = "torn (the file ends inside it)";
            return g;
        }
        kv_wal_rec r;
        if (crc(body + 8, len) != sum || !decode(body + 8, len, &r)) {
            *why = "corrupt (checksum mismatch)";
            return 0;
        }
        if (rec(ctx, &r) != 0) {
            snprintf(w->err, sizeof w->err, "record at offset %" PRIu64 " cannot be replayed",
                     *off);
            return -1;
        }
        if (r.slot > s->max_slot || s->max_slot == UINT64_MAX) s->max_slot = r.slot;
        *off += 8 + len;
    }
}

/* Replays segment s; cuts it at the first bad record. 0, or -1 (err). */
static int replay_seg(kv_wal *w, Seg *s, int (*rec)(void *, const kv_wal_rec *), void *ctx,
                      bool last, bool *cut)
{
    char name[64], path[4200];
    seg_name(name, sizeof name, s->seq);
    snprintf(path, sizeof path, "%s/%s", w->dir, name);
    Win in = {.fd = open(path, O_RDONLY | O_CLOEXEC), .cap = MAX_BODY + 8 + (1u << 20)};
    struct stat st;
    if (in.fd < 0 || fstat(in.fd, &st) != 0 || !(in.b = malloc(in.cap))) {
        if (in.fd >= 0) close(in.fd);
        fail(w, "read", name);
        return -1;
    }
    uint64_t off = 0;
    const char *why = NULL;
    int rc = replay_records(w, &in, s, rec, ctx, &off, &why);
    close(in.fd);
    free(in.b);
    if (rc < 0) {
        if (!w->err[0]) fail(w, "read", name);
        return -1;
    }
    s->bytes = off;
    if (!why) return 0;
    hoc_log(&w->log, HOC_LOG_WARN,
            "%s/%s: record at offset %" PRIu64 " is %s: the log is cut there, %" PRIu64
            " bytes dropped%s",
            w->dir, name, off, why, (uint64_t)st.st_size - off,
            last ? "" : ", and later segments are removed");
    if (truncate(path, (off_t)off) != 0) {
        fail(w, "truncate", name);
        return -1;
    }
    *cut = true;
    return 0;
}

static int seg_cmp(const void *a, const void *b)
{
    const Seg *x = a, *y = b;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Lists the segments in dir, in order; -1 if dir cannot be read or memory
 * runs out (never a partial list: a segment left out would be a gap). */
static int list_segs(kv_wal *w)
{
    DIR *d = opendir(w->dir);
    if (!d) return -1;
    struct dirent *e;
    while ((e = readdir(d))) {
        char *end;
        if (strncmp(e->d_name, "wal.", 4) || strlen(e->d_name) != 20) continue;
        uint64_t seq = strtoull(e->d_name + 4, &end, 16);
        if (*end) continue;
        if (w->nsegs == w->capsegs) {
            int cap = w->capsegs ? w->capsegs * 2 : 8;
            Seg *t = realloc(w->segs, sizeof *t * (size_t)cap);
            if (!t) {
                closedir(d);
                errno = ENOMEM;
                return -1;
            }
            w->segs = t, w->capsegs = cap;
        }
        w->segs[w->nsegs++] = (Seg){seq, UINT64_MAX, 0};
    }
    closedir(d);
    if (w->nsegs > 1) /* qsort of a NULL array, even empty, is undefined */
        qsort(w->segs, (size_t)w->nsegs, sizeof *w->segs, seg_cmp);
    return 0;
}

/* Removes segment i's file (after a cut or a snapshot). */
static void remove_seg(kv_wal *w, int i)
{
    char name[64], path[4200];
    seg_name(name, sizeof name, w->segs[i].seq);
    snprintf(path, sizeof path, "%s/%s", w->dir, name);
    if (unlink(path) != 0 && errno != ENOENT)
        hoc_log(&w->log, HOC_LOG_WARN, "cannot remove %s: %s", path, strerror(errno));
    memmove(w->segs + i, w->segs + i + 1, sizeof *w->segs * (size_t)(w->nsegs - i - 1));
    w->nsegs--;
}

/* Reads dir/name as a snapshot: checks its magic, length and checksum and
 * hands its payload to snap. 0; 1 when there is no such file; -1 (err). */
static int read_snapshot(kv_wal *w, const char *name, int (*snap)(void *, const uint8_t *, size_t),
                         void *ctx)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", w->dir, name);
    uint8_t *p;
    size_t n;
    if (access(path, F_OK) != 0) return 1;
    if (read_all(path, &p, &n) != 0) {
        fail(w, "read", name);
        return -1;
    }
    bool ok = n >= 20 && !memcmp(p, SNAP_MAGIC, 8) && hoc_get_u64(p + 8) == n - 20 &&
              crc(p + 20, n - 20) == hoc_get_u32(p + 16);
    int rc = ok ? snap(ctx, p + 20, n - 20) : -1;
    free(p);
    if (rc != 0)
        snprintf(w->err, sizeof w->err,
                 "%.300s/%s is corrupt or unreadable: move the directory away and restart to "
                 "rebuild this replica from its peers",
                 w->dir, name);
    return rc;
}

static int load_snapshot(kv_wal *w, int (*snap)(void *, const uint8_t *, size_t), void *ctx)
{
    return read_snapshot(w, "snap", snap, ctx) < 0 ? -1 : 0;
}

int kv_wal_install_snapshot(kv_wal *w, uint64_t below,
                            int (*snap)(void *ctx, const uint8_t *p, size_t len), void *ctx)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s/snap.tmp", w->dir);
    int fd = open(tmp, O_WRONLY | O_CLOEXEC);
    int rc = fd >= 0 && fdatasync(fd) == 0 ? 0 : -1;
    if (fd >= 0) close(fd);
    if (rc == 0) rc = read_snapshot(w, "snap.tmp", snap, ctx);
    if (rc != 0) {
        w->err[0] = 0; /* a bad transfer is not a failed log: the caller asks again */
        unlink(tmp);
        return -1;
    }
    return kv_wal_snapshot_done(w, below);
}

/* ---- opening ---- */
static int open_current(kv_wal *w, uint64_t seq)
{
    char name[64], path[4200];
    seg_name(name, sizeof name, seq);
    snprintf(path, sizeof path, "%s/%s", w->dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
        fail(w, "open", name);
        return -1;
    }
    if (w->fd >= 0) close(w->fd);
    w->fd = fd;
    return 0;
}

static int replay(kv_wal *w, int (*snap)(void *, const uint8_t *, size_t),
                  int (*rec)(void *, const kv_wal_rec *), void *ctx)
{
    if (load_snapshot(w, snap, ctx) != 0) return -1;
    bool cut = false;
    for (int i = 0; i < w->nsegs; i++) {
        if (cut) { /* records after a bad one are not trusted: gone */
            remove_seg(w, i--);
            continue;
        }
        if (replay_seg(w, &w->segs[i], rec, ctx, i == w->nsegs - 1, &cut) != 0) return -1;
    }
    if (cut && fsync_dir(w->dir) != 0) fail(w, "sync", ".");
    return w->err[0] ? -1 : 0;
}

kv_wal *kv_wal_open(const char *dir, kv_fsync mode, const hoc_logger *log,
                    int (*snap)(void *ctx, const uint8_t *p, size_t len),
                    int (*rec)(void *ctx, const kv_wal_rec *r), void *ctx, char *err, size_t errn)
{
    kv_wal *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(err, errn, "out of memory");
        return NULL;
    }
    w->fd = -1, w->mode = mode, w->log = *log;
    snprintf(w->dir, sizeof w->dir, "%s", dir);
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        snprintf(err, errn, "cannot create %s: %s", dir, strerror(errno));
        kv_wal_close(w);
        return NULL;
    }
    if (list_segs(w) != 0) {
        snprintf(err, errn, "cannot list the log in %s: %s", w->dir, strerror(errno));
        kv_wal_close(w);
        return NULL;
    }
    if (replay(w, snap, rec, ctx) != 0) {
        snprintf(err, errn, "%s", w->err[0] ? w->err : "cannot read the log");
        kv_wal_close(w);
        return NULL;
    }
    if (w->nsegs == 0 && kv_wal_rotate(w, 0) != 0) {
        snprintf(err, errn, "%s", w->err);
        kv_wal_close(w);
        return NULL;
    }
    if (w->nsegs && w->fd < 0 && open_current(w, w->segs[w->nsegs - 1].seq) != 0) {
        snprintf(err, errn, "%s", w->err);
        kv_wal_close(w);
        return NULL;
    }
    if (mode == KV_FSYNC_BATCH) {
        w->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        pthread_mutex_init(&w->mu, NULL);
        pthread_cond_init(&w->cv, NULL);
        if (w->efd < 0 || pthread_create(&w->th, NULL, syncer, w) != 0) {
            snprintf(err, errn, "cannot start the log's syncer: %s", strerror(errno));
            if (w->efd >= 0) close(w->efd);
            pthread_mutex_destroy(&w->mu);
            pthread_cond_destroy(&w->cv);
            kv_wal_close(w);
            return NULL;
        }
        w->threaded = true;
    }
    return w;
}

void kv_wal_close(kv_wal *w)
{
    if (!w) return;
    if (w->fd >= 0) kv_wal_commit(w);
    if (w->threaded) {
        pthread_mutex_lock(&w->mu);
        w->stop = true;
        pthread_cond_broadcast(&w->cv);
        pthread_mutex_unlock(&w->mu);
        pthread_join(w->th, NULL);
        pthread_mutex_destroy(&w->mu);
        pthread_cond_destroy(&w->cv);
        close(w->efd);
    }
    if (w->fd >= 0) close(w->fd);
    hoc_buf_free(&w->buf);
    hoc_buf_free(&w->fly);
    free(w->segs);
    free(w);
}

/* ---- appending ---- */
/* Writes b whole to fd; 0, or -1 with errno. */
static int write_all(int fd, const hoc_buf *b)
{
    size_t off = 0;
    while (off < b->n) {
        ssize_t r = write(fd, b->p + off, b->n - off);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
            if (r == 0) errno = ENOSPC;
            return -1;
        }
        off += (size_t)r;
    }
    return 0;
}

static void fail_seg(kv_wal *w, const char *what)
{
    char name[64];
    seg_name(name, sizeof name, w->segs[w->nsegs - 1].seq);
    fail(w, what, name);
}

static int write_buf(kv_wal *w)
{
    if (write_all(w->fd, &w->buf) != 0) {
        fail_seg(w, "write");
        return -1;
    }
    w->segs[w->nsegs - 1].bytes += w->buf.n;
    w->buf.n = 0;
    return 0;
}

/* ---- the syncer thread (batch) ---- */
static void *syncer(void *arg)
{
    kv_wal *w = arg;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->stop && !(w->flying && !w->done))
            pthread_cond_wait(&w->cv, &w->mu);
        if (w->stop) break;
        int fd = w->fd;
        pthread_mutex_unlock(&w->mu);
        int e = write_all(fd, &w->fly) != 0 ? errno : fdatasync(fd) != 0 ? errno : 0;
        pthread_mutex_lock(&w->mu);
        w->fly_errno = e, w->done = true;
        pthread_cond_broadcast(&w->cv);
        uint64_t one = 1;
        if (write(w->efd, &one, sizeof one) < 0) { /* the counter cannot overflow here */
        }
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

/* Waits for the sync in flight and takes its result; 0 or -1 (failed). */
static int finish_flight(kv_wal *w)
{
    if (!w->flying) return w->err[0] ? -1 : 0;
    pthread_mutex_lock(&w->mu);
    while (!w->done)
        pthread_cond_wait(&w->cv, &w->mu);
    int e = w->fly_errno;
    w->flying = w->done = false;
    pthread_mutex_unlock(&w->mu);
    if (e) {
        errno = e;
        fail_seg(w, "write or sync");
        return -1;
    }
    w->segs[w->nsegs - 1].bytes += w->fly.n;
    w->fly.n = 0;
    w->syncs++;
    return 0;
}

int kv_wal_start_sync(kv_wal *w)
{
    if (!w->threaded || w->err[0] || w->flying || !w->dirty) return 0;
    hoc_buf t = w->fly; /* empty: its memory is reused */
    w->fly = w->buf, w->buf = t;
    pthread_mutex_lock(&w->mu);
    w->flying = true, w->done = false, w->dirty = false;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    return 1;
}

int kv_wal_sync_done(kv_wal *w)
{
    uint64_t v;
    if (read(w->efd, &v, sizeof v) < 0 && errno != EAGAIN) return w->err[0] ? -1 : 0;
    pthread_mutex_lock(&w->mu);
    bool done = w->flying && w->done;
    pthread_mutex_unlock(&w->mu);
    if (!done) return w->err[0] ? -1 : 1;
    return finish_flight(w);
}

int kv_wal_event_fd(const kv_wal *w)
{
    return w->threaded ? w->efd : -1;
}

int kv_wal_commit(kv_wal *w)
{
    if (finish_flight(w) != 0) return -1;
    if (w->buf.n && write_buf(w) != 0) return -1;
    if (!w->dirty) return 0;
    if (w->mode != KV_FSYNC_NEVER) {
        if (fdatasync(w->fd) != 0) { /* after a failed sync nothing written is trusted */
            char name[64];
            seg_name(name, sizeof name, w->segs[w->nsegs - 1].seq);
            fail(w, "sync", name);
            return -1;
        }
        w->syncs++;
    }
    w->dirty = false;
    return 0;
}

static int append(kv_wal *w, uint8_t type, uint64_t slot, const uint8_t *hdr, size_t hlen,
                  const uint8_t *v, size_t len)
{
    if (w->err[0]) return -1;
    uint8_t h[8 + 9 + 16];
    size_t body = 9 + hlen + len;
    h[8] = type;
    hoc_put_u64(h + 9, slot);
    if (hlen) memcpy(h + 17, hdr, hlen); /* hdr may be NULL when empty */
    uint32_t c = crc32_gzip_refl(0, h + 8, 9 + hlen);
    c = crc32_gzip_refl(c, v, len);
    hoc_put_u32(h, (uint32_t)body);
    hoc_put_u32(h + 4, c);
    hoc_buf_put(&w->buf, (const char *)h, 17 + hlen);
    hoc_buf_put(&w->buf, (const char *)v, len);
    Seg *s = &w->segs[w->nsegs - 1];
    if (slot > s->max_slot || s->max_slot == UINT64_MAX) s->max_slot = slot;
    w->dirty = true;
    w->records++;
    if (w->buf.n > (64u << 20) && w->flying) finish_flight(w); /* bounded while a sync is slow */
    return w->mode == KV_FSYNC_BATCH ? 0 : kv_wal_commit(w);
}

int kv_wal_decided(kv_wal *w, uint64_t slot, const uint8_t *v, size_t len)
{
    return append(w, KV_WAL_DECIDED, slot, NULL, 0, v, len);
}

int kv_wal_promise(kv_wal *w, uint64_t slot, uint64_t phase, uint64_t ts, const uint8_t *x,
                   size_t len)
{
    uint8_t h[16];
    hoc_put_u64(h, phase);
    hoc_put_u64(h + 8, ts);
    return append(w, KV_WAL_PROMISE, slot, h, 16, x, len);
}

bool kv_wal_pending(const kv_wal *w)
{
    return w->mode == KV_FSYNC_BATCH && (w->dirty || w->flying);
}

const char *kv_wal_error(const kv_wal *w)
{
    return w->err[0] ? w->err : NULL;
}

/* ---- segments and snapshots ---- */
int kv_wal_rotate(kv_wal *w, uint64_t below)
{
    (void)below;
    if (w->fd >= 0 && kv_wal_commit(w) != 0) return -1;
    uint64_t seq = w->nsegs ? w->segs[w->nsegs - 1].seq + 1 : 1;
    if (w->nsegs == w->capsegs) {
        int cap = w->capsegs ? w->capsegs * 2 : 8;
        Seg *t = realloc(w->segs, sizeof *t * (size_t)cap);
        if (!t) return -1;
        w->segs = t, w->capsegs = cap;
    }
    if (open_current(w, seq) != 0) return -1;
    w->segs[w->nsegs++] = (Seg){seq, UINT64_MAX, 0};
    if (fsync_dir(w->dir) != 0) {
        fail(w, "sync", ".");
        return -1;
    }
    return 0;
}

int kv_wal_snapshot_done(kv_wal *w, uint64_t below)
{
    char tmp[4200], path[4200];
    snprintf(tmp, sizeof tmp, "%s/snap.tmp", w->dir);
    snprintf(path, sizeof path, "%s/snap", w->dir);
    if (rename(tmp, path) != 0 || fsync_dir(w->dir) != 0) {
        hoc_log(&w->log, HOC_LOG_WARN, "snapshot %s not installed: %s", path, strerror(errno));
        return -1;
    }
    for (int i = 0; i < w->nsegs - 1;) /* never the current one */
        if (w->segs[i].max_slot == UINT64_MAX || w->segs[i].max_slot < below)
            remove_seg(w, i);
        else
            i++;
    return 0;
}

const char *kv_wal_dir(const kv_wal *w)
{
    return w->dir;
}

uint64_t kv_wal_bytes(const kv_wal *w)
{
    uint64_t b = 0;
    for (int i = 0; i < w->nsegs; i++)
        b += w->segs[i].bytes;
    return b;
}

uint64_t kv_wal_records(const kv_wal *w)
{
    return w->records;
}

uint64_t kv_wal_syncs(const kv_wal *w)
{
    return w->syncs;
}

int kv_wal_write_snapshot(const char *dir, const uint8_t *p, size_t len)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/snap.tmp", dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return -1;
    uint8_t h[20];
    memcpy(h, SNAP_MAGIC, 8);
    hoc_put_u64(h + 8, (uint64_t)len);
    hoc_put_u32(h + 16, crc(p, len));
    int rc = 0;
    for (size_t i = 0; i < 2 && rc == 0; i++) {
        const uint8_t *b = i ? p : h;
        size_t n = i ? len : sizeof h, off = 0;
        while (off < n) {
            ssize_t r = write(fd, b + off, n - off);
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) {
                rc = -1;
                break;
            }
            off += (size_t)r;
        }
    }
    if (rc == 0 && fdatasync(fd) != 0) rc = -1;
    close(fd);
    if (rc != 0) unlink(path);
    return rc;
}
