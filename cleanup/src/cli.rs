//! The command line, with clap's derive: `--help`, `--version` and usage errors (status 2)
//! follow the conventions operators expect, and options that conflict or would do nothing are
//! refused before anything is sent.
//!
//! Options that choose where requests go and how they are signed live in [`Connection`], and
//! [`crate::session`] turns them into a client: adding one (a profile, a CA bundle, a root
//! domain, verbosity) is a field here and a line there.

use crate::exit;
use clap::{ArgAction, ArgGroup, Args, Parser};
use std::path::PathBuf;
use std::time::Duration;

/// The longest `--timeout` and `--wait-timeout`: a day.
const MAX_SECS: u64 = 86_400;

/// Empties Tencent Cloud Redis recycle bins: CleanUpInstance for one or many instances,
/// after a look at what they are.
#[derive(Debug, Parser)]
#[command(
    name = "tc-redis-cleanup",
    version,
    about = "Immediately deactivates Redis instances in the recycle bin (CleanUpInstance).",
    long_about = "Immediately deactivates Redis instances in the recycle bin (CleanUpInstance). \
                  This cannot be undone: look first with --list and --dry-run.",
    after_help = after_help(),
    group(ArgGroup::new("waiting").args(["wait", "wait_task"]).multiple(true)),
)]
pub(crate) struct Cli {
    /// Instance ids (crs-...), or - to read them from standard input, one per line
    /// (# starts a comment, so the output of --list can be piped in).
    #[arg(
        value_name = "INSTANCE_ID",
        required_unless_present_any = ["list", "wait_task"],
    )]
    pub(crate) ids: Vec<String>,

    /// Show each instance's name and status and whether CleanUpInstance would be accepted;
    /// send nothing destructive.
    #[arg(long, conflicts_with_all = ["list", "wait_task", "wait", "yes"])]
    pub(crate) dry_run: bool,

    /// List the recycle bin (isolated instances) of the region, one per line; send nothing
    /// destructive.
    #[arg(long, conflicts_with_all = ["ids", "wait_task", "wait", "yes"])]
    pub(crate) list: bool,

    /// Clean up without asking. Required when standard input is not a terminal (scripts) or
    /// carries the ids: the tool never cleans up unasked.
    #[arg(short = 'y', long)]
    pub(crate) yes: bool,

    /// Wait for the cleanup task of every instance to end, showing its progress.
    #[arg(long, conflicts_with = "wait_task")]
    pub(crate) wait: bool,

    /// Wait for an existing task (the TaskId a cleanup printed) without sending
    /// CleanUpInstance. Repeatable.
    #[arg(long, value_name = "TASK_ID", conflicts_with_all = ["ids", "yes"], value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) wait_task: Vec<u64>,

    /// Stop waiting after SECS seconds [default: 600].
    #[arg(long, value_name = "SECS", value_parser = secs, requires = "waiting")]
    pub(crate) wait_timeout: Option<Duration>,

    /// Print JSON Lines (one object per instance as it completes, then a summary) instead of
    /// text.
    #[arg(long)]
    pub(crate) json: bool,

    /// Print the client's events on stderr (-vv: every attempt).
    ///
    /// -v: retries, clock corrections, credential refreshes, give-ups; -vv also every attempt
    /// (action, attempt, status, request id). Never a secret.
    #[arg(short = 'v', long = "verbose", action = ArgAction::Count)]
    pub(crate) verbose: u8,

    #[command(flatten)]
    pub(crate) connection: Connection,
}

/// Where requests go and how: the client's settings.
#[derive(Debug, Args)]
pub(crate) struct Connection {
    /// Region of the instances, e.g. ap-guangzhou.
    ///
    /// Default: the region of the tccli profile (~/.tccli/PROFILE.configure).
    #[arg(long, value_name = "REGION", env = "TENCENTCLOUD_REGION")]
    pub(crate) region: Option<String>,

    /// Credentials profile (and tccli's region for it).
    ///
    /// Section NAME of the credentials file, and tccli's ~/.tccli/NAME.credential; the region
    /// of ~/.tccli/NAME.configure when --region is not given. The environment's keys are not
    /// used, and the profile must exist.
    // No environment variable: the official SDKs read none, and tccli's TCCLI_PROFILE is set
    // for tccli; read here it would silently turn off TENCENTCLOUD_SECRET_* for this tool (a
    // named profile is the identity asked for), and the library does not read it either.
    #[arg(long, value_name = "NAME", value_parser = profile_name, conflicts_with = "sandbox")]
    pub(crate) profile: Option<String>,

    /// API endpoint; http:// only for loopback.
    ///
    /// Default: the tccli profile's redis.endpoint (redis.DOMAIN means root domain DOMAIN),
    /// unless --intl or --root-domain is given; else redis.tencentcloudapi.com, or
    /// redis.REGION.tencentcloudapi.com for a *-fsi region. Plain http:// only for
    /// 127.0.0.0/8, localhost and ::1.
    #[arg(long, value_name = "URL", conflicts_with = "sandbox")]
    pub(crate) endpoint: Option<String>,

    /// STS endpoint, for assumed roles and TKE workload identity; http:// only for loopback.
    ///
    /// Default: $TENCENTCLOUD_ENDPOINT_URL_STS, else sts.tencentcloudapi.com (under the root
    /// domain of --intl / --root-domain). For an STS VPC endpoint, or a local test server.
    #[arg(long, value_name = "URL", conflicts_with = "sandbox")]
    pub(crate) sts_endpoint: Option<String>,

    /// Use the international site's endpoint (redis.intl.tencentcloudapi.com).
    #[arg(long, conflicts_with_all = ["endpoint", "sandbox", "root_domain"])]
    pub(crate) intl: bool,

    /// Root domain of the endpoint, redis.DOMAIN [default: tencentcloudapi.com].
    #[arg(long, value_name = "DOMAIN", conflicts_with_all = ["endpoint", "sandbox"])]
    pub(crate) root_domain: Option<String>,

    /// Trust the CAs of this PEM file instead of the built-in roots.
    ///
    /// For a TLS-inspecting proxy's CA, for one. Default: $SSL_CERT_FILE when set and not
    /// empty.
    #[arg(long, value_name = "PATH", conflicts_with = "sandbox")]
    pub(crate) ca_bundle: Option<PathBuf>,

    /// Language of the server's messages: zh-CN or en-US.
    ///
    /// Default: $TENCENTCLOUD_LANGUAGE, else the tccli profile's language (tccli configure set
    /// language), else zh-CN.
    #[arg(long, value_name = "LANG", value_parser = ["zh-CN", "en-US"])]
    pub(crate) language: Option<String>,

    /// Assume this CAM role (qcs::cam::uin/UIN:roleName/NAME) with STS AssumeRole, signing the
    /// exchange with the credentials found otherwise, as tccli's --role-arn. Default:
    /// $TENCENTCLOUD_ROLE_ARN.
    #[arg(long, value_name = "ARN", conflicts_with = "sandbox")]
    pub(crate) role_arn: Option<String>,

    /// The session name of the assumed role [default: $TENCENTCLOUD_ROLE_SESSION_NAME, else
    /// tc-redis-cleanup-UNIXTIME].
    #[arg(long, value_name = "NAME", requires = "role_arn")]
    pub(crate) role_session_name: Option<String>,

    /// How long the assumed role's credentials live, 1 to 43200 seconds [default: 7200].
    #[arg(long, value_name = "SECS", value_parser = role_secs, requires = "role_arn")]
    pub(crate) role_duration: Option<Duration>,

    /// Give up on one request (connect, send, receive) after SECS seconds [default: 60].
    #[arg(long, value_name = "SECS", value_parser = secs)]
    pub(crate) timeout: Option<Duration>,

    /// Run against a local fake of the API with test credentials and four instances (three in
    /// the recycle bin, one running). Like the API, it does not know other ids; each run starts
    /// afresh. Nothing reaches Tencent Cloud.
    #[arg(long)]
    pub(crate) sandbox: bool,

    /// Put these ids in the sandbox's recycle bin too, to rehearse a batch of real ids
    /// (comma-separated or repeated).
    #[arg(
        long,
        value_name = "ID,...",
        value_delimiter = ',',
        requires = "sandbox"
    )]
    pub(crate) sandbox_add: Vec<String>,
}

impl Cli {
    /// The wait limit: `--wait-timeout`, or ten minutes.
    pub(crate) fn wait_limit(&self) -> Duration {
        self.wait_timeout.unwrap_or(Duration::from_secs(600))
    }
}

/// A role's lifetime: whole seconds from 1 to 43200 (STS AssumeRole's range).
fn role_secs(value: &str) -> Result<Duration, String> {
    match value.parse::<u64>() {
        Ok(s) if (1..=43_200).contains(&s) => Ok(Duration::from_secs(s)),
        _ => Err("expected whole seconds from 1 to 43200".to_owned()),
    }
}

/// A whole number of seconds, from 1 to a day.
fn secs(value: &str) -> Result<Duration, String> {
    match value.parse::<u64>() {
        Ok(s) if (1..=MAX_SECS).contains(&s) => Ok(Duration::from_secs(s)),
        _ => Err(format!("expected whole seconds from 1 to {MAX_SECS}")),
    }
}

/// A profile name: letters, digits, `-`, `_` and `.`, not starting with `.` (the library's
/// rule, checked here too so that a bad name is a usage error naming --profile).
fn profile_name(value: &str) -> Result<String, String> {
    let valid = !value.is_empty()
        && !value.starts_with('.')
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
    if valid {
        Ok(value.to_owned())
    } else {
        Err("expected letters, digits, '-', '_' and '.', not starting with '.'".to_owned())
    }
}

fn after_help() -> String {
    format!(
        "Credentials, the first found: TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY (and\n\
         TENCENTCLOUD_SESSION_TOKEN); the credentials file (TENCENTCLOUD_CREDENTIALS_FILE, else\n\
         ~/.tencentcloud/credentials, else /etc/tencentcloud/credentials); the tccli profile\n\
         (~/.tccli/PROFILE.credential); TKE workload identity (TKE_* variables); the CVM role.\n\
         With --profile, the environment keys are skipped and the profile must exist.\n\n\
         Certificates: SSL_CERT_FILE, like --ca-bundle, replaces the built-in roots (the flag wins).\n\n\
         Settings, the first found: the flag, its variable, the tccli profile (--profile, else\n\
         default: ~/.tccli/PROFILE.configure's region, language and redis.endpoint), the\n\
         default.\n\n\
         Confirmation: on a terminal, the tool shows the instances (ids, names, statuses), how\n\
         many it will send and how many the API will refuse, and asks; only yes, typed in full,\n\
         goes on (not y). More than 20 ids show the first 10 and a count (--dry-run lists\n\
         all). Ctrl-C at the prompt sends nothing (130). Without a terminal on standard input\n\
         it never asks and needs --yes.\n\n{}",
        exit::help_table()
    )
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
