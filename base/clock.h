/* clock.h: the one monotonic clock of hoc (CLOCK_MONOTONIC): durations,
 * deadlines and timeouts, never the time of day; and the lease clock
 * (CLOCK_BOOTTIME), for the one kind of deadline a suspension must not
 * stretch. */
#ifndef HOC_CLOCK_H
#define HOC_CLOCK_H

#include <stdint.h>

/* Microseconds since an arbitrary fixed origin. */
uint64_t hoc_now_us(void);
/* Seconds since the same origin, as a double (for budgets and reports). */
double hoc_now_s(void);
/* Microseconds on CLOCK_BOOTTIME, which also counts the time the machine
 * was suspended (CLOCK_MONOTONIC does not): a lease holder woken from a
 * suspension must see its lease run out. One origin for every process of
 * the machine. */
uint64_t hoc_lease_us(void);

#endif
