"""Counts the scans stored for the monthly report."""
import boto3

S3 = boto3.client("s3")


def handler(event, context):
    bucket = "clinic-scans-dev"
    pages = S3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
    return {"count": sum(page.get("KeyCount", 0) for page in pages)}
