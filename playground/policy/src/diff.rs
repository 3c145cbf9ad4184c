//! A line diff (longest common subsequence) of the object before and after the mutation, cut to
//! the changed lines and a few lines of context around them.

/// Lines of context kept around each change.
pub const CONTEXT: usize = 3;
/// Past this many cells the middle is shown as removed then added (the mutation of one object is
/// small; this bounds the work on a huge one).
const MAX_CELLS: usize = 4_000_000;

/// One line of the diff: `' '` unchanged, `'-'` removed, `'+'` added, `'…'` unchanged lines left out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub op: char,
    pub text: String,
}

fn line(op: char, text: &str) -> Line {
    Line {
        op,
        text: text.to_owned(),
    }
}

/// The diff of `before` and `after`, with [`CONTEXT`] lines around each change.
pub fn lines(before: &str, after: &str) -> Vec<Line> {
    let a: Vec<&str> = before.lines().collect();
    let b: Vec<&str> = after.lines().collect();
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let (rest_a, rest_b) = (a.get(prefix..).unwrap_or_default(), b.get(prefix..).unwrap_or_default());
    let suffix = rest_a
        .iter()
        .rev()
        .zip(rest_b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let mid_a = rest_a.get(..rest_a.len() - suffix).unwrap_or_default();
    let mid_b = rest_b.get(..rest_b.len() - suffix).unwrap_or_default();
    let same = |ls: &[&str]| ls.iter().map(|l| line(' ', l)).collect::<Vec<_>>();
    let mut all = same(a.get(..prefix).unwrap_or_default());
    all.extend(middle(mid_a, mid_b));
    all.extend(same(rest_a.get(rest_a.len() - suffix..).unwrap_or_default()));
    fold(all)
}

/// The LCS diff of the differing middle.
fn middle(a: &[&str], b: &[&str]) -> Vec<Line> {
    if a.len().saturating_mul(b.len()) > MAX_CELLS {
        return a
            .iter()
            .map(|l| line('-', l))
            .chain(b.iter().map(|l| line('+', l)))
            .collect();
    }
    // lcs[i][j]: the LCS length of a[i..] and b[j..], in one row-major table.
    let width = b.len() + 1;
    let mut lcs = vec![0u32; (a.len() + 1) * width];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            let here = if a.get(i) == b.get(j) {
                lcs.get((i + 1) * width + j + 1).map_or(0, |n| n + 1)
            } else {
                let down = lcs.get((i + 1) * width + j).copied().unwrap_or(0);
                let right = lcs.get(i * width + j + 1).copied().unwrap_or(0);
                down.max(right)
            };
            if let Some(cell) = lcs.get_mut(i * width + j) {
                *cell = here;
            }
        }
    }
    let at = |i: usize, j: usize| lcs.get(i * width + j).copied().unwrap_or(0);
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() || j < b.len() {
        match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) if x == y => {
                out.push(line(' ', x));
                (i, j) = (i + 1, j + 1);
            }
            (Some(x), Some(_)) if at(i + 1, j) >= at(i, j + 1) => {
                out.push(line('-', x));
                i += 1;
            }
            (_, Some(y)) => {
                out.push(line('+', y));
                j += 1;
            }
            (Some(x), None) => {
                out.push(line('-', x));
                i += 1;
            }
            (None, None) => break,
        }
    }
    out
}

/// Keeps the changed lines and [`CONTEXT`] unchanged lines around each; longer unchanged runs
/// become one `…` line saying how many were left out.
fn fold(all: Vec<Line>) -> Vec<Line> {
    let changed: Vec<usize> = all
        .iter()
        .enumerate()
        .filter(|(_, l)| l.op != ' ')
        .map(|(i, _)| i)
        .collect();
    let near = |i: usize| changed.iter().any(|&c| c.abs_diff(i) <= CONTEXT);
    let mut out = Vec::new();
    let mut skipped = 0;
    for (i, l) in all.into_iter().enumerate() {
        if l.op != ' ' || near(i) {
            if skipped > 0 {
                out.push(Line {
                    op: '…',
                    text: format!("{skipped} unchanged lines"),
                });
                skipped = 0;
            }
            out.push(l);
        } else {
            skipped += 1;
        }
    }
    if skipped > 0 {
        out.push(Line {
            op: '…',
            text: format!("{skipped} unchanged lines"),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(d: &[Line]) -> Vec<String> {
        d.iter().map(|l| format!("{}{}", l.op, l.text)).collect()
    }

    #[test]
    fn additions_in_the_middle_keep_context_and_fold_the_rest() {
        let before: String = (1..=20).map(|i| format!("l{i}\n")).collect();
        let after = before.replace("l10\n", "l10\nnew\n");
        assert_eq!(
            show(&lines(&before, &after)),
            [
                "…7 unchanged lines",
                " l8",
                " l9",
                " l10",
                "+new",
                " l11",
                " l12",
                " l13",
                "…7 unchanged lines"
            ]
        );
    }

    #[test]
    fn replacements_removals_and_edges() {
        assert_eq!(show(&lines("a\nb\nc\n", "a\nx\nc\n")), [" a", "-b", "+x", " c"]);
        assert_eq!(show(&lines("a\nb\n", "b\n")), ["-a", " b"]);
        assert_eq!(show(&lines("", "a\n")), ["+a"]);
        assert_eq!(show(&lines("a\n", "a\n")), ["…1 unchanged lines"]);
        assert_eq!(
            show(&lines("a\nb\nc\n", "c\nb\na\n"))
                .iter()
                .filter(|l| l.starts_with(' '))
                .count(),
            1
        );
    }
}
