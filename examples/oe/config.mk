# What the sample Makefiles share (each sample sets EDL, ENCLAVES and, when it has one, KEY_<enclave>).
#
#   make                      build with `trustbox oe build` into $(OUT): OUT/<enclave>.ta and OUT/host
#   make sdk-build            build the way OE's own sample Makefiles do: an SDK installed with
#                             `trustbox oe sdk --prefix $(SDK)`, pkg-config, oeedger8r and oesign,
#                             into $(OUT)/sdk-build/<enclave>.signed and $(OUT)/sdk-build/host
#   make run STATE=DIR        run the host against the device booted with `trustbox boot --state DIR`
#
# TRUSTBOX names the command: `trustbox` once the package is installed, or
# `node /path/to/checkout/bin/trustbox.js` in a checkout (the default below when there is one).

EXAMPLES_DIR := $(dir $(lastword $(MAKEFILE_LIST)))
CHECKOUT_CLI := $(abspath $(EXAMPLES_DIR)../../bin/trustbox.js)
TRUSTBOX ?= $(if $(wildcard $(CHECKOUT_CLI)),node $(CHECKOUT_CLI),trustbox)

OUT ?= out
STATE ?= $(TRUSTBOX_STATE)
OE_CRYPTO_LIB ?= mbedtls
ENCLAVE_CC ?= aarch64-linux-gnu-gcc
HOST_CC ?= gcc

# --key ENCLAVE=KEY.pem for every enclave that names a key (KEY_<enclave> := file.pem)
KEY_FLAGS = $(foreach e,$(ENCLAVES),$(if $(KEY_$(e)),--key $(e)=$(KEY_$(e))))
TAS = $(addprefix $(OUT)/,$(addsuffix .ta,$(ENCLAVES)))
# the key files the enclaves name, made when missing: RSA 3072 with exponent 3, as OE's oesign
# wants its keys (any RSA key signs a TrustBox enclave)
KEYS = $(sort $(foreach e,$(ENCLAVES),$(KEY_$(e))))
%.pem:
	openssl genrsa -out $@ -3 3072

# ---- the pkg-config way ---------------------------------------------------------------------------
SDK ?= $(OUT)/sdk
SDK_OUT = $(OUT)/sdk-build
PKG = PKG_CONFIG_PATH=$(abspath $(SDK))/share/pkgconfig pkg-config
OEEDGER8R = $(SDK)/bin/oeedger8r
OESIGN = $(SDK)/bin/oesign

$(SDK)/share/pkgconfig/oeenclave-gcc.pc:
	$(TRUSTBOX) oe sdk --prefix $(SDK)

# The enclave folder $(1) to $(SDK_OUT)/$(1).signed: stubs, compile and link with the pkg-config
# flags (mbedtls too, as OE_CRYPTO_LIB names it), then oesign with the folder's .conf.
# The image is named after the folder: a derived enclave UUID depends on that name and the signer.
define sdk-enclave
$(SDK_OUT)/$(1).signed: $(SDK)/share/pkgconfig/oeenclave-gcc.pc $(EDL).edl $(wildcard $(1)/*.c $(1)/*.h common/*.c common/*.h *.h) $(KEY_$(1))
	@mkdir -p $(SDK_OUT)/$(1)
	$(OEEDGER8R) --trusted $(EDL).edl --trusted-dir $(SDK_OUT)/$(1) \
		--search-path $$$$($(PKG) oeenclave-gcc --variable=includedir) \
		--search-path $$$$($(PKG) oeenclave-gcc --variable=includedir)/openenclave/edl/sgx
	$(ENCLAVE_CC) $$$$($(PKG) oeenclave-gcc --cflags) -I$(SDK_OUT)/$(1) -I. $(if $(wildcard common),-Icommon) \
		$(wildcard $(1)/*.c common/*.c) $(SDK_OUT)/$(1)/$(EDL)_t.c -o $(SDK_OUT)/$(1)/$(1) \
		$$$$($(PKG) oeenclave-gcc --libs) $$$$($(PKG) oeenclave-gcc --variable=$(OE_CRYPTO_LIB)libs)
	$(OESIGN) sign -e $(SDK_OUT)/$(1)/$(1) -c $(wildcard $(1)/*.conf) $(if $(KEY_$(1)),-k $(KEY_$(1))) -o $$@
endef
$(foreach e,$(ENCLAVES),$(eval $(call sdk-enclave,$(e))))

$(SDK_OUT)/host: $(SDK)/share/pkgconfig/oeenclave-gcc.pc $(EDL).edl $(wildcard host/*.c host/*.h *.h)
	@mkdir -p $(SDK_OUT)/gen
	$(OEEDGER8R) --untrusted $(EDL).edl --untrusted-dir $(SDK_OUT)/gen \
		--search-path $$($(PKG) oehost-gcc --variable=includedir) \
		--search-path $$($(PKG) oehost-gcc --variable=includedir)/openenclave/edl/sgx
	$(HOST_CC) $$($(PKG) oehost-gcc --cflags) -I$(SDK_OUT)/gen -I. host/*.c $(SDK_OUT)/gen/$(EDL)_u.c \
		-o $@ $$($(PKG) oehost-gcc --libs)

sdk-build: $(addprefix $(SDK_OUT)/,$(addsuffix .signed,$(ENCLAVES))) $(SDK_OUT)/host

# ---- the TypeScript host (samples with host-ts/) ----------------------------------------------------
# The module generated from the EDL and host-ts/*.ts compile together into $(OUT)/host-ts; Node
# finds `trustbox-emulator` from there as from any module of a project that depends on it.
TSC ?= $(if $(wildcard $(EXAMPLES_DIR)../../node_modules/.bin/tsc),$(abspath $(EXAMPLES_DIR)../../node_modules/.bin/tsc),npx tsc)

$(OUT)/host-ts/main.js: $(SDK)/share/pkgconfig/oeenclave-gcc.pc $(EDL).edl $(wildcard host-ts/*.ts)
	@mkdir -p $(OUT)/host-ts/src
	$(OEEDGER8R) --untrusted $(EDL).edl --untrusted-dir $(OUT)/host-ts/src --untrusted-ts $(OUT)/host-ts/src \
		--search-path $(SDK)/include --search-path $(SDK)/include/openenclave/edl/sgx
	cp host-ts/*.ts $(OUT)/host-ts/src/
	$(TSC) --module nodenext --moduleResolution nodenext --target es2022 --strict --skipLibCheck \
		--types node --rootDir $(OUT)/host-ts/src --outDir $(OUT)/host-ts $(OUT)/host-ts/src/*.ts

.PHONY: build sdk-build host-ts clean
host-ts: $(OUT)/host-ts/main.js

clean:
	rm -rf $(OUT)
