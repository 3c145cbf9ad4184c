#!/usr/bin/env bash
# Site and playground (issue 3): build www/dist with the README's build command, serve it on
# 127.0.0.1 with the xtask server, run the browser tests (node:test + playwright-core + chromium),
# then print the measured budgets (sizes, first result, keystroke); timings are reported, never asserted.
set -euo pipefail
cd "$(dirname "$0")/../.."
port="${PODGROUPS_E2E_PORT:-18080}"
target="$(cargo xtask target-dir)"

echo "-- cargo xtask www"
cargo xtask www
cargo build -q -p xtask
"$target/debug/xtask" serve --no-build --port "$port" &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
  sleep 0.1
done

echo "-- browser tests"
mkdir -p tests/artifacts
(cd tests/e2e && PODGROUPS_URL="http://127.0.0.1:$port/" node --test --test-concurrency=1 --test-reporter=spec)

echo "-- budgets (measured, not asserted)"
(cd tests/e2e && PODGROUPS_URL="http://127.0.0.1:$port/" node budgets.mjs) || echo "budget measurement failed (not a test)"
