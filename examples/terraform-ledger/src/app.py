def handler(event, context):\n    return {"statusCode": 200}
