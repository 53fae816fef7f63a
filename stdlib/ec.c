/* ec.c: the C side of stdlib/ec.ho. Pure functions in the calling
 * convention of hoc's extern functions (each block with its length); no
 * state, so replicas, the simulator and the model checker may call them
 * anywhere. The coefficients are those of the erasure module's Cauchy generator. */
#include "ec.h"

#include <isa-l/erasure_code.h>
#include <string.h>

/* P[row][col] = 1 / ((k + row) xor col), as gf_gen_cauchy1_matrix builds it. */
int64_t ec_coeff(int64_t k, int64_t m, int64_t row, int64_t col)
{
    if (k < 1 || m < 1 || k + m > 255 || row < 0 || row >= m || col < 0 || col >= k) return 0;
    return gf_inv((unsigned char)((k + row) ^ col));
}

/* out = a xor b over the shortest of the three lengths. Eight bytes at a
 * time (out may be a or b): gcc -O2 left the byte loop a byte loop, 4 % of
 * the servers' CPU at 128 KiB writes (every op's delta is one). The loop
 * of erasure_xor, which this file cannot call: hoc sim and hoc check
 * compile it alone, as ec.ho's companion, without erasure.c. */
void ec_xor(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len, uint8_t *out,
            size_t out_len)
{
    size_t n = a_len < b_len ? a_len : b_len;
    if (out_len < n) n = out_len;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t x, y;
        memcpy(&x, a + i, 8);
        memcpy(&y, b + i, 8);
        x ^= y;
        memcpy(out + i, &x, 8);
    }
    for (; i < n; i++)
        out[i] = a[i] ^ b[i];
}

/* out = residual / P[row][data_index], a byte at a time in GF(2^8): decoding
 * is rare (recovery), so no table is worth building. */
void ec_solve(int64_t k, int64_t m, int64_t row, int64_t data_index, const uint8_t *residual,
              size_t residual_len, uint8_t *out, size_t out_len)
{
    size_t n = residual_len < out_len ? residual_len : out_len;
    memmove(out, residual, n);
    unsigned char coef = (unsigned char)ec_coeff(k, m, row, data_index);
    if (coef == 0) return;
    unsigned char inv = gf_inv(coef);
    for (size_t i = 0; i < n; i++)
        out[i] = gf_mul(inv, out[i]);
}

/* Cramer's rule on the 2x2 system, a byte at a time: d_j = (P[b][i] r_a +
 * P[a][i] r_b) / det (minus is plus in GF(2^8)). */
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
    unsigned char ca = gf_mul(inv, bi), cb = gf_mul(inv, ai);
    for (size_t x = 0; x < n; x++)
        out[x] = gf_mul(ca, residual_a[x]) ^ gf_mul(cb, residual_b[x]);
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
