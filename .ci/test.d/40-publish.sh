#!/usr/bin/env bash
# Publishable crates (issue 10): `cargo publish --dry-run` packages podgroups-core, podgroups-image,
# podgroups-policy (the CLI's `policy emit` uses it), podgroups-audit (`podgroups audit`) and podgroups-cli together (cargo resolves the CLI's not-yet-published dependencies from the packages
# it just made) and builds each package from its .crate alone, so `cargo install podgroups-cli` works
# once they are published. Uploads nothing.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo publish --dry-run --allow-dirty -p podgroups-core -p podgroups-image -p podgroups-policy -p podgroups-audit -p podgroups-cli
