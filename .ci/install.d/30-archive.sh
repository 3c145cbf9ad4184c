#!/usr/bin/env bash
# Tools for the image-archive cross-check (.ci/test.d/30-archive.sh): umoci builds OCI images layer by
# layer, skopeo converts them to docker-archive, oci-archive and zstd. Debian's packages; skipped when
# already installed.
set -euo pipefail
source .ci/lib/apt.sh   # apt_install
need=()
command -v umoci >/dev/null 2>&1 || need+=("umoci=0.4.7*")
command -v skopeo >/dev/null 2>&1 || need+=("skopeo=1.9.3*")
apt_install "${need[@]}"
umoci --version
skopeo --version
