//! # podgroups-image
//!
//! Where an image comes from is not the identity engine's business: this crate finds the image's
//! config `User`, `/etc/passwd` and `/etc/group` and hands them to `podgroups_core` as an [`Image`](podgroups_core::Image).
//! Sources: archives and OCI layout directories ([`read_image_at`], [`read_layout`]) and, with the
//! `registry` feature, an OCI registry (module `registry`); all go through one layer-application module
//! ([`rootfs`], applied by `read.rs`).
//!
//! Reads an image's config `User`, `/etc/passwd` and `/etc/group` straight from an image archive, as
//! the runtime sees its root filesystem (Spec 8.11), without unpacking anything to disk.
//!
//! Inputs: a `docker save` / `podman save` tarball (`manifest.json` + layer tars), an OCI image layout as
//! a tar (`skopeo copy … oci-archive:`) or as a directory (crane, oras, `skopeo copy … oci:`), skopeo's
//! `dir:` format; layers plain, gzip or zstd. The image is chosen by [`Selector`] (reference and
//! platform, `linux/amd64` by default when several platforms are present; optional digest checks).
//! Layers are applied in order with whiteouts, opaque directories, symlinks resolved inside the rootfs
//! and hard links ([`rootfs`]), in two streaming passes (`read.rs`): memory grows with the number of
//! paths in the image, not with the archive's size.
//!
//! ```
//! # fn demo(bytes: &[u8]) -> Result<(), podgroups_image::ArchiveError> {
//! use podgroups_image::{read_image, Selector};
//! let found = read_image(bytes, &Selector::default())?;
//! println!("USER {:?}; /etc/group: {}", found.image.user, found.group.describe(&found.layers));
//! # Ok(()) }
//! ```
//!
//! Without the `registry` feature the crate is pure (no `std::fs`): input comes through [`ReadAt`] (random-access bytes; `&[u8]`
//! in the browser) or [`Layout`] (files by path; the CLI implements it for a directory).

#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)
)]

mod error;
mod images;
mod layer;
mod layout;
mod provenance;
mod read;
mod read_at;
pub mod reference;
#[cfg(feature = "registry")]
pub mod registry;
pub mod rootfs;
mod select;
mod tar;
mod verify;

pub use error::{ArchiveError, Choice, ErrorKind};
pub use images::{Format, Platform};
pub use layer::Compression;
pub use layout::{Layout, TarLayout, MAX_JSON_BYTES};
pub use provenance::{EtcFile, ImageArchive, LayerInfo, RemovedBy};
pub use read_at::{ReadAt, Slice};
pub use select::{Selector, DEFAULT_PLATFORM};

/// Reads the selected image from an archive held in memory (the playground's entry point).
pub fn read_image(archive: &[u8], selector: &Selector) -> Result<ImageArchive, ArchiveError> {
    read_image_at(archive, selector)
}

/// Reads the selected image from a tar archive (docker save or oci-archive) given as random-access bytes.
pub fn read_image_at<R: ReadAt>(archive: R, selector: &Selector) -> Result<ImageArchive, ArchiveError> {
    let layout = TarLayout::index(archive)?;
    read::read_layout(&layout, selector)
}

/// Reads the selected image from an archive given file by file (an OCI layout directory).
pub fn read_layout(layout: &dyn Layout, selector: &Selector) -> Result<ImageArchive, ArchiveError> {
    read::read_layout(layout, selector)
}
