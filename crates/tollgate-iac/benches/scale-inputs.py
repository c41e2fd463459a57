#!/usr/bin/env python3
"""Write the large inputs that once took quadratic time, one directory each, under OUT:

  tf-distinct/main.tf    distinct() over 100,000 values
  tf-merge/main.tf       merge() of two objects of 100,000 keys
  tf-buckets/main.tf     40,000 aws_s3_bucket blocks in one file
  cfn-buckets/template.yaml   100,000 AWS::S3::Bucket resources in one template
  config-rules/          a tollgate.toml of 30,000 [rules.X] tables, next to one template
  config-ignores/        a tollgate.toml of 25,000 [[ignore]] entries, next to one template

Usage: python3 crates/tollgate-iac/benches/scale-inputs.py OUT
Then time each with the release binary, e.g.
  /usr/bin/time -f '%e s %M KiB' target/release/tollgate run OUT/tf-merge --no-progress --format json >/dev/null
"""

import os
import sys

QUEUE = (
    'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Queue:\n'
    "    Type: AWS::SQS::Queue\n    Properties:\n      SqsManagedSseEnabled: false\n"
)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def main(out):
    values = ", ".join(f'"v{i % 50_000}"' for i in range(100_000))
    write(
        f"{out}/tf-distinct/main.tf",
        f'locals {{\n  values = [{values}]\n}}\n'
        'resource "aws_sns_topic" "t" {\n  name = join(",", distinct(local.values))\n}\n',
    )
    keys = "\n".join(f'    k{i} = "v{i}"' for i in range(100_000))
    write(
        f"{out}/tf-merge/main.tf",
        f"locals {{\n  a = {{\n{keys}\n  }}\n}}\n"
        'resource "aws_sns_topic" "t" {\n  name = "t"\n  tags = merge(local.a, local.a)\n}\n',
    )
    write(
        f"{out}/tf-buckets/main.tf",
        "".join(
            f'resource "aws_s3_bucket" "b{i}" {{\n  bucket = "bucket-{i}"\n}}\n'
            for i in range(40_000)
        ),
    )
    write(
        f"{out}/cfn-buckets/template.yaml",
        'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n'
        + "".join(f"  B{i}:\n    Type: AWS::S3::Bucket\n" for i in range(100_000)),
    )
    write(
        f"{out}/config-rules/tollgate.toml",
        # Short entries: the config file may be at most 1 MiB.
        "".join(f"[rules.X{i}]\ndisable=true\n" for i in range(30_000)),
    )
    write(f"{out}/config-rules/template.yaml", QUEUE)
    write(
        f"{out}/config-ignores/tollgate.toml",
        "".join(f'[[ignore]]\nrule="TG{i}"\nreason="r"\n' for i in range(25_000)),
    )
    write(f"{out}/config-ignores/template.yaml", QUEUE)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
