//! One test per error the fake answers (the pipeline in `tests/fake/src/lib.rs`), each asserting the
//! exact code, the envelope, the `Date` header and a UUID v4 RequestId
//! (`RawResponse::assert_error`).

use crate::client::{self, Call, Envelope, RawResponse, unix_now};
use std::sync::Arc;
use tc_redis::sign::{self, SigningKey};
use tc_redis_fake::{FakeConfig, FakeServer, InstanceStatus};

const BIN: &str = "crs-inbin001";
const RUNNING: &str = "crs-running1";
const TEMP_ID: &str = "AKIDtemporary000000000000000000";
const TEMP_KEY: &str = "temporaryKey0000000000000000000";
const TOKEN: &str = "sessionTOKEN0123456789";

fn server() -> FakeServer {
    FakeServer::start(
        FakeConfig::new()
            .instance_in_recycle_bin(BIN)
            .running_instance(RUNNING)
            .temporary_credential(TEMP_ID, TEMP_KEY, TOKEN),
    )
    .expect("fake starts")
}

fn send(server: &FakeServer, call: &Call) -> RawResponse {
    call.send(server.addr()).expect("exchange")
}

/// Sends `call` and asserts `code`; also asserts the instance in the recycle bin is untouched.
#[track_caller]
fn expect(server: &FakeServer, call: &Call, code: &str) -> String {
    let message = send(server, call).assert_error(code);
    assert_eq!(server.instance(BIN), Some(InstanceStatus::InRecycleBin));
    let last = server.requests().pop().expect("recorded");
    assert_eq!(last.error_code.as_deref(), Some(code));
    message
}

fn call(server: &FakeServer, body: &str) -> Call {
    Call::new(server.host(), "CleanUpInstance", body.as_bytes().to_vec())
}

#[test]
fn wrong_secret_key_is_signature_failure() {
    let s = server();
    let mut c = Call::clean_up(&s, BIN);
    c.secret_key = "not-the-key".into();
    expect(&s, &c, "AuthFailure.SignatureFailure");
}

#[test]
fn unknown_secret_id_is_secret_id_not_found() {
    let s = server();
    let mut c = Call::clean_up(&s, BIN);
    c.secret_id = "AKIDunknown".into();
    expect(&s, &c, "AuthFailure.SecretIdNotFound");
}

#[test]
fn temporary_credential_without_token_is_token_failure() {
    let s = server();
    let mut c = Call::clean_up(&s, BIN);
    (c.secret_id, c.secret_key) = (TEMP_ID.into(), TEMP_KEY.into());
    expect(&s, &c, "AuthFailure.TokenFailure");
}

#[test]
fn temporary_credential_with_wrong_token_is_token_failure() {
    let s = server();
    let mut c = Call::clean_up(&s, BIN);
    (c.secret_id, c.secret_key) = (TEMP_ID.into(), TEMP_KEY.into());
    c.token = Some(format!("{TOKEN}x"));
    expect(&s, &c, "AuthFailure.TokenFailure");
    c.token = Some(TOKEN.into());
    send(&s, &c).assert_success();
}

#[test]
fn timestamp_more_than_300_seconds_off_is_signature_expire() {
    let now = unix_now();
    let s = FakeServer::start(
        FakeConfig::new()
            .instance_in_recycle_bin(BIN)
            .clock(Arc::new(move || now)),
    )
    .unwrap();
    let mut c = Call::clean_up(&s, BIN);
    for skew in [now - 301, now + 301, now - 600] {
        c.timestamp = skew;
        expect(&s, &c, "AuthFailure.SignatureExpire");
    }
    c.timestamp = now - 300;
    send(&s, &c).assert_success();
}

#[test]
fn malformed_or_missing_authorization_is_invalid_authorization() {
    let s = server();
    let c = Call::clean_up(&s, BIN);
    let mut headers = c.headers();
    let body = c.body.clone();
    let auth = headers
        .iter()
        .position(|(k, _)| k == "Authorization")
        .unwrap();
    let good = headers[auth].1.clone();
    let spoiled = [
        "Bearer abc".to_owned(),
        good.replace("TC3-HMAC-SHA256", "TC3-HMAC-SHA1"),
        good.replace("/tc3_request", "/tc4_request"),
        good.replace(", Signature=", ", Sig="),
        good.replace(
            "SignedHeaders=content-type;host",
            "SignedHeaders=content-type",
        ),
        good.replace(
            "SignedHeaders=content-type;host",
            "SignedHeaders=content-type;host;x-tc-nothere",
        ),
    ];
    for value in spoiled {
        headers[auth].1 = value;
        client::exchange(s.addr(), "POST", "/", &headers, &body)
            .unwrap()
            .assert_error("AuthFailure.InvalidAuthorization");
    }
    headers.remove(auth);
    client::exchange(s.addr(), "POST", "/", &headers, &body)
        .unwrap()
        .assert_error("AuthFailure.InvalidAuthorization");
}

#[test]
fn credential_scope_must_be_the_utc_date_and_redis() {
    let s = server();
    let c = Call::clean_up(&s, BIN);
    let mut headers = c.headers();
    let date = sign::utc_date(c.timestamp);
    let yesterday = sign::utc_date(c.timestamp - 86_400);
    for (from, to) in [
        (format!("/{date}/"), format!("/{yesterday}/")),
        ("/redis/".to_owned(), "/cvm/".to_owned()),
    ] {
        let auth = headers
            .iter_mut()
            .find(|(k, _)| k == "Authorization")
            .unwrap();
        auth.1 = c.authorization().replace(&from, &to);
        client::exchange(s.addr(), "POST", "/", &headers, &c.body)
            .unwrap()
            .assert_error("AuthFailure.SignatureFailure");
    }
}

#[test]
fn signed_content_type_must_be_the_one_sent() {
    let s = server();
    let c = Call::clean_up(&s, BIN);
    let mut headers = c.headers();
    headers[0].1 = "application/json; charset=utf-8".into();
    client::exchange(s.addr(), "POST", "/", &headers, &c.body)
        .unwrap()
        .assert_error("AuthFailure.SignatureFailure");
    // Signed as sent, the charset parameter is fine (Tencent's own documentation example).
    let mut c = c;
    c.content_type = "application/json; charset=utf-8".into();
    send(&s, &c).assert_success();
}

#[test]
fn extra_signed_headers_are_verified_with_lowercased_values() {
    // The documentation's example signs content-type;host;x-tc-action with the value
    // lower-cased: `x-tc-action:describeinstances`.
    let s = server();
    let c = Call::clean_up(&s, BIN);
    let signed = [
        ("content-type", "application/json"),
        ("host", &*s.host()),
        ("x-tc-action", "CleanUpInstance"),
    ];
    let canonical = sign::canonical_request("POST", "/", "", &signed, &sign::hash_hex(&c.body));
    assert!(canonical.contains("\nx-tc-action:cleanupinstance\n"));
    let date = sign::utc_date(c.timestamp);
    let scope = sign::credential_scope(&date, "redis");
    let sig = SigningKey::derive(&c.secret_key, &date, "redis").sign(&sign::string_to_sign(
        c.timestamp,
        &scope,
        &canonical,
    ));
    let mut headers = c.headers();
    let auth = headers
        .iter_mut()
        .find(|(k, _)| k == "Authorization")
        .unwrap();
    auth.1 = sign::authorization(&c.secret_id, &scope, "content-type;host;x-tc-action", &sig);
    let ok = client::exchange(s.addr(), "POST", "/", &headers, &c.body).unwrap();
    ok.assert_success();
    // The signed X-TC-Action is now covered: changing it breaks the signature.
    headers
        .iter_mut()
        .find(|(k, _)| k == "X-TC-Action")
        .unwrap()
        .1 = "DescribeTaskInfo".into();
    client::exchange(s.addr(), "POST", "/", &headers, &c.body)
        .unwrap()
        .assert_error("AuthFailure.SignatureFailure");
}

#[test]
fn unsigned_payload_is_accepted() {
    let s = server();
    let mut c = Call::clean_up(&s, BIN);
    c.unsigned_payload = true;
    send(&s, &c).assert_success();
}

#[test]
fn unknown_action_is_invalid_action() {
    let s = server();
    let mut c = Call::clean_up(&s, BIN);
    c.action = Some("DescribeNothing".into());
    expect(&s, &c, "InvalidAction");
}

#[test]
fn missing_action_is_missing_parameter() {
    let s = server();
    let mut c = Call::clean_up(&s, BIN);
    c.action = None;
    expect(&s, &c, "MissingParameter");
}

#[test]
fn wrong_version_is_no_such_version() {
    let s = server();
    let mut c = Call::clean_up(&s, BIN);
    c.version = Some("2017-03-12".into());
    expect(&s, &c, "NoSuchVersion");
    c.version = None;
    expect(&s, &c, "MissingParameter");
}

#[test]
fn missing_or_empty_region_is_missing_parameter() {
    let s = server();
    let mut c = Call::clean_up(&s, BIN);
    c.region = None;
    expect(&s, &c, "MissingParameter");
    c.region = Some(String::new());
    expect(&s, &c, "MissingParameter");
}

#[test]
fn unknown_region_is_unsupported_region() {
    let s = server();
    let mut c = Call::clean_up(&s, BIN);
    c.region = Some("xx-nowhere".into());
    expect(&s, &c, "UnsupportedRegion");
}

#[test]
fn body_that_is_not_a_json_object_is_invalid_parameter() {
    let s = server();
    for body in ["[]", "\"crs-inbin001\"", "{\"InstanceId\":", "", "not json"] {
        expect(&s, &call(&s, body), "InvalidParameter");
    }
}

#[test]
fn post_that_is_not_json_is_invalid_parameter() {
    let s = server();
    let mut c = Call::clean_up(&s, BIN);
    c.content_type = "application/x-www-form-urlencoded".into();
    expect(&s, &c, "InvalidParameter");
}

#[test]
fn missing_instance_id_is_missing_parameter() {
    let s = server();
    expect(&s, &call(&s, "{}"), "MissingParameter");
    expect(&s, &call(&s, r#"{"InstanceId": null}"#), "MissingParameter");
}

#[test]
fn empty_instance_id_is_empty_param_in_both_languages() {
    let s = server();
    let mut c = call(&s, r#"{"InstanceId": ""}"#);
    let zh = expect(&s, &c, "InvalidParameter.EmptyParam");
    assert!(!zh.is_ascii(), "zh-CN by default: {zh}");
    c.language = Some("en-US".into());
    let en = expect(&s, &c, "InvalidParameter.EmptyParam");
    assert!(en.is_ascii() && en.contains("empty"), "{en}");
}

#[test]
fn instance_id_of_the_wrong_type_is_invalid_parameter() {
    let s = server();
    for body in [
        r#"{"InstanceId": 5}"#,
        r#"{"InstanceId": ["crs-inbin001"]}"#,
    ] {
        expect(&s, &call(&s, body), "InvalidParameter");
    }
}

#[test]
fn unknown_parameter_is_unknown_parameter() {
    let s = server();
    expect(
        &s,
        &call(&s, r#"{"InstanceId": "crs-inbin001", "Force": true}"#),
        "UnknownParameter",
    );
}

#[test]
fn unknown_instance_is_instance_not_exists() {
    let s = server();
    for id in ["crs-unknown9", "cdb-5a4py64p", "x"] {
        expect(
            &s,
            &Call::clean_up(&s, id),
            "ResourceNotFound.InstanceNotExists",
        );
    }
}

#[test]
fn running_instance_is_status_abnormal() {
    let s = server();
    expect(
        &s,
        &Call::clean_up(&s, RUNNING),
        "ResourceUnavailable.InstanceStatusAbnormal",
    );
    assert_eq!(s.instance(RUNNING), Some(InstanceStatus::Running));
}

#[test]
fn methods_other_than_get_and_post_are_unsupported_protocol() {
    let s = server();
    let c = Call::clean_up(&s, BIN);
    client::exchange(s.addr(), "PUT", "/", &c.headers(), &c.body)
        .unwrap()
        .assert_error("UnsupportedProtocol");
}
