//! Devnet controls and look-ups over JSON-RPC: `metron dev <control>` (snapshots, state
//! edits, time, mining, impersonation), `metron tx <hash>` and `metron prove`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{anyhow, bail};
use clap::{Args, Subcommand};
use metron_rpc::types as wire;
use metron_rpc::MetronApiClient;

use super::args::parse_address;
use super::client::{rpc_err, RpcOpts};

/// `metron dev <control>`.
#[derive(Debug, Clone, Args)]
pub struct DevArgs {
    /// The control.
    #[command(subcommand)]
    pub control: DevControl,
    #[command(flatten)]
    pub rpc: RpcOpts,
}

/// The devnet controls (each one RPC method of the `dev_` namespace, `docs/rpc.md`).
#[derive(Debug, Clone, Subcommand)]
pub enum DevControl {
    /// Record the head; prints the snapshot id (`dev_snapshot`).
    Snapshot,
    /// Take the chain back to a snapshot (`dev_revert`); fails for an unknown id.
    Revert {
        /// Snapshot id.
        id: u64,
    },
    /// Take the chain back to genesis (`dev_reset`).
    Reset,
    /// Seal empty blocks (`dev_mine`).
    Mine {
        /// Number of blocks.
        #[arg(default_value_t = 1)]
        blocks: u64,
    },
    /// Move the block clock forward (`dev_increaseTime`).
    IncreaseTime {
        /// Milliseconds.
        ms: u64,
    },
    /// Set the next block's timestamp in ms since the Unix epoch
    /// (`dev_setNextBlockTimestamp`).
    SetNextTimestamp {
        /// Milliseconds since the Unix epoch.
        ms: u64,
    },
    /// Set an account's balance in base units (`dev_setBalance`).
    SetBalance {
        /// Address (0x) or dev account index.
        address: String,
        /// Balance in base units.
        balance: u128,
    },
    /// Set an account's nonce (`dev_setNonce`).
    SetNonce {
        /// Address (0x) or dev account index.
        address: String,
        /// The next nonce its transactions must carry.
        nonce: u64,
    },
    /// Set an account's contract code from a .wasm/.wat file (`dev_setCode`).
    SetCode {
        /// Address (0x) or dev account index.
        address: String,
        /// Contract code; `--clear` instead removes the code.
        file: Option<PathBuf>,
        /// Remove the account's code.
        #[arg(long, conflicts_with = "file")]
        clear: bool,
    },
    /// Set (or, without a value, delete) a storage value (`dev_setStorage`).
    SetStorage {
        /// Contract address (0x).
        address: String,
        /// Storage key, 0x hex.
        key: String,
        /// Value, 0x hex; omitted: delete.
        value: Option<String>,
    },
    /// Seal each transaction as it arrives (`on`), or only on `mine` (`off`)
    /// (`dev_setAutomine`).
    Automine {
        /// `on` or `off`.
        #[arg(value_parser = ["on", "off"])]
        state: String,
    },
    /// Seal a block every MS milliseconds; 0: only on `mine` (`dev_setIntervalMining`).
    IntervalMining {
        /// Milliseconds.
        ms: u64,
    },
    /// Print the mining mode (`dev_miningMode`).
    MiningMode,
    /// List the pending transactions: hash, sender, nonce (`tx_pending`).
    Pending,
    /// Remove a pending transaction from the pool (`dev_dropTransaction`).
    Drop {
        /// Transaction hash (0x).
        hash: String,
    },
    /// Accept unsigned transactions from an address (`dev_impersonate`).
    Impersonate {
        /// Address (0x).
        address: String,
    },
    /// Stop accepting unsigned transactions from an address (`dev_stopImpersonating`).
    StopImpersonating {
        /// Address (0x).
        address: String,
    },
    /// Accept unsigned transactions from every address, or stop
    /// (`dev_setAutoImpersonate`).
    AutoImpersonate {
        /// `on` or `off`.
        #[arg(value_parser = ["on", "off"])]
        state: String,
    },
    /// Write the head's state to a state file in the node's `states/` directory
    /// (`dev_dumpState`).
    DumpState {
        /// File name (no path: the node resolves it in `<data dir>/states`).
        name: String,
    },
    /// Replace the state with a state file's from the node's `states/` directory
    /// (`dev_loadState`).
    LoadState {
        /// File name (no path: the node resolves it in `<data dir>/states`).
        name: String,
    },
}

/// `metron tx <hash>`.
#[derive(Debug, Clone, Args)]
pub struct TxArgs {
    /// Transaction hash (0x).
    pub hash: String,
    #[command(flatten)]
    pub rpc: RpcOpts,
}

/// `metron prove <address> [--key 0x..]...`.
#[derive(Debug, Clone, Args)]
pub struct ProveArgs {
    /// Account address (0x) or dev account index.
    pub address: String,
    /// Storage key to prove, 0x hex; repeatable.
    #[arg(long = "key", value_name = "0xKEY")]
    pub keys: Vec<String>,
    /// Height whose state root to prove against (default: head).
    #[arg(long, value_name = "HEIGHT")]
    pub at: Option<u64>,
    #[command(flatten)]
    pub rpc: RpcOpts,
}

fn hex_arg(s: &str, what: &str) -> anyhow::Result<Vec<u8>> {
    metron_rpc::hex_serde::decode(s).map_err(|e| anyhow!("invalid {what} {s:?}: {e}"))
}

fn mode_text(mode: &wire::MiningMode) -> String {
    match mode {
        wire::MiningMode::Auto => "mining: instant seal (a block per transaction)".into(),
        wire::MiningMode::Interval { ms } => format!("mining: a block every {ms} ms"),
        wire::MiningMode::Manual => "mining: manual (blocks only on `metron dev mine`)".into(),
    }
}

fn print_head(what: &str, h: &wire::BlockHeader) {
    println!("{what}");
    println!("block:       {} ({})", h.height, h.hash);
    println!("state root:  {}", h.state_root);
}

/// `metron dev <control>`.
///
/// # Errors
/// Bad arguments, RPC errors, an unknown snapshot id.
pub async fn dev(a: DevArgs) -> anyhow::Result<ExitCode> {
    let c = a.rpc.client()?;
    match a.control {
        DevControl::Snapshot => println!("{}", c.dev_snapshot().await.map_err(rpc_err)?),
        DevControl::Revert { id } => {
            if !c.dev_revert(id).await.map_err(rpc_err)? {
                bail!("no snapshot {id} (unknown, or used up by an earlier revert)");
            }
            print_head("reverted", &c.chain_head().await.map_err(rpc_err)?);
        }
        DevControl::Reset => print_head("reset", &c.dev_reset().await.map_err(rpc_err)?),
        DevControl::Mine { blocks } => {
            print_head("mined", &c.dev_mine(Some(blocks)).await.map_err(rpc_err)?);
        }
        DevControl::IncreaseTime { ms } => {
            let total = c.dev_increase_time(ms).await.map_err(rpc_err)?;
            println!("clock offset: {total} ms");
        }
        DevControl::SetNextTimestamp { ms } => {
            c.dev_set_next_block_timestamp(ms).await.map_err(rpc_err)?;
            println!("next block timestamp: {ms}");
        }
        DevControl::SetBalance { address, balance } => {
            let a = wire::H256(parse_address(&address)?);
            let h = c
                .dev_set_balance(a, wire::U128(balance))
                .await
                .map_err(rpc_err)?;
            print_head(&format!("balance of {a} set to {balance}"), &h);
        }
        DevControl::SetNonce { address, nonce } => {
            let a = wire::H256(parse_address(&address)?);
            let h = c.dev_set_nonce(a, nonce).await.map_err(rpc_err)?;
            print_head(&format!("nonce of {a} set to {nonce}"), &h);
        }
        DevControl::SetCode {
            address,
            file,
            clear,
        } => {
            let a = wire::H256(parse_address(&address)?);
            let code = match (file, clear) {
                (Some(f), false) => super::read_wasm(&f)?,
                (None, true) => Vec::new(),
                _ => bail!("give a code file or --clear"),
            };
            let n = code.len();
            let h = c
                .dev_set_code(a, wire::Bytes(code))
                .await
                .map_err(rpc_err)?;
            print_head(&format!("code of {a} set ({n} bytes)"), &h);
        }
        DevControl::SetStorage {
            address,
            key,
            value,
        } => {
            let a = wire::H256(parse_address(&address)?);
            let key = wire::Bytes(hex_arg(&key, "storage key")?);
            let value = value
                .map(|v| hex_arg(&v, "value").map(wire::Bytes))
                .transpose()?;
            let h = c.dev_set_storage(a, key, value).await.map_err(rpc_err)?;
            print_head(&format!("storage of {a} set"), &h);
        }
        DevControl::Automine { state } => {
            c.dev_set_automine(state == "on").await.map_err(rpc_err)?;
            println!("automine {state}");
        }
        DevControl::IntervalMining { ms } => {
            c.dev_set_interval_mining(ms).await.map_err(rpc_err)?;
            println!(
                "{}",
                mode_text(&c.dev_mining_mode().await.map_err(rpc_err)?)
            );
        }
        DevControl::MiningMode => {
            println!(
                "{}",
                mode_text(&c.dev_mining_mode().await.map_err(rpc_err)?)
            );
        }
        DevControl::Pending => {
            for t in c.tx_pending().await.map_err(rpc_err)? {
                println!("{} from {} nonce {}", t.hash, t.from, t.nonce);
            }
        }
        DevControl::Drop { hash } => {
            let hash = wire::H256(
                metron_rpc::hex_serde::decode_fixed::<32>(&hash)
                    .map_err(|e| anyhow!("invalid transaction hash {hash:?}: {e}"))?,
            );
            if !c.dev_drop_transaction(hash).await.map_err(rpc_err)? {
                bail!("{hash} is not pending");
            }
            println!("dropped {hash}");
        }
        DevControl::Impersonate { address } => {
            let a = wire::H256(parse_address(&address)?);
            c.dev_impersonate(a).await.map_err(rpc_err)?;
            println!("impersonating {a}: its transactions need no signature");
        }
        DevControl::StopImpersonating { address } => {
            let a = wire::H256(parse_address(&address)?);
            let was = c.dev_stop_impersonating(a).await.map_err(rpc_err)?;
            println!(
                "{}",
                if was {
                    format!("stopped impersonating {a}")
                } else {
                    format!("{a} was not impersonated")
                }
            );
        }
        DevControl::AutoImpersonate { state } => {
            let on = state == "on";
            c.dev_set_auto_impersonate(on).await.map_err(rpc_err)?;
            println!("auto-impersonation {state}");
        }
        DevControl::DumpState { name } => {
            let i = c.dev_dump_state(name).await.map_err(rpc_err)?;
            println!(
                "wrote the state at height {} (root {}, {} entries, {} codes, {} bytes) to {}",
                i.height, i.state_root, i.entries, i.codes, i.bytes, i.path
            );
        }
        DevControl::LoadState { name } => {
            let i = c.dev_load_state(name).await.map_err(rpc_err)?;
            println!(
                "loaded {} ({} entries, {} codes): head {} has state root {}",
                i.path, i.entries, i.codes, i.height, i.state_root
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `metron tx <hash>`: the transaction, its block and its receipt, as JSON.
///
/// # Errors
/// A malformed hash, an unknown transaction, RPC errors.
pub async fn tx(a: TxArgs) -> anyhow::Result<ExitCode> {
    let hash = wire::H256(
        metron_rpc::hex_serde::decode_fixed::<32>(&a.hash)
            .map_err(|e| anyhow!("invalid transaction hash {:?}: {e}", a.hash))?,
    );
    let c = a.rpc.client()?;
    let info = c
        .chain_get_transaction(hash)
        .await
        .map_err(rpc_err)?
        .ok_or_else(|| anyhow!("no transaction {hash} on this chain"))?;
    let receipt = c.tx_get_receipt(hash).await.map_err(rpc_err)?;
    let out = serde_json::json!({ "transaction": info, "receipt": receipt });
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(ExitCode::SUCCESS)
}

/// `metron prove`: fetches the header at the height and the proofs, verifies the proofs
/// against the header's state root (`metron_node::proof`), prints the verified values.
///
/// # Errors
/// Bad arguments, RPC errors, a proof that does not verify.
pub async fn prove(a: ProveArgs) -> anyhow::Result<ExitCode> {
    let address = parse_address(&a.address)?;
    let keys = a
        .keys
        .iter()
        .map(|k| hex_arg(k, "storage key").map(wire::Bytes))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let c = a.rpc.client()?;
    let height = match a.at {
        Some(h) => h,
        None => c.chain_head().await.map_err(rpc_err)?.height,
    };
    let header = c
        .chain_get_block(wire::BlockId::Number(height))
        .await
        .map_err(rpc_err)?
        .ok_or_else(|| anyhow!("no block at height {height}"))?
        .header;
    let answer = c
        .state_get_proof(wire::H256(address), keys, Some(height))
        .await
        .map_err(rpc_err)?;
    let v = metron_node::proof::verify_state_proof(&address, &answer, &header.state_root.0)
        .map_err(|e| anyhow!("the proof does not verify: {e}"))?;
    println!(
        "verified against block {height} ({}), state root {}",
        header.hash, header.state_root
    );
    match &v.account {
        None => println!("account:     absent"),
        Some(acct) => {
            println!("balance:     {}", acct.balance);
            println!("nonce:       {}", acct.nonce);
            if let Some(h) = acct.code_hash {
                println!("code hash:   {}", metron_rpc::hex_serde::encode(&h));
            }
        }
    }
    for (key, value) in &v.storage {
        println!(
            "storage {}: {}",
            metron_rpc::hex_serde::encode(key),
            value
                .as_ref()
                .map_or_else(|| "absent".to_owned(), |v| metron_rpc::hex_serde::encode(v))
        );
    }
    Ok(ExitCode::SUCCESS)
}
