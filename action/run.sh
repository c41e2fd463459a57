#!/usr/bin/env bash
# Runs `tollgate run` for the GitHub Action and turns its summary file into step outputs.
#
# Every input arrives in the environment (INPUT_*), never interpolated into this script.
# Each becomes exactly one argument; `args` holds one extra argument per line, so nothing a
# workflow passes is ever split on spaces, globbed or evaluated.
set -uo pipefail

bin=${TOLLGATE_BIN:?the install step sets TOLLGATE_BIN}
out_dir=${RUNNER_TEMP:-${TMPDIR:-/tmp}}
summary=${INPUT_SUMMARY_FILE:-}
[ -n "$summary" ] || summary="$out_dir/tollgate-summary.json"
sarif=${INPUT_SARIF_FILE:-tollgate.sarif}

args=(run --sarif "$sarif" --summary "$summary" --no-progress)
add() { # flag value: only when the value is set
  if [ -n "$2" ]; then args+=("$1" "$2"); fi
}
add --config "${INPUT_CONFIG:-}"
add --stages "${INPUT_STAGES:-}"
add --fail-on "${INPUT_FAIL_ON:-}"
add --baseline "${INPUT_BASELINE:-}"
add --diff-base "${INPUT_DIFF_BASE:-}"
add --shard "${INPUT_SHARD:-}"
add --format "${INPUT_FORMAT:-}"
add --output "${INPUT_OUTPUT:-}"
if [ "${INPUT_POST:-false}" = "true" ]; then
  # The token stays in the environment; only the variable's name is on the command line.
  args+=(--post --token-env TOLLGATE_GITHUB_TOKEN)
  add --filter-mode "${INPUT_FILTER_MODE:-}"
  add --gate-filter-mode "${INPUT_GATE_FILTER_MODE:-}"
  [ "${INPUT_CODE_SCANNING:-true}" = "true" ] || args+=(--no-code-scanning)
  # The summary links to the compliance report the step before uploaded: the artifact's own
  # page, else (an upload that gave no URL) the run's page, which lists its artifacts.
  report_url=${COMPLIANCE_REPORT_URL:-}
  if [ -z "$report_url" ] && [ -n "${COMPLIANCE_REPORT_FILE:-}" ] && [ -n "${GITHUB_RUN_ID:-}" ]; then
    report_url="${GITHUB_SERVER_URL:-https://github.com}/${GITHUB_REPOSITORY:-}/actions/runs/$GITHUB_RUN_ID"
  fi
  add --compliance-report-url "$report_url"
fi
if [ -n "${INPUT_ARGS:-}" ]; then
  while IFS= read -r line || [ -n "$line" ]; do
    line=${line%$'\r'}
    [ -n "$line" ] && args+=("$line")
  done <<<"$INPUT_ARGS"
fi
# PATH last, after `--`, so a path that starts with `-` is never read as a flag.
args+=(-- "${INPUT_PATH:-.}")

rm -f "$summary"
"$bin" "${args[@]}"
code=$?

output() { echo "$1=$2" >>"${GITHUB_OUTPUT:-/dev/null}"; }
output exit-code "$code"
output sarif-file "$sarif"
output summary-file "$summary"

# Fields of the summary file, read with jq or Python (one of them is on every hosted runner).
read_summary() {
  if command -v jq >/dev/null 2>&1; then
    jq -r '[.verdict, .new, .summary.by_severity.critical, .summary.by_severity.high,
      .summary.by_severity.medium, .summary.by_severity.low, .summary.by_severity.info]
      | map(tostring) | join(" ")' "$summary"
  else
    "$(command -v python3 || command -v python)" -c '
import json, sys
s = json.load(open(sys.argv[1]))
b = s["summary"]["by_severity"]
print(" ".join(str(v) for v in [s["verdict"], s["new"], b["critical"], b["high"], b["medium"], b["low"], b["info"]]))
' "$summary"
  fi
}
fields=""
if [ -f "$summary" ]; then
  fields=$(read_summary) || fields=""
fi
if [ -n "$fields" ]; then
  read -r verdict new critical high medium low info <<<"$fields"
else
  echo "::warning title=tollgate::no summary was written (exit code $code); the outputs are empty"
  verdict=error new="" critical="" high="" medium="" low="" info=""
fi
case "$verdict" in pass | fail | error) ;; *) verdict=error ;; esac
output verdict "$verdict"
output new-findings "$new"
output critical "$critical"
output high "$high"
output medium "$medium"
output low "$low"
output info "$info"
exit "$code"
