//! # podgroups-audit-wasm
//!
//! The playground's third wasm module, loaded only when a user runs the audit of a pasted cluster
//! dump: `auditDump(pasteJson)` runs `podgroups-audit` on the pasted `kubectl get pods,nodes` output
//! and the image files pasted for some images, and answers with the view's model ([`view::AuditView`])
//! as JSON. There is no registry in the browser: an image nobody pasted stays unknown (what the
//! kubelet observed still counts). Kept apart from the app's wasm so the audit (≈ the YAML reader and
//! the fold) is not part of the page's initial download; `www/js/audit.js` draws the model.

#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)
)]

pub mod view;

use wasm_bindgen::prelude::wasm_bindgen;

/// `auditDump(pasteJson)`: `pasteJson` is a [`view::Paste`]; returns `{"ok":true,"view":…}` with the
/// [`view::AuditView`], or `{"ok":false,"error":…}` when the paste itself is not understood.
#[wasm_bindgen(js_name = auditDump)]
pub fn audit_dump(paste: &str) -> String {
    let answer = match serde_json::from_str::<view::Paste>(paste) {
        Ok(paste) => {
            serde_json::to_value(view::audit(&paste)).map(|view| serde_json::json!({"ok": true, "view": view}))
        }
        Err(e) => Ok(serde_json::json!({"ok": false, "error": format!("the audit's input: {e}")})),
    };
    match answer {
        Ok(v) => v.to_string(),
        Err(e) => serde_json::json!({"ok": false, "error": format!("cannot encode the audit: {e}")}).to_string(),
    }
}
