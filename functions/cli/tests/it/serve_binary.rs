//! The README's run command: the real `frontdesk serve` binary starts on the embedded default
//! with no configuration at all and answers `/health`.

use std::path::Path;

use frontdesk::Route;
use frontdesk_testkit::serve::ServeProcess;

use crate::FRONTDESK;

#[test]
fn frontdesk_serve_starts_with_no_configuration_and_answers_health() {
    let temp = tempfile::tempdir().unwrap();
    // A data folder that does not exist yet: serve creates it.
    let data_dir = temp.path().join("data");
    let server = ServeProcess::start(Path::new(FRONTDESK), &data_dir, None, &[]);
    let addr = server
        .base
        .strip_prefix("http://")
        .unwrap_or_else(|| panic!("unexpected banner address: {}", server.base))
        .to_string();
    let body = http_get(&addr, Route::Health.path());
    drop(server);
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
