//! The traps the spec lists (§5 and the notes in Steps 5–11), found in one container's inputs, and the
//! words of the ones other faces report too.

use crate::context::ContainerContext;
use crate::environment::RuntimeKind;
use crate::etc::{go_uint32, is_clean_number};
use crate::report::{Origin, Outcome, Warning};
use std::fmt::Write;

/// Every trap found in this container's inputs and its outcome as written.
pub(crate) fn find(ctx: &ContainerContext<'_, '_>, as_written: &Outcome) -> Vec<Warning> {
    let mut out = Vec::new();
    let mut warn = |code: &'static str, message: String| out.push(Warning { code, message });
    outcome_warnings(ctx, as_written, &mut warn);
    manifest_warnings(ctx, &mut warn);
    policy_warnings(ctx, &mut warn);
    etc_file_warnings(ctx, &mut warn);
    out
}

fn policy_path(ctx: &ContainerContext<'_, '_>) -> String {
    format!("{}.securityContext.supplementalGroupsPolicy", ctx.spec.path)
}

/// What the image's /etc/group adds under the policy actually applied, and a primary gid of 0 by default.
fn outcome_warnings(ctx: &ContainerContext<'_, '_>, as_written: &Outcome, warn: &mut impl FnMut(&'static str, String)) {
    let mut added = String::new();
    for g in as_written.gid_origins().iter().filter(|g| g.implicit) {
        let sep = if added.is_empty() { "" } else { ", " };
        let _ = write!(added, "{sep}{} (", g.gid);
        let group_lines = g.origins.iter().filter_map(|o| match o {
            Origin::Group { line, name } => Some((line, name)),
            _ => None,
        });
        for (i, (line, name)) in group_lines.enumerate() {
            let sep = if i == 0 { "" } else { "; " };
            let _ = write!(added, "{sep}{name}, /etc/group line {line}");
        }
        added.push(')');
    }
    if !added.is_empty() {
        warn(
            "implicit-groups",
            format!(
                "the image's /etc/group adds {added} that no manifest field names; set {}: Strict to drop them, \
                 and list any group the container needs in supplementalGroups",
                policy_path(ctx)
            ),
        );
    }
    let Some(id) = as_written.identity() else { return };
    if let Some(g) = id.gid_origins.iter().find(|g| g.gid == id.gid) {
        if let Some(Origin::Default { reason }) = g.origins.first() {
            warn(
                "gid-zero-fallback",
                format!("{reason}: the process runs with group root (0); set runAsGroup"),
            );
        }
    }
}

/// Fields that do not do what they seem: the image USER's group, runAsGroup alone, several PV gids.
fn manifest_warnings(ctx: &ContainerContext<'_, '_>, warn: &mut impl FnMut(&'static str, String)) {
    let (spec, env, eff) = (ctx.spec, ctx.env, &ctx.effective);
    let psc = &spec.security_context;
    let user = ctx.image.user.as_deref().unwrap_or("");
    let group_part = user.split_once(':').map(|(_, g)| g).filter(|g| !g.is_empty());
    if let (Some(group), None) = (group_part, eff.run_as_group) {
        warn(
            "image-user-group-ignored",
            format!(
                "the image's USER {user:?} names group {group}, which Kubernetes ignores (kubernetes/kubernetes#61967): \
                 the primary group comes from /etc/passwd or is 0; set runAsGroup to the gid you want"
            ),
        );
    }

    if let (RuntimeKind::Crio, Some(group), None) = (env.runtime.kind, &psc.run_as_group, &psc.run_as_user) {
        warn(
            "run-as-group-without-run-as-user",
            run_as_group_without_run_as_user(&format!("{}.securityContext", spec.path), &group.value),
        );
    }

    let mut pv_gids: Vec<&String> = ctx
        .pv_gid_annotations
        .iter()
        .filter(|v| v.parse::<i64>().is_ok())
        .collect();
    pv_gids.dedup();
    if env.runtime.kind == RuntimeKind::Crio && pv_gids.len() > 1 {
        warn(
            "pv-gid-order",
            "several PersistentVolume gid annotations: the kubelet adds them in Go map order, so their order in \
             CRI-O's additionalGids varies between pods (the set does not)"
                .to_owned(),
        );
    }
}

/// The pod's `runAsGroup` set without its `runAsUser` (Spec 2's runtime table, 3.2, 10.1): CRI-O runs
/// the pod, containerd cannot create its sandbox. `security_context` is the pod-level context's path
/// (`spec.securityContext`); the words every face (the explain warnings, the admission policy) uses.
pub fn run_as_group_without_run_as_user(security_context: &str, run_as_group: &dyn std::fmt::Display) -> String {
    format!(
        "{security_context}.runAsGroup ({run_as_group}) is set without runAsUser: CRI-O accepts it, but on containerd \
         the pod sandbox fails (\"user group is specified without user\"); set runAsUser too"
    )
}

/// The policy field where this cluster ignores, drops or refuses it (Spec 1.1, 3, 9.1).
fn policy_warnings(ctx: &ContainerContext<'_, '_>, warn: &mut impl FnMut(&'static str, String)) {
    let env = ctx.env;
    let written = ctx
        .spec
        .security_context
        .supplemental_groups_policy
        .as_ref()
        .map(|f| f.value.as_str());
    match written {
        Some(_) if env.kubernetes_minor < 31 => warn(
            "policy-unknown-field",
            format!(
                "Kubernetes 1.{} has no supplementalGroupsPolicy: kubectl's strict validation rejects the field, \
                 otherwise it is dropped and groups are merged",
                env.kubernetes_minor
            ),
        ),
        Some(_) if !env.gate_enabled() => warn(
            "policy-dropped",
            format!(
                "the SupplementalGroupsPolicy feature gate is off: kube-apiserver drops {} and groups are merged",
                policy_path(ctx)
            ),
        ),
        Some("Strict") if env.runtime.kind == RuntimeKind::Containerd17 && !env.kubelet_checks_node_support() => warn(
            "strict-ignored",
            "containerd 1.7 does not know supplementalGroupsPolicy and silently merges the image's groups; \
             upgrade to containerd 2.0+ (from Kubernetes 1.33 such a pod is rejected instead)"
                .to_owned(),
        ),
        _ => {}
    }
    if env.feature_gate == Some(false) && env.kubernetes_minor >= 35 {
        warn(
            "gate-locked",
            "the SupplementalGroupsPolicy gate is locked on from Kubernetes 1.35; it cannot be disabled".to_owned(),
        );
    }
}

/// Quirks of the image's `/etc` files that change this container's groups (Spec 11).
fn etc_file_warnings(ctx: &ContainerContext<'_, '_>, warn: &mut impl FnMut(&'static str, String)) {
    let (eff, rootfs, env) = (&ctx.effective, ctx.rootfs, ctx.env);
    let Some(Ok(passwd)) = &rootfs.passwd else { return };
    let Some(entry) = ctx.passwd_entry else { return };
    if entry.name.starts_with('#') {
        let shadowed = passwd
            .entries
            .iter()
            .find(|e| e.line > entry.line && e.uid == entry.uid);
        warn(
            "passwd-comment-entry",
            format!(
                "/etc/passwd line {} ({:?}) is not skipped as a comment: the runtimes read it as a user with uid {}{}, \
                 so its group memberships are looked up under that name; remove comment lines from /etc/passwd",
                entry.line,
                entry.name,
                entry.uid,
                shadowed.map(|s| format!(" that shadows {} on line {}", s.name, s.line)).unwrap_or_default()
            ),
        );
    }
    if eff.run_as_group.is_none() && !is_clean_number(entry.gid_text) {
        warn(
            "malformed-number",
            format!(
                "/etc/passwd line {}: gid field {:?} is not a number and is read as 0",
                entry.line, entry.gid_text
            ),
        );
    }
    let Some(group) = &rootfs.group else { return };
    let user = entry.name;
    let mut untrimmed: Vec<_> = group
        .untrimmed_members()
        .filter(|(_, m)| m.trim() == user)
        .map(|(g, _)| g)
        .collect();
    untrimmed.sort_by_key(|g| g.line);
    untrimmed.dedup_by_key(|g| g.line);
    for g in untrimmed {
        warn(
            "member-not-trimmed",
            format!(
                "/etc/group line {} ({}) lists {user:?} with surrounding spaces; the runtimes do not trim member names, \
                 so {user} is not a member of gid {}",
                g.line,
                g.name,
                go_uint32(g.gid)
            ),
        );
    }
    for g in group.memberships(user) {
        if g.name == user {
            let (here, there) = match env.runtime.kind {
                RuntimeKind::Crio => ("CRI-O includes it", "containerd would exclude it"),
                _ => ("containerd excludes it", "CRI-O would include it"),
            };
            warn(
                "group-named-like-user",
                format!(
                    "/etc/group line {} is a group named like the user ({user}) that lists the user: {here} (containerd#11937), {there}",
                    g.line
                ),
            );
        }
        if !is_clean_number(g.gid_text) {
            warn(
                "malformed-number",
                format!(
                    "/etc/group line {} ({}): gid field {:?} is read as {}",
                    g.line,
                    g.name,
                    g.gid_text,
                    go_uint32(g.gid)
                ),
            );
        }
    }
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use crate::{explain, Image, Input, Runtime};

    fn codes(pod_sc: &str, passwd: &str, group: &str, runtime: Runtime) -> Vec<&'static str> {
        let input = Input {
            manifests: format!(
                "kind: Pod\nmetadata: {{name: p}}\nspec:\n  securityContext: {pod_sc}\n  containers: [{{name: c}}]\n"
            ),
            image: Image::known("", Some(passwd.into()), Some(group.into())),
            environment: crate::Environment {
                runtime,
                ..crate::Environment::default()
            },
            ..Input::default()
        };
        let report = explain(&input).unwrap();
        report.workloads[0].containers[0]
            .warnings
            .iter()
            .map(|w| w.code)
            .collect()
    }

    #[test]
    fn passwd_comment_shadowing_root() {
        let c = codes(
            "{}",
            "# generated\nroot:x:0:0::/:/bin/sh\n",
            "wheel:x:10:root\n",
            Runtime::CONTAINERD_2,
        );
        assert!(c.contains(&"passwd-comment-entry"), "{c:?}");
    }

    #[test]
    fn untrimmed_members_and_groups_named_like_the_user() {
        let passwd = "app:x:1000:1000::/:/bin/sh\n";
        let c = codes(
            "{runAsUser: 1000}",
            passwd,
            "devs:x:600:bob, app\napp:x:1000:app\n",
            Runtime::CRIO,
        );
        assert!(
            c.contains(&"member-not-trimmed") && c.contains(&"group-named-like-user"),
            "{c:?}"
        );
        let c = codes(
            "{runAsUser: 1000, runAsGroup: 1000}",
            passwd,
            "devs:x:600:app\n",
            Runtime::CONTAINERD_2,
        );
        assert_eq!(c, ["implicit-groups"]);
        let c = codes(
            "{runAsUser: 1000, runAsGroup: 1000, supplementalGroupsPolicy: Strict}",
            passwd,
            "devs:x:600:app\n",
            Runtime::CONTAINERD_2,
        );
        assert!(c.is_empty(), "{c:?}");
    }

    #[test]
    fn run_as_group_without_run_as_user_is_worded_once() {
        let input = Input {
            manifests: "kind: Pod\nmetadata: {name: p}\nspec:\n  securityContext: {runAsGroup: 3000}\n  containers: [{name: c}]\n".into(),
            image: Image::known("", Some("root:x:0:0::/:/bin/sh\n".into()), Some(String::new())),
            environment: crate::Environment {
                runtime: Runtime::CRIO,
                ..crate::Environment::default()
            },
            ..Input::default()
        };
        let report = explain(&input).unwrap();
        let warning = report.workloads[0].containers[0]
            .warnings
            .iter()
            .find(|w| w.code == "run-as-group-without-run-as-user")
            .unwrap();
        assert_eq!(
            warning.message,
            super::run_as_group_without_run_as_user("spec.securityContext", &3000)
        );
        assert_eq!(
            warning.message,
            "spec.securityContext.runAsGroup (3000) is set without runAsUser: CRI-O accepts it, but on containerd the pod \
             sandbox fails (\"user group is specified without user\"); set runAsUser too"
        );
    }
}
