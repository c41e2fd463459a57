#!/usr/bin/env python3
"""Accuracy spot-check: which Checkov checks fired against which tollgate rules, on one corpus.

    spot-check.py CHECKOV.json TOLLGATE.json RULES.json [--files N] [--examples]

CHECKOV.json   `checkov -d DIR --framework cloudformation,terraform,serverless -o json`
TOLLGATE.json  `tollgate run DIR --format json --fail-on none --stages iac`
RULES.json     `tollgate rules --format json` (each rule's `equivalents` name Checkov ids)

Only Checkov ids that some tollgate rule names as an equivalent are compared. Per tollgate rule,
resources are counted where both tools report, only tollgate does, or only Checkov does (any of
the rule's equivalents). Resources are matched by file and by the last dotted part of their
name (`AWS::S3::Bucket.ExportsBucket` and `ExportsBucket`; `aws_s3_bucket.exports`), so a few
differences come from naming alone; `--examples` prints one of each kind to look at.
Prints a Markdown table.
"""

import argparse
import json
import sys
from collections import defaultdict


def resource_key(name):
    return (name or "").rsplit(".", 1)[-1]


def load_checkov(path):
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    reports = data if isinstance(data, list) else [data]
    for report in reports:
        for check in report.get("results", {}).get("failed_checks", []):
            yield (
                check["check_id"],
                check["file_path"].lstrip("/"),
                resource_key(check.get("resource")),
            )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("checkov")
    parser.add_argument("tollgate")
    parser.add_argument("rules")
    parser.add_argument("--files", type=int, help="only the first N files (by path)")
    parser.add_argument("--examples", action="store_true")
    args = parser.parse_args()

    with open(args.rules, encoding="utf-8") as f:
        rules = [r for r in json.load(f) if r.get("stage") == "iac" and r.get("equivalents")]
    rule_of = defaultdict(list)
    for rule in rules:
        for ckv in rule["equivalents"]:
            rule_of[ckv].append(rule["code"])

    with open(args.tollgate, encoding="utf-8") as f:
        report = json.load(f)
    tollgate = {
        (x["rule"], x["location"]["path"], resource_key(x.get("resource")))
        for x in report["findings"]
    }
    checkov = set()
    for ckv, path, resource in load_checkov(args.checkov):
        for code in rule_of.get(ckv, []):
            checkov.add((code, path, resource))

    files = sorted({p for _, p, _ in tollgate | checkov})
    if args.files:
        keep = set(files[: args.files])
        tollgate = {t for t in tollgate if t[1] in keep}
        checkov = {c for c in checkov if c[1] in keep}
        files = sorted(keep)

    print(f"{len(files)} files compared\n")
    print("| tollgate rule | Checkov ids | both | tollgate only | Checkov only |")
    print("|---|---|---:|---:|---:|")
    examples = []
    for rule in sorted(rules, key=lambda r: r["code"]):
        code = rule["code"]
        mine = {t for t in tollgate if t[0] == code}
        theirs = {c for c in checkov if c[0] == code}
        if not mine and not theirs:
            continue
        both, only_tg, only_ck = mine & theirs, mine - theirs, theirs - mine
        print(
            f"| {code} {rule['name']} | {', '.join(rule['equivalents'])} | "
            f"{len(both)} | {len(only_tg)} | {len(only_ck)} |"
        )
        for kind, items in (("tollgate only", only_tg), ("Checkov only", only_ck)):
            if items:
                examples.append((code, kind, min(items)))
    if args.examples:
        print()
        for code, kind, (_, path, resource) in examples:
            print(f"- {code} {kind}: {path} `{resource}`")
    return 0


if __name__ == "__main__":
    sys.exit(main())
