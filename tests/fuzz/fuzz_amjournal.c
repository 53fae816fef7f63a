/* fuzz_amjournal.c: Amalgam's exactly-once journal as `amalgam serve
 * --data` takes it back at start (services/amalgam/amdedup.c, amd_open
 * with keep).
 *
 * The input is a flags byte (fuzz_disk.h; FZD_FIX puts right the CRC-64 of
 * every whole record) and the journal. Whatever it holds, amd_open must
 * answer 0, or -1 with a message, without a crash, a leak or UB, and:
 *  - every entry it took back is a record of the journal's good prefix
 *    (the records before the first whose length or checksum is bad): a
 *    record whose checksum failed never becomes an entry;
 *  - the journal it rewrote (compacted) takes back to the same entries. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <isa-l/crc64.h>

#include "amdedup.h"
#include "hoc_rt.h"
#include "fuzz_disk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { CAP = 4, BLOCK = 192, HDR = 12, SLACK = 128 };
enum { DONE = 3, UNSURE = 4 }; /* amdedup.c's entry states */

static uint64_t fnv(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

/* The length of the good prefix of j[0..n), fixing each record's sum first
 * when fix. */
static size_t good_prefix(uint8_t *j, size_t n, bool fix)
{
    size_t off = 0;
    while (off + HDR <= n) {
        size_t len = hoc_get_u32(j + off);
        if (len > BLOCK + SLACK || len > n - off - HDR) break;
        const uint8_t *b = j + off + HDR;
        if (fix) hoc_put_u64(j + off + 4, crc64_ecma_refl(0, b, len));
        uint64_t sum = hoc_get_u64(j + off + 4);
        if (crc64_ecma_refl(0, b, len) != sum && fnv(b, len) != sum) break;
        off += HDR + len;
    }
    return off;
}

/* Is there a RAN or DONE record of client c, op seq, in j[0..n)? */
static bool has_record(const uint8_t *j, size_t n, const char *c, uint64_t seq)
{
    size_t cl = strlen(c);
    for (size_t off = 0; off + HDR <= n; off += HDR + hoc_get_u32(j + off)) {
        const uint8_t *b = j + off + HDR;
        size_t len = hoc_get_u32(j + off);
        if (len >= 2 + cl + 8 && (b[0] == 1 || b[0] == 2) && b[1] == cl && !memcmp(b + 2, c, cl) &&
            hoc_get_u64(b + 2 + cl) == seq)
            return true;
    }
    return false;
}

static const amd_entry *find(const amd_table *t, const char *c)
{
    for (int i = 0; i < t->n; i++)
        if (t->e[i].client[0] && !strcmp(t->e[i].client, c)) return &t->e[i];
    return NULL;
}

/* Opens a table on the journal: 0, or -1 (err says why, naming it). said:
 * whether it must say it cut the journal at a bad record (1), must not
 * (0), or may (-1: a record whose checksum held may be malformed). */
static int open_table(amd_table *t, const char *path, int said)
{
    char err[512] = "";
    if (amd_init(t, CAP, BLOCK)) abort();
    int rc = amd_open(t, path, true, false, err, sizeof err);
    if ((rc || err[0]) && !strstr(err, path)) abort();
    if (rc == 0 && said >= 0 && said != !!err[0]) abort(); /* a cut is said, and only a cut */
    return rc;
}

void fzd_init(bool seeding)
{
    if (!seeding) return;
    char path[512];
    fzd_path(path, sizeof path, "journal");
    amd_table t;
    char err[256];
    if (amd_init(&t, CAP, BLOCK) || amd_open(&t, path, false, false, err, sizeof err)) abort();
    uint8_t reply[BLOCK] = {0};
    const char *names[] = {"alice", "bob", "carol"};
    for (int k = 0; k < 6; k++) {
        int idx;
        const uint8_t *r;
        const char *c = names[k % 3];
        if (amd_begin(&t, (const uint8_t *)c, strlen(c), (uint64_t)k + 1, &idx, &r) != AMD_NEW)
            abort();
        memset(reply, 'a' + k, (size_t)k * 7);
        amd_ran(&t, idx, k % 2, k, reply);
        if (k != 5) amd_done(&t, idx, reply); /* the last one ran, never committed */
    }
    amd_resolve(&t, 0, 3);
    if (amd_flush(&t)) abort();
    amd_free(&t);
    uint8_t *j = NULL;
    long n = fzd_read("journal", &j);
    if (n < 0) abort();
    const uint8_t pre[1] = {0}, fix[1] = {FZD_FIX};
    size_t lens[] = {0, (size_t)HDR + hoc_get_u32(j) + HDR};
    fzd_seed("journal", pre, 1, j, (size_t)n, lens, 2);
    fzd_seed("journal-fix", fix, 1, j, (size_t)n, NULL, 0);
    free(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    size_t n;
    uint8_t *j = fzd_body(data, size, &n);
    size_t good = good_prefix(j, n, data[0] & FZD_FIX);
    fzd_write("journal", j, n);
    char path[512];
    fzd_path(path, sizeof path, "journal");
    amd_table t, u;
    if (open_table(&t, path, good != n ? 1 : -1) == 0) {
        for (int i = 0; i < t.n; i++) {
            const amd_entry *e = &t.e[i];
            if (e->client[0] && (!has_record(j, good, e->client, e->seq) || e->rlen > BLOCK))
                abort();
        }
        /* t's rewrite, taken back: the same entries (the kept ones: done, unsure) */
        if (open_table(&u, path, 0) != 0) abort();
        for (int i = 0; i < t.n; i++) {
            const amd_entry *e = &t.e[i], *f = find(&u, e->client);
            if (!e->client[0] || (e->st != DONE && e->st != UNSURE)) continue;
            if (!f || f->seq != e->seq || f->st != e->st || f->inst != e->inst ||
                f->opn != e->opn || f->rlen != e->rlen ||
                (e->rlen && memcmp(f->reply, e->reply, e->rlen)))
                abort();
        }
        amd_free(&u);
    }
    amd_free(&t);
    free(j);
    fzd_clear();
    return 0;
}
