//! AWS Lambda: functions, their URLs and resource-based permissions.

use tollgate_syntax::Span;

use super::{Ref, ResourceMeta, Val};

/// `AWS::Lambda::Function`, `AWS::Serverless::Function`, a Serverless `functions.*` entry,
/// `aws_lambda_function`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LambdaFunction {
    pub meta: ResourceMeta,
    pub name: Val<String>,
    /// `nodejs20.x`, `python3.12`... Absent for container images.
    pub runtime: Val<String>,
    /// `Zip` or `Image`.
    pub package_type: Val<String>,
    pub handler: Val<String>,
    /// X-Ray tracing mode: `Active` or `PassThrough` (SAM/Serverless `true` become `Active`).
    pub tracing: Val<String>,
    pub reserved_concurrency: Val<i64>,
    /// Dead-letter queue or topic (`DeadLetterConfig.TargetArn`, SAM `DeadLetterQueue`).
    pub dead_letter: Val<Ref>,
    /// Asynchronous invocation on-failure destination (`EventInvokeConfig`,
    /// `aws_lambda_function_event_invoke_config`, Serverless `destinations.onFailure`).
    pub on_failure: Val<Ref>,
    pub vpc: Val<VpcConfig>,
    pub environment: Vec<EnvVar>,
    /// The `Environment.Variables` map itself was not resolvable (only the parts that were are
    /// in `environment`).
    pub environment_unknown: Option<Span>,
    /// `KmsKeyArn`: the key encrypting the environment.
    pub kms_key: Val<Ref>,
    /// `CodeSigningConfigArn`.
    pub code_signing: Val<Ref>,
    /// The execution role (for SAM, the implicit role built from `Policies`).
    pub role: Val<Ref>,
    /// SAM `AutoPublishAlias`, or an alias declared for the function.
    pub alias: Val<String>,
}

impl LambdaFunction {
    pub fn new(meta: ResourceMeta) -> Self {
        Self {
            meta,
            name: Val::Absent,
            runtime: Val::Absent,
            package_type: Val::Absent,
            handler: Val::Absent,
            tracing: Val::Absent,
            reserved_concurrency: Val::Absent,
            dead_letter: Val::Absent,
            on_failure: Val::Absent,
            vpc: Val::Absent,
            environment: Vec::new(),
            environment_unknown: None,
            kms_key: Val::Absent,
            code_signing: Val::Absent,
            role: Val::Absent,
            alias: Val::Absent,
        }
    }
}

/// `VpcConfig`: a function is in a VPC when it has subnets.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VpcConfig {
    pub subnet_ids: Vec<Val<String>>,
    pub security_group_ids: Vec<Val<String>>,
}

/// One environment variable. The value may be a secret: never print it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvVar {
    pub name: String,
    pub name_span: Span,
    pub value: Val<String>,
}

/// A function URL (`AWS::Lambda::Url`, SAM `FunctionUrlConfig`, Serverless `url`,
/// `aws_lambda_function_url`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionUrl {
    pub meta: ResourceMeta,
    /// The function it belongs to.
    pub function: Val<Ref>,
    /// `NONE` or `AWS_IAM`.
    pub auth_type: Val<String>,
}

/// A resource-based permission on a function (`AWS::Lambda::Permission`,
/// `aws_lambda_permission`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LambdaPermission {
    pub meta: ResourceMeta,
    pub function: Val<Ref>,
    /// `lambda:InvokeFunction`, `lambda:InvokeFunctionUrl`...
    pub action: Val<String>,
    /// `*`, an account id or ARN, or a service principal (`s3.amazonaws.com`).
    pub principal: Val<String>,
    pub source_arn: Val<String>,
    pub source_account: Val<String>,
    pub principal_org_id: Val<String>,
    /// For `lambda:InvokeFunctionUrl`: `NONE` or `AWS_IAM`.
    pub function_url_auth_type: Val<String>,
}

impl LambdaPermission {
    pub fn new(meta: ResourceMeta) -> Self {
        Self {
            meta,
            function: Val::Absent,
            action: Val::Absent,
            principal: Val::Absent,
            source_arn: Val::Absent,
            source_account: Val::Absent,
            principal_org_id: Val::Absent,
            function_url_auth_type: Val::Absent,
        }
    }
}
