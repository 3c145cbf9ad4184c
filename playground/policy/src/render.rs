//! The answer as HTML for the app's policy panel (which shows it as is: everything from the user is
//! escaped here). `data-testid`s let the browser suite read each verdict.

use crate::diff::Line;
use crate::verdict::{Answer, Response, Verdict};
use std::fmt::Write;

/// Escapes text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The whole answer.
pub fn answer(answer: &Answer) -> String {
    let problem = |testid: &str, lead: &str, text: &str| {
        format!(
            "<p class=\"policy-problem\" data-testid=\"{testid}\" role=\"alert\">{lead}{}</p>",
            escape(text)
        )
    };
    match answer {
        Answer::State(e) => problem("policy-state-error", "", e),
        Answer::Settings(e) => problem(
            "policy-settings-error",
            "Kubewarden refuses these settings (the policy's validate_settings): ",
            e,
        ),
        Answer::Manifest(e) => problem("policy-manifest-error", "", e),
        Answer::Verdicts(v) if v.is_empty() => problem("policy-manifest-error", "", "the manifest has no objects"),
        Answer::Verdicts(v) => v.iter().map(verdict).collect(),
    }
}

fn verdict(v: &Verdict) -> String {
    match v {
        Verdict::NotSent(e) => format!(
            "<article class=\"verdict not-sent\" data-testid=\"policy-verdict\" data-allowed=\"\"><p data-testid=\"policy-not-sent\">{}</p></article>",
            escape(e)
        ),
        Verdict::Answered(r) => response(r),
    }
}

fn response(r: &Response) -> String {
    let (class, word) = match (r.allowed, r.patch.is_some()) {
        (false, _) => ("rejected", "rejected"),
        (true, true) => ("allowed", "allowed, mutated"),
        (true, false) => ("allowed", "allowed"),
    };
    let mut html = format!(
        "<article class=\"verdict {class}\" data-testid=\"policy-verdict\" data-allowed=\"{}\"><h3><span data-testid=\"policy-subject\">{}</span>: <strong>{word}</strong></h3>",
        r.allowed,
        escape(&r.subject)
    );
    if let Some(m) = &r.message {
        let _ = write!(
            html,
            "<p class=\"message\" data-testid=\"policy-message\">{}</p>",
            escape(m)
        );
    }
    if !r.warnings.is_empty() {
        html.push_str("<ul class=\"warnings\" data-testid=\"policy-warnings\">");
        for w in &r.warnings {
            let _ = write!(html, "<li>{}</li>", escape(w));
        }
        html.push_str("</ul>");
    }
    if let Some(patch) = &r.patch {
        let text = serde_json::to_string_pretty(patch).unwrap_or_default();
        let _ = write!(
            html,
            "<h4>JSON patch (policy-server sends it to the apiserver)</h4><pre class=\"patch\" data-testid=\"policy-patch\">{}</pre>",
            escape(&text)
        );
        let _ = write!(
            html,
            "<h4>The object mutated (keys in order)</h4><pre class=\"diff\" data-testid=\"policy-diff\">{}</pre>",
            diff(&r.diff)
        );
    }
    html.push_str("</article>");
    html
}

fn diff(lines: &[Line]) -> String {
    lines
        .iter()
        .map(|l| {
            let class = match l.op {
                '+' => "add",
                '-' => "del",
                '…' => "skip",
                _ => "same",
            };
            let mark = if l.op == '…' { ' ' } else { l.op };
            format!("<span class=\"{class}\">{mark} {}</span>\n", escape(&l.text))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verdict::answer as judge;
    use serde_json::json;

    #[test]
    fn user_text_is_escaped_everywhere() {
        let manifest = "apiVersion: v1\nkind: Pod\nmetadata: {name: \"<img src=x onerror=alert(1)>\", namespace: shop}\nspec:\n  containers:\n  - {name: \"<b>\", image: \"a&b\"}\n";
        let html = answer(&judge(&json!({"m": manifest}).to_string()));
        assert!(!html.contains("<img") && !html.contains("<b>"), "{html}");
        assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
        let html = answer(&judge(
            &json!({"m": manifest, "pol": json!({"s": "mutate: \"<script>\""}).to_string()}).to_string(),
        ));
        assert!(
            html.contains("data-testid=\"policy-settings-error\"") && html.contains("&lt;script&gt;"),
            "{html}"
        );
    }

    #[test]
    fn a_mutation_shows_the_patch_and_the_diff() {
        let manifest = "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop}\nspec:\n  containers:\n  - {name: web, image: nginx}\n";
        let html = answer(&judge(&json!({"m": manifest}).to_string()));
        assert!(html.contains("data-allowed=\"true\""), "{html}");
        assert!(html.contains("<strong>allowed, mutated</strong>"));
        assert!(html.contains("&quot;op&quot;: &quot;add&quot;"), "{html}");
        assert!(
            html.contains("<span class=\"add\">+     supplementalGroupsPolicy: Strict</span>"),
            "{html}"
        );
    }
}
