//! Unit tests of `ClientBuilder::profile`: the region from tccli's `<profile>.configure`, and
//! profile names.

use super::ClientBuilder;
use crate::credentials::ProviderContext;
use crate::env::Env;
use crate::error::ConfigError;
use tc_redis_test_support::TempDir;

/// A builder whose home directory is `home`, and whose environment holds nothing else.
fn builder(home: &TempDir) -> ClientBuilder {
    ClientBuilder::default().provider_context(
        ProviderContext::new().with_env(Env::from_pairs([("HOME", home.path().as_os_str())])),
    )
}

#[test]
fn region_comes_from_the_tccli_profile_when_none_is_set() {
    let dir = TempDir::new("region");
    dir.write(
        ".tccli/default.configure",
        r#"{"_sys_param": {"region": "ap-guangzhou"}}"#,
    );
    dir.write(
        ".tccli/prod.configure",
        r#"{"_sys_param": {"region": "ap-shanghai-fsi"}}"#,
    );
    let client = builder(&dir).build().unwrap();
    assert_eq!(client.pipeline.region(), Some("ap-guangzhou"));
    let client = builder(&dir).profile("prod").build().unwrap();
    assert_eq!(client.pipeline.region(), Some("ap-shanghai-fsi"));
    // The region selects the endpoint as if it had been given.
    assert_eq!(
        client.endpoint_for::<crate::CleanUpInstanceRequest>(),
        "https://redis.ap-shanghai-fsi.tencentcloudapi.com/"
    );
    // An explicit region wins.
    let client = builder(&dir).region("ap-beijing").build().unwrap();
    assert_eq!(client.pipeline.region(), Some("ap-beijing"));
    // No configure file: no region, as before.
    let client = builder(&dir).profile("none").build().unwrap();
    assert_eq!(client.pipeline.region(), None);
}

#[test]
fn a_broken_configure_file_or_a_bad_profile_name_is_a_typed_error() {
    let dir = TempDir::new("broken");
    let path = dir.write(".tccli/default.configure", "{");
    match builder(&dir).build() {
        Err(ConfigError::ProfileRegion { profile, reason }) => {
            assert_eq!(profile, "default");
            assert!(reason.contains(&path.display().to_string()), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    std::fs::write(&path, r#"{"_sys_param": {"region": "Ap Guangzhou"}}"#).unwrap();
    assert!(matches!(
        builder(&dir).build(),
        Err(ConfigError::InvalidRegion(r)) if r == "Ap Guangzhou"
    ));
    for name in ["../etc", "", "a b"] {
        assert!(
            matches!(
                builder(&dir).profile(name).build(),
                Err(ConfigError::InvalidSetting {
                    setting: "profile",
                    ..
                })
            ),
            "{name:?}"
        );
    }
}
