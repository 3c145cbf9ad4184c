//! Step 5 — the image user as the kubelet sees it: `ImageStatus` keeps only what precedes the first `:`.

use crate::etc::go_atoi_strict;

/// `getImageUser`: a uid, or a username, or root when the image sets nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImageUser {
    Uid(i64),
    Name(String),
}

/// `getUserFromImage` + `getImageUser` (Spec 5.1, 5.2): `1000:2000` → uid 1000, `app:staff` → `app`,
/// `""` and `":2000"` → uid 0.
pub fn image_user(user: &str) -> ImageUser {
    let first = user.split(':').next().unwrap_or("");
    if first.is_empty() {
        return ImageUser::Uid(0);
    }
    // `strconv.ParseInt(s, 10, 64)` accepts exactly what a 64-bit `Atoi` does.
    match go_atoi_strict(first) {
        Some(uid) => ImageUser::Uid(uid),
        None => ImageUser::Name(first.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_part_is_dropped() {
        assert_eq!(image_user(""), ImageUser::Uid(0));
        assert_eq!(image_user(":2000"), ImageUser::Uid(0));
        assert_eq!(image_user("1000:2000"), ImageUser::Uid(1000));
        assert_eq!(image_user("alice:staff"), ImageUser::Name("alice".into()));
        assert_eq!(image_user("4294967296"), ImageUser::Uid(4294967296));
        assert_eq!(
            image_user("99999999999999999999"),
            ImageUser::Name("99999999999999999999".into())
        );
        assert_eq!(image_user("+5"), ImageUser::Uid(5));
    }
}
