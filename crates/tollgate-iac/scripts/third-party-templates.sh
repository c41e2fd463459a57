#!/usr/bin/env bash
# tollgate on templates nobody here wrote: the test templates cfn-lint ships in its source
# distribution (PyPI) and the service templates of the Serverless Framework's `create` command
# (npm), most of them for other clouds. Prints what would stop a new user: parse errors on
# templates cfn-lint calls good, notifications by kind, findings by rule, and any IaC or
# permissions finding on a service whose provider is not AWS. docs/iac-accuracy.md has the
# result of the last run.
#
#   crates/tollgate-iac/scripts/third-party-templates.sh
#
# Environment:
#   TOLLGATE         a tollgate binary to use (default: the release build, built here)
#   CFN_LINT_VERSION the cfn-lint source distribution to read (default 1.58.0)
#   SERVERLESS_VERSION the serverless npm package to read (default 1.83.3, the last to ship
#                    templates for every provider)
#   OUT              where inputs and outputs go (default: a new temporary directory)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
workspace=$(cd "$here/../../.." && pwd)
cfn_lint=${CFN_LINT_VERSION:-1.58.0}
serverless=${SERVERLESS_VERSION:-1.83.3}
out=${OUT:-$(mktemp -d -t tollgate-third-party-XXXXXX)}
mkdir -p "$out"

cd "$workspace"
tollgate=${TOLLGATE:-}
if [ -z "$tollgate" ]; then
    cargo build --quiet --release -p tollgate-cli
    tollgate="$workspace/target/release/tollgate"
fi

cd "$out"
if [ ! -d "cfn_lint-$cfn_lint" ]; then
    pip download --quiet --no-deps --no-binary :all: "cfn-lint==$cfn_lint" -d .
    tar xzf "cfn_lint-$cfn_lint.tar.gz"
fi
if [ ! -d package ]; then
    npm pack --silent "serverless@$serverless" >/dev/null
    tar xzf "serverless-$serverless.tgz"
fi

# cfn-lint's templates that it deploys or calls valid (the `bad` ones are made to fail it),
# flattened into one directory so each is a template of its own.
rm -rf cfn && mkdir cfn
for set in good quickstart integration public; do
    find "cfn_lint-$cfn_lint/test/fixtures/templates/$set" -type f \
        \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' -o -name '*.template' \)
done | while read -r f; do
    name=${f#"cfn_lint-$cfn_lint/test/fixtures/templates/"}
    cp "$f" "cfn/${name//\//__}"
done

"$tollgate" run cfn --stages parse,iac,permissions --format json --fail-on none --no-progress \
    >cfn.json 2>cfn.err || true
for d in package/lib/plugins/create/templates/*/; do
    name=$(basename "$d")
    "$tollgate" run "$d" --stages parse,iac,permissions,code --format json --fail-on none \
        --no-progress >"serverless-$name.json" 2>"serverless-$name.err" || true
done

python3 - "$out" <<'PY'
import collections, json, pathlib, re, sys

out = pathlib.Path(sys.argv[1])
cfn = json.loads((out / "cfn.json").read_text())
files = len(list((out / "cfn").iterdir()))
print(f"## cfn-lint templates: {files} files, {len(cfn['findings'])} findings")
for n in cfn["notifications"]:
    if n["id"] == "parse-error":
        print("parse error:", n["message"][:200])
kinds = collections.Counter()
for n in cfn["notifications"]:
    kinds[(n["id"], re.sub(r"`[^`]*`", "`…`", n["message"].split(": ", 1)[-1])[:110])] += 1
print("\nnotifications:")
for (kind, text), count in kinds.most_common():
    print(f"  {count:4} {kind}: {text}")
print("\nfindings by rule:", dict(collections.Counter(f["rule"] for f in cfn["findings"]).most_common()))

print("\n## Serverless Framework create templates")
print("| template | provider | IaC and permissions findings | notifications |")
print("|---|---|---:|---|")
wrong = []
for report in sorted(out.glob("serverless-*.json")):
    name = report.stem[len("serverless-"):]
    config = out / "package/lib/plugins/create/templates" / name / "serverless.yml"
    provider = "(no serverless.yml)"
    if config.exists():
        m = re.search(r"^provider:\s*\n(?:\s+#.*\n)*\s+name:\s*(\S+)", config.read_text(), re.M)
        provider = m.group(1) if m else "?"
    data = json.loads(report.read_text())
    iac = [f for f in data["findings"] if re.match(r"TG[12]\d{3}$", f["rule"])]
    notes = sorted({n["id"] for n in data["notifications"]})
    print(f"| {name} | {provider} | {len(iac)} | {', '.join(notes)} |")
    if provider not in ("aws", "(no serverless.yml)", "?") and iac:
        wrong.append(f"{name}: {len(iac)} AWS findings on provider {provider}")
print()
print("\n".join(wrong) if wrong else "no AWS finding on a service of another cloud")
PY
echo "outputs in $out" >&2
