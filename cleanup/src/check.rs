//! `--dry-run` and `--list`: what is there, and what a cleanup would do, sending nothing
//! destructive.

use crate::exit::Status;
use crate::failure::{self, Failure};
use crate::lookup::{self, Row};
use crate::output::{self, Out};
use crate::session::Session;
use serde_json::json;
use std::collections::HashMap;
use tc_redis::escaped;

/// `--dry-run`: for each id, its name and status and whether CleanUpInstance would be
/// accepted. Exits [`Status::WouldBeRefused`] when some would not (refused, or not found), so
/// that a script can use a dry run as a check.
pub(crate) fn dry_run(session: &Session, ids: &[String], out: &mut Out) -> Result<Status, Failure> {
    let rows = lookup::look_up(&session.client, ids)
        .map_err(|e| failure::from_error(&e, session.timeout_secs).read_only())?;
    let by_id: HashMap<&str, &Row> = rows.iter().map(|r| (r.id.as_str(), r)).collect();
    let width = ids.iter().map(String::len).max().unwrap_or(0);
    let (mut accepted, mut not_found) = (0, 0);
    for id in ids {
        let row = by_id.get(id.as_str()).copied();
        let would = row.is_some_and(Row::would_be_accepted);
        accepted += usize::from(would);
        not_found += usize::from(row.is_none());
        let (verdict, outcome) = match row {
            Some(_) if would => ("would be cleaned up", "WouldBeCleanedUp"),
            Some(_) => ("would be refused", "WouldBeRefused"),
            None => ("would be refused", "NotFound"),
        };
        let status = row.map_or_else(
            || format!("not found in {}", session.region),
            |r| lookup::status_text(r.status),
        );
        let name = row.map_or(String::new(), |r| escaped(&r.name).into_owned());
        out.text(&format!(
            "{id:<width$}  {verdict:<19}  {status:<29}  {name}"
        ));
        let mut object = output::about_instance(
            "Check",
            Some(id),
            outcome,
            false,
            row.map(|r| r.request_id.as_str()),
        );
        for (key, value) in [
            ("Found", json!(row.is_some())),
            ("InstanceName", json!(row.map(|r| &r.name))),
            ("Status", json!(row.map(|r| r.status))),
            ("StatusText", json!(status)),
            ("Region", json!(row.map_or(&session.region, |r| &r.region))),
            ("WouldBeAccepted", json!(would)),
        ] {
            object.insert(key.into(), value);
        }
        out.json(&object.into());
    }
    let refused = ids.len() - accepted;
    let status = if refused == 0 {
        Status::Done
    } else {
        Status::WouldBeRefused
    };
    out.text(&format!(
        "dry run: {accepted} of {} would be cleaned up, {refused} would be refused ({not_found} not found); no cleanup was sent",
        ids.len(),
    ));
    out.json(&json!({
        "Type": "DryRunSummary", "Instances": ids.len(), "WouldBeAccepted": accepted,
        "WouldBeRefused": refused, "NotFound": not_found, "ExitStatus": status.code(),
    }));
    Ok(status)
}

/// `--list`: the recycle bin of the region, one instance per line. Each text line is an id
/// and a `#` comment, so that the list can be piped into `tc-redis-cleanup -`.
pub(crate) fn list(session: &Session, out: &mut Out) -> Result<Status, Failure> {
    let rows = lookup::recycle_bin(&session.client).map_err(|e| match e {
        lookup::ListError::Call(e) => failure::from_error(&e, session.timeout_secs).read_only(),
        lookup::ListError::EndlessPages {
            pages,
            seen,
            total_count,
        } => Failure::local(
            Status::CheckFailed,
            "ClientError.EndlessPages",
            vec![
                format!(
                    "The endpoint's pages do not end: after {pages} page(s), {seen} instance(s), the last page added none new or more than the {total_count} it announced."
                ),
                "Listing stopped; check --endpoint. Nothing was cleaned up.".to_owned(),
            ],
        ),
    })?;
    for row in &rows {
        out.text(&format!(
            "{}  # {}, isolated since {}",
            escaped(&row.id),
            escaped(&row.name),
            escaped(&row.isolated_at)
        ));
        let mut object = output::about_instance(
            "Instance",
            Some(&row.id),
            "InRecycleBin",
            false,
            Some(&row.request_id),
        );
        for (key, value) in [
            ("InstanceName", json!(row.name)),
            ("Status", json!(row.status)),
            ("Region", json!(row.region)),
            ("CloseTime", json!(row.isolated_at)),
            ("OfflineTime", json!(row.offline_at)),
        ] {
            object.insert(key.into(), value);
        }
        out.json(&object.into());
    }
    out.text(&format!(
        "# {} instance(s) in the recycle bin of {}",
        rows.len(),
        session.region
    ));
    out.json(&json!({
        "Type": "ListSummary", "Instances": rows.len(), "Region": session.region,
        "ExitStatus": Status::Done.code(),
    }));
    Ok(Status::Done)
}
