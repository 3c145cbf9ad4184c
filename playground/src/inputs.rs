//! The inputs panel: the manifest editor and the image (`USER`, `/etc/group`, `/etc/passwd`,
//! whether the image has each file, and where an archive's files came from).

use crate::editor::Editor;
use crate::highlight::{Decor, Lang};
use crate::state::{Action, App, Field, Target};
use podgroups_core::Source;
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct InputsProps {
    pub app: UseReducerHandle<App>,
    /// Embeds fold the image away and leave out the presence boxes and provenance.
    pub embed: bool,
}

/// The error marker and highlighted line of the editor for `source`.
fn decor(app: &App, source: Source, line_of: fn(Target) -> Option<u32>) -> Decor {
    let error = app.result.as_ref().as_ref().err();
    Decor {
        error: error
            .filter(|e| e.source == source)
            .and_then(|e| e.location)
            .map(|l| (l.line, l.column)),
        highlight: app.highlight.and_then(line_of),
    }
}

/// The input error's message when it is about `source`.
fn message(app: &App, source: Source) -> Option<AttrValue> {
    let error = app.result.as_ref().as_ref().err();
    error
        .filter(|e| e.source == source)
        .map(|e| AttrValue::from(e.to_string()))
}

fn on_edit(app: &UseReducerHandle<App>, field: Field) -> Callback<String> {
    let d = app.dispatcher();
    Callback::from(move |s: String| d.dispatch(Action::Edit(field, s)))
}

#[function_component(InputsPanel)]
pub fn inputs_panel(props: &InputsProps) -> Html {
    let app = &props.app;
    let manifest = html! {
        <Editor id="manifest" label="Manifest (YAML or JSON, several documents allowed)" testid="manifest-editor"
            text={AttrValue::from(app.state.manifest.clone())} lang={Lang::Yaml}
            decor={decor(app, Source::Manifest, |t| if let Target::Manifest(l) = t { Some(l) } else { None })}
            error_message={message(app, Source::Manifest)}
            on_input={on_edit(app, Field::Manifest)} />
    };
    if props.embed {
        return html! {
            <div class="inputs">
                { manifest }
                <details><summary>{ "Image: USER, /etc/group, /etc/passwd" }</summary>{ image_user(app) }{ image_files(app) }</details>
            </div>
        };
    }
    html! {
        <section class="inputs" aria-label="Inputs">
            { manifest }
            <fieldset class="image">
                <legend>{ "Image" }</legend>
                { image_user(app) }
                { presence_toggles(app) }
                { image_files(app) }
                <ul class="provenance" data-testid="image-provenance" aria-label="Read from the image archive">
                    { for app.provenance.iter().map(|line| html! { <li>{ line }</li> }) }
                </ul>
            </fieldset>
        </section>
    }
}

fn image_user(app: &UseReducerHandle<App>) -> Html {
    let d = app.dispatcher();
    let oninput = Callback::from(move |e: InputEvent| {
        if let Some(i) = e.target_dyn_into::<HtmlInputElement>() {
            d.dispatch(Action::Edit(Field::ImageUser, i.value()));
        }
    });
    let hl = app.highlight == Some(Target::ImageUser);
    let invalid = app
        .result
        .as_ref()
        .as_ref()
        .is_err_and(|e| e.source == Source::ImageUser);
    html! {
        <div class={classes!("field", hl.then_some("hl"))}>
            <label for="image-user">{ "Image USER" }</label>
            <input id="image-user" data-testid="image-user" type="text" placeholder="(unset)" spellcheck="false"
                aria-invalid={invalid.to_string()} value={app.state.image_user.clone()} {oninput} />
        </div>
    }
}

fn image_files(app: &UseReducerHandle<App>) -> Html {
    html! {
        <>
            <Editor id="group" label="Image /etc/group" testid="group-editor"
                text={AttrValue::from(app.state.group.clone())} lang={Lang::Group}
                decor={decor(app, Source::Group, |t| if let Target::Group(l) = t { Some(l) } else { None })}
                error_message={message(app, Source::Group)} disabled={!app.state.group_present}
                on_input={on_edit(app, Field::Group)} />
            <Editor id="passwd" label="Image /etc/passwd" testid="passwd-editor"
                text={AttrValue::from(app.state.passwd.clone())} lang={Lang::Passwd}
                decor={decor(app, Source::Passwd, |t| if let Target::Passwd(l) = t { Some(l) } else { None })}
                error_message={message(app, Source::Passwd)} disabled={!app.state.passwd_present}
                on_input={on_edit(app, Field::Passwd)} />
        </>
    }
}

fn presence_toggles(app: &UseReducerHandle<App>) -> Html {
    let toggle = |id: &'static str, label: &'static str, on: bool, f: fn(bool) -> Action| {
        let d = app.dispatcher();
        let onchange = Callback::from(move |e: Event| {
            if let Some(i) = e.target_dyn_into::<HtmlInputElement>() {
                d.dispatch(f(i.checked()));
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
