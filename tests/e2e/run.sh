#!/usr/bin/env bash
# Runs the end-to-end suite in a world of its own: a private D-Bus session, a
# virtual X display (Xvfb) and a freshly made, unlocked gnome-keyring, so the
# tests never touch the desktop, keychain or files of the person running them.
# Extra arguments go to the test binary (e.g. a test name to filter on).
set -euo pipefail
cd "$(dirname "$0")/../.."

keyring_home=$(mktemp -d -t topup-keyring-XXXXXX)
trap 'rm -rf "$keyring_home"' EXIT
# gnome-keyring keeps its keyrings under XDG_DATA_HOME; a stale login keyring
# from an earlier run would be locked and make every write fail.
export XDG_DATA_HOME="$keyring_home"
export PATH="$HOME/.cargo/bin:$PATH"

dbus-run-session -- xvfb-run -a -s "-screen 0 1280x1024x24" bash -c '
  set -euo pipefail
  echo -n topup-e2e | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  exec cargo test --locked --test e2e -- --ignored --test-threads=1 "$@"
' _ "$@"
