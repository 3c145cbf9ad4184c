//! The numeric limits the pipeline's components enforce, one constant each, for every face to share.

/// The highest uid or gid Kubernetes accepts and the runtimes' range checks allow: Go's `MaxInt32`
/// (`IsValidUserID`/`IsValidGroupID`, Spec 1.2; `WithUser`, Spec 8.2; CRI-O, Spec 10.3; Step 6.5).
pub const MAX_ID: u32 = 2_147_483_647;

/// `NGROUPS_MAX` (`include/uapi/linux/limits.h`): `setgroups(2)` fails past this many groups (Spec 12.2).
pub const NGROUPS_MAX: usize = 65536;
