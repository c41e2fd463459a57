const { execSync } = require("child_process");

exports.handler = async (event) => {
  for (const record of event.Records) {
    console.log("refund requested", record.messageId);
    // Seeded: the queue message is part of a shell command (TG6001). The function is only
    // triggered by its queue, so the finding keeps the rule's base severity.
    execSync("refund-tool --order " + JSON.parse(record.body).orderId);
  }
};
