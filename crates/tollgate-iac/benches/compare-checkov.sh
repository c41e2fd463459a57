#!/usr/bin/env bash
# Side-by-side wall time of the release `tollgate run` and Checkov on the same generated corpus.
#
#   crates/tollgate-iac/benches/compare-checkov.sh [N ...]     (default N: 5000)
#
# For each N: writes the deterministic N-template corpus (benches/corpus.rs), times
#   tollgate run DIR --format sarif --fail-on none                 (all built-in stages)
#   tollgate run DIR --format sarif --fail-on none --stages iac    (the IaC stage alone)
#   checkov -d DIR --framework cloudformation,terraform,serverless --quiet --compact -o json
# with /usr/bin/time (wall seconds, max RSS), prints the ratios, and writes the accuracy
# spot-check (spot-check.py) next to the outputs.
#
# Environment:
#   TOLLGATE         a tollgate binary to time (default: the release build, built here)
#   CHECKOV          a checkov executable to use (default: installed from PyPI into CHECKOV_VENV)
#   CHECKOV_VENV     where Checkov is installed if missing (default ~/.cache/tollgate-bench/checkov-venv)
#   CHECKOV_VERSION  the PyPI version to install (default 3.3.30)
#   BENCH_DIR        where corpora and outputs go (default: a new temporary directory)
#   SKIP_CHECKOV=1   time tollgate only
#
# Checkov gets `--skip-download` so that it does not spend time fetching guideline metadata
# from its vendor's API; the scan itself is unchanged.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
workspace=$(cd "$here/../../.." && pwd)
venv=${CHECKOV_VENV:-$HOME/.cache/tollgate-bench/checkov-venv}
version=${CHECKOV_VERSION:-3.3.30}
out=${BENCH_DIR:-$(mktemp -d -t tollgate-compare-XXXXXX)}
mkdir -p "$out"
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(5000)

if [ ! -x /usr/bin/time ]; then
    echo "error: /usr/bin/time is missing (Debian package \`time\`)" >&2
    exit 2
fi

checkov=${CHECKOV:-$venv/bin/checkov}
if [ -z "${SKIP_CHECKOV:-}" ] && [ ! -x "$checkov" ]; then
    echo "installing checkov==$version into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet "checkov==$version"
fi

cd "$workspace"
tollgate=${TOLLGATE:-}
if [ -z "$tollgate" ]; then
    echo "building the release binary" >&2
    cargo build --quiet --release -p tollgate-cli
    tollgate="$workspace/target/release/tollgate"
fi

# Wall seconds and max RSS (KiB) of a command, into "$1.time"; the command's own output into
# "$1.out" / "$1.err". Non-zero exits are expected (Checkov exits 1 when checks fail).
timed() {
    local name=$1
    shift
    /usr/bin/time -o "$name.time" -f '%e %M' "$@" >"$name.out" 2>"$name.err" || true
}

field() { cut -d' ' -f"$2" "$1.time" | tail -n1; }

printf '%-7s %-26s %10s %12s\n' "N" "command" "wall (s)" "max RSS (MiB)"
for n in "${sizes[@]}"; do
    corpus="$out/corpus-$n"
    if [ ! -d "$corpus" ]; then
        cargo bench --quiet -p tollgate-iac --bench scan -- -n "$n" --generate-only "$corpus"
    fi
    load=$(cut -d' ' -f1-3 /proc/loadavg)

    timed "$out/tollgate-all-$n" "$tollgate" run "$corpus" --format sarif --fail-on none
    timed "$out/tollgate-iac-$n" "$tollgate" run "$corpus" --format sarif --fail-on none --stages iac
    rows=(tollgate-all tollgate-iac)
    if [ -z "${SKIP_CHECKOV:-}" ]; then
        timed "$out/checkov-$n" "$checkov" -d "$corpus" \
            --framework cloudformation,terraform,serverless --quiet --compact -o json --skip-download
        rows+=(checkov)
    fi
    for row in "${rows[@]}"; do
        f="$out/$row-$n"
        printf '%-7s %-26s %10s %12.1f\n' "$n" "$row" "$(field "$f" 1)" \
            "$(awk -v k="$(field "$f" 2)" 'BEGIN { print k / 1024 }')"
    done
    if [ -z "${SKIP_CHECKOV:-}" ]; then
        awk -v c="$(field "$out/checkov-$n" 1)" -v a="$(field "$out/tollgate-all-$n" 1)" \
            -v i="$(field "$out/tollgate-iac-$n" 1)" -v n="$n" 'BEGIN {
            printf "%-7s checkov / tollgate (all stages) = %.1fx, checkov / tollgate (iac) = %.1fx\n",
                n, c / (a > 0.01 ? a : 0.01), c / (i > 0.01 ? i : 0.01)
        }'
        # Which Checkov checks fired against tollgate's equivalents (README, accuracy spot-check).
        "$tollgate" run "$corpus" --format json --fail-on none --stages iac \
            >"$out/tollgate-iac-$n.json" 2>/dev/null || true
        "$tollgate" rules --format json >"$out/rules.json"
        python3 "$here/spot-check.py" --examples "$out/checkov-$n.out" "$out/tollgate-iac-$n.json" \
            "$out/rules.json" >"$out/spot-check-$n.md"
        echo "accuracy spot-check: $out/spot-check-$n.md" >&2
    fi
    echo "load average before the runs: $load" >&2
done
echo "outputs in $out" >&2
