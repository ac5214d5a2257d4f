//! The README's run command: the real `frontdesk serve` binary starts on the embedded default
//! with no configuration at all and answers `/health`.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[test]
fn frontdesk_serve_starts_with_no_configuration_and_answers_health() {
    let data_dir = std::env::temp_dir().join(format!("frontdesk-serve-{}", std::process::id()));
    let mut child = Command::new(env!("CARGO_BIN_EXE_frontdesk"))
        .args(["serve", "--addr", "127.0.0.1:0"])
        .env_clear()
        .env("FRONTDESK_DATA_DIR", &data_dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("frontdesk binary runs");
    let stdout = child.stdout.take().unwrap();
    let first_line = BufReader::new(stdout).lines().next().unwrap().unwrap();
    let addr = first_line
        .strip_prefix("Frontdesk listening on http://")
        .unwrap_or_else(|| panic!("unexpected banner: {first_line}"))
        .to_string();
    let body = http_get(&addr, "/health");
    child.kill().ok();
    child.wait().ok();
    let _ = std::fs::remove_dir_all(&data_dir);
    assert!(body.starts_with("HTTP/1.1 200"), "{body}");
    assert!(body.ends_with("\r\n\r\nok"), "{body}");
}

fn http_get(addr: &str, path: &str) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}
