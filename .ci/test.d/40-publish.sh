#!/usr/bin/env bash
# Publishable crates (issue 10): `cargo publish --dry-run` packages podgroups-core, podgroups-image,
# podgroups-policy (the CLI's `policy emit` uses it), podgroups-audit (`podgroups audit`) and podgroups-cli together (cargo resolves the CLI's not-yet-published dependencies from the packages
# it just made) and builds each package from its .crate alone, so `cargo install podgroups-cli` works
# once they are published. Uploads nothing.
set -euo pipefail
cd "$(dirname "$0")/../.."
# cargo verifies each package against the others through a local overlay registry. It treats
# registry crates as immutable: their sources are unpacked once per name-version under
# $CARGO_HOME/registry/src/-<id>/ and their build outputs are never rebuilt, so a rerun on the same
# machine would verify against an older build of our own crates. Forget both first.
forget_packaged_crates() {
  rm -rf "${CARGO_HOME:-$HOME/.cargo}"/registry/src/-*/podgroups-* "${CARGO_HOME:-$HOME/.cargo}"/registry/src/-*/mdbook-podgroups-*
  rm -rf "$(cargo xtask target-dir)"/debug/.fingerprint/podgroups-* "$(cargo xtask target-dir)"/debug/.fingerprint/mdbook-podgroups-*
}
forget_packaged_crates
cargo publish --dry-run --allow-dirty -p podgroups-core -p podgroups-image -p podgroups-policy -p podgroups-audit -p podgroups-cli
