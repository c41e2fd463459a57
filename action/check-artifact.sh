#!/usr/bin/env bash
# Fetches and checks the results a pull request's untrusted scan uploaded (scan-untrusted.yml)
# before the trusted job publishes them (post/action.yml with `untrusted-run-id`, used by
# publish.yml).
#
# The artifact was produced by a job that ran the pull request's code: everything in it may
# be hostile. So it is downloaded here, not by a generic step: the zip may be at most 16 MiB,
# must hold exactly tollgate.sarif, pr-number and head-sha (no directories, links or other
# names), and each is extracted with a cap on its size, whatever the zip's headers claim.
# The pull request number must be a number whose pull request, asked of the GitHub API, has
# the triggering run's head commit as its head; and the SARIF log is read and rewritten by
# `tollgate merge`, which refuses what is not a SARIF 2.1.0 log.
#
# Environment: RUN_ID (the triggering run), EXPECTED_HEAD_SHA (its head commit), REPO
# (OWNER/NAME), GH_TOKEN, GITHUB_API_URL, TOLLGATE_BIN, RUNNER_TEMP, GITHUB_OUTPUT.
# Writes `sarif-file` and `pr` to $GITHUB_OUTPUT.
set -euo pipefail

fail() {
  echo "::error title=tollgate untrusted results::$*"
  exit 1
}
python=$(command -v python3 || command -v python) || fail "python3 is needed to read the artifact"
api=${GITHUB_API_URL:-https://api.github.com}
repo=${REPO:?}
run_id=${RUN_ID:-}
[[ "$run_id" =~ ^[0-9]{1,20}$ ]] || fail "the triggering run id is not a number"
expected=${EXPECTED_HEAD_SHA:-}
[[ "$expected" =~ ^[0-9a-f]{40}([0-9a-f]{24})?$ ]] || fail "the triggering run's head commit is not a commit id"
max_zip=16777216

get() { # url file
  curl --fail --silent --show-error --location --proto '=https,http' \
    --connect-timeout 10 --max-time 120 --retry 3 --max-filesize "$max_zip" \
    -H "Authorization: Bearer ${GH_TOKEN:?}" -H "Accept: application/vnd.github+json" \
    --output "$2" "$1"
}
work=$(mktemp -d "${RUNNER_TEMP:-/tmp}/tollgate-untrusted.XXXXXX")
get "$api/repos/$repo/actions/runs/$run_id/artifacts?name=tollgate-results" "$work/list.json" ||
  fail "could not list the artifacts of run $run_id"
read -r artifact_id artifact_size < <("$python" - "$work/list.json" <<'PY'
import json, sys
found = [a for a in json.load(open(sys.argv[1])).get("artifacts", [])
         if a.get("name") == "tollgate-results" and not a.get("expired")]
if len(found) == 1 and isinstance(found[0].get("id"), int) and isinstance(found[0].get("size_in_bytes"), int):
    print(found[0]["id"], found[0]["size_in_bytes"])
else:
    print("none 0")
PY
)
[ "$artifact_id" != none ] || fail "run $run_id has no single tollgate-results artifact"
[ "$artifact_size" -le "$max_zip" ] || fail "the tollgate-results artifact is $artifact_size bytes, over the $max_zip limit"
get "$api/repos/$repo/actions/artifacts/$artifact_id/zip" "$work/results.zip" ||
  fail "could not download the tollgate-results artifact (at most $max_zip bytes)"

# Exactly three regular files, each read with a cap: never more bytes than the limit reach
# the disk, whatever the zip claims.
mkdir "$work/results"
"$python" - "$work/results.zip" "$work/results" <<'PY' || fail "the tollgate-results artifact is not what scan-untrusted.yml uploads"
import os, stat, sys, zipfile
limits = {"tollgate.sarif": 64 * 1024 * 1024, "pr-number": 16, "head-sha": 80}
with zipfile.ZipFile(sys.argv[1]) as archive:
    entries = archive.infolist()
    names = [e.filename for e in entries]
    if sorted(names) != sorted(limits):
        sys.exit("expected exactly %s, found %d entries" % (", ".join(sorted(limits)), len(names)))
    for entry in entries:
        mode = entry.external_attr >> 16
        if entry.is_dir() or (mode and not stat.S_ISREG(mode)):
            sys.exit("%s is not a regular file" % entry.filename)
        limit = limits[entry.filename]
        if entry.file_size > limit:
            sys.exit("%s is larger than %d bytes" % (entry.filename, limit))
        with archive.open(entry) as src, open(os.path.join(sys.argv[2], entry.filename), "xb") as dst:
            data = src.read(limit + 1)
            if len(data) > limit:
                sys.exit("%s is larger than %d bytes" % (entry.filename, limit))
            dst.write(data)
PY

pr=$(tr -d '\r\n' <"$work/results/pr-number")
[[ "$pr" =~ ^[1-9][0-9]{0,9}$ ]] || fail "pr-number is not a pull request number"
head=$(tr -d '\r\n' <"$work/results/head-sha")
[ "$head" = "$expected" ] || fail "the artifact's head commit is not the triggering run's ($expected)"

# The pull request must be this repository's and have the run's head commit as its head.
get "$api/repos/$repo/pulls/$pr" "$work/pull.json" || fail "could not read pull request #$pr of $repo"
pr_head=$("$python" -c 'import json, sys
print((json.load(open(sys.argv[1])).get("head") or {}).get("sha") or "")' "$work/pull.json")
[ "$pr_head" = "$expected" ] || fail "pull request #$pr's head is not the triggering run's head commit ($expected); refusing to publish to it"

# Read and rewritten by tollgate: what reaches the publisher is a log tollgate wrote.
out="$work/tollgate.sarif"
"${TOLLGATE_BIN:?}" merge "$work/results/tollgate.sarif" -o "$out" >&2 ||
  fail "tollgate.sarif is not a valid SARIF log"
echo "sarif-file=$out" >>"${GITHUB_OUTPUT:-/dev/null}"
echo "pr=$pr" >>"${GITHUB_OUTPUT:-/dev/null}"
