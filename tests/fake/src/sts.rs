//! The fake's STS (service `sts`, version `2018-08-13`): `AssumeRole`, signed by any key pair
//! the fake accepts with service `sts` in its credential scope, and `AssumeRoleWithWebIdentity`,
//! unsigned, which checks the provider, token and role against what the test configured. Both
//! issue temporary credentials that the fake then accepts, with their token, for Redis calls
//! until they expire.
//!
//! Codes as Tencent's STS documents them (`tencentcloud/sts/v20180813/errorcodes.py` of the
//! official Python SDK): `ResourceNotFound.RoleNotFound`,
//! `InvalidParameter.WebIdentityTokenError`, `InvalidParameter.OverTimeError`.

use crate::api::{self, Kind, Param, Service};
use crate::auth::{self, Secret};
use crate::config::FakeConfig;
use crate::envelope::ApiError;
use crate::http::Request;
use crate::rng::Rng;
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::sync::Mutex;

/// The STS version served.
pub(crate) const VERSION: &str = "2018-08-13";
/// The service in a signed STS call's credential scope.
const SERVICE: &str = "sts";
/// STS's default and largest `DurationSeconds`.
const DEFAULT_DURATION: u64 = 7_200;
const MAX_DURATION: u64 = 43_200;

const ASSUME_ROLE: &[Param] = &[
    ("RoleArn", Kind::String, true),
    ("RoleSessionName", Kind::String, true),
    ("DurationSeconds", Kind::UInt, false),
    ("Policy", Kind::String, false),
    ("ExternalId", Kind::String, false),
    ("SourceIdentity", Kind::String, false),
];

const WEB_IDENTITY: &[Param] = &[
    ("ProviderId", Kind::String, true),
    ("WebIdentityToken", Kind::String, true),
    ("RoleArn", Kind::String, true),
    ("RoleSessionName", Kind::String, true),
    ("DurationSeconds", Kind::UInt, false),
];

/// A web identity the fake accepts: (provider id, token, role ARN).
pub(crate) type WebIdentity = (String, String, String);

/// What the test configured, and the credentials issued so far.
pub(crate) struct Sts {
    roles: Vec<String>,
    web_identities: Vec<WebIdentity>,
    expiry_offset: Option<i64>,
    rng: Rng,
    issued: Mutex<HashMap<String, Secret>>,
}

impl Sts {
    pub(crate) fn new(config: &FakeConfig) -> Sts {
        Sts {
            roles: config.sts_roles.clone(),
            web_identities: config.web_identities.clone(),
            expiry_offset: config.sts_expiry_offset,
            rng: Rng::new(),
            issued: Mutex::new(HashMap::new()),
        }
    }

    /// Temporary credentials this STS issued (expired ones too: the signature check reports them).
    pub(crate) fn issued(&self, id: &str) -> Option<Secret> {
        self.lock().get(id).cloned()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Secret>> {
        self.issued.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The answer when `req` is an STS action, `None` for everything else.
    pub(crate) fn handle(
        &self,
        service: &Service,
        req: &Request,
    ) -> Option<Result<Map<String, Value>, ApiError>> {
        let action = req.header("x-tc-action")?;
        let params = match action {
            "AssumeRole" => ASSUME_ROLE,
            "AssumeRoleWithWebIdentity" => WEB_IDENTITY,
            _ => return None,
        };
        Some(self.answer(service, req, action, params))
    }

    fn answer(
        &self,
        service: &Service,
        req: &Request,
        action: &str,
        spec: &[Param],
    ) -> Result<Map<String, Value>, ApiError> {
        let now = service.now();
        // AssumeRoleWithWebIdentity is taken unsigned (`Authorization: SKIP`): the token is the
        // proof. AssumeRole is signed like any call, for service `sts`.
        if action == "AssumeRole" {
            auth::verify(req, &|id| service.secret(id), now, SERVICE)?;
        }
        let version = api::common(req, "x-tc-version", "X-TC-Version")?;
        if version != VERSION {
            return Err(ApiError::with(
                "NoSuchVersion",
                format!("`{version}`; sts has {VERSION}"),
            ));
        }
        let region = api::common(req, "x-tc-region", "X-TC-Region")?;
        if !service.serves_region(region) {
            return Err(ApiError::with("UnsupportedRegion", format!("`{region}`")));
        }
        let params = api::parse_params(req)?;
        api::validate(&params, spec)?;
        let text = |name: &str| params[name].as_str().unwrap_or_default().to_owned();
        let role_arn = text("RoleArn");
        let duration = match params.get("DurationSeconds") {
            Some(v) => v
                .as_u64()
                .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
                .unwrap_or(0),
            None => DEFAULT_DURATION,
        };
        if duration == 0 || duration > MAX_DURATION {
            return Err(ApiError::with(
                "InvalidParameter.OverTimeError",
                format!("DurationSeconds {duration} is outside 1..={MAX_DURATION}"),
            ));
        }
        if action == "AssumeRole" {
            if !self.roles.contains(&role_arn) {
                return Err(ApiError::with(
                    "ResourceNotFound.RoleNotFound",
                    format!("no role `{role_arn}`"),
                ));
            }
        } else {
            let (provider, token) = (text("ProviderId"), text("WebIdentityToken"));
            let known = self.web_identities.iter().any(|(p, t, r)| {
                *p == provider && tc_redis::sign::constant_time_eq(t, &token) && *r == role_arn
            });
            if !known {
                return Err(ApiError::with(
                    "InvalidParameter.WebIdentityTokenError",
                    format!(
                        "the token is not valid for provider `{provider}` and role `{role_arn}`"
                    ),
                ));
            }
        }
        let expired_time = match self.expiry_offset {
            Some(offset) => (now as i64).saturating_add(offset),
            None => (now + duration) as i64,
        };
        let id = format!("AKIDsts{}", self.rng.uuid_v4().replace('-', ""));
        let key = self.rng.uuid_v4().replace('-', "");
        let token = format!("stsToken{}", self.rng.uuid_v4().replace('-', ""));
        self.lock().insert(
            id.clone(),
            Secret {
                key: key.clone(),
                token: Some(token.clone()),
                expires: Some(u64::try_from(expired_time).unwrap_or(0)),
            },
        );
        let expiration = iso8601(expired_time);
        let fields = json!({
            "Credentials": { "Token": token, "TmpSecretId": id, "TmpSecretKey": key },
            "ExpiredTime": expired_time,
            "Expiration": expiration,
        });
        Ok(match fields {
            Value::Object(map) => map,
            _ => Map::new(),
        })
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ`, the format of STS's `Expiration`.
fn iso8601(unix: i64) -> String {
    let t = u64::try_from(unix).unwrap_or(0).min(253_402_300_799);
    let s = t % 86_400;
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        tc_redis::sign::utc_date(t),
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}
