//! A recording HTTP/1.1 server for the tests: it answers each request with
//! the next scripted reply (or a default), records what arrived (method,
//! path, query, headers, body, arrival time) and can misbehave on purpose
//! (reset the connection, close it early, stall).

#![allow(dead_code)]

pub mod hostile;
pub mod pty;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub at: Instant,
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

    /// Query pairs, percent-decoded.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        url::form_urlencoded::parse(self.query.as_deref().unwrap_or("").as_bytes())
            .into_owned()
            .collect()
    }
}

#[derive(Debug, Clone)]
pub enum Reply {
    Respond {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Reset the connection (RST) without answering.
    Reset,
    /// Promise more body than is sent, then close.
    Truncate { status: u16, body: Vec<u8> },
}

impl Reply {
    pub fn json(status: u16, body: serde_json::Value) -> Reply {
        Reply::Respond {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: serde_json::to_vec(&body).unwrap(),
        }
    }

    pub fn raw(status: u16, content_type: &str, body: &str) -> Reply {
        Reply::Respond {
            status,
            headers: vec![("content-type".into(), content_type.into())],
            body: body.as_bytes().to_vec(),
        }
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Reply {
        if let Reply::Respond { headers, .. } = &mut self {
            headers.push((name.into(), value.into()));
        }
        self
    }
}

struct Shared {
    script: VecDeque<Reply>,
    fallback: Reply,
    log: Vec<Recorded>,
}

pub struct Recorder {
    pub addr: SocketAddr,
    shared: Arc<Mutex<Shared>>,
    notify: Arc<tokio::sync::Notify>,
}

impl Recorder {
    /// Starts a server on a free loopback port that answers `fallback`
    /// once the script is used up.
    pub async fn start(script: Vec<Reply>, fallback: Reply) -> Recorder {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let shared = Arc::new(Mutex::new(Shared {
            script: script.into(),
            fallback,
            log: Vec::new(),
        }));
        let notify = Arc::new(tokio::sync::Notify::new());
        let (s, n) = (shared.clone(), notify.clone());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, s.clone(), n.clone()));
            }
        });
        Recorder {
            addr,
            shared,
            notify,
        }
    }

    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.lock().unwrap().log.clone()
    }

    pub fn last(&self) -> Recorded {
        self.requests().pop().expect("a request arrived")
    }
}

async fn serve(
    mut stream: TcpStream,
    shared: Arc<Mutex<Shared>>,
    notify: Arc<tokio::sync::Notify>,
) {
    let mut buf = Vec::new();
    loop {
        // read one request head
        let head_end = loop {
            if let Some(i) = find(&buf, b"\r\n\r\n") {
                break i + 4;
            }
            let mut chunk = [0u8; 8192];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
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
        let len: usize = headers
            .iter()
            .find(|(k, _)| k == "content-length")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        while buf.len() < head_end + len {
            let mut chunk = [0u8; 8192];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        let body = buf[head_end..head_end + len].to_vec();
        buf.drain(..head_end + len);
        let (path, query) = match target.split_once('?') {
            Some((p, q)) => (p.to_string(), Some(q.to_string())),
            None => (target.clone(), None),
        };
        let reply = {
            let mut s = shared.lock().unwrap();
            s.log.push(Recorded {
                method,
                path,
                query,
                headers,
                body,
                at: Instant::now(),
            });
            s.script.pop_front().unwrap_or_else(|| s.fallback.clone())
        };
        notify.notify_waiters();
        match reply {
            Reply::Respond {
                status,
                headers,
                body,
            } => {
                let mut out = format!(
                    "HTTP/1.1 {status} {}\r\ncontent-length: {}\r\n",
                    reason(status),
                    body.len()
                );
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
            Reply::Reset => {
                // an RST, not a FIN: SO_LINGER 0 then close
                #[allow(deprecated)]
                let _ = stream.set_linger(Some(Duration::ZERO));
                return;
            }
            Reply::Truncate { status, body } => {
                let out = format!(
                    "HTTP/1.1 {status} {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                    reason(status),
                    body.len() * 2 + 10
                );
                let _ = stream.write_all(out.as_bytes()).await;
                let _ = stream.write_all(&body).await;
                return;
            }
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        408 => "Request Timeout",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

/// A free loopback port with nothing listening on it.
pub fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// A minimal valid asset object.
pub fn asset_json(id: &str) -> serde_json::Value {
    serde_json::json!({
        "id": id,
        "authorId": "user_1",
        "collectionIds": [],
        "createdAt": "2025-03-01T10:00:00.000Z",
        "editCapabilities": [],
        "kind": "image",
        "metadata": {"kind": "image", "type": "inference-txt2img", "name": format!("Asset {id}"), "width": 512, "height": 512},
        "mimeType": "image/png",
        "ownerId": "proj_1",
        "privacy": "private",
        "properties": {"size": 1234},
        "source": "inference-txt",
        "status": "success",
        "tags": ["hero"],
        "updatedAt": "2025-03-01T10:00:00.000Z",
        "url": format!("https://cdn.example/{id}.png?sig=abc")
    })
}

/// The partial file of `id` in `dir`: `ID.XXXXXX.part`, a name of its own.
pub fn part_of(dir: &std::path::Path, id: &str) -> Option<std::path::PathBuf> {
    let names = std::fs::read_dir(dir).ok()?.flatten().map(|e| e.path());
    names.into_iter().find(|p| {
        let n = p.file_name().unwrap_or_default().to_string_lossy();
        n.starts_with(&format!("{id}.")) && n.ends_with(".part")
    })
}

/// A small PNG (64×48, a gradient): an image every decoder reads.
pub fn png_bytes() -> Vec<u8> {
    let img = image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8 * 4, y as u8 * 5, 90]));
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut out, image::ImageFormat::Png)
        .unwrap();
    out.into_inner()
}

/// `assetui ARGS` as a new user would run it: only PATH, HOME and the XDG
/// directories (config, cache, state, data) under `home`, plus `extra`
/// variables; stdin is `/dev/null`; killed when dropped.
pub fn assetui_command(
    home: &std::path::Path,
    args: &[&str],
    extra: &[(&str, &str)],
) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_assetui"));
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_DATA_HOME", home.join("data"))
        .envs(extra.iter().copied())
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true);
    cmd
}

/// Runs [`assetui_command`] to its end; fails if it outlives a minute.
pub async fn assetui_at_home(
    home: &std::path::Path,
    args: &[&str],
    extra: &[(&str, &str)],
) -> std::process::Output {
    let mut cmd = assetui_command(home, args, extra);
    tokio::time::timeout(std::time::Duration::from_secs(60), cmd.output())
        .await
        .expect("assetui did not finish in time")
        .unwrap()
}

/// The body of a GET that must succeed.
pub async fn get_bytes(http: &reqwest::Client, url: &str) -> Vec<u8> {
    http.get(url)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .to_vec()
}

/// A browser on the demo server `running` (real `update()`, real workers,
/// no terminal), 120×40, once its first page is in.
pub async fn browser_on(
    running: &assetui::server::Running,
    wait: Duration,
) -> (assetui::api::Client, assetui::headless::Headless) {
    use assetui::api::{Client, ClientOptions};
    let client = Client::new(ClientOptions::new(running.base_url.clone())).unwrap();
    let mut b = assetui::headless::Headless::new(client.clone(), None, 120, 40);
    b.start();
    b.wait_for("first page", wait, |s| !s.list.entries.is_empty())
        .await
        .unwrap();
    (client, b)
}
