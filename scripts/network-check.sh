#!/usr/bin/env bash
# The trust-store and proxy test (crates/cli/tests/network.rs). It adds a
# throw-away CA to the system's store and removes it again, so it runs as root
# (or with password-less sudo), in a desktop session for the keychain.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
# shellcheck source=scripts/in-session.sh
source scripts/in-session.sh

if [ "$(id -u)" -ne 0 ]; then
  echo "network-check changes the system's trust store: run it as root (CI does)." >&2
  exit 1
fi
in_session cargo test --locked -p topup-cli --test network -- --ignored --test-threads=1
