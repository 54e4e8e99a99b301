#!/usr/bin/env bash
# Runs the tests that need a desktop session, each suite in a world of its own
# (scripts/in-session.sh: private D-Bus, Xvfb, a fresh unlocked gnome-keyring).
#   1. the keychain tests of topup-core (real Secret Service, checked with secret-tool)
#      and the topup-cli tests (the built binary, prompts through a pty), then a
#      20-flow soak (the CLI against the Sandbox binary under chaos);
#   2. the end-to-end suite: the real app through tauri-driver, then (for a
#      full run) a secret scan of every profile and log the suite left.
# Extra arguments go to the e2e test binary (e.g. a test name to filter on).
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$HOME/.cargo/bin:$PATH"

# shellcheck source=scripts/in-session.sh
source scripts/in-session.sh

in_session cargo test --locked --workspace --test keychain --test cli -- --ignored --test-threads=1
# In a keyring of its own: keychain.rs ends by locking the one it used.
in_session cargo test --locked -p topup-core --test native_keychain -- --ignored
# In a session of its own: it lets gnome-keyring's prompter reach the display.
in_session cargo test --locked -p topup-core --test keychain_prompt -- --ignored
# 20 purchase flows under chaos (make soak runs 200), its summary line printed.
SOAK_FLOWS=20 in_session cargo test --locked -p topup-cli --test soak -- --ignored --nocapture

# Every journey's profile is kept until the end, when one scan reads all the
# files and logs they hold for secrets.
profiles=$(mktemp -d -t topup-e2e-profiles-XXXXXX)
export TOPUP_E2E_PROFILES="$profiles"
started=$SECONDS
status=0
in_session cargo test --locked --workspace --test e2e -- --ignored --test-threads=1 --skip secret_scan --skip updates:: "$@" || status=$?
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
