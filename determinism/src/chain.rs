//! The `chain` part (feature `chain`): the token contract on a devnet
//! [`metron_node::Chain`] (real RocksDB in a temporary directory), driven by a fixed
//! script of signed transactions.
//!
//! Block timestamps come from the producer's wall clock (`Chain::submit`), so block
//! hashes and timestamps are not hashed. Nothing else depends on them: the token never
//! reads the block timestamp, the executor writes nothing time-dependent to state, and
//! receipts carry no timestamp; state roots and receipts roots are hashed.

use metron_node::dev::dev_keys;
use metron_node::executor::TX_BASE_GAS;
use metron_node::{Action, Address, Chain, ChainConfig, Receipt, Transaction};

use crate::recorder::Sink;

/// Number of transactions after the deploy.
pub const TRANSACTIONS: u64 = 200;

/// Gas limit of the script's calls: the intrinsic gas, the code load and room.
const CALL_GAS: u64 = TX_BASE_GAS + 2_000_000;
/// Gas price of every transaction.
const GAS_PRICE: u128 = 1_000_000_000;
/// Initial token supply, minted to dev key 0.
const SUPPLY: u128 = 1_000_000;
/// Dev keys taking part.
const KEYS: usize = 6;

/// Runs the script and records, per transaction `i` (0 = the deploy): `tx <i> receipt`
/// (the receipt's consensus encoding: tx hash, height, index, status, gas used, fee,
/// return data, events, contract address), `tx <i> state_root` and `tx <i>
/// receipts_root` (of the block that included it); then `final state_root`.
///
/// # Errors
/// The chain could not be opened or a transaction was refused (the script only sends
/// valid transactions, so this is a failure of the node).
pub fn run(sink: &mut dyn Sink) -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| format!("tempdir: {e}"))?;
    let chain = Chain::open(ChainConfig::dev(dir.path())).map_err(|e| format!("open: {e}"))?;
    let keys = dev_keys(KEYS);
    let addr = |i: usize| -> Address { keys[i].verifying_key().to_bytes() };
    let submit = |from: usize, gas_limit: u64, action: Action| -> Result<Receipt, String> {
        let nonce = chain
            .nonce(&addr(from), None)
            .map_err(|e| format!("nonce: {e}"))?;
        let stx = Transaction {
            chain_id: chain.chain_id(),
            nonce,
            gas_limit,
            gas_price: GAS_PRICE,
            action,
        }
        .sign(&keys[from]);
        let hash = chain.submit(stx).map_err(|e| format!("submit: {e}"))?;
        chain
            .receipt(&hash)
            .map_err(|e| format!("receipt: {e}"))?
            .ok_or_else(|| "no receipt".to_string())
    };
    let record = |sink: &mut dyn Sink, i: u64, r: &Receipt| -> Result<(), String> {
        sink.item(&format!("tx {i} receipt"), &r.consensus_encode());
        let (_, block) = chain
            .block_by_number(r.block_height)
            .map_err(|e| format!("block: {e}"))?
            .ok_or_else(|| format!("no block {}", r.block_height))?;
        sink.item(&format!("tx {i} state_root"), &block.header.state_root);
        sink.item(
            &format!("tx {i} receipts_root"),
            &block.header.receipts_root,
        );
        Ok(())
    };

    let r = submit(
        0,
        50_000_000,
        Action::Deploy {
            code: metron_contracts::TOKEN_WASM.to_vec(),
            init_input: SUPPLY.to_le_bytes().to_vec(),
        },
    )?;
    record(sink, 0, &r)?;
    let token = r
        .contract_address
        .ok_or_else(|| format!("token deploy failed: {:?}", r.error))?;

    let call = |from: usize, gas: u64, method: &str, input: Vec<u8>| {
        submit(
            from,
            gas,
            Action::Call {
                contract: token,
                method: method.into(),
                input,
                value: 0,
            },
        )
    };
    let mut state: u64 = 0x746f_6b65_6e21; // "token!"
    let mut next = |m: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % m
    };
    for i in 1..=TRANSACTIONS {
        let a = next(KEYS as u64) as usize;
        let b = (a + 1 + next(KEYS as u64 - 1) as usize) % KEYS;
        let c = next(KEYS as u64) as usize;
        // Amounts up to 30 000: early on most keys hold nothing, so some transfers fail
        // for an insufficient balance (a trapped receipt); key 0 holds the supply.
        let amount = u128::from(next(30_000));
        let r = match (i, next(10)) {
            // The first transactions fund every key from key 0.
            (i, _) if i < KEYS as u64 => {
                call(0, CALL_GAS, "transfer", cat(&addr(i as usize), amount * 3))
            }
            (_, 0..=4) => call(a, CALL_GAS, "transfer", cat(&addr(b), amount)),
            (_, 5..=6) => call(a, CALL_GAS, "approve", cat(&addr(b), amount)),
            // transfer_from b's tokens by a to c: fails without a large enough allowance.
            (_, 7..=8) => {
                let mut input = addr(b).to_vec();
                input.extend_from_slice(&cat(&addr(c), amount / 2));
                call(a, CALL_GAS, "transfer_from", input)
            }
            // Out of gas: the intrinsic gas and 300 more.
            _ => {
                let input = cat(&addr(b), amount);
                let probe = Transaction {
                    chain_id: chain.chain_id(),
                    nonce: 0,
                    gas_limit: 0,
                    gas_price: GAS_PRICE,
                    action: Action::Call {
                        contract: token,
                        method: "transfer".into(),
                        input: input.clone(),
                        value: 0,
                    },
                }
                .sign(&keys[a]);
                call(a, chain.intrinsic_gas(&probe) + 300, "transfer", input)
            }
        }?;
        record(sink, i, &r)?;
    }
    let root = chain
        .state_root(None)
        .map_err(|e| format!("state root: {e}"))?;
    sink.item("final state_root", &root);
    Ok(())
}

/// `address ++ amount` (u128 LE): the input of `transfer` and `approve`.
fn cat(to: &Address, amount: u128) -> Vec<u8> {
    let mut v = to.to_vec();
    v.extend_from_slice(&amount.to_le_bytes());
    v
}
