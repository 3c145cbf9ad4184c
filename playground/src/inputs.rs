//! The inputs panel: the manifest editor and the image (`USER`, `/etc/group`, `/etc/passwd`, for
//! each whether the image has it, has no such file, or is unknown, and where an archive's files
//! came from).

use crate::editor::{editor, EditorProps};
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
fn decor(app: &App, source: &Source) -> Decor {
    let error = app.result.as_ref().as_ref().err();
    Decor {
        error: error
            .filter(|e| e.source == *source)
            .and_then(|e| e.location)
            .map(|l| (l.line, l.column)),
        highlight: app.highlight.and_then(|t| match (t, source) {
            (Target::Manifest(l), Source::Manifest)
            | (Target::Group(l), Source::Group)
            | (Target::Passwd(l), Source::Passwd) => Some(l),
            _ => None,
        }),
    }
}

/// The input error's message when it is about `source`.
fn message(app: &App, source: &Source) -> Option<AttrValue> {
    let error = app.result.as_ref().as_ref().err();
    error
        .filter(|e| e.source == *source)
        .map(|e| AttrValue::from(e.to_string()))
}

/// The editors' input callbacks (manifest, `/etc/group`, `/etc/passwd`), the same on every render,
/// so an editor whose text did not change is not redrawn.
#[hook]
fn use_edits(app: &UseReducerHandle<App>) -> [Callback<String>; 3] {
    let d = app.dispatcher();
    let edits = use_memo((), move |_| {
        [Field::Manifest, Field::Group, Field::Passwd].map(|field| {
            let d = d.clone();
            Callback::from(move |s: String| d.dispatch(Action::Edit(field, s)))
        })
    });
    (*edits).clone()
}

#[function_component(InputsPanel)]
pub fn inputs_panel(props: &InputsProps) -> Html {
    let app = &props.app;
    let [on_manifest, on_group, on_passwd] = use_edits(app);
    let manifest = editor(EditorProps {
        id: "manifest".into(),
        label: "Manifest (YAML or JSON, several documents allowed)".into(),
        testid: "manifest-editor".into(),
        text: app.state.manifest.clone().into(),
        lang: Lang::Yaml,
        decor: decor(app, &Source::Manifest),
        error_message: message(app, &Source::Manifest),
        disabled: false,
        on_input: on_manifest,
        beside: html! {},
    });
    if props.embed {
        return html! {
            <div class="inputs">
                { manifest }
                <details><summary>{ "Image: USER, /etc/group, /etc/passwd" }</summary>{ image_user(app) }{ image_files(app, on_group, on_passwd) }</details>
            </div>
        };
    }
    html! {
        <section class="inputs" aria-label="Inputs">
            { manifest }
            <fieldset class="image">
                <legend>{ "Image" }</legend>
                { image_user(app) }
                { image_files(app, on_group, on_passwd) }
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

fn image_files(app: &UseReducerHandle<App>, on_group: Callback<String>, on_passwd: Callback<String>) -> Html {
    html! { <>{ file_editor(app, ImagePart::Group, on_group) }{ file_editor(app, ImagePart::Passwd, on_passwd) }</> }
}

/// The editor of the image's `/etc/group` or `/etc/passwd`, its three choices beside the label.
fn file_editor(app: &UseReducerHandle<App>, part: ImagePart, on_input: Callback<String>) -> Html {
    let (id, choice_id, label, lang, source, text) = match part {
        ImagePart::Group => (
            "group",
            "group-state",
            "Image /etc/group",
            Lang::Group,
            Source::Group,
            &app.state.group,
        ),
        ImagePart::Passwd => (
            "passwd",
            "passwd-state",
            "Image /etc/passwd",
            Lang::Passwd,
            Source::Passwd,
            &app.state.passwd,
        ),
        ImagePart::User => return html! {},
    };
    editor(EditorProps {
        id: id.into(),
        label: label.into(),
        testid: format!("{id}-editor").into(),
        text: text.clone().into(),
        lang,
        decor: decor(app, &source),
        error_message: message(app, &source),
        disabled: app.state.known(part) != Known::Present,
        on_input,
        beside: choice(app, part, choice_id, &FILE_CHOICES),
    })
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
