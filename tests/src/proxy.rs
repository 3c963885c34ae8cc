//! A loopback HTTP/1.1 proxy between a device and the server that injects network faults: an
//! answer lost after the server handled the request, or a request that never arrives.

use anyhow::Context as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

/// What happens to one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    Forward,
    /// Forwarded and handled by the server; the answer never reaches the device.
    DropAnswer,
    /// The connection closes before anything is forwarded.
    Refuse,
}

/// Decides the fate of the `n`-th request (0-based, counted per path) to `path`.
pub type Rule = Arc<dyn Fn(&str, usize) -> Fault + Send + Sync>;

#[derive(Debug)]
pub struct Proxy {
    /// `http://127.0.0.1:PORT`: give this to the device instead of the server's URL.
    pub url: String,
    faults: Arc<AtomicUsize>,
}

impl Proxy {
    /// How many requests met a fault so far.
    pub fn faults(&self) -> usize {
        self.faults.load(Ordering::SeqCst)
    }
}

pub async fn start(upstream: &str, rule: Rule) -> anyhow::Result<Proxy> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    let faults = Arc::new(AtomicUsize::new(0));
    let counts: Arc<std::sync::Mutex<std::collections::HashMap<String, usize>>> = Arc::default();
    let (upstream, fault_count) = (upstream.to_owned(), faults.clone());
    tokio::spawn(async move {
        let http = reqwest::Client::new();
        while let Ok((sock, _)) = listener.accept().await {
            let ctx = Ctx {
                http: http.clone(),
                upstream: upstream.clone(),
                rule: rule.clone(),
                counts: counts.clone(),
                faults: fault_count.clone(),
            };
            tokio::spawn(async move {
                let _ = ctx.serve(sock).await;
            });
        }
    });
    Ok(Proxy { url, faults })
}

struct Ctx {
    http: reqwest::Client,
    upstream: String,
    rule: Rule,
    counts: Arc<std::sync::Mutex<std::collections::HashMap<String, usize>>>,
    faults: Arc<AtomicUsize>,
}

impl Ctx {
    fn fate(&self, path: &str) -> Fault {
        let n = match self.counts.lock() {
            Ok(mut c) => {
                let e = c.entry(path.to_owned()).or_insert(0);
                *e += 1;
                *e - 1
            }
            Err(_) => 0,
        };
        let f = (self.rule)(path, n);
        if f != Fault::Forward {
            self.faults.fetch_add(1, Ordering::SeqCst);
        }
        f
    }

    async fn serve(&self, mut sock: TcpStream) -> anyhow::Result<()> {
        loop {
            let mut buf = Vec::new();
            let head_end = loop {
                let mut chunk = [0u8; 4096];
                let n = sock.read(&mut chunk).await?;
                if n == 0 {
                    return Ok(());
                }
                buf.extend_from_slice(&chunk[..n]);
                if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    break p + 4;
                }
            };
            let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
            let mut lines = head.lines();
            let request_line = lines.next().context("request line")?.to_owned();
            let mut parts = request_line.split_whitespace();
            let (method, path) = (parts.next().unwrap_or("GET").to_owned(), parts.next().unwrap_or("/").to_owned());
            let mut req =
                self.http.request(reqwest::Method::from_bytes(method.as_bytes())?, format!("{}{path}", self.upstream));
            let mut length = 0usize;
            for line in lines {
                if let Some((k, v)) = line.split_once(':') {
                    let (k, v) = (k.trim(), v.trim());
                    if k.eq_ignore_ascii_case("content-length") {
                        length = v.parse()?;
                    } else if k.eq_ignore_ascii_case("authorization") || k.eq_ignore_ascii_case("content-type") {
                        req = req.header(k, v);
                    }
                }
            }
            let mut body = buf[head_end..].to_vec();
            while body.len() < length {
                let mut chunk = vec![0u8; length - body.len()];
                let n = sock.read(&mut chunk).await?;
                if n == 0 {
                    return Ok(());
                }
                body.extend_from_slice(&chunk[..n]);
            }
            let fate = self.fate(&path);
            if fate == Fault::Refuse {
                return Ok(());
            }
            let resp = req.body(body).send().await?;
            let status = resp.status();
            let bytes = resp.bytes().await?;
            if fate == Fault::DropAnswer {
                return Ok(());
            }
            let head = format!(
                "HTTP/1.1 {} {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                status.as_u16(),
                status.canonical_reason().unwrap_or(""),
                bytes.len()
            );
            sock.write_all(head.as_bytes()).await?;
            sock.write_all(&bytes).await?;
        }
    }
}
