//! Typed client constructors. The returned clients implement [`crate::MetronApiClient`].

use std::time::Duration;

use jsonrpsee::http_client::{HttpClient, HttpClientBuilder};
use jsonrpsee::ws_client::{WsClient, WsClientBuilder};

/// Request timeout used by the constructors (deploys execute synchronously on the devnet).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// Maximum request body the clients send (matches the server default).
const MAX_BODY: u32 = crate::server::DEFAULT_MAX_REQUEST_BODY;

/// Builds an HTTP client for `url` (e.g. `http://127.0.0.1:8545`).
///
/// # Errors
/// Returns the jsonrpsee error if the URL is invalid.
pub fn http_client(url: &str) -> Result<HttpClient, jsonrpsee::core::client::Error> {
    HttpClientBuilder::default()
        .request_timeout(REQUEST_TIMEOUT)
        .max_request_size(MAX_BODY)
        .max_response_size(MAX_BODY)
        .build(url)
}

/// Connects a WebSocket client to `url` (e.g. `ws://127.0.0.1:8545`).
///
/// # Errors
/// Returns the jsonrpsee error if the URL is invalid or the connection fails.
pub async fn ws_client(url: &str) -> Result<WsClient, jsonrpsee::core::client::Error> {
    WsClientBuilder::default()
        .request_timeout(REQUEST_TIMEOUT)
        .max_request_size(MAX_BODY)
        .max_response_size(MAX_BODY)
        .build(url)
        .await
}
