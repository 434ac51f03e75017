//! The first pass of [`parse`](super::parse): the envelope's few fields (`Response`,
//! `Response.RequestId`, `Response.Error.Code`/`Message`), everything else read and dropped,
//! never kept in a tree.

use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// The first pass: the envelope's few fields, everything else skipped (but checked to be JSON,
/// by the same rules as `serde_json::Value`, numbers' range included). A key given twice
/// counts as its last value, as in `Value`.
#[derive(Default)]
pub(super) struct Probe {
    pub(super) response: Option<ResponseProbe>,
}

#[derive(Default)]
pub(super) struct ResponseProbe {
    /// `false` when `Response` is not an object (`null`, a string, an array, ...).
    pub(super) is_object: bool,
    pub(super) request_id: Option<Field>,
    pub(super) error: Option<ErrorProbe>,
}

#[derive(Default)]
pub(super) struct ErrorProbe {
    pub(super) code: Option<Field>,
    pub(super) message: Option<Field>,
}

/// An envelope key, read without allocating: only the few the probe looks at are told apart.
#[derive(PartialEq, Eq)]
enum Key {
    Response,
    RequestId,
    Error,
    Code,
    Message,
    Other,
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Key, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E>(self, v: &str) -> Result<Key, E> {
                Ok(match v {
                    "Response" => Key::Response,
                    "RequestId" => Key::RequestId,
                    "Error" => Key::Error,
                    "Code" => Key::Code,
                    "Message" => Key::Message,
                    _ => Key::Other,
                })
            }
        }
        d.deserialize_str(V)
    }
}

/// A field that should be a string.
pub(super) enum Field {
    Str(String),
    Other,
}

/// Any JSON value, read and dropped without being kept.
struct Skip;

impl<'de> Deserialize<'de> for Skip {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Skip, D::Error> {
        d.deserialize_any(SkipVisitor).map(|()| Skip)
    }
}

struct SkipVisitor;

impl<'de> Visitor<'de> for SkipVisitor {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_none<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element::<Skip>()?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while map.next_key::<Skip>()?.is_some() {
            map.next_value::<Skip>()?;
        }
        Ok(())
    }
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Field, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Field;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_str<E>(self, v: &str) -> Result<Field, E> {
                Ok(Field::Str(v.to_owned()))
            }
            fn visit_string<E>(self, v: String) -> Result<Field, E> {
                Ok(Field::Str(v))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Field, E> {
                Ok(Field::Other)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Field, E> {
                Ok(Field::Other)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Field, E> {
                Ok(Field::Other)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Field, E> {
                Ok(Field::Other)
            }
            fn visit_unit<E>(self) -> Result<Field, E> {
                Ok(Field::Other)
            }
            fn visit_none<E>(self) -> Result<Field, E> {
                Ok(Field::Other)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Field, A::Error> {
                SkipVisitor.visit_seq(seq).map(|()| Field::Other)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Field, A::Error> {
                SkipVisitor.visit_map(map).map(|()| Field::Other)
            }
        }
        d.deserialize_any(V)
    }
}

/// The `Visitor` methods of a type read from a JSON object that takes any other JSON value as
/// `$other` (skipped): `Response: null` is a reply without a `Response` object, not a JSON error.
macro_rules! other_values_are {
    ($other:expr) => {
        fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
            Ok($other)
        }
        fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
            Ok($other)
        }
        fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
            Ok($other)
        }
        fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
            Ok($other)
        }
        fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
            Ok($other)
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok($other)
        }
        fn visit_none<E>(self) -> Result<Self::Value, E> {
            Ok($other)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
            SkipVisitor.visit_seq(seq).map(|()| $other)
        }
    };
}

impl<'de> Deserialize<'de> for Probe {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Probe, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Probe;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            other_values_are!(Probe::default());
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Probe, A::Error> {
                let mut probe = Probe::default();
                while let Some(key) = map.next_key::<Key>()? {
                    if key == Key::Response {
                        probe.response = Some(map.next_value()?);
                    } else {
                        map.next_value::<Skip>()?;
                    }
                }
                Ok(probe)
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for ResponseProbe {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<ResponseProbe, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ResponseProbe;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            other_values_are!(ResponseProbe::default());
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ResponseProbe, A::Error> {
                let mut probe = ResponseProbe {
                    is_object: true,
                    ..ResponseProbe::default()
                };
                while let Some(key) = map.next_key::<Key>()? {
                    match key {
                        Key::RequestId => probe.request_id = Some(map.next_value()?),
                        Key::Error => probe.error = Some(map.next_value()?),
                        _ => {
                            map.next_value::<Skip>()?;
                        }
                    }
                }
                Ok(probe)
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for ErrorProbe {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<ErrorProbe, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ErrorProbe;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            other_values_are!(ErrorProbe::default());
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ErrorProbe, A::Error> {
                let mut probe = ErrorProbe::default();
                while let Some(key) = map.next_key::<Key>()? {
                    match key {
                        Key::Code => probe.code = Some(map.next_value()?),
                        Key::Message => probe.message = Some(map.next_value()?),
                        _ => {
                            map.next_value::<Skip>()?;
                        }
                    }
                }
                Ok(probe)
            }
        }
        d.deserialize_any(V)
    }
}
