//! A code editor: a transparent `<textarea>` over a coloured overlay, with a line-number gutter,
//! an inline error marker and a highlighted line. Native textarea, so typing, selection, undo,
//! IME and keyboard navigation are the browser's own.

use crate::highlight::{self, Decor, Lang};
use web_sys::{HtmlElement, HtmlTextAreaElement};
use yew::prelude::*;

/// Line height of editors in CSS pixels (must match `.editor` in playground.css).
const LINE_PX: f64 = 20.0;

#[derive(Properties, PartialEq)]
pub struct EditorProps {
    /// DOM id of the textarea (the label points at it).
    pub id: AttrValue,
    pub label: AttrValue,
    pub testid: AttrValue,
    pub text: AttrValue,
    pub lang: Lang,
    #[prop_or_default]
    pub decor: Decor,
    /// Message of the error marker, read out with the textarea.
    #[prop_or_default]
    pub error_message: Option<AttrValue>,
    #[prop_or_default]
    pub disabled: bool,
    pub on_input: Callback<String>,
    /// Shown beside the label (e.g. whether the image has this file).
    #[prop_or_default]
    pub children: Html,
}

#[function_component(Editor)]
pub fn editor(props: &EditorProps) -> Html {
    let scroller = use_node_ref();
    // Colour only when text or decorations change (a keystroke in another editor re-renders the
    // app, not this editor); one raw node per line, so Yew replaces only the lines that changed.
    let overlay = use_memo((props.text.clone(), props.lang, props.decor), |(text, lang, decor)| {
        highlight::render_lines(text, *lang, *decor)
            .into_iter()
            .map(|line| Html::from_html_unchecked(line.into()))
            .collect::<Vec<_>>()
    });
    // The gutter depends on the line count only: typing within a line leaves it alone.
    let lines = props.text.split('\n').count();
    let gutter = use_memo((lines, props.decor), |(lines, decor)| {
        Html::from_html_unchecked(highlight::gutter(*lines, *decor).into())
    });
    // Bring the highlighted or erroneous line into view.
    {
        let scroller = scroller.clone();
        let target = props.decor.highlight.or(props.decor.error.map(|(l, _)| l));
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
    let described = props.error_message.as_ref().map(|_| format!("{}-error", props.id));
    html! {
        <div class={classes!("editor", props.disabled.then_some("disabled"))} data-testid={props.testid.clone()}>
            <div class="head"><label for={props.id.clone()}>{ props.label.clone() }</label>{ props.children.clone() }</div>
            <div class="editor-scroll" ref={scroller}>
                <div class="gutter" aria-hidden="true">{ (*gutter).clone() }</div>
                <div class="code" style={size.clone()}>
                    <pre class="overlay" aria-hidden="true">{ for overlay.iter().cloned() }</pre>
                    <textarea
                        id={props.id.clone()}
                        style={size}
                        spellcheck="false"
                        autocomplete="off"
                        autocapitalize="off"
                        wrap="off"
                        disabled={props.disabled}
                        aria-invalid={props.error_message.is_some().to_string()}
                        aria-describedby={described.clone()}
                        value={props.text.clone()}
                        oninput={on_input}
                    />
                </div>
            </div>
            if let (Some(msg), Some(id)) = (props.error_message.clone(), described) {
                <p class="marker-message" id={id} role="alert">{ msg }</p>
            }
        </div>
    }
}
