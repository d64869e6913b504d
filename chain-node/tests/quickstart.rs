//! The README's Quick start commands are the ones CI runs: README.md shows
//! `scripts/dev.sh devnet` and `scripts/dev.sh test`, `.ci/run` runs the test command as
//! written (after `scripts/dev.sh setup`, before which fmt and clippy lack their
//! components), and both commands of `scripts/dev.sh` run its setup first.

use std::path::PathBuf;

const DEVNET: &str = "scripts/dev.sh devnet";
const TEST: &str = "scripts/dev.sh test";
const SETUP: &str = "scripts/dev.sh setup";

fn repo_file(rel: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(rel);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{rel}: cannot read {}: {e}", path.display()))
}

/// A shell line without its trailing `# comment` (a `#` at the start or after
/// whitespace), trimmed; empty for blank and comment-only lines.
fn command(line: &str) -> &str {
    let line = line.trim();
    let mut cut = line.len();
    let mut prev_space = true;
    for (i, c) in line.char_indices() {
        if c == '#' && prev_space {
            cut = i;
            break;
        }
        prev_space = c.is_whitespace();
    }
    line[..cut].trim()
}

/// The text of README.md's "## Quick start" section, up to the next `## ` heading.
fn quickstart_section(readme: &str) -> &str {
    let start = readme
        .find("\n## Quick start\n")
        .expect("README.md: no \"## Quick start\" section")
        + 1;
    let body = &readme[start + "## Quick start\n".len()..];
    let end = body.find("\n## ").map_or(body.len(), |e| e + 1);
    &body[..end]
}

/// The commands of the Quick start section's ```sh block.
fn readme_commands() -> Vec<String> {
    let readme = repo_file("README.md");
    let section = quickstart_section(&readme);
    let mut lines = section.lines();
    lines
        .by_ref()
        .find(|l| l.trim() == "```sh")
        .expect("README.md: the Quick start section has no ```sh code block");
    let mut commands = Vec::new();
    let mut closed = false;
    for line in lines {
        if line.trim() == "```" {
            closed = true;
            break;
        }
        let cmd = command(line);
        if !cmd.is_empty() {
            commands.push(cmd.to_string());
        }
    }
    assert!(
        closed,
        "README.md: the Quick start ```sh block is not closed"
    );
    commands
}

#[test]
fn readme_shows_the_two_dev_sh_commands() {
    let commands = readme_commands();
    assert_eq!(
        commands.len(),
        2,
        "README.md: the Quick start ```sh block must hold exactly two commands, has {commands:?}"
    );
    for want in [DEVNET, TEST] {
        assert!(
            commands.iter().any(|c| c == want),
            "README.md: the Quick start commands {commands:?} do not include `{want}`"
        );
    }
}

#[test]
fn ci_runs_the_readme_test_command_after_setup() {
    let ci = repo_file(".ci/run");
    let lines: Vec<&str> = ci.lines().map(command).collect();
    let position = |pred: &dyn Fn(&str) -> bool| lines.iter().position(|l| pred(l));

    let test = position(&|l| l == TEST);
    assert!(
        test.is_some(),
        ".ci/run: no line runs the README's test command `{TEST}` exactly as written"
    );
    let Some(setup) = position(&|l| l == SETUP) else {
        panic!(".ci/run: no line runs `{SETUP}`");
    };
    for tool in ["cargo fmt", "cargo clippy"] {
        let Some(at) = position(&|l| l.starts_with(tool)) else {
            panic!(".ci/run: no `{tool}` line (expected after `{SETUP}`)");
        };
        assert!(
            setup < at,
            ".ci/run: `{SETUP}` (line {}) must come before `{tool}` (line {}), which needs \
             the component setup installs",
            setup + 1,
            at + 1
        );
    }
}

/// The statements of `scripts/dev.sh`'s `case` arm `name)`, up to its `;;`.
fn case_arm(script: &str, name: &str) -> Vec<String> {
    let label = format!("{name})");
    let mut lines = script.lines().map(command);
    let first = lines
        .by_ref()
        .find(|l| l.starts_with(&label))
        .unwrap_or_else(|| panic!("scripts/dev.sh: no `{label}` arm in its case"));
    let mut text = first[label.len()..].to_string();
    let mut closed = text.contains(";;");
    for line in lines {
        if closed {
            break;
        }
        text.push('\n');
        text.push_str(line);
        closed = line.contains(";;");
    }
    assert!(closed, "scripts/dev.sh: the `{label}` arm has no `;;`");
    let body = &text[..text.find(";;").unwrap()];
    body.split(['\n', ';'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

#[test]
fn dev_sh_devnet_and_test_run_setup_first() {
    let script = repo_file("scripts/dev.sh");
    let readme = repo_file("README.md");
    let quickstart = quickstart_section(&readme);
    for (arm, cargo) in [
        ("devnet", "cargo run --release -p metron-node -- node --dev"),
        ("test", "cargo test --workspace --locked"),
    ] {
        let stmts = case_arm(&script, arm);
        let setup = stmts.iter().position(|s| s == "setup");
        let exec = stmts
            .iter()
            .position(|s| s.starts_with(&format!("exec {cargo}")));
        let (Some(setup), Some(exec)) = (setup, exec) else {
            panic!(
                "scripts/dev.sh: the `{arm})` arm must call `setup`, then `exec {cargo} \"$@\"`; \
                 it runs {stmts:?}"
            );
        };
        assert!(
            setup < exec,
            "scripts/dev.sh: the `{arm})` arm runs `exec {cargo}` before `setup`: {stmts:?}"
        );
        assert!(
            quickstart.contains(&format!("`{cargo}`")),
            "README.md: the Quick start section does not name `{cargo}`, what \
             `scripts/dev.sh {arm}` runs"
        );
    }
}
