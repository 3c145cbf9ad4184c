#!/usr/bin/env bash
# Documentation integrations (issue 13): Debian's hugo, mdbook (pinned, built once into the cargo home's
# bin, so reruns skip it), and the npm tools of tests/embed (vite 7, typescript, playwright-core; the
# browser tests reuse tests/e2e's launcher and Debian's chromium from 10-web.sh). Idempotent.
set -euo pipefail
source .ci/lib/apt.sh   # apt_install
MDBOOK_VERSION=0.4.52
need=()
command -v hugo >/dev/null 2>&1 || need+=(hugo)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then need+=(nodejs npm); fi
# Without recommends: hugo would pull a Go toolchain it does not need.
apt_install --no-install-recommends "${need[@]}"
hugo version
if [ "$(mdbook --version 2>/dev/null)" != "mdbook v$MDBOOK_VERSION" ]; then
  # ~3 minutes on 2 cores; no `serve`/`watch` features (the tests serve the book themselves).
  cargo install --locked mdbook --version "$MDBOOK_VERSION" --no-default-features --features search
fi
mdbook --version
for dir in tests/e2e tests/embed; do
  if ! cmp -s "$dir/package-lock.json" "$dir/node_modules/.package-lock.json.ci" 2>/dev/null; then
    (cd "$dir" && npm ci --no-audit --no-fund && cp package-lock.json node_modules/.package-lock.json.ci)
  fi
done
