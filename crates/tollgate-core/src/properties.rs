//! [`Properties`]: a finding's extra facts for machines (SARIF `properties`), a map from key to
//! JSON value kept in key order, like the `BTreeMap` it replaces and with the same serialized
//! form (a JSON object, keys sorted).
//!
//! A finding has none or one or two of them, and a large scan has a hundred thousand findings:
//! a `BTreeMap` allocates a node for eleven entries (over 600 bytes) for its first entry, a
//! sorted vector only the entries themselves.

use std::fmt;

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::RareVec;

/// Key-ordered map from property name to JSON value.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Properties {
    /// Sorted by key, keys unique; one word while empty, as most findings' are.
    entries: RareVec<(String, Value)>,
}

impl Properties {
    pub const fn new() -> Self {
        Self {
            entries: RareVec::new(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    fn position(&self, key: &str) -> Result<usize, usize> {
        self.entries.binary_search_by(|(k, _)| k.as_str().cmp(key))
    }

    /// Set `key` to `value`; the value it had before, if any.
    pub fn insert(&mut self, key: String, value: Value) -> Option<Value> {
        match self.position(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            Err(i) => {
                // Most findings get one property: room for exactly what is inserted.
                let entries = self.entries.vec_mut();
                entries.reserve_exact(1);
                entries.insert(i, (key, value));
                None
            }
        }
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.position(key).ok().map(|i| &self.entries[i].1)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        self.position(key).ok().map(|i| &mut self.entries[i].1)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_ok()
    }

    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let i = self.position(key).ok()?;
        Some(self.entries.vec_mut().remove(i).1)
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// The entries in key order.
    pub fn iter(&self) -> Iter<'_> {
        Iter(self.entries.iter())
    }

    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.entries.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl Iterator<Item = &Value> {
        self.entries.iter().map(|(_, v)| v)
    }
}

/// Iterator over [`Properties`] in key order, as `BTreeMap::iter` yields them.
#[derive(Debug, Clone)]
pub struct Iter<'a>(std::slice::Iter<'a, (String, Value)>);

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a String, &'a Value);

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(k, v)| (k, v))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.0.next_back().map(|(k, v)| (k, v))
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl<'a> IntoIterator for &'a Properties {
    type Item = (&'a String, &'a Value);
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl IntoIterator for Properties {
    type Item = (String, Value);
    type IntoIter = std::vec::IntoIter<(String, Value)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_vec().into_iter()
    }
}

impl<K: Into<String>> Extend<(K, Value)> for Properties {
    fn extend<I: IntoIterator<Item = (K, Value)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k.into(), v);
        }
    }
}

impl<K: Into<String>> FromIterator<(K, Value)> for Properties {
    fn from_iter<I: IntoIterator<Item = (K, Value)>>(iter: I) -> Self {
        let mut out = Properties::new();
        out.extend(iter);
        out
    }
}

impl std::ops::Index<&str> for Properties {
    type Output = Value;

    /// The value of `key`; panics when there is none, as `BTreeMap`'s index does.
    fn index(&self, key: &str) -> &Value {
        self.get(key)
            .unwrap_or_else(|| panic!("no property `{key}`"))
    }
}

impl fmt::Debug for Properties {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Serialize for Properties {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.entries.len()))?;
        for (k, v) in &self.entries {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Properties {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PropertiesVisitor;

        impl<'de> Visitor<'de> for PropertiesVisitor {
            type Value = Properties;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of properties")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Properties, A::Error> {
                let mut out = Properties::new();
                while let Some((k, v)) = access.next_entry::<String, Value>()? {
                    // A repeated key keeps its last value, as a `BTreeMap` did.
                    out.insert(k, v);
                }
                Ok(out)
            }
        }

        deserializer.deserialize_map(PropertiesVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn behaves_and_serializes_as_the_btreemap_it_replaces() {
        let pairs = [
            ("zeta", Value::from(1)),
            ("alpha", Value::from("a")),
            ("mid", Value::from(true)),
            ("alpha", Value::from("b")),
        ];
        let mut props = Properties::new();
        let mut map = BTreeMap::new();
        for (k, v) in pairs.clone() {
            assert_eq!(
                props.insert(k.to_string(), v.clone()),
                map.insert(k.to_string(), v)
            );
        }
        assert_eq!(props.len(), map.len());
        assert!(props.iter().eq(map.iter()));
        assert_eq!(
            serde_json::to_string(&props).unwrap(),
            serde_json::to_string(&map).unwrap()
        );
        assert_eq!(props["alpha"], "b");
        assert_eq!(props.get("none"), None);
        let back: Properties = serde_json::from_str(r#"{"b": 2, "a": 1, "b": 3}"#).unwrap();
        assert_eq!(serde_json::to_string(&back).unwrap(), r#"{"a":1,"b":3}"#);
        assert_eq!(props.remove("mid"), Some(Value::from(true)));
        assert!(!props.contains_key("mid"));
        props.clear();
        assert!(props.is_empty());
    }
}
