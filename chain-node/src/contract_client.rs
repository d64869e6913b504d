//! The typed Rust client of one contract over JSON-RPC, by message name: what `metron
//! call` / `metron query` do with `--metadata`, as a library.
//!
//! A [`ContractClient`] holds a JSON-RPC client (any jsonrpsee client, e.g. the
//! [`HttpClient`](jsonrpsee::http_client::HttpClient) of [`metron_rpc::http_client`]), the
//! contract's address and its [`Metadata`]. Arguments are `(name, value)` pairs with the
//! CLI's value syntax ([`crate::metadata`]: `("to", "dev:1")`, `("amount", "250")`, JSON
//! for composite types). Results come back as [`Decoded`]: the return value, the typed
//! error of a reverted message and the events, each decoded by the metadata to the CLI's
//! text form (`250`, `InsufficientBalance`, `Transfer { from: 0x…, to: 0x…, amount: 7 }`).
//!
//! ```no_run
//! # async fn demo() -> Result<(), metron_node::contract_client::ClientError> {
//! use metron_node::contract_client::{ContractClient, Outcome};
//! use metron_node::metadata::Metadata;
//!
//! let rpc = metron_rpc::http_client("http://127.0.0.1:8545").expect("url");
//! let meta = Metadata::load("macro_token.metadata.json".as_ref()).expect("metadata");
//! let key = metron_node::dev::dev_keys(1).remove(0);
//! let code = std::fs::read("macro_token.wasm").expect("wasm");
//! let (token, _deployed) =
//!     ContractClient::deploy(rpc, &key, &code, meta, &[("supply", "1000")]).await?;
//! let token = token.expect("the deploy succeeded");
//! let sent = token.call(&key, "transfer", &[("to", "dev:1"), ("amount", "250")]).await?;
//! assert!(sent.output.is_success());
//! let balance = token.query("balance_of", &[("owner", "dev:1")]).await?;
//! assert_eq!(balance.outcome, Outcome::Returned(Some("250".into())));
//! # Ok(()) }
//! ```

use std::time::Duration;

use ed25519_dalek::SigningKey;
use jsonrpsee::core::client::SubscriptionClientT;
use metron_rpc::types as wire;
use metron_rpc::MetronApiClient;

use crate::metadata::{Message, Metadata};
use crate::types::{Action, Address, Transaction};

/// Default gas limit of [`ContractClient::call`] and [`ContractClient::query`] (the CLI's).
pub const DEFAULT_CALL_GAS: u64 = 10_000_000;
/// Default gas limit of [`ContractClient::deploy`] (the CLI's).
pub const DEFAULT_DEPLOY_GAS: u64 = 50_000_000;
/// How long [`ContractClient::call`] waits for a receipt.
pub const RECEIPT_TIMEOUT: Duration = Duration::from_secs(60);

/// Why a [`ContractClient`] request failed. A contract failure (revert, trap, out of gas)
/// is not an error: it is the [`Outcome`] of a [`Decoded`].
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The message or its arguments do not fit the metadata: an unknown message (the
    /// text lists the contract's messages), a missing, unknown or repeated argument, or a
    /// value that does not fit its type (the text gives the message's signature).
    #[error("{0:#}")]
    Args(anyhow::Error),
    /// The JSON-RPC request failed (transport, or an error the node returned, e.g. a
    /// rejected transaction or no contract at the address).
    #[error("RPC request failed: {0}")]
    Rpc(#[from] jsonrpsee::core::client::Error),
    /// No receipt for the submitted transaction within [`RECEIPT_TIMEOUT`].
    #[error("no receipt for transaction {0} after {RECEIPT_TIMEOUT:?}")]
    Timeout(wire::H256),
    /// The return data of a successful message is not a value of its `returns` type
    /// (metadata that does not match the deployed code).
    #[error("return data {data} is not a {ty}: {source:#}")]
    Decode {
        /// The return data, `0x` hex.
        data: String,
        /// The expected type's name.
        ty: String,
        /// What did not decode.
        source: anyhow::Error,
    },
}

/// How a contract execution ended, decoded by the message's metadata.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Success. The return value in text form (`250`, `0x…` for bytes and addresses,
    /// `Point { x: 3, y: None }`), `None` if the message declares no return type.
    Returned(Option<String>),
    /// The contract reverted. Its typed error decoded by name (`InsufficientBalance`),
    /// or the revert data in `0x` hex if the message declares no error type or the data
    /// is not one of its values.
    Reverted(String),
    /// Any other failure (trap, out of gas, invalid code, …): the status and the node's
    /// message, e.g. `trapped (unreachable): aborted: …`.
    Failed(String),
}

/// One event, decoded by the client's metadata.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodedEvent {
    /// The contract that emitted it (a callee's events are included).
    pub contract: Address,
    /// The topic as text (the event's name for SDK events), or `0x` hex if it is not
    /// printable UTF-8.
    pub name: String,
    /// The data in text form (`Transfer { from: 0x…, to: 0x…, amount: 7 }`) when the
    /// metadata has an event of that name and the data decodes; else `0x` hex.
    pub data: String,
    /// Whether `data` was decoded by the metadata.
    pub decoded: bool,
}

/// The result of a message (a dry run or a transaction), decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decoded {
    /// The node's status class.
    pub status: wire::ExecStatus,
    /// Gas used, including the intrinsic gas of the (equivalent) transaction.
    pub gas_used: u64,
    /// The decoded return value, typed error or failure.
    pub outcome: Outcome,
    /// The events, in emission order (none when the execution failed).
    pub events: Vec<DecodedEvent>,
    /// The raw return data (the revert data of a reverted message).
    pub return_data: Vec<u8>,
}

impl Decoded {
    /// Decodes a result of `message` (by `meta`) from its raw parts, as the node reports
    /// them: `trap` is the trap kind of a trapped status, `error` the node's message.
    ///
    /// # Errors
    /// [`ClientError::Decode`] if a successful message's return data is not a value of
    /// its `returns` type. Undecodable revert or event data falls back to hex instead.
    #[allow(clippy::too_many_arguments)]
    pub fn from_parts(
        meta: &Metadata,
        message: &Message,
        status: wire::ExecStatus,
        trap: Option<&str>,
        gas_used: u64,
        return_data: Vec<u8>,
        events: &[wire::Event],
        error: Option<&str>,
    ) -> Result<Decoded, ClientError> {
        let hex = metron_rpc::hex_serde::encode(&return_data);
        let outcome =
            match status {
                wire::ExecStatus::Success => match message.returns {
                    Some(ty) => Outcome::Returned(Some(meta.decode(ty, &return_data).map_err(
                        |source| ClientError::Decode {
                            data: hex.clone(),
                            ty: meta.type_name(ty),
                            source,
                        },
                    )?)),
                    None => Outcome::Returned(None),
                },
                wire::ExecStatus::Reverted => Outcome::Reverted(
                    message
                        .error
                        .and_then(|ty| meta.decode(ty, &return_data).ok())
                        .unwrap_or(hex),
                ),
                other => {
                    let class = serde_json::to_value(other)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_else(|| format!("{other:?}"));
                    let mut text = match trap {
                        Some(t) => format!("{class} ({t})"),
                        None => class,
                    };
                    if let Some(e) = error {
                        text.push_str(": ");
                        text.push_str(e);
                    }
                    Outcome::Failed(text)
                }
            };
        let events = events
            .iter()
            .map(|e| {
                let decoded = meta
                    .decode_event(&e.topic.0, &e.data.0)
                    .and_then(Result::ok);
                let name = match std::str::from_utf8(&e.topic.0) {
                    Ok(s) if s.chars().all(|c| !c.is_control()) => s.to_owned(),
                    _ => metron_rpc::hex_serde::encode(&e.topic.0),
                };
                DecodedEvent {
                    contract: e.contract.0,
                    name,
                    decoded: decoded.is_some(),
                    data: decoded.unwrap_or_else(|| e.data.to_string()),
                }
            })
            .collect();
        Ok(Decoded {
            status,
            gas_used,
            outcome,
            events,
            return_data,
        })
    }

    /// Whether the message succeeded.
    pub fn is_success(&self) -> bool {
        matches!(self.outcome, Outcome::Returned(_))
    }

    /// The return value of a successful message (`None` also for a message without one).
    pub fn value(&self) -> Option<&str> {
        match &self.outcome {
            Outcome::Returned(v) => v.as_deref(),
            _ => None,
        }
    }

    /// The decoded typed error of a reverted message.
    pub fn revert(&self) -> Option<&str> {
        match &self.outcome {
            Outcome::Reverted(e) => Some(e),
            _ => None,
        }
    }
}

/// The receipt of a message sent in a transaction, decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallReceipt {
    /// Transaction hash.
    pub tx_hash: wire::H256,
    /// Height of the block that included it.
    pub block_height: u64,
    /// Fee paid, in base units.
    pub fee: u128,
    /// The new contract's address (deploys only).
    pub contract_address: Option<Address>,
    /// The decoded result: return value, typed error, events, gas used.
    pub output: Decoded,
}

/// A contract at `address` described by `metadata`, reached through the JSON-RPC client
/// `C` (a jsonrpsee HTTP or WebSocket client; [`metron_rpc::http_client`] makes an HTTP
/// one).
///
/// Transactions are signed locally with ed25519 keys ([`crate::dev::dev_keys`] on a
/// devnet) at the sender's next nonce, the node's chain id, [`Self::with_gas_limit`]
/// (default [`DEFAULT_CALL_GAS`]) and [`Self::with_gas_price`] (default 1).
#[derive(Debug, Clone)]
pub struct ContractClient<C> {
    rpc: C,
    address: Address,
    metadata: Metadata,
    gas_limit: u64,
    gas_price: u128,
}

fn pairs(args: &[(&str, &str)]) -> Vec<(String, String)> {
    args.iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect()
}

impl<C: SubscriptionClientT + Send + Sync> ContractClient<C> {
    /// A client of the contract at `address`, described by `metadata`.
    pub fn new(rpc: C, address: Address, metadata: Metadata) -> Self {
        ContractClient {
            rpc,
            address,
            metadata,
            gas_limit: DEFAULT_CALL_GAS,
            gas_price: 1,
        }
    }

    /// The same client with gas limit `gas_limit` for calls and queries.
    #[must_use]
    pub fn with_gas_limit(mut self, gas_limit: u64) -> Self {
        self.gas_limit = gas_limit;
        self
    }

    /// The same client signing at gas price `gas_price` (base units per gas).
    #[must_use]
    pub fn with_gas_price(mut self, gas_price: u128) -> Self {
        self.gas_price = gas_price;
        self
    }

    /// The contract's address.
    pub fn address(&self) -> Address {
        self.address
    }

    /// The contract's metadata.
    pub fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    /// The JSON-RPC client.
    pub fn rpc(&self) -> &C {
        &self.rpc
    }

    /// Deploys `code` signed by `signer` (gas limit [`DEFAULT_DEPLOY_GAS`], price 1), with
    /// the metadata's `init` message arguments by name (empty if it has no `init`).
    /// Returns the client of the new contract (if the deploy succeeded) and the decoded
    /// receipt (`init`'s events; `output.outcome` is `Returned(None)` on success).
    ///
    /// # Errors
    /// [`ClientError::Args`] for arguments that do not fit `init` (or arguments for a
    /// contract without one); RPC failures; [`ClientError::Timeout`].
    pub async fn deploy(
        rpc: C,
        signer: &SigningKey,
        code: &[u8],
        metadata: Metadata,
        init_args: &[(&str, &str)],
    ) -> Result<(Option<Self>, CallReceipt), ClientError> {
        let init = metadata.messages.iter().find(|m| m.kind == "init").cloned();
        let (init_input, init) = match init {
            Some(m) => (
                metadata
                    .encode_args(&m, &pairs(init_args))
                    .map_err(ClientError::Args)?,
                m,
            ),
            None if init_args.is_empty() => (
                Vec::new(),
                Message {
                    name: "init".into(),
                    kind: "init".into(),
                    payable: false,
                    args: Vec::new(),
                    returns: None,
                    error: None,
                },
            ),
            None => {
                return Err(ClientError::Args(anyhow::anyhow!(
                    "contract {} has no init message taking arguments",
                    metadata.name
                )))
            }
        };
        let action = Action::Deploy {
            code: code.to_vec(),
            init_input,
        };
        let r = send(&rpc, signer, DEFAULT_DEPLOY_GAS, 1, action).await?;
        let receipt = receipt(&metadata, &init, r)?;
        let client = receipt
            .contract_address
            .filter(|_| receipt.output.is_success())
            .map(|a| ContractClient::new(rpc, a, metadata));
        Ok((client, receipt))
    }

    /// Dry-runs `message` at the head (`contract_call`: no transaction, no state change)
    /// with arguments by name, from the zero address.
    ///
    /// # Errors
    /// [`ClientError::Args`], [`ClientError::Rpc`] (e.g. no contract at the address),
    /// [`ClientError::Decode`].
    pub async fn query(
        &self,
        message: &str,
        args: &[(&str, &str)],
    ) -> Result<Decoded, ClientError> {
        self.query_from(None, message, args).await
    }

    /// [`Self::query`] with the caller the contract sees set to `from`.
    ///
    /// # Errors
    /// As [`Self::query`].
    pub async fn query_from(
        &self,
        from: Option<Address>,
        message: &str,
        args: &[(&str, &str)],
    ) -> Result<Decoded, ClientError> {
        let (msg, input) = self.encode(message, args)?;
        let req = wire::CallRequest {
            from: from.map(wire::H256),
            contract: wire::H256(self.address),
            method: msg.name.clone(),
            input: wire::Bytes(input),
            value: Some(wire::U128(0)),
            gas_limit: Some(self.gas_limit),
            at: None,
        };
        let r = self.rpc.contract_call(req).await?;
        Decoded::from_parts(
            &self.metadata,
            msg,
            r.status,
            r.trap.as_deref(),
            r.gas_used,
            r.return_data.0,
            &r.events,
            r.error.as_deref(),
        )
    }

    /// Sends `message` with arguments by name in a transaction signed by `signer`, waits
    /// for its receipt and decodes it. A revert is `Ok`, with
    /// [`Outcome::Reverted`] holding the typed error (the fee is paid).
    ///
    /// # Errors
    /// [`ClientError::Args`], [`ClientError::Rpc`] (e.g. the node rejects the
    /// transaction), [`ClientError::Timeout`], [`ClientError::Decode`].
    pub async fn call(
        &self,
        signer: &SigningKey,
        message: &str,
        args: &[(&str, &str)],
    ) -> Result<CallReceipt, ClientError> {
        self.call_with_value(signer, message, args, 0).await
    }

    /// [`Self::call`] transferring `value` base units to the contract.
    ///
    /// # Errors
    /// As [`Self::call`]; [`ClientError::Args`] if `value > 0` and the message is not
    /// payable.
    pub async fn call_with_value(
        &self,
        signer: &SigningKey,
        message: &str,
        args: &[(&str, &str)],
        value: u128,
    ) -> Result<CallReceipt, ClientError> {
        let (msg, input) = self.encode(message, args)?;
        if value > 0 && !msg.payable {
            return Err(ClientError::Args(anyhow::anyhow!(
                "message {} is not payable: it refuses a value",
                msg.name
            )));
        }
        let action = Action::Call {
            contract: self.address,
            method: msg.name.clone(),
            input,
            value,
        };
        let r = send(&self.rpc, signer, self.gas_limit, self.gas_price, action).await?;
        receipt(&self.metadata, msg, r)
    }

    fn encode(
        &self,
        message: &str,
        args: &[(&str, &str)],
    ) -> Result<(&Message, Vec<u8>), ClientError> {
        let msg = self.metadata.message(message).map_err(ClientError::Args)?;
        let input = self
            .metadata
            .encode_args(msg, &pairs(args))
            .map_err(ClientError::Args)?;
        Ok((msg, input))
    }
}

fn receipt(meta: &Metadata, msg: &Message, r: wire::Receipt) -> Result<CallReceipt, ClientError> {
    let output = Decoded::from_parts(
        meta,
        msg,
        r.status,
        r.trap.as_deref(),
        r.gas_used,
        r.return_data.0,
        &r.events,
        r.error.as_deref(),
    )?;
    Ok(CallReceipt {
        tx_hash: r.tx_hash,
        block_height: r.block_height,
        fee: r.fee.0,
        contract_address: r.contract_address.map(|a| a.0),
        output,
    })
}

/// Signs `action` at the sender's next nonce and the node's chain id, submits it and
/// waits for the receipt.
async fn send<C: SubscriptionClientT + Send + Sync>(
    rpc: &C,
    key: &SigningKey,
    gas_limit: u64,
    gas_price: u128,
    action: Action,
) -> Result<wire::Receipt, ClientError> {
    let from = wire::H256(key.verifying_key().to_bytes());
    let chain_id = rpc.chain_id().await?;
    let nonce = rpc.state_get_nonce(from, None).await?;
    let tx = Transaction {
        chain_id,
        nonce,
        gas_limit,
        gas_price,
        action,
    };
    let hash = rpc
        .tx_submit(wire::Bytes(tx.sign(key).to_bytes()), None)
        .await?;
    let deadline = tokio::time::Instant::now() + RECEIPT_TIMEOUT;
    loop {
        if let Some(r) = rpc.tx_get_receipt(hash).await? {
            return Ok(r);
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(ClientError::Timeout(hash));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
