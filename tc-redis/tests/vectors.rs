//! `tc_redis::sign` against the official Python SDK, stage by stage: every vector of
//! `fixtures/vectors.json` (see `fixtures/README.md`) and Tencent's published walkthrough
//! (`docs_anchor`). A failure names the vector and the first stage that differs.

use serde_json::Value;
use tc_redis::sign::{self, DerivedKeys};

fn document() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/vectors.json");
    let text = std::fs::read_to_string(path).expect("tests/fixtures/vectors.json");
    serde_json::from_str(&text).expect("vectors.json is JSON")
}

fn vectors(doc: &Value) -> &[Value] {
    doc["vectors"].as_array().expect("`vectors` is an array")
}

fn str_at<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{pointer} is not a string in {}", name_of(v)))
}

fn u64_at(v: &Value, pointer: &str) -> u64 {
    v.pointer(pointer)
        .and_then(Value::as_u64)
        .unwrap_or_else(|| panic!("{pointer} is not an integer in {}", name_of(v)))
}

fn name_of(v: &Value) -> &str {
    v["name"].as_str().unwrap_or("docs_anchor")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Panics, naming the vector and the stage, when `got` is not `want`.
#[track_caller]
fn stage(vector: &str, stage: &str, got: &str, want: &str) {
    if got != want {
        panic!("vector `{vector}`, stage `{stage}`: mismatch\n  got:  {got:?}\n  want: {want:?}");
    }
}

/// The value of a header the SDK set (names compared case-insensitively).
fn sdk_header<'a>(v: &'a Value, name: &str) -> Option<&'a str> {
    v["headers_set_by_sdk"]
        .as_array()
        .expect("headers_set_by_sdk")
        .iter()
        .find(|h| h[0].as_str().is_some_and(|n| n.eq_ignore_ascii_case(name)))
        .map(|h| h[1].as_str().expect("header value"))
}

/// How many values [`check_vector`] compares per vector.
const STAGES: usize = 16;

/// Checks every stage of one vector; returns the number of stages checked.
fn check_vector(v: &Value) -> usize {
    let name = name_of(v);
    let secret_id = str_at(v, "/inputs/secret_id");
    let secret_key = str_at(v, "/inputs/secret_key");
    let service = str_at(v, "/inputs/service");
    let timestamp = u64_at(v, "/inputs/timestamp");
    let method = str_at(v, "/method");
    let path = str_at(v, "/path");
    let query = str_at(v, "/query");
    let payload = str_at(v, "/signed_payload_utf8");
    let mut stages = 0;
    let mut check = |what: &str, got: &str, want: &str| {
        stage(name, what, got, want);
        stages += 1;
    };

    // The payload: the body for POST, "" for GET, UNSIGNED-PAYLOAD when the SDK says so.
    let unsigned = sdk_header(v, "X-TC-Content-SHA256") == Some(sign::UNSIGNED_PAYLOAD);
    let expected_payload = if unsigned {
        sign::UNSIGNED_PAYLOAD
    } else if method == "GET" {
        ""
    } else {
        str_at(v, "/body_utf8")
    };
    check("signed payload", payload, expected_payload);
    let payload_hash = sign::hash_hex(payload.as_bytes());
    check(
        "payload_sha256",
        &payload_hash,
        str_at(v, "/payload_sha256"),
    );

    let content_type = sdk_header(v, "Content-Type").expect("Content-Type set by the SDK");
    let host = sdk_header(v, "Host").expect("Host set by the SDK");
    check("host", host, str_at(v, "/host"));
    let headers = [("content-type", content_type), ("host", host)];
    let canonical = sign::canonical_request(method, path, query, &headers, &payload_hash);
    check(
        "canonical_request",
        &canonical,
        str_at(v, "/canonical_request"),
    );

    let date = sign::utc_date(timestamp);
    check("date", &date, str_at(v, "/date"));
    let scope = sign::credential_scope(&date, service);
    check("credential_scope", &scope, str_at(v, "/credential_scope"));
    let to_sign = sign::string_to_sign(timestamp, &scope, &canonical);
    check("string_to_sign", &to_sign, str_at(v, "/string_to_sign"));

    let keys = DerivedKeys::derive(secret_key, &date, service);
    check(
        "k_date",
        &hex(&keys.k_date),
        str_at(v, "/key_derivation/k_date_hex"),
    );
    check(
        "k_service",
        &hex(&keys.k_service),
        str_at(v, "/key_derivation/k_service_hex"),
    );
    check(
        "k_signing",
        &hex(keys.k_signing.as_bytes()),
        str_at(v, "/key_derivation/k_signing_hex"),
    );
    let signing_key = sign::SigningKey::derive(secret_key, &date, service);
    check(
        "SigningKey::derive",
        &hex(signing_key.as_bytes()),
        str_at(v, "/key_derivation/k_signing_hex"),
    );

    let signature = keys.k_signing.sign(&to_sign);
    check("signature", &signature, str_at(v, "/signature"));
    let signed_headers = sign::signed_header_names(&headers);
    check(
        "signed_headers",
        &signed_headers,
        str_at(v, "/signed_headers"),
    );
    let authorization = sign::authorization(secret_id, &scope, &signed_headers, &signature);
    check("authorization", &authorization, str_at(v, "/authorization"));
    check(
        "Authorization header",
        &authorization,
        sdk_header(v, "Authorization").expect("Authorization set by the SDK"),
    );
    check(
        "X-TC-Timestamp header",
        &timestamp.to_string(),
        sdk_header(v, "X-TC-Timestamp").expect("X-TC-Timestamp set by the SDK"),
    );
    stages
}

#[test]
fn every_vector_matches_at_every_stage() {
    let doc = document();
    let mut checked = 0;
    let mut unsigned = 0;
    let mut get = 0;
    for v in vectors(&doc) {
        let stages = check_vector(v);
        assert_eq!(stages, STAGES, "stages checked for {}", name_of(v));
        checked += 1;
        unsigned += usize::from(str_at(v, "/signed_payload_utf8") == sign::UNSIGNED_PAYLOAD);
        get += usize::from(str_at(v, "/method") == "GET");
    }
    assert_eq!(checked, 11, "vectors checked");
    assert_eq!(unsigned, 1, "the unsigned-payload vector");
    assert_eq!(get, 1, "the GET vector");
}

/// Headers the SDK sends but does not sign change nothing: the token, language and host
/// vectors share the default vector's signature where their signed inputs agree.
#[test]
fn unsigned_headers_do_not_change_the_signature() {
    let doc = document();
    let by_name = |n: &str| {
        vectors(&doc)
            .iter()
            .find(|v| name_of(v) == n)
            .unwrap_or_else(|| panic!("vector {n}"))
    };
    let default = str_at(by_name("post_json_ap_guangzhou"), "/signature");
    for n in ["post_json_session_token", "post_json_language_en_us"] {
        stage(
            n,
            "signature equals default",
            str_at(by_name(n), "/signature"),
            default,
        );
    }
    let regional = str_at(
        by_name("post_json_ap_guangzhou_regional_host"),
        "/signature",
    );
    assert_ne!(regional, default, "the host is signed");
}

/// Tencent's published walkthrough (CVM DescribeInstances), made with the same key pair and
/// timestamp as the vectors: it records no derived keys, so the stages it has are checked.
#[test]
fn the_docs_anchor_matches() {
    let doc = document();
    let a = &doc["docs_anchor"];
    let name = "docs_anchor";
    let first = &vectors(&doc)[0];
    let secret_id = str_at(first, "/inputs/secret_id");
    let secret_key = str_at(first, "/inputs/secret_key");
    let service = str_at(a, "/service");
    let timestamp = u64_at(a, "/timestamp");

    let payload_hash = sign::hash_hex(str_at(a, "/body_utf8").as_bytes());
    stage(
        name,
        "payload_sha256",
        &payload_hash,
        str_at(a, "/payload_sha256"),
    );
    let headers = [
        ("content-type", str_at(a, "/content_type")),
        ("host", str_at(a, "/host")),
    ];
    let canonical = sign::canonical_request("POST", "/", "", &headers, &payload_hash);
    stage(
        name,
        "canonical_request",
        &canonical,
        str_at(a, "/canonical_request"),
    );
    let date = sign::utc_date(timestamp);
    stage(name, "date", &date, "2019-02-25");
    let scope = sign::credential_scope(&date, service);
    stage(
        name,
        "credential_scope",
        &scope,
        "2019-02-25/cvm/tc3_request",
    );
    let to_sign = sign::string_to_sign(timestamp, &scope, &canonical);
    stage(
        name,
        "string_to_sign",
        &to_sign,
        str_at(a, "/string_to_sign"),
    );
    let signature = sign::SigningKey::derive(secret_key, &date, service).sign(&to_sign);
    stage(name, "signature", &signature, str_at(a, "/signature"));

    // The published, masked signature.
    let masked = str_at(a, "/published_masked_signature");
    let head = masked.split('*').next().unwrap();
    let tail = masked.rsplit('*').next().unwrap();
    assert!(signature.starts_with(head) && signature.ends_with(tail));
    assert!(head.len() >= 8 && tail.len() >= 8);

    let auth = sign::authorization(
        secret_id,
        &scope,
        &sign::signed_header_names(&headers),
        &signature,
    );
    stage(
        name,
        "authorization",
        &auth,
        &format!(
            "TC3-HMAC-SHA256 Credential={secret_id}/2019-02-25/cvm/tc3_request, \
             SignedHeaders=content-type;host, Signature={signature}"
        ),
    );
}

#[test]
fn a_mismatch_names_the_vector_and_the_stage() {
    let doc = document();
    let mut v = vectors(&doc)[7].clone();
    let wrong = str_at(&v, "/string_to_sign").replace("TC3", "TC4");
    v["string_to_sign"] = Value::from(wrong);
    let name = name_of(&v).to_owned();
    let panic = std::panic::catch_unwind(|| check_vector(&v)).expect_err("a wrong vector fails");
    let message = panic
        .downcast_ref::<String>()
        .expect("a formatted panic message");
    assert!(
        message.contains(&format!("vector `{name}`, stage `string_to_sign`")),
        "{message}"
    );
}

#[test]
fn parse_authorization_round_trips_every_vector() {
    let doc = document();
    let mut parsed = 0;
    for v in vectors(&doc) {
        let name = name_of(v);
        let auth = str_at(v, "/authorization");
        let p = sign::parse_authorization(auth)
            .unwrap_or_else(|| panic!("vector `{name}`: cannot parse {auth:?}"));
        stage(
            name,
            "parsed secret_id",
            p.secret_id,
            str_at(v, "/inputs/secret_id"),
        );
        stage(name, "parsed date", p.date, str_at(v, "/date"));
        stage(
            name,
            "parsed service",
            p.service,
            str_at(v, "/inputs/service"),
        );
        stage(
            name,
            "parsed signed_headers",
            p.signed_headers,
            str_at(v, "/signed_headers"),
        );
        stage(
            name,
            "parsed signature",
            p.signature,
            str_at(v, "/signature"),
        );
        let scope = sign::credential_scope(p.date, p.service);
        stage(name, "parsed scope", &scope, str_at(v, "/credential_scope"));
        let rebuilt = sign::authorization(p.secret_id, &scope, p.signed_headers, p.signature);
        stage(name, "rebuilt authorization", &rebuilt, auth);
        assert!(sign::constant_time_eq(p.signature, str_at(v, "/signature")));
        parsed += 1;
    }
    assert_eq!(parsed, 11, "vectors parsed");
}
