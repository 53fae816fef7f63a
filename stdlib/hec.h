/*
 * hec — systematic (k+m, k) MDS erasure code over GF(2^8), on ISA-L.
 *
 * A stripe is n = k + m equal-length blocks: data blocks 0..k-1 and parity
 * blocks k..k+m-1 (parity row r is block k + r). The generator is ISA-L's
 * Cauchy matrix (identity on top, 1/(i ^ j) below), so any k of the n blocks
 * determine the other m. See docs/coding.md for the algebra and for how
 * Amalgam uses it.
 *
 * Block lengths: every function that runs ISA-L takes a block length `len`
 * that must be a non-zero multiple of HEC_LEN_ALIGN (64) and at most
 * HEC_MAX_LEN; otherwise it returns HEC_EBADLEN and touches nothing.
 * ISA-L itself accepts any int length (short ones fall back to scalar code,
 * its vector kernels have tail paths), but its own tests concentrate on
 * lengths that are multiples of the vector width; requiring whole 64-byte
 * vectors keeps every kernel, up to AVX-512, on its main path and matches the
 * allocation granularity below.
 *
 * Buffers: any alignment works; 64-byte alignment (hec_alloc) is faster.
 *
 * Allocation: only the *_new functions allocate. Encode, update and decode
 * never allocate, so they can sit on a hot path or in generated code.
 *
 * Threads: a hec_code and a hec_row are immutable after creation and may be
 * shared. A hec_decoder caches its last erasure pattern, so use one per
 * thread.
 */
#ifndef HOC_HEC_H
#define HOC_HEC_H

#include <stddef.h>
#include <stdint.h>

#define HEC_LEN_ALIGN 64
#define HEC_MAX_LEN ((size_t)0x7fffffc0) /* largest multiple of 64 that fits ISA-L's int len */
#define HEC_MAX_N 255 /* k + m limit: Cauchy points must be distinct in GF(2^8) */

typedef enum hec_err {
    HEC_OK = 0,
    HEC_EBADK,     /* k < 1 */
    HEC_EBADM,     /* m < 1: a code without parity protects nothing */
    HEC_ETOOBIG,   /* k + m > HEC_MAX_N */
    HEC_EBADLEN,   /* len == 0, len % HEC_LEN_ALIGN != 0, or len > HEC_MAX_LEN */
    HEC_EBADINDEX, /* block, row or data index out of range, repeated, or NULL buffer */
    HEC_ETOOFEW,   /* decode given fewer than k surviving blocks */
    HEC_ESINGULAR, /* survivor matrix not invertible (impossible for an MDS code: a bug) */
    HEC_ENOMEM,    /* allocation failed in a *_new function */
} hec_err;

typedef struct hec_code hec_code;
typedef struct hec_row hec_row;
typedef struct hec_decoder hec_decoder;

/* ---- errors and memory ---- */

/* Static message for an error code. */
const char *hec_strerror(hec_err e);
/* 64-byte aligned allocation (NULL for size 0 or on failure); release with hec_free. */
void *hec_alloc(size_t size);
void hec_free(void *p);
/* HEC_OK iff len is a supported block length. */
hec_err hec_check_len(size_t len);

/* ---- the code ---- */

/* Builds the code for k data and m parity blocks: 1 <= k, 1 <= m, k + m <= 255.
 * Errors: HEC_EBADK, HEC_EBADM, HEC_ETOOBIG, HEC_ENOMEM (then *out == NULL). */
hec_err hec_code_new(int k, int m, hec_code **out);
void hec_code_free(hec_code *code);
int hec_code_k(const hec_code *code);
int hec_code_m(const hec_code *code);
/* Generator entry G[row][col] (row < k+m, col < k). Rows 0..k-1 are the identity;
 * P[r][j] = G[k + r][j] = 1 / ((k + r) ^ j) in GF(2^8) (ISA-L's Cauchy matrix). */
uint8_t hec_code_coeff(const hec_code *code, int row, int col);

/* ---- encode: k data blocks -> m parity blocks ---- */

/* parity[r] = sum_j P[r][j] * data[j] for r < m. data has k pointers, parity m. */
hec_err hec_encode(const hec_code *code, const uint8_t *const *data, uint8_t *const *parity,
                   size_t len);

/* ---- deltas and parity updates ----
 *
 * When data block j changes from d to d', its delta is x = d ^ d' and every
 * parity block becomes p_r' = p_r ^ P[r][j] * x. Updates commute: applying the
 * deltas of any set of writes in any order, each exactly once, yields the
 * parity of the final data. A data server computes x with hec_xor and ships
 * it; a parity server applies it with hec_update_row / hec_row_update. */

/* out = a ^ b bytewise, any len (including 0); out may alias a or b. */
void hec_xor(const uint8_t *a, const uint8_t *b, uint8_t *out, size_t len);
/* parity ^= P[row][data_index] * delta; row < m, data_index < k. Errors: HEC_EBADLEN,
 * HEC_EBADINDEX. For generated code: fixed-size blocks, no allocation. */
hec_err hec_update_row(const hec_code *code, int row, int data_index, const uint8_t *delta,
                       uint8_t *parity, size_t len);
/* parity[r] ^= P[r][data_index] * delta for all r < m, in one pass over delta. */
hec_err hec_update_all(const hec_code *code, int data_index, const uint8_t *delta,
                       uint8_t *const *parity, size_t len);

/* A parity server that owns one row keeps only that row's 32*k bytes of
 * tables: hec_row_new copies them out (the code may be freed afterwards) and
 * hec_row_update behaves exactly like hec_update_row for that row. */
hec_err hec_row_new(const hec_code *code, int row, hec_row **out);
void hec_row_free(hec_row *r);
hec_err hec_row_update(const hec_row *r, int data_index, const uint8_t *delta, uint8_t *parity,
                       size_t len);

/* ---- decode: any k surviving blocks -> any lost blocks ---- */

/* A decoder holds the scratch for decoding (so hec_decode never allocates) and
 * caches the last pattern's decode tables. It borrows code, which must outlive it. */
hec_err hec_decoder_new(const hec_code *code, hec_decoder **out);
void hec_decoder_free(hec_decoder *d);
/* blocks[] has k+m entries indexed by block number (data 0..k-1, parity
 * k..k+m-1). The first k indices of avail[0..n_avail) are read; each block in
 * want[0..n_want) (data or parity) is rebuilt into blocks[want[i]]. avail and
 * want must be in range, without repeats, and disjoint; entries of blocks not
 * read or written may be NULL. Errors: HEC_EBADLEN, HEC_EBADINDEX,
 * HEC_ETOOFEW (n_avail < k), HEC_ESINGULAR (never for this code). */
hec_err hec_decode(hec_decoder *d, const int *avail, int n_avail, const int *want, int n_want,
                   uint8_t *const *blocks, size_t len);

#endif
