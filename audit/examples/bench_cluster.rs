//! Benchmark: a 10,000-pod, 500-node, 300-image cluster dump (built from the Kubernetes API types)
//! audited end to end — parse, predict per node, compare with observed users, fold, serialize.
//! Run: `cargo run --release -p podgroups-audit --example bench_cluster` (under `/usr/bin/time -v`
//! for peak memory). Prints the dump size and the audit's wall time. With a directory argument it also
//! writes `nodes.json`, `pods.json` and the image keys there, for timing `podgroups audit` itself.

#[path = "../tests/cluster/mod.rs"]
mod cluster;

use cluster::*;
use podgroups_audit::{Audit, Images};
use podgroups_core::{Environment, Image};
use std::time::Instant;

fn main() {
    let runtimes = [
        "containerd://2.0.5",
        "containerd://2.1.4",
        "cri-o://1.32.1",
        "containerd://1.7.27",
    ];
    let nodes = list(
        (0..500)
            .map(|i| {
                node(
                    &format!("node-{i}"),
                    runtimes[i % 4],
                    if i % 2 == 0 { "v1.33.2" } else { "v1.34.1" },
                    (i % 4 != 3).then_some(true),
                )
            })
            .collect(),
    );
    let mut images = Images::new();
    for i in 0..300 {
        let group = format!("root:x:0:\nwheel:x:10:app\ng{i}:x:{}:app\n", 20000 + i);
        images.insert(
            format!("sha256:{i:064x}"),
            Image::known("", Some("app:x:1000:1000::/:/bin/sh\n".into()), Some(group)),
        );
    }
    // 1,000 Deployments of 10 replicas, each on one of 300 images.
    let mut pods = Vec::with_capacity(10_000);
    for d in 0..1000 {
        let image = format!("registry.local/app-{}:1", d % 300);
        let digest = format!("registry.local/app-{}@sha256:{:064x}", d % 300, d % 300);
        let spec = pod_spec(security(1000, 3000, None), &[("main", image.as_str())]);
        for r in 0..10 {
            let node = (d * 10 + r) % 500;
            let name = format!("dep-{d}-5d8f7-{r:05}");
            pods.push(pod(
                "bench",
                &name,
                Some(owner("ReplicaSet", &format!("dep-{d}-5d8f7"))),
                Some("5d8f7"),
                Some(&format!("node-{node}")),
                spec.clone(),
                // containerd 1.7 (every fourth node) reports no user (Spec 13.3).
                Some(vec![(
                    "main",
                    image.as_str(),
                    digest.as_str(),
                    (node % 4 != 3).then(|| (1000, 3000, vec![10, 3000, 20000 + (d % 300) as i64])),
                )]),
            ));
        }
    }
    let pods = list(pods);
    if let Some(dir) = std::env::args().nth(1) {
        let dir = std::path::Path::new(&dir);
        std::fs::write(dir.join("nodes.json"), &nodes).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        std::fs::write(dir.join("pods.json"), &pods).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        // The same 300 images as docker-save archives, and the `--image-for` arguments naming them by digest.
        let mut args = String::new();
        for i in 0..300 {
            let group = format!("root:x:0:\nwheel:x:10:app\ng{i}:x:{}:app\n", 20000 + i);
            let path = dir.join(format!("app-{i}.tar"));
            std::fs::write(
                &path,
                archive::docker_save(
                    &format!("registry.local/app-{i}:1"),
                    "app:x:1000:1000::/:/bin/sh\n",
                    &group,
                ),
            )
            .unwrap();
            args.push_str(&format!("--image-for\nsha256:{i:064x}={}\n", path.display()));
        }
        std::fs::write(dir.join("image-args"), args).unwrap();
    }
    let start = Instant::now();
    let mut audit = Audit::new(images, Environment::default());
    audit.add_nodes("nodes.json", &nodes);
    audit.add_objects("pods.json", &pods);
    let report = audit.finish();
    let json = serde_json::to_string(&report).unwrap_or_default();
    let elapsed = start.elapsed();
    println!(
        "dump {:.1} MB pods + {:.1} MB nodes; {} workloads, {} pods, {} environments, {} errors; audited in {:.3} s; report {:.1} MB",
        pods.len() as f64 / 1e6,
        nodes.len() as f64 / 1e6,
        report.summary.workloads,
        report.summary.pods,
        report.environments.len(),
        report.summary.errors,
        elapsed.as_secs_f64(),
        json.len() as f64 / 1e6
    );
}
