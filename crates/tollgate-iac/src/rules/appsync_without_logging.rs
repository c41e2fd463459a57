//! TG1107: an AppSync GraphQL API that writes no logs.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct AppsyncWithoutLogging;

impl IacRule for AppsyncWithoutLogging {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1107",
                "appsync-without-logging",
                Severity::Low,
                "AppSync GraphQL API does not write logs to CloudWatch",
                "appsync",
            )
        .tags(["logging"])
        .equivalents(["CKV_AWS_193"])
        .description(
            "AppSync writes request and resolver logs only with a `LogConfig` naming the role \
             it logs with (`CloudWatchLogsRoleArn`, `cloudwatch_logs_role_arn`). Without \
             them there is no record of the queries and mutations run against the API's data \
             sources. How much is logged is TG1108's question.",
        )
        .remediation(
            Fix {
                summary: "Give the API a log configuration with a role allowed to write to CloudWatch Logs.",
                cloudformation: "GraphApi:\n  Type: AWS::AppSync::GraphQLApi\n  Properties:\n    Name: orders\n    AuthenticationType: AMAZON_COGNITO_USER_POOLS\n    LogConfig:\n      CloudWatchLogsRoleArn: !GetAtt AppSyncLogRole.Arn\n      FieldLogLevel: ERROR",
                serverless: None,
                terraform: "resource \"aws_appsync_graphql_api\" \"orders\" {\n  name                = \"orders\"\n  authentication_type = \"AMAZON_COGNITO_USER_POOLS\"\n  log_config {\n    cloudwatch_logs_role_arn = aws_iam_role.appsync_logs.arn\n    field_log_level          = \"ERROR\"\n  }\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for api in &model.graphql_apis {
            out.evaluated(&api.meta);
            if api.log_role.is_unknown() {
                out.unknown(&api.meta);
            } else if api.log_role.is_absent() {
                out.missing(
                    &api.meta,
                    format!(
                        "AppSync API `{}` has no log configuration role, so it writes no logs.",
                        api.meta.address
                    ),
                );
            }
        }
    }
}
