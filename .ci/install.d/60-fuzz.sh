#!/usr/bin/env bash
# Fuzz smoke (issue 11): cargo-fuzz drives libFuzzer over the fuzz/ targets. Built with
# RUSTC_BOOTSTRAP=1 on the stable toolchain (no nightly download). Idempotent; runs from the repo root.
set -euo pipefail
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install --locked cargo-fuzz
fi
cargo fuzz --version
