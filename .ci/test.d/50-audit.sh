#!/usr/bin/env bash
# podgroups-audit is pure so the playground can run it: prove it builds for wasm32-unknown-unknown,
# with and without YAML. Its tests (audit/tests, cli/tests/audit.rs) run in `cargo test --workspace`.
# The 10,000-pod benchmark is a measurement, not a check: see audit/README.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
echo "-- podgroups-audit for wasm32-unknown-unknown"
cargo build -q -p podgroups-audit --target wasm32-unknown-unknown
cargo build -q -p podgroups-audit --no-default-features --target wasm32-unknown-unknown
