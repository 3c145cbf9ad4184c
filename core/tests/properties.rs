//! Properties that hold for any input: Strict never adds groups, document order does not matter,
//! and nothing panics on arbitrary text.

use podgroups_core::{explain, Environment, Image, Input, Outcome, Runtime};
use proptest::prelude::*;

fn runtime() -> impl Strategy<Value = Runtime> {
    prop_oneof![
        Just(Runtime::CONTAINERD_2),
        Just(Runtime::CONTAINERD_1_7),
        Just(Runtime::CRIO)
    ]
}

fn opt_id() -> impl Strategy<Value = Option<u32>> {
    prop_oneof![
        Just(None),
        (0u32..5).prop_map(|i| Some([0, 1, 1000, 3000, 50000][i as usize]))
    ]
}

/// A small pod with random identity fields, and a small image.
fn scenario() -> impl Strategy<Value = Input> {
    (
        (opt_id(), opt_id(), opt_id(), proptest::collection::vec(0u32..5, 0..3)),
        prop_oneof![Just(""), Just("1000"), Just("app"), Just("0:5"), Just("nobody")],
        proptest::collection::vec((0u32..4, 0u32..4), 0..6),
        runtime(),
        30u32..37,
        any::<Option<bool>>(),
    )
        .prop_map(|((user, group, fs, sgs), image_user, memberships, runtime, minor, gate)| {
            let mut sc = Vec::new();
            if let Some(u) = user {
                sc.push(format!("runAsUser: {u}"));
            }
            if let Some(g) = group {
                sc.push(format!("runAsGroup: {g}"));
            }
            if let Some(f) = fs {
                sc.push(format!("fsGroup: {f}"));
            }
            let sgs: Vec<String> = sgs.iter().map(|g| (g * 1000).to_string()).collect();
            sc.push(format!("supplementalGroups: [{}]", sgs.join(", ")));
            let manifests = format!(
                "kind: Pod\nmetadata: {{name: p}}\nspec:\n  securityContext: {{{}}}\n  containers: [{{name: c, image: i}}]\n",
                sc.join(", ")
            );
            let names = ["root", "app", "nobody", "daemon"];
            let mut group = String::new();
            for (i, (g, m)) in memberships.iter().enumerate() {
                group.push_str(&format!("g{i}:x:{}:{}\n", 100 + g, names[*m as usize]));
            }
            Input {
                manifests,
                image: Image::known(
                    image_user,
                    Some("root:x:0:0::/:/bin/sh\napp:x:1000:1000::/:/bin/sh\nnobody:x:65534:65534::/:/bin/sh\n".into()),
                    Some(group),
                ),
                environment: Environment { runtime, kubernetes_minor: minor, feature_gate: gate, node_supports_policy: None },
                ..Input::default()
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn strict_groups_are_a_subset_of_merge_groups(input in scenario()) {
        let report = explain(&input).unwrap();
        for c in report.workloads.iter().flat_map(|w| &w.containers) {
            if let (Outcome::Runs(m), Outcome::Runs(s)) = (&c.merge, &c.strict) {
                prop_assert!(s.groups_as_kernel_sees.iter().all(|g| m.groups_as_kernel_sees.contains(g)), "{s:?} ⊄ {m:?}");
                prop_assert_eq!((s.uid, s.gid), (m.uid, m.gid));
                if s.applied_policy == podgroups_core::SupplementalGroupsPolicy::Strict {
                    prop_assert!(m.gid_origins.iter().filter(|g| g.implicit).all(|g| !s.additional_gids.contains(&g.gid)));
                }
            }
        }
    }

    #[test]
    fn kernel_view_is_sorted_and_contains_the_primary_gid(input in scenario()) {
        let report = explain(&input).unwrap();
        for c in report.workloads.iter().flat_map(|w| &w.containers) {
            if let Outcome::Runs(id) = &c.as_written {
                prop_assert!(id.groups_as_kernel_sees.windows(2).all(|w| w[0] <= w[1]));
                prop_assert!(id.groups_as_kernel_sees.contains(&id.gid));
                prop_assert_eq!(id.id_groups_coreutils.first(), Some(&id.gid));
                prop_assert_eq!(id.gid_origins.len(), id.additional_gids.len());
            }
        }
    }

    #[test]
    fn document_order_does_not_change_outcomes(a in scenario(), b in scenario()) {
        let first = format!("{}---\n{}", a.manifests, b.manifests.replace("name: p", "name: q"));
        let second = format!("{}---\n{}", b.manifests.replace("name: p", "name: q"), a.manifests);
        let run = |m: String| {
            let mut r = explain(&Input { manifests: m, ..a.clone() }).unwrap();
            r.workloads.sort_by(|x, y| x.name.cmp(&y.name));
            r.workloads.into_iter().map(|w| {
                w.containers.into_iter().map(|c| (c.merge.identity().map(|i| i.additional_gids.clone()), c.strict.refusal().map(|r| r.message.clone()))).collect::<Vec<_>>()
            }).collect::<Vec<_>>()
        };
        prop_assert_eq!(run(first), run(second));
    }

    #[test]
    fn arbitrary_text_never_panics(manifest in ".{0,400}", passwd in ".{0,200}", group in ".{0,200}", user in ".{0,20}") {
        let input = Input {
            manifests: manifest,
            image: Image::known(user, Some(passwd), Some(group)),
            ..Input::default()
        };
        let _ = explain(&input);
        let _ = podgroups_core::fix::apply_strict(&input.manifests);
    }

    #[test]
    fn arbitrary_etc_files_never_panic_a_valid_pod(passwd in "[a-z0-9:#+ ,\n-]{0,300}", group in "[a-z0-9:#+ ,\n-]{0,300}", user in "[a-z0-9:]{0,8}") {
        let input = Input {
            manifests: "kind: Pod\nspec: {containers: [{name: c}]}\n".into(),
            image: Image::known(user, Some(passwd), Some(group)),
            ..Input::default()
        };
        prop_assert!(explain(&input).is_ok());
    }
}

#[test]
fn huge_and_hostile_inputs_fail_cleanly() {
    let big = "a".repeat(11 * 1024 * 1024);
    let e = explain(&Input {
        manifests: big.clone(),
        ..Input::default()
    })
    .unwrap_err();
    assert!(e.message.contains("MiB limit"), "{e}");
    let e = explain(&Input {
        manifests: "kind: Pod\nspec: {containers: [{name: c}]}\n".into(),
        image: Image {
            group: podgroups_core::ImageFile::Present(big),
            ..Image::default()
        },
        ..Input::default()
    })
    .unwrap_err();
    assert!(e.message.contains("10 MiB"), "{e}");
    let e = explain(&Input {
        manifests: include_str!("fixtures/alias-bomb.yaml").into(),
        ..Input::default()
    })
    .unwrap_err();
    assert!(e.message.contains("alias") || e.message.contains("budget"), "{e}");
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    assert!(explain(&Input {
        manifests: deep,
        ..Input::default()
    })
    .is_err());
    let deep_yaml = format!("{}1", "- ".repeat(5_000));
    assert!(explain(&Input {
        manifests: deep_yaml,
        ..Input::default()
    })
    .is_err());
}
