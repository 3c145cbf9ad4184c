//! The controls panel: the examples menu, the environment (runtime, Kubernetes version, feature
//! gate, which outcome the details follow) and the share link; embeds show the environment only.

use crate::browser;
use crate::examples::EXAMPLES;
use crate::model::{self, Gate, Options, PolicyView};
use crate::state::{Action, App};
use podgroups_core::environment::KUBERNETES_MINORS;
use podgroups_core::RuntimeKind;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ControlsProps {
    pub options: Options,
    pub dispatch: UseReducerDispatcher<App>,
    pub share_url: AttrValue,
}

/// The page's controls panel. One component (not one per control): each Yew component costs
/// about 1 KB of the gzipped wasm, and these change together anyway.
#[function_component(ControlsPanel)]
pub fn controls_panel(props: &ControlsProps) -> Html {
    let copied = use_state(|| false);
    html! {
        <section class="controls" aria-label="Environment and examples">
            { examples_menu(&props.dispatch) }
            { environment_controls(&props.options, false, &props.dispatch) }
            { share_box(&props.share_url, &copied) }
        </section>
    }
}

/// The examples menu; choosing one loads it and the menu goes back to its prompt.
fn examples_menu(dispatch: &UseReducerDispatcher<App>) -> Html {
    let dispatch = dispatch.clone();
    let onchange = Callback::from(move |e: Event| {
        if let Some(s) = e.target_dyn_into::<HtmlSelectElement>() {
            let id = s.value();
            if !id.is_empty() {
                dispatch.dispatch(Action::Example(id));
            }
            s.set_value("");
        }
    });
    html! {
        <div class="field">
            <label for="examples">{ "Examples" }</label>
            <select id="examples" data-testid="examples-menu" {onchange}>
                <option value="" selected=true>{ "Load an example…" }</option>
                { for EXAMPLES.iter().map(|ex| html! { <option value={ex.id}>{ ex.title }</option> }) }
            </select>
        </div>
    }
}

/// Runtime (the core's families and names), Kubernetes minor (the core's range), feature gate, and the Merge/Strict view;
/// `compact` (embeds): runtime, version and the view only.
pub fn environment_controls(o: &Options, compact: bool, dispatch: &UseReducerDispatcher<App>) -> Html {
    let on_select = |f: fn(&str) -> Option<Action>| {
        let d = dispatch.clone();
        Callback::from(move |e: Event| {
            if let Some(a) = e.target_dyn_into::<HtmlSelectElement>().and_then(|s| f(&s.value())) {
                d.dispatch(a);
            }
        })
    };
    let views = [
        (PolicyView::AsWritten, "As written"),
        (PolicyView::Merge, "Merge"),
        (PolicyView::Strict, "Strict"),
    ];
    let view_radio = |(v, label): (PolicyView, &'static str)| {
        let d = dispatch.clone();
        let id = format!("view-{label}").replace(' ', "-").to_lowercase();
        html! {
            <>
                <input type="radio" name="policy-view" id={id.clone()} checked={o.view == v}
                    onchange={move |_| d.dispatch(Action::View(v))} />
                <label for={id}>{ label }</label>
            </>
        }
    };
    html! {
        <>
            <div class="field">
                <label for="runtime">{ "Runtime" }</label>
                <select id="runtime" data-testid="runtime-select"
                    onchange={on_select(|v| model::runtime_from_value(v).map(Action::Runtime))}>
                    { for RuntimeKind::ALL.iter().map(|k| html! {
                        <option value={model::runtime_value(*k)} selected={o.runtime == *k}>{ k.label() }</option>
                    }) }
                </select>
            </div>
            <div class="field">
                <label for="k8s">{ "Kubernetes" }</label>
                <select id="k8s" data-testid="k8s-version-select"
                    onchange={on_select(|v| v.parse().ok().map(Action::Kubernetes))}>
                    { for KUBERNETES_MINORS.map(|m| html! {
                        <option value={m.to_string()} selected={o.kubernetes_minor == m}>{ format!("1.{m}") }</option>
                    }) }
                </select>
            </div>
            if !compact {
                <div class="field">
                    <label for="gate">{ "SupplementalGroupsPolicy gate" }</label>
                    <select id="gate" data-testid="feature-gate-select" onchange={on_select(|v| match v {
                        "on" => Some(Action::Gate(Gate::On)),
                        "off" => Some(Action::Gate(Gate::Off)),
                        "default" => Some(Action::Gate(Gate::Default)),
                        _ => None,
                    })}>
                        <option value="default" selected={o.feature_gate == Gate::Default}>{ "version default" }</option>
                        <option value="on" selected={o.feature_gate == Gate::On}>{ "on" }</option>
                        <option value="off" selected={o.feature_gate == Gate::Off}>{ "off" }</option>
                    </select>
                </div>
            }
            <fieldset class="field toggle" data-testid="policy-toggle">
                <legend>{ "Details for" }</legend>
                { for views.into_iter().map(view_radio) }
            </fieldset>
        </>
    }
}

/// The share link box and its copy button.
fn share_box(url: &AttrValue, copied: &UseStateHandle<bool>) -> Html {
    let copy = {
        let copied = copied.clone();
        let url = url.clone();
        Callback::from(move |_: MouseEvent| {
            browser::copy(&url);
            copied.set(true);
        })
    };
    html! {
        <div class="field share" data-testid="share-link">
            <label for="share-url">{ "Share link" }</label>
            <input id="share-url" type="text" readonly=true value={url.clone()} />
            <button type="button" onclick={copy}>{ if **copied { "Copied" } else { "Copy link" } }</button>
        </div>
    }
}
