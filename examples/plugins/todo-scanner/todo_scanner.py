#!/usr/bin/env python3
"""Report `TODO(security)` comments as SARIF 2.1.0 on stdout.

A tiny tollgate plugin: it reads the files under the scanned root (``TOLLGATE_ROOT``, else the
current directory), never executes them, skips large and binary files, and prints one SARIF
log. With ``--exit-code`` it exits 1 when it found something, as many scanners do; tollgate
still counts the results because the SARIF is valid.
"""

import json
import os
import re
import sys

MAX_FILE_BYTES = 1024 * 1024
SKIP_DIRS = {".git", "node_modules", "target", ".terraform", ".venv", "__pycache__"}
# A comment marker (#, //, --, /*, ;) followed by TODO(security): the note that follows is the message.
PATTERN = re.compile(r"(?:#|//|--|/\*|;)\s*TODO\(security\)\s*:?\s*(?P<note>.*)")
RULE_ID = "todo-security"


def scan_file(path, rel):
    try:
        if os.path.getsize(path) > MAX_FILE_BYTES:
            return []
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError:
        return []
    if b"\0" in data[:8192]:
        return []
    text = data.decode("utf-8", errors="replace")
    results = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = PATTERN.search(line)
        if not match:
            continue
        note = match.group("note").strip().rstrip("*/").strip() or "no details given"
        results.append(
            {
                "ruleId": RULE_ID,
                "ruleIndex": 0,
                "level": "warning",
                "message": {"text": "Open security TODO: " + note[:200]},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": rel, "uriBaseId": "%SRCROOT%"},
                            "region": {
                                "startLine": number,
                                # SARIF columns are 1-based; Python counts code points too.
                                "startColumn": match.start() + 1,
                                "endColumn": len(line.rstrip("\r")) + 1,
                            },
                        }
                    }
                ],
            }
        )
    return results


def scan(root):
    results = []
    for directory, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        for name in sorted(files):
            path = os.path.join(directory, name)
            if os.path.islink(path) or not os.path.isfile(path):
                continue
            rel = os.path.relpath(path, root).replace(os.sep, "/")
            results.extend(scan_file(path, rel))
    return results


def main(argv):
    root = os.environ.get("TOLLGATE_ROOT") or os.getcwd()
    results = scan(root)
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "todo-scanner",
                        "version": "1.0.0",
                        "rules": [
                            {
                                "id": RULE_ID,
                                "name": "open-security-todo",
                                "shortDescription": {"text": "Open TODO(security) comment"},
                                "fullDescription": {
                                    "text": "A TODO(security) comment marks known, unfinished security work."
                                },
                                "defaultConfiguration": {"level": "warning"},
                                "properties": {"tags": ["security"], "security-severity": "5.0"},
                            }
                        ],
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": "file://" + os.path.abspath(root).rstrip("/") + "/"}},
                "results": results,
            }
        ],
    }
    json.dump(log, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 1 if results and "--exit-code" in argv else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
