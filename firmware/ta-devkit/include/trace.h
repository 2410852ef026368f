/*
 * TA logging. Messages above CFG_TEE_TA_LOG_LEVEL vanish at compile time; the rest are checked
 * against the run-time trace_level and sent to the core with the LOG syscall.
 */
#ifndef TRACE_H
#define TRACE_H

#include <stdbool.h>

#ifndef CFG_TEE_TA_LOG_LEVEL
#define CFG_TEE_TA_LOG_LEVEL 2
#endif

#define TRACE_MIN 1
#define TRACE_ERROR 1
#define TRACE_INFO 2
#define TRACE_DEBUG 3
#define TRACE_FLOW 4

/* Exported by every TA (user_ta_header.c) so a loader may change the level. */
extern int trace_level;
extern const char trace_ext_prefix[];

void trace_printf(const char *func, int line, int level, bool level_ok, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

#define __TRACE_AT(lvl, ...) \
	trace_printf(__func__, __LINE__, (lvl), CFG_TEE_TA_LOG_LEVEL >= (lvl), __VA_ARGS__)

#if CFG_TEE_TA_LOG_LEVEL >= TRACE_ERROR
#define EMSG(...) __TRACE_AT(TRACE_ERROR, __VA_ARGS__)
#else
#define EMSG(...) ((void)0)
#endif
#if CFG_TEE_TA_LOG_LEVEL >= TRACE_INFO
#define IMSG(...) __TRACE_AT(TRACE_INFO, __VA_ARGS__)
#else
#define IMSG(...) ((void)0)
#endif
#if CFG_TEE_TA_LOG_LEVEL >= TRACE_DEBUG
#define DMSG(...) __TRACE_AT(TRACE_DEBUG, __VA_ARGS__)
#else
#define DMSG(...) ((void)0)
#endif
#if CFG_TEE_TA_LOG_LEVEL >= TRACE_FLOW
#define FMSG(...) __TRACE_AT(TRACE_FLOW, __VA_ARGS__)
#else
#define FMSG(...) ((void)0)
#endif

#endif /* TRACE_H */
