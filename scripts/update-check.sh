#!/usr/bin/env bash
# The update journey (tests/e2e/updates.rs) on real packages:
#   1. two test packages of the current sources, this version and the next,
#      that trust a throw-away key pair made here (never the release key);
#   2. the next one signed with that key (bound to its version), with a second
#      throw-away key, and a copy of it changed after signing;
#   3. the first package installed with dpkg, then the journey: the installed
#      Topup finds the update on a local server, refuses the forged ones and
#      installs the real one (through the plugin's own `sudo dpkg -i`).
# The package is removed again afterwards unless Topup was installed before.
# Test builds have their own target directory: their features and embedded
# configuration differ from the e2e build's, and sharing one would rebuild
# both on every run. A debug profile without debug info keeps them quick.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
# shellcheck source=scripts/in-session.sh
source scripts/in-session.sh
TAURI=(node ui/node_modules/@tauri-apps/cli/tauri.js)

if [ "$(id -u)" -ne 0 ]; then
  echo "update-check installs packages with dpkg: run it as root (CI does)." >&2
  exit 1
fi
if dpkg -s topup >/dev/null 2>&1; then
  echo "update-check needs a machine without Topup installed (it installs and removes it)." >&2
  exit 1
fi

work=$(mktemp -d -t topup-update-check-XXXXXX)
cleanup() {
  dpkg -r topup >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

current=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
IFS=. read -r major minor patch <<<"$current"
next="$major.$minor.$((patch + 1))"
echo "$next" > "$work/next-version"

export CI=true
"${TAURI[@]}" signer generate -w "$work/key" -p "" --ci >/dev/null
"${TAURI[@]}" signer generate -w "$work/other-key" -p "" --ci >/dev/null
pubkey=$(cat "$work/key.pub")

started=$SECONDS
test_build() {
  CARGO_TARGET_DIR="$HOME/.cache/topup/update-target" CARGO_PROFILE_DEV_DEBUG=0 \
    "${TAURI[@]}" build --debug --ci --bundles deb \
    --config "{\"version\":\"$1\",\"plugins\":{\"updater\":{\"pubkey\":\"$pubkey\"}}}" >"$work/build-$1.log" 2>&1 ||
    { tail -n 40 "$work/build-$1.log" >&2; exit 1; }
  cp "$HOME/.cache/topup/update-target/debug/bundle/deb/Topup_$1_amd64.deb" "$work/"
}
test_build "$current"
test_build "$next"
echo "update-check: test packages $current and $next built in $((SECONDS - started)) s"

package="$work/Topup_${next}_amd64.deb"
sign() { # key file → signature text of $package, bound to its version
  "${TAURI[@]}" signer sign -f "$1" -p "" --app-version "$next" "$package" >/dev/null
  cat "$package.sig"
  rm "$package.sig"
}
sign "$work/other-key" > "$work/wrong-key.sig"
sign "$work/key" > "$work/good.sig"
# The same package with one byte of its last member changed: still a .deb to
# look at, no longer what was signed.
cp "$package" "$work/tampered.deb"
size=$(stat -c %s "$work/tampered.deb")
printf '\x00' | dd of="$work/tampered.deb" bs=1 seek=$((size - 100)) conv=notrunc status=none

dpkg -i "$work/Topup_${current}_amd64.deb" >/dev/null
echo "update-check: installed $(dpkg-query -W -f='${Package} ${Version}' topup)"
TOPUP_E2E_APP=/usr/bin/topup TOPUP_UPDATE_FIXTURES="$work" \
  in_session cargo test --locked --test e2e -- --ignored --exact \
  updates::a_signed_update_waits_for_the_purchase_then_installs_and_a_forged_one_is_refused
echo "update-check: $(dpkg-query -W -f='${Package} ${Version}' topup) installed by the update"
# The updater writes the package to a temporary folder of its own: gone again.
if compgen -G "/tmp/tauri_deb_update*" >/dev/null; then
  echo "update-check: the updater left $(echo /tmp/tauri_deb_update*) behind" >&2
  exit 1
fi
