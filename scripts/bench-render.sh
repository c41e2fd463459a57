#!/usr/bin/env bash
# Rendering benchmark: one scan that yields about 100,000 findings, written in every report
# format, each run timed with /usr/bin/time (wall seconds, user and system CPU seconds, max RSS).
#
#   scripts/bench-render.sh [FINDINGS]          (default 100000)
#
# The corpus is CloudFormation templates of 455 function-and-bucket pairs each (11 findings
# per pair: 7 Lambda rules, 4 S3 rules), enough files for FINDINGS. Every format scans the same
# corpus, so the difference between two rows is the difference between their renderers.
#
# Environment:
#   TOLLGATE   the binary to time (default target/release/tollgate, built when missing)
#   OUT        where the corpus and outputs go (default: a new temporary directory)
set -euo pipefail
cd "$(dirname "$0")/.."

findings=${1:-100000}
tollgate=${TOLLGATE:-target/release/tollgate}
if [ ! -x "$tollgate" ]; then
    echo "building $tollgate (cargo build --release -p tollgate-cli)" >&2
    cargo build --release --locked -p tollgate-cli >&2
fi
if [ ! -x /usr/bin/time ]; then
    echo "error: /usr/bin/time is missing (Debian package \`time\`)" >&2
    exit 2
fi
out=${OUT:-$(mktemp -d -t tollgate-render-XXXXXX)}
corpus="$out/corpus"
mkdir -p "$corpus"

pairs=455
files=$(((findings + pairs * 11 - 1) / (pairs * 11)))
python3 - "$corpus" "$files" "$pairs" <<'EOF'
import os, sys
out, files, pairs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for f in range(files):
    lines = ["AWSTemplateFormatVersion: '2010-09-09'", "Resources:"]
    for i in range(pairs):
        lines += [
            f"  Fn{i}:",
            "    Type: AWS::Lambda::Function",
            "    Properties:",
            "      Runtime: python3.8",
            "      Handler: app.handler",
            "      Code:",
            "        ZipFile: x",
            f"      Role: arn:aws:iam::123456789012:role/r{i}",
            "      Environment:",
            "        Variables:",
            "          MODE: prod",
            f"  Bucket{i}:",
            "    Type: AWS::S3::Bucket",
        ]
    with open(os.path.join(out, f"stack{f:03}.yaml"), "w") as fh:
        fh.write("\n".join(lines) + "\n")
EOF

count=$("$tollgate" run "$corpus" --stages iac --format json --fail-on none 2>/dev/null |
    python3 -c 'import json, sys; print(len(json.load(sys.stdin)["findings"]))')
echo "corpus: $files templates, $count findings; load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2

printf '%-10s %9s %9s %9s %12s %12s\n' format "wall (s)" "user (s)" "sys (s)" "RSS (MiB)" "output (MiB)"
for format in text compact json sarif markdown junit gitlab; do
    dest="$out/report.$format"
    /usr/bin/time -o "$out/$format.time" -f '%e %U %S %M' \
        "$tollgate" run "$corpus" --stages iac --fail-on none --color never --format "$format" \
        >"$dest" 2>"$out/$format.err" || true
    read -r wall user sys rss < <(tail -n1 "$out/$format.time")
    size=$(stat -c %s "$dest")
    awk -v f="$format" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" -v b="$size" \
        'BEGIN { printf "%-10s %9.2f %9.2f %9.2f %12.1f %12.1f\n", f, w, u, s, r / 1024, b / 1048576 }'
done
echo "outputs in $out" >&2
