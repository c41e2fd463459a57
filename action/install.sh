#!/usr/bin/env bash
# Installs the tollgate binary for the GitHub Action (`action.yml`) and `setup/action.yml`.
#
# Which binary:
#   - `use-installed: true`: the `tollgate` already on PATH, as is.
#   - an explicit `version` input, or an action ref that is a release tag (`v1.2.3`, or a
#     moving `v1` / `v1.2` tag whose source says 1.x.y): that release's archive for this
#     runner's OS and architecture, verified against the release's SHA256SUMS.
#   - an action ref that is a commit: the release of the version in the action's Cargo.toml
#     when that binary says it was built from this very commit; otherwise a source build.
#   - anything else (a branch): a source build, done by the action's next steps.
#
# Every value arrives in the environment (never interpolated into this script):
#   TOLLGATE_VERSION_INPUT, TOLLGATE_USE_INSTALLED, TOLLGATE_DOWNLOAD_URL,
#   TOLLGATE_ACTION_REF, TOLLGATE_ACTION_REPOSITORY, TOLLGATE_ACTION_PATH,
#   RUNNER_OS, RUNNER_ARCH, RUNNER_TOOL_CACHE, RUNNER_TEMP, GITHUB_SERVER_URL, GITHUB_OUTPUT.
# Writes `mode` (release, installed or source), `version`, `bin`, `dir`, `lock-hash` and
# `today` to $GITHUB_OUTPUT. A checksum mismatch stops the job: it is never a fallback.
set -euo pipefail

say() { echo "tollgate: $*" >&2; }
# On stderr: install_release runs in $(...), whose stdout is the binary's path. The runner
# reads workflow commands from both streams.
fail() {
  echo "::error title=tollgate install::$*" >&2
  exit 1
}
output() { echo "$1=$2" >>"${GITHUB_OUTPUT:-/dev/null}"; }

sha256_of() {
  local sum
  if command -v sha256sum >/dev/null 2>&1; then
    sum=$(sha256sum "$1")
  else
    sum=$(shasum -a 256 "$1")
  fi
  echo "${sum%% *}"
}

action_path=${TOLLGATE_ACTION_PATH:-$(cd "$(dirname "$0")/.." && pwd)}
output today "$(date -u +%Y-%m-%d)"

# The version in the action's own source: [workspace.package] version in Cargo.toml.
source_version() {
  sed -n 's/^version = "\([^"]*\)"$/\1/p' "$action_path/Cargo.toml" 2>/dev/null | head -n 1
}

semver_re='^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$'

# The Rust target triple of the release archive for this runner.
runner_target() {
  local os=${RUNNER_OS:-$(uname -s)} arch=${RUNNER_ARCH:-$(uname -m)}
  case "$os/$arch" in
    Linux/X64 | Linux/x86_64) echo x86_64-unknown-linux-musl ;;
    Linux/ARM64 | Linux/aarch64 | Linux/arm64) echo aarch64-unknown-linux-musl ;;
    macOS/X64 | Darwin/x86_64) echo x86_64-apple-darwin ;;
    macOS/ARM64 | Darwin/arm64) echo aarch64-apple-darwin ;;
    Windows/X64) echo x86_64-pc-windows-msvc ;;
    *) return 1 ;;
  esac
}

download() { # url file
  curl --fail --silent --show-error --location --proto '=https,http' \
    --connect-timeout 10 --max-time 300 --retry 3 --retry-delay 1 \
    --output "$2" "$1"
}

# Download, verify and unpack release $1 into the tool cache; prints the binary's path.
# Returns 3 when the release or its archive does not exist (404 and the like).
install_release() {
  local version=$1 target archive exe base work expected actual dest
  target=$(runner_target) || fail "no release archive for runner ${RUNNER_OS:-?}/${RUNNER_ARCH:-?}; set use-installed or build from source"
  exe=tollgate
  case "$target" in
    *windows*) exe=tollgate.exe; archive="tollgate-$version-$target.zip" ;;
    *) archive="tollgate-$version-$target.tar.gz" ;;
  esac
  local tool_cache=${RUNNER_TOOL_CACHE:-${RUNNER_TEMP:-/tmp}/tool-cache}
  local arch_dir
  arch_dir=$(echo "${RUNNER_ARCH:-$(uname -m)}" | tr '[:upper:]' '[:lower:]')
  dest="$tool_cache/tollgate/$version/$arch_dir"
  if [ -f "$dest.complete" ] && [ -x "$dest/$exe" ]; then
    say "using tollgate $version from the tool cache ($dest)"
    echo "$dest/$exe"
    return 0
  fi

  if [ -n "${TOLLGATE_DOWNLOAD_URL:-}" ]; then
    base="${TOLLGATE_DOWNLOAD_URL%/}/v$version"
  else
    local repo=${TOLLGATE_ACTION_REPOSITORY:-tollgate-dev/tollgate}
    base="${GITHUB_SERVER_URL:-https://github.com}/$repo/releases/download/v$version"
  fi
  work=$(mktemp -d "${RUNNER_TEMP:-/tmp}/tollgate-install.XXXXXX")
  say "downloading $base/$archive"
  if ! download "$base/SHA256SUMS" "$work/SHA256SUMS" || ! download "$base/$archive" "$work/$archive"; then
    rm -rf "$work"
    return 3
  fi
  # The line for exactly this file name; anything else in SHA256SUMS is ignored.
  expected=$(awk -v name="$archive" '$2 == name || $2 == "*" name { print $1; exit }' "$work/SHA256SUMS")
  if ! [[ "$expected" =~ ^[0-9a-f]{64}$ ]]; then
    rm -rf "$work"
    fail "SHA256SUMS of tollgate $version has no checksum for $archive; refusing to install it"
  fi
  actual=$(sha256_of "$work/$archive")
  if [ "$actual" != "$expected" ]; then
    rm -rf "$work"
    fail "checksum mismatch for $archive: SHA256SUMS says $expected, the download is $actual. Refusing to run it (a corrupted or tampered download)."
  fi
  say "verified $archive against SHA256SUMS (sha256 $actual)"

  mkdir -p "$work/unpacked"
  case "$archive" in
    *.zip)
      if command -v unzip >/dev/null 2>&1; then
        unzip -q "$work/$archive" -d "$work/unpacked"
      elif command -v 7z >/dev/null 2>&1; then
        7z x -bd -o"$work/unpacked" "$work/$archive" >/dev/null
      else
        "$(command -v python3 || command -v python)" -m zipfile -e "$work/$archive" "$work/unpacked"
      fi
      ;;
    *) tar -xzf "$work/$archive" -C "$work/unpacked" ;;
  esac
  [ -f "$work/unpacked/$exe" ] || fail "$archive holds no $exe"
  chmod 755 "$work/unpacked/$exe"
  rm -rf "$dest"
  mkdir -p "$(dirname "$dest")"
  mv "$work/unpacked" "$dest"
  touch "$dest.complete"
  rm -rf "$work"
  echo "$dest/$exe"
}

release_or_die() { # version
  local bin status=0
  bin=$(install_release "$1") || status=$?
  if [ "$status" -eq 3 ]; then
    fail "tollgate $1 could not be downloaded (no such release, or the download failed)"
  fi
  [ "$status" -eq 0 ] || exit "$status"
  finish release "$1" "$bin"
}

finish() { # mode version bin
  output mode "$1"
  output version "$2"
  output bin "$3"
  output dir "$(dirname "$3")"
  say "installed $("$3" -V | head -n 1)"
  exit 0
}

if [ "${TOLLGATE_USE_INSTALLED:-false}" = "true" ]; then
  bin=$(command -v tollgate) || fail "use-installed is true but no tollgate is on PATH"
  finish installed "" "$bin"
fi

requested=${TOLLGATE_VERSION_INPUT:-}
requested=${requested#v}
if [ -n "$requested" ]; then
  [[ "$requested" =~ $semver_re ]] || fail "version '$requested' is not a release version (MAJOR.MINOR.PATCH)"
  release_or_die "$requested"
fi

ref=${TOLLGATE_ACTION_REF:-}
if [[ "$ref" =~ ^v([0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?)$ ]]; then
  release_or_die "${BASH_REMATCH[1]}"
fi
if [[ "$ref" =~ ^v([0-9]+(\.[0-9]+)?)$ ]]; then
  # A moving major (or minor) tag: the source it points at names the exact version.
  prefix=${BASH_REMATCH[1]}
  version=$(source_version)
  case "$version" in
    "$prefix".*) release_or_die "$version" ;;
    *) fail "the action at $ref says version '${version:-?}', which is not $prefix.x; set the version input" ;;
  esac
fi
if [[ "$ref" =~ ^[0-9a-f]{40}$ ]]; then
  # A commit pin: use the release only if its binary was built from this commit.
  version=$(source_version)
  if [[ "$version" =~ $semver_re ]]; then
    status=0
    bin=$(install_release "$version") || status=$?
    if [ "$status" -eq 0 ]; then
      built_from=$("$bin" -V | head -n 1 | sed -n 's/.*(commit \([0-9a-f]*\),.*/\1/p')
      if [ -n "$built_from" ] && [ "${ref#"$built_from"}" != "$ref" ]; then
        finish release "$version" "$bin"
      fi
      say "release $version was built from ${built_from:-an unknown commit}, not $ref"
    elif [ "$status" -ne 3 ]; then
      exit "$status"
    fi
  fi
fi

say "the action ref '${ref:-?}' is not a release: building tollgate from source"
lock_hash=$(sha256_of "$action_path/Cargo.lock")
output mode source
output version "$(source_version)"
output lock-hash "$lock_hash"
