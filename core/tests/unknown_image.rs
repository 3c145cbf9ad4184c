//! An unknown image is never guessed: with any part of the image unknown, every fact the engine
//! reports as certain is the fact it computes for whatever concrete image is then supplied.

use podgroups_core::{
    explain, Check, Environment, Fact, Image, ImageFile, Input, Outcome, Report, Runtime, SupplementalGroupsPolicy,
};
use proptest::prelude::*;
use std::collections::BTreeSet;

const PASSWD_LINES: &[&str] = &[
    "root:x:0:0:root:/root:/bin/sh",
    "app:x:1000:1000::/home/app:/bin/sh",
    "app2:x:1001:77::/:/bin/sh",
    "dup:x:1000:5::/:/bin/sh",
    "nobody:x:65534:65534::/:/sbin/nologin",
    "# a comment is a user",
    "bad:x:abc:-",
];
const GROUP_LINES: &[&str] = &[
    "root:x:0:root",
    "wheel:x:10:root,app",
    "app:x:1000:app",
    "extra:x:50000:app,app2",
    "staff:x:3000:app2",
    "odd:x:600: app",
    "nobody:x:65534:",
    "# comment:x:1:app",
];
const USERS: &[&str] = &["", "0", "1000", "1001:5", "app", "app2", "ghost", "4294967296", ":7"];
const RUNTIMES: &[&str] = &[
    "containerd-2",
    "containerd-2.0.5",
    "containerd-1.7",
    "containerd-1.7.28",
    "crio",
];

fn lines(pool: &'static [&'static str]) -> impl Strategy<Value = Option<String>> {
    prop::option::weighted(
        0.85,
        prop::collection::vec(prop::sample::select(pool), 0..6).prop_map(|l| {
            let mut t = l.join("\n");
            t.push('\n');
            t
        }),
    )
}

fn manifest() -> impl Strategy<Value = String> {
    let id = |v: &'static [u32]| prop::option::of(prop::sample::select(v));
    (
        (id(&[0, 1000, 1001, 4242]), id(&[0, 3000, 77]), prop::option::of(any::<bool>())),
        (id(&[0, 1000]), id(&[5, 3000])),
        (id(&[2000]), prop::collection::vec(prop::sample::select(&[4000u32, 50000, 10][..]), 0..3)),
        prop::sample::select(&[None, Some("Merge"), Some("Strict")][..]),
    )
        .prop_map(|((user, group, non_root), (c_user, c_group), (fs, sgs), policy)| {
            let mut pod = Vec::new();
            let push = |sc: &mut Vec<String>, k: &str, v: Option<String>| {
                if let Some(v) = v {
                    sc.push(format!("{k}: {v}"));
                }
            };
            push(&mut pod, "runAsUser", user.map(|v| v.to_string()));
            push(&mut pod, "runAsGroup", group.map(|v| v.to_string()));
            push(&mut pod, "runAsNonRoot", non_root.map(|v| v.to_string()));
            push(&mut pod, "fsGroup", fs.map(|v| v.to_string()));
            push(&mut pod, "supplementalGroupsPolicy", policy.map(str::to_owned));
            let sgs: Vec<String> = sgs.iter().map(u32::to_string).collect();
            pod.push(format!("supplementalGroups: [{}]", sgs.join(", ")));
            let mut ctr = Vec::new();
            push(&mut ctr, "runAsUser", c_user.map(|v| v.to_string()));
            push(&mut ctr, "runAsGroup", c_group.map(|v| v.to_string()));
            format!(
                "kind: Pod\nmetadata: {{name: p}}\nspec:\n  securityContext: {{{}}}\n  containers: [{{name: c, image: i, securityContext: {{{}}}}}]\n",
                pod.join(", "),
                ctr.join(", ")
            )
        })
}

fn environment() -> impl Strategy<Value = Environment> {
    (
        prop::sample::select(RUNTIMES),
        30u32..=35,
        prop::option::of(any::<bool>()),
    )
        .prop_map(|(r, minor, gate)| Environment {
            runtime: r.parse::<Runtime>().unwrap(),
            kubernetes_minor: minor,
            feature_gate: gate,
            node_supports_policy: None,
        })
}

/// A concrete image, and which of its parts the engine is told nothing about.
fn images() -> impl Strategy<Value = (Image, [bool; 3])> {
    (
        prop::sample::select(USERS),
        lines(PASSWD_LINES),
        lines(GROUP_LINES),
        any::<[bool; 3]>(),
    )
        .prop_map(|(user, passwd, group, hide)| (Image::known(user, passwd, group), hide))
}

fn hidden(image: &Image, hide: [bool; 3]) -> Image {
    Image {
        user: if hide[0] { None } else { image.user.clone() },
        passwd: if hide[1] {
            ImageFile::Unknown
        } else {
            image.passwd.clone()
        },
        group: if hide[2] {
            ImageFile::Unknown
        } else {
            image.group.clone()
        },
    }
}

/// Every certain fact of `open` holds in `concrete`.
fn certain_facts_hold(open: &Outcome, concrete: &Outcome) -> Result<(), String> {
    match (open, concrete) {
        (Outcome::Refused(a), Outcome::Refused(b)) if a == b => Ok(()),
        (Outcome::Refused(a), b) => Err(format!("certain refusal {a:?}, but {b:?}")),
        (Outcome::Runs(a), Outcome::Runs(b)) => {
            let names_open = open.is_open(Fact::Names);
            let same = a.uid == b.uid
                && a.gid == b.gid
                && a.additional_gids == b.additional_gids
                && a.groups_as_kernel_sees == b.groups_as_kernel_sees
                && a.id_groups_coreutils == b.id_groups_coreutils
                && a.id_groups_busybox == b.id_groups_busybox
                && a.status_user == b.status_user
                && a.applied_policy == b.applied_policy
                && a.uid_origin == b.uid_origin
                && (names_open || (a.id_coreutils == b.id_coreutils && a.id_busybox == b.id_busybox));
            let origins = a.gid_origins.iter().zip(&b.gid_origins).all(|(x, y)| {
                x.gid == y.gid && x.origins == y.origins && x.implicit == y.implicit && (names_open || x.name == y.name)
            });
            if same && origins {
                Ok(())
            } else {
                Err(format!("certain identity {a:?}\nbut {b:?}"))
            }
        }
        (Outcome::Runs(a), b) => Err(format!("certain to run as {a:?}, but {b:?}")),
        (Outcome::DependsOnImage(p), Outcome::Runs(b)) => {
            let has: BTreeSet<u32> = b.additional_gids.iter().copied().collect();
            let certain: BTreeSet<u32> = p.gid_origins.iter().map(|g| g.gid).collect();
            let mut wrong = Vec::new();
            if p.uid.is_some_and(|u| u != b.uid) {
                wrong.push("uid");
            }
            if p.gid.is_some_and(|g| g != b.gid) {
                wrong.push("gid");
            }
            if p.applied_policy != b.applied_policy {
                wrong.push("applied policy");
            }
            if !certain.is_subset(&has) {
                wrong.push("certain gids");
            }
            for g in &p.gid_origins {
                let theirs = b.gid_origins.iter().find(|x| x.gid == g.gid);
                if !theirs.is_some_and(|t| g.origins.iter().all(|o| t.origins.contains(o))) {
                    wrong.push("gid origins");
                }
            }
            if !open.is_open(Fact::ImageGroups) {
                let mut expected = certain.clone();
                expected.insert(b.gid);
                if has != expected {
                    wrong.push("the groups are not open, yet the image added some");
                }
            }
            if wrong.is_empty() {
                Ok(())
            } else {
                Err(format!("{wrong:?}: partial {p:?}\nbut {b:?}"))
            }
        }
        (Outcome::DependsOnImage(p), b) if p.unknown.iter().any(|u| u.fact == Fact::Runs) => {
            let _ = b;
            Ok(())
        }
        (Outcome::DependsOnImage(p), b) => Err(format!("certain to run ({p:?}), but {b:?}")),
    }
}

fn container(r: &Report) -> &podgroups_core::ContainerReport {
    &r.workloads[0].containers[0]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn what_is_reported_certain_holds_for_any_image(
        manifests in manifest(), env in environment(), (image, hide) in images()
    ) {
        let run = |image: Image| explain(&Input { manifests: manifests.clone(), image, environment: env.clone(), ..Input::default() }).unwrap();
        let open = run(hidden(&image, hide));
        let concrete = run(image.clone());
        let (o, c) = (container(&open), container(&concrete));
        for (label, a, b) in [("as written", &o.as_written, &c.as_written), ("merge", &o.merge, &c.merge), ("strict", &o.strict, &c.strict)] {
            if let Err(e) = certain_facts_hold(a, b) {
                return Err(TestCaseError::fail(format!("{label}: {e}\nmanifest:\n{manifests}\nimage {image:?}, hidden {hide:?}, {env:?}")));
            }
        }
        prop_assert!(o.implicit_gids.iter().all(|g| c.implicit_gids.contains(g) || c.merge.refusal().is_some()));
        match o.check {
            Check::Clean => prop_assert_eq!(c.check, Check::Clean),
            Check::Refused => prop_assert_eq!(c.check, Check::Refused),
            Check::ImplicitGroups => prop_assert!(matches!(c.check, Check::ImplicitGroups | Check::Refused)),
            Check::Unknown => {}
        }
        if hide == [false; 3] {
            prop_assert_eq!(o, c);
        }
    }
}

fn blog(image: Image, runtime: Runtime) -> podgroups_core::ContainerReport {
    run(include_str!("../../examples/blog/pod.yaml"), image, runtime)
}

fn run(manifests: &str, image: Image, runtime: Runtime) -> podgroups_core::ContainerReport {
    let input = Input {
        manifests: manifests.into(),
        image,
        environment: Environment {
            runtime,
            ..Environment::default()
        },
        ..Input::default()
    };
    container(&explain(&input).unwrap()).clone()
}

#[test]
fn strict_with_numeric_ids_is_exact_without_the_image() {
    for runtime in [Runtime::CONTAINERD_2, Runtime::CRIO] {
        let c = blog(Image::unknown(), runtime);
        let strict = c
            .strict
            .identity()
            .expect("Strict with runAsUser/runAsGroup needs no image file");
        assert_eq!(strict.additional_gids, [3000, 4000]);
        assert_eq!(strict.id_coreutils, "uid=1000 gid=3000 groups=3000,4000");
        assert_eq!(strict.unknown.len(), 1);
        assert_eq!(strict.unknown[0].fact, Fact::Names);
        assert_eq!(c.image_unknown.len(), 3);
    }
}

#[test]
fn merge_without_the_group_file_gives_what_is_certain_and_says_what_is_not() {
    let c = blog(Image::unknown(), Runtime::CONTAINERD_2);
    let p = c.merge.partial().expect("the image's /etc/group decides Merge");
    assert_eq!((p.uid, p.gid), (Some(1000), Some(3000)));
    let gids: Vec<u32> = p.gid_origins.iter().map(|g| g.gid).collect();
    assert_eq!(gids, [3000, 4000]);
    assert!(c.merge.is_open(Fact::ImageGroups) && !c.merge.is_open(Fact::Runs));
    assert_eq!(c.check, Check::Unknown);
    assert!(c.implicit_gids.is_empty());
    // Saying the image has no /etc/group decides it: nothing is added, and the check is clean.
    let c = blog(
        Image {
            group: ImageFile::Absent,
            ..Image::unknown()
        },
        Runtime::CONTAINERD_2,
    );
    assert_eq!(c.check, Check::Clean);
    let id = c.merge.identity().expect("only the names are left open");
    assert_eq!(id.additional_gids, [3000, 4000]);
    assert!(c.merge.is_open(Fact::Names) && !c.merge.is_open(Fact::ImageGroups));
}

fn pod(sc: &str, image: Image, runtime: Runtime) -> podgroups_core::ContainerReport {
    let manifest =
        format!("kind: Pod\nmetadata: {{name: p}}\nspec:\n  securityContext: {sc}\n  containers: [{{name: c}}]\n");
    run(&manifest, image, runtime)
}

#[test]
fn an_unknown_user_leaves_the_uid_and_the_start_open() {
    let c = pod("{runAsNonRoot: true, runAsGroup: 5}", Image::unknown(), Runtime::CRIO);
    let p = c.as_written.partial().unwrap();
    assert_eq!((p.uid, p.gid), (None, Some(5)));
    for fact in [Fact::Runs, Fact::Uid, Fact::ImageGroups] {
        assert!(c.as_written.is_open(fact), "{fact:?} {:?}", p.unknown);
    }
    let runs = p.unknown.iter().find(|u| u.fact == Fact::Runs).unwrap();
    assert_eq!(runs.depends_on, [podgroups_core::ImagePart::User]);
    assert!(runs.reason.contains("runAsNonRoot"), "{}", runs.reason);
    // A known root USER decides it: the kubelet refuses, whatever the files.
    let c = pod(
        "{runAsNonRoot: true, runAsGroup: 5}",
        Image {
            user: Some(String::new()),
            ..Image::unknown()
        },
        Runtime::CRIO,
    );
    assert_eq!(c.check, Check::Refused);
}

#[test]
fn a_user_name_looked_up_in_an_unknown_passwd_may_not_exist() {
    let image = Image {
        user: Some("app".into()),
        group: ImageFile::Absent,
        ..Image::unknown()
    };
    let c = pod(
        "{runAsGroup: 5, supplementalGroupsPolicy: Strict}",
        image,
        Runtime::CRIO,
    );
    let p = c.as_written.partial().unwrap();
    assert_eq!(p.gid, Some(5));
    assert_eq!(p.uid, None);
    assert!(c.as_written.is_open(Fact::Runs) && !c.as_written.is_open(Fact::ImageGroups));
    assert_eq!(c.check, Check::Unknown);
}

#[test]
fn the_primary_gid_from_an_unknown_passwd_is_open() {
    let image = Image {
        user: Some(String::new()),
        group: ImageFile::Absent,
        ..Image::unknown()
    };
    let c = pod("{runAsUser: 1000}", image, Runtime::CONTAINERD_2);
    let p = c.as_written.partial().unwrap();
    assert_eq!((p.uid, p.gid), (Some(1000), None));
    assert!(p.gid_origins.is_empty(), "{:?}", p.gid_origins);
    assert_eq!(c.check, Check::Clean, "no group can be added and it starts");
    assert_eq!(
        c.as_written.partial().unwrap().applied_policy,
        SupplementalGroupsPolicy::Merge
    );
}
