#!/usr/bin/env bash
# make soak: purchase flows through the built topup-cli against the Sandbox
# binary under chaos (crates/cli/tests/soak.rs), in a session of its own with a
# real Secret Service. SOAK_FLOWS (default 200), SOAK_CHAOS (0.3), SOAK_SEED (1).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
export SOAK_FLOWS="${SOAK_FLOWS:-200}" SOAK_CHAOS="${SOAK_CHAOS:-0.3}" SOAK_SEED="${SOAK_SEED:-1}"

# shellcheck source=scripts/in-session.sh
source scripts/in-session.sh

in_session cargo test --locked -p topup-cli --test soak -- --ignored --nocapture
