//! Serverless Framework services shaped like `examples/serverless-payments*`: provider settings,
//! functions with HTTP and SQS events, and CloudFormation resources under `resources:`.

use serde_json::{json, Map, Value};

use super::cloudformation::{
    arn_of, bucket, function_names, kms_key, log_group, logical, queues, table,
};
use super::{Dice, RUNTIMES, SERVICES};

pub fn service(i: usize, dice: &mut Dice) -> Value {
    let service = format!("{}-{i}", dice.pick(SERVICES));
    let names = function_names(dice);

    let mut provider = json!({
        "name": "aws",
        "runtime": dice.pick(RUNTIMES),
        "stage": "${opt:stage, 'dev'}",
        "region": dice.pick(&["eu-west-1", "us-east-1", "ap-southeast-2"]),
        "memorySize": dice.pick(&[256, 512, 1024]),
        "environment": {
            "TABLE_NAME": "${self:service}-${sls:stage}",
            "QUEUE_URL": { "Ref": "WorkQueue" }
        },
        "iam": { "role": { "statements": super::cloudformation::statements(dice) } }
    });
    if dice.blunder() {
        provider["environment"]["STRIPE_SECRET_KEY"] =
            json!(format!("sk_live_{:024x}", dice.below(u64::MAX >> 8)));
    }
    if dice.careful() {
        provider["tracing"] = json!({ "lambda": true, "apiGateway": true });
    }
    if dice.careful() {
        provider["logs"] = json!({ "restApi": true });
    }
    if dice.careful() {
        provider["kmsKeyArn"] = arn_of("DataKey");
    }
    if dice.careful() {
        provider["vpc"] = json!({
            "securityGroupIds": ["sg-0123456789abcdef0"],
            "subnetIds": ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]
        });
    }

    let mut functions = Map::new();
    let mut resources = Map::new();
    for (n, verb) in names.iter().enumerate() {
        let event = if n == 0 || dice.below(2) == 0 {
            let mut http = json!({ "path": verb, "method": "post" });
            if dice.careful() {
                http["authorizer"] = json!("aws_iam");
            }
            json!({ "http": http })
        } else {
            json!({ "sqs": { "arn": arn_of("WorkQueue"), "batchSize": 10 } })
        };
        let mut function = json!({
            "handler": format!("src/{verb}.handler"),
            "events": [event]
        });
        if dice.careful() {
            function["reservedConcurrency"] = json!(dice.pick(&[5, 10, 25]));
        }
        if dice.careful() {
            function["onError"] = arn_of("DeadLetterTopic");
        }
        if dice.blunder() {
            function["url"] = json!(true);
        }
        functions.insert((*verb).to_string(), function);
        // The log group the framework would create, declared to set retention and a key.
        let logical_fn = logical(verb, "LambdaFunction");
        log_group(dice, &logical_fn, &mut resources);
    }

    kms_key(dice, &mut resources);
    table(dice, &service, &mut resources);
    bucket(dice, &service, &mut resources);
    queues(dice, &mut resources);
    let mut topic = json!({ "TopicName": "${self:service}-${sls:stage}-failures" });
    if dice.careful() {
        topic["KmsMasterKeyId"] = json!({ "Ref": "DataKey" });
    }
    resources.insert(
        "DeadLetterTopic".into(),
        json!({ "Type": "AWS::SNS::Topic", "Properties": topic }),
    );

    json!({
        "service": service,
        "frameworkVersion": "3",
        "provider": provider,
        "functions": functions,
        "resources": { "Resources": resources }
    })
}
