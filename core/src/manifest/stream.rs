//! Reading a manifest without holding a `List` whole: each item of a document's top-level `items`
//! is read into its pod spec as soon as the YAML or JSON reader hands it over (issue 11).

use super::node::Node;
use super::{collect, nothing_found, read_pieces, Found, Piece, PodSpec};
use crate::error::InputError;
use crate::report::Skipped;

/// What [`stream_pod_specs`] kept: the kinds it skipped, and the most `List` items it ever held
/// at once (parsed but not yet read into a pod spec and handed over).
#[derive(Debug)]
pub(crate) struct Streamed {
    pub skipped: Vec<Skipped>,
    pub peak_items_held: usize,
    /// Documents read (empty and `null` ones are not documents).
    pub documents: usize,
}

/// The same as [`parse_documents`] then [`pod_specs`] — the same pod specs in the same order, the
/// same first error — without holding a `List` whole: each item of a YAML or JSON `List` is read
/// into its pod spec as soon as it is parsed, `read` turns the spec (its own) into a result, and `deliver`
/// gets the results in order. When a List writes its `kind` after `items` (as `kubectl get` does),
/// results wait until the kind confirms the document is a List; items without their own `kind`
/// (a typed `PodList`) wait as parsed items until then.
///
/// On an error, some results may already have been delivered; the input as a whole is refused.
///
/// [`parse_documents`]: super::parse_documents
/// [`pod_specs`]: super::pod_specs
pub(crate) fn stream_pod_specs<R>(
    text: &str,
    mut read: impl FnMut(PodSpec) -> R,
    mut deliver: impl FnMut(R),
) -> Result<Streamed, InputError> {
    let (streamed, specs) = stream_documents(text, &mut read, &mut deliver)?;
    if specs == 0 {
        return Err(nothing_found(&streamed.skipped));
    }
    Ok(streamed)
}

/// [`stream_pod_specs`] for a part of a stream too ([`super::split`]): no pod spec is not an error
/// here, and the number of specs comes back. Takes `dyn` closures, so the reader is compiled once
/// per result type however many callers there are (the playground's wasm is size-bound).
pub(crate) fn stream_documents<R>(
    text: &str,
    mut read: &mut dyn FnMut(PodSpec) -> R,
    mut deliver: &mut dyn FnMut(R),
) -> Result<(Streamed, usize), InputError> {
    let mut stream = Stream::<R>::default();
    read_pieces(text, true, |piece| {
        stream.piece(piece, &mut read, &mut deliver);
        Ok(())
    })?;
    stream.finish()
}

/// An item's outcome kept until its document's `kind` says whether the document is a List.
enum Tentative<R> {
    Done(R),
    Skipped(Skipped),
    Failed(InputError),
    /// An item without its own `kind`: read once the List's kind is known.
    Held(Node),
}

struct Stream<R> {
    /// The index of the document being read (as `parse_documents` counts them).
    index: usize,
    tentative: Vec<Tentative<R>>,
    skipped: Vec<Skipped>,
    specs: usize,
    /// The first error in document order; later input is still parsed (a YAML error wins, as
    /// parsing everything first would give).
    error: Option<InputError>,
    held: usize,
    peak_items_held: usize,
}

impl<R> Default for Stream<R> {
    fn default() -> Self {
        Stream {
            index: 0,
            tentative: Vec::new(),
            skipped: Vec::new(),
            specs: 0,
            error: None,
            held: 0,
            peak_items_held: 0,
        }
    }
}

impl<R> Stream<R> {
    fn piece(&mut self, piece: Piece, read: &mut impl FnMut(PodSpec) -> R, deliver: &mut impl FnMut(R)) {
        match piece {
            Piece::Item { node, kind } => {
                self.peak_items_held = self.peak_items_held.max(self.held + 1);
                if self.error.is_some() {
                    return;
                }
                match kind {
                    Some(kind) if kind.ends_with("List") => {
                        let item_kind = kind.strip_suffix("List").filter(|k| !k.is_empty());
                        self.confirmed(&node, item_kind, read, deliver);
                    }
                    // A document of another kind never reads its `items`.
                    Some(_) => {}
                    None if node.get("kind").is_none() => {
                        self.held += 1;
                        self.tentative.push(Tentative::Held(node));
                    }
                    None => {
                        let mut out = Vec::new();
                        let result = collect(
                            &node,
                            self.index,
                            None,
                            &mut |found| {
                                out.push(match found {
                                    Found::Spec(s) => Tentative::Done(read(s)),
                                    Found::Skipped(s) => Tentative::Skipped(s),
                                });
                            },
                            1,
                        );
                        self.tentative.extend(out);
                        if let Err(e) = result {
                            self.tentative.push(Tentative::Failed(e));
                        }
                    }
                }
            }
            Piece::Document(doc) => {
                let unstreamed = doc.get("items").and_then(Node::as_seq).map_or(0, <[Node]>::len);
                self.peak_items_held = self.peak_items_held.max(unstreamed);
                let tentative = std::mem::take(&mut self.tentative);
                self.held = 0;
                if self.error.is_none() {
                    self.document(&doc, tentative, read, deliver);
                }
                self.index += 1;
            }
        }
    }

    /// An item of a document known to be a List.
    fn confirmed(
        &mut self,
        item: &Node,
        item_kind: Option<&str>,
        read: &mut impl FnMut(PodSpec) -> R,
        deliver: &mut impl FnMut(R),
    ) {
        self.gather(item, item_kind, 1, read, deliver);
    }

    /// The pod specs in `node` (a document at depth 0, a List item at 1), delivered as they are read.
    fn gather(
        &mut self,
        node: &Node,
        kind: Option<&str>,
        depth: u32,
        read: &mut impl FnMut(PodSpec) -> R,
        deliver: &mut impl FnMut(R),
    ) {
        let (specs, skipped) = (&mut self.specs, &mut self.skipped);
        let result = collect(
            node,
            self.index,
            kind,
            &mut |found| match found {
                Found::Spec(s) => {
                    *specs += 1;
                    deliver(read(s));
                }
                Found::Skipped(s) => skipped.push(s),
            },
            depth,
        );
        if let Err(e) = result {
            self.error = Some(e);
        }
    }

    fn document(
        &mut self,
        doc: &Node,
        tentative: Vec<Tentative<R>>,
        read: &mut impl FnMut(PodSpec) -> R,
        deliver: &mut impl FnMut(R),
    ) {
        let kind = doc.get("kind").and_then(Node::as_str);
        let list_kind = kind.filter(|k| k.ends_with("List") && doc.get("items").is_some());
        if let Some(list_kind) = list_kind {
            let item_kind = list_kind.strip_suffix("List").filter(|k| !k.is_empty());
            for t in tentative {
                if self.error.is_some() {
                    return;
                }
                match t {
                    Tentative::Done(r) => {
                        self.specs += 1;
                        deliver(r);
                    }
                    Tentative::Skipped(s) => self.skipped.push(s),
                    Tentative::Failed(e) => self.error = Some(e),
                    Tentative::Held(node) => self.confirmed(&node, item_kind, read, deliver),
                }
            }
        }
        // The document itself (its streamed `items` now empty), read exactly as before.
        self.gather(doc, None, 0, read, deliver);
    }

    fn finish(self) -> Result<(Streamed, usize), InputError> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let streamed = Streamed {
            skipped: self.skipped,
            peak_items_held: self.peak_items_held,
            documents: self.index,
        };
        Ok((streamed, self.specs))
    }
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use super::*;
    use crate::manifest::{parse_documents, pod_specs};

    /// Streaming must find what parsing whole finds: the same specs in order, or the same error.
    fn same_as_whole(text: &str) {
        let whole = parse_documents(text).and_then(|docs| pod_specs(&docs));
        let mut streamed_specs = Vec::new();
        let streamed = stream_pod_specs(text, |s| s, |s| streamed_specs.push(s));
        match (whole, streamed) {
            (Ok((specs, skipped)), Ok(s)) => {
                assert_eq!(specs, streamed_specs, "{text}");
                assert_eq!(skipped, s.skipped, "{text}");
            }
            (Err(a), Err(b)) => assert_eq!(a, b, "{text}"),
            (a, b) => panic!("{text}\nwhole: {a:?}\nstreamed: {b:?}"),
        }
    }

    #[test]
    fn streaming_reads_what_reading_whole_reads() {
        let pod = |n: &str| format!("- kind: Pod\n  metadata: {{name: {n}}}\n  spec: {{containers: [{{name: c}}]}}\n");
        let items = format!("{}{}", pod("a"), pod("b"));
        for text in [
            format!("kind: List\nitems:\n{items}"),
            format!("apiVersion: v1\nitems:\n{items}kind: List\nmetadata: {{}}\n"),
            format!("items:\n{items}kind: Pod\nspec: {{containers: [{{name: own}}]}}\n"),
            format!("items:\n{items}kind: 5\n"),
            format!("items:\n{items}"),
            "items:\n- metadata: {name: a}\n  spec: {containers: [{name: c}]}\nkind: PodList\n".to_owned(),
            "kind: PodList\nitems:\n- metadata: {name: a}\n  spec: {containers: [{name: c}]}\n".to_owned(),
            format!("items:\n{}- kind: Pod\n  spec: {{}}\n{}kind: List\n", pod("a"), pod("b")),
            format!("kind: List\nitems:\n{}- kind: Pod\n  spec: {{}}\n{}", pod("a"), pod("b")),
            format!("items:\n{}- kind: Pod\n  spec: {{}}\nkind: List\n---\nkind: Pod\nspec: [\n", pod("a")),
            format!("items:\n{}- kind: List\n  items:\n  - kind: Service\n  - kind: Deployment\n    spec: {{template: {{spec: {{containers: [{{name: d}}]}}}}}}\nkind: List\n---\nkind: Service\n", pod("a")),
            format!("items: &i\n{items}kind: List\nother: *i\n"),
            format!("kind: List\nitems: []\n---\n{}", &pod("z")[2..].replace("\n  ", "\n")),
            "kind: List\nitems:\n- kind: Service\n".to_owned(),
            "kind: List\nitems: {a: 1}\n".to_owned(),
            "{\"kind\": \"List\", \"items\": [{\"kind\": \"Pod\", \"spec\": {\"containers\": [{\"name\": \"c\"}]}}]}".to_owned(),
        ] {
            same_as_whole(&text);
        }
    }

    #[test]
    fn json_streams_what_reading_whole_reads() {
        let pod = |n: &str| {
            format!(r#"{{"kind": "Pod", "metadata": {{"name": "{n}"}}, "spec": {{"containers": [{{"name": "c"}}]}}}}"#)
        };
        let typed = r#"{"metadata": {"name": "t"}, "spec": {"containers": [{"name": "c"}]}}"#;
        let (a, b) = (pod("a"), pod("b"));
        for text in [
            format!(r#"{{"kind": "List", "items": [{a}, {b}]}}"#),
            format!(r#"{{"apiVersion": "v1", "items": [{a}, {b}], "kind": "List", "metadata": {{}}}}"#),
            format!(r#"{{"items": [{a}], "kind": "Pod", "spec": {{"containers": [{{"name": "own"}}]}}}}"#),
            format!(r#"{{"items": [{a}], "kind": 5}}"#),
            format!(r#"{{"items": [{typed}], "kind": "PodList"}}"#),
            format!(r#"{{"kind": "PodList", "items": [{typed}]}}"#),
            format!(r#"{{"items": [{a}, {{"kind": "Pod", "spec": {{}}}}, {b}], "kind": "List"}}"#),
            format!(r#"{{"kind": "List", "items": [{a}]}} {{"kind": "Pod", "spec": ["#),
            r#"{"kind": "List", "items": {"a": 1}}"#.to_owned(),
            format!(r#"{{"kind": "List", "items": [{a}], "items": [{b}]}}"#),
            format!(r#"[{a}]"#),
            format!(r#"{{"kind": "List", "items": []}}{b}"#),
            "null".to_owned(),
        ] {
            same_as_whole(&text);
        }
    }
}
