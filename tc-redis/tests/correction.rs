//! Client error correction, rule by rule, through the parser `Client::call` uses
//! (`tc_redis::response::parse`), on types of the whole API (`full-api`): for a string, an
//! integer, a list and a nested object member, what a missing member, a `null`, a wrong but
//! lossless value and a lossy value give; identifiers come back `None`, never `0` or `""`.

use serde_json::{Value, json};
use tc_redis::response::parse;
use tc_redis::{Action, CorrectionKind, Error};

/// A reply body around `response` (which gets a `RequestId` unless it has one).
fn body(mut response: Value) -> Vec<u8> {
    if let Value::Object(map) = &mut response {
        map.entry("RequestId").or_insert(json!("req-1"));
    }
    serde_json::to_vec(&json!({ "Response": response })).unwrap()
}

/// Corrections as `(path, kind)`.
type Fixes = Vec<(String, CorrectionKind)>;

/// Reads `response` as action `A`'s reply: the typed response and its corrections as
/// `(path, kind)`, or the malformed-reply problem.
fn read<A: Action>(
    response: Value,
    corrections: impl Fn(&A::Response) -> Fixes,
) -> Result<(A::Response, Fixes), String> {
    match parse::<A::Response, A::ErrorCode>(200, &body(response)) {
        Ok(r) => {
            let c = corrections(&r);
            Ok((r, c))
        }
        Err(Error::MalformedResponse { problem, .. }) => Err(problem),
        Err(other) => panic!("not a success nor a malformed reply: {other}"),
    }
}

macro_rules! corrections_of {
    () => {
        |r| {
            r.corrections()
                .iter()
                .map(|c| (c.path.clone(), c.kind))
                .collect()
        }
    };
}

/// One instance of DescribeInstances as a complete reply has it (every plain member), with a
/// name, a port and a tag; the identifiers are set too.
fn instance() -> Value {
    let mut i = serde_json::to_value(tc_redis::InstanceSet::default()).unwrap();
    i["InstanceName"] = json!("cache");
    i["Port"] = json!(6379);
    i["Tags"] = json!(["team:a"]);
    i["InstanceId"] = json!("crs-5a4py64p");
    i["ProjectId"] = json!(0);
    i
}

/// DescribeInstances with `edit` applied to its one instance.
fn instances(edit: impl FnOnce(&mut serde_json::Map<String, Value>)) -> Value {
    let mut i = instance();
    edit(i.as_object_mut().unwrap());
    json!({ "TotalCount": 1, "InstanceSet": [i] })
}

type Instances = tc_redis::DescribeInstancesRequest;

fn kinds(path: &str, kind: CorrectionKind) -> Fixes {
    vec![(path.to_owned(), kind)]
}

#[test]
fn a_complete_reply_is_read_as_sent() {
    let (r, c) = read::<Instances>(instances(|_| {}), corrections_of!()).unwrap();
    assert_eq!(c, vec![], "corrections of a complete reply");
    assert_eq!(r.instance_set[0].instance_name, "cache");
    assert_eq!(
        r.instance_set[0].instance_id.as_deref(),
        Some("crs-5a4py64p")
    );
    assert_eq!(
        r.instance_set[0].project_id,
        Some(0),
        "a real 0 stays Some(0)"
    );
    assert!(r.corrections().is_empty());
    assert_eq!(r.corrections().to_string(), "nothing corrected");
}

#[test]
fn a_string_member() {
    let missing = read::<Instances>(
        instances(|i| drop(i.remove("InstanceName"))),
        corrections_of!(),
    );
    let (r, c) = missing.unwrap();
    assert_eq!(r.instance_set[0].instance_name, "");
    assert_eq!(
        c,
        kinds("InstanceSet[0].InstanceName", CorrectionKind::Missing)
    );

    let (r, c) = read::<Instances>(
        instances(|i| drop(i.insert("InstanceName".into(), Value::Null))),
        corrections_of!(),
    )
    .unwrap();
    assert_eq!(r.instance_set[0].instance_name, "");
    assert_eq!(
        c,
        kinds("InstanceSet[0].InstanceName", CorrectionKind::Null)
    );

    // No conversion into a string is lossless (1 could have been "1", "1.0" or "01"): a number
    // or a list where a string belongs is still an error.
    for wrong in [json!(1), json!(["cache"]), json!({}), json!(true)] {
        let problem = read::<Instances>(
            instances(|i| drop(i.insert("InstanceName".into(), wrong.clone()))),
            corrections_of!(),
        )
        .expect_err("a string member given another type");
        assert!(problem.contains("invalid type"), "{wrong}: {problem}");
    }
}

#[test]
fn an_integer_member() {
    let (r, c) =
        read::<Instances>(instances(|i| drop(i.remove("Port"))), corrections_of!()).unwrap();
    assert_eq!(r.instance_set[0].port, 0);
    assert_eq!(c, kinds("InstanceSet[0].Port", CorrectionKind::Missing));

    let (r, c) = read::<Instances>(
        instances(|i| drop(i.insert("Port".into(), Value::Null))),
        corrections_of!(),
    )
    .unwrap();
    assert_eq!(r.instance_set[0].port, 0);
    assert_eq!(c, kinds("InstanceSet[0].Port", CorrectionKind::Null));

    // Lossless: the digits of an integer, sent as a string.
    let (r, c) = read::<Instances>(
        instances(|i| drop(i.insert("Port".into(), json!("6380")))),
        corrections_of!(),
    )
    .unwrap();
    assert_eq!(r.instance_set[0].port, 6380);
    assert_eq!(
        c,
        kinds("InstanceSet[0].Port", CorrectionKind::IntegerFromString)
    );

    // Lossy, or not an integer at all: still errors.
    for lossy in [
        json!(6379.5),
        json!("6379.5"),
        json!("6379 "),
        json!("0x18eb"),
        json!("9223372036854775808"),
        json!(9223372036854775808u64),
        json!(true),
    ] {
        let problem = read::<Instances>(
            instances(|i| drop(i.insert("Port".into(), lossy.clone()))),
            corrections_of!(),
        )
        .expect_err("lossy");
        assert!(
            problem.contains("Port") || problem.contains("invalid"),
            "{lossy}: {problem}"
        );
    }
}

#[test]
fn a_list_member() {
    let (r, c) =
        read::<Instances>(instances(|i| drop(i.remove("Tags"))), corrections_of!()).unwrap();
    assert_eq!(r.instance_set[0].tags, Vec::<String>::new());
    assert_eq!(c, kinds("InstanceSet[0].Tags", CorrectionKind::Missing));

    let (r, c) = read::<Instances>(
        instances(|i| drop(i.insert("Tags".into(), Value::Null))),
        corrections_of!(),
    )
    .unwrap();
    assert!(r.instance_set[0].tags.is_empty());
    assert_eq!(c, kinds("InstanceSet[0].Tags", CorrectionKind::Null));

    // The list of the whole reply.
    let (r, c) = read::<Instances>(json!({ "TotalCount": 0 }), corrections_of!()).unwrap();
    assert!(r.instance_set.is_empty());
    assert_eq!(c, kinds("InstanceSet", CorrectionKind::Missing));

    // Lossless: integers of a list sent as strings (ApplyParamsTemplate's TaskIds, identifiers).
    let (r, c) = read::<tc_redis::ApplyParamsTemplateRequest>(
        json!({ "TaskIds": ["7", 8] }),
        corrections_of!(),
    )
    .unwrap();
    assert_eq!(r.task_ids, Some(vec![7, 8]));
    assert_eq!(c, kinds("TaskIds[0]", CorrectionKind::IntegerFromString));

    // Lossy or wrong: errors (a null element is not a value of the list).
    for wrong in [
        json!([1.5]),
        json!(["x"]),
        json!("7"),
        json!([null]),
        json!({}),
    ] {
        let problem = read::<tc_redis::ApplyParamsTemplateRequest>(
            json!({ "TaskIds": wrong.clone() }),
            corrections_of!(),
        )
        .expect_err("lossy list");
        assert!(problem.contains("invalid"), "{wrong}: {problem}");
    }
    for wrong in [json!("team:a"), json!([1])] {
        let problem = read::<Instances>(
            instances(|i| drop(i.insert("Tags".into(), wrong.clone()))),
            corrections_of!(),
        )
        .expect_err("a list of strings given something else");
        assert!(problem.contains("invalid"), "{wrong}: {problem}");
    }
}

#[test]
fn a_nested_object_member() {
    type Policy = tc_redis::DescribeInstancePasswordPolicyRequest;
    let (r, c) = read::<Policy>(json!({}), corrections_of!()).unwrap();
    assert_eq!(r.password_policy, tc_redis::PasswordPolicy::default());
    assert_eq!(c, kinds("PasswordPolicy", CorrectionKind::Missing));

    let (r, c) = read::<Policy>(json!({ "PasswordPolicy": null }), corrections_of!()).unwrap();
    assert_eq!(r.password_policy, tc_redis::PasswordPolicy::default());
    assert_eq!(c, kinds("PasswordPolicy", CorrectionKind::Null));

    // Lossless inside the object: the path names the member in it.
    let (r, c) = read::<Policy>(
        json!({ "PasswordPolicy": { "Enabled": true, "MinLength": "8" } }),
        corrections_of!(),
    )
    .unwrap();
    assert_eq!(r.password_policy.min_length, Some(8));
    assert_eq!(r.password_policy.enabled, Some(true));
    assert_eq!(
        c,
        kinds(
            "PasswordPolicy.MinLength",
            CorrectionKind::IntegerFromString
        )
    );

    for wrong in [
        json!([]),
        json!("policy"),
        json!({ "MinLength": 8.5 }),
        json!({ "Enabled": "true" }),
    ] {
        let problem = read::<Policy>(
            json!({ "PasswordPolicy": wrong.clone() }),
            corrections_of!(),
        )
        .expect_err("a wrong object");
        assert!(problem.contains("invalid"), "{wrong}: {problem}");
    }

    // Members of objects in a list: the path has the index.
    let (r, c) = read::<Instances>(
        json!({ "TotalCount": 2, "InstanceSet": [instance(), { "InstanceName": "b" }] }),
        corrections_of!(),
    )
    .unwrap();
    assert_eq!(r.instance_set[1].instance_name, "b");
    assert!(
        c.contains(&("InstanceSet[1].Port".to_owned(), CorrectionKind::Missing)),
        "{c:?}"
    );
    assert!(
        c.iter()
            .all(|(path, _)| path.starts_with("InstanceSet[1].")),
        "only the second instance is incomplete: {c:?}"
    );
}

#[test]
fn identifiers_come_back_none_never_zero() {
    // Missing, or null: None, and not reported as a correction (the type says it may be absent).
    for edit in [
        (|i: &mut serde_json::Map<String, Value>| {
            i.remove("InstanceId");
            i.remove("ProjectId");
        }) as fn(&mut serde_json::Map<String, Value>),
        |i| {
            i.insert("InstanceId".into(), Value::Null);
            i.insert("ProjectId".into(), Value::Null);
        },
    ] {
        let (r, c) = read::<Instances>(instances(edit), corrections_of!()).unwrap();
        assert_eq!(r.instance_set[0].instance_id, None);
        assert_eq!(r.instance_set[0].project_id, None);
        assert_eq!(c, vec![], "an Option member absent is no correction");
    }
    type CleanUp = tc_redis::CleanUpInstanceRequest;
    let (r, c) = read::<CleanUp>(json!({}), corrections_of!()).unwrap();
    assert_eq!(r.task_id, None, "never task 0");
    assert_eq!(c, vec![]);
    let (r, c) = read::<CleanUp>(json!({ "TaskId": "10856" }), corrections_of!()).unwrap();
    assert_eq!(r.task_id, Some(10856));
    assert_eq!(c, kinds("TaskId", CorrectionKind::IntegerFromString));
    let problem = read::<CleanUp>(json!({ "TaskId": "10856.0" }), corrections_of!())
        .expect_err("lossy task id");
    assert!(problem.contains("invalid value"), "{problem}");
    // An identifier of an order: DestroyPrepaidInstance's DealId.
    let (r, _) = read::<tc_redis::DestroyPrepaidInstanceRequest>(
        json!({ "DealName": "d-1" }),
        corrections_of!(),
    )
    .unwrap();
    assert_eq!(r.deal_id, None);
}

#[test]
fn deprecated_members_are_optional_and_unknown_members_ignored() {
    let (r, c) = read::<Instances>(
        instances(|i| {
            i.remove("SizeUsed");
            i.insert("BrandNewMember".into(), json!({ "a": [1] }));
        }),
        corrections_of!(),
    )
    .unwrap();
    assert_eq!(r.instance_set[0].size_used, None);
    assert_eq!(c, vec![]);
}

#[test]
fn the_request_id_stays_strictly_required() {
    let no_id = serde_json::to_vec(&json!({ "Response": { "TaskId": 1 } })).unwrap();
    let e =
        parse::<tc_redis::CleanUpInstanceResponse, tc_redis::CleanUpInstanceErrorCode>(200, &no_id)
            .expect_err("a reply without RequestId is not Tencent's");
    assert!(e.to_string().contains("RequestId"), "{e}");
    let null_id =
        serde_json::to_vec(&json!({ "Response": { "TaskId": 1, "RequestId": null } })).unwrap();
    assert!(
        parse::<tc_redis::CleanUpInstanceResponse, tc_redis::CleanUpInstanceErrorCode>(
            200, &null_id
        )
        .is_err()
    );
}
