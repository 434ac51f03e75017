//! DescribeInstances on the fake, through the generated client: every always-present member of
//! `InstanceSet` is there (the reply deserializes), names, regions and statuses are the fake's,
//! the filters and pages work, and CleanUpInstance moves an instance from -2 to -3.

use tc_redis::{CleanUpInstanceRequest, DescribeInstancesRequest};
use tc_redis_fake::support::client_builder;
use tc_redis_fake::{FakeConfig, FakeServer, InstanceStatus};

fn server() -> FakeServer {
    FakeServer::start(
        FakeConfig::new()
            .instance(
                "crs-bin00001",
                "orders-cache",
                "ap-guangzhou",
                InstanceStatus::InRecycleBin,
            )
            .instance(
                "crs-run00001",
                "web-sessions",
                "ap-guangzhou",
                InstanceStatus::Running,
            )
            .instance(
                "crs-bin00002",
                "old-queue",
                "ap-guangzhou",
                InstanceStatus::InRecycleBin,
            )
            .instance(
                "crs-shbin001",
                "shanghai-cache",
                "ap-shanghai",
                InstanceStatus::InRecycleBin,
            ),
    )
    .unwrap()
}

/// (InstanceId, InstanceName, Status, Region) of each listed instance, and TotalCount.
fn describe(
    server: &FakeServer,
    region: &str,
    edit: impl FnOnce(&mut DescribeInstancesRequest),
) -> (Vec<(String, String, i64, String)>, i64) {
    let client = client_builder(server).region(region).build().unwrap();
    let mut request = DescribeInstancesRequest::new();
    edit(&mut request);
    let reply = client.describe_instances(&request).unwrap();
    let rows = reply
        .instance_set
        .iter()
        .map(|i| {
            (
                i.instance_id
                    .clone()
                    .expect("the fake names every instance"),
                i.instance_name.clone(),
                i.status,
                i.region.clone(),
            )
        })
        .collect();
    (rows, reply.total_count)
}

fn ids(rows: &[(String, String, i64, String)]) -> Vec<&str> {
    rows.iter().map(|r| r.0.as_str()).collect()
}

#[test]
fn lists_the_instances_of_the_region_with_name_and_status() {
    let s = server();
    let (rows, total) = describe(&s, "ap-guangzhou", |_| {});
    assert_eq!(
        rows,
        [
            ("crs-bin00001", "orders-cache", -2, "ap-guangzhou"),
            ("crs-run00001", "web-sessions", 2, "ap-guangzhou"),
            ("crs-bin00002", "old-queue", -2, "ap-guangzhou"),
        ]
        .map(|(a, b, c, d)| (a.to_owned(), b.to_owned(), c, d.to_owned())),
        "the three Guangzhou instances in configuration order"
    );
    assert_eq!(total, 3, "TotalCount {total} for 3 instances");
    let (rows, total) = describe(&s, "ap-shanghai", |_| {});
    assert_eq!(ids(&rows), ["crs-shbin001"], "only Shanghai's: {rows:?}");
    assert_eq!(total, 1, "TotalCount {total}");
}

#[test]
fn filters_by_status_and_ids_and_pages() {
    let s = server();
    let (rows, _) = describe(&s, "ap-guangzhou", |r| r.status = Some(vec![-2]));
    assert_eq!(
        ids(&rows),
        ["crs-bin00001", "crs-bin00002"],
        "the recycle bin: {rows:?}"
    );
    let (rows, total) = describe(&s, "ap-guangzhou", |r| {
        r.instance_ids = Some(vec!["crs-run00001".into(), "crs-nothere1".into()]);
    });
    assert_eq!(ids(&rows), ["crs-run00001"], "{rows:?}");
    assert_eq!(total, 1, "an unknown id is not listed: TotalCount {total}");
    let (rows, total) = describe(&s, "ap-guangzhou", |r| {
        r.limit = Some(2);
        r.offset = Some(2);
    });
    assert_eq!(
        ids(&rows),
        ["crs-bin00002"],
        "the second page of two: {rows:?}"
    );
    assert_eq!(total, 3, "TotalCount counts every page: {total}");
}

#[test]
fn a_cleaned_up_instance_shows_to_be_deleted_and_other_regions_do_not_find_it() {
    let s = server();
    let client = client_builder(&s).build().unwrap();
    client
        .clean_up_instance(&CleanUpInstanceRequest::new("crs-bin00001"))
        .unwrap();
    let (rows, _) = describe(&s, "ap-guangzhou", |r| {
        r.instance_id = Some("crs-bin00001".into());
    });
    assert_eq!(rows[0].2, -3, "status after cleanup: {rows:?}");
    // The real API scopes instances by region: Shanghai's instance is not found in Guangzhou.
    let err = client
        .clean_up_instance(&CleanUpInstanceRequest::new("crs-shbin001"))
        .unwrap_err();
    assert_eq!(
        err.code().map(|c| c.as_str()),
        Some("ResourceNotFound.InstanceNotExists"),
        "{err}"
    );
    assert_eq!(
        s.instance("crs-shbin001"),
        Some(InstanceStatus::InRecycleBin)
    );
}
