//! The image as the runtime sees it: config `User` and the root filesystem's `/etc/passwd` and `/etc/group`.

use serde::{Deserialize, Serialize};

/// Upper bound on an `/etc` file the engine reads; containerd refuses more than 10 MiB (Spec 8.11).
pub const MAX_ETC_FILE_BYTES: usize = 10 * 1024 * 1024;

/// An image's identity inputs. `None` means the file is absent (distroless, scratch).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Image {
    /// OCI image config `User` (`""` when unset), e.g. `1000`, `app`, `1000:2000`.
    #[serde(default)]
    pub user: String,
    /// Contents of `/etc/passwd`.
    #[serde(default)]
    pub passwd: Option<String>,
    /// Contents of `/etc/group`.
    #[serde(default)]
    pub group: Option<String>,
}
