//! How Go's `bufio` splits the files and `strconv` reads their numbers, as the runtimes' parsers use them
//! (Spec 11.1, 11.4).

/// Lines as Go's `bufio` splits them: on `\n`, a trailing `\r` dropped, then the whole line trimmed
/// (Spec 11.1). Yields `(1-based line number, trimmed line, untrimmed length)`.
pub(super) fn lines(text: &str) -> impl Iterator<Item = (u32, &str, usize)> {
    let body = text.strip_suffix('\n').unwrap_or(text);
    let mut n: u32 = 0;
    body.split('\n').filter(move |_| !text.is_empty()).map(move |raw| {
        n = n.saturating_add(1);
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        (n, line.trim(), raw.len())
    })
}

/// `strconv.Atoi` with the error ignored, as `parseLine` does (Spec 11.4): syntax errors give 0,
/// overflow clamps to the int64 range, a leading `+` or `-` is allowed.
pub(crate) fn go_atoi(s: &str) -> i64 {
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'+') => (false, s.get(1..).unwrap_or("")),
        Some(b'-') => (true, s.get(1..).unwrap_or("")),
        _ => (false, s),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return 0;
    }
    let mut v: i128 = 0;
    for b in digits.bytes() {
        v = v * 10 + i128::from(b - b'0');
        if v > i128::from(i64::MAX) + 1 {
            break;
        }
    }
    let v = if neg { -v } else { v };
    v.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
}

/// Go's `uint32(int)` conversion the runtimes apply to parsed ids: wraps modulo 2^32.
pub(crate) fn go_uint32(v: i64) -> u32 {
    v as u32
}

/// Splits a line into at most `N` `:`-separated fields; missing fields are empty (Spec 11.4).
pub(super) fn fields<const N: usize>(line: &str) -> [&str; N] {
    let mut out = [""; N];
    for (slot, part) in out.iter_mut().zip(line.split(':')) {
        *slot = part;
    }
    out
}

/// Whether a text field parses cleanly as a Go integer (for warnings about silent zeroes).
pub(crate) fn is_clean_number(s: &str) -> bool {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) && digits.len() < 19
}

/// `strconv.Atoi` where the error matters (user strings): `None` for non-numbers and int64 overflow.
pub(crate) fn go_atoi_strict(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<i64>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atoi_like_go() {
        assert_eq!(go_atoi("1000"), 1000);
        assert_eq!(go_atoi("+5"), 5);
        assert_eq!(go_atoi("-1"), -1);
        assert_eq!(go_atoi(""), 0);
        assert_eq!(go_atoi("abc"), 0);
        assert_eq!(go_atoi(" 5"), 0);
        assert_eq!(go_atoi("1_000"), 0);
        assert_eq!(go_atoi("99999999999999999999999"), i64::MAX);
        assert_eq!(go_atoi("-99999999999999999999999"), i64::MIN);
        assert_eq!(go_uint32(-1), 4294967295);
        assert_eq!(go_uint32(4294967296), 0);
    }

    #[test]
    fn lines_drop_cr_and_trim() {
        let got: Vec<_> = lines("a\r\n  b \n\nc").map(|(n, l, _)| (n, l)).collect();
        assert_eq!(got, [(1, "a"), (2, "b"), (3, ""), (4, "c")]);
        assert_eq!(lines("").count(), 0);
        assert_eq!(lines("x\n").count(), 1);
    }

    #[test]
    fn fields_pad_and_ignore_extra() {
        assert_eq!(fields::<4>("a:b"), ["a", "b", "", ""]);
        assert_eq!(fields::<2>("a:b:c"), ["a", "b"]);
    }
}
