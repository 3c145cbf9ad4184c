//! Any bytes split into image USER, /etc/passwd and /etc/group, run for a pod that reads all of them.
#![no_main]

use libfuzzer_sys::fuzz_target;
use podgroups_core::{explain, Image, Input, Runtime};

const POD: &str = "kind: Pod\nmetadata: {name: f}\nspec:\n  securityContext: {supplementalGroups: [5]}\n  containers: [{name: c}]\n";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut parts = text.splitn(3, '\u{1}');
    let user = parts.next().unwrap_or("").to_owned();
    let passwd = parts.next().map(str::to_owned);
    let group = parts.next().map(str::to_owned);
    for runtime in [Runtime::CONTAINERD_2, Runtime::CONTAINERD_1_7, Runtime::CRIO] {
        let mut input = Input { manifests: POD.to_owned(), image: Image::known(user.clone(), passwd.clone(), group.clone()), ..Input::default() };
        input.environment.runtime = runtime;
        let _ = explain(&input);
    }
});
