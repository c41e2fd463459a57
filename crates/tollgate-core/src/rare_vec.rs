//! [`RareVec`]: a list that is empty in almost every value holding it, one word wide.
//!
//! A finding's related locations and data-flow steps are empty for nearly all findings, and a
//! large scan holds a hundred thousand findings, several times over while the stages' lists are
//! joined: a `Vec` is three words whether it holds anything or not, a `RareVec` one (a box
//! allocated by the first push). It reads as a slice and serializes as a sequence, like the
//! `Vec` it replaces.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A `Vec<T>` that takes one word while empty.
// The box is the point: a `Vec` is three words, a box of one is one.
#[allow(clippy::box_collection)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct RareVec<T>(Option<Box<Vec<T>>>);

impl<T> RareVec<T> {
    pub const fn new() -> Self {
        Self(None)
    }

    pub fn is_empty(&self) -> bool {
        self.as_slice().is_empty()
    }

    pub fn len(&self) -> usize {
        self.as_slice().len()
    }

    pub fn push(&mut self, value: T) {
        self.vec_mut().push(value);
    }

    /// The list as a `Vec`, allocated if it was not.
    pub(crate) fn vec_mut(&mut self) -> &mut Vec<T> {
        self.0.get_or_insert_with(Default::default)
    }

    pub fn clear(&mut self) {
        self.0 = None;
    }

    pub fn as_slice(&self) -> &[T] {
        self.0.as_deref().map_or(&[], Vec::as_slice)
    }

    pub fn as_mut_slice(&mut self) -> &mut [T] {
        self.0.as_deref_mut().map_or(&mut [], Vec::as_mut_slice)
    }

    /// The items as a `Vec`, moved out.
    pub fn into_vec(self) -> Vec<T> {
        self.0.map_or_else(Vec::new, |v| *v)
    }
}

impl<T> Default for RareVec<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> std::ops::Deref for RareVec<T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        self.as_slice()
    }
}

impl<T> std::ops::DerefMut for RareVec<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        self.as_mut_slice()
    }
}

impl<T> From<Vec<T>> for RareVec<T> {
    fn from(v: Vec<T>) -> Self {
        if v.is_empty() {
            Self(None)
        } else {
            Self(Some(Box::new(v)))
        }
    }
}

impl<T> Extend<T> for RareVec<T> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        let mut iter = iter.into_iter().peekable();
        if iter.peek().is_some() {
            self.vec_mut().extend(iter);
        }
    }
}

impl<T> FromIterator<T> for RareVec<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        Vec::from_iter(iter).into()
    }
}

impl<'a, T> IntoIterator for &'a RareVec<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.as_slice().iter()
    }
}

impl<'a, T> IntoIterator for &'a mut RareVec<T> {
    type Item = &'a mut T;
    type IntoIter = std::slice::IterMut<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.as_mut_slice().iter_mut()
    }
}

impl<T> IntoIterator for RareVec<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;

    fn into_iter(self) -> Self::IntoIter {
        self.into_vec().into_iter()
    }
}

impl<T: fmt::Debug> fmt::Debug for RareVec<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.as_slice()).finish()
    }
}

impl<T: Serialize> Serialize for RareVec<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.as_slice().serialize(serializer)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for RareVec<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Vec::deserialize(deserializer).map(Self::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_word_and_a_vec_otherwise() {
        assert_eq!(
            std::mem::size_of::<RareVec<String>>(),
            std::mem::size_of::<usize>()
        );
        let mut v: RareVec<u32> = RareVec::new();
        assert!(v.is_empty());
        assert_eq!(serde_json::to_string(&v).unwrap(), "[]");
        v.extend(std::iter::empty());
        assert!(v.0.is_none(), "extending by nothing allocates nothing");
        v.push(1);
        v.extend([2, 3]);
        for x in &mut v {
            *x *= 10;
        }
        assert_eq!(v.as_slice(), [10, 20, 30]);
        assert_eq!(serde_json::to_string(&v).unwrap(), "[10,20,30]");
        let back: RareVec<u32> = serde_json::from_str("[10,20,30]").unwrap();
        assert_eq!(back, v);
        assert_eq!(v.clone().into_vec(), vec![10, 20, 30]);
        v.clear();
        assert_eq!(v, RareVec::default());
    }
}
