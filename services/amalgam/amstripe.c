/* amstripe.c: a stripe's parity checked and a block rebuilt (amstripe.h). */
#include "amstripe.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "erasure.h"

#define AMST_TRIES 100 /* 50 ms apart: ops pending for 5 s is an error */
#define AMST_MAXW 256  /* g + f + witnesses <= 63 (amcluster.h) */

/* What the positions of a stripe hold now: blocks and counters. */
typedef struct snap {
    bool up[AMST_MAXW];
    int64_t opn[AMST_MAXW], com[AMST_MAXW]; /* data positions */
    int64_t app[AMST_MAXW][AMST_MAXW];      /* parity position q: shard d's ops applied */
} snap;

/* Reads every data and parity position but `skip` (-1: none) into mem;
 * positions that do not answer are marked down when tolerate, else -1. */
static int take(amcl *cl, const amc_cluster *c, int64_t b, int skip, bool tolerate, uint8_t *mem,
                snap *sn, char *err, size_t errn)
{
    int g = c->geo.g, f = c->geo.f;
    size_t bl = (size_t)c->block;
    for (int p = 0; p < g + f; p++) {
        int64_t ctr[AMST_MAXW];
        int nc = AMST_MAXW;
        sn->up[p] = false;
        if (p == skip) continue;
        if (amcl_raw(cl, b, p, mem + bl * (size_t)p, ctr, &nc, err, errn)) {
            if (tolerate) continue;
            return -1;
        }
        if ((p < g && nc != 2) || (p >= g && nc != g)) {
            snprintf(err, errn, "stripe %lld position %d: unexpected AM.RAW counters", (long long)b,
                     p);
            return -1;
        }
        sn->up[p] = true;
        if (p < g)
            sn->opn[p] = ctr[0], sn->com[p] = ctr[1];
        else
            memcpy(sn->app[p], ctr, sizeof(int64_t) * (size_t)g);
    }
    return 0;
}

/* Do the data blocks up and the parity rows up describe the same ops: each
 * data block's ops all committed and applied by every parity row up, and the
 * rows agree on the shards that are down? */
static bool settled(const amc_cluster *c, const snap *sn)
{
    int g = c->geo.g, f = c->geo.f, first = -1;
    for (int q = g; q < g + f; q++) {
        if (!sn->up[q]) continue;
        for (int d = 0; d < g; d++) {
            if (sn->up[d] && (sn->com[d] != sn->opn[d] || sn->app[q][d] != sn->opn[d]))
                return false;
            if (!sn->up[d] && first >= 0 && sn->app[q][d] != sn->app[first][d]) return false;
        }
        if (first < 0) first = q;
    }
    return true;
}

static void pause_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

/* Runs fn on a settled snapshot of stripe b. */
static int with_snapshot(amcl *cl, const amc_cluster *c, int64_t b, int skip, bool tolerate,
                         int (*fn)(const amc_cluster *, const snap *, uint8_t *, void *, char *,
                                   size_t),
                         void *arg, char *err, size_t errn)
{
    size_t bl = (size_t)c->block;
    int n = c->geo.g + c->geo.f;
    uint8_t *mem = erasure_alloc(bl * (size_t)(n + c->geo.f));
    snap *sn = calloc(1, sizeof *sn);
    int rc = -1;
    if (!mem || !sn) {
        snprintf(err, errn, "out of memory");
        goto out;
    }
    for (int t = 0; t < AMST_TRIES; t++) {
        if (take(cl, c, b, skip, tolerate, mem, sn, err, errn)) goto out;
        if (settled(c, sn)) {
            rc = fn(c, sn, mem, arg, err, errn);
            goto out;
        }
        pause_ms(50);
    }
    snprintf(err, errn, "stripe %lld: ops still pending after %d s", (long long)b,
             AMST_TRIES * 50 / 1000);
out:
    erasure_free(mem);
    free(sn);
    return rc;
}

static int check_rows(const amc_cluster *c, const snap *sn, uint8_t *mem, void *arg, char *err,
                      size_t errn)
{
    int g = c->geo.g, f = c->geo.f;
    size_t bl = (size_t)c->block;
    const uint8_t *data[AMST_MAXW];
    uint8_t *par[AMST_MAXW];
    erasure_code *code = NULL;
    (void)sn, (void)arg;
    for (int s = 0; s < g; s++)
        data[s] = mem + bl * (size_t)s;
    for (int r = 0; r < f; r++)
        par[r] = mem + bl * (size_t)(g + f + r); /* scratch past the stripe */
    if (erasure_code_new(g, f, &code) != ERASURE_OK ||
        erasure_encode(code, data, par, bl) != ERASURE_OK) {
        erasure_code_free(code);
        snprintf(err, errn, "cannot encode (g = %d, f = %d, %zu bytes)", g, f, bl);
        return -1;
    }
    erasure_code_free(code);
    for (int r = 0; r < f; r++)
        if (memcmp(par[r], mem + bl * (size_t)(g + r), bl) != 0) {
            snprintf(err, errn, "parity row %d differs from the code of the stripe's data", r);
            return 1;
        }
    return 0;
}

int amst_verify(amcl *cl, const amc_cluster *c, int64_t b, char *err, size_t errn)
{
    return with_snapshot(cl, c, b, -1, false, check_rows, NULL, err, errn);
}

typedef struct want {
    int shard;
    uint8_t *out;
} want;

static int rebuild(const amc_cluster *c, const snap *sn, uint8_t *mem, void *arg, char *err,
                   size_t errn)
{
    want *w = arg;
    int g = c->geo.g, f = c->geo.f, avail[AMST_MAXW], na = 0;
    size_t bl = (size_t)c->block;
    for (int p = 0; p < g + f && na < g; p++)
        if (sn->up[p]) avail[na++] = p;
    if (na < g) {
        snprintf(err, errn, "only %d of the stripe's positions answered; %d are needed", na, g);
        return -1;
    }
    uint8_t *blocks[AMST_MAXW];
    for (int p = 0; p < g + f; p++)
        blocks[p] = mem + bl * (size_t)p;
    erasure_code *code = NULL;
    erasure_decoder *d = NULL;
    erasure_err e = erasure_code_new(g, f, &code);
    if (e == ERASURE_OK) e = erasure_decoder_new(code, &d);
    if (e == ERASURE_OK) e = erasure_decode(d, avail, na, &w->shard, 1, blocks, bl);
    erasure_decoder_free(d);
    erasure_code_free(code);
    if (e != ERASURE_OK) {
        snprintf(err, errn, "cannot decode: %s", erasure_strerror(e));
        return -1;
    }
    memcpy(w->out, blocks[w->shard], bl);
    return 0;
}

int amst_decode(amcl *cl, const amc_cluster *c, int64_t b, int s, uint8_t *out, char *err,
                size_t errn)
{
    want w = {s, out};
    return with_snapshot(cl, c, b, s, true, rebuild, &w, err, errn);
}
