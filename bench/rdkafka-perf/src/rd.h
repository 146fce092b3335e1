/*
 * Stand-in for librdkafka's internal src/rd.h, which the rdkafka_performance
 * example includes (Debian's librdkafka-dev ships the example, not the
 * internal headers). Only what the example uses: libc headers, rd_snprintf,
 * RD_MIN and RD_MAX. The example includes this file twice (as "../src/rd.h"
 * and as "rd.h"), hence the guard.
 */
#ifndef TRIBUTARY_BENCH_RD_H
#define TRIBUTARY_BENCH_RD_H
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define rd_snprintf snprintf
#define RD_MAX(a, b) ((a) > (b) ? (a) : (b))
#define RD_MIN(a, b) ((a) < (b) ? (a) : (b))
#endif
