//! `/etc/passwd` and `/etc/group` read exactly as moby/sys `user` (and runc's copy) reads them (Spec 11).
//!
//! The quirks are deliberate: `#` lines are users in passwd but skipped in group, numbers that do not
//! parse become 0, member lists are not trimmed. Line numbers are kept for explanations.

mod go;
mod group;
mod passwd;

pub(crate) use go::{go_atoi_strict, go_uint32, is_clean_number};
pub use group::{Group, GroupEntry};
pub use passwd::{Passwd, PasswdEntry, MAX_PASSWD_LINE};
