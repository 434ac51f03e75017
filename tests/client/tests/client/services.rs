//! One client, actions of two services: each call is routed, versioned and signed by its own
//! action's service (`redis` and `sts`), and an action the spec marks `skip_sign` is sent with
//! `Authorization: SKIP` without asking the credentials provider.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tc_redis::credentials::{CredentialsError, ProvideCredentials};
use tc_redis::sts::{AssumeRoleRequest, AssumeRoleWithWebIdentityRequest};
use tc_redis::transport::{HttpRequest, HttpResponse, Transport};
use tc_redis::{Action, CleanUpInstanceRequest, Client, Credentials};
use tc_redis_fake::support::credentials;

/// (url, headers) of each request sent.
type Sent = Vec<(String, Vec<(String, String)>)>;

/// Records what is sent and answers what the action expects.
#[derive(Debug, Clone, Default)]
struct Recorder(Arc<Mutex<Sent>>);

impl Transport for Recorder {
    fn send(&self, r: &HttpRequest<'_>) -> Result<HttpResponse, tc_redis::TransportError> {
        let headers: Vec<(String, String)> = r
            .headers
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let action = headers
            .iter()
            .find(|(k, _)| k == "X-TC-Action")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        self.0.lock().unwrap().push((r.url.to_owned(), headers));
        let body = if action.starts_with("AssumeRole") {
            r#"{"Response":{"Credentials":{"Token":"t","TmpSecretId":"AKIDtmp","TmpSecretKey":"k"},"ExpiredTime":1900000000,"Expiration":"2030-03-17T17:46:40Z","RequestId":"r-sts"}}"#
        } else {
            r#"{"Response":{"TaskId":1,"RequestId":"r-redis"}}"#
        };
        Ok(HttpResponse {
            status: 200,
            date: None,
            body: body.as_bytes().to_vec(),
        })
    }
}

/// Counts how often it is asked.
#[derive(Debug)]
struct Counting(Arc<AtomicUsize>, Credentials);

impl ProvideCredentials for Counting {
    fn provide(&self) -> Result<Credentials, CredentialsError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Ok(self.1.clone())
    }

    fn name(&self) -> &'static str {
        "counting"
    }
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

#[test]
fn each_action_goes_to_its_service_with_its_version_and_scope() {
    let recorder = Recorder::default();
    let asked = Arc::new(AtomicUsize::new(0));
    let token = credentials().with_token("session-token").unwrap();
    let client = Client::builder()
        .region("ap-shanghai-fsi")
        .transport(recorder.clone())
        .credentials_provider(Counting(Arc::clone(&asked), token))
        .build()
        .unwrap();
    client
        .clean_up_instance(&CleanUpInstanceRequest::new("crs-5a4py64p"))
        .unwrap();
    client
        .call(&AssumeRoleRequest::new("qcs::cam::uin/1:roleName/r", "s"))
        .unwrap();
    let reply = client
        .call(&AssumeRoleWithWebIdentityRequest::new(
            "provider",
            "eyJ.token.sig",
            "qcs::cam::uin/1:roleName/r",
            "s",
        ))
        .unwrap();
    assert_eq!(reply.credentials.tmp_secret_id.as_deref(), Some("AKIDtmp"));
    assert_eq!(
        client.endpoint_for::<AssumeRoleRequest>(),
        "https://sts.ap-shanghai-fsi.tencentcloudapi.com/"
    );

    let sent = recorder.0.lock().unwrap();
    let expect = [
        (
            <CleanUpInstanceRequest as Action>::SERVICE,
            <CleanUpInstanceRequest as Action>::VERSION,
        ),
        (
            <AssumeRoleRequest as Action>::SERVICE,
            <AssumeRoleRequest as Action>::VERSION,
        ),
    ];
    for ((url, headers), (service, version)) in sent.iter().zip(expect) {
        // Financial zones get their own host for every service.
        assert_eq!(
            url,
            &format!("https://{service}.ap-shanghai-fsi.tencentcloudapi.com/")
        );
        assert_eq!(header(headers, "X-TC-Version"), Some(version));
        let auth = header(headers, "Authorization").unwrap();
        assert!(auth.contains(&format!("/{service}/tc3_request")), "{auth}");
        assert_eq!(header(headers, "X-TC-Token"), Some("session-token"));
    }
    assert_eq!((expect[0].0, expect[1].0), ("redis", "sts"));

    let (url, headers) = &sent[2];
    assert_eq!(url, "https://sts.ap-shanghai-fsi.tencentcloudapi.com/");
    assert_eq!(header(headers, "Authorization"), Some("SKIP"));
    assert_eq!(
        header(headers, "X-TC-Token"),
        None,
        "no credentials when unsigned"
    );
    assert_eq!(
        asked.load(Ordering::SeqCst),
        2,
        "the provider is asked for the two signed calls only"
    );
}
