/* stable.c: a replica's stable storage (see stable.h). */
#include "stable.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "wire.h"

enum { R_HEAD = 1, R_STATE = 2, R_DECIDED = 3, R_ENDED = 4 };
enum { HEAD_VERSION = 1, HEAD_LEN = 1 + 4 * 5 + 8 * 2, STATE_HDR = 1 + 8 + 8 };
#define ROLL_MIN ((uint64_t)4 << 20)

/* A set of instance ids with a value each: open addressing, linear probing. */
typedef struct Map {
    uint64_t *key, *val;
    uint8_t *used;
    size_t cap, n;
} Map;

struct hoc_stable {
    char dir[512];
    hoc_fsync mode;
    hoc_logger log;
    uint8_t head[HEAD_LEN];
    size_t state_size;
    const hoc_algo *algo; /* what a state read back must be */
    uint32_t crc[256];
    int dec_fd, st_fd;
    uint64_t seg;               /* the current segment's number */
    uint64_t st_bytes, roll_at; /* its size; when to start a new one */
    hoc_buf pend_dec, pend_st;  /* records appended, not yet written (batch, never) */
    Map live;                   /* instances with a state in the current segment */
    hoc_stable_state_of state_of;
    void *ctx;
    char err[1024];
    hoc_stable_stats st;
};

/* ---- the map ---- */
static size_t slot_of(uint64_t k, size_t cap)
{
    k ^= k >> 33, k *= 0xff51afd7ed558ccdULL, k ^= k >> 33;
    return (size_t)k & (cap - 1);
}

static uint64_t *map_get(const Map *m, uint64_t k)
{
    if (!m->cap) return NULL;
    for (size_t i = slot_of(k, m->cap); m->used[i]; i = (i + 1) & (m->cap - 1))
        if (m->key[i] == k) return &m->val[i];
    return NULL;
}

static void map_free(Map *m)
{
    free(m->key), free(m->val), free(m->used);
    memset(m, 0, sizeof *m);
}

static int map_put(Map *m, uint64_t k, uint64_t v)
{
    uint64_t *p = map_get(m, k);
    if (p) {
        *p = v;
        return 0;
    }
    if ((m->n + 1) * 2 > m->cap) {
        Map g = {0};
        g.cap = m->cap ? m->cap * 2 : 64;
        g.key = malloc(g.cap * sizeof *g.key), g.val = malloc(g.cap * sizeof *g.val);
        g.used = calloc(g.cap, 1);
        if (!g.key || !g.val || !g.used) {
            map_free(&g);
            return -1;
        }
        for (size_t i = 0; i < m->cap; i++)
            if (m->used[i]) map_put(&g, m->key[i], m->val[i]);
        map_free(m);
        *m = g;
    }
    size_t i = slot_of(k, m->cap);
    while (m->used[i])
        i = (i + 1) & (m->cap - 1);
    m->used[i] = 1, m->key[i] = k, m->val[i] = v, m->n++;
    return 0;
}

/* Deletes k, shifting back the entries its slot displaced. */
static void map_del(Map *m, uint64_t k)
{
    uint64_t *p = map_get(m, k);
    if (!p) return;
    size_t i = (size_t)(p - m->val), mask = m->cap - 1;
    m->used[i] = 0, m->n--;
    for (size_t j = (i + 1) & mask; m->used[j]; j = (j + 1) & mask) {
        size_t home = slot_of(m->key[j], m->cap);
        if (((j - home) & mask) < ((j - i) & mask)) continue; /* stays reachable */
        m->used[i] = 1, m->key[i] = m->key[j], m->val[i] = m->val[j];
        m->used[j] = 0;
        i = j;
    }
}

/* ---- records ---- */
static void crc_init(uint32_t t[256])
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int b = 0; b < 8; b++)
            c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
        t[i] = c;
    }
}

static uint32_t crc32_of(const uint32_t t[256], uint32_t c, const uint8_t *p, size_t n)
{
    c = ~c;
    while (n--)
        c = t[(c ^ *p++) & 0xff] ^ (c >> 8);
    return ~c;
}

/* Appends one record whose body is the concatenation of a and b. */
static void put_record(const hoc_stable *s, hoc_buf *b, const uint8_t *x, size_t xn,
                       const uint8_t *y, size_t yn)
{
    uint8_t h[8];
    hoc_put_u32(h, (uint32_t)(xn + yn));
    hoc_put_u32(h + 4, crc32_of(s->crc, crc32_of(s->crc, 0, x, xn), y, yn));
    hoc_buf_put(b, (const char *)h, sizeof h);
    hoc_buf_put(b, (const char *)x, xn);
    hoc_buf_put(b, (const char *)y, yn);
}

static void put_state(const hoc_stable *s, hoc_buf *b, uint64_t inst, int64_t round,
                      const void *state)
{
    uint8_t h[STATE_HDR] = {R_STATE};
    hoc_put_u64(h + 1, inst);
    hoc_put_u64(h + 9, (uint64_t)round);
    put_record(s, b, h, sizeof h, state, s->state_size);
}

/* FNV-1a of what the state's bytes mean: a rebuilt algorithm with another
 * layout must not read this one's states. */
static uint64_t layout_of(const hoc_algo *a)
{
    uint64_t h = 1469598103934665603ULL;
    uint64_t w[4] = {a->state_size, (uint64_t)a->maxn, (uint64_t)a->nfields, 0};
    for (int i = -1; i < a->nfields; i++) {
        if (i >= 0) {
            const hoc_field *f = &a->fields[i];
            for (const char *c = f->name; *c; c++)
                h = (h ^ (uint8_t)*c) * 1099511628211ULL;
            w[0] = f->offset, w[1] = (uint64_t)f->kind, w[2] = f->count, w[3] = f->per_process;
        }
        for (size_t j = 0; j < sizeof w; j++)
            h = (h ^ ((const uint8_t *)w)[j]) * 1099511628211ULL;
    }
    return h;
}

/* ---- files ---- */
static int fail(hoc_stable *s, const char *what, const char *path)
{
    if (!s->err[0]) {
        snprintf(s->err, sizeof s->err, "cannot %s %s: %s", what, path, strerror(errno));
        hoc_log(&s->log, HOC_LOG_ERROR,
                "stable storage failed (%s): this replica stops sending round messages and "
                "decisions (a restart would not have the state they came from); free the disk "
                "and restart it",
                s->err);
    }
    return -1;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) return -1;
        if (w == 0) {
            errno = ENOSPC;
            return -1;
        }
        p += w, n -= (size_t)w;
    }
    return 0;
}

/* The file `name` (ours: "decided", a segment's or a temporary's, under 64
 * bytes) in the directory; out holds 600: dir is under 512. */
static void path_of(const hoc_stable *s, char *out, size_t n, const char *name)
{
    snprintf(out, n, "%s/%.63s", s->dir, name);
}

static void seg_name(char *out, size_t n, uint64_t seg)
{
    snprintf(out, n, "states.%016" PRIx64, seg);
}

static int sync_dir(hoc_stable *s)
{
    if (s->mode == HOC_FSYNC_NEVER) return 0;
    int fd = open(s->dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0 || fsync(fd) != 0) {
        if (fd >= 0) close(fd);
        return fail(s, "sync the directory", s->dir);
    }
    close(fd);
    return 0;
}

/* Writes b to fd and, unless mode never, fdatasyncs; empties b. */
static int flush_to(hoc_stable *s, int fd, hoc_buf *b, const char *name)
{
    char path[600];
    path_of(s, path, sizeof path, name);
    if (b->n && write_all(fd, b->p, b->n) != 0) return fail(s, "write", path);
    s->st.bytes += b->n;
    if (b->n && s->mode != HOC_FSYNC_NEVER) {
        if (fdatasync(fd) != 0) return fail(s, "sync", path);
        s->st.syncs++;
    }
    b->n = 0;
    return 0;
}

/* A new segment: HEAD and every live instance's latest state (from
 * state_of, or the replay's entries when states is not NULL), written as
 * states.tmp, synced, renamed; then the older segment goes. */
static int roll(hoc_stable *s, const Map *replayed, const uint8_t *states, const int64_t *rounds)
{
    hoc_buf b = {0};
    put_record(s, &b, s->head, HEAD_LEN, NULL, 0);
    const Map *m = replayed ? replayed : &s->live;
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->used[i]) continue;
        int64_t round;
        const void *st;
        if (replayed) {
            st = states + m->val[i] * s->state_size, round = rounds[m->val[i]];
        } else if (!(st = s->state_of(s->ctx, m->key[i], &round))) {
            continue; /* ended meanwhile: map_del below is not allowed while walking */
        }
        put_state(s, &b, m->key[i], round, st);
    }
    char tmp[600], name[64], path[600];
    path_of(s, tmp, sizeof tmp, "states.tmp");
    seg_name(name, sizeof name, s->seg + 1);
    path_of(s, path, sizeof path, name);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        hoc_buf_free(&b);
        return fail(s, "create", tmp);
    }
    size_t len = b.n;
    int rc = flush_to(s, fd, &b, "states.tmp");
    hoc_buf_free(&b);
    if (rc == 0 && rename(tmp, path) != 0) rc = fail(s, "rename", tmp);
    if (rc == 0) rc = sync_dir(s);
    if (rc) {
        close(fd);
        return -1;
    }
    if (s->st_fd >= 0) {
        close(s->st_fd);
        char old[64], op[600];
        seg_name(old, sizeof old, s->seg);
        path_of(s, op, sizeof op, old);
        unlink(op); /* a leftover is replayed first and overridden */
    }
    s->st_fd = fd, s->seg++, s->st.segments++;
    s->st_bytes = len;
    s->roll_at = 2 * len > ROLL_MIN ? 2 * len : ROLL_MIN;
    return 0;
}

/* ---- replay ---- */
typedef struct Replay {
    hoc_stable *s;
    const hoc_stable_replay *rp;
    Map ended, states; /* states: inst -> entry */
    uint8_t *sbuf;     /* entries' states */
    int64_t *rounds;
    size_t nent, capent;
    char *err;
    size_t errn;
} Replay;

/* Says why a HEAD is not ours. */
static int head_mismatch(Replay *R, const char *path, const uint8_t *h, size_t len)
{
    const uint8_t *m = R->s->head;
    if (len != HEAD_LEN || hoc_get_u32(h + 1) != HEAD_VERSION) {
        snprintf(R->err, R->errn, "%s was not written by this version of the runtime", path);
    } else if (hoc_get_u32(h + 13) != hoc_get_u32(m + 13) ||
               hoc_get_u32(h + 17) != hoc_get_u32(m + 17)) {
        snprintf(R->err, R->errn,
                 "%s belongs to process %u of %u, this is process %u of %u: give every replica "
                 "a --data directory of its own",
                 path, hoc_get_u32(h + 13), hoc_get_u32(h + 17), hoc_get_u32(m + 13),
                 hoc_get_u32(m + 17));
    } else if (hoc_get_u32(h + 5) != hoc_get_u32(m + 5)) {
        snprintf(R->err, R->errn, "%s was written by a replica of another algorithm", path);
    } else if (hoc_get_u32(h + 9) != hoc_get_u32(m + 9)) {
        snprintf(R->err, R->errn, "%s was written with other parameter values (--param)", path);
    } else {
        snprintf(R->err, R->errn,
                 "%s holds states of another build of this algorithm (their size or layout "
                 "differs: another --maxn, --const or source)",
                 path);
    }
    return -1;
}

static int keep_state(Replay *R, const uint8_t *b, size_t len)
{
    hoc_stable *s = R->s;
    if (len != STATE_HDR + s->state_size) return 1; /* cannot happen under a good CRC */
    uint64_t inst = hoc_get_u64(b + 1);
    uint64_t *e = map_get(&R->states, inst);
    size_t k = e ? (size_t)*e : R->nent;
    if (!e) {
        if (R->nent == R->capent) {
            size_t c = R->capent ? 2 * R->capent : 64;
            uint8_t *nb = realloc(R->sbuf, c * s->state_size + 1);
            if (nb) R->sbuf = nb;
            int64_t *nr = realloc(R->rounds, c * sizeof *nr);
            if (nr) R->rounds = nr;
            if (!nb || !nr) return -1;
            R->capent = c;
        }
        if (map_put(&R->states, inst, R->nent++)) return -1;
    }
    R->rounds[k] = (int64_t)hoc_get_u64(b + 9);
    memcpy(R->sbuf + k * s->state_size, b + STATE_HDR, s->state_size);
    return 0;
}

/* The first field of a state read back that holds what no run stores
 * (a bool neither 0 nor 1, an enum past its members), or NULL. The
 * generated code would read such bytes as undefined behaviour; a good
 * checksum only says the bytes are the ones written. */
static const char *state_malformed(const hoc_stable *s, const uint8_t *st)
{
    const hoc_algo *a = s->algo;
    for (int i = 0; i < a->nfields; i++) {
        const hoc_field *f = &a->fields[i];
        size_t w = hoc_kind_size(f->kind);
        for (uint32_t j = 0; j < f->count; j++) {
            const uint8_t *v = st + f->offset + j * w;
            int32_t e;
            if (f->kind == HOC_K_BOOL && *v > 1) return f->name;
            if (f->kind == HOC_K_ENUM &&
                (memcpy(&e, v, sizeof e), e < 0 || (uint32_t)e >= f->enum_count))
                return f->name;
        }
    }
    return NULL;
}

static int take(Replay *R, const uint8_t *b, size_t len)
{
    switch (b[0]) {
    case R_STATE:
        if (keep_state(R, b, len) < 0) goto oom;
        return 0;
    case R_DECIDED:
    case R_ENDED:
        if (len < 9) return 0;
        uint64_t inst = hoc_get_u64(b + 1);
        if (map_get(&R->ended, inst)) return 0;
        if (map_put(&R->ended, inst, 1)) goto oom;
        return R->rp->ended(R->rp->ctx, inst, b[0] == R_DECIDED ? b + 9 : NULL, len - 9, R->err,
                            R->errn);
    default:
        return 0; /* a HEAD in the middle, or a type of a later version: skipped */
    }
oom:
    snprintf(R->err, R->errn, "out of memory replaying %s", R->s->dir);
    return -1;
}

/* Replays the file at path (creating it if absent: `decided`, the others
 * are segments); a torn or corrupt record cuts it. Returns the open
 * descriptor (positioned at its end), or -1 with R->err. fresh: a file
 * without a good HEAD gets ours. */
static int replay_file(Replay *R, const char *path, bool create)
{
    hoc_stable *s = R->s;
    int fd = open(path, O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0644);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0) {
        snprintf(R->err, R->errn, "cannot open %s: %s", path, strerror(errno));
        if (fd >= 0) close(fd);
        return -1;
    }
    size_t size = (size_t)sb.st_size, off = 0;
    uint8_t *p = size ? malloc(size) : NULL;
    if (size && (!p || pread(fd, p, size, 0) != (ssize_t)size)) {
        snprintf(R->err, R->errn, "cannot read %s: %s", path, p ? strerror(errno) : "no memory");
        free(p), close(fd);
        return -1;
    }
    while (off < size) {
        const char *why = NULL;
        uint32_t len = off + 8 <= size ? hoc_get_u32(p + off) : 0;
        if (off + 8 > size || len > size - off - 8)
            why = "torn (it runs past the end of the file)";
        else if (len == 0 || crc32_of(s->crc, 0, p + off + 8, len) != hoc_get_u32(p + off + 4))
            why = "corrupt (checksum mismatch)";
        if (why) {
            hoc_log(&s->log, HOC_LOG_WARN,
                    "%s: record at offset %zu is %s: the file is cut there, %zu bytes dropped",
                    path, off, why, size - off);
            s->st.cut++;
            if (ftruncate(fd, (off_t)off) != 0) {
                snprintf(R->err, R->errn, "cannot cut %s: %s", path, strerror(errno));
                free(p), close(fd);
                return -1;
            }
            size = off;
            break;
        }
        const uint8_t *b = p + off + 8;
        const char *bad;
        if (off == 0 && (len != HEAD_LEN || memcmp(b, s->head, HEAD_LEN) != 0)) {
            head_mismatch(R, path, b, len);
            free(p), close(fd);
            return -1;
        }
        if (off > 0 && !create && (b[0] == R_DECIDED || b[0] == R_ENDED)) {
            /* only `decided` keeps them: the next segment would not */
            hoc_log(&s->log, HOC_LOG_WARN,
                    "%s: record at offset %zu is an instance's end, which belongs in `decided`: "
                    "skipped",
                    path, off);
        } else if (off > 0 && b[0] == R_STATE && len == STATE_HDR + s->state_size &&
                   (bad = state_malformed(s, b + STATE_HDR))) {
            snprintf(R->err, R->errn,
                     "%s: record at offset %zu is a state whose field '%s' holds a value no run "
                     "stores, though its checksum is good (written by another build, or "
                     "altered): refusing to start from it",
                     path, off, bad);
            free(p), close(fd);
            return -1;
        } else if (off > 0 && take(R, b, len) < 0) {
            free(p), close(fd);
            return -1;
        }
        off += 8 + len;
    }
    free(p);
    if (size == 0) { /* new, or cut before its HEAD was whole */
        hoc_buf b = {0};
        put_record(s, &b, s->head, HEAD_LEN, NULL, 0);
        int rc = write_all(fd, b.p, b.n);
        hoc_buf_free(&b);
        if (rc != 0 || (s->mode != HOC_FSYNC_NEVER && fdatasync(fd) != 0)) {
            snprintf(R->err, R->errn, "cannot write %s: %s", path, strerror(errno));
            close(fd);
            return -1;
        }
    }
    lseek(fd, 0, SEEK_END);
    return fd;
}

static int cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

/* The numbers of the segments in dir, in order (and states.tmp removed). */
static int list_segments(Replay *R, uint64_t **segs, size_t *nseg)
{
    hoc_stable *s = R->s;
    DIR *d = opendir(s->dir);
    if (!d) {
        snprintf(R->err, R->errn, "cannot read %s: %s", s->dir, strerror(errno));
        return -1;
    }
    size_t cap = 0;
    *segs = NULL, *nseg = 0;
    for (struct dirent *e; (e = readdir(d));) {
        char tail;
        uint64_t n;
        if (strcmp(e->d_name, "states.tmp") == 0) { /* a new segment never completed */
            char tmp[600];
            path_of(s, tmp, sizeof tmp, e->d_name);
            unlink(tmp);
            continue;
        }
        if (strlen(e->d_name) != 23 || sscanf(e->d_name, "states.%16" SCNx64 "%c", &n, &tail) != 1)
            continue;
        if (*nseg == cap) {
            uint64_t *ns = realloc(*segs, (cap = cap ? 2 * cap : 8) * sizeof *ns);
            if (!ns) {
                closedir(d);
                snprintf(R->err, R->errn, "out of memory");
                return -1;
            }
            *segs = ns;
        }
        (*segs)[(*nseg)++] = n;
    }
    closedir(d);
    if (*nseg) qsort(*segs, *nseg, sizeof **segs, cmp_u64); /* segs is NULL when none */
    return 0;
}

/* Replays `decided`, then the segments in order; hands over what is live,
 * then writes it into a new segment and removes the old ones. */
static int replay(Replay *R)
{
    hoc_stable *s = R->s;
    char path[600];
    path_of(s, path, sizeof path, "decided");
    if ((s->dec_fd = replay_file(R, path, true)) < 0) return -1;
    uint64_t *segs;
    size_t nseg;
    if (list_segments(R, &segs, &nseg)) return -1;
    int rc = 0;
    for (size_t i = 0; i < nseg && rc == 0; i++) {
        char name[64];
        seg_name(name, sizeof name, segs[i]);
        path_of(s, path, sizeof path, name);
        int fd = replay_file(R, path, false);
        if (fd < 0)
            rc = -1;
        else
            close(fd);
    }
    s->seg = nseg ? segs[nseg - 1] : 0;
    Map live = {0};
    for (size_t i = 0; rc == 0 && i < R->states.cap; i++) {
        if (!R->states.used[i] || map_get(&R->ended, R->states.key[i])) continue;
        uint64_t k = R->states.val[i], inst = R->states.key[i];
        if (map_put(&live, inst, k) || R->rp->state(R->rp->ctx, inst, R->rounds[k],
                                                    R->sbuf + k * s->state_size, R->err, R->errn))
            rc = -1;
    }
    if (rc == 0) {
        s->st_fd = -1;
        rc = roll(s, &live, R->sbuf, R->rounds);
        if (rc) snprintf(R->err, R->errn, "%s", s->err);
        for (size_t i = 0; rc == 0 && i < live.cap; i++)
            if (live.used[i] && map_put(&s->live, live.key[i], 1)) rc = -1;
        for (size_t i = 0; rc == 0 && i < nseg; i++) { /* roll removed only the last */
            char name[64];
            seg_name(name, sizeof name, segs[i]);
            path_of(s, path, sizeof path, name);
            unlink(path);
        }
    }
    map_free(&live);
    free(segs);
    return rc;
}

hoc_stable *hoc_stable_open(const char *dir, hoc_fsync mode, const hoc_stable_owner *owner,
                            const hoc_logger *log, const hoc_stable_replay *rp,
                            hoc_stable_state_of state_of, void *ctx, char *err, size_t errn)
{
    hoc_stable *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errn, "out of memory");
        return NULL;
    }
    if (strlen(dir) >= sizeof s->dir) {
        snprintf(err, errn, "--data: the path is too long");
        free(s);
        return NULL;
    }
    strcpy(s->dir, dir);
    s->mode = mode, s->log = *log, s->state_of = state_of, s->ctx = ctx;
    s->dec_fd = s->st_fd = -1;
    s->state_size = owner->algo->state_size;
    s->algo = owner->algo;
    crc_init(s->crc);
    uint8_t *h = s->head;
    h[0] = R_HEAD;
    hoc_put_u32(h + 1, HEAD_VERSION);
    hoc_put_u32(h + 5, hoc_wire_algo_tag(owner->algo->name, owner->algo->abi));
    hoc_put_u32(h + 9, owner->params);
    hoc_put_u32(h + 13, (uint32_t)owner->id);
    hoc_put_u32(h + 17, (uint32_t)owner->n);
    hoc_put_u64(h + 21, s->state_size);
    hoc_put_u64(h + 29, layout_of(owner->algo));
    struct stat sb;
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        snprintf(err, errn, "cannot create the data directory %s: %s", dir, strerror(errno));
    } else if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        snprintf(err, errn, "the data directory %s is not a directory", dir);
    } else {
        Replay R = {.s = s, .rp = rp, .err = err, .errn = errn};
        int rc = replay(&R);
        map_free(&R.ended), map_free(&R.states), free(R.sbuf), free(R.rounds);
        if (rc == 0) return s;
    }
    hoc_stable_close(s);
    return NULL;
}

void hoc_stable_close(hoc_stable *s)
{
    if (!s) return;
    if (!s->err[0] && s->dec_fd >= 0 && s->st_fd >= 0) hoc_stable_sync(s);
    if (s->dec_fd >= 0) close(s->dec_fd);
    if (s->st_fd >= 0) close(s->st_fd);
    hoc_buf_free(&s->pend_dec), hoc_buf_free(&s->pend_st);
    map_free(&s->live);
    free(s);
}

/* In mode always, a record is written and synced before the caller goes on. */
static int appended(hoc_stable *s)
{
    s->st.records++;
    return s->mode == HOC_FSYNC_ALWAYS ? hoc_stable_sync(s) : 0;
}

int hoc_stable_state(hoc_stable *s, uint64_t inst, int64_t round, const void *state)
{
    if (s->err[0]) return -1;
    if (map_put(&s->live, inst, 1)) {
        errno = ENOMEM;
        return fail(s, "keep the state of an instance in", s->dir);
    }
    size_t before = s->pend_st.n;
    put_state(s, &s->pend_st, inst, round, state);
    s->st_bytes += s->pend_st.n - before;
    return appended(s);
}

int hoc_stable_decided(hoc_stable *s, uint64_t inst, const uint8_t *v, size_t len)
{
    if (s->err[0]) return -1;
    uint8_t h[9] = {R_DECIDED};
    hoc_put_u64(h + 1, inst);
    put_record(s, &s->pend_dec, h, sizeof h, v, len);
    return appended(s);
}

int hoc_stable_ended(hoc_stable *s, uint64_t inst)
{
    if (s->err[0]) return -1;
    uint8_t h[9] = {R_ENDED};
    hoc_put_u64(h + 1, inst);
    put_record(s, &s->pend_dec, h, sizeof h, NULL, 0);
    return appended(s);
}

void hoc_stable_forget(hoc_stable *s, uint64_t inst)
{
    map_del(&s->live, inst);
}

bool hoc_stable_pending(const hoc_stable *s)
{
    return s->pend_dec.n > 0 || s->pend_st.n > 0;
}

int hoc_stable_sync(hoc_stable *s)
{
    if (s->err[0]) return -1;
    /* decisions first: a state record never needs one, a decision may
     * stand for the states it ends */
    if (flush_to(s, s->dec_fd, &s->pend_dec, "decided")) return -1;
    char name[64];
    seg_name(name, sizeof name, s->seg);
    if (flush_to(s, s->st_fd, &s->pend_st, name)) return -1;
    if (s->st_bytes >= s->roll_at) return roll(s, NULL, NULL, NULL);
    return 0;
}

const char *hoc_stable_error(const hoc_stable *s)
{
    return s->err[0] ? s->err : NULL;
}

const hoc_stable_stats *hoc_stable_get_stats(const hoc_stable *s)
{
    return &s->st;
}

int hoc_stable_fsync_option(void *dst, const char *v, char *err, size_t errn)
{
    static const char *const names[] = {"batch", "always", "never"};
    for (int i = 0; i < 3; i++)
        if (strcmp(v, names[i]) == 0) {
            *(hoc_fsync *)dst = (hoc_fsync)i;
            return 0;
        }
    snprintf(err, errn, "--fsync takes always, batch or never, not '%s'", v);
    return -1;
}
