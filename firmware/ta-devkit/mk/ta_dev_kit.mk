# TA build rules. A TA's Makefile sets BINARY=<uuid> (and optionally CFLAGS += ...), then
#   include $(TA_DEV_KIT_DIR)/mk/ta_dev_kit.mk
# Sources: srcs-y (from the Makefile or a sub.mk next to it), else every *.c in the directory.
# Outputs in $(O) (default out/): <uuid>.elf, <uuid>.stripped.elf, <uuid>.ta (signed, SIGN=1).

ifeq ($(BINARY),)
$(error BINARY must be set to the TA's UUID before including ta_dev_kit.mk)
endif

# Immediate (:=) on purpose: MAKEFILE_LIST changes with every include.
ifeq ($(TA_DEV_KIT_DIR),)
TA_DEV_KIT_DIR := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/..)
endif
TRUSTBOX_ROOT ?= $(abspath $(TA_DEV_KIT_DIR)/../..)
TRUSTBOX ?= node $(TRUSTBOX_ROOT)/bin/trustbox.js
TA_SIGN_KEY ?=
SIGN ?= 1
O ?= out

include $(TA_DEV_KIT_DIR)/mk/flags.mk

-include sub.mk
srcs-y ?=
ifeq ($(strip $(srcs-y)),)
srcs-y := $(wildcard *.c)
endif
global-incdirs-y ?=
incdirs-y ?=

TA_LIB := $(TA_DEV_KIT_DIR)/build/lib/libtrustbox_utee.a
TA_LDS := $(TA_DEV_KIT_DIR)/ta.lds
TA_DYN_LIST := $(TA_DEV_KIT_DIR)/dyn_list
TA_HEADER_SRC := $(TA_DEV_KIT_DIR)/src/user_ta_header.c
LIBGCC := $(shell $(CC) -print-libgcc-file-name)

TA_CFLAGS := $(TA_COMMON_CFLAGS) -fstack-protector-strong -I. \
	$(addprefix -I,$(global-incdirs-y) $(incdirs-y)) $(CFLAGS)
TA_LDFLAGS := -e__ta_entry -pie -T $(TA_LDS) --sort-section=alignment -z max-page-size=4096 \
	--as-needed --dynamic-list $(TA_DYN_LIST) $(LDFLAGS)

TA_OBJS := $(addprefix $(O)/,$(srcs-y:.c=.o)) $(O)/user_ta_header.o
TA_ELF := $(O)/$(BINARY).elf
TA_STRIPPED := $(O)/$(BINARY).stripped.elf
TA_SIGNED := $(O)/$(BINARY).ta

ifeq ($(SIGN),1)
all: $(TA_SIGNED)
else
all: $(TA_STRIPPED)
endif
.PHONY: all clean ta-lib

# The library is (re)built on every run so `make` in a TA directory works from a clean tree
# and picks up library changes; its own Makefile makes that a no-op when nothing changed.
ta-lib:
	$(MAKE) -C $(TA_DEV_KIT_DIR)/lib
$(TA_LIB): ta-lib ;

# A change of flags (in these makefiles) rebuilds the TA's objects too.
$(TA_OBJS): $(TA_DEV_KIT_DIR)/mk/ta_dev_kit.mk $(TA_DEV_KIT_DIR)/mk/flags.mk

$(O)/%.o: %.c | $(O)
	@mkdir -p $(dir $@)
	$(CC) $(TA_CFLAGS) -c $< -o $@

$(O)/user_ta_header.o: $(TA_HEADER_SRC) user_ta_header_defines.h | $(O)
	$(CC) $(TA_CFLAGS) -c $< -o $@

$(TA_ELF): $(TA_OBJS) $(TA_LIB) $(TA_LDS) $(TA_DYN_LIST)
	$(LD) $(TA_LDFLAGS) -o $@ $(TA_OBJS) $(TA_LIB) $(LIBGCC)

# --strip-unneeded keeps section headers: the loader walks SHT_RELA sections.
$(TA_STRIPPED): $(TA_ELF)
	$(OBJCOPY) --strip-unneeded $< $@

$(TA_SIGNED): $(TA_STRIPPED)
	$(TRUSTBOX) ta sign --in $< --out $@ --uuid $(BINARY) $(if $(TA_SIGN_KEY),--key $(TA_SIGN_KEY))

$(O):
	mkdir -p $@

clean:
	rm -rf $(O)

-include $(TA_OBJS:.o=.d)
