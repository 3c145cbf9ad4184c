#!/usr/bin/env bash
# kubectl for the plugin test (cli/tests/conventions.rs runs `kubectl podgroups explain` through
# kubectl's own plugin lookup): Debian's kubernetes-client when no kubectl is installed. Plugin lookup
# needs no cluster; any kubectl since 1.12 has it. Idempotent.
set -euo pipefail
source .ci/lib/apt.sh   # apt_install
command -v kubectl >/dev/null 2>&1 || apt_install kubernetes-client
kubectl version --client 2>/dev/null | head -1 || true
