#!/usr/bin/env bash
# The confidential-module example, end to end: build the secure_storage TA, encrypt it for one
# device, pack it with the module into an OCI image, push it to a registry, deploy it with an
# IoT Edge deployment manifest, and wait for the module to report a verified attestation and
# sealed readings. Exits 0 only then.
#
#   examples/confidential-module/deploy.sh
#   REGISTRY=127.0.0.1:5000 STATE=/tmp/dev examples/confidential-module/deploy.sh
#
# REGISTRY (host:port) and STATE (the state directory of a running `trustbox boot`) are used when
# set; otherwise the script starts its own on loopback and removes them at the end. A registry
# that is not on loopback must speak TLS (add INSECURE_REGISTRY=1 to allow plain HTTP to it).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
TB=(node "$ROOT/bin/trustbox.js")
UUID=f4e750bb-1437-4fbf-8785-8d3580c34994
TA_DIR="$ROOT/firmware/ta/secure_storage"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/confidential-module.XXXXXX")"
PIDS=()

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

# wait_for FILE PATTERN SECONDS: until FILE has a line matching PATTERN.
wait_for() {
  local deadline=$((SECONDS + $3))
  until grep -qE "$2" "$1" 2>/dev/null; do
    if ((SECONDS > deadline)); then echo "deploy: timed out waiting for /$2/ in $1:" >&2; tail -n 20 "$1" >&2; return 1; fi
    sleep 0.1
  done
}

if [ -z "${REGISTRY:-}" ]; then
  "${TB[@]}" edge registry --dir "$WORK/registry" >"$WORK/registry.log" 2>&1 &
  PIDS+=($!)
  wait_for "$WORK/registry.log" 'listening on' 20
  REGISTRY="$(sed -nE 's/.*listening on ([0-9.]+:[0-9]+).*/\1/p' "$WORK/registry.log" | head -n1)"
fi
if [ -z "${STATE:-}" ]; then
  STATE="$WORK/device"
  "${TB[@]}" boot --state "$STATE" >"$WORK/device.log" 2>&1 &
  PIDS+=($!)
  wait_for "$WORK/device.log" 'api: listening' 30
fi
INSECURE=()
[ -n "${INSECURE_REGISTRY:-}" ] && INSECURE=(--insecure-registry "$REGISTRY")
echo "deploy: registry $REGISTRY, device $STATE"

# 1. Build the TA (signed), 2. encrypt it for this device only (its identity public key).
[ -f "$TA_DIR/out/$UUID.ta" ] || make -s -C "$TA_DIR" TRUSTBOX="node $ROOT/bin/trustbox.js"
"${TB[@]}" device id --state "$STATE" --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.parse(s).publicKey))' >"$WORK/device.pem"
"${TB[@]}" ta encrypt --in "$TA_DIR/out/$UUID.ta" --for-device "$WORK/device.pem" --out "$WORK/$UUID.ta"

# 3. Pack the module with the encrypted TA (plaintext TAs refused), 4. push it.
"${TB[@]}" module pack "$HERE/module" --ta "$WORK/$UUID.ta" --encrypted-only --out "$WORK/image"
IMAGE="$REGISTRY/trustbox/confidential-sensor:1.0.0"
"${TB[@]}" module push "$WORK/image" "$IMAGE" "${INSECURE[@]}"

# The verifier: nonces, and `trustbox attest verify` against this device's key and the TA shipped.
node "$HERE/verifier.mjs" --device "$WORK/device.pem" --uuid "$UUID" --ta-file "$WORK/$UUID.ta" --port-file "$WORK/verifier.port" >"$WORK/verifier.log" 2>&1 &
PIDS+=($!)
wait_for "$WORK/verifier.log" 'listening on' 10
VERIFIER_URL="http://127.0.0.1:$(cat "$WORK/verifier.port")"

# 5. Deploy: the manifest VS Code's IoT Edge tools would generate, with our image and env.
sed -e "s|@IMAGE@|$IMAGE|" -e "s|@VERIFIER_URL@|$VERIFIER_URL|" "$HERE/deployment.template.json" >"$WORK/deployment.json"
"${TB[@]}" edge deploy "$WORK/deployment.json" --state "$STATE" "${INSECURE[@]}" >"$WORK/agent.log" 2>&1 &
AGENT=$!
PIDS+=("$AGENT")
if ! wait_for "$WORK/agent.log" '"attestation":"verified","sealed":[1-9]|confidential-sensor: exited|"error"' 60; then exit 1; fi
cat "$WORK/agent.log"
cat "$WORK/verifier.log"
"${TB[@]}" edge list --state "$STATE"
grep -qE '"attestation":"verified","sealed":[1-9]' "$WORK/agent.log" || { echo "deploy: the module did not report a verified attestation and sealed readings" >&2; exit 1; }
grep -q '^verifier: verified' "$WORK/verifier.log" || { echo "deploy: the verifier did not verify the evidence" >&2; exit 1; }
echo "deploy: OK: attestation verified by the verifier, readings sealed in the TEE"
