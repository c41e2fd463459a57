#!/usr/bin/env python3
"""Agreement between tollgate and Checkov, per Checkov id, on one directory.

    checkov_agreement.py CHECKOV.json TOLLGATE.json RULES.json [--disagreements FILE]

CHECKOV.json   `checkov -d DIR --framework cloudformation,terraform,serverless -o json`
TOLLGATE.json  `tollgate run DIR --format json --fail-on none --stages iac`
RULES.json     `tollgate rules --format json` (each rule's `equivalents` name Checkov ids)

For every Checkov id that a tollgate rule lists in `equivalents`, each resource Checkov judged
with that id (passed or failed) is one case: the tools agree when Checkov failed it and one of
the rules listing the id reported the resource, or Checkov passed it and none did. A finding
that names the Checkov ids it answers (its `equivalents` property: a public ACL that is readable
but not writable answers CKV_AWS_20, not CKV_AWS_57) counts only for those. Resources are
matched by file and by the last dotted part of their name (`AWS::S3::Bucket.Exports` and
`Exports`; `aws_s3_bucket.exports`), or by place: a finding that points inside the lines of the
resource Checkov judged is about that resource, whichever resource tollgate names (a stage's
data trace written in an `aws_api_gateway_method_settings`, which Checkov reports). Resources only
tollgate reports, where Checkov has no check that ran, are counted apart (`tollgate beyond`):
they are coverage, not disagreement.

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
                lines = check.get("file_line_range") or [0, 0]
                yield (
                    check["check_id"],
                    check["file_path"].lstrip("/"),
                    resource_key(check.get("resource")),
                    (lines[0], lines[-1]),
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
    # rule -> {(file, resource, line, ids)}: `ids` are the Checkov ids the finding answers when
    # it names them (its `equivalents` property), else None for all of its rule's.
    reported = defaultdict(set)
    for finding in report["findings"]:
        location = finding["location"]
        line = location.get("region", {}).get("start", {}).get("line", 0)
        ids = finding.get("properties", {}).get("equivalents")
        reported[finding["rule"]].add(
            (
                location["path"],
                resource_key(finding.get("resource")),
                line,
                tuple(ids) if ids is not None else None,
            )
        )

    judged = defaultdict(dict)  # id -> {(file, resource): failed}
    spans = defaultdict(dict)  # id -> {(file, resource): (first line, last line)}
    for ckv, path, resource, lines, failed in checkov_results(args.checkov):
        if ckv in rules_of:
            # A resource judged twice (several files) counts as failed if any run failed it.
            key = (path, resource)
            judged[ckv][key] = judged[ckv].get(key, False) or failed
            spans[ckv][key] = lines

    rows = []
    cases_all = agree_all = 0
    disagreements = []
    for ckv in sorted(rules_of, key=lambda c: (c.split("_")[0], int(c.rsplit("_", 1)[-1]))):
        ours = {
            f
            for code in rules_of[ckv]
            for f in reported[code]
            if f[3] is None or ckv in f[3]
        }
        cases = judged.get(ckv, {})
        matched = set()  # the findings that are about one of the cases

        def reports(key):
            path, resource = key
            first, last = spans[ckv][key]
            hits = {
                f for f in ours
                if f[0] == path and (f[1] == resource or 0 < first <= f[2] <= last)
            }
            matched.update(hits)
            return bool(hits)

        agree = 0
        only_checkov = only_tollgate = 0
        for key, failed in cases.items():
            fired = reports(key)
            if fired == failed:
                agree += 1
            elif failed:
                only_checkov += 1
                disagreements.append((ckv, *key, "Checkov only"))
            else:
                only_tollgate += 1
                disagreements.append((ckv, *key, "tollgate only"))
        beyond = len({f[:2] for f in ours - matched})
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
