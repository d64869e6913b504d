//! `metron abci`: serves the chain over ABCI 2.0 for CometBFT 0.38
//! (`metron_node::abci`, docs/network.md).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{anyhow, Context};
use clap::Args;

/// `metron abci [--listen tcp://HOST:PORT] [--data-dir DIR]`.
#[derive(Debug, Clone, Args)]
pub struct AbciArgs {
    /// Where CometBFT connects (its `proxy_app`): `tcp://HOST:PORT`.
    #[arg(long, value_name = "ADDR", default_value = "tcp://127.0.0.1:26658")]
    pub listen: String,
    /// Data directory of this validator's chain (created if missing). The genesis app
    /// state is kept there after `InitChain`, so a restart resumes the same chain.
    #[arg(long, value_name = "DIR", default_value = ".metron-abci")]
    pub data_dir: PathBuf,
    /// Lowest gas price `CheckTx` admits (mempool policy, not consensus; default the
    /// devnet's).
    #[arg(long, value_name = "UNITS")]
    pub min_gas_price: Option<u128>,
    /// Also serve Metron's JSON-RPC (read-only for state, `docs/network.md`) on this port
    /// once the chain exists.
    #[arg(long, value_name = "PORT")]
    pub rpc_port: Option<u16>,
    /// Address the JSON-RPC server binds with `--rpc-port`.
    #[arg(long, value_name = "IP", default_value = "127.0.0.1")]
    pub rpc_host: std::net::IpAddr,
    /// CometBFT's RPC URL, where the JSON-RPC node's `tx_submit` forwards transactions
    /// (`broadcast_tx_sync`), e.g. `http://127.0.0.1:26657`.
    #[arg(long, value_name = "URL")]
    pub comet_rpc: Option<String>,
}

/// `metron abci`: opens the data dir and serves until killed.
///
/// # Errors
/// A malformed address, a data dir that does not open, an address in use.
pub fn run(a: &AbciArgs) -> anyhow::Result<ExitCode> {
    super::node::init_logging();
    let addr = a.listen.strip_prefix("tcp://").ok_or_else(|| {
        anyhow!(
            "--listen takes tcp://HOST:PORT (unix sockets are not supported), got {:?}",
            a.listen
        )
    })?;
    let app = metron_node::abci::AbciApp::open(
        &a.data_dir,
        metron_node::state::Durability::Sync,
        a.min_gas_price,
    )
    .with_context(|| format!("cannot open {}", a.data_dir.display()))?;
    match app.chain() {
        Some(c) => {
            let i = metron_node::app::Application::info(&*c);
            eprintln!(
                "metron abci: chain at height {} (app hash 0x{}), data dir {}",
                i.last_height,
                hex::encode(i.app_hash),
                a.data_dir.display()
            );
        }
        None => eprintln!(
            "metron abci: waiting for InitChain, data dir {}",
            a.data_dir.display()
        ),
    }
    if let Some(port) = a.rpc_port {
        let rpc_addr = std::net::SocketAddr::new(a.rpc_host, port);
        let (app, comet) = (app.clone(), a.comet_rpc.clone());
        let runtime = super::runtime()?;
        std::thread::Builder::new()
            .name("metron-rpc".into())
            .spawn(move || runtime.block_on(serve_rpc(app, rpc_addr, comet)))
            .context("cannot start the JSON-RPC thread")?;
    }
    eprintln!("metron abci: listening on tcp://{addr}");
    metron_node::abci::serve(app, addr).map_err(|e| anyhow!(e))?;
    Ok(ExitCode::SUCCESS)
}

/// Waits for the chain (`InitChain` on a new data dir), then serves the validator's
/// JSON-RPC until the process ends. A failure is logged; consensus goes on without it.
async fn serve_rpc(
    app: metron_node::abci::AbciApp,
    addr: std::net::SocketAddr,
    comet: Option<String>,
) {
    let chain = loop {
        if let Some(c) = app.chain() {
            break c;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    let limits = metron_node::service::RpcLimits::default();
    let server = metron_rpc::ServerConfig::new(addr);
    match metron_node::validator_rpc::start(chain, &server, &limits, comet).await {
        Ok((bound, handle)) => {
            eprintln!("metron abci: JSON-RPC on http://{bound}");
            handle.stopped().await;
        }
        Err(e) => tracing::error!("the JSON-RPC node did not start: {e}"),
    }
}
