#!/usr/bin/env bash
# podgroups-audit is pure so the playground can run it: prove it builds for wasm32-unknown-unknown,
# with and without YAML. Its tests (audit/tests, cli/tests/audit.rs) run in `cargo test --workspace`.
# Then `podgroups audit` against a real registry: Debian's docker-registry on a free 127.0.0.1 port
# holding images built by umoci and pushed by skopeo, and a dump (built from the Kubernetes API types
# by audit/examples/registry_dump.rs) whose containers name them by running imageID digest, by image
# reference, and one image the registry does not have. The 10,000-pod benchmark is a measurement, not
# a check: see audit/README.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$PWD"
echo "-- podgroups-audit for wasm32-unknown-unknown"
cargo build -q -p podgroups-audit --target wasm32-unknown-unknown
cargo build -q -p podgroups-audit --no-default-features --target wasm32-unknown-unknown

echo "-- podgroups audit against a local registry"
cargo build -q -p podgroups-cli
cargo build -q -p podgroups-audit --example registry_dump
target="$(cargo xtask target-dir)"
bin="$target/debug/podgroups"
source .ci/lib/images.sh
work="$(mktemp -d)"
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
cd "$work"
export DOCKER_CONFIG="$work/no-docker-config"
fail() { echo "FAIL: $*"; exit 1; }

# The images of 40-registry.sh: `wh` reaches /etc/group through a symlink into a lower layer
# (alt:x:50000:app on line 1); `top` rewrites /etc/group in its top layer (top:x:51000:app on line 2).
umoci init --layout oci >/dev/null
umoci new --image oci:wh
layer wh 'mkdir -p etc usr/lib; printf "root:x:0:0::/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n" > etc/passwd;
          printf "root:x:0:\napp:x:1000:\nwheel:x:10:app\n" > etc/group; printf "alt:x:50000:app\n" > usr/lib/group.alt'
layer wh 'rm etc/group; ln -s ../usr/lib/group.alt etc/group'
umoci config --image oci:wh --config.user app >/dev/null
umoci new --image oci:top
layer top 'mkdir -p etc; printf "app:x:1000:1000::/:/bin/sh\n" > etc/passwd; printf "app:x:1000:\ntop:x:51000:app\n" > etc/group'
umoci config --image oci:top --config.user app >/dev/null
read -r pid reg < <(start_registry "$work")
for image in wh top; do
  skopeo --insecure-policy copy -q --dest-tls-verify=false "oci:oci:$image" "docker://$reg/app-$image:1"
done
digest=$(skopeo inspect --tls-verify=false "docker://$reg/app-wh:1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Digest"])')
"$target/debug/examples/registry_dump" "$reg" "$digest" "$work"

status=0
"$bin" audit pods.json --nodes nodes.json --insecure-registry "$reg" --cache-dir cache -q -o json > report.json 2> err.txt || status=$?
[ "$status" = 0 ] || { cat err.txt; fail "podgroups audit exited $status"; }
python3 - "$reg" <<'PY' || { cat err.txt; fail "the audit's report"; }
import json, sys
reg = sys.argv[1]
r = json.load(open("report.json"))
rows = {(w["kind"], w["name"]): w for w in r["workloads"]}
def container(kind, name):
    return rows[(kind, name)]["containers"][0]
def implicit(c):
    return {g["gid"]: g for g in c["implicit_groups"]}

# By the running imageID digest: 50000 with its /etc/group line, and observed by the kubelet too.
web = container("Deployment", "web")
assert [p["image_match"] for p in web["predictions"]] == ["image-id"], web["predictions"]
g = implicit(web)[50000]
assert g["group_line"] == {"line": 1, "name": "alt"} and g["observed"], g
assert web["strict_would_remove"] == [50000], web
# By the image reference (no status yet): 51000 from the top layer's /etc/group, line 2.
pending = container("Pod", "pending")
assert {p["image_match"] for p in pending["predictions"]} == {"reference"}, pending["predictions"]
g = implicit(pending)[51000]
assert g["group_line"] == {"line": 2, "name": "top"} and not g["observed"], g
# Not in the registry: unknown, with the reason, never an image without groups.
gone = container("Pod", "gone")
assert not gone["implicit_groups_known"] and gone["implicit_groups"] == [], gone
assert any(f"{reg}/missing:1" in u for u in gone["unknown"]), gone["unknown"]
assert r["summary"]["containers_unknown"] == 1, r["summary"]
print("ok: by imageID 50000 (alt, line 1; observed), by reference 51000 (top, line 2), missing image unknown")
PY
grep -q "missing:1" err.txt && grep -q "404" err.txt || { cat err.txt; fail "the unreadable image is not named with its HTTP status"; }
echo "ok: the unreadable image is named on standard error: $(grep -m1 -o "[^ ]*missing:1.*" err.txt | cut -c1-140)"
# The table for people shows the provenance too.
"$bin" audit pods.json --nodes nodes.json --insecure-registry "$reg" --cache-dir cache -q > table.txt 2>/dev/null
grep -q "50000(alt:1,observed)" table.txt && grep -q "51000(top:2)" table.txt && grep -q "unknown" table.txt \
  || { cat table.txt; fail "the table lacks the /etc/group provenance"; }
echo "ok: the table names each implicit gid's /etc/group line"
# --check fails on this cluster (implicit groups, an unknown image).
if "$bin" audit pods.json --nodes nodes.json --insecure-registry "$reg" --cache-dir cache -q --check > /dev/null 2>&1; then
  fail "--check passed a cluster with implicit groups"
fi
echo "ok: --check exits 1"
cd "$root"
