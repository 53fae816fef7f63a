/* ec.h: the C side of stdlib/ec.ho, in the calling convention of hoc's
 * extern functions: each block followed by its length, a block result
 * written to a trailing (out, out_len). Generated code declares these
 * itself from the .ho declarations; this header is for C callers. */
#ifndef HOC_STDLIB_EC_H
#define HOC_STDLIB_EC_H

#include <stddef.h>
#include <stdint.h>

/* P[row][col] of the (k+m, k) Cauchy code, 0 when out of range. */
int64_t ec_coeff(int64_t k, int64_t m, int64_t row, int64_t col);
/* out = a xor b over the shortest of the three lengths. */
void ec_xor(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len, uint8_t *out,
            size_t out_len);
/* out = parity + P[row][data_index] * delta; parity unchanged when out of range. */
void ec_parity_update(int64_t k, int64_t m, int64_t row, int64_t data_index, const uint8_t *delta,
                      size_t delta_len, const uint8_t *parity, size_t parity_len, uint8_t *out,
                      size_t out_len);
/* out = residual / P[row][data_index]: the data block d with
 * P[row][data_index] * d == residual; residual unchanged when out of range. */
void ec_solve(int64_t k, int64_t m, int64_t row, int64_t data_index, const uint8_t *residual,
              size_t residual_len, uint8_t *out, size_t out_len);
/* out = d_j where residual_a = P[a][j] d_j + P[a][i] d_i and residual_b likewise
 * (two lost data blocks j and i, two parity rows a and b); residual_a
 * unchanged when out of range or a == b or j == i. */
void ec_solve2(int64_t k, int64_t m, int64_t row_a, int64_t row_b, int64_t data_index,
               int64_t other_index, const uint8_t *residual_a, size_t residual_a_len,
               const uint8_t *residual_b, size_t residual_b_len, uint8_t *out, size_t out_len);

#endif
