//! `metron trace <tx hash>`: where a transaction's gas went (`contract_trace`), as a tree
//! of call frames, as JSON, as folded stacks or as a flame graph (SVG, drawn by
//! `inferno`).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{anyhow, Context};
use clap::Args;
use metron_rpc::types as wire;
use metron_rpc::MetronApiClient;

use super::client::{book_lookup, rpc_err, RpcOpts};
use super::metadata::Metadata;

/// `metron trace <tx hash> [--json] [--folded FILE] [--flamegraph FILE]`.
#[derive(Debug, Clone, Args)]
pub struct TraceArgs {
    /// Transaction hash (0x).
    pub hash: String,
    /// Print the trace as JSON instead of a tree.
    #[arg(long)]
    pub json: bool,
    /// Write the gas per call path as folded stacks (`frame;frame;host:name gas` lines).
    #[arg(long, value_name = "FILE")]
    pub folded: Option<PathBuf>,
    /// Write a flame graph of the gas per call path (SVG).
    #[arg(long, value_name = "FILE")]
    pub flamegraph: Option<PathBuf>,
    #[command(flatten)]
    pub rpc: RpcOpts,
}

/// A frame's name: the contract's name from the metadata `metron deploy` recorded for
/// it, else its short address, then the method.
fn label(f: &wire::TraceFrame) -> String {
    let name = book_lookup(&f.contract.0)
        .and_then(|p| Metadata::load(&p).ok())
        .map(|m| m.name)
        .unwrap_or_else(|| {
            let hex = metron_rpc::hex_serde::encode(&f.contract.0);
            format!("{}…{}", &hex[..8], &hex[hex.len() - 4..])
        });
    format!("{name}::{}", f.method)
}

/// The tree, one line per frame and host call, gas in units.
fn tree(f: &wire::TraceFrame, depth: usize, out: &mut String) {
    use std::fmt::Write as _;
    let pad = "  ".repeat(depth);
    let status = match (&f.trap, &f.error) {
        (Some(t), _) => format!("{:?} ({t})", f.status),
        (None, Some(e)) => format!("{:?}: {e}", f.status),
        _ => format!("{:?}", f.status),
    };
    let _ = writeln!(
        out,
        "{pad}{} {}  gas {} of {} (wasm {})  {}",
        f.kind,
        label(f),
        f.gas_used,
        f.gas_limit,
        f.wasm_gas,
        status.to_lowercase()
    );
    // Functions by call path, indented under their callers, heaviest first among
    // siblings (ties in index order).
    if !f.functions.is_empty() {
        let _ = writeln!(out, "{pad}  load {}", f.load_gas);
        let mut kids: Vec<Vec<usize>> = vec![Vec::new(); f.functions.len() + 1];
        for (i, n) in f.functions.iter().enumerate() {
            let up = n.parent.map_or(0, |p| p as usize + 1);
            if let Some(k) = kids.get_mut(up) {
                k.push(i);
            }
        }
        let weight = |i: usize| f.functions[i].gas + f.functions[i].host_gas;
        for k in &mut kids {
            k.sort_by_key(|&i| (std::cmp::Reverse(weight(i)), i));
        }
        // Depth-first, with an explicit stack (a deep recursion is a long path).
        let mut stack: Vec<(usize, usize)> = kids[0].iter().rev().map(|&i| (i, 0)).collect();
        while let Some((i, d)) = stack.pop() {
            let n = &f.functions[i];
            let trap = if f.trap_function == Some(i as u32) {
                "  <- trapped here"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "{pad}  {}fn {} x{}  gas {} (host {}){trap}",
                "  ".repeat(d.min(32)),
                n.name,
                n.calls,
                n.gas,
                n.host_gas
            );
            stack.extend(kids[i + 1].iter().rev().map(|&c| (c, d + 1)));
        }
    }
    let mut next_child = 0usize;
    for h in &f.host_calls {
        // Nested frames go where their host call was made.
        while next_child < f.calls.len() && next_child < h.children_before as usize {
            tree(&f.calls[next_child], depth + 1, out);
            next_child += 1;
        }
        let key = h
            .key
            .as_ref()
            .map(|k| format!("  key {}", metron_rpc::hex_serde::encode(&k.0)))
            .unwrap_or_default();
        let _ = writeln!(out, "{pad}  host {} {}{key}", h.name, h.gas);
        if matches!(h.name.as_str(), "call_contract" | "instantiate") && next_child < f.calls.len()
        {
            tree(&f.calls[next_child], depth + 1, out);
            next_child += 1;
        }
    }
    for c in &f.calls[next_child..] {
        tree(c, depth + 1, out);
    }
}

/// Folded stacks: each frame's Wasm gas on its path, split by function call path (its
/// code load as `load`), each host function's gas summed per name under the function
/// that called it (the format of `inferno` and Brendan Gregg's flamegraph.pl).
fn folded(f: &wire::TraceFrame, path: &str, out: &mut Vec<String>) {
    let me = label(f).replace([';', ' '], "_");
    let path = if path.is_empty() {
        me
    } else {
        format!("{path};{me}")
    };
    let fn_paths = metron_node::trace::function_paths(
        &f.functions,
        |n| n.parent.map(|p| p as usize),
        |n| &n.name,
    );
    if f.functions.is_empty() {
        if f.wasm_gas > 0 {
            out.push(format!("{path};wasm {}", f.wasm_gas));
        }
    } else if f.load_gas > 0 {
        out.push(format!("{path};load {}", f.load_gas));
    }
    for (n, p) in f.functions.iter().zip(&fn_paths) {
        if n.gas > 0 {
            out.push(format!("{path};{p} {}", n.gas));
        }
    }
    let mut by_name: std::collections::BTreeMap<(Option<u32>, &str), u64> = Default::default();
    for h in &f.host_calls {
        *by_name.entry((h.function, h.name.as_str())).or_default() += h.gas;
    }
    for ((function, name), gas) in by_name {
        if gas > 0 {
            match function.and_then(|i| fn_paths.get(i as usize)) {
                Some(p) => out.push(format!("{path};{p};host:{name} {gas}")),
                None => out.push(format!("{path};host:{name} {gas}")),
            }
        }
    }
    for c in &f.calls {
        folded(c, &path, out);
    }
}

/// `metron trace`.
///
/// # Errors
/// A malformed hash, an unknown transaction, RPC errors, files that cannot be written.
pub async fn trace(a: TraceArgs) -> anyhow::Result<ExitCode> {
    let hash = wire::H256(
        metron_rpc::hex_serde::decode_fixed::<32>(&a.hash)
            .map_err(|e| anyhow!("invalid transaction hash {:?}: {e}", a.hash))?,
    );
    let c = a.rpc.client()?;
    let t = c
        .contract_trace(wire::TraceTarget::TxHash(hash))
        .await
        .map_err(rpc_err)?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&t)?);
    } else {
        println!(
            "transaction {hash}: {:?}, gas {} (intrinsic {})",
            t.status, t.gas_used, t.intrinsic_gas
        );
        match &t.frame {
            None => println!("no contract executed (a transfer)"),
            Some(f) => {
                let mut out = String::new();
                tree(f, 0, &mut out);
                print!("{out}");
            }
        }
    }
    let mut lines = Vec::new();
    if let Some(f) = &t.frame {
        folded(f, "", &mut lines);
    }
    if t.intrinsic_gas > 0 {
        lines.insert(0, format!("intrinsic {}", t.intrinsic_gas));
    }
    if let Some(path) = &a.folded {
        std::fs::write(path, lines.join("\n") + "\n")
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    if let Some(path) = &a.flamegraph {
        let mut options = inferno::flamegraph::Options::default();
        options.title = format!("gas of transaction {hash}");
        options.count_name = "gas".into();
        let file = std::fs::File::create(path)
            .with_context(|| format!("cannot write {}", path.display()))?;
        inferno::flamegraph::from_lines(
            &mut options,
            lines.iter().map(String::as_str),
            std::io::BufWriter::new(file),
        )
        .map_err(|e| anyhow!("cannot draw the flame graph: {e}"))?;
        eprintln!("flame graph: {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}
