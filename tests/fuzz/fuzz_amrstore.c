/* fuzz_amrstore.c: the reconfiguration service's decisions file as
 * `amalgam reconf --data` opens it at start (services/amalgam/amrstore.c).
 *
 * The input is a flags byte (fuzz_disk.h; FZD_FIX puts right every slot's
 * hash) and the file. Whatever it holds, ars_open must answer 0, or -1
 * with a message naming the file, without a crash, a leak or UB, and then:
 *  - ars_get gives an instance's payload of its whole slot with the
 *    highest sequence number whose hash holds, or nothing when none holds;
 *  - a decision ars_put writes is the one the next ars_open gives back
 *    (a restart must never resume from an older decision). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amrstore.h"
#include "amstate.h"
#include "hoc_rt.h"
#include "fuzz_disk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { NINST = 3, REC = 24, HEAD = 32, SLOT = 16 + REC };
#define CID 0x0123456789abcdefULL

static void file_name(char *out, size_t n)
{
    char name[128];
    snprintf(name, sizeof name, "amalgam-%016llx-reconf-0.decisions", (unsigned long long)CID);
    fzd_path(out, n, name);
}

static uint64_t slot_hash(const uint8_t *slot)
{
    return amst_hash(amst_hash(0xcbf29ce484222325ULL, slot, 8), slot + 16, REC);
}

/* Instance i's newest good slot in f[0..n): its offset, or 0 if none. */
static size_t newest(const uint8_t *f, size_t n, int i)
{
    size_t best = 0;
    uint64_t seq = 0;
    for (int k = 0; k < 2; k++) {
        size_t off = HEAD + (size_t)(i * 2 + k) * SLOT;
        if (off + SLOT > n) continue;
        uint64_t q = hoc_get_u64(f + off);
        if (q && hoc_get_u64(f + off + 8) == slot_hash(f + off) && q > seq) seq = q, best = off;
    }
    return best;
}

void fzd_init(bool seeding)
{
    if (!seeding) return;
    char dir[512], err[512];
    snprintf(dir, sizeof dir, "%s", fzd_dir());
    ars_store s;
    if (ars_open(&s, dir, CID, 0, NINST, REC, err, sizeof err)) abort();
    uint8_t p[REC];
    for (int k = 0; k < 5; k++) {
        memset(p, 'a' + k, sizeof p);
        if (ars_put(&s, k % NINST, p)) abort();
    }
    ars_close(&s);
    char path[512];
    file_name(path, sizeof path);
    uint8_t *f = NULL;
    long n = fzd_read(strrchr(path, '/') + 1, &f);
    if (n < 0) abort();
    const uint8_t pre[1] = {0}, fix[1] = {FZD_FIX};
    fzd_seed("decisions", pre, 1, f, (size_t)n, NULL, 0);
    fzd_seed("decisions-fix", fix, 1, f, (size_t)n, NULL, 0);
    /* a file of another geometry, and one whose slot numbers are at their end */
    hoc_put_u64(f + 24, REC + 8);
    fzd_seed("decisions-rec", pre, 1, f, (size_t)n, NULL, 0);
    hoc_put_u64(f + 24, REC);
    memset(f + HEAD, 0xff, 8); /* found so: ars_open took it, and ars_put then lost decisions */
    hoc_put_u64(f + HEAD + 8, slot_hash(f + HEAD));
    fzd_seed_one("crash-seqmax", pre, 1, f, (size_t)n);
    free(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    size_t n;
    uint8_t *f = fzd_body(data, size, &n);
    if (data[0] & FZD_FIX)
        for (size_t off = HEAD; off + SLOT <= n; off += SLOT)
            hoc_put_u64(f + off + 8, slot_hash(f + off));
    char path[512], dir[512], err[512] = "";
    snprintf(dir, sizeof dir, "%s", fzd_dir());
    file_name(path, sizeof path);
    fzd_write(strrchr(path, '/') + 1, f, n);
    ars_store s;
    if (ars_open(&s, dir, CID, 0, NINST, REC, err, sizeof err) != 0) {
        if (!strstr(err, path)) abort();
        free(f);
        fzd_clear();
        return 0;
    }
    uint8_t got[REC], mine[REC];
    for (int i = 0; i < NINST; i++) {
        size_t at = n >= HEAD ? newest(f, n, i) : 0;
        bool has = ars_get(&s, i, got);
        if (has != (at != 0) || (has && memcmp(got, f + at + 16, REC))) abort();
    }
    bool put[NINST];
    for (int i = 0; i < NINST; i++) {
        memset(mine, 'A' + i, REC);
        /* refused only when the sequence numbers are used up (then loudly) */
        bool last = s.seq[i] == UINT64_MAX - 1;
        put[i] = ars_put(&s, i, mine) == 0;
        if (put[i] == last || (!put[i] && errno != EOVERFLOW)) abort();
    }
    ars_close(&s);
    if (ars_open(&s, dir, CID, 0, NINST, REC, err, sizeof err) != 0) abort();
    for (int i = 0; i < NINST; i++) {
        memset(mine, 'A' + i, REC);
        if (put[i] && (!ars_get(&s, i, got) || memcmp(got, mine, REC))) abort();
    }
    ars_close(&s);
    free(f);
    fzd_clear();
    return 0;
}
