#!/usr/bin/env bash
# Builds everything a device needs, in order, and is quiet when nothing changed:
#   1. the TypeScript emulator (dist/)
#   2. the normal-world firmware (firmware/normal/build/normal.bin)
#   3. the TA dev kit and the sample TAs, signed with the development key
#   4. the boot images images/<board>/ with their manifest.json
#   5. the engine library: Debian's libunicorn with the store fix (emulator/cpu/library.ts),
#      made once in the cache directory so that the first boot does not pay for it, and the
#      engine's preemption hook (native/build/libtrustbox-preempt.so, emulator/cpu/preempt.ts)
#   6. libteec.so.2 for the host (libteec/build/): the GP TEE Client API in C for existing
#      OP-TEE client programs
#   7. Open Enclave: the enclave runtime (oe/build/enclave), mbedtls for enclaves from Debian's
#      source package (oe/build/mbedtls, scripts/mbedtls.sh) and the host runtime (oe/build/host)
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\033[1mbuild:\033[0m %s\n' "$*" >&2; }

step "TypeScript -> dist/"
npx tsc -p tsconfig.json --incremental --tsBuildInfoFile dist/.tsbuildinfo

step "normal-world firmware"
make -s -C firmware/normal

step "TA dev kit and sample TAs (signed with keys/trustbox-dev-ta.pem)"
make -s -C firmware/ta TRUSTBOX="node $PWD/bin/trustbox.js"

step "boot images"
node scripts/make-image.mjs

step "engine library and preemption hook"
make -s -C native
node --input-type=module -e "import('./dist/emulator/cpu/library.js').then((m) => console.error('  ' + m.describeLibrary()))"

step "libteec (host C library)"
make -s -C libteec

step "Open Enclave: enclave runtime, mbedtls for enclaves, host runtime"
make -s -C oe/enclave
bash scripts/mbedtls.sh | sed 's/^/  /'
make -s -C oe/host
