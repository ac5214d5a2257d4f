//! The bootstraps under test: the workspace's debug builds of the function crates, or the
//! ones `sam build` made.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use frontdesk_testkit::fixtures::{function_crates, root};
use serde_json::Value;

/// The bootstrap of every function crate, by bin name (found once per test process): the
/// workspace's debug builds, or with `FRONTDESK_TEST_SAM_BUILD_DIR` set, the ones `sam build`
/// put in that folder (`<Logical id>/bootstrap`, the template naming each function
/// `<CamelCaseBin>Function`, with `WhatsApp` spelt as the template spells it).
pub fn bootstraps() -> &'static HashMap<String, PathBuf> {
    static BOOTSTRAPS: OnceLock<HashMap<String, PathBuf>> = OnceLock::new();
    BOOTSTRAPS.get_or_init(|| match std::env::var_os("FRONTDESK_TEST_SAM_BUILD_DIR") {
        Some(dir) => sam_bootstraps(&PathBuf::from(dir)),
        None => build_bootstraps(),
    })
}

fn sam_bootstraps(dir: &std::path::Path) -> HashMap<String, PathBuf> {
    function_crates()
        .into_iter()
        .map(|bin| {
            let logical_id: String = bin
                .split('-')
                .map(|word| match word {
                    "whatsapp" => "WhatsApp".to_string(),
                    word => word[..1].to_uppercase() + &word[1..],
                })
                .chain(["Function".to_string()])
                .collect();
            let path = dir.join(logical_id).join("bootstrap");
            assert!(path.is_file(), "{path:?} exists (run ./infra/sam.sh build)");
            (bin, path)
        })
        .collect()
}

/// `FRONTDESK_TEST_BOOTSTRAP_RUNNER`: a command the bootstrap runs under, e.g.
/// `qemu-aarch64-static -L /usr/aarch64-linux-gnu` for sam's arm64 builds on an x86 machine.
pub fn runner() -> Vec<String> {
    std::env::var("FRONTDESK_TEST_BOOTSTRAP_RUNNER")
        .map(|runner| runner.split_whitespace().map(String::from).collect())
        .unwrap_or_default()
}

fn build_bootstraps() -> HashMap<String, PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| env!("CARGO").to_string());
    let mut command = Command::new(cargo);
    // Cargo runs this test with the package's own variables set (CARGO_PKG_NAME,
    // CARGO_MANIFEST_DIR, ...). Build scripts such as ring's watch some of those
    // (rerun-if-env-changed), so passing them on would rerun those scripts and rebuild
    // everything above them, here and again in the next `cargo test`.
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if name.starts_with("CARGO_PKG_")
            || name.starts_with("CARGO_BIN_")
            || name.starts_with("CARGO_MANIFEST_")
            || matches!(
                name.as_ref(),
                "CARGO_CRATE_NAME" | "CARGO_PRIMARY_PACKAGE" | "CARGO_TARGET_TMPDIR" | "OUT_DIR"
            )
        {
            command.env_remove(name.as_ref());
        }
    }
    let output = command
        .current_dir(root())
        .args([
            "build",
            "--workspace",
            "--bins",
            "--examples",
            "--message-format=json-render-diagnostics",
        ])
        .stdin(Stdio::null())
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "cargo build of the function bins failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let functions = function_crates();
    let mut found = HashMap::new();
    for line in output.stdout.split(|b| *b == b'\n') {
        let Ok(message) = serde_json::from_slice::<Value>(line) else {
            continue;
        };
        let (Some(name), Some(executable)) = (
            message["target"]["name"].as_str(),
            message["executable"].as_str(),
        ) else {
            continue;
        };
        let is_bin = message["target"]["kind"]
            .as_array()
            .is_some_and(|kinds| kinds.iter().any(|k| k == "bin"));
        if message["reason"] == "compiler-artifact" && is_bin && functions.contains(&name.into()) {
            found.insert(name.to_string(), PathBuf::from(executable));
        }
    }
    for function in &functions {
        let path = found
            .get(function)
            .unwrap_or_else(|| panic!("cargo built no bin `{function}`"));
        assert!(path.is_file(), "{path:?} exists");
    }
    found
}
