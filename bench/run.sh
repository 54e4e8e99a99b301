#!/usr/bin/env bash
# `make bench`: builds what is measured (Topup's release binary and .deb, the
# baseline's, the Sandbox and the CLI that signs the benchmark account in),
# then runs bench/bench.py in a private D-Bus session, Xvfb and a fresh
# gnome-keyring. Extra arguments go to bench.py (e.g. `--only startup --runs 3`).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
# shellcheck source=scripts/in-session.sh
source scripts/in-session.sh
target=${CARGO_TARGET_DIR:-$PWD/target}

make --no-print-directory package
# bench.py needs only Python's standard library; setup.sh installs the rest.
if ! command -v python3 >/dev/null; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3 >/dev/null
fi
# The same Tauri CLI and release profile (the workspace's) as Topup's package.
(cd bench/baseline && node ../../ui/node_modules/@tauri-apps/cli/tauri.js build --ci --bundles deb)
cargo build --locked -p topup-sandbox -p topup-cli

in_session python3 bench/bench.py --target "$target" --json "$target/bench/latest.json" "$@"
