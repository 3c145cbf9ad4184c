//! Reading manifests: YAML or JSON text → documents → the Pods and workloads that carry a pod template.

mod json;
pub mod node;
mod pod;
pub mod raw;
#[cfg(any(test, feature = "saphyr-oracle"))]
mod saphyr;
#[cfg(feature = "yaml")]
pub(crate) mod split;
mod stream;
#[cfg(feature = "yaml")]
mod yaml;

pub use node::{Node, Value};
pub(crate) use pod::{Container, ContainerSecurityContext, Field, PodSecurityContext, PodSpec};
pub(crate) use stream::{stream_documents, stream_pod_specs};

use crate::error::{InputError, Source};
use crate::report::{ContainerKind, Skipped};

/// Largest manifest text accepted. kube-apiserver caps a request body at 3 MiB; a `List` from
/// `kubectl get -o yaml` of a large cluster is allowed more.
pub const MAX_MANIFEST_BYTES: usize = 8 * 1024 * 1024;

/// The kinds with a pod template and the path of their pod spec (Spec 1.5).
const POD_SPEC_PATHS: &[(&str, &str)] = &[
    ("Pod", "spec"),
    ("Deployment", "spec.template.spec"),
    ("ReplicaSet", "spec.template.spec"),
    ("StatefulSet", "spec.template.spec"),
    ("DaemonSet", "spec.template.spec"),
    ("Job", "spec.template.spec"),
    ("CronJob", "spec.jobTemplate.spec.template.spec"),
    ("ReplicationController", "spec.template.spec"),
    ("PodTemplate", "template.spec"),
];

/// The container lists of a pod spec, in the order the kubelet starts them; all take the same identity
/// path (Spec 4).
pub const CONTAINER_LISTS: [(&str, ContainerKind); 3] = [
    ("initContainers", ContainerKind::Init),
    ("containers", ContainerKind::Regular),
    ("ephemeralContainers", ContainerKind::Ephemeral),
];

/// The kinds this crate reads, for messages.
pub const SUPPORTED_KINDS: &str =
    "Pod, PodTemplate, Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob, ReplicationController, List";

/// The kinds that hold a pod spec (a Pod, or a pod template), in the order messages list them.
pub fn pod_template_kinds() -> impl Iterator<Item = &'static str> {
    POD_SPEC_PATHS.iter().map(|(k, _)| *k)
}

/// The `.`-separated path of the pod spec inside an object of this kind (`spec.template.spec`).
pub fn pod_spec_path(kind: &str) -> Option<&'static str> {
    POD_SPEC_PATHS.iter().find(|(k, _)| *k == kind).map(|(_, p)| *p)
}

/// The same as a JSON pointer (`/spec/template/spec`), for policies that patch raw JSON.
pub fn pod_spec_pointer(kind: &str) -> Option<&'static str> {
    Some(match pod_spec_path(kind)? {
        "spec" => "/spec",
        "template.spec" => "/template/spec",
        "spec.jobTemplate.spec.template.spec" => "/spec/jobTemplate/spec/template/spec",
        _ => "/spec/template/spec",
    })
}

/// Converts a parsed JSON value into a [`Node`] (no positions).
pub(crate) fn json_node(value: serde_json::Value) -> Result<Node, InputError> {
    json::convert(value, 0)
}

/// Parses manifest text: JSON when it starts with `{` or `[`, YAML (multi-document) otherwise.
pub fn parse_documents(text: &str) -> Result<Vec<Node>, InputError> {
    if is_json(text)? {
        return json::parse(text);
    }
    #[cfg(feature = "yaml")]
    {
        yaml::parse(text)
    }
    #[cfg(not(feature = "yaml"))]
    {
        Err(InputError::new(
            Source::Manifest,
            "this build reads JSON manifests only (enable the `yaml` feature)",
        ))
    }
}

/// The previous readers (serde-saphyr, and serde_json's `Value` for JSON), kept as the oracle the
/// differential fuzz target and the tests compare [`parse_documents`] with.
#[cfg(any(test, feature = "saphyr-oracle"))]
pub fn parse_documents_oracle(text: &str) -> Result<Vec<Node>, InputError> {
    if is_json(text)? {
        return json::parse_values(text);
    }
    saphyr::parse(text)
}

/// What a reader hands over while it reads.
pub enum Piece {
    /// An element of a document's top-level `items` list (a `List`'s objects), taken out of the
    /// document so a 10,000-pod List is never held whole. `kind` is the document's `kind` when it
    /// was written before `items`.
    Item { node: Node, kind: Option<String> },
    /// A whole non-null document; with streamed items, its `items` list is left empty.
    Document(Node),
}

/// Hands over the pieces of manifest text as its reader (JSON or YAML) parses them.
fn read_pieces(
    text: &str,
    stream_items: bool,
    each: impl FnMut(Piece) -> Result<(), InputError>,
) -> Result<(), InputError> {
    if is_json(text)? {
        return json::read_pieces(text, stream_items, each);
    }
    #[cfg(feature = "yaml")]
    {
        yaml::read_pieces(text, stream_items, each)
    }
    #[cfg(not(feature = "yaml"))]
    {
        Err(InputError::new(
            crate::error::Source::Manifest,
            "this build reads JSON manifests only (enable the `yaml` feature)",
        ))
    }
}

/// Refuses what no reader takes (too big, binary); says whether the text is JSON.
pub(crate) fn is_json(text: &str) -> Result<bool, InputError> {
    if text.len() > MAX_MANIFEST_BYTES {
        return Err(InputError::new(
            Source::Manifest,
            format!(
                "manifest is {} bytes, over the {} MiB limit; split it into smaller files",
                text.len(),
                MAX_MANIFEST_BYTES / (1024 * 1024)
            ),
        ));
    }
    if text.contains('\0') {
        return Err(InputError::new(
            Source::Manifest,
            "manifest contains NUL bytes: this is a binary file, not YAML or JSON",
        ));
    }
    let trimmed = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    Ok(trimmed.starts_with('{') || trimmed.starts_with('['))
}

/// What reading one object finds (handed straight to a sink, never stored, so its size is moot).
#[allow(clippy::large_enum_variant)]
pub(crate) enum Found {
    Spec(PodSpec),
    Skipped(Skipped),
}

/// Finds every Pod and pod template in the documents, descending into `List`s.
pub(crate) fn pod_specs(docs: &[Node]) -> Result<(Vec<PodSpec>, Vec<Skipped>), InputError> {
    let mut specs = Vec::new();
    let mut skipped = Vec::new();
    for (index, doc) in docs.iter().enumerate() {
        collect(
            doc,
            index,
            None,
            &mut |found| match found {
                Found::Spec(s) => specs.push(s),
                Found::Skipped(s) => skipped.push(s),
            },
            0,
        )?;
    }
    if specs.is_empty() {
        return Err(nothing_found(&skipped));
    }
    Ok((specs, skipped))
}

fn nothing_found(skipped: &[Skipped]) -> InputError {
    let found = if skipped.is_empty() {
        "no documents".to_owned()
    } else {
        skipped.iter().map(|s| s.kind.as_str()).collect::<Vec<_>>().join(", ")
    };
    InputError::new(
        Source::Manifest,
        format!("no Pod or workload with a pod template found (found: {found}); supported kinds: {SUPPORTED_KINDS}"),
    )
}

fn collect(
    doc: &Node,
    index: usize,
    implied_kind: Option<&str>,
    sink: &mut dyn FnMut(Found),
    depth: u32,
) -> Result<(), InputError> {
    let name = doc.at("metadata.name").and_then(Node::as_str).unwrap_or("").to_owned();
    let kind = match (doc.get("kind"), implied_kind) {
        (Some(k), _) => k.as_str().ok_or_else(|| {
            InputError::new(
                Source::Manifest,
                format!("`kind` must be a string, found {}", k.value.kind_name()),
            )
            .at(Some("kind".into()), k.location)
        })?,
        (None, Some(k)) => k,
        (None, None) => {
            if !matches!(doc.value, Value::Map(_)) {
                return Err(InputError::new(
                    Source::Manifest,
                    format!(
                        "document {} is {}, not a Kubernetes object; expected a mapping with `kind`",
                        index + 1,
                        doc.value.kind_name()
                    ),
                )
                .at(None, doc.location));
            }
            return Err(InputError::new(
                Source::Manifest,
                format!(
                    "document {} has no `kind`; add e.g. `kind: Pod` and `apiVersion: v1`",
                    index + 1
                ),
            )
            .at(None, doc.location));
        }
    };
    if let Some(items) = doc.get("items").filter(|_| kind.ends_with("List")) {
        if depth > 4 {
            return Err(InputError::new(Source::Manifest, "Lists nested more than 4 deep")
                .at(Some("items".into()), items.location));
        }
        let items = items.as_seq().ok_or_else(|| {
            InputError::new(Source::Manifest, "`items` of a List must be a list")
                .at(Some("items".into()), items.location)
        })?;
        let item_kind = kind.strip_suffix("List").filter(|k| !k.is_empty());
        for item in items {
            collect(item, index, item_kind, sink, depth + 1)?;
        }
        return Ok(());
    }
    match pod_spec_path(kind) {
        Some(path) => sink(Found::Spec(PodSpec::read(doc, kind, path, index)?)),
        None => sink(Found::Skipped(Skipped {
            kind: kind.to_owned(),
            name,
            document: index,
        })),
    }
    Ok(())
}

/// The first pod spec in `yaml`, for unit tests of the later stages.
#[cfg(all(test, feature = "yaml"))]
pub(crate) fn test_pod_spec(yaml: &str) -> PodSpec {
    let docs = parse_documents(yaml).unwrap();
    pod_specs(&docs).unwrap().0.remove(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_for_every_kind() {
        assert_eq!(pod_spec_pointer("Pod"), Some("/spec"));
        assert_eq!(pod_spec_pointer("Deployment"), Some("/spec/template/spec"));
        assert_eq!(
            pod_spec_pointer("CronJob"),
            Some("/spec/jobTemplate/spec/template/spec")
        );
        assert_eq!(pod_spec_pointer("PodTemplate"), Some("/template/spec"));
        assert_eq!(pod_spec_pointer("Service"), None);
    }

    #[test]
    fn json_and_yaml_agree() {
        let y = parse_documents("kind: Pod\nspec:\n  containers: [{name: c}]\n").unwrap();
        let j = parse_documents(r#"{"kind":"Pod","spec":{"containers":[{"name":"c"}]}}"#).unwrap();
        assert_eq!(y[0].at("spec").map(|n| n.get("containers").is_some()), Some(true));
        assert_eq!(j[0].get("kind").and_then(Node::as_str), Some("Pod"));
        assert_eq!(y[0].get("kind").and_then(|n| n.location).map(|l| l.line), Some(1));
    }

    #[test]
    fn errors_say_where() {
        let e = parse_documents("kind: Pod\nspec: [\n").unwrap_err();
        assert!(e.location.is_some(), "{e}");
        let e = parse_documents("a: 1\na: 2\n").unwrap_err();
        assert!(e.location.is_some(), "{e}");
        assert!(parse_documents("{\"a\": }").unwrap_err().location.is_some());
    }

    #[test]
    fn lists_and_skips() {
        let docs = parse_documents(
            "kind: List\nitems:\n- kind: Pod\n  metadata: {name: a}\n  spec: {containers: [{name: c}]}\n---\nkind: Service\nmetadata: {name: s}\n",
        )
        .unwrap();
        let (specs, skipped) = pod_specs(&docs).unwrap();
        assert_eq!(specs.len(), 1);
        assert_eq!(skipped[0].kind, "Service");
        let e = pod_specs(&parse_documents("kind: Service\n").unwrap()).unwrap_err();
        assert!(e.message.contains("supported kinds"), "{e}");
    }
}
