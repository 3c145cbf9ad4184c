//! A code editor: a transparent `<textarea>` over a coloured overlay, with a line-number gutter,
//! an inline error marker and a highlighted line. Native textarea, so typing, selection, undo,
//! IME and keyboard navigation are the browser's own.

use crate::highlight::{self, Decor, Lang};
use web_sys::{Element, HtmlElement, HtmlTextAreaElement};
use yew::prelude::*;

/// Line height of editors in CSS pixels (must match `.editor` in playground.css).
const LINE_PX: f64 = 20.0;

/// An editor: its label, what is shown beside the label, its text and marks.
pub struct EditorProps {
    /// DOM id of the textarea (the label points at it).
    pub id: AttrValue,
    pub label: AttrValue,
    pub testid: AttrValue,
    pub text: AttrValue,
    pub lang: Lang,
    pub decor: Decor,
    /// Message of the error marker, read out with the textarea.
    pub error_message: Option<AttrValue>,
    pub disabled: bool,
    /// Must be the same callback on every render, or the code is redrawn on every change of the page.
    pub on_input: Callback<String>,
    /// Shown beside the label (e.g. whether the image has this file).
    pub beside: Html,
}

/// The frame (label, what is beside it, the error message) around the code. A function, not a
/// component: it is cheap to redraw, and each component costs the first download about 1 KB.
pub fn editor(props: EditorProps) -> Html {
    let described = props
        .error_message
        .as_ref()
        .map(|_| AttrValue::from(format!("{}-error", props.id)));
    html! {
        <div class={classes!("editor", props.disabled.then_some("disabled"))} data-testid={props.testid.clone()}>
            <div class="head"><label for={props.id.clone()}>{ props.label }</label>{ props.beside }</div>
            <Code id={props.id} text={props.text} lang={props.lang} decor={props.decor}
                described={described.clone()} disabled={props.disabled} on_input={props.on_input} />
            if let (Some(msg), Some(id)) = (props.error_message, described) {
                <p class="marker-message" id={id} role="alert">{ msg }</p>
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct CodeProps {
    id: AttrValue,
    text: AttrValue,
    lang: Lang,
    decor: Decor,
    /// The id of the error message, when there is one.
    described: Option<AttrValue>,
    disabled: bool,
    on_input: Callback<String>,
}

/// The gutter, the coloured overlay and the textarea: a component of its own, so an editor whose
/// text and marks did not change is skipped (a keystroke in the manifest leaves the 5,000-line
/// `/etc/group` alone) as long as its `on_input` is the same callback.
#[function_component(Code)]
fn code(props: &CodeProps) -> Html {
    let scroller = use_node_ref();
    let pre = use_node_ref();
    // The overlay's lines are the editor's own DOM, which Yew leaves alone (the `<pre>` has no
    // children for it): each change splices in only the lines it changed (`highlight::Overlay`).
    let overlay = use_mut_ref(highlight::Overlay::default);
    {
        let pre = pre.clone();
        use_effect_with(
            (props.text.clone(), props.lang, props.decor),
            move |(text, lang, decor)| {
                if let Some(pre) = pre.cast::<Element>() {
                    draw(&pre, overlay.borrow_mut().update(text, *lang, *decor));
                }
            },
        );
    }
    // The gutter depends on the line count only: typing within a line leaves it alone.
    let lines = props.text.split('\n').count();
    let gutter = use_memo((lines, props.decor), |(lines, decor)| {
        Html::from_html_unchecked(highlight::gutter(*lines, *decor).into())
    });
    use_scroll_to_mark(&scroller, props.decor);
    let on_input = {
        let cb = props.on_input.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(ta) = e.target_dyn_into::<HtmlTextAreaElement>() {
                cb.emit(ta.value());
            }
        })
    };
    let longest = props.text.split('\n').map(|l| l.chars().count()).max().unwrap_or(0);
    let size = format!(
        "height:{}px;width:max(100%, {}ch + 24px)",
        lines as f64 * LINE_PX + 16.0,
        longest + 2
    );
    html! {
        <div class="editor-scroll" ref={scroller}>
            <div class="gutter" aria-hidden="true">{ (*gutter).clone() }</div>
            <div class="code" style={size.clone()}>
                <pre class="overlay" aria-hidden="true" ref={pre}></pre>
                <textarea
                    id={props.id.clone()}
                    style={size}
                    spellcheck="false"
                    autocomplete="off"
                    autocapitalize="off"
                    wrap="off"
                    disabled={props.disabled}
                    aria-invalid={props.described.is_some().to_string()}
                    aria-describedby={props.described.clone()}
                    value={props.text.clone()}
                    oninput={on_input}
                />
            </div>
        </div>
    }
}

/// Applies the overlay's splices to its `<pre>`: each one's lines removed, its HTML inserted there
/// (all of it at once when it replaces every line, as a new example does).
fn draw(pre: &Element, splices: Vec<highlight::Splice>) {
    for s in splices {
        if s.at == 0 && s.remove as u64 == u64::from(pre.child_element_count()) {
            pre.set_inner_html(&s.html);
            continue;
        }
        let mut next = pre.children().item(u32::try_from(s.at).unwrap_or(u32::MAX));
        for _ in 0..s.remove {
            let Some(line) = next else { break };
            next = line.next_element_sibling();
            line.remove();
        }
        let _ = match next {
            Some(next) => next.insert_adjacent_html("beforebegin", &s.html),
            None => pre.insert_adjacent_html("beforeend", &s.html),
        };
    }
}

/// Brings the highlighted or erroneous line into view.
#[hook]
fn use_scroll_to_mark(scroller: &NodeRef, decor: Decor) {
    let scroller = scroller.clone();
    let target = decor.highlight.or(decor.error.map(|(l, _)| l));
    use_effect_with(target, move |target| {
        if let (Some(line), Some(el)) = (target, scroller.cast::<HtmlElement>()) {
            let top = (f64::from(*line) - 1.0) * LINE_PX;
            let view = f64::from(el.client_height());
            let current = f64::from(el.scroll_top());
            if top < current || top + LINE_PX > current + view {
                el.set_scroll_top((top - view / 3.0).max(0.0) as i32);
            }
        }
    });
}
