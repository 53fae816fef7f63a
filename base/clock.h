/* clock.h: the one monotonic clock of hoc (CLOCK_MONOTONIC): durations,
 * deadlines and timeouts, never the time of day. */
#ifndef HOC_CLOCK_H
#define HOC_CLOCK_H

#include <stdint.h>

/* Microseconds since an arbitrary fixed origin. */
uint64_t hoc_now_us(void);
/* Seconds since the same origin, as a double (for budgets and reports). */
double hoc_now_s(void);

#endif
