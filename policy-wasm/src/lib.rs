//! # podgroups-policy
//!
//! Admission policy that makes every Pod and pod template use `supplementalGroupsPolicy: Strict`, so
//! the image's `/etc/group` cannot add groups that no manifest shows (Spec 8.6–8.8, 10.6), plus PSP-style
//! range rules on `runAsUser`, `runAsGroup`, `supplementalGroups` and `fsGroup`.
//!
//! The logic ([`evaluate`], [`Settings`]) is pure and tested natively. Two thin adapters turn it into
//! artifacts (built by `cargo xtask policy`):
//! - feature `kubewarden`: waPC guest for Kubewarden (`validate`, `validate_settings`,
//!   `protocol_version`), target `wasm32-wasip1`;
//! - feature `opa`: OPA Wasm ABI 1.2 module for Gatekeeper-style hosts, target
//!   `wasm32-unknown-unknown`, returning Gatekeeper violations.

// No unsafe code outside the OPA ABI module (raw memory the host reads) and the one exported waPC
// entry point; every logic module also says `#![forbid(unsafe_code)]` itself.
#![deny(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)
)]

pub mod answer;
pub mod check;
pub mod emit;
pub mod evaluate;
pub mod image;
mod patch;
pub mod rules;
pub mod settings;

pub use check::Violation;
pub use evaluate::{evaluate, evaluate_raw, evaluate_with_images, Decision, Verdict};
pub use image::ImageConfigs;
pub use settings::Settings;

#[cfg(any(test, all(feature = "opa", target_arch = "wasm32")))]
mod data_path;
#[cfg(all(feature = "kubewarden", target_arch = "wasm32"))]
mod kubewarden;
#[cfg(all(feature = "opa", target_arch = "wasm32"))]
#[allow(unsafe_code)]
mod opa;

#[cfg(test)]
mod props;
#[cfg(test)]
mod tests;
