//! The examples menu: each entry is a complete [`State`]; [`blog_merge`] is what `/` opens on.

use crate::model::{Gate, Known, Options, PolicyView, State};
use podgroups_core::RuntimeKind;

/// One menu entry.
pub struct Example {
    /// Stable id (used by `?example=<id>` and tests).
    pub id: &'static str,
    pub title: &'static str,
    pub state: fn() -> State,
}

/// The menu, in display order.
pub const EXAMPLES: &[Example] = &[
    Example {
        id: "blog-merge",
        title: "Blog: implicit group from the image (Merge)",
        state: blog_merge,
    },
    Example {
        id: "blog-strict",
        title: "Blog: supplementalGroupsPolicy: Strict",
        state: blog_strict,
    },
    Example {
        id: "fsgroup",
        title: "fsGroup adds a group too",
        state: fs_group,
    },
    Example {
        id: "deployment",
        title: "A Deployment (pod template, init container)",
        state: deployment,
    },
    Example {
        id: "named-user",
        title: "Image with a named USER",
        state: named_user,
    },
    Example {
        id: "distroless",
        title: "Distroless: no /etc/passwd or /etc/group",
        state: distroless,
    },
    Example {
        id: "containerd17-ignores-strict",
        title: "containerd 1.7 silently ignores Strict (1.32)",
        state: containerd17_ignores,
    },
    Example {
        id: "rejected-unsupported-node",
        title: "Strict rejected on a node without support (1.33)",
        state: rejected,
    },
];

/// Looks an example up by id.
pub fn find(id: &str) -> Option<&'static Example> {
    EXAMPLES.iter().find(|e| e.id == id)
}

/// The blog example, from the same files the CLI embeds as its default (`examples/blog/`).
const BLOG_MANIFEST: &str = include_str!("../../examples/blog/pod.yaml");
const BLOG_STRICT_MANIFEST: &str = include_str!("../../examples/blog/pod-strict.yaml");
const BLOG_PASSWD: &str = include_str!("../../examples/blog/passwd");
const BLOG_GROUP: &str = include_str!("../../examples/blog/group");

fn with(manifest: String, passwd: &str, group: &str, options: Options) -> State {
    State {
        manifest,
        group: group.to_owned(),
        passwd: passwd.to_owned(),
        group_known: Known::Present,
        passwd_known: Known::Present,
        image_user: String::new(),
        user_known: Known::Present,
        options,
        ..State::default()
    }
}

/// The Kubernetes 1.31 blog "Fine-grained SupplementalGroups control", implicit-groups example:
/// what `/` opens on.
pub fn blog_merge() -> State {
    with(BLOG_MANIFEST.to_owned(), BLOG_PASSWD, BLOG_GROUP, Options::default())
}

/// The same pod with `supplementalGroupsPolicy: Strict`, as the core's fix writes it ("Apply
/// Strict", `podgroups fix`; a test below holds the file to it). The fix itself is not in the
/// first download: the lazily loaded policy module runs it.
fn blog_strict() -> State {
    with(
        BLOG_STRICT_MANIFEST.to_owned(),
        BLOG_PASSWD,
        BLOG_GROUP,
        Options::default(),
    )
}

fn fs_group() -> State {
    let m = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: with-fsgroup\nspec:\n  securityContext:\n    runAsUser: 1000\n    fsGroup: 2000\n  volumes:\n  - name: data\n    emptyDir: {}\n  containers:\n  - name: app\n    image: example.com/app:1.0\n    volumeMounts:\n    - name: data\n      mountPath: /data\n";
    let passwd = "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n";
    let group = "root:x:0:root\napp:x:1000:\ndocker:x:998:app\n";
    with(m.to_owned(), passwd, group, Options::default())
}

fn deployment() -> State {
    let m = "# A Deployment: the identity comes from spec.template.spec.\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      securityContext:\n        runAsUser: 101\n        supplementalGroups: [5000]\n      initContainers:\n      - name: migrate\n        image: example.com/web:2.1\n        securityContext:\n          runAsUser: 0\n      containers:\n      - name: web\n        image: example.com/web:2.1\n";
    let passwd = "root:x:0:0:root:/root:/bin/sh\nnginx:x:101:101:nginx:/var/cache/nginx:/sbin/nologin\n";
    let group = "root:x:0:root\nnginx:x:101:\nwww-data:x:33:nginx\nadm:x:4:root,nginx\n";
    with(m.to_owned(), passwd, group, Options::default())
}

fn named_user() -> State {
    let m = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: named-user\nspec:\n  containers:\n  - name: app\n    image: example.com/tool:3\n";
    let passwd = "root:x:0:0:root:/root:/bin/sh\ntool:x:1500:1500::/home/tool:/bin/sh\n";
    let group = "root:x:0:root\ntool:x:1500:\nvideo:x:44:tool\naudio:x:29:tool\n";
    let mut s = with(m.to_owned(), passwd, group, Options::default());
    s.image_user = "tool".to_owned();
    s
}

fn distroless() -> State {
    let m = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: distroless\nspec:\n  securityContext:\n    runAsUser: 65532\n    supplementalGroups: [7000]\n  containers:\n  - name: app\n    image: gcr.io/distroless/static:nonroot\n";
    let mut s = with(m.to_owned(), "", "", Options::default());
    s.passwd_known = Known::Absent;
    s.group_known = Known::Absent;
    s
}

fn containerd17_ignores() -> State {
    let mut s = blog_strict();
    s.options = Options {
        runtime: RuntimeKind::Containerd17,
        kubernetes_minor: 32,
        feature_gate: Gate::On,
        view: PolicyView::AsWritten,
    };
    s
}

fn rejected() -> State {
    let mut s = blog_strict();
    s.options.runtime = RuntimeKind::Containerd17;
    s.options.kubernetes_minor = 33;
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_findable() {
        for (i, e) in EXAMPLES.iter().enumerate() {
            assert!(EXAMPLES.iter().skip(i + 1).all(|o| o.id != e.id), "{}", e.id);
            assert!(find(e.id).is_some());
        }
        assert!(find("nope").is_none());
    }

    use podgroups_core::{ContainerKind, ContainerReport, Outcome, SupplementalGroupsPolicy};

    fn containers(id: &str) -> Vec<ContainerReport> {
        let state = (find(id).unwrap().state)();
        let report = podgroups_core::explain(&state.to_input()).unwrap();
        report.workloads.into_iter().flat_map(|w| w.containers).collect()
    }

    fn groups(o: &Outcome) -> Vec<u32> {
        o.identity()
            .map(|i| i.groups_as_kernel_sees.clone())
            .unwrap_or_default()
    }

    #[test]
    fn each_example_shows_what_its_title_says() {
        let c = containers("blog-merge");
        assert_eq!(groups(&c[0].merge), [3000, 4000, 50000]);
        assert_eq!(groups(&c[0].strict), [3000, 4000]);
        assert_eq!(c[0].as_written, c[0].merge);

        let c = containers("blog-strict");
        assert_eq!(c[0].as_written, c[0].strict);

        let c = containers("fsgroup");
        assert!(groups(&c[0].strict).contains(&2000));
        assert!(groups(&c[0].merge).contains(&998));
        assert!(!groups(&c[0].strict).contains(&998));

        let c = containers("deployment");
        assert_eq!(
            c.iter().map(|c| c.kind).collect::<Vec<_>>(),
            [ContainerKind::Init, ContainerKind::Regular]
        );
        assert_eq!(c[1].implicit_gids, [4, 33]);

        let c = containers("named-user");
        let id = c[0].merge.identity().unwrap();
        assert_eq!((id.uid, id.gid), (1500, 1500));
        assert_eq!(c[0].implicit_gids, [29, 44]);

        let c = containers("distroless");
        let id = c[0].merge.identity().unwrap();
        assert_eq!((id.uid, id.gid), (65532, 0));
        assert_eq!(groups(&c[0].merge), groups(&c[0].strict));

        let c = containers("containerd17-ignores-strict");
        let strict = c[0].strict.identity().unwrap();
        assert_eq!(strict.applied_policy, SupplementalGroupsPolicy::Merge);
        assert!(strict.groups_as_kernel_sees.contains(&50000));

        let c = containers("rejected-unsupported-node");
        let refusal = c[0].as_written.refusal().unwrap();
        assert_eq!(refusal.reason, "SupplementalGroupsPolicyNotSupported");
    }

    #[test]
    fn the_blog_examples_are_the_cli_s_files() {
        let merge = (find("blog-merge").unwrap().state)();
        assert_eq!(merge.manifest, include_str!("../../examples/blog/pod.yaml"));
        assert_eq!(merge.group, include_str!("../../examples/blog/group"));
        assert_eq!(merge.passwd, include_str!("../../examples/blog/passwd"));
        assert_ne!(State::default(), merge);
        let strict = (find("blog-strict").unwrap().state)();
        assert_eq!(
            strict.manifest,
            podgroups_core::fix::apply_strict(&merge.manifest).unwrap()
        );
        assert!(strict.manifest.contains("supplementalGroupsPolicy: Strict"));
        assert_eq!((strict.group, strict.passwd), (merge.group, merge.passwd));
    }
}
