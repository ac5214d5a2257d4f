#!/usr/bin/env bash
# Size report: each Lambda's release `bootstrap` (stripped, as deployed) and its zip.
# Builds for this machine's architecture with cargo; `sam build` builds arm64 the same way.
#   ./infra/sizes.sh
set -euo pipefail
cd "$(dirname "$0")/.."
functions=$(cd functions && ls -d */ | tr -d / | grep -v -e '^core$' -e '^cli$')
packages=""
for f in $functions; do packages="$packages -p frontdesk-$f"; done
# shellcheck disable=SC2086
cargo build --release --quiet $packages
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
printf '%-18s %12s %12s\n' function bootstrap zip
for f in $functions; do
  cp "target/release/$f" "$work/bootstrap"
  (cd "$work" && rm -f f.zip && python3 -c "import zipfile; z=zipfile.ZipFile('f.zip','w',zipfile.ZIP_DEFLATED); z.write('bootstrap'); z.close()")
  awk -v f="$f" -v b="$(stat -c %s "$work/bootstrap")" -v z="$(stat -c %s "$work/f.zip")" \
    'BEGIN { printf "%-18s %10.1f MB %10.1f MB\n", f, b / 1048576, z / 1048576 }'
done
