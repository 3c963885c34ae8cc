//! `tandem-bench`: Tandem's benchmark suite. Starts a throwaway PostgreSQL, loads the data set of
//! `tandem-server seed` at the given scale (1 = 40,000 accounts with their contacts, deals,
//! activities and orders to cash: about a million rows), runs the real `tandem-server` binary
//! (`TANDEM_SERVER_BIN`), and measures what users feel: the first sync of a new device, the
//! first page and search on its replica, how fast an edit reaches another online device, pull
//! latency with 1,000 devices at once, order-to-cash throughput, and the desktop app's cold
//! start, idle memory and installer size. Prints a table and writes `target/bench/results.json`.
//! Goals are shown, never asserted.
//!
//! Needs an OS keyring (the replica keeps its token there): run inside `scripts/with-keyring.sh`,
//! as `make bench` does.

// A benchmark's output is its table on stdout.
#![allow(clippy::print_stdout)]

mod desktop;
mod erp;
mod measure;

use std::path::PathBuf;

use anyhow::Context as _;
use clap::Parser;

#[derive(Debug, Parser)]
#[command(about = "Tandem's benchmark suite")]
struct Args {
    /// Size of the data set (`tandem-server seed`): 1 = 40,000 accounts, ~1M rows in all.
    #[arg(long, default_value_t = 1.0)]
    scale: f64,
    /// Edits timed from one device to another (live propagation).
    #[arg(long, default_value_t = 200)]
    changes: usize,
    /// Devices pulling at once.
    #[arg(long, default_value_t = 1_000)]
    devices: usize,
    /// Run only these parts (comma-separated: sync, lists, propagation, devices, erp, desktop), e.g. to
    /// profile one under `perf`; every part when absent. `propagation` implies `sync`.
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Where to write the results.
    #[arg(long, default_value = "target/bench/results.json")]
    out: PathBuf,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    // RUST_LOG (e.g. `tandem_replica=debug`: each pulled page's wait and write times) to stderr.
    if let Ok(filter) = tracing_subscriber::EnvFilter::try_from_default_env() {
        tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
    }
    for part in &args.only {
        anyhow::ensure!(
            measure::PARTS.contains(&part.as_str()),
            "--only: unknown part {part:?} (the parts are {})",
            measure::PARTS.join(", ")
        );
    }
    anyhow::ensure!(args.scale > 0.0 && args.scale.is_finite(), "--scale must be a positive number");
    let metrics = measure::run(&args).await?;

    let table = measure::GOALS;
    println!();
    println!("{:<34} {:>14}  goal", "metric", "value");
    println!("{}", "-".repeat(66));
    for (name, value) in &metrics {
        let goal = table.iter().find(|(n, _)| *n == name.as_str()).map(|(_, g)| *g).unwrap_or("");
        println!("{name:<34} {value:>14.2}  {goal}");
    }

    let results = serde_json::json!({
        "machine": measure::machine(),
        "date": chrono::Utc::now().to_rfc3339(),
        "scale": args.scale,
        "metrics": metrics
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::json!(v)))
            .collect::<serde_json::Map<String, serde_json::Value>>(),
    });
    if let Some(dir) = args.out.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    std::fs::write(&args.out, serde_json::to_string_pretty(&results)? + "\n")
        .with_context(|| format!("writing {}", args.out.display()))?;
    println!("\nwrote {}", args.out.display());
    Ok(())
}
