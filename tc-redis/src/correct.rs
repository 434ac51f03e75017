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
//! Nothing is silent: every correction is recorded with its path (`InstanceSet[0].SizeUsed`), and
//! the generated response keeps them (`corrections()`), whoever reads it: the client, or
//! `serde_json::from_str` on a response type outside it. Nothing is logged.
//!
//! How, as aws-sdk-rust's generated `*_correct_errors` do it: a reply is first read into its
//! generated *wire form*, which takes whatever Tencent sends (every member may be missing or
//! `null` — [`Field`]; an integer may be a string of digits — [`Int`]), then the generated
//! [`Wire::correct`] of each structure builds the typed value, member by member, through a
//! [`Corrector`] that keeps the path and records each correction. Nothing is kept per thread, and
//! nothing depends on the order serde reads members in. These items are what generated code
//! calls; they are not meant to be used by hand.

use serde::de::{self, Deserialize, Deserializer, Visitor};
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
// The wire form: what generated code reads a reply into.

/// One member of a reply as it was sent: absent, `null`, or a value. Generated wire structures
/// hold every member (but the envelope's `RequestId`) as a `Field`, with `#[serde(default)]`, so
/// that "missing" and "null" stay apart for the record.
#[doc(hidden)]
#[derive(Debug, Default)]
pub enum Field<T> {
    /// The member was not in the object.
    #[default]
    Absent,
    /// The member was `null`.
    Null,
    /// The member's value.
    Value(T),
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Field<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Option::<T>::deserialize(deserializer).map(|v| v.map_or(Field::Null, Field::Value))
    }
}

/// An integer as it was sent: a JSON number, or a string of its digits (recorded when
/// corrected); never lossy (a fraction, a sign `u64` cannot hold, out of range: an error).
#[doc(hidden)]
#[derive(Debug)]
pub struct Int<T> {
    value: T,
    from_string: bool,
}

impl<'de, T> Deserialize<'de> for Int<T>
where
    T: TryFrom<i64> + TryFrom<u64> + std::str::FromStr,
{
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(IntegerVisitor::<T>(PhantomData))
    }
}

/// A structure as it was sent, read from a JSON object only: serde's derive would also take a
/// JSON array as the members in order, and with members that may be absent, `[]` would read as
/// a default value.
#[doc(hidden)]
#[derive(Debug)]
pub struct Object<T>(T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Object<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ObjectVisitor::<T>(PhantomData))
    }
}

struct ObjectVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectVisitor<T> {
    type Value = Object<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        T::deserialize(de::value::MapAccessDeserializer::new(map)).map(Object)
    }
}

/// A value of a reply's wire form, turned into the typed value by [`correct`](Wire::correct).
/// Generated for every structure read from replies; implemented here for the scalars and lists.
#[doc(hidden)]
pub trait Wire: Sized {
    /// The typed value.
    type Target;

    /// The typed value, each correction recorded in `corrector` at its path.
    fn correct(self, corrector: &mut Corrector) -> Self::Target;
}

macro_rules! as_sent {
    ($($t:ty),*) => {$(
        impl Wire for $t {
            type Target = $t;
            fn correct(self, _: &mut Corrector) -> $t {
                self
            }
        }
    )*};
}
as_sent!(String, bool, f64);

impl<T> Wire for Int<T> {
    type Target = T;

    fn correct(self, corrector: &mut Corrector) -> T {
        if self.from_string {
            corrector.record(CorrectionKind::IntegerFromString);
        }
        self.value
    }
}

impl<W: Wire> Wire for Object<W> {
    type Target = W::Target;

    fn correct(self, corrector: &mut Corrector) -> W::Target {
        self.0.correct(corrector)
    }
}

impl<W: Wire> Wire for Vec<W> {
    type Target = Vec<W::Target>;

    fn correct(self, corrector: &mut Corrector) -> Vec<W::Target> {
        self.into_iter()
            .enumerate()
            .map(|(i, item)| {
                corrector.path.push(Segment::Index(i));
                let item = item.correct(corrector);
                corrector.path.pop();
                item
            })
            .collect()
    }
}

#[derive(Debug, Clone, Copy)]
enum Segment {
    Member(&'static str),
    Index(usize),
}

/// Builds typed values from a reply's wire form: the path of the member being corrected, and
/// the corrections found so far.
#[doc(hidden)]
#[derive(Debug, Default)]
pub struct Corrector {
    path: Vec<Segment>,
    found: Vec<Correction>,
}

impl Corrector {
    /// An always-returned member: missing or `null` reads as the zero value, recorded.
    pub fn required<W>(&mut self, name: &'static str, field: Field<W>) -> W::Target
    where
        W: Wire,
        W::Target: Default,
    {
        self.path.push(Segment::Member(name));
        let value = match field {
            Field::Value(value) => value.correct(self),
            Field::Absent => {
                self.record(CorrectionKind::Missing);
                W::Target::default()
            }
            Field::Null => {
                self.record(CorrectionKind::Null);
                W::Target::default()
            }
        };
        self.path.pop();
        value
    }

    /// A member that may be omitted (or is never invented): missing or `null` is `None`.
    pub fn optional<W: Wire>(&mut self, name: &'static str, field: Field<W>) -> Option<W::Target> {
        match field {
            Field::Value(value) => {
                self.path.push(Segment::Member(name));
                let value = value.correct(self);
                self.path.pop();
                Some(value)
            }
            Field::Absent | Field::Null => None,
        }
    }

    /// What was corrected, in the order of the spec's members.
    pub fn finish(self) -> Corrections {
        Corrections(self.found)
    }

    fn record(&mut self, kind: CorrectionKind) {
        let mut path = String::new();
        for segment in &self.path {
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
        self.found.push(Correction { path, kind });
    }
}

/// A structure read from a reply on its own (a generated data structure's `Deserialize`): its
/// wire form, corrected; the corrections have no response to go to and are dropped.
#[doc(hidden)]
pub fn read<'de, W, D>(deserializer: D) -> Result<W::Target, D::Error>
where
    W: Wire + Deserialize<'de>,
    D: Deserializer<'de>,
{
    let wire = W::deserialize(deserializer)?;
    Ok(wire.correct(&mut Corrector::default()))
}

/// A response (a generated response's `Deserialize`): its wire form, corrected, with the
/// corrections kept in the response's own field, which `corrections` points to.
#[doc(hidden)]
pub fn read_reply<'de, W, D>(
    deserializer: D,
    corrections: fn(&mut W::Target) -> &mut Corrections,
) -> Result<W::Target, D::Error>
where
    W: Wire + Deserialize<'de>,
    D: Deserializer<'de>,
{
    let wire = W::deserialize(deserializer)?;
    let mut corrector = Corrector::default();
    let mut reply = wire.correct(&mut corrector);
    *corrections(&mut reply) = corrector.finish();
    Ok(reply)
}

/// The `Deserialize` of a generated structure read from replies, written once here: through its
/// wire form `wire::<Type>` (resolved where the macro is invoked, in the generated code). With
/// `keeping <field>`, a response: the corrections are kept in that field, and `corrections()`
/// returns them.
#[doc(hidden)]
#[macro_export]
macro_rules! __read_from_wire {
    ($name:ident) => {
        /// Read as Tencent sends it: client error correction (see `tc_redis::correct`).
        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                $crate::correct::read::<wire::$name, D>(deserializer)
            }
        }
    };
    ($name:ident, keeping $field:ident) => {
        impl $name {
            /// What was corrected when this reply was read: members the spec says are always
            /// returned that were missing or `null` (read as their zero value), and integers
            /// sent as strings. Empty when the reply matched the spec.
            pub fn corrections(&self) -> &$crate::correct::Corrections {
                &self.$field
            }
        }

        /// Read as Tencent sends it: client error correction (see `tc_redis::correct`), each
        /// correction kept (`corrections()`).
        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                $crate::correct::read_reply::<wire::$name, D>(deserializer, |reply| {
                    &mut reply.$field
                })
            }
        }
    };
}

/// An integer from a JSON number, or from a string of its digits; never lossy.
struct IntegerVisitor<T>(PhantomData<T>);

impl<'de, T> Visitor<'de> for IntegerVisitor<T>
where
    T: TryFrom<i64> + TryFrom<u64> + std::str::FromStr,
{
    type Value = Int<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "an integer of type {} (or a string of its digits)",
            std::any::type_name::<T>()
        )
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Int<T>, E> {
        let value =
            T::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))?;
        Ok(Int {
            value,
            from_string: false,
        })
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Int<T>, E> {
        let value =
            T::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))?;
        Ok(Int {
            value,
            from_string: false,
        })
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Int<T>, E> {
        let digits = v.strip_prefix('-').unwrap_or(v);
        let plain = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
        match v.parse::<T>() {
            Ok(value) if plain => Ok(Int {
                value,
                from_string: true,
            }),
            _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // What the generator emits for a reply with a list of structures, written by hand.
    #[derive(Debug, Default, PartialEq)]
    struct Item {
        count: u64,
        id: Option<i64>,
    }

    #[derive(Debug, PartialEq)]
    struct Reply {
        items: Vec<Item>,
        corrections: Corrections,
    }

    mod wire {
        use super::super::*;

        #[derive(serde::Deserialize)]
        pub(super) struct Item {
            #[serde(rename = "Count", default)]
            count: Field<Int<u64>>,
            #[serde(rename = "Id", default)]
            id: Field<Int<i64>>,
        }

        impl Wire for Item {
            type Target = super::Item;
            fn correct(self, c: &mut Corrector) -> super::Item {
                super::Item {
                    count: c.required("Count", self.count),
                    id: c.optional("Id", self.id),
                }
            }
        }

        #[derive(serde::Deserialize)]
        pub(super) struct Reply {
            #[serde(rename = "Items", default)]
            items: Field<Vec<Object<Item>>>,
        }

        impl Wire for Reply {
            type Target = super::Reply;
            fn correct(self, c: &mut Corrector) -> super::Reply {
                super::Reply {
                    items: c.required("Items", self.items),
                    corrections: Corrections::default(),
                }
            }
        }
    }

    impl<'de> Deserialize<'de> for Reply {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            read_reply::<wire::Reply, D>(d, |r| &mut r.corrections)
        }
    }

    fn read(json: &str) -> Result<Reply, String> {
        serde_json::from_str::<Reply>(json).map_err(|e| e.to_string())
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
    fn the_record_follows_the_members_not_the_order_they_are_sent_in() {
        // Members sent in reverse order, and twice in a row: the same record each time, no
        // state left over from a failed read.
        let a = read(r#"{"Items":[{"Id":"1","Count":null}]}"#).unwrap();
        let b = read(r#"{"Items":[{"Count":null,"Id":"1"}]}"#).unwrap();
        assert_eq!(paths(&a), paths(&b));
        assert_eq!(
            paths(&a),
            [
                "Items[0].Count: null, read as its zero value",
                "Items[0].Id: an integer sent as a string, read as the integer",
            ]
        );
        assert!(read(r#"{"Items":[{"Count":1.5}]}"#).is_err());
        let r = read(r#"{"Items":[{"Count":null}]}"#).unwrap();
        assert_eq!(paths(&r), ["Items[0].Count: null, read as its zero value"]);
    }
}
