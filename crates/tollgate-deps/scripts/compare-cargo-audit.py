#!/usr/bin/env python3
"""Side by side: tollgate's deps stage and cargo-audit on the same Cargo.lock files and the same
RustSec advisories.

The advisories are a fixture copy of real RustSec entries in RustSec's own format
(`crates/<name>/RUSTSEC-YYYY-NNNN.md`). cargo-audit reads that directory as its database; this
script converts it to OSV JSON the way RustSec's own OSV export does, and tollgate reads the
result. Both tools then scan every fixture lockfile (and the project's own Cargo.lock); findings
are normalised to (crate, version, advisory id) and compared.

Commands:
  convert        RustSec directory -> OSV JSON directory (what tests/fixtures/rustsec-osv holds)
  upstream       compare the conversion with OSV records RustSec published for the same ids
                 (scripts/upstream-osv-ranges.json, copied from the RustSec OSV export)
  compare        run both tools and print agreement per lockfile and overall (the default)

Exit status: 0 whenever the comparison ran, whatever it found; 2 on a script error (a tool
missing or failing, a file that does not parse). Python 3.11+ standard library only.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

try:
    import tomllib
except ModuleNotFoundError:  # Python < 3.11
    sys.exit("error: compare-cargo-audit.py needs Python 3.11 or newer (tomllib)")
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
CRATE = HERE.parent
WORKSPACE = CRATE.parent.parent
FIXTURES = CRATE / "tests" / "fixtures"
DEFAULT_DB = FIXTURES / "rustsec-db"
DEFAULT_OSV = FIXTURES / "rustsec-osv"
DEFAULT_LOCKS = FIXTURES / "rustsec-lockfiles"
UPSTREAM = HERE / "upstream-osv-ranges.json"

# A RustSec advisory file is small; anything bigger is not one.
MAX_ADVISORY_BYTES = 256 * 1024
# Informational kinds cargo-audit reports as warnings by default (its `informational_warnings`).
INFORMATIONAL_WARNINGS = ("unmaintained", "unsound", "notice")


class ScriptError(Exception):
    """A failure of the script or of a tool it runs (not a disagreement)."""


# ---------------------------------------------------------------------------------------------
# Semantic versions (SemVer 2.0 precedence; build metadata kept for printing, ignored in order)


@dataclass(frozen=True)
class Version:
    major: int
    minor: int
    patch: int
    pre: tuple[str, ...] = ()

    def __str__(self) -> str:
        core = f"{self.major}.{self.minor}.{self.patch}"
        return core + ("-" + ".".join(self.pre) if self.pre else "")

    def key(self):
        # A release sorts after all of its pre-releases; numeric identifiers sort before
        # alphanumeric ones and compare as numbers (SemVer 2.0, item 11).
        pre = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in self.pre)
        return (self.major, self.minor, self.patch, 0 if self.pre else 1, pre)

    def __lt__(self, other: "Version") -> bool:
        return self.key() < other.key()


def parse_version(text: str, where: str) -> Version:
    text = text.strip().split("+", 1)[0]
    core, _, pre = text.partition("-")
    parts = core.split(".")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        raise ScriptError(f"{where}: expected a version MAJOR.MINOR.PATCH[-PRE], found {text!r}")
    return Version(int(parts[0]), int(parts[1]), int(parts[2]), tuple(pre.split(".")) if pre else ())


# ---------------------------------------------------------------------------------------------
# RustSec version requirements -> unaffected ranges -> OSV events
#
# RustSec stores the versions that are NOT affected (`patched` and `unaffected`, Cargo-style
# requirements); OSV stores affected intervals. Each requirement becomes one interval with
# inclusive/exclusive bounds, the intervals are sorted, and the gaps between them are the OSV
# ranges. This follows rustsec's `osv::range_conversion` and `osv::unaffected_range`, which is
# also what cargo-audit itself uses to decide whether a version is vulnerable.

UNBOUNDED = None  # a bound is None or (version, inclusive)


def _comparator(text: str, where: str):
    """One comparator: (op, major, minor|None, patch|None, pre)."""
    text = text.strip()
    for op in (">=", "<=", ">", "<", "=", "^", "~"):
        if text.startswith(op):
            rest = text[len(op):].strip()
            break
    else:
        op, rest = "^", text  # a bare version means a caret requirement, as in Cargo
    rest = rest.split("+", 1)[0]
    core, _, pre = rest.partition("-")
    parts = core.split(".")
    if not 1 <= len(parts) <= 3 or not all(p.isdigit() for p in parts):
        raise ScriptError(f"{where}: expected a comparator like '>= 1.2.3', found {text!r}")
    nums = [int(p) for p in parts] + [None] * (3 - len(parts))
    return op, nums[0], nums[1], nums[2], tuple(pre.split(".")) if pre else ()


def _lowest_above(v: Version, where: str) -> Version:
    """The smallest version above `v` by SemVer precedence: 1.2.3 -> 1.2.4-0."""
    if v.pre:
        # rustsec has no answer for a pre-release here either (it panics); refuse rather than
        # invent one.
        raise ScriptError(f"{where}: an inclusive upper bound on a pre-release ({v}) cannot be converted")
    return Version(v.major, v.minor, v.patch + 1, ("0",))


def requirement_to_interval(req: str, where: str):
    """A requirement such as '>= 1.8.4, < 1.9.0' -> (start, end) bounds."""
    comps = [_comparator(c, where) for c in req.split(",") if c.strip()]
    if not comps or len(comps) > 2:
        raise ScriptError(f"{where}: expected one or two comparators in {req!r}")
    start = end = UNBOUNDED
    for op, major, minor, patch, pre in comps:
        v = Version(major, minor or 0, patch or 0, pre)
        if op in (">", ">="):
            if start is not UNBOUNDED:
                raise ScriptError(f"{where}: two lower bounds in {req!r}")
            start = (v, op == ">=")
        elif op in ("<", "<="):
            if end is not UNBOUNDED:
                raise ScriptError(f"{where}: two upper bounds in {req!r}")
            end = (v, op == "<=")
        else:
            if len(comps) != 1:
                raise ScriptError(f"{where}: {op!r} must stand alone in {req!r}")
            if op == "=":
                start = end = (v, True)
            elif op == "^":
                if major == 0:
                    if minor == 0 and patch is not None:
                        top = Version(0, 0, patch + 1, ("0",))
                    elif minor is not None:
                        top = Version(0, minor + 1, 0, ("0",))
                    else:
                        top = Version(1, 0, 0, ("0",))
                else:
                    top = Version(major + 1, 0, 0, ("0",))
                start, end = (v, True), (top, False)
            else:  # "~"
                top = Version(major + 1, 0, 0, ("0",)) if minor is None else Version(major, minor + 1, 0, ("0",))
                start, end = (v, True), (top, False)
    if not _le(start, end):
        raise ScriptError(f"{where}: empty range {req!r}")
    return start, end


def _le(start, end) -> bool:
    """Whether a range starting at `start` and one ending at `end` touch (rustsec's
    `Bound::less_or_equal`)."""
    if start is UNBOUNDED or end is UNBOUNDED:
        return True
    if start[0] < end[0]:
        return True
    return start[0] == end[0] and start[1] and end[1]


def unaffected_to_events(intervals, where: str) -> list[dict]:
    """Sorted, non-overlapping unaffected intervals -> OSV SEMVER events."""
    if not intervals:
        return [{"introduced": "0.0.0-0"}]
    for i, a in enumerate(intervals):
        for b in intervals[i + 1:]:
            if _le(a[0], b[1]) and _le(b[0], a[1]):
                raise ScriptError(f"{where}: patched/unaffected ranges overlap")
    intervals = sorted(intervals, key=lambda r: (0,) if r[0] is UNBOUNDED else (1, r[0][0].key()))
    ranges: list[tuple[Version | None, Version | None]] = []
    first = intervals[0][0]
    if first is not UNBOUNDED:
        ranges.append((None, first[0] if first[1] else _lowest_above(first[0], where)))
    for a, b in zip(intervals, intervals[1:]):
        lo = a[1][0] if not a[1][1] else _lowest_above(a[1][0], where)
        hi = b[0][0] if b[0][1] else _lowest_above(b[0][0], where)
        ranges.append((lo, hi))
    last = intervals[-1][1]
    if last is not UNBOUNDED:
        ranges.append((last[0] if not last[1] else _lowest_above(last[0], where), None))
    events: list[dict] = []
    for lo, hi in ranges:
        events.append({"introduced": str(lo) if lo else "0.0.0-0"})
        if hi:
            events.append({"fixed": str(hi)})
    return events


# ---------------------------------------------------------------------------------------------
# RustSec advisory files -> OSV records


def read_advisory(path: Path) -> tuple[dict, str, str]:
    """(front matter, title, description) of one RustSec markdown advisory."""
    if path.stat().st_size > MAX_ADVISORY_BYTES:
        raise ScriptError(f"{path}: larger than {MAX_ADVISORY_BYTES} bytes, not an advisory")
    text = path.read_text(encoding="utf-8")
    if not text.startswith("```toml\n"):
        raise ScriptError(f"{path}:1:1: expected the front matter to open with ```toml")
    end = text.find("\n```", len("```toml\n"))
    if end < 0:
        raise ScriptError(f"{path}: the ```toml front matter is never closed")
    try:
        meta = tomllib.loads(text[len("```toml\n"):end + 1])
    except tomllib.TOMLDecodeError as e:
        raise ScriptError(f"{path}: front matter: {e}") from None
    body = text[end + len("\n```"):].strip()
    first, _, rest = body.partition("\n")
    if not first.startswith("# "):
        raise ScriptError(f"{path}: expected a '# Title' line after the front matter")
    return meta, first[2:].strip(), rest.strip()


def _rfc3339(date: str) -> str:
    return f"{date}T12:00:00Z"


def _reference_kind(url: str) -> str:
    # Same guesses as RustSec's export.
    if ("://github.com/" in url or "://gitlab." in url) and "/issues/" in url:
        return "REPORT"
    if "/advisories/" in url or "://cve.mitre.org/" in url:
        return "ADVISORY"
    if "://crates.io/crates/" in url:
        return "PACKAGE"
    return "WEB"


def to_osv(path: Path) -> dict:
    meta, title, details = read_advisory(path)
    adv = meta.get("advisory")
    if not isinstance(adv, dict) or "id" not in adv or "package" not in adv or "date" not in adv:
        raise ScriptError(f"{path}: [advisory] needs id, package and date")
    where = f"{path} ({adv['id']})"
    versions = meta.get("versions", {})
    reqs = list(versions.get("patched", [])) + list(versions.get("unaffected", []))
    events = unaffected_to_events([requirement_to_interval(r, where) for r in reqs], where)
    affected_meta = meta.get("affected", {})
    cvss = adv.get("cvss")
    refs = [f"https://crates.io/crates/{adv['package']}", f"https://rustsec.org/advisories/{adv['id']}.html"]
    if adv.get("url"):
        refs.append(adv["url"])
    refs.extend(adv.get("references", []))
    record: dict = {
        "id": adv["id"],
        # RustSec takes `modified` from git history, which a fixture copy does not have; the
        # publication date keeps the output reproducible.
        "modified": _rfc3339(str(adv["date"])),
        "published": _rfc3339(str(adv["date"])),
    }
    if adv.get("withdrawn"):
        record["withdrawn"] = _rfc3339(str(adv["withdrawn"]))
    record.update({
        "aliases": list(adv.get("aliases", [])),
        "related": list(adv.get("related", [])),
        "summary": title,
        "details": details,
        "severity": [{"type": "CVSS_V4" if cvss.startswith("CVSS:4") else "CVSS_V3", "score": cvss}] if cvss else [],
        "affected": [{
            "package": {"ecosystem": "crates.io", "name": adv["package"], "purl": f"pkg:cargo/{adv['package']}"},
            "ecosystem_specific": {
                "affects": {
                    "arch": list(affected_meta.get("arch", [])),
                    "os": list(affected_meta.get("os", [])),
                    "functions": sorted(affected_meta.get("functions", {})),
                },
            },
            "database_specific": {
                "categories": list(adv.get("categories", [])),
                "cvss": cvss,
                "informational": adv.get("informational"),
            },
            "ranges": [{"type": "SEMVER", "events": events}],
            "versions": [],
        }],
        "references": [{"type": _reference_kind(u), "url": u} for u in refs],
        "database_specific": {"license": adv.get("license", "CC0-1.0")},
    })
    return record


def advisory_files(db: Path) -> list[Path]:
    files = sorted((db / "crates").glob("*/RUSTSEC-*.md"))
    if not files:
        raise ScriptError(f"{db}: no crates/<name>/RUSTSEC-*.md advisories found")
    return files


def convert(db: Path, out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("RUSTSEC-*.json"):
        stale.unlink()
    files = advisory_files(db)
    for f in files:
        record = to_osv(f)
        (out / f"{record['id']}.json").write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return len(files)


def upstream(db: Path) -> int:
    """Compare converted records with the ones RustSec's own OSV export published. The fixture
    copies and the export come from different commits, so a difference is either a conversion
    bug or an advisory edited in between; the docs say which."""
    published = json.loads(UPSTREAM.read_text(encoding="utf-8"))
    ours = {r["id"]: r for r in (to_osv(f) for f in advisory_files(db))}
    same_events = same_all = 0
    for adv_id, want in sorted(published["advisories"].items()):
        got = ours.get(adv_id)
        if got is None:
            print(f"{adv_id}: not in the fixture database")
            continue
        problems = []
        got_events = got["affected"][0]["ranges"][0]["events"]
        if got_events == want["events"]:
            same_events += 1
        else:
            problems.append(f"events {_events(got_events)} != published {_events(want['events'])}")
        if got["aliases"] != want["aliases"]:
            problems.append(f"aliases {got['aliases']} != published {want['aliases']}")
        if got.get("withdrawn") != want.get("withdrawn"):
            problems.append(f"withdrawn {got.get('withdrawn')!r} != published {want.get('withdrawn')!r}")
        inf = got["affected"][0]["database_specific"]["informational"]
        if inf != want.get("informational"):
            problems.append(f"informational {inf!r} != published {want.get('informational')!r}")
        if problems:
            print(f"{adv_id}: " + "; ".join(problems))
        else:
            same_all += 1
            print(f"{adv_id}: same ranges, aliases, informational kind and withdrawal as published")
    n = len(published["advisories"])
    print(f"{same_events} of {n} published records have the same range events; {same_all} of {n} match in every compared field")
    return 0


def _events(events: list[dict]) -> str:
    return " ".join(f"{k}={v}" for e in events for k, v in e.items())


# ---------------------------------------------------------------------------------------------
# Running the tools


def find_tool(env: str, names: list[str], hint: str) -> str:
    if os.environ.get(env):
        path = os.environ[env]
        if not Path(path).is_file():
            raise ScriptError(f"${env}={path}: no such file")
        return path
    for name in names:
        if os.sep in name and Path(name).is_file():
            return name
        found = shutil.which(name)
        if found:
            return found
    raise ScriptError(f"cannot find {names[0]}: set ${env} or {hint}")


def run_tollgate(tollgate: str, lock: Path, osv: Path, work: Path) -> tuple[set, dict]:
    scan = work / "scan"
    if scan.exists():
        shutil.rmtree(scan)
    scan.mkdir()
    shutil.copyfile(lock, scan / "Cargo.lock")
    env = dict(os.environ, TOLLGATE_CACHE_DIR=str(work / "cache"), NO_COLOR="1")
    cmd = [tollgate, "run", str(scan), "--stages", "deps", "--offline", "--advisory-db", str(osv),
           "--format", "sarif", "--no-progress", "--quiet"]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    # 0 = clean, 1 = findings at or above --fail-on; 2 = the tool failed.
    if proc.returncode not in (0, 1):
        raise ScriptError(f"tollgate exited {proc.returncode} on {lock}: {proc.stderr.strip()[-2000:]}")
    try:
        sarif = json.loads(proc.stdout)
    except json.JSONDecodeError as e:
        raise ScriptError(f"tollgate printed no SARIF for {lock}: {e}") from None
    found, extra = set(), {}
    for run in sarif.get("runs", []):
        for result in run.get("results", []):
            rule = result.get("ruleId", "")
            if rule.startswith("TG"):
                extra.setdefault("meta", []).append(rule)
                continue
            fqn = result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
            name, _, version = fqn.split("#", 1)[1].rpartition("@")
            found.add((name, version, rule))
            extra.setdefault("aliases", {})[(name, version, rule)] = result.get("properties", {}).get("aliases", [])
    return found, extra


def run_cargo_audit(cargo_audit: str, lock: Path, db: Path) -> tuple[set, set]:
    cmd = [cargo_audit, "audit", "--db", str(db), "--no-fetch", "--file", str(lock), "--json"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=dict(os.environ, NO_COLOR="1"))
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        raise ScriptError(f"cargo-audit exited {proc.returncode} on {lock} without a JSON report: "
                          f"{proc.stderr.strip()[-2000:]}") from None
    if "vulnerabilities" not in report:
        raise ScriptError(f"cargo-audit's report for {lock} has no 'vulnerabilities'")
    found, yanked = set(), set()
    for v in report["vulnerabilities"].get("list", []):
        found.add((v["package"]["name"], v["package"]["version"], v["advisory"]["id"]))
    for kind, warnings in (report.get("warnings") or {}).items():
        for w in warnings:
            pkg = (w["package"]["name"], w["package"]["version"])
            if w.get("advisory"):
                found.add((*pkg, w["advisory"]["id"]))
            elif kind == "yanked":
                yanked.add(pkg)
    return found, yanked


@dataclass
class Outcome:
    name: str
    tollgate: set
    audit: set
    yanked: set

    @property
    def both(self):
        return self.tollgate & self.audit

    @property
    def only_tollgate(self):
        return self.tollgate - self.audit

    @property
    def only_audit(self):
        return self.audit - self.tollgate


def lockfiles(locks: Path, own: bool) -> list[tuple[str, Path]]:
    out = [(p.parent.name, p) for p in sorted(locks.glob("*/Cargo.lock"))]
    if not out:
        raise ScriptError(f"{locks}: no <case>/Cargo.lock files")
    if own:
        out.append(("tollgate's own Cargo.lock", WORKSPACE / "Cargo.lock"))
    return out


def compare(args) -> int:
    cargo_audit = find_tool("CARGO_AUDIT", ["cargo-audit", "/tmp/cargo-audit/bin/cargo-audit"],
                            "put cargo-audit on PATH (cargo install cargo-audit)")
    tollgate = find_tool("TOLLGATE", ["tollgate", str(WORKSPACE / "target" / "release" / "tollgate")],
                         "build it with `cargo build --release -p tollgate-cli`")
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="tollgate-vs-audit-") as tmp:
        work = Path(tmp)
        osv = work / "osv"
        convert(args.db, osv)
        for name, lock in lockfiles(args.lockfiles, not args.no_own):
            t, _ = run_tollgate(tollgate, lock, osv, work)
            a, y = run_cargo_audit(cargo_audit, lock, args.db)
            outcomes.append(Outcome(name, t, a, y))
    if args.markdown:
        print_markdown(outcomes)
    else:
        print_text(outcomes)
    return 0


def _mark(row, o: Outcome) -> str:
    return ("T" if row in o.tollgate else "-") + " " + ("C" if row in o.audit else "-")


def print_text(outcomes: list[Outcome]) -> None:
    total = [0, 0, 0]
    for o in outcomes:
        rows = sorted(o.tollgate | o.audit)
        print(f"== {o.name}: {len(o.both)} agree, {len(o.only_tollgate)} tollgate only, "
              f"{len(o.only_audit)} cargo-audit only")
        for row in rows:
            print(f"   {_mark(row, o)}  {row[0]} {row[1]}  {row[2]}")
        for name, version in sorted(o.yanked):
            print(f"   yanked (cargo-audit warning, no advisory): {name} {version}")
        total[0] += len(o.both)
        total[1] += len(o.only_tollgate)
        total[2] += len(o.only_audit)
    n = sum(total)
    pct = 100.0 * total[0] / n if n else 100.0
    print(f"overall: {total[0]} of {n} (crate, version, advisory) findings agree ({pct:.1f}%); "
          f"{total[1]} tollgate only, {total[2]} cargo-audit only")


def print_markdown(outcomes: list[Outcome]) -> None:
    print("| lockfile | crate | version | advisory | tollgate | cargo-audit |")
    print("|---|---|---|---|---|---|")
    for o in outcomes:
        for row in sorted(o.tollgate | o.audit):
            print(f"| {o.name} | `{row[0]}` | {row[1]} | {row[2]} | "
                  f"{'yes' if row in o.tollgate else '**no**'} | {'yes' if row in o.audit else '**no**'} |")
        for name, version in sorted(o.yanked):
            print(f"| {o.name} | `{name}` | {version} | (yanked) | – | warning |")
        if not o.tollgate and not o.audit and not o.yanked:
            print(f"| {o.name} | – | – | none | – | – |")
    print()
    print("| lockfile | agree | tollgate only | cargo-audit only |")
    print("|---|---|---|---|")
    for o in outcomes:
        print(f"| {o.name} | {len(o.both)} | {len(o.only_tollgate)} | {len(o.only_audit)} |")
    both = sum(len(o.both) for o in outcomes)
    t = sum(len(o.only_tollgate) for o in outcomes)
    a = sum(len(o.only_audit) for o in outcomes)
    print(f"| **overall** | **{both}** | **{t}** | **{a}** |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, default=DEFAULT_DB, help="RustSec advisory directory")
    sub = parser.add_subparsers(dest="command")
    conv = sub.add_parser("convert", help="write the OSV form of the RustSec directory")
    conv.add_argument("--out", type=Path, default=DEFAULT_OSV)
    sub.add_parser("upstream", help="compare the conversion with RustSec's published OSV records")
    cmp_ = sub.add_parser("compare", help="run tollgate and cargo-audit and compare (default)")
    for p in (parser, cmp_):
        p.add_argument("--lockfiles", type=Path, default=DEFAULT_LOCKS, help="directory of <case>/Cargo.lock")
        p.add_argument("--no-own", action="store_true", help="leave out the project's own Cargo.lock")
        p.add_argument("--markdown", action="store_true", help="print the tables for the docs")
    args = parser.parse_args()
    try:
        if args.command == "convert":
            n = convert(args.db, args.out)
            print(f"wrote {n} OSV records to {args.out}", file=sys.stderr)
            return 0
        if args.command == "upstream":
            return upstream(args.db)
        return compare(args)
    except (ScriptError, OSError, subprocess.TimeoutExpired) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
