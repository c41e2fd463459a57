//! What every resource of the model carries: where it was declared, in which format, its tags
//! and the data classification read from them.

use tollgate_core::Location;
use tollgate_syntax::Span;

use super::Val;

/// The tag key that classifies data unless configured otherwise.
pub const DEFAULT_CLASSIFICATION_KEY: &str = "DataClassification";

/// The format a resource was declared in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SourceFormat {
    CloudFormation,
    Sam,
    Serverless,
    Terraform,
    TerraformPlan,
}

impl SourceFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceFormat::CloudFormation => "cloudformation",
            SourceFormat::Sam => "sam",
            SourceFormat::Serverless => "serverless",
            SourceFormat::Terraform => "terraform",
            SourceFormat::TerraformPlan => "terraform-plan",
        }
    }
}

/// Classes of data whose resources get stricter data-protection rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DataClass {
    /// Protected health information (HIPAA).
    Phi,
    /// Cardholder data (PCI DSS).
    Pci,
    /// Personally identifiable information (GDPR).
    Pii,
}

impl DataClass {
    /// Reads a tag value: `PHI`, `pci`, `PII` (surrounding words allowed: `PII-restricted`).
    pub fn parse(text: &str) -> Option<DataClass> {
        let upper = text.to_ascii_uppercase();
        let words: Vec<&str> = upper
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        [
            ("PHI", DataClass::Phi),
            ("PCI", DataClass::Pci),
            ("PII", DataClass::Pii),
        ]
        .into_iter()
        .find(|(word, _)| words.contains(word))
        .map(|(_, class)| class)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DataClass::Phi => "PHI",
            DataClass::Pci => "PCI",
            DataClass::Pii => "PII",
        }
    }
}

/// A resource's data classification and the tag value that set it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classification {
    pub class: DataClass,
    pub span: Span,
}

/// One tag of a resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    pub key: String,
    pub key_span: Span,
    pub value: Val<String>,
}

/// Identity and provenance of a resource, shared by every model type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceMeta {
    /// Logical id (`IntakeFunction`) or Terraform address (`aws_lambda_function.charge`,
    /// `module.api.aws_lambda_function.charge`). Findings use it as `resource`.
    pub address: String,
    /// `AWS::Lambda::Function`, `AWS::Serverless::Function`, `aws_lambda_function`.
    pub type_name: String,
    /// Repository-relative path of the file it was declared in.
    pub file: String,
    /// Where its address is unique: the template file for CloudFormation, SAM and Serverless;
    /// the root module's directory for Terraform (module instances included); the plan file.
    pub scope: String,
    /// The resource's header: the logical id key / the `resource "..." "..."` line. Findings
    /// about a missing attribute point here.
    pub header: Span,
    pub format: SourceFormat,
    pub tags: Vec<Tag>,
    /// Set by the model builder from `tags` and the configured classification key.
    pub classification: Option<Classification>,
}

impl ResourceMeta {
    /// Whether a reference written in `self` can name `other`: logical ids are scoped to their
    /// template file, Terraform addresses to their configuration (see [`ResourceMeta::scope`]),
    /// so two stacks scanned together never answer for each other.
    pub fn same_scope(&self, other: &ResourceMeta) -> bool {
        self.scope == other.scope
    }

    pub fn new(
        address: impl Into<String>,
        type_name: impl Into<String>,
        file: impl Into<String>,
        header: Span,
        format: SourceFormat,
    ) -> Self {
        let file = file.into();
        Self {
            address: address.into(),
            type_name: type_name.into(),
            scope: file.clone(),
            file,
            header,
            format,
            tags: Vec::new(),
            classification: None,
        }
    }

    /// The tag's value, matching the key exactly (AWS tag keys are case-sensitive).
    pub fn tag(&self, key: &str) -> Option<&Tag> {
        self.tags.iter().find(|t| t.key == key)
    }

    /// Read the classification from the tag `key`. Unknown tag values classify nothing.
    pub fn classify(&mut self, key: &str) {
        self.classification = self.tag(key).and_then(|tag| match &tag.value {
            Val::Known { value, span } => {
                DataClass::parse(value).map(|class| Classification { class, span: *span })
            }
            _ => None,
        });
    }

    /// Location of the resource header.
    /// The address findings name: a Terraform module's resource is qualified with its root
    /// configuration (`envs/prod: module.api.aws_lambda_function.handler`), since one module
    /// directory reached from several roots is several resources with one address.
    pub fn qualified_address(&self) -> String {
        self.qualified_address_ref().into_owned()
    }

    /// [`ResourceMeta::qualified_address`], borrowed when it is the address itself (nearly
    /// always: rules ask for it on every verdict).
    pub fn qualified_address_ref(&self) -> std::borrow::Cow<'_, str> {
        if self.format == SourceFormat::Terraform
            && self.address.starts_with("module.")
            && !self.scope.is_empty()
        {
            format!("{}: {}", self.scope, self.address).into()
        } else {
            self.address.as_str().into()
        }
    }

    pub fn header_location(&self) -> Location {
        Location::at(self.file.clone(), self.header)
    }

    /// Location of `span` in this resource's file.
    pub fn location(&self, span: Span) -> Location {
        Location::at(self.file.clone(), span)
    }

    /// Where a finding about `val` points: the value when written, else the header.
    pub fn location_of<T>(&self, val: &Val<T>) -> Location {
        self.location(val.span().unwrap_or(self.header))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification_words() {
        assert_eq!(DataClass::parse("phi"), Some(DataClass::Phi));
        assert_eq!(DataClass::parse("PII-restricted"), Some(DataClass::Pii));
        assert_eq!(DataClass::parse("public"), None);
        assert_eq!(DataClass::parse("PHILOSOPHY"), None);
    }

    #[test]
    fn classify_reads_configured_key() {
        let mut meta = ResourceMeta::new(
            "B",
            "AWS::S3::Bucket",
            "t.yaml",
            Span::line(2),
            SourceFormat::CloudFormation,
        );
        meta.tags.push(Tag {
            key: "DataClassification".into(),
            key_span: Span::line(5),
            value: Val::known("PCI".into(), Span::line(5)),
        });
        meta.classify(DEFAULT_CLASSIFICATION_KEY);
        assert_eq!(
            meta.classification.as_ref().map(|c| c.class),
            Some(DataClass::Pci)
        );
        meta.classify("Sensitivity");
        assert!(meta.classification.is_none());
    }
}
