#!/usr/bin/env bash
# Compatibility check against real OP-TEE code (docs/optee-compat.md), not part of `npm test`
# (it needs two OP-TEE checkouts, an aarch64 cross compiler and a few minutes):
#   1. builds OP-TEE's TA dev kit for arm64 from OPTEE_OS,
#   2. builds optee_examples' hello_world TA with it twice: signed (img_type 1) and with
#      CFG_ENCRYPT_TA=y and the default TA_ENC_KEY (img_type 2), both with keys/default.pem,
#   3. runs both on throwaway emulator devices: the encrypted one must return 42 with OP-TEE's
#      default all-zero HUK and be refused (TEE_ERROR_SECURITY) with another HUK.
#
# usage: scripts/optee-encrypted-ta.sh OPTEE_OS OPTEE_EXAMPLES
# env:   OUT (build directory, default: a new temporary one), CROSS_COMPILE (aarch64-linux-gnu-),
#        PYTHON3 (a python3 with `cryptography` and `elftools`; default: the first one found),
#        JOBS (make -j, default 2)
# Nothing is written into the checkouts or into this repository: every output goes to OUT.
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 OPTEE_OS OPTEE_EXAMPLES" >&2
  exit 2
fi
OPTEE_OS=$(cd "$1" && pwd)
OPTEE_EXAMPLES=$(cd "$2" && pwd)
REPO=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-$(mktemp -d -t optee-compat.XXXXXX)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
CROSS_COMPILE=${CROSS_COMPILE:-aarch64-linux-gnu-}
JOBS=${JOBS:-2}
UUID=8aaaf200-2450-11e4-abe2-0002a5d5c51b
TRUSTBOX="node $REPO/bin/trustbox.js"

if [ -z "${PYTHON3:-}" ]; then
  for p in $(type -ap python3) /usr/bin/python3; do
    if "$p" -c 'import cryptography, elftools' 2>/dev/null; then PYTHON3=$p; break; fi
  done
fi
if [ -z "${PYTHON3:-}" ]; then
  echo "no python3 with cryptography and pyelftools (Debian: python3-cryptography python3-pyelftools)" >&2
  exit 2
fi

step() { printf '\033[1moptee-compat:\033[0m %s\n' "$*" >&2; }
fail() { echo "FAIL: $*" >&2; exit 1; }

step "OUT=$OUT PYTHON3=$PYTHON3"
step "TA dev kit (optee_os $(git -C "$OPTEE_OS" rev-parse HEAD 2>/dev/null || echo '?'))"
make -C "$OPTEE_OS" -j"$JOBS" O="$OUT/optee_os" PYTHON3="$PYTHON3" \
  CROSS_COMPILE64="$CROSS_COMPILE" PLATFORM=vexpress-qemu_armv8a CFG_ARM64_core=y \
  CFG_USER_TA_TARGETS=ta_arm64 ta_dev_kit >"$OUT/devkit.log" 2>&1 ||
  { tail -n 30 "$OUT/devkit.log" >&2; fail "dev kit build (log: $OUT/devkit.log)"; }
DK="$OUT/optee_os/export-ta_arm64"

step "hello_world TA (optee_examples $(git -C "$OPTEE_EXAMPLES" rev-parse HEAD 2>/dev/null || echo '?'))"
for v in plain enc; do
  extra=()
  [ "$v" = enc ] && extra=(CFG_ENCRYPT_TA=y)
  make -C "$OPTEE_EXAMPLES/hello_world/ta" CROSS_COMPILE="$CROSS_COMPILE" PYTHON3="$PYTHON3" \
    TA_DEV_KIT_DIR="$DK" O="$OUT/hello_$v" "${extra[@]}" >"$OUT/hello_$v.log" 2>&1 ||
    { tail -n 30 "$OUT/hello_$v.log" >&2; fail "hello_world ($v) build (log: $OUT/hello_$v.log)"; }
done
ENC="$OUT/hello_enc/$UUID.ta"
PLAIN="$OUT/hello_plain/$UUID.ta"

step "ta inspect $ENC"
$TRUSTBOX ta inspect "$ENC" | tee "$OUT/inspect.txt"
grep -q '^container: *ENCRYPTED_TA' "$OUT/inspect.txt" || fail "not img_type 2"
grep -q '^signer: *optee-default' "$OUT/inspect.txt" || fail "not signed by OP-TEE's default key"

# run NAME EXPECT ARGS...: one invoke of command 0 (increment) with value 41
run() {
  local name=$1 expect=$2; shift 2
  step "$name"
  set +e
  $TRUSTBOX invoke "$@" --cmd 0 --param value-inout:41,0 2>&1 | tee "$OUT/$name.txt"
  set -e
  grep -q "$expect" "$OUT/$name.txt" || fail "$name: expected '$expect'"
}
ZERO=00000000000000000000000000000000
OTHER=0102030405060708090a0b0c0d0e0f10
run encrypted-zero-huk  'param 0: value a=42 b=0' --huk $ZERO --ta "$ENC"
run encrypted-other-huk 'result: 0xffff000f (TEE_ERROR_SECURITY)' --huk $OTHER --ta "$ENC"
grep -q 'tee: refusing TA' "$OUT/encrypted-other-huk.txt" || fail "no console line for the refusal"
run plain-zero-huk      'param 0: value a=42 b=0' --huk $ZERO --ta "$PLAIN"
run plain-other-huk     'param 0: value a=42 b=0' --huk $OTHER --ta "$PLAIN"

step "OK: OP-TEE's encrypted hello_world runs with the all-zero HUK and is refused with another"
