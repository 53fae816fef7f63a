/* The exactly-once table's journal (services/amalgam/amdedup.h): ops
 * executed by a process come back unsure after a reopen and resolve
 * against the installed top (at or below it: the first reply; above it:
 * forgotten, the op may run again); a resolution and the replies survive
 * a second reopen; a torn or corrupt tail ends the journal without losing
 * what came before; a start without keep forgets everything; the journal
 * is compacted and stays bounded however many ops a client sends, synced
 * or not (--fsync never); records wait in memory until amd_flush writes
 * them all at once, and a write that fails leaves the table memory only; a
 * journal checksummed with FNV-1a (before the CRC-64) is taken back;
 * clients beyond the table's size evict the least recently used; a queued
 * record keeps its first reply when its entry's reply is replaced (the
 * client's next op, an eviction) before the queue is written, and a queue
 * of 1,200 records is written whole. */
#include <fcntl.h>
#include <isa-l/crc64.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "amdedup.h"
#include "hoc_check.h"

enum { BLOCK = 64, CAP = 8 };

/* Opens t on the journal at path: did it say it cut the journal at offset
 * cut (-1: it said nothing)? */
static bool open_table_cut(amd_table *t, const char *path, bool keep, long cut)
{
    char err[512] = "", want[64] = "";
    CHECK(amd_init(t, CAP, BLOCK) == 0);
    CHECK(amd_open(t, path, keep, true, err, sizeof err) == 0);
    if (err[0]) fprintf(stderr, "%s\n", err);
    if (cut >= 0) snprintf(want, sizeof want, "at offset %ld ", cut);
    return cut < 0 ? !err[0] : strstr(err, path) && strstr(err, want);
}

static void open_table(amd_table *t, const char *path, bool keep)
{
    CHECK(open_table_cut(t, path, keep, -1));
}

/* Client c's op seq runs (and, with commit, commits) as op opn of inst,
 * its reply a block whose first byte is r. */
static void run(amd_table *t, const char *c, uint64_t seq, int64_t inst, int64_t opn, uint8_t r,
                bool commit)
{
    int idx = -1;
    const uint8_t *reply;
    uint8_t blk[BLOCK] = {r};
    CHECK(amd_begin(t, (const uint8_t *)c, strlen(c), seq, &idx, &reply) == AMD_NEW);
    amd_ran(t, idx, inst, opn, blk);
    if (commit) amd_done(t, idx, blk);
}

static amd_verdict ask(amd_table *t, const char *c, uint64_t seq, const uint8_t **reply, int *idx)
{
    return amd_begin(t, (const uint8_t *)c, strlen(c), seq, idx, reply);
}

static void put_le(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* A journal of one RAN record as the version before the CRC wrote it:
 * client "old", op 3 as op 4 of instance 2, reply 0x77. */
static void write_fnv_journal(const char *path)
{
    uint8_t r[12 + 34] = {0};
    uint8_t *b = r + 12;
    b[0] = 1, b[1] = 3, memcpy(b + 2, "old", 3);
    put_le(b + 5, 3, 8), put_le(b + 13, 2, 8), put_le(b + 21, 4, 8), put_le(b + 29, 1, 4);
    b[33] = 0x77;
    uint64_t h = 0xcbf29ce484222325ull;
    for (int i = 0; i < 34; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    put_le(r, 34, 4), put_le(r + 4, h, 8);
    FILE *f = fopen(path, "wb");
    CHECK(f && fwrite(r, 1, sizeof r, f) == sizeof r);
    if (f) fclose(f);
}

static uint64_t get_le(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* The first byte of the reply of each RAN or DONE record of client c in
 * the journal at path, in order, into out[0..max): how many. A record
 * whose CRC-64 fails ends the journal, as it does for amd_open. */
static int journal_replies(const char *path, const char *c, uint8_t *out, int max)
{
    static uint8_t j[1 << 16];
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(j, 1, sizeof j, f) : 0, cl = strlen(c);
    if (f) fclose(f);
    int k = 0;
    for (size_t at = 0; at + 12 <= n && k < max;) {
        size_t len = get_le(j + at, 4);
        const uint8_t *b = j + at + 12;
        if (at + 12 + len > n || crc64_ecma_refl(0, b, len) != get_le(j + at + 4, 8)) break;
        if (len >= 2 + cl + 28 && (b[0] == 1 || b[0] == 2) && b[1] == cl &&
            memcmp(b + 2, c, cl) == 0)
            out[k++] = get_le(b + 2 + cl + 24, 4) ? b[2 + cl + 28] : 0;
        at += 12 + len;
    }
    return k;
}

static off_t size_of(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 ? st.st_size : -1;
}

int main(void)
{
    char dir[] = "/tmp/amdedup-XXXXXX", path[256];
    if (!mkdtemp(dir)) return 1;
    snprintf(path, sizeof path, "%s/j.dedup", dir);
    amd_table t;
    const uint8_t *reply;
    int idx;

    /* one process: a, b committed; c executed, not committed; d only begun */
    open_table(&t, path, false);
    run(&t, "a", 1, 0, 1, 0x11, true);
    run(&t, "b", 4, 0, 2, 0x22, true);
    run(&t, "c", 1, 0, 3, 0x33, false);
    run(&t, "e", 7, 1, 5, 0x55, true);
    CHECK(ask(&t, "d", 1, &reply, &idx) == AMD_NEW);
    CHECK(amd_dirty(&t) && amd_sync(&t) == 0 && !amd_dirty(&t));
    amd_free(&t);

    /* restarted: every executed op is unsure until its instance resolves */
    open_table(&t, path, true);
    CHECK(t.unsure == 4);
    CHECK(ask(&t, "a", 1, &reply, &idx) == AMD_UNSURE && t.e[idx].inst == 0);
    CHECK(ask(&t, "d", 1, &reply, &idx) == AMD_NEW); /* never executed: nothing kept */
    amd_abort(&t, idx);
    CHECK(amd_unsure(&t, 0) && amd_unsure(&t, 1) && !amd_unsure(&t, 2));
    amd_resolve(&t, 0, 2); /* installed chain: ops 1..2 of instance 0; op 3 died with its window */
    CHECK(!amd_unsure(&t, 0) && amd_unsure(&t, 1) && t.resolved == 2 && t.forgotten == 1);
    CHECK(ask(&t, "a", 1, &reply, &idx) == AMD_DUP && reply[0] == 0x11);
    CHECK(ask(&t, "b", 4, &reply, &idx) == AMD_DUP && reply[0] == 0x22);
    CHECK(ask(&t, "b", 3, &reply, &idx) == AMD_STALE);
    CHECK(ask(&t, "e", 7, &reply, &idx) == AMD_UNSURE);
    CHECK(ask(&t, "c", 1, &reply, &idx) == AMD_NEW); /* the lost op runs again, once */
    amd_abort(&t, idx);
    CHECK(amd_sync(&t) == 0);
    amd_free(&t);

    /* restarted again: the resolution of instance 0 was journaled */
    open_table(&t, path, true);
    CHECK(t.unsure == 1);
    CHECK(ask(&t, "a", 1, &reply, &idx) == AMD_DUP && reply[0] == 0x11);
    CHECK(ask(&t, "c", 1, &reply, &idx) == AMD_NEW);
    amd_abort(&t, idx);
    amd_resolve(&t, 1, 9);
    CHECK(ask(&t, "e", 7, &reply, &idx) == AMD_DUP && reply[0] == 0x55);
    CHECK(amd_sync(&t) == 0);
    amd_free(&t);

    /* a torn record at the end, then garbage: what came before stays */
    off_t whole = size_of(path);
    int fd = open(path, O_WRONLY | O_APPEND);
    const uint8_t torn[] = {40, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 1, 1, 'x'};
    CHECK(fd >= 0 && write(fd, torn, sizeof torn) == (ssize_t)sizeof torn);
    close(fd);
    CHECK(open_table_cut(&t, path, true, (long)whole)); /* said, where */
    CHECK(ask(&t, "e", 7, &reply, &idx) == AMD_DUP && reply[0] == 0x55);
    CHECK(ask(&t, "a", 1, &reply, &idx) == AMD_DUP);
    CHECK(size_of(path) <= whole); /* rewritten without the tail */
    /* a client sending many ops: the journal is compacted, not grown */
    for (uint64_t s = 2; s < 200; s++) {
        run(&t, "a", s, 0, (int64_t)s + 10, (uint8_t)s, true);
        CHECK(amd_sync(&t) == 0);
    }
    CHECK(t.journal && size_of(path) < 4 * CAP * 200);
    amd_free(&t);

    /* a bit flipped in the first record: the journal ends before it */
    fd = open(path, O_RDWR);
    uint8_t b;
    CHECK(fd >= 0 && pread(fd, &b, 1, 14) == 1);
    b ^= 0x40;
    CHECK(pwrite(fd, &b, 1, 14) == 1);
    close(fd);
    CHECK(open_table_cut(&t, path, true, 0));
    CHECK(t.n == 0);
    amd_free(&t);

    /* --fsync never: records written, never waited for; a reopen has them */
    CHECK(amd_init(&t, CAP, BLOCK) == 0);
    char err[256];
    CHECK(amd_open(&t, path, false, false, err, sizeof err) == 0);
    for (uint64_t s = 1; s < 100; s++) {
        run(&t, "n", s, 3, (int64_t)s, (uint8_t)s, s < 99);
        CHECK(amd_dirty(&t) && amd_flush(&t) == 0 && !amd_dirty(&t));
    }
    CHECK(t.syncs == 0 && size_of(path) < 4 * CAP * 200);
    /* queued records are written together, at amd_flush, and not before */
    off_t before = size_of(path);
    run(&t, "q", 1, 4, 1, 0x41, true);
    run(&t, "r", 1, 4, 2, 0x42, false);
    CHECK(amd_dirty(&t) && size_of(path) == before && t.queued == 2);
    CHECK(amd_flush(&t) == 0 && !amd_dirty(&t) && size_of(path) > before && t.queued == 0);
    run(&t, "q", 2, 4, 3, 0x43, false);
    amd_free(&t); /* a stop writes what is queued */
    open_table(&t, path, true);
    CHECK(ask(&t, "q", 2, &reply, &idx) == AMD_UNSURE);
    amd_resolve(&t, 4, 3);
    CHECK(ask(&t, "q", 2, &reply, &idx) == AMD_DUP && reply[0] == 0x43);
    CHECK(ask(&t, "r", 1, &reply, &idx) == AMD_DUP && reply[0] == 0x42);
    /* a write that fails (a full disk): reported, the table memory only */
    int full = open("/dev/full", O_WRONLY);
    CHECK(full >= 0 && dup2(full, t.fd) == t.fd);
    close(full);
    run(&t, "s", 1, 5, 1, 0x51, false);
    CHECK(amd_dirty(&t) && amd_flush(&t) == -1 && !t.journal && !amd_dirty(&t));
    CHECK(ask(&t, "s", 1, &reply, &idx) == AMD_BUSY); /* still in memory: ran, not committed */
    amd_free(&t);
    open_table(&t, path, true);
    CHECK(ask(&t, "n", 99, &reply, &idx) == AMD_UNSURE);
    amd_resolve(&t, 3, 99);
    CHECK(ask(&t, "n", 99, &reply, &idx) == AMD_DUP && reply[0] == 99);
    amd_free(&t);

    /* a reply with zeros inside and at its end comes back whole, from
     * memory and from the journal */
    uint8_t blk[BLOCK] = {0, 9};
    blk[40] = 7;
    open_table(&t, path, true);
    CHECK(ask(&t, "z", 1, &reply, &idx) == AMD_NEW);
    amd_ran(&t, idx, 5, 1, blk);
    amd_done(&t, idx, blk);
    CHECK(ask(&t, "z", 1, &reply, &idx) == AMD_DUP && memcmp(reply, blk, BLOCK) == 0);
    CHECK(amd_held(&t) >= 41 && amd_sync(&t) == 0);
    amd_free(&t);
    open_table(&t, path, true);
    amd_resolve(&t, 5, 1);
    CHECK(ask(&t, "z", 1, &reply, &idx) == AMD_DUP && memcmp(reply, blk, BLOCK) == 0);
    amd_free(&t);

    /* a journal written before the CRC-64 (FNV-1a) comes back after an upgrade */
    write_fnv_journal(path);
    open_table(&t, path, true);
    CHECK(ask(&t, "old", 3, &reply, &idx) == AMD_UNSURE);
    amd_resolve(&t, 2, 4);
    CHECK(ask(&t, "old", 3, &reply, &idx) == AMD_DUP && reply[0] == 0x77);
    amd_free(&t);

    /* a first start (keep false) forgets the journal */
    open_table(&t, path, false);
    CHECK(ask(&t, "e", 7, &reply, &idx) == AMD_NEW);
    amd_free(&t);

    /* more clients than entries: the least recently used are forgotten,
     * every other one still found by its name (a hash chain) */
    open_table(&t, path, false);
    char name[16];
    for (int k = 0; k < 3 * CAP; k++) {
        snprintf(name, sizeof name, "c%d", k);
        run(&t, name, 1, 6, k + 1, (uint8_t)k, true);
    }
    for (int k = 3 * CAP - 1; k >= 0; k--) {
        snprintf(name, sizeof name, "c%d", k);
        amd_verdict v = ask(&t, name, 1, &reply, &idx);
        CHECK(k >= 2 * CAP ? v == AMD_DUP && reply[0] == k : v == AMD_NEW);
        if (v == AMD_NEW) amd_abort(&t, idx);
    }
    int again;
    CHECK(ask(&t, "c0", 1, &reply, &idx) == AMD_NEW);
    amd_abort(&t, idx);
    CHECK(ask(&t, "c0", 1, &reply, &again) == AMD_NEW && again == idx && t.n == CAP);
    amd_abort(&t, idx);
    amd_free(&t);

    /* an entry's reply replaced while its record is queued: by the
     * client's next op, then by an eviction (the server commits an op only
     * after its record is written; a caller of the table may not) */
    uint8_t got[4];
    open_table(&t, path, false);
    run(&t, "p", 1, 7, 1, 0x61, true);
    run(&t, "p", 2, 7, 2, 0x62, false);
    CHECK(amd_flush(&t) == 0 && journal_replies(path, "p", got, 4) == 2 && got[0] == 0x61 &&
          got[1] == 0x62);
    for (int k = 0; k < CAP - 1; k++) { /* the table full: p and v0..v6 */
        snprintf(name, sizeof name, "v%d", k);
        run(&t, name, 1, 8, k + 1, (uint8_t)(0x70 + k), true);
    }
    run(&t, "w", 1, 8, CAP, 0x7f, true); /* evicts v0 (p still runs) */
    CHECK(ask(&t, "v0", 1, &reply, &idx) == AMD_NEW);
    amd_abort(&t, idx);
    CHECK(amd_flush(&t) == 0 && journal_replies(path, "v0", got, 4) == 1 && got[0] == 0x70);
    CHECK(journal_replies(path, "w", got, 4) == 1 && got[0] == 0x7f);
    amd_free(&t);

    /* a long queue (more records than one writev could take if they were
     * written by reference, two pieces each of IOV_MAX 1024) */
    enum { MANY = 1200 };
    CHECK(amd_init(&t, MANY, BLOCK) == 0 && amd_open(&t, path, false, true, err, sizeof err) == 0);
    for (int k = 0; k < MANY; k++) {
        snprintf(name, sizeof name, "m%d", k);
        run(&t, name, 1, 9, k + 1, (uint8_t)(k * 7), false);
    }
    CHECK(t.queued == MANY && amd_sync(&t) == 0 && t.written >= MANY);
    amd_free(&t);
    CHECK(amd_init(&t, MANY, BLOCK) == 0 && amd_open(&t, path, true, true, err, sizeof err) == 0);
    amd_resolve(&t, 9, MANY);
    int back = 0;
    for (int k = 0; k < MANY; k++) {
        snprintf(name, sizeof name, "m%d", k);
        back += ask(&t, name, 1, &reply, &idx) == AMD_DUP && reply[0] == (uint8_t)(k * 7);
    }
    CHECK(back == MANY);
    amd_free(&t);

    unlink(path);
    rmdir(dir);
    return check_summary("amalgam-dedup");
}
