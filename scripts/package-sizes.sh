#!/usr/bin/env bash
# Prints the sizes of what `make package` built: the release binary and the
# Linux packages, in bytes and MiB.
set -euo pipefail
bundle_dir="$1"
release_dir="$(dirname "$bundle_dir")"
printf '%-50s %12s %9s\n' "artifact" "bytes" "MiB"
for f in "$release_dir/topup" "$bundle_dir"/deb/*.deb "$bundle_dir"/rpm/*.rpm; do
  [ -e "$f" ] || continue
  bytes=$(stat -c %s "$f")
  awk -v name="$(basename "$f")" -v bytes="$bytes" 'BEGIN { printf "%-50s %12d %9.2f\n", name, bytes, bytes / 1048576 }'
done
