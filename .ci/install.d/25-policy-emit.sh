#!/usr/bin/env bash
# Schema checks of `podgroups policy emit` and the docs' ClusterAdmissionPolicy examples
# (.ci/test.d/25-policy-emit.sh): PyPI's kubernetes-validate (the Kubernetes OpenAPI schemas, with
# jsonschema and PyYAML) in a virtualenv, and npm's @kubernetes-models/kyverno. Idempotent; runs from the repo root.
set -euo pipefail
source .ci/lib/apt.sh   # apt_install
venv="${PODGROUPS_POLICY_VENV:-/opt/podgroups-policy-venv}"
if ! command -v python3 >/dev/null 2>&1 || ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
  apt_install python3 python3-venv
fi
if ! "$venv/bin/python" -c 'import kubernetes_validate' >/dev/null 2>&1; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q kubernetes-validate==1.37.0
fi
"$venv/bin/python" -c 'import kubernetes_validate, jsonschema, yaml; print("kubernetes-validate ready")'
# Kyverno's CRD-generated validators (npm @kubernetes-models/kyverno, pinned by the lockfile).
(cd tests/policy-emit && npm ci --no-audit --no-fund --loglevel=error)
