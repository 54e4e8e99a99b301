# Sourced by tests/e2e/run.sh and bench/run.sh. `in_session <command…>` runs a
# command in a world of its own: a private D-Bus session, a virtual X display
# (Xvfb) and a freshly made, unlocked gnome-keyring, so tests and benchmarks
# never touch the desktop, keychain or files of the person running them.
in_session() {
  local keyring_home
  keyring_home=$(mktemp -d -t topup-keyring-XXXXXX)
  # gnome-keyring keeps its keyrings under XDG_DATA_HOME; a stale login keyring
  # from an earlier run would be locked and make every write fail.
  local status=0
  XDG_DATA_HOME="$keyring_home" dbus-run-session -- xvfb-run -a -s "-screen 0 1280x1024x24" bash -c '
    set -euo pipefail
    echo -n topup-session | gnome-keyring-daemon --unlock --components=secrets >/dev/null
    exec "$@"
  ' _ "$@" || status=$?
  rm -rf "$keyring_home"
  return $status
}
