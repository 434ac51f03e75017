//! The API 3.0 answer: error codes with their messages in both languages, and the `Response`
//! envelope around them.

use serde_json::{Map, Value, json};

/// The language of error messages, from `X-TC-Language` (`zh-CN` by default, as the server does).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    Zh,
    En,
}

impl Lang {
    pub(crate) fn from_header(value: Option<&str>) -> Lang {
        match value {
            Some(v) if v.eq_ignore_ascii_case("en-US") => Lang::En,
            _ => Lang::Zh,
        }
    }
}

/// An error answer: a code from Tencent's tables and an optional English detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub(crate) code: String,
    pub(crate) detail: Option<String>,
}

impl ApiError {
    pub(crate) fn new(code: &str) -> ApiError {
        ApiError {
            code: code.to_owned(),
            detail: None,
        }
    }

    pub(crate) fn with(code: &str, detail: impl Into<String>) -> ApiError {
        ApiError {
            code: code.to_owned(),
            detail: Some(detail.into()),
        }
    }

    /// The message: the code's description in `lang`, then the detail.
    pub(crate) fn message(&self, lang: Lang) -> String {
        let (zh, en) = describe(&self.code);
        let base = if lang == Lang::En { en } else { zh };
        match &self.detail {
            Some(d) if lang == Lang::En => format!("{base} ({d})"),
            Some(d) => format!("{base}（{d}）"),
            None => base.to_owned(),
        }
    }
}

/// The (zh-CN, en-US) descriptions Tencent publishes for each code the fake answers, from
/// Tencent's common error-code tables (<https://www.tencentcloud.com/document/product/213/33281>,
/// <https://cloud.tencent.com/document/product/213/30435>) and the Redis codes of the official
/// SDKs' `errorcodes.py` (as in `codegen/tests/fixtures/redis-errorcodes.json`).
fn describe(code: &str) -> (&'static str, &'static str) {
    match code {
        "AuthFailure.InvalidAuthorization" => (
            "请求头部的`Authorization`不符合腾讯云标准。",
            "`Authorization` in the request header is invalid.",
        ),
        "AuthFailure.SecretIdNotFound" => (
            "密钥不存在。请在控制台检查密钥是否已被删除或者禁用，如状态正常，请检查密钥是否填写正确，注意前后不得有空格。",
            "Key does not exist. Check if the key has been deleted or disabled in the console, and if not, check if the key is correctly entered. Note that whitespaces should not exist before or after the key.",
        ),
        "AuthFailure.SignatureExpire" => (
            "签名过期。Timestamp和服务器时间相差不得超过五分钟，请检查本地时间是否和标准时间同步。",
            "Signature expired. Timestamp and server time cannot differ by more than five minutes. Please ensure your current local time matches the standard time.",
        ),
        "AuthFailure.SignatureFailure" => (
            "签名错误。签名计算错误，请对照调用方式中的签名方法文档检查签名计算过程。",
            "Invalid signature. Signature calculation error. Please ensure you've followed the signature calculation process described in the Signature API documentation.",
        ),
        "AuthFailure.TokenFailure" => ("token错误。", "Token error."),
        "AuthFailure.UnauthorizedOperation" => (
            "请求未授权。请参考[CAM](https://cloud.tencent.com/document/product/598)文档对鉴权的说明。",
            "The request is not authorized. For more information, see the [CAM](https://www.tencentcloud.com/document/product/598) documentation.",
        ),
        "InvalidAction" => ("接口不存在。", "The API does not exist."),
        "NoSuchVersion" => ("接口版本不存在。", "The API version does not exist."),
        "MissingParameter" => ("缺少参数。", "A parameter is missing."),
        "UnsupportedRegion" => (
            "接口不支持所传地域。",
            "API does not support the requested region.",
        ),
        "UnsupportedProtocol" => (
            "http(s)请求协议错误，只支持GET和POST请求。",
            "HTTP(S) request protocol error; only GET and POST requests are supported.",
        ),
        "RequestLimitExceeded" => (
            "请求的次数超过了频率限制。",
            "The number of requests exceeds the frequency limit.",
        ),
        "InvalidParameter" => (
            "参数错误（包括参数格式、类型等错误）。",
            "Incorrect parameter.",
        ),
        "InvalidParameter.EmptyParam" => ("参数为空。", "The parameter is empty."),
        "InvalidParameter.InvalidParameter" => ("业务参数错误。", "Invalid business parameter."),
        "UnknownParameter" => (
            "未知参数错误，用户多传未定义的参数会导致错误。",
            "Unknown parameter.",
        ),
        "ResourceNotFound.InstanceNotExists" => (
            "根据 serialId 没有找到对应 redis。",
            "No Redis instance is found by the serialId.",
        ),
        "ResourceUnavailable.InstanceStatusAbnormal" => (
            "redis 状态异常，不能执行对应流程。",
            "The Redis status is exceptional, and the corresponding process cannot be executed.",
        ),
        "InternalError" => ("内部错误。", "Internal error."),
        // STS, from the official Python SDK's `tencentcloud/sts/v20180813/errorcodes.py`.
        "ResourceNotFound.RoleNotFound" => (
            "账号对应的角色不存在。",
            "The role of the account does not exist.",
        ),
        "InvalidParameter.WebIdentityTokenError" => (
            "WebIdentityToken参数错误。",
            "The WebIdentityToken parameter is invalid.",
        ),
        "InvalidParameter.OverTimeError" => {
            ("过期时间超过阈值。", "The expiry exceeds the threshold.")
        }
        _ => ("请求失败。", "The request failed."),
    }
}

/// `{"Response":{"Error":{"Code":..,"Message":..},"RequestId":..}}`.
pub(crate) fn error(err: &ApiError, lang: Lang, request_id: &str) -> Vec<u8> {
    json!({"Response": {
        "Error": {"Code": err.code, "Message": err.message(lang)},
        "RequestId": request_id,
    }})
    .to_string()
    .into_bytes()
}

/// `{"Response":{<fields>,"RequestId":..}}`.
pub(crate) fn success(mut fields: Map<String, Value>, request_id: &str) -> Vec<u8> {
    fields.insert("RequestId".to_owned(), Value::from(request_id));
    json!({ "Response": fields }).to_string().into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_messages_are_ascii_and_chinese_are_not() {
        for code in [
            "AuthFailure.SignatureFailure",
            "InvalidParameter.EmptyParam",
            "Foo",
        ] {
            let e = ApiError::with(code, "detail");
            assert!(e.message(Lang::En).is_ascii(), "{code}");
            assert!(!e.message(Lang::Zh).is_ascii(), "{code}");
        }
    }

    #[test]
    fn envelope_shape() {
        let body = error(&ApiError::new("InvalidAction"), Lang::En, "id");
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["Response"]["Error"]["Code"], "InvalidAction");
        assert_eq!(v["Response"]["RequestId"], "id");
    }
}
