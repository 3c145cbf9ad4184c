//! The inputs panel: the manifest editor and the image (`USER`, `/etc/group`, `/etc/passwd`, for
//! each whether the image has it, has no such file, or is unknown, and where an archive's files
//! came from).

use crate::editor::Editor;
use crate::highlight::{Decor, Lang};
use crate::model::Known;
use crate::state::{Action, App, Field, Target};
use podgroups_core::{ImagePart, Source};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct InputsProps {
    pub app: UseReducerHandle<App>,
    /// Embeds fold the image away and leave out the provenance.
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
    let unknown = app.state.user_known == Known::Unknown;
    let invalid = app
        .result
        .as_ref()
        .as_ref()
        .is_err_and(|e| e.source == Source::ImageUser);
    html! {
        <div class={classes!("field", hl.then_some("hl"))}>
            <div class="head"><label for="image-user">{ "Image USER" }</label>
                { choice(app, ImagePart::User, "user-state", &[(Known::Present, "as typed (empty: unset)"), (Known::Unknown, "I don't know the image")]) }</div>
            <input id="image-user" data-testid="image-user" type="text" placeholder="(unset)" spellcheck="false"
                aria-invalid={invalid.to_string()} value={app.state.image_user.clone()} disabled={unknown} {oninput} />
        </div>
    }
}

/// The three choices beside each file.
const FILE_CHOICES: [(Known, &str); 3] = [
    (Known::Present, "the image has this file"),
    (Known::Absent, "the image has no such file"),
    (Known::Unknown, "I don't know the image"),
];

fn image_files(app: &UseReducerHandle<App>) -> Html {
    html! {
        <>
            <Editor id="group" label="Image /etc/group" testid="group-editor"
                text={AttrValue::from(app.state.group.clone())} lang={Lang::Group}
                decor={decor(app, Source::Group, |t| if let Target::Group(l) = t { Some(l) } else { None })}
                error_message={message(app, Source::Group)} disabled={app.state.group_known != Known::Present}
                on_input={on_edit(app, Field::Group)}>
                { choice(app, ImagePart::Group, "group-state", &FILE_CHOICES) }
            </Editor>
            <Editor id="passwd" label="Image /etc/passwd" testid="passwd-editor"
                text={AttrValue::from(app.state.passwd.clone())} lang={Lang::Passwd}
                decor={decor(app, Source::Passwd, |t| if let Target::Passwd(l) = t { Some(l) } else { None })}
                error_message={message(app, Source::Passwd)} disabled={app.state.passwd_known != Known::Present}
                on_input={on_edit(app, Field::Passwd)}>
                { choice(app, ImagePart::Passwd, "passwd-state", &FILE_CHOICES) }
            </Editor>
        </>
    }
}

/// The choice for one part of the image: has it (as typed), has no such file, or unknown.
fn choice(app: &UseReducerHandle<App>, part: ImagePart, id: &'static str, options: &[(Known, &'static str)]) -> Html {
    let d = app.dispatcher();
    let onchange = Callback::from(move |e: Event| {
        if let Some(k) = e
            .target_dyn_into::<HtmlSelectElement>()
            .and_then(|s| Known::from_value(&s.value()))
        {
            d.dispatch(Action::Known(part, k));
        }
    });
    let current = app.state.known(part);
    html! {
        <select class="known" {id} data-testid={id} aria-label={part.to_string()} {onchange}>
            { for options.iter().map(|(k, label)| html! {
                <option value={k.value()} selected={current == *k}>{ *label }</option>
            }) }
        </select>
    }
}
