//! A recording HTTP/1.1 server: it records each request (method, path,
//! raw query, headers, body; bodies sent with `Content-Length` or
//! chunked), answers from a handler or a script, and can misbehave on
//! purpose (hang up after reading the request, send more than allowed).

#![allow(dead_code)]

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use assetui_twelvelabs::{Client, ClientOptions, RetryPolicy};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub const KEY: &str = "tlk_TESTKEY_0123456789";

#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// One part of a multipart body.
#[derive(Debug, Clone, PartialEq)]
pub struct FormPart {
    pub name: String,
    pub filename: Option<String>,
    /// Header lines of the part other than Content-Disposition.
    pub other_headers: Vec<String>,
    pub value: Vec<u8>,
}

impl FormPart {
    pub fn text(&self) -> &str {
        std::str::from_utf8(&self.value).expect("a text part")
    }
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("request body is JSON")
    }

    /// Query pairs in order, percent-decoded, repeated keys kept.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        url::form_urlencoded::parse(self.query.as_deref().unwrap_or("").as_bytes())
            .into_owned()
            .collect()
    }

    /// The multipart parts in order (panics when the body is not one).
    pub fn form(&self) -> Vec<FormPart> {
        let ctype = self.header("content-type").expect("a content type");
        let boundary = ctype
            .strip_prefix("multipart/form-data; boundary=")
            .expect("multipart/form-data");
        parse_multipart(&self.body, boundary)
    }

    /// `(name, text)` of each text part, in order.
    pub fn form_fields(&self) -> Vec<(String, String)> {
        self.form()
            .into_iter()
            .filter(|p| p.filename.is_none())
            .map(|p| (p.name.clone(), p.text().to_string()))
            .collect()
    }
}

pub fn parse_multipart(body: &[u8], boundary: &str) -> Vec<FormPart> {
    let delim = format!("--{boundary}");
    let end = format!("--{boundary}--\r\n");
    assert!(
        body.starts_with(delim.as_bytes()),
        "body starts with the boundary"
    );
    assert!(
        body.ends_with(end.as_bytes()),
        "body ends with the closing boundary"
    );
    let sep = format!("\r\n--{boundary}");
    let mut parts = Vec::new();
    let mut rest = &body[delim.len()..];
    loop {
        if rest.starts_with(b"--") {
            break;
        }
        rest = rest.strip_prefix(b"\r\n").expect("CRLF after a boundary");
        let head_end = find(rest, b"\r\n\r\n").expect("part headers end");
        let head = std::str::from_utf8(&rest[..head_end]).unwrap();
        let after = &rest[head_end + 4..];
        let next = find(after, sep.as_bytes()).expect("next boundary");
        let value = after[..next].to_vec();
        rest = &after[next + sep.len()..];
        let mut name = String::new();
        let mut filename = None;
        let mut other_headers = Vec::new();
        for line in head.split("\r\n") {
            if let Some(d) = line.strip_prefix("Content-Disposition: form-data; ") {
                for param in d.split("; ") {
                    let (k, v) = param.split_once('=').unwrap();
                    let v = v.trim_matches('"').to_string();
                    match k {
                        "name" => name = v,
                        "filename" => filename = Some(v),
                        other => panic!("unexpected parameter {other}"),
                    }
                }
            } else {
                other_headers.push(line.to_string());
            }
        }
        parts.push(FormPart {
            name,
            filename,
            other_headers,
            value,
        });
    }
    parts
}

#[derive(Debug, Clone)]
pub enum Reply {
    Respond {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Read the whole request, then reset the connection without an answer.
    HangUp,
    /// Answer 200 and a body of this many bytes, chunked (no length).
    Endless(usize),
}

impl Reply {
    pub fn json(status: u16, body: serde_json::Value) -> Reply {
        Reply::Respond {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: serde_json::to_vec(&body).unwrap(),
        }
    }

    pub fn text(status: u16, content_type: &str, body: &str) -> Reply {
        Reply::Respond {
            status,
            headers: vec![("content-type".into(), content_type.into())],
            body: body.as_bytes().to_vec(),
        }
    }

    pub fn empty(status: u16) -> Reply {
        Reply::Respond {
            status,
            headers: vec![],
            body: vec![],
        }
    }

    pub fn error(status: u16, code: &str, message: &str) -> Reply {
        Reply::json(
            status,
            serde_json::json!({"code": code, "message": message}),
        )
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Reply {
        if let Reply::Respond { headers, .. } = &mut self {
            headers.push((name.into(), value.into()));
        }
        self
    }
}

type Handler = dyn Fn(&Recorded, &str) -> Reply + Send + Sync;

struct Shared {
    script: VecDeque<Reply>,
    log: Vec<Recorded>,
}

pub struct Recorder {
    pub addr: SocketAddr,
    shared: Arc<Mutex<Shared>>,
}

impl Recorder {
    /// Answers each request with the next scripted reply, then `fallback`.
    pub async fn script(script: Vec<Reply>, fallback: Reply) -> Recorder {
        let shared = Arc::new(Mutex::new(Shared {
            script: script.into(),
            log: Vec::new(),
        }));
        let s = shared.clone();
        Recorder::start(shared, move |_, _| {
            s.lock()
                .unwrap()
                .script
                .pop_front()
                .unwrap_or_else(|| fallback.clone())
        })
        .await
    }

    /// Answers with `handler(request, origin)`; `origin` is
    /// `http://127.0.0.1:PORT`, for links back to this server.
    pub async fn route(
        handler: impl Fn(&Recorded, &str) -> Reply + Send + Sync + 'static,
    ) -> Recorder {
        let shared = Arc::new(Mutex::new(Shared {
            script: VecDeque::new(),
            log: Vec::new(),
        }));
        Recorder::start(shared, handler).await
    }

    async fn start(
        shared: Arc<Mutex<Shared>>,
        handler: impl Fn(&Recorded, &str) -> Reply + Send + Sync + 'static,
    ) -> Recorder {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let handler: Arc<Handler> = Arc::new(handler);
        let s = shared.clone();
        let origin = format!("http://{addr}");
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, s.clone(), handler.clone(), origin.clone()));
            }
        });
        Recorder { addr, shared }
    }

    pub fn base_url(&self) -> String {
        format!("http://{}/v1.3", self.addr)
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.lock().unwrap().log.clone()
    }

    pub fn last(&self) -> Recorded {
        self.requests().pop().expect("a request arrived")
    }

    /// The client the tests use: a key, fast retries.
    pub fn client(&self) -> Client {
        Client::new(self.options()).unwrap()
    }

    pub fn options(&self) -> ClientOptions {
        ClientOptions::new(self.base_url())
            .api_key(Some(KEY.into()))
            .retry(fast_retries())
    }
}

/// Two retries, a millisecond apart.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_retries: 2,
        initial_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(2),
        max_wait: Duration::from_secs(60),
    }
}

async fn read_more(stream: &mut TcpStream, buf: &mut Vec<u8>) -> bool {
    let mut chunk = [0u8; 65536];
    match stream.read(&mut chunk).await {
        Ok(0) | Err(_) => false,
        Ok(n) => {
            buf.extend_from_slice(&chunk[..n]);
            true
        }
    }
}

async fn serve(
    mut stream: TcpStream,
    shared: Arc<Mutex<Shared>>,
    handler: Arc<Handler>,
    origin: String,
) {
    let mut buf = Vec::new();
    loop {
        let head_end = loop {
            if let Some(i) = find(&buf, b"\r\n\r\n") {
                break i + 4;
            }
            if !read_more(&mut stream, &mut buf).await {
                return;
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
        let mut lines = head.split("\r\n");
        let request_line = lines.next().unwrap_or_default().to_string();
        let mut parts = request_line.split(' ');
        let method = parts.next().unwrap_or_default().to_string();
        let target = parts.next().unwrap_or_default().to_string();
        let headers: Vec<(String, String)> = lines
            .filter(|l| !l.is_empty())
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        let get = |name: &str| {
            headers
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        let body;
        if get("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
            // chunked: size lines, data, a zero chunk
            let mut out = Vec::new();
            let mut at = head_end;
            loop {
                let line_end = loop {
                    if let Some(i) = find(&buf[at..], b"\r\n") {
                        break at + i;
                    }
                    if !read_more(&mut stream, &mut buf).await {
                        return;
                    }
                };
                let size_text = String::from_utf8_lossy(&buf[at..line_end]).to_string();
                let size = usize::from_str_radix(size_text.split(';').next().unwrap().trim(), 16)
                    .unwrap_or(0);
                let data_start = line_end + 2;
                while buf.len() < data_start + size + 2 {
                    if !read_more(&mut stream, &mut buf).await {
                        return;
                    }
                }
                out.extend_from_slice(&buf[data_start..data_start + size]);
                at = data_start + size + 2;
                if size == 0 {
                    break;
                }
            }
            buf.drain(..at);
            body = out;
        } else {
            let len: usize = get("content-length")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            while buf.len() < head_end + len {
                if !read_more(&mut stream, &mut buf).await {
                    return;
                }
            }
            body = buf[head_end..head_end + len].to_vec();
            buf.drain(..head_end + len);
        }
        let (path, query) = match target.split_once('?') {
            Some((p, q)) => (p.to_string(), Some(q.to_string())),
            None => (target.clone(), None),
        };
        let recorded = Recorded {
            method,
            path,
            query,
            headers,
            body,
        };
        shared.lock().unwrap().log.push(recorded.clone());
        match handler(&recorded, &origin) {
            Reply::Respond {
                status,
                headers,
                body,
            } => {
                let mut out = format!("HTTP/1.1 {status} X\r\ncontent-length: {}\r\n", body.len());
                for (k, v) in headers {
                    out.push_str(&format!("{k}: {v}\r\n"));
                }
                out.push_str("\r\n");
                let mut bytes = out.into_bytes();
                bytes.extend_from_slice(&body);
                if stream.write_all(&bytes).await.is_err() {
                    return;
                }
            }
            Reply::HangUp => {
                #[allow(deprecated)]
                let _ = stream.set_linger(Some(Duration::ZERO));
                return;
            }
            Reply::Endless(total) => {
                let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
                if stream.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let chunk = vec![b' '; 64 * 1024];
                let mut sent = 0;
                while sent < total {
                    let n = chunk.len().min(total - sent);
                    let frame = format!("{n:x}\r\n");
                    if stream.write_all(frame.as_bytes()).await.is_err()
                        || stream.write_all(&chunk[..n]).await.is_err()
                        || stream.write_all(b"\r\n").await.is_err()
                    {
                        return;
                    }
                    sent += n;
                }
                let _ = stream.write_all(b"0\r\n\r\n").await;
                return;
            }
        }
    }
}

pub fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// A free loopback port with nothing listening.
pub fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// A minimal ready asset.
pub fn asset(id: &str) -> serde_json::Value {
    serde_json::json!({
        "_id": id,
        "method": "direct",
        "status": "ready",
        "filename": format!("{id}.mp4"),
        "file_type": "video/mp4",
        "created_at": "2025-08-04T09:15:22Z"
    })
}

/// A page of assets `a{start}`… with its page_info.
pub fn assets_page(page: u64, ids: &[String], total_page: Option<u64>) -> serde_json::Value {
    let data: Vec<_> = ids.iter().map(|id| asset(id)).collect();
    let mut info = serde_json::json!({"page": page, "limit_per_page": 10, "total_results": 1000});
    if let Some(t) = total_page {
        info["total_page"] = t.into();
    }
    serde_json::json!({"data": data, "page_info": info})
}
