#!/usr/bin/env bash
# Pull-request benchmark: the cost of `tollgate run --diff-base` against a plain run of the
# same repository, in CPU time (user + system) and peak memory, with /usr/bin/time.
#
#   scripts/bench-diff-base.sh [TEMPLATES] [RUNS]          (defaults: 600 and 3)
#
# The repository is the deterministic generated corpus of the IaC bench (`cargo bench -p
# tollgate-iac --bench scan -- -n TEMPLATES --generate-only DIR`) committed once, then changed
# in a second commit in one of two ways, each measured in its own repository:
#   comment   `# changed` appended to cfn/g00/stack-00000.yaml (the model is the same);
#   runtime   the first `Runtime: nodejs20.x` of that template set to `nodejs16.x` (a real
#             change: a new finding in one deployment unit);
#   terraform the first `runtime = "python3.11"` of the first Terraform module holding one set
#             to `python3.8` (all Terraform configurations are one deployment unit, so the
#             base maps all of them again).
# Plain runs and `--diff-base HEAD~1` runs alternate, RUNS of each, and the script prints one
# line per run and the ratio of the CPU medians.
#
# Environment:
#   TOLLGATE   the binary to time (default target/release/tollgate, built when missing)
#   STAGES     the stages to run (default iac,permissions)
#   OUT        where the repositories go (default: a new temporary directory)
#   KINDS      the changes to measure (default: comment runtime terraform)
set -euo pipefail
cd "$(dirname "$0")/.."

templates=${1:-600}
runs=${2:-3}
stages=${STAGES:-iac,permissions}
tollgate=${TOLLGATE:-target/release/tollgate}
if [ ! -x "$tollgate" ]; then
    echo "building $tollgate (cargo build --release -p tollgate-cli)" >&2
    cargo build --release --locked -p tollgate-cli >&2
fi
tollgate=$(cd "$(dirname "$tollgate")" && pwd)/$(basename "$tollgate")
if [ ! -x /usr/bin/time ]; then
    echo "error: /usr/bin/time is missing (Debian package \`time\`)" >&2
    exit 2
fi
out=${OUT:-$(mktemp -d -t tollgate-diff-base-XXXXXX)}
mkdir -p "$out"
corpus="$out/corpus"
if [ ! -d "$corpus" ]; then
    cargo bench --quiet -p tollgate-iac --bench scan --profile dev -- \
        -n "$templates" --generate-only "$corpus" >&2
fi

git_quiet() {
    git -c user.name=bench -c user.email=bench@example.com -c commit.gpgsign=false "$@" >/dev/null
}

# One repository per kind of change.
make_repo() {
    local kind=$1 repo="$out/$1"
    rm -rf "$repo"
    cp -r "$corpus" "$repo"
    git_quiet -C "$repo" init -q
    git_quiet -C "$repo" add -A
    git_quiet -C "$repo" commit -q -m base
    local file="$repo/cfn/g00/stack-00000.yaml"
    case $kind in
        comment) echo "# changed" >>"$file" ;;
        runtime) sed -i '0,/Runtime: nodejs20.x/s//Runtime: nodejs16.x/' "$file" ;;
        terraform)
            file=$(grep -l -E 'runtime += "python3\.11"' "$repo"/tf/*/main.tf | head -n 1)
            sed -i -E '0,/runtime( +)= "python3\.11"/s//runtime\1= "python3.8"/' "$file"
            ;;
    esac
    git_quiet -C "$repo" commit -q -a -m change
}

cpu() { awk '{ printf "%.2f", $2 + $3 }' "$1"; }

echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for kind in ${KINDS:-comment runtime terraform}; do
    make_repo "$kind"
    plain=() diff=()
    for i in $(seq "$runs"); do
        for mode in plain diff; do
            args=(run . --stages "$stages" --format sarif --fail-on none --no-progress)
            [ "$mode" = diff ] && args+=(--diff-base HEAD~1)
            (cd "$out/$kind" && /usr/bin/time -o "$out/time" -f '%e %U %S %M' \
                "$tollgate" "${args[@]}" >"$out/$kind-$mode.sarif" 2>"$out/$kind-$mode.err")
            c=$(cpu "$out/time")
            rss=$(awk '{ printf "%d", $4 / 1024 }' "$out/time")
            echo "$kind $mode run $i: ${c} s CPU, ${rss} MiB peak"
            if [ "$mode" = plain ]; then plain+=("$c"); else diff+=("$c"); fi
        done
    done
    median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
    p=$(median "${plain[@]}")
    d=$(median "${diff[@]}")
    echo "$kind: median CPU plain ${p} s, --diff-base ${d} s, ratio $(awk -v p="$p" -v d="$d" 'BEGIN { printf "%.2f", d / p }')x"
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
