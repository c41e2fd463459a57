//! Input documents straight into regorus values: a serde [`Serializer`] that builds the
//! [`Value`] regorus's JSON parser would build from the JSON text of the same data, without
//! the text. Writing each document as JSON and parsing it again took about half of the time
//! spent building the documents.
//!
//! What "the same" means here is exactly what `Value::from_json_str(serde_json::to_string(x))`
//! gives: integers without a sign as unsigned, negative ones as signed, other numbers as
//! `f64` (non-finite ones, which JSON writes as `null`, as null), map keys as strings (integers
//! and booleans written as their text, as `serde_json` writes them), objects in regorus's
//! sorted compact form, the last of two equal keys kept. Object keys are shared between the
//! documents of one [`Builder`], as regorus's parser shares them within one text.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use regorus::Value;
use serde::ser::{self, Serialize};

use crate::rego::projection::Need;

/// Builds values, sharing equal object keys between them.
#[derive(Default)]
pub struct Builder {
    keys: HashMap<Box<str>, Value, foldhash::fast::RandomState>,
}

impl Builder {
    /// `data` as regorus reads its JSON text; `Undefined` when it cannot be written as JSON
    /// (a map with keys that are neither strings nor numbers, a failing `Serialize`).
    pub fn value<T: Serialize + ?Sized>(&mut self, data: &T) -> Value {
        data.serialize(ValueSerializer {
            keys: self,
            need: None,
        })
        .unwrap_or(Value::Undefined)
    }

    /// `data` with only what `need` keeps of it (see [`crate::rego::projection`]): the
    /// entries of objects no policy reads are left out, and so are the elements of arrays
    /// no policy iterates, counts or reads whole; scalars are kept as they are.
    pub fn projected<T: Serialize + ?Sized>(&mut self, data: &T, need: &Need) -> Value {
        data.serialize(ValueSerializer {
            keys: self,
            need: (!need.whole).then_some(need),
        })
        .unwrap_or(Value::Undefined)
    }

    fn key(&mut self, text: &str) -> Value {
        if let Some(v) = self.keys.get(text) {
            return v.clone();
        }
        let v = Value::from(text);
        self.keys.insert(text.into(), v.clone());
        v
    }
}

/// Why a value could not be built.
#[derive(Debug)]
pub struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

type Result<T> = std::result::Result<T, Error>;

struct ValueSerializer<'b> {
    keys: &'b mut Builder,
    /// What is kept of the value: `None` for all of it.
    need: Option<&'b Need>,
}

fn unsigned(v: impl Into<u64>) -> Value {
    Value::from(v.into())
}

fn signed(v: impl Into<i64>) -> Value {
    let v: i64 = v.into();
    // JSON text has no sign for a non-negative integer, which regorus reads as unsigned.
    match u64::try_from(v) {
        Ok(u) => Value::from(u),
        Err(_) => Value::from(v),
    }
}

/// Numbers JSON text writes another way than their type (`f32`, 128-bit integers): through
/// the text, as before.
fn through_text<T: Serialize>(v: T) -> Value {
    serde_json::to_string(&v)
        .ok()
        .and_then(|text| Value::from_json_str(&text).ok())
        .unwrap_or(Value::Undefined)
}

/// Serializer methods of numbers, each a conversion of its argument.
macro_rules! numbers {
    ($($method:ident : $ty:ty => $convert:expr),*) => {$(
        fn $method(self, v: $ty) -> Result<Value> {
            let convert = $convert;
            Ok(convert(v))
        }
    )*};
}

impl<'b> ser::Serializer for ValueSerializer<'b> {
    type Ok = Value;
    type Error = Error;
    type SerializeSeq = SeqBuilder<'b>;
    type SerializeTuple = SeqBuilder<'b>;
    type SerializeTupleStruct = SeqBuilder<'b>;
    type SerializeTupleVariant = VariantBuilder<SeqBuilder<'b>>;
    type SerializeMap = MapBuilder<'b>;
    type SerializeStruct = MapBuilder<'b>;
    type SerializeStructVariant = VariantBuilder<MapBuilder<'b>>;

    fn serialize_bool(self, v: bool) -> Result<Value> {
        Ok(Value::from(v))
    }
    numbers!(
        serialize_i8: i8 => signed,
        serialize_i16: i16 => signed,
        serialize_i32: i32 => signed,
        serialize_i64: i64 => signed,
        serialize_u8: u8 => unsigned,
        serialize_u16: u16 => unsigned,
        serialize_u32: u32 => unsigned,
        serialize_u64: u64 => unsigned,
        serialize_i128: i128 => through_text,
        serialize_u128: u128 => through_text,
        serialize_f32: f32 => through_text
    );
    fn serialize_f64(self, v: f64) -> Result<Value> {
        // Non-finite: JSON writes `null`.
        Ok(Value::from(v))
    }
    fn serialize_char(self, v: char) -> Result<Value> {
        Ok(Value::from(v.to_string()))
    }
    fn serialize_str(self, v: &str) -> Result<Value> {
        Ok(Value::from(v))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Value> {
        Ok(Value::from(
            v.iter().map(|&b| unsigned(b)).collect::<Vec<_>>(),
        ))
    }
    fn serialize_none(self) -> Result<Value> {
        Ok(Value::Null)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Value> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Value> {
        Ok(Value::Null)
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<Value> {
        Ok(Value::Null)
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Value> {
        Ok(Value::from(variant))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<Value> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Value> {
        let key = self.keys.key(variant);
        let inner = value.serialize(ValueSerializer {
            keys: &mut *self.keys,
            need: None,
        })?;
        Ok(Value::from(BTreeMap::from([(key, inner)])))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<SeqBuilder<'b>> {
        // No element is needed: none is built (an empty array holds as the array does).
        let element = match self.need {
            None => Some(None),
            Some(need) => need.element().map(|n| (!n.whole).then_some(n)),
        };
        Ok(SeqBuilder {
            keys: self.keys,
            items: Vec::with_capacity(if element.is_some() {
                len.unwrap_or(0)
            } else {
                0
            }),
            element,
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<SeqBuilder<'b>> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<SeqBuilder<'b>> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<VariantBuilder<SeqBuilder<'b>>> {
        let key = self.keys.key(variant);
        // The documents hold no enum variants: one is kept whole.
        let whole = ValueSerializer {
            keys: self.keys,
            need: None,
        };
        let inner = whole.serialize_seq(Some(len))?;
        Ok(VariantBuilder { key, inner })
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<MapBuilder<'b>> {
        Ok(MapBuilder {
            keys: self.keys,
            entries: BTreeMap::new(),
            next_key: None,
            need: self.need,
        })
    }
    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<MapBuilder<'b>> {
        self.serialize_map(Some(len))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<VariantBuilder<MapBuilder<'b>>> {
        let key = self.keys.key(variant);
        let whole = ValueSerializer {
            keys: self.keys,
            need: None,
        };
        let inner = whole.serialize_map(None)?;
        Ok(VariantBuilder { key, inner })
    }
}

/// An array being built.
pub struct SeqBuilder<'b> {
    keys: &'b mut Builder,
    items: Vec<Value>,
    /// What is kept of each element: `None` when no element is kept, `Some(None)` for all of
    /// each.
    element: Option<Option<&'b Need>>,
}

impl SeqBuilder<'_> {
    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        let Some(need) = self.element else {
            return Ok(());
        };
        let v = value.serialize(ValueSerializer {
            keys: &mut *self.keys,
            need,
        })?;
        self.items.push(v);
        Ok(())
    }
}

/// The three kinds of sequence serde knows are all arrays.
macro_rules! array_of {
    ($($kind:ident :: $method:ident),*) => {$(
        impl ser::$kind for SeqBuilder<'_> {
            type Ok = Value;
            type Error = Error;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
                self.push(value)
            }
            fn end(self) -> Result<Value> {
                Ok(Value::from(self.items))
            }
        }
    )*};
}

array_of!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field
);

/// An object being built.
pub struct MapBuilder<'b> {
    keys: &'b mut Builder,
    entries: BTreeMap<Value, Value>,
    next_key: Option<Value>,
    /// What is kept of the object: `None` for all of it.
    need: Option<&'b Need>,
}

impl<'b> MapBuilder<'b> {
    /// What is kept of the entry at `key`: `None` when no policy reads it, `Some(None)` for
    /// all of it.
    fn kept(&self, key: &str) -> Option<Option<&'b Need>> {
        kept(self.need, key)
    }

    fn entry<T: Serialize + ?Sized>(
        &mut self,
        key: Value,
        need: Option<&Need>,
        value: &T,
    ) -> Result<()> {
        let v = value.serialize(ValueSerializer {
            keys: &mut *self.keys,
            need,
        })?;
        // The last of two equal keys stays, as in regorus's parser.
        self.entries.insert(key, v);
        Ok(())
    }
}

impl ser::SerializeMap for MapBuilder<'_> {
    type Ok = Value;
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<()> {
        self.next_key = Some(key.serialize(KeySerializer {
            keys: &mut *self.keys,
            need: self.need,
        })?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        let key = self
            .next_key
            .take()
            .ok_or_else(|| Error("a map value without its key".into()))?;
        // A key left out is `Undefined` (see `KeySerializer::kept_key`). (Matched, not read
        // with `as_string`, whose error for anything else captures a backtrace.)
        let Value::String(text) = &key else {
            return Ok(());
        };
        let Some(need) = self.kept(text) else {
            return Ok(());
        };
        self.entry(key, need, value)
    }
    fn end(self) -> Result<Value> {
        Ok(Value::from(self.entries))
    }
}

impl ser::SerializeStruct for MapBuilder<'_> {
    type Ok = Value;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<()> {
        let Some(need) = self.kept(key) else {
            return Ok(());
        };
        let key = self.keys.key(key);
        self.entry(key, need, value)
    }
    fn end(self) -> Result<Value> {
        Ok(Value::from(self.entries))
    }
}

/// A map key as the shared string value of its JSON text. A string key (nearly every key)
/// is looked up as it is: building its value and copying its text first, only to look that
/// text up, was three allocations per key of every document.
struct KeySerializer<'b> {
    keys: &'b mut Builder,
    /// What is kept of the object the key is in: a key no policy reads is not even looked
    /// up among the shared keys (hashing it was most of what skipping its entry cost).
    need: Option<&'b Need>,
}

/// What `need` keeps of the entry at `key`: `None` when nothing, `Some(None)` all of it.
fn kept<'n>(need: Option<&'n Need>, key: &str) -> Option<Option<&'n Need>> {
    match need {
        None => Some(None),
        Some(need) => need.child(key).map(|c| (!c.whole).then_some(c)),
    }
}

impl KeySerializer<'_> {
    /// The shared key `text`, or `Undefined` (which no key is) when its entry is left out.
    fn kept_key(self, text: &str) -> Value {
        match kept(self.need, text) {
            Some(_) => self.keys.key(text),
            None => Value::Undefined,
        }
    }

    /// A key that is not a string: its value as a value is built, then written as JSON
    /// text (`serde_json` writes numbers and booleans as their text); anything else is no key.
    fn through_value(
        self,
        build: impl FnOnce(ValueSerializer<'_>) -> Result<Value>,
    ) -> Result<Value> {
        let k = build(ValueSerializer {
            keys: &mut *self.keys,
            need: None,
        })?;
        let text = match &k {
            Value::String(s) => s.to_string(),
            Value::Number(_) | Value::Bool(_) => k
                .to_json_str()
                .map_err(|e| Error(e.to_string()))?
                .trim()
                .to_string(),
            _ => return Err(not_a_key()),
        };
        Ok(self.kept_key(&text))
    }
}

fn not_a_key() -> Error {
    Error("a map key must be a string".into())
}

/// Serializer methods of keys that are not strings, each through [`KeySerializer::through_value`].
macro_rules! keys_through_value {
    ($($method:ident : $ty:ty),*) => {$(
        fn $method(self, v: $ty) -> Result<Value> {
            self.through_value(|s| s.$method(v))
        }
    )*};
}

impl ser::Serializer for KeySerializer<'_> {
    type Ok = Value;
    type Error = Error;
    type SerializeSeq = ser::Impossible<Value, Error>;
    type SerializeTuple = ser::Impossible<Value, Error>;
    type SerializeTupleStruct = ser::Impossible<Value, Error>;
    type SerializeTupleVariant = ser::Impossible<Value, Error>;
    type SerializeMap = ser::Impossible<Value, Error>;
    type SerializeStruct = ser::Impossible<Value, Error>;
    type SerializeStructVariant = ser::Impossible<Value, Error>;

    fn serialize_str(self, v: &str) -> Result<Value> {
        Ok(self.kept_key(v))
    }
    fn serialize_char(self, v: char) -> Result<Value> {
        Ok(self.kept_key(v.encode_utf8(&mut [0; 4])))
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Value> {
        Ok(self.kept_key(variant))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<Value> {
        value.serialize(self)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Value> {
        value.serialize(self)
    }
    keys_through_value!(
        serialize_bool: bool,
        serialize_i8: i8,
        serialize_i16: i16,
        serialize_i32: i32,
        serialize_i64: i64,
        serialize_u8: u8,
        serialize_u16: u16,
        serialize_u32: u32,
        serialize_u64: u64,
        serialize_i128: i128,
        serialize_u128: u128,
        serialize_f32: f32,
        serialize_f64: f64
    );
    fn serialize_bytes(self, _v: &[u8]) -> Result<Value> {
        Err(not_a_key())
    }
    fn serialize_none(self) -> Result<Value> {
        Err(not_a_key())
    }
    fn serialize_unit(self) -> Result<Value> {
        Err(not_a_key())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<Value> {
        Err(not_a_key())
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<Value> {
        Err(not_a_key())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq> {
        Err(not_a_key())
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple> {
        Err(not_a_key())
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct> {
        Err(not_a_key())
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        Err(not_a_key())
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap> {
        Err(not_a_key())
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Self::SerializeStruct> {
        Err(not_a_key())
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant> {
        Err(not_a_key())
    }
}

/// An enum variant holding a tuple or fields: `{"Variant": ...}`.
pub struct VariantBuilder<B> {
    key: Value,
    inner: B,
}

impl ser::SerializeTupleVariant for VariantBuilder<SeqBuilder<'_>> {
    type Ok = Value;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.inner.push(value)
    }
    fn end(self) -> Result<Value> {
        let inner = Value::from(self.inner.items);
        Ok(Value::from(BTreeMap::from([(self.key, inner)])))
    }
}

impl ser::SerializeStructVariant for VariantBuilder<MapBuilder<'_>> {
    type Ok = Value;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<()> {
        let key = self.inner.keys.key(key);
        self.inner.entry(key, None, value)
    }
    fn end(self) -> Result<Value> {
        let inner = Value::from(self.inner.entries);
        Ok(Value::from(BTreeMap::from([(self.key, inner)])))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;

    /// What the documents were built as before: JSON text parsed by regorus.
    fn through_json<T: Serialize>(data: &T) -> Value {
        Value::from_json_str(&serde_json::to_string(data).unwrap()).unwrap()
    }

    #[derive(Serialize)]
    #[serde(tag = "kind", rename_all = "kebab-case")]
    enum Tagged {
        One { a: u8, b: Option<String> },
        Two { list: Vec<i64> },
    }

    #[derive(Serialize)]
    enum Plain {
        Unit,
        New(u32),
        Tuple(u8, String),
        Fields { x: f64 },
    }

    #[derive(Serialize)]
    struct Everything {
        small: i8,
        negative: i64,
        big: u64,
        huge: u128,
        float: f64,
        whole_float: f64,
        not_finite: f64,
        single: f32,
        text: String,
        letter: char,
        nothing: Option<u8>,
        unit: (),
        tuple: (u8, bool),
        tagged: Vec<Tagged>,
        plain: Vec<Plain>,
        numbered: BTreeMap<u32, bool>,
        flags: BTreeMap<bool, u8>,
        json: serde_json::Value,
    }

    #[test]
    fn values_are_those_regorus_parses_from_the_json_text() {
        let data = Everything {
            small: -3,
            negative: -9_000_000_000,
            big: u64::MAX,
            huge: u128::MAX,
            float: 1.5e-7,
            whole_float: 30.0,
            not_finite: f64::NAN,
            single: 0.1,
            text: "héllo \"quoted\"\n".into(),
            letter: 'é',
            nothing: None,
            unit: (),
            tuple: (7, true),
            tagged: vec![
                Tagged::One {
                    a: 1,
                    b: Some("x".into()),
                },
                Tagged::Two {
                    list: vec![-1, 0, 1],
                },
            ],
            plain: vec![
                Plain::Unit,
                Plain::New(4),
                Plain::Tuple(1, "t".into()),
                Plain::Fields { x: -0.0 },
            ],
            numbered: BTreeMap::from([(10, true), (2, false)]),
            flags: BTreeMap::from([(true, 1)]),
            json: serde_json::json!({
                "Timeout": 900,
                "Ratio": 0.25,
                "Neg": -1,
                "Tags": [{"Key": "a", "Value": "b"}],
                "Empty": {},
                "None": null,
                "Nested": [[], [1, [2, {"z": "y"}]]],
                "tollgate:unknown": "why"
            }),
        };
        let mut builder = Builder::default();
        let built = builder.value(&data);
        assert_eq!(built, through_json(&data));
        // Values compare equal through `Ord` too, as the reuse of results compares them.
        assert_eq!(built.cmp(&through_json(&data)), std::cmp::Ordering::Equal);
        assert_eq!(builder.value(&data), built);
        // Field by field, to name the one that differs.
        let expected = through_json(&data);
        for (key, value) in expected.as_object().unwrap().iter() {
            assert_eq!(&built[key], value, "field {key:?}");
        }
    }
}
