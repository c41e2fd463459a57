//! Helpers shared by the adapter tests: build a model from template text.

#![allow(dead_code)]

use tollgate_iac::adapters::cloudformation::adapt_template;
use tollgate_iac::model::{CloudModel, SourceFormat};
use tollgate_syntax::{parse, Format, Limits};

/// The model of one YAML template, as if it were the file `path`.
pub fn model_of(path: &str, yaml: &str) -> CloudModel {
    model_in(path, yaml, Format::Yaml)
}

pub fn model_in(path: &str, text: &str, format: Format) -> CloudModel {
    let doc = parse(text, format, &Limits::default()).expect("template parses");
    let mut model = CloudModel::default();
    for root in &doc.roots {
        adapt_template(path, root, SourceFormat::CloudFormation, &mut model);
    }
    model
}

/// The text of the notifications, one per line, for assertions.
pub fn notes(model: &CloudModel) -> String {
    model
        .notifications
        .iter()
        .map(|n| n.message.clone())
        .collect::<Vec<_>>()
        .join("\n")
}
