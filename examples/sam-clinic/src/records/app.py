"""Reads one patient's record for the clinic's front desk."""
import os

import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["PATIENTS_TABLE"])


def handler(event, context):
    patient_id = str(event.get("patientId", ""))
    if not patient_id.isalnum():
        return {"statusCode": 400}
    item = TABLE.get_item(Key={"patientId": patient_id}).get("Item")
    return {"statusCode": 200 if item else 404}
