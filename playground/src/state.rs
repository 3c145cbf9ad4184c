//! The app's reducer: user actions change the [`State`] and every change recomputes the report
//! with the core, synchronously (the engine is pure and fast; see the bench in the README).

use crate::examples;
use crate::model::{Gate, Known, Options, PolicyView, State};
use podgroups_core::{Image, ImagePart, InputError, Memo, PreparedImage, Report, RuntimeKind};
use serde::Deserialize;
use std::cell::RefCell;
use std::rc::Rc;
use yew::{AttrValue, Reducible};

/// A place in the inputs an origin points at; clicking an origin highlights it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Manifest(u32),
    Passwd(u32),
    Group(u32),
    ImageUser,
}

/// Which text input an edit is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Manifest,
    Group,
    Passwd,
    ImageUser,
}

/// Everything the user can do.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    Edit(Field, String),
    /// One of the three choices for a part of the image: has it, has no such file, unknown.
    Known(ImagePart, Known),
    Runtime(RuntimeKind),
    Kubernetes(u32),
    Gate(Gate),
    View(PolicyView),
    Example(String),
    Load(State),
    /// The manifest `from` as the core's fix rewrote it with `supplementalGroupsPolicy: Strict`
    /// ("Apply Strict", answered by the lazily loaded policy module); dropped if the manifest has
    /// changed since.
    Fixed {
        from: String,
        to: String,
    },
    Highlight(Target),
    /// Show a message in the error panel (e.g. an image archive that cannot be read), inputs unchanged.
    Notice(String),
    /// Fill the image inputs from an image read outside the app (the archive reader).
    ReadImage(ImageRead),
    /// Show the admission-policy tab (or the groups).
    PolicyTab(bool),
    /// The admission-policy tab's inputs, JSON from its controls in `www/js/policy.js`.
    Policy(String),
    /// The policy module's answer for the current state (HTML it escaped).
    PolicyVerdict(AttrValue),
}

/// An image read from an archive, as the archive reader answers it (`playground/archive`):
/// the image's `USER` and files, and one line per input saying where it came from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct ImageRead {
    pub image: Image,
    #[serde(default)]
    pub provenance: Vec<String>,
}

/// The state plus what is derived from it.
#[derive(Clone, Debug)]
pub struct App {
    pub state: State,
    pub result: Rc<Result<Report, InputError>>,
    /// Milliseconds the last `explain` took (shown in the footer, read by the bench).
    pub compute_ms: f64,
    pub highlight: Option<Target>,
    /// A message about the last action that did not work (bad link, fix failed…).
    pub notice: Option<String>,
    /// Where the image inputs came from, one line each, while they are as an archive filled them.
    pub provenance: Rc<[String]>,
    /// The policy tab's answer (from the lazily loaded policy module).
    pub policy_verdict: AttrValue,
}

/// Cheap: a report is equal when it is the same computation (the reducer keeps the `Rc` when
/// nothing it reads changed), so panels given the app compare without walking reports.
impl PartialEq for App {
    fn eq(&self, other: &App) -> bool {
        Rc::ptr_eq(&self.result, &other.result)
            && Rc::ptr_eq(&self.provenance, &other.provenance)
            && self.state == other.state
            && self.highlight == other.highlight
            && self.notice == other.notice
            && self.policy_verdict == other.policy_verdict
    }
}

impl App {
    pub fn new(state: State, notice: Option<String>) -> App {
        let (result, compute_ms) = compute(&state);
        App {
            state,
            result: Rc::new(result),
            compute_ms,
            highlight: None,
            notice,
            provenance: Rc::from([]),
            policy_verdict: AttrValue::Static("<p>Loading the admission policy…</p>"),
        }
    }
}

/// Runs the core on a state, timing it. The image's files are parsed once per change of them, and
/// a keystroke in one document of the manifest reads and explains that document only ([`Memo`]).
pub fn compute(state: &State) -> (Result<Report, InputError>, f64) {
    let start = now_ms();
    let input = state.to_input();
    let result = ENGINE.with(|cell| {
        let (parsed, memo) = &mut *cell.borrow_mut();
        if parsed.as_ref().is_none_or(|c| *c.borrow_owner() != input.image) {
            *parsed = Some(ParsedImage::new(input.image.clone(), |image| PreparedImage::new(image)));
        }
        // A file no runtime reads: explain says so, with the manifest's own errors first.
        let ready = parsed.as_ref().and_then(|p| p.borrow_dependent().as_ref().ok());
        memo.explain(&input, ready)
    });
    (result, now_ms() - start)
}

/// `PreparedImage` of an image that may be refused, for [`ParsedImage`].
type Prepared<'a> = Result<PreparedImage<'a>, InputError>;

self_cell::self_cell!(
    /// An image with its `/etc` files parsed: kept while only the manifest changes, so a keystroke
    /// does not re-parse a 5,000-line `/etc/group`.
    struct ParsedImage {
        owner: Image,
        #[covariant]
        dependent: Prepared,
    }
);

thread_local! {
    /// The last image [`compute`] parsed and what it found per document of the last manifest (one
    /// for the page: widgets on one page take turns, and each turn is still exact).
    static ENGINE: RefCell<(Option<ParsedImage>, Memo)> = RefCell::new((None, Memo::default()));
}

#[cfg(target_arch = "wasm32")]
fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
}

#[cfg(not(target_arch = "wasm32"))]
fn now_ms() -> f64 {
    0.0
}

impl Reducible for App {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut state = self.state.clone();
        let mut notice = None;
        let mut provenance = None;
        match action {
            Action::Highlight(t) => {
                return Rc::new(App {
                    highlight: Some(t),
                    ..(*self).clone()
                })
            }
            Action::PolicyVerdict(html) => {
                return Rc::new(App {
                    policy_verdict: html,
                    ..(*self).clone()
                })
            }
            Action::PolicyTab(open) => state.policy_open = open,
            Action::Policy(tab) => state.policy = tab,
            Action::Edit(Field::Manifest, s) => state.manifest = s,
            Action::Edit(Field::Group, s) => state.group = s,
            Action::Edit(Field::Passwd, s) => state.passwd = s,
            Action::Edit(Field::ImageUser, s) => state.image_user = s,
            Action::Known(part, known) => state.set_known(part, known),
            Action::Runtime(r) => state.options.runtime = r,
            Action::Kubernetes(k) => state.options.kubernetes_minor = k,
            Action::Gate(g) => state.options.feature_gate = g,
            Action::View(v) => state.options.view = v,
            Action::Example(id) => match examples::find(&id) {
                Some(ex) => state = keep_policy_tab((ex.state)(), state),
                None => notice = Some(format!("there is no example {id:?}")),
            },
            Action::Load(s) => state = s,
            Action::Notice(n) => notice = Some(n),
            Action::ReadImage(read) => {
                state.set_image(read.image);
                provenance = Some(Rc::from(read.provenance));
            }
            Action::Fixed { from, to } => {
                if state.manifest == from {
                    state.manifest = to;
                }
            }
        }
        // The provenance lines hold while the image inputs are as the archive filled them.
        let provenance = provenance.unwrap_or_else(|| {
            if same_image(&state, &self.state) {
                self.provenance.clone()
            } else {
                Rc::from([])
            }
        });
        if state == self.state {
            if notice.is_none() && Rc::ptr_eq(&provenance, &self.provenance) {
                return self;
            }
            let mut next = (*self).clone();
            next.notice = notice;
            next.provenance = provenance;
            return Rc::new(next);
        }
        // Options and the policy view do not change the report; skip the engine for them.
        let (result, compute_ms) = if same_input(&state, &self.state) {
            (self.result.clone(), self.compute_ms)
        } else {
            let (r, ms) = compute(&state);
            (Rc::new(r), ms)
        };
        Rc::new(App {
            state,
            result,
            compute_ms,
            highlight: None,
            notice,
            provenance,
            policy_verdict: self.policy_verdict.clone(),
        })
    }
}

/// An example is a manifest and an image: the policy tab's inputs stay as they were.
fn keep_policy_tab(example: State, current: State) -> State {
    State {
        policy_open: current.policy_open,
        policy: current.policy,
        ..example
    }
}

fn same_image(a: &State, b: &State) -> bool {
    let parts = |s: &State| (s.user_known, s.passwd_known, s.group_known);
    parts(a) == parts(b) && (&a.image_user, &a.passwd, &a.group) == (&b.image_user, &b.passwd, &b.group)
}

/// The same input for the engine: all but the detail view and the policy tab, compared field by
/// field without copying the texts (the pattern names every field, so a new one must be placed).
fn same_input(a: &State, b: &State) -> bool {
    let State {
        manifest,
        group,
        passwd,
        group_known,
        passwd_known,
        image_user,
        user_known,
        options,
        policy_open: _,
        policy: _,
    } = a;
    let environment = |o: &Options| (o.runtime, o.kubernetes_minor, o.feature_gate);
    (manifest, group, passwd, image_user) == (&b.manifest, &b.group, &b.passwd, &b.image_user)
        && (group_known, passwd_known, user_known) == (&b.group_known, &b.passwd_known, &b.user_known)
        && environment(options) == environment(&b.options)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app() -> Rc<App> {
        Rc::new(App::new(examples::blog_merge(), None))
    }

    fn read(json: &str) -> ImageRead {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn a_read_image_fills_the_inputs_and_keeps_its_provenance_while_they_hold() {
        let a = app().reduce(Action::Notice("several images".into()));
        let b = a.clone().reduce(Action::ReadImage(read(
            r#"{"ok": true, "names": ["e2e:1"], "image": {"user": "app", "passwd": null, "group": "extra:x:777:app\n"},
                "provenance": ["USER app from the image config", "passwd: absent", "group: /etc/group from layer 0"]}"#,
        )));
        assert_eq!(b.state.image_user, "app");
        assert_eq!((b.state.passwd_known, b.state.passwd.as_str()), (Known::Absent, ""));
        assert_eq!(b.state.group_known, Known::Present);
        assert_eq!(b.state.group, "extra:x:777:app\n");
        assert_eq!(b.provenance.len(), 3);
        assert_eq!(b.notice, None);
        assert!(!Rc::ptr_eq(&a.result, &b.result));
        // Options leave the image as read; an edit of the image does not.
        let c = b.clone().reduce(Action::Kubernetes(33));
        assert!(Rc::ptr_eq(&b.provenance, &c.provenance));
        let d = c.reduce(Action::Edit(Field::Group, "g:x:1:\n".into()));
        assert!(d.provenance.is_empty());
    }

    #[test]
    fn reading_the_same_image_again_shows_its_provenance() {
        let json = r#"{"image": {"user": "", "passwd": "root:x:0:0::/:/bin/sh\n", "group": "root:x:0:\n"}, "provenance": ["x"]}"#;
        let a = app().reduce(Action::ReadImage(read(json)));
        let b = a.clone().reduce(Action::Edit(Field::ImageUser, "1".into()));
        let c = b.clone().reduce(Action::Edit(Field::ImageUser, "".into()));
        assert!(c.provenance.is_empty());
        let d = c.clone().reduce(Action::ReadImage(read(json)));
        assert_eq!(&*d.provenance, ["x".to_owned()]);
        assert!(Rc::ptr_eq(&c.result, &d.result));
    }

    #[test]
    fn a_fix_applies_to_the_manifest_it_was_made_from_only() {
        let a = app();
        let from = a.state.manifest.clone();
        let to = podgroups_core::fix::apply_strict(&from).unwrap();
        let fixed = a.clone().reduce(Action::Fixed {
            from: from.clone(),
            to: to.clone(),
        });
        assert_eq!(fixed.state.manifest, to);
        let strict = fixed.result.as_ref().as_ref().unwrap();
        assert_eq!(strict.workloads[0].containers[0].implicit_as_written, Vec::<u32>::new());
        // Typed over before the answer came: the answer is stale and dropped.
        let typed = a.reduce(Action::Edit(Field::Manifest, format!("{from}# more\n")));
        let stale = typed.clone().reduce(Action::Fixed { from, to });
        assert!(Rc::ptr_eq(&stale, &typed));
    }

    #[test]
    fn edits_change_state_and_recompute() {
        let a = app();
        let b = a.clone().reduce(Action::Edit(Field::Manifest, "not: [valid".into()));
        assert_eq!(b.state.manifest, "not: [valid");
        assert!(!Rc::ptr_eq(&a.result, &b.result));
    }

    #[test]
    fn a_notice_shows_until_the_next_change() {
        let a = app();
        let b = a.clone().reduce(Action::Notice("image archive: not a tar".into()));
        assert_eq!(b.notice.as_deref(), Some("image archive: not a tar"));
        assert_eq!(b.state, a.state);
        assert!(Rc::ptr_eq(&a.result, &b.result));
        let c = b.reduce(Action::Edit(Field::Group, "g:x:1:\n".into()));
        assert_eq!(c.notice, None);
    }

    #[test]
    fn an_unknown_image_leaves_merge_open_and_strict_exact() {
        let mut a = app();
        for part in [ImagePart::User, ImagePart::Passwd, ImagePart::Group] {
            a = a.reduce(Action::Known(part, Known::Unknown));
        }
        let report = a.result.as_ref().as_ref().unwrap();
        let c = &report.workloads[0].containers[0];
        assert_eq!(c.image_unknown, [ImagePart::User, ImagePart::Passwd, ImagePart::Group]);
        // Merge: the image's /etc/group decides which groups are added; the manifest's are certain.
        assert!(c.merge.is_open(podgroups_core::Fact::ImageGroups), "{:?}", c.merge);
        let certain: Vec<u32> = c.merge.gid_origins().iter().map(|g| g.gid).collect();
        assert_eq!(certain, [3000, 4000]);
        // Strict on containerd 2 with numeric ids needs no image file for the groups.
        let strict = c.strict.identity().map(|i| i.groups_as_kernel_sees.clone());
        assert_eq!(strict, Some(vec![3000, 4000]));
        assert!(!c.strict.is_open(podgroups_core::Fact::ImageGroups));
        // Back to "has the file": the text typed before is still there.
        let b = a.reduce(Action::Known(ImagePart::Group, Known::Present));
        assert!(b.state.group.contains("group-defined-in-image"));
    }

    #[test]
    fn the_policy_tab_keeps_the_report_its_answer_enters_through_the_reducer_and_examples_keep_it() {
        let a = app();
        let tab = r#"{"s":"mutate: false"}"#;
        let b = a
            .clone()
            .reduce(Action::Policy(tab.into()))
            .reduce(Action::PolicyTab(true));
        assert_eq!((b.state.policy.as_str(), b.state.policy_open), (tab, true));
        assert!(Rc::ptr_eq(&a.result, &b.result));
        let c = b.reduce(Action::PolicyVerdict("<p>allowed</p>".into()));
        assert_eq!(c.policy_verdict, "<p>allowed</p>");
        // An edit keeps the last answer until the module answers the new state.
        let d = c.reduce(Action::Edit(Field::Manifest, "kind: Pod\n".into()));
        assert_eq!(d.policy_verdict, "<p>allowed</p>");
        let e = d.reduce(Action::Example("distroless".into()));
        assert_eq!((e.state.policy.as_str(), e.state.policy_open), (tab, true));
    }

    #[test]
    fn switching_the_view_keeps_the_report() {
        let a = app();
        let b = a.clone().reduce(Action::View(PolicyView::Strict));
        assert_eq!(b.state.options.view, PolicyView::Strict);
        assert!(Rc::ptr_eq(&a.result, &b.result));
    }

    #[test]
    fn a_no_op_returns_the_same_app() {
        let a = app();
        let b = a.clone().reduce(Action::Runtime(RuntimeKind::Containerd2));
        assert!(Rc::ptr_eq(&a, &b));
    }

    #[test]
    fn highlight_is_cleared_by_the_next_edit() {
        let a = app().reduce(Action::Highlight(Target::Group(4)));
        assert_eq!(a.highlight, Some(Target::Group(4)));
        let b = a.reduce(Action::Edit(Field::ImageUser, "1000".into()));
        assert_eq!(b.highlight, None);
        assert_eq!(b.state.image_user, "1000");
    }

    #[test]
    fn examples_load_and_unknown_ones_say_so() {
        let a = app().reduce(Action::Example("distroless".into()));
        assert_eq!(a.state.passwd_known, Known::Absent);
        let b = a.clone().reduce(Action::Example("nope".into()));
        assert_eq!(b.state, a.state);
        assert!(b.notice.as_deref().unwrap_or("").contains("nope"));
    }

    #[test]
    fn environment_actions_update_options() {
        let a = app()
            .reduce(Action::Runtime(RuntimeKind::Crio))
            .reduce(Action::Kubernetes(31))
            .reduce(Action::Gate(Gate::On))
            .reduce(Action::Known(ImagePart::Passwd, Known::Absent))
            .reduce(Action::Known(ImagePart::Group, Known::Unknown));
        assert_eq!(a.state.options.runtime, RuntimeKind::Crio);
        assert_eq!(a.state.options.kubernetes_minor, 31);
        assert_eq!(a.state.options.feature_gate, Gate::On);
        assert_eq!(
            (a.state.passwd_known, a.state.group_known),
            (Known::Absent, Known::Unknown)
        );
        assert_eq!(
            a.result.as_ref().as_ref().map(|r| r.environment.kubernetes_minor).ok(),
            Some(31)
        );
    }
}
