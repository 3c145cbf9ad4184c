//! The embedded default: the Kubernetes 1.31 blog example. Its files live in this crate
//! (`cli/examples/blog/`, which the repository's `examples/` links to) so the published crate builds.

pub const MANIFEST: &str = include_str!("../examples/blog/pod.yaml");
pub const PASSWD: &str = include_str!("../examples/blog/passwd");
pub const GROUP: &str = include_str!("../examples/blog/group");
pub const NAME: &str = "examples/blog/pod.yaml (the Kubernetes 1.31 blog example)";
