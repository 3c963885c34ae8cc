//! The desktop app as a user meets it: how long from launch until the accounts list is painted
//! (`cold_start_s`), how much memory it holds once idle (`idle_rss_mb`, the app and its WebKit
//! processes summed), and the size of its installer (`installer_mb`, the .deb).
//!
//! The app (`target/release/tandem-app`, or `TANDEM_APP_BIN`) is started by WebDriver
//! (tauri-driver, as the desktop test does) under the X display of the run (`make bench` uses
//! Xvfb). The clock starts when the app's process starts — read from `/proc/<pid>/stat`, so the
//! WebDriver session set-up before it does not count — and stops when the first account row is
//! in the window (polled every 20 ms). The first launch makes a new local workspace (with its
//! demo accounts); `cold_start_s` is the second launch of that workspace, as a user starts the
//! app every morning. Nothing here changes the app: no marker in its code is needed.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context as _};
use tandem_tests::desktop::{connect, Driver};
use tandem_tests::webdriver::Session;

use crate::measure::{say, Metrics};

const ACCOUNT_ROW: &str = "[data-testid=account-row]";
/// How long the app is left alone before its memory is read.
const IDLE: Duration = Duration::from_secs(30);

/// Adds the desktop metrics; a metric that cannot be measured here is reported as missing
/// (NaN, with the reason on stderr) rather than failing the whole suite.
pub async fn run(m: &mut Metrics) {
    match installer() {
        Ok((path, mb)) => {
            say(&format!("installer: {} ({mb:.1} MB)", path.display()));
            m.push(("installer_mb".into(), mb));
        }
        Err(e) => {
            say(&format!("installer_mb missing: {e:#}"));
            m.push(("installer_mb".into(), f64::NAN));
        }
    }
    if let Err(e) = app(m).await {
        say(&format!("cold_start_s and idle_rss_mb missing: {e:#}"));
        for key in ["cold_start_s", "idle_rss_mb"] {
            if !m.iter().any(|(k, _)| k == key) {
                m.push((key.into(), f64::NAN));
            }
        }
    }
}

/// The newest .deb that `make package` made, and its size in MB (MiB).
fn installer() -> anyhow::Result<(PathBuf, f64)> {
    let dir = Path::new("target/release/bundle/deb");
    let newest = std::fs::read_dir(dir)
        .with_context(|| format!("no {} (build the installer with `make package`)", dir.display()))?
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "deb"))
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path(), e.metadata().ok()?.len())))
        .max_by_key(|(t, _, _)| *t);
    let Some((_, path, bytes)) = newest else { bail!("no .deb in {} (build it with `make package`)", dir.display()) };
    Ok((path, bytes as f64 / (1024.0 * 1024.0)))
}

fn app_binary() -> anyhow::Result<PathBuf> {
    let bin =
        std::env::var_os("TANDEM_APP_BIN").map_or_else(|| PathBuf::from("target/release/tandem-app"), PathBuf::from);
    ensure!(
        bin.is_file(),
        "{} does not exist: build it with `make ui && cargo build --release -p tandem-app --features tandem-app/custom-protocol` \
         (or set TANDEM_APP_BIN)",
        bin.display()
    );
    Ok(std::fs::canonicalize(&bin)?)
}

async fn app(m: &mut Metrics) -> anyhow::Result<()> {
    let bin = app_binary()?;
    ensure!(std::env::var_os("DISPLAY").is_some(), "no DISPLAY: run the bench under Xvfb (`make bench` does)");
    let data = tempfile::tempdir()?;

    say("desktop app: first launch (a new local workspace)");
    let first = launch(&bin, data.path()).await?;
    m.push(("cold_start_first_run_s".into(), first.seconds));
    first.close().await;
    tokio::time::sleep(Duration::from_secs(1)).await;

    say("desktop app: cold start of that workspace");
    let second = launch(&bin, data.path()).await?;
    m.push(("cold_start_s".into(), second.seconds));
    say(&format!("accounts painted {:.2} s after the process started; idle for {} s", second.seconds, IDLE.as_secs()));
    tokio::time::sleep(IDLE).await;
    let (rss, pss, procs) = memory_of_tree(second.pid);
    say(&format!("idle memory of {procs} processes: RSS {rss:.0} MB, PSS {pss:.0} MB"));
    m.push(("idle_rss_mb".into(), rss));
    m.push(("idle_pss_mb".into(), pss));
    second.close().await;
    Ok(())
}

struct Launched {
    seconds: f64,
    pid: u32,
    session: Session,
    driver: Driver,
}

impl Launched {
    async fn close(self) {
        let _ = self.session.close().await;
        // Ends tauri-driver's process group (WebKitWebDriver and the app with it).
        drop(self.driver);
    }
}

/// Starts the app on `data` through WebDriver; the time from its process start until the first
/// account row exists in the window.
async fn launch(bin: &Path, data: &Path) -> anyhow::Result<Launched> {
    let driver = Driver::start(data)?;
    let asked = uptime()?;
    let session = connect(driver.port, bin).await?;
    let deadline = Instant::now() + Duration::from_secs(60);
    let painted = loop {
        if !session.find_all(ACCOUNT_ROW).await?.is_empty() {
            break uptime()?;
        }
        ensure!(Instant::now() < deadline, "no account row in the app's window within 60 s");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let (pid, started) = started_process(bin, asked).context("finding the app's process")?;
    Ok(Launched { seconds: painted - started, pid, session, driver })
}

/// Seconds since boot (`/proc/uptime`, 10 ms resolution).
fn uptime() -> anyhow::Result<f64> {
    let s = std::fs::read_to_string("/proc/uptime")?;
    s.split_whitespace().next().and_then(|v| v.parse().ok()).context("reading /proc/uptime")
}

/// Clock ticks per second of `/proc/<pid>/stat` times.
fn clock_ticks() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

/// `(ppid, start time in seconds since boot)` of a process.
fn stat(pid: u32) -> Option<(u32, f64)> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces: fields start after the last ')'.
    let rest = &s[s.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ppid = fields.get(1)?.parse().ok()?;
    let start: f64 = fields.get(19)?.parse().ok()?;
    Some((ppid, start / clock_ticks()))
}

fn pids() -> Vec<u32> {
    std::fs::read_dir("/proc")
        .map(|d| d.filter_map(Result::ok).filter_map(|e| e.file_name().to_str()?.parse().ok()).collect())
        .unwrap_or_default()
}

/// The newest process running `bin` that started after `since` (seconds since boot).
fn started_process(bin: &Path, since: f64) -> anyhow::Result<(u32, f64)> {
    pids()
        .into_iter()
        .filter(|p| std::fs::read_link(format!("/proc/{p}/exe")).is_ok_and(|e| e == bin))
        .filter_map(|p| stat(p).map(|(_, start)| (p, start)))
        .filter(|(_, start)| *start + 0.02 >= since)
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .with_context(|| format!("no {} process started by WebDriver", bin.display()))
}

/// RSS and PSS (MB) summed over `root` and its descendants (the WebKit web and network
/// processes), and how many processes that is. RSS counts shared pages once per process; PSS
/// splits them, so it is the fairer total.
fn memory_of_tree(root: u32) -> (f64, f64, usize) {
    let all: Vec<(u32, u32)> = pids().into_iter().filter_map(|p| stat(p).map(|(pp, _)| (p, pp))).collect();
    let mut tree = vec![root];
    let mut i = 0;
    while i < tree.len() {
        let parent = tree[i];
        tree.extend(all.iter().filter(|(_, pp)| *pp == parent).map(|(p, _)| *p));
        i += 1;
    }
    let kb = |pid: u32, file: &str, key: &str| -> f64 {
        std::fs::read_to_string(format!("/proc/{pid}/{file}"))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find_map(|l| l.strip_prefix(key))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            })
            .unwrap_or(0.0)
    };
    let rss: f64 = tree.iter().map(|p| kb(*p, "status", "VmRSS:")).sum();
    let pss: f64 = tree.iter().map(|p| kb(*p, "smaps_rollup", "Pss:")).sum();
    (rss / 1024.0, pss / 1024.0, tree.len())
}
