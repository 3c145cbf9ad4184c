//! `/etc/passwd` as `ParsePasswdFilter` reads it (Spec 11.2): only blank lines are skipped.

use super::go::{fields, go_atoi, lines};

/// `bufio.Scanner`'s default maximum token size: a longer line fails the whole read.
pub const MAX_PASSWD_LINE: usize = 64 * 1024;

/// One passwd line. `#` lines are entries too (name `# ...`, uid 0, gid 0).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PasswdEntry<'a> {
    pub line: u32,
    pub name: &'a str,
    pub uid: i64,
    pub gid: i64,
    /// The raw uid/gid texts, to warn about values that silently became 0.
    pub uid_text: &'a str,
    pub gid_text: &'a str,
}

/// A parsed `/etc/passwd`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Passwd<'a> {
    pub entries: Vec<PasswdEntry<'a>>,
}

impl<'a> Passwd<'a> {
    /// Parses like the runtimes; fails as Go's scanner does on a line over 64 KiB (`bufio.Scanner: token too long`).
    pub fn parse(text: &'a str) -> Result<Self, (u32, String)> {
        let mut entries = Vec::new();
        for (line, content, raw_len) in lines(text) {
            if raw_len >= MAX_PASSWD_LINE {
                return Err((line, "bufio.Scanner: token too long".to_owned()));
            }
            if content.is_empty() {
                continue;
            }
            let [name, _pass, uid, gid] = fields::<4>(content);
            entries.push(PasswdEntry {
                line,
                name,
                uid: go_atoi(uid),
                gid: go_atoi(gid),
                uid_text: uid,
                gid_text: gid,
            });
        }
        Ok(Passwd { entries })
    }

    /// First entry with this uid (all lookups take the first match, Spec 11.7).
    pub fn by_uid(&self, uid: i64) -> Option<&PasswdEntry<'a>> {
        self.entries.iter().find(|e| e.uid == uid)
    }

    /// First entry with this exact, case-sensitive name (Spec 11.8).
    pub fn by_name(&self, name: &str) -> Option<&PasswdEntry<'a>> {
        self.entries.iter().find(|e| e.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comment_lines_are_users() {
        let p = Passwd::parse("# generated\nroot:x:0:0:root:/root:/bin/sh\n").unwrap();
        assert_eq!(p.entries.len(), 2);
        assert_eq!(p.by_uid(0).unwrap().name, "# generated");
        assert_eq!(p.by_name("root").unwrap().line, 2);
    }

    #[test]
    fn short_and_malformed_lines() {
        let p = Passwd::parse("app:x:1000\nbad:x:abc:7\n\n  \nplus:x:+5:-1\n").unwrap();
        assert_eq!(p.entries[0].gid, 0);
        assert_eq!(p.entries[1].uid, 0);
        assert_eq!(p.entries[2].line, 5);
        assert_eq!((p.entries[2].uid, p.entries[2].gid), (5, -1));
    }

    #[test]
    fn long_line_fails_like_go() {
        let text = format!("root:x:0:0::/:/bin/sh\n{}\n", "a".repeat(MAX_PASSWD_LINE));
        assert_eq!(Passwd::parse(&text).unwrap_err().0, 2);
    }
}
