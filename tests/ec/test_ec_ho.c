/* The .ho-facing functions of stdlib/ec.c must agree with the erasure module:
 * same coefficients, and a delta applied by either gives the same parity. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ec.h"
#include "erasure.h"

#include <isa-l/erasure_code.h>

#include "hoc_check.h"

int main(void)
{
    uint64_t seed = 12345;
    enum { LEN = 4096 };
    uint8_t *d = malloc(LEN), *p = malloc(LEN), *p2 = malloc(LEN), *out = malloc(LEN);
    int codes[][2] = {{1, 1}, {2, 1}, {4, 2}, {10, 4}, {13, 2}, {251, 4}};
    for (size_t c = 0; c < sizeof codes / sizeof *codes; c++) {
        int k = codes[c][0], m = codes[c][1];
        erasure_code *code;
        CHECK(erasure_code_new(k, m, &code) == ERASURE_OK);
        for (int r = 0; r < m; r++)
            for (int j = 0; j < k; j++)
                CHECK(ec_coeff(k, m, r, j) == erasure_code_coeff(code, k + r, j));
        for (int t = 0; t < 8; t++) {
            for (int i = 0; i < LEN; i++) {
                seed = seed * 6364136223846793005u + 1442695040888963407u;
                d[i] = (uint8_t)(seed >> 56), p[i] = (uint8_t)(seed >> 48);
            }
            int row = t % m, j = (t * 7) % k;
            memcpy(p2, p, LEN);
            CHECK(erasure_update_row(code, row, j, d, p2, LEN) == ERASURE_OK);
            ec_parity_update(k, m, row, j, d, LEN, p, LEN, out, LEN);
            CHECK(memcmp(out, p2, LEN) == 0);
            /* decoding: the parity's change, divided by the coefficient, is the delta */
            ec_xor(p, LEN, p2, LEN, out, LEN);
            ec_solve(k, m, row, j, out, LEN, out, LEN);
            CHECK(memcmp(out, d, LEN) == 0);
            if (m < 2 || k < 2) continue;
            /* two lost blocks j and i (d and p here) from rows 0 and 1 */
            int i = (j + 1) % k;
            uint8_t *ra = p2, *rb = out;
            memset(ra, 0, LEN), memset(rb, 0, LEN);
            ec_parity_update(k, m, 0, j, d, LEN, ra, LEN, ra, LEN);
            ec_parity_update(k, m, 0, i, p, LEN, ra, LEN, ra, LEN);
            ec_parity_update(k, m, 1, j, d, LEN, rb, LEN, rb, LEN);
            ec_parity_update(k, m, 1, i, p, LEN, rb, LEN, rb, LEN);
            ec_solve2(k, m, 0, 1, j, i, ra, LEN, rb, LEN, out, LEN);
            CHECK(memcmp(out, d, LEN) == 0);
        }
        erasure_code_free(code);
    }
    /* out of range: the parity comes back unchanged */
    ec_parity_update(4, 2, 2, 0, d, LEN, p, LEN, out, LEN);
    CHECK(memcmp(out, p, LEN) == 0);
    ec_parity_update(0, 2, 0, 0, d, LEN, p, LEN, out, LEN);
    CHECK(memcmp(out, p, LEN) == 0);
    CHECK(ec_coeff(200, 56, 0, 0) == 0 && ec_coeff(4, 2, 0, 4) == 0);
    ec_xor(d, LEN, p, LEN, out, LEN);
    for (int i = 0; i < LEN; i++)
        if (out[i] != (d[i] ^ p[i])) {
            CHECK(!"xor");
            break;
        }
    /* the solvers on lengths that are not whole 64-byte chunks (ISA-L's kernel
     * takes the chunks, a byte loop the rest), into another buffer and in
     * place, against the division a byte at a time */
    static const size_t lens[] = {1, 63, 64, 100, 4096 - 27};
    for (size_t l = 0; l < sizeof lens / sizeof *lens; l++) {
        size_t n = lens[l];
        unsigned char c = (unsigned char)ec_coeff(4, 2, 1, 2), inv = gf_inv(c);
        unsigned char ai = (unsigned char)ec_coeff(4, 2, 0, 3),
                      aj = (unsigned char)ec_coeff(4, 2, 0, 1);
        unsigned char bi = (unsigned char)ec_coeff(4, 2, 1, 3),
                      bj = (unsigned char)ec_coeff(4, 2, 1, 1);
        unsigned char dinv = gf_inv(gf_mul(aj, bi) ^ gf_mul(ai, bj));
        int bad = 0;
        ec_solve(4, 2, 1, 2, d, n, out, n);
        for (size_t i = 0; i < n; i++)
            bad |= out[i] != gf_mul(inv, d[i]);
        memcpy(p2, d, n);
        ec_solve(4, 2, 1, 2, p2, n, p2, n);
        bad |= memcmp(p2, out, n) != 0;
        ec_solve2(4, 2, 0, 1, 1, 3, d, n, p, n, out, n);
        for (size_t i = 0; i < n; i++)
            bad |= out[i] != (gf_mul(gf_mul(dinv, bi), d[i]) ^ gf_mul(gf_mul(dinv, ai), p[i]));
        memcpy(p2, p, n);
        ec_solve2(4, 2, 0, 1, 1, 3, d, n, p2, n, p2, n);
        bad |= memcmp(p2, out, n) != 0;
        CHECK(!bad);
    }
    free(d), free(p), free(p2), free(out);
    return check_summary("ec-ho");
}
