//! Driving the desktop app as a real window: tauri-driver (WebKitWebDriver) under Xvfb, and the
//! small waits a user-level test needs.

use crate::webdriver::{Element, Session};
use anyhow::{bail, ensure, Context as _};
use std::os::unix::process::CommandExt as _;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// tauri-driver and the WebKitWebDriver it starts, in their own process group.
#[derive(Debug)]
pub struct Driver {
    child: Child,
    pub port: u16,
}

impl Driver {
    pub fn start(data_dir: &std::path::Path) -> anyhow::Result<Self> {
        Self::start_with(data_dir, &[])
    }

    /// With more environment for the app (tauri-driver passes its environment on).
    pub fn start_with(data_dir: &std::path::Path, env: &[(&str, &str)]) -> anyhow::Result<Self> {
        ensure!(std::env::var_os("DISPLAY").is_some(), "no DISPLAY: run the desktop test through `make test` (Xvfb)");
        let port = free_port()?;
        let native = free_port()?;
        let child = Command::new("tauri-driver")
            .args(["--port", &port.to_string(), "--native-port", &native.to_string()])
            .env("TANDEM_DATA_DIR", data_dir)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .process_group(0)
            .spawn()
            .context("starting tauri-driver (cargo install tauri-driver --locked)")?;
        Ok(Self { child, port })
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The whole group: tauri-driver leaves WebKitWebDriver and the app behind otherwise.
        let _ = Command::new("kill").args(["-KILL", "--", &format!("-{}", self.child.id())]).status();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

pub async fn connect(port: u16, app: &std::path::Path) -> anyhow::Result<Session> {
    let caps = serde_json::json!({ "browserName": "wry", "tauri:options": { "application": app } });
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match Session::start(&format!("http://127.0.0.1:{port}"), caps.clone()).await {
            Ok(c) => return Ok(c),
            Err(e) if Instant::now() < deadline => {
                eprintln!("desktop test: waiting for tauri-driver: {e:#}");
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
            Err(e) => bail!("no WebDriver session with the app: {e:#}"),
        }
    }
}

pub async fn find(c: &Session, css: &str) -> anyhow::Result<Element> {
    c.find(css, 20).await
}

/// Replaces the text of a field, and checks that the field (a React-controlled input) holds
/// exactly `text` afterwards: WebKit's clear does not always reach React, so a leftover value is
/// selected and deleted by keys, and the whole step is retried a few times.
pub async fn type_into(c: &Session, css: &str, text: &str) -> anyhow::Result<()> {
    const CTRL: &str = "\u{E009}";
    const BACKSPACE: &str = "\u{E003}";
    let mut last = String::new();
    for _ in 0..5 {
        let e = find(c, css).await?;
        e.clear().await.with_context(|| format!("clearing {css}"))?;
        if !e.property("value").await?.unwrap_or_default().is_empty() {
            e.send_keys(&format!("{CTRL}a{CTRL}{BACKSPACE}")).await.with_context(|| format!("emptying {css}"))?;
        }
        if text.is_empty() {
            // `clear` fires no input event, so a controlled field would keep its old state:
            // type and erase one character.
            e.send_keys(&format!(" {BACKSPACE}")).await.with_context(|| format!("emptying {css}"))?;
        } else {
            e.send_keys(text).await.with_context(|| format!("typing into {css}"))?;
        }
        last = e.property("value").await?.unwrap_or_default();
        if last == text {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    bail!("{css} holds {last:?} instead of {text:?} after typing")
}

/// Polls until `check` holds (the UI updates asynchronously after sync events).
pub async fn eventually<F, Fut>(what: &str, secs: u64, mut check: F) -> anyhow::Result<()>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<bool>>,
{
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut last = None;
    while Instant::now() < deadline {
        match check().await {
            Ok(true) => return Ok(()),
            Ok(false) => {}
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    bail!("timed out waiting until {what} (last error: {last:?})")
}

pub async fn attr(c: &Session, css: &str, name: &str) -> anyhow::Result<Option<String>> {
    find(c, css).await?.attr(name).await
}
