#!/usr/bin/env python3
"""Agreement between tollgate and Checkov, per Checkov id, on one directory.

    checkov_agreement.py CHECKOV.json TOLLGATE.json RULES.json [--disagreements FILE]

CHECKOV.json   `checkov -d DIR --framework cloudformation,terraform,serverless -o json`
TOLLGATE.json  `tollgate run DIR --format json --fail-on none --stages iac`
RULES.json     `tollgate rules --format json` (each rule's `equivalents` name Checkov ids)

For every Checkov id that a tollgate rule lists in `equivalents`, each resource Checkov judged
with that id (passed or failed) is one case: the tools agree when Checkov failed it and one of
the rules listing the id reported the resource, or Checkov passed it and none did. Resources are
matched by file and by the last dotted part of their name (`AWS::S3::Bucket.Exports` and
`Exports`; `aws_s3_bucket.exports`). Resources only tollgate reports, where Checkov has no check
that ran, are counted apart (`tollgate beyond`): they are coverage, not disagreement.

Prints a Markdown table and the overall agreement on shared ids; `--disagreements` writes every
disagreeing case (id, file, resource, who reported) for review.
"""

import argparse
import json
import sys
from collections import defaultdict


def resource_key(name):
    return (name or "").rsplit(".", 1)[-1]


def checkov_results(path):
    """(check id, file, resource, failed) for every check Checkov ran."""
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    reports = data if isinstance(data, list) else [data]
    for report in reports:
        results = report.get("results", {})
        for key, failed in (("failed_checks", True), ("passed_checks", False)):
            for check in results.get(key, []):
                yield (
                    check["check_id"],
                    check["file_path"].lstrip("/"),
                    resource_key(check.get("resource")),
                    failed,
                )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("checkov")
    parser.add_argument("tollgate")
    parser.add_argument("rules")
    parser.add_argument("--disagreements")
    args = parser.parse_args()

    with open(args.rules, encoding="utf-8") as f:
        rules = [r for r in json.load(f) if r.get("stage") == "iac"]
    rules_of = defaultdict(list)
    for rule in rules:
        for ckv in rule.get("equivalents", []):
            rules_of[ckv].append(rule["code"])

    with open(args.tollgate, encoding="utf-8") as f:
        report = json.load(f)
    reported = defaultdict(set)  # rule -> {(file, resource)}
    for finding in report["findings"]:
        reported[finding["rule"]].add(
            (finding["location"]["path"], resource_key(finding.get("resource")))
        )

    judged = defaultdict(dict)  # id -> {(file, resource): failed}
    for ckv, path, resource, failed in checkov_results(args.checkov):
        if ckv in rules_of:
            # A resource judged twice (several files) counts as failed if any run failed it.
            key = (path, resource)
            judged[ckv][key] = judged[ckv].get(key, False) or failed

    rows = []
    cases_all = agree_all = 0
    disagreements = []
    for ckv in sorted(rules_of, key=lambda c: (c.split("_")[0], int(c.rsplit("_", 1)[-1]))):
        ours = set().union(*(reported[code] for code in rules_of[ckv]))
        cases = judged.get(ckv, {})
        agree = 0
        only_checkov = only_tollgate = 0
        for key, failed in cases.items():
            fired = key in ours
            if fired == failed:
                agree += 1
            elif failed:
                only_checkov += 1
                disagreements.append((ckv, *key, "Checkov only"))
            else:
                only_tollgate += 1
                disagreements.append((ckv, *key, "tollgate only"))
        beyond = len({k for k in ours if k not in cases})
        cases_all += len(cases)
        agree_all += agree
        share = f"{100 * agree / len(cases):.1f}%" if cases else "n/a"
        rows.append(
            f"| {ckv} | {', '.join(rules_of[ckv])} | {len(cases)} | {agree} | {share} | "
            f"{only_tollgate} | {only_checkov} | {beyond} |"
        )
    print("| Checkov id | tollgate rules | cases | agree | agreement | tollgate only | "
          "Checkov only | tollgate beyond |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    print("\n".join(rows))
    if cases_all:
        print(f"\nOverall on shared ids: {agree_all} of {cases_all} cases agree "
              f"({100 * agree_all / cases_all:.1f}%).")
    if args.disagreements:
        with open(args.disagreements, "w", encoding="utf-8") as out:
            for row in sorted(disagreements):
                out.write("\t".join(row) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
