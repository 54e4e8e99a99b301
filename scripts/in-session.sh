# Sourced by tests/e2e/run.sh and bench/run.sh. `in_session <command…>` runs a
# command in a world of its own: a private D-Bus session, a private "system"
# bus (where a test plays NetworkManager), a virtual X display (Xvfb) and a
# freshly made, unlocked gnome-keyring, so tests and benchmarks never touch
# the desktop, system services, keychain or files of the person running them.
in_session() {
  local keyring_home
  keyring_home=$(mktemp -d -t topup-keyring-XXXXXX)
  # gnome-keyring keeps its keyrings under XDG_DATA_HOME; a stale login keyring
  # from an earlier run would be locked and make every write fail.
  local status=0
  XDG_DATA_HOME="$keyring_home" dbus-run-session -- xvfb-run -a -s "-screen 0 1280x1024x24" bash -c '
    set -euo pipefail
    echo -n topup-session | gnome-keyring-daemon --unlock --components=secrets >/dev/null
    # A second bus with the session policy: a test may own the system
    # services'"'"' names on it.
    { read -r DBUS_SYSTEM_BUS_ADDRESS; read -r system_bus_pid; } \
      < <(dbus-daemon --session --fork --nopidfile --print-address=1 --print-pid=1)
    export DBUS_SYSTEM_BUS_ADDRESS
    trap '"'"'kill "$system_bus_pid" 2>/dev/null || true'"'"' EXIT
    "$@"
  ' _ "$@" || status=$?
  rm -rf "$keyring_home"
  return $status
}
