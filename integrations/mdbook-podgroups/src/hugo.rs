//! The Hugo companion: `mdbook-podgroups hugo [SITE]` finds every `{{< podgroups … >}}` shortcode in
//! the site's `content/`, explains it natively and writes `data/podgroups.json`, which the shortcode
//! (`integrations/hugo/layouts/shortcodes/podgroups.html`) reads to put the answer in the page.
//!
//! Each entry is keyed by `sha256` of `runtime`, `version`, `user` and the inner text trimmed of
//! newlines, one per line — what the shortcode computes with Hugo's own `sha256`, so an edited example
//! without a re-run has no entry and the Hugo build fails saying so.

use crate::block::Example;
use crate::render::{answer, widget, Answer};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// One shortcode call found in a content file.
#[derive(Debug, PartialEq, Eq)]
pub struct Shortcode {
    pub attrs: Vec<(String, String)>,
    pub inner: String,
    /// 1-based line of the opening `{{<`.
    pub line: usize,
}

impl Shortcode {
    fn attr(&self, name: &str) -> &str {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// The key the shortcode computes: `sha256 (printf "%s\n%s\n%s\n%s" runtime version user (trim .Inner "\n"))`.
    pub fn key(&self) -> String {
        let text = format!(
            "{}\n{}\n{}\n{}",
            self.attr("runtime"),
            self.attr("version"),
            self.attr("user"),
            self.inner.trim_matches('\n')
        );
        Sha256::digest(text.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// `{{<` then optional spaces, then `name` ending at a space or the tag's end: the rest up to `>}}`.
fn tag<'a>(text: &'a str, name: &str) -> Option<(&'a str, usize)> {
    let rest = text.strip_prefix("{{<")?.trim_start();
    let after = rest.strip_prefix(name)?;
    if !(after.starts_with(char::is_whitespace) || after.starts_with(">}}")) {
        return None;
    }
    let end = after.find(">}}")?;
    Some((after.get(..end)?, text.len() - after.len() + end + 3))
}

/// Every podgroups shortcode of a content file; an unclosed one is an error naming its line.
pub fn shortcodes(text: &str) -> Result<Vec<Shortcode>, (usize, String)> {
    let line_of = |at: usize| text.get(..at).map_or(1, |s| s.matches('\n').count() + 1);
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(rel) = text.get(at..).and_then(|t| t.find("{{<")) {
        let start = at + rel;
        let rest = text.get(start..).unwrap_or("");
        let Some((args, len)) = tag(rest, "podgroups") else {
            at = start + 3;
            continue;
        };
        let line = line_of(start);
        let attrs = crate::block::attributes(args.trim()).map_err(|e| (line, e))?;
        let body_start = start + len;
        let mut search = body_start;
        let close = loop {
            let Some(rel) = text.get(search..).and_then(|t| t.find("{{<")) else {
                return Err((line, "this podgroups shortcode has no {{< /podgroups >}}".into()));
            };
            let c = search + rel;
            match tag(text.get(c..).unwrap_or(""), "/podgroups") {
                Some((_, len)) => break (c, c + len),
                None => search = c + 3,
            }
        };
        found.push(Shortcode {
            attrs,
            inner: text.get(body_start..close.0).unwrap_or("").to_owned(),
            line,
        });
        at = close.1;
    }
    Ok(found)
}

/// The data entry for one shortcode: its widget, and the error (with file and line) if any.
pub fn entry(sc: &Shortcode, file: &str) -> Value {
    let mut example = Example::default();
    let prepared = sc
        .attrs
        .iter()
        .try_for_each(|(n, v)| example.set(n, v))
        .and_then(|()| example.set_body(sc.inner.trim_start_matches('\n')));
    // The body starts on the line after the opening tag when the inner text begins with a newline.
    let first = sc.line + usize::from(sc.inner.starts_with('\n'));
    let a = match prepared {
        Ok(()) => answer(&example),
        Err(message) => Answer::Error { message, line: None },
    };
    let mut entry = Map::new();
    entry.insert("html".into(), Value::String(widget(&example, &a)));
    if let Answer::Error { message, line } = &a {
        let at = line.map_or(sc.line, |l| first + l - 1);
        entry.insert("error".into(), Value::String(format!("{file}:{at}: {message}")));
    }
    Value::Object(entry)
}

/// Scans `site/content` and writes `site/data/podgroups.json`; returns (examples, errors).
pub fn precompute(site: &Path) -> Result<(usize, usize), String> {
    let content = site.join("content");
    let mut files = Vec::new();
    collect(&content, &mut files)?;
    files.sort();
    let mut data = Map::new();
    let mut errors = 0;
    for path in files {
        let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let shown = path.strip_prefix(site).unwrap_or(&path).display().to_string();
        let found = shortcodes(&text).map_err(|(line, e)| format!("{shown}:{line}: podgroups: {e}"))?;
        for sc in found {
            let e = entry(&sc, &shown);
            if let Some(err) = e.get("error").and_then(Value::as_str) {
                eprintln!("podgroups: {err}");
                errors += 1;
            }
            data.insert(sc.key(), e);
        }
    }
    let dir = site.join("data");
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let out = dir.join("podgroups.json");
    let n = data.len();
    let text = serde_json::to_string_pretty(&Value::Object(data)).map_err(|e| e.to_string())?;
    std::fs::write(&out, text + "\n").map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    Ok((n, errors))
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out)?;
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("md" | "markdown" | "html")
        ) {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_shortcodes_with_attributes_inner_text_and_lines() {
        let md = "---\ntitle: x\n---\n{{< figure src=a >}}\n{{< podgroups version=\"1.33\" >}}\nkind: Pod\n{{< /podgroups >}}\n{{<podgroups>}}x{{</podgroups>}}\n";
        let found = shortcodes(md).unwrap();
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].attrs, [("version".to_owned(), "1.33".to_owned())]);
        assert_eq!((found[0].inner.as_str(), found[0].line), ("\nkind: Pod\n", 5));
        assert_eq!((found[1].inner.as_str(), found[1].line), ("x", 8));
        assert_eq!(shortcodes("\n{{< podgroups >}}\nkind: Pod\n").unwrap_err().0, 2);
        assert!(shortcodes("{{< podgroupsx >}}").unwrap().is_empty());
    }

    #[test]
    fn the_key_is_what_hugo_computes() {
        let sc = Shortcode {
            attrs: vec![],
            inner: "\nx\n".into(),
            line: 1,
        };
        // printf '\n\n\nx' | sha256sum
        assert_eq!(
            sc.key(),
            "2ce8a335dee6670187a3a9217b71a995a1c63cc35f1f4dcc975915a3d6429820"
        );
        let other = Shortcode {
            attrs: vec![("runtime".into(), "crio".into())],
            ..sc
        };
        assert_ne!(
            other.key(),
            Shortcode {
                attrs: vec![],
                inner: "\nx\n".into(),
                line: 1
            }
            .key()
        );
    }

    #[test]
    fn errors_carry_file_and_page_line() {
        let md = "intro\n{{< podgroups >}}\nkind: Pod\nmetadata: {name: p}\nspec:\n  securityContext: {runAsUser: abc}\n  containers: [{name: c, image: a}]\n{{< /podgroups >}}\n";
        let sc = &shortcodes(md).unwrap()[0];
        let e = entry(sc, "content/p.md");
        assert!(e["error"].as_str().unwrap().starts_with("content/p.md:6: "), "{e}");
        assert!(e["html"].as_str().unwrap().contains("pg-err"));
    }
}
