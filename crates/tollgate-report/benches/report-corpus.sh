#!/usr/bin/env bash
# Times `tollgate report` on the 5,000 generated templates of tollgate-iac's scan bench,
# against `tollgate run` on the same files, in every format: CPU time, wall time, peak memory
# and output size. Run from the repository root:
#
#   bash crates/tollgate-report/benches/report-corpus.sh [CORPUS_DIR]
#
# The corpus is generated into CORPUS_DIR (default /tmp/tollgate-report-corpus) when it is
# not there yet. Uses the release binary, built first.
set -euo pipefail
corpus=${1:-/tmp/tollgate-report-corpus}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
if [ ! -d "$corpus" ]; then
  cargo bench -p tollgate-iac --bench scan --profile dev -- --generate-only "$corpus" >&2
fi
cargo build --release -p tollgate-cli >&2
bin=${CARGO_TARGET_DIR:-target}/release/tollgate
measure() {
  local label=$1 file=$2
  shift 2
  /usr/bin/time -f "%U %S %e %M" -o "$out/time" "$bin" "$@" >/dev/null 2>"$out/stderr" || true
  # The last line: `time` first says so when the command exits non-zero (findings do).
  read -r user sys wall rss < <(tail -n 1 "$out/time")
  printf '%-16s cpu %6.2f s  wall %6.2f s  peak %5d MiB  output %s\n' "$label" \
    "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" "$wall" "$((rss / 1024))" \
    "$(if [ -f "$file" ]; then du -h "$file" | cut -f1; else echo -; fi)"
}
echo "corpus: $corpus ($(find "$corpus" -type f | wc -l) files, $(du -sh "$corpus" | cut -f1)); load: $(cut -d' ' -f1-3 /proc/loadavg)"
measure "run (sarif)" "$out/run.sarif" run "$corpus" --offline --format sarif --output "$out/run.sarif"
for format in json markdown html; do
  measure "report $format" "$out/report.$format" report "$corpus" --offline --format "$format" -o "$out/report.$format"
done
