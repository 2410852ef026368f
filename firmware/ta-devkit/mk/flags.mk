# Compiler settings shared by the dev kit library and every TA, so both sides agree on the ABI.
# Mirrors OP-TEE's ta_arm64 flags (reference section 1.1); FP/SIMD stays enabled.

CROSS_COMPILE ?= aarch64-linux-gnu-
CC := $(CROSS_COMPILE)gcc
LD := $(CROSS_COMPILE)ld
AR := $(CROSS_COMPILE)ar
OBJCOPY := $(CROSS_COMPILE)objcopy

CFG_TEE_TA_LOG_LEVEL ?= 2

# -nostdinc keeps the host's libc headers out; GCC's own freestanding headers (stddef.h,
# stdint.h, stdarg.h, stdbool.h) come back through -isystem.
TA_GCC_INCLUDE := $(shell $(CC) -print-file-name=include)

TA_COMMON_CFLAGS := -std=gnu11 -Os -g3 -fpic -mstrict-align -mno-outline-atomics \
	-ffreestanding -nostdlib -fno-builtin -fno-common \
	-nostdinc -isystem $(TA_GCC_INCLUDE) -I$(TA_DEV_KIT_DIR)/include \
	-Wall -Wextra -Wno-unused-parameter \
	-DCFG_TEE_TA_LOG_LEVEL=$(CFG_TEE_TA_LOG_LEVEL) -MMD -MP
