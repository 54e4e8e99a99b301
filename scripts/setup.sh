#!/usr/bin/env bash
# Installs what `make demo` and `make test` need on Debian 12 / Ubuntu 22.04+,
# skipping whatever is already there. Safe to run again; fast when nothing is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

APT_PACKAGES=(
  build-essential pkg-config curl file libssl-dev
  # Tauri on Linux: WebKitGTK, tray/appindicator, SVG icons, xdo for input
  libwebkit2gtk-4.1-dev libxdo-dev libayatana-appindicator3-dev librsvg2-dev
  # e2e: WebDriver for WebKitGTK, a virtual display, a private D-Bus with a real Secret Service
  webkit2gtk-driver xvfb xauth dbus dbus-x11 gnome-keyring libsecret-1-dev libsecret-tools
  # another window to take the focus (single-instance test), and the keyring's
  # real unlock prompt (gcr-prompter) answered from the keyboard (keychain_prompt.rs)
  x11-utils xdotool gcr
  # opening checkout pages in "the system browser", and a real browser to pay in tests
  xdg-utils chromium chromium-driver
  # the trust-store test (update-ca-certificates), and the updater's way to
  # install a .deb as root in the update journey (it runs `sudo dpkg -i`)
  ca-certificates sudo
  # kill: the update journey stops the Topup the updater relaunched (by its pid on the test bus)
  procps
  # the Linux packages' metadata, checked as software centres read it
  appstream desktop-file-utils
)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  say "Installing ${#missing[@]} system packages: ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null 2>&1; then
  say "Installing the Rust toolchain with rustup"
  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal -c rustfmt,clippy
  # shellcheck disable=SC1091
  . "$HOME/.cargo/env"
fi
for component in rustfmt clippy; do
  if ! rustup component list --installed 2>/dev/null | grep -q "^$component"; then
    rustup component add "$component"
  fi
done

node_ok() {
  command -v node >/dev/null 2>&1 &&
    node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>20||(a===20&&b>=19)?0:1)'
}
if ! node_ok; then
  if ! command -v node >/dev/null 2>&1; then
    say "Installing Node.js from the distribution"
    sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get install -y -qq nodejs npm >/dev/null
  fi
  if ! node_ok; then
    echo "Topup's UI build (Vite 8) needs Node.js 20.19 or newer; this machine has $(node --version 2>/dev/null || echo none)." >&2
    echo "Install a current Node.js (https://nodejs.org/en/download, or nvm) and run this again." >&2
    exit 1
  fi
fi

if [ ! -f ui/node_modules/.package-lock.json ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  say "Installing the UI's npm packages"
  npm ci --prefix ui --no-audit --no-fund --loglevel=error
fi

# The Tauri CLI (`make package`) goes beside the UI's packages but stays out of
# package-lock.json: a lock holding it must list its prebuilt binaries for every
# platform, and a registry mirror without them makes `npm ci` refuse the lock.
TAURI_CLI_VERSION=2.12.5
if ! grep -qs "\"version\": \"$TAURI_CLI_VERSION\"" ui/node_modules/@tauri-apps/cli/package.json; then
  say "Installing the Tauri CLI $TAURI_CLI_VERSION"
  npm install --prefix ui --no-save --no-audit --no-fund --loglevel=error "@tauri-apps/cli@$TAURI_CLI_VERSION"
fi

if ! command -v tauri-driver >/dev/null 2>&1 && [ ! -x "$HOME/.cargo/bin/tauri-driver" ]; then
  say "Installing tauri-driver"
  cargo install tauri-driver --version '^2' --locked --quiet
fi
