#ifndef TA_TIMECHECK_H
#define TA_TIMECHECK_H

#define TA_TIMECHECK_UUID \
	{ 0x0f3b73fe, 0xa41e, 0x4ddb, { 0x81, 0xf6, 0xe6, 0xb8, 0x4a, 0x2e, 0xb8, 0x81 } }

/* value0 (VALUE_OUTPUT) = system time {seconds, millis}; value1 (VALUE_OUTPUT) = REE time. */
#define TA_TIMECHECK_CMD_GET_TIMES 0

#endif /* TA_TIMECHECK_H */
