//! Looking before deleting: instance names and statuses from DescribeInstances, for
//! `--dry-run`, `--list` and the confirmation prompt. Reads only.
//!
//! Fields of the generated reply types are read in [`Row::from_reply`] alone, so a change of
//! their shape (an `Option` where a member may be missing) is a change in one place.

use std::collections::{HashMap, HashSet};
use tc_redis::{Client, DescribeInstancesErrorCode, DescribeInstancesRequest, Error, InstanceSet};

/// The API's `Status` of an isolated instance: in the recycle bin, what CleanUpInstance accepts.
pub(crate) const ISOLATED: i64 = -2;
/// The API's `Status` of an instance whose cleanup has run: to be deleted.
pub(crate) const CLEANED_UP: i64 = -3;
/// Ids per DescribeInstances request (the API allows up to 1000).
const PAGE: usize = 100;

/// What the tool needs to know of an instance.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Row {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) status: i64,
    pub(crate) region: String,
    /// When it was isolated (`CloseTime`), for the recycle bin.
    pub(crate) isolated_at: String,
    /// When it goes offline by itself (`OfflineTime`).
    pub(crate) offline_at: String,
    /// The request id of the DescribeInstances reply that described it.
    pub(crate) request_id: String,
}

impl Row {
    fn from_reply(i: &InstanceSet, request_id: &str) -> Row {
        Row {
            request_id: request_id.to_owned(),
            id: i.instance_id.clone().unwrap_or_default(),
            name: i.instance_name.clone(),
            status: i.status,
            region: i.region.clone(),
            isolated_at: i.close_time.clone(),
            offline_at: i.offline_time.clone(),
        }
    }

    /// Whether CleanUpInstance would accept it: only instances in the recycle bin.
    pub(crate) fn would_be_accepted(&self) -> bool {
        self.status == ISOLATED
    }
}

/// The documented meaning of `Status`.
pub(crate) fn status_text(status: i64) -> String {
    match status {
        0 => "to be initialized".to_owned(),
        1 => "in process".to_owned(),
        2 => "running".to_owned(),
        ISOLATED => "isolated (in the recycle bin)".to_owned(),
        CLEANED_UP => "to be deleted".to_owned(),
        other => format!("status {other}"),
    }
}

pub(crate) type LookupError = Error<DescribeInstancesErrorCode>;

/// Each of `ids` the region knows, in the order of `ids`; unknown ids are absent.
pub(crate) fn look_up(client: &Client, ids: &[String]) -> Result<Vec<Row>, LookupError> {
    let mut rows = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(PAGE) {
        let mut request = DescribeInstancesRequest::new();
        request.instance_ids = Some(chunk.to_vec());
        request.limit = Some(chunk.len() as u64);
        let reply = client.describe_instances(&request)?;
        rows.extend(
            reply
                .instance_set
                .iter()
                .map(|i| Row::from_reply(i, &reply.request_id)),
        );
    }
    let position: HashMap<&str, usize> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    rows.sort_by_key(|r| position.get(r.id.as_str()).copied());
    Ok(rows)
}

/// Why the recycle bin could not be listed.
#[derive(Debug)]
pub(crate) enum ListError {
    /// A DescribeInstances call failed.
    Call(LookupError),
    /// The server's pages do not end: a page added no instance not seen before, or more
    /// instances came than the `TotalCount` it announced. Paging stopped there.
    EndlessPages {
        pages: usize,
        seen: usize,
        total_count: i64,
    },
}

impl From<LookupError> for ListError {
    fn from(e: LookupError) -> Self {
        ListError::Call(e)
    }
}

/// The recycle bin of the client's region: every isolated instance, page by page.
///
/// Paging stops at a short page or at the total; a server whose pages never end (every page
/// full of instances already seen, or more than the first `TotalCount` announced) is an error
/// after the page that shows it, never an endless loop.
pub(crate) fn recycle_bin(client: &Client) -> Result<Vec<Row>, ListError> {
    let mut rows = Vec::new();
    let mut seen = HashSet::new();
    let mut announced = None;
    let mut pages = 0;
    loop {
        let mut request = DescribeInstancesRequest::new();
        request.status = Some(vec![ISOLATED]);
        request.limit = Some(PAGE as u64);
        request.offset = Some(rows.len() as u64);
        let reply = client.describe_instances(&request)?;
        pages += 1;
        let total_count = *announced.get_or_insert(reply.total_count);
        let got = reply.instance_set.len();
        let before = rows.len();
        for row in reply
            .instance_set
            .iter()
            .map(|i| Row::from_reply(i, &reply.request_id))
        {
            if seen.insert(row.id.clone()) {
                rows.push(row);
            }
        }
        // A short page, or the total: done (the total may change while paging).
        if got < PAGE || rows.len() as i64 >= reply.total_count {
            return Ok(rows);
        }
        if rows.len() == before || rows.len() as i64 > total_count {
            return Err(ListError::EndlessPages {
                pages,
                seen: rows.len(),
                total_count,
            });
        }
    }
}
