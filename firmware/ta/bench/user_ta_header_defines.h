#ifndef USER_TA_HEADER_DEFINES_H
#define USER_TA_HEADER_DEFINES_H

#include <bench_ta.h>

#define TA_UUID TA_BENCH_UUID
#define TA_FLAGS 0
#define TA_STACK_SIZE (8 * 1024)
#define TA_DATA_SIZE (16 * 1024)
#define TA_VERSION "1.0"
#define TA_DESCRIPTION "Benchmark workloads (tests only)"

#endif
