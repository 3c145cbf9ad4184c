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

# start_registry DIR: a plain-HTTP docker-registry storing in DIR/store on a free port; prints
# `PID HOST:PORT` once it answers (the caller stops PID).
start_registry() {
  local dir="$1" port
  port=$(free_port)
  mkdir -p "$dir/store"
  printf 'version: 0.1\nlog: {level: error}\nstorage: {filesystem: {rootdirectory: %s}}\nhttp: {addr: 127.0.0.1:%s}\n' "$dir/store" "$port" > "$dir/registry.yml"
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
