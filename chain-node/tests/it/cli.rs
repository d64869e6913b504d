//! The `metron` binary as a process: `run` on WAT files, `node --dev` with Ctrl-C, and the
//! client commands (`deploy`, `call`, `query`, `balance`) against an in-process node.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use metron_contracts::TOKEN_WASM;
use metron_rpc::MetronApiClient;

use crate::common::*;

fn metron() -> Command {
    Command::new(env!("CARGO_BIN_EXE_metron"))
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn write(dir: &Path, name: &str, contents: &[u8]) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, contents).unwrap();
    p
}

/// The value after `prefix` on the line that starts with it.
fn field<'a>(out: &'a str, prefix: &str) -> &'a str {
    out.lines()
        .find_map(|l| l.strip_prefix(prefix))
        .unwrap_or_else(|| panic!("no {prefix:?} line in:\n{out}"))
        .trim()
}

const FIB: &str = r#"
(module
  (func $fib (export "fib") (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add
        (call $fib (i32.sub (local.get $n) (i32.const 1)))
        (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
  (func (export "nan") (result f32) (f32.div (f32.const 0) (f32.const 0)))
  (func (export "nan64") (param f64) (result f64) (f64.sqrt (local.get 0)))
  (func (export "spin") (loop $l (br $l))))
"#;

#[test]
fn run_fibonacci_prints_result_and_gas() {
    let dir = tempfile::tempdir().unwrap();
    let wat = write(dir.path(), "fib.wat", FIB.as_bytes());
    let o = metron()
        .args(["run"])
        .arg(&wat)
        .args(["--invoke", "fib", "i32:20"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{o:?}");
    let out = stdout(&o);
    assert_eq!(field(&out, "result:"), "i32:6765");
    let gas: u64 = field(&out, "gas used:").parse().unwrap();
    assert!(gas > 6765, "gas grows with the work done: {gas}");

    // Same input, same output, to the unit; a binary file gives the same too.
    let wasm = write(dir.path(), "fib.wasm", &wat::parse_str(FIB).unwrap());
    let again = metron()
        .args(["run"])
        .arg(&wasm)
        .args(["--invoke", "fib", "20"])
        .output()
        .unwrap();
    assert_eq!(stdout(&again), out);
}

/// `metron instrument` writes a module that meters itself exactly as Metron does: run
/// (here by Metron with metering off, as any engine would) with the gas Metron reports
/// for the call, it succeeds with 0 left; with one unit less it traps.
#[test]
fn instrument_writes_a_self_metering_module() {
    use metron_vm::{Config, GasMeter, Instance, Module, NoHost, Value};

    let dir = tempfile::tempdir().unwrap();
    let wat = write(dir.path(), "fib.wat", FIB.as_bytes());
    let o = metron()
        .args(["run"])
        .arg(&wat)
        .args(["--invoke", "fib", "i32:15"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{o:?}");
    // The call's own gas: the instrumented module meters calls, not instantiation.
    let gas: u64 = field(&stdout(&o), "  call:").parse().unwrap();
    let total: u64 = field(&stdout(&o), "gas used:").parse().unwrap();
    let instantiation: u64 = field(&stdout(&o), "  instantiation:").parse().unwrap();
    assert_eq!(total, gas + instantiation);
    assert!(
        instantiation > 0,
        "schedule version 2 charges instantiation"
    );

    let unmetered = Config {
        metering: false,
        ..Config::default()
    };
    for (limit, ok) in [(gas, true), (gas - 1, false)] {
        let out = dir.path().join(format!("fib-{limit}.wasm"));
        let o = metron()
            .arg("instrument")
            .arg(&wat)
            .arg("-o")
            .arg(&out)
            .args(["--gas", &limit.to_string()])
            .output()
            .unwrap();
        assert!(o.status.success(), "{o:?}");
        assert!(stdout(&o).starts_with("instrumented "), "{}", stdout(&o));

        let module = Module::new(&unmetered, &std::fs::read(&out).unwrap()).unwrap();
        let mut meter = GasMeter::unlimited();
        let mut instance = Instance::new(&module, &mut NoHost, &mut meter).unwrap();
        let result = instance.invoke(&mut NoHost, "fib", &[Value::I32(15)], &mut meter);
        assert_eq!(result.is_ok(), ok, "limit {limit}: {result:?}");
        if ok {
            assert_eq!(result.unwrap(), vec![Value::I32(610)]);
            assert_eq!(instance.global("metron_gas_left"), Some(Value::I64(0)));
        }
    }

    // A rejected module gives the VM's error and no output file.
    let simd = write(
        dir.path(),
        "simd.wat",
        b"(module (func (drop (v128.const i64x2 0 0))))",
    );
    let out = dir.path().join("simd.out.wasm");
    let o = metron()
        .arg("instrument")
        .arg(&simd)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("SIMD is not supported"),
        "{o:?}"
    );
    assert!(!out.exists());
}

#[test]
fn run_nan_is_canonical() {
    let dir = tempfile::tempdir().unwrap();
    let wat = write(dir.path(), "fib.wat", FIB.as_bytes());
    let o = metron()
        .arg("run")
        .arg(&wat)
        .args(["--invoke", "nan"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{o:?}");
    assert_eq!(field(&stdout(&o), "result:"), "f32:NaN (0x7fc00000)");
    let o = metron()
        .arg("run")
        .arg(&wat)
        .args(["--invoke", "nan64", "f64:-2"])
        .output()
        .unwrap();
    assert_eq!(
        field(&stdout(&o), "result:"),
        "f64:NaN (0x7ff8000000000000)"
    );
}

/// `metron run --metadata`: the macro token deployed on a fresh in-memory state, a
/// message called by name (options before and after the arguments), typed errors.
#[test]
fn run_contract_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let wasm = write(dir.path(), "tok.wasm", metron_contracts::MACRO_TOKEN_WASM);
    let meta = write(
        dir.path(),
        "tok.metadata.json",
        metron_example_macro_token::__metron_contract_metadata().as_bytes(),
    );
    let o = metron()
        .arg("run")
        .arg(&wasm)
        .args(["--invoke", "balance_of", "--metadata"])
        .arg(&meta)
        .args(["--owner", "dev:0", "--init-arg", "supply=1000000"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{o:?}");
    let out = stdout(&o);
    assert_eq!(field(&out, "return:"), "1000000", "{out}");
    assert!(field(&out, "gas used:").parse::<u64>().unwrap() > 0);

    let o = metron()
        .arg("run")
        .arg(&wasm)
        .args(["--init-arg", "supply=10", "--invoke", "transfer"])
        .args(["--to", "dev:1", "--amount", "11", "--metadata"])
        .arg(&meta)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    let out = stdout(&o);
    assert_eq!(field(&out, "status:"), "reverted", "{out}");
    assert_eq!(field(&out, "revert:"), "InsufficientBalance", "{out}");
}

#[test]
fn run_out_of_gas_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let wat = write(dir.path(), "fib.wat", FIB.as_bytes());
    let o = metron()
        .arg("run")
        .arg(&wat)
        .args(["--invoke", "spin", "--gas", "100000"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    let out = stdout(&o);
    assert_eq!(field(&out, "trap:"), "out of gas");
    assert_eq!(field(&out, "gas used:"), "100000");

    // Errors are clear and exit non-zero.
    let o = metron()
        .arg("run")
        .arg(&wat)
        .args(["--invoke", "nope"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no exported function"));
    let simd = write(
        dir.path(),
        "simd.wat",
        b"(module (func (export \"f\") (drop (v128.const i64x2 0 0))))",
    );
    let o = metron()
        .arg("run")
        .arg(&simd)
        .args(["--invoke", "f"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr).to_lowercase();
    assert!(
        err.contains("invalid module") && err.contains("simd"),
        "{err}"
    );
}

/// A program that aborts when its allocator cannot grow memory, as Rust's does, and one
/// whose own declared maximum refuses the grow.
const GROW: &str = r#"(module
  (memory 1)
  (func (export "alloc") (param i32) (result i32)
    (if (i32.eq (memory.grow (local.get 0)) (i32.const -1)) (then unreachable))
    (memory.size))
  (func (export "handled") (result i32)
    (drop (memory.grow (i32.const 1000)))
    (memory.size)))"#;

#[test]
fn run_explains_a_trap_after_a_refused_memory_grow() {
    let dir = tempfile::tempdir().unwrap();
    let wat = write(dir.path(), "grow.wat", GROW.as_bytes());
    let run = |args: &[&str]| metron().arg("run").arg(&wat).args(args).output().unwrap();

    // 1 + 300 pages is over the default 256-page limit.
    let o = run(&["--invoke", "alloc", "300"]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    assert_eq!(
        field(&stdout(&o), "trap:"),
        "unreachable (after memory.grow was refused at the 256-page limit; \
         --max-memory-pages raises it)"
    );
    // Raised, the same call succeeds; lowered, a smaller one is refused.
    let o = run(&["--invoke", "alloc", "300", "--max-memory-pages", "512"]);
    assert!(o.status.success(), "{o:?}");
    assert_eq!(field(&stdout(&o), "result:"), "i32:301");
    let o = run(&["--invoke", "alloc", "10", "--max-memory-pages", "8"]);
    assert_eq!(
        field(&stdout(&o), "trap:"),
        "unreachable (after memory.grow was refused at the 8-page limit; \
         --max-memory-pages raises it)"
    );
    // A memory whose own maximum refuses the grow is named as such.
    let capped = write(
        dir.path(),
        "capped.wat",
        GROW.replace("(memory 1)", "(memory 1 4)").as_bytes(),
    );
    let o = metron()
        .arg("run")
        .arg(&capped)
        .args(["--invoke", "alloc", "5"])
        .output()
        .unwrap();
    assert_eq!(
        field(&stdout(&o), "trap:"),
        "unreachable (after memory.grow was refused at the memory's declared maximum of 4 pages)"
    );
    // The other limit flags are accepted (a trap without a refused grow keeps the plain
    // form: `run_out_of_gas_and_errors`); a refused grow the program handles is no trap.
    let o = run(&["--invoke", "alloc", "1", "--max-call-depth", "4"]);
    assert!(o.status.success(), "{o:?}");
    let o = run(&["--invoke", "handled"]);
    assert_eq!(field(&stdout(&o), "result:"), "i32:1");
}

#[test]
fn node_dev_process_serves_and_stops_on_sigint() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = metron()
        .args(["node", "--dev", "--port", "0", "--data-dir"])
        .arg(dir.path().join("devnet"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut banner = String::new();
    let url = loop {
        let line = lines
            .next()
            .expect("node printed its RPC URL before exiting")
            .unwrap();
        banner.push_str(&line);
        banner.push('\n');
        if let Some(u) = line.strip_prefix("RPC listening on ") {
            break u.trim().to_owned();
        }
    };
    assert!(banner.contains("Chain id:   1337"), "{banner}");
    let version = metron_vm::Config::default().schedule.version;
    assert!(
        banner.contains(&format!("Gas:        schedule version {version}")),
        "{banner}"
    );
    // Account 0 and its secret key, as the well-known derivation gives them.
    let a0 = metron_rpc::hex_serde::encode(&addr(0));
    let k0 = metron_rpc::hex_serde::encode(&key(0).to_bytes());
    assert!(banner.contains(&format!("(0) {a0}")), "{banner}");
    assert!(banner.contains(&format!("(0) {k0}")), "{banner}");

    let rt = tokio::runtime::Runtime::new().unwrap();
    let head = rt.block_on(async {
        let c = metron_rpc::http_client(&url).unwrap();
        c.chain_head().await.unwrap()
    });
    assert_eq!(head.height, 0);

    // SIGINT, as Ctrl-C sends.
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(30);
    let exit = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "node did not stop after SIGINT");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(exit.success(), "clean exit: {exit:?}");
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(rest.iter().any(|l| l == "Stopped."), "{rest:?}");

    // The database was closed: a new node opens the same directory.
    let o = rt.block_on(async {
        let node = metron_node::service::Node::start(metron_node::service::NodeConfig::test(
            dir.path().join("devnet"),
        ))
        .await
        .expect("database lock released");
        node.stop().await
    });
    o.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_commands_against_a_node() {
    let dir = tempfile::tempdir().unwrap();
    let node = start_node(&dir.path().join("node")).await;
    let url = node.rpc_url();
    let token = write(dir.path(), "token.wasm", TOKEN_WASM);

    let run = |args: Vec<String>| {
        let url = url.clone();
        async move {
            tokio::task::spawn_blocking(move || {
                metron()
                    .args(&args)
                    .args(["--rpc-url", &url])
                    .output()
                    .unwrap()
            })
            .await
            .unwrap()
        }
    };
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();

    let o = run(vec![
        "deploy".into(),
        token.display().to_string(),
        "--from".into(),
        "0".into(),
        "--init".into(),
        "u128:1000".into(),
    ])
    .await;
    assert!(o.status.success(), "{o:?}");
    let out = stdout(&o);
    assert_eq!(field(&out, "status:"), "success");
    assert!(field(&out, "gas used:").parse::<u64>().unwrap() > 0);
    let contract = field(&out, "contract:").to_owned();

    let k0 = metron_rpc::hex_serde::encode(&key(0).to_bytes());
    let o = run(s(&[
        "call", &contract, "transfer", "--arg", "dev:1", "--arg", "u128:10", "--from", &k0,
    ]))
    .await;
    assert!(o.status.success(), "{o:?}");
    let out = stdout(&o);
    assert_eq!(field(&out, "status:"), "success");
    assert_eq!(field(&out, "events:"), "1");
    assert!(out.contains("topic \"Transfer\""), "{out}");

    let o = run(s(&[
        "query",
        &contract,
        "balance_of",
        "--arg",
        "dev:1",
        "--decode",
        "u128",
    ]))
    .await;
    assert!(o.status.success(), "{o:?}");
    assert_eq!(field(&stdout(&o), "return:"), "10");

    // A failing call prints its receipt and exits with 2.
    let o = run(s(&[
        "call", &contract, "transfer", "--input", "0x00", "--from", "1",
    ]))
    .await;
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    assert_eq!(field(&stdout(&o), "status:"), "trapped (host)");

    let o = run(s(&["balance", "9"])).await;
    assert!(o.status.success(), "{o:?}");
    assert_eq!(stdout(&o).trim(), metron_node::dev::DEV_BALANCE.to_string());

    // RPC errors are reported, not panics.
    let o = run(s(&["query", &format!("0x{}", "07".repeat(32)), "get"])).await;
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("-32003"),
        "{o:?}"
    );
    node.stop().await.unwrap();
}

/// `metron node --dev` account flags: errors before anything starts, a random mnemonic
/// printed in the banner and served by `dev_accounts`, and a data dir it cannot resume.
#[test]
fn node_dev_account_flags() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("devnet");
    let node = |extra: &[&str]| {
        let mut cmd = metron();
        cmd.args(["node", "--dev", "--port", "0", "--data-dir"])
            .arg(&data_dir)
            .args(extra);
        cmd
    };
    let stderr = |o: &Output| String::from_utf8_lossy(&o.stderr).into_owned();
    for (flags, says) in [
        (&["--mnemonic", "test test test"][..], "3 words"),
        (
            &[
                "--mnemonic",
                "test test test test test test test test test test test jnuk",
            ],
            "\"jnuk\"",
        ),
        (&["--accounts", "10001"], "1 to 10000"),
        (
            &["--mnemonic", "x", "--mnemonic-random"],
            "cannot be used with",
        ),
    ] {
        let o = node(flags).output().unwrap();
        assert!(!o.status.success(), "{flags:?}: {o:?}");
        assert!(stderr(&o).contains(says), "{flags:?}: {}", stderr(&o));
    }

    let mut child = node(&["--mnemonic-random", "--accounts", "2", "--balance", "77"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut banner = String::new();
    let url = loop {
        let line = lines.next().expect("node printed its RPC URL").unwrap();
        banner.push_str(&line);
        banner.push('\n');
        if let Some(u) = line.strip_prefix("RPC listening on ") {
            break u.trim().to_owned();
        }
    };
    assert!(
        banner.contains("each funded with 77 base units"),
        "{banner}"
    );
    assert!(
        banner.contains("(1) 0x") && !banner.contains("(2) 0x"),
        "{banner}"
    );
    assert!(
        banner.contains("Derivation: m/44'/1337'/0'/0'/i'"),
        "{banner}"
    );
    let words = field(&banner, "Mnemonic:").to_owned();
    assert_eq!(words.split(' ').count(), 12, "{banner}");
    let keys = metron_node::dev::DevKeySource::mnemonic(&words)
        .unwrap()
        .keys(2);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let served = rt.block_on(async {
        let c = metron_rpc::http_client(&url).unwrap();
        c.dev_accounts().await.unwrap()
    });
    assert_eq!(served.len(), 2);
    assert_eq!(served[1].secret_key.0, keys[1].to_bytes());

    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    assert!(child.wait().unwrap().success());

    // Another random mnemonic is another genesis: the message says what to do.
    let o = node(&["--mnemonic-random"]).output().unwrap();
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let e = stderr(&o);
    assert!(e.contains("other genesis accounts"), "{e}");
    assert!(e.contains("--reset"), "{e}");
    assert!(
        e.contains("to resume, pass --mnemonic with the words"),
        "{e}"
    );
}

/// `--from N` and `dev:N` sign and address the accounts of a node started with a
/// mnemonic when `METRON_MNEMONIC` holds it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_commands_use_metron_mnemonic() {
    const JUNK: &str = "test test test test test test test test test test test junk";
    const BALANCE: u128 = 1_000_000_000_000_000_000;
    let dir = tempfile::tempdir().unwrap();
    let accounts = metron_node::dev::DevAccounts::new(
        metron_node::dev::DevKeySource::mnemonic(JUNK).unwrap(),
        3,
        BALANCE,
    )
    .unwrap();
    let mut config = metron_node::service::NodeConfig::test(dir.path().join("node"));
    config.set_dev_accounts(&accounts);
    let node = metron_node::service::Node::start(config).await.unwrap();
    let url = node.rpc_url();
    let token = write(dir.path(), "token.wasm", TOKEN_WASM);

    let run = |args: Vec<String>, mnemonic: Option<&'static str>| {
        let url = url.clone();
        async move {
            tokio::task::spawn_blocking(move || {
                let mut cmd = metron();
                cmd.args(&args).args(["--rpc-url", &url]);
                match mnemonic {
                    Some(m) => cmd.env("METRON_MNEMONIC", m),
                    None => cmd.env_remove("METRON_MNEMONIC"),
                };
                cmd.output().unwrap()
            })
            .await
            .unwrap()
        }
    };
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();

    let o = run(s(&["balance", "2"]), Some(JUNK)).await;
    assert!(o.status.success(), "{o:?}");
    assert_eq!(stdout(&o).trim(), BALANCE.to_string());
    // Without the variable, index 2 is the well-known key, not funded here.
    let o = run(s(&["balance", "2"]), None).await;
    assert_eq!(stdout(&o).trim(), "0", "{o:?}");

    let o = run(
        s(&[
            "deploy",
            &token.display().to_string(),
            "--from",
            "2",
            "--init",
            "u128:1000",
        ]),
        Some(JUNK),
    )
    .await;
    assert!(o.status.success(), "{o:?}");
    assert_eq!(field(&stdout(&o), "status:"), "success");
    let contract = field(&stdout(&o), "contract:").to_owned();
    let o = run(
        s(&[
            "query",
            &contract,
            "balance_of",
            "--arg",
            "dev:2",
            "--decode",
            "u128",
        ]),
        Some(JUNK),
    )
    .await;
    assert!(o.status.success(), "{o:?}");
    assert_eq!(field(&stdout(&o), "return:"), "1000");

    let o = run(s(&["balance", "0"]), Some("test test test")).await;
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("METRON_MNEMONIC"),
        "{o:?}"
    );
    node.stop().await.unwrap();
}

/// `metron dev`, `tx` and `prove`, and gas estimation in `deploy`/`call`, against a node.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn devnet_control_commands() {
    let dir = tempfile::tempdir().unwrap();
    let node = start_node(&dir.path().join("node")).await;
    let url = node.rpc_url();
    let counter = write(dir.path(), "counter.wasm", metron_contracts::COUNTER_WASM);
    let run = |args: Vec<String>| {
        let url = url.clone();
        async move {
            tokio::task::spawn_blocking(move || {
                metron()
                    .args(&args)
                    .args(["--rpc-url", &url])
                    .output()
                    .unwrap()
            })
            .await
            .unwrap()
        }
    };
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let ok = |o: &Output| {
        assert!(o.status.success(), "{o:?}");
        stdout(o)
    };

    // Without --gas, deploy and call send with the node's estimate and say so.
    let o = run(s(&[
        "deploy",
        &counter.display().to_string(),
        "--from",
        "0",
        "--init",
        "u64:5",
    ]))
    .await;
    let out = ok(&o);
    let stderr = String::from_utf8_lossy(&o.stderr);
    let estimated: u64 = field(&stderr, "gas limit:")
        .strip_suffix("(estimated)")
        .unwrap_or_else(|| panic!("{stderr}"))
        .trim()
        .parse()
        .unwrap();
    assert_eq!(field(&out, "gas used:").parse::<u64>().unwrap(), estimated);
    let contract = field(&out, "contract:").to_owned();

    let snapshot = ok(&run(s(&["dev", "snapshot"])).await).trim().to_owned();
    let out = ok(&run(s(&["call", &contract, "increment", "--from", "0"])).await);
    let tx_hash = field(&out, "transaction:").to_owned();
    let height: u64 = field(&out, "block:").parse().unwrap();

    // tx: the transaction, its place and its receipt, as JSON.
    let out = ok(&run(s(&["tx", &tx_hash])).await);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["transaction"]["blockHeight"], height);
    assert_eq!(json["receipt"]["status"], "success");

    // prove: verified against the header's state root.
    let out = ok(&run(s(&["prove", &contract, "--key", "0x636f756e74"])).await);
    assert!(out.starts_with("verified against block"), "{out}");
    assert_eq!(field(&out, "storage 0x636f756e74:"), "0x0600000000000000");

    // query --at a past height.
    let get = |at: u64| {
        s(&[
            "query",
            &contract,
            "get",
            "--decode",
            "u64",
            "--at",
            &at.to_string(),
        ])
    };
    assert_eq!(field(&ok(&run(get(height - 1)).await), "return:"), "5");
    assert_eq!(field(&ok(&run(get(height)).await), "return:"), "6");

    // revert: the increment is gone; a used-up id is an error.
    ok(&run(s(&["dev", "revert", &snapshot])).await);
    let out = ok(&run(s(&["query", &contract, "get", "--decode", "u64"])).await);
    assert_eq!(field(&out, "return:"), "5");
    let o = run(s(&["dev", "revert", &snapshot])).await;
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("no snapshot"),
        "{o:?}"
    );

    // State edits.
    ok(&run(s(&["dev", "set-balance", "7", "42"])).await);
    assert_eq!(ok(&run(s(&["balance", "7"])).await).trim(), "42");
    ok(&run(s(&[
        "dev",
        "set-storage",
        &contract,
        "0x636f756e74",
        "0x0900000000000000",
    ]))
    .await);
    let out = ok(&run(s(&["query", &contract, "get", "--decode", "u64"])).await);
    assert_eq!(field(&out, "return:"), "9");
    let out = ok(&run(s(&["dev", "impersonate", &contract])).await);
    assert!(out.contains("impersonating"), "{out}");
    // A transaction from the impersonated contract itself, unsigned.
    ok(&run(s(&["dev", "set-balance", &contract, "1000000000000000000"])).await);
    let out = ok(&run(s(&[
        "call",
        &contract,
        "increment",
        "--impersonate",
        &contract,
    ]))
    .await);
    let tx_hash = field(&out, "transaction:").to_owned();
    let json: serde_json::Value =
        serde_json::from_str(&ok(&run(s(&["tx", &tx_hash])).await)).unwrap();
    assert_eq!(
        json["transaction"]["transaction"]["from"],
        contract.as_str()
    );
    ok(&run(s(&["dev", "stop-impersonating", &contract])).await);
    let o = run(s(&[
        "call",
        &contract,
        "increment",
        "--impersonate",
        &contract,
    ]))
    .await;
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("-32000"),
        "{o:?}"
    );
    // Manual mining: a pending transaction is listed, dropped, or mined.
    ok(&run(s(&["dev", "automine", "off"])).await);
    let out = ok(&run(s(&["dev", "mining-mode"])).await);
    assert!(out.contains("manual"), "{out}");
    let c = client(&node);
    let tx = sign(
        &c,
        &key(2),
        TRANSFER_GAS,
        metron_node::types::Action::Transfer {
            to: addr(3),
            amount: 1,
        },
    )
    .await;
    let no_wait = Some(metron_rpc::types::SubmitOptions { wait: false });
    let hash = c
        .tx_submit(metron_rpc::types::Bytes(tx.clone()), no_wait)
        .await
        .unwrap();
    let out = ok(&run(s(&["dev", "pending"])).await);
    assert!(out.starts_with(&hash.to_string()), "{out}");
    ok(&run(s(&["dev", "drop", &hash.to_string()])).await);
    assert_eq!(ok(&run(s(&["dev", "pending"])).await), "");
    let o = run(s(&["dev", "drop", &hash.to_string()])).await;
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    c.tx_submit(metron_rpc::types::Bytes(tx), no_wait)
        .await
        .unwrap();
    let before = c.chain_head().await.unwrap().height;
    let out = ok(&run(s(&["dev", "mine", "2"])).await);
    assert_eq!(
        field(&out, "block:").split(' ').next(),
        Some((before + 2).to_string().as_str())
    );
    assert!(c.tx_get_receipt(hash).await.unwrap().is_some());
    let out = ok(&run(s(&["dev", "interval-mining", "250"])).await);
    assert!(out.contains("every 250 ms"), "{out}");
    ok(&run(s(&["dev", "automine", "on"])).await);

    let out = ok(&run(s(&["dev", "reset"])).await);
    assert!(out.starts_with("reset"), "{out}");
    assert_eq!(field(&out, "block:").split(' ').next(), Some("0"));
    node.stop().await.unwrap();
}

/// `metron trace`: the tree, JSON, folded stacks and a flame graph of a token transfer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trace_a_transaction() {
    let dir = tempfile::tempdir().unwrap();
    let node = start_node(&dir.path().join("node")).await;
    let url = node.rpc_url();
    let c = client(&node);
    let (_, token) = deploy(&c, TOKEN_WASM, 1_000u128.to_le_bytes().to_vec()).await;
    let mut input = addr(1).to_vec();
    input.extend_from_slice(&10u128.to_le_bytes());
    let r = call(&c, 0, token, "transfer", input, CALL_GAS).await;
    assert_eq!(r.status, metron_rpc::types::ExecStatus::Success);
    let svg = dir.path().join("gas.svg");
    let folded = dir.path().join("gas.folded");
    let hash = r.tx_hash.to_string();
    let home = dir.path().join("home");
    let run = |args: Vec<String>| {
        let url = url.clone();
        let home = home.clone();
        async move {
            tokio::task::spawn_blocking(move || {
                metron()
                    .args(&args)
                    .args(["--rpc-url", &url])
                    .env("METRON_HOME", &home)
                    .output()
                    .unwrap()
            })
            .await
            .unwrap()
        }
    };
    let o = run(vec![
        "trace".into(),
        hash.clone(),
        "--flamegraph".into(),
        svg.display().to_string(),
        "--folded".into(),
        folded.display().to_string(),
    ])
    .await;
    assert!(o.status.success(), "{o:?}");
    let out = stdout(&o);
    assert!(
        out.starts_with(&format!("transaction {hash}: Success, gas {}", r.gas_used)),
        "{out}"
    );
    assert!(out.contains("::transfer  gas "), "{out}");
    assert!(out.contains("host storage_write "), "{out}");
    assert!(out.contains("  key 0x"), "{out}");
    let svg = std::fs::read_to_string(&svg).unwrap();
    assert!(
        svg.contains("<svg") && svg.contains("storage_write"),
        "{}",
        &svg[..200.min(svg.len())]
    );
    // The folded stacks add up to the transaction's gas.
    let total: u64 = std::fs::read_to_string(&folded)
        .unwrap()
        .lines()
        .map(|l| l.rsplit(' ').next().unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(total, r.gas_used);
    // Down to the Wasm functions: the exported method is the root of the frame's call
    // tree (the contract is stripped of its name section: the export names it), and the
    // code load is a path of its own.
    let folded = std::fs::read_to_string(&folded).unwrap();
    assert!(folded.contains("::transfer;transfer "), "{folded}");
    assert!(folded.contains("::transfer;load "), "{folded}");
    assert!(out.contains("fn transfer x1  gas "), "{out}");

    let o = run(vec!["trace".into(), hash, "--json".into()]).await;
    assert!(o.status.success(), "{o:?}");
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(json["gasUsed"], r.gas_used);
    assert_eq!(json["frame"]["method"], "transfer");
    let functions = json["frame"]["functions"].as_array().unwrap();
    assert_eq!(functions[0]["name"], "transfer");
    let fn_gas: u64 = functions.iter().map(|f| f["gas"].as_u64().unwrap()).sum();
    assert_eq!(
        fn_gas + json["frame"]["loadGas"].as_u64().unwrap(),
        json["frame"]["wasmGas"].as_u64().unwrap()
    );

    let o = run(vec!["trace".into(), format!("0x{}", "11".repeat(32))]).await;
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("-32602"),
        "{o:?}"
    );

    // A dry run traces too, over RPC.
    let t = c
        .contract_trace(metron_rpc::types::TraceTarget::Call(
            metron_rpc::types::CallRequest {
                from: None,
                contract: token,
                method: "balance_of".into(),
                input: metron_rpc::types::Bytes(addr(1).to_vec()),
                value: None,
                gas_limit: Some(CALL_GAS),
                at: None,
            },
        ))
        .await
        .unwrap();
    // metron logs: the transfer's event by topic, nothing for another topic.
    let o = run(vec![
        "logs".into(),
        "--from-block".into(),
        "0".into(),
        "--topic".into(),
        "Transfer".into(),
    ])
    .await;
    assert!(o.status.success(), "{o:?}");
    let out = stdout(&o);
    // The mint at deploy, then the transfer.
    assert_eq!(out.lines().count(), 2, "{out}");
    let last = out.lines().last().unwrap();
    assert!(
        last.starts_with(&format!("block {} tx {}", r.block_height, r.tx_hash)),
        "{out}"
    );
    assert!(out.contains("topic \"Transfer\""), "{out}");
    let o = run(vec![
        "logs".into(),
        "--from-block".into(),
        "0".into(),
        "--topic".into(),
        "0x00".into(),
    ])
    .await;
    assert!(o.status.success(), "{o:?}");
    assert_eq!(stdout(&o), "");

    let f = t.frame.unwrap();
    assert_eq!(f.method, "balance_of");
    assert!(f
        .host_calls
        .iter()
        .any(|h| h.name == "storage_read" && h.key.is_some()));
    assert_eq!(t.intrinsic_gas + f.gas_used, t.gas_used);
    node.stop().await.unwrap();
}
