//! CloudFormation Lambda and Step Functions resources into the model.

use super::value::{Cv, CvKind, Props};
use crate::model::{
    CloudModel, EnvVar, FunctionUrl, LambdaFunction, LambdaPermission, ResourceMeta, StateMachine,
    Val, VpcConfig,
};

/// `AWS::Lambda::Function` (also the base of a SAM function, whose extra properties the SAM
/// adapter applies afterwards).
pub fn lambda_function(meta: ResourceMeta, p: &Cv) -> LambdaFunction {
    let mut f = LambdaFunction::new(meta);
    f.name = p.str_at(&["FunctionName"]);
    f.runtime = p.str_at(&["Runtime"]);
    f.package_type = p.str_at(&["PackageType"]);
    f.handler = p.str_at(&["Handler"]);
    f.code_uri = p.str_at(&["Code"]);
    f.tracing = p.str_at(&["TracingConfig", "Mode"]);
    f.reserved_concurrency = p.int_at(&["ReservedConcurrentExecutions"]);
    f.dead_letter = p.ref_at(&["DeadLetterConfig", "TargetArn"]);
    f.vpc = vpc(p.get("VpcConfig"));
    (f.environment, f.environment_unknown) = environment(p.path(&["Environment", "Variables"]));
    f.kms_key = p.ref_at(&["KmsKeyArn"]);
    f.code_signing = p.ref_at(&["CodeSigningConfigArn"]);
    f.role = p.ref_at(&["Role"]);
    f
}

/// `VpcConfig`: known when subnets are listed (an empty list means no VPC).
pub fn vpc(v: Option<&Cv>) -> Val<VpcConfig> {
    let Some(v) = v else { return Val::Absent };
    match &v.kind {
        CvKind::Unknown(reason) => Val::unknown(v.span, reason.clone()),
        _ if v.is_nothing() => Val::Absent,
        _ => {
            let config = VpcConfig {
                subnet_ids: v.get("SubnetIds").map(Cv::to_str_list).unwrap_or_default(),
                security_group_ids: v
                    .get("SecurityGroupIds")
                    .map(Cv::to_str_list)
                    .unwrap_or_default(),
            };
            if config.subnet_ids.is_empty() {
                Val::Absent
            } else {
                Val::known(config, v.span)
            }
        }
    }
}

/// Environment variables, and the span of the map when it could not be resolved.
pub fn environment(v: Option<&Cv>) -> (Vec<EnvVar>, Option<tollgate_syntax::Span>) {
    let Some(v) = v else {
        return (Vec::new(), None);
    };
    match &v.kind {
        CvKind::Map(entries) => (
            entries
                .iter()
                .filter(|(_, _, value)| !matches!(value.kind, CvKind::NoValue))
                .map(|(name, name_span, value)| EnvVar {
                    name: name.clone(),
                    name_span: *name_span,
                    value: value.to_str(),
                })
                .collect(),
            None,
        ),
        _ if v.is_nothing() => (Vec::new(), None),
        _ => (Vec::new(), Some(v.span)),
    }
}

/// `AWS::Lambda::Url`.
pub fn function_url(meta: ResourceMeta, p: &Cv) -> FunctionUrl {
    FunctionUrl {
        meta,
        function: p.ref_at(&["TargetFunctionArn"]),
        auth_type: p.str_at(&["AuthType"]),
    }
}

/// `AWS::Lambda::Permission`.
pub fn lambda_permission(meta: ResourceMeta, p: &Cv) -> LambdaPermission {
    let mut perm = LambdaPermission::new(meta);
    perm.function = p.ref_at(&["FunctionName"]);
    perm.action = p.str_at(&["Action"]);
    perm.principal = p.str_at(&["Principal"]);
    perm.source_arn = p.str_at(&["SourceArn"]);
    perm.source_account = p.str_at(&["SourceAccount"]);
    perm.principal_org_id = p.str_at(&["PrincipalOrgID"]);
    perm.function_url_auth_type = p.str_at(&["FunctionUrlAuthType"]);
    perm
}

/// `AWS::Lambda::EventInvokeConfig`: joins its on-failure destination into the function.
pub fn event_invoke_config(meta: &ResourceMeta, p: &Cv, model: &mut CloudModel) {
    let function = p.ref_at(&["FunctionName"]);
    let destination = p.ref_at(&["DestinationConfig", "OnFailure", "Destination"]);
    if destination.is_absent() {
        return;
    }
    for f in model.lambdas.iter_mut() {
        if CloudModel::points_at(meta, &function, &f.meta, &f.name) && f.on_failure.is_absent() {
            f.on_failure = destination.clone();
        }
    }
}

/// `AWS::StepFunctions::StateMachine` (and the common part of SAM's).
pub fn state_machine(meta: ResourceMeta, p: &Cv) -> StateMachine {
    let destinations = p
        .path(&["LoggingConfiguration", "Destinations"])
        .or_else(|| p.path(&["Logging", "Destinations"]))
        .map(|d| match &d.kind {
            CvKind::List(items) => items
                .iter()
                .map(|i| i.ref_at(&["CloudWatchLogsLogGroup", "LogGroupArn"]))
                .collect(),
            _ => vec![d.to_ref()],
        })
        .unwrap_or_default();
    StateMachine {
        meta,
        name: p.str_at(&["StateMachineName"]).or(p.str_at(&["Name"])),
        kind: p.str_at(&["StateMachineType"]).or(p.str_at(&["Type"])),
        log_level: p
            .str_at(&["LoggingConfiguration", "Level"])
            .or(p.str_at(&["Logging", "Level"])),
        log_destinations: destinations,
        tracing: p
            .bool_at(&["TracingConfiguration", "Enabled"])
            .or(p.bool_at(&["Tracing", "Enabled"])),
        role: p.ref_at(&["RoleArn"]).or(p.ref_at(&["Role"])),
    }
}
