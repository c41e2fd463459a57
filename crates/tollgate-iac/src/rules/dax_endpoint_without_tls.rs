//! TG1204: a DAX cluster whose endpoint does not use TLS.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct DaxEndpointWithoutTls;

impl IacRule for DaxEndpointWithoutTls {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1204",
                "dax-endpoint-without-tls",
                Severity::Medium,
                "DAX cluster endpoint does not use TLS",
                "dynamodb",
            )
        .tags(["encryption"])
        .equivalents(["CKV_AWS_239"])
        .description(
            "With `ClusterEndpointEncryptionType` (`cluster_endpoint_encryption_type`) left at \
             `NONE`, the default, the items a function reads from and writes to the DAX cache \
             cross the VPC in plain text, readable by anything that can see the traffic. The \
             setting can only be chosen when the cluster is created: changing it replaces the \
             cluster.",
        )
        .remediation(
            Fix {
                summary: "Create the cluster with TLS on its endpoint (this replaces an existing cluster) and connect with a TLS-capable DAX client.",
                cloudformation: "OrdersCache:\n  Type: AWS::DAX::Cluster\n  Properties:\n    ClusterEndpointEncryptionType: TLS\n    SSESpecification:\n      SSEEnabled: true",
                serverless: None,
                terraform: "resource \"aws_dax_cluster\" \"orders\" {\n  # ...\n  cluster_endpoint_encryption_type = \"TLS\"\n  server_side_encryption {\n    enabled = true\n  }\n}",
            }
            .markdown(),
        )
    }

    fn data_protection(&self) -> bool {
        true
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for c in &model.dax_clusters {
            let name = &c.meta.address;
            out.expect(
                &c.meta,
                &c.endpoint_encryption,
                |kind| kind.eq_ignore_ascii_case("TLS"),
                format!("DAX cluster `{name}` does not encrypt its endpoint with TLS."),
                |kind| format!("DAX cluster `{name}` sets its endpoint encryption to `{kind}`."),
            );
        }
    }
}
