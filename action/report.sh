#!/usr/bin/env bash
# Writes the compliance report (one self-contained HTML file) for the GitHub Action, before
# the scan step, so the uploaded file's URL can be linked from the pull request summary.
#
# Every input arrives in the environment (INPUT_*), never interpolated into this script.
# `auto` makes the report only when the config names frameworks (`[compliance] frameworks`);
# `true` makes it for every framework tollgate maps when none is named. The step output `file`
# is the report's path, empty when no report was made.
set -uo pipefail

bin=${TOLLGATE_BIN:?the install step sets TOLLGATE_BIN}
mode=${INPUT_COMPLIANCE_REPORT:-auto}
out_dir=${RUNNER_TEMP:-${TMPDIR:-/tmp}}/tollgate-compliance
file="$out_dir/tollgate-compliance.html"

output() { echo "$1=$2" >>"${GITHUB_OUTPUT:-/dev/null}"; }
case "$mode" in
  false) output file ""; exit 0 ;;
  auto | true) ;;
  *)
    echo "::error title=tollgate::compliance-report must be auto, true or false, not \`$mode\`"
    output file ""
    exit 2
    ;;
esac

mkdir -p "$out_dir"
rm -f "$file"
args=(report --format html --output "$file")
[ "$mode" = "auto" ] && args+=(--if-configured)
if [ -n "${INPUT_CONFIG:-}" ]; then args+=(--config "$INPUT_CONFIG"); fi
args+=(-- "${INPUT_PATH:-.}")
"$bin" "${args[@]}"
code=$?
if [ "$code" -ne 0 ]; then
  # The report is evidence, not the gate: the scan step still runs and decides.
  echo "::warning title=tollgate::the compliance report could not be made (exit code $code)"
fi
if [ -f "$file" ]; then output file "$file"; else output file ""; fi
exit 0
