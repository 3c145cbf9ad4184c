//! The repository carries its own copies of the spec and the vectors (`spec/`, `tests/vectors/`).
//! When the upstream `shared/` directory sits beside the clone, the copies must be identical to it,
//! so an upstream correction is noticed; without it the check is skipped with a note.

use podgroups_tests::{repo_dir, shared_dir, spec_path, vectors_path};
use std::path::Path;

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

#[test]
fn copies_equal_upstream_shared() {
    let Some(shared) = shared_dir() else {
        println!(
            "note: no shared/ beside {} (set PODGROUPS_SHARED to check): the copies in spec/ and \
             tests/vectors/ were not compared with upstream",
            repo_dir().display()
        );
        return;
    };
    let mut stale = Vec::new();
    for (copy, upstream) in [
        (spec_path(), shared.join("spec/semantics.md")),
        (vectors_path(), shared.join("vectors/conformance.yaml")),
    ] {
        if read(&copy) != read(&upstream) {
            stale.push(format!(
                "{} differs from {}: copy the upstream file over it and make the tests pass",
                copy.display(),
                upstream.display()
            ));
        }
    }
    assert!(stale.is_empty(), "{}", stale.join("\n"));
}
