//! How the client reads each member of a reply: the model side of Smithy 2.0's "client error
//! correction" (<https://smithy.io/2.0/spec/aggregate-types.html#client-error-correction>).
//!
//! Tencent's spec marks most reply members `output_required` (always returned) and not
//! `value_allowed_null`, but its own examples omit some of them, send `null`, or send an integer
//! as a string of digits; both official SDKs read every member as optional. A reply that differs
//! from the spec arrives *after* the action ran, so refusing it loses what the caller needs next.
//! The rule, decided here from the spec alone (names, types, descriptions, flags):
//!
//! * `RequestId` of a response object is [`Reply::Strict`]: without it the envelope is not
//!   Tencent's;
//! * a member the spec says may be omitted or `null` is an `Option` ([`Why::MayBeOmitted`],
//!   [`Why::Nullable`]);
//! * an always-returned member that **identifies** something (a task, an order, an instance, a
//!   zone, ...) is an `Option` too ([`Why::Identifier`]): `0` or `""` would look like a real id
//!   (`ProjectId` 0 is the default project), and a caller would act on it (poll task 0);
//! * so is an always-returned member the spec documents as **deprecated or no longer used**, or
//!   hides (`disabled`) ([`Why::Deprecated`]): Tencent may stop sending it any day;
//! * every other always-returned member is plain ([`Reply::ZeroIfAbsent`]): missing or `null`
//!   reads as its zero value (`""`, `0`, `false`, empty list, default structure), and the
//!   response reports the member it filled in.

use crate::ident::snake_case;
use crate::spec::{Element, Member, Object, Spec, Usage};

/// How a member of a reply object is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reply {
    /// A plain field that must be there: the envelope's `RequestId`.
    Strict,
    /// A plain field: missing or `null` reads as the zero value, and is reported.
    ZeroIfAbsent,
    /// An `Option`, for the reason given.
    Optional(Why),
}

/// Why a reply member is an `Option`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Why {
    /// The spec does not say it is always returned.
    MayBeOmitted,
    /// The spec says it may be `null`.
    Nullable,
    /// Always returned per the spec, but it identifies something: never invented.
    Identifier,
    /// Always returned per the spec, but documented as deprecated or no longer used, or hidden.
    Deprecated,
}

impl Why {
    /// The word used in the list of selected members and in the docs.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Why::MayBeOmitted => "may be omitted",
            Why::Nullable => "nullable",
            Why::Identifier => "identifier",
            Why::Deprecated => "deprecated",
        }
    }
}

/// The rule for one member of `object`: in a request/response object (one without `usage`),
/// `RequestId` is the envelope's.
pub(crate) fn classify(member: &Member, object: &Object) -> Reply {
    let in_envelope = object.usage.is_none();
    if in_envelope && member.name == "RequestId" {
        return Reply::Strict;
    }
    if member.output_required != Some(true) {
        return Reply::Optional(Why::MayBeOmitted);
    }
    if member.value_allowed_null {
        return Reply::Optional(Why::Nullable);
    }
    if is_identifier(member) {
        return Reply::Optional(Why::Identifier);
    }
    if is_deprecated(member) {
        return Reply::Optional(Why::Deprecated);
    }
    Reply::ZeroIfAbsent
}

/// A scalar (or list of scalars, booleans aside) named or documented as an id: its name ends in
/// `Id`/`ID`/`Ids`/`IDs` (`TaskId`, `VpcID`, `DealIds`), or its description starts with a phrase
/// that ends in one (`DealName`: "Long order ID, ...", Chinese "长订单ID，...").
fn is_identifier(member: &Member) -> bool {
    let scalar = !matches!(member.ty.element(), Element::Bool | Element::Object(_));
    scalar && (ends_in_id(&member.name) || ends_in_id(first_phrase_last_word(&member.document)))
}

/// Documented as deprecated or unused (English or Chinese wording of Tencent's spec), or
/// `disabled` (hidden from Tencent's documentation).
fn is_deprecated(member: &Member) -> bool {
    member.disabled || deprecation_phrase(&member.document).is_some()
}

/// The sentence of a description that says the member itself is deprecated, if any. A sentence
/// about one of its values ("this monitoring granularity is deprecated") does not count.
fn deprecation_phrase(document: &str) -> Option<String> {
    const SUBJECTS: &[&str] = &[
        "this field",
        "this parameter",
        "the field",
        "the parameter",
        "该字段",
        "该参数",
        "此字段",
        "此参数",
    ];
    const STATES: &[&str] = &[
        "deprecated",
        "disused",
        "no longer used",
        "discarded",
        "obsolete",
        "废弃",
        "弃用",
        "不再使用",
    ];
    const MARKS: &[&str] = &[
        "(deprecated)",
        "(discarded)",
        "(disused)",
        "（已废弃）",
        "（废弃）",
        "已废弃，",
    ];
    let text = strip_tags(document).to_lowercase();
    if let Some(mark) = MARKS.iter().find(|m| text.contains(*m)) {
        return Some((*mark).to_owned());
    }
    text.split(['.', '。', '\n', '!', '！', ';', '；'])
        .map(str::trim)
        .find(|s| SUBJECTS.iter().any(|x| s.contains(x)) && STATES.iter().any(|x| s.contains(x)))
        .map(str::to_owned)
}

/// `Id`, `ID`, `Ids`, `IDs`, or a camel-case name ending in one (`TaskId`, `VpcID`); not
/// `Valid`, `Appid` or `VALID`.
fn ends_in_id(word: &str) -> bool {
    let last = snake_case(word);
    let last = last.rsplit('_').next().unwrap_or_default();
    if last == "id" || last == "ids" {
        return true;
    }
    // `IDs` splits as `i_ds`: look at the raw spelling.
    word.strip_suffix("IDs").is_some_and(|head| {
        !head
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_uppercase())
    })
}

/// The last ASCII word of a description's first phrase (up to its first punctuation mark),
/// tags removed: `"Long order ID, which ..."` -> `"ID"`, `"节点ID"` -> `"ID"`.
fn first_phrase_last_word(document: &str) -> &str {
    let text = document.trim_start();
    let text = strip_leading_tags(text);
    let end = text
        .find([
            '.', ',', ';', ':', '(', '<', '\n', '。', '，', '；', '：', '（',
        ])
        .unwrap_or(text.len());
    let phrase = text[..end].trim_end();
    let start = phrase
        .rfind(|c: char| !c.is_ascii_alphanumeric())
        .map_or(0, |i| {
            i + phrase[i..].chars().next().map_or(1, char::len_utf8)
        });
    &phrase[start..]
}

fn strip_leading_tags(mut text: &str) -> &str {
    while let Some(rest) = text.strip_prefix('<') {
        match rest.find('>') {
            Some(i) => text = rest[i + 1..].trim_start(),
            None => break,
        }
    }
    text
}

fn strip_tags(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// One member the rule makes an `Option` although the spec says it is always returned.
struct Selected {
    object: String,
    member: String,
    why: Why,
    /// What in the spec decided it.
    evidence: String,
}

/// Every member of a reply object (a response, or a data structure used in replies) that the
/// rule selects, in object and member order.
fn selected(spec: &Spec) -> Vec<Selected> {
    let mut out = Vec::new();
    for (name, object) in &spec.objects {
        let reply_object = match object.usage {
            None => spec.actions.values().any(|a| a.output == *name),
            Some(usage) => usage != Usage::In,
        };
        if !reply_object {
            continue;
        }
        for member in &object.members {
            let Reply::Optional(why @ (Why::Identifier | Why::Deprecated)) =
                classify(member, object)
            else {
                continue;
            };
            let evidence = match why {
                Why::Identifier if ends_in_id(&member.name) => "named as an id".to_owned(),
                Why::Identifier => format!(
                    "documented as an id: {:?}",
                    first_phrase_last_word(&member.document)
                ),
                _ => match deprecation_phrase(&member.document) {
                    Some(phrase) => format!("documented: {phrase:?}"),
                    None => "disabled in the spec".to_owned(),
                },
            };
            out.push(Selected {
                object: name.clone(),
                member: member.name.clone(),
                why,
                evidence,
            });
        }
    }
    out
}

impl Spec {
    /// The reply members read as `Option` although the spec says they are always returned
    /// (identifiers, deprecated members: the client error correction rule of the generator), one
    /// a line (`Object.Member  why  evidence`): what a golden test keeps, so that a change to the
    /// rule or the spec shows up as a diff.
    pub fn reply_options_report(&self) -> String {
        selected_report(self)
    }
}

fn selected_report(spec: &Spec) -> String {
    let list = selected(spec);
    let mut out = format!(
        "# Reply members the client reads as Option although the spec says they are always returned\n\
         # (tc-redis-codegen, codegen/src/reply.rs): {} identifiers, {} deprecated or unused.\n",
        list.iter().filter(|s| s.why == Why::Identifier).count(),
        list.iter().filter(|s| s.why == Why::Deprecated).count(),
    );
    for s in &list {
        out.push_str(&format!(
            "{}.{}\t{}\t{}\n",
            s.object,
            s.member,
            s.why.as_str(),
            s.evidence
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::FieldType;

    fn member(name: &str, element: Element, document: &str) -> Member {
        Member {
            name: name.to_owned(),
            ty: FieldType::One(element),
            document: document.to_owned(),
            disabled: false,
            required: false,
            output_required: Some(true),
            value_allowed_null: false,
            example: None,
            sensitive: false,
        }
    }

    /// How `m` is read as a member of a data structure used in replies.
    fn read(m: &Member) -> Reply {
        classify(m, &data(m.clone()))
    }

    fn data(m: Member) -> Object {
        Object {
            document: String::new(),
            members: vec![m],
            usage: Some(Usage::Out),
        }
    }

    #[test]
    fn identifiers_by_name_and_by_description() {
        for (name, doc) in [
            ("TaskId", "Task ID"),
            ("VpcID", ""),
            ("DealIds", ""),
            ("SecurityGroupIDs", ""),
            ("Id", ""),
            (
                "DealName",
                "Long order ID, which is used when an order issue is submitted",
            ),
            (
                "DealName",
                "<p>长订单ID，反馈订单问题给官方客服使用此ID</p>",
            ),
            ("Node", "节点ID"),
            ("Appid", "User AppId. AppId is an application ID"),
        ] {
            let m = member(name, Element::String, doc);
            assert_eq!(read(&m), Reply::Optional(Why::Identifier), "{name}: {doc}");
        }
        for (name, doc) in [
            ("Valid", "Whether it is valid"),
            ("VALID", ""),
            ("Appid", "App"),
            (
                "AddressModule",
                "All the addresses that the address group ID represents.",
            ),
            ("DealName", "Order number."),
        ] {
            let m = member(name, Element::String, doc);
            assert_eq!(read(&m), Reply::ZeroIfAbsent, "{name}: {doc}");
        }
        // A flag is never an id.
        let flag = member("IsId", Element::Bool, "");
        assert_eq!(read(&flag), Reply::ZeroIfAbsent);
    }

    #[test]
    fn deprecated_in_english_and_chinese() {
        for doc in [
            "<p>This field is deprecated. Please use GetMonitorData</p>",
            "This parameter has been disused.",
            "Private network download address. This field will be disused soon.",
            "This parameter is no longer used. Please ignore it.",
            "ERROR: incorrect; OK: correct (discarded).",
            "该字段已废弃，请通过查询实例接口获取到的状态来判断",
            "该参数不再使用，请忽略。",
            "已废弃，该参数存在命名不规范问题，后续用参数InstanceSlowLogDetail取代。",
            "错误：ERROR，正确OK（已废弃）",
            "内网下载地址（6小时内链接有效），该字段正在逐步废弃中。",
        ] {
            let m = member("Size", Element::Float, doc);
            assert_eq!(read(&m), Reply::Optional(Why::Deprecated), "{doc}");
        }
        for doc in [
            "Monitoring version. 1m: this monitoring granularity is deprecated.",
            "Internal parameter, which can be ignored.",
            "节点下线时间。",
        ] {
            let m = member("Size", Element::Float, doc);
            assert_eq!(read(&m), Reply::ZeroIfAbsent, "{doc}");
        }
        let mut hidden = member("Size", Element::Float, "Size");
        hidden.disabled = true;
        assert!(is_deprecated(&hidden));
    }

    #[test]
    fn what_the_spec_allows_to_be_absent_is_optional_and_request_id_is_strict() {
        let mut m = member("Count", Element::Int64, "");
        m.output_required = Some(false);
        assert_eq!(read(&m), Reply::Optional(Why::MayBeOmitted));
        m.output_required = Some(true);
        m.value_allowed_null = true;
        assert_eq!(read(&m), Reply::Optional(Why::Nullable));
        let mut id = member("RequestId", Element::String, "");
        id.output_required = None;
        let mut envelope = data(id.clone());
        envelope.usage = None;
        assert_eq!(classify(&id, &envelope), Reply::Strict);
        assert_eq!(read(&id), Reply::Optional(Why::MayBeOmitted));
    }
}
