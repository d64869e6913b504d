//! Server constructor: HTTP and WebSocket on one port, with request body and batch caps
//! and the `Host`/`Origin` checks of [`crate::guard`].

use std::net::SocketAddr;

use jsonrpsee::server::{
    BatchRequestConfig, Server, ServerConfig as JsonrpseeConfig, ServerHandle,
};
use jsonrpsee::Methods;

use crate::guard::{GuardConfig, GuardLayer};

/// Default maximum request (and response) body: 10 MiB, enough for a maximum-size
/// contract deploy encoded as hex.
pub const DEFAULT_MAX_REQUEST_BODY: u32 = 10 * 1024 * 1024;
/// Default maximum number of calls in one JSON-RPC batch.
pub const DEFAULT_MAX_BATCH: u32 = 100;
/// Default maximum number of simultaneous connections.
pub const DEFAULT_MAX_CONNECTIONS: u32 = 100;

/// Transport limits of the RPC server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerConfig {
    /// Address to bind; port 0 picks a free port (see the returned address).
    pub addr: SocketAddr,
    /// Maximum request body, bytes.
    pub max_request_body: u32,
    /// Maximum response body, bytes.
    pub max_response_body: u32,
    /// Maximum calls per batch; larger batches get an error response.
    pub max_batch: u32,
    /// Maximum simultaneous connections.
    pub max_connections: u32,
    /// Host names and origins accepted besides the loopback ones ([`crate::guard`]).
    pub guard: GuardConfig,
}

impl ServerConfig {
    /// Defaults (10 MiB bodies, batches of 100, 100 connections, loopback hosts and
    /// origins only) bound to `addr`.
    pub fn new(addr: SocketAddr) -> Self {
        ServerConfig {
            addr,
            max_request_body: DEFAULT_MAX_REQUEST_BODY,
            max_response_body: DEFAULT_MAX_REQUEST_BODY,
            max_batch: DEFAULT_MAX_BATCH,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            guard: GuardConfig::default(),
        }
    }
}

/// Binds the server and starts serving `methods` on HTTP and WebSocket (same port).
/// Returns the bound local address and the handle used to stop it
/// (`handle.stop()` then `handle.stopped().await`).
///
/// # Errors
/// Returns the I/O error if the address cannot be bound.
pub async fn start_server(
    config: &ServerConfig,
    methods: impl Into<Methods>,
) -> std::io::Result<(SocketAddr, ServerHandle)> {
    let cfg = JsonrpseeConfig::builder()
        .max_request_body_size(config.max_request_body)
        .max_response_body_size(config.max_response_body)
        .max_connections(config.max_connections)
        .set_batch_request_config(BatchRequestConfig::Limit(config.max_batch))
        .build();
    let http_middleware = tower::ServiceBuilder::new().layer(GuardLayer::new(config.guard.clone()));
    let server = Server::builder()
        .set_config(cfg)
        .set_http_middleware(http_middleware)
        .build(config.addr)
        .await?;
    let addr = server.local_addr()?;
    let handle = server.start(methods);
    tracing::info!(%addr, "RPC server listening (HTTP and WebSocket)");
    Ok((addr, handle))
}
