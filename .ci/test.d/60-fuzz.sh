#!/usr/bin/env bash
# Fuzz smoke (issue 11): builds every fuzz target once and runs each for ~20 s from an empty corpus
# (manifest_diff and memo_edits also mutate their built-in seed manifests). A crash, a disagreement
# between the manifest reader and its serde-saphyr oracle or between Memo and explain, or a leak
# fails the run. The long runs (≥ 1 hour for manifest_diff, ≥ 15 minutes for the others) happen
# outside CI; see fuzz/README.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
target="$(cargo xtask target-dir)/fuzz"
export RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR="$target"
targets=(manifest manifest_diff memo_edits etc_files image_manifests)
(cd fuzz && cargo fuzz build -O)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for t in "${targets[@]}"; do
  mkdir -p "$work/$t"
  echo "-- fuzz $t (20 s)"
  if ! "$target/x86_64-unknown-linux-gnu/release/$t" "$work/$t" -max_total_time=20 -max_len=4096 \
    -artifact_prefix="$work/" -print_final_stats=1 > "$work/$t.log" 2>&1; then
    grep -E -m1 -A20 "panicked|ERROR" "$work/$t.log" || tail -n 40 "$work/$t.log"
    echo "fuzz target $t failed"
    exit 1
  fi
  grep -E "^Done|stat::number_of_executed_units" "$work/$t.log"
done
