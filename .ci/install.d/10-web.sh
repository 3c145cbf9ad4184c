#!/usr/bin/env bash
# Site and browser tests (issue 3): the wasm target, Debian's chromium for the e2e tests, node/npm,
# and the npm tools pinned by www/package-lock.json (wasm-opt, esbuild) and
# tests/e2e/package-lock.json (playwright-core, which drives the system chromium and downloads no
# browser). Idempotent; runs from the repo root.
set -euo pipefail
source .ci/lib/apt.sh   # apt_install
rustup target add wasm32-unknown-unknown
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then need+=(nodejs npm); fi
apt_install "${need[@]}"
chromium --version
node --version
for dir in www tests/e2e; do
  # npm ci only when the installed tree does not match the lock file.
  if ! cmp -s "$dir/package-lock.json" "$dir/node_modules/.package-lock.json.ci" 2>/dev/null; then
    (cd "$dir" && npm ci --no-audit --no-fund && cp package-lock.json node_modules/.package-lock.json.ci)
  fi
done
