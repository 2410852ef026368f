#!/usr/bin/env bash
# OP-TEE's own test suite against a virtual TrustBox (issue 14, docs/xtest.md), not part of
# `npm test` (it needs OP-TEE checkouts, an aarch64 cross compiler and a few minutes):
#   1. builds OP-TEE's TA dev kit for arm64 from OPTEE_OS (or takes TA_DEV_KIT_DIR),
#   2. builds our libteec.so.2 and, against it, optee_client's libckteec (PKCS#11) natively,
#   3. builds optee_test's TAs with the dev kit (WITH_TLS_TESTS=y, as OP-TEE's build) and xtest
#      natively against our libteec (Debian libssl-dev, uuid-dev),
#   4. with OPTEE_EXAMPLES: the eleven optee_examples host programs natively and their TAs,
#   5. boots a device with --ta-path to all those TAs (and the dev kit's own: pkcs11 ...) and
#      --plugin-path to the tee-supplicant plugins built (optee_test's, the syslog example's),
#   6. runs each example and checks what it prints against what it prints on a board, then
#      each xtest case of the regression and pkcs11 suites alone, and prints a pass/fail table.
#
# usage: scripts/xtest.sh OPTEE_OS OPTEE_TEST OPTEE_CLIENT [OPTEE_EXAMPLES]
# env:   OUT (build directory, default: a new temporary one), CROSS_COMPILE (aarch64-linux-gnu-),
#        PYTHON3 (a python3 with `cryptography` and `elftools`), JOBS (make -j, default 2),
#        TA_DEV_KIT_DIR (an export-ta_arm64 already built: skips step 1),
#        CASES (xtest case names to run, default: every regression_* and pkcs11_* case built),
#        CASE_TIMEOUT (seconds per case, default 300)
# Nothing is written into the checkouts or into this repository: every output goes to OUT
# (the examples are copied there first: their host Makefiles build in place).
# Exit status: 0 when every example and case passed, 1 otherwise, 2 on a build or usage error.
set -euo pipefail

if [ $# -lt 3 ] || [ $# -gt 4 ]; then
  echo "usage: $0 OPTEE_OS OPTEE_TEST OPTEE_CLIENT [OPTEE_EXAMPLES]" >&2
  exit 2
fi
OPTEE_OS=$(cd "$1" && pwd)
OPTEE_TEST=$(cd "$2" && pwd)
OPTEE_CLIENT=$(cd "$3" && pwd)
OPTEE_EXAMPLES=${4:+$(cd "$4" && pwd)}
REPO=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-$(mktemp -d -t optee-xtest.XXXXXX)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
CROSS_COMPILE=${CROSS_COMPILE:-aarch64-linux-gnu-}
JOBS=${JOBS:-2}
CASE_TIMEOUT=${CASE_TIMEOUT:-300}
TRUSTBOX="node $REPO/bin/trustbox.js"

if [ -z "${PYTHON3:-}" ]; then
  for p in $(type -ap python3) /usr/bin/python3; do
    if "$p" -c 'import cryptography, elftools' 2>/dev/null; then PYTHON3=$p; break; fi
  done
fi
[ -n "${PYTHON3:-}" ] || { echo "no python3 with cryptography and pyelftools (Debian: python3-cryptography python3-pyelftools)" >&2; exit 2; }

step() { printf '\033[1mxtest:\033[0m %s\n' "$*" >&2; }
die() { echo "BUILD FAILED: $*" >&2; exit 2; }
# build NAME CMD...: runs a build step with its output in $OUT/log/NAME.log
build() {
  local name=$1; shift
  "$@" >"$OUT/log/$name.log" 2>&1 || { tail -n 30 "$OUT/log/$name.log" >&2; die "$name (log: $OUT/log/$name.log)"; }
}
rev() { git -C "$1" describe --tags --always 2>/dev/null || echo '?'; }
mkdir -p "$OUT/log" "$OUT/tas" "$OUT/plugins" "$OUT/results"
step "OUT=$OUT PYTHON3=$PYTHON3"
step "optee_os $(rev "$OPTEE_OS"), optee_test $(rev "$OPTEE_TEST"), optee_client $(rev "$OPTEE_CLIENT")${OPTEE_EXAMPLES:+, optee_examples $(rev "$OPTEE_EXAMPLES")}"

# ---- 1. TA dev kit ----
if [ -n "${TA_DEV_KIT_DIR:-}" ]; then
  DK=$(cd "$TA_DEV_KIT_DIR" && pwd)
  step "TA dev kit: $DK (given)"
else
  step "TA dev kit"
  build devkit make -C "$OPTEE_OS" -j"$JOBS" O="$OUT/optee_os" PYTHON3="$PYTHON3" \
    CROSS_COMPILE64="$CROSS_COMPILE" PLATFORM=vexpress-qemu_armv8a CFG_ARM64_core=y \
    CFG_USER_TA_TARGETS=ta_arm64 ta_dev_kit
  DK="$OUT/optee_os/export-ta_arm64"
fi

# ---- 2. our libteec, and optee_client's libckteec on top of it, as an "optee_client export" ----
step "libteec.so.2 (ours) and libckteec.so.0 (optee_client's, against ours)"
EXPORT="$OUT/export"
mkdir -p "$EXPORT/include" "$EXPORT/lib"
build libteec make -C "$REPO/libteec" OUT="$OUT/libteec"
cp -P "$OUT"/libteec/libteec.so* "$EXPORT/lib/"
cp "$REPO"/libteec/include/*.h "$OPTEE_CLIENT"/libckteec/include/*.h "$EXPORT/include/"
# optee_client's own Makefile would compile against its libteec headers (same ABI); ours go
# first, its teec_trace.h (EMSG/DMSG -> _dprintf, which our libteec exports) is taken last.
build libckteec gcc -shared -fPIC -O2 -D_GNU_SOURCE -I"$EXPORT/include" -idirafter "$OPTEE_CLIENT/libteec/include" \
  "$OPTEE_CLIENT"/libckteec/src/*.c -Wl,-soname,libckteec.so.0 -L"$EXPORT/lib" -lteec -lpthread \
  -o "$EXPORT/lib/libckteec.so.0.1.0"
ln -sf libckteec.so.0.1.0 "$EXPORT/lib/libckteec.so.0"
ln -sf libckteec.so.0 "$EXPORT/lib/libckteec.so"

# ---- 3. optee_test: TAs and xtest ----
step "optee_test TAs (dev kit, WITH_TLS_TESTS=y)"
build optee_test-ta make -C "$OPTEE_TEST" -j"$JOBS" ta CROSS_COMPILE_TA="$CROSS_COMPILE" TA_DEV_KIT_DIR="$DK" \
  O="$OUT/optee_test" PYTHON3="$PYTHON3" WITH_TLS_TESTS=y
step "xtest (gcc $(gcc -dumpmachine), against our libteec)"
build optee_test-xtest make -C "$OPTEE_TEST" -j"$JOBS" xtest CROSS_COMPILE_HOST= CC=gcc TA_DEV_KIT_DIR="$DK" \
  O="$OUT/optee_test" OPTEE_CLIENT_EXPORT="$EXPORT"
XTEST="$OUT/optee_test/xtest/xtest"
cp "$OUT"/optee_test/ta/*/*.ta "$OUT/tas/"
step "optee_test's tee-supplicant plugin (gcc, for xtest 1033)"
build optee_test-plugin make -C "$OPTEE_TEST" test_plugin CROSS_COMPILE_HOST= CC=gcc O="$OUT/optee_test" \
  OPTEE_CLIENT_EXPORT="$EXPORT"
cp "$OUT"/optee_test/supp_plugin/*.plugin "$OUT/plugins/"

# ---- 4. optee_examples ----
EXAMPLES=(acipher aes ecdh ecdsa hello_world hotp plugins random secure_storage sha sign_verify)
if [ -n "$OPTEE_EXAMPLES" ]; then
  step "optee_examples: hosts (gcc, against our libteec) and TAs (dev kit)"
  rm -rf "$OUT/optee_examples"
  cp -r "$OPTEE_EXAMPLES" "$OUT/optee_examples"
  for e in "${EXAMPLES[@]}"; do
    [ -d "$OUT/optee_examples/$e" ] || continue
    # -funsigned-char: char is unsigned on the board (AArch64 Linux); sha prints a char buffer
    # with %02x, which on x86 sign-extends (ffffffba ...). Passed through the environment
    # because the Makefiles append to CFLAGS.
    CFLAGS=-funsigned-char build "ex-$e-host" make -C "$OUT/optee_examples/$e/host" --no-builtin-variables \
      CROSS_COMPILE= CC=gcc TEEC_EXPORT="$EXPORT"
    build "ex-$e-ta" make -C "$OUT/optee_examples/$e/ta" CROSS_COMPILE="$CROSS_COMPILE" PYTHON3="$PYTHON3" \
      TA_DEV_KIT_DIR="$DK" O="$OUT/examples-ta/$e"
    cp "$OUT/examples-ta/$e"/*.ta "$OUT/tas/"
  done
  # plugins: its syslog plugin, for the device's tee-supplicant plugin loader (--plugin-path)
  build ex-plugins-syslog make -C "$OUT/optee_examples/plugins/syslog" --no-builtin-variables CROSS_COMPILE= CC=gcc \
    TEEC_EXPORT="$EXPORT"
  cp "$OUT"/optee_examples/plugins/syslog/*.plugin "$OUT/plugins/"
fi

# ---- 5. a device ----
STATE="$OUT/state"
rm -rf "$STATE"
step "booting a device (state $STATE, --ta-path $OUT/tas --ta-path $DK/ta --plugin-path $OUT/plugins)"
# --watchdog-ms: xtest's long cases (1013's busy loops from several threads, 1006's waits) take
# more than the default 10 s budget of one call on a loaded host; a board has no such watchdog.
$TRUSTBOX boot --state "$STATE" --watchdog-ms 120000 --ta-path "$OUT/tas" --ta-path "$DK/ta" --plugin-path "$OUT/plugins" \
  >"$OUT/log/device.log" 2>&1 &
DEVICE_PID=$!
stop_device() { kill "$DEVICE_PID" 2>/dev/null && wait "$DEVICE_PID" 2>/dev/null || true; }
trap stop_device EXIT
for _ in $(seq 1 120); do
  [ -S "$STATE/api.sock" ] && [ -f "$STATE/endpoint.json" ] && break
  kill -0 "$DEVICE_PID" 2>/dev/null || { tail -n 20 "$OUT/log/device.log" >&2; die "device did not boot"; }
  sleep 0.5
done
[ -f "$STATE/endpoint.json" ] || die "device did not serve within 60 s"
export TRUSTBOX_STATE="$STATE" LD_LIBRARY_PATH="$EXPORT/lib"

TABLE="$OUT/results/table.md"
printf '| case | result | seconds | first error |\n|---|---|---|---|\n' >"$TABLE"
PASS=0 FAIL=0
record() { # record NAME RESULT SECONDS DETAIL
  printf '| %s | %s | %s | %s |\n' "$1" "$2" "$3" "$4" >>"$TABLE"
  if [ "$2" = pass ]; then PASS=$((PASS + 1)); else FAIL=$((FAIL + 1)); fi
}

# ---- 6a. examples: each program, unmodified, checked against what a board prints ----
# run_example NAME PROGRAM PATTERN... [-- ARGS]: runs the example with ARGS; passes when it exits 0 and prints
# every PATTERN (grep -E) and no "failed".
run_example() {
  local name=$1 bin=$2; shift 2
  local pats=() args=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do pats+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  args=("$@")
  local log="$OUT/results/example-$name.log" t0 t1 rc=0
  t0=$(date +%s.%N)
  timeout "$CASE_TIMEOUT" "$bin" "${args[@]}" >"$log" 2>&1 || rc=$?
  t1=$(date +%s.%N)
  local secs detail="" ok=1
  secs=$(printf '%.1f' "$(echo "$t1 - $t0" | bc)")
  [ $rc -eq 0 ] || { ok=0; detail="exit $rc"; }
  for p in "${pats[@]}"; do grep -Eq -- "$p" "$log" || { ok=0; detail="${detail:+$detail; }missing /$p/"; }; done
  if grep -qi 'failed' "$log"; then ok=0; detail="${detail:+$detail; }$(grep -i -m1 'failed' "$log" | cut -c1-120)"; fi
  record "example $name" "$([ $ok = 1 ] && echo pass || echo FAIL)" "$secs" "$detail"
}
if [ -n "$OPTEE_EXAMPLES" ]; then
  step "optee_examples"
  EX="$OUT/optee_examples"
  run_example hello_world "$EX/hello_world/host/optee_example_hello_world" 'TA incremented value to 43'
  run_example random "$EX/random/host/optee_example_random" 'TA generated UUID value = 0x[0-9a-f]+'
  run_example aes "$EX/aes/host/optee_example_aes" 'Clear text and decoded text match'
  run_example secure_storage "$EX/secure_storage/host/optee_example_secure_storage" \
    '^- Read back the object' '^- Delete the object' "We're done, close and release TEE resources"
  # RFC 4226 appendix D: counters 0..9 of the key "12345678901234567890"
  hotp=()
  for v in 755224 287082 359152 969429 338314 254676 287922 162583 399871 520489; do hotp+=("^HOTP: $v\$"); done
  run_example hotp "$EX/hotp/host/optee_example_hotp" "${hotp[@]}"
  run_example ecdh "$EX/ecdh/host/optee_example_ecdh" 'ECDH shared secret \(48 bytes\) on curve id 3'
  for a in ECDSA_SHA1 ECDSA_SHA224 ECDSA_SHA256 ECDSA_SHA384 ECDSA_SHA512; do
    run_example "ecdsa $a" "$EX/ecdsa/host/optee_example_ecdsa" 'verify signature successfully' -- "$a"
  done
  for a in TA_ALG_PKCS1_V1_5 TA_ALG_OAEP_MGF1_SHA1 TA_ALG_OAEP_MGF1_SHA224 TA_ALG_OAEP_MGF1_SHA256 \
           TA_ALG_OAEP_MGF1_SHA384 TA_ALG_OAEP_MGF1_SHA512; do
    run_example "acipher 2048 $a" "$EX/acipher/host/optee_example_acipher" 'message is matching successfully' \
      -- 2048 "hello, OP-TEE" "$a"
  done
  for a in PKCS1_V1_5_SHA1 PKCS1_V1_5_SHA256 PKCS1_V1_5_SHA512 PKCS1_PSS_MGF1_SHA1 PKCS1_PSS_MGF1_SHA256 \
           PKCS1_PSS_MGF1_SHA512; do
    run_example "sign_verify 2048 $a" "$EX/sign_verify/host/optee_example_sign_verify" \
      'Sign and verify successful' -- 2048 "$a"
  done
  for a in HMAC_SHA1 HMAC_SHA224 HMAC_SHA256 HMAC_SHA384 HMAC_SHA512 AES_CMAC; do
    run_example "sha $a" "$EX/sha/host/optee_example_sha" 'MAC successfully matching' -- abc "$a"
  done
  # digests: the printed value must be the digest of "abc" (SHAKE: 64 bytes, the program's buffer)
  for a in SHA1 SHA224 SHA256 SHA384 SHA512 SHA3_224 SHA3_256 SHA3_384 SHA3_512 SHAKE128 SHAKE256; do
    want=$(/usr/bin/python3 -c "import hashlib,sys; a=sys.argv[1].lower(); h=hashlib.new(a, b'abc'); print(h.hexdigest(64) if a.startswith('shake') else h.hexdigest())" "$a")
    run_example "sha $a" "$EX/sha/host/optee_example_sha" "^digest: $want\$" -- abc "$a"
  done
  # plugins: the TA calls the syslog plugin, loaded from --plugin-path as tee-supplicant loads it
  run_example plugins "$EX/plugins/host/optee_example_plugins" 'Attempt #1: TEEC_InvokeCommand\(\) success'
fi

# ---- 6b. xtest, case by case ----
step "xtest"
if [ -z "${CASES:-}" ]; then
  CASES=$(grep -ho 'ADBG_CASE_DEFINE([a-z0-9]*, [0-9a-z_]*,' "$OPTEE_TEST"/host/xtest/*.c |
    sed 's/ADBG_CASE_DEFINE(//; s/,$//; s/, /_/' | grep -E '^(regression|pkcs11)_')
fi
for c in $CASES; do
  suite=${c%%_*} id=${c#*_}
  log="$OUT/results/$c.log" rc=0
  t0=$(date +%s.%N)
  timeout "$CASE_TIMEOUT" "$XTEST" -t "$suite" "$id" >"$log" 2>&1 || rc=$?
  t1=$(date +%s.%N)
  secs=$(printf '%.1f' "$(echo "$t1 - $t0" | bc)")
  res=$(grep -E "^$c (OK|FAILED)" "$log" | tail -n 1 | awk '{print $2}' || true)
  if grep -q '^0 test cases of which' "$log"; then continue; fi   # not built (#ifdef) in this configuration
  first=$(grep -m1 -E 'unexpected|is false' "$log" | sed "s|$OPTEE_TEST/host/xtest/||; s/|/\\\\|/g" | cut -c1-160 || true)
  case "$rc:$res" in
    0:OK) record "$c" pass "$secs" "$(grep -m1 -iE 'skip test|skip subcase|not supported' "$log" | sed 's/^[ -]*//; s/|/\\|/g' | cut -c1-100 || true)" ;;
    124:*) record "$c" FAIL "$secs" "timeout (${CASE_TIMEOUT} s)" ;;
    *) record "$c" FAIL "$secs" "${first:-exit $rc}" ;;
  esac
done

cat "$TABLE"
echo
echo "passed $PASS, failed $FAIL (logs: $OUT/results, device console: $OUT/log/device.log)"
[ "$FAIL" -eq 0 ]
