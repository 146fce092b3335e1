/*
 * Stand-in for librdkafka's internal src/rdtime.h: rd_ts_t and rd_clock(),
 * a monotonic clock in microseconds, as the example expects.
 */
#ifndef TRIBUTARY_BENCH_RDTIME_H
#define TRIBUTARY_BENCH_RDTIME_H
#include "rd.h"

typedef int64_t rd_ts_t;

static inline rd_ts_t rd_clock(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ((rd_ts_t)ts.tv_sec * 1000000LL) + ((rd_ts_t)ts.tv_nsec / 1000);
}
#endif
