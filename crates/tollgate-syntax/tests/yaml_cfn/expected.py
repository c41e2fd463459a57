"""Writes NAME.json beside each NAME.yaml here: the document as PyYAML composes it, for the
conformance test of tollgate's YAML parser (`tests/yaml_cfn.rs`). Run from this directory:
    pip install pyyaml && python3 expected.py

Local tags (`!Ref x`) become {"!Ref": x}. Plain scalars are typed by the YAML 1.2 core schema,
as tollgate and CloudFormation read them (null, booleans; numbers kept as their text); every
other scalar is a string.
"""

import glob
import json
import re

import yaml

NULL = re.compile(r"^(~|null|Null|NULL|)$")
BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
NUMBER = re.compile(
    r"^([-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?"
    r"|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$"
)


def convert(node):
    if isinstance(node, yaml.ScalarNode):
        if node.style is None and NULL.match(node.value):
            value = None
        elif node.style is None and node.value in BOOL:
            value = BOOL[node.value]
        else:
            value = node.value
    elif isinstance(node, yaml.SequenceNode):
        value = [convert(item) for item in node.value]
    else:
        value = {}
        for key, item in node.value:
            value[key.value] = convert(item)
    if node.tag.startswith("!") and not node.tag.startswith("!!"):
        return {node.tag: value}
    return value


for path in sorted(glob.glob("*.yaml")):
    with open(path, encoding="utf-8") as f:
        docs = [convert(d) for d in yaml.compose_all(f, Loader=yaml.SafeLoader)]
    with open(path[: -len(".yaml")] + ".json", "w", encoding="utf-8") as out:
        json.dump(docs, out, indent=1, ensure_ascii=False)
        out.write("\n")
