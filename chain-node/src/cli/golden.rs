//! Golden-file checks for CLI output (test only). Files live in `chain-node/tests/golden/`;
//! re-bless with `METRON_BLESS=1 cargo test -p metron-node`.

use std::path::PathBuf;

/// Compares `actual` with the golden file `name`, or rewrites it when `METRON_BLESS=1`.
///
/// # Panics
/// If the output differs from the golden file (or the file is missing).
pub fn check(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("golden")
        .join(name);
    if std::env::var_os("METRON_BLESS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().expect("golden dir has a parent"))
            .expect("create golden dir");
        std::fs::write(&path, actual).expect("write golden file");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "missing golden file {}; run with METRON_BLESS=1 to create it",
            path.display()
        )
    });
    assert_eq!(
        expected,
        actual,
        "output differs from {} (re-bless with METRON_BLESS=1)",
        path.display()
    );
}
