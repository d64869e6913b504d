//! Browser safety: an HTTP middleware that checks the `Host` and `Origin` headers of every
//! request (HTTP calls and WebSocket upgrades alike) before jsonrpsee sees it.
//!
//! A web page the developer opens can send requests to `http://127.0.0.1:8545`: a
//! WebSocket handshake or a "simple" HTTP POST is not stopped by the browser's same-origin
//! policy. Through DNS rebinding a page can even make its own host name resolve to the
//! loopback address. The devnet signs nothing itself, but its dev keys are public, so a
//! page driving the node could deploy and call at will. The rules follow geth's
//! `--http.vhosts` / `--ws.origins`:
//!
//! - **Host** (DNS rebinding): a request whose `Host` is a host *name* must name an
//!   allowed host: `localhost` by default, plus [`GuardConfig::allowed_hosts`]. An IP
//!   literal (`127.0.0.1:8545`, `[::1]:8545`, a LAN address) is always accepted: rebinding
//!   needs a name. `*` accepts every host.
//! - **Origin** (cross-site requests): a request without `Origin` comes from a program,
//!   not a page, and is accepted. With one, the origin must be a loopback origin
//!   (`http(s)://localhost`, `127.0.0.0/8`, `[::1]`, any port) or be listed in
//!   [`GuardConfig::allowed_origins`] (exact `scheme://host[:port]`, or `*`).
//!
//! A refused request gets `403 Forbidden` with a plain-text body that names the header,
//! its value and the flag that allows it. An allowed request with an `Origin` gets
//! `Access-Control-Allow-Origin` for that origin, and a CORS preflight (`OPTIONS`) from an
//! allowed origin is answered here.

use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use jsonrpsee::core::BoxError;
use jsonrpsee::server::HttpBody;

type Request<B> = http::Request<B>;
type Response = http::Response<HttpBody>;

/// Which hosts and origins the server accepts besides the loopback ones.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GuardConfig {
    /// Extra host names accepted in `Host` (case-insensitive, without port), or `*` for any.
    pub allowed_hosts: Vec<String>,
    /// Extra origins accepted in `Origin` (`scheme://host[:port]`, case-insensitive), or
    /// `*` for any.
    pub allowed_origins: Vec<String>,
}

impl GuardConfig {
    /// Whether a `Host` header value is accepted.
    pub fn host_allowed(&self, host_header: &str) -> bool {
        let name = strip_port(host_header.trim());
        if name.parse::<IpAddr>().is_ok() || name.eq_ignore_ascii_case("localhost") {
            return true;
        }
        self.allowed_hosts
            .iter()
            .any(|h| h == "*" || h.eq_ignore_ascii_case(name))
    }

    /// Whether an `Origin` header value is accepted.
    pub fn origin_allowed(&self, origin: &str) -> bool {
        let origin = origin.trim().trim_end_matches('/');
        if self
            .allowed_origins
            .iter()
            .any(|o| o == "*" || o.trim_end_matches('/').eq_ignore_ascii_case(origin))
        {
            return true;
        }
        let Some(rest) = origin
            .strip_prefix("http://")
            .or_else(|| origin.strip_prefix("https://"))
        else {
            // `null` (files, sandboxed frames) and other schemes are not loopback pages.
            return false;
        };
        let name = strip_port(rest);
        if name.eq_ignore_ascii_case("localhost") {
            return true;
        }
        name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
    }
}

/// The host part of `host[:port]` or `[v6][:port]`, brackets removed.
fn strip_port(authority: &str) -> &str {
    if let Some(rest) = authority.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    match authority.rsplit_once(':') {
        // A bare IPv6 address has several colons and no brackets: no port to strip.
        Some((host, port)) if !host.contains(':') && port.bytes().all(|b| b.is_ascii_digit()) => {
            host
        }
        _ => authority,
    }
}

/// A `403 Forbidden` with `message` as its body.
fn forbidden(message: String) -> Response {
    let mut r = http::Response::new(HttpBody::from(message));
    *r.status_mut() = http::StatusCode::FORBIDDEN;
    r.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

/// The tower layer of [`Guard`].
#[derive(Clone, Debug)]
pub struct GuardLayer(Arc<GuardConfig>);

impl GuardLayer {
    /// A layer enforcing `config`.
    pub fn new(config: GuardConfig) -> GuardLayer {
        GuardLayer(Arc::new(config))
    }
}

impl<S> tower::Layer<S> for GuardLayer {
    type Service = Guard<S>;

    fn layer(&self, inner: S) -> Guard<S> {
        Guard {
            inner,
            config: Arc::clone(&self.0),
        }
    }
}

/// The middleware: checks `Host` and `Origin`, then passes the request on.
#[derive(Clone, Debug)]
pub struct Guard<S> {
    inner: S,
    config: Arc<GuardConfig>,
}

impl<S, B> tower::Service<Request<B>> for Guard<S>
where
    S: tower::Service<Request<B>, Response = Response>,
    S::Error: Into<BoxError> + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Response, BoxError>> + Send + 'static>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let header = |name: http::header::HeaderName| {
            request
                .headers()
                .get(name)
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        };
        // HTTP/1.1 requires Host; HTTP/2 carries it in the URI's authority.
        let host = header(http::header::HOST)
            .or_else(|| request.uri().authority().map(|a| a.as_str().to_owned()));
        if let Some(host) = &host {
            if !self.config.host_allowed(host) {
                tracing::debug!(%host, "refused a request for a host name not allowed");
                let r = forbidden(format!(
                    "host {host:?} is not allowed: this node accepts IP addresses and \
                     localhost (start it with --allow-host <NAME> to add a host name)\n"
                ));
                return Box::pin(async move { Ok(r) });
            }
        }
        let origin = header(http::header::ORIGIN);
        if let Some(origin) = &origin {
            if !self.config.origin_allowed(origin) {
                tracing::debug!(%origin, "refused a request from an origin not allowed");
                let r = forbidden(format!(
                    "origin {origin:?} is not allowed: this node accepts pages served from \
                     localhost or a loopback address (start it with --allow-origin <ORIGIN> \
                     to add one)\n"
                ));
                return Box::pin(async move { Ok(r) });
            }
            if request.method() == http::Method::OPTIONS {
                let mut r = http::Response::new(HttpBody::empty());
                *r.status_mut() = http::StatusCode::NO_CONTENT;
                cors_headers(&mut r, origin);
                let h = r.headers_mut();
                h.insert(
                    http::header::ACCESS_CONTROL_ALLOW_METHODS,
                    http::HeaderValue::from_static("POST, GET, OPTIONS"),
                );
                h.insert(
                    http::header::ACCESS_CONTROL_ALLOW_HEADERS,
                    http::HeaderValue::from_static("content-type"),
                );
                return Box::pin(async move { Ok(r) });
            }
        }
        let fut = self.inner.call(request);
        Box::pin(async move {
            let mut r = fut.await.map_err(Into::into)?;
            if let Some(origin) = &origin {
                cors_headers(&mut r, origin);
            }
            Ok(r)
        })
    }
}

/// Lets the page at `origin` read the response.
fn cors_headers(r: &mut Response, origin: &str) {
    if let Ok(v) = http::HeaderValue::from_str(origin) {
        r.headers_mut()
            .insert(http::header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
        r.headers_mut()
            .insert(http::header::VARY, http::HeaderValue::from_static("Origin"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        let c = GuardConfig::default();
        for ok in [
            "127.0.0.1:8545",
            "localhost:8545",
            "LOCALHOST",
            "[::1]:8545",
            "10.0.0.7:8545",
            "::1",
        ] {
            assert!(c.host_allowed(ok), "{ok}");
        }
        for bad in [
            "evil.example:8545",
            "evil.example",
            "localhost.evil.example",
        ] {
            assert!(!c.host_allowed(bad), "{bad}");
        }
        let c = GuardConfig {
            allowed_hosts: vec!["devbox.lan".into()],
            ..GuardConfig::default()
        };
        assert!(c.host_allowed("DevBox.lan:8545"));
        assert!(!c.host_allowed("evil.example"));
        let any = GuardConfig {
            allowed_hosts: vec!["*".into()],
            ..GuardConfig::default()
        };
        assert!(any.host_allowed("evil.example"));
    }

    #[test]
    fn origins() {
        let c = GuardConfig::default();
        for ok in [
            "http://localhost:3000",
            "http://127.0.0.1:5173",
            "https://localhost",
            "http://[::1]:8080",
            "http://127.8.9.10",
        ] {
            assert!(c.origin_allowed(ok), "{ok}");
        }
        for bad in [
            "http://evil.example",
            "http://evil.example:8545",
            "null",
            "file://",
            "http://10.0.0.7:3000",
            "http://localhost.evil.example",
            "ftp://localhost",
        ] {
            assert!(!c.origin_allowed(bad), "{bad}");
        }
        let c = GuardConfig {
            allowed_origins: vec!["https://app.example".into()],
            ..GuardConfig::default()
        };
        assert!(c.origin_allowed("https://app.example"));
        assert!(c.origin_allowed("https://APP.example/"));
        assert!(!c.origin_allowed("http://app.example"));
        assert!(!c.origin_allowed("https://app.example:444"));
    }
}
