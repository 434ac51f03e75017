//! How far one request got on the network, recorded as it happens, so that a failure can say
//! from facts whether any byte of the request left the process.
//!
//! ureq runs a request on the calling thread from the name lookup to the last byte of the
//! reply, so the record is a thread-local that [`UreqTransport::send`](super::UreqTransport)
//! resets before each request and reads after a failure. It is advanced by hooks that are ours:
//! the resolver, a connector at each end of the connector chain, one in front of the TLS
//! handshake, and a wrapper around the finished connection that notes the first write of the
//! request. ureq's error values are only used to name the failure (timeout, proxy, ...), never
//! to guess whether something was sent.
//!
//! It uses ureq's `unversioned` transport API, which ureq may change in a minor release; the
//! lock file pins the version this was written against.

use std::cell::Cell;
use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector, NextTimeout, RustlsConnector, Transport,
};

/// Where the current request is. Each stage is entered before the work it names starts, so a
/// failure is attributed to the stage it happened in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Stage {
    /// Checking the request (URL, headers): nothing done on the network.
    Preparing,
    /// Looking up a host name (the endpoint's, or a proxy's).
    Resolving,
    /// Name looked up; a pooled connection is taken or a new one about to be opened.
    Resolved,
    /// Opening a TCP connection (to the endpoint or to a proxy).
    Connecting,
    /// A TLS handshake (with the endpoint, or with an https proxy).
    TlsHandshake,
    /// Connected to a proxy, asking it for a tunnel (`CONNECT`).
    ProxyTunnel,
    /// The connection is ready; no byte of the request has been handed to it.
    Connected,
    /// Bytes of the request were handed to the connection: the server may have them.
    Sending,
}

thread_local! {
    static STAGE: Cell<Stage> = const { Cell::new(Stage::Preparing) };
    /// How many connector chains are running: 2 while the chain opens the connection to a
    /// CONNECT proxy from inside the chain for the endpoint.
    static DEPTH: Cell<u32> = const { Cell::new(0) };
}

/// Starts recording a new request on this thread.
pub(super) fn begin() {
    STAGE.with(|s| s.set(Stage::Preparing));
    DEPTH.with(|d| d.set(0));
}

/// The stage the current request reached.
pub(super) fn current() -> Stage {
    STAGE.with(Cell::get)
}

/// Enters `stage`.
pub(super) fn enter(stage: Stage) {
    STAGE.with(|s| s.set(stage));
}

/// The first connector of the chain: a new connection is being opened.
#[derive(Debug)]
pub(super) struct Opening;

impl<In: Transport> Connector<In> for Opening {
    type Out = In;

    fn connect(
        &self,
        _: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<In>, ureq::Error> {
        DEPTH.with(|d| d.set(d.get() + 1));
        enter(Stage::Connecting);
        Ok(chained)
    }
}

/// rustls's connector, entering [`Stage::TlsHandshake`] when it is going to shake hands.
#[derive(Debug, Default)]
pub(super) struct Handshake(RustlsConnector);

impl<In: Transport> Connector<In> for Handshake {
    type Out = <RustlsConnector as Connector<In>>::Out;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        if details.needs_tls() && chained.as_ref().is_some_and(|t| !t.is_tls()) {
            enter(Stage::TlsHandshake);
        }
        self.0.connect(details, chained)
    }
}

/// The last connector of the chain: the connection is open. The connection to the endpoint
/// (not the inner one to a proxy, whose `CONNECT` is no part of the request) is wrapped so
/// that its first write is noted.
#[derive(Debug)]
pub(super) struct Opened;

impl<In: Transport> Connector<In> for Opened {
    type Out = Noted<In>;

    fn connect(
        &self,
        _: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Noted<In>>, ureq::Error> {
        let depth = DEPTH.with(|d| {
            let depth = d.get().saturating_sub(1);
            d.set(depth);
            depth
        });
        let to_endpoint = depth == 0;
        enter(if to_endpoint {
            Stage::Connected
        } else {
            Stage::ProxyTunnel
        });
        Ok(chained.map(|inner| Noted { inner, to_endpoint }))
    }
}

/// A connection that enters [`Stage::Sending`] before anything is written to it. Pooled
/// connections keep the wrapper, so a request on a reused connection is noted too.
#[derive(Debug)]
pub(super) struct Noted<T> {
    inner: T,
    to_endpoint: bool,
}

impl<T: Transport> Transport for Noted<T> {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self.inner.buffers()
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        // Before the write, not after: a write that fails may still have sent part of it.
        if self.to_endpoint && amount > 0 {
            enter(Stage::Sending);
        }
        self.inner.transmit_output(amount, timeout)
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        self.inner.await_input(timeout)
    }

    fn is_open(&mut self) -> bool {
        self.inner.is_open()
    }

    fn is_tls(&self) -> bool {
        self.inner.is_tls()
    }
}
