//! # podgroups-policy-tab
//!
//! The playground's wasm module for the admission-policy tab, loaded only when the user opens the tab
//! (`www/js/policy.js`): `policyTab(stateJson)` reads the app's state (the share link's JSON), builds
//! one AdmissionRequest per object of the edited manifest, and answers each as Kubewarden would —
//! the settings checked by the policy's own [`Settings::from_json`] (what its `validate_settings`
//! calls), the verdict from the policy's own [`podgroups_policy::evaluate_with_images`] (what its
//! `validate` calls), the JSON patch as policy-server computes it (`json_patch::diff` of the object
//! and `mutated_object`). Nothing is re-implemented here: only the request is built and the answer
//! drawn. Kept apart from the app's wasm so none of this is part of the page's first download; for
//! the same reason the app's "Apply Strict" (the core's fix) runs here too: `applyStrict(manifest)`.
//!
//! [`Settings::from_json`]: podgroups_policy::Settings::from_json

#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)
)]

pub mod diff;
pub mod input;
pub mod render;
pub mod request;
pub mod verdict;
pub mod yaml;

use wasm_bindgen::prelude::wasm_bindgen;

/// `applyStrict(manifest)`: the manifest with `supplementalGroupsPolicy: Strict` written into every
/// pod spec by the core's fix (`podgroups fix`); throws why it cannot. The app's "Apply Strict"
/// runs here, so the fix is not part of the page's first download either.
#[wasm_bindgen(js_name = applyStrict)]
pub fn apply_strict(manifest: &str) -> Result<String, wasm_bindgen::JsError> {
    podgroups_core::fix::apply_strict(manifest).map_err(|e| wasm_bindgen::JsError::new(&e.to_string()))
}

/// `policyTab(stateJson)`: the app's state as its share link's JSON in, the tab's answer as HTML
/// out (escaped here; the app shows it as is).
#[wasm_bindgen(js_name = policyTab)]
pub fn policy_tab(state: &str) -> String {
    render::answer(&verdict::answer(state))
}

#[cfg(test)]
mod tests {
    #[test]
    fn apply_strict_is_the_core_s_fix() {
        let pod = "kind: Pod\nspec:\n  containers: [{name: c, image: i}]\n";
        assert_eq!(
            super::apply_strict(pod).ok(),
            podgroups_core::fix::apply_strict(pod).ok()
        );
        assert!(super::apply_strict(pod)
            .unwrap()
            .contains("supplementalGroupsPolicy: Strict"));
    }
}
