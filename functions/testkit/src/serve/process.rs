//! The real `frontdesk serve` binary on a free local port, killed when dropped.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

pub struct ServeProcess {
    child: Child,
    /// `http://127.0.0.1:{port}`, from the banner's first line.
    pub base: String,
}

impl ServeProcess {
    /// `BINARY serve --addr 127.0.0.1:0 [--seed SEED]` on the local store in `data`, with
    /// exactly `env`. `binary` is the CLI's `env!("CARGO_BIN_EXE_frontdesk")`, which only its
    /// own tests can name.
    pub fn start(binary: &Path, data: &Path, seed: Option<&str>, env: &[(&str, &str)]) -> Self {
        let mut command = Command::new(binary);
        command.args(["serve", "--addr", "127.0.0.1:0"]);
        if let Some(seed) = seed {
            command.args(["--seed", seed]);
        }
        let mut child = command
            .env_clear()
            .env("FRONTDESK_DATA_DIR", data)
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("frontdesk serve runs");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let banner = lines.next().unwrap().unwrap();
        let base = banner
            .strip_prefix("Frontdesk listening on ")
            .unwrap_or_else(|| panic!("unexpected banner: {banner}"))
            .to_string();
        // Keep reading, so the server never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Self { child, base }
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}
