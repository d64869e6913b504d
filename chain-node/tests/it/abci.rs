//! `metron abci` over the real ABCI wire protocol: `metron abci` processes on loopback
//! ports, driven the way CometBFT's consensus drives an application (PrepareProposal on
//! the proposer, ProcessProposal, FinalizeBlock and Commit on every validator) by a
//! client that speaks CometBFT's socket protocol: each message a `tendermint.abci`
//! `Request`/`Response` (tendermint-proto 0.41, `v0_38`), prefixed by its length as a
//! protobuf varint (CometBFT's `protoio` delimited writer).

use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use ed25519_dalek::SigningKey;
use metron_contracts::TOKEN_WASM;
use metron_node::abci::{code, AbciGenesis, GenesisAccount};
use metron_node::dev::{self, DEV_BALANCE, DEV_CHAIN_ID};
use metron_node::types::{contract_address, Action, Transaction};
use metron_node::{Chain, ChainConfig};
use prost::Message;
use tendermint_proto::google::protobuf::Timestamp;
use tendermint_proto::v0_38::abci as pb;

/// Gas limit of the transfers (the intrinsic gas and room to spare).
const TRANSFER_GAS: u64 = metron_node::executor::TX_BASE_GAS + 100_000;

/// A `metron abci` process and its port.
struct AbciProcess {
    child: Child,
    addr: String,
}

impl Drop for AbciProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `metron abci` on a free port with `data_dir`.
fn spawn(data_dir: &Path) -> AbciProcess {
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let child = Command::new(env!("CARGO_BIN_EXE_metron"))
        .args(["abci", "--listen", &format!("tcp://{addr}"), "--data-dir"])
        .arg(data_dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("metron abci starts");
    AbciProcess { child, addr }
}

/// One ABCI connection (requests answered in order).
struct Client {
    stream: std::io::BufReader<TcpStream>,
}

/// Defines a client method per ABCI request kind.
macro_rules! abci_call {
    ($($method:ident: $req:ident => $resp:ident, $variant:ident;)*) => {
        impl Client {
            $(
                fn $method(&mut self, req: pb::$req) -> std::io::Result<pb::$resp> {
                    match self.perform(pb::request::Value::$variant(req))? {
                        pb::response::Value::$variant(r) => Ok(r),
                        pb::response::Value::Exception(e) => {
                            Err(std::io::Error::other(format!("exception: {}", e.error)))
                        }
                        other => Err(std::io::Error::other(format!("unexpected {other:?}"))),
                    }
                }
            )*
        }
    };
}

abci_call! {
    info: RequestInfo => ResponseInfo, Info;
    init_chain: RequestInitChain => ResponseInitChain, InitChain;
    query: RequestQuery => ResponseQuery, Query;
    check_tx: RequestCheckTx => ResponseCheckTx, CheckTx;
    prepare_proposal: RequestPrepareProposal => ResponsePrepareProposal, PrepareProposal;
    process_proposal: RequestProcessProposal => ResponseProcessProposal, ProcessProposal;
    finalize_block: RequestFinalizeBlock => ResponseFinalizeBlock, FinalizeBlock;
}

impl Client {
    /// Sends one request and reads its response.
    fn perform(&mut self, value: pb::request::Value) -> std::io::Result<pb::response::Value> {
        use std::io::Write;
        let bytes = pb::Request { value: Some(value) }.encode_length_delimited_to_vec();
        self.stream.get_mut().write_all(&bytes)?;
        // The length prefix: a varint of at most 10 bytes.
        let mut len: u64 = 0;
        for shift in (0..70).step_by(7) {
            let mut b = [0u8];
            std::io::Read::read_exact(&mut self.stream, &mut b)?;
            len |= u64::from(b[0] & 0x7f) << shift;
            if b[0] & 0x80 == 0 {
                break;
            }
        }
        let mut buf = vec![0u8; len as usize];
        std::io::Read::read_exact(&mut self.stream, &mut buf)?;
        pb::Response::decode(&buf[..])
            .map_err(std::io::Error::other)?
            .value
            .ok_or_else(|| std::io::Error::other("empty response"))
    }

    fn commit(&mut self) -> std::io::Result<pb::ResponseCommit> {
        match self.perform(pb::request::Value::Commit(pb::RequestCommit {}))? {
            pb::response::Value::Commit(r) => Ok(r),
            other => Err(std::io::Error::other(format!("unexpected {other:?}"))),
        }
    }
}

/// A client connected to `p` (retried while the process starts).
fn connect(p: &AbciProcess) -> Client {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        match TcpStream::connect(&p.addr) {
            Ok(s) => {
                return Client {
                    stream: std::io::BufReader::new(s),
                }
            }
            Err(e) if Instant::now() < deadline => {
                let _ = e;
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(e) => panic!("cannot connect to metron abci at {}: {e}", p.addr),
        }
    }
}

/// The devnet's genesis as a CometBFT app state: the same accounts, chain id and block
/// gas limit, so the roots can be compared with `metron node --dev`'s chain.
fn genesis() -> Vec<u8> {
    let g = AbciGenesis {
        chain_id: DEV_CHAIN_ID,
        accounts: dev::dev_addresses()
            .iter()
            .map(|a| GenesisAccount {
                address: format!("0x{}", hex::encode(a)),
                balance: DEV_BALANCE.to_string(),
            })
            .collect(),
        block_gas_limit: dev::DEFAULT_BLOCK_GAS_LIMIT,
    };
    serde_json::to_vec(&g).unwrap()
}

fn init(c: &mut Client) -> Vec<u8> {
    let r = c
        .init_chain(pb::RequestInitChain {
            chain_id: "metron-test".into(),
            app_state_bytes: genesis().into(),
            initial_height: 1,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        r.app_hash.len(),
        32,
        "InitChain returns the genesis state root"
    );
    r.app_hash.to_vec()
}

/// Block `h`'s consensus time: one second apart from a fixed start (ms since the epoch).
fn time_ms(h: u64) -> u64 {
    1_767_225_600_000 + h * 1_000
}

fn timestamp(h: u64) -> Timestamp {
    let ms = time_ms(h);
    Timestamp {
        seconds: (ms / 1000) as i64,
        nanos: ((ms % 1000) * 1_000_000) as i32,
    }
}

fn key(i: usize) -> SigningKey {
    dev::dev_keys(i + 1).pop().unwrap()
}

fn addr(i: usize) -> [u8; 32] {
    key(i).verifying_key().to_bytes()
}

/// Signs `action` from dev key `from` with `nonce`.
fn tx(from: usize, nonce: u64, gas_limit: u64, action: Action) -> Vec<u8> {
    Transaction {
        chain_id: DEV_CHAIN_ID,
        nonce,
        gas_limit,
        gas_price: 1,
        action,
    }
    .sign(&key(from))
    .to_bytes()
}

/// The transactions of block `h` of the lock-step script, with the senders' nonces in
/// `nonces`: a token deploy first, then transfers, token calls, calls of a missing
/// method and token transfers past the balance (both executed, and failed), mixed per
/// block, with some blocks empty.
fn script_block(h: u64, nonces: &mut [u64; 4], token: [u8; 32]) -> Vec<Vec<u8>> {
    let mut next = |i: usize| {
        let n = nonces[i];
        nonces[i] += 1;
        n
    };
    if h == 1 {
        return vec![tx(
            0,
            next(0),
            50_000_000,
            Action::Deploy {
                code: TOKEN_WASM.to_vec(),
                init_input: 1_000_000u128.to_le_bytes().to_vec(),
            },
        )];
    }
    if h.is_multiple_of(7) {
        return Vec::new();
    }
    let token_transfer = |to: usize, amount: u128| {
        let mut input = addr(to).to_vec();
        input.extend_from_slice(&amount.to_le_bytes());
        Action::Call {
            contract: token,
            method: "transfer".into(),
            input,
            value: 0,
        }
    };
    let mut txs = vec![
        tx(
            1,
            next(1),
            TRANSFER_GAS,
            Action::Transfer {
                to: addr(2),
                amount: u128::from(h) * 1_000,
            },
        ),
        tx(
            0,
            next(0),
            5_000_000,
            token_transfer(1 + (h as usize % 3), 10 + h as u128),
        ),
    ];
    if h.is_multiple_of(3) {
        // A method the token does not have: executed, MethodNotFound, fee paid.
        txs.push(tx(
            2,
            next(2),
            5_000_000,
            Action::Call {
                contract: token,
                method: "no_such_method".into(),
                input: Vec::new(),
                value: 0,
            },
        ));
    }
    if h.is_multiple_of(5) {
        // More than the token's whole supply: the transfer fails inside the contract.
        txs.push(tx(3, next(3), 5_000_000, token_transfer(0, 1_000_000_000)));
    }
    txs
}

fn prepare(c: &mut Client, h: u64, txs: &[Vec<u8>]) -> Vec<Vec<u8>> {
    c.prepare_proposal(pb::RequestPrepareProposal {
        max_tx_bytes: 1 << 20,
        txs: txs.iter().map(|t| t.clone().into()).collect(),
        height: h as i64,
        time: Some(timestamp(h)),
        ..Default::default()
    })
    .unwrap()
    .txs
    .into_iter()
    .map(|b| b.to_vec())
    .collect()
}

fn process(c: &mut Client, h: u64, txs: &[Vec<u8>]) -> i32 {
    c.process_proposal(pb::RequestProcessProposal {
        txs: txs.iter().map(|t| t.clone().into()).collect(),
        height: h as i64,
        time: Some(timestamp(h)),
        ..Default::default()
    })
    .unwrap()
    .status
}

fn finalize(c: &mut Client, h: u64, txs: &[Vec<u8>]) -> pb::ResponseFinalizeBlock {
    c.finalize_block(pb::RequestFinalizeBlock {
        txs: txs.iter().map(|t| t.clone().into()).collect(),
        height: h as i64,
        time: Some(timestamp(h)),
        ..Default::default()
    })
    .unwrap()
}

const ACCEPT: i32 = pb::response_process_proposal::ProposalStatus::Accept as i32;
const REJECT: i32 = pb::response_process_proposal::ProposalStatus::Reject as i32;

/// Two `metron abci` processes driven through the same 100 blocks: their app hashes are
/// equal at every height, and equal to the state roots of a devnet chain that seals the
/// same transactions at the same timestamps.
#[test]
fn two_applications_in_lock_step_match_the_devnet() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (spawn(&dir.path().join("a")), spawn(&dir.path().join("b")));
    let (mut ca, mut cb) = (connect(&a), connect(&b));
    let devnet = Chain::open(ChainConfig::dev(dir.path().join("devnet"))).unwrap();
    let genesis_root = init(&mut ca);
    assert_eq!(init(&mut cb), genesis_root);
    assert_eq!(genesis_root, devnet.state_root(None).unwrap().to_vec());

    let token = contract_address(&addr(0), 0);
    let mut nonces = [0u64; 4];
    let (mut executed, mut failed) = (0, 0);
    for h in 1..=100u64 {
        let txs = script_block(h, &mut nonces, token);
        // The proposer keeps every transaction: all are valid in order.
        let proposal = prepare(&mut ca, h, &txs);
        assert_eq!(
            proposal, txs,
            "height {h}: the proposal dropped a valid transaction"
        );
        assert_eq!(process(&mut ca, h, &proposal), ACCEPT, "height {h}");
        assert_eq!(process(&mut cb, h, &proposal), ACCEPT, "height {h}");
        let (fa, fb) = (
            finalize(&mut ca, h, &proposal),
            finalize(&mut cb, h, &proposal),
        );
        assert_eq!(
            fa.app_hash, fb.app_hash,
            "height {h}: the validators diverge"
        );
        assert_eq!(fa.tx_results, fb.tx_results, "height {h}");
        assert_eq!(fa.tx_results.len(), txs.len());
        for r in &fa.tx_results {
            assert!(r.gas_used > 0 && r.gas_used <= r.gas_wanted, "{r:?}");
            match r.code {
                code::OK => executed += 1,
                code::EXECUTION_FAILED => failed += 1,
                other => panic!("height {h}: unexpected code {other}: {r:?}"),
            }
        }
        ca.commit().unwrap();
        cb.commit().unwrap();

        // The devnet seals the same transactions at the same time.
        devnet.set_next_block_timestamp(time_ms(h)).unwrap();
        let decoded = txs
            .iter()
            .map(|t| metron_node::types::SignedTransaction::decode_bytes(t).unwrap())
            .collect();
        let sealed = devnet.seal_block(decoded, true).unwrap();
        assert!(sealed.rejected.is_empty(), "{:?}", sealed.rejected);
        assert_eq!(
            devnet.state_root(None).unwrap().to_vec(),
            fa.app_hash.to_vec(),
            "height {h}: metron abci and the devnet differ"
        );
    }
    assert!(
        executed > 150 && failed > 40,
        "{executed} executed, {failed} failed"
    );
    // The handshake's view: height 100 and the last app hash, on both.
    for c in [&mut ca, &mut cb] {
        let info = c.info(pb::RequestInfo::default()).unwrap();
        assert_eq!(info.last_block_height, 100);
        assert_eq!(
            info.last_block_app_hash.to_vec(),
            devnet.state_root(None).unwrap().to_vec()
        );
    }
    // A query with a proof: the token's balance of dev account 1 at the head.
    let r = ca
        .query(pb::RequestQuery {
            path: format!("/storage/0x{}/0x{}", hex::encode(token), "00"),
            prove: true,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(r.code, code::OK, "{r:?}");
    assert_eq!(r.height, 100);
    assert_eq!(r.proof_ops.map(|p| p.ops.len()), Some(1));
    let r = ca
        .query(pb::RequestQuery {
            path: format!("/nonce/0x{}", hex::encode(addr(0))),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        String::from_utf8(r.value.to_vec()).unwrap(),
        nonces[0].to_string()
    );
    let r = ca
        .query(pb::RequestQuery {
            path: "/nowhere".into(),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(r.code, code::BAD_QUERY);
}

/// A process killed between FinalizeBlock and Commit restarts at the last committed
/// block; CometBFT's handshake (Info, then the missing block again) brings it to the same
/// app hash.
#[test]
fn a_crash_between_finalize_and_commit_recovers_through_the_handshake() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("v");
    let p = spawn(&data);
    let mut c = connect(&p);
    init(&mut c);
    let token = contract_address(&addr(0), 0);
    let mut nonces = [0u64; 4];
    let mut blocks = Vec::new();
    for h in 1..=6u64 {
        blocks.push(script_block(h, &mut nonces, token));
    }
    let mut hashes = Vec::new();
    for (h, txs) in (1..=5u64).zip(&blocks) {
        hashes.push(finalize(&mut c, h, txs).app_hash.to_vec());
        c.commit().unwrap();
    }
    let expected = finalize(&mut c, 6, &blocks[5]).app_hash.to_vec();
    // Killed before Commit: block 6 was never persisted.
    drop(c);
    drop(p);

    let p = spawn(&data);
    let mut c = connect(&p);
    let info = c.info(pb::RequestInfo::default()).unwrap();
    assert_eq!(info.last_block_height, 5);
    assert_eq!(info.last_block_app_hash.to_vec(), hashes[4]);
    // The handshake replays block 6.
    let replayed = finalize(&mut c, 6, &blocks[5]);
    assert_eq!(replayed.app_hash.to_vec(), expected);
    c.commit().unwrap();
    let info = c.info(pb::RequestInfo::default()).unwrap();
    assert_eq!(info.last_block_height, 6);
    assert_eq!(info.last_block_app_hash.to_vec(), expected);
}

/// ProcessProposal refuses blocks a faulty proposer could send, and accepts the valid one
/// they were made from; CheckTx keeps a check state between commits.
#[test]
fn process_proposal_rejects_bad_blocks_and_check_tx_tracks_nonces() {
    let dir = tempfile::tempdir().unwrap();
    let p = spawn(&dir.path().join("v"));
    let mut c = connect(&p);
    init(&mut c);
    let transfer = |from: usize, nonce: u64| {
        tx(
            from,
            nonce,
            TRANSFER_GAS,
            Action::Transfer {
                to: addr(5),
                amount: 1,
            },
        )
    };
    let good = vec![transfer(0, 0), transfer(0, 1), transfer(1, 0)];
    assert_eq!(process(&mut c, 1, &good), ACCEPT);

    let mut bad_signature = transfer(0, 0);
    let last = bad_signature.len() - 1;
    bad_signature[last] ^= 1;
    let over_limit: Vec<Vec<u8>> = (0..3)
        .map(|i| {
            tx(
                i,
                0,
                dev::DEFAULT_BLOCK_GAS_LIMIT / 2,
                Action::Transfer {
                    to: addr(5),
                    amount: 1,
                },
            )
        })
        .collect();
    let cases: Vec<(&str, Vec<Vec<u8>>, u64)> = vec![
        ("an invalid signature", vec![bad_signature], 1),
        ("a nonce gap", vec![transfer(0, 0), transfer(0, 2)], 1),
        ("a replayed nonce", vec![transfer(0, 0), transfer(0, 0)], 1),
        ("gas limits past the block gas limit", over_limit, 1),
        ("bytes that are not a transaction", vec![vec![1, 2, 3]], 1),
        ("a height that does not follow the head", good.clone(), 2),
    ];
    for (what, txs, h) in cases {
        assert_eq!(process(&mut c, h, &txs), REJECT, "{what} was accepted");
    }
    // The proposer leaves the same transactions out.
    let mixed = vec![transfer(0, 0), transfer(0, 5), vec![9; 40], transfer(1, 0)];
    assert_eq!(
        prepare(&mut c, 1, &mixed),
        vec![transfer(0, 0), transfer(1, 0)]
    );

    // CheckTx: consecutive nonces pass against the check state; a repeat, a gap and a
    // bad signature do not; after a commit the check state restarts from the block's.
    let check = |c: &mut Client, t: Vec<u8>| {
        c.check_tx(pb::RequestCheckTx {
            tx: t.into(),
            r#type: 0,
        })
        .unwrap()
        .code
    };
    assert_eq!(check(&mut c, transfer(2, 0)), code::OK);
    assert_eq!(check(&mut c, transfer(2, 1)), code::OK);
    assert_eq!(check(&mut c, transfer(2, 1)), code::BAD_NONCE);
    assert_eq!(check(&mut c, transfer(2, 3)), code::BAD_NONCE);
    assert_eq!(check(&mut c, vec![0; 10]), code::DECODE);
    let mut forged = transfer(4, 0);
    let last = forged.len() - 1;
    forged[last] ^= 1;
    assert_eq!(check(&mut c, forged), code::INVALID);
    let block = vec![transfer(2, 0)];
    assert_eq!(finalize(&mut c, 1, &block).tx_results[0].code, code::OK);
    c.commit().unwrap();
    assert_eq!(check(&mut c, transfer(2, 1)), code::OK);
    assert_eq!(check(&mut c, transfer(2, 0)), code::BAD_NONCE);
}

/// A validator's JSON-RPC node (`metron abci --rpc-port`): reads the chain consensus
/// writes, forwards `tx_submit` to CometBFT's `broadcast_tx_sync`, and has no `dev_*`
/// methods. CometBFT's RPC is played by a JSON-RPC server that does what CometBFT's
/// `broadcast_tx_sync` does: `CheckTx` on the application's mempool connection, then the
/// transaction waits in a mempool for the next block.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_validators_json_rpc_reads_the_chain_and_forwards_transactions() {
    use base64::Engine as _;
    use metron_rpc::MetronApiClient;
    use std::sync::{Arc, Mutex};

    let dir = tempfile::tempdir().unwrap();
    // The stand-in for CometBFT's RPC: a mempool connection, filled once the app runs.
    type Mempool = (Option<Client>, Vec<Vec<u8>>);
    let mempool: Arc<Mutex<Mempool>> = Arc::new(Mutex::new((None, Vec::new())));
    let mut module = jsonrpsee::RpcModule::new(Arc::clone(&mempool));
    module
        .register_method("broadcast_tx_sync", |params, state, _| {
            let p: serde_json::Map<String, serde_json::Value> = params.parse().unwrap();
            let tx = base64::engine::general_purpose::STANDARD
                .decode(p["tx"].as_str().unwrap())
                .unwrap();
            let mut st = state.lock().unwrap();
            let r = st
                .0
                .as_mut()
                .unwrap()
                .check_tx(pb::RequestCheckTx {
                    tx: tx.clone().into(),
                    r#type: 0,
                })
                .unwrap();
            if r.code == 0 {
                st.1.push(tx);
            }
            serde_json::json!({"code": r.code, "log": r.log, "data": "", "codespace": r.codespace, "hash": ""})
        })
        .unwrap();
    let stub = jsonrpsee::server::Server::builder()
        .build("127.0.0.1:0")
        .await
        .unwrap();
    let stub_url = format!("http://{}", stub.local_addr().unwrap());
    let stub_handle = stub.start(module);

    let rpc_port = free_port();
    let port = free_port();
    let abci_addr = format!("127.0.0.1:{port}");
    let child = Command::new(env!("CARGO_BIN_EXE_metron"))
        .args([
            "abci",
            "--listen",
            &format!("tcp://{abci_addr}"),
            "--data-dir",
        ])
        .arg(dir.path().join("v"))
        .args([
            "--rpc-port",
            &rpc_port.to_string(),
            "--comet-rpc",
            &stub_url,
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let p = AbciProcess {
        child,
        addr: abci_addr,
    };
    let (mut consensus, c) = tokio::task::spawn_blocking(move || {
        let mut consensus = connect(&p);
        init(&mut consensus);
        let mempool_conn = connect(&p);
        (consensus, (p, mempool_conn))
    })
    .await
    .unwrap();
    let (_process, mempool_conn) = c;
    mempool.lock().unwrap().0 = Some(mempool_conn);

    // The JSON-RPC node comes up once the chain exists.
    let rpc = metron_rpc::http_client(&format!("http://127.0.0.1:{rpc_port}")).unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while rpc.chain_head().await.is_err() {
        assert!(
            Instant::now() < deadline,
            "the validator's JSON-RPC did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(rpc.chain_id().await.unwrap(), DEV_CHAIN_ID);

    // tx_submit goes through CometBFT's CheckTx into its mempool, not into a block.
    let transfer = |nonce: u64| {
        tx(
            0,
            nonce,
            TRANSFER_GAS,
            Action::Transfer {
                to: addr(7),
                amount: 12_345,
            },
        )
    };
    let hash = rpc
        .tx_submit(metron_rpc::types::Bytes(transfer(0)), None)
        .await
        .unwrap();
    assert_eq!(rpc.tx_get_receipt(hash).await.unwrap(), None);
    // A replayed nonce: CometBFT's CheckTx (the app's check state) refuses it.
    let err = rpc
        .tx_submit(metron_rpc::types::Bytes(transfer(0)), None)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("-32001") && err.contains("bad nonce"), "{err}");
    // No dev controls on a validator.
    let err = rpc.dev_mine(Some(1)).await.unwrap_err().to_string();
    assert!(err.contains("-32601") || err.contains("not found"), "{err}");

    // Consensus makes the block from the mempool.
    let txs = std::mem::take(&mut mempool.lock().unwrap().1);
    assert_eq!(txs, vec![transfer(0)]);
    let before = rpc
        .state_get_balance(metron_rpc::types::H256(addr(7)), None)
        .await
        .unwrap();
    tokio::task::spawn_blocking(move || {
        assert_eq!(prepare(&mut consensus, 1, &txs), txs);
        assert_eq!(process(&mut consensus, 1, &txs), ACCEPT);
        assert_eq!(
            finalize(&mut consensus, 1, &txs).tx_results[0].code,
            code::OK
        );
        consensus.commit().unwrap();
    })
    .await
    .unwrap();
    let receipt = rpc.tx_get_receipt(hash).await.unwrap().expect("included");
    assert_eq!(receipt.block_height, 1);
    let after = rpc
        .state_get_balance(metron_rpc::types::H256(addr(7)), None)
        .await
        .unwrap();
    assert_eq!(after.0 - before.0, 12_345);
    assert_eq!(rpc.chain_head().await.unwrap().height, 1);
    stub_handle.stop().unwrap();
}
