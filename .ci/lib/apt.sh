# Shared by the install steps in .ci/install.d/ (run from the repo root). Source it; nothing here runs by itself.

# apt_install [--no-install-recommends] PACKAGE...: installs Debian's PACKAGEs quietly; nothing at all
# (not even `apt-get update`) when none is named, so an install step that finds its tools is fast.
apt_install() {
  local options=()
  if [ "${1:-}" = --no-install-recommends ]; then options+=("$1"); shift; fi
  [ "$#" -gt 0 ] || return 0
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${options[@]}" "$@" >/dev/null
}
