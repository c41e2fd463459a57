#!/usr/bin/env python3
"""Compare tollgate's code stage with Semgrep on the code-stage fixtures.

Usage: scripts/code-accuracy.py TOLLGATE_BINARY [SEMGREP]

Semgrep runs offline with the rule file written for this comparison
(crates/tollgate-code/semgrep/rules.yaml; no registry rules, no metrics). Each fixture case is
a file or directory named `fires-*` (the rule must report) or `passes-*` (it must not). The
script prints, per rule and language, how many cases each tool got right, then every case
where a tool was wrong. docs/code-accuracy.md explains the differences.
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


def cases():
    for rule in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        for lang in sorted(p for p in rule.iterdir() if p.is_dir()):
            for case in sorted(lang.iterdir()):
                yield rule.name, lang.name, case


def semgrep_hits(semgrep):
    # Semgrep skips `tests/` directories by default: scan a copy.
    with tempfile.TemporaryDirectory() as tmp:
        copy = pathlib.Path(tmp) / "fixtures"
        shutil.copytree(FIXTURES, copy)
        out = subprocess.run(
            [semgrep, "scan", "--config", str(RULES), "--json", "--metrics=off",
             "--disable-version-check", "--quiet", str(copy)],
            capture_output=True, text=True, check=False,
        )
        report = json.loads(out.stdout)
        for error in report.get("errors", []):
            print("semgrep:", error.get("message", "")[:200], file=sys.stderr)
        hits = set()
        for result in report.get("results", []):
            rule = result["check_id"].rsplit(".", 1)[-1]
            rel = pathlib.Path(result["path"]).resolve().relative_to(copy.resolve())
            hits.add((rule, (FIXTURES / rel).resolve()))
        return hits


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


if __name__ == "__main__":
    main()
