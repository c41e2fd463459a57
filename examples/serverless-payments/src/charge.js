const { DynamoDBClient, PutItemCommand, ScanCommand } = require("@aws-sdk/client-dynamodb");

const client = new DynamoDBClient({});

exports.handler = async (event) => {
  const body = JSON.parse(event.body || "{}");
  // Seeded: a discount formula sent by the caller is evaluated as code (TG6002).
  const discount = body.discountRule ? eval(body.discountRule) : 0;
  // Seeded: earlier charges are found with a filter built from the request (TG6005).
  const previous = await client.send(
    new ScanCommand({
      TableName: process.env.LEDGER_TABLE,
      FilterExpression: "customer = " + body.customer,
    }),
  );
  await client.send(
    new PutItemCommand({
      TableName: process.env.LEDGER_TABLE,
      Item: {
        pk: { S: `charge#${Date.now()}` },
        amount: { N: String((body.amount || 0) - discount) },
      },
    }),
  );
  return { statusCode: 202, body: JSON.stringify({ previous: previous.Count }) };
};
