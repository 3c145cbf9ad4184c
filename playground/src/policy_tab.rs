//! The admission-policy tab: the policy's settings, the request's operation, namespace and old
//! objects (`State::policy`, carried by share links), and the verdict the lazily loaded policy module
//! (`playground/policy`, `www/js/policy.js`) computes from the whole state. Only the inputs and one
//! slot for its answer live in the app's wasm; the policy, its controls and its drawing stay out of
//! the first download. Both enter through the reducer (`policyInput`,
//! `policyVerdict`).

use crate::results::ResultsPanel;
use crate::state::{Action, App};
use wasm_bindgen::prelude::wasm_bindgen;
use yew::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `www/js/policy-load.js`: imports the policy module on first use and answers through
    /// `policyVerdict`.
    #[wasm_bindgen(js_namespace = window, js_name = podgroupsPolicy, catch)]
    fn ask_policy(state: &str) -> Result<(), wasm_bindgen::JsValue>;
}

/// Asks the policy module for an answer whenever the tab is shown and something it reads changes
/// (it answers through the reducer). A hook of the page's component, not a component of its own:
/// each Yew component costs about 1 KB of the first download.
#[hook]
pub fn use_policy_answers(app: &UseReducerHandle<App>, embed: bool) {
    let s = &app.state;
    let deps =
        (s.policy_open && !embed).then(|| (s.manifest.clone(), s.image_user.clone(), s.user_known, s.policy.clone()));
    let app = app.clone();
    use_effect_with(deps, move |deps| {
        if deps.is_some() && ask_policy(&serde_json::to_string(&app.state).unwrap_or_default()).is_err() {
            app.dispatch(Action::Notice("the admission policy could not be loaded".into()));
        }
    });
}

/// The results column: the tab bar, then the groups or the admission policy.
pub fn outputs(app: &UseReducerHandle<App>) -> Html {
    let open = app.state.policy_open;
    let tab = |label: &'static str, on: bool, testid: &'static str| {
        let d = app.dispatcher();
        html! {
            <button type="button" role="tab" aria-selected={(open == on).to_string()} data-testid={testid}
                onclick={move |_| d.dispatch(Action::PolicyTab(on))}>{ label }</button>
        }
    };
    html! {
        <div class="outputs">
            <div class="tabs" role="tablist">
                { tab("Groups", false, "tab-groups") }
                { tab("Admission policy", true, "tab-policy") }
            </div>
            if open { { policy_panel(app) } } else { <ResultsPanel app={app.clone()} /> }
        </div>
    }
}

/// The policy tab: the controls `www/js/policy.js` draws into `#policy-controls` (its own DOM, which
/// Yew leaves alone) and the module's answer.
fn policy_panel(app: &UseReducerHandle<App>) -> Html {
    html! {
        <section class="results policy" aria-label="Admission policy" data-testid="policy-tab">
            <div id="policy-controls"></div>
            <div class="policy-answer" data-testid="policy-answer" aria-live="polite">
                { Html::from_html_unchecked(app.policy_verdict.clone()) }
            </div>
        </section>
    }
}
