//! Writes the cluster dump `.ci/test.d/50-audit.sh` audits against a real local registry, built from
//! the Kubernetes API types in kubectl's shape: `registry_dump REGISTRY WH_DIGEST OUT_DIR`
//! writes `nodes.json` and `pods.json` where
//! - `web` runs `REGISTRY/app-wh:1` and reports the running `imageID` `REGISTRY/app-wh@WH_DIGEST`
//!   (read by digest), observed with 50000 merged in;
//! - `pending` runs `REGISTRY/app-top:1` with no status yet (read by reference);
//! - `gone` runs `REGISTRY/missing:1`, which the registry does not have (unknown, never empty).

#[path = "../tests/cluster/mod.rs"]
mod cluster;

use cluster::*;
use std::path::Path;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [registry, wh_digest, out] = args.as_slice() else {
        eprintln!("usage: registry_dump REGISTRY WH_DIGEST OUT_DIR");
        std::process::exit(2);
    };
    let out = Path::new(out);
    let nodes = list(vec![node("n1", "containerd://2.0.5", "v1.33.1", Some(true))]);
    let wh = format!("{registry}/app-wh:1");
    let top = format!("{registry}/app-top:1");
    let missing = format!("{registry}/missing:1");
    let wh_id = format!("{registry}/app-wh@{wh_digest}");
    let spec = |image: &str| pod_spec(security(1000, 3000, None), &[("c", image)]);
    let pods = list(vec![
        pod(
            "shop",
            "web-5d8f7-aaaaa",
            Some(owner("ReplicaSet", "web-5d8f7")),
            Some("5d8f7"),
            Some("n1"),
            spec(&wh),
            Some(vec![(
                "c",
                wh.as_str(),
                wh_id.as_str(),
                Some((1000, 3000, vec![3000, 50000])),
            )]),
        ),
        pod("shop", "pending", None, None, None, spec(&top), None),
        pod(
            "shop",
            "gone",
            None,
            None,
            Some("n1"),
            spec(&missing),
            Some(vec![("c", missing.as_str(), "", None)]),
        ),
    ]);
    for (name, text) in [("nodes.json", nodes), ("pods.json", pods)] {
        if let Err(e) = std::fs::write(out.join(name), text) {
            eprintln!("cannot write {}: {e}", out.join(name).display());
            std::process::exit(1);
        }
    }
}
