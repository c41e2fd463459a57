//! AWS Lambda: functions, their URLs and resource-based permissions.

use tollgate_syntax::Span;

use super::{
    classify_value, Condition, Effect, PolicyDocument, Principal, PrincipalClass, Ref,
    ResourceMeta, Statement, Val,
};

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
    /// Where the function's code is, relative to the template's directory, when it is a local
    /// path: SAM `CodeUri`, a CloudFormation `Code` string (as `aws cloudformation package`
    /// reads it), Terraform `source_dir` of the `archive_file` or `filename`. Absent when the
    /// code is elsewhere (S3, an image) or the format has no such setting (Serverless: the
    /// service directory).
    pub code_uri: Val<String>,
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
            code_uri: Val::Absent,
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
    /// The permission read as the one-statement resource policy Lambda keeps for it (see
    /// [`LambdaPermission::policy_document`]), so that policy analysis reads one shape. Filled
    /// in when the model is built.
    pub policy: Val<PolicyDocument>,
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
            policy: Val::Absent,
        }
    }

    /// The principal's kind as a policy would write it. Lambda takes a bare string: a service
    /// (`s3.amazonaws.com`), an account id or ARN, or `*`.
    fn principal_kind(&self) -> &'static str {
        match self.principal.as_str().map(str::trim) {
            Some("*") => "*",
            Some(p) if p.ends_with(".amazonaws.com") || p.ends_with(".amazonaws.com.cn") => {
                "Service"
            }
            _ => "AWS",
        }
    }

    /// Who the permission is for, by the classifier every policy rule shares.
    pub fn principal_class(&self) -> PrincipalClass {
        match self.principal.as_str() {
            Some(p) => classify_value(self.principal_kind(), p, &[]),
            None => PrincipalClass::Unknown,
        }
    }

    /// The statement Lambda adds to the function's resource policy for this permission:
    /// `Allow` the action to the principal, with `SourceArn`, `SourceAccount`,
    /// `PrincipalOrgID` and `FunctionUrlAuthType` as the conditions AWS writes for them.
    /// Spans are those of the permission's own properties.
    pub fn policy_document(&self) -> PolicyDocument {
        let header = self.meta.header;
        let mut s = Statement::new(self.principal.span().unwrap_or(header));
        s.effect = Val::known(Effect::Allow, header);
        if self.action.is_present() {
            s.actions.push(self.action.clone());
        }
        if let Some(function) = self.function.get() {
            let span = self.function.span().unwrap_or(header);
            s.resources.push(Val::known(function.to_string(), span));
        }
        if self.principal.is_present() {
            s.principals.push(Principal {
                kind: self.principal_kind().to_string(),
                value: self.principal.clone(),
            });
        }
        for (operator, key, value) in [
            ("ArnLike", "AWS:SourceArn", &self.source_arn),
            ("StringEquals", "AWS:SourceAccount", &self.source_account),
            ("StringEquals", "aws:PrincipalOrgID", &self.principal_org_id),
            (
                "StringEquals",
                "lambda:FunctionUrlAuthType",
                &self.function_url_auth_type,
            ),
        ] {
            if let Some(span) = value.span() {
                s.conditions.push(Condition {
                    span,
                    operator: operator.to_string(),
                    key: key.to_string(),
                    values: vec![value.clone()],
                });
            }
        }
        PolicyDocument {
            file: self.meta.file.clone(),
            span: header,
            version: Val::Absent,
            statements: vec![s],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{SourceFormat, ANY_BINDING};

    fn permission(principal: &str) -> LambdaPermission {
        let meta = ResourceMeta::new(
            "Invoke",
            "AWS::Lambda::Permission",
            "t.yaml",
            Span::line(4),
            SourceFormat::CloudFormation,
        );
        let mut p = LambdaPermission::new(meta);
        p.action = Val::known("lambda:InvokeFunction".into(), Span::line(6));
        p.principal = Val::known(principal.into(), Span::line(7));
        p
    }

    #[test]
    fn principals_are_classified_like_policy_principals() {
        assert_eq!(permission("*").principal_class(), PrincipalClass::Public);
        assert_eq!(
            permission("s3.amazonaws.com").principal_class(),
            PrincipalClass::Service("s3.amazonaws.com".into())
        );
        assert_eq!(
            permission("444455556666").principal_class(),
            PrincipalClass::OtherAccount("444455556666".into())
        );
        assert_eq!(
            permission("${AWS::AccountId}").principal_class(),
            PrincipalClass::OwnAccount
        );
    }

    #[test]
    fn the_policy_is_one_allow_statement_with_the_source_as_conditions() {
        let mut p = permission("events.amazonaws.com");
        let doc = p.policy_document();
        let [s] = doc.statements.as_slice() else {
            panic!("one statement: {doc:?}");
        };
        assert!(s.is_allow() && s.allows_action("lambda:InvokeFunction"));
        assert_eq!(s.principals[0].kind, "Service");
        assert_eq!(s.span, Span::line(7));
        assert!(s.conditions.is_empty());

        p.source_arn = Val::known("arn:aws:events:eu-west-1:1:rule/x".into(), Span::line(8));
        p.source_account = Val::unknown(Span::line(9), "parameter without default");
        let doc = p.policy_document();
        let s = &doc.statements[0];
        let keys: Vec<&str> = s.conditions.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(keys, ["AWS:SourceArn", "AWS:SourceAccount"]);
        assert!(crate::model::bound_by(s, ANY_BINDING).is_some());
    }
}
