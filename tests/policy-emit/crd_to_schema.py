#!/usr/bin/env python3
"""Turns one version of a published CustomResourceDefinition into the JSON Schema the schema tests use.

usage: crd_to_schema.py CRD.yaml VERSION SOURCE > NAME.schema.json

The apiserver's strict field validation (kubectl's default since 1.27) rejects fields a structural
schema does not declare, so every object with `properties` and without
`x-kubernetes-preserve-unknown-fields` gets `additionalProperties: false`; `x-kubernetes-int-or-string`
becomes integer-or-string and `nullable` admits null. Descriptions are dropped to keep the files small.
SOURCE (repository, path, commit) is recorded in `$comment`, so a schema can be regenerated and compared.
"""
import json
import sys

import yaml


def convert(node):
    if isinstance(node, list):
        return [convert(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key in ("description", "x-kubernetes-list-type", "x-kubernetes-list-map-keys", "x-kubernetes-map-type",
                   "x-kubernetes-validations", "x-kubernetes-embedded-resource"):
            continue
        if key in ("properties", "patternProperties"):
            out[key] = {k: convert(v) for k, v in value.items()}
        else:
            out[key] = convert(value)
    if node.get("x-kubernetes-int-or-string"):
        out.pop("type", None)
        out["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    if out.pop("nullable", False) and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    preserve = out.pop("x-kubernetes-preserve-unknown-fields", False)
    out.pop("x-kubernetes-int-or-string", None)
    if "properties" in out and not preserve and "additionalProperties" not in out:
        out["additionalProperties"] = False
    return out


def main():
    path, version, source = sys.argv[1:4]
    with open(path, encoding="utf-8") as f:
        crd = yaml.safe_load(f)
    group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
    found = [v for v in crd["spec"]["versions"] if v["name"] == version]
    if not found:
        sys.exit(f"{path}: no version {version}")
    schema = convert(found[0]["schema"]["openAPIV3Schema"])
    schema["$comment"] = f"{group}/{version} {kind}, derived by crd_to_schema.py from {source}"
    # apiVersion and kind must name this resource.
    schema.setdefault("properties", {})
    schema["properties"]["apiVersion"] = {"const": f"{group}/{version}"}
    schema["properties"]["kind"] = {"const": kind}
    schema["required"] = sorted(set(schema.get("required", [])) | {"apiVersion", "kind", "metadata", "spec"})
    json.dump(schema, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
