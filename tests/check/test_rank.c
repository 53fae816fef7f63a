/* test_rank.c: the phase abstraction's canonical form (verifier/rank.c) on
 * random states: it keeps never, the order of the stamps among themselves
 * and with the current phase, and the phase modulo the period; it is
 * idempotent; and states that differ by such a renaming get one form. */
#include <stdlib.h>
#include <string.h>

#include "../hoc_check.h"
#include "rank.h"

typedef struct St {
    int64_t a;     /* a stamp */
    int64_t b[3];  /* an array of stamps */
    int64_t other; /* an int: never touched */
} St;

static const hoc_field fields[] = {
    {"a", offsetof(St, a), HOC_K_STAMP, 1, false, NULL, false, 0, false},
    {"b", offsetof(St, b), HOC_K_STAMP, 3, false, NULL, false, 0, false},
    {"other", offsetof(St, other), HOC_K_INT, 1, false, NULL, false, 0, false},
};

static int64_t period_of(const int64_t *params)
{
    return params[1];
}

enum { N = 3, R = 4, SLOTS = 4 };

static int64_t *slot(St *s, int i)
{
    return i == 0 ? &s->a : &s->b[i - 1];
}

static int sign(int64_t x, int64_t y)
{
    return (x > y) - (x < y);
}

/* Same order type: never kept, pairwise order of stamps and with the phase. */
static void same_shape(St *x, int64_t rx, St *y, int64_t ry, int64_t period)
{
    int64_t px = hoc_stamp(rx / R), py = hoc_stamp(ry / R);
    CHECK(rx % R == ry % R);
    CHECK((rx / R) % period == (ry / R) % period);
    for (int p = 0; p < N; p++)
        for (int i = 0; i < SLOTS; i++) {
            int64_t u = *slot(&x[p], i), w = *slot(&y[p], i);
            CHECK((u == HOC_NEVER) == (w == HOC_NEVER));
            CHECK(sign(u, px) == sign(w, py));
            CHECK(x[p].other == y[p].other);
            for (int q = 0; q < N; q++)
                for (int j = 0; j < SLOTS; j++)
                    CHECK(sign(u, *slot(&x[q], j)) == sign(w, *slot(&y[q], j)));
        }
}

int main(void)
{
    hoc_algo a = {.abi = HOC_ABI_VERSION,
                  .state_size = sizeof(St),
                  .maxn = HOC_MAXN,
                  .fields = fields,
                  .nfields = 3,
                  .nrounds = R,
                  .uses_round = 1,
                  .phase_period = period_of};
    srand(7);
    for (int64_t period = 1; period <= 4; period++) {
        int64_t params[2] = {N, period};
        RankMap r;
        CHECK(rank_init(&r, &a, N, params, true) == 0);
        CHECK(r.period == period && r.count == SLOTS);
        int64_t *scratch = malloc(rank_scratch(&r) * sizeof *scratch);
        for (int t = 0; t < 2000; t++) {
            St s[N], c[N], c2[N], sh[N], csh[N];
            memset(s, 0, sizeof s);
            int64_t phase = rand() % 50, round = phase * R + rand() % R;
            for (int p = 0; p < N; p++) {
                for (int i = 0; i < SLOTS; i++)
                    *slot(&s[p], i) = rand() % 4 == 0 ? HOC_NEVER : hoc_stamp(rand() % (phase + 1));
                s[p].other = rand() % 100;
            }
            /* the canonical form has the same shape, and is a fixed point */
            memcpy(c, s, sizeof s);
            int64_t rc = round;
            rank_apply(&r, &rc, (uint8_t *)c, scratch);
            same_shape(s, round, c, rc, period);
            CHECK(rc <= round);
            memcpy(c2, c, sizeof c);
            int64_t rc2 = rc;
            rank_apply(&r, &rc2, (uint8_t *)c2, scratch);
            CHECK(rc2 == rc && memcmp(c2, c, sizeof c) == 0);
            /* stretch every phase (p -> 3p + period * k) keeping the period: one form */
            int64_t k = rand() % 5, rsh = (3 * phase + period * k) * R + round % R;
            if ((3 * phase + period * k) % period != phase % period) continue;
            memcpy(sh, s, sizeof s);
            for (int p = 0; p < N; p++)
                for (int i = 0; i < SLOTS; i++)
                    if (*slot(&sh[p], i) != HOC_NEVER)
                        *slot(&sh[p], i) = hoc_stamp(3 * (*slot(&sh[p], i) - 1) + period * k);
            memcpy(csh, sh, sizeof sh);
            int64_t rcsh = rsh;
            rank_apply(&r, &rcsh, (uint8_t *)csh, scratch);
            CHECK(rcsh == rc && memcmp(csh, c, sizeof c) == 0);
        }
        free(scratch);
        rank_free(&r);
    }
    /* an algorithm that reads the phase as a number is left alone */
    a.phase_period = NULL;
    RankMap r;
    int64_t params[2] = {N, 2};
    CHECK(rank_init(&r, &a, N, params, true) == 0 && r.period == 0);
    St s[N] = {{hoc_stamp(9), {1, 2, 3}, 5}};
    int64_t round = 40;
    rank_apply(&r, &round, (uint8_t *)s, NULL);
    CHECK(round == 40 && s[0].a == hoc_stamp(9));
    rank_free(&r);
    return check_summary("rank");
}
