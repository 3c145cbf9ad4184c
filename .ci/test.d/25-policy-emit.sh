#!/usr/bin/env bash
# `podgroups policy emit` (issue 10): every emitted resource, and the ClusterAdmissionPolicy examples of
# www/site/policy.html and policy-wasm/README.md, validated against the published schemas
# (tests/policy-emit/validate.py). The CEL verdict comparison with the policy is a plain cargo test
# (policy-wasm/tests/emit_cel.rs).
set -euo pipefail
cd "$(dirname "$0")/../.."
venv="${PODGROUPS_POLICY_VENV:-/opt/podgroups-policy-venv}"
cargo build -q -p podgroups-cli
target_dir="$(cargo metadata --format-version 1 --no-deps | "$venv/bin/python" -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
"$venv/bin/python" tests/policy-emit/validate.py "$target_dir/debug/podgroups"
