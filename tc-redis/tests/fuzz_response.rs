//! Mutation fuzzing of the response parser, `tc_redis::response::parse`.
//!
//! The parser is a pure function fed by the network: whatever the status and the bytes, it must
//! not panic and must classify the reply as exactly one of `Ok`, `Error::Api`, `Error::Http` or
//! `Error::MalformedResponse`, consistently with the body. This harness starts from a corpus of
//! valid and hostile bodies, mutates them (bytes and JSON structure), and checks these
//! properties on every execution, inside `catch_unwind` so that a panic is reported with its
//! input:
//!
//! * (a) no panic;
//! * (b) status != 200 => `Error::Http` with that status, an excerpt that is the first 200
//!   characters of the (lossily decoded) body as sent, `…` when there was more, shown escaped
//!   by the error's `Display` (`tc_redis::Escaped`: no raw control character), and the
//!   envelope's request id if it has one;
//! * (c) status 200 and `Ok(resp)` => the body is JSON whose `Response.RequestId` is
//!   `resp.request_id`, and `Response` has no `Error`;
//! * (d) `Error::Api(e)` => `Response.Error.Code` is `e.code.as_str()` (and the message and
//!   request id are the envelope's);
//! * (e) `Error::MalformedResponse { problem, .. }` => status 200, `problem` is not empty, the
//!   excerpt is as in (b), a request id is the envelope's `Response.RequestId` (or, for a body
//!   that is not JSON, appears in it as `"RequestId":"<id>"`);
//! * (f) `Display` (and `source`) of the error never panics and says something;
//! * (g) `Ok(resp)` => `resp.corrections()` says exactly how the response differs from the body
//!   (client error correction): every member the response shows that the body lacks is reported
//!   `Missing`, every one the body has as `null` is reported `Null`, every integer the body has as
//!   a string of its digits is reported `IntegerFromString`, and nothing else differs or is
//!   reported. Mutations change members' presence and types on purpose (see [`mutate_member`]).
//!
//! It is coverage-minded without instrumentation: every outcome gets a signature (the variant,
//! and for malformed replies the normalised problem, which names the serde error kind) and an
//! input that produces a new signature joins the corpus, so mutations build on inputs that
//! reached new code paths.
//!
//! `TC_REDIS_FUZZ_CASES` sets the number of inputs (default 10,000; each is parsed as two
//! response types, so 20,000 executions) and `TC_REDIS_FUZZ_SEED` the seed (decimal, `0x` hex,
//! or `random`); both are printed, so a failure can be replayed:
//!
//! ```text
//! TC_REDIS_FUZZ_CASES=250000 TC_REDIS_FUZZ_SEED=random \
//!     cargo test -p tc-redis --test fuzz_response -- --nocapture
//! ```

use serde_json::{Map, Value, json};
use std::collections::BTreeSet;
use std::fmt::Write as _;
use tc_redis::response::parse;
use tc_redis::{
    CleanUpInstanceErrorCode, CleanUpInstanceResponse, CorrectionKind, Corrections,
    DescribeTaskInfoErrorCode, DescribeTaskInfoResponse, Error, ErrorCode, Escaped,
};
use tc_redis_test_support::{Fuzz, Rng, catch};

const DEFAULT_CASES: usize = 10_000;
const DEFAULT_SEED: u64 = 0x7c5e_2d15_9a0b_4e31;
/// Mutated inputs are cut back to this size so that stacked duplications stay cheap.
const MAX_INPUT: usize = 1 << 20;
/// The corpus stops growing here.
const MAX_CORPUS: usize = 600;

// ---------------------------------------------------------------------------------------------
// The properties.

/// What the two response types have in common for the oracle.
trait Envelope: serde::Serialize {
    fn request_id(&self) -> &str;
    fn corrections(&self) -> &Corrections;
}

impl Envelope for CleanUpInstanceResponse {
    fn request_id(&self) -> &str {
        &self.request_id
    }
    fn corrections(&self) -> &Corrections {
        CleanUpInstanceResponse::corrections(self)
    }
}

impl Envelope for DescribeTaskInfoResponse {
    fn request_id(&self) -> &str {
        &self.request_id
    }
    fn corrections(&self) -> &Corrections {
        DescribeTaskInfoResponse::corrections(self)
    }
}

/// Property (g): the corrections a response reports are exactly its differences from the
/// body's `Response` (both response types are flat: members are top-level).
fn check_corrections(response: &Value, resp: &impl Envelope) -> Result<(), String> {
    let shown = serde_json::to_value(resp).map_err(|e| format!("(g) does not serialise: {e}"))?;
    let shown = shown.as_object().ok_or("(g) not serialised as an object")?;
    let reported: BTreeSet<(String, String)> = resp
        .corrections()
        .iter()
        .map(|c| (c.path.clone(), format!("{:?}", c.kind)))
        .collect();
    if reported.len() != resp.corrections().len() {
        return Err(format!(
            "(g) a correction is reported twice: {}",
            resp.corrections()
        ));
    }
    let mut expected = BTreeSet::new();
    for (key, value) in shown {
        let kind = match response.get(key) {
            None => Some(CorrectionKind::Missing),
            Some(Value::Null) => Some(CorrectionKind::Null),
            Some(Value::String(digits)) if value.is_number() => {
                let sent = digits.parse::<i128>().ok();
                let got = value
                    .as_i64()
                    .map(i128::from)
                    .or(value.as_u64().map(i128::from));
                if sent.is_none() || sent != got {
                    return Err(format!("(g) {key}: {digits:?} was read as {value}"));
                }
                Some(CorrectionKind::IntegerFromString)
            }
            Some(sent) => {
                let same = sent == value || (sent.is_number() && sent.as_f64() == value.as_f64());
                if !same {
                    return Err(format!(
                        "(g) {key}: the body has {sent}, the response {value}"
                    ));
                }
                None
            }
        };
        if let Some(kind) = kind {
            expected.insert((key.clone(), format!("{kind:?}")));
        }
    }
    if reported != expected {
        return Err(format!(
            "(g) reported corrections {reported:?}, but the body differs by {expected:?}"
        ));
    }
    Ok(())
}

fn response_of(body: &[u8]) -> Option<Value> {
    let mut root: Value = serde_json::from_slice(body).ok()?;
    Some(root.get_mut("Response")?.take())
}

/// Parses `body` as `T`/`C`, checks the properties, and returns the outcome's signature, or the
/// violated property.
fn check<T, C>(status: u16, body: &[u8]) -> Result<String, String>
where
    T: serde::de::DeserializeOwned + Envelope,
    C: ErrorCode,
{
    let outcome = catch(|| parse::<T, C>(status, body)).map_err(|p| format!("(a) {p}"))?;
    let shown = outcome
        .as_ref()
        .err()
        .map(ToString::to_string)
        .unwrap_or_default();
    let signature = match &outcome {
        Ok(resp) => {
            if status != 200 {
                return Err(format!("(b) status {status} gave Ok"));
            }
            let response =
                response_of(body).ok_or("(c) Ok, but the body has no JSON `Response`")?;
            if response.get("RequestId").and_then(Value::as_str) != Some(resp.request_id()) {
                return Err(format!(
                    "(c) Ok with request id {:?}, but `Response.RequestId` is {:?}",
                    resp.request_id(),
                    response.get("RequestId")
                ));
            }
            if response.get("Error").is_some() {
                return Err("(c) Ok, but `Response` has an `Error`".to_owned());
            }
            check_corrections(&response, resp)?;
            if resp.corrections().is_empty() {
                "ok".to_owned()
            } else {
                "ok:corrected".to_owned()
            }
        }
        Err(Error::Http {
            status: got,
            body_excerpt,
            request_id,
        }) => {
            if status == 200 || *got != status {
                return Err(format!(
                    "(b) status {status} gave Error::Http {{ status: {got} }}"
                ));
            }
            check_excerpt(body, body_excerpt, &shown)?;
            let expected =
                response_of(body).and_then(|r| r.get("RequestId")?.as_str().map(str::to_owned));
            if *request_id != expected {
                return Err(format!(
                    "(b) request id {request_id:?}, but the envelope says {expected:?}"
                ));
            }
            format!("http:{}", request_id.is_some())
        }
        Err(Error::Api(e)) => {
            if status != 200 {
                return Err(format!("(b) status {status} gave Error::Api"));
            }
            let response = response_of(body).ok_or("(d) Error::Api without a JSON `Response`")?;
            let error = &response["Error"];
            if error["Code"].as_str() != Some(e.code.as_str()) {
                return Err(format!(
                    "(d) code {:?}, but `Response.Error.Code` is {}",
                    e.code.as_str(),
                    error["Code"]
                ));
            }
            if e.message != error["Message"].as_str().unwrap_or_default() {
                return Err(format!("(d) message {:?} is not the envelope's", e.message));
            }
            if e.request_id != response["RequestId"].as_str().unwrap_or_default() {
                return Err(format!(
                    "(d) request id {:?} is not the envelope's",
                    e.request_id
                ));
            }
            let known = e.code.description().is_some();
            format!("api:known={known}")
        }
        Err(Error::MalformedResponse {
            status: got,
            problem,
            request_id,
            body_excerpt,
        }) => {
            if status != 200 || *got != 200 {
                return Err(format!(
                    "(b) status {status} gave MalformedResponse ({got})"
                ));
            }
            if problem.trim().is_empty() {
                return Err("(e) MalformedResponse with an empty problem".to_owned());
            }
            check_excerpt(body, body_excerpt, &shown)?;
            if let Some(id) = request_id {
                let json = serde_json::from_slice::<Value>(body).is_ok();
                let found = if json {
                    response_of(body).and_then(|r| r["RequestId"].as_str().map(str::to_owned))
                        == Some(id.clone())
                } else {
                    String::from_utf8_lossy(body).contains(&format!("\"{id}\""))
                };
                if !found {
                    return Err(format!("(e) request id {id:?} is not the envelope's"));
                }
            }
            format!("malformed:{}", normalise(problem))
        }
        Err(other) => return Err(format!("unexpected variant {other:?}")),
    };
    if let Err(e) = &outcome {
        let shown = catch(|| {
            let text = e.to_string();
            let _ = std::error::Error::source(e);
            let _ = e.request_id();
            let _ = e.code();
            text
        })
        .map_err(|p| format!("(f) Display: {p}"))?;
        if shown.trim().is_empty() {
            return Err("(f) the error displays as nothing".to_owned());
        }
    }
    Ok(signature)
}

/// (b) The excerpt is the first 200 characters of the lossily decoded body, with `…` when
/// there was more; the error's `Display` (`shown`) shows it escaped, with no raw control
/// character.
fn check_excerpt(body: &[u8], excerpt: &str, shown: &str) -> Result<(), String> {
    let text = String::from_utf8_lossy(&body[..body.len().min(800)]);
    let first: String = text.chars().take(200).collect();
    let more = text.chars().count() > 200 || body.len() > 800;
    let expected = format!("{first}{}", if more { "…" } else { "" });
    if excerpt != expected {
        return Err(format!(
            "(b) the excerpt {excerpt:?} is not the start of the body {expected:?}"
        ));
    }
    if !shown.contains(&Escaped(excerpt).to_string()) || shown.chars().any(tc_redis::is_hostile) {
        return Err(format!(
            "(b) the error shows {shown:?}, not the excerpt escaped"
        ));
    }
    Ok(())
}

/// A malformed reply's problem with what varies between inputs taken out: quoted text,
/// numbers, and the excerpt of the body. What is left names the branch and the serde error.
fn normalise(problem: &str) -> String {
    let problem = problem.split("; it starts with").next().unwrap_or(problem);
    let mut out = String::new();
    let mut quote = None;
    let mut escaped = false;
    for c in problem.chars() {
        match quote {
            // serde quotes strings with `Debug`: `\"` does not end them.
            Some('"') if escaped => escaped = false,
            Some('"') if c == '\\' => escaped = true,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '`' => quote = Some(c),
            None if c.is_ascii_digit() => {
                if !out.ends_with('0') {
                    out.push('0');
                }
            }
            None => out.push(c),
        }
    }
    out
}

/// Both response types, on one input. `Ok(signatures)` or the first violation.
fn check_both(status: u16, body: &[u8]) -> Result<[String; 2], String> {
    let a = check::<CleanUpInstanceResponse, CleanUpInstanceErrorCode>(status, body)
        .map_err(|e| format!("CleanUpInstance: {e}"))?;
    let b = check::<DescribeTaskInfoResponse, DescribeTaskInfoErrorCode>(status, body)
        .map_err(|e| format!("DescribeTaskInfo: {e}"))?;
    Ok([format!("cui:{a}"), format!("dti:{b}")])
}

// ---------------------------------------------------------------------------------------------
// The corpus.

fn corpus() -> Vec<Vec<u8>> {
    let mut c: Vec<Vec<u8>> = Vec::new();
    let mut text = |s: &str| c.push(s.as_bytes().to_vec());
    // Success envelopes, for both types.
    text(r#"{"Response":{"TaskId":10856,"RequestId":"c4ed3d3e-6f6b-4c2f-9f62-0b2a3b1c9e7d"}}"#);
    text(
        r#"{"Response":{"Status":"succeed","StartTime":"2024-05-01 10:00:00","TaskType":"FLOW_CLEARDATA","InstanceId":"crs-5a4py64p","TaskMessage":"","RequestId":"r-2"}}"#,
    );
    text(
        r#"{"Response":{"TaskId":1,"Status":"running","StartTime":"","TaskType":"","InstanceId":"","TaskMessage":"m","RequestId":"both","Extra":[1,{"a":null}]}}"#,
    );
    text("  \r\n\t{ \"Response\" : { \"TaskId\" : -0 , \"RequestId\" : \"\" } }\n ");
    // Error envelopes: known codes of each action, common codes, unknown, odd.
    text(
        r#"{"Response":{"Error":{"Code":"ResourceUnavailable.InstanceStatusAbnormal","Message":"bad state"},"RequestId":"r-1"}}"#,
    );
    text(
        r#"{"Response":{"Error":{"Code":"AuthFailure.SignatureFailure","Message":"sig"},"RequestId":"r"}}"#,
    );
    text(r#"{"Response":{"Error":{"Code":"RequestLimitExceeded","Message":""},"RequestId":"r"}}"#);
    text(r#"{"Response":{"Error":{"Code":"Brand.New.Code","Message":"?"},"RequestId":"r"}}"#);
    text(r#"{"Response":{"Error":{"Code":"","Message":null}}}"#);
    text(r#"{"Response":{"Error":{"Code":"Other"},"RequestId":"r"}}"#);
    text(
        r#"{"Response":{"Error":{"Code":"InternalError\u0000.\ud83d\ude00","Message":"\u202e"},"RequestId":"\u0000"}}"#,
    );
    text(r#"{"Response":{"Error":{"Message":"no code"},"RequestId":"r"}}"#);
    text(r#"{"Response":{"Error":{"Code":42,"Message":"m"},"RequestId":"r"}}"#);
    text(r#"{"Response":{"Error":null,"RequestId":"r"}}"#);
    text(r#"{"Response":{"Error":"InternalError","RequestId":"r"}}"#);
    text(
        r#"{"Response":{"Error":{"Code":"A","Message":"m","Error":{"Code":"B"}},"TaskId":1,"RequestId":"r"}}"#,
    );
    text(r#"{"Response":{"Response":{"TaskId":1,"RequestId":"inner"}}}"#);
    text(r#"{"Error":{"Code":"InternalError","Message":"top level"},"RequestId":"r"}"#);
    text(r#"{"Response":{"TaskId":1,"RequestId":"r","Error":{"Code":"X"}},"Error":{"Code":"Y"}}"#);
    // Missing or mistyped pieces.
    text(r#"{"Response":{"RequestId":"r"}}"#);
    text(r#"{"Response":{"TaskId":1}}"#);
    text(r#"{"Response":{"TaskId":"1","RequestId":"r"}}"#);
    text(r#"{"Response":{"TaskId":"-1","RequestId":"r"}}"#);
    text(r#"{"Response":{"TaskId":"1.5","RequestId":"r"}}"#);
    text(r#"{"Response":{"Status":"running","RequestId":"r"}}"#);
    text(r#"{"Response":{"TaskId":1,"RequestId":7}}"#);
    text(r#"{"Response":{"TaskId":1,"RequestId":["r"]}}"#);
    text(r#"{"NoResponse":{}}"#);
    text(r#"{"Response":[]}"#);
    text(r#"{"Response":"ok"}"#);
    text(r#"["Response"]"#);
    // Nulls.
    text("null");
    text(r#"{"Response":null}"#);
    text(r#"{"Response":{"TaskId":null,"RequestId":null}}"#);
    text(
        r#"{"Response":{"Status":null,"StartTime":null,"TaskType":null,"InstanceId":null,"TaskMessage":null,"RequestId":"r"}}"#,
    );
    // Numbers at and past the limits.
    text(r#"{"Response":{"TaskId":9223372036854775807,"RequestId":"r"}}"#);
    text(r#"{"Response":{"TaskId":9223372036854775808,"RequestId":"r"}}"#);
    text(r#"{"Response":{"TaskId":-9223372036854775809,"RequestId":"r"}}"#);
    text(r#"{"Response":{"TaskId":18446744073709551616,"RequestId":"r"}}"#);
    text(r#"{"Response":{"TaskId":1e999,"RequestId":"r"}}"#);
    text(r#"{"Response":{"TaskId":1.0,"RequestId":"r"}}"#);
    text(r#"{"Response":{"TaskId":1e2,"RequestId":"r"}}"#);
    text(r#"{"Response":{"TaskId":-1e-400,"RequestId":"r"}}"#);
    text(&format!(
        r#"{{"Response":{{"TaskId":{},"RequestId":"r"}}}}"#,
        "9".repeat(5000)
    ));
    // Unicode and escapes.
    text(r#"{"Response":{"TaskId":1,"RequestId":"\u00e9\ud83d\ude00\n\t\"\\\/"}}"#);
    text(r#"{"Response":{"TaskId":1,"RequestId":"\ud800"}}"#);
    text(r#"{"Response":{"TaskId":1,"RequestId":"\udc00\ud800"}}"#);
    text(r#"{"Response":{"TaskId":1,"RequestId":"\u12"}}"#);
    text(r#"{"Response":{"TaskId":1,"RequestId":"\x41"}}"#);
    text("{\"Response\":{\"TaskId\":1,\"RequestId\":\"raw\ttab\"}}");
    text("{\"Resp\u{f3}nse\":{\"TaskId\":1,\"RequestId\":\"\u{1F600}\u{202E}\u{FEFF}\"}}");
    // Byte order mark, empty, blank, trailing data, HTML.
    text("\u{feff}{\"Response\":{\"TaskId\":1,\"RequestId\":\"bom\"}}");
    text("");
    text(" \n\r\t");
    text(r#"{"Response":{"TaskId":1,"RequestId":"r"}} trailing"#);
    text(r#"{"Response":{"TaskId":1,"RequestId":"r"}}{"Response":{}}"#);
    text(r#"{"Response":{"TaskId":1,"RequestId":"a","RequestId":"b"}}"#);
    text(r#"{"Response":{"TaskId":1,"RequestId":"r"},"Response":{"Error":{"Code":"Dup"}}}"#);
    text("<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>");
    text(r#"{"Response":{"TaskId":1,"RequestId":"r""#);
    // Deep nesting: past serde_json's recursion limit (128), just under it, and far past it.
    text(&"[".repeat(10_000));
    text(&format!("{}{}", "{\"a\":".repeat(10_000), "1"));
    text(&format!(
        r#"{{"Response":{{"TaskId":1,"RequestId":"r","Deep":{}0{}}}}}"#,
        "[".repeat(120),
        "]".repeat(120)
    ));
    text(&format!(
        r#"{{"Response":{{"TaskId":1,"RequestId":"r","Deep":{}0{}}}}}"#,
        "[".repeat(130),
        "]".repeat(130)
    ));
    // Very long strings: for the excerpt's 200 characters / 800 bytes limits.
    text(&format!(
        r#"{{"Response":{{"TaskId":1,"RequestId":"{}"}}}}"#,
        "r".repeat(100_000)
    ));
    text(&"\u{1F600}".repeat(300));
    text(&format!("{}{}", "é".repeat(199), "\u{1F600}".repeat(3)));
    text(&"x".repeat(1 << 20));
    // Invalid UTF-8.
    c.push(b"\xff\xfe".to_vec());
    c.push(b"{\"Response\":{\"TaskId\":1,\"RequestId\":\"\xc3\"}}".to_vec());
    c.push(b"{\"Response\":{\"TaskId\":1,\"RequestId\":\"\xc0\xaf\xed\xa0\x80\"}}".to_vec());
    c.push(b"{\"Response\":{\"TaskId\":1,\"RequestId\":\"\xf4\x90\x80\x80\"}}".to_vec());
    c.push([&"\u{1F600}".repeat(199).into_bytes()[..], b"\xf0\x9f\x98"].concat());
    c.push(b"\x00\x00\x00{".to_vec());
    c
}

// ---------------------------------------------------------------------------------------------
// Mutations.

/// Fragments worth inserting: JSON syntax, keys the parser looks for, number and escape edge
/// cases, bytes that are not UTF-8.
const TOKENS: &[&[u8]] = &[
    b"{",
    b"}",
    b"[",
    b"]",
    b"\"",
    b":",
    b",",
    b"\\",
    b"null",
    b"true",
    b"false",
    b"0",
    b"-",
    b"1e999",
    b"-0",
    b"18446744073709551616",
    b"\\u0000",
    b"\\ud800",
    b"\\ud83d\\ude00",
    b"\"Response\"",
    b"\"RequestId\"",
    b"\"Error\"",
    b"\"Code\"",
    b"\"Message\"",
    b"\"TaskId\"",
    b"\"Response\":{",
    b"\"Error\":{\"Code\":\"X\"}",
    b"\"RequestId\":\"r\"",
    b"\xff",
    b"\xc3",
    b"\xef\xbb\xbf",
    b"\xe2\x80\xa6",
    b"\xf0\x9f\x98\x80",
    b"\x00",
    b" ",
    b"\n",
];

const STATUSES: &[u16] = &[0, 204, 302, 429, 500, 502, 65535];

const KEYS: &[&str] = &[
    "Response",
    "RequestId",
    "Error",
    "Code",
    "Message",
    "TaskId",
    "Status",
    "StartTime",
    "TaskType",
    "InstanceId",
    "TaskMessage",
    "",
    "requestId",
    "Response ",
    "\u{0}",
];

const CODES: &[&str] = &[
    "ResourceUnavailable.InstanceStatusAbnormal",
    "InternalError.InternalError",
    "FailedOperation.SystemError",
    "InvalidParameter.PermissionDenied",
    "AuthFailure.SignatureExpire",
    "RequestLimitExceeded",
    "UnsupportedRegion",
    "Other",
    "Brand.New",
    "",
    ".",
    "\u{1F600}",
];

fn random_string(rng: &mut Rng) -> String {
    match rng.below(8) {
        0 => String::new(),
        1 => (*rng.pick(CODES)).to_owned(),
        2 => (*rng.pick(KEYS)).to_owned(),
        3 => "\u{1F600}\u{202E}\u{0}\"\\\n".repeat(1 + rng.below(4)),
        4 => "r".repeat(rng.below(1000)),
        5 => "…".repeat(rng.below(300)),
        _ => format!("{:x}", rng.next_u64()),
    }
}

fn random_value(rng: &mut Rng, depth: usize) -> Value {
    let kinds = if depth > 3 { 4 } else { 6 };
    match rng.below(kinds) {
        0 => Value::Null,
        1 => Value::Bool(rng.chance(50)),
        2 => {
            let random = rng.next_u64();
            rng.pick(&[
                json!(0),
                json!(-1),
                json!(1),
                json!(i64::MAX),
                json!(i64::MIN),
                json!(u64::MAX),
                json!(1.5),
                json!(-0.0),
                json!(1e308),
                json!(random),
            ])
            .clone()
        }
        3 => Value::String(random_string(rng)),
        4 => Value::Array(
            (0..rng.below(4))
                .map(|_| random_value(rng, depth + 1))
                .collect(),
        ),
        _ => {
            let mut m = Map::new();
            for _ in 0..rng.below(4) {
                m.insert((*rng.pick(KEYS)).to_owned(), random_value(rng, depth + 1));
            }
            Value::Object(m)
        }
    }
}

/// A random node of `v`: the root, or somewhere below it.
fn random_node<'v>(rng: &mut Rng, v: &'v mut Value) -> &'v mut Value {
    let descend = match v {
        Value::Object(m) => !m.is_empty() && rng.chance(70),
        Value::Array(a) => !a.is_empty() && rng.chance(70),
        _ => false,
    };
    if !descend {
        return v;
    }
    match v {
        Value::Object(m) => {
            let i = rng.below(m.len());
            let child = m.values_mut().nth(i).expect("index in range");
            random_node(rng, child)
        }
        Value::Array(a) => {
            let i = rng.below(a.len());
            random_node(rng, &mut a[i])
        }
        _ => unreachable!(),
    }
}

/// One structure-aware mutation of a JSON document.
fn mutate_json(rng: &mut Rng, root: &mut Value) {
    let node = random_node(rng, root);
    match (rng.below(6), node) {
        (0, Value::Object(m)) if !m.is_empty() => {
            let key = m.keys().nth(rng.below(m.len())).cloned().expect("key");
            m.remove(&key);
        }
        (1, Value::Object(m)) if !m.is_empty() => {
            // Rename a key.
            let key = m.keys().nth(rng.below(m.len())).cloned().expect("key");
            let v = m.remove(&key).expect("value");
            m.insert((*rng.pick(KEYS)).to_owned(), v);
        }
        (2, Value::Object(m)) => {
            let key = (*rng.pick(KEYS)).to_owned();
            let value = if key == "Error" {
                json!({ "Code": rng.pick(CODES), "Message": random_string(rng) })
            } else {
                random_value(rng, 0)
            };
            m.insert(key, value);
        }
        (3, Value::Array(a)) if !a.is_empty() => {
            let i = rng.below(a.len());
            let copy = a[i].clone();
            a.insert(i, copy);
        }
        (4, node) => {
            // Wrap the node, one level deeper.
            let inner = node.take();
            *node = if rng.chance(50) {
                json!([inner])
            } else {
                json!({ "Response": inner })
            };
        }
        (_, node) => {
            // Replace the value by one of another JSON type (or the same, sometimes).
            *node = random_value(rng, 0);
        }
    }
}

/// The members of the two response types (and `RequestId`), for [`mutate_member`].
const MEMBERS: &[&str] = &[
    "TaskId",
    "Status",
    "StartTime",
    "TaskType",
    "InstanceId",
    "TaskMessage",
    "RequestId",
];

/// Changes one member of `Response`: removes it, makes it `null`, or gives it a value of another
/// type, lossless (the digits of an integer as a string) or not (a fraction, a negative, past
/// the range, a string that is not only digits).
fn mutate_member(rng: &mut Rng, root: &mut Value) {
    let Some(Value::Object(response)) = root.get_mut("Response") else {
        return;
    };
    let key = (*rng.pick(MEMBERS)).to_owned();
    let random = rng.next_u64();
    let value = match rng.below(8) {
        0 => {
            response.remove(&key);
            return;
        }
        1 => Value::Null,
        2 => json!((random >> rng.below(64)).to_string()),
        3 => json!(format!("-{}", random >> rng.below(64))),
        4 => rng
            .pick(&[
                json!(1.5),
                json!(-1),
                json!(u64::MAX),
                json!(0),
                json!(i64::MIN),
            ])
            .clone(),
        5 => json!(*rng.pick(&["1.5", "", " 1", "+1", "1e3", "0x10", "007", "-0"])),
        6 => rng
            .pick(&[json!(true), json!([]), json!({}), json!(["1"])])
            .clone(),
        _ => json!(random_string(rng)),
    };
    response.insert(key, value);
}

/// One mutation of `input` (`corpus` for splicing).
fn mutate(rng: &mut Rng, input: &mut Vec<u8>, corpus: &[Vec<u8>]) {
    let len = input.len();
    match rng.below(10) {
        0 if len > 0 => {
            let i = rng.below(len);
            input[i] ^= 1 << rng.below(8);
        }
        1 => {
            let i = rng.below(len + 1);
            let token = *rng.pick(TOKENS);
            input.splice(i..i, token.iter().copied());
        }
        2 => {
            let (s, e) = rng.span(len);
            input.drain(s..e);
        }
        3 => {
            let (s, e) = rng.span(len);
            let copy = input[s..e].to_vec();
            let at = rng.below(len + 1);
            input.splice(at..at, copy);
        }
        4 => {
            // Splice: a prefix of this input, a suffix of another.
            let other = rng.pick(corpus);
            let cut = rng.below(len + 1);
            let from = rng.below(other.len() + 1);
            input.truncate(cut);
            input.extend_from_slice(&other[from..]);
        }
        5 => input.truncate(rng.below(len + 1)),
        6 if len > 0 => {
            let i = rng.below(len);
            input[i] = *rng.pick(b"{}[]\":,\\0-e.nt ");
        }
        7 => {
            // Member presence and types.
            if let Ok(mut v) = serde_json::from_slice::<Value>(input) {
                mutate_member(rng, &mut v);
                *input = serde_json::to_vec(&v).expect("a Value serialises");
            }
        }
        _ => {
            // Structure-aware: parse, change a value, serialise again.
            if let Ok(mut v) = serde_json::from_slice::<Value>(input) {
                mutate_json(rng, &mut v);
                *input = serde_json::to_vec(&v).expect("a Value serialises");
            } else {
                let i = rng.below(len + 1);
                input.splice(i..i, rng.pick(TOKENS).iter().copied());
            }
        }
    }
    input.truncate(MAX_INPUT);
}

// ---------------------------------------------------------------------------------------------
// Reporting.

fn show(body: &[u8]) -> String {
    const SHOWN: usize = 1500;
    let shown = &body[..body.len().min(SHOWN)];
    let mut s = format!("b\"{}\"", shown.escape_ascii());
    if body.len() > SHOWN {
        let _ = write!(s, " ... ({} bytes in all)", body.len());
    }
    s
}

/// Shrinks a failing input while it still fails with the same property.
fn minimise(status: u16, body: &[u8], violation: &str) -> Vec<u8> {
    let property = |v: &str| v.split(')').next().map(str::to_owned);
    let want = property(violation);
    let fails = |b: &[u8]| match check_both(status, b) {
        Err(v) => property(&v) == want,
        Ok(_) => false,
    };
    let mut best = body.to_vec();
    let mut chunk = best.len().div_ceil(2).max(1);
    let mut budget = 20_000;
    while chunk > 0 && budget > 0 {
        let mut i = 0;
        let mut shrunk = false;
        while i < best.len() && budget > 0 {
            budget -= 1;
            let mut candidate = best.clone();
            candidate.drain(i..(i + chunk).min(best.len()));
            if fails(&candidate) {
                best = candidate;
                shrunk = true;
            } else {
                i += chunk;
            }
        }
        if !shrunk {
            chunk /= 2;
        }
    }
    best
}

// ---------------------------------------------------------------------------------------------
// The tests.

#[test]
fn fuzz_response_parser() {
    let mut fuzz = Fuzz::from_env("fuzz_response", DEFAULT_CASES, DEFAULT_SEED);
    let cases = fuzz.cases();
    let mut rng = fuzz.rng();
    let mut corpus = corpus();
    let seeds = corpus.len();
    let mut features: BTreeSet<String> = BTreeSet::new();
    let mut executions = 0usize;

    let mut run = |status: u16, body: &[u8], corpus: &mut Vec<Vec<u8>>, case: usize| {
        executions += 2;
        match check_both(status, body) {
            Ok(signatures) => {
                let mut new = false;
                for s in signatures {
                    new |= features.insert(format!("{}:{s}", status == 200));
                }
                if new && status == 200 && corpus.len() < MAX_CORPUS {
                    corpus.push(body.to_vec());
                }
            }
            Err(violation) => fuzz.fail(|| {
                let small = minimise(status, body, &violation);
                format!(
                    "case {case}, status {status}: {violation}\n  input:     {}\n  minimised: {}",
                    show(body),
                    show(&small)
                )
            }),
        }
    };

    // Every seed as it is, as a success and as a gateway reply.
    for (i, body) in corpus.clone().iter().enumerate() {
        run(200, body, &mut corpus, i);
        run(502, body, &mut corpus, i);
    }
    for case in 0..cases {
        let mut input = corpus[rng.below(corpus.len())].clone();
        let stacked = 1 + rng.below(4);
        for _ in 0..stacked {
            mutate(&mut rng, &mut input, &corpus);
        }
        let status = if rng.chance(85) {
            200
        } else if rng.chance(80) {
            *rng.pick(STATUSES)
        } else {
            rng.next_u64() as u16
        };
        run(status, &input, &mut corpus, case);
    }

    println!(
        "fuzz_response: {executions} executions ({} inputs x 2 response types) in {:.2?}; \
         {} outcome signatures; corpus {seeds} seeds + {} found",
        executions / 2,
        fuzz.elapsed(),
        features.len(),
        corpus.len() - seeds,
    );
    fuzz.finish();
    // The corpus reaches every branch of the parser (checked so that a change to the parser or
    // the corpus cannot silently leave a branch unfuzzed).
    let reached = |prefix: &str, exact: bool| {
        features
            .iter()
            .any(|f| f == prefix || (!exact && f.starts_with(prefix)))
    };
    for (branch, exact) in [
        ("true:cui:ok", true),
        ("true:dti:ok", true),
        ("true:cui:ok:corrected", true),
        ("true:dti:ok:corrected", true),
        ("true:cui:api:known=true", true),
        ("true:cui:api:known=false", true),
        ("false:cui:http:true", true),
        ("false:cui:http:false", true),
        ("true:cui:malformed:the body is not UTF-", false),
        ("true:cui:malformed:the body is not JSON (", false),
        ("true:cui:malformed:the body has no  object", true),
        ("true:cui:malformed: is not a string", true),
        ("true:cui:malformed: has no string ", true),
        ("true:cui:malformed: has no ", true),
        (
            "true:cui:malformed: does not match the action's response type: ",
            false,
        ),
    ] {
        assert!(
            reached(branch, exact),
            "no input reached {branch:?}; signatures: {features:#?}"
        );
    }
}

/// serde_json refuses nesting deeper than 128 levels, so no body can overflow the stack: 10,000
/// open brackets are a malformed reply, on a thread with a quarter of the default stack.
#[test]
fn deep_nesting_is_refused_without_overflowing_the_stack() {
    let bodies = [
        "[".repeat(10_000),
        "{\"a\":".repeat(10_000),
        format!("{{\"Response\":{}", "[".repeat(10_000)),
        format!("{}{}", "[".repeat(129), "]".repeat(129)),
    ];
    let outcomes = std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(move || {
            bodies
                .iter()
                .map(|b| {
                    let ok = parse::<CleanUpInstanceResponse, CleanUpInstanceErrorCode>(
                        200,
                        b.as_bytes(),
                    );
                    let http = parse::<CleanUpInstanceResponse, CleanUpInstanceErrorCode>(
                        500,
                        b.as_bytes(),
                    );
                    (ok.map(|_| ()).map_err(|e| e.to_string()), http.is_err())
                })
                .collect::<Vec<_>>()
        })
        .expect("spawn")
        .join()
        .expect("no stack overflow");
    for (outcome, http_is_err) in outcomes {
        let problem = outcome.expect_err("deep nesting is not a response");
        assert!(problem.contains("recursion limit exceeded"), "{problem}");
        assert!(http_is_err);
    }
    // The limit is 128 levels: 127 nested arrays parse, 128 do not (checked through the
    // parser: the 127 levels sit inside the root object and `Response`, 2 + 125).
    let nested = |n: usize| {
        format!(
            r#"{{"Response":{{"TaskId":1,"RequestId":"r","Deep":{}0{}}}}}"#,
            "[".repeat(n),
            "]".repeat(n)
        )
    };
    let within =
        parse::<CleanUpInstanceResponse, CleanUpInstanceErrorCode>(200, nested(125).as_bytes())
            .expect("127 levels are within the limit");
    assert_eq!(within.request_id, "r");
    let past =
        parse::<CleanUpInstanceResponse, CleanUpInstanceErrorCode>(200, nested(126).as_bytes())
            .expect_err("128 levels are past the limit")
            .to_string();
    assert!(past.contains("recursion limit exceeded"), "{past}");
}

/// The harness itself: a panic is caught with its location, and outcome signatures drop what
/// varies between inputs.
#[test]
fn the_harness_catches_panics_with_their_location() {
    let caught = catch(|| -> u8 { panic!("boom") }).expect_err("caught");
    assert!(
        caught.contains("fuzz_response.rs") && caught.contains("boom"),
        "{caught}"
    );
    assert_eq!(
        normalise("`Response.RequestId` is \"x\" 12 not"),
        " is  0 not"
    );
    assert_eq!(
        normalise(r#"invalid type: string "a\"b\\", expected i64"#),
        "invalid type: string , expected i0"
    );
}
