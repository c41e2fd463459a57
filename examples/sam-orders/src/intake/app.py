import json
import logging
import os
import subprocess
import uuid

import boto3
import requests
import yaml

logger = logging.getLogger()
table = boto3.resource("dynamodb").Table(os.environ["ORDERS_TABLE"])


def render_receipt(order_id, customer):
    # Seeded: the customer's name is part of a shell command (TG6001).
    subprocess.run(
        f"wkhtmltopdf /tmp/{order_id}.html '/tmp/receipt-{customer}.pdf'",
        shell=True,
        check=False,
    )


def handler(event, context):
    # Seeded: the whole event, authorization header included, goes to the logs (TG6009).
    logger.info("event: %s", json.dumps(event))
    order = json.loads(event.get("body") or "{}")
    order_id = str(uuid.uuid4())
    order["id"] = order_id
    table.put_item(Item=order)
    render_receipt(order_id, order.get("customer", "guest"))
    # Seeded: the caller chooses which URL the confirmation is sent to (TG6006).
    callback = order.get("callbackUrl")
    if callback:
        requests.post(callback, json={"id": order_id}, timeout=5)
    # Seeded: order options are read with PyYAML's unsafe loader (TG6003).
    options = yaml.load(event["headers"].get("x-order-options", "{}"), Loader=yaml.Loader)
    return {"statusCode": 201, "body": json.dumps({"id": order_id, "options": str(options)})}
