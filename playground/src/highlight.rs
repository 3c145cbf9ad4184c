//! Syntax colouring for the editors: pure functions from text to the HTML of the overlay that
//! sits under the transparent `<textarea>`, with the error marker and the highlighted line.

use std::fmt::Write;

/// What kind of text an editor holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    /// YAML or JSON manifests.
    Yaml,
    /// `/etc/passwd`: name:password:uid:gid:gecos:home:shell.
    Passwd,
    /// `/etc/group`: name:password:gid:members.
    Group,
}

/// Decorations of one render: the error position and the line an origin points at (1-based).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Decor {
    pub error: Option<(u32, u32)>,
    pub highlight: Option<u32>,
}

type Token<'a> = (Option<&'static str>, &'a str);

/// The overlay HTML: one block `<span class="l">` per line.
pub fn render(text: &str, lang: Lang, decor: Decor) -> String {
    render_lines(text, lang, decor).concat()
}

/// The overlay HTML line by line, so the editor can replace only the lines a keystroke changed.
pub fn render_lines(text: &str, lang: Lang, decor: Decor) -> Vec<String> {
    text.split('\n')
        .enumerate()
        .map(|(i, line)| render_line(u32::try_from(i + 1).unwrap_or(u32::MAX), line, lang, decor))
        .collect()
}

fn render_line(n: u32, line: &str, lang: Lang, decor: Decor) -> String {
    let mut out = String::with_capacity(line.len() * 2 + 48);
    let mut class = String::from("l");
    let err_col = decor.error.filter(|(l, _)| *l == n).map(|(_, c)| c.max(1));
    if err_col.is_some() {
        class.push_str(" err");
    }
    if decor.highlight == Some(n) {
        class.push_str(" hl");
    }
    let _ = write!(out, "<span class=\"{class}\" data-line=\"{n}\">");
    let tokens = match lang {
        Lang::Yaml => yaml_tokens(line),
        Lang::Passwd => etc_tokens(line, &["k", "x", "n", "n", "c", "v", "v"]),
        Lang::Group => etc_tokens(line, &["k", "x", "n", "v"]),
    };
    emit(&mut out, &tokens, err_col);
    out.push_str("</span>");
    out
}

/// The line-number gutter for `lines` lines: one block per line, marked like the overlay.
pub fn gutter(lines: usize, decor: Decor) -> String {
    let mut out = String::with_capacity(lines * 24);
    for i in 1..=lines {
        let n = u32::try_from(i).unwrap_or(u32::MAX);
        let err = decor.error.is_some_and(|(l, _)| l == n);
        let hl = decor.highlight == Some(n);
        let class = match (err, hl) {
            (true, _) => "g err",
            (false, true) => "g hl",
            _ => "g",
        };
        let _ = write!(out, "<span class=\"{class}\">{n}</span>");
    }
    out
}

/// Writes tokens escaped; wraps the character at `err_col` (1-based) in `<span class="errc">`.
fn emit(out: &mut String, tokens: &[Token<'_>], err_col: Option<u32>) {
    let mut col: u32 = 1;
    let mut marked = false;
    for (class, text) in tokens {
        if let Some(c) = class {
            let _ = write!(out, "<span class=\"{c}\">");
        }
        for ch in text.chars() {
            if err_col == Some(col) {
                out.push_str("<span class=\"errc\">");
                escape_char(out, ch);
                out.push_str("</span>");
                marked = true;
            } else {
                escape_char(out, ch);
            }
            col = col.saturating_add(1);
        }
        if class.is_some() {
            out.push_str("</span>");
        }
    }
    if err_col.is_some() && !marked {
        out.push_str("<span class=\"errc\"> </span>");
    }
}

fn escape_char(out: &mut String, ch: char) {
    match ch {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '"' => out.push_str("&quot;"),
        c => out.push(c),
    }
}

/// Colon-separated `/etc` lines: each field gets its column's class, `#` lines are comments.
fn etc_tokens<'a>(line: &'a str, classes: &[&'static str]) -> Vec<Token<'a>> {
    if line.trim_start().starts_with('#') {
        return vec![(Some("c"), line)];
    }
    let mut tokens = Vec::new();
    for (i, field) in line.split(':').enumerate() {
        if i > 0 {
            tokens.push((Some("p"), ":"));
        }
        tokens.push((classes.get(i).copied(), field));
    }
    tokens
}

/// A line of YAML (or JSON) in a few classes: comment, document marker, key, string, number, keyword.
fn yaml_tokens(line: &str) -> Vec<Token<'_>> {
    let mut tokens = Vec::new();
    let body_start = line.len() - line.trim_start().len();
    let (indent, mut rest) = line.split_at(body_start);
    tokens.push((None, indent));
    if rest.starts_with('#') {
        tokens.push((Some("c"), rest));
        return tokens;
    }
    if rest == "---" || rest == "..." || rest.starts_with("--- ") {
        tokens.push((Some("d"), rest));
        return tokens;
    }
    while let Some(after) = rest.strip_prefix("- ") {
        tokens.push((Some("p"), "- "));
        rest = after;
    }
    if let Some(end) = key_end(rest) {
        let (key, after) = rest.split_at(end);
        tokens.push((Some("k"), key));
        tokens.push((Some("p"), ":"));
        rest = after.get(1..).unwrap_or("");
    }
    let (value, comment) = split_comment(rest);
    let trimmed = value.trim();
    let class = if trimmed.is_empty() {
        None
    } else if trimmed.starts_with('"') || trimmed.starts_with('\'') {
        Some("s")
    } else if trimmed.trim_end_matches(',').parse::<f64>().is_ok() {
        Some("n")
    } else if matches!(trimmed.trim_end_matches(','), "true" | "false" | "null" | "~") {
        Some("b")
    } else {
        Some("v")
    };
    tokens.push((class, value));
    if !comment.is_empty() {
        tokens.push((Some("c"), comment));
    }
    tokens
}

/// Byte offset of the `:` that ends a mapping key (followed by a space or the end), outside quotes.
fn key_end(s: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    let mut prev_colon: Option<usize> = None;
    for (i, c) in s.char_indices() {
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
            continue;
        }
        if let Some(p) = prev_colon {
            if c == ' ' || c == '\t' {
                return Some(p);
            }
            prev_colon = None;
        }
        match c {
            '"' | '\'' if i == 0 => quote = Some(c),
            '{' | '[' if i == 0 => return None,
            '#' if i > 0 && s.get(..i).is_some_and(|b| b.ends_with(' ')) => return None,
            ':' => prev_colon = Some(i),
            _ => {}
        }
    }
    prev_colon
}

/// Splits ` # comment` off a value (not inside quotes).
fn split_comment(s: &str) -> (&str, &str) {
    let mut quote: Option<char> = None;
    let mut prev = ' ';
    for (i, c) in s.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '#' && (prev == ' ' || prev == '\t') => return s.split_at(i),
            None => {}
        }
        prev = c;
    }
    (s, "")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strip_tags(html: &str) -> String {
        let mut out = String::new();
        let mut in_tag = false;
        for c in html.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        out.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&amp;", "&")
    }

    #[test]
    fn overlay_keeps_the_text_exactly() {
        let text = "a: 1 # c\n- name: \"x: y\"\n  <b>&\n---\n\n{\"k\": [1, 2]}\n";
        let html = render(text, Lang::Yaml, Decor::default());
        assert_eq!(strip_tags(&html), text.replace('\n', ""));
        assert_eq!(html.matches("class=\"l").count(), text.split('\n').count());
        assert!(!html.contains("<b>"));
    }

    #[test]
    fn yaml_tokens_classify() {
        let t = yaml_tokens("  runAsUser: 1000 # uid");
        assert!(t.contains(&(Some("k"), "runAsUser")));
        assert!(t.contains(&(Some("n"), " 1000 ")));
        assert!(t.contains(&(Some("c"), "# uid")));
        assert!(yaml_tokens("- name: ctr").contains(&(Some("p"), "- ")));
        assert!(yaml_tokens("image: registry.k8s.io/x:2.45").contains(&(Some("k"), "image")));
        assert!(yaml_tokens("\"k\": \"v\"").contains(&(Some("k"), "\"k\"")));
        assert_eq!(yaml_tokens("# all comment").last(), Some(&(Some("c"), "# all comment")));
    }

    #[test]
    fn group_fields_get_classes() {
        let t = etc_tokens("extra:x:50000:user", &["k", "x", "n", "v"]);
        assert_eq!(t.get(4), Some(&(Some("n"), "50000")));
        assert_eq!(t.get(6), Some(&(Some("v"), "user")));
    }

    #[test]
    fn error_marker_wraps_the_column_or_pads_past_the_end() {
        let error_at = |line, column| Decor {
            error: Some((line, column)),
            highlight: None,
        };
        let html = render("ab\ncd", Lang::Yaml, error_at(2, 2));
        assert!(html.contains("class=\"l err\" data-line=\"2\""));
        assert!(html.contains("<span class=\"errc\">d</span>"));
        let past = render("ab", Lang::Group, error_at(1, 9));
        assert!(past.contains("<span class=\"errc\"> </span>"));
    }

    #[test]
    fn highlight_and_gutter_mark_their_lines() {
        let d = Decor {
            error: None,
            highlight: Some(3),
        };
        assert!(render("a\nb\nc", Lang::Passwd, d).contains("class=\"l hl\" data-line=\"3\""));
        let g = gutter(
            3,
            Decor {
                error: Some((1, 1)),
                highlight: Some(3),
            },
        );
        assert_eq!(
            g,
            "<span class=\"g err\">1</span><span class=\"g\">2</span><span class=\"g hl\">3</span>"
        );
    }

    #[test]
    fn multibyte_text_never_panics() {
        for s in [
            "é: ü",
            "- 🐳: x",
            "'unterminated: x",
            "\"a\": \"b",
            "::::",
            "#",
            "-",
            "- - - ",
            "a:b: c",
        ] {
            let _ = render(
                s,
                Lang::Yaml,
                Decor {
                    error: Some((1, 3)),
                    highlight: Some(1),
                },
            );
            let _ = render(s, Lang::Group, Decor::default());
        }
    }
}
