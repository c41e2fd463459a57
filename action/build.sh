#!/usr/bin/env bash
# Builds tollgate from the action's own source, for action refs that are not a release (a
# branch, or a commit no release binary was built from). The cargo registry and the target
# directory are cached by the action's previous step, keyed on Cargo.lock.
#
# Environment: TOLLGATE_ACTION_PATH, TOLLGATE_TARGET_DIR, GITHUB_OUTPUT.
set -euo pipefail

if ! command -v cargo >/dev/null 2>&1; then
  echo "::error title=tollgate install::building tollgate from source needs cargo (https://rustup.rs); or use a release: uses: <owner>/tollgate@vX.Y.Z, or the version input" >&2
  exit 1
fi
cargo build --release --locked \
  --manifest-path "$TOLLGATE_ACTION_PATH/Cargo.toml" \
  --target-dir "$TOLLGATE_TARGET_DIR" \
  -p tollgate-cli --bin tollgate
exe=tollgate
case "${RUNNER_OS:-}" in Windows) exe=tollgate.exe ;; esac
echo "bin=$TOLLGATE_TARGET_DIR/release/$exe" >>"${GITHUB_OUTPUT:-/dev/null}"
