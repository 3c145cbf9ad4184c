//! What one keystroke costs the playground, natively: the engine on a 1,000-line manifest with a
//! 5,000-line /etc/group (from text, and as the app runs it on a keystroke) (budget 16 ms in the browser), the editor overlay (whole, and the splice
//! of one keystroke), the share link.
//! `cargo bench -p podgroups-playground --bench keystroke`. The browser numbers come from
//! tests/e2e/budgets.mjs; both are reported in playground/README.md.

use podgroups_playground::highlight::{self, Decor, Lang};
use podgroups_playground::model::State;
use podgroups_playground::{state, url};
use std::time::Instant;

fn large_state() -> State {
    let mut manifest = String::new();
    for i in 0..40 {
        manifest.push_str(&format!(
            "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: pod-{i}\n  namespace: bench\nspec:\n  securityContext:\n    runAsUser: {}\n    runAsGroup: 3000\n    supplementalGroups: [4000, 4001]\n  initContainers:\n  - name: init\n    image: example.com/init:1\n    securityContext:\n      runAsUser: 0\n  containers:\n  - name: app\n    image: example.com/app:1\n    securityContext:\n      runAsGroup: {}\n      allowPrivilegeEscalation: false\n  - name: side\n    image: example.com/side:1\n    # padding\n",
            1000 + i % 3,
            3000 + i
        ));
    }
    let group: String = (0..5000)
        .map(|i| {
            let members = if i % 250 == 0 {
                "u1000,u1001".to_owned()
            } else {
                format!("other{i}")
            };
            format!("group{i}:x:{}:{members}\n", 10000 + i)
        })
        .collect();
    State {
        manifest,
        group,
        passwd:
            "root:x:0:0:root:/root:/bin/sh\nu1000:x:1000:1000::/home/u:/bin/sh\nu1001:x:1001:1001::/home/v:/bin/sh\n"
                .into(),
        ..State::default()
    }
}

fn time<T>(label: &str, runs: u32, mut f: impl FnMut() -> T) {
    let _ = f();
    let mut samples: Vec<f64> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(f());
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    let median = samples.get(samples.len() / 2).copied().unwrap_or(0.0);
    let max = samples.last().copied().unwrap_or(0.0);
    println!("{label:<44} median {median:>8.3} ms   max {max:>8.3} ms");
}

fn main() {
    let s = large_state();
    println!(
        "manifest {} lines, /etc/group {} lines",
        s.manifest.lines().count(),
        s.group.lines().count()
    );
    match state::compute(&s).0 {
        Ok(r) => println!(
            "{} workloads, {} containers",
            r.workloads.len(),
            r.workloads.iter().map(|w| w.containers.len()).sum::<usize>()
        ),
        Err(e) => println!("input error: {e}"),
    }
    time("explain (engine), image parsed and manifest read before", 30, || {
        state::compute(&s)
    });
    // One keystroke, as the app computes it: the edited document is read and explained again.
    let mut typed = s.clone();
    let at = typed.manifest.rfind("name: side").unwrap_or(0) + "name: side".len();
    let mut flip = false;
    time("explain (engine), one keystroke in the manifest", 30, || {
        flip = !flip;
        typed.manifest.insert(at, if flip { 'x' } else { 'y' });
        let r = state::compute(&typed);
        typed.manifest.remove(at);
        r
    });
    let input = s.to_input();
    time("explain (engine), everything from text", 30, || {
        podgroups_core::explain(&input)
    });
    time("manifest overlay (highlight::render)", 30, || {
        highlight::render(&s.manifest, Lang::Yaml, Decor::default())
    });
    // What the editor does on a keystroke: splice in the one line that changed.
    let mut overlay = highlight::Overlay::default();
    overlay.update(&s.manifest, Lang::Yaml, Decor::default());
    let edited = s.manifest.replacen("name: side", "name: sidex", 1);
    let mut flip = false;
    time("manifest overlay, one keystroke (Overlay::update)", 30, || {
        flip = !flip;
        overlay.update(if flip { &edited } else { &s.manifest }, Lang::Yaml, Decor::default())
    });
    time("/etc/group overlay (highlight::render)", 30, || {
        highlight::render(&s.group, Lang::Group, Decor::default())
    });
    time("share link (url::encode, when typing pauses)", 10, || url::encode(&s));
}
