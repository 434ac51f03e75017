//! Which ureq agent sends a request: one agent per proxy decision (direct, or through one
//! proxy), because ureq's proxy is a setting of the whole agent; each keeps its own keep-alive
//! pool and is built at its first use. The decision is made per endpoint URL by the client's
//! [`ProxyRules`] at the URL's first request, logged once, and kept: later requests to the URL
//! cost one lookup (lock-free for the first URL, which is most clients' only one).

use crate::error::{TransportError, TransportErrorKind};
use crate::proxy::ProxyRules;
use std::borrow::Cow;
use std::sync::{Mutex, OnceLock};

/// Builds an agent going through the proxy given, or direct for `None`.
type BuildAgent = dyn Fn(Option<ureq::Proxy>) -> ureq::Agent + Send + Sync;

/// The agents of one transport and the agent of each endpoint URL.
pub(super) struct Agents {
    rules: ProxyRules,
    /// ureq's form of every proxy the rules can choose, keyed by the proxy's URL; checked when
    /// the transport was built.
    proxies: Vec<(String, ureq::Proxy)>,
    build: Box<BuildAgent>,
    /// The first endpoint URL requested and its agent.
    first: OnceLock<(String, ureq::Agent)>,
    /// The other URLs' agents, and the agent of each proxy decision.
    routes: Mutex<Routes>,
}

#[derive(Default)]
struct Routes {
    /// Endpoint URL, agent: every URL but the first.
    by_url: Vec<(String, ureq::Agent)>,
    /// Proxy URL (`None`: direct), agent: at most one per proxy the rules can choose, and one
    /// direct.
    by_proxy: Vec<(Option<String>, ureq::Agent)>,
}

impl Agents {
    /// `proxies` holds ureq's form of every proxy of `rules`, keyed by its URL.
    pub(super) fn new(
        rules: ProxyRules,
        proxies: Vec<(String, ureq::Proxy)>,
        build: impl Fn(Option<ureq::Proxy>) -> ureq::Agent + Send + Sync + 'static,
    ) -> Agents {
        Agents {
            rules,
            proxies,
            build: Box::new(build),
            first: OnceLock::new(),
            routes: Mutex::new(Routes::default()),
        }
    }

    /// The agent that sends to `url` (`scheme://host[:port]/`).
    pub(super) fn for_url(&self, url: &str) -> Result<Cow<'_, ureq::Agent>, TransportError> {
        if let Some((first, agent)) = self.first.get()
            && first == url
        {
            return Ok(Cow::Borrowed(agent));
        }
        let mut routes = self.routes.lock().unwrap_or_else(|p| p.into_inner());
        // Another thread may have decided for `url` while this one waited for the lock.
        if let Some((first, agent)) = self.first.get()
            && first == url
        {
            return Ok(Cow::Borrowed(agent));
        }
        if let Some((_, agent)) = routes.by_url.iter().find(|(u, _)| u == url) {
            return Ok(Cow::Owned(agent.clone()));
        }
        let agent = self.decide(url, &mut routes)?;
        if let Err(taken) = self.first.set((url.to_owned(), agent.clone())) {
            routes.by_url.push(taken);
        }
        Ok(Cow::Owned(agent))
    }

    /// Chooses the proxy of `url`'s host, logs the choice, and returns the agent for it.
    fn decide(&self, url: &str, routes: &mut Routes) -> Result<ureq::Agent, TransportError> {
        let uri: ureq::http::Uri = url.parse().map_err(|e| TransportError {
            kind: TransportErrorKind::InvalidRequest,
            message: format!("{:?} is not a URL: {e}", crate::proxy::redact(url)),
            may_have_been_sent: false,
        })?;
        let https = uri.scheme_str() == Some("https");
        let host = match (uri.host(), uri.port_u16()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_owned(),
            (None, _) => String::new(),
        };
        let choice = self.rules.choose(https, &host);
        crate::events::proxy_chosen(&host, choice.map(|c| (c.source, c.address.as_str())));
        let key = choice.map(|c| c.url.clone());
        if let Some((_, agent)) = routes.by_proxy.iter().find(|(k, _)| *k == key) {
            return Ok(agent.clone());
        }
        let proxy = match &key {
            None => None,
            Some(k) => Some(
                self.proxies
                    .iter()
                    .find(|(u, _)| u == k)
                    .map(|(_, p)| p.clone())
                    // `UreqTransport::new` converted every proxy of the rules.
                    .ok_or_else(|| TransportError {
                        kind: TransportErrorKind::InvalidRequest,
                        message: "the chosen proxy was not checked when the client was built"
                            .to_owned(),
                        may_have_been_sent: false,
                    })?,
            ),
        };
        let agent = (self.build)(proxy);
        routes.by_proxy.push((key, agent.clone()));
        Ok(agent)
    }
}
