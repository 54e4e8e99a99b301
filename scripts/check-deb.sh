#!/usr/bin/env bash
# Installs the freshly built .deb with dpkg, checks what it put on the system
# (binary, a desktop entry and AppStream metainfo that pass their validators,
# icons at the usual sizes, the dependencies), starts the installed Topup under
# Xvfb in a private D-Bus session with a fresh home and checks that its window
# comes up; then removes the package again and checks that nothing it put in
# system directories is left, unless Topup was installed before.
set -euo pipefail
bundle_dir="$1"
deb=$(ls -t "$bundle_dir"/deb/*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || { echo "no .deb in $bundle_dir/deb: run \`make package\`" >&2; exit 1; }

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if ! sudo -n true 2>/dev/null; then
    echo "Installing $deb needs root or password-less sudo." >&2
    exit 1
  fi
  sudo="sudo"
fi

was_installed=false
dpkg -s topup >/dev/null 2>&1 && was_installed=true
echo "installing $(basename "$deb")"
$sudo dpkg -i "$deb" >/dev/null
files=$(dpkg -L topup)
removed=false
cleanup() {
  if ! $was_installed && ! $removed; then $sudo dpkg -r topup >/dev/null || true; fi
}
trap cleanup EXIT

fail() { echo "deb-check: $*" >&2; exit 1; }
grep -qx /usr/bin/topup <<<"$files" || fail "the package has no /usr/bin/topup"
desktop=$(grep '^/usr/share/applications/.*\.desktop$' <<<"$files") || fail "no desktop entry"
grep -q '^Categories=.*Finance' "$desktop" || fail "$desktop is not in the Finance category"
grep -q '^Exec=topup' "$desktop" || fail "$desktop does not start topup"
for size in 32x32 48x48 64x64 128x128 256x256 512x512; do
  grep -q "^/usr/share/icons/hicolor/$size/apps/topup.png$" <<<"$files" || fail "no $size icon"
done
grep -q '^/usr/share/icons/hicolor/scalable/apps/topup.svg$' <<<"$files" || fail "no scalable icon"
# Only the folders hicolor defines (the bundler names a 256 px "@2x" icon 256x256@2).
if grep '^/usr/share/icons/hicolor/[^/]*@' <<<"$files"; then fail "an icon folder hicolor does not define"; fi
desktop-file-validate "$desktop" || fail "$desktop does not pass desktop-file-validate"
metainfo=/usr/share/metainfo/app.topup.Topup.metainfo.xml
grep -qx "$metainfo" <<<"$files" || fail "no AppStream metainfo"
appstreamcli validate --no-net --explain "$metainfo" >/dev/null || {
  appstreamcli validate --no-net "$metainfo" >&2; fail "$metainfo does not pass appstreamcli validate"; }
grep -q "<launchable type=\"desktop-id\">$(basename "$desktop")</launchable>" "$metainfo" ||
  fail "the metainfo does not launch $(basename "$desktop")"
version=$(dpkg-deb -f "$deb" Version)
grep -q "<release version=\"$version\"" "$metainfo" || fail "the metainfo has no <release> for $version"
dpkg-deb -f "$deb" Depends | grep -q libwebkit2gtk-4.1 || fail "the package does not depend on WebKitGTK"
dpkg-deb -f "$deb" Recommends | grep -q 'gnome-keyring | kwalletmanager' ||
  fail "the package does not recommend a Secret Service provider"
echo "deb-check: desktop entry and metainfo valid, icons 32 to 512 px and scalable, $(dpkg-deb -f "$deb" Recommends) recommended"

home=$(mktemp -d -t topup-deb-check-XXXXXX)
status=0
HOME="$home" XDG_CONFIG_HOME="$home/config" XDG_DATA_HOME="$home/data" \
XDG_CACHE_HOME="$home/cache" XDG_STATE_HOME="$home/state" \
  dbus-run-session -- xvfb-run -a -s "-screen 0 1280x1024x24" bash -c '
    set -euo pipefail
    # The installed binary, found on PATH as a launcher would.
    topup > "$HOME/topup.log" 2>&1 &
    pid=$!
    deadline=$((SECONDS + 30))
    # Up means: a visible window titled Topup, and the app saying it started.
    until window=$(xdotool search --onlyvisible --name "^Topup$" 2>/dev/null | head -n 1) &&
          [ -n "$window" ] && grep -q "Topup started" "$HOME/topup.log"; do
      kill -0 "$pid" 2>/dev/null || { echo "the installed Topup exited:"; cat "$HOME/topup.log"; exit 1; }
      [ $SECONDS -lt $deadline ] || { echo "no Topup window within 30 s:"; cat "$HOME/topup.log"; exit 1; }
      sleep 0.2
    done
    geometry=$(xdotool getwindowgeometry "$window" | tr -s " " | paste -sd " ")
    echo "the installed Topup shows its window: $geometry"
    kill "$pid"
    wait "$pid" 2>/dev/null || true
  ' >"$home/session.log" 2>&1 || status=$?
grep -E "^(the installed Topup|no |the installed)" "$home/session.log" || true
if [ "$status" -ne 0 ]; then
  cat "$home/session.log" >&2
fi
# The desktop portal may have left its document store mounted in the fresh home.
fusermount -u "$home/cache/doc" 2>/dev/null || true
rm -rf "$home" 2>/dev/null || echo "deb-check: could not remove $home entirely" >&2
[ "$status" -eq 0 ] || exit "$status"

if ! $was_installed; then
  $sudo dpkg -r topup >/dev/null
  removed=true
  # Directories are shared with other packages; every file must be gone.
  left=$(while read -r path; do [ -f "$path" ] && echo "$path"; done <<<"$files" || true)
  [ -z "$left" ] || fail "removing the package left files behind: $left"
  dpkg -s topup >/dev/null 2>&1 && fail "dpkg still knows the package"
  echo "deb-check: removed, nothing left in system directories"
fi
