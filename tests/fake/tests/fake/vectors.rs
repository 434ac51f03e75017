//! Replays the requests the official Python SDK produced (`tc-redis/tests/fixtures/vectors.json`,
//! the one copy, which the signer's tests read too; timestamps pinned) byte for byte against the
//! fake, with its clock pinned to the same second: the fake must accept what Tencent's own
//! client signs, and reject it once a byte changes.

use crate::client::{self, Envelope, RawResponse};
use serde_json::Value;
use std::sync::Arc;
use tc_redis_fake::{FakeConfig, FakeServer, imf_fixdate};

const INSTANCE: &str = "crs-5a4py64p";

fn vectors() -> Vec<Value> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tc-redis/tests/fixtures/vectors.json"
    );
    let text = std::fs::read_to_string(path).expect("tc-redis/tests/fixtures/vectors.json");
    let doc: Value = serde_json::from_str(&text).expect("vectors.json is JSON");
    let vectors = doc["vectors"].as_array().expect("vectors").clone();
    assert_eq!(vectors.len(), 11, "vectors.json has 11 request vectors");
    vectors
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} in {}", v["name"]))
}

/// A fake that knows the vector's key pair (temporary when it has a token), with its clock at
/// the vector's timestamp and the vector's instance in the recycle bin.
fn server_for(v: &Value) -> FakeServer {
    let inputs = &v["inputs"];
    let ts = inputs["timestamp"].as_u64().expect("timestamp");
    let (id, key) = (s(inputs, "secret_id"), s(inputs, "secret_key"));
    let config = FakeConfig::new()
        .clock(Arc::new(move || ts))
        .instance_in_recycle_bin(INSTANCE);
    let config = match inputs["token"].as_str() {
        Some(token) => config.temporary_credential(id, key, token),
        None => config.credential(id, key),
    };
    FakeServer::start(config).expect("fake starts")
}

/// The vector's headers exactly as python-requests put them on the wire; for the one vector
/// computed without a request (`post_json_compact_body`), the headers the SDK would send.
fn wire_headers(v: &Value) -> Vec<(String, String)> {
    let Some(wire) = v["headers_on_wire"].as_array() else {
        let inputs = &v["inputs"];
        let length = s(v, "body_utf8").len().to_string();
        return [
            ("Content-Type", "application/json"),
            ("Host", s(v, "host")),
            ("X-TC-Action", s(inputs, "action")),
            ("X-TC-Timestamp", &inputs["timestamp"].to_string()),
            ("X-TC-Version", s(inputs, "version")),
            ("X-TC-Region", s(inputs, "region")),
            ("Authorization", s(v, "authorization")),
            ("Content-Length", &length),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    };
    wire.iter()
        .map(|h| {
            let pair = |i: usize| h[i].as_str().expect("header pair").to_owned();
            (pair(0), pair(1))
        })
        .collect()
}

fn target(v: &Value) -> String {
    match s(v, "query") {
        "" => s(v, "path").to_owned(),
        q => format!("{}?{q}", s(v, "path")),
    }
}

fn replay(
    server: &FakeServer,
    v: &Value,
    headers: &[(String, String)],
    body: &[u8],
) -> RawResponse {
    client::exchange(server.addr(), s(v, "method"), &target(v), headers, body).expect("exchange")
}

fn body(v: &Value) -> Vec<u8> {
    s(v, "body_utf8").as_bytes().to_vec()
}

/// What the vector's request should get: most clean up the instance; two carry bad parameters.
fn expected_code(v: &Value) -> Option<&'static str> {
    match s(v, "name") {
        "post_json_empty_instance_id" => Some("InvalidParameter.EmptyParam"),
        "post_json_missing_instance_id" => Some("MissingParameter"),
        _ => None,
    }
}

#[test]
fn every_sdk_vector_is_accepted_verbatim() {
    for v in vectors() {
        let name = s(&v, "name");
        let server = server_for(&v);
        let response = replay(&server, &v, &wire_headers(&v), &body(&v));
        let ts = v["inputs"]["timestamp"].as_u64().unwrap();
        assert_eq!(
            response.header("date"),
            Some(imf_fixdate(ts).as_str()),
            "{name}"
        );
        match expected_code(&v) {
            Some(code) => {
                response.assert_error(code);
            }
            None => {
                let r = response.assert_success();
                assert_eq!(r["TaskId"].as_u64(), Some(10856), "{name}: {r}");
            }
        }
        let recorded = server.requests();
        assert_eq!(recorded.len(), 1, "{name}");
        assert_eq!(recorded[0].headers, wire_headers(&v), "{name}");
        assert_eq!(recorded[0].request_id, response.request_id(), "{name}");
    }
}

#[test]
fn a_flipped_body_byte_breaks_the_signature_unless_the_payload_is_unsigned() {
    for v in vectors() {
        let name = s(&v, "name");
        let mut body = body(&v);
        if body.is_empty() {
            continue; // GET: no body to flip
        }
        // `}` -> `|` keeps the length but changes the hash; for UNSIGNED-PAYLOAD change the id.
        let unsigned = v["inputs"]["unsigned_payload"].as_bool() == Some(true);
        let server = server_for(&v);
        if unsigned {
            let at = body.len() - 3;
            body[at] ^= 0x01; // crs-5a4py64p -> crs-5a4py64q
            replay(&server, &v, &wire_headers(&v), &body)
                .assert_error("ResourceNotFound.InstanceNotExists");
        } else {
            let at = body.len() - 1;
            body[at] ^= 0x01;
            replay(&server, &v, &wire_headers(&v), &body)
                .assert_error("AuthFailure.SignatureFailure");
        }
        assert_eq!(
            server.instance(INSTANCE),
            Some(tc_redis_fake::InstanceStatus::InRecycleBin),
            "{name}"
        );
    }
}

#[test]
fn a_flipped_signature_character_is_a_signature_failure_in_the_requested_language() {
    for v in vectors() {
        let name = s(&v, "name");
        let mut headers = wire_headers(&v);
        let auth = headers
            .iter_mut()
            .find(|(k, _)| k == "Authorization")
            .expect("Authorization");
        let last = auth.1.pop().expect("non-empty");
        auth.1.push(if last == '0' { '1' } else { '0' });
        let server = server_for(&v);
        let message =
            replay(&server, &v, &headers, &body(&v)).assert_error("AuthFailure.SignatureFailure");
        let english = v["inputs"]["language"].as_str() == Some("en-US");
        assert_eq!(message.is_ascii(), english, "{name}: {message}");
    }
}

#[test]
fn the_session_token_vector_needs_its_token() {
    let v = vectors()
        .into_iter()
        .find(|v| s(v, "name") == "post_json_session_token")
        .expect("token vector");
    let server = server_for(&v);
    let mut headers = wire_headers(&v);
    headers.retain(|(k, _)| k != "X-TC-Token");
    replay(&server, &v, &headers, &body(&v)).assert_error("AuthFailure.TokenFailure");
    let mut wrong = wire_headers(&v);
    for (k, val) in &mut wrong {
        if k == "X-TC-Token" {
            val.push('x');
        }
    }
    replay(&server, &v, &wrong, &body(&v)).assert_error("AuthFailure.TokenFailure");
    replay(&server, &v, &wire_headers(&v), &body(&v)).assert_success();
}

#[test]
fn a_vector_replayed_six_minutes_later_has_expired() {
    let v = &vectors()[0];
    let ts = v["inputs"]["timestamp"].as_u64().unwrap();
    let server = FakeServer::start(
        FakeConfig::new()
            .clock(Arc::new(move || ts + 301))
            .credential(s(&v["inputs"], "secret_id"), s(&v["inputs"], "secret_key"))
            .instance_in_recycle_bin(INSTANCE),
    )
    .unwrap();
    replay(&server, v, &wire_headers(v), &body(v)).assert_error("AuthFailure.SignatureExpire");
    let edge = FakeServer::start(
        FakeConfig::new()
            .clock(Arc::new(move || ts + 300))
            .credential(s(&v["inputs"], "secret_id"), s(&v["inputs"], "secret_key"))
            .instance_in_recycle_bin(INSTANCE),
    )
    .unwrap();
    replay(&edge, v, &wire_headers(v), &body(v)).assert_success();
}
