//! The data inventory: every data store of the cloud model whose data is classified PHI, PCI
//! or PII (by its classification tag, else by the config's `[classification]` name
//! patterns), with how its data is protected and which roles and functions can read or write
//! it, from the permissions analysis.

use std::collections::HashMap;

use tollgate_core::config::ClassificationConfig;
use tollgate_core::glob::PathGlobs;
use tollgate_iac::model::{
    action_matches, classify, split_arn, wildcard_matches, ArnParts, CloudModel, DataClass,
    DynamoTable, IamRole, PrincipalClass, Queue, Ref, ResourceMeta, ResourcePolicy, S3Bucket,
    Secret, Statement, Topic, Val,
};
use tollgate_perms::analysis::{Analysis, StatementView};
use tollgate_perms::catalog::{AccessLevel, ActionId};
use tollgate_perms::ScanAnalysis;

use crate::model::{Accessor, AtRest, DataAsset, DataClassName, Fact, FactState, KeyType};

/// Most actions named per accessor.
const ACTIONS_SHOWN: usize = 8;
/// Readers (and writers) listed per store.
pub const ACCESSORS_LISTED: usize = 20;

/// `[classification]` patterns, compiled.
pub struct NamePatterns {
    classes: Vec<(DataClassName, &'static str, Vec<String>, PathGlobs)>,
}

impl NamePatterns {
    /// Patterns the config loader already validated; one that still does not compile (a
    /// config built in code) classifies nothing.
    pub fn new(config: &ClassificationConfig) -> Self {
        let mut classes = Vec::new();
        for (class, key, patterns) in [
            (DataClassName::Phi, "phi", &config.phi),
            (DataClassName::Pci, "pci", &config.pci),
            (DataClassName::Pii, "pii", &config.pii),
        ] {
            let lower: Vec<String> = patterns.iter().map(|p| p.to_ascii_lowercase()).collect();
            if let Ok(globs) = PathGlobs::new(&lower) {
                if !globs.is_empty() {
                    classes.push((class, key, patterns.clone(), globs));
                }
            }
        }
        Self { classes }
    }

    /// The class and the words saying why, for a resource of this address and name.
    fn classify(&self, address: &str, name: Option<&str>) -> Option<(DataClassName, String)> {
        let candidates: Vec<String> = std::iter::once(address)
            .chain(name)
            .map(str::to_ascii_lowercase)
            .collect();
        for (class, key, patterns, globs) in &self.classes {
            if candidates.iter().any(|c| globs.is_match(c)) {
                let lower: Vec<&String> = patterns.iter().collect();
                let pattern = lower
                    .iter()
                    .find(|p| {
                        PathGlobs::new(&[p.to_ascii_lowercase()])
                            .is_ok_and(|g| candidates.iter().any(|c| g.is_match(c)))
                    })
                    .map_or("", |p| p.as_str());
                return Some((*class, format!("[classification] {key} = \"{pattern}\"")));
            }
        }
        None
    }
}

/// The data store a subject is, with its model entry, for the facts only it has.
#[derive(Clone, Copy)]
enum Store<'m> {
    Table(&'m DynamoTable),
    Bucket(&'m S3Bucket),
    Queue(&'m Queue),
    Topic(&'m Topic),
    Secret(&'m Secret),
    /// Another resource tagged with a classification.
    Other,
}

impl Store<'_> {
    /// Which kind of store this is (stores of a kind share their wildcard grants).
    fn kind(self) -> u8 {
        match self {
            Store::Table(_) => 0,
            Store::Bucket(_) => 1,
            Store::Queue(_) => 2,
            Store::Topic(_) => 3,
            Store::Secret(_) => 4,
            Store::Other => 5,
        }
    }

    /// The IAM service prefix whose actions read and write it.
    fn service(self) -> Option<&'static str> {
        match self {
            Store::Table(_) => Some("dynamodb"),
            Store::Bucket(_) => Some("s3"),
            Store::Queue(_) => Some("sqs"),
            Store::Topic(_) => Some("sns"),
            Store::Secret(_) => Some("secretsmanager"),
            Store::Other => None,
        }
    }

    /// The catalog's resource types of the service that hold its data: an action counts as
    /// reading or writing the store only when it acts on one of them (`s3:GetObject` does,
    /// `s3:DescribeJob` does not).
    fn resource_types(self) -> &'static [&'static str] {
        match self {
            Store::Table(_) => &["table"],
            Store::Bucket(_) => &["bucket", "object"],
            Store::Queue(_) => &["queue"],
            Store::Topic(_) => &["topic"],
            Store::Secret(_) => &["secret"],
            Store::Other => &[],
        }
    }
}

/// One classified resource being described.
struct Subject<'m> {
    meta: &'m ResourceMeta,
    name: Option<&'m str>,
    store: Store<'m>,
    class: DataClassName,
    classified_by: String,
}

/// The inventory of the analysed model, in model order (tables, buckets, queues, topics,
/// secrets, then any other resource tagged with a classification). The analysis is the
/// permissions stage's ([`tollgate_perms::analysis`]): made once per scan.
pub fn build(
    shared: &ScanAnalysis,
    patterns: &NamePatterns,
    classification_key: &str,
    trusted_accounts: &[String],
) -> Vec<DataAsset> {
    let (model, analysis) = (shared.model(), shared.get());
    let subjects = subjects(model, patterns, classification_key);
    if subjects.is_empty() {
        return Vec::new();
    }
    let runners = Runners::of(model);
    let mut kinds = HashMap::new();
    subjects
        .iter()
        .map(|s| describe(model, analysis, &runners, &mut kinds, s, trusted_accounts))
        .collect()
}

fn subjects<'m>(model: &'m CloudModel, patterns: &NamePatterns, key: &str) -> Vec<Subject<'m>> {
    let subject = |meta: &'m ResourceMeta, name: &'m Val<String>, store: Store<'m>| {
        let name = name.as_str();
        let by_tag = meta.classification.as_ref().map(|c| {
            let value = meta
                .tag(key)
                .and_then(|t| t.value.as_str())
                .unwrap_or(c.class.as_str());
            (class_name(c.class), format!("tag {key} = {value}"))
        });
        let (class, classified_by) = by_tag.or_else(|| patterns.classify(&meta.address, name))?;
        Some(Subject {
            meta,
            name,
            store,
            class,
            classified_by,
        })
    };
    let stores = model
        .dynamo_tables
        .iter()
        .map(|t| (&t.meta, &t.name, Store::Table(t)))
        .chain(
            model
                .buckets
                .iter()
                .map(|b| (&b.meta, &b.name, Store::Bucket(b))),
        )
        .chain(
            model
                .queues
                .iter()
                .map(|q| (&q.meta, &q.name, Store::Queue(q))),
        )
        .chain(
            model
                .topics
                .iter()
                .map(|t| (&t.meta, &t.name, Store::Topic(t))),
        )
        .chain(
            model
                .secrets
                .iter()
                .map(|s| (&s.meta, &s.name, Store::Secret(s))),
        );
    let mut out: Vec<Subject<'m>> = stores
        .filter_map(|(meta, name, store)| subject(meta, name, store))
        .collect();
    // Any other resource tagged with a classification (a function, a log group...).
    let listed = out.len();
    for meta in model.resources() {
        if meta.classification.is_some()
            && !out[..listed].iter().any(|s| std::ptr::eq(s.meta, meta))
        {
            out.extend(subject(meta, &Val::Absent, Store::Other));
        }
    }
    out
}

fn class_name(class: DataClass) -> DataClassName {
    match class {
        DataClass::Phi => DataClassName::Phi,
        DataClass::Pci => DataClassName::Pci,
        DataClass::Pii => DataClassName::Pii,
    }
}

fn describe<'a, 'm>(
    model: &CloudModel,
    analysis: &'a Analysis<'m>,
    runners: &Runners,
    kinds: &mut HashMap<u8, KindGrants<'a, 'm>>,
    s: &Subject<'_>,
    trusted: &[String],
) -> DataAsset {
    let policies = resource_policies(model, s);
    let (readers, writers) = accessors(analysis, runners, kinds, s);
    DataAsset {
        resource: s.meta.qualified_address(),
        resource_type: s.meta.type_name.clone(),
        name: s.name.map(str::to_string),
        path: s.meta.file.clone(),
        line: s.meta.header.start.line,
        classification: s.class,
        classified_by: s.classified_by.clone(),
        encryption_at_rest: at_rest(s),
        encryption_in_transit: in_transit(s, &policies),
        access_logging: access_logging(model, s),
        backups: backups(s),
        public_access: public_access(s, &policies, trusted),
        cross_account_access: cross_account(s, &policies, trusted),
        readers: readers.accessors,
        readers_total: readers.total,
        writers: writers.accessors,
        writers_total: writers.total,
    }
}

/// The resource policies attached to the subject.
fn resource_policies<'m>(model: &'m CloudModel, s: &Subject<'m>) -> Vec<&'m ResourcePolicy> {
    match s.store {
        Store::Bucket(b) => model.policies_of_bucket(b).collect(),
        Store::Queue(q) => model.policies_of_queue(q).collect(),
        Store::Topic(t) => model.policies_of_topic(t).collect(),
        _ => Vec::new(),
    }
}

fn key_of(key: &Val<Ref>, managed: KeyType, what: &str) -> AtRest {
    match key {
        Val::Known { value, .. } if value.is_customer_managed_key() => AtRest {
            key: KeyType::CustomerManaged,
            detail: format!("{what} with KMS key `{value}`"),
        },
        Val::Known { value, .. } => AtRest {
            key: KeyType::AwsManaged,
            detail: format!("{what} with the AWS-managed key `{value}`"),
        },
        Val::Unknown { reason, .. } => AtRest {
            key: KeyType::Unknown,
            detail: format!("the KMS key cannot be resolved statically ({reason})"),
        },
        Val::Absent => AtRest {
            key: managed,
            detail: format!("{what} with the service's default key"),
        },
    }
}

fn at_rest(s: &Subject<'_>) -> AtRest {
    let unknown = |reason: &str| AtRest {
        key: KeyType::Unknown,
        detail: format!("cannot be resolved statically ({reason})"),
    };
    match s.store {
        Store::Table(t) => match &t.sse_enabled {
            Val::Unknown { reason, .. } => unknown(reason),
            Val::Known { value: true, .. } => key_of(&t.kms_key, KeyType::AwsManaged, "SSE-KMS"),
            _ => AtRest {
                key: KeyType::AwsOwned,
                detail: "DynamoDB's default encryption with an AWS-owned key".into(),
            },
        },
        Store::Bucket(b) => match &b.sse_algorithm {
            Val::Unknown { reason, .. } => unknown(reason),
            Val::Known { value, .. } if value.to_ascii_lowercase().starts_with("aws:kms") => {
                key_of(&b.kms_key, KeyType::AwsManaged, value)
            }
            Val::Known { value, .. } => AtRest {
                key: KeyType::AwsOwned,
                detail: format!("{value} (SSE-S3, an S3-managed key)"),
            },
            Val::Absent => AtRest {
                key: KeyType::AwsOwned,
                detail: "S3's default SSE-S3 with an S3-managed key".into(),
            },
        },
        Store::Queue(q) if q.kms_key.is_present() => {
            key_of(&q.kms_key, KeyType::AwsManaged, "SSE-KMS")
        }
        Store::Queue(q) => match &q.sqs_managed_sse {
            Val::Unknown { reason, .. } => unknown(reason),
            Val::Known { value: false, .. } => AtRest {
                key: KeyType::None,
                detail: "SqsManagedSseEnabled is false and no KMS key is set".into(),
            },
            _ => AtRest {
                key: KeyType::AwsOwned,
                detail: "SSE-SQS with an SQS-owned key".into(),
            },
        },
        Store::Topic(t) if t.kms_key.is_absent() => AtRest {
            key: KeyType::None,
            detail: "no KMS key: SNS does not encrypt messages at rest by default".into(),
        },
        Store::Topic(t) => key_of(&t.kms_key, KeyType::AwsManaged, "SSE-KMS"),
        Store::Secret(secret) => key_of(&secret.kms_key, KeyType::AwsManaged, "Secrets Manager"),
        Store::Other => AtRest {
            key: KeyType::NotApplicable,
            detail: format!("not a data store the scan models ({})", s.meta.type_name),
        },
    }
}

/// A `Deny` statement on `aws:SecureTransport` = false in a resource policy.
fn denies_plain_http(policies: &[&ResourcePolicy]) -> Option<String> {
    policies.iter().find_map(|p| {
        let doc = p.document.get()?;
        doc.statements
            .iter()
            .any(|st| {
                st.is_deny()
                    && st.condition_on("aws:SecureTransport").is_some_and(|c| {
                        c.values
                            .iter()
                            .any(|v| v.as_str().is_some_and(|v| v.eq_ignore_ascii_case("false")))
                    })
            })
            .then(|| format!("`{}` denies requests without TLS", p.meta.address))
    })
}

fn in_transit(s: &Subject<'_>, policies: &[&ResourcePolicy]) -> Fact {
    match s.store {
        Store::Table(_) => Fact::new(FactState::Yes, "DynamoDB endpoints accept HTTPS only"),
        Store::Secret(_) => Fact::new(
            FactState::Yes,
            "Secrets Manager endpoints accept HTTPS only",
        ),
        Store::Bucket(_) | Store::Queue(_) | Store::Topic(_) => match denies_plain_http(policies) {
            Some(detail) => Fact::new(FactState::Yes, detail),
            None => Fact::new(
                FactState::No,
                "no resource policy denies requests without TLS (aws:SecureTransport)",
            ),
        },
        Store::Other => not_a_store(),
    }
}

fn not_a_store() -> Fact {
    Fact::new(FactState::NotApplicable, "not a data store the scan models")
}

fn access_logging(model: &CloudModel, s: &Subject<'_>) -> Fact {
    match s.store {
        Store::Bucket(b) => match &b.logging {
            Val::Known { value, .. } => {
                Fact::new(FactState::Yes, format!("server access logs to `{value}`"))
            }
            Val::Unknown { reason, .. } => Fact::new(FactState::Unknown, reason.clone()),
            Val::Absent => Fact::new(FactState::No, "no server access logging"),
        },
        Store::Other => not_a_store(),
        _ => {
            // Data-plane access to these is logged by CloudTrail data events only.
            let trails = model.trails.len();
            Fact::new(
                FactState::Unknown,
                format!(
                    "logged by CloudTrail data events only, which the scan does not read ({trails} trail{} declared)",
                    if trails == 1 { "" } else { "s" }
                ),
            )
        }
    }
}

fn backups(s: &Subject<'_>) -> Fact {
    match s.store {
        Store::Table(t) => match &t.pitr {
            Val::Known { value: true, .. } => {
                Fact::new(FactState::Yes, "point-in-time recovery enabled")
            }
            Val::Unknown { reason, .. } => Fact::new(FactState::Unknown, reason.clone()),
            _ => Fact::new(FactState::No, "point-in-time recovery not enabled"),
        },
        Store::Bucket(b) => match &b.versioning {
            Val::Known { value, .. } if value.eq_ignore_ascii_case("enabled") => {
                Fact::new(FactState::Yes, "versioning enabled")
            }
            Val::Unknown { reason, .. } => Fact::new(FactState::Unknown, reason.clone()),
            _ => Fact::new(FactState::No, "versioning not enabled"),
        },
        Store::Other => not_a_store(),
        _ => Fact::new(
            FactState::NotApplicable,
            "transient or service-managed data: no backup setting",
        ),
    }
}

/// Principals of `Allow` statements of the subject's resource policies, with their class,
/// leaving out statements a condition narrows to some principals or sources.
fn grants<'p>(
    policies: &[&'p ResourcePolicy],
    trusted: &[String],
) -> Vec<(&'p ResourcePolicy, &'p Statement, PrincipalClass)> {
    let mut out = Vec::new();
    for p in policies {
        let Some(doc) = p.document.get() else {
            continue;
        };
        for st in doc.statements.iter().filter(|st| st.is_allow()) {
            if st.conditions_unknown || tollgate_iac::model::who_conditions(st).next().is_some() {
                continue;
            }
            for principal in &st.principals {
                out.push((*p, st, classify(principal, trusted)));
            }
        }
    }
    out
}

fn public_access(s: &Subject<'_>, policies: &[&ResourcePolicy], trusted: &[String]) -> Fact {
    if matches!(s.store, Store::Other) {
        return not_a_store();
    }
    if let Some((p, ..)) = grants(policies, trusted)
        .into_iter()
        .find(|(.., class)| *class == PrincipalClass::Public)
    {
        return Fact::new(
            FactState::Yes,
            format!("`{}` allows any principal", p.meta.address),
        );
    }
    let Store::Bucket(b) = s.store else {
        return Fact::new(FactState::No, "no resource policy grants to any principal");
    };
    if let Some(acl) = b.acl.as_str() {
        if acl.to_ascii_lowercase().starts_with("public") {
            return Fact::new(FactState::Yes, format!("canned ACL `{acl}`"));
        }
    }
    let blocked = b.public_access_block.as_ref().is_some_and(|pab| {
        pab.block_public_acls.is_true()
            && pab.block_public_policy.is_true()
            && pab.ignore_public_acls.is_true()
            && pab.restrict_public_buckets.is_true()
    });
    if blocked {
        Fact::new(
            FactState::No,
            "all four public access block settings are on",
        )
    } else {
        Fact::new(
            FactState::No,
            "no public grant in the scan, but the public access block is not fully on",
        )
    }
}

fn cross_account(s: &Subject<'_>, policies: &[&ResourcePolicy], trusted: &[String]) -> Fact {
    if matches!(s.store, Store::Other) {
        return not_a_store();
    }
    let mut accounts: Vec<String> = grants(policies, trusted)
        .into_iter()
        .filter_map(|(.., class)| match class {
            PrincipalClass::OtherAccount(id) => Some(id),
            _ => None,
        })
        .collect();
    accounts.sort();
    accounts.dedup();
    if accounts.is_empty() {
        Fact::new(
            FactState::No,
            "no resource policy grants to another account",
        )
    } else {
        Fact::new(
            FactState::Yes,
            format!("granted to account {}", accounts.join(", ")),
        )
    }
}

/// Whether a statement's resource entry names the subject: by reference (`${Table.Arn}`,
/// `${aws_s3_bucket.x.arn}`), by an ARN pattern matching its name, or by `*` / a service-wide
/// ARN (then `wildcard`). `None` when it does not.
fn names_subject(
    entry: &Entry<'_>,
    s: &Subject<'_>,
    candidates: &[String],
    owner: &ResourceMeta,
) -> Option<bool> {
    if entry.text == "*" {
        return Some(true);
    }
    let address = &s.meta.address;
    if owner.same_scope(s.meta) && references(entry.text, address) {
        return Some(false);
    }
    let parts = entry.arn?;
    if !entry.of_service {
        return None;
    }
    if parts.resource == "*" {
        return Some(true);
    }
    candidates
        .iter()
        .any(|c| wildcard_matches(parts.resource.as_bytes(), c.as_bytes()))
        .then_some(false)
}

/// The ARN resource parts a statement's pattern must match to name the subject: its table,
/// bucket (and its objects), queue, topic or secret (with the suffix AWS adds to a secret's
/// ARN). Empty when its name is not known.
fn arn_candidates(s: &Subject<'_>) -> Vec<String> {
    let Some(name) = s.name else {
        return Vec::new();
    };
    match s.store {
        Store::Table(_) => vec![format!("table/{name}"), format!("table/{name}/index/x")],
        Store::Bucket(_) => vec![name.to_string(), format!("{name}/x")],
        Store::Queue(_) | Store::Topic(_) => vec![name.to_string()],
        Store::Secret(_) => vec![format!("secret:{name}"), format!("secret:{name}-AbCdEf")],
        Store::Other => Vec::new(),
    }
}

/// A statement's resource entry, trimmed, with its ARN fields when it is an ARN: split once
/// for all the stores of one service it is compared with.
struct Entry<'a> {
    text: &'a str,
    arn: Option<ArnParts<'a>>,
    /// Whether the ARN's service is the stores' (asked once, not for each store).
    of_service: bool,
}

impl<'a> Entry<'a> {
    fn of(entry: &'a str, service: &str) -> Self {
        let text = entry.trim();
        let arn = split_arn(text);
        Entry {
            text,
            arn,
            of_service: arn.is_some_and(|parts| action_matches(parts.service, service)),
        }
    }
}

/// Whether `entry` holds `${address}` or `${address.attribute}` (asked for every statement and
/// store, so without building the patterns as strings).
fn references(entry: &str, address: &str) -> bool {
    entry.match_indices("${").any(|(at, _)| {
        entry[at + 2..]
            .strip_prefix(address)
            .is_some_and(|rest| rest.starts_with('}') || rest.starts_with('.'))
    })
}

/// Grants that reach every store of one kind (`"Resource": "*"` or a service-wide ARN), found
/// once per kind: they are the same for each of its stores, and in a large repository there are
/// thousands of them. Also the statements that may name a store of the kind in particular.
struct KindGrants<'a, 'm> {
    /// Each identity's access through such grants, sorted by the identity's scope and address.
    read: Vec<(usize, Access<'a>)>,
    write: Vec<(usize, Access<'a>)>,
    /// Statements granting actions of the kind's service with an entry that is not such a
    /// wildcard: (identity, statement, its policy's owner, its file), in identity order.
    specific: Vec<(usize, &'a StatementView<'m>, &'a ResourceMeta, &'a str)>,
    /// The resource entries of each of `specific`'s statements.
    entries: Vec<Vec<Entry<'a>>>,
    /// Indexes into `specific` of the statements with a reference (`${Table.Arn}`), by the
    /// scope of the policy's owner: a reference names a resource of its own scope only.
    by_scope: HashMap<&'a str, Vec<usize>>,
    /// Indexes into `specific` of the statements with an ARN of the service, which can name a
    /// store of any scope, by what their ARNs' resource parts can match.
    by_arn: ArnIndex<'a>,
}

impl<'a, 'm> KindGrants<'a, 'm> {
    fn of(
        analysis: &'a Analysis<'m>,
        service: &str,
        range: std::ops::Range<ActionId>,
        store: Store<'_>,
    ) -> Self {
        let mut out = KindGrants {
            read: Vec::new(),
            write: Vec::new(),
            specific: Vec::new(),
            entries: Vec::new(),
            by_scope: HashMap::new(),
            by_arn: ArnIndex::default(),
        };
        for (index, identity) in analysis.identities.iter().enumerate() {
            let mut read: Option<Access<'_>> = None;
            let mut write: Option<Access<'_>> = None;
            for &pi in &identity.policies {
                let policy = &analysis.policies[pi];
                for st in &policy.statements {
                    if !st.stmt.is_allow() {
                        continue;
                    }
                    // Most statements grant nothing on the store's service: skip them before
                    // looking at their resources.
                    let actions = actions_in(&st.effective, range.clone());
                    if actions.is_empty() {
                        continue;
                    }
                    let (mut wild, mut reference) = (false, false);
                    // The resource parts of its ARNs of the service.
                    let mut arns: Vec<&str> = Vec::new();
                    for (entry, _) in st.resources() {
                        if reaches_every(entry, service) {
                            wild = true;
                            continue;
                        }
                        reference |= entry.contains("${");
                        arns.extend(
                            split_arn(entry.trim())
                                .filter(|parts| action_matches(parts.service, service))
                                .map(|parts| parts.resource),
                        );
                    }
                    if wild {
                        let grant = Grant {
                            st,
                            wildcard: true,
                            file: &policy.doc.file,
                        };
                        collect(analysis, &grant, actions, store, &mut read, &mut write);
                    }
                    if reference || !arns.is_empty() {
                        let at = out.specific.len();
                        out.specific
                            .push((index, st, policy.owner, &policy.doc.file));
                        out.entries.push(
                            st.resources()
                                .map(|(entry, _)| Entry::of(entry, service))
                                .collect(),
                        );
                        if reference {
                            out.by_scope
                                .entry(policy.owner.scope.as_str())
                                .or_default()
                                .push(at);
                        }
                        for resource in arns {
                            out.by_arn.insert(resource, at);
                        }
                    }
                }
            }
            if let Some(a) = read {
                out.read.push((index, a));
            }
            if let Some(a) = write {
                out.write.push((index, a));
            }
        }
        let principal = |index: usize| analysis.identities[index].owner;
        let by_name = |a: &(usize, Access<'_>), b: &(usize, Access<'_>)| {
            let (pa, pb) = (principal(a.0), principal(b.0));
            pa.scope
                .cmp(&pb.scope)
                .then_with(|| pa.address.cmp(&pb.address))
        };
        out.read.sort_by(by_name);
        out.write.sort_by(by_name);
        out
    }
}

/// Statements by the resource parts of their ARNs, so that a store is compared only with the
/// statements whose ARNs can match one of its names ([`arn_candidates`]) rather than with every
/// statement of its service: in a large repository each of thousands of stores was compared
/// with thousands of statements. ARNs are matched byte for byte with `*` and `?`
/// ([`wildcard_matches`]), so a pattern can only match a name that starts with the text before
/// its first wildcard.
#[derive(Default)]
struct ArnIndex<'a> {
    /// Statements by a resource part without a wildcard, which matches that name only.
    exact: HashMap<&'a str, Vec<usize>>,
    /// Statements by the text before the first wildcard of a resource part.
    prefix: HashMap<&'a str, Vec<usize>>,
    /// Statements with a resource part that starts with a wildcard: they may match any name.
    anywhere: Vec<usize>,
}

impl<'a> ArnIndex<'a> {
    fn insert(&mut self, resource: &'a str, statement: usize) {
        let slot = match resource.find(['*', '?']) {
            None => self.exact.entry(resource).or_default(),
            Some(0) => &mut self.anywhere,
            Some(at) => self.prefix.entry(&resource[..at]).or_default(),
        };
        // A statement lists the same bucket and its objects: keep it once per key.
        if slot.last() != Some(&statement) {
            slot.push(statement);
        }
    }

    /// Add to `out` every statement with a resource part that may match one of `names` (and
    /// some that do not: the caller still matches them).
    fn may_match(&self, names: &[String], out: &mut Vec<usize>) {
        if names.is_empty() {
            return;
        }
        out.extend(&self.anywhere);
        for name in names {
            out.extend(self.exact.get(name.as_str()).into_iter().flatten());
            for (at, _) in name.char_indices().skip(1) {
                out.extend(self.prefix.get(&name[..at]).into_iter().flatten());
            }
            out.extend(self.prefix.get(name.as_str()).into_iter().flatten());
        }
    }
}

/// Whether a statement's resource entry reaches every store of the service: `*`, or an ARN of
/// the service whose resource part is `*`.
fn reaches_every(entry: &str, service: &str) -> bool {
    let entry = entry.trim();
    entry == "*"
        || split_arn(entry)
            .is_some_and(|parts| parts.resource == "*" && action_matches(parts.service, service))
}

/// The roles (and unattached policies) whose identity statements grant read or write actions
/// of the subject's service on it, with the functions that run as each role: the first
/// [`ACCESSORS_LISTED`] readers and writers (see [`Listed`]) and how many there are in all.
/// Grants through wildcards come from `kinds` (found once per kind of store); only the
/// statements that may name this store are looked at here, and only the listed accessors are
/// written out.
fn accessors<'a, 'm>(
    analysis: &'a Analysis<'m>,
    runners: &Runners,
    kinds: &mut HashMap<u8, KindGrants<'a, 'm>>,
    s: &Subject<'_>,
) -> (Listed, Listed) {
    let Some(service) = s.store.service() else {
        return (Listed::default(), Listed::default());
    };
    let Some((service_index, _)) = analysis.catalog.service(service) else {
        return (Listed::default(), Listed::default());
    };
    let range = analysis.catalog.actions_of(service_index);
    let kind = kinds
        .entry(s.store.kind())
        .or_insert_with(|| KindGrants::of(analysis, service, range.clone(), s.store));
    // Identities whose statements name this store, each starting from its wildcard access.
    let mut named_read: Vec<(usize, Access<'_>)> = Vec::new();
    let mut named_write: Vec<(usize, Access<'_>)> = Vec::new();
    // The statements that may name this store, in identity order.
    let arns = arn_candidates(s);
    let mut candidates: Vec<usize> = kind
        .by_scope
        .get(s.meta.scope.as_str())
        .into_iter()
        .flatten()
        .copied()
        .collect();
    kind.by_arn.may_match(&arns, &mut candidates);
    candidates.sort_unstable();
    candidates.dedup();
    let mut at = 0;
    while at < candidates.len() {
        let identity = kind.specific[candidates[at]].0;
        let mut read: Option<Access<'_>> = None;
        let mut write: Option<Access<'_>> = None;
        while let Some(&c) = candidates.get(at) {
            let (i, st, owner, file) = kind.specific[c];
            if i != identity {
                break;
            }
            at += 1;
            if !kind.entries[c]
                .iter()
                .any(|entry| names_subject(entry, s, &arns, owner) == Some(false))
            {
                continue;
            }
            if read.is_none() && write.is_none() {
                read = wild_access(&kind.read, identity);
                write = wild_access(&kind.write, identity);
            }
            let actions = actions_in(&st.effective, range.clone());
            let grant = Grant {
                st,
                wildcard: false,
                file,
            };
            collect(analysis, &grant, actions, s.store, &mut read, &mut write);
        }
        if let Some(a) = read {
            named_read.push((identity, a));
        }
        if let Some(a) = write {
            named_write.push((identity, a));
        }
    }
    let list = |named, wild| Listed::of(named, wild, analysis, runners, s.meta);
    (list(named_read, &kind.read), list(named_write, &kind.write))
}

/// A copy of `identity`'s access through wildcards, if it has one.
fn wild_access<'a>(wild: &[(usize, Access<'a>)], identity: usize) -> Option<Access<'a>> {
    wild.iter()
        .find(|(i, _)| *i == identity)
        .map(|(_, a)| a.clone())
}

/// Accessors as a store lists them, and how many there are.
#[derive(Default)]
struct Listed {
    accessors: Vec<Accessor>,
    total: usize,
}

impl Listed {
    /// Grants naming the store first, then grants from its own file, then the rest by name;
    /// the first [`ACCESSORS_LISTED`] written out. `named` are the identities whose statements
    /// name the store (their wildcard access merged in); `wild`, every identity's access
    /// through wildcards, sorted by name.
    fn of(
        mut named: Vec<(usize, Access<'_>)>,
        wild: &[(usize, Access<'_>)],
        analysis: &Analysis<'_>,
        runners: &Runners,
        store: &ResourceMeta,
    ) -> Self {
        let principal = |index: usize| analysis.identities[index].owner;
        let mut named_ids: Vec<usize> = named.iter().map(|(i, _)| *i).collect();
        named_ids.sort_unstable();
        let wild_only = || {
            wild.iter()
                .filter(|(i, _)| named_ids.binary_search(i).is_err())
        };
        let total = named.len() + wild_only().count();
        named.sort_by(|(ia, a), (ib, b)| {
            a.wildcard
                .cmp(&b.wildcard)
                .then_with(|| (a.path != store.file).cmp(&(b.path != store.file)))
                .then_with(|| principal(*ia).scope.cmp(&principal(*ib).scope))
                .then_with(|| principal(*ia).address.cmp(&principal(*ib).address))
        });
        let shown: Vec<(usize, &Access<'_>)> = named
            .iter()
            .map(|(i, a)| (*i, a))
            .chain(
                wild_only()
                    .filter(|(_, a)| a.path == store.file)
                    .map(|(i, a)| (*i, a)),
            )
            .chain(
                wild_only()
                    .filter(|(_, a)| a.path != store.file)
                    .map(|(i, a)| (*i, a)),
            )
            .take(ACCESSORS_LISTED)
            .collect();
        let accessors = shown
            .into_iter()
            .map(|(index, access)| {
                let owner = principal(index);
                access.to_accessor(analysis, owner.qualified_address(), runners.of_role(owner))
            })
            .collect();
        Listed { accessors, total }
    }
}

/// Grants found so far for one identity and one kind of access.
#[derive(Clone)]
struct Access<'f> {
    actions: Vec<ActionId>,
    wildcard: bool,
    path: &'f str,
    line: u32,
}

impl Access<'_> {
    fn to_accessor(
        &self,
        analysis: &Analysis<'_>,
        principal: String,
        functions: &[String],
    ) -> Accessor {
        let mut actions: Vec<String> = self
            .actions
            .iter()
            .map(|&id| analysis.catalog.full_name(id).to_string())
            .collect();
        actions.sort();
        actions.dedup();
        if actions.len() > ACTIONS_SHOWN {
            actions.truncate(ACTIONS_SHOWN);
            actions.push("...".to_string());
        }
        Accessor {
            principal,
            functions: functions.to_vec(),
            actions,
            wildcard: self.wildcard,
            path: self.path.to_string(),
            line: self.line,
        }
    }
}

/// One identity statement that names the store.
struct Grant<'a, 'm> {
    st: &'a StatementView<'m>,
    wildcard: bool,
    file: &'a str,
}

/// The actions of `effective` (sorted) that belong to the service whose catalog ids are
/// `range`: found by binary search, because a statement granting `*` holds the whole catalog
/// and scanning it for each store and identity was most of a large report's time.
fn actions_in(effective: &[ActionId], range: std::ops::Range<ActionId>) -> &[ActionId] {
    let start = effective.partition_point(|id| *id < range.start);
    let end = effective.partition_point(|id| *id < range.end);
    &effective[start..end.max(start)]
}

fn collect<'f>(
    analysis: &Analysis<'_>,
    grant: &Grant<'f, '_>,
    actions: &[ActionId],
    store: Store<'_>,
    read: &mut Option<Access<'f>>,
    write: &mut Option<Access<'f>>,
) {
    let Grant { st, wildcard, file } = *grant;
    let types = store.resource_types();
    for &id in actions {
        let action = analysis.catalog.get(id);
        if !action
            .resources
            .iter()
            .any(|r| types.iter().any(|t| r.name.eq_ignore_ascii_case(t)))
        {
            continue;
        }
        let slot = match action.level {
            AccessLevel::Read => &mut *read,
            AccessLevel::Write => &mut *write,
            _ => continue,
        };
        let access = slot.get_or_insert_with(|| Access {
            actions: Vec::new(),
            wildcard,
            path: file,
            line: st.stmt.span.start.line,
        });
        // A grant by name is the stronger evidence; keep its place.
        if access.wildcard && !wildcard {
            access.wildcard = false;
            access.path = file;
            access.line = st.stmt.span.start.line;
        }
        // Names sort differently from ids: keep one more than shown so `...` still says
        // that some were left out.
        if access.actions.len() <= ACTIONS_SHOWN && !access.actions.contains(&id) {
            access.actions.push(id);
        }
    }
}

/// The functions and state machines that run as each role of the model, found once per report:
/// resolving every function's role again for each store and identity made the report's time
/// grow with the cube of the repository's size (minutes for a few hundred templates).
struct Runners {
    /// Keyed by the role's metadata, by address in memory: the identities of the permission
    /// analysis point at the model's roles.
    by_role: HashMap<*const ResourceMeta, Vec<String>>,
}

impl Runners {
    fn of(model: &CloudModel) -> Self {
        // Roles by address and by name, so a function's reference is compared with the roles it
        // can name rather than with every role; `CloudModel::points_at` still decides.
        let mut by_address: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, role) in model.iam_roles.iter().enumerate() {
            by_address
                .entry(role.meta.address.as_str())
                .or_default()
                .push(i);
            if let Some(name) = role.name.as_str() {
                by_name.entry(name).or_default().push(i);
            }
        }
        // The first role in model order that the reference points at, as `CloudModel::role_of`.
        let role_of = |from: &ResourceMeta, reference: &Val<Ref>| -> Option<&IamRole> {
            let mut candidates: Vec<usize> = Vec::new();
            match reference.get() {
                Some(Ref::Resource { address, .. }) => {
                    candidates.extend(by_address.get(address.as_str()).into_iter().flatten());
                }
                Some(Ref::Literal(text)) => {
                    // The name itself, or an ARN ending in `:name` or `/name`.
                    candidates.extend(by_name.get(text.as_str()).into_iter().flatten());
                    for (at, c) in text.char_indices() {
                        if c == ':' || c == '/' {
                            let tail = &text[at + 1..];
                            candidates.extend(by_name.get(tail).into_iter().flatten());
                        }
                    }
                }
                None => return None,
            }
            candidates.sort_unstable();
            candidates
                .into_iter()
                .map(|i| &model.iam_roles[i])
                .find(|r| CloudModel::points_at(from, reference, &r.meta, &r.name))
        };
        let mut by_role: HashMap<*const ResourceMeta, Vec<String>> = HashMap::new();
        let runs = model
            .lambdas
            .iter()
            .map(|f| (&f.meta, &f.role))
            .chain(model.state_machines.iter().map(|m| (&m.meta, &m.role)));
        for (meta, role) in runs {
            if let Some(r) = role_of(meta, role) {
                by_role
                    .entry(std::ptr::from_ref(&r.meta))
                    .or_default()
                    .push(meta.qualified_address());
            }
        }
        for functions in by_role.values_mut() {
            functions.sort();
            functions.dedup();
        }
        Self { by_role }
    }

    /// The functions and state machines that run as the role `owner`.
    fn of_role(&self, owner: &ResourceMeta) -> &[String] {
        self.by_role
            .get(&std::ptr::from_ref(owner))
            .map_or(&[], Vec::as_slice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_statements_actions_of_one_service_are_found_by_their_range() {
        let effective = [1, 4, 5, 9, 12, 20];
        assert_eq!(actions_in(&effective, 4..10), [4, 5, 9]);
        assert_eq!(actions_in(&effective, 0..1), [] as [ActionId; 0]);
        assert_eq!(actions_in(&effective, 13..20), [] as [ActionId; 0]);
        assert_eq!(actions_in(&effective, 20..21), [20]);
        assert_eq!(actions_in(&[], 3..8), [] as [ActionId; 0]);
    }

    #[test]
    fn the_arn_index_finds_every_statement_whose_pattern_matches() {
        let patterns = [
            "table/orders",
            "table/orders/index/*",
            "table/ord*",
            "table/?rders",
            "*/orders",
            "table/other",
            "table/orders-*",
            "bucket-ü*",
        ];
        let mut index = ArnIndex::default();
        for (i, p) in patterns.iter().enumerate() {
            index.insert(p, i);
        }
        for names in [
            vec![
                "table/orders".to_string(),
                "table/orders/index/x".to_string(),
            ],
            vec!["table/ord".to_string()],
            vec!["bucket-ü".to_string(), "bucket-ü/x".to_string()],
        ] {
            let mut found = Vec::new();
            index.may_match(&names, &mut found);
            for (i, p) in patterns.iter().enumerate() {
                let matches = names
                    .iter()
                    .any(|n| wildcard_matches(p.as_bytes(), n.as_bytes()));
                assert!(!matches || found.contains(&i), "{p} for {names:?}");
            }
            assert!(!found.contains(&5), "`table/other` is not looked at");
        }
        let mut none = Vec::new();
        index.may_match(&[], &mut none);
        assert!(none.is_empty(), "a store without a name matches no ARN");
    }

    #[test]
    fn references_name_the_whole_address() {
        assert!(references("${Table.Arn}", "Table"));
        assert!(references("arn:x/${Table}/index/*", "Table"));
        assert!(references("${Other.Arn}/${Table.Arn}", "Table"));
        assert!(!references("${TableTwo.Arn}", "Table"));
        assert!(!references("Table.Arn", "Table"));
        assert!(!references("${Tab", "Table"));
    }
}
