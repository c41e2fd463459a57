#!/usr/bin/env python3
"""Write a large SARIF 2.1.0 log shaped like tollgate's own, for measuring how much memory
`tollgate merge`, `tollgate post` and `--baseline` take to read it.

    python3 crates/tollgate-sarif/scripts/big_log.py 200000 > big.sarif

Each result is about 920 bytes (200,000 results: about 184 MB). With `--bad-line`, every
tenth result gets `startLine: 0`, which the SARIF schema refuses.
"""

import hashlib
import json
import sys


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    bad_line = "--bad-line" in sys.argv
    rules = [
        {
            "id": f"TG1{n:03d}",
            "name": f"rule-{n}",
            "shortDescription": {"text": f"Rule {n}"},
            "properties": {"security-severity": "5.0", "tags": ["security"]},
        }
        for n in range(50)
    ]
    out = sys.stdout
    head = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
    }
    out.write(json.dumps(head)[:-1] + ',"runs":[{')
    out.write('"tool":' + json.dumps({"driver": {"name": "tollgate", "version": "0.1.0", "rules": rules}}))
    out.write(',"automationDetails":{"id":"tollgate/"}')
    out.write(',"originalUriBaseIds":{"%SRCROOT%":{"uri":"file:///repo/"}}')
    out.write(',"results":[')
    for i in range(count):
        rule = i % 50
        region = {"startLine": 0 if bad_line and i % 10 == 0 else 10 + i % 500, "startColumn": 5,
                  "endLine": 10 + i % 500, "endColumn": 30}
        result = {
            "ruleId": f"TG1{rule:03d}",
            "ruleIndex": rule,
            "level": "warning",
            "message": {"text": f"Bucket{i} of service {i % 997} does not block public access; "
                                "its policy lets any principal read objects, and its ACL is not "
                                "private. Set PublicAccessBlockConfiguration on it. " + "x" * 205},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": {"uri": f"services/svc-{i % 997}/template.yaml",
                                         "uriBaseId": "%SRCROOT%"},
                    "region": region,
                },
                "logicalLocations": [{"fullyQualifiedName": f"Bucket{i}", "kind": "resource"}],
            }],
            "partialFingerprints": {"tollgate/v1": hashlib.sha256(str(i).encode()).hexdigest()},
            "properties": {"security-severity": "5.0", "tollgate/severity": "medium",
                           "tags": ["security", "s3"]},
        }
        if i:
            out.write(",")
        out.write(json.dumps(result, separators=(",", ":")))
    out.write("]}]}\n")


if __name__ == "__main__":
    main()
