//! Rules as SARIF reporting descriptors, and compliance controls as taxonomies.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use serde_sarif::sarif::{
    MultiformatMessageString, PropertyBag, ReportingConfiguration, ReportingDescriptor,
    ReportingDescriptorReference, ReportingDescriptorRelationship, ToolComponent,
    ToolComponentReference,
};
use tollgate_core::{Framework, Rule};

use crate::severity::{score_text, SECURITY_SEVERITY_PROPERTY, SEVERITY_PROPERTY};
use crate::text::plain;

/// The controls of every framework the rules mention, each framework's controls sorted.
pub struct Taxonomies {
    frameworks: Vec<(Framework, Vec<String>)>,
}

impl Taxonomies {
    pub fn of(rules: &[Rule]) -> Self {
        let mut by_framework: BTreeMap<Framework, BTreeSet<String>> = BTreeMap::new();
        for control in rules.iter().flat_map(|r| &r.controls) {
            by_framework
                .entry(control.framework)
                .or_default()
                .insert(control.id.clone());
        }
        Self {
            frameworks: by_framework
                .into_iter()
                .map(|(f, ids)| (f, ids.into_iter().collect()))
                .collect(),
        }
    }

    /// (taxonomy index, taxon index) of a control.
    fn position(&self, framework: Framework, id: &str) -> Option<(usize, usize)> {
        let fi = self.frameworks.iter().position(|(f, _)| *f == framework)?;
        let ti = self.frameworks[fi].1.iter().position(|t| t == id)?;
        Some((fi, ti))
    }

    pub fn is_empty(&self) -> bool {
        self.frameworks.is_empty()
    }

    /// `run.taxonomies`: one tool component per framework, its controls as `taxa`.
    pub fn components(&self) -> Vec<ToolComponent> {
        self.frameworks
            .iter()
            .map(|(framework, ids)| {
                // Each control with its official title, from the framework's catalog.
                let taxa: Vec<ReportingDescriptor> = ids
                    .iter()
                    .map(|id| {
                        let mut taxon = ReportingDescriptor::builder().id(id.clone()).build();
                        if let Some(title) = tollgate_core::compliance::title(*framework, id) {
                            taxon.short_description = Some(text(title));
                        }
                        taxon
                    })
                    .collect();
                ToolComponent::builder()
                    .name(framework.name())
                    .full_name(framework.title())
                    .taxa(taxa)
                    .build()
            })
            .collect()
    }

    /// `driver.supportedTaxonomies`.
    pub fn references(&self) -> Vec<ToolComponentReference> {
        self.frameworks
            .iter()
            .enumerate()
            .map(|(i, (framework, _))| {
                ToolComponentReference::builder()
                    .name(framework.name())
                    .index(i as i64)
                    .build()
            })
            .collect()
    }
}

fn text(text: &str) -> MultiformatMessageString {
    MultiformatMessageString::builder().text(text).build()
}

/// The property of a rule's descriptor naming the rule it is a case of
/// ([`Rule::instance_of`]), so a report made from the log counts it as the scan did.
pub const INSTANCE_OF_PROPERTY: &str = "tollgate/instanceOf";

/// One rule as a SARIF reporting descriptor, following the project's SARIF conventions.
pub fn descriptor(rule: &Rule, taxonomies: &Taxonomies) -> ReportingDescriptor {
    let mut props = BTreeMap::new();
    props.insert(
        SECURITY_SEVERITY_PROPERTY.to_string(),
        Value::String(score_text(rule.default_severity)),
    );
    props.insert(
        "precision".to_string(),
        Value::String(rule.precision.as_str().to_string()),
    );
    props.insert(
        SEVERITY_PROPERTY.to_string(),
        Value::String(rule.default_severity.as_str().to_string()),
    );
    props.insert(
        "tollgate/stage".to_string(),
        Value::String(rule.stage.clone()),
    );
    if let Some(parent) = &rule.instance_of {
        props.insert(
            INSTANCE_OF_PROPERTY.to_string(),
            Value::String(parent.clone()),
        );
    }
    if !rule.equivalents.is_empty() {
        props.insert(
            "equivalents".to_string(),
            Value::Array(
                rule.equivalents
                    .iter()
                    .cloned()
                    .map(Value::String)
                    .collect(),
            ),
        );
    }
    let mut tags = rule.tags.clone();
    if lacks_security_tag(rule) {
        // GitHub files a rule under "security" only when this tag is present.
        tags.insert(0, "security".to_string());
    }
    let properties = PropertyBag::builder()
        .tags(tags)
        .additional_properties(props)
        .build();

    let description = if rule.description.trim().is_empty() {
        rule.title.clone()
    } else {
        rule.description.trim().to_string()
    };
    let help_markdown = rule.help_markdown();
    let help_markdown = if help_markdown.trim().is_empty() {
        rule.title.clone()
    } else {
        help_markdown
    };
    let help = MultiformatMessageString::builder()
        .text(plain(&help_markdown))
        .markdown(help_markdown)
        .build();
    let full_description = MultiformatMessageString::builder()
        .text(plain(&description))
        .markdown(description)
        .build();

    let relationships: Vec<ReportingDescriptorRelationship> = rule
        .controls
        .iter()
        .filter_map(|control| {
            let (fi, ti) = taxonomies.position(control.framework, &control.id)?;
            let target = ReportingDescriptorReference::builder()
                .id(control.id.clone())
                .index(ti as i64)
                .tool_component(
                    ToolComponentReference::builder()
                        .name(control.framework.name())
                        .index(fi as i64)
                        .build(),
                )
                .build();
            Some(
                ReportingDescriptorRelationship::builder()
                    .target(target)
                    .kinds(vec!["relevant".to_string()])
                    .build(),
            )
        })
        .collect();

    let level = Value::String(rule.default_severity.sarif_level().to_string());
    let mut out = ReportingDescriptor::builder()
        .id(rule.code.clone())
        .name(rule.name.clone())
        .short_description(text(&rule.title))
        .full_description(full_description)
        .help(help)
        .default_configuration(ReportingConfiguration::builder().level(level).build())
        .properties(properties)
        .build();
    // A policy's METADATA names its own `related_resources`: a text the schema's `uri` format
    // refuses (a backslash, a space) would make the whole log invalid, and a link GitHub shows
    // has no business being anything but a web page.
    out.help_uri = rule
        .help_uri
        .clone()
        .filter(|uri| is_web_link(uri) && crate::uri::is_valid_uri(uri));
    if !relationships.is_empty() {
        out.relationships = Some(relationships);
    }
    out
}

fn lacks_security_tag(rule: &Rule) -> bool {
    !rule.tags.iter().any(|t| t == "security")
}

/// How many tags [`descriptor`] gives `rule`, without building the descriptor.
pub fn descriptor_tag_count(rule: &Rule) -> usize {
    rule.tags.len() + usize::from(lacks_security_tag(rule))
}

/// Whether `uri` starts with `https://` or `http://` (in any case, as schemes are).
fn is_web_link(uri: &str) -> bool {
    let lower = uri.get(..8).unwrap_or(uri).to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

/// A descriptor for a rule id a finding uses but no stage declared, so the result can still
/// point at a rule by index.
pub fn undeclared(code: &str) -> ReportingDescriptor {
    ReportingDescriptor::builder()
        .id(code)
        .short_description(text(code))
        .build()
}
