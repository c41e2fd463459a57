const { DynamoDBClient, PutItemCommand } = require("@aws-sdk/client-dynamodb");

const client = new DynamoDBClient({});

exports.handler = async (event) => {
  const body = JSON.parse(event.body || "{}");
  await client.send(
    new PutItemCommand({
      TableName: process.env.LEDGER_TABLE,
      Item: { pk: { S: `charge#${Date.now()}` }, amount: { N: String(body.amount || 0) } },
    }),
  );
  return { statusCode: 202, body: "" };
};
