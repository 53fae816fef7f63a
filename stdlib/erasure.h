/*
 * erasure — systematic (k+m, k) MDS erasure code over GF(2^8), on ISA-L.
 *
 * A stripe is n = k + m equal-length blocks: data blocks 0..k-1 and parity
 * blocks k..k+m-1 (parity row r is block k + r). The generator is ISA-L's
 * Cauchy matrix (identity on top, 1/(i ^ j) below), so any k of the n blocks
 * determine the other m. See docs/erasure-coding.md for the algebra and for how
 * Amalgam uses it.
 *
 * Block lengths: every function that runs ISA-L takes a block length `len`
 * that must be a non-zero multiple of ERASURE_LEN_ALIGN (64) and at most
 * ERASURE_MAX_LEN; otherwise it returns ERASURE_EBADLEN and touches nothing.
 * ISA-L itself accepts any int length (short ones fall back to scalar code,
 * its vector kernels have tail paths), but its own tests concentrate on
 * lengths that are multiples of the vector width; requiring whole 64-byte
 * vectors keeps every kernel, up to AVX-512, on its main path and matches the
 * allocation granularity below.
 *
 * Buffers: any alignment works; 64-byte alignment (erasure_alloc) is faster.
 *
 * Allocation: only the *_new functions allocate. Encode, update and decode
 * never allocate, so they can sit on a hot path or in generated code.
 *
 * Threads: a erasure_code and a erasure_row are immutable after creation and may be
 * shared. A erasure_decoder caches its last erasure pattern, so use one per
 * thread.
 */
#ifndef HOC_HEC_H
#define HOC_HEC_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define ERASURE_LEN_ALIGN 64
#define ERASURE_MAX_LEN ((size_t)0x7fffffc0) /* largest multiple of 64 that fits ISA-L's int len   \
                                              */
#define ERASURE_MAX_N 255 /* k + m limit: Cauchy points must be distinct in GF(2^8) */

typedef enum erasure_err {
    ERASURE_OK = 0,
    ERASURE_EBADK,     /* k < 1 */
    ERASURE_EBADM,     /* m < 1: a code without parity protects nothing */
    ERASURE_ETOOBIG,   /* k + m > ERASURE_MAX_N */
    ERASURE_EBADLEN,   /* len == 0, len % ERASURE_LEN_ALIGN != 0, or len > ERASURE_MAX_LEN */
    ERASURE_EBADINDEX, /* block, row or data index out of range, repeated, or NULL buffer */
    ERASURE_ETOOFEW,   /* decode given fewer than k surviving blocks */
    ERASURE_ESINGULAR, /* survivor matrix not invertible (impossible for an MDS code: a bug) */
    ERASURE_ENOMEM,    /* allocation failed in a *_new function */
} erasure_err;

typedef struct erasure_code erasure_code;
typedef struct erasure_row erasure_row;
typedef struct erasure_decoder erasure_decoder;

/* ---- errors and memory ---- */

/* Static message for an error code. */
const char *erasure_strerror(erasure_err e);
/* 64-byte aligned allocation (NULL for size 0 or on failure); release with erasure_free. */
void *erasure_alloc(size_t size);
/* Releases what erasure_alloc returned; NULL is a no-op. */
void erasure_free(void *p);
/* ERASURE_OK iff len is a supported block length. */
erasure_err erasure_check_len(size_t len);

/* ---- the code ---- */

/* Builds the code for k data and m parity blocks: 1 <= k, 1 <= m, k + m <= 255.
 * Errors: ERASURE_EBADK, ERASURE_EBADM, ERASURE_ETOOBIG, ERASURE_ENOMEM (then *out == NULL). */
erasure_err erasure_code_new(int k, int m, erasure_code **out);
/* Frees a code; NULL is a no-op. Rows and decoders borrowing it must be freed first. */
void erasure_code_free(erasure_code *code);
/* The number of data blocks k of a code. */
int erasure_code_k(const erasure_code *code);
/* The number of parity blocks m of a code. */
int erasure_code_m(const erasure_code *code);
/* Generator entry G[row][col] (row < k+m, col < k). Rows 0..k-1 are the identity;
 * P[r][j] = G[k + r][j] = 1 / ((k + r) ^ j) in GF(2^8) (ISA-L's Cauchy matrix). */
uint8_t erasure_code_coeff(const erasure_code *code, int row, int col);

/* ---- encode: k data blocks -> m parity blocks ---- */

/* parity[r] = sum_j P[r][j] * data[j] for r < m. data has k pointers, parity m. */
erasure_err erasure_encode(const erasure_code *code, const uint8_t *const *data,
                           uint8_t *const *parity, size_t len);

/* ---- deltas and parity updates ----
 *
 * When data block j changes from d to d', its delta is x = d ^ d' and every
 * parity block becomes p_r' = p_r ^ P[r][j] * x. Updates commute: applying the
 * deltas of any set of writes in any order, each exactly once, yields the
 * parity of the final data. A data server computes x with erasure_xor and ships
 * it; a parity server applies it with erasure_update_row / erasure_row_update. */

/* out = a ^ b bytewise, any len (including 0); out may alias a or b. The
 * delta of a write is erasure_xor(old, new), and erasure_xor(old, delta)
 * gives new back. Inline, so that stdlib/ec.c, which hoc sim and hoc check
 * compile alone as ec.ho's companion (without erasure.c), shares it. */
static inline void erasure_xor(const uint8_t *a, const uint8_t *b, uint8_t *out, size_t len)
{
    size_t i = 0;
    /* Word-at-a-time through memcpy: alignment-agnostic and alias-safe, and
     * 8x the byte loop at -O2 where GCC does not vectorise with alias checks. */
    for (; i + 8 <= len; i += 8) {
        uint64_t x, y;
        memcpy(&x, a + i, 8);
        memcpy(&y, b + i, 8);
        x ^= y;
        memcpy(out + i, &x, 8);
    }
    for (; i < len; i++)
        out[i] = a[i] ^ b[i];
}
/* parity ^= P[row][data_index] * delta; row < m, data_index < k. Errors: ERASURE_EBADLEN,
 * ERASURE_EBADINDEX. For generated code: fixed-size blocks, no allocation. */
erasure_err erasure_update_row(const erasure_code *code, int row, int data_index,
                               const uint8_t *delta, uint8_t *parity, size_t len);
/* parity[r] ^= P[r][data_index] * delta for all r < m, in one pass over delta. */
erasure_err erasure_update_all(const erasure_code *code, int data_index, const uint8_t *delta,
                               uint8_t *const *parity, size_t len);

/* A parity server that owns one row keeps only that row's 32*k bytes of
 * tables: erasure_row_new copies them out (the code may be freed afterwards) and
 * erasure_row_update behaves exactly like erasure_update_row for that row. */
erasure_err erasure_row_new(const erasure_code *code, int row, erasure_row **out);
/* Frees a row; NULL is a no-op. */
void erasure_row_free(erasure_row *r);
erasure_err erasure_row_update(const erasure_row *r, int data_index, const uint8_t *delta,
                               uint8_t *parity, size_t len);

/* ---- decode: any k surviving blocks -> any lost blocks ---- */

/* A decoder holds the scratch for decoding (so erasure_decode never allocates) and
 * caches the last pattern's decode tables. It borrows code, which must outlive it. */
erasure_err erasure_decoder_new(const erasure_code *code, erasure_decoder **out);
/* Frees a decoder; NULL is a no-op. */
void erasure_decoder_free(erasure_decoder *d);
/* blocks[] has k+m entries indexed by block number (data 0..k-1, parity
 * k..k+m-1). The first k indices of avail[0..n_avail) are read; each block in
 * want[0..n_want) (data or parity) is rebuilt into blocks[want[i]]. avail and
 * want must be in range, without repeats, and disjoint; entries of blocks not
 * read or written may be NULL. Errors: ERASURE_EBADLEN, ERASURE_EBADINDEX,
 * ERASURE_ETOOFEW (n_avail < k), ERASURE_ESINGULAR (never for this code). */
erasure_err erasure_decode(erasure_decoder *d, const int *avail, int n_avail, const int *want,
                           int n_want, uint8_t *const *blocks, size_t len);

#endif
