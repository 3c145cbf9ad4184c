//! `/etc/group` as `ParseGroupFilter` reads it (Spec 11.3): blank and `#` lines skipped, members untrimmed.

use super::go::{fields, go_atoi, lines};
use std::collections::HashMap;

/// One group line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupEntry<'a> {
    pub line: u32,
    pub name: &'a str,
    pub gid: i64,
    pub gid_text: &'a str,
    /// The member list as written; [`GroupEntry::members`] splits it.
    member_list: &'a str,
}

impl<'a> GroupEntry<'a> {
    /// `strings.Split(field, ",")` without trimming; empty field ⇒ no members (Spec 11.5).
    pub fn members(&self) -> impl Iterator<Item = &'a str> {
        let list = self.member_list;
        list.split(',').filter(move |_| !list.is_empty())
    }
}

/// A parsed `/etc/group`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Group<'a> {
    pub entries: Vec<GroupEntry<'a>>,
    /// Index of the first entry for each gid (as the runtimes' `uint32` sees it), for names.
    first_by_gid: HashMap<u32, usize>,
    /// Entries listing each exact member string, in file order: lookups stay cheap for huge files.
    by_member: HashMap<&'a str, Vec<usize>>,
    /// Member strings with surrounding whitespace, with their entry (usually none).
    untrimmed: Vec<(usize, &'a str)>,
}

impl<'a> Group<'a> {
    /// Parses like moby/sys v0.1.0–v0.4.0 (`bufio.Reader.ReadLine`: no line-length limit).
    pub fn parse(text: &'a str) -> Self {
        let entries = lines(text)
            .filter(|(_, l, _)| !l.is_empty() && !l.starts_with('#'))
            .map(|(line, content, _)| {
                let [name, _pass, gid, member_list] = fields::<4>(content);
                GroupEntry {
                    line,
                    name,
                    gid: go_atoi(gid),
                    gid_text: gid,
                    member_list,
                }
            })
            .collect::<Vec<_>>();
        let mut first_by_gid = HashMap::with_capacity(entries.len());
        let mut by_member: HashMap<&'a str, Vec<usize>> = HashMap::new();
        let mut untrimmed = Vec::new();
        for (i, e) in entries.iter().enumerate() {
            first_by_gid.entry(super::go::go_uint32(e.gid)).or_insert(i);
            for m in e.members() {
                let list = by_member.entry(m).or_default();
                if list.last() != Some(&i) {
                    list.push(i);
                }
                if m.trim() != m {
                    untrimmed.push((i, m));
                }
            }
        }
        Group {
            entries,
            first_by_gid,
            by_member,
            untrimmed,
        }
    }

    /// Every entry that lists `user` as a member, in file order, duplicate lines kept (Spec 11.7).
    pub fn memberships<'s>(&'s self, user: &str) -> impl Iterator<Item = &'s GroupEntry<'a>> + 's {
        self.by_member
            .get(user)
            .into_iter()
            .flatten()
            .filter_map(|&i| self.entries.get(i))
    }

    /// Member strings with surrounding whitespace (which never match a user name), with their entry.
    pub fn untrimmed_members(&self) -> impl Iterator<Item = (&GroupEntry<'a>, &'a str)> + '_ {
        self.untrimmed
            .iter()
            .filter_map(|&(i, m)| self.entries.get(i).map(|e| (e, m)))
    }

    /// The first group with this gid, for names in `id` output.
    pub fn by_gid(&self, gid: u32) -> Option<&GroupEntry<'a>> {
        self.first_by_gid.get(&gid).and_then(|&i| self.entries.get(i))
    }

    /// The first group with this name.
    pub fn by_name(&self, name: &str) -> Option<&GroupEntry<'a>> {
        self.entries.iter().find(|e| e.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_comments_and_blanks_keeps_lines() {
        let g = Group::parse("# c\n\n  # indented\nwheel:x:10:root,alice\n");
        assert_eq!(g.entries.len(), 1);
        assert_eq!(g.entries[0].line, 4);
        assert_eq!(g.memberships("alice").count(), 1);
    }

    #[test]
    fn members_are_not_trimmed() {
        let g = Group::parse("devs:x:600:bob, alice\nend:x:7:alice,\n");
        assert_eq!(g.entries[0].members().collect::<Vec<_>>(), ["bob", " alice"]);
        assert_eq!(g.memberships("alice").map(|e| e.gid).collect::<Vec<_>>(), [7]);
        assert_eq!(g.entries[1].members().collect::<Vec<_>>(), ["alice", ""]);
    }

    #[test]
    fn lookups_follow_file_order_across_a_big_file() {
        let mut text = String::new();
        for i in 0..3000 {
            text.push_str(&format!("g{i}:x:{}:u{},alice,alice\n", 100 + i % 1000, i % 7));
        }
        let g = Group::parse(&text);
        // A line listing alice twice is one membership; every line lists her.
        let lines: Vec<u32> = g.memberships("alice").map(|e| e.line).collect();
        assert_eq!(lines, (1..=3000).collect::<Vec<u32>>());
        let u3: Vec<u32> = g.memberships("u3").map(|e| e.line).collect();
        assert_eq!(u3, (1..=3000).filter(|l| (l - 1) % 7 == 3).collect::<Vec<u32>>());
        assert_eq!(g.memberships("bob").count(), 0);
        // The first of the three lines with gid 100, and none for an absent gid.
        assert_eq!(g.by_gid(100).map(|e| e.name), Some("g0"));
        assert_eq!(g.by_gid(1099).map(|e| e.line), Some(1000));
        assert!(g.by_gid(99).is_none() && g.by_gid(1100).is_none());
    }

    #[test]
    fn missing_fields_are_zero() {
        let g = Group::parse("odd:x\nnum:x:abc:u\n");
        assert_eq!(g.entries[0].gid, 0);
        assert_eq!(g.entries[0].members().count(), 0);
        assert_eq!(g.entries[1].gid, 0);
    }
}
