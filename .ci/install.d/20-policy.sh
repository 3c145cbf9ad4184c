#!/usr/bin/env bash
# Admission policy (issue 5): the wasm targets of both artifacts and the OPA Wasm SDK for node.
# Idempotent; runs from the repo root.
set -euo pipefail
source .ci/lib/apt.sh   # apt_install
rustup target add wasm32-wasip1 wasm32-unknown-unknown
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  apt_install nodejs npm
fi
# @open-policy-agent/opa-wasm pinned by tests/opa/package-lock.json.
if [ ! -d tests/opa/node_modules/@open-policy-agent/opa-wasm ]; then
  (cd tests/opa && npm ci --no-audit --no-fund)
fi
