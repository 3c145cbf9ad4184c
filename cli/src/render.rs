//! The human-readable report.

use podgroups_core::{Check, ContainerReport, Fact, Identity, Outcome, Partial, Report, Unknown};
use std::fmt::Write;

pub fn report(file: &str, r: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{file}");
    let _ = writeln!(out, "environment: {}\n", r.environment_text);
    for w in &r.workloads {
        let policy = w.policy_as_written();
        for c in &w.containers {
            let _ = writeln!(
                out,
                "== {} {}/{}, {} {:?} ({})",
                w.kind, w.namespace, w.name, c.kind_text, c.name, c.image
            );
            let _ = writeln!(out, "   as written: {policy}");
            if !c.image_unknown.is_empty() {
                let parts: Vec<String> = c.image_unknown.iter().map(ToString::to_string).collect();
                let _ = writeln!(
                    out,
                    "   image: not given, so {} unknown; results they decide are marked as depending on the image \
                     (give --image ARCHIVE, or --image-user/--passwd/--group, and --no-passwd/--no-group for files \
                     the image does not have)",
                    parts.join(", ")
                );
            }
            let _ = writeln!(out);
            container(&mut out, c, &w.pod_spec_path);
        }
    }
    for s in &r.skipped {
        let _ = writeln!(
            out,
            "(skipped {} {:?} in document {}: no pod template)",
            s.kind,
            s.name,
            s.document + 1
        );
    }
    out
}

fn container(out: &mut String, c: &ContainerReport, spec_path: &str) {
    let same = c.merge == c.strict;
    for (label, outcome) in [("Merge", &c.merge), ("Strict", &c.strict)] {
        if same && label == "Strict" {
            let _ = writeln!(out, "Strict: the same as Merge.\n");
            continue;
        }
        let _ = writeln!(out, "{label}:");
        match outcome {
            Outcome::Runs(id) => identity(out, id),
            Outcome::DependsOnImage(p) => partial(out, p),
            Outcome::Refused(r) => {
                // The core's Display: stage (reason): message, then the file line kept apart (Spec 4).
                let _ = writeln!(out, "  REFUSED at {r}");
                for m in r.all_messages.iter().skip(1) {
                    let _ = writeln!(out, "    also: {m}");
                }
            }
        }
        let _ = writeln!(out);
    }
    if !c.implicit_gids.is_empty() {
        let list: Vec<String> = c.implicit_gids.iter().map(u32::to_string).collect();
        let label = if !c.strict_removes.is_empty() {
            "Strict removes"
        } else {
            "implicit groups (Strict cannot remove them here)"
        };
        let _ = writeln!(
            out,
            "{label}: {} (groups only the image's /etc/group adds)",
            list.join(", ")
        );
    }
    for w in &c.warnings {
        let _ = writeln!(out, "warning [{}]: {}", w.code, w.message);
    }
    if c.check == Check::Unknown {
        let _ = writeln!(
            out,
            "check: cannot be proven clean: the image decides {} (see above)",
            c.as_written
                .unknown()
                .iter()
                .filter(|u| matches!(u.fact, Fact::Runs | Fact::ImageGroups))
                .map(|u| u.fact.to_string())
                .collect::<Vec<_>>()
                .join(" and ")
        );
    }
    if !c.implicit_gids.is_empty() && !c.implicit_as_written.is_empty() {
        let _ = writeln!(
            out,
            "fix: set {spec_path}.securityContext.supplementalGroupsPolicy: Strict \
             (Kubernetes 1.31+ with the gate, containerd 2.0+ or CRI-O 1.31+); `podgroups fix FILE` writes it for you"
        );
    }
    let _ = writeln!(out);
}

fn identity(out: &mut String, id: &Identity) {
    let _ = writeln!(out, "  id (coreutils): {}", id.id_coreutils);
    let _ = writeln!(out, "  id (busybox):   {}", id.id_busybox);
    let gids: Vec<String> = id.additional_gids.iter().map(u32::to_string).collect();
    let _ = writeln!(
        out,
        "  OCI process.user: uid {}, gid {}, additionalGids [{}]",
        id.uid,
        id.gid,
        gids.join(", ")
    );
    match &id.status_user {
        Some(u) => {
            let sg: Vec<String> = u.linux.supplemental_groups.iter().map(u32::to_string).collect();
            let _ = writeln!(
                out,
                "  status.containerStatuses[].user.linux: {{uid: {}, gid: {}, supplementalGroups: [{}]}}",
                u.linux.uid,
                u.linux.gid,
                sg.join(", ")
            );
        }
        None => {
            let _ = writeln!(out, "  status.containerStatuses[].user: not reported");
        }
    }
    let _ = writeln!(out, "  uid {:<10} {}", id.uid, id.uid_origin);
    for g in &id.gid_origins {
        let what: Vec<String> = g.origins.iter().map(ToString::to_string).collect();
        let mark = if g.implicit {
            "   <- implicit: no manifest field names it"
        } else {
            ""
        };
        let _ = writeln!(out, "  gid {:<10} {}{mark}", g.gid, what.join("; "));
    }
    unknowns(out, &id.unknown);
}

/// An outcome the unknown image decides in part: what is certain, then what is open and why.
fn partial(out: &mut String, p: &Partial) {
    let _ = writeln!(out, "  DEPENDS ON THE IMAGE: only what follows is certain");
    match (p.uid, &p.uid_origin) {
        (Some(uid), Some(o)) => {
            let _ = writeln!(out, "  uid {:<10} {}", uid, o);
        }
        _ => {
            let _ = writeln!(out, "  uid unknown");
        }
    }
    if p.gid.is_none() {
        let _ = writeln!(out, "  gid unknown");
    }
    for g in &p.gid_origins {
        let what: Vec<String> = g.origins.iter().map(ToString::to_string).collect();
        let primary = if Some(g.gid) == p.gid { " (primary)" } else { "" };
        let _ = writeln!(out, "  gid {:<10} {}{primary}", g.gid, what.join("; "));
    }
    if p.unknown.iter().any(|u| u.fact == Fact::ImageGroups) {
        let _ = writeln!(out, "  + any groups the image's /etc/group adds");
    }
    unknowns(out, &p.unknown);
}

fn unknowns(out: &mut String, list: &[Unknown]) {
    for u in list {
        let _ = writeln!(out, "  unknown: {u}");
    }
}
