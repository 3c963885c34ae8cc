//! Exactly once when answers are lost: a proxy between the device and the real server forwards
//! the device's push (the server applies it) but drops the answer, as a dead network or a killed
//! app would. The device keeps its outbox, sends the same mutations again, and the server answers
//! them from its log: every mutation applied once, none lost.

use anyhow::{ensure, Context as _};
use sqlx::Row as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tandem_tests::cli::CliDevice;
use tandem_tests::{create_user, spawn_process, TestDb};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

/// Forwards HTTP/1.1 requests to `upstream`; the first `drop_pushes` answers to /v1/push are
/// swallowed (the connection is closed after the server has handled the request).
async fn lossy_proxy(upstream: String, drop_pushes: usize) -> anyhow::Result<(String, Arc<AtomicUsize>)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    let dropped = Arc::new(AtomicUsize::new(0));
    let counter = dropped.clone();
    tokio::spawn(async move {
        let http = reqwest::Client::new();
        while let Ok((sock, _)) = listener.accept().await {
            let (http, upstream, counter) = (http.clone(), upstream.clone(), counter.clone());
            tokio::spawn(async move {
                let _ = serve_one(sock, &http, &upstream, &counter, drop_pushes).await;
            });
        }
    });
    Ok((url, dropped))
}

async fn serve_one(
    mut sock: TcpStream,
    http: &reqwest::Client,
    upstream: &str,
    dropped: &AtomicUsize,
    drop_pushes: usize,
) -> anyhow::Result<()> {
    loop {
        // Request head.
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
        let mut req = http.request(reqwest::Method::from_bytes(method.as_bytes())?, format!("{upstream}{path}"));
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
        let resp = req.body(body).send().await?;
        let status = resp.status();
        let bytes = resp.bytes().await?;
        if path == "/v1/push" && dropped.fetch_add(1, Ordering::SeqCst) < drop_pushes {
            // The server has applied the push; the device never hears about it.
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lost_answers_never_apply_a_mutation_twice_nor_lose_one() -> anyhow::Result<()> {
    let db = TestDb::new().await?;
    let server = spawn_process(&db.url)?;
    create_user(&db.url, "anna", "sales_manager", "anna-password-1").await?;
    let (proxy, dropped) = lossy_proxy(server.base_url.clone(), 2).await?;
    let pool = db.pool().await?;

    let a = CliDevice::new()?;
    a.login(&proxy, "anna", "anna-password-1")?;
    let id = a.create_account(&["--name", "Lost Answer GmbH"])?;
    a.ok(&["contact", "add", "--account", &id, "--name", "Nora Lang"])?;
    a.ok(&["account", "update", &id, "--city", "Halle"])?;

    // Twice the server applies (or replays) the push and the answer is lost.
    for attempt in 1..=2 {
        let why = a.fails(&["sync"])?;
        ensure!(why.contains("cannot reach the server"), "attempt {attempt}: the device sees a network failure: {why}");
        ensure!(a.json(&["status", "--json"])?["pending"] == 3, "attempt {attempt}: the outbox keeps all three");
    }
    ensure!(dropped.load(Ordering::SeqCst) == 2, "two answers were dropped");
    let applied: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM mutation_log").fetch_one(&pool).await?;
    ensure!(applied == 3, "the server applied the three mutations on the first send only, got {applied}");

    // Third time the answer arrives: replayed outcomes, nothing applied again.
    let out = a.ok(&["sync"])?;
    ensure!(out.contains("3 applied, 0 rejected"), "the device learns all three were applied: {out}");
    let rows = sqlx::query("SELECT (SELECT COUNT(*) FROM accounts), (SELECT COUNT(*) FROM contacts), (SELECT COUNT(*) FROM mutation_log), (SELECT version FROM sync_clock)")
        .fetch_one(&pool)
        .await?;
    let counts: (i64, i64, i64, i64) = (rows.get(0), rows.get(1), rows.get(2), rows.get(3));
    ensure!(counts == (1, 1, 3, 3), "one account, one contact, three mutations, three versions: {counts:?}");
    let status = a.json(&["status", "--json"])?;
    ensure!(status["pending"] == 0, "the outbox is settled: {status}");
    let shown = a.json(&["account", "show", &id, "--json"])?;
    ensure!(
        shown["account"]["city"] == "Halle" && shown["contacts"][0]["name"] == "Nora Lang",
        "and the device shows it: {shown}"
    );
    Ok(())
}
