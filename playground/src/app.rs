//! The playground page: controls, the four inputs, and the results, wired to the reducer.

use crate::browser;
use crate::editor::Editor;
use crate::examples::{self, EXAMPLES};
use crate::highlight::{Decor, Lang};
use crate::model::{self, Gate, PolicyView, State, KUBERNETES_MINORS};
use crate::results;
use crate::state::{Action, App, Field, Target};
use crate::url;
use gloo_timers::callback::Timeout;
use podgroups_core::{InputError, RuntimeKind, Source};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// How often, at most, the address bar follows the typing (ms).
const LINK_THROTTLE_MS: u32 = 300;

thread_local! {
    /// The mounted app's dispatcher, for [`notice`].
    static DISPATCHER: RefCell<Option<UseReducerDispatcher<App>>> = const { RefCell::new(None) };
}

/// Shows `message` in the mounted app's error panel (the page's image-archive reader reports
/// through it); does nothing before the app is mounted.
pub fn notice(message: String) {
    DISPATCHER.with(|d| {
        if let Some(d) = d.borrow().as_ref() {
            d.dispatch(Action::Notice(message));
        }
    });
}

/// The state the page opens on: a share link, else `?example=`, else the blog example.
pub fn initial_state() -> (State, Option<String>) {
    match url::decode(&browser::fragment()) {
        Ok(Some(state)) => (state, None),
        Ok(None) => match browser::query_param("example") {
            Some(id) => match examples::find(&id) {
                Some(ex) => ((ex.state)(), None),
                None => (
                    State::default(),
                    Some(format!("There is no example {id:?}; showing the blog example.")),
                ),
            },
            None => (State::default(), None),
        },
        Err(e) => (
            State::default(),
            Some(format!("This link could not be opened: {e}. Showing the blog example.")),
        ),
    }
}

#[derive(Properties, PartialEq)]
pub struct PlaygroundProps {
    pub embed: bool,
    pub initial: State,
    pub notice: Option<String>,
}

#[function_component(Playground)]
pub fn playground(props: &PlaygroundProps) -> Html {
    let app = use_reducer(|| App::new(props.initial.clone(), props.notice.clone()));
    let link = use_state(|| url::encode(&props.initial));
    let copied = use_state(|| false);
    use_link_follows_state(&app.state, props.embed, link.setter());
    {
        let dispatcher = app.dispatcher();
        use_effect_with((), move |_| DISPATCHER.with(|d| *d.borrow_mut() = Some(dispatcher)));
    }
    // Marks when the first result is on screen (read by the budget script, playground/README.md).
    use_effect_with((), |_| {
        if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
            let _ = p.mark("podgroups-first-result");
        }
    });

    let dispatch = |f: fn(String) -> Action| {
        let app = app.clone();
        Callback::from(move |s: String| app.dispatch(f(s)))
    };
    // Stable across renders, so unchanged result components are skipped.
    let on_target = {
        let dispatcher = app.dispatcher();
        (*use_memo((), move |_| {
            Callback::from(move |t: Target| dispatcher.dispatch(Action::Highlight(t)))
        }))
        .clone()
    };
    let error = app.result.as_ref().as_ref().err();
    let decor = |source: Source, line_of: fn(Target) -> Option<u32>| Decor {
        error: error
            .filter(|e| e.source == source)
            .and_then(|e| e.location)
            .map(|l| (l.line, l.column)),
        highlight: app.highlight.and_then(line_of),
    };
    let message = |source: Source| {
        error
            .filter(|e| e.source == source)
            .map(|e| AttrValue::from(e.to_string()))
    };
    let share_url = format!("{}#{}", browser::page_base(), *link);

    let manifest_editor = html! {
        <Editor id="manifest" label="Manifest (YAML or JSON, several documents allowed)" testid="manifest-editor"
            text={AttrValue::from(app.state.manifest.clone())} lang={Lang::Yaml}
            decor={decor(Source::Manifest, |t| if let Target::Manifest(l) = t { Some(l) } else { None })}
            error_message={message(Source::Manifest)}
            on_input={dispatch(|s| Action::Edit(Field::Manifest, s))} />
    };
    let image_editors = html! {
        <>
            <Editor id="group" label="Image /etc/group" testid="group-editor"
                text={AttrValue::from(app.state.group.clone())} lang={Lang::Group}
                decor={decor(Source::Group, |t| if let Target::Group(l) = t { Some(l) } else { None })}
                error_message={message(Source::Group)} disabled={!app.state.group_present}
                on_input={dispatch(|s| Action::Edit(Field::Group, s))} />
            <Editor id="passwd" label="Image /etc/passwd" testid="passwd-editor"
                text={AttrValue::from(app.state.passwd.clone())} lang={Lang::Passwd}
                decor={decor(Source::Passwd, |t| if let Target::Passwd(l) = t { Some(l) } else { None })}
                error_message={message(Source::Passwd)} disabled={!app.state.passwd_present}
                on_input={dispatch(|s| Action::Edit(Field::Passwd, s))} />
        </>
    };
    let image_user = {
        let app2 = app.clone();
        let oninput = Callback::from(move |e: InputEvent| {
            if let Some(i) = e.target_dyn_into::<HtmlInputElement>() {
                app2.dispatch(Action::Edit(Field::ImageUser, i.value()));
            }
        });
        let hl = app.highlight == Some(Target::ImageUser);
        let invalid = error.is_some_and(|e| e.source == Source::ImageUser);
        html! {
            <div class={classes!("field", hl.then_some("hl"))}>
                <label for="image-user">{ "Image USER" }</label>
                <input id="image-user" data-testid="image-user" type="text" placeholder="(unset)" spellcheck="false"
                    aria-invalid={invalid.to_string()} value={app.state.image_user.clone()} {oninput} />
            </div>
        }
    };
    let results_panel = html! {
        <section class="results" aria-live="polite" aria-label="Results">
            { error_panel(error, app.notice.as_deref(), &on_target) }
            { apply_strict_button(&app) }
            if let Ok(report) = app.result.as_ref() {
                { results::view_report(report, app.state.options.view, &on_target) }
            }
        </section>
    };

    if props.embed {
        return html! {
            <div class="playground embed" data-compute-ms={millis(app.compute_ms, 3)}>
                <header class="embed-header">
                    <strong>{ "podgroups" }</strong>
                    { environment_controls(&app, true) }
                    <a class="open" href={format!("./#{}", *link)} target="_blank" rel="noopener" data-testid="open-in-playground">{ "Open in playground ↗" }</a>
                </header>
                <div class="embed-body">
                    <div class="inputs">
                        { manifest_editor }
                        <details><summary>{ "Image: USER, /etc/group, /etc/passwd" }</summary>{ image_user }{ image_editors }</details>
                    </div>
                    { results_panel }
                </div>
            </div>
        };
    }

    let copy = {
        let copied = copied.clone();
        let share_url = share_url.clone();
        Callback::from(move |_: MouseEvent| {
            browser::copy(&share_url);
            copied.set(true);
        })
    };
    html! {
        <div class="playground" data-compute-ms={millis(app.compute_ms, 3)}>
            <section class="controls" aria-label="Environment and examples">
                { examples_menu(&app) }
                { environment_controls(&app, false) }
                <div class="field share" data-testid="share-link">
                    <label for="share-url">{ "Share link" }</label>
                    <input id="share-url" type="text" readonly=true value={share_url} />
                    <button type="button" onclick={copy}>{ if *copied { "Copied" } else { "Copy link" } }</button>
                </div>
            </section>
            <div class="workspace">
                <section class="inputs" aria-label="Inputs">
                    { manifest_editor }
                    <fieldset class="image">
                        <legend>{ "Image" }</legend>
                        { image_user }
                        { presence_toggles(&app) }
                        { image_editors }
                    </fieldset>
                </section>
                { results_panel }
            </div>
            <p class="timing">{ format!("Computed in your browser in {} ms.", millis(app.compute_ms, 1)) }</p>
        </div>
    }
}

/// Keeps the share link (and, outside embeds, the address bar) in step with the state, at most
/// every [`LINK_THROTTLE_MS`]: compressing a large input on every keystroke would cost latency.
#[hook]
fn use_link_follows_state(state: &State, embed: bool, set_link: UseStateSetter<String>) {
    let latest: Rc<RefCell<State>> = use_mut_ref(|| state.clone());
    let busy: Rc<Cell<bool>> = use_memo((), |_| Cell::new(false));
    let timer: Rc<RefCell<Option<Timeout>>> = use_mut_ref(|| None);
    use_effect_with(state.clone(), move |state| {
        *latest.borrow_mut() = state.clone();
        if !busy.get() {
            busy.set(true);
            let (latest, busy2) = (latest.clone(), busy.clone());
            let timeout = Timeout::new(LINK_THROTTLE_MS, move || {
                busy2.set(false);
                let fragment = url::encode(&latest.borrow());
                if !embed {
                    browser::replace_fragment(&fragment);
                }
                set_link.set(fragment);
            });
            // Replaces (and so drops) only a timer that has already fired.
            *timer.borrow_mut() = Some(timeout);
        }
    });
}

/// `ms` with `decimals` (1–3) digits, without pulling float formatting into the wasm.
fn millis(ms: f64, decimals: u32) -> String {
    let scale = 10u64.pow(decimals.clamp(1, 3));
    let n = (ms.max(0.0) * scale as f64).round() as u64;
    format!(
        "{}.{:0width$}",
        n / scale,
        n % scale,
        width = decimals.clamp(1, 3) as usize
    )
}

fn error_panel(error: Option<&InputError>, notice: Option<&str>, on_target: &Callback<Target>) -> Html {
    let target = error.and_then(|e| {
        let line = e.location?.line;
        match e.source {
            Source::Manifest => Some(Target::Manifest(line)),
            Source::Group => Some(Target::Group(line)),
            Source::Passwd => Some(Target::Passwd(line)),
            Source::ImageUser => Some(Target::ImageUser),
            Source::Scenario | Source::Environment => None,
        }
    });
    let empty = error.is_none() && notice.is_none();
    html! {
        <div class={classes!("error-panel", empty.then_some("empty"))} data-testid="error-panel" role="status">
            if let Some(n) = notice { <p class="notice">{ n }</p> }
            if let Some(e) = error {
                <p class="input-error"><strong>{ format!("The {} cannot be read", e.source) }</strong>
                    { e.location.filter(|_| !e.message.contains("line ")).map(|l| format!(" at line {}, column {}", l.line, l.column)).unwrap_or_default() }
                    { e.path.as_ref().map(|p| format!(" ({p})")).unwrap_or_default() }
                    { ": " }{ &e.message }</p>
                if let Some(t) = target {
                    <button type="button" onclick={let cb = on_target.clone(); move |_| cb.emit(t)}>{ "Show me" }</button>
                }
            }
        </div>
    }
}

fn apply_strict_button(app: &UseReducerHandle<App>) -> Html {
    let Ok(report) = app.result.as_ref() else {
        return html! {};
    };
    let needed = report.workloads.iter().any(|w| {
        w.supplemental_groups_policy.as_deref() != Some("Strict")
            && w.containers.iter().any(|c| !c.implicit_gids.is_empty())
    });
    if !needed {
        return html! {};
    }
    let app = app.clone();
    html! {
        <div class="fix">
            <p>{ "Some groups come only from the image's /etc/group. " }<code>{ "supplementalGroupsPolicy: Strict" }</code>{ " removes them." }</p>
            <button type="button" data-testid="apply-strict" onclick={move |_| app.dispatch(Action::ApplyStrict)}>{ "Apply Strict to the manifest" }</button>
        </div>
    }
}

fn examples_menu(app: &UseReducerHandle<App>) -> Html {
    let app = app.clone();
    let onchange = Callback::from(move |e: Event| {
        if let Some(s) = e.target_dyn_into::<HtmlSelectElement>() {
            let id = s.value();
            if !id.is_empty() {
                app.dispatch(Action::Example(id));
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

fn environment_controls(app: &UseReducerHandle<App>, compact: bool) -> Html {
    let o = &app.state.options;
    let on_select = |f: fn(&str) -> Option<Action>| {
        let app = app.clone();
        Callback::from(move |e: Event| {
            if let Some(a) = e.target_dyn_into::<HtmlSelectElement>().and_then(|s| f(&s.value())) {
                app.dispatch(a);
            }
        })
    };
    let runtimes = [RuntimeKind::Containerd2, RuntimeKind::Containerd17, RuntimeKind::Crio];
    let views = [
        (PolicyView::AsWritten, "As written"),
        (PolicyView::Merge, "Merge"),
        (PolicyView::Strict, "Strict"),
    ];
    let view_radio = |(v, label): (PolicyView, &'static str)| {
        let app = app.clone();
        let id = format!("view-{label}").replace(' ', "-").to_lowercase();
        html! {
            <>
                <input type="radio" name="policy-view" id={id.clone()} checked={o.view == v}
                    onchange={move |_| app.dispatch(Action::View(v))} />
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
                    { for runtimes.iter().map(|r| html! {
                        <option value={model::runtime_value(*r)} selected={o.runtime == *r}>{ model::runtime_label(*r) }</option>
                    }) }
                </select>
            </div>
            <div class="field">
                <label for="k8s">{ "Kubernetes" }</label>
                <select id="k8s" data-testid="k8s-version-select"
                    onchange={on_select(|v| v.parse().ok().map(Action::Kubernetes))}>
                    { for KUBERNETES_MINORS.iter().map(|m| html! {
                        <option value={m.to_string()} selected={o.kubernetes_minor == *m}>{ format!("1.{m}") }</option>
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

fn presence_toggles(app: &UseReducerHandle<App>) -> Html {
    let toggle = |id: &'static str, label: &'static str, on: bool, f: fn(bool) -> Action| {
        let app = app.clone();
        let onchange = Callback::from(move |e: Event| {
            if let Some(i) = e.target_dyn_into::<HtmlInputElement>() {
                app.dispatch(f(i.checked()));
            }
        });
        html! {
            <label class="check" for={id}><input type="checkbox" id={id} checked={on} {onchange} />{ label }</label>
        }
    };
    html! {
        <div class="presence">
            { toggle("has-group", "image has /etc/group", app.state.group_present, Action::GroupPresent) }
            { toggle("has-passwd", "image has /etc/passwd", app.state.passwd_present, Action::PasswdPresent) }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::millis;

    #[test]
    fn millis_rounds_to_the_asked_decimals() {
        assert_eq!(millis(18.94, 1), "18.9");
        assert_eq!(millis(1.23456, 3), "1.235");
        assert_eq!(millis(0.0004, 3), "0.000");
        assert_eq!(millis(-1.0, 2), "0.00");
        assert_eq!(millis(12.0, 1), "12.0");
    }
}
