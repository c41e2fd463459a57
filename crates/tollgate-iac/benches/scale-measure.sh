#!/bin/sh
# Time the release binary on every input of scale-inputs.py: wall time, CPU time, peak RSS,
# exit code and the number of findings, one line per input.
# Usage: crates/tollgate-iac/benches/scale-measure.sh [OUT] [TIMEOUT_SECONDS]
#   (from the repository root, after `cargo build --release -p tollgate-cli`)
set -eu
out=${1:-/tmp/tollgate-scale}
limit=${2:-120}
bin=${TOLLGATE:-target/release/tollgate}
python3 "$(dirname "$0")/scale-inputs.py" "$out"
printf '%-16s %8s %8s %10s %5s %9s\n' input wall_s cpu_s peak_mib exit findings
for dir in tf-distinct tf-merge tf-buckets cfn-buckets config-rules config-ignores; do
    set +e
    /usr/bin/time -v -o "$out/$dir.time" timeout "$limit" "$bin" run "$out/$dir" \
        --no-progress --format json >"$out/$dir.json" 2>"$out/$dir.err"
    code=$?
    set -e
    wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$out/$dir.time" |
        awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
    cpu=$(awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.2f", s }' "$out/$dir.time")
    rss=$(awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$out/$dir.time")
    findings=$(python3 -c 'import json,sys
try: print(len(json.load(open(sys.argv[1]))["findings"]))
except Exception: print("-")' "$out/$dir.json")
    printf '%-16s %8s %8s %10s %5s %9s\n' "$dir" "$wall" "$cpu" "$rss" "$code" "$findings"
done
