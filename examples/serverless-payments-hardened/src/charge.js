const { DynamoDBClient, PutItemCommand, ScanCommand } = require("@aws-sdk/client-dynamodb");

const client = new DynamoDBClient({});

const DISCOUNTS = { none: 0, loyalty: 5 };

exports.handler = async (event) => {
  const body = JSON.parse(event.body || "{}");
  const discount = DISCOUNTS[body.discountRule] || 0;
  const previous = await client.send(
    new ScanCommand({
      TableName: process.env.LEDGER_TABLE,
      FilterExpression: "customer = :customer",
      ExpressionAttributeValues: { ":customer": { S: String(body.customer) } },
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
