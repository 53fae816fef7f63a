/* ammttdl.h: mean time to data loss (docs/deploy.md, "amalgam mttdl"), the
 * Burkhard–Menon approximation the thesis uses (its section 3.5), and the
 * duration, size and rate arguments of `amalgam mttdl`. */
#ifndef HOC_AMMTTDL_H
#define HOC_AMMTTDL_H

#include <stdint.h>

#define AMM_HOURS_PER_YEAR (365.25 * 24.0)

/* log10 of the MTTDL, in the unit of mttf and mttr, of `groups` separate
 * groups of n identical components, each group tolerating f failures:
 * MTTF / (groups (n-f) C(n, n-f)) * (MTTF / MTTR)^f. Needs mttf, mttr > 0,
 * groups >= 1 and 0 <= f < n; otherwise NAN. */
double amm_mttdl_log10(double mttf, double mttr, double groups, int n, int f);
/* Parses a duration "1y", "365d", "14.2h", "30m" or "90s" (a positive
 * decimal and a unit) into hours: 0, or -1. */
int amm_duration(const char *s, double *hours);

#endif
