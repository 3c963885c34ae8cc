//! A small W3C WebDriver client over plain HTTP, enough to drive the desktop app through
//! tauri-driver (which forwards to WebKitWebDriver): sessions, elements, clicks, keys, text,
//! attributes, screenshots.

use anyhow::{anyhow, bail, Context as _};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// The W3C key under which an element reference travels.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

#[derive(Debug, Clone)]
pub struct Session {
    http: reqwest::Client,
    base: String,
}

#[derive(Debug, Clone)]
pub struct Element {
    session: Session,
    id: String,
}

impl Session {
    /// Opens a session on the WebDriver server at `url` with `capabilities` (alwaysMatch).
    pub async fn start(url: &str, capabilities: Value) -> anyhow::Result<Session> {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(60)).build()?;
        let resp = call(
            &http,
            reqwest::Method::POST,
            &format!("{url}/session"),
            Some(json!({
                "capabilities": { "alwaysMatch": capabilities }
            })),
        )
        .await?;
        let id = resp["sessionId"].as_str().ok_or_else(|| anyhow!("new session answered without an id: {resp}"))?;
        Ok(Session { http, base: format!("{url}/session/{id}") })
    }

    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> anyhow::Result<Value> {
        call(&self.http, method, &format!("{}{path}", self.base), body).await
    }

    /// The first element matching `css`, now.
    pub async fn find_now(&self, css: &str) -> anyhow::Result<Element> {
        let v =
            self.send(reqwest::Method::POST, "/element", Some(json!({"using": "css selector", "value": css}))).await?;
        self.element(&v)
    }

    /// Every element matching `css`, now.
    pub async fn find_all(&self, css: &str) -> anyhow::Result<Vec<Element>> {
        let v =
            self.send(reqwest::Method::POST, "/elements", Some(json!({"using": "css selector", "value": css}))).await?;
        v.as_array().ok_or_else(|| anyhow!("elements answered {v}"))?.iter().map(|e| self.element(e)).collect()
    }

    /// Waits up to `secs` for an element matching `css`.
    pub async fn find(&self, css: &str, secs: u64) -> anyhow::Result<Element> {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            match self.find_now(css).await {
                Ok(e) => return Ok(e),
                Err(e) if Instant::now() >= deadline => return Err(e.context(format!("waiting for {css}"))),
                Err(_) => tokio::time::sleep(Duration::from_millis(150)).await,
            }
        }
    }

    pub async fn screenshot_png(&self) -> anyhow::Result<Vec<u8>> {
        let v = self.send(reqwest::Method::GET, "/screenshot", None).await?;
        let b64 = v.as_str().ok_or_else(|| anyhow!("screenshot answered {v}"))?;
        decode_base64(b64)
    }

    pub async fn close(&self) -> anyhow::Result<()> {
        self.send(reqwest::Method::DELETE, "", None).await.map(|_| ())
    }

    fn element(&self, v: &Value) -> anyhow::Result<Element> {
        let id = v[ELEMENT_KEY].as_str().ok_or_else(|| anyhow!("not an element reference: {v}"))?;
        Ok(Element { session: self.clone(), id: id.to_owned() })
    }
}

impl Element {
    async fn send(&self, method: reqwest::Method, what: &str, body: Option<Value>) -> anyhow::Result<Value> {
        self.session.send(method, &format!("/element/{}{what}", self.id), body).await
    }

    pub async fn click(&self) -> anyhow::Result<()> {
        self.send(reqwest::Method::POST, "/click", Some(json!({}))).await.map(|_| ())
    }

    pub async fn clear(&self) -> anyhow::Result<()> {
        self.send(reqwest::Method::POST, "/clear", Some(json!({}))).await.map(|_| ())
    }

    pub async fn send_keys(&self, text: &str) -> anyhow::Result<()> {
        self.send(reqwest::Method::POST, "/value", Some(json!({ "text": text }))).await.map(|_| ())
    }

    pub async fn text(&self) -> anyhow::Result<String> {
        let v = self.send(reqwest::Method::GET, "/text", None).await?;
        Ok(v.as_str().unwrap_or_default().to_owned())
    }

    /// A DOM property (e.g. `textContent`, which unlike `text` ignores how the row is rendered).
    pub async fn property(&self, name: &str) -> anyhow::Result<Option<String>> {
        let v = self.send(reqwest::Method::GET, &format!("/property/{name}"), None).await?;
        Ok(v.as_str().map(str::to_owned))
    }

    pub async fn attr(&self, name: &str) -> anyhow::Result<Option<String>> {
        let v = self.send(reqwest::Method::GET, &format!("/attribute/{name}"), None).await?;
        Ok(v.as_str().map(str::to_owned))
    }
}

async fn call(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    body: Option<Value>,
) -> anyhow::Result<Value> {
    let mut req = http.request(method.clone(), url);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.with_context(|| format!("WebDriver {method} {url}"))?;
    let status = resp.status();
    let v: Value = resp.json().await.with_context(|| format!("WebDriver {method} {url}: not JSON"))?;
    if !status.is_success() {
        bail!("WebDriver {method} {url}: {status}: {} {}", v["value"]["error"], v["value"]["message"]);
    }
    Ok(v["value"].clone())
}

fn decode_base64(s: &str) -> anyhow::Result<Vec<u8>> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for c in s.bytes().filter(|c| !c.is_ascii_whitespace() && *c != b'=') {
        let v = ALPHABET.iter().position(|a| *a == c).ok_or_else(|| anyhow!("screenshot is not base64"))? as u32;
        acc = acc << 6 | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Ok(out)
}
