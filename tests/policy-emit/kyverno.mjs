// Validates Kyverno resources with @kubernetes-models/kyverno, whose validators are generated from
// Kyverno's own CRD schemas (types, required fields, enums; like the apiserver for a CRD, they do not
// refuse unknown fields). Reads a JSON list of resources on stdin and prints a JSON list with each
// one's errors (an empty list when it is valid). Used by validate.py.
import { ClusterPolicy } from "@kubernetes-models/kyverno/kyverno.io/v1/ClusterPolicy";

const KINDS = { "kyverno.io/v1/ClusterPolicy": ClusterPolicy };

let input = "";
for await (const chunk of process.stdin) input += chunk;
const out = JSON.parse(input).map((doc) => {
  const Kind = KINDS[`${doc.apiVersion}/${doc.kind}`];
  if (!Kind) return [`no Kyverno validator for ${doc.apiVersion} ${doc.kind}`];
  try {
    new Kind(doc).validate();
    return [];
  } catch (e) {
    return [String(e.message ?? e)];
  }
});
process.stdout.write(JSON.stringify(out));
