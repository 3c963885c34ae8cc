//! Running the real `tandem` CLI as a device: its own data directory, its own replica, the
//! token in the OS keyring of the test's D-Bus session (see scripts/with-keyring.sh).

use anyhow::{anyhow, bail, Context as _};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// A binary of this workspace next to the running test (target/<profile>/deps/<test> →
/// target/<profile>/<name>). Build with `cargo build --workspace` first.
pub fn workspace_binary(name: &str) -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe().context("locating the test executable")?;
    let mut dir = exe.parent().map(PathBuf::from).unwrap_or_default();
    if dir.ends_with("deps") {
        dir.pop();
    }
    let bin = dir.join(name);
    if !bin.is_file() {
        bail!("{} does not exist: run `make build` (or `cargo build --workspace`) first", bin.display());
    }
    Ok(bin)
}

/// One device driven through the `tandem` CLI.
#[derive(Debug)]
pub struct CliDevice {
    dir: tempfile::TempDir,
    bin: PathBuf,
    env: Vec<(String, String)>,
}

impl CliDevice {
    pub fn new() -> anyhow::Result<Self> {
        Ok(Self { dir: tempfile::tempdir()?, bin: workspace_binary("tandem")?, env: Vec::new() })
    }

    /// Sets an environment variable for every later command of this device.
    pub fn with_env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.to_owned(), value.to_owned()));
        self
    }

    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }

    /// Runs `tandem --data-dir DIR args...` with `stdin`, returning whatever happened.
    pub fn run(&self, args: &[&str], stdin: &str) -> anyhow::Result<Output> {
        let mut child = Command::new(&self.bin)
            .arg("--data-dir")
            .arg(self.dir.path())
            .args(args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("starting {}", self.bin.display()))?;
        child.stdin.take().ok_or_else(|| anyhow!("no stdin"))?.write_all(stdin.as_bytes())?;
        Ok(child.wait_with_output()?)
    }

    /// Runs a command that must succeed; returns its standard output.
    pub fn ok(&self, args: &[&str]) -> anyhow::Result<String> {
        let out = self.run(args, "")?;
        if !out.status.success() {
            bail!(
                "`tandem {}` failed ({}): {}",
                args.join(" "),
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        Ok(String::from_utf8(out.stdout)?)
    }

    /// Runs a command that must fail; returns its one-line reason from standard error.
    pub fn fails(&self, args: &[&str]) -> anyhow::Result<String> {
        let out = self.run(args, "")?;
        if out.status.success() {
            bail!(
                "`tandem {}` succeeded but should have failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stdout)
            );
        }
        Ok(String::from_utf8(out.stderr)?.trim().to_owned())
    }

    pub fn login(&self, url: &str, user: &str, password: &str) -> anyhow::Result<()> {
        let out = self.run(&["login", url, "--user", user], &format!("{password}\n"))?;
        if !out.status.success() {
            bail!("login as {user} failed: {}", String::from_utf8_lossy(&out.stderr).trim());
        }
        Ok(())
    }

    /// `tandem account create ...`: the new id is on the last line.
    pub fn create_account(&self, args: &[&str]) -> anyhow::Result<String> {
        let mut all = vec!["account", "create"];
        all.extend_from_slice(args);
        let out = self.ok(&all)?;
        out.lines().last().map(|l| l.trim().to_owned()).ok_or_else(|| anyhow!("account create printed nothing"))
    }

    pub fn json(&self, args: &[&str]) -> anyhow::Result<serde_json::Value> {
        let out = self.ok(args)?;
        serde_json::from_str(&out).with_context(|| format!("`tandem {}` did not print JSON: {out}", args.join(" ")))
    }
}
