const { execFileSync } = require("child_process");

exports.handler = async (event) => {
  for (const record of event.Records) {
    console.log("refund requested", record.messageId);
    // The program and its arguments as a list: no shell parses the order id.
    execFileSync("refund-tool", ["--order", JSON.parse(record.body).orderId]);
  }
};
