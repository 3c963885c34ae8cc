//! The sync simulation ([`tandem_tests::sim`]): several devices, random work, a faulty network
//! and server restarts, all from one seed; at the end every device equals the server, no
//! acknowledged write is lost and nothing is applied twice.
//!
//! `make test` runs a few seeds; `make soak SEEDS=N` runs N. `TANDEM_SIM_SEED=N` reruns one seed.
//! Needs the OS keyring for the devices' tokens: run under scripts/with-keyring.sh.

use tandem_tests::sim::{self, SimConfig};

/// Seeds for `make test`: enough to meet every fault, few enough to stay well under a minute.
const DEFAULT_SEEDS: u64 = 5;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simulated_devices_converge_under_faults_and_restarts() {
    let seeds = sim::seeds_from_env(DEFAULT_SEEDS);
    let mut failures = Vec::new();
    for &seed in &seeds {
        match sim::run_seed(seed, SimConfig::default()).await {
            Ok(stats) => eprintln!("{stats}"),
            Err(e) => {
                let message = format!("simulation seed {seed} failed: {e:#}");
                eprintln!("{message}");
                failures.push((seed, message));
            }
        }
    }
    if let Some((_, first)) = failures.first() {
        let failed: Vec<String> = failures.iter().map(|(s, _)| s.to_string()).collect();
        panic!(
            "{first}\n{} of {} seeds failed: {} (rerun one with TANDEM_SIM_SEED=N)",
            failures.len(),
            seeds.len(),
            failed.join(", ")
        );
    }
    eprintln!("simulation: {} seeds passed", seeds.len());
}
