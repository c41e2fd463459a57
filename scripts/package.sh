#!/usr/bin/env bash
# Packages one built tollgate binary into a release archive and its checksum line.
#
#   scripts/package.sh VERSION TARGET BINARY OUT_DIR
#
# Writes OUT_DIR/tollgate-VERSION-TARGET.tar.gz (.zip for Windows targets) holding the binary,
# README.md and CHANGELOG.md at the archive's top level, and OUT_DIR/<archive>.sha256 with one
# `<sha256>  <archive>` line in the format of `sha256sum`; the release workflow concatenates
# those lines into SHA256SUMS. Runs with the tools of every hosted runner (bash, tar, and
# sha256sum or shasum; zip, 7z or Python for the .zip).
set -euo pipefail

if [ "$#" -ne 4 ]; then
  echo "usage: $0 VERSION TARGET BINARY OUT_DIR" >&2
  exit 2
fi
version=$1
target=$2
binary=$3
out_dir=$4

# The names end up in file names and in SHA256SUMS: refuse anything but plain tokens.
if ! [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$ ]]; then
  echo "error: version '$version' is not MAJOR.MINOR.PATCH[-PRE]" >&2
  exit 2
fi
if ! [[ "$target" =~ ^[a-z0-9_]+(-[a-z0-9_]+){2,3}$ ]]; then
  echo "error: target '$target' is not a target triple" >&2
  exit 2
fi
if [ ! -f "$binary" ]; then
  echo "error: binary '$binary' does not exist" >&2
  exit 2
fi

root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out_dir"
out_dir=$(cd "$out_dir" && pwd)
name="tollgate-$version-$target"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

exe=tollgate
case "$target" in
  *windows*) exe=tollgate.exe; archive="$name.zip" ;;
  *) archive="$name.tar.gz" ;;
esac
cp "$binary" "$stage/$exe"
chmod 755 "$stage/$exe"
cp "$root/README.md" "$root/CHANGELOG.md" "$stage/"
files=("$exe" README.md CHANGELOG.md)

rm -f "$out_dir/$archive"
case "$archive" in
  *.zip)
    if command -v zip >/dev/null 2>&1; then
      (cd "$stage" && zip -q -X "$out_dir/$archive" "${files[@]}")
    elif command -v 7z >/dev/null 2>&1; then
      (cd "$stage" && 7z a -tzip -bd "$out_dir/$archive" "${files[@]}" >/dev/null)
    else
      python=$(command -v python3 || command -v python)
      (cd "$stage" && "$python" -m zipfile -c "$out_dir/$archive" "${files[@]}")
    fi
    ;;
  *)
    (cd "$stage" && tar -czf "$out_dir/$archive" "${files[@]}")
    ;;
esac

if command -v sha256sum >/dev/null 2>&1; then
  sum=$(sha256sum "$out_dir/$archive")
else
  sum=$(shasum -a 256 "$out_dir/$archive")
fi
sum=${sum%% *}
printf '%s  %s\n' "$sum" "$archive" >"$out_dir/$archive.sha256"
echo "$out_dir/$archive"
