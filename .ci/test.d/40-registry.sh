#!/usr/bin/env bash
# podgroups reading images from a real registry: Debian's docker-registry started here on free
# 127.0.0.1 ports, images built by umoci and pushed by skopeo. For each image, `explain --image-ref`
# from the registry (and `explain` reading each container's image: from it) must equal `explain
# --image` on the same image's docker-archive. Also: a multi-platform index, a missing tag, TLS from a
# private CA with htpasswd basic auth read from a docker config.json, a blob whose digest does not
# match, a registry cut mid-blob (clear error, cache not poisoned), --offline after a first pull, two
# concurrent runs sharing a cache, the anonymous bearer-token flow through a token server, and
# credentials from a docker credential helper. Nothing here reaches beyond 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/../.."
source .ci/lib/images.sh   # free_port, wait_up, layer, build_test_images, registry_yml, write_test_pod
cargo build -q -p podgroups-cli
bin="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/debug/podgroups"
work="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
cd "$work"
export DOCKER_CONFIG="$work/no-docker-config"   # no credentials unless a check sets them
fail() { echo "FAIL: $*"; exit 1; }
checked=0
ok() { checked=$((checked + 1)); echo "ok: $*"; }

# --- images: wh and sym of .ci/lib/images.sh (as 30-archive.sh reads them), and two more ---
build_test_images
# The same image as sym, but declared linux/arm64, for the multi-platform index.
umoci new --image oci:arm
layer arm 'mkdir -p etc; printf "arm:x:2000:2000::/:/bin/sh\n" > etc/passwd; printf "armg:x:60000:arm\n" > etc/group'
umoci config --image oci:arm --config.user arm --architecture arm64 >/dev/null
# /etc/passwd and /etc/group rewritten in the top layer over a larger base: only the top layer is needed.
umoci new --image oci:top
layer top 'mkdir -p etc usr/share; printf "old:x:1:1::/:/bin/sh\n" > etc/passwd; printf "old:x:1:\n" > etc/group;
           head -c 3000000 /dev/urandom > usr/share/blob'
# (`touch etc` makes umoci list etc/ in the layer, as BuildKit and docker do for a changed /etc.)
layer top 'printf "app:x:1000:1000::/:/bin/sh\n" > etc/passwd; printf "app:x:1000:\ntop:x:51000:app\n" > etc/group; touch -d 2001-01-01 etc'
umoci config --image oci:top --config.user app >/dev/null
python3 - <<'PY'
import json, hashlib, os
idx = json.load(open("oci/index.json"))
by = {m["annotations"]["org.opencontainers.image.ref.name"]: m for m in idx["manifests"]}
amd = dict(by["wh"]); amd.pop("annotations"); amd["platform"] = {"os": "linux", "architecture": "amd64"}
arm = dict(by["arm"]); arm.pop("annotations"); arm["platform"] = {"os": "linux", "architecture": "arm64"}
multi = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [amd, arm]}).encode()
d = hashlib.sha256(multi).hexdigest()
open(f"oci/blobs/sha256/{d}", "wb").write(multi)
idx["manifests"].append({"mediaType": "application/vnd.oci.image.index.v1+json", "digest": f"sha256:{d}", "size": len(multi),
                         "annotations": {"org.opencontainers.image.ref.name": "multi"}})
json.dump(idx, open("oci/index.json", "w"))
PY

# --- a plain-HTTP registry ---
port=$(free_port)
registry_yml "$work" "$port"
docker-registry serve registry.yml > registry.log 2>&1 & pids+=($!)
wait_up "http://127.0.0.1:$port" "" registry.log
reg="127.0.0.1:$port"
push() { skopeo --insecure-policy copy -q --dest-tls-verify=false "$@"; }
for image in wh sym arm top; do
  push "oci:oci:$image" "docker://$reg/app-$image:1"
  skopeo --insecure-policy copy -q "oci:oci:$image" "docker-archive:$image.tar:app:1"
done
push --all "oci:oci:multi" "docker://$reg/multi:1"
# Gzip and zstd layers both, as registries hold them.
push --dest-compress-format zstd "oci:oci:wh" "docker://$reg/app-wh-zstd:1"

write_test_pod
net=(--insecure-registry "$reg" -q)
same() { cmp -s "$1" "$2" || { diff "$1" "$2" | head -40; fail "$3"; }; }

# 1. Registry equals archive, for every image (and zstd layers).
for image in wh sym arm top wh-zstd; do
  archive="${image%-zstd}.tar"
  "$bin" explain pod.yaml --image "$archive" -o json > expected.json
  "$bin" explain pod.yaml --image-ref "$reg/app-$image:1" --cache-dir c1 "${net[@]}" -o json > got.json
  same expected.json got.json "--image-ref $reg/app-$image:1 differs from --image $archive"
  ok "explain --image-ref $reg/app-$image:1 equals explain --image $archive"
done
# `podgroups image --image-ref`: the same user, groups and risk as `podgroups image ARCHIVE`.
strip() { python3 -c 'import json,sys; d=json.load(sys.stdin); d.pop("archive"); print(json.dumps(d, sort_keys=True))'; }
"$bin" image wh.tar -o json | strip > expected.json
"$bin" image --image-ref "$reg/app-wh:1" --cache-dir c1 "${net[@]}" -o json | strip > got.json
same expected.json got.json "podgroups image --image-ref"
"$bin" image --image-ref "$reg/app-wh:1" --cache-dir c1 "${net[@]}" | grep -q "explain POD.yaml --image-ref $reg/app-wh:1" || fail "podgroups image --image-ref: hint"
ok "podgroups image --image-ref equals podgroups image on the archive"
# 1b. Only the top layer is downloaded when it decides both files (and the answer is still the archive's).
"$bin" explain pod.yaml --image-ref "$reg/app-top:1" --cache-dir c-top "${net[@]}" > top.txt
grep -q '1 lower layer(s) not downloaded' top.txt || { cat top.txt; fail "top layer alone: lower layer downloaded"; }
top_size=$(du -sb c-top/blobs | cut -f1); image_size=$(skopeo inspect --raw --tls-verify=false "docker://$reg/app-top:1" | python3 -c 'import json,sys; m=json.load(sys.stdin); print(sum(l["size"] for l in m["layers"]) + m["config"]["size"])')
[ "$top_size" -lt $((image_size / 4)) ] || fail "top layer alone: cached $top_size bytes of a $image_size-byte image"
ok "top layer alone: $top_size bytes cached (manifest, config, top layer) of a $image_size-byte image"
# 2. Each container's image: read from its registry, no image option at all.
sed "s#image: app:1#image: $reg/app-wh:1#" pod.yaml > pod-reg.yaml
"$bin" explain pod-reg.yaml --image wh.tar -o json > expected.json 2>/dev/null
"$bin" explain pod-reg.yaml --cache-dir c1 "${net[@]}" -o json > got.json
same expected.json got.json "explain reading each container's image from the registry"
ok "explain pod.yaml reads each container's image: from its registry"
# 3. --offline after a first pull: same answer, no network (the registry is stopped meanwhile below).
# 4. Multi-platform index: linux/amd64 by default, --platform picks, an absent platform lists choices.
"$bin" explain pod.yaml --image wh.tar -o json > expected.json
"$bin" explain pod.yaml --image-ref "$reg/multi:1" --cache-dir c1 "${net[@]}" -o json > got.json
same expected.json got.json "multi-platform index, default platform"
"$bin" explain pod.yaml --image arm.tar -o json > expected.json
"$bin" explain pod.yaml --image-ref "$reg/multi:1" --platform linux/arm64 --cache-dir c1 "${net[@]}" -o json > got.json
same expected.json got.json "multi-platform index, --platform linux/arm64"
if "$bin" explain pod.yaml --image-ref "$reg/multi:1" --platform linux/s390x --cache-dir c1 "${net[@]}" 2> err.txt; then fail "absent platform accepted"; fi
grep -q 'linux/arm64' err.txt && grep -q 'linux/amd64' err.txt && grep -q -- '--platform' err.txt || { cat err.txt; fail "absent platform: no list of choices"; }
ok "multi-platform index: default amd64, --platform arm64, absent platform lists the choices"
# 5. Missing tag.
if "$bin" explain pod.yaml --image-ref "$reg/app-wh:nope" --cache-dir c1 "${net[@]}" 2> err.txt; then fail "missing tag accepted"; fi
grep -q 'HTTP 404' err.txt && grep -q 'tag "nope"' err.txt || { cat err.txt; fail "missing tag: unclear error"; }
ok "missing tag: $(head -1 err.txt | cut -c1-160)"
# 6. Two concurrent runs sharing a fresh cache.
"$bin" explain pod.yaml --image wh.tar -o json > expected.json
"$bin" explain pod.yaml --image-ref "$reg/app-wh:1" --cache-dir shared "${net[@]}" -o json > run1.json & a=$!
"$bin" explain pod.yaml --image-ref "$reg/app-wh:1" --cache-dir shared "${net[@]}" -o json > run2.json & b=$!
wait $a; wait $b
same expected.json run1.json "concurrent run 1"; same expected.json run2.json "concurrent run 2"
[ -z "$(ls shared/tmp)" ] || fail "temporary files left in the cache"
ok "two concurrent runs sharing a cache"
# --cache-max: least recently used blobs go, those of the image just read stay (and still answer).
"$bin" explain pod.yaml --image-ref "$reg/app-sym:1" --cache-dir shared --cache-max 1 "${net[@]}" -o json > /dev/null
"$bin" explain pod.yaml --image sym.tar -o json > expected-sym.json
"$bin" explain pod.yaml --image-ref "$reg/app-sym:1" --cache-dir shared --offline -o json > got.json
same expected-sym.json got.json "--cache-max kept the image just read"
if "$bin" explain pod.yaml --image-ref "$reg/app-wh:1" --cache-dir shared --offline 2> err.txt > /dev/null; then fail "--cache-max 1 kept an older image"; fi
ok "--cache-max evicts older blobs, keeps those just used"
# A redirect loop is refused.
lport=$(free_port)
cat > loop.py <<'PY'
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/v2/":
            self.send_response(200); self.send_header("Content-Length", "2"); self.end_headers(); self.wfile.write(b"{}")
        else:
            self.send_response(302); self.send_header("Location", self.path); self.send_header("Content-Length", "0"); self.end_headers()
    def log_message(self, *a): pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
python3 loop.py "$lport" & pids+=($!)
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$lport/v2/" -o /dev/null && break; sleep 0.1; done
if "$bin" explain pod.yaml --image-ref "127.0.0.1:$lport/app:1" --insecure-registry "127.0.0.1:$lport" -q --cache-dir loop 2> err.txt; then fail "redirect loop accepted"; fi
grep -q 'redirect' err.txt || { cat err.txt; fail "redirect loop: unclear error"; }
ok "redirect loop refused: $(grep -o 'too many redirects[^:]*' err.txt | head -1)"
# 7. A registry that stops mid-blob: clear error, nothing cached; then the real registry fills the cache.
pport=$(free_port)
cat > cut.py <<'PY'
import http.client, http.server, sys
up, port = sys.argv[1], int(sys.argv[2])
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        c = http.client.HTTPConnection(up); c.request("GET", self.path, headers={k: v for k, v in self.headers.items() if k.lower() != "host"})
        r = c.getresponse(); body = r.read()
        self.send_response(r.status)
        for k, v in r.getheaders():
            if k.lower() not in ("connection", "transfer-encoding"): self.send_header(k, v)
        self.end_headers()
        if "/blobs/" in self.path and len(body) > 64:
            self.wfile.write(body[: len(body) // 2]); self.wfile.flush(); self.connection.close()
        else:
            self.wfile.write(body)
    def log_message(self, *a): pass
http.server.ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
PY
python3 cut.py "$reg" "$pport" & pids+=($!)
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$pport/v2/" -o /dev/null && break; sleep 0.1; done
if "$bin" explain pod.yaml --image-ref "127.0.0.1:$pport/app-wh:1" --insecure-registry "127.0.0.1:$pport" -q --cache-dir cut 2> err.txt; then fail "cut blob accepted"; fi
grep -q 'stopped sending blob' err.txt || { cat err.txt; fail "cut blob: unclear error"; }
[ -z "$(ls cut/blobs/sha256 2>/dev/null | while read h; do [ "$(sha256sum "cut/blobs/sha256/$h" | cut -c1-64)" = "$h" ] || echo "$h"; done)" ] || fail "cache poisoned"
"$bin" explain pod.yaml --image-ref "$reg/app-wh:1" --cache-dir cut "${net[@]}" -o json > got.json
same expected.json got.json "after a cut download"
ok "registry cut mid-blob: $(grep -o 'stopped sending blob[^;]*' err.txt | head -1 | cut -c1-120)…; cache not poisoned"
# 8. A blob whose digest does not match: flip a byte of a layer in the registry's storage.
layer_digest=$(skopeo inspect --raw --tls-verify=false "docker://$reg/app-sym:1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["layers"][0]["digest"].split(":")[1])')
data="store/docker/registry/v2/blobs/sha256/${layer_digest:0:2}/$layer_digest/data"
python3 - "$data" <<'PY'
import sys
p = sys.argv[1]; b = bytearray(open(p, "rb").read()); b[len(b) // 2] ^= 0xff; open(p, "wb").write(bytes(b))
PY
if "$bin" explain pod.yaml --image-ref "$reg/app-sym:1" --cache-dir bad "${net[@]}" 2> err.txt; then fail "corrupt blob accepted"; fi
grep -qi 'digest' err.txt && grep -q 'refused' err.txt || { cat err.txt; fail "corrupt blob: unclear error"; }
[ ! -e "bad/blobs/sha256/$layer_digest" ] || fail "corrupt blob cached"
ok "blob with a wrong digest refused: $(grep -io 'digest mismatch[^;]*' err.txt | head -1 | cut -c1-100)"
# Progress: drawn on standard error when it is a terminal (`script` gives the command a pty), never with -q
# or in a pipe.
script -qec "'$bin' explain pod.yaml --image-ref '$reg/app-top:1' --insecure-registry '$reg' --cache-dir pty1 > /dev/null" /dev/null > pty.txt
grep -q 'pulling 1 image' pty.txt || { cat -v pty.txt | head -5; fail "no progress on a terminal"; }
script -qec "'$bin' explain pod.yaml --image-ref '$reg/app-top:1' --insecure-registry '$reg' -q --cache-dir pty2 > /dev/null" /dev/null > pty-q.txt
! grep -q 'pulling' pty-q.txt || fail "progress shown with -q"
"$bin" explain pod.yaml --image-ref "$reg/app-top:1" --insecure-registry "$reg" --cache-dir pty3 > /dev/null 2> pipe.txt
! grep -q 'pulling' pipe.txt || fail "progress shown in a pipe"
ok "progress on a terminal only: $(tr '\r' '\n' < pty.txt | grep -a -m1 -o 'pulling.*' | tr -s ' ' | cut -c1-60)"
# 3 (end). --offline with the registry stopped: served from the cache; a tag never pulled is not cached.
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true
"$bin" explain pod.yaml --image wh.tar -o json > expected.json
"$bin" explain pod.yaml --image-ref "$reg/app-wh:1" --cache-dir c1 --offline -o json > got.json
same expected.json got.json "--offline after a first pull"
"$bin" explain pod.yaml --image-ref "$reg/multi:1" --cache-dir c1 --offline -o json > got.json
same expected.json got.json "--offline, multi-platform index"
PODGROUPS_OFFLINE=1 "$bin" explain pod.yaml --image-ref "$reg/app-wh:1" --cache-dir c1 -o json > got.json
same expected.json got.json "PODGROUPS_OFFLINE=1 after a first pull"
if "$bin" explain pod.yaml --image-ref "$reg/app-wh:2" --cache-dir c1 --offline 2> err.txt; then fail "uncached tag offline accepted"; fi
grep -q 'not in the cache' err.txt || { cat err.txt; fail "--offline miss: unclear"; }
if "$bin" explain pod.yaml --image-ref "$reg/app-wh:1" --cache-dir c1 "${net[@]}" 2> err.txt; then fail "stopped registry: answered"; fi
grep -q 'cannot reach the registry' err.txt || { cat err.txt; fail "stopped registry: unclear error"; }
# Each container's image: from a stopped registry: explained with the image unknown, the reason on stderr.
"$bin" explain pod-reg.yaml --cache-dir c-stopped "${net[@]}" -o json > got.json 2> err.txt || fail "stopped registry, per container: exit $?"
grep -q 'cannot reach the registry' err.txt && grep -q 'image unknown' err.txt || { cat err.txt; fail "stopped registry, per container: no reason"; }
python3 -c 'import json,sys; cs=json.load(open("got.json"))[0]["workloads"][0]["containers"]; sys.exit(0 if all(c["image_unknown"]==["user","passwd","group"] for c in cs) else 1)' || fail "stopped registry: image not unknown"
ok "--offline after a first pull, with the registry stopped; a network failure is an error (--image-ref) or an unknown image (each container's image:), never an empty image"

# --- TLS from a private CA, htpasswd basic auth, credentials from a docker config.json ---
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=podgroups test CA" -keyout ca.key -out ca.pem 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout srv.key -out srv.csr 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\n' > san.ext
openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile san.ext -out srv.pem 2>/dev/null
htpasswd -Bbn tester s3cret > htpasswd
tport=$(free_port)
registry_yml "$work/tls" "$tport" "tls: {certificate: $work/srv.pem, key: $work/srv.key}" "{htpasswd: {realm: podgroups, path: $work/htpasswd}}"
docker-registry serve tls/registry.yml > tls/registry.log 2>&1 & pids+=($!)
wait_up "https://127.0.0.1:$tport" "tester:s3cret" tls/registry.log
treg="127.0.0.1:$tport"
skopeo --insecure-policy copy -q --dest-tls-verify=false --dest-creds tester:s3cret "oci:oci:wh" "docker://$treg/app-wh:1"
mkdir -p dockercfg
printf '{"auths": {"%s": {"auth": "%s"}}}\n' "$treg" "$(printf tester:s3cret | base64)" > dockercfg/config.json
"$bin" explain pod.yaml --image wh.tar -o json > expected.json
DOCKER_CONFIG="$work/dockercfg" "$bin" explain pod.yaml --image-ref "$treg/app-wh:1" --registry-ca ca.pem -q --cache-dir tc -o json > got.json
same expected.json got.json "TLS + basic auth from config.json"
ok "TLS from a private CA with htpasswd basic auth read from \$DOCKER_CONFIG/config.json"
if DOCKER_CONFIG="$work/dockercfg" "$bin" explain pod.yaml --image-ref "$treg/app-wh:1" -q --cache-dir tc2 2> err.txt; then fail "unknown CA accepted"; fi
grep -q -- '--registry-ca' err.txt || { cat err.txt; fail "TLS failure does not name --registry-ca"; }
ok "unknown CA: $(head -c 160 err.txt)…"
if "$bin" explain pod.yaml --image-ref "$treg/app-wh:1" --registry-ca ca.pem -q --cache-dir tc3 2> err.txt; then fail "no credentials accepted"; fi
grep -q 'HTTP 401' err.txt && grep -q 'docker login' err.txt && grep -q 'no credentials' err.txt || { cat err.txt; fail "401 unclear"; }
ok "no credentials: HTTP 401 names what was tried"
# --- the bearer-token flow public registries use: a token server (anonymous, and with credentials from a
# docker credential helper). The registry trusts the certificate the server signs its RS256 JWTs with. ---
cat > token.py <<'PY'
import base64, http.server, json, subprocess, sys, time, urllib.parse, uuid
port, key, cert, issuer, log = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
der = subprocess.run(["openssl", "x509", "-in", cert, "-outform", "DER"], check=True, capture_output=True).stdout
b64u = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        q = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
        access = []
        for scope in q.get("scope", []):
            kind, name, actions = (scope.split(":", 2) + ["", ""])[:3]
            access.append({"type": kind, "name": name, "actions": actions.split(",") if actions else []})
        now = int(time.time())
        claims = {"iss": issuer, "sub": "", "aud": q.get("service", [""])[0], "exp": now + 300, "nbf": now - 10,
                  "iat": now, "jti": uuid.uuid4().hex, "access": access}
        head = {"typ": "JWT", "alg": "RS256", "x5c": [base64.b64encode(der).decode()]}
        signing = (b64u(json.dumps(head).encode()) + "." + b64u(json.dumps(claims).encode())).encode()
        sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key], input=signing, check=True, capture_output=True).stdout
        token = signing.decode() + "." + b64u(sig)
        auth = self.headers.get("Authorization", "")
        who = base64.b64decode(auth[6:]).decode().split(":")[0] if auth.startswith("Basic ") else "anonymous"
        with open(log, "a") as f:
            f.write(f"{who} {q.get('scope', [''])[0]}\n")
        body = json.dumps({"token": token, "access_token": token, "expires_in": 300}).encode()
        self.send_response(200); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def log_message(self, *a): pass
http.server.ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
PY
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=podgroups token issuer" -keyout tok.key -out tok.pem 2>/dev/null
kport=$(free_port)
python3 token.py "$kport" tok.key tok.pem podgroups-issuer tokens.log & pids+=($!)
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$kport/token?service=probe" -o /dev/null && break; sleep 0.1; done
bport=$(free_port)
registry_yml "$work/bearer" "$bport" "" "{token: {realm: \"http://127.0.0.1:$kport/token\", service: podgroups-registry, issuer: podgroups-issuer, rootcertbundle: $work/tok.pem}}"
docker-registry serve bearer/registry.yml > bearer/registry.log 2>&1 & pids+=($!)
for _ in $(seq 100); do [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$bport/v2/")" = 401 ] && break; sleep 0.1; done
breg="127.0.0.1:$bport"
push "oci:oci:wh" "docker://$breg/app-wh:1"
"$bin" explain pod.yaml --image wh.tar -o json > expected.json
: > tokens.log
"$bin" explain pod.yaml --image-ref "$breg/app-wh:1" --insecure-registry "$breg" -q --cache-dir bc1 -o json > got.json
same expected.json got.json "anonymous bearer token"
grep -q '^anonymous repository:app-wh:pull' tokens.log || { cat tokens.log; fail "no anonymous token was asked for"; }
ok "anonymous bearer-token flow: $(head -1 tokens.log)"
# A docker credential helper named in config.json's credHelpers gives the token server its credentials.
mkdir -p helper-bin helpercfg
cat > helper-bin/docker-credential-podgroups-test <<'SH'
#!/bin/sh
# docker credential helper protocol: `get` reads the server on stdin, prints the credentials as JSON.
[ "$1" = get ] || exit 1
read -r server
printf '{"ServerURL":"%s","Username":"helper-user","Secret":"helper-secret"}' "$server"
SH
chmod +x helper-bin/docker-credential-podgroups-test
printf '{"credHelpers": {"%s": "podgroups-test"}}\n' "$breg" > helpercfg/config.json
: > tokens.log
PATH="$work/helper-bin:$PATH" DOCKER_CONFIG="$work/helpercfg" "$bin" explain pod.yaml --image-ref "$breg/app-wh:1" --insecure-registry "$breg" -q --cache-dir bc2 -o json > got.json
same expected.json got.json "credential helper"
grep -q '^helper-user repository:app-wh:pull' tokens.log || { cat tokens.log; fail "the credential helper's user did not reach the token server"; }
ok "credentials from a docker credential helper (credHelpers) sent to the token server: $(head -1 tokens.log)"
echo "$checked passed, 0 failed: podgroups reading from docker-registry equals podgroups reading the archives"
