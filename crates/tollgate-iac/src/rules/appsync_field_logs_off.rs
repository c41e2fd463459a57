//! TG1108: an AppSync GraphQL API that does not log resolver (field-level) activity.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct AppsyncFieldLogsOff;

impl IacRule for AppsyncFieldLogsOff {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1108",
                "appsync-field-logs-off",
                Severity::Low,
                "AppSync GraphQL API does not log field-level (resolver) activity",
                "appsync",
            )
        .tags(["logging"])
        .equivalents(["CKV_AWS_194"])
        .description(
            "`FieldLogLevel` (`field_log_level`) decides whether AppSync logs what each \
             resolver did: `NONE`, or no log configuration at all, logs none of it, so a \
             failing or abused resolver leaves no trace. `ERROR` logs the fields in error, \
             `INFO`, `DEBUG` and `ALL` more; any of them passes (Checkov accepts `ERROR` and \
             `ALL` only, as it predates the other two levels).",
        )
        .remediation(
            Fix {
                summary: "Set the API's field log level to `ERROR` (or `ALL` while investigating).",
                cloudformation: "GraphApi:\n  Type: AWS::AppSync::GraphQLApi\n  Properties:\n    LogConfig:\n      CloudWatchLogsRoleArn: !GetAtt AppSyncLogRole.Arn\n      FieldLogLevel: ERROR",
                serverless: None,
                terraform: "resource \"aws_appsync_graphql_api\" \"orders\" {\n  log_config {\n    cloudwatch_logs_role_arn = aws_iam_role.appsync_logs.arn\n    field_log_level          = \"ERROR\"\n  }\n  # ...\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for api in &model.graphql_apis {
            let name = &api.meta.address;
            out.expect(
                &api.meta,
                &api.field_log_level,
                |level| !level.eq_ignore_ascii_case("NONE"),
                format!("AppSync API `{name}` does not log field-level (resolver) activity."),
                |_| format!("AppSync API `{name}` sets its field log level to `NONE`, so resolver activity is not logged."),
            );
        }
    }
}
