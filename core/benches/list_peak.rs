//! Peak memory of a 10,000-pod `List` (issue 11), measured from outside:
//! `cargo bench -p podgroups-core --bench list_peak --no-run`, then
//! `/usr/bin/time -v <binary> [explain|each] [pods] [kind-last] [json]` and read "Maximum resident set
//! size". `json` writes the List as `kubectl get pods -o json` does (kind after items).
//! `explain` collects every report; `each` (explain_each) drops each report as it comes.

use podgroups_core::{explain, Input};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let mode = args.first().map_or("explain", String::as_str);
    let n: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let kind_last = args.iter().any(|a| a == "kind-last");
    let manifests = if args.iter().any(|a| a == "json") {
        json_list(n)
    } else {
        yaml_list(n, kind_last)
    };
    let input = Input {
        manifests,
        ..Input::default()
    };
    let start = std::time::Instant::now();
    let workloads = match mode {
        "each" => {
            let mut count = 0;
            podgroups_core::explain_each(&input, |_| count += 1).map(|_| count)
        }
        _ => explain(&input).map(|r| r.workloads.len()),
    };
    println!("{mode}: {workloads:?} workloads in {:?}", start.elapsed());
}

fn yaml_list(n: usize, kind_last: bool) -> String {
    let mut items = String::new();
    for i in 0..n {
        items.push_str(&format!(
            "- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: pod-{i}\n    namespace: ns\n  spec:\n    securityContext:\n      runAsUser: 1000\n      runAsGroup: 3000\n      supplementalGroups: [4000]\n    containers:\n    - name: app\n      image: registry.example/app:1\n"
        ));
    }
    if kind_last {
        format!("apiVersion: v1\nitems:\n{items}kind: List\nmetadata: {{}}\n")
    } else {
        format!("apiVersion: v1\nkind: List\nitems:\n{items}")
    }
}

fn json_list(n: usize) -> String {
    let items: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#"{{"apiVersion":"v1","kind":"Pod","metadata":{{"name":"pod-{i}","namespace":"ns"}},"spec":{{"securityContext":{{"runAsUser":1000,"runAsGroup":3000,"supplementalGroups":[4000]}},"containers":[{{"name":"app","image":"registry.example/app:1"}}]}}}}"#
            )
        })
        .collect();
    format!(
        r#"{{"apiVersion":"v1","items":[{}],"kind":"List","metadata":{{}}}}"#,
        items.join(",")
    )
}
