#!/usr/bin/env bash
# kubectl for the plugin test (cli/tests/conventions.rs runs `kubectl podgroups explain` through
# kubectl's own plugin lookup): Debian's kubernetes-client when no kubectl is installed. Plugin lookup
# needs no cluster; any kubectl since 1.12 has it. Idempotent.
set -euo pipefail
if ! command -v kubectl >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq kubernetes-client >/dev/null
fi
kubectl version --client 2>/dev/null | head -1 || true
