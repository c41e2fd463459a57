//! Speed of the permissions stage: how long the embedded catalog takes to parse, and how long
//! 10,000 policies take to analyse. Run with `cargo bench -p tollgate-perms`.

use std::time::Instant;

use tollgate_iac::model::{
    CloudModel, Effect, IamPolicy, PolicyDocument, ResourceMeta, SourceFormat, Statement, Val,
};
use tollgate_perms::catalog::Catalog;
use tollgate_syntax::Span;

fn known(s: &str) -> Val<String> {
    Val::known(s.to_string(), Span::line(1))
}

/// A policy like the ones serverless repositories hold: a few statements mixing exact
/// actions, service wildcards and `*` resources.
fn policy(i: usize) -> IamPolicy {
    let shapes: [(&[&str], &[&str]); 5] = [
        (
            &["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"],
            &["arn:aws:dynamodb:eu-west-1:123456789012:table/orders"],
        ),
        (
            &["s3:GetObject", "s3:PutObject"],
            &["arn:aws:s3:::bucket/*"],
        ),
        (&["logs:CreateLogStream", "logs:PutLogEvents"], &["*"]),
        (&["sqs:*"], &["*"]),
        (
            &["iam:PassRole", "lambda:CreateFunction", "s3:Get*"],
            &["*"],
        ),
    ];
    let mut statements = Vec::new();
    for k in 0..3 {
        let (actions, resources) = shapes[(i + k) % shapes.len()];
        let mut st = Statement::new(Span::line(k as u32 + 2));
        st.effect = Val::known(Effect::Allow, Span::line(1));
        st.actions = actions.iter().map(|a| known(a)).collect();
        st.resources = resources.iter().map(|r| known(r)).collect();
        statements.push(st);
    }
    IamPolicy {
        meta: ResourceMeta::new(
            format!("Policy{i}"),
            "AWS::IAM::ManagedPolicy",
            "template.yaml",
            Span::line(1),
            SourceFormat::CloudFormation,
        ),
        name: Val::Absent,
        document: Val::known(
            PolicyDocument {
                file: "template.yaml".into(),
                span: Span::line(1),
                version: Val::Absent,
                statements,
            },
            Span::line(1),
        ),
        roles: Vec::new(),
        users: Vec::new(),
        groups: Vec::new(),
    }
}

fn main() {
    let text = include_str!("../data/actions.tsv");
    let runs = 20;
    let start = Instant::now();
    for _ in 0..runs {
        std::hint::black_box(Catalog::parse(text).expect("catalog parses"));
    }
    let per_load = start.elapsed() / runs;
    println!(
        "catalog load: {per_load:?} per parse ({runs} runs, {} bytes)",
        text.len()
    );

    // Warm the shared catalog and risk lists, as a real run would on first use.
    let start = Instant::now();
    let _ = tollgate_perms::catalog::catalog();
    let _ = tollgate_perms::risk::risk_lists();
    println!("first use (catalog + risk lists): {:?}", start.elapsed());

    let model = CloudModel {
        iam_policies: (0..10_000).map(policy).collect(),
        ..CloudModel::default()
    };
    let start = Instant::now();
    let findings = tollgate_perms::check_model(&model);
    println!(
        "10,000 policies (30,000 statements): {:?}, {} findings",
        start.elapsed(),
        findings.len()
    );
}
