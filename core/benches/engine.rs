//! Engine benchmarks: the blog scenario end to end, a 5,000-line `/etc/group` (explained and parsed), and `List`s of
//! 1,000 and 10,000 pods (to show linear growth). `cargo bench -p podgroups-core --bench engine`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use podgroups_core::{explain, Image, Input};
use std::hint::black_box;

const POD: &str = include_str!("../../examples/blog/pod.yaml");
const PASSWD: &str = include_str!("../../examples/blog/passwd");
const GROUP: &str = include_str!("../../examples/blog/group");

fn blog() -> Input {
    Input {
        manifests: POD.to_owned(),
        image: Image::known("", Some(PASSWD.into()), Some(GROUP.into())),
        ..Input::default()
    }
}

/// A `/etc/group` of `lines` lines; every 10th lists the user.
fn big_group(lines: usize) -> String {
    let mut g = String::from(GROUP);
    for i in 0..lines {
        let member = if i % 10 == 0 {
            "user-defined-in-image,other"
        } else {
            "other"
        };
        g.push_str(&format!("group{i}:x:{}:{member}\n", 60000 + i));
    }
    g
}

/// A `List` of `n` pods, as `kubectl get pods -o yaml` prints them.
fn pod_list(n: usize) -> String {
    let mut s = String::from("apiVersion: v1\nkind: List\nitems:\n");
    for i in 0..n {
        s.push_str(&format!(
            "- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: pod-{i}\n    namespace: ns\n  spec:\n    securityContext:\n      runAsUser: 1000\n      runAsGroup: 3000\n      supplementalGroups: [4000]\n    containers:\n    - name: app\n      image: registry.example/app:1\n"
        ));
    }
    s
}

fn benches(c: &mut Criterion) {
    let input = blog();
    c.bench_function("blog scenario end to end", |b| b.iter(|| explain(black_box(&input))));

    let mut g5000 = blog();
    g5000.image.group = podgroups_core::ImageFile::Present(big_group(5000));
    c.bench_function("blog pod, 5,000-line /etc/group", |b| {
        b.iter(|| explain(black_box(&g5000)))
    });

    let text = big_group(5000);
    c.bench_function("parse a 5,000-line /etc/group", |b| {
        b.iter(|| podgroups_core::etc::Group::parse(black_box(&text)).entries.len())
    });

    let mut group = c.benchmark_group("List of pods");
    group.sample_size(10);
    for n in [1_000, 10_000] {
        let mut list = blog();
        list.manifests = pod_list(n);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(format!("{n} pods"), |b| b.iter(|| explain(black_box(&list))));
    }
    group.finish();
}

criterion_group!(engine, benches);
criterion_main!(engine);
