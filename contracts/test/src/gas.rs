//! The gas report: the gas of every call and deploy a harness ran, per (contract,
//! message).

use std::collections::BTreeMap;
use std::fmt;

use metron_node::Address;

/// Message name under which deploys are recorded (the deploy transaction: code storage
/// and `init`).
pub const DEPLOY: &str = "(deploy)";

/// Gas of one message of one contract over every call of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GasRow {
    /// The contract.
    pub contract: Address,
    /// Its label (the [`crate::Code`]'s), if it has one.
    pub label: Option<String>,
    /// The message (method name), or [`DEPLOY`].
    pub message: String,
    /// Number of calls (transactions and dry runs).
    pub count: u64,
    /// Least gas used by one call, in gas units (intrinsic gas included).
    pub min: u64,
    /// Most gas used by one call.
    pub max: u64,
    /// Total gas used by all calls.
    pub total: u128,
}

impl GasRow {
    /// Mean gas per call, rounded down (integer arithmetic).
    pub fn mean(&self) -> u64 {
        let count = u128::from(self.count.max(1));
        u64::try_from(self.total / count).unwrap_or(u64::MAX)
    }

    /// The contract's label, or its address as `0x` and the first 4 bytes in hex.
    pub fn contract_name(&self) -> String {
        match &self.label {
            Some(label) => label.clone(),
            None => short_hex(&self.contract),
        }
    }
}

fn short_hex(address: &Address) -> String {
    let mut s = String::from("0x");
    for b in &address[..4] {
        s.push_str(&format!("{b:02x}"));
    }
    s.push('…');
    s
}

/// The gas of the calls a harness ran, one row per (contract, message), ordered by
/// contract address then message. `Display` prints it as a table.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GasReport {
    rows: Vec<GasRow>,
}

impl GasReport {
    /// The rows, ordered by contract address then message.
    pub fn rows(&self) -> &[GasRow] {
        &self.rows
    }

    /// The row of `message` of `contract`, if it was called.
    pub fn get(&self, contract: &Address, message: &str) -> Option<&GasRow> {
        self.rows
            .iter()
            .find(|r| &r.contract == contract && r.message == message)
    }

    /// True if nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

impl fmt::Display for GasReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<String> = self.rows.iter().map(GasRow::contract_name).collect();
        let cw = names
            .iter()
            .map(|n| n.chars().count())
            .max()
            .unwrap_or(0)
            .max(8);
        let mw = self
            .rows
            .iter()
            .map(|r| r.message.len())
            .max()
            .unwrap_or(0)
            .max(7);
        writeln!(
            f,
            "{:<cw$}  {:<mw$}  {:>6}  {:>11}  {:>11}  {:>11}",
            "contract", "message", "calls", "min gas", "mean gas", "max gas"
        )?;
        for (row, name) in self.rows.iter().zip(&names) {
            writeln!(
                f,
                "{:<cw$}  {:<mw$}  {:>6}  {:>11}  {:>11}  {:>11}",
                name,
                row.message,
                row.count,
                row.min,
                row.mean(),
                row.max
            )?;
        }
        Ok(())
    }
}

/// The harness's running record.
#[derive(Debug, Default)]
pub(crate) struct GasLog {
    rows: BTreeMap<(Address, String), GasRow>,
}

impl GasLog {
    pub(crate) fn record(
        &mut self,
        contract: Address,
        label: Option<&str>,
        message: &str,
        gas: u64,
    ) {
        let row = self
            .rows
            .entry((contract, message.to_owned()))
            .or_insert_with(|| GasRow {
                contract,
                label: None,
                message: message.to_owned(),
                count: 0,
                min: u64::MAX,
                max: 0,
                total: 0,
            });
        if let Some(label) = label {
            row.label = Some(label.to_owned());
        }
        row.count = row.count.saturating_add(1);
        row.min = row.min.min(gas);
        row.max = row.max.max(gas);
        row.total = row.total.saturating_add(u128::from(gas));
    }

    pub(crate) fn report(&self) -> GasReport {
        GasReport {
            rows: self.rows.values().cloned().collect(),
        }
    }
}
