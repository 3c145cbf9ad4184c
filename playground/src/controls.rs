//! The controls panel: the examples menu, the environment (runtime, Kubernetes version, feature
//! gate, which outcome the details follow) and the share link.

use crate::browser;
use crate::examples::EXAMPLES;
use crate::model::{self, Gate, Options, PolicyView, RUNTIMES};
use crate::state::{Action, App};
use podgroups_core::environment::KUBERNETES_MINORS;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ExamplesProps {
    pub dispatch: UseReducerDispatcher<App>,
}

/// The examples menu; choosing one loads it and the menu goes back to its prompt.
#[function_component(ExamplesMenu)]
pub fn examples_menu(props: &ExamplesProps) -> Html {
    let dispatch = props.dispatch.clone();
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

#[derive(Properties, PartialEq)]
pub struct EnvironmentProps {
    pub options: Options,
    /// Embeds show runtime, version and the view only.
    pub compact: bool,
    pub dispatch: UseReducerDispatcher<App>,
}

/// Runtime, Kubernetes minor (the core's range), feature gate, and the Merge/Strict view.
#[function_component(EnvironmentControls)]
pub fn environment_controls(props: &EnvironmentProps) -> Html {
    let o = &props.options;
    let on_select = |f: fn(&str) -> Option<Action>| {
        let d = props.dispatch.clone();
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
        let d = props.dispatch.clone();
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
                    { for RUNTIMES.iter().map(|r| html! {
                        <option value={model::runtime_value(r.kind)} selected={o.runtime == r.kind}>{ model::runtime_label(r.kind) }</option>
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
            if !props.compact {
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

#[derive(Properties, PartialEq)]
pub struct ShareProps {
    pub url: AttrValue,
}

/// The share link box and its copy button.
#[function_component(ShareBox)]
pub fn share_box(props: &ShareProps) -> Html {
    let copied = use_state(|| false);
    let copy = {
        let copied = copied.clone();
        let url = props.url.clone();
        Callback::from(move |_: MouseEvent| {
            browser::copy(&url);
            copied.set(true);
        })
    };
    html! {
        <div class="field share" data-testid="share-link">
            <label for="share-url">{ "Share link" }</label>
            <input id="share-url" type="text" readonly=true value={props.url.clone()} />
            <button type="button" onclick={copy}>{ if *copied { "Copied" } else { "Copy link" } }</button>
        </div>
    }
}
