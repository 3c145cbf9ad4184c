//! The edges the app touches: the address bar, history and clipboard. Nothing here talks to the network.

use wasm_bindgen::JsValue;

fn location() -> Option<web_sys::Location> {
    web_sys::window().map(|w| w.location())
}

/// `location.hash`, e.g. `#v1=…` (empty when there is none).
pub fn fragment() -> String {
    location().and_then(|l| l.hash().ok()).unwrap_or_default()
}

/// The value of a query parameter (`?embed=1&example=fsgroup`), without decoding beyond `+`.
pub fn query_param(name: &str) -> Option<String> {
    let search = location().and_then(|l| l.search().ok())?;
    search.trim_start_matches('?').split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        (k == name).then(|| v.replace('+', " "))
    })
}

/// The page's address without query or fragment, e.g. `http://127.0.0.1:8080/`.
pub fn page_base() -> String {
    location()
        .and_then(|l| Some(format!("{}{}", l.origin().ok()?, l.pathname().ok()?)))
        .unwrap_or_default()
}

/// Replaces the fragment without adding a history entry or reloading.
pub fn replace_fragment(fragment: &str) {
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let search = location().and_then(|l| l.search().ok()).unwrap_or_default();
        let url = format!("{}{search}#{fragment}", page_base());
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&url));
    }
}

/// Copies text to the clipboard (the promise's outcome is not awaited: best effort).
pub fn copy(text: &str) {
    if let Some(w) = web_sys::window() {
        let _ = w.navigator().clipboard().write_text(text);
    }
}
