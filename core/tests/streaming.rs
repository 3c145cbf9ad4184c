//! A 10,000-pod `List` is read item by item: never more than one parsed pod held beyond the reports
//! (issue 11), counted by the engine itself, and the reports are those `explain` gives.

use podgroups_core::{explain, explain_each, Input};

fn pod(i: usize, with_kind: bool) -> String {
    let kind = if with_kind { "  kind: Pod\n" } else { "" };
    format!(
        "- apiVersion: v1\n{kind}  metadata: {{name: p{i}, namespace: ns}}\n  spec:\n    securityContext: {{runAsUser: 1000, runAsGroup: 3000, supplementalGroups: [4000]}}\n    containers:\n    - name: c\n      image: app\n"
    )
}

fn list(n: usize, kind_first: bool, list_kind: &str, item_kind: bool) -> String {
    let items: String = (0..n).map(|i| pod(i, item_kind)).collect();
    if kind_first {
        format!("apiVersion: v1\nkind: {list_kind}\nitems:\n{items}")
    } else {
        // `kubectl get -o yaml` writes keys in order: apiVersion, items, kind, metadata.
        format!("apiVersion: v1\nitems:\n{items}kind: {list_kind}\nmetadata:\n  resourceVersion: \"\"\n")
    }
}

fn input(manifests: String) -> Input {
    Input {
        manifests,
        ..Input::default()
    }
}

#[test]
fn a_10000_pod_list_is_never_held_whole() {
    for kind_first in [true, false] {
        let input = input(list(10_000, kind_first, "List", true));
        let mut names = Vec::new();
        let rest = explain_each(&input, |w| names.push(w.name)).unwrap();
        assert_eq!(names.len(), 10_000);
        assert_eq!(names.first().map(String::as_str), Some("p0"));
        assert_eq!(names.last().map(String::as_str), Some("p9999"));
        assert_eq!(rest.peak_items_held, 1, "kind first: {kind_first}");
    }
}

#[test]
fn a_typed_list_written_kind_last_waits_for_its_kind() {
    // Items without their own kind can be read only once `kind: PodList` is known.
    let rest = explain_each(&input(list(100, false, "PodList", false)), |_| ()).unwrap();
    assert_eq!(rest.peak_items_held, 100);
    let rest = explain_each(&input(list(100, true, "PodList", false)), |_| ()).unwrap();
    assert_eq!(rest.peak_items_held, 1);
}

#[test]
fn reports_handed_over_one_by_one_are_explain_s_reports() {
    let input = input(format!(
        "{}---\nkind: Service\nmetadata: {{name: s}}\n",
        list(50, false, "List", true)
    ));
    let report = explain(&input).unwrap();
    let mut workloads = Vec::new();
    let rest = explain_each(&input, |w| workloads.push(w)).unwrap();
    assert_eq!(report.workloads, workloads);
    assert_eq!(report.skipped, rest.skipped);
    assert_eq!(report.skipped[0].document, 1);
}

#[test]
fn a_10000_pod_json_list_is_never_held_whole() {
    // `kubectl get pods -o json` writes apiVersion, items, kind, metadata.
    let pods: Vec<String> = (0..10_000)
        .map(|i| format!(r#"{{"apiVersion":"v1","kind":"Pod","metadata":{{"name":"p{i}"}},"spec":{{"securityContext":{{"runAsUser":1000,"runAsGroup":3000}},"containers":[{{"name":"c","image":"app"}}]}}}}"#))
        .collect();
    let text = format!(
        r#"{{"apiVersion":"v1","items":[{}],"kind":"List","metadata":{{"resourceVersion":""}}}}"#,
        pods.join(",")
    );
    let input = input(text);
    let mut names = Vec::new();
    let rest = explain_each(&input, |w| names.push(w.name)).unwrap();
    assert_eq!(names.len(), 10_000);
    assert_eq!((names[0].as_str(), names[9_999].as_str()), ("p0", "p9999"));
    assert_eq!(rest.peak_items_held, 1);
    assert_eq!(explain(&input).unwrap().workloads.len(), 10_000);
}
