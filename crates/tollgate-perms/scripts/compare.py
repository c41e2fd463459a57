#!/usr/bin/env python3
"""Accuracy check: run tollgate, Cloudsplaining and Parliament on the same standalone IAM
policy documents (`policies/*.json`) and print, per risk category, where they agree.

    python3 -m venv /tmp/acc && /tmp/acc/bin/pip install cloudsplaining parliament
    /tmp/acc/bin/python crates/tollgate-perms/scripts/compare.py [--markdown]

tollgate runs through `cargo run -p tollgate-perms --example policy_json`. Each tool's
findings are mapped to the same categories (below); a cell reads `T C P` with `-` where the
tool did not report the category. Nothing here reaches the network beyond installing the
two packages.

A document whose statements name a `Principal` is a resource policy, the others identity
policies; each tool gets the mode it has: tollgate's example wraps a resource policy as the
bucket, queue or topic policy its ARN names; Cloudsplaining reads it with
`ResourcePolicyDocument` (its only resource-policy check: actions open to everyone) instead of
`PolicyDocument`; Parliament has no separate mode and analyses every document the same way.
"""

import json
import pathlib
import subprocess
import sys

from cloudsplaining.scan.policy_document import PolicyDocument
from cloudsplaining.scan.resource_policy_document import ResourcePolicyDocument
from parliament import analyze_policy_string

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[2]

# category -> (tollgate codes, Parliament issue ids); Cloudsplaining is read per property.
CATEGORIES = {
    "admin / all actions": ({"TG2001", "TG2002"}, set()),
    "service wildcard": ({"TG2003"}, set()),
    "privilege escalation": ({"TG2004"}, {"RESOURCE_POLICY_PRIVILEGE_ESCALATION"}),
    "data exfiltration": ({"TG2005"}, set()),
    "credentials exposure": ({"TG2006"}, set()),
    "permissions mgmt on *": ({"TG2007"}, set()),
    "write on *": ({"TG2008"}, set()),
    "scopable action on *": ({"TG2009"}, {"RESOURCE_STAR"}),
    "PassRole on *": ({"TG2010"}, set()),
    "Allow + Not*": ({"TG2011"}, {"NOTACTION_WITH_ALLOW", "NOTRESOURCE_WITH_ALLOW", "NOTPRINCIPAL_WITH_ALLOW"}),
    "unknown action": ({"TG2016"}, {"UNKNOWN_ACTION", "UNKNOWN_PREFIX"}),
    "resource mismatch": ({"TG2017"}, {"RESOURCE_MISMATCH"}),
    "resource policy open to others": ({"TG2018", "TG2019"}, set()),
}

# Categories Cloudsplaining has no check for, per mode.
CS_IDENTITY_BLIND = {
    "admin / all actions", "scopable action on *", "PassRole on *", "unknown action", "resource mismatch",
    "resource policy open to others",
}
CS_RESOURCE_COVERS = {"resource policy open to others"}


def is_resource_policy(doc):
    stmts = doc.get("Statement", [])
    if isinstance(stmts, dict):
        stmts = [stmts]
    return any("Principal" in s or "NotPrincipal" in s for s in stmts)


def cloudsplaining(doc):
    if is_resource_policy(doc):
        # Its identity checks do not apply; `internet_accessible_actions` is what it has.
        out = {cat: False for cat in CATEGORIES}
        out["resource policy open to others"] = bool(ResourcePolicyDocument(doc).internet_accessible_actions)
        return out
    p = PolicyDocument(doc)
    return {
        # Cloudsplaining has no admin finding of its own: `*` shows up in every class below.
        "admin / all actions": False,
        "service wildcard": bool(p.service_wildcard),
        "privilege escalation": bool(p.allows_privilege_escalation),
        "data exfiltration": bool(p.allows_data_exfiltration_actions),
        "credentials exposure": bool(p.credentials_exposure),
        "permissions mgmt on *": bool(p.permissions_management_without_constraints),
        "write on *": bool(p.write_actions_without_constraints),
        "scopable action on *": False,
        "PassRole on *": False,
        "Allow + Not*": bool(p.contains_statement_using_not_action),
        "unknown action": False,
        "resource mismatch": False,
        "resource policy open to others": False,
    }


def parliament(text):
    issues = {f.issue for f in analyze_policy_string(text, include_community_auditors=False).findings}
    out = {cat: bool(ids & issues) for cat, (_, ids) in CATEGORIES.items()}
    # Parliament names privilege escalation and admin access through its community auditors
    # only; the core set above is what `parliament` runs by default.
    return out, issues


def tollgate(paths):
    cmd = ["cargo", "run", "-q", "-p", "tollgate-perms", "--example", "policy_json", "--"] + [str(p) for p in paths]
    out = subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    result = {}
    for line in out.splitlines():
        path, _, codes = line.partition("\t")
        result[pathlib.Path(path).name] = set(filter(None, codes.split(",")))
    return result


def main():
    markdown = "--markdown" in sys.argv
    paths = sorted((HERE / "policies").glob("*.json"))
    tg = tollgate(paths)
    agree = disagree = 0
    rows = []
    for path in paths:
        text = path.read_text()
        doc = json.loads(text)
        resource = is_resource_policy(doc)
        cs = cloudsplaining(doc)
        pa, raw = parliament(text)
        cells = []
        for cat, (codes, _) in CATEGORIES.items():
            t = bool(codes & tg.get(path.name, set()))
            c, p = cs[cat], pa[cat]
            if t or c or p:
                mark = f"{'T' if t else '-'} {'C' if c else '-'} {'P' if p else '-'}"
                cells.append(f"{cat}: {mark}")
                # Agreement: tollgate and every tool that covers the category say the same.
                covers_c = cat in CS_RESOURCE_COVERS if resource else cat not in CS_IDENTITY_BLIND
                covers_p = bool(CATEGORIES[cat][1])
                others = [v for v, covered in ((c, covers_c), (p, covers_p)) if covered]
                if others and all(v == t for v in others):
                    agree += 1
                elif others:
                    disagree += 1
        label = f"{path.name} (resource policy)" if resource else path.name
        rows.append((label, cells, sorted(raw), sorted(tg.get(path.name, set()))))
    if markdown:
        print("| policy | tollgate rules | categories (T = tollgate, C = Cloudsplaining, P = Parliament) | Parliament issues |")
        print("|---|---|---|---|")
        for name, cells, raw, codes in rows:
            print(f"| `{name}` | {', '.join(codes) or '-'} | {'<br>'.join(cells) or '-'} | {', '.join(raw) or '-'} |")
    else:
        for name, cells, raw, codes in rows:
            print(f"{name}: tollgate {sorted(codes)}; parliament {raw}")
            for c in cells:
                print(f"    {c}")
    print(f"\n{agree} category results agree, {disagree} disagree (over categories a peer tool covers).")


if __name__ == "__main__":
    main()
