//! The playground page: the reducer, the share link, and the panels laid out (full page or embed).

use crate::browser;
use crate::controls::{self, ControlsPanel};
use crate::examples;
use crate::inputs::InputsPanel;
use crate::model::State;
use crate::results::ResultsPanel;
use crate::state::{Action, App, ImageRead};
use crate::url;
use gloo_timers::callback::Timeout;
use podgroups_core::{InputError, Report};
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// How long the typing pauses before the share link and the address bar follow it (ms).
const LINK_PAUSE_MS: u32 = 300;

thread_local! {
    /// The mounted app's dispatcher, for actions from the page's own scripts ([`dispatch`]).
    static DISPATCHER: RefCell<Option<UseReducerDispatcher<App>>> = const { RefCell::new(None) };
}

/// Dispatches `action` to the mounted app, as its own controls do; does nothing before it is mounted.
pub(crate) fn dispatch(action: Action) {
    DISPATCHER.with(|d| {
        if let Some(d) = d.borrow().as_ref() {
            d.dispatch(action);
        }
    });
}

/// Shows `message` in the mounted app's error panel (the page's image-archive reader reports
/// through it).
pub fn notice(message: String) {
    dispatch(Action::Notice(message));
}

/// Loads a whole state (a link from the audit view), as opening a share link would.
pub fn load(state: State) {
    dispatch(Action::Load(state));
}

/// Fills the image inputs from the archive reader's answer (its JSON: `{image, provenance}`).
pub fn read_image(json: &str) -> Result<(), String> {
    let read: ImageRead = serde_json::from_str(json).map_err(|e| format!("the image archive's answer: {e}"))?;
    dispatch(Action::ReadImage(read));
    Ok(())
}

/// The state the page opens on: a share link, else `?example=`, else the blog example.
pub fn initial_state() -> (State, Option<String>) {
    let blog = examples::blog_merge;
    match url::decode(&browser::fragment()) {
        Ok(Some(state)) => (state, None),
        Ok(None) => match browser::query_param("example") {
            Some(id) => match examples::find(&id) {
                Some(ex) => ((ex.state)(), None),
                None => (
                    blog(),
                    Some(format!("There is no example {id:?}; showing the blog example.")),
                ),
            },
            None => (blog(), None),
        },
        Err(e) => (
            blog(),
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

/// The page: owns the reducer and the share link, lays the panels out (full page or embed).
#[function_component(Playground)]
pub fn playground(props: &PlaygroundProps) -> Html {
    let app = use_reducer(|| App::new(props.initial.clone(), props.notice.clone()));
    let link = use_state(|| Link::new(&url::encode(&props.initial)));
    use_link_follows_state(&app.state, props.embed, link.setter());
    crate::policy_tab::use_policy_answers(&app, props.embed);
    use_free_previous_later(&app.result);
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
    let dispatch = app.dispatcher();
    let options = app.state.options.clone();
    let compute_ms = millis(app.compute_ms, 3);

    if props.embed {
        return html! {
            <div class="playground embed" data-compute-ms={compute_ms}>
                <header class="embed-header">
                    <strong>{ "podgroups" }</strong>
                    { controls::environment_controls(&options, true, &dispatch) }
                    <a class="open" href={link.open.clone()} target="_blank" rel="noopener" data-testid="open-in-playground">{ "Open in playground ↗" }</a>
                </header>
                <div class="embed-body">
                    <InputsPanel app={app.clone()} embed=true />
                    <ResultsPanel app={app.clone()} />
                </div>
            </div>
        };
    }
    let share_url = link.share.clone();
    html! {
        <div class="playground" data-compute-ms={compute_ms}>
            <ControlsPanel {options} {dispatch} {share_url} />
            <div class="workspace">
                <InputsPanel app={app.clone()} embed=false />
                { crate::policy_tab::outputs(&app) }
            </div>
            <p class="timing">{ format!("Computed in your browser in {} ms.", millis(app.compute_ms, 1)) }</p>
        </div>
    }
}

/// The share link of a state and the embed's "Open in playground" address, built when the state's
/// fragment changes (once the typing pauses for [`LINK_PAUSE_MS`]), not on every render.
#[derive(PartialEq)]
struct Link {
    share: AttrValue,
    open: AttrValue,
}

impl Link {
    fn new(fragment: &str) -> Link {
        Link {
            share: format!("{}#{fragment}", browser::page_base()).into(),
            open: format!("./#{fragment}").into(),
        }
    }
}

/// Keeps the share link (and, outside embeds, the address bar) in step with the state once the
/// typing pauses for [`LINK_PAUSE_MS`]: compressing a large input takes ~30 ms in the browser, which
/// would stall the typing if it ran on keystrokes. Each change costs one copy of the state, no more.
#[hook]
fn use_link_follows_state(state: &State, embed: bool, set_link: UseStateSetter<Link>) {
    let linked: Rc<RefCell<State>> = use_mut_ref(|| state.clone());
    let timer: Rc<RefCell<Option<Timeout>>> = use_mut_ref(|| None);
    if *linked.borrow() == *state {
        return;
    }
    *linked.borrow_mut() = state.clone();
    // A newer change restarts the wait: replacing the pending timer drops, so cancels, it.
    *timer.borrow_mut() = Some(Timeout::new(LINK_PAUSE_MS, move || {
        let fragment = url::encode(&linked.borrow());
        if !embed {
            browser::replace_fragment(&fragment);
        }
        set_link.set(Link::new(&fragment));
    }));
}

/// Frees the previous report after the page shows the new one rather than while drawing it: a
/// 1,000-line manifest's report is thousands of allocations, and the keystroke's DOM update need not
/// wait for them. Holds the last report; a newer one sends it to a zero-delay timer that drops it.
#[hook]
fn use_free_previous_later(result: &Rc<Result<Report, InputError>>) {
    let held: Rc<RefCell<Held>> = use_mut_ref(|| (result.clone(), None));
    let mut held = held.borrow_mut();
    if !Rc::ptr_eq(&held.0, result) {
        let previous = std::mem::replace(&mut held.0, result.clone());
        // A timer still pending is replaced, so cancelled, and its report dropped now.
        held.1 = Some(Timeout::new(0, move || drop(previous)));
    }
}

/// The report [`use_free_previous_later`] holds and the timer that will drop the one before it.
type Held = (Rc<Result<Report, InputError>>, Option<Timeout>);

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
