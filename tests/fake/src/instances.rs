//! The instances the fake knows, and DescribeInstances over them: name, region and status
//! (running, isolated in the recycle bin, cleaned up), answered in the official `InstanceSet`
//! shape with every member the spec marks as always present.
//!
//! Filters modelled: `InstanceId`, `InstanceIds`, `Status`, `InstanceName`, `SearchKey` (a
//! substring of the name), `Limit` (default 20, at most 1000) and `Offset`. The other documented
//! parameters are accepted and do not filter (the fake has no VPCs, projects or tags).

use crate::api::Kind;
use crate::config::InstanceStatus;
use crate::envelope::ApiError;
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// DescribeInstances' parameters as the official spec declares them (redis 2018-04-12).
pub(crate) const PARAMS: &[(&str, Kind, bool)] = &[
    ("Limit", Kind::UInt, false),
    ("Offset", Kind::UInt, false),
    ("InstanceId", Kind::String, false),
    ("OrderBy", Kind::String, false),
    ("OrderType", Kind::Int, false),
    ("VpcIds", Kind::Strings, false),
    ("SubnetIds", Kind::Strings, false),
    ("SearchKey", Kind::String, false),
    ("ProjectIds", Kind::Ints, false),
    ("InstanceName", Kind::String, false),
    ("UniqVpcIds", Kind::Strings, false),
    ("UniqSubnetIds", Kind::Strings, false),
    ("RegionIds", Kind::Ints, false),
    ("Status", Kind::Ints, false),
    ("TypeVersion", Kind::Int, false),
    ("EngineName", Kind::String, false),
    ("AutoRenew", Kind::Ints, false),
    ("BillingMode", Kind::String, false),
    ("Type", Kind::Int, false),
    ("SearchKeys", Kind::Strings, false),
    ("TypeList", Kind::Ints, false),
    ("MonitorVersion", Kind::String, false),
    ("InstanceTags", Kind::Objects, false),
    ("TagKeys", Kind::Strings, false),
    ("ProductVersions", Kind::Strings, false),
    ("InstanceIds", Kind::Strings, false),
    ("AzMode", Kind::String, false),
];

/// The documented default and largest page size.
const DEFAULT_LIMIT: u64 = 20;
const MAX_LIMIT: u64 = 1000;

/// One instance the fake knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Instance {
    pub(crate) name: String,
    /// The one region it lives in; `None`: it answers in every region the fake serves.
    pub(crate) region: Option<String>,
    pub(crate) status: InstanceStatus,
    /// Its place in the configuration: DescribeInstances lists in this order.
    pub(crate) order: usize,
}

impl Instance {
    /// Whether a request in `region` can see it (the real API scopes instances by region).
    pub(crate) fn in_region(&self, region: &str) -> bool {
        self.region.as_deref().is_none_or(|r| r == region)
    }
}

/// The API's numeric `Status`: 2 running, -2 isolated (in the recycle bin), -3 to be deleted
/// (what a cleaned-up instance shows until it is gone).
fn status_code(status: InstanceStatus) -> i64 {
    match status {
        InstanceStatus::Running => 2,
        InstanceStatus::InRecycleBin => -2,
        InstanceStatus::CleanedUp => -3,
    }
}

/// The region ids the spec documents for `RegionId` (0 for a region it does not list).
fn region_id(region: &str) -> i64 {
    match region {
        "ap-guangzhou" => 1,
        "ap-shanghai" => 4,
        "ap-hongkong" => 5,
        "ap-shanghai-fsi" => 7,
        "ap-beijing" => 8,
        "ap-singapore" => 9,
        "ap-shenzhen-fsi" => 11,
        "na-siliconvalley" => 15,
        "ap-chengdu" => 16,
        "eu-frankfurt" => 17,
        "ap-seoul" => 18,
        "ap-chongqing" => 19,
        "na-ashburn" => 22,
        "ap-bangkok" => 23,
        "ap-tokyo" => 25,
        _ => 0,
    }
}

/// Answers DescribeInstances in `region`.
pub(crate) fn describe(
    instances: &HashMap<String, Instance>,
    params: &Map<String, Value>,
    region: &str,
) -> Result<Map<String, Value>, ApiError> {
    let limit = params
        .get("Limit")
        .and_then(crate::api::uint)
        .unwrap_or(DEFAULT_LIMIT);
    if limit > MAX_LIMIT {
        return Err(ApiError::with(
            "InvalidParameter",
            format!("`Limit` {limit} is over {MAX_LIMIT}"),
        ));
    }
    let offset = params.get("Offset").and_then(crate::api::uint).unwrap_or(0);
    let strings = |name: &str| -> Option<Vec<&str>> {
        let list = params.get(name)?.as_array()?;
        Some(list.iter().filter_map(Value::as_str).collect())
    };
    let text = |name: &str| params.get(name).and_then(Value::as_str);
    let ids = strings("InstanceIds").filter(|l| !l.is_empty());
    let statuses: Option<Vec<i64>> = params
        .get("Status")
        .and_then(Value::as_array)
        .map(|l| l.iter().filter_map(Value::as_i64).collect())
        .filter(|l: &Vec<i64>| !l.is_empty());
    let mut matching: Vec<(&String, &Instance)> = instances
        .iter()
        .filter(|(id, i)| {
            i.in_region(region)
                && text("InstanceId").is_none_or(|want| want == id.as_str())
                && ids.as_ref().is_none_or(|l| l.contains(&id.as_str()))
                && statuses
                    .as_ref()
                    .is_none_or(|l| l.contains(&status_code(i.status)))
                && text("InstanceName").is_none_or(|want| want == i.name)
                && text("SearchKey").is_none_or(|key| i.name.contains(key))
        })
        .collect();
    matching.sort_by_key(|(_, i)| i.order);
    let total = matching.len();
    let page: Vec<Value> = matching
        .into_iter()
        .skip(usize::try_from(offset).unwrap_or(usize::MAX))
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
        .map(|(id, i)| instance_set(id, i, region))
        .collect();
    Ok(Map::from_iter([
        ("TotalCount".to_owned(), Value::from(total)),
        ("InstanceSet".to_owned(), Value::from(page)),
    ]))
}

/// One `InstanceSet` entry with every member the spec marks `output_required`, shaped like the
/// official example (a 1 GB standard-architecture Redis 6.0 in a VPC).
fn instance_set(id: &str, instance: &Instance, region: &str) -> Value {
    let region = instance.region.as_deref().unwrap_or(region);
    let (title, close_time, offline_time) = match instance.status {
        InstanceStatus::Running => ("Running", "0000-00-00 00:00:00", ""),
        InstanceStatus::InRecycleBin => ("Isolated", "2026-01-10 10:20:00", "2026-01-17 10:20:00"),
        InstanceStatus::CleanedUp => (
            "To be deleted",
            "2026-01-10 10:20:00",
            "2026-01-17 10:20:00",
        ),
    };
    // Two objects: one `json!` of sixty members exceeds the macro recursion limit.
    let mut record = json!({
        "InstanceName": instance.name,
        "InstanceId": id,
        "Appid": 1_251_000_000,
        "ProjectId": 0,
        "RegionId": region_id(region),
        "ZoneId": 100_002,
        "VpcId": 11_133_673,
        "SubnetId": 2_282_634,
        "Status": status_code(instance.status),
        "WanIp": "10.0.1.61",
        "Port": 6379,
        "Createtime": "2026-01-01 11:32:18",
        "Size": 1024.0,
        "SizeUsed": 0.0,
        "Type": 15,
        "AutoRenewFlag": 0,
        "DeadlineTime": "0000-00-00 00:00:00",
        "Engine": "Redis",
        "ProductType": "standalone",
        "UniqVpcId": "vpc-mjwornzj",
        "UniqSubnetId": "subnet-1ed4w7to",
        "BillingMode": 0,
        "InstanceTitle": title,
        "OfflineTime": offline_time,
        "SubStatus": 0,
        "Tags": [],
        "InstanceNode": [],
        "RedisShardSize": 1024,
        "RedisShardNum": 1,
        "RedisReplicasNum": 1,
        "PriceId": 1_000_848,
        "CloseTime": close_time,
        "SlaveReadWeight": 0,
        "InstanceTags": [],
        "ProjectName": "Default Project",
    });
    let rest = json!({
        "NoAuth": false,
        "ClientLimit": 10_000,
        "DtsStatus": 0,
        "NetLimit": 24,
        "PasswordFree": 0,
        "Vip6": "",
        "IPv6": "",
        "ReadOnly": 0,
        "RemainBandwidthDuration": "",
        "DiskSize": 0,
        "MonitorVersion": "5s",
        "ClientLimitMin": 10_000,
        "ClientLimitMax": 40_000,
        "NodeSet": [],
        "Region": region,
        "WanAddress": "",
        "PolarisServer": "",
        "RedisClusterId": "",
        "DedicatedClusterId": "",
        "ProductVersion": "local",
        "CurrentProxyVersion": "5.8.0",
        "CurrentRedisVersion": "6.0.0",
        "UpgradeProxyVersion": "",
        "UpgradeRedisVersion": "",
        "BackupMode": "NormalLevelBackup",
        "DeleteProtectionSwitch": 0,
    });
    if let (Value::Object(record), Value::Object(rest)) = (&mut record, rest) {
        record.extend(rest);
    }
    record
}
