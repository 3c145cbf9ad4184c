#!/usr/bin/env bash
# Tools for the registry checks (.ci/test.d/40-registry.sh): Debian's docker-registry (the CNCF
# distribution server), skopeo to push, umoci to build images, htpasswd (apache2-utils) and openssl
# for the TLS + basic-auth registry, curl to wait for servers. Skipped when already installed. The package's service fails to
# start without systemd, harmlessly: the tests start their own servers.
set -euo pipefail
source .ci/lib/apt.sh   # apt_install
need=()
command -v docker-registry >/dev/null 2>&1 || need+=(docker-registry)
command -v skopeo >/dev/null 2>&1 || need+=(skopeo)
command -v umoci >/dev/null 2>&1 || need+=(umoci)
command -v htpasswd >/dev/null 2>&1 || need+=(apache2-utils)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v python3 >/dev/null 2>&1 || need+=(python3)
command -v curl >/dev/null 2>&1 || need+=(curl)
# `|| true`: docker-registry's service fails to start without systemd (see above).
apt_install "${need[@]}" || true
command -v docker-registry >/dev/null
skopeo --version
