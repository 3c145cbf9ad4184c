#!/usr/bin/env python3
"""Validates what `podgroups policy emit` prints, and the ClusterAdmissionPolicy examples of the docs,
against the resources' published schemas:

- ValidatingAdmissionPolicy(+Binding) and MutatingAdmissionPolicy(+Binding): the Kubernetes OpenAPI
  schemas shipped by the PyPI package kubernetes-validate, strict mode (unknown fields are errors), for
  every Kubernetes version that serves the resource's apiVersion from 1.34 on;
- ClusterPolicy (Kyverno): npm's @kubernetes-models/kyverno, validators generated from Kyverno's CRD
  schemas (kyverno.mjs, run with node); like the apiserver for a custom resource they check types,
  required fields and enums but not unknown fields, so the broken copy has a wrongly typed field;
- ConstraintTemplate, Assign (Gatekeeper), ClusterAdmissionPolicy (Kubewarden): their schemas are
  published only as CRDs in the projects' repositories, which no package registry reachable here
  ships; they are listed as skipped (never as passed) until a packaged source exists;
- the Gatekeeper constraint: its kind is the template's, and it sets only keys a constraint has.

Each check is also run on a broken copy (an unknown field, or a wrongly typed one) that must be refused, so a schema that
accepts everything cannot pass. usage: validate.py PODGROUPS_BINARY
"""
import copy
import html
import json
import re
import subprocess
import sys
from pathlib import Path

import kubernetes_validate
from kubernetes_validate import utils as kv
import yaml

ROOT = Path(__file__).resolve().parents[2]
# Custom resources whose schema exists only as a CRD in the project's repository (not packaged).
CRD_KINDS = {
    ("templates.gatekeeper.sh/v1", "ConstraintTemplate"),
    ("mutations.gatekeeper.sh/v1", "Assign"),
    ("policies.kubewarden.io/v1", "ClusterAdmissionPolicy"),
}
# Validated by kyverno.mjs (npm @kubernetes-models/kyverno).
KYVERNO_KINDS = {("kyverno.io/v1", "ClusterPolicy")}
passed = failed = skipped = 0


def k8s_versions(api_version):
    versions = [v for v in kv.all_versions() if tuple(map(int, v.split(".")[:2])) >= (1, 34)]
    if api_version.endswith("v1beta1"):
        # MutatingAdmissionPolicy is beta from 1.34 on; keep the versions that still serve v1beta1.
        versions = [v for v in versions if schema_exists(v, api_version)]
    return versions


def schema_exists(version, api_version):
    try:
        kv.validate({"apiVersion": api_version, "kind": "MutatingAdmissionPolicy",
                                      "metadata": {"name": "x"}, "spec": {}}, version, strict=True)
        return True
    except kv.SchemaNotFoundError:
        return False
    except Exception:
        return True


def errors(doc, templates):
    """The schema errors of one resource (an empty list when it is valid)."""
    key = (doc.get("apiVersion"), doc.get("kind"))
    if key[0].startswith("admissionregistration.k8s.io/"):
        out = []
        versions = k8s_versions(key[0])
        if not versions:
            return [f"no Kubernetes schema serves {key}"]
        for version in versions:
            try:
                kv.validate(doc, version, strict=True)
            except kv.ValidationError as e:
                out.append(f"Kubernetes {version}: {e.message} at {list(e.path)}")
        return out
    if key in KYVERNO_KINDS:
        node = subprocess.run(["node", str(ROOT / "tests/policy-emit/kyverno.mjs")], input=json.dumps([doc]),
                              capture_output=True, text=True, cwd=ROOT / "tests/policy-emit")
        if node.returncode != 0:
            return [f"kyverno.mjs failed: {node.stderr.strip()[:300]}"]
        return json.loads(node.stdout)[0]
    if key[0] == "constraints.gatekeeper.sh/v1beta1" and key[1] in templates:
        allowed = {"match", "parameters", "enforcementAction", "scopedEnforcementActions"}
        extra = set(doc.get("spec", {})) - allowed
        return [f"unknown constraint field {sorted(extra)}"] if extra else []
    return [f"no schema for {key}"]


def check(label, doc, templates):
    global passed, failed, skipped
    if (doc.get("apiVersion"), doc.get("kind")) in CRD_KINDS:
        skipped += 1
        print(f"skip {label}: no packaged schema for {doc.get('kind')}")
        return
    found = errors(doc, templates)
    broken = copy.deepcopy(doc)
    if (doc.get("apiVersion"), doc.get("kind")) in KYVERNO_KINDS:
        broken.setdefault("spec", {})["background"] = "no"
    else:
        broken.setdefault("spec", {})["executionMode"] = "gatekeeper"
    refused = errors(broken, templates)
    if found:
        failed += 1
        print(f"FAIL {label}: " + "; ".join(found[:5]))
    elif not refused:
        failed += 1
        print(f"FAIL {label}: the schema accepted the broken copy too")
    else:
        passed += 1
        print(f"ok   {label}")


def emitted(binary):
    for form in ["vap", "map", "gatekeeper", "kyverno"]:
        for settings in [None, ROOT / "tests/fixtures/policy/emit-settings.yaml"]:
            cmd = [binary, "policy", "emit", form] + (["--settings", str(settings)] if settings else [])
            out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
            docs = [d for d in yaml.safe_load_all(out) if d]
            templates = {d["spec"]["crd"]["spec"]["names"]["kind"] for d in docs if d["kind"] == "ConstraintTemplate"}
            for doc in docs:
                yield f"emit {form}{' --settings' if settings else ''}: {doc['kind']} {doc['metadata']['name']}", doc, templates


def examples():
    """The ClusterAdmissionPolicy examples in the site's policy page and the policy README."""
    page = (ROOT / "www/site/policy.html").read_text()
    blocks = [html.unescape(b) for b in re.findall(r"<pre>(.*?)</pre>", page, re.S)]
    readme = (ROOT / "policy-wasm/README.md").read_text()
    blocks += re.findall(r"```yaml\n(.*?)```", readme, re.S)
    count = 0
    for block in blocks:
        if "kind: ClusterAdmissionPolicy" in block:
            doc = yaml.safe_load(block)
            count += 1
            yield f"docs example {doc['metadata']['name']}", doc, set()
    if count < 3:
        sys.exit(f"expected the ClusterAdmissionPolicy examples of policy.html and README.md, found {count}")


def site_shows_the_current_output(binary):
    """The site's policy page shows what `policy emit vap` prints now, not an older version."""
    global passed, failed
    out = subprocess.run([binary, "policy", "emit", "vap"], check=True, capture_output=True, text=True).stdout
    page = (ROOT / "www/site/policy.html").read_text()
    shown = re.search(r'<pre class="emit-vap">(.*?)</pre>', page, re.S)
    if shown and html.unescape(shown.group(1)) == out:
        passed += 1
        print("ok   www/site/policy.html shows the current `policy emit vap` output")
    else:
        failed += 1
        print("FAIL www/site/policy.html: the emit-vap block differs from `podgroups policy emit vap`; paste the new output")


def main():
    for label, doc, templates in list(emitted(sys.argv[1])) + list(examples()):
        check(label, doc, templates)
    site_shows_the_current_output(sys.argv[1])
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
