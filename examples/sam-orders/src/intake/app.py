import json
import os
import uuid

import boto3

table = boto3.resource("dynamodb").Table(os.environ["ORDERS_TABLE"])


def handler(event, context):
    order = json.loads(event.get("body") or "{}")
    order["id"] = str(uuid.uuid4())
    table.put_item(Item=order)
    return {"statusCode": 201, "body": json.dumps({"id": order["id"]})}
