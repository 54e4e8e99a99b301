#!/usr/bin/env bash
# Runs the tests that need a desktop session, each suite in a world of its own:
# a private D-Bus session, a virtual X display (Xvfb) and a freshly made,
# unlocked gnome-keyring, so the tests never touch the desktop, keychain or
# files of the person running them.
#   1. the keychain tests of topup-core (real Secret Service, checked with secret-tool)
#      and the topup-cli tests (the built binary, prompts through a pty);
#   2. the end-to-end suite: the real app through tauri-driver, then (for a
#      full run) a secret scan of every profile and log the suite left.
# Extra arguments go to the e2e test binary (e.g. a test name to filter on).
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$HOME/.cargo/bin:$PATH"

in_session() {
  local keyring_home
  keyring_home=$(mktemp -d -t topup-keyring-XXXXXX)
  # gnome-keyring keeps its keyrings under XDG_DATA_HOME; a stale login keyring
  # from an earlier run would be locked and make every write fail.
  local status=0
  XDG_DATA_HOME="$keyring_home" dbus-run-session -- xvfb-run -a -s "-screen 0 1280x1024x24" bash -c '
    set -euo pipefail
    echo -n topup-e2e | gnome-keyring-daemon --unlock --components=secrets >/dev/null
    exec "$@"
  ' _ "$@" || status=$?
  rm -rf "$keyring_home"
  return $status
}

in_session cargo test --locked --workspace --test keychain --test cli -- --ignored --test-threads=1

# Every journey's profile is kept until the end, when one scan reads all the
# files and logs they hold for secrets.
profiles=$(mktemp -d -t topup-e2e-profiles-XXXXXX)
export TOPUP_E2E_PROFILES="$profiles"
started=$SECONDS
status=0
in_session cargo test --locked --workspace --test e2e -- --ignored --test-threads=1 --skip secret_scan "$@" || status=$?
echo "e2e journeys: $((SECONDS - started)) s"
if [ "$status" -eq 0 ] && [ "$#" -eq 0 ]; then
  cargo test --locked --workspace --test e2e -- --ignored --nocapture --exact secret_scan::after_the_suite_no_file_or_log_of_any_profile_holds_a_secret || status=$?
fi
if [ "$status" -eq 0 ]; then
  rm -rf "$profiles"
else
  echo "the journeys' profiles are kept in $profiles" >&2
fi
exit "$status"
