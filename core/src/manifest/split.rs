//! A YAML stream cut at the lines that start its documents, for explaining again after an edit
//! only the documents the edit touched ([`crate::Memo`]).

use super::yaml::{
    MAX_ANCHORS, MAX_DOCUMENTS, MAX_EVENTS, MAX_MERGE_KEYS, MAX_NODES, MAX_RECORDED_EVENTS, MAX_SCALAR_BYTES,
};

/// The largest stream cut: without aliases a YAML byte makes at most ~3 events (`{a}` makes 4 of
/// 3 bytes), so no budget summed over the stream (events, nodes, anchored events, scalar bytes) can
/// be reached by text this size.
pub(crate) const MAX_CUT_BYTES: usize = 256 * 1024;

const _: () = assert!(
    3 * MAX_CUT_BYTES < MAX_RECORDED_EVENTS
        && MAX_RECORDED_EVENTS < MAX_NODES
        && MAX_NODES < MAX_EVENTS
        && MAX_CUT_BYTES < MAX_SCALAR_BYTES
);

/// One piece of a cut stream: its text, from the line that starts its document (or from the start
/// of the stream) to the line that starts the next, and how many lines come before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Cut<'a> {
    pub lines_before: usize,
    pub text: &'a str,
}

/// `text` cut before every line that starts a document (`---` followed by a space, a tab or the end
/// of the line), when reading each piece alone is certain to give what reading the whole gives
/// (the same documents, the same budgets kept). `None` when that is not certain, and the stream
/// must be read whole: directives (`%`), document end markers (`...`), a byte-order mark, line
/// breaks other than `\n` and `\r\n`, anything an alias (`*`) could be, as many `&` or `<<` as
/// the anchor or merge-key budgets, more pieces than the document budget, or a text over
/// [`MAX_CUT_BYTES`].
pub(crate) fn cut_documents(text: &str) -> Option<Vec<Cut<'_>>> {
    let bytes = text.as_bytes();
    if text.len() > MAX_CUT_BYTES {
        return None;
    }
    let (mut anchors, mut merge_keys) = (0, 0);
    let mut cuts = Vec::new();
    let (mut start, mut lines_before, mut line) = (0, 0, 0);
    let mut at = 0;
    while at <= bytes.len() {
        let rest = bytes.get(at..).unwrap_or_default();
        let marker = |m: &[u8]| rest.starts_with(m) && matches!(rest.get(3), None | Some(b' ' | b'\t' | b'\r' | b'\n'));
        if rest.starts_with(b"%") || marker(b"...") {
            return None;
        }
        if marker(b"---") && at > 0 {
            cuts.push(Cut {
                lines_before,
                text: text.get(start..at)?,
            });
            (start, lines_before) = (at, line);
        }
        let end = rest.iter().position(|&b| b == b'\n').map_or(bytes.len(), |p| at + p);
        let content = bytes.get(at..end)?;
        for (i, &b) in content.iter().enumerate() {
            let next = content.get(i + 1).copied();
            match b {
                b'*' => return None,
                b'&' => anchors += 1,
                b'<' if next == Some(b'<') => merge_keys += 1,
                // A `\r` is a line break of its own unless the line ends right after it.
                b'\r' if i + 1 != content.len() => return None,
                // U+FEFF (byte-order mark), U+0085, U+2028, U+2029: line breaks to some readers.
                0xEF if content.get(i + 1..i + 3) == Some(&[0xBB, 0xBF]) => return None,
                0xC2 if next == Some(0x85) => return None,
                0xE2 if matches!(content.get(i + 1..i + 3), Some([0x80, 0xA8 | 0xA9])) => return None,
                _ => {}
            }
        }
        line += 1;
        at = end + 1;
    }
    cuts.push(Cut {
        lines_before,
        text: text.get(start..)?,
    });
    (cuts.len() <= MAX_DOCUMENTS && anchors < MAX_ANCHORS && merge_keys < MAX_MERGE_KEYS).then_some(cuts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Option<Vec<(usize, &str)>> {
        cut_documents(text).map(|c| c.into_iter().map(|c| (c.lines_before, c.text)).collect())
    }

    #[test]
    fn cuts_before_each_document_start() {
        let text = "# lead\na: 1\n---\nb: 2\n--- # c\n---\tx\n---\n";
        assert_eq!(
            texts(text),
            Some(vec![
                (0, "# lead\na: 1\n"),
                (2, "---\nb: 2\n"),
                (4, "--- # c\n"),
                (5, "---\tx\n"),
                (6, "---\n")
            ])
        );
        // `---` not followed by a blank is text; a leading marker makes no empty piece.
        assert_eq!(texts("---a\n--- b\n"), Some(vec![(0, "---a\n"), (1, "--- b\n")]));
        assert_eq!(texts("---\nk: v\r\n"), Some(vec![(0, "---\nk: v\r\n")]));
        assert_eq!(texts(""), Some(vec![(0, "")]));
    }

    #[test]
    fn refuses_what_only_the_whole_stream_reads_right() {
        for text in [
            "%YAML 1.2\n---\na: 1\n",
            "a: 1\n...\n---\nb: 2\n",
            "a: *x\n",
            "\u{feff}a: 1\n",
            "a: 1\rb: 2\n",
            "a: 1\u{2028}---\n",
        ] {
            assert_eq!(texts(text), None, "{text:?}");
        }
        assert!(texts(&"k: v\n".repeat(MAX_CUT_BYTES / 5 + 1)).is_none());
        assert!(texts(&"---\n".repeat(MAX_DOCUMENTS + 1)).is_none());
        assert!(texts(&"---\n".repeat(MAX_DOCUMENTS)).is_some());
    }
}
