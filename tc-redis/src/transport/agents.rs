//! Which ureq agent sends a request: one agent per proxy decision (direct, or through one
//! proxy), because ureq's proxy is a setting of the whole agent; each keeps its own keep-alive
//! pool and is built at its first use. The decision is made per endpoint URL by the client's
//! [`ProxyRules`] at the URL's first request, logged once, and kept: later requests to the URL
//! cost one lookup (lock-free for the first URL, which is most clients' only one).
//!
//! Without the `proxy` feature there is one decision, direct, and one agent.

use crate::error::TransportError;
#[cfg(feature = "proxy")]
use crate::error::TransportErrorKind;
#[cfg(feature = "proxy")]
use crate::proxy::ProxyRules;
use std::borrow::Cow;
#[cfg(feature = "proxy")]
use std::sync::{Mutex, OnceLock};

/// How a request to one endpoint URL goes out: its agent, and the proxy it goes through.
#[derive(Clone)]
pub(super) struct Route {
    pub(super) agent: ureq::Agent,
    /// `proxy <host:port> (from <variable or setting>)`, for messages; `None`: direct.
    pub(super) proxy: Option<String>,
}

/// The one agent of a build without proxy support: every request goes direct.
#[cfg(not(feature = "proxy"))]
pub(super) struct Agents {
    direct: Route,
}

#[cfg(not(feature = "proxy"))]
impl Agents {
    pub(super) fn new(build: impl Fn(Option<ureq::Proxy>) -> ureq::Agent) -> Agents {
        Agents {
            direct: Route {
                agent: build(None),
                proxy: None,
            },
        }
    }

    /// The route to `url`: the direct one.
    pub(super) fn for_url(&self, _url: &str) -> Result<Cow<'_, Route>, TransportError> {
        Ok(Cow::Borrowed(&self.direct))
    }
}

/// Builds an agent going through the proxy given, or direct for `None`.
#[cfg(feature = "proxy")]
type BuildAgent = dyn Fn(Option<ureq::Proxy>) -> ureq::Agent + Send + Sync;

/// The agents of one transport and the agent of each endpoint URL.
#[cfg(feature = "proxy")]
pub(super) struct Agents {
    rules: ProxyRules,
    /// ureq's form of every proxy the rules can choose, keyed by the proxy's URL; checked when
    /// the transport was built.
    proxies: Vec<(String, ureq::Proxy)>,
    build: Box<BuildAgent>,
    /// The first endpoint URL requested and its route.
    first: OnceLock<(String, Route)>,
    /// The other URLs' agents, and the agent of each proxy decision.
    routes: Mutex<Routes>,
}

#[cfg(feature = "proxy")]
#[derive(Default)]
struct Routes {
    /// Endpoint URL, route: every URL but the first.
    by_url: Vec<(String, Route)>,
    /// Proxy URL (`None`: direct), agent: at most one per proxy the rules can choose, and one
    /// direct.
    by_proxy: Vec<(Option<String>, ureq::Agent)>,
}

#[cfg(feature = "proxy")]
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

    /// The route that sends to `url` (`scheme://host[:port]/`).
    pub(super) fn for_url(&self, url: &str) -> Result<Cow<'_, Route>, TransportError> {
        if let Some((first, route)) = self.first.get()
            && first == url
        {
            return Ok(Cow::Borrowed(route));
        }
        let mut routes = self.routes.lock().unwrap_or_else(|p| p.into_inner());
        // Another thread may have decided for `url` while this one waited for the lock.
        if let Some((first, route)) = self.first.get()
            && first == url
        {
            return Ok(Cow::Borrowed(route));
        }
        if let Some((_, route)) = routes.by_url.iter().find(|(u, _)| u == url) {
            return Ok(Cow::Owned(route.clone()));
        }
        let route = self.decide(url, &mut routes)?;
        if let Err(taken) = self.first.set((url.to_owned(), route.clone())) {
            routes.by_url.push(taken);
        }
        Ok(Cow::Owned(route))
    }

    /// Chooses the proxy of `url`'s host, logs the choice, and returns the route for it.
    fn decide(&self, url: &str, routes: &mut Routes) -> Result<Route, TransportError> {
        let uri: ureq::http::Uri = url.parse().map_err(|e| TransportError {
            kind: TransportErrorKind::InvalidRequest,
            message: format!("{:?} is not a URL: {e}", crate::redact::redact_url(url)),
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
        let label = choice.map(|c| format!("proxy {} (from {})", c.address, c.source));
        if let Some((_, agent)) = routes.by_proxy.iter().find(|(k, _)| *k == key) {
            return Ok(Route {
                agent: agent.clone(),
                proxy: label,
            });
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
        Ok(Route {
            agent,
            proxy: label,
        })
    }
}
