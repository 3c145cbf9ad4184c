//! # mdbook-podgroups
//!
//! Documentation examples of [podgroups](https://github.com/podgroups/podgroups) rendered at build time:
//! an mdBook preprocessor for ```` ```podgroups ```` blocks ([`book`]) and the companion of the Hugo
//! shortcode ([`hugo`]). Both explain each example with `podgroups-core` natively and write the
//! answer into the HTML ([`render`]), so the page reads correctly without JavaScript; the
//! `podgroups-embed` script then makes the widget live and editable.

#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)
)]

pub mod assets;
pub mod block;
pub mod book;
pub mod fence;
pub mod hugo;
pub mod render;
