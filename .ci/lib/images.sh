# Shared by the suites that build images with umoci and serve them from Debian's docker-registry
# (.ci/test.d/30-archive.sh, 40-registry.sh, 50-audit.sh). Source it; nothing here runs by itself.

# A free TCP port on 127.0.0.1.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# wait_up URL [USER:PASSWORD] LOG: waits for a registry's /v2/ to answer; shows LOG if it never does.
wait_up() { for _ in $(seq 100); do curl -fsk "$1/v2/" -o /dev/null ${2:+-u "$2"} && return 0; sleep 0.1; done; echo "registry $1 did not start"; cat "$3"; exit 1; }

# layer IMAGE SCRIPT: one more layer of oci:IMAGE holding what SCRIPT changes in the unpacked root filesystem.
layer() {
  umoci unpack --rootless --image "oci:$1" b >/dev/null
  (cd b/rootfs && eval "$2")
  umoci repack --image "oci:$1" b >/dev/null
  rm -rf b
}

# build_test_images: an OCI layout ./oci holding the two images the archive and registry suites read.
# `wh`: /etc/group replaced by a relative symlink into a lower layer, then /etc recreated from scratch
# with /etc/passwd a hard link whose source a later layer replaces (the link keeps the old content);
# USER app. `sym`: a symlinked /etc and no /etc/group; USER 1000.
build_test_images() {
  umoci init --layout oci >/dev/null
  umoci new --image oci:wh
  layer wh 'mkdir -p etc usr/lib; printf "root:x:0:0::/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n" > etc/passwd;
            printf "root:x:0:\napp:x:1000:\nwheel:x:10:app\n" > etc/group; printf "alt:x:50000:app\n" > usr/lib/group.alt'
  layer wh 'rm etc/group; ln -s ../usr/lib/group.alt etc/group'
  layer wh 'rm -rf etc; mkdir etc; printf "app:x:1000:1000::/:/bin/sh\n" > usr/lib/passwd.master; ln usr/lib/passwd.master etc/passwd;
            ln -s ../usr/lib/group.alt etc/group'
  layer wh 'printf "changed:x:1:1::/:/bin/sh\n" > usr/lib/passwd.master.new; mv usr/lib/passwd.master.new usr/lib/passwd.master'
  umoci config --image oci:wh --config.user app >/dev/null
  umoci new --image oci:sym
  layer sym 'mkdir -p usr/etc; printf "app:x:1000:1000::/:/bin/sh\n" > usr/etc/passwd; ln -s usr/etc etc'
  umoci config --image oci:sym --config.user 1000 >/dev/null
}

# registry_yml DIR PORT [HTTP] [AUTH]: DIR/registry.yml for a docker-registry storing in DIR/store and
# listening on 127.0.0.1:PORT; HTTP adds to its `http` map (e.g. `tls: {…}`), AUTH is its `auth` map.
registry_yml() {
  mkdir -p "$1/store"
  {
    printf 'version: 0.1\nlog: {level: error}\nstorage: {filesystem: {rootdirectory: %s}}\n' "$1/store"
    printf 'http: {addr: 127.0.0.1:%s%s}\n' "$2" "${3:+, $3}"
    if [ -n "${4:-}" ]; then printf 'auth: %s\n' "$4"; fi
  } > "$1/registry.yml"
}

# start_registry DIR: a plain-HTTP docker-registry storing in DIR/store on a free port; prints
# `PID HOST:PORT` once it answers (the caller stops PID).
start_registry() {
  local dir="$1" port
  port=$(free_port)
  registry_yml "$dir" "$port"
  docker-registry serve "$dir/registry.yml" > "$dir/registry.log" 2>&1 &
  local pid=$!
  wait_up "http://127.0.0.1:$port" "" "$dir/registry.log" >&2
  echo "$pid 127.0.0.1:$port"
}

# The pod both image suites explain: one container on the image's USER, one with pinned ids.
write_test_pod() {
  cat > pod.yaml <<'POD'
kind: Pod
metadata: {name: p}
spec:
  securityContext: {supplementalGroups: [4000]}
  containers:
  - {name: main, image: app:1}
  - {name: pinned, image: app:1, securityContext: {runAsUser: 1000, runAsGroup: 3000}}
POD
}
