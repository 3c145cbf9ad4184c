//! # podgroups-core
//!
//! Predicts the identity — uid, primary gid, supplementary gids — that Kubernetes and the container
//! runtime give each container of a Pod or workload, including the groups merged in from the image's
//! `/etc/group` that no manifest shows, under `supplementalGroupsPolicy` `Merge` and `Strict`.
//!
//! The modules follow the pipeline of `spec/semantics.md`:
//! [`manifest`] (read objects) → `apiserver` (Step 1) → `kubelet` (Steps 2–7) → `runtime`
//! (containerd Steps 8–9, CRI-O Step 10, parsing `/etc` files per Step 11 in [`etc`]) → `kernel`
//! (Step 12) → `status` (Step 13). The crate is pure: no files, network or clock.
//!
//! ```
//! use podgroups_core::{explain, Image, Input};
//!
//! let input = Input {
//!     manifests: "kind: Pod\nmetadata: {name: p}\nspec:\n  securityContext: {runAsUser: 1000, runAsGroup: 3000, supplementalGroups: [4000]}\n  containers: [{name: c, image: app}]\n".into(),
//!     image: Image::known(
//!         "",
//!         Some("user:x:1000:1000::/home/user:/bin/sh\n".into()),
//!         Some("extra:x:50000:user\n".into()),
//!     ),
//!     ..Input::default()
//! };
//! let report = explain(&input).unwrap();
//! let ctr = &report.workloads[0].containers[0];
//! assert_eq!(ctr.merge.identity().unwrap().groups_as_kernel_sees, [3000, 4000, 50000]);
//! assert_eq!(ctr.strict.identity().unwrap().groups_as_kernel_sees, [3000, 4000]);
//! assert_eq!(ctr.implicit_gids, [50000]);
//! ```

#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)
)]

mod describe;
pub mod environment;
pub mod error;
pub mod etc;
mod explain;
pub mod fix;
pub mod image;
pub mod limits;
pub mod manifest;
#[cfg(feature = "yaml")]
mod memo;
mod object;
pub mod report;
#[cfg(feature = "yaml")]
pub mod scenario;

mod apiserver;
mod context;
mod kernel;
mod kubelet;
mod pipeline;
mod runtime;
mod status;
mod unknown;
pub mod warnings;

pub use environment::{Environment, Runtime, RuntimeKind};
pub use error::{FileLine, InputError, Location, Refusal, Source, Stage};
pub use explain::{explain, explain_each, explain_prepared, Explained, Input, PreparedImage};
pub use image::{Image, ImageFile, ImagePart};
pub use kubelet::{effective_context, EffectiveContext, Level, SecurityContextFields};
#[cfg(feature = "yaml")]
pub use memo::Memo;
pub use object::explain_object;
pub use report::{
    Check, ContainerKind, ContainerReport, ContainerUser, Fact, GidOrigins, Identity, LinuxContainerUser, Origin,
    Outcome, Partial, Report, SupplementalGroupsPolicy, Unknown, Warning, WorkloadReport,
};
