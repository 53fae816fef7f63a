/* ammttdl.c: the thesis' MTTDL approximation (ammttdl.h). */
#include "ammttdl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Ellis Michael's thesis (../shared/seeds/thesis-amalgam-dslabs.txt), section
 * 3.5, lines 604-608: Burkhard and Menon's approximation for g separate
 * groups of n identical components, each tolerating f failures,
 *
 *     MTTDL ~ MTTF / (g (n - f) C(n, n - f)) * (MTTF / MTTR)^f,
 *
 * "a good approximation when MTTDL >> MTTR". Computed in logarithms, since
 * (MTTF / MTTR)^f overflows a double for large f. */
double amm_mttdl_log10(double mttf, double mttr, double groups, int n, int f)
{
    if (!(mttf > 0) || !(mttr > 0) || !(groups >= 1) || f < 0 || f >= n || isinf(mttf) ||
        isinf(mttr) || isinf(groups))
        return NAN;
    /* log10 C(n, n-f) = log10 C(n, f), summed as a product of ratios */
    double lbinom = 0;
    for (int i = 1; i <= f; i++)
        lbinom += log10((double)(n - f + i)) - log10((double)i);
    return log10(mttf) - log10(groups) - log10((double)(n - f)) - lbinom +
           f * (log10(mttf) - log10(mttr));
}

int amm_duration(const char *s, double *hours)
{
    static const struct {
        const char *unit;
        double hours;
    } units[] = {{"s", 1.0 / 3600}, {"m", 1.0 / 60}, {"min", 1.0 / 60},
                 {"h", 1},          {"d", 24},       {"y", AMM_HOURS_PER_YEAR}};
    if (!s || !(s[0] >= '0' && s[0] <= '9')) return -1;
    char *end;
    double v = strtod(s, &end);
    if (end == s || !(v > 0) || isinf(v)) return -1;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strcmp(end, units[i].unit) == 0) {
            double h = v * units[i].hours;
            if (!(h > 0) || isinf(h)) return -1;
            *hours = h;
            return 0;
        }
    return -1;
}
