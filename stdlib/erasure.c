/*
 * erasure — systematic Cauchy MDS erasure code over GF(2^8), on ISA-L.
 *
 * ISA-L does the byte crunching; this file owns the matrices, the argument
 * checking and the decode-matrix derivation. Table layout (from ISA-L's
 * ec_init_tables): for a coefficient matrix of `rows` x k, row r column j
 * expands to 32 bytes at offset 32 * (r * k + j). So the m parity rows'
 * tables are m consecutive 32*k-byte slices, and row r's slice alone is a
 * valid 1-row table set for ec_encode_data_update.
 */
#include "erasure.h"

#include <stdlib.h>
#include <string.h>

#include <isa-l/erasure_code.h>

struct erasure_code {
    int k, m;
    uint8_t *matrix; /* (k+m) x k generator, row-major: identity, then the parity rows P */
    uint8_t *tbls;   /* 32 * k * m expanded tables for P */
};

struct erasure_row {
    int k, row;
    uint8_t tbls[]; /* 32 * k bytes: the slice of erasure_code.tbls for this row */
};

struct erasure_decoder {
    const erasure_code *code;
    /* The last erasure pattern, so that repeated decodes with the same
     * survivors and wanted blocks skip the O(k^3) inversion. */
    int cached;
    int n_want;
    int *sel;  /* k survivor indices used */
    int *want; /* n_want wanted indices (at most m) */
    uint8_t *mark;
    uint8_t *b, *binv; /* k x k */
    uint8_t *d;        /* m x k decode coefficients */
    uint8_t *tbls;     /* 32 * k * m */
    uint8_t **src;     /* k */
    uint8_t **dst;     /* m */
};

/* Returns a static human-readable message for e; never NULL. */
const char *erasure_strerror(erasure_err e)
{
    switch (e) {
    case ERASURE_OK:
        return "success";
    case ERASURE_EBADK:
        return "k must be at least 1";
    case ERASURE_EBADM:
        return "m must be at least 1";
    case ERASURE_ETOOBIG:
        return "k + m must be at most 255";
    case ERASURE_EBADLEN:
        return "block length must be a non-zero multiple of 64 and at most ERASURE_MAX_LEN";
    case ERASURE_EBADINDEX:
        return "block index out of range, repeated, or NULL buffer";
    case ERASURE_ETOOFEW:
        return "fewer than k surviving blocks";
    case ERASURE_ESINGULAR:
        return "survivor matrix is singular";
    case ERASURE_ENOMEM:
        return "out of memory";
    }
    return "unknown erasure-coding error";
}

/* Returns size bytes aligned to ERASURE_LEN_ALIGN, or NULL on failure or size 0; free with erasure_free. */
void *erasure_alloc(size_t size)
{
    void *p = NULL;
    if (size == 0) return NULL;
    if (posix_memalign(&p, ERASURE_LEN_ALIGN, size) != 0) return NULL;
    return p;
}

/* Frees memory from erasure_alloc; NULL is a no-op. */
void erasure_free(void *p)
{
    free(p);
}

/* Returns ERASURE_OK if len is a supported block length (see erasure.h), else ERASURE_EBADLEN. */
erasure_err erasure_check_len(size_t len)
{
    if (len == 0 || len % ERASURE_LEN_ALIGN != 0 || len > ERASURE_MAX_LEN) return ERASURE_EBADLEN;
    return ERASURE_OK;
}

static erasure_err check_km(int k, int m)
{
    if (k < 1) return ERASURE_EBADK;
    if (m < 1) return ERASURE_EBADM;
    /* Sum in long long: k and m are arbitrary ints from the caller. */
    if ((long long)k + m > ERASURE_MAX_N) return ERASURE_ETOOBIG;
    return ERASURE_OK;
}

/* Builds the (k+m, k) code into *out; on error *out is NULL. Free with erasure_code_free. */
erasure_err erasure_code_new(int k, int m, erasure_code **out)
{
    *out = NULL;
    erasure_err e = check_km(k, m);
    if (e != ERASURE_OK) return e;
    erasure_code *c = calloc(1, sizeof *c);
    if (!c) return ERASURE_ENOMEM;
    c->k = k;
    c->m = m;
    c->matrix = malloc((size_t)(k + m) * (size_t)k);
    c->tbls = erasure_alloc((size_t)32 * (size_t)k * (size_t)m);
    if (!c->matrix || !c->tbls) {
        erasure_code_free(c);
        return ERASURE_ENOMEM;
    }
    /* Cauchy, not gf_gen_rs_matrix: ISA-L's Vandermonde-derived generator is
     * only guaranteed MDS for small m, and decode relies on every k-subset of
     * rows being invertible. */
    gf_gen_cauchy1_matrix(c->matrix, k + m, k);
    ec_init_tables(k, m, c->matrix + (size_t)k * (size_t)k, c->tbls);
    *out = c;
    return ERASURE_OK;
}

/* Frees a code; NULL is a no-op. Rows and decoders made from it must not be used after. */
void erasure_code_free(erasure_code *code)
{
    if (!code) return;
    free(code->matrix);
    erasure_free(code->tbls);
    free(code);
}

/* Returns the number of data blocks k. */
int erasure_code_k(const erasure_code *code)
{
    return code->k;
}

/* Returns the number of parity blocks m. */
int erasure_code_m(const erasure_code *code)
{
    return code->m;
}

/* Returns generator entry (row, col), row in [0, k+m), col in [0, k); 0 when out of range. */
uint8_t erasure_code_coeff(const erasure_code *code, int row, int col)
{
    if (row < 0 || row >= code->k + code->m || col < 0 || col >= code->k) return 0;
    return code->matrix[(size_t)row * (size_t)code->k + (size_t)col];
}

/* Writes the m parity blocks of the k data blocks; all blocks are len bytes. */
erasure_err erasure_encode(const erasure_code *code, const uint8_t *const *data, uint8_t *const *parity,
                   size_t len)
{
    erasure_err e = erasure_check_len(len);
    if (e != ERASURE_OK) return e;
    /* ISA-L's prototypes lack const but never write the sources or the pointer arrays. */
    ec_encode_data((int)len, code->k, code->m, code->tbls, (unsigned char **)data,
                   (unsigned char **)parity);
    return ERASURE_OK;
}

static erasure_err check_update(int k, int data_index, const uint8_t *delta, size_t len)
{
    erasure_err e = erasure_check_len(len);
    if (e != ERASURE_OK) return e;
    if (data_index < 0 || data_index >= k || !delta) return ERASURE_EBADINDEX;
    return ERASURE_OK;
}

/* Folds delta of data block data_index into parity row `row`: parity ^= P[row][data_index]*delta.
 */
erasure_err erasure_update_row(const erasure_code *code, int row, int data_index, const uint8_t *delta,
                       uint8_t *parity, size_t len)
{
    erasure_err e = check_update(code->k, data_index, delta, len);
    if (e != ERASURE_OK) return e;
    if (row < 0 || row >= code->m || !parity) return ERASURE_EBADINDEX;
    unsigned char *dst[1] = {parity};
    ec_encode_data_update((int)len, code->k, 1, data_index,
                          code->tbls + (size_t)32 * (size_t)code->k * (size_t)row,
                          (unsigned char *)delta, dst);
    return ERASURE_OK;
}

/* Folds delta of data block data_index into all m parity blocks parity[0..m) in one pass. */
erasure_err erasure_update_all(const erasure_code *code, int data_index, const uint8_t *delta,
                       uint8_t *const *parity, size_t len)
{
    erasure_err e = check_update(code->k, data_index, delta, len);
    if (e != ERASURE_OK) return e;
    if (!parity) return ERASURE_EBADINDEX;
    ec_encode_data_update((int)len, code->k, code->m, data_index, code->tbls,
                          (unsigned char *)delta, (unsigned char **)parity);
    return ERASURE_OK;
}

/* Copies parity row `row`'s tables out of code into *out (32*k bytes); code may be freed after. */
erasure_err erasure_row_new(const erasure_code *code, int row, erasure_row **out)
{
    *out = NULL;
    if (row < 0 || row >= code->m) return ERASURE_EBADINDEX;
    size_t tl = (size_t)32 * (size_t)code->k;
    erasure_row *r = malloc(sizeof *r + tl);
    if (!r) return ERASURE_ENOMEM;
    r->k = code->k;
    r->row = row;
    memcpy(r->tbls, code->tbls + tl * (size_t)row, tl);
    *out = r;
    return ERASURE_OK;
}

/* Frees a row; NULL is a no-op. */
void erasure_row_free(erasure_row *r)
{
    free(r);
}

/* Same as erasure_update_row for the row r was made for, using only r's tables. */
erasure_err erasure_row_update(const erasure_row *r, int data_index, const uint8_t *delta, uint8_t *parity,
                       size_t len)
{
    erasure_err e = check_update(r->k, data_index, delta, len);
    if (e != ERASURE_OK) return e;
    if (!parity) return ERASURE_EBADINDEX;
    unsigned char *dst[1] = {parity};
    /* The table argument is not const in ISA-L's prototype; it is only read. */
    ec_encode_data_update((int)len, r->k, 1, data_index, (unsigned char *)r->tbls,
                          (unsigned char *)delta, dst);
    return ERASURE_OK;
}

/* Makes a decoder for code with all scratch preallocated; code must outlive it. */
erasure_err erasure_decoder_new(const erasure_code *code, erasure_decoder **out)
{
    *out = NULL;
    size_t k = (size_t)code->k, m = (size_t)code->m;
    erasure_decoder *d = calloc(1, sizeof *d);
    if (!d) return ERASURE_ENOMEM;
    d->code = code;
    d->sel = malloc(k * sizeof *d->sel);
    d->want = malloc(m * sizeof *d->want);
    d->mark = malloc(k + m);
    d->b = malloc(k * k);
    d->binv = malloc(k * k);
    d->d = malloc(m * k);
    d->tbls = erasure_alloc(32 * k * m);
    d->src = malloc(k * sizeof *d->src);
    d->dst = malloc(m * sizeof *d->dst);
    if (!d->sel || !d->want || !d->mark || !d->b || !d->binv || !d->d || !d->tbls || !d->src ||
        !d->dst) {
        erasure_decoder_free(d);
        return ERASURE_ENOMEM;
    }
    *out = d;
    return ERASURE_OK;
}

/* Frees a decoder; NULL is a no-op. */
void erasure_decoder_free(erasure_decoder *d)
{
    if (!d) return;
    free(d->sel);
    free(d->want);
    free(d->mark);
    free(d->b);
    free(d->binv);
    free(d->d);
    erasure_free(d->tbls);
    free(d->src);
    free(d->dst);
    free(d);
}

/* Validates indices: avail and want in range, no repeats, disjoint, and buffers non-NULL for
 * the blocks that will be touched. */
static erasure_err check_pattern(erasure_decoder *d, const int *avail, int n_avail, const int *want,
                             int n_want, uint8_t *const *blocks)
{
    int k = d->code->k, n = k + d->code->m;
    if (n_avail < 0 || n_want < 0 || (n_avail > 0 && !avail) || (n_want > 0 && !want) || !blocks)
        return ERASURE_EBADINDEX;
    memset(d->mark, 0, (size_t)n);
    for (int i = 0; i < n_avail; i++) {
        int b = avail[i];
        if (b < 0 || b >= n || d->mark[b]) return ERASURE_EBADINDEX;
        d->mark[b] = 1;
        if (i < k && !blocks[b]) return ERASURE_EBADINDEX;
    }
    for (int i = 0; i < n_want; i++) {
        int b = want[i];
        if (b < 0 || b >= n || d->mark[b] || !blocks[b]) return ERASURE_EBADINDEX;
        d->mark[b] = 1;
    }
    if (n_avail < k) return ERASURE_ETOOFEW;
    return ERASURE_OK;
}

/* Derives the decode coefficients for survivors sel[0..k) and wanted blocks want[0..n_want). */
static erasure_err build_decode(erasure_decoder *d)
{
    const erasure_code *c = d->code;
    size_t k = (size_t)c->k;
    for (size_t i = 0; i < k; i++)
        memcpy(d->b + i * k, c->matrix + (size_t)d->sel[i] * k, k);
    /* The Cauchy construction makes this impossible, but a wrong matrix would
     * silently produce garbage blocks, so the result is checked anyway. */
    if (gf_invert_matrix(d->b, d->binv, (int)k) != 0) return ERASURE_ESINGULAR;
    /* Block w is G[w] * data = G[w] * Binv * survivors; for a data block
     * G[w] is a unit row, so its coefficients are just row w of Binv. */
    for (int r = 0; r < d->n_want; r++) {
        size_t w = (size_t)d->want[r];
        uint8_t *row = d->d + (size_t)r * k;
        if (w < k) {
            memcpy(row, d->binv + w * k, k);
            continue;
        }
        const uint8_t *g = c->matrix + w * k;
        for (size_t j = 0; j < k; j++) {
            uint8_t s = 0;
            for (size_t i = 0; i < k; i++)
                s ^= gf_mul(g[i], d->binv[i * k + j]);
            row[j] = s;
        }
    }
    ec_init_tables((int)k, d->n_want, d->d, d->tbls);
    return ERASURE_OK;
}

/* Rebuilds blocks want[0..n_want) from the first k blocks listed in avail; blocks[] is indexed
 * by block number (data 0..k-1, parity k..k+m-1), wanted buffers must not overlap survivors. */
erasure_err erasure_decode(erasure_decoder *d, const int *avail, int n_avail, const int *want, int n_want,
                   uint8_t *const *blocks, size_t len)
{
    int k = d->code->k;
    erasure_err e = erasure_check_len(len);
    if (e != ERASURE_OK) return e;
    e = check_pattern(d, avail, n_avail, want, n_want, blocks);
    if (e != ERASURE_OK) return e;
    if (n_want == 0) return ERASURE_OK;

    int same = d->cached && d->n_want == n_want &&
               memcmp(d->sel, avail, (size_t)k * sizeof *avail) == 0 &&
               memcmp(d->want, want, (size_t)n_want * sizeof *want) == 0;
    if (!same) {
        memcpy(d->sel, avail, (size_t)k * sizeof *avail);
        memcpy(d->want, want, (size_t)n_want * sizeof *want);
        d->n_want = n_want;
        d->cached = 0;
        e = build_decode(d);
        if (e != ERASURE_OK) return e;
        d->cached = 1;
    }
    for (int i = 0; i < k; i++)
        d->src[i] = blocks[avail[i]];
    for (int r = 0; r < n_want; r++)
        d->dst[r] = blocks[want[r]];
    ec_encode_data((int)len, k, n_want, d->tbls, d->src, d->dst);
    return ERASURE_OK;
}
