//! The results panel: per workload and container, Merge and Strict side by side, where every gid
//! came from (clickable), what `id` prints, the predicted status, refusals and warnings.

use crate::model::PolicyView;
use crate::state::{Action, App, Target};
use podgroups_core::{
    ContainerReport, Fact, Identity, InputError, Origin, Outcome, Refusal, Report, Source,
    SupplementalGroupsPolicy as Policy, WorkloadReport,
};
use std::rc::Rc;
use wasm_bindgen::prelude::wasm_bindgen;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ResultsProps {
    pub app: UseReducerHandle<App>,
}

/// The results panel: what cannot be read (or a notice), the Strict fix, the report.
#[function_component(ResultsPanel)]
pub fn results_panel(props: &ResultsProps) -> Html {
    let app = &props.app;
    // Stable across renders, so unchanged result components are skipped.
    let on_target = {
        let dispatcher = app.dispatcher();
        (*use_memo((), move |_| {
            Callback::from(move |t: Target| dispatcher.dispatch(Action::Highlight(t)))
        }))
        .clone()
    };
    html! {
        <section class="results" aria-live="polite" aria-label="Results">
            { error_panel(app.result.as_ref().as_ref().err(), app.notice.as_deref(), &on_target) }
            { apply_strict_button(app) }
            { view_report(&app.result, app.state.options.view, &on_target) }
        </section>
    }
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
            <button type="button" data-testid="apply-strict" onclick={move |_| apply_strict(&app)}>{ "Apply Strict to the manifest" }</button>
        </div>
    }
}

#[wasm_bindgen]
extern "C" {
    /// `www/js/policy-load.js`: the policy module's `applyStrict`, answered through `manifestFixed`.
    #[wasm_bindgen(js_namespace = window, js_name = podgroupsApplyStrict, catch)]
    fn ask_apply_strict(manifest: &str) -> Result<(), wasm_bindgen::JsValue>;
}

/// "Apply Strict": the core's fix runs in the lazily loaded policy module (it is ~11 KB of the
/// first download otherwise), which answers through the reducer ([`Action::Fixed`]).
fn apply_strict(app: &UseReducerHandle<App>) {
    if ask_apply_strict(&app.state.manifest).is_err() {
        app.dispatch(Action::Notice(
            "could not apply Strict: the policy module could not be loaded".into(),
        ));
    }
}

/// Where an origin points in the inputs, if it points anywhere the user can see.
pub fn target_of(origin: &Origin) -> Option<Target> {
    match origin {
        Origin::Field {
            location: Some(loc), ..
        } => Some(Target::Manifest(loc.line)),
        Origin::Passwd { line, .. } => Some(Target::Passwd(*line)),
        Origin::Group { line, .. } => Some(Target::Group(*line)),
        Origin::ImageUser { .. } => Some(Target::ImageUser),
        Origin::Field { location: None, .. } | Origin::PvAnnotation { .. } | Origin::Default { .. } => None,
    }
}

fn join(gids: &[u32]) -> String {
    gids.iter().map(u32::to_string).collect::<Vec<_>>().join(",")
}

/// The whole report (nothing when the input cannot be read).
pub fn view_report(result: &Rc<Result<Report, InputError>>, view: PolicyView, on_target: &Callback<Target>) -> Html {
    let Ok(report) = result.as_ref() else {
        return html! {};
    };
    html! {
        <>
            if report.workloads.is_empty() {
                <p class="empty">{ "No Pod or workload with a pod template in the manifest yet." }</p>
            }
            { for (0..report.workloads.len()).map(|workload| html! {
                <WorkloadView report={result.clone()} {workload} {view} on_target={on_target.clone()} />
            }) }
            if !report.skipped.is_empty() {
                <p class="skipped">{ "Skipped (no pod template): " }
                    { report.skipped.iter().map(|s| format!("{} {} (document {})", s.kind, s.name, s.document + 1)).collect::<Vec<_>>().join(", ") }
                </p>
            }
        </>
    }
}

/// One workload of a report, by place: the report is shared, not copied, on every render.
#[derive(Properties)]
struct WorkloadProps {
    report: Rc<Result<Report, InputError>>,
    workload: usize,
    view: PolicyView,
    on_target: Callback<Target>,
}

impl WorkloadProps {
    fn workload(&self) -> Option<&WorkloadReport> {
        self.report.as_ref().as_ref().ok()?.workloads.get(self.workload)
    }
}

/// Equal when the workload's results are: the same place in the same report, or equal results.
impl PartialEq for WorkloadProps {
    fn eq(&self, other: &Self) -> bool {
        let same_place = Rc::ptr_eq(&self.report, &other.report) && self.workload == other.workload;
        self.view == other.view
            && self.on_target == other.on_target
            && (same_place || self.workload() == other.workload())
    }
}

/// One workload's results; a component so a keystroke redraws only the workloads it changed (the
/// others compare equal and are skipped).
#[function_component(WorkloadView)]
fn workload_view(props: &WorkloadProps) -> Html {
    let Some(w) = props.workload() else {
        return html! {};
    };
    html! {
        <section class="workload">
            <h2>{ format!("{} {}", w.kind, w.name) }<small>{ format!(" namespace {} · {}", w.namespace, w.policy_as_written()) }</small></h2>
            { for (0..w.containers.len()).map(|container| html! {
                <ContainerView report={props.report.clone()} workload={props.workload} {container} view={props.view} on_target={props.on_target.clone()} />
            }) }
        </section>
    }
}

/// One container of a report, by place.
#[derive(Properties)]
struct ContainerProps {
    report: Rc<Result<Report, InputError>>,
    workload: usize,
    container: usize,
    view: PolicyView,
    on_target: Callback<Target>,
}

impl ContainerProps {
    fn container(&self) -> Option<&ContainerReport> {
        let report = self.report.as_ref().as_ref().ok()?;
        report.workloads.get(self.workload)?.containers.get(self.container)
    }
}

/// Equal when the container's results are (as [`WorkloadProps`]).
impl PartialEq for ContainerProps {
    fn eq(&self, other: &Self) -> bool {
        let same_place = Rc::ptr_eq(&self.report, &other.report)
            && (self.workload, self.container) == (other.workload, other.container);
        self.view == other.view
            && self.on_target == other.on_target
            && (same_place || self.container() == other.container())
    }
}

/// One container's results: a component too, so of a workload only the containers a keystroke
/// changed are redrawn.
#[function_component(ContainerView)]
fn container_view(props: &ContainerProps) -> Html {
    match props.container() {
        Some(c) => view_container(c, props.view, &props.on_target),
        None => html! {},
    }
}

fn view_container(c: &ContainerReport, view: PolicyView, on_target: &Callback<Target>) -> Html {
    let (label, outcome) = match view {
        PolicyView::AsWritten => ("the manifest as written", &c.as_written),
        PolicyView::Merge => ("Merge", &c.merge),
        PolicyView::Strict => ("Strict", &c.strict),
    };
    // An as-written outcome unlike both (an invalid policy value, say) gets its own column.
    let own_column = c.as_written != c.merge && c.as_written != c.strict;
    html! {
        <article class="container-result" data-container={c.name.clone()}>
            <h3><span class="badge">{ c.kind.describe() }</span>{ " " }{ &c.name }<small>{ format!(" {}", c.image) }</small></h3>
            <div class="side-by-side">
                { column(Policy::Merge, &c.merge, c, on_target) }
                { column(Policy::Strict, &c.strict, c, on_target) }
                if own_column {
                    <div class={classes!("column", "as-written", c.as_written.refusal().map(|_| "refused"))} data-testid="result-as-written">
                        <h4>{ "As written" }</h4>
                        { outcome_summary(&c.as_written, None, c, on_target) }
                    </div>
                }
            </div>
            <div class="detail">
                <h4>{ format!("Details for {label}") }</h4>
                { detail(outcome, on_target) }
            </div>
            if !c.warnings.is_empty() {
                <ul class="warnings" aria-label="warnings">
                    { for c.warnings.iter().map(|w| html! { <li data-code={w.code}><strong>{ "Warning: " }</strong>{ &w.message }</li> }) }
                </ul>
            }
        </article>
    }
}

fn column(policy: Policy, outcome: &Outcome, c: &ContainerReport, on_target: &Callback<Target>) -> Html {
    let testid = match policy {
        Policy::Merge => "result-merge",
        Policy::Strict => "result-strict",
    };
    let as_written = c.as_written == *outcome;
    // The groups certain to be there (all of them when nothing is open).
    let groups = match outcome {
        Outcome::Runs(id) => join(&id.groups_as_kernel_sees),
        _ => join(&outcome.gid_origins().iter().map(|g| g.gid).collect::<Vec<_>>()),
    };
    html! {
        <div class={classes!("column", as_written.then_some("as-written"), outcome.refusal().map(|_| "refused"))}
             data-testid={testid} data-groups={groups} data-depends={outcome.partial().map(|_| "image")}>
            <h4>{ policy.as_str() }{ if as_written { html! { <span class="tag">{ "as written" }</span> } } else { html! {} } }</h4>
            { outcome_summary(outcome, Some(policy), c, on_target) }
        </div>
    }
}

/// A column's body: the ids and groups, the refusal, or what is certain and what the image decides.
/// `policy` is the column's (`None`: the as-written column, whose policy is the one applied).
fn outcome_summary(
    outcome: &Outcome,
    policy: Option<Policy>,
    c: &ContainerReport,
    on_target: &Callback<Target>,
) -> Html {
    let (uid, gid, groups, applied) = match outcome {
        Outcome::Refused(r) => return refusal(r),
        Outcome::Runs(id) => (
            Some(id.uid),
            Some(id.gid),
            id.groups_as_kernel_sees.clone(),
            id.applied_policy,
        ),
        Outcome::DependsOnImage(p) => (
            p.uid,
            p.gid,
            p.gid_origins.iter().map(|g| g.gid).collect(),
            p.applied_policy,
        ),
    };
    let policy = policy.unwrap_or(applied);
    let origins = outcome.gid_origins();
    let chip = |gid: u32| {
        let implicit = c.implicit_gids.contains(&gid) && policy == Policy::Merge;
        let first = origins.iter().find(|g| g.gid == gid);
        let title = first
            .map(|g| g.origins.iter().map(Origin::to_string).collect::<Vec<_>>().join("; "))
            .unwrap_or_default();
        let target = first.and_then(|g| g.origins.iter().find_map(target_of));
        let cb = on_target.clone();
        let onclick = Callback::from(move |_: MouseEvent| {
            if let Some(t) = target {
                cb.emit(t);
            }
        });
        html! {
            <li><button type="button" class={classes!("gid", implicit.then_some("implicit"))} title={title} {onclick}
                aria-label={format!("gid {gid}{}", if implicit { ", only from /etc/group: Strict removes it" } else { "" })}>{ gid }</button></li>
        }
    };
    let id_or_open = |v: Option<u32>| v.map_or_else(|| html! { <em>{ DEPENDS }</em> }, |v| html! { { v } });
    html! {
        <>
            <dl class="ids">
                <dt>{ "uid" }</dt><dd>{ id_or_open(uid) }</dd>
                <dt>{ "gid" }</dt><dd>{ id_or_open(gid) }</dd>
                <dt>{ "groups" }</dt><dd><ul class="chips" data-testid="groups">{ for groups.iter().map(|g| chip(*g)) }</ul>
                    if outcome.is_open(Fact::ImageGroups) { <em>{ " + what the image's /etc/group adds" }</em> }</dd>
            </dl>
            if applied != policy {
                <p class="note">{ format!("The runtime applies {} instead: it does not know {}.", applied.as_str(), policy.as_str()) }</p>
            }
            { open_facts(outcome) }
        </>
    }
}

/// Shown where an id is decided by a part of the image nobody gave.
const DEPENDS: &str = "depends on the image";

/// What the unknown parts of the image leave open (the core's words); nothing when all is known.
fn open_facts(outcome: &Outcome) -> Html {
    if outcome.unknown().is_empty() {
        return html! {};
    }
    html! {
        <div class="unknown" data-testid="depends-on-image">
            <p><strong>{ "Depends on the image: " }</strong></p>
            <ul>{ for outcome.unknown().iter().map(|u| html! { <li>{ u.to_string() }</li> }) }</ul>
        </div>
    }
}

fn refusal(r: &Refusal) -> Html {
    html! {
        <div class="refusal" role="status">
            <p><strong>{ "Does not run: " }</strong><span data-testid="stage">{ r.stage.describe() }</span></p>
            <p data-testid="refusal">{ r.to_string() }</p>
            if r.all_messages.len() > 1 {
                <ul>{ for r.all_messages.iter().skip(1).map(|m| html! { <li>{ m }</li> }) }</ul>
            }
        </div>
    }
}

fn detail(outcome: &Outcome, on_target: &Callback<Target>) -> Html {
    let (uid, uid_origin) = match outcome {
        Outcome::Runs(id) => (Some(id.uid), Some(&id.uid_origin)),
        Outcome::DependsOnImage(p) => (p.uid, p.uid_origin.as_ref()),
        Outcome::Refused(_) => return html! { <p>{ "No process runs, so there is no identity to show." }</p> },
    };
    let origin_button = |o: &Origin, gid: Option<u32>| {
        let target = target_of(o);
        let cb = on_target.clone();
        let onclick = Callback::from(move |_: MouseEvent| {
            if let Some(t) = target {
                cb.emit(t);
            }
        });
        html! {
            <li><button type="button" class="origin" data-testid="origin" data-gid={gid.map(|g| g.to_string())}
                disabled={target.is_none()} {onclick}>{ o.to_string() }</button></li>
        }
    };
    html! {
        <>
            <table class="origins" data-testid="origins">
                <caption>{ "Where each id comes from (click to see it in the inputs)" }</caption>
                <tbody>
                    <tr><th scope="row">{ uid.map_or_else(|| format!("uid: {DEPENDS}"), |u| format!("uid {u}")) }</th>
                        <td><ul>{ for uid_origin.map(|o| origin_button(o, None)) }</ul></td></tr>
                    { for outcome.gid_origins().iter().map(|g| html! {
                        <tr class={classes!(g.implicit.then_some("implicit"))} data-gid={g.gid.to_string()}>
                            <th scope="row">{ format!("gid {}{}", g.gid, g.name.as_ref().map(|n| format!(" ({n})")).unwrap_or_default()) }
                                if g.implicit { <span class="tag implicit">{ "implicit: Strict removes it" }</span> }</th>
                            <td><ul>{ for g.origins.iter().map(|o| origin_button(o, Some(g.gid))) }</ul></td>
                        </tr>
                    }) }
                </tbody>
            </table>
            if let Outcome::Runs(id) = outcome { { process_view(id) } }
        </>
    }
}

/// What `id` prints and the predicted status, for a process whose identity is known.
fn process_view(id: &Identity) -> Html {
    let status = match &id.status_user {
        Some(u) => format!(
            "user:\n  linux:\n    uid: {}\n    gid: {}\n    supplementalGroups: [{}]",
            u.linux.uid,
            u.linux.gid,
            u.linux
                .supplemental_groups
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        None => "not reported (containerd 1.7, or the feature gate is off)".to_owned(),
    };
    html! {
        <>
            <h5>{ "What id prints" }</h5>
            <pre class="id-output" data-testid="id-output">{ format!("$ id          # GNU coreutils\n{}\n$ busybox id\n{}", id.id_coreutils, id.id_busybox) }</pre>
            <h5>{ "Predicted status.containerStatuses[].user" }</h5>
            <pre class="status-user" data-testid="status-user">{ status }</pre>
        </>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::examples;

    #[derive(Properties, PartialEq)]
    struct ReportProps {
        report: Rc<Result<Report, InputError>>,
        view: PolicyView,
    }

    #[function_component(ReportView)]
    fn report_view(p: &ReportProps) -> Html {
        view_report(&p.report, p.view, &Callback::noop())
    }

    /// The results panel's HTML for an example, as the page renders it.
    fn render(example: &str, view: PolicyView) -> (Report, String) {
        let state = (examples::find(example).unwrap().state)();
        let report = podgroups_core::explain(&state.to_input()).unwrap();
        let props = ReportProps {
            report: Rc::new(Ok(report.clone())),
            view,
        };
        let html = futures::executor::block_on(yew::LocalServerRenderer::<ReportView>::with_props(props).render());
        (report, html)
    }

    /// Text as it appears in the rendered HTML (Yew escapes `&`, `<`, `>` and quotes in text).
    fn escaped(text: &str) -> String {
        text.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    }

    /// A recomputed report is a new `Rc`: the workloads and containers whose results did not change
    /// still compare equal (so they are not redrawn), the one edited does not.
    #[test]
    fn recomputed_results_compare_equal_where_they_did_not_change() {
        let mut state = (examples::find("deployment").unwrap().state)();
        let report = |s: &crate::model::State| Rc::new(podgroups_core::explain(&s.to_input()));
        let (a, b) = (report(&state), report(&state));
        let on_target = Callback::noop();
        let workload = |r: &Rc<Result<Report, InputError>>, workload| WorkloadProps {
            report: r.clone(),
            workload,
            view: PolicyView::AsWritten,
            on_target: on_target.clone(),
        };
        let container = |r: &Rc<Result<Report, InputError>>, container| ContainerProps {
            report: r.clone(),
            workload: 0,
            container,
            view: PolicyView::AsWritten,
            on_target: on_target.clone(),
        };
        assert!(!Rc::ptr_eq(&a, &b));
        assert!(workload(&a, 0) == workload(&b, 0));
        let containers = a.as_ref().as_ref().unwrap().workloads[0].containers.len();
        assert!(containers >= 2, "{containers}");
        let name = a.as_ref().as_ref().unwrap().workloads[0].containers[1].name.clone();
        state.manifest = state
            .manifest
            .replacen(&format!("- name: {name}\n"), "- name: renamed\n", 1);
        let c = report(&state);
        assert!(workload(&a, 0) != workload(&c, 0));
        assert!(container(&a, 0) == container(&c, 0));
        assert!(container(&a, 1) != container(&c, 1));
        // Another view is another drawing.
        assert!(
            workload(&a, 0)
                != WorkloadProps {
                    view: PolicyView::Strict,
                    ..workload(&a, 0)
                }
        );
    }

    /// Issue 12's "one place to change any wording": the page says an origin, a refusal's stage and the
    /// refusal in exactly the core's words — the words the JSON API carries (`api` tests) and the CLI
    /// prints (`cli/tests/cli.rs`).
    #[test]
    fn the_page_says_origins_stages_and_refusals_in_the_core_s_words() {
        let (report, html) = render("blog-merge", PolicyView::Merge);
        let c = &report.workloads[0].containers[0];
        let origins: Vec<&Origin> = c.merge.gid_origins().iter().flat_map(|g| &g.origins).collect();
        assert!(origins.len() >= 3);
        for o in origins {
            assert!(html.contains(&escaped(&o.to_string())), "{o} not in {html}");
        }
        assert!(html.contains(c.kind.describe()));
        assert!(html.contains(&escaped(&report.workloads[0].policy_as_written())));

        let (report, html) = render("rejected-unsupported-node", PolicyView::AsWritten);
        let refusal = report.workloads[0].containers[0].as_written.refusal().unwrap();
        assert!(html.contains(refusal.stage.describe()), "{html}");
        assert!(html.contains(&escaped(&refusal.to_string())), "{refusal} not in {html}");
    }
}
