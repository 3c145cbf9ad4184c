#!/usr/bin/env bash
# Documentation integrations (issue 13). Builds the npm package (`cargo xtask embed`, reusing the wasm
# 10-web.sh optimized), packs it and checks the tarball; builds a tiny Hugo site (shortcode + the
# `mdbook-podgroups hugo` companion), a tiny mdBook book (preprocessor) and a Vite app (the packed
# package, type-checked), each from the tarball's files; checks that broken examples fail each build
# with file and line, or show the error with on-error=show; then the browser tests on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/../.."
target="$(cargo xtask target-dir)"
version="$(cargo metadata --format-version 1 --no-deps \
  | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).packages.find(p=>p.name==="mdbook-podgroups").version))')"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "-- cargo xtask embed"
cargo xtask embed
echo "-- npm pack"
(cd embed && npm pack --json --pack-destination "$work" > "$work/pack.json")
node tests/embed/check-pack.mjs "$work/pack.json" "$version"
grep -q "version $version " integrations/hugo/layouts/shortcodes/podgroups.html || {
  echo "the Hugo shortcode's header must say version $version"; exit 1; }
tarball="$work/podgroups-embed-$version.tgz"
unpack() { rm -rf "$1"; mkdir -p "$1"; tar -xzf "$tarball" -C "$1" --strip-components=1; }
unpack "$work/package"

# The preprocessor is installable from its .crate alone (with the core it depends on).
# Stale overlay copies and builds of our own crates from an earlier run (see 40-publish.sh).
rm -rf "${CARGO_HOME:-$HOME/.cargo}"/registry/src/-*/podgroups-* "${CARGO_HOME:-$HOME/.cargo}"/registry/src/-*/mdbook-podgroups-*
rm -rf "$target"/debug/.fingerprint/podgroups-* "$target"/debug/.fingerprint/mdbook-podgroups-*
cargo publish --dry-run --allow-dirty -p podgroups-core -p mdbook-podgroups 2>&1 | tail -n 3
cargo build -q -p mdbook-podgroups
bin="$target/debug/mdbook-podgroups"
"$bin" --version | grep -qx "mdbook-podgroups $version"

# expect_in FILE PATTERN…: FILE (a log or a page) contains every PATTERN.
expect_in() { local log="$1"; shift; for p in "$@"; do grep -q -- "$p" "$log" || { echo "missing '$p' in:"; cat "$log"; exit 1; }; done; }

echo "-- Hugo $(hugo version | cut -d' ' -f2)"
hugo_site() {
  cp -r tests/embed/hugo-site "$1"
  mkdir -p "$1/layouts/shortcodes"
  cp integrations/hugo/layouts/shortcodes/podgroups.html "$1/layouts/shortcodes/"
  "$bin" install "$work/package/dist" "$1/static/podgroups"
}
hugo_site "$work/hugo"
"$bin" hugo "$work/hugo"
hugo --quiet --source "$work/hugo" --destination "$work/hugo-public"
hugo_site "$work/hugo-broken"
cat > "$work/hugo-broken/content/broken.md" <<'MD'
---
title: Broken
---
{{< podgroups version="1.33" >}}
kind: Pod
metadata: {name: p}
spec:
  securityContext: {runAsUser: abc}
  containers: [{name: c, image: a}]
{{< /podgroups >}}
MD
"$bin" hugo "$work/hugo-broken" 2> "$work/log"
expect_in "$work/log" "content/broken.md:8: manifest"
if hugo --source "$work/hugo-broken" --destination "$work/hugo-broken-public" > "$work/log" 2>&1; then
  echo "a broken shortcode must fail the Hugo build"; exit 1
fi
expect_in "$work/log" "content/broken.md:4:" "content/broken.md:8: manifest" "on-error"
# Shown in place: site-wide (param podgroups_on_error), then per shortcode.
cp "$work/hugo-broken/hugo.toml" "$work/hugo.toml"
printf '[params]\npodgroups_on_error = "show"\n' >> "$work/hugo-broken/hugo.toml"
rm -rf "$work/hugo-broken-public"
hugo --quiet --source "$work/hugo-broken" --destination "$work/hugo-broken-public"
expect_in "$work/hugo-broken-public/broken/index.html" '<p class="pg-err" data-error>manifest'
cp "$work/hugo.toml" "$work/hugo-broken/hugo.toml"
sed -i 's/{{< podgroups version="1.33" >}}/{{< podgroups version="1.33" on-error="show" >}}/' "$work/hugo-broken/content/broken.md"
rm -rf "$work/hugo-broken-public"
hugo --quiet --source "$work/hugo-broken" --destination "$work/hugo-broken-public"
expect_in "$work/hugo-broken-public/broken/index.html" '<p class="pg-err" data-error>manifest'
# Edited without re-running the companion: no stale answer, the build says what to run.
sed -i 's/runAsUser: abc/runAsUser: 1000/' "$work/hugo-broken/content/broken.md"
if hugo --source "$work/hugo-broken" --destination "$work/hugo-broken-public" > "$work/log" 2>&1; then
  echo "an example edited after the companion ran must fail the Hugo build"; exit 1
fi
expect_in "$work/log" "content/broken.md:4:" "mdbook-podgroups hugo"

echo "-- mdBook $(mdbook --version)"
book() {
  cp -r tests/embed/book "$1"
  unpack "$1/node_modules/podgroups-embed"
}
book "$work/book"
PATH="$target/debug:$PATH" mdbook build "$work/book" 2> "$work/log" || { cat "$work/log"; exit 1; }
book "$work/book-broken"
printf -- '- [Broken](broken.md)\n' >> "$work/book-broken/src/SUMMARY.md"
printf '# Broken\n\n```podgroups\nkind: Pod\nmetadata: {name: p}\nspec:\n  securityContext: {runAsUser: abc}\n  containers: [{name: c, image: a}]\n```\n' > "$work/book-broken/src/broken.md"
if PATH="$target/debug:$PATH" mdbook build "$work/book-broken" > "$work/log" 2>&1; then
  echo "a broken podgroups block must fail the mdBook build"; exit 1
fi
expect_in "$work/log" "src/broken.md:7: podgroups: manifest"
sed -i 's/^\[preprocessor.podgroups\]$/[preprocessor.podgroups]\non-error = "show"/' "$work/book-broken/book.toml"
PATH="$target/debug:$PATH" mdbook build "$work/book-broken" 2> "$work/log" || { cat "$work/log"; exit 1; }
expect_in "$work/book-broken/book/broken.html" '<p class="pg-err" data-error>manifest'

echo "-- Vite $(tests/embed/node_modules/.bin/vite --version)"
unpack tests/embed/node_modules/podgroups-embed
(cd tests/embed && node_modules/.bin/tsc -p vite-app \
  && node_modules/.bin/vite build vite-app --outDir "$work/vite-dist" --emptyOutDir --logLevel warn)

echo "-- browser tests"
(cd tests/embed && PODGROUPS_HUGO_DIR="$work/hugo-public" PODGROUPS_BOOK_DIR="$work/book/book" \
  PODGROUPS_VITE_DIR="$work/vite-dist" node --test --test-reporter=spec embed.test.mjs)
