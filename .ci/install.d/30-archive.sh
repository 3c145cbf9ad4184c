#!/usr/bin/env bash
# Tools for the image-archive cross-check (.ci/test.d/30-archive.sh): umoci builds OCI images layer by
# layer, skopeo converts them to docker-archive, oci-archive and zstd. Debian's packages; skipped when
# already installed.
set -euo pipefail
need=()
command -v umoci >/dev/null 2>&1 || need+=("umoci=0.4.7*")
command -v skopeo >/dev/null 2>&1 || need+=("skopeo=1.9.3*")
if [ "${#need[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi
umoci --version
skopeo --version
