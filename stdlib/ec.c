/* ec.c: the C side of stdlib/ec.ho. Pure functions in the calling
 * convention of hoc's extern functions (each block with its length); no
 * state, so replicas, the simulator and the model checker may call them
 * anywhere. The coefficients are those of the erasure module's Cauchy generator. */
#include "ec.h"

#include <isa-l/erasure_code.h>
#include <stdbool.h>
#include <string.h>

#include "erasure.h"

/* P[row][col] = 1 / ((k + row) xor col), as gf_gen_cauchy1_matrix builds it. */
int64_t ec_coeff(int64_t k, int64_t m, int64_t row, int64_t col)
{
    if (k < 1 || m < 1 || k + m > 255 || row < 0 || row >= m || col < 0 || col >= k) return 0;
    return gf_inv((unsigned char)((k + row) ^ col));
}

/* out = a xor b over the shortest of the three lengths (out may be a or
 * b), eight bytes at a time: gcc -O2 left a byte loop a byte loop, 4 % of
 * the servers' CPU at 128 KiB writes (every op's delta is one). */
void ec_xor(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len, uint8_t *out,
            size_t out_len)
{
    size_t n = a_len < b_len ? a_len : b_len;
    erasure_xor(a, b, out, out_len < n ? out_len : n);
}

/* out[0..n) = sum of coef[i] * src[i][0..n) for the k sources (out may be
 * one of them, exactly): ISA-L's dot-product kernel over the whole 64-byte
 * chunks, a byte at a time over the rest. ISA-L itself would redo its last
 * chunk over an overlap, reading bytes it already wrote when out is a
 * source. A rebuild runs this on every block it solves: a byte at a time,
 * it was a tenth of a restarted machine's CPU at 128 KiB (docs/amalgam-performance.md,
 * "Rebuild rate, by the byte"). */
static void mul_sum(int k, const unsigned char *coef, const uint8_t *const *src, uint8_t *out,
                    size_t n)
{
    size_t bulk = n > 0x7fffffff ? 0 : n - n % 64;
    if (bulk > 0) {
        unsigned char tbls[2 * 32];
        unsigned char *in[2];
        for (int i = 0; i < k; i++) /* k is 1 or 2 here */
            in[i] = (unsigned char *)src[i];
        ec_init_tables(k, 1, (unsigned char *)coef, tbls);
        ec_encode_data((int)bulk, k, 1, tbls, in, &out);
    }
    for (size_t x = bulk; x < n; x++) {
        unsigned char v = 0;
        for (int i = 0; i < k; i++)
            v ^= gf_mul(coef[i], src[i][x]);
        out[x] = v;
    }
}

/* Does out[0..n) overlap a[0..n) without being it? */
static bool overlaps(const uint8_t *a, const uint8_t *out, size_t n)
{
    return a != out && a < out + n && out < a + n;
}

/* out = residual / P[row][data_index]. */
void ec_solve(int64_t k, int64_t m, int64_t row, int64_t data_index, const uint8_t *residual,
              size_t residual_len, uint8_t *out, size_t out_len)
{
    size_t n = residual_len < out_len ? residual_len : out_len;
    unsigned char coef = (unsigned char)ec_coeff(k, m, row, data_index);
    if (coef == 0 || overlaps(residual, out, n)) {
        memmove(out, residual, n);
        residual = out;
    }
    if (coef == 0) return;
    unsigned char inv = gf_inv(coef);
    mul_sum(1, &inv, &residual, out, n);
}

/* Cramer's rule on the 2x2 system: d_j = (P[b][i] r_a + P[a][i] r_b) / det
 * (minus is plus in GF(2^8)). */
void ec_solve2(int64_t k, int64_t m, int64_t row_a, int64_t row_b, int64_t data_index,
               int64_t other_index, const uint8_t *residual_a, size_t residual_a_len,
               const uint8_t *residual_b, size_t residual_b_len, uint8_t *out, size_t out_len)
{
    size_t n = residual_a_len < out_len ? residual_a_len : out_len;
    unsigned char aj = (unsigned char)ec_coeff(k, m, row_a, data_index);
    unsigned char ai = (unsigned char)ec_coeff(k, m, row_a, other_index);
    unsigned char bj = (unsigned char)ec_coeff(k, m, row_b, data_index);
    unsigned char bi = (unsigned char)ec_coeff(k, m, row_b, other_index);
    unsigned char det = gf_mul(aj, bi) ^ gf_mul(ai, bj);
    if (!aj || !ai || !bj || !bi || !det || residual_b_len < n) {
        memmove(out, residual_a, n);
        return;
    }
    unsigned char inv = gf_inv(det);
    unsigned char c[2] = {gf_mul(inv, bi), gf_mul(inv, ai)};
    if (overlaps(residual_a, out, n) || overlaps(residual_b, out, n)) {
        /* not a case hoc's generated code makes (its temporaries are apart) */
        for (size_t x = 0; x < n; x++)
            out[x] = gf_mul(c[0], residual_a[x]) ^ gf_mul(c[1], residual_b[x]);
        return;
    }
    const uint8_t *src[2] = {residual_a, residual_b};
    mul_sum(2, c, src, out, n);
}

/* out = parity + P[row][data_index] * delta, with ISA-L's update kernel. */
void ec_parity_update(int64_t k, int64_t m, int64_t row, int64_t data_index, const uint8_t *delta,
                      size_t delta_len, const uint8_t *parity, size_t parity_len, uint8_t *out,
                      size_t out_len)
{
    size_t n = parity_len < out_len ? parity_len : out_len;
    memmove(out, parity, n);
    unsigned char coef = (unsigned char)ec_coeff(k, m, row, data_index);
    if (coef == 0 || delta_len < n || n == 0 || n > 0x7fffffff) return;
    unsigned char tbls[32];
    ec_init_tables(1, 1, &coef, tbls);
    unsigned char *dst[1] = {out};
    ec_encode_data_update((int)n, 1, 1, 0, tbls, (unsigned char *)delta, dst);
}
