#!/usr/bin/env bash
# Image archives made by the real tools, read by podgroups: umoci writes the layers (whiteouts, opaque
# re-creation of /etc, symlinks, hard links), skopeo converts them to docker-archive, oci-archive and
# zstd, and skopeo's dir: format. For every archive, `podgroups explain --image` must equal `podgroups explain` with the files
# that `umoci unpack` puts in the root filesystem, given by hand. Also builds the core's archive
# feature for wasm32-unknown-unknown.
set -euo pipefail
cd "$(dirname "$0")/../.."
source .ci/lib/images.sh   # build_test_images, write_test_pod
echo "-- podgroups-image (no registry feature) for wasm32-unknown-unknown"
cargo build -q -p podgroups-image --target wasm32-unknown-unknown
cargo build -q -p podgroups-cli
bin="$(cargo xtask target-dir)/debug/podgroups"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"

write_test_pod

build_test_images

checked=0
for image in wh sym; do
  umoci unpack --rootless --image "oci:$image" "ref-$image" >/dev/null
  rootfs="ref-$image/rootfs"
  # The USER given by hand is the one written with `umoci config` above.
  case "$image" in wh) by_hand=(--image-user app) ;; sym) by_hand=(--image-user 1000) ;; esac
  # A file the image lacks is said to be absent (--no-…): left out, it would be unknown.
  if [ -e "$rootfs/etc/passwd" ]; then by_hand+=(--passwd "$rootfs/etc/passwd"); else by_hand+=(--no-passwd); fi
  if [ -e "$rootfs/etc/group" ]; then by_hand+=(--group "$rootfs/etc/group"); else by_hand+=(--no-group); fi
  "$bin" explain pod.yaml "${by_hand[@]}" -o json > expected.json
  skopeo --insecure-policy copy -q "oci:oci:$image" "docker-archive:$image-docker.tar:app:1"
  skopeo --insecure-policy copy -q "oci:oci:$image" "oci-archive:$image-oci.tar:app:1"
  skopeo --insecure-policy copy -q --dest-compress-format zstd "oci:oci:$image" "oci-archive:$image-zstd.tar:app:1"
  skopeo --insecure-policy copy -q "oci:oci:$image" "dir:$image-dir"
  for archive in "$image-docker.tar" "$image-oci.tar" "$image-zstd.tar" "$image-dir" oci; do
    ref=()
    [ "$archive" = oci ] && ref=(--image-ref "$image")
    "$bin" explain pod.yaml --image "$archive" "${ref[@]}" -o json > got.json
    if ! cmp -s expected.json got.json; then
      echo "MISMATCH: $archive ($image)"; diff expected.json got.json | head -40; exit 1
    fi
    # The real tools' digests verify.
    "$bin" image "$archive" "${ref[@]}" --verify-digests -o json > /dev/null
    checked=$((checked + 1))
  done
done
# The whiteout image really exercises the interesting paths.
"$bin" image wh-docker.tar | tee summary.txt
grep -q '/etc/group:  /usr/lib/group.alt from layer 0' summary.txt
grep -q 'gets 50000(alt)' summary.txt
echo "$checked passed, 0 failed: podgroups on umoci/skopeo archives equals the unpacked files by hand"
