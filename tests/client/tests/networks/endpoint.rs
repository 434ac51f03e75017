//! The endpoint a client sends to, from its region, root domain and endpoint settings.

use tc_redis::{Client, ConfigError, DEFAULT_ROOT_DOMAIN, INTL_ROOT_DOMAIN};
use tc_redis_fake::support::credentials;

#[test]
fn root_domain_financial_regions_and_explicit_endpoints_give_these_urls() {
    // (region, root domain, explicit endpoint, expected URL)
    let table: &[(&str, Option<&str>, Option<&str>, &str)] = &[
        (
            "ap-guangzhou",
            None,
            None,
            "https://redis.tencentcloudapi.com/",
        ),
        (
            "ap-guangzhou",
            Some(DEFAULT_ROOT_DOMAIN),
            None,
            "https://redis.tencentcloudapi.com/",
        ),
        (
            "ap-singapore",
            Some(INTL_ROOT_DOMAIN),
            None,
            "https://redis.intl.tencentcloudapi.com/",
        ),
        (
            "ap-singapore",
            Some("Intl.TencentCloudAPI.com"),
            None,
            "https://redis.intl.tencentcloudapi.com/",
        ),
        (
            "ap-shanghai-fsi",
            None,
            None,
            "https://redis.ap-shanghai-fsi.tencentcloudapi.com/",
        ),
        (
            "ap-shenzhen-fsi",
            Some(INTL_ROOT_DOMAIN),
            None,
            "https://redis.ap-shenzhen-fsi.intl.tencentcloudapi.com/",
        ),
        (
            "ap-shanghai-fsi",
            Some("api.example.internal"),
            None,
            "https://redis.ap-shanghai-fsi.api.example.internal/",
        ),
        // An explicit endpoint wins over the root domain and the financial-zone rule.
        (
            "ap-singapore",
            Some(INTL_ROOT_DOMAIN),
            Some("redis.ap-singapore.intl.tencentcloudapi.com"),
            "https://redis.ap-singapore.intl.tencentcloudapi.com/",
        ),
        (
            "ap-shanghai-fsi",
            Some(INTL_ROOT_DOMAIN),
            Some("https://gateway.example.com:8443"),
            "https://gateway.example.com:8443/",
        ),
    ];
    for (region, root, explicit, expected) in table {
        let mut builder = Client::builder()
            .region(*region)
            .credentials(credentials())
            // No proxy from this process's environment can make `build` fail or matter here.
            .proxy("http://127.0.0.1:9");
        if let Some(root) = root {
            builder = builder.root_domain(*root);
        }
        if let Some(endpoint) = explicit {
            builder = builder.endpoint(*endpoint);
        }
        let client = builder.build().unwrap();
        assert_eq!(
            client.endpoint_for::<tc_redis::CleanUpInstanceRequest>(),
            *expected,
            "region {region}, root domain {root:?}, endpoint {explicit:?}"
        );
    }
}

#[test]
fn a_root_domain_that_is_not_a_domain_is_refused_even_under_an_explicit_endpoint() {
    for bad in [
        "",
        "https://intl.tencentcloudapi.com",
        ".intl.tencentcloudapi.com",
        "intl.tencentcloudapi.com/",
        "intl.tencentcloudapi.com:443",
        "intl..tencentcloudapi.com",
        "intl tencentcloudapi.com",
        "-intl.tencentcloudapi.com",
    ] {
        for explicit in [None, Some("https://redis.tencentcloudapi.com")] {
            let mut builder = Client::builder().region("ap-guangzhou").root_domain(bad);
            if let Some(e) = explicit {
                builder = builder.endpoint(e);
            }
            let err = builder.build().unwrap_err();
            assert!(
                matches!(
                    err,
                    ConfigError::InvalidSetting {
                        setting: "root_domain",
                        ..
                    }
                ),
                "{bad:?} (endpoint {explicit:?}): {err:?}"
            );
        }
    }
}
