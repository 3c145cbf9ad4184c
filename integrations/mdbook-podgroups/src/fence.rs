//! Finds ```` ```podgroups ```` fenced blocks in Markdown (CommonMark fences: three or more backticks or
//! tildes, up to three spaces of indent), skipping those shown inside other code blocks.

/// One fenced block whose info string starts with `podgroups`.
#[derive(Debug, PartialEq, Eq)]
pub struct Fence<'a> {
    /// The info string after `podgroups` (the attributes).
    pub info: &'a str,
    /// The text between the fences.
    pub body: String,
    /// 1-based line of the opening fence.
    pub line: usize,
    /// Byte range of the whole block (both fences included) in the text.
    pub range: std::ops::Range<usize>,
}

/// An opening or closing fence line: (fence char, length, rest of the line).
fn fence_line(line: &str) -> Option<(char, usize, &str)> {
    let trimmed = line.trim_start_matches(' ');
    if line.len() - trimmed.len() > 3 {
        return None;
    }
    let c = trimmed.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let n = trimmed.len() - trimmed.trim_start_matches(c).len();
    (n >= 3).then(|| (c, n, trimmed.get(n..).unwrap_or("")))
}

/// A fence that is open: its char and length, the podgroups info (`None`: another language),
/// its line and byte offset, and the body so far.
struct Open<'a> {
    c: char,
    n: usize,
    podgroups: Option<&'a str>,
    line: usize,
    start: usize,
    body: String,
}

/// Every podgroups block of `text`; an unclosed one is an error naming its line.
pub fn podgroups_fences(text: &str) -> Result<Vec<Fence<'_>>, (usize, String)> {
    let mut found = Vec::new();
    let mut open: Option<Open<'_>> = None;
    let mut offset = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let start = offset;
        offset += line.len();
        let bare = line.trim_end_matches(['\n', '\r']);
        let Some(o) = &mut open else {
            if let Some((c, n, rest)) = fence_line(bare) {
                let info = rest.trim();
                let podgroups = match info.split_whitespace().next() {
                    Some("podgroups") => Some(info.get("podgroups".len()..).unwrap_or("").trim()),
                    _ => None,
                };
                let body = String::new();
                open = Some(Open {
                    c,
                    n,
                    podgroups,
                    line: i + 1,
                    start,
                    body,
                });
            }
            continue;
        };
        let closes = fence_line(bare).is_some_and(|(c, n, rest)| c == o.c && n >= o.n && rest.trim().is_empty());
        if closes {
            if let Some(info) = o.podgroups {
                let body = std::mem::take(&mut o.body);
                found.push(Fence {
                    info,
                    body,
                    line: o.line,
                    range: o.start..offset,
                });
            }
            open = None;
        } else if o.podgroups.is_some() {
            o.body.push_str(bare);
            o.body.push('\n');
        }
    }
    match open {
        Some(Open {
            podgroups: Some(_),
            line,
            ..
        }) => Err((line, "this ```podgroups block is never closed".into())),
        _ => Ok(found),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_blocks_with_lines_and_skips_nested_examples() {
        let md = "# T\n\n```podgroups version=1.33\nkind: Pod\n```\n\n````markdown\n```podgroups\nshown, not run\n```\n````\n~~~podgroups\nx\n~~~~\n";
        let f = podgroups_fences(md).unwrap();
        assert_eq!(f.len(), 2);
        assert_eq!(
            (f[0].info, f[0].body.as_str(), f[0].line),
            ("version=1.33", "kind: Pod\n", 3)
        );
        assert_eq!(&md[f[0].range.clone()], "```podgroups version=1.33\nkind: Pod\n```\n");
        assert_eq!((f[1].line, f[1].body.as_str()), (12, "x\n"));
        assert!(podgroups_fences("```yaml\n").unwrap().is_empty());
        assert_eq!(podgroups_fences("a\n```podgroups\nkind: Pod\n").unwrap_err().0, 2);
        // `podgroupsx` is another language.
        assert!(podgroups_fences("```podgroupsx\n```\n").unwrap().is_empty());
    }
}
