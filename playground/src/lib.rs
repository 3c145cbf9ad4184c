//! # podgroups-playground
//!
//! The browser playground (a Yew app) and the JavaScript API documentation sites embed, in one
//! wasm module: `mount(element)` starts the app, `explain(input)` runs the core and returns the
//! report as a plain object. The engine is `podgroups-core`; this crate only draws and binds it.

#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)
)]

pub mod api;
pub mod audit_link;
pub mod examples;
pub mod highlight;
pub mod model;
pub mod state;
pub mod url;

mod app;
mod browser;
mod controls;
mod editor;
mod inputs;
mod policy_tab;
mod results;

/// Starts the playground in `root`. The page's state comes from the URL: `?embed=1` for the
/// compact iframe view, `?example=<id>` for a menu example, `#v1=…` for a share link.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn mount(root: web_sys::Element) {
    let (initial, notice) = app::initial_state();
    let embed = browser::query_param("embed").is_some_and(|v| v == "1" || v == "true");
    yew::Renderer::<app::Playground>::with_root_and_props(root, app::PlaygroundProps { embed, initial, notice })
        .render();
}

/// Shows a message in the playground's error panel, e.g. why a dropped image archive cannot be read
/// (`www/js/drop.js`); the inputs stay as they were and the next change clears it.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn notice(message: String) {
    app::notice(message);
}

/// Shows the admission-policy module's answer (HTML it escaped itself, `www/js/policy.js`) in the
/// policy tab, through the app's reducer.
#[wasm_bindgen::prelude::wasm_bindgen(js_name = policyVerdict)]
pub fn policy_verdict(html: String) {
    app::dispatch(state::Action::PolicyVerdict(html.into()));
}

/// The policy module's answer to "Apply Strict" (`www/js/policy-load.js`): the manifest `from`
/// rewritten as `to`, through the app's reducer.
#[wasm_bindgen::prelude::wasm_bindgen(js_name = manifestFixed)]
pub fn manifest_fixed(from: String, to: String) {
    app::dispatch(state::Action::Fixed { from, to });
}

/// The admission-policy tab's inputs from its controls (`www/js/policy.js`): JSON text the app keeps
/// in its state, through its reducer, for the policy module to read.
#[wasm_bindgen::prelude::wasm_bindgen(js_name = policyInput)]
pub fn policy_input(json: String) {
    app::dispatch(state::Action::Policy(json));
}

/// Fills the image inputs (`USER`, `/etc/passwd`, `/etc/group`, and whether the image has each
/// file) from the image-archive reader's answer, `{image, provenance}` as JSON text
/// (`www/js/archive.js`), through the app's reducer like any other change.
#[wasm_bindgen::prelude::wasm_bindgen(js_name = loadImage)]
pub fn load_image(answer: String) -> Result<(), wasm_bindgen::JsError> {
    app::read_image(&answer).map_err(|e| wasm_bindgen::JsError::new(&e))
}

/// The share-link fragment (`v1=…`) of the pod an audit finding names: its manifest, its node's
/// runtime menu value, Kubernetes minor and gate, and its image as the core's JSON (`www/js/audit.js`,
/// from the lazily loaded audit module's `PodLink`).
#[wasm_bindgen::prelude::wasm_bindgen(js_name = podLink)]
pub fn pod_link(
    manifest: String,
    runtime: String,
    kubernetes_minor: u32,
    feature_gate: Option<bool>,
    image: String,
) -> Result<String, wasm_bindgen::JsError> {
    let link = audit_link::image(&image).map(|image| audit_link::PodLink {
        manifest,
        runtime,
        kubernetes_minor,
        feature_gate,
        image,
    });
    link.and_then(audit_link::fragment)
        .map_err(|e| wasm_bindgen::JsError::new(&e))
}

/// Opens a share-link fragment in the mounted app, through its reducer (the audit view's links).
#[wasm_bindgen::prelude::wasm_bindgen(js_name = openLink)]
pub fn open_link(fragment: String) -> Result<(), wasm_bindgen::JsError> {
    let state = audit_link::open(&fragment).map_err(|e| wasm_bindgen::JsError::new(&e))?;
    app::load(state);
    Ok(())
}
