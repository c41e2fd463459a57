#!/usr/bin/env bash
# `tollgate post` for post/action.yml: every input arrives in the environment and becomes
# exactly one argument; the token stays in TOLLGATE_GITHUB_TOKEN.
set -uo pipefail

bin=${TOLLGATE_BIN:?the install step sets TOLLGATE_BIN}
args=(post --token-env TOLLGATE_GITHUB_TOKEN)
add() {
  if [ -n "$2" ]; then args+=("$1" "$2"); fi
}
add --repo "${INPUT_REPOSITORY:-}"
add --pr "${INPUT_PR:-}"
add --sha "${INPUT_SHA:-}"
add --fail-on "${INPUT_FAIL_ON:-}"
add --filter-mode "${INPUT_FILTER_MODE:-}"
[ "${INPUT_CODE_SCANNING:-true}" = "true" ] || args+=(--no-code-scanning)
args+=(-- "${INPUT_SARIF_FILE:?the sarif-file input is required}")
"$bin" "${args[@]}"
code=$?
echo "exit-code=$code" >>"${GITHUB_OUTPUT:-/dev/null}"
exit "$code"
