//! Reading what Tencent really sends: Smithy 2.0's "client error correction"
//! (<https://smithy.io/2.0/spec/aggregate-types.html#client-error-correction>), and the record
//! of what was corrected.
//!
//! The generator decides, member by member, how a reply is read (`tc-redis-codegen`'s
//! `reply` module): a member the spec says is always returned is a plain field, and when the
//! server leaves it out or sends `null` it reads as its zero value (`""`, `0`, `false`, an empty
//! list, a default structure); identifiers and deprecated members are `Option`s and are never
//! invented. Integers sent as a JSON string of digits (`"TaskId": "6954227"`) read as the
//! integer; anything lossy (a fraction, a negative `u64`, out of range) is still an error.
//!
//! Nothing is silent: while the client reads a reply ([`crate::response::parse`]) every
//! correction is recorded with its path (`InstanceSet[0].SizeUsed`), and the generated response
//! keeps them (`corrections()`). Nothing is logged.
//!
//! The generated code uses the helpers here through [`Member`] (one marker type per member
//! name) and [`Decode`] (every type a reply member can have); they are not meant to be used by
//! hand.

use serde::Deserializer;
use serde::de::{self, DeserializeOwned, DeserializeSeed, SeqAccess, Visitor};
use std::cell::RefCell;
use std::fmt;
use std::marker::PhantomData;

/// What the client did to one member of a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CorrectionKind {
    /// The member was missing: it reads as its zero value.
    Missing,
    /// The member was `null`: it reads as its zero value.
    Null,
    /// An integer was sent as a string of digits: it reads as the integer (no value is lost).
    IntegerFromString,
}

impl fmt::Display for CorrectionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CorrectionKind::Missing => "missing, read as its zero value",
            CorrectionKind::Null => "null, read as its zero value",
            CorrectionKind::IntegerFromString => "an integer sent as a string, read as the integer",
        })
    }
}

/// One corrected member: where, and what was done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction {
    /// The member's path in the `Response` object: `TaskId`, `InstanceSet[0].SizeUsed`.
    pub path: String,
    /// What the client did.
    pub kind: CorrectionKind,
}

impl fmt::Display for Correction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.kind)
    }
}

/// The members the client corrected in one reply, in the order it read them; empty when the
/// reply matched the spec. See the [module docs](self).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Corrections(Vec<Correction>);

impl Corrections {
    /// Whether the reply was read as it was sent.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The number of corrected members.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The corrections.
    pub fn iter(&self) -> std::slice::Iter<'_, Correction> {
        self.0.iter()
    }

    /// The corrected members' paths.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|c| c.path.as_str())
    }
}

impl<'a> IntoIterator for &'a Corrections {
    type Item = &'a Correction;
    type IntoIter = std::slice::Iter<'a, Correction>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl fmt::Display for Corrections {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("nothing corrected");
        }
        for (i, c) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{c}")?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// The record: a path stack and the corrections found, per thread, only while a reply is read.

#[derive(Debug, Clone, Copy)]
enum Segment {
    Member(&'static str),
    Index(usize),
}

#[derive(Default)]
struct Recording {
    path: Vec<Segment>,
    found: Vec<Correction>,
}

thread_local! {
    /// `Some` while [`recording`] runs on this thread. serde gives a `Deserialize` no context,
    /// so the path of the member being read is kept here.
    static RECORDING: RefCell<Option<Recording>> = const { RefCell::new(None) };
}

/// Runs `read` (the deserialisation of one reply) with corrections recorded; the generated
/// response takes them when it is complete (its `corrections` field's default). Nested calls
/// each get their own record.
pub(crate) fn recording<R>(read: impl FnOnce() -> R) -> R {
    struct Restore(Option<Recording>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let outer = self.0.take();
            let _ = RECORDING.try_with(|r| *r.borrow_mut() = outer);
        }
    }
    let outer = RECORDING.with(|r| r.replace(Some(Recording::default())));
    let _restore = Restore(outer);
    read()
}

/// The corrections recorded so far (emptied): the default of a generated response's
/// `corrections` field, which serde computes once every other member has been read.
pub fn take() -> Corrections {
    RECORDING.with(|r| {
        Corrections(
            r.borrow_mut()
                .as_mut()
                .map(|rec| std::mem::take(&mut rec.found))
                .unwrap_or_default(),
        )
    })
}

fn record(kind: CorrectionKind, leaf: Option<&'static str>) {
    RECORDING.with(|r| {
        if let Some(rec) = r.borrow_mut().as_mut() {
            let mut path = String::new();
            let segments = rec.path.iter().copied().chain(leaf.map(Segment::Member));
            for segment in segments {
                match segment {
                    Segment::Member(name) => {
                        if !path.is_empty() {
                            path.push('.');
                        }
                        path.push_str(name);
                    }
                    Segment::Index(i) => {
                        path.push('[');
                        path.push_str(&i.to_string());
                        path.push(']');
                    }
                }
            }
            rec.found.push(Correction { path, kind });
        }
    });
}

/// The segment of the member or element being read, popped when dropped (also on error).
struct Within(bool);

impl Within {
    fn enter(segment: Segment) -> Within {
        Within(RECORDING.with(|r| match r.borrow_mut().as_mut() {
            Some(rec) => {
                rec.path.push(segment);
                true
            }
            None => false,
        }))
    }
}

impl Drop for Within {
    fn drop(&mut self) {
        if self.0 {
            let _ = RECORDING.try_with(|r| {
                if let Some(rec) = r.borrow_mut().as_mut() {
                    rec.path.pop();
                }
            });
        }
    }
}

// ---------------------------------------------------------------------------------------------
// What generated code calls.

/// A type a reply member can have, read with tolerance: every generated data structure, the
/// scalars, and lists of them.
#[doc(hidden)]
pub trait Decode: DeserializeOwned + Default {
    /// Reads the value; the default is plain serde.
    fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Self::deserialize(deserializer)
    }
}

impl Decode for String {}
impl Decode for bool {}
impl Decode for f64 {}

impl Decode for i64 {
    fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(IntegerVisitor::<i64>(PhantomData))
    }
}

impl Decode for u64 {
    fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(IntegerVisitor::<u64>(PhantomData))
    }
}

/// A generated data structure used in replies (`impl crate::correct::Structure for X {}`).
#[doc(hidden)]
pub trait Structure: DeserializeOwned + Default {}

/// A structure is read from a JSON object only: serde would also take a JSON array as the
/// members in order, and with members that may be absent, `[]` would read as a default value.
impl<T: Structure> Decode for T {
    fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(StructureVisitor::<T>(PhantomData))
    }
}

struct StructureVisitor<T>(PhantomData<T>);

impl<'de, T: Structure> Visitor<'de> for StructureVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::deserialize(de::value::MapAccessDeserializer::new(map))
    }
}

impl<T: Decode> Decode for Vec<T> {
    fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_seq(ListVisitor::<T>(PhantomData))
    }
}

/// The marker of one member name (generated, one per name): its helpers are what the generated
/// fields' `#[serde(default = ..., deserialize_with = ...)]` name.
#[doc(hidden)]
pub trait Member {
    /// The member's wire name.
    const NAME: &'static str;

    /// An always-returned member that is missing: its zero value, recorded.
    fn missing<T: Decode>() -> T {
        record(CorrectionKind::Missing, Some(Self::NAME));
        T::default()
    }

    /// An always-returned member: `null` reads as the zero value (recorded), anything else as
    /// [`Decode`] reads it.
    fn zero_if_null<'de, D: Deserializer<'de>, T: Decode>(deserializer: D) -> Result<T, D::Error> {
        let _within = Within::enter(Segment::Member(Self::NAME));
        match deserializer.deserialize_option(OptionVisitor::<T>(PhantomData))? {
            Some(value) => Ok(value),
            None => {
                record(CorrectionKind::Null, None);
                Ok(T::default())
            }
        }
    }

    /// An optional member: `null` is `None`, anything else as [`Decode`] reads it.
    fn optional<'de, D: Deserializer<'de>, T: Decode>(
        deserializer: D,
    ) -> Result<Option<T>, D::Error> {
        let _within = Within::enter(Segment::Member(Self::NAME));
        deserializer.deserialize_option(OptionVisitor::<T>(PhantomData))
    }
}

struct OptionVisitor<T>(PhantomData<T>);

impl<'de, T: Decode> Visitor<'de> for OptionVisitor<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        T::decode(deserializer).map(Some)
    }
}

struct ListVisitor<T>(PhantomData<T>);

impl<'de, T: Decode> Visitor<'de> for ListVisitor<T> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        // The hint comes from the input: never trust it for more than a small allocation.
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(256));
        while let Some(item) = seq.next_element_seed(Element::<T>(out.len(), PhantomData))? {
            out.push(item);
        }
        Ok(out)
    }
}

/// One list element, read within its `[index]` segment.
struct Element<T>(usize, PhantomData<T>);

impl<'de, T: Decode> DeserializeSeed<'de> for Element<T> {
    type Value = T;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
        let _within = Within::enter(Segment::Index(self.0));
        T::decode(deserializer)
    }
}

/// An integer from a JSON number, or from a string of its digits (recorded); never lossy.
struct IntegerVisitor<T>(PhantomData<T>);

impl<'de, T> Visitor<'de> for IntegerVisitor<T>
where
    T: TryFrom<i64> + TryFrom<u64> + std::str::FromStr,
{
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "an integer of type {} (or a string of its digits)",
            std::any::type_name::<T>()
        )
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
        T::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        T::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        let digits = v.strip_prefix('-').unwrap_or(v);
        let plain = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
        match v.parse::<T>() {
            Ok(n) if plain => {
                record(CorrectionKind::IntegerFromString, None);
                Ok(n)
            }
            _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    struct Count;
    impl Member for Count {
        const NAME: &'static str = "Count";
    }
    struct Items;
    impl Member for Items {
        const NAME: &'static str = "Items";
    }
    struct Id;
    impl Member for Id {
        const NAME: &'static str = "Id";
    }

    #[derive(Debug, Default, PartialEq, Deserialize)]
    struct Item {
        #[serde(
            rename = "Count",
            default = "Count::missing",
            deserialize_with = "Count::zero_if_null"
        )]
        count: u64,
        #[serde(rename = "Id", default, deserialize_with = "Id::optional")]
        id: Option<i64>,
    }
    impl Structure for Item {}

    #[derive(Debug, PartialEq, Deserialize)]
    struct Reply {
        #[serde(
            rename = "Items",
            default = "Items::missing",
            deserialize_with = "Items::zero_if_null"
        )]
        items: Vec<Item>,
        #[serde(skip, default = "take")]
        corrections: Corrections,
    }

    fn read(json: &str) -> Result<Reply, String> {
        recording(|| serde_json::from_str::<Reply>(json)).map_err(|e| e.to_string())
    }

    fn paths(r: &Reply) -> Vec<String> {
        r.corrections.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn corrections_are_recorded_with_their_path() {
        let r = read(r#"{"Items":[{"Count":1,"Id":"7"},{"Count":null},{"Count":"12"}]}"#).unwrap();
        assert_eq!(
            r.items,
            vec![
                Item {
                    count: 1,
                    id: Some(7)
                },
                Item { count: 0, id: None },
                Item {
                    count: 12,
                    id: None
                }
            ]
        );
        assert_eq!(
            paths(&r),
            [
                "Items[0].Id: an integer sent as a string, read as the integer",
                "Items[1].Count: null, read as its zero value",
                "Items[2].Count: an integer sent as a string, read as the integer",
            ]
        );
        let r = read(r#"{"Items":[{}]}"#).unwrap();
        assert_eq!(
            paths(&r),
            ["Items[0].Count: missing, read as its zero value"]
        );
        let r = read("{}").unwrap();
        assert_eq!(r.items, vec![]);
        assert_eq!(paths(&r), ["Items: missing, read as its zero value"]);
        let r = read(r#"{"Items":null}"#).unwrap();
        assert_eq!(paths(&r), ["Items: null, read as its zero value"]);
        assert!(read(r#"{"Items":[]}"#).unwrap().corrections.is_empty());
    }

    #[test]
    fn lossy_values_are_still_errors() {
        for (json, problem) in [
            (r#"{"Items":[{"Count":-1}]}"#, "invalid value: integer `-1`"),
            (
                r#"{"Items":[{"Count":"-1"}]}"#,
                "invalid value: string \"-1\"",
            ),
            (
                r#"{"Items":[{"Count":1.5}]}"#,
                "invalid type: floating point `1.5`",
            ),
            (
                r#"{"Items":[{"Count":"1.5"}]}"#,
                "invalid value: string \"1.5\"",
            ),
            (
                r#"{"Items":[{"Count":" 1"}]}"#,
                "invalid value: string \" 1\"",
            ),
            (
                r#"{"Items":[{"Count":"+1"}]}"#,
                "invalid value: string \"+1\"",
            ),
            (r#"{"Items":[{"Count":""}]}"#, "invalid value: string \"\""),
            (
                r#"{"Items":[{"Id":"9223372036854775808"}]}"#,
                "invalid value: string \"9223372036854775808\"",
            ),
            (
                r#"{"Items":[{"Id":9223372036854775808}]}"#,
                "invalid value: integer `9223372036854775808`",
            ),
            (
                r#"{"Items":[{"Count":true}]}"#,
                "invalid type: boolean `true`",
            ),
            (r#"{"Items":[null]}"#, "invalid type: null"),
            (r#"{"Items":{}}"#, "invalid type: map"),
            (
                r#"{"Items":[[]]}"#,
                "invalid type: sequence, expected an object",
            ),
        ] {
            let e = read(json).expect_err(json);
            assert!(e.contains(problem), "{json}: {e}");
        }
    }

    #[test]
    fn outside_a_recording_values_are_corrected_but_nothing_is_kept() {
        let r: Reply = serde_json::from_str(r#"{"Items":[{"Count":null}]}"#).unwrap();
        assert_eq!(r.items[0].count, 0);
        assert!(r.corrections.is_empty());
        // An error part-way leaves no stale segment behind for the next reply.
        assert!(read(r#"{"Items":[{"Count":1.5}]}"#).is_err());
        let r = read(r#"{"Items":[{"Count":null}]}"#).unwrap();
        assert_eq!(paths(&r), ["Items[0].Count: null, read as its zero value"]);
    }
}
