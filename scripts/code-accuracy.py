#!/usr/bin/env python3
"""Compare tollgate's code stage with Semgrep on the code-stage fixtures and the examples.

Usage: scripts/code-accuracy.py TOLLGATE_BINARY [SEMGREP]

Semgrep runs offline with the rule file written for this comparison
(crates/tollgate-code/semgrep/rules.yaml; no registry rules, no metrics). Each fixture case is
a file or directory named `fires-*` (the rule must report) or `passes-*` (it must not). The
script prints, per rule and language, how many cases each tool got right, then every case
where a tool was wrong. Then, for each example repository, the findings of both tools on its
handler code: those both report (same rule, same file, overlapping lines) and those only one
does. docs/code-accuracy.md explains the differences.
"""

import json
import pathlib
import shutil
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "crates/tollgate-code/tests/fixtures"
RULES = ROOT / "crates/tollgate-code/semgrep/rules.yaml"
EXAMPLES = ROOT / "examples"


def cases():
    for rule in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        for lang in sorted(p for p in rule.iterdir() if p.is_dir()):
            for case in sorted(lang.iterdir()):
                yield rule.name, lang.name, case


def semgrep_results(semgrep, tree):
    """Semgrep's findings on a copy of `tree` (Semgrep skips `tests/` directories by default),
    as (tollgate rule, path relative to `tree`, first line, last line)."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = pathlib.Path(tmp) / "tree"
        shutil.copytree(tree, copy)
        out = subprocess.run(
            [semgrep, "scan", "--config", str(RULES), "--json", "--metrics=off",
             "--disable-version-check", "--quiet", str(copy)],
            capture_output=True, text=True, check=False,
        )
        report = json.loads(out.stdout)
        for error in report.get("errors", []):
            print("semgrep:", error.get("message", "")[:200], file=sys.stderr)
        found = set()
        for result in report.get("results", []):
            # Ids are `TG6001-python`, `TG6001-javascript`: the tollgate rule, then the language.
            rule = result["check_id"].rsplit(".", 1)[-1].split("-", 1)[0]
            rel = pathlib.Path(result["path"]).resolve().relative_to(copy.resolve())
            found.add((rule, rel.as_posix(), result["start"]["line"], result["end"]["line"]))
        return found


def semgrep_hits(semgrep):
    return {(rule, (FIXTURES / rel).resolve())
            for rule, rel, _, _ in semgrep_results(semgrep, FIXTURES)}


def tollgate_code_findings(binary, example):
    """The code stage's findings on an example run with its default stages (the code stage
    needs the cloud model and the permission analysis for exposure)."""
    out = subprocess.run(
        [binary, "run", str(example), "--format", "json", "--fail-on", "none", "--no-progress"],
        capture_output=True, text=True, check=False,
    )
    found = set()
    for f in json.loads(out.stdout)["findings"]:
        if f["rule"].startswith("TG6"):
            region = f["location"]["region"]
            found.add((f["rule"], f["location"]["path"], region["start"]["line"],
                       region.get("end", region["start"])["line"]))
    return found


def compare_examples(binary, semgrep):
    """Per example: findings both tools report (same rule and file, overlapping lines), and
    those only one reports."""
    print("| example | both | tollgate only | semgrep only |")
    print("|---|---|---|---|")
    details = []
    for example in sorted(p for p in EXAMPLES.iterdir() if (p / "src").is_dir()):
        tg = tollgate_code_findings(binary, example)
        sg = semgrep_results(semgrep, example / "src")
        sg = {(rule, f"src/{rel}", a, b) for rule, rel, a, b in sg}

        def overlaps(x, ys):
            return any(x[0] == y[0] and x[1] == y[1] and x[2] <= y[3] and y[2] <= x[3]
                       for y in ys)
        both = [x for x in sorted(tg) if overlaps(x, sg)]
        tg_only = [x for x in sorted(tg) if not overlaps(x, sg)]
        sg_only = [y for y in sorted(sg) if not overlaps(y, tg)]
        print(f"| {example.name} | {len(both)} | {len(tg_only)} | {len(sg_only)} |")
        for tool, items in (("tollgate", tg_only), ("semgrep", sg_only)):
            for rule, path, first, _ in items:
                details.append(f"{tool:8} only {example.name}: {rule} {path}:{first}")
    print()
    for line in details:
        print(line)


def tollgate_rules(binary, case):
    out = subprocess.run(
        [binary, "run", str(case), "--stages", "code", "--format", "json",
         "--fail-on", "none", "--no-progress"],
        capture_output=True, text=True, check=False,
    )
    return {f["rule"] for f in json.loads(out.stdout)["findings"]}


def main():
    binary = sys.argv[1]
    semgrep = sys.argv[2] if len(sys.argv) > 2 else "semgrep"
    hits = semgrep_hits(semgrep)
    totals = {}
    wrong = []
    for rule, lang, case in cases():
        fires = case.name.startswith("fires-")
        files = [case] if case.is_file() else list(case.iterdir())
        sg = any((rule, f.resolve()) in hits for f in files)
        tg = rule in tollgate_rules(binary, case)
        key = (rule, lang)
        t = totals.setdefault(key, [0, 0, 0])
        t[0] += 1
        t[1] += tg == fires
        t[2] += sg == fires
        for tool, said in (("tollgate", tg), ("semgrep", sg)):
            if said != fires:
                wrong.append(f"{tool:8} {rule} {lang:10} {case.name}: "
                             f"{'reported' if said else 'missed'}")
    print("| rule | language | cases | tollgate right | semgrep right |")
    print("|---|---|---|---|---|")
    for (rule, lang), (n, tg, sg) in sorted(totals.items()):
        print(f"| {rule} | {lang} | {n} | {tg} | {sg} |")
    print()
    for line in wrong:
        print(line)
    print()
    compare_examples(binary, semgrep)


if __name__ == "__main__":
    main()
