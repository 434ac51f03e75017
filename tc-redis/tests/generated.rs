//! The types generated from `api-spec/` behave as the spec says: the request's wire form, the
//! seed's sample response, and every documented error code. The codes are read from the spec
//! files themselves, so this test follows the spec as it grows.

use serde_json::Value;
use std::str::FromStr;
use tc_redis::{
    Action, CleanUpInstanceErrorCode, CleanUpInstanceRequest, CleanUpInstanceResponse, Error,
    ErrorCode,
};

fn spec_file(name: &str) -> Value {
    let path = format!("{}/../api-spec/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// `(code, description)` for `CleanUpInstance`: its own codes, then the common ones.
fn documented_codes() -> Vec<(String, String)> {
    let action = spec_file("CleanUpInstance.json");
    let common = spec_file("common.json");
    let own = action["actions"]["CleanUpInstance"]["error_codes"]
        .as_array()
        .expect("CleanUpInstance error_codes");
    let shared = common["common_error_codes"]
        .as_array()
        .expect("common_error_codes");
    let mut codes: Vec<(String, String)> = Vec::new();
    for entry in own.iter().chain(shared) {
        let code = entry["code"].as_str().expect("code").to_owned();
        let description = entry["description"]
            .as_str()
            .expect("description")
            .to_owned();
        if !codes.iter().any(|(c, _)| *c == code) {
            codes.push((code, description));
        }
    }
    codes
}

#[test]
fn the_request_serialises_to_the_wire_form() {
    let request = CleanUpInstanceRequest::new("crs-5a4py64p");
    assert_eq!(request.instance_id, "crs-5a4py64p");
    assert_eq!(
        serde_json::to_string(&request).unwrap(),
        r#"{"InstanceId":"crs-5a4py64p"}"#
    );
    let back: CleanUpInstanceRequest =
        serde_json::from_str(r#"{"InstanceId":"crs-5a4py64p"}"#).unwrap();
    assert_eq!(back, request);
}

#[test]
fn the_seed_sample_response_parses() {
    let body =
        br#"{"Response":{"RequestId":"c4ed5948-d156-4931-b9c3-10133a0bb6c9","TaskId":10856}}"#;
    let reply =
        tc_redis::response::parse::<CleanUpInstanceResponse, CleanUpInstanceErrorCode>(200, body)
            .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(reply.task_id, Some(10856));
    assert_eq!(reply.request_id, "c4ed5948-d156-4931-b9c3-10133a0bb6c9");

    // Fields a newer server adds are ignored.
    let newer =
        br#"{"Response":{"TaskId":10856,"NewField":{"a":[1,2]},"RequestId":"r-1","Other":null}}"#;
    let reply =
        tc_redis::response::parse::<CleanUpInstanceResponse, CleanUpInstanceErrorCode>(200, newer)
            .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(reply.task_id, Some(10856));
    assert_eq!(reply.request_id, "r-1");
}

#[test]
fn a_documented_error_reply_is_typed() {
    let body = br#"{"Response":{"Error":{"Code":"ResourceUnavailable.InstanceStatusAbnormal","Message":"m"},"RequestId":"r-2"}}"#;
    match tc_redis::response::parse::<CleanUpInstanceResponse, CleanUpInstanceErrorCode>(200, body)
    {
        Err(Error::Api(e)) => {
            assert_eq!(
                e.code,
                CleanUpInstanceErrorCode::ResourceUnavailableInstanceStatusAbnormal
            );
            assert_eq!(e.message, "m");
            assert_eq!(e.request_id, "r-2");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn every_documented_code_round_trips() {
    let codes = documented_codes();
    assert!(
        codes.len() >= 6 + 39,
        "{} codes: the spec files were not read",
        codes.len()
    );
    for (code, description) in &codes {
        let parsed = CleanUpInstanceErrorCode::from_str(code).unwrap();
        assert!(
            !matches!(parsed, CleanUpInstanceErrorCode::Other(_)),
            "`{code}` is documented but parses as Other"
        );
        assert_eq!(parsed.as_str(), code);
        assert_eq!(parsed.to_string(), *code);
        assert_eq!(
            parsed.description(),
            Some(description.as_str()),
            "description of `{code}`"
        );
        // The trait the runtime uses agrees with the inherent methods.
        let via_trait = <CleanUpInstanceErrorCode as ErrorCode>::from_code(code);
        assert_eq!(via_trait, parsed);
        assert_eq!(ErrorCode::as_str(&via_trait), code);
        assert_eq!(
            ErrorCode::description(&via_trait),
            Some(description.as_str())
        );
    }
    // Distinct codes are distinct variants.
    for (i, (a, _)) in codes.iter().enumerate() {
        for (b, _) in &codes[i + 1..] {
            assert_ne!(
                CleanUpInstanceErrorCode::from_str(a).unwrap(),
                CleanUpInstanceErrorCode::from_str(b).unwrap(),
                "`{a}` and `{b}`"
            );
        }
    }
}

#[test]
fn an_unknown_code_is_kept_verbatim() {
    for code in [
        "Brand.New",
        "",
        "internalerror",
        "InternalError.",
        "ResourceNotFound.Other",
    ] {
        let parsed = CleanUpInstanceErrorCode::from_str(code).unwrap();
        assert_eq!(parsed, CleanUpInstanceErrorCode::Other(code.to_owned()));
        assert_eq!(parsed.as_str(), code);
        assert_eq!(parsed.to_string(), code);
        assert_eq!(parsed.description(), None);
        assert_eq!(
            <CleanUpInstanceErrorCode as ErrorCode>::from_code(code),
            parsed
        );
    }
}

#[test]
fn the_action_constants_come_from_the_spec() {
    let spec = spec_file("CleanUpInstance.json");
    let action = &spec["actions"]["CleanUpInstance"];
    assert_eq!(<CleanUpInstanceRequest as Action>::NAME, "CleanUpInstance");
    assert_eq!(
        <CleanUpInstanceRequest as Action>::RATE_LIMIT_PER_SECOND,
        Some(20)
    );
    const { assert!(!<CleanUpInstanceRequest as Action>::IDEMPOTENT) };
    // And they are the spec's values, not only today's.
    assert_eq!(
        <CleanUpInstanceRequest as Action>::RATE_LIMIT_PER_SECOND.map(u64::from),
        action["rate_limit_per_second"].as_u64()
    );
    assert_eq!(
        <CleanUpInstanceRequest as Action>::IDEMPOTENT,
        action["idempotent"].as_bool().unwrap_or(false)
    );
    let metadata = &spec["metadata"];
    assert_eq!(
        Some(<CleanUpInstanceRequest as Action>::SERVICE),
        metadata["serviceShortName"].as_str()
    );
    assert_eq!(
        Some(<CleanUpInstanceRequest as Action>::VERSION),
        metadata["apiVersion"].as_str()
    );
    assert_eq!(
        <CleanUpInstanceRequest as Action>::SKIP_SIGN,
        action["skip_sign"].as_bool().unwrap_or(false)
    );
}

#[test]
#[cfg(feature = "credentials-sts")]
fn sts_actions_carry_their_own_service_version_and_signing() {
    use tc_redis::sts::{AssumeRoleRequest, AssumeRoleWithWebIdentityRequest};
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../api-spec/sts");
    let read = |name: &str| -> serde_json::Value {
        let text = std::fs::read_to_string(dir.join(name)).unwrap();
        serde_json::from_str(&text).unwrap()
    };
    let assume = read("AssumeRole.json");
    let web = read("AssumeRoleWithWebIdentity.json");
    for (spec, name, service, version, skip) in [
        (
            &assume,
            "AssumeRole",
            <AssumeRoleRequest as Action>::SERVICE,
            <AssumeRoleRequest as Action>::VERSION,
            <AssumeRoleRequest as Action>::SKIP_SIGN,
        ),
        (
            &web,
            "AssumeRoleWithWebIdentity",
            <AssumeRoleWithWebIdentityRequest as Action>::SERVICE,
            <AssumeRoleWithWebIdentityRequest as Action>::VERSION,
            <AssumeRoleWithWebIdentityRequest as Action>::SKIP_SIGN,
        ),
    ] {
        assert_eq!(
            (Some(service), Some(version)),
            (
                spec["metadata"]["serviceShortName"].as_str(),
                spec["metadata"]["apiVersion"].as_str()
            ),
            "{name}"
        );
        assert_eq!(
            skip,
            spec["actions"][name]["skip_sign"]
                .as_bool()
                .unwrap_or(false),
            "{name}"
        );
    }
    // Tencent's spec marks the web-identity exchange (and only it) as unsigned.
    const { assert!(<AssumeRoleWithWebIdentityRequest as Action>::SKIP_SIGN) };
    const { assert!(!<AssumeRoleRequest as Action>::SKIP_SIGN) };
}

#[test]
fn an_empty_required_string_is_refused_by_check() {
    let err = CleanUpInstanceRequest::new("").check().unwrap_err();
    assert_eq!(
        err,
        tc_redis::InvalidParameter {
            parameter: "InstanceId",
            problem: "is empty"
        }
    );
    assert_eq!(err.to_string(), "request parameter `InstanceId` is empty");
    assert!(CleanUpInstanceRequest::new("crs-5a4py64p").check().is_ok());
    // DescribeTaskInfo's only parameter is a number: nothing to check.
    assert!(tc_redis::DescribeTaskInfoRequest::new(0u64).check().is_ok());
}

#[test]
#[cfg(feature = "credentials-sts")]
fn debug_of_sts_types_redacts_the_members_the_spec_marks_sensitive() {
    use tc_redis::sts::{AssumeRoleResponse, AssumeRoleWithWebIdentityRequest};
    let request = AssumeRoleWithWebIdentityRequest::new(
        "provider",
        "eyJ.secret-web-token.sig",
        "qcs::cam::uin/1:roleName/r",
        "session",
    );
    let reply: AssumeRoleResponse = serde_json::from_str(
        r#"{"Credentials":{"Token":"secretSessionToken","TmpSecretId":"AKIDtmp","TmpSecretKey":"secretTmpKey"},
            "ExpiredTime":1900000000,"Expiration":"2030-03-17T17:46:40Z","RequestId":"r-1"}"#,
    )
    .unwrap();
    for text in [
        format!("{request:?}"),
        format!("{reply:?}"),
        format!("{reply:#?}"),
    ] {
        for secret in ["secret-web-token", "secretSessionToken", "secretTmpKey"] {
            assert!(!text.contains(secret), "{secret} shown in {text}");
        }
        assert!(text.contains("<redacted>"), "{text}");
    }
    // What is not secret stays visible.
    let shown = format!("{reply:?}");
    assert!(
        shown.contains("AKIDtmp") && shown.contains("1900000000"),
        "{shown}"
    );
    assert!(format!("{request:?}").contains("qcs::cam::uin/1:roleName/r"));
}

/// A common code is the one `CommonErrorCode` in every action's enum (STS's included), and a
/// caller matches it as briefly as an action's own code: `==` against the common code, or a
/// `match` on the `Common` variant.
#[test]
fn common_codes_are_matched_the_same_way_everywhere() {
    use tc_redis::CommonErrorCode;
    let code = CleanUpInstanceErrorCode::from_str("RequestLimitExceeded").unwrap();
    assert!(code == CommonErrorCode::RequestLimitExceeded);
    assert_eq!(
        code,
        CleanUpInstanceErrorCode::from(CommonErrorCode::RequestLimitExceeded)
    );
    assert!(matches!(
        code,
        CleanUpInstanceErrorCode::Common(CommonErrorCode::RequestLimitExceeded)
    ));
    assert_eq!(code.common(), Some(CommonErrorCode::RequestLimitExceeded));
    assert_eq!(code.as_str(), "RequestLimitExceeded");
    assert_eq!(code.to_string(), "RequestLimitExceeded");
    assert_eq!(
        code.description(),
        Some(CommonErrorCode::RequestLimitExceeded.description())
    );
    // The same common code through another action's enum, and STS's (a module of its own).
    let task = tc_redis::DescribeTaskInfoErrorCode::from_str("RequestLimitExceeded").unwrap();
    assert!(task == CommonErrorCode::RequestLimitExceeded);
    #[cfg(feature = "credentials-sts")]
    {
        let sts = tc_redis::sts::AssumeRoleErrorCode::from_str("RequestLimitExceeded").unwrap();
        assert!(sts == CommonErrorCode::RequestLimitExceeded);
        assert_eq!(sts.common(), code.common());
    }

    // An action's own code is its own variant, never confused with a common one: the action's
    // `InternalError.InternalError` is not the common `InternalError`.
    let own = CleanUpInstanceErrorCode::from_str("InternalError.InternalError").unwrap();
    assert_eq!(own, CleanUpInstanceErrorCode::InternalErrorInternalError);
    assert_eq!(own.common(), None);
    assert!(own != CommonErrorCode::InternalError);
    let common = CleanUpInstanceErrorCode::from_str("InternalError").unwrap();
    assert!(common == CommonErrorCode::InternalError);
    // Each own code once in `CODES`, with its text and description.
    for (variant, text, description) in CleanUpInstanceErrorCode::CODES {
        assert_eq!(variant.as_str(), *text);
        assert_eq!(variant.description(), Some(*description));
        assert_eq!(CleanUpInstanceErrorCode::from_str(text).unwrap(), *variant);
    }
}
