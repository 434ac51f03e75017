//! Unit tests of `ClientBuilder::profile`: the region from tccli's `<profile>.configure`, and
//! profile names.

use super::ClientBuilder;
use crate::error::ConfigError;
use std::path::PathBuf;

struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Dir {
        let dir =
            std::env::temp_dir().join(format!("tc-redis-client-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Dir(dir)
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn builder(dir: &Dir) -> ClientBuilder {
    ClientBuilder {
        tccli_dir: Some(dir.0.clone()),
        ..ClientBuilder::default()
    }
}

#[test]
fn region_comes_from_the_tccli_profile_when_none_is_set() {
    let dir = Dir::new("region");
    std::fs::write(
        dir.0.join("default.configure"),
        r#"{"_sys_param": {"region": "ap-guangzhou"}}"#,
    )
    .unwrap();
    std::fs::write(
        dir.0.join("prod.configure"),
        r#"{"_sys_param": {"region": "ap-shanghai-fsi"}}"#,
    )
    .unwrap();
    let client = builder(&dir).build().unwrap();
    assert_eq!(client.inner.region.as_deref(), Some("ap-guangzhou"));
    let client = builder(&dir).profile("prod").build().unwrap();
    assert_eq!(client.inner.region.as_deref(), Some("ap-shanghai-fsi"));
    // The region selects the endpoint as if it had been given.
    assert_eq!(
        client.endpoint_for::<crate::CleanUpInstanceRequest>(),
        "https://redis.ap-shanghai-fsi.tencentcloudapi.com/"
    );
    // An explicit region wins.
    let client = builder(&dir).region("ap-beijing").build().unwrap();
    assert_eq!(client.inner.region.as_deref(), Some("ap-beijing"));
    // No configure file: no region, as before.
    let client = builder(&dir).profile("none").build().unwrap();
    assert_eq!(client.inner.region, None);
}

#[test]
fn a_broken_configure_file_or_a_bad_profile_name_is_a_typed_error() {
    let dir = Dir::new("broken");
    let path = dir.0.join("default.configure");
    std::fs::write(&path, "{").unwrap();
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
