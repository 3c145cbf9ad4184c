//! Steps 2–7 — the kubelet: admission, the sandbox config, the effective security context, the image
//! user, the runAsNonRoot check, and the CRI security context it sends the runtime.

mod admission;
mod image_user;
mod non_root;
mod security_context;

pub(crate) use admission::admit;
pub use image_user::{image_user, ImageUser};
pub(crate) use non_root::verify_run_as_non_root;
pub(crate) use security_context::{container_security_context, effective, Effective};
pub use security_context::{effective_context, EffectiveContext, Level, SecurityContextFields};
