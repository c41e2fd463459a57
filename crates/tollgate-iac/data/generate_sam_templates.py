#!/usr/bin/env python3
"""Regenerate `sam-policy-templates.json`, every AWS SAM policy template as SAM defines it.

Source: `samtranslator/policy_templates_data/policy_templates.json` from the Apache-2.0
`aws-sam-translator` wheel on PyPI (the library `sam build` / CloudFormation use to expand
`AWS::Serverless-2016-10-31`).

    python3 crates/tollgate-iac/data/generate_sam_templates.py [--version V] [--wheel PATH]
                                                               [--date YYYY-MM-DD] [--out PATH]

Without `--wheel` the wheel is fetched with `pip download --no-deps` (nothing installed).
The output is minified JSON with sorted keys, so a regeneration diffs as one line but is
byte-for-byte reproducible: `--date` pins the recorded date (the tests use it to check that the
committed file is what this script writes). Each template keeps its statements in SAM's own
intrinsic form (`Fn::Sub` with a parameter map, `Ref` of a parameter) plus its parameter names;
descriptions are dropped. Any other intrinsic makes the script fail, because tollgate's
expander (src/adapters/sam/policy_templates.rs) only knows these two.
"""

import argparse
import datetime
import json
import pathlib
import re
import subprocess
import sys
import tempfile
import zipfile

PACKAGE = "aws-sam-translator"
DEFAULT_VERSION = "1.115.0"
MEMBER = "samtranslator/policy_templates_data/policy_templates.json"
OUT = pathlib.Path(__file__).with_name("sam-policy-templates.json")
STATEMENT_KEYS = {"Action", "Condition", "Effect", "Resource"}


def fail(msg):
    sys.exit(f"generate_sam_templates.py: {msg}")


def check_value(value, params, where):
    """A statement value: a plain string, `{"Ref": param}`, `{"Fn::Sub": ...}` or a list."""
    if isinstance(value, str):
        return
    if isinstance(value, list):
        for item in value:
            check_value(item, params, where)
        return
    if isinstance(value, dict) and len(value) == 1:
        (key, arg), = value.items()
        if key == "Ref" and isinstance(arg, str):
            if arg not in params:
                fail(f"{where}: Ref of undeclared parameter {arg!r}")
            return
        if key == "Fn::Sub":
            pattern, variables = (arg, {}) if isinstance(arg, str) else (None, None)
            if (isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str)
                    and isinstance(arg[1], dict)):
                pattern, variables = arg
            if pattern is not None:
                # Anything else would name a resource of the user's template: not expandable.
                for var in re.findall(r"\$\{([^}!][^}]*)\}", pattern):
                    if not var.startswith("AWS::") and var not in variables:
                        fail(f"{where}: Fn::Sub refers to undefined ${{{var}}}")
                for var, sub in variables.items():
                    check_value(sub, params, f"{where} Fn::Sub ${{{var}}}")
                return
    fail(f"{where}: unsupported value {json.dumps(value)[:200]}")


def convert(name, template):
    params = sorted(template.get("Parameters", {}))
    statements = template["Definition"]["Statement"]
    for i, st in enumerate(statements):
        where = f"{name} statement {i}"
        extra = set(st) - STATEMENT_KEYS
        if extra:
            fail(f"{where}: unexpected keys {sorted(extra)}")
        if st.get("Effect") not in ("Allow", "Deny"):
            fail(f"{where}: Effect {st.get('Effect')!r}")
        check_value(st.get("Action"), params, where + " Action")
        check_value(st.get("Resource"), params, where + " Resource")
        for op, entries in st.get("Condition", {}).items():
            if not isinstance(entries, dict):
                fail(f"{where}: Condition {op} is not a map")
            for key, value in entries.items():
                check_value(value, params, f"{where} Condition {op} {key}")
    return {"parameters": params, "statements": statements}


def read_wheel(path):
    with zipfile.ZipFile(path) as zf:
        return json.loads(zf.read(MEMBER))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--version", default=DEFAULT_VERSION)
    ap.add_argument("--wheel", type=pathlib.Path, help="a downloaded aws-sam-translator wheel")
    ap.add_argument("--date", default=datetime.datetime.now(datetime.timezone.utc).date().isoformat())
    ap.add_argument("--out", type=pathlib.Path, default=OUT)
    args = ap.parse_args()

    if args.wheel:
        wheel_name = args.wheel.name
        # The wheel name carries the version; trust it over --version so the record is honest.
        parts = wheel_name.split("-")
        version = parts[1] if len(parts) > 2 else args.version
        data = read_wheel(args.wheel)
    else:
        version = args.version
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(
                [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
                 "-d", tmp, f"{PACKAGE}=={version}"],
                check=True,
            )
            data = read_wheel(next(pathlib.Path(tmp).glob("aws_sam_translator-*.whl")))

    templates = {name: convert(name, t) for name, t in data["Templates"].items()}
    out = {
        "generated": args.date,
        "source": {
            "file": MEMBER,
            "license": "Apache-2.0",
            "package": PACKAGE,
            "templates_version": data.get("Version"),
            "version": version,
        },
        "templates": templates,
    }
    text = json.dumps(out, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {len(templates)} templates from {PACKAGE} {version} to {args.out}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
