//! The widget's HTML as the build writes it: the example's inputs (which `embed.js` reads to make it
//! live) and the engine's answer, so the page reads correctly before, or without, any script.
//!
//! The answer's markup is the one `embed.js` renders in the browser (same classes and `data-`
//! attributes), from the same report fields: what is highlighted is each gid's `implicit` fact.
//! The output has no blank lines, so Markdown passes it through as one HTML block.

use crate::block::Example;
use podgroups_core::{Identity, InputError, Outcome, Report};
use std::fmt::Write;

/// The engine's answer for an example: the report, or why there is none.
pub enum Answer {
    Report(Box<Report>),
    /// The input cannot be explained; `line` is the body line the error points at, if known.
    Error {
        message: String,
        line: Option<usize>,
    },
}

/// Explains an example with the core, natively.
pub fn answer(example: &Example) -> Answer {
    let input = match example.input() {
        Ok(i) => i,
        Err(message) => return Answer::Error { message, line: None },
    };
    match podgroups_core::explain(&input) {
        Ok(report) => Answer::Report(Box::new(report)),
        Err(e) => Answer::Error {
            line: error_line(example, &e),
            message: e.to_string(),
        },
    }
}

/// The body line an input error points at: its location inside the manifest or image file.
fn error_line(example: &Example, e: &InputError) -> Option<usize> {
    let part = match e.source {
        podgroups_core::Source::Manifest => 0,
        podgroups_core::Source::Passwd => 1,
        podgroups_core::Source::Group => 2,
        _ => return None,
    };
    e.location.map(|l| example.body_line(part, l.line as usize))
}

/// `&`, `<`, `>`, `"` escaped, and newlines as `&#10;` so no blank line ends the HTML block early.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("&#10;"),
            c => out.push(c),
        }
    }
    out
}

/// The whole widget: inputs for the script, the answer (or the error) for every reader.
pub fn widget(example: &Example, answer: &Answer) -> String {
    let mut html = String::from("<div class=\"podgroups-embed\">\n");
    // The environment the answer was computed in, so the live widget computes the same thing.
    let (runtime, version) = match answer {
        Answer::Report(r) => (
            r.environment.runtime.to_string(),
            format!("1.{}", r.environment.kubernetes_minor),
        ),
        Answer::Error { .. } => (
            example.runtime.clone().unwrap_or_default(),
            example.version.clone().unwrap_or_default(),
        ),
    };
    let _ = writeln!(
        html,
        "<podgroups-example runtime=\"{}\" kubernetes=\"{}\" user=\"{}\">",
        escape(&runtime),
        escape(&version),
        escape(&example.user)
    );
    file(&mut html, "manifest", "Pod manifest", Some(&example.manifest));
    file(&mut html, "passwd", "/etc/passwd", example.passwd.as_deref());
    file(&mut html, "group", "/etc/group", example.group.as_deref());
    html.push_str("<div class=\"pg-static\" data-podgroups-static>");
    match answer {
        Answer::Report(r) => report(&mut html, r),
        Answer::Error { message, .. } => {
            let _ = write!(html, "<p class=\"pg-err\" data-error>{}</p>", escape(message));
        }
    }
    html.push_str("</div>\n</podgroups-example>\n</div>\n");
    html
}

fn file(html: &mut String, input: &str, label: &str, text: Option<&str>) {
    if let Some(text) = text {
        let _ = writeln!(
            html,
            "<p class=\"pg-file\">{label}</p><pre data-input=\"{input}\">{}</pre>",
            escape(text)
        );
    }
}

fn report(html: &mut String, report: &Report) {
    for w in &report.workloads {
        for c in &w.containers {
            let _ = write!(
                html,
                "<div class=\"pg-ctr\"><code>{} {} / {}</code></div><div class=\"pg-cols\">",
                escape(&w.kind),
                escape(&w.name),
                escape(&c.name)
            );
            column(html, "Merge", "merge", &c.merge);
            column(html, "Strict", "strict", &c.strict);
            html.push_str("</div>");
        }
    }
}

fn column(html: &mut String, title: &str, policy: &str, outcome: &Outcome) {
    match outcome {
        Outcome::Runs(id) => {
            let list: Vec<String> = id.groups_as_kernel_sees.iter().map(u32::to_string).collect();
            let _ = write!(
                html,
                "<div class=\"pg-col\" data-policy=\"{policy}\" data-groups=\"{}\"><h4>{title}</h4><div>uid={} gid={} groups=",
                list.join(","),
                id.uid,
                id.gid
            );
            for (i, g) in id.groups_as_kernel_sees.iter().enumerate() {
                if i > 0 {
                    html.push(',');
                }
                if implicit(id, *g) {
                    let _ = write!(
                        html,
                        "<span class=\"pg-implicit\" title=\"{IMPLICIT_TITLE}\">{g}</span>"
                    );
                } else {
                    let _ = write!(html, "{g}");
                }
            }
            html.push_str("</div></div>");
        }
        Outcome::DependsOnImage(p) => {
            let reasons: Vec<&str> = p.unknown.iter().map(|u| u.reason.as_str()).collect();
            let _ = write!(
                html,
                "<div class=\"pg-col\" data-policy=\"{policy}\" data-depends-on-image><h4>{title}</h4><div>depends on the image: {}</div></div>",
                escape(&reasons.join("; "))
            );
        }
        Outcome::Refused(r) => {
            let _ = write!(
                html,
                "<div class=\"pg-col\" data-policy=\"{policy}\" data-refused=\"{}\"><h4>{title}</h4><div class=\"pg-err\">does not run: {}</div></div>",
                escape(&r.reason),
                escape(&r.to_string())
            );
        }
    }
}

/// The hover text of a gid only the image's `/etc/group` adds (the same words as `embed.js`).
const IMPLICIT_TITLE: &str = "only from the image&#39;s /etc/group: Strict removes it";

/// The report's own fact: this gid is there only because of `/etc/group` membership.
fn implicit(id: &Identity, gid: u32) -> bool {
    id.gid_origins.iter().any(|o| o.gid == gid && o.implicit)
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn blog() -> Example {
        let mut e = Example::default();
        e.set("version", "1.33").unwrap();
        e.set_body(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: implicit-groups\nspec:\n  securityContext:\n    runAsUser: 1000\n    runAsGroup: 3000\n\n    supplementalGroups: [4000]\n  containers:\n  - name: ctr\n    image: agnhost\n\
             ==> /etc/passwd <==\nuser-defined-in-image:x:1000:1000::/home/u:/bin/sh\n\
             ==> /etc/group <==\ngroup-defined-in-image:x:50000:user-defined-in-image\n",
        )
        .unwrap();
        e
    }

    #[test]
    fn the_blog_example_is_answered_in_the_html() {
        let e = blog();
        let html = widget(&e, &answer(&e));
        assert!(
            html.contains(r#"data-policy="merge" data-groups="3000,4000,50000""#),
            "{html}"
        );
        assert!(
            html.contains(r#"data-policy="strict" data-groups="3000,4000""#),
            "{html}"
        );
        assert!(html.contains(
            r#"<span class="pg-implicit" title="only from the image&#39;s /etc/group: Strict removes it">50000</span>"#
        ));
        assert!(html.contains(r#"runtime="containerd-2" kubernetes="1.33""#));
        // One HTML block for Markdown: no blank line, the manifest's blank line kept as &#10;.
        assert!(!html.contains("\n\n"));
        assert!(html.contains("runAsGroup: 3000&#10;&#10;    supplementalGroups"));
    }

    #[test]
    fn errors_say_where_in_the_body() {
        let mut e = blog();
        // Line 7 of the body: a uid that is not a number.
        e.manifest = e.manifest.replace("runAsUser: 1000", "runAsUser: abc");
        match answer(&e) {
            Answer::Error { message, line } => {
                assert_eq!(line, Some(7), "{message}");
                assert!(message.contains("runAsUser"), "{message}");
            }
            Answer::Report(_) => panic!("a uid that is not a number must be an error"),
        }
        let mut e = blog();
        e.set("runtime", "docker").unwrap();
        let a = answer(&e);
        let html = widget(&e, &a);
        assert!(
            html.contains("<p class=\"pg-err\" data-error>runtime=&quot;docker&quot;"),
            "{html}"
        );
    }

    #[test]
    fn refusals_render_as_refusals() {
        let mut e = blog();
        e.set("runtime", "containerd-1.7").unwrap();
        e.manifest = e
            .manifest
            .replace("    runAsUser", "    supplementalGroupsPolicy: Strict\n    runAsUser");
        let a = answer(&e);
        let html = widget(&e, &a);
        assert!(
            html.contains("data-refused=\"SupplementalGroupsPolicyNotSupported\""),
            "{html}"
        );
        // In the core's words (the Display the CLI and the JS API's `text` use).
        let Answer::Report(r) = &a else {
            panic!("expected a report")
        };
        let refusal = r.workloads[0].containers[0].strict.refusal().unwrap();
        assert!(
            html.contains(&format!("does not run: {}<", escape(&refusal.to_string()))),
            "{html}"
        );
    }
}
