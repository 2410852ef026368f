#!/usr/bin/env bash
# Idempotent set-up, run by `npm start` and `npm test` before anything else:
#   1. Debian packages the emulator needs (libunicorn2, the AArch64 cross compiler, make),
#      chromium, the real browser test/browser runs the client library in, and the OCI registry
#      and client of `trustbox module` / `trustbox edge` (docker-registry, skopeo);
#   2. npm packages when node_modules is missing or older than package-lock.json (`npm install`
#      with the committed lock file: `npm ci` refuses this lock because vite lists a Windows-only
#      optional package that the registry does not serve, so the lock cannot record it);
#   3. the build: dist/, firmware, TAs and boot images (scripts/build.sh; quick when nothing changed).
# Where it cannot install (not root and no password-less sudo) it prints the exact command.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
dpkg -s libunicorn2 >/dev/null 2>&1 || missing+=(libunicorn2)
command -v aarch64-linux-gnu-gcc >/dev/null 2>&1 || missing+=(gcc-aarch64-linux-gnu)
# C++ enclaves (Open Enclave samples are C++11)
command -v aarch64-linux-gnu-g++ >/dev/null 2>&1 || missing+=(g++-aarch64-linux-gnu)
# mbedtls for enclaves is built from Debian's source package (scripts/mbedtls.sh)
command -v dpkg-source >/dev/null 2>&1 || missing+=(dpkg-dev)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
command -v aarch64-linux-gnu-objcopy >/dev/null 2>&1 || missing+=(binutils-aarch64-linux-gnu)
command -v make >/dev/null 2>&1 || missing+=(make)
command -v gcc >/dev/null 2>&1 || missing+=(gcc)
[ -x /usr/bin/chromium ] || missing+=(chromium)
# libteec (the C Client API): msgpack-c and json-c to build it, valgrind for its tests
[ -f /usr/include/msgpack.h ] || missing+=(libmsgpack-dev)
[ -f /usr/include/json-c/json.h ] || missing+=(libjson-c-dev)
command -v valgrind >/dev/null 2>&1 || missing+=(valgrind)
# xmllint checks that the trace pictures (SVG) are well-formed XML
command -v xmllint >/dev/null 2>&1 || missing+=(libxml2-utils)
# openssl checks device certificates in the tests (openssl verify), as users would
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
[ -x /usr/bin/docker-registry ] || missing+=(docker-registry)
command -v skopeo >/dev/null 2>&1 || missing+=(skopeo)

if ((${#missing[@]} > 0)); then
  echo "setup: installing Debian packages: ${missing[*]}"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "setup: these Debian packages are missing and I cannot install them without root:" >&2
    echo "  sudo apt-get install -y ${missing[*]}" >&2
    echo "run that command, then run this one again." >&2
    exit 1
  fi
fi

if [ ! -d node_modules/koffi ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages (npm install, from package-lock.json)"
  npm install --no-audit --no-fund --loglevel=error
fi

bash scripts/build.sh
