//! `--dry-run` and `--list`: what is there, and what a cleanup would do, sending nothing
//! destructive.

use crate::exit::Status;
use crate::failure::{self, Failure};
use crate::lookup::{self, Row};
use crate::output::Out;
use crate::session::Session;
use serde_json::json;
use tc_redis::escaped;

/// `--dry-run`: for each id, its name and status and whether CleanUpInstance would be
/// accepted.
pub(crate) fn dry_run(session: &Session, ids: &[String], out: &mut Out) -> Result<Status, Failure> {
    let rows = lookup::look_up(&session.client, ids)
        .map_err(|e| failure::from_error(&e, session.timeout_secs))?;
    let width = ids.iter().map(String::len).max().unwrap_or(0);
    let mut accepted = 0;
    for id in ids {
        let row = rows.iter().find(|r| r.id == *id);
        let would = row.is_some_and(Row::would_be_accepted);
        accepted += usize::from(would);
        let verdict = if would {
            "would be cleaned up"
        } else {
            "would be refused"
        };
        let status = row.map_or_else(
            || format!("not found in {}", session.region),
            |r| lookup::status_text(r.status),
        );
        let name = row.map_or(String::new(), |r| escaped(&r.name).into_owned());
        out.text(&format!(
            "{id:<width$}  {verdict:<19}  {status:<29}  {name}"
        ));
        out.json(&json!({
            "Type": "Check", "InstanceId": id, "Found": row.is_some(),
            "InstanceName": row.map(|r| &r.name), "Status": row.map(|r| r.status),
            "StatusText": status, "Region": row.map_or(&session.region, |r| &r.region),
            "WouldBeAccepted": would,
        }));
    }
    out.text(&format!(
        "dry run: {accepted} of {} would be cleaned up, {} would be refused; no cleanup was sent",
        ids.len(),
        ids.len() - accepted
    ));
    out.json(&json!({
        "Type": "Summary", "Instances": ids.len(), "WouldBeAccepted": accepted,
        "WouldBeRefused": ids.len() - accepted, "ExitStatus": Status::Done.code(),
    }));
    Ok(Status::Done)
}

/// `--list`: the recycle bin of the region, one instance per line. Each text line is an id
/// and a `#` comment, so that the list can be piped into `tc-redis-cleanup -`.
pub(crate) fn list(session: &Session, out: &mut Out) -> Result<Status, Failure> {
    let rows = lookup::recycle_bin(&session.client).map_err(|e| match e {
        lookup::ListError::Call(e) => failure::from_error(&e, session.timeout_secs),
        lookup::ListError::EndlessPages {
            pages,
            seen,
            total_count,
        } => Failure::local(
            Status::NotSent,
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
        out.json(&json!({
            "Type": "Instance", "InstanceId": row.id, "InstanceName": row.name,
            "Status": row.status, "Region": row.region, "CloseTime": row.isolated_at,
            "OfflineTime": row.offline_at,
        }));
    }
    out.text(&format!(
        "# {} instance(s) in the recycle bin of {}",
        rows.len(),
        session.region
    ));
    out.json(&json!({
        "Type": "Summary", "Instances": rows.len(), "Region": session.region,
        "ExitStatus": Status::Done.code(),
    }));
    Ok(Status::Done)
}
