#!/usr/bin/env bash
# Agreement between tollgate and Checkov per Checkov id, on the rule fixtures and on a generated
# corpus (docs/iac-accuracy.md explains every disagreement), then which Checkov checks for
# serverless services have a tollgate rule (checkov_coverage.py).
#
#   crates/tollgate-iac/scripts/checkov-agreement.sh [N]     (N generated templates, default 300)
#
# Each fixture file of tests/fixtures/TG*/ becomes a directory of its own, under the name its
# format needs (template.yaml, serverless.yml, main.tf), so both tools read it as a project.
#
# Environment:
#   CHECKOV          a checkov executable to use (default: installed from PyPI into CHECKOV_VENV)
#   CHECKOV_VENV     where Checkov is installed if missing (default ~/.cache/tollgate-bench/checkov-venv)
#   CHECKOV_VERSION  the PyPI version to install (default 3.3.30)
#   OUT              where inputs and outputs go (default: a new temporary directory)
#   TOLLGATE         a tollgate binary to use (default: the release build, built here)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
workspace=$(cd "$here/../../.." && pwd)
n=${1:-300}
venv=${CHECKOV_VENV:-$HOME/.cache/tollgate-bench/checkov-venv}
version=${CHECKOV_VERSION:-3.3.30}
out=${OUT:-$(mktemp -d -t tollgate-agreement-XXXXXX)}
mkdir -p "$out"

checkov=${CHECKOV:-$venv/bin/checkov}
if [ ! -x "$checkov" ]; then
    echo "installing checkov==$version into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet "checkov==$version"
fi

cd "$workspace"
tollgate=${TOLLGATE:-}
if [ -z "$tollgate" ]; then
    cargo build --quiet --release -p tollgate-cli
    tollgate="$workspace/target/release/tollgate"
fi
"$tollgate" rules --format json >"$out/rules.json"

# The fixtures, one directory per file.
fixtures="$out/fixtures"
rm -rf "$fixtures"
for file in crates/tollgate-iac/tests/fixtures/TG*/*; do
    name=$(basename "$file")
    code=$(basename "$(dirname "$file")")
    case "$name" in
        *.serverless.yml) target=serverless.yml ;;
        *.sam.yaml | *.cfn.yaml) target=template.yaml ;;
        *.cfn.json) target=template.json ;;
        *.tf.json) target=main.tf.json ;;
        *.tf) target=main.tf ;;
        *) continue ;;
    esac
    dir="$fixtures/$code/${name%%.*}-${name#*.}"
    mkdir -p "$dir"
    cp "$file" "$dir/$target"
done

# The generated corpus.
corpus="$out/corpus-$n"
[ -d "$corpus" ] || cargo bench --quiet -p tollgate-iac --bench scan -- -n "$n" --generate-only "$corpus"

# No `--quiet`: with it Checkov leaves its passed checks out of the JSON, and a resource tollgate
# reports that Checkov passed would look like coverage instead of a disagreement.
for set in fixtures "corpus-$n"; do
    dir="$out/$set"
    "$checkov" -d "$dir" --framework cloudformation,terraform,serverless --compact \
        -o json --skip-download >"$out/checkov-$set.json" 2>"$out/checkov-$set.err" || true
    "$tollgate" run "$dir" --format json --fail-on none --stages iac \
        >"$out/tollgate-$set.json" 2>"$out/tollgate-$set.err" || true
    echo "## $set"
    echo
    python3 "$here/checkov_agreement.py" "$out/checkov-$set.json" "$out/tollgate-$set.json" \
        "$out/rules.json" --disagreements "$out/disagreements-$set.tsv"
    echo
done
echo "## coverage"
echo
"$checkov" --list >"$out/checkov-list.md" 2>/dev/null
python3 "$here/checkov_coverage.py" "$out/checkov-list.md" "$out/rules.json"
echo
echo "outputs and disagreements in $out" >&2
