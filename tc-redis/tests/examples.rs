//! Every official example of the Redis 2018-04-12 API (`tests/fixtures/redis-v20180412-examples.json`,
//! see `tests/fixtures/EXAMPLES.md`) against the types generated with the `full-api` feature:
//!
//! - responses: every example's `output` is read exactly as `Client::call` reads a reply
//!   (`tc_redis::response::parse` into `<Action>Response`), and serialising the response back
//!   gives the example's `Response` object, except where the response reports a correction
//!   (client error correction: a missing or `null` always-returned member read as its zero value,
//!   an integer sent as a string read as the integer). What is corrected is pinned in
//!   [`CORRECTED`];
//! - requests: every example's `input` (a GET-style query with dotted and indexed names, or a
//!   POST with a JSON body) becomes a JSON object that deserialises into `<Action>Request`, and
//!   serialising it back gives the same JSON. A query gives every value as a string: each is
//!   converted to its member's type as the official spec
//!   (`codegen/tests/fixtures/redis-v20180412-api.json`) declares it. A POST body is taken as
//!   it is, so a wrong JSON type in it is a defect of the example.
//!
//! "The same JSON" is the equivalence of [`diff`]: a `null` member is the same as an absent one
//! (the types skip `None`), numbers are compared by value (`1` and `1.0` are equal), and a member
//! the example has but the round trip lost is a member the type does not know (the generated
//! types ignore unknown members): those are collected and must be exactly [`UNKNOWN_MEMBERS`].
//!
//! Where an official example is itself wrong, the defect is listed in [`DEFECTS`] with the repair
//! the test applies before checking that example; everything else in the example is still checked.
//! The number of defects is pinned, and every listed defect must still be in its example, its
//! repair must make the example pass and the example must fail without it: the list can neither
//! grow silently nor go stale.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Number, Value};
use std::collections::BTreeSet;
use tc_redis::{Action, CommonErrorCode, CorrectionKind, ErrorCode};

/// The number of examples in the fixture (123 actions, four of them with two examples).
const EXAMPLE_COUNT: usize = 127;

/// Which text of an example a defect is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Input,
    Output,
}

/// How the test repairs a defect before checking the example.
#[derive(Debug)]
enum Repair {
    /// Replace the first occurrence of `from` in the example text before parsing it.
    Text {
        from: &'static str,
        to: &'static str,
    },
    /// Replace the value at the JSON pointer (into the request object, or into the `Response`
    /// object) with the given JSON.
    Set {
        pointer: &'static str,
        json: &'static str,
    },
    /// Remove the value at the JSON pointer.
    Remove { pointer: &'static str },
}

/// A known defect of one official example.
#[derive(Debug)]
struct Defect {
    action: &'static str,
    /// Index of the example in the action's list.
    example: usize,
    part: Part,
    field: &'static str,
    reason: &'static str,
    repair: Repair,
}

/// Every known defect of the official examples that no client could read past;
/// `every_listed_defect_is_still_needed` checks each one. Three outputs are not JSON at all; the
/// four inputs are requests the API would refuse. (Where an output merely differs from the spec,
/// a missing or `null` member or an integer sent as a string, the client corrects it, and
/// [`CORRECTED`] says exactly what it corrects.)
static DEFECTS: &[Defect] = &[
    Defect {
        action: "AllocateWanAddress",
        example: 0,
        part: Part::Output,
        field: "WanStatus",
        reason: "output is not JSON: the string is in typographic quotes (U+201C, U+201D)",
        repair: Repair::Text {
            from: "\u{201c}Enabling public network access\u{201d}",
            to: "\"Enabling public network access\"",
        },
    },
    Defect {
        action: "DescribeInstances",
        example: 0,
        part: Part::Output,
        field: "InstanceSet[0].InstanceTitle",
        reason: "output is not JSON: no comma after the member",
        repair: Repair::Text {
            from: "\"InstanceTitle\": \"Adding an Instance\"\n",
            to: "\"InstanceTitle\": \"Adding an Instance\",\n",
        },
    },
    Defect {
        action: "ReleaseWanAddress",
        example: 0,
        part: Part::Output,
        field: "WanStatus",
        reason: "output is not JSON: the string is in typographic quotes (U+201C, U+201D)",
        repair: Repair::Text {
            from: "\u{201c}Disabling public network access\u{201d}",
            to: "\"Disabling public network access\"",
        },
    },
    Defect {
        action: "CreateInstances",
        example: 0,
        part: Part::Input,
        field: "ResourceTags[0]",
        reason: "a placeholder tag whose TagKey and TagValue are null, but the spec requires both strings",
        repair: Repair::Remove {
            pointer: "/ResourceTags",
        },
    },
    Defect {
        action: "DescribeInstanceMonitorBigKey",
        example: 0,
        part: Part::Input,
        field: "ReqType",
        reason: "a string (\"1\") in the JSON body, but the spec says int64",
        repair: Repair::Set {
            pointer: "/ReqType",
            json: "1",
        },
    },
    Defect {
        action: "ModifyInstancePassword",
        example: 0,
        part: Part::Input,
        field: "Action",
        reason: "the query names the misspelt action ModifiyInstancePassword",
        repair: Repair::Text {
            from: "Action=ModifiyInstancePassword",
            to: "Action=ModifyInstancePassword",
        },
    },
    Defect {
        action: "UpgradeVersionToMultiAvailabilityZones",
        example: 0,
        part: Part::Input,
        field: "UpgradeProxyAndRedisServer",
        reason: "a string (\"true\") in the JSON body, but the spec says bool",
        repair: Repair::Set {
            pointer: "/UpgradeProxyAndRedisServer",
            json: "true",
        },
    },
];

/// `(action, example, member path, correction)`: everything the client corrects when it reads
/// the official example responses (Smithy's client error correction, `tc_redis::correct`); the
/// response of each of these examples reports exactly these, and no other example reports any.
/// Members the examples omit that the generated types read as `Option` (identifiers such as
/// `DealId` and `TaskId`, deprecated members such as `SizeUsed`) are not corrections: they read
/// as `None`, which `identifiers_and_deprecated_members_the_examples_omit_read_as_none` checks.
const CORRECTED: &[(&str, usize, &str, CorrectionKind)] = &[
    (
        "DescribeInstanceParams",
        0,
        "InstanceEnumParam[2].ParamName",
        CorrectionKind::Missing,
    ),
    (
        "DescribeParamTemplateInfo",
        0,
        "Items[1].EnumValue",
        CorrectionKind::Null,
    ),
    (
        "DescribeParamTemplateInfo",
        0,
        "Items[2].EnumValue",
        CorrectionKind::Null,
    ),
    (
        "DescribeParamTemplateInfo",
        0,
        "Items[3].EnumValue",
        CorrectionKind::Null,
    ),
    (
        "DestroyPostpaidInstance",
        0,
        "TaskId",
        CorrectionKind::IntegerFromString,
    ),
    (
        "UpgradeVersionToMultiAvailabilityZones",
        0,
        "FlowId",
        CorrectionKind::IntegerFromString,
    ),
];

/// `(part, action, member path, reason)`: members the official examples carry that the generated
/// types do not have (`[]` stands for every element of a list).
const UNKNOWN_MEMBERS: &[(Part, &str, &str, &str)] = &[(
    Part::Output,
    "DescribeInstances",
    "InstanceSet[].ApplicationVersion",
    "the example returns it, but the spec's InstanceSet has no such member",
)];

// ---------------------------------------------------------------------------------------------
// The table of every action.

/// A response's corrections, as `(path, kind)`.
type Corrected = Vec<(String, CorrectionKind)>;

/// What the client made of a reply: the typed response serialised back, and its corrections.
type Read = (Value, Corrected);

/// One action of the table: its name, the round trip through its request type, and a reply
/// read exactly as `Client::call` reads it.
struct Entry {
    name: &'static str,
    request_type: &'static str,
    response_type: &'static str,
    request: fn(Value) -> Result<Value, String>,
    response: fn(&[u8]) -> Result<Read, String>,
    /// A code read as the action's error code: its common code, if any, and its `as_str()`.
    code: fn(&str) -> (Option<CommonErrorCode>, String),
}

/// Deserialises `value` into `T` and serialises it back.
fn round_trip<T: Serialize + DeserializeOwned>(value: Value) -> Result<Value, String> {
    let typed: T = serde_json::from_value(value).map_err(|e| {
        format!(
            "does not deserialise into {}: {e}",
            std::any::type_name::<T>()
        )
    })?;
    serde_json::to_value(&typed).map_err(|e| format!("does not serialise back: {e}"))
}

/// `table!(FooRequest, ...)`: the table of those request types, each with its
/// `<Request as Action>::NAME` and `<Request as Action>::Response`.
macro_rules! table {
    ($($request:ident),* $(,)?) => {
        fn table() -> Vec<Entry> {
            vec![$(
                Entry {
                    name: <tc_redis::$request as Action>::NAME,
                    request_type: stringify!($request),
                    response_type:
                        std::any::type_name::<<tc_redis::$request as Action>::Response>(),
                    request: round_trip::<tc_redis::$request>,
                    response: |body| {
                        type Response = <tc_redis::$request as Action>::Response;
                        type Code = <tc_redis::$request as Action>::ErrorCode;
                        let typed = tc_redis::response::parse::<Response, Code>(200, body)
                            .map_err(|e| format!("Client::call's parser refuses it: {e}"))?;
                        let corrections: Vec<_> = typed
                            .corrections()
                            .iter()
                            .map(|c| (c.path.clone(), c.kind))
                            .collect();
                        // The same type read by plain serde_json, outside the client, records
                        // the same corrections.
                        let envelope: Value = serde_json::from_slice(body)
                            .map_err(|e| format!("not JSON: {e}"))?;
                        let plain: Response = serde_json::from_str(&envelope["Response"].to_string())
                            .map_err(|e| format!("plain serde_json refuses it: {e}"))?;
                        let plain: Vec<_> = plain
                            .corrections()
                            .iter()
                            .map(|c| (c.path.clone(), c.kind))
                            .collect();
                        if plain != corrections {
                            return Err(format!(
                                "plain serde_json records {plain:?}, the client {corrections:?}"
                            ));
                        }
                        let back = serde_json::to_value(&typed)
                            .map_err(|e| format!("does not serialise back: {e}"))?;
                        Ok((back, corrections))
                    },
                    code: |code| {
                        let code = <<tc_redis::$request as Action>::ErrorCode as ErrorCode>::from_code(code);
                        (code.common(), code.as_str().to_owned())
                    },
                },
            )*]
        }
    };
}

// Every action of the fixture (its sorted names, with `Request` appended);
// `the_table_covers_every_action_of_the_fixture` checks that it is exactly them.
table!(
    AddReplicationInstanceRequest,
    AllocateWanAddressRequest,
    ApplyParamsTemplateRequest,
    AssociateSecurityGroupsRequest,
    ChangeInstanceRoleRequest,
    ChangeMasterInstanceRequest,
    ChangeReplicaToMasterRequest,
    CleanUpInstanceRequest,
    ClearInstanceRequest,
    CloneInstancesRequest,
    CloseLogRequest,
    CloseSSLRequest,
    CreateExportTaskRequest,
    CreateInstanceAccountRequest,
    CreateInstancesRequest,
    CreateParamTemplateRequest,
    CreateReplicationGroupRequest,
    DeleteExportTaskRequest,
    DeleteInstanceAccountRequest,
    DeleteParamTemplateRequest,
    DeleteReplicationInstanceRequest,
    DescribeAutoBackupConfigRequest,
    DescribeBackupDetailRequest,
    DescribeBackupDownloadRestrictionRequest,
    DescribeBackupEncryptConfigRequest,
    DescribeBackupUrlRequest,
    DescribeBandwidthRangeRequest,
    DescribeCommonDBInstancesRequest,
    DescribeDBSecurityGroupsRequest,
    DescribeExportTasksRequest,
    DescribeGlobalReplicationAreaRequest,
    DescribeInstanceAccountRequest,
    DescribeInstanceBackupsRequest,
    DescribeInstanceDTSInfoRequest,
    DescribeInstanceDealDetailRequest,
    DescribeInstanceEventsRequest,
    DescribeInstanceLogDeliveryRequest,
    DescribeInstanceMonitorBigKeyRequest,
    DescribeInstanceMonitorBigKeySizeDistRequest,
    DescribeInstanceMonitorBigKeyTypeDistRequest,
    DescribeInstanceMonitorHotKeyRequest,
    DescribeInstanceMonitorSIPRequest,
    DescribeInstanceMonitorTookDistRequest,
    DescribeInstanceMonitorTopNCmdRequest,
    DescribeInstanceMonitorTopNCmdTookRequest,
    DescribeInstanceNodeInfoRequest,
    DescribeInstanceParamRecordsRequest,
    DescribeInstanceParamsRequest,
    DescribeInstancePasswordPolicyRequest,
    DescribeInstanceSecurityGroupRequest,
    DescribeInstanceShardsRequest,
    DescribeInstanceSpecBandwidthRequest,
    DescribeInstanceSupportFeatureRequest,
    DescribeInstanceZoneInfoRequest,
    DescribeInstancesRequest,
    DescribeLogInstanceListRequest,
    DescribeLogsRequest,
    DescribeMaintenanceWindowRequest,
    DescribeParamTemplateInfoRequest,
    DescribeParamTemplatesRequest,
    DescribeProductInfoRequest,
    DescribeProjectSecurityGroupRequest,
    DescribeProjectSecurityGroupsRequest,
    DescribeProxySlowLogRequest,
    DescribeRedisClusterOverviewRequest,
    DescribeRedisClustersRequest,
    DescribeReplicationGroupRequest,
    DescribeReplicationGroupInstanceRequest,
    DescribeSSLStatusRequest,
    DescribeSecondLevelBackupInfoRequest,
    DescribeSlowLogRequest,
    DescribeTaskInfoRequest,
    DescribeTaskListRequest,
    DescribeTendisSlowLogRequest,
    DestroyPostpaidInstanceRequest,
    DestroyPrepaidInstanceRequest,
    DisableReplicaReadonlyRequest,
    DisassociateSecurityGroupsRequest,
    EnableReplicaReadonlyRequest,
    InquiryPriceCreateInstanceRequest,
    InquiryPriceUpgradeInstanceRequest,
    KillMasterGroupRequest,
    ManualBackupInstanceRequest,
    ModfiyInstancePasswordRequest,
    ModifyAutoBackupConfigRequest,
    ModifyBackupDownloadRestrictionRequest,
    ModifyBackupEncryptRequest,
    ModifyConnectionConfigRequest,
    ModifyDBInstanceSecurityGroupsRequest,
    ModifyInstanceRequest,
    ModifyInstanceAccountRequest,
    ModifyInstanceAvailabilityZonesRequest,
    ModifyInstanceBackupModeRequest,
    ModifyInstanceChargeTypeRequest,
    ModifyInstanceEventRequest,
    ModifyInstanceLogDeliveryRequest,
    ModifyInstanceParamsRequest,
    ModifyInstancePasswordRequest,
    ModifyInstancePasswordPolicyRequest,
    ModifyInstanceReadOnlyRequest,
    ModifyLogRequest,
    ModifyMaintenanceWindowRequest,
    ModifyNetworkConfigRequest,
    ModifyParamTemplateRequest,
    ModifyReplicationGroupRequest,
    OpenLogRequest,
    OpenSSLRequest,
    ReleaseWanAddressRequest,
    RemoveReplicationGroupRequest,
    RemoveReplicationInstanceRequest,
    RenewInstanceRequest,
    ResetPasswordRequest,
    RestoreInstanceRequest,
    StartupInstanceRequest,
    SwitchAccessNewInstanceRequest,
    SwitchInstanceVipRequest,
    SwitchProxyRequest,
    UpgradeInstanceRequest,
    UpgradeInstanceProductVersionRequest,
    UpgradeInstanceVersionRequest,
    UpgradeProxyVersionRequest,
    UpgradeSmallVersionRequest,
    UpgradeVersionToMultiAvailabilityZonesRequest,
);

// ---------------------------------------------------------------------------------------------
// Fixtures.

fn read_json(relative: &str) -> Value {
    let path = format!("{}/{relative}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// One official example.
struct Example {
    action: String,
    index: usize,
    input: String,
    output: String,
}

impl Example {
    fn label(&self) -> String {
        format!("{} example {}", self.action, self.index)
    }

    fn defects(&self, part: Part) -> impl Iterator<Item = &'static Defect> + '_ {
        DEFECTS
            .iter()
            .filter(move |d| d.action == self.action && d.example == self.index && d.part == part)
    }
}

/// Every example of the fixture, by action name.
fn examples() -> Vec<Example> {
    let file = read_json("tests/fixtures/redis-v20180412-examples.json");
    let actions = file["actions"].as_object().expect("actions");
    let mut out = Vec::new();
    for (action, list) in actions {
        for (index, example) in list.as_array().expect("example list").iter().enumerate() {
            let text = |key: &str| {
                example[key]
                    .as_str()
                    .unwrap_or_else(|| panic!("{action} example {index}: no {key}"))
                    .to_owned()
            };
            out.push(Example {
                action: action.clone(),
                index,
                input: text("input"),
                output: text("output"),
            });
        }
    }
    out
}

/// The official spec, read for the type of every request member (a GET-style example gives
/// every value as a string).
struct Spec(Value);

impl Spec {
    fn load() -> Spec {
        Spec(read_json(
            "../codegen/tests/fixtures/redis-v20180412-api.json",
        ))
    }

    fn request_object(&self, action: &str) -> Result<&str, String> {
        self.0["actions"][action]["input"]
            .as_str()
            .ok_or_else(|| format!("the spec has no action {action}"))
    }

    fn member(&self, object: &str, name: &str) -> Option<&Value> {
        self.0["objects"][object]["members"]
            .as_array()?
            .iter()
            .find(|m| m["name"] == name)
    }
}

fn entry_for<'t>(table: &'t [Entry], action: &str) -> &'t Entry {
    table
        .iter()
        .find(|e| e.name == action)
        .unwrap_or_else(|| panic!("no table entry for {action}"))
}

// ---------------------------------------------------------------------------------------------
// Repairs.

fn repair_text(text: &str, defects: &[&Defect]) -> Result<String, String> {
    let mut text = text.to_owned();
    for defect in defects {
        if let Repair::Text { from, to } = defect.repair {
            if !text.contains(from) {
                return Err(format!("defect {defect:?} is not in the example"));
            }
            text = text.replacen(from, to, 1);
        }
    }
    Ok(text)
}

fn repair_value(value: &mut Value, defects: &[&Defect]) -> Result<(), String> {
    for defect in defects {
        match defect.repair {
            Repair::Text { .. } => {}
            Repair::Set { pointer, json } => {
                let slot = value
                    .pointer_mut(pointer)
                    .ok_or_else(|| format!("defect {defect:?} is not in the example"))?;
                *slot = serde_json::from_str(json).expect("repair JSON");
            }
            Repair::Remove { pointer } => {
                let (parent, key) = pointer.rsplit_once('/').expect("a JSON pointer");
                let removed = match value.pointer_mut(parent) {
                    Some(Value::Object(map)) => map.remove(key),
                    Some(Value::Array(list)) => match key.parse::<usize>() {
                        Ok(i) if i < list.len() => Some(list.remove(i)),
                        _ => None,
                    },
                    _ => None,
                };
                if removed.is_none() {
                    return Err(format!("defect {defect:?} is not in the example"));
                }
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The equivalence.

/// Compares the example's JSON with the round trip's: `null` members count as absent, numbers
/// compare by value. Members of `expected` absent from `actual` go to `unknown` (as paths with
/// `[]` for list elements); every other difference goes to `mismatches`.
fn diff(
    expected: &Value,
    actual: &Value,
    path: &str,
    unknown: &mut BTreeSet<String>,
    mismatches: &mut Vec<String>,
) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            let child = |key: &str| {
                if path.is_empty() {
                    key.to_owned()
                } else {
                    format!("{path}.{key}")
                }
            };
            for (key, e_value) in e.iter().filter(|(_, v)| !v.is_null()) {
                let child = child(key);
                match a.get(key).filter(|v| !v.is_null()) {
                    Some(a_value) => diff(e_value, a_value, &child, unknown, mismatches),
                    None => {
                        unknown.insert(child);
                    }
                }
            }
            for (key, _) in a.iter().filter(|(_, v)| !v.is_null()) {
                if e.get(key).is_none_or(Value::is_null) {
                    mismatches.push(format!("{}: added by the round trip", child(key)));
                }
            }
        }
        (Value::Array(e), Value::Array(a)) if e.len() == a.len() => {
            for (e_item, a_item) in e.iter().zip(a) {
                diff(e_item, a_item, &format!("{path}[]"), unknown, mismatches);
            }
        }
        (Value::Number(e), Value::Number(a)) if same_number(e, a) => {}
        (e, a) if e == a => {}
        (e, a) => mismatches.push(format!("{path}: {e} became {a}")),
    }
}

fn same_number(a: &Number, b: &Number) -> bool {
    match (a.as_i64(), b.as_i64(), a.as_u64(), b.as_u64()) {
        (Some(x), Some(y), _, _) => x == y,
        (_, _, Some(x), Some(y)) => x == y,
        _ => a.as_f64() == b.as_f64(),
    }
}

/// `Ok(unknown members)` when the round trip gives the same JSON up to unknown members.
fn compare(expected: &Value, actual: &Value) -> Result<BTreeSet<String>, String> {
    let mut unknown = BTreeSet::new();
    let mut mismatches = Vec::new();
    diff(expected, actual, "", &mut unknown, &mut mismatches);
    if mismatches.is_empty() {
        Ok(unknown)
    } else {
        Err(format!("the round trip differs: {}", mismatches.join("; ")))
    }
}

// ---------------------------------------------------------------------------------------------
// Responses.

/// The example's output (text defects repaired) read through `Client::call`'s parser: its
/// round trip's unknown members and the corrections the response reports. The round trip must
/// give the example's `Response` back, except exactly where a correction says the client filled
/// in a zero value (where the example has nothing or `null`) or read a string of digits as the
/// integer.
fn check_response(
    entry: &Entry,
    example: &Example,
    defects: &[&Defect],
) -> Result<(BTreeSet<String>, Corrected), String> {
    let text = repair_text(&example.output, defects)?;
    let envelope: Value =
        serde_json::from_str(&text).map_err(|e| format!("output is not JSON: {e}"))?;
    let mut response = match envelope {
        Value::Object(mut map) if map.len() == 1 && map.contains_key("Response") => {
            map.remove("Response").expect("checked")
        }
        other => {
            return Err(format!(
                "output is not a {{\"Response\": ...}} envelope: {other}"
            ));
        }
    };
    let (back, corrections) = (entry.response)(text.as_bytes())?;
    for (path, kind) in &corrections {
        let pointer = pointer_of(path);
        let filled = back
            .pointer(&pointer)
            .ok_or_else(|| format!("{path}: corrected ({kind:?}) but absent from the response"))?
            .clone();
        let sent = response.pointer(&pointer).cloned();
        let consistent = match kind {
            CorrectionKind::Missing => sent.is_none() && is_zero(&filled),
            CorrectionKind::Null => sent == Some(Value::Null) && is_zero(&filled),
            CorrectionKind::IntegerFromString => {
                sent.as_ref().and_then(Value::as_str) == Some(filled.to_string().as_str())
            }
            other => return Err(format!("{path}: unexpected correction {other:?}")),
        };
        if !consistent {
            return Err(format!(
                "{path}: reported {kind:?}, but the example sent {sent:?} and the client gives {filled}"
            ));
        }
        set_pointer(&mut response, &pointer, filled)?;
    }
    let unknown = compare(&response, &back)?;
    Ok((unknown, corrections))
}

/// `InstanceSet[0].SizeUsed` to the JSON pointer `/InstanceSet/0/SizeUsed`.
fn pointer_of(path: &str) -> String {
    path.split('.')
        .flat_map(|part| part.split(['[', ']']).filter(|s| !s.is_empty()))
        .map(|s| format!("/{s}"))
        .collect()
}

/// Sets (or adds, in its parent object) the value at a JSON pointer.
fn set_pointer(root: &mut Value, pointer: &str, value: Value) -> Result<(), String> {
    let (parent, key) = pointer.rsplit_once('/').expect("a JSON pointer");
    match root.pointer_mut(parent) {
        Some(Value::Object(map)) => {
            map.insert(key.to_owned(), value);
            Ok(())
        }
        _ => Err(format!("{pointer}: no object to hold it")),
    }
}

/// A zero value: `""`, `0`, `false`, `[]`, or an object of zero values.
fn is_zero(v: &Value) -> bool {
    match v {
        Value::String(s) => s.is_empty(),
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::Bool(b) => !b,
        Value::Array(a) => a.is_empty(),
        Value::Object(m) => m.values().all(is_zero),
        Value::Null => false,
    }
}

// ---------------------------------------------------------------------------------------------
// Requests.

/// The example's request as a JSON object (repaired and, for a GET-style example, with every
/// value converted to its member's type).
fn request_json(example: &Example, spec: &Spec, defects: &[&Defect]) -> Result<Value, String> {
    let text = repair_text(&example.input, defects)?;
    let mut request = if text.starts_with("https://") {
        let strings = parse_query(&example.action, &text)?;
        coerce_object(spec, spec.request_object(&example.action)?, strings, "")?
    } else if text.starts_with("POST ") {
        parse_post(&example.action, &text)?
    } else {
        return Err(format!("input is neither a GET query nor a POST: {text:?}"));
    };
    repair_value(&mut request, defects)?;
    Ok(request)
}

/// `https://redis.tencentcloudapi.com/?Action=X\n&A.0.B=x\n&<Common request parameters>` to
/// `{"A": [{"B": "x"}]}`: parameters are separated by `&` (each may end with a line break), values
/// are percent-decoded, dotted names are members and numeric segments are list indexes.
fn parse_query(action: &str, text: &str) -> Result<Value, String> {
    let query = text
        .strip_prefix("https://redis.tencentcloudapi.com/?")
        .ok_or_else(|| format!("not a query on the Redis endpoint: {text:?}"))?;
    let mut root = Value::Object(Map::new());
    let mut named = false;
    for part in query.split('&') {
        let part = part.strip_suffix('\n').unwrap_or(part);
        let part = part.strip_suffix('\r').unwrap_or(part);
        if part == "<Common request parameters>" {
            continue;
        }
        let (name, raw) = part
            .split_once('=')
            .ok_or_else(|| format!("parameter without '=': {part:?}"))?;
        let value = percent_decode(raw)?;
        if name == "Action" {
            if value != action {
                return Err(format!("the input is for Action={value}"));
            }
            named = true;
            continue;
        }
        let segments: Vec<&str> = name.split('.').collect();
        insert(&mut root, &segments, value).map_err(|e| format!("{name}: {e}"))?;
    }
    if !named {
        return Err("the input has no Action parameter".to_owned());
    }
    Ok(root)
}

fn percent_decode(raw: &str) -> Result<String, String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
                .ok_or_else(|| format!("bad percent escape in {raw:?}"))?;
            let hex = std::str::from_utf8(hex).expect("ASCII");
            out.push(u8::from_str_radix(hex, 16).expect("hex digits"));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| format!("{raw:?} does not decode to UTF-8"))
}

fn insert(slot: &mut Value, segments: &[&str], value: String) -> Result<(), String> {
    let Some((first, rest)) = segments.split_first() else {
        if !slot.is_null() {
            return Err("given twice".to_owned());
        }
        *slot = Value::String(value);
        return Ok(());
    };
    if !first.is_empty() && first.bytes().all(|b| b.is_ascii_digit()) {
        let index: usize = first.parse().map_err(|_| format!("bad index {first}"))?;
        if slot.is_null() {
            *slot = Value::Array(Vec::new());
        }
        let list = slot
            .as_array_mut()
            .ok_or_else(|| format!("index {index} of a non-list"))?;
        if index == list.len() {
            list.push(Value::Null);
        } else if index > list.len() {
            return Err(format!("index {index} after {} elements", list.len()));
        }
        insert(&mut list[index], rest, value)
    } else {
        if slot.is_null() {
            *slot = Value::Object(Map::new());
        }
        let object = slot
            .as_object_mut()
            .ok_or_else(|| format!("member {first} of a non-object"))?;
        insert(
            object.entry(first.to_string()).or_insert(Value::Null),
            rest,
            value,
        )
    }
}

/// Converts the strings of a GET-style object to the types its spec object declares. Members the
/// spec does not know are kept as they are (the round trip then reports them as unknown).
fn coerce_object(spec: &Spec, object: &str, value: Value, path: &str) -> Result<Value, String> {
    let Value::Object(map) = value else {
        return Err(format!(
            "{path}: expected an object ({object}), got {value}"
        ));
    };
    let mut out = Map::new();
    for (key, value) in map {
        let child = format!("{path}/{key}");
        let coerced = match spec.member(object, &key) {
            None => value,
            Some(member) => {
                let element = member["member"].as_str().expect("member");
                if member["type"] == "list" {
                    let Value::Array(items) = value else {
                        return Err(format!("{child}: a list given without indexes: {value}"));
                    };
                    let items = items
                        .into_iter()
                        .map(|item| coerce_element(spec, element, item, &child))
                        .collect::<Result<Vec<_>, _>>()?;
                    Value::Array(items)
                } else {
                    coerce_element(spec, element, value, &child)?
                }
            }
        };
        out.insert(key, coerced);
    }
    Ok(Value::Object(out))
}

fn coerce_element(spec: &Spec, element: &str, value: Value, path: &str) -> Result<Value, String> {
    let text = match (&value, element) {
        (Value::Object(_), _) => return coerce_object(spec, element, value, path),
        (Value::String(text), _) => text.as_str(),
        _ => return Err(format!("{path}: expected a {element} value, got {value}")),
    };
    let bad = || format!("{path}: {text:?} is not a {element}");
    Ok(match element {
        "string" => value.clone(),
        "int64" => Value::from(text.parse::<i64>().map_err(|_| bad())?),
        "uint64" => Value::from(text.parse::<u64>().map_err(|_| bad())?),
        "float" => Value::from(text.parse::<f64>().map_err(|_| bad())?),
        "bool" => match text {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => return Err(bad()),
        },
        _ => {
            return Err(format!(
                "{path}: expected an object ({element}), got {value}"
            ));
        }
    })
}

/// `POST / HTTP/1.1\nHost: ...\nX-TC-Action: X\n<Common request parameters>\n\n{...}`: the
/// JSON body, taken as it is.
fn parse_post(action: &str, text: &str) -> Result<Value, String> {
    let (head, body) = text
        .split_once("<Common request parameters>")
        .ok_or("no <Common request parameters> before the body")?;
    let named = head
        .split_once("X-TC-Action: ")
        .map(|(_, rest)| rest.split('\n').next().unwrap_or("").trim())
        .ok_or("no X-TC-Action header")?;
    if named != action {
        return Err(format!("the input is for X-TC-Action: {named}"));
    }
    let body: Value =
        serde_json::from_str(body.trim()).map_err(|e| format!("body is not JSON: {e}"))?;
    if !body.is_object() {
        return Err(format!("body is not an object: {body}"));
    }
    Ok(body)
}

fn check_request(
    entry: &Entry,
    example: &Example,
    spec: &Spec,
    defects: &[&Defect],
) -> Result<BTreeSet<String>, String> {
    let request = request_json(example, spec, defects)?;
    let back = (entry.request)(request.clone())?;
    compare(&request, &back)
}

// ---------------------------------------------------------------------------------------------
// The tests.

/// Checks every example's `part`; returns the number that pass and `action: path` for each
/// unknown member, and panics with every failure.
fn check_all(part: Part) -> (usize, BTreeSet<String>, BTreeSet<Fix>) {
    let table = table();
    let spec = Spec::load();
    let examples = examples();
    assert_eq!(examples.len(), EXAMPLE_COUNT, "examples in the fixture");
    let mut passed = 0;
    let mut unknown = BTreeSet::new();
    let mut corrected = BTreeSet::new();
    let mut failures = Vec::new();
    for example in &examples {
        let entry = entry_for(&table, &example.action);
        let defects: Vec<&Defect> = example.defects(part).collect();
        let result = match part {
            Part::Input => check_request(entry, example, &spec, &defects),
            Part::Output => check_response(entry, example, &defects).map(|(members, fixes)| {
                corrected.extend(fixes.into_iter().map(|(path, kind)| {
                    (
                        example.action.clone(),
                        example.index,
                        path,
                        format!("{kind:?}"),
                    )
                }));
                members
            }),
        };
        match result {
            Ok(members) => {
                passed += 1;
                unknown.extend(
                    members
                        .into_iter()
                        .map(|m| format!("{}: {m}", example.action)),
                );
            }
            Err(e) => failures.push(format!("{}: {e}", example.label())),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} examples fail ({part:?}):\n{}",
        failures.len(),
        examples.len(),
        failures.join("\n")
    );
    (passed, unknown, corrected)
}

/// `(action, example, path, kind)` of one correction.
type Fix = (String, usize, String, String);

fn expected_unknown(part: Part) -> BTreeSet<String> {
    UNKNOWN_MEMBERS
        .iter()
        .filter(|(p, ..)| *p == part)
        .map(|(_, action, path, _reason)| format!("{action}: {path}"))
        .collect()
}

#[test]
fn the_table_covers_every_action_of_the_fixture() {
    let table = table();
    let names: BTreeSet<&str> = table.iter().map(|e| e.name).collect();
    assert_eq!(names.len(), table.len(), "an action is in the table twice");
    let file = read_json("tests/fixtures/redis-v20180412-examples.json");
    let fixture: BTreeSet<&str> = file["actions"]
        .as_object()
        .expect("actions")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(names, fixture);
    assert_eq!(names.len(), 123);
    for entry in &table {
        assert_eq!(entry.request_type, format!("{}Request", entry.name));
        assert!(
            entry
                .response_type
                .ends_with(&format!("::{}Response", entry.name)),
            "{} answers with {}",
            entry.name,
            entry.response_type
        );
    }
}

#[test]
fn every_example_response_decodes_through_the_clients_parser() {
    let (passed, unknown, corrected) = check_all(Part::Output);
    assert_eq!(passed, EXAMPLE_COUNT, "examples whose response decodes");
    assert_eq!(
        unknown,
        expected_unknown(Part::Output),
        "response members the types lack"
    );
    let expected: BTreeSet<Fix> = CORRECTED
        .iter()
        .map(|(action, index, path, kind)| {
            (
                action.to_string(),
                *index,
                path.to_string(),
                format!("{kind:?}"),
            )
        })
        .collect();
    assert_eq!(
        corrected,
        expected,
        "what the client corrects in the official examples ({} corrections, {} expected)",
        corrected.len(),
        expected.len()
    );
}

#[test]
fn every_example_request_round_trips_through_its_type() {
    let (passed, unknown, _) = check_all(Part::Input);
    assert_eq!(passed, EXAMPLE_COUNT);
    assert_eq!(
        unknown,
        expected_unknown(Part::Input),
        "request members the types lack"
    );
}

#[test]
fn every_listed_defect_is_still_needed() {
    // 3 outputs that are not JSON, 4 inputs; changing the list means changing this count too.
    assert_eq!(DEFECTS.len(), 7, "the list of known defects changed");
    let keys: BTreeSet<(&str, usize, &str, &str)> = DEFECTS
        .iter()
        .map(|d| (d.action, d.example, d.field, d.reason))
        .collect();
    assert_eq!(keys.len(), DEFECTS.len(), "a defect is listed twice");
    let table = table();
    let spec = Spec::load();
    let examples = examples();
    for (i, defect) in DEFECTS.iter().enumerate() {
        assert!(!defect.reason.is_empty());
        let example = examples
            .iter()
            .find(|e| e.action == defect.action && e.index == defect.example)
            .unwrap_or_else(|| panic!("{defect:?}: no such example"));
        let entry = entry_for(&table, &example.action);
        let others: Vec<&Defect> = example
            .defects(defect.part)
            .filter(|d| !std::ptr::eq(*d, &DEFECTS[i]))
            .collect();
        let all: Vec<&Defect> = example.defects(defect.part).collect();
        let with = match defect.part {
            Part::Input => check_request(entry, example, &spec, &all),
            Part::Output => check_response(entry, example, &all).map(|(unknown, _)| unknown),
        };
        assert!(
            with.is_ok(),
            "{defect:?}: the repaired example fails: {with:?}"
        );
        let without = match defect.part {
            Part::Input => check_request(entry, example, &spec, &others),
            Part::Output => check_response(entry, example, &others).map(|(unknown, _)| unknown),
        };
        assert!(
            without.is_err(),
            "{defect:?} is no longer needed: the example passes without its repair"
        );
    }
}

#[test]
fn the_clean_up_instance_example() {
    use tc_redis::{CleanUpInstanceRequest, CleanUpInstanceResponse};
    let spec = Spec::load();
    let examples = examples();
    let example = examples
        .iter()
        .find(|e| e.action == "CleanUpInstance")
        .expect("a CleanUpInstance example");
    let request: CleanUpInstanceRequest =
        serde_json::from_value(request_json(example, &spec, &[]).unwrap()).unwrap();
    assert_eq!(request, CleanUpInstanceRequest::new("crs-5a4py64p"));
    assert_eq!(request.instance_id, "crs-5a4py64p");
    let response = tc_redis::response::parse::<
        CleanUpInstanceResponse,
        tc_redis::CleanUpInstanceErrorCode,
    >(200, example.output.as_bytes())
    .unwrap();
    assert_eq!(response.task_id, Some(10856));
    assert!(
        response.corrections().is_empty(),
        "{}",
        response.corrections()
    );
}

/// Reads an action's first example output as `Client::call` does.
fn read_example<R: Action>(action: &str) -> R::Response {
    let examples = examples();
    let example = examples
        .iter()
        .find(|e| e.action == action)
        .unwrap_or_else(|| panic!("no {action} example"));
    let defects: Vec<&Defect> = example.defects(Part::Output).collect();
    let text = repair_text(&example.output, &defects).unwrap();
    tc_redis::response::parse::<R::Response, R::ErrorCode>(200, text.as_bytes())
        .unwrap_or_else(|e| panic!("{action}: {e}"))
}

/// Identifiers and handles are never invented: an example that omits one reads as `None` (not
/// `0` or `""`), and one sent as a string of digits reads as the integer. Deprecated members the
/// examples omit read as `None` too.
#[test]
fn identifiers_and_deprecated_members_the_examples_omit_read_as_none() {
    use tc_redis::*;
    let startup = read_example::<StartupInstanceRequest>("StartupInstance");
    assert_eq!(startup.task_id, None, "StartupInstance: {startup:?}");
    assert!(startup.corrections().is_empty());
    let deal_ids = [
        read_example::<DestroyPrepaidInstanceRequest>("DestroyPrepaidInstance").deal_id,
        read_example::<RenewInstanceRequest>("RenewInstance").deal_id,
        read_example::<UpgradeInstanceRequest>("UpgradeInstance").deal_id,
        read_example::<UpgradeInstanceVersionRequest>("UpgradeInstanceVersion").deal_id,
    ];
    assert_eq!(
        deal_ids,
        [None, None, None, None],
        "DealId of the four orders"
    );
    // The order is still reported by the member the examples do send.
    let renew = read_example::<RenewInstanceRequest>("RenewInstance");
    assert!(
        renew.deal_name.as_deref().is_some_and(|d| !d.is_empty()),
        "{renew:?}"
    );

    let postpaid = read_example::<DestroyPostpaidInstanceRequest>("DestroyPostpaidInstance");
    assert_eq!(postpaid.task_id, Some(6954227));
    let zones = read_example::<UpgradeVersionToMultiAvailabilityZonesRequest>(
        "UpgradeVersionToMultiAvailabilityZones",
    );
    assert_eq!(zones.flow_id, Some(140171780));

    let instances = read_example::<DescribeInstancesRequest>("DescribeInstances");
    assert_eq!(instances.instance_set[0].size_used, None);
    assert!(
        instances.corrections().is_empty(),
        "{}",
        instances.corrections()
    );
    let backup = read_example::<DescribeBackupUrlRequest>("DescribeBackupUrl");
    assert_eq!(
        (backup.download_url, backup.inner_download_url),
        (None, None)
    );
    let replica = read_example::<EnableReplicaReadonlyRequest>("EnableReplicaReadonly");
    assert_eq!(replica.status, None);
    let slow = read_example::<DescribeSlowLogRequest>("DescribeSlowLog");
    assert_eq!(slow.instance_slowlog_detail, None);
    assert!(!slow.instance_slow_log_detail.is_empty(), "{slow:?}");

    // A zero-filled member reads as its zero value, reported.
    let params = read_example::<DescribeInstanceParamsRequest>("DescribeInstanceParams");
    assert_eq!(params.instance_enum_param[2].param_name, "");
    assert_eq!(
        params.corrections().to_string(),
        "InstanceEnumParam[2].ParamName: missing, read as its zero value"
    );
}

/// A common code (`api-spec/common.json`) reads as the same `CommonErrorCode` in every action of
/// the whole API, and gives back its own text; a code no spec lists stays itself, not common.
#[test]
fn every_common_code_reads_the_same_in_every_action() {
    let common: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../api-spec/common.json"
        ))
        .expect("read api-spec/common.json"),
    )
    .expect("common.json is JSON");
    let codes: Vec<&str> = common["common_error_codes"]
        .as_array()
        .expect("a list of codes")
        .iter()
        .map(|c| c["code"].as_str().expect("a code"))
        .collect();
    assert_eq!(codes.len(), 39, "the common codes of API 3.0");
    let table = table();
    for code in &codes {
        let expected = CommonErrorCode::from_code(code).expect("a common code");
        assert_eq!(expected.as_str(), *code);
        for entry in &table {
            assert_eq!(
                (entry.code)(code),
                (Some(expected), code.to_string()),
                "{code} in {}",
                entry.name
            );
        }
    }
    for entry in &table {
        let unknown = "FailedOperation.NoSuchCodeAnywhere";
        assert_eq!(
            (entry.code)(unknown),
            (None, unknown.to_owned()),
            "{}",
            entry.name
        );
    }
}
