//! `Memo::explain` after any sequence of edits gives exactly what `explain` gives on the edited
//! text: the same report, or the same error. The edits are those of a person typing (characters
//! inserted, deleted or replaced anywhere, lines added or removed, documents swapped), over streams
//! made of documents that test the cut: workloads, other kinds, Lists, comments, empty documents,
//! block scalars and quoted text around `---`, anchors, broken YAML.

use podgroups_core::{explain, Image, Input, Memo, PreparedImage};
use proptest::prelude::*;

const DOCUMENTS: &[&str] = &[
    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  securityContext:\n    runAsUser: 1000\n    runAsGroup: 3000\n  containers:\n  - name: app\n    image: app:1\n",
    "kind: Pod\nmetadata: {name: b, namespace: ns}\nspec:\n  securityContext: {runAsUser: 1001, supplementalGroups: [4000]}\n  containers: [{name: c, image: x}]\n",
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  template:\n    spec:\n      securityContext:\n        supplementalGroupsPolicy: Strict\n        runAsUser: 1000\n      containers:\n      - name: web\n        image: web\n",
    "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n",
    "apiVersion: v1\nkind: List\nitems:\n- kind: Pod\n  metadata: {name: l1}\n  spec: {containers: [{name: c, image: i}]}\n- kind: ConfigMap\n  metadata: {name: cm}\n",
    "# only a comment\n",
    "\n",
    "kind: ConfigMap\ndata:\n  script: |\n    echo a && echo b\n    ---\n    done\n",
    "kind: Pod\nmetadata:\n  name: quoted\n  annotations:\n    note: \"a --- b\"\nspec:\n  containers: [{name: c, image: i}]\n",
    "kind: Pod\nmetadata: &m {name: anchored}\nspec:\n  containers: [{name: c, image: i}]\n",
    "kind: Pod\nmetadata: {name: broken\nspec: [\n",
    "kind: Pod\nspec:\n  containers: notalist\n",
    "kind: Pod\nmetadata: {name: dup}\nmetadata: {name: dup2}\nspec: {containers: [{name: c, image: i}]}\n",
];

/// Characters a typist may put anywhere, chosen to make or break markers, scalars and flow.
const TYPED: &[&str] = &[
    "-", "---\n", "\n", " ", ":", "#", "\"", "'", "[", "{", "a", "|", "&x ", "*x", "...\n", "%",
];

#[derive(Clone, Debug)]
enum Edit {
    Insert(usize, usize),
    Delete(usize, usize),
    Document(usize, usize),
}

fn stream(docs: &[usize], explicit_first: bool) -> String {
    let mut text = String::new();
    for (i, &d) in docs.iter().enumerate() {
        if i > 0 || explicit_first {
            text.push_str("---\n");
        }
        text.push_str(DOCUMENTS[d % DOCUMENTS.len()]);
    }
    text
}

/// Applies an edit at a position taken modulo the text's length (on a character boundary).
fn apply(text: &str, edit: &Edit) -> String {
    let boundary = |n: usize| {
        let mut at = n % (text.len() + 1);
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        at
    };
    match *edit {
        Edit::Insert(at, what) => {
            let at = boundary(at);
            format!("{}{}{}", &text[..at], TYPED[what % TYPED.len()], &text[at..])
        }
        Edit::Delete(at, len) => {
            let (a, b) = (boundary(at), boundary(at.saturating_add(len % 6)));
            let (a, b) = (a.min(b), a.max(b));
            format!("{}{}", &text[..a], &text[b..])
        }
        Edit::Document(at, doc) => {
            let at = boundary(at);
            let line_start = text[..at].rfind('\n').map_or(0, |p| p + 1);
            format!(
                "{}---\n{}{}",
                &text[..line_start],
                DOCUMENTS[doc % DOCUMENTS.len()],
                &text[line_start..]
            )
        }
    }
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        4 => (any::<usize>(), any::<usize>()).prop_map(|(a, w)| Edit::Insert(a, w)),
        3 => (any::<usize>(), any::<usize>()).prop_map(|(a, l)| Edit::Delete(a, l)),
        1 => (any::<usize>(), any::<usize>()).prop_map(|(a, d)| Edit::Document(a, d)),
    ]
}

fn image() -> Image {
    Image::known(
        "",
        Some("root:x:0:0::/:/bin/sh\nu:x:1000:1000::/:/bin/sh\nv:x:1001:1001::/:/bin/sh\n".into()),
        Some("extra:x:50000:u,v\nmore:x:50001:v\n".into()),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn memo_after_edits_is_explain(
        docs in prop::collection::vec(0usize..DOCUMENTS.len(), 1..8),
        explicit_first in any::<bool>(),
        edits in prop::collection::vec(edit(), 1..12),
        prepared in any::<bool>(),
    ) {
        let image = image();
        let ready = PreparedImage::new(&image).unwrap();
        let mut memo = Memo::default();
        let mut input = Input { manifests: stream(&docs, explicit_first), image: image.clone(), ..Input::default() };
        let ready = prepared.then_some(&ready);
        prop_assert_eq!(memo.explain(&input, ready), explain(&input), "{}", input.manifests);
        for e in &edits {
            input.manifests = apply(&input.manifests, e);
            prop_assert_eq!(memo.explain(&input, ready), explain(&input), "{}", input.manifests);
        }
    }
}

#[test]
fn a_changed_environment_or_image_is_explained_anew() {
    let mut input = Input {
        manifests: stream(&[0, 1, 3], false),
        image: image(),
        ..Input::default()
    };
    let mut memo = Memo::default();
    assert_eq!(memo.explain(&input, None), explain(&input));
    input.image.group = podgroups_core::ImageFile::Present("other:x:60000:u\n".into());
    let report = memo.explain(&input, None).unwrap();
    assert_eq!(Ok(report.clone()), explain(&input));
    assert_eq!(report.workloads[0].containers[0].implicit_gids, [60000]);
    input.environment.kubernetes_minor = 30;
    assert_eq!(memo.explain(&input, None), explain(&input));
}

#[test]
fn lines_and_document_indexes_follow_an_edit_above() {
    let mut input = Input {
        manifests: stream(&[0, 3, 1, 2], false),
        image: image(),
        ..Input::default()
    };
    let mut memo = Memo::default();
    let before = memo.explain(&input, None).unwrap();
    // A line added to the first document moves every later one down; a Service before the pods
    // moves their indexes.
    input.manifests = input
        .manifests
        .replacen("  name: a\n", "  name: a\n  labels: {x: y}\n", 1);
    input.manifests.insert_str(0, "kind: Service\n---\n");
    let after = memo.explain(&input, None).unwrap();
    assert_eq!(Ok(after.clone()), explain(&input));
    let line = |r: &podgroups_core::Report, i: usize| r.workloads[i].location.map(|l| l.line);
    assert_eq!(line(&after, 1), line(&before, 1).map(|l| l + 3));
    assert_eq!(after.workloads[1].document, before.workloads[1].document + 1);
}

#[test]
fn a_keystroke_reads_only_its_document() {
    let docs: Vec<usize> = (0..40).map(|i| [0, 1, 2, 3][i % 4]).collect();
    let mut input = Input {
        manifests: stream(&docs, true),
        image: image(),
        ..Input::default()
    };
    let mut memo = Memo::default();
    memo.explain(&input, None).unwrap();
    assert_eq!(memo.last_read(), Some(40));
    let at = input.manifests.rfind("name: web").unwrap() + "name: web".len();
    input.manifests.insert(at, 'x');
    let report = memo.explain(&input, None).unwrap();
    assert_eq!(Ok(report.clone()), explain(&input));
    assert_eq!(report.workloads.last().unwrap().containers[0].name, "webx");
    assert_eq!(memo.last_read(), Some(1));
    // JSON is read whole.
    input.manifests = r#"{"kind":"Pod","spec":{"containers":[{"name":"c","image":"i"}]}}"#.into();
    assert_eq!(memo.explain(&input, None), explain(&input));
    assert_eq!(memo.last_read(), None);
}
