"""Stores a new patient's intake form."""
import os
import uuid

import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["PATIENTS_TABLE"])


def handler(event, context):
    patient_id = uuid.uuid4().hex
    TABLE.put_item(Item={"patientId": patient_id, "status": "new"})
    return {"statusCode": 201, "patientId": patient_id}
