import json
import logging
import os
import subprocess
import uuid
from urllib.parse import urlparse

import boto3
import requests
import yaml

logger = logging.getLogger()
table = boto3.resource("dynamodb").Table(os.environ["ORDERS_TABLE"])

CALLBACK_HOSTS = {"hooks.example.com"}


def render_receipt(order_id, customer):
    # The program and its arguments as a list: no shell parses the customer's name.
    subprocess.run(
        ["wkhtmltopdf", f"/tmp/{order_id}.html", f"/tmp/receipt-{customer}.pdf"],
        check=False,
    )


def handler(event, context):
    logger.info("order request %s", event["requestContext"]["requestId"])
    order = json.loads(event.get("body") or "{}")
    order_id = str(uuid.uuid4())
    order["id"] = order_id
    table.put_item(Item=order)
    render_receipt(order_id, order.get("customer", "guest"))
    callback = order.get("callbackUrl")
    if callback:
        if urlparse(callback).hostname not in CALLBACK_HOSTS:
            return {"statusCode": 400, "body": json.dumps({"error": "callback host not allowed"})}
        requests.post(callback, json={"id": order_id}, timeout=5)
    options = yaml.safe_load(event["headers"].get("x-order-options", "{}"))
    return {"statusCode": 201, "body": json.dumps({"id": order_id, "options": str(options)})}
