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
    text.split('\n')
        .enumerate()
        .map(|(i, line)| render_line(number(i), line, lang, decor))
        .collect()
}

/// The 1-based number of the line at index `i`.
fn number(i: usize) -> u32 {
    u32::try_from(i + 1).unwrap_or(u32::MAX)
}

/// Replace `remove` lines of the overlay, from the line at index `at` of the overlay as it is, with
/// the lines of `html`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Splice {
    pub at: usize,
    pub remove: usize,
    pub html: String,
}

/// The overlay as last drawn. A keystroke re-colours and replaces only the lines it changed and the
/// lines whose decoration came or went, so a 1,000-line editor costs the browser one line, not a
/// thousand (an undecorated line's HTML depends on its text alone: only marked lines carry their
/// number).
#[derive(Debug, Default)]
pub struct Overlay {
    drawn: Option<(String, Lang, Decor)>,
}

impl Overlay {
    /// The splices that turn the overlay as drawn into `text` coloured as `lang` with `decor`, in the
    /// order to apply them (each to the overlay the ones before it left).
    pub fn update(&mut self, text: &str, lang: Lang, decor: Decor) -> Vec<Splice> {
        let splices = match &self.drawn {
            Some((old, old_lang, old_decor)) if *old_lang == lang => changes(old, *old_decor, text, decor, lang),
            drawn => vec![Splice {
                at: 0,
                remove: drawn.as_ref().map_or(0, |(old, ..)| old.split('\n').count()),
                html: render(text, lang, decor),
            }],
        };
        self.drawn = Some((text.to_owned(), lang, decor));
        splices
    }
}

/// The splices from `old` (drawn with `old_decor`) to `new`: the lines between the unchanged head and
/// tail in one splice, then each head or tail line whose marks differ, one for one (so in any order).
fn changes(old: &str, old_decor: Decor, new: &str, decor: Decor, lang: Lang) -> Vec<Splice> {
    let old: Vec<&str> = old.split('\n').collect();
    let new: Vec<&str> = new.split('\n').collect();
    let head = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
    let tail = old
        .iter()
        .rev()
        .zip(new.iter().rev())
        .take(old.len().min(new.len()) - head)
        .take_while(|(a, b)| a == b)
        .count();
    let (old_end, new_end) = (old.len() - tail, new.len() - tail);
    let mut out = Vec::new();
    if old_end > head || new_end > head {
        let html = (head..new_end)
            .filter_map(|i| Some(render_line(number(i), new.get(i)?, lang, decor)))
            .collect();
        out.push(Splice {
            at: head,
            remove: old_end - head,
            html,
        });
    }
    // Index in `old` of an unchanged line at index `i` of `new` (head or tail).
    let old_index = |i: usize| {
        if i < head {
            Some(i)
        } else {
            (i >= new_end).then(|| i - new_end + old_end)
        }
    };
    // The indices of the lines `d` marks.
    let marked = |d: Decor| {
        [d.error.map(|(l, _)| l), d.highlight]
            .into_iter()
            .flatten()
            .filter_map(|l| (l as usize).checked_sub(1))
    };
    // A line marked now, or marked before and unchanged since (at its index in `new`): redrawn
    // alone, in place, when its HTML differs.
    let before = marked(old_decor).filter_map(|i| {
        if i < head {
            Some(i)
        } else {
            (i >= old_end).then(|| i - old_end + new_end)
        }
    });
    let mut seen = Vec::new();
    for i in marked(decor).chain(before) {
        if seen.contains(&i) {
            continue;
        }
        seen.push(i);
        let (Some(j), Some(line)) = (old_index(i), new.get(i)) else {
            continue;
        };
        let html = render_line(number(i), line, lang, decor);
        if old
            .get(j)
            .is_some_and(|o| render_line(number(j), o, lang, old_decor) != html)
        {
            out.push(Splice { at: i, remove: 1, html });
        }
    }
    out
}

/// One line's HTML: `<span class="l">`, marked `err` (with the column wrapped) and `hl` as `decor` says.
fn render_line(n: u32, line: &str, lang: Lang, decor: Decor) -> String {
    let mut out = String::with_capacity(line.len() * 2 + 48);
    let err_col = decor.error.filter(|(l, _)| *l == n).map(|(_, c)| c.max(1));
    let class = match (err_col.is_some(), decor.highlight == Some(n)) {
        (false, false) => "",
        (true, false) => " err",
        (false, true) => " hl",
        (true, true) => " err hl",
    };
    // Only a marked line says its number (the tests find it by it): the others stay the same HTML
    // when lines above them come or go.
    if class.is_empty() {
        out.push_str("<span class=\"l\">");
    } else {
        let _ = write!(out, "<span class=\"l{class}\" data-line=\"{n}\">");
    }
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

    /// The overlay's lines after `splices`, as the editor applies them to the `<pre>`.
    fn apply(lines: &mut Vec<String>, splices: Vec<Splice>) {
        for s in splices {
            let new: Vec<String> = s
                .html
                .split("<span class=\"l")
                .skip(1)
                .map(|l| format!("<span class=\"l{l}"))
                .collect();
            lines.splice(s.at..s.at + s.remove, new);
        }
    }

    fn whole(text: &str, lang: Lang, decor: Decor) -> Vec<String> {
        let mut lines = Vec::new();
        apply(
            &mut lines,
            vec![Splice {
                at: 0,
                remove: 0,
                html: render(text, lang, decor),
            }],
        );
        lines
    }

    #[test]
    fn splices_redraw_only_changed_lines_and_always_give_the_whole_render() {
        let base: Vec<String> = (0..40).map(|i| format!("key{}: {i}", i % 7)).collect();
        let mut overlay = Overlay::default();
        let mut drawn = Vec::new();
        let mut text = base.join("\n");
        apply(&mut drawn, overlay.update(&text, Lang::Yaml, Decor::default()));
        assert_eq!(drawn, whole(&text, Lang::Yaml, Decor::default()));
        // A keystroke within a line: one splice of one line.
        text = text.replacen("key3: 3", "key3: 3x", 1);
        let splices = overlay.update(&text, Lang::Yaml, Decor::default());
        assert_eq!(splices.len(), 1);
        assert_eq!(
            (
                splices[0].at,
                splices[0].remove,
                splices[0].html.matches("class=\"l").count()
            ),
            (3, 1, 1)
        );
        apply(&mut drawn, splices);
        assert_eq!(drawn, whole(&text, Lang::Yaml, Decor::default()));
        // Lines added, removed, duplicated; marks coming, moving and going; all with a simple
        // deterministic generator.
        let mut seed: u64 = 7;
        let mut next = |n: u64| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) % n.max(1)
        };
        let mut lines: Vec<String> = text.split('\n').map(str::to_owned).collect();
        for step in 0..400 {
            let len = lines.len() as u64;
            match next(5) {
                0 => lines.insert(next(len + 1) as usize, format!("new{step}: \"x\"")),
                1 if len > 1 => {
                    lines.remove(next(len) as usize);
                }
                2 => {
                    let i = next(len) as usize;
                    lines[i].push('y');
                }
                3 => {
                    let i = next(len) as usize;
                    let copy = lines[i].clone();
                    lines.insert(i, copy);
                }
                _ => {}
            }
            let mark = |n: u64| (n > 0).then_some(n as u32);
            let decor = Decor {
                error: mark(next(len + 3)).map(|l| (l, next(12) as u32)),
                highlight: mark(next(len + 3)),
            };
            let lang = if step % 97 == 96 { Lang::Group } else { Lang::Yaml };
            let text = lines.join("\n");
            apply(&mut drawn, overlay.update(&text, lang, decor));
            assert_eq!(drawn, whole(&text, lang, decor), "step {step}");
        }
    }

    #[test]
    fn only_marked_lines_carry_their_number() {
        let html = render(
            "a\nb",
            Lang::Yaml,
            Decor {
                error: None,
                highlight: Some(2),
            },
        );
        assert_eq!(html.matches("data-line").count(), 1);
        assert!(html.starts_with("<span class=\"l\">"));
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
