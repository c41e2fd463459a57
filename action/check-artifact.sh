#!/usr/bin/env bash
# Checks the results a pull request's untrusted scan uploaded (scan-untrusted.yml) before the
# trusted job publishes them (post/action.yml with `untrusted-results`, publish.yml).
#
# The artifact was produced by a job that ran the pull request's code: everything in it may
# be hostile. It must hold exactly tollgate.sarif, pr-number and head-sha, none of them a
# link, each under its size limit; the pull request number must be a number whose pull
# request, asked of the GitHub API, has the triggering run's head commit as its head; and the
# SARIF log is read and rewritten by `tollgate merge`, which refuses what is not SARIF 2.1.0.
#
# Environment: DIR (the downloaded artifact), EXPECTED_HEAD_SHA (the triggering run's head
# commit), REPO (OWNER/NAME), GH_TOKEN, GITHUB_API_URL, TOLLGATE_BIN, RUNNER_TEMP,
# GITHUB_OUTPUT. Writes `sarif-file` and `pr` to $GITHUB_OUTPUT.
set -euo pipefail

fail() {
  echo "::error title=tollgate untrusted results::$*"
  exit 1
}
size_of() { wc -c <"$1" | tr -d ' '; }

dir=${DIR:?}
[ -d "$dir" ] && [ ! -L "$dir" ] || fail "the artifact directory is missing"
expected=${EXPECTED_HEAD_SHA:-}
[[ "$expected" =~ ^[0-9a-f]{40}([0-9a-f]{24})?$ ]] || fail "the triggering run's head commit is not a commit id"

# Exactly the three files, regular, not links, not too large.
for entry in "$dir"/* "$dir"/.[!.]*; do
  [ -e "$entry" ] || [ -L "$entry" ] || continue
  case "$(basename "$entry")" in
    tollgate.sarif | pr-number | head-sha) ;;
    *) fail "unexpected file in the artifact: $(basename "$entry" | tr -cd '[:alnum:]._-' | cut -c1-64)" ;;
  esac
done
for name in tollgate.sarif:67108864 pr-number:16 head-sha:80; do
  file="$dir/${name%%:*}"
  limit=${name##*:}
  [ -f "$file" ] && [ ! -L "$file" ] || fail "${name%%:*} is missing from the artifact or not a regular file"
  [ "$(size_of "$file")" -le "$limit" ] || fail "${name%%:*} is larger than $limit bytes"
done

pr=$(tr -d '\r\n' <"$dir/pr-number")
[[ "$pr" =~ ^[1-9][0-9]{0,9}$ ]] || fail "pr-number is not a pull request number"
head=$(tr -d '\r\n' <"$dir/head-sha")
[ "$head" = "$expected" ] || fail "the artifact's head commit is not the triggering run's ($expected)"

# The pull request must be this repository's and have the run's head commit as its head.
api=${GITHUB_API_URL:-https://api.github.com}
response=$(curl --fail --silent --show-error --location --proto '=https,http' \
  --connect-timeout 10 --max-time 60 --retry 3 \
  -H "Authorization: Bearer ${GH_TOKEN:?}" -H "Accept: application/vnd.github+json" \
  "$api/repos/${REPO:?}/pulls/$pr") || fail "could not read pull request #$pr of $REPO"
if command -v jq >/dev/null 2>&1; then
  pr_head=$(jq -r '.head.sha // ""' <<<"$response")
else
  pr_head=$("$(command -v python3 || command -v python)" -c \
    'import json,sys; print((json.load(sys.stdin).get("head") or {}).get("sha") or "")' <<<"$response")
fi
[ "$pr_head" = "$expected" ] || fail "pull request #$pr's head is not the triggering run's head commit ($expected); refusing to publish to it"

# Read and rewritten by tollgate: what reaches the publisher is a log tollgate wrote.
out="${RUNNER_TEMP:-/tmp}/tollgate-checked.sarif"
"${TOLLGATE_BIN:?}" merge "$dir/tollgate.sarif" -o "$out" || fail "tollgate.sarif is not a valid SARIF log"
echo "sarif-file=$out" >>"${GITHUB_OUTPUT:-/dev/null}"
echo "pr=$pr" >>"${GITHUB_OUTPUT:-/dev/null}"
