//! Near-manifests for the fuzz targets: seed manifests (the blog example, every conformance
//! vector's pod, a few YAML-feature snippets) and the edits the input bytes make to them, YAML
//! tokens spliced in, text removed or replaced where the bytes say.

use podgroups_core::manifest::{parse_documents_oracle, Node};
use std::sync::OnceLock;

/// Short YAML shapes the mutations splice in: anchors, aliases, merges, tags, scalars that
/// resolve to other types, flow and block structure, document markers.
const TOKENS: &[&str] = &[
    "&a ", "*a", "&b ", "*b", "<<: *a\n", "<<: ", "<<", "- ", ": ", "? ", "{", "}", "[", "]", ", ",
    "\n", "\n  ", "  ", "'", "\"", "!!str ", "!!int ", "!!float ", "!!bool ", "!!null ", "! ",
    "!custom ", "!!binary ", "yes", "no", "on", "y", "~", "null", "0x1F", "0o17", "0b101", "017",
    "-0", "+1", "1_000", "1e3", ".inf", ".nan", "-.nan", "1e999", "99999999999999999999", "-",
    "---\n", "...\n", "#", "|\n  ", ">-\n  ", "\t", "%YAML 1.2\n---\n", "1.5", "runAsUser: ",
    "supplementalGroups: [", "kind: List\nitems:\n- ", "\\u00e9", "é", "<<: [*a, *b]\n",
];

/// The user-written snippets that carry features manifests rarely show.
const SNIPPETS: &[&str] = &[
    "base: &base {runAsUser: 1000, runAsGroup: 3000}\nkind: Pod\nspec:\n  securityContext:\n    <<: *base\n    runAsUser: 2000\n  containers: [{name: c}]\n",
    "kind: Pod\nspec:\n  securityContext: &sc\n    supplementalGroups: [4000, 0x10, 017, 1_0]\n  containers:\n  - name: a\n    securityContext: *sc\n  - {name: b, image: 'x:1'}\n",
    "---\nkind: Pod\nspec: {containers: [{name: c}]}\n...\n---\n# empty\n---\nkind: Service\n",
    "{\"kind\": \"Pod\", \"spec\": {\"containers\": [{\"name\": \"c\"}]}}",
    "{\"apiVersion\": \"v1\", \"items\": [{\"kind\": \"Pod\", \"metadata\": {\"name\": \"a\"}, \"spec\": {\"securityContext\": {\"runAsUser\": 1000, \"supplementalGroups\": [4000, 1e3, -1]}, \"containers\": [{\"name\": \"c\"}]}}], \"kind\": \"List\", \"metadata\": {}}\n{\"kind\": \"Pod\"}",
    "kind: List\nitems:\n- kind: Pod\n  spec:\n    containers: [{name: c}]\n- kind: Deployment\n  spec:\n    template:\n      spec:\n        containers: [{name: d}]\n",
    "a: &x [1, 2]\nb: *x\nc: {<<: [{p: 1}, {p: 2, q: 3}], r: !!str 4}\nd: !!int '7'\ne: yes\nf: -.inf\n",
];

/// The seeds: the snippets, the blog pod, and every conformance vector's pod.
pub fn seeds() -> &'static [String] {
    static SEEDS: OnceLock<Vec<String>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let mut seeds: Vec<String> = SNIPPETS.iter().map(|s| (*s).to_owned()).collect();
        seeds.push(include_str!("../../cli/examples/blog/pod.yaml").to_owned());
        let vectors = include_str!("../../tests/vectors/conformance.yaml");
        if let Ok(docs) = parse_documents_oracle(vectors) {
            for doc in &docs {
                for v in doc.get("vectors").and_then(Node::as_seq).unwrap_or(&[]) {
                    if let Some(pod) = v.get("pod").and_then(Node::as_str) {
                        seeds.push(pod.to_owned());
                    }
                }
            }
        }
        seeds
    })
}

/// A seed with tokens spliced in, removed or replaced at the positions the bytes give.
#[allow(dead_code)] // memo_edits applies the edits one at a time, with `edit`.
pub fn near_manifest(data: &[u8]) -> String {
    let seeds = seeds();
    let (first, rest) = data.split_first().unwrap_or((&0, &[]));
    let mut text = seeds[usize::from(*first) % seeds.len()].clone().into_bytes();
    for op in rest.chunks(3) {
        edit(&mut text, op);
    }
    String::from_utf8_lossy(&text).into_owned()
}

/// One edit from (up to) three bytes: what (insert, delete, replace), where, and which token.
pub fn edit(text: &mut Vec<u8>, op: &[u8]) {
    let [kind, pos, arg] = [*op.first().unwrap_or(&0), *op.get(1).unwrap_or(&0), *op.get(2).unwrap_or(&0)];
    let at = if text.is_empty() { 0 } else { (usize::from(pos) * 257 + usize::from(arg)) % (text.len() + 1) };
    let token = TOKENS[usize::from(arg) % TOKENS.len()].as_bytes();
    match kind % 4 {
        0 | 1 => {
            text.splice(at..at, token.iter().copied());
        }
        2 => {
            let end = (at + usize::from(arg % 8) + 1).min(text.len());
            text.drain(at..end);
        }
        _ => {
            let end = (at + token.len()).min(text.len());
            text.splice(at..end, token.iter().copied());
        }
    }
}
