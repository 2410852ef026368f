#!/bin/sh
# mbedtls for Open Enclave enclaves on TrustBox: Debian bookworm's mbedtls 2.28.3 source,
# cross-built for the enclave (aarch64, the TA dev kit's flags, OE's libc headers) into
#   oe/build/mbedtls/lib/{libmbedcrypto,libmbedx509,libmbedtls}.a and oe/build/mbedtls/include/
# which `trustbox oe sdk` installs into lib/openenclave/enclave.
#
# The configuration needs no OS: no sockets, no files, no clock; entropy comes from the TEE
# (oe_random, oe/mbedtls/hardware_poll.c). Idempotent: a second run with the same source and
# flags does nothing. Environment: TRUSTBOX_MBEDTLS_CACHE (default ~/.cache/trustbox/mbedtls),
# CROSS_COMPILE (default aarch64-linux-gnu-), JOBS.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
VERSION=2.28.3
CACHE=${TRUSTBOX_MBEDTLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/trustbox/mbedtls}
OUT=$ROOT/oe/build/mbedtls
CROSS_COMPILE=${CROSS_COMPILE:-aarch64-linux-gnu-}
CC=${CROSS_COMPILE}gcc
AR=${CROSS_COMPILE}ar
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 4)}
DEVKIT=$ROOT/firmware/ta-devkit
say() { echo "mbedtls: $*"; }

# ---- source: apt-get source from bookworm, without touching the system's apt configuration
SRC=$CACHE/mbedtls-$VERSION
if [ ! -f "$SRC/include/mbedtls/version.h" ]; then
	mkdir -p "$CACHE/apt/lists/partial" "$CACHE/apt/archives/partial"
	SOURCES=/etc/apt/sources.list.d/debian.sources
	[ -f "$SOURCES" ] || { echo "mbedtls: $SOURCES is missing: this script expects Debian bookworm's apt" >&2; exit 1; }
	# the deb entries as deb-src entries (same URIs, suites, components, keys)
	sed -e 's/^Types:.*/Types: deb-src/' "$SOURCES" > "$CACHE/apt/debian-src.sources"
	APT="-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts=$CACHE/apt -o Dir::State::Lists=$CACHE/apt/lists -o Dir::Cache::Archives=$CACHE/apt/archives -o Debug::NoLocking=1"
	if ! ls "$CACHE"/mbedtls_"$VERSION"*.dsc >/dev/null 2>&1; then
		say "fetching the bookworm source index"
		# shellcheck disable=SC2086
		apt-get $APT -qq update
		say "downloading the mbedtls $VERSION source package"
		# shellcheck disable=SC2086
		# bookworm's 2.28.3-1; a later bookworm revision of 2.28.3 (a security update) does too
		# shellcheck disable=SC2086
		(cd "$CACHE" && { apt-get $APT -qq source --download-only "mbedtls=$VERSION-1" 2>/dev/null ||
			apt-get $APT -qq source --download-only mbedtls; })
		ls "$CACHE"/mbedtls_"$VERSION"*.dsc >/dev/null 2>&1 || {
			echo "mbedtls: bookworm no longer offers mbedtls $VERSION (found: $(ls "$CACHE"/mbedtls_*.dsc 2>/dev/null))" >&2
			exit 1
		}
	fi
	DSC=$(ls "$CACHE"/mbedtls_"$VERSION"*.dsc | head -n 1)
	rm -rf "$SRC"
	say "unpacking $(basename "$DSC")"
	dpkg-source --no-check -x "$DSC" "$SRC" >/dev/null
fi

# ---- configuration: mbedtls' default config minus what needs an OS
CONFIG=$OUT/include/mbedtls/config.h
FLAGS="-std=gnu11 -Os -g -fpic -mstrict-align -mno-outline-atomics -ffreestanding -fno-builtin -fno-common \
-fstack-protector-strong -nostdinc -isystem $($CC -print-file-name=include) -D_LIBC_LIMITS_H_ \
-I$ROOT/oe/include/openenclave/corelibc -I$DEVKIT/include -I$ROOT/oe/include -I$OUT/include"
STAMP=$OUT/.stamp
WANT="$VERSION $(cat "$0" "$ROOT/oe/mbedtls/hardware_poll.c" | sha256sum | cut -c1-16) $FLAGS"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ] && [ -f "$OUT/lib/libmbedtls.a" ]; then
	say "up to date ($OUT/lib)"
	exit 0
fi
rm -rf "$OUT"
mkdir -p "$OUT/include" "$OUT/lib" "$OUT/obj/crypto" "$OUT/obj/x509" "$OUT/obj/tls"
cp -r "$SRC/include/mbedtls" "$SRC/include/psa" "$OUT/include/"
CFG="python3 $SRC/scripts/config.py -f $CONFIG"
for opt in MBEDTLS_NET_C MBEDTLS_TIMING_C MBEDTLS_FS_IO MBEDTLS_HAVE_TIME MBEDTLS_HAVE_TIME_DATE \
	MBEDTLS_PSA_ITS_FILE_C MBEDTLS_PSA_CRYPTO_STORAGE_C MBEDTLS_SELF_TEST MBEDTLS_HAVEGE_C \
	MBEDTLS_AESNI_C MBEDTLS_PADLOCK_C MBEDTLS_HAVE_ASM MBEDTLS_THREADING_C MBEDTLS_DEBUG_C; do
	$CFG unset "$opt"
done
$CFG set MBEDTLS_NO_PLATFORM_ENTROPY
$CFG set MBEDTLS_ENTROPY_HARDWARE_ALT

# ---- build: the three libraries as mbedtls' library/Makefile splits them
say "compiling for the enclave ($CC, $JOBS jobs)"
compile() { # $1 = part, then sources
	part=$1; shift
	printf '%s\n' "$@" | xargs -P "$JOBS" -I{} sh -c '
		f={}; o='"$OUT/obj/$part"'/$(basename "$f" .c).o
		'"$CC $FLAGS"' -w -c "$f" -o "$o"'
}
X509="x509.c x509_create.c x509_crl.c x509_crt.c x509_csr.c x509write_crt.c x509write_csr.c certs.c pkcs11.c"
TLS="debug.c net_sockets.c ssl_cache.c ssl_ciphersuites.c ssl_cli.c ssl_cookie.c ssl_msg.c ssl_srv.c ssl_ticket.c ssl_tls.c ssl_tls13_keys.c"
cd "$SRC/library"
crypto_srcs=""
for f in *.c; do
	case " $X509 $TLS " in *" $f "*) ;; *) crypto_srcs="$crypto_srcs $SRC/library/$f" ;; esac
done
# shellcheck disable=SC2086
compile crypto $crypto_srcs "$ROOT/oe/mbedtls/hardware_poll.c"
# shellcheck disable=SC2086
compile x509 $(for f in $X509; do [ -f "$f" ] && echo "$SRC/library/$f"; done)
# shellcheck disable=SC2086
compile tls $(for f in $TLS; do [ -f "$f" ] && echo "$SRC/library/$f"; done)
$AR rcs "$OUT/lib/libmbedcrypto.a" "$OUT"/obj/crypto/*.o
$AR rcs "$OUT/lib/libmbedx509.a" "$OUT"/obj/x509/*.o
$AR rcs "$OUT/lib/libmbedtls.a" "$OUT"/obj/tls/*.o
echo "$WANT" > "$STAMP"
say "built $OUT/lib/libmbedcrypto.a libmbedx509.a libmbedtls.a"
