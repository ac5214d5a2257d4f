//! A fault-injecting TCP proxy between Frontdesk and a server it talks to (moto, a stand-in):
//! it passes traffic through until told to refuse connections, reset them mid-response, delay
//! them, or answer an HTTP error itself, and back. Setting a fault closes the connections open
//! under the previous one, so a client's pooled connection meets the new fault too.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// What the proxy does to the next connections.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Traffic passes.
    None,
    /// Every connection is closed as soon as it is accepted.
    Refuse,
    /// The request reaches the server; the connection is reset in the middle of the answer.
    Reset,
    /// Each connection waits this long before anything passes.
    Delay(Duration),
    /// Each request is answered with this HTTP status (a JSON throttling or service error body),
    /// never reaching the server.
    Status(u16),
}

struct State {
    fault: Mutex<Fault>,
    generation: watch::Sender<u64>,
    upstream: SocketAddr,
}

pub struct FaultProxy {
    /// `http://127.0.0.1:{port}`: give it to the client in the server's place.
    pub url: String,
    state: Arc<State>,
}

impl FaultProxy {
    /// A proxy in front of `upstream` (`http://127.0.0.1:1234`), passing traffic.
    pub async fn start(upstream: &str) -> Self {
        let authority = upstream
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string();
        let upstream: SocketAddr = tokio::net::lookup_host(authority)
            .await
            .expect("upstream resolves")
            .next()
            .expect("an upstream address");
        let (generation, _) = watch::channel(0);
        let state = Arc::new(State {
            fault: Mutex::new(Fault::None),
            generation,
            upstream,
        });
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let accepting = state.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let fault = *accepting.fault.lock().unwrap();
                let closed = accepting.generation.subscribe();
                let upstream = accepting.upstream;
                tokio::spawn(async move {
                    let _ = handle(client, upstream, fault, closed).await;
                });
            }
        });
        Self { url, state }
    }

    /// From now on, `fault`; the connections open until now are closed.
    pub fn set(&self, fault: Fault) {
        *self.state.fault.lock().unwrap() = fault;
        self.state.generation.send_modify(|g| *g += 1);
    }

    /// Traffic passes again.
    pub fn heal(&self) {
        self.set(Fault::None);
    }
}

async fn handle(
    mut client: TcpStream,
    upstream: SocketAddr,
    fault: Fault,
    mut closed: watch::Receiver<u64>,
) -> std::io::Result<()> {
    match fault {
        Fault::Refuse => return Ok(()),
        Fault::Status(status) => {
            read_head(&mut client).await?;
            let body = r#"{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"injected fault"}"#;
            let answer = format!(
                "HTTP/1.1 {status} Injected\r\ncontent-type: application/x-amz-json-1.0\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            client.write_all(answer.as_bytes()).await?;
            return client.shutdown().await;
        }
        Fault::Delay(wait) => tokio::time::sleep(wait).await,
        Fault::Reset | Fault::None => {}
    }
    let mut server = TcpStream::connect(upstream).await?;
    if fault == Fault::Reset {
        // The whole request through (a server left waiting for the rest of a body would hold
        // it, and moto serves one request at a time), then half an answer and a reset.
        let mut answer = vec![0u8; 64];
        let n = {
            let (mut from_client, _) = client.split();
            let (mut from_server, mut to_server) = server.split();
            let upload = async {
                let _ = tokio::io::copy(&mut from_client, &mut to_server).await;
                std::future::pending::<()>().await
            };
            tokio::select! {
                read = from_server.read(&mut answer) => read?,
                () = upload => unreachable!("the upload never finishes on its own"),
            }
        };
        client.write_all(&answer[..n / 2]).await?;
        client.set_zero_linger()?;
        return Ok(());
    }
    tokio::select! {
        copied = tokio::io::copy_bidirectional(&mut client, &mut server) => copied.map(drop),
        _ = closed.changed() => Ok(()),
    }
}

/// Reads a request's head and whatever of its body came with it.
async fn read_head(client: &mut TcpStream) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::new();
    let mut buffer = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 1 << 20 {
        let n = client.read(&mut buffer).await?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buffer[..n]);
    }
    Ok(head)
}
