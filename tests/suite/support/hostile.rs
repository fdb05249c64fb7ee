//! A purpose-built hostile server: each request is answered by a closure
//! (endless or cycling page tokens, huge pages, giant error strings), or
//! trickled a byte at a time (slow loris). HTTP/1.1 by hand, one request a
//! connection, so nothing in it is polite by accident.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What arrived: method, path and decoded query.
pub struct Req {
    pub method: String,
    pub path: String,
    pub query: HashMap<String, String>,
}

/// What to send back.
pub enum Resp {
    Json(u16, String),
    /// Headers at once, then the body one byte per `every`, for ever.
    Trickle {
        every: Duration,
    },
}

type Handler = dyn Fn(&Req) -> Resp + Send + Sync;

pub struct Hostile {
    pub addr: std::net::SocketAddr,
    hits: Arc<AtomicUsize>,
}

impl Hostile {
    pub async fn start(handler: impl Fn(&Req) -> Resp + Send + Sync + 'static) -> Hostile {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let handler: Arc<Handler> = Arc::new(handler);
        let hits = Arc::new(AtomicUsize::new(0));
        let h = hits.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                h.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(serve(stream, handler.clone()));
            }
        });
        Hostile { addr, hits }
    }

    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// Requests (connections) served so far.
    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

async fn serve(mut stream: TcpStream, handler: Arc<Handler>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let Ok(n) = stream.read(&mut chunk).await else {
            return;
        };
        if n == 0 {
            return;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or(0);
    while buf.len() < head_end + length {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let first = head.lines().next().unwrap_or_default();
    let mut parts = first.split(' ');
    let method = parts.next().unwrap_or_default().to_string();
    let target = parts.next().unwrap_or_default();
    let url = url::Url::parse(&format!("http://x{target}")).unwrap();
    let req = Req {
        method,
        path: url.path().to_string(),
        query: url.query_pairs().into_owned().collect(),
    };
    match handler(&req) {
        Resp::Json(status, body) => {
            let head = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes()).await;
            let _ = stream.write_all(body.as_bytes()).await;
        }
        Resp::Trickle { every } => {
            let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100000\r\nconnection: close\r\n\r\n{\"assets\": [";
            if stream.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            loop {
                tokio::time::sleep(every).await;
                if stream.write_all(b" ").await.is_err() {
                    return;
                }
            }
        }
    }
    let _ = stream.shutdown().await;
}

/// A list page of `n` tiny assets (`{"id":"aN"}`) with `token` as the next.
pub fn asset_page(start: usize, n: usize, token: Option<&str>) -> String {
    let items: Vec<String> = (start..start + n)
        .map(|i| format!("{{\"id\":\"a{i}\"}}"))
        .collect();
    let token = token.map_or(String::new(), |t| {
        format!(",\"nextPaginationToken\":\"{t}\"")
    });
    format!("{{\"assets\":[{}]{token}}}", items.join(","))
}
