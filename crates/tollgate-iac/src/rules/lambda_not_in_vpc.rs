//! TG1004 (info): a function outside a VPC cannot reach private resources through network
//! controls and its egress cannot be filtered.

use tollgate_core::{Precision, Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct LambdaNotInVpc;

impl IacRule for LambdaNotInVpc {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1004",
                "lambda-not-in-vpc",
                Severity::Info,
                "Lambda function is not attached to a VPC",
                "lambda",
            )
        .equivalents(["CKV_AWS_117"])
        .precision(Precision::Medium)
        .description(
            "A function without `VpcConfig` runs in the Lambda service network: its outbound \
             traffic cannot be restricted by security groups, network ACLs or VPC endpoints. This \
             is often fine for functions that only call public AWS APIs, so the rule is \
             informational; functions that handle sensitive data or reach databases belong in a VPC.",
        )
        .remediation(
            Fix {
                summary: "Attach the function to private subnets with a security group that limits egress.",
                cloudformation: "ChargeFunction:\n  Type: AWS::Serverless::Function\n  Properties:\n    VpcConfig:\n      SubnetIds: [!Ref PrivateSubnetA, !Ref PrivateSubnetB]\n      SecurityGroupIds: [!Ref ChargeSecurityGroup]",
                serverless: Some("provider:\n  vpc:\n    subnetIds: [subnet-0a1b2c3d, subnet-4e5f6a7b]\n    securityGroupIds: [sg-0123abcd]"),
                terraform: "resource \"aws_lambda_function\" \"charge\" {\n  # ...\n  vpc_config {\n    subnet_ids         = [aws_subnet.private_a.id]\n    security_group_ids = [aws_security_group.charge.id]\n  }\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for f in &model.lambdas {
            out.evaluated(&f.meta);
            let name = &f.meta.address;
            match &f.vpc {
                crate::model::Val::Absent => out.missing(
                    &f.meta,
                    format!("Lambda function `{name}` is not attached to a VPC."),
                ),
                crate::model::Val::Known { value, span } if value.subnet_ids.is_empty() => out.at(
                    &f.meta,
                    *span,
                    "VpcConfig without subnets",
                    format!("Lambda function `{name}` has a VPC configuration without subnets."),
                ),
                crate::model::Val::Unknown { .. } => out.unknown(&f.meta),
                crate::model::Val::Known { .. } => {}
            }
        }
    }
}
