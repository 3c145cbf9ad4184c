//! `podgroups audit`: a whole cluster from what kubectl prints — pods, workloads, nodes — folded into
//! workloads, with observed status users beside per-node predictions (the logic is `podgroups-audit`).

use crate::args::{AuditArgs, Format};
use podgroups_audit::{Audit, AuditReport, Images, Progress};
use std::fmt::Write as _;
use std::io::{IsTerminal, Read, Write};
use std::path::Path;
use std::process::ExitCode;

/// A cluster dump can be large; this bound only stops a wrong file (a disk image) early.
const MAX_DUMP: u64 = 2 * 1024 * 1024 * 1024;

pub fn run(a: &AuditArgs) -> Result<ExitCode, String> {
    let assumed = a.env.environment()?;
    let archives = crate::image::for_explain(
        &crate::args::ArchiveArgs {
            platform: a.platform.clone(),
            image_for: a.image_for.clone(),
            verify_digests: a.verify_digests,
            ..crate::args::ArchiveArgs::default()
        },
        &crate::args::ImageArgs {
            passwd: None,
            no_passwd: false,
            group: None,
            no_group: false,
            image_user: None,
        },
    )?;
    let mut images = Images::new();
    for (key, image) in archives.images {
        images.insert(key, image);
    }
    let show = !a.registry.quiet && std::io::stderr().is_terminal();
    let mut progress = |p: Progress| {
        let line = match p {
            Progress::Read(n) => format!("read {n} objects"),
            Progress::Predicted(n, total) => format!("audited {n}/{total}"),
        };
        eprint!("\r\x1b[2Kpodgroups: {line}");
    };
    let mut audit = Audit::new(images, assumed);
    if show {
        audit.on_progress(&mut progress);
    }
    for path in &a.nodes {
        audit.add_nodes(&name(path), &read(path)?);
    }
    for path in &a.dumps {
        audit.add_objects(&name(path), &read(path)?);
    }
    let wanted = audit.wanted_images();
    if !wanted.is_empty() {
        for (key, image) in crate::registry::for_audit(&a.registry, &a.platform, &wanted)? {
            audit.add_image(key, image);
        }
    }
    let report = audit.finish();
    if show {
        eprint!("\r\x1b[2K");
    }
    match a.output {
        Format::Text => print!("{}", table(&report)),
        Format::Json => println!("{}", serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?),
        Format::Yaml => print!("{}", serde_saphyr::to_string(&report).map_err(|e| e.to_string())?),
    }
    let _ = std::io::stdout().flush();
    let s = &report.summary;
    if report.workloads.is_empty() && s.errors > 0 {
        return Ok(ExitCode::from(2));
    }
    let refused = report
        .workloads
        .iter()
        .flat_map(|w| &w.findings)
        .filter(|f| f.code == "refused" || f.code == "strict-not-applied")
        .count();
    let dirty = s.containers_with_implicit_groups
        + s.containers_that_would_lose_a_needed_group
        + s.disagreements
        + s.containers_unknown
        + s.errors
        + refused;
    Ok(if a.check && dirty > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn name(path: &Path) -> String {
    if path.as_os_str() == "-" {
        "standard input".into()
    } else {
        path.display().to_string()
    }
}

fn read(path: &Path) -> Result<String, String> {
    let mut bytes = Vec::new();
    let n = name(path);
    if path.as_os_str() == "-" {
        std::io::stdin()
            .take(MAX_DUMP)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("{n}: {e}"))?;
    } else {
        std::fs::File::open(path)
            .and_then(|f| f.take(MAX_DUMP).read_to_end(&mut bytes))
            .map_err(|e| format!("{n}: {e}"))?;
    }
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "{n}: not UTF-8 text (invalid byte at offset {}); give what kubectl get -o json|yaml prints",
            e.utf8_error().valid_up_to()
        )
    })
}

/// The report for people: summary first, environments, one row per workload container, findings, errors.
pub fn table(r: &AuditReport) -> String {
    let mut out = summary_line(&r.summary);
    environments(&mut out, &r.environments);
    container_rows(&mut out, &r.workloads);
    findings_and_errors(&mut out, r);
    out
}

/// The one-line summary of the counts.
fn summary_line(s: &podgroups_audit::Summary) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} workloads ({} pods, {} containers): {} containers with implicit groups, {} workloads already Strict, \
         {} containers would lose a group they may need, {} undecided; {} observed/predicted disagreements; {} errors",
        s.workloads,
        s.pods,
        s.containers,
        s.containers_with_implicit_groups,
        s.workloads_already_strict,
        s.containers_that_would_lose_a_needed_group,
        s.containers_unknown,
        s.disagreements,
        s.errors
    );
    out
}

/// One line per node environment: what the nodes report and how it is modelled.
fn environments(out: &mut String, envs: &[podgroups_audit::EnvironmentReport]) {
    let _ = writeln!(out, "\nNode environments:");
    for e in envs {
        let model = match &e.model {
            podgroups_audit::EnvironmentModel::Modelled {
                runtime,
                kubernetes_minor,
            } => {
                format!("{runtime} on 1.{kubernetes_minor}")
            }
            podgroups_audit::EnvironmentModel::Unknown { reason } => format!("not modelled: {reason}"),
        };
        let features = e.node_supports_policy.map_or("-".to_owned(), |b| b.to_string());
        let _ = writeln!(
            out,
            "  {:<6} {} kubelet {} features.supplementalGroupsPolicy={features} → {model}; {} node(s)",
            e.id,
            e.container_runtime_version,
            e.kubelet_version,
            e.nodes.len()
        );
    }
}

/// The table: one row per container of each workload, columns padded to the widest cell.
fn container_rows(out: &mut String, workloads: &[podgroups_audit::WorkloadAudit]) {
    let mut rows = vec![[
        "WORKLOAD".to_owned(),
        "CONTAINER".to_owned(),
        "PODS".to_owned(),
        "POLICY".to_owned(),
        "IMPLICIT GROUPS".to_owned(),
        "STRICT REMOVES".to_owned(),
        "WOULD BREAK".to_owned(),
    ]];
    for w in workloads {
        for c in &w.containers {
            let list = |v: Vec<String>| if v.is_empty() { "-".to_owned() } else { v.join(",") };
            rows.push([
                format!("{}/{}/{}", w.namespace, w.kind, w.name),
                c.name.clone(),
                w.replicas.map_or(w.pods.to_string(), |r| format!("{}/{r}", w.pods)),
                w.supplemental_groups_policy.clone().unwrap_or_else(|| "(Merge)".into()),
                implicit_cell(c),
                list(c.strict_would_remove.iter().map(u32::to_string).collect()),
                list(
                    c.would_break
                        .iter()
                        .map(|b| format!("{}({})", b.gid, b.reasons.join("+")))
                        .collect(),
                ),
            ]);
        }
    }
    let widths: Vec<usize> = (0..7)
        .map(|i| {
            rows.iter()
                .map(|r| r.get(i).map_or(0, |c| c.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    out.push('\n');
    for row in &rows {
        let cells: Vec<String> = row.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect();
        let _ = writeln!(out, "{}", cells.join("  ").trim_end());
    }
}

/// A container's implicit groups with their `/etc/group` name and line, or "unknown" when undecided.
fn implicit_cell(c: &podgroups_audit::ContainerAudit) -> String {
    if !c.implicit_groups_known && c.implicit_groups.is_empty() {
        return "unknown".to_owned();
    }
    let mut t = c
        .implicit_groups
        .iter()
        .map(|g| match (&g.group_line, g.observed) {
            (Some(l), true) => format!("{}({}:{},observed)", g.gid, l.name, l.line),
            (Some(l), false) => format!("{}({}:{})", g.gid, l.name, l.line),
            (None, _) => format!("{}(observed)", g.gid),
        })
        .collect::<Vec<_>>()
        .join(" ");
    if !c.implicit_groups_known {
        t.push_str(" +unknown");
    }
    if t.is_empty() {
        "-".into()
    } else {
        t
    }
}

/// The findings of every workload, then the items that were not audited.
fn findings_and_errors(out: &mut String, r: &AuditReport) {
    let findings: Vec<String> = r
        .workloads
        .iter()
        .flat_map(|w| {
            w.findings.iter().map(move |f| {
                let c = f.container.as_deref().map(|c| format!(" [{c}]")).unwrap_or_default();
                format!("  {}/{}/{}{c} {}: {}", w.namespace, w.kind, w.name, f.code, f.message)
            })
        })
        .collect();
    if !findings.is_empty() {
        let _ = writeln!(out, "\nFindings:\n{}", findings.join("\n"));
    }
    if !r.errors.is_empty() {
        let _ = writeln!(out, "\nErrors (these items were not audited):");
        for e in &r.errors {
            let _ = writeln!(out, "  {}: {}: {}", e.input, e.item, e.message);
        }
    }
}
