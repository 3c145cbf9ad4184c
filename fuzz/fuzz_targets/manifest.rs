//! Any bytes as a manifest (YAML or JSON), explained and fixed: errors are fine, panics are not.
#![no_main]

use libfuzzer_sys::fuzz_target;
use podgroups_core::{explain, Input};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let input = Input { manifests: text.to_owned(), ..Input::default() };
    let _ = explain(&input);
    let _ = podgroups_core::fix::apply_strict(text);
});
