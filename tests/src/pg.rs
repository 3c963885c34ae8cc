//! A PostgreSQL database of its own for every test.
//!
//! With `TANDEM_TEST_DATABASE_URL` or `DATABASE_URL` set, [`TestDb::new`] creates a fresh,
//! uniquely named database on that server and drops it afterwards (the databases already there
//! are never touched). Without, it starts a throwaway PostgreSQL cluster in a temporary
//! directory, reachable only through a Unix socket in that directory, and removes it afterwards.
//! As root (CI), `initdb` and `pg_ctl` run as the `postgres` system user, since `initdb` refuses
//! to run as root.

use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;

use anyhow::{anyhow, bail, Context as _};
use sqlx::Connection as _;

/// A database that lives as long as this value.
#[derive(Debug)]
pub struct TestDb {
    /// Connection URL for sqlx and for `tandem-server --database-url`.
    pub url: String,
    owner: Owner,
}

#[derive(Debug)]
enum Owner {
    /// A database created on a server the caller gave.
    Database { admin_url: String, name: String },
    /// A whole cluster of our own.
    Cluster(Cluster),
}

impl TestDb {
    /// A fresh, empty database (no migrations applied).
    pub async fn new() -> anyhow::Result<TestDb> {
        let given = std::env::var("TANDEM_TEST_DATABASE_URL")
            .ok()
            .or_else(|| std::env::var("DATABASE_URL").ok())
            .filter(|u| !u.trim().is_empty());
        match given {
            Some(admin_url) => Self::create_database(admin_url).await,
            None => {
                let cluster = tokio::task::spawn_blocking(Cluster::start).await.context("cluster start panicked")??;
                Ok(TestDb { url: cluster.url.clone(), owner: Owner::Cluster(cluster) })
            }
        }
    }

    async fn create_database(admin_url: String) -> anyhow::Result<TestDb> {
        let name = format!("tandem_test_{}", uuid::Uuid::now_v7().simple());
        let mut conn = sqlx::PgConnection::connect(&admin_url)
            .await
            .with_context(|| "connecting to the PostgreSQL server named by DATABASE_URL".to_string())?;
        // The name is ours (letters, digits, underscores), so quoting it is safe.
        sqlx::query(&format!("CREATE DATABASE \"{name}\"")).execute(&mut conn).await.context("CREATE DATABASE")?;
        conn.close().await.ok();
        let mut url = reqwest::Url::parse(&admin_url).context("DATABASE_URL is not a URL")?;
        url.set_path(&format!("/{name}"));
        Ok(TestDb { url: url.to_string(), owner: Owner::Database { admin_url, name } })
    }

    /// A connection pool to this database.
    pub async fn pool(&self) -> anyhow::Result<sqlx::PgPool> {
        sqlx::postgres::PgPoolOptions::new()
            .max_connections(5)
            .connect(&self.url)
            .await
            .context("connecting to the test database")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match &mut self.owner {
            Owner::Cluster(cluster) => cluster.stop(),
            Owner::Database { admin_url, name } => {
                let (admin_url, name) = (admin_url.clone(), name.clone());
                // Drop may run inside a runtime: use a thread with a runtime of its own.
                let done = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
                    rt.block_on(async {
                        let mut conn = sqlx::PgConnection::connect(&admin_url).await?;
                        sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                            .execute(&mut conn)
                            .await?;
                        anyhow::Ok(())
                    })
                })
                .join();
                if let Ok(Err(e)) = done {
                    eprintln!("warning: could not drop test database: {e:#}");
                }
            }
        }
    }
}

/// A throwaway PostgreSQL cluster: data and socket in one temporary directory.
#[derive(Debug)]
struct Cluster {
    url: String,
    dir: Option<tempfile::TempDir>,
    bin: PathBuf,
    as_postgres: bool,
}

impl Cluster {
    fn start() -> anyhow::Result<Cluster> {
        let bin = pg_bindir()?;
        let as_postgres = running_as_root()?;
        let dir = tempfile::Builder::new().prefix("tandem-pg-").tempdir().context("creating a temporary directory")?;
        if as_postgres {
            chown_to_postgres(dir.path())?;
        }
        let data = dir.path().join("data");
        let template = template(&bin, as_postgres)?;
        run(Command::new("cp").arg("-a").arg(&template).arg(&data), "copying the template cluster")?;

        let port = free_port()?;
        let sock = dir.path().display().to_string();
        let options = format!(
            "-k {sock} -p {port} -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        );
        let log = dir.path().join("postgres.log");
        let started = run(
            pg_command(&bin, "pg_ctl", as_postgres, dir.path())
                .arg("-D")
                .arg(&data)
                .arg("-o")
                .arg(&options)
                .arg("-l")
                .arg(&log)
                .args(["-w", "-t", "60", "start"]),
            "starting PostgreSQL (pg_ctl start)",
        );
        if let Err(e) = started {
            let tail = std::fs::read_to_string(&log).unwrap_or_default();
            bail!("{e:#}\npostgres log:\n{tail}");
        }
        Ok(Cluster {
            url: format!("postgres://tandem@localhost/postgres?host={sock}&port={port}"),
            dir: Some(dir),
            bin,
            as_postgres,
        })
    }

    fn stop(&mut self) {
        let Some(dir) = self.dir.take() else { return };
        let stopped = run(
            pg_command(&self.bin, "pg_ctl", self.as_postgres, dir.path())
                .arg("-D")
                .arg(dir.path().join("data"))
                .args(["-m", "immediate", "-w", "stop"]),
            "stopping PostgreSQL",
        );
        if let Err(e) = stopped {
            eprintln!("warning: {e:#}");
        }
        drop(dir);
    }
}

/// An `initdb`'ed data directory, made once per test process and copied for every cluster
/// (copying takes a fraction of initdb's time). Templates of finished processes are removed.
fn template(bin: &Path, as_postgres: bool) -> anyhow::Result<PathBuf> {
    static TEMPLATE: Mutex<Option<PathBuf>> = Mutex::new(None);
    let mut guard = TEMPLATE.lock().map_err(|_| anyhow!("template lock poisoned"))?;
    if let Some(t) = guard.as_ref() {
        return Ok(t.clone());
    }
    remove_stale_templates();
    let prefix = format!("tandem-pg-template-{}-", std::process::id());
    let dir = tempfile::Builder::new().prefix(&prefix).tempdir().context("creating the template directory")?.keep();
    if as_postgres {
        chown_to_postgres(&dir)?;
    }
    let data = dir.join("data");
    run(
        pg_command(bin, "initdb", as_postgres, &dir).arg("-D").arg(&data).args([
            "-A",
            "trust",
            "-U",
            "tandem",
            "--no-sync",
            "-E",
            "UTF8",
            "--locale",
            "C",
        ]),
        "initdb",
    )?;
    *guard = Some(data.clone());
    Ok(data)
}

fn remove_stale_templates() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix("tandem-pg-template-") else { continue };
        let pid = rest.split('-').next().unwrap_or_default();
        if !pid.is_empty() && !Path::new("/proc").join(pid).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// The directory holding `initdb` and `pg_ctl`: `$PG_BINDIR`, `pg_config --bindir`, or the
/// highest `/usr/lib/postgresql/*/bin`.
pub fn pg_bindir() -> anyhow::Result<PathBuf> {
    let has_initdb = |p: &Path| p.join("initdb").is_file() && p.join("pg_ctl").is_file();
    if let Some(dir) = std::env::var_os("PG_BINDIR").map(PathBuf::from) {
        if has_initdb(&dir) {
            return Ok(dir);
        }
    }
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if out.status.success() && has_initdb(&dir) {
            return Ok(dir);
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v = e.file_name().to_string_lossy().parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            has_initdb(&bin).then_some((v, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin).ok_or_else(|| {
        anyhow!("no PostgreSQL server binaries found (initdb, pg_ctl): install postgresql, set PG_BINDIR, or set DATABASE_URL to a server to create test databases on")
    })
}

fn running_as_root() -> anyhow::Result<bool> {
    // /proc/self belongs to the effective user of this process.
    Ok(std::fs::metadata("/proc/self").context("reading /proc/self")?.uid() == 0)
}

fn chown_to_postgres(path: &Path) -> anyhow::Result<()> {
    let id = |flag: &str| -> anyhow::Result<u32> {
        let out = Command::new("id").args([flag, "postgres"]).output().context("running `id postgres`")?;
        if !out.status.success() {
            bail!("running as root needs a `postgres` system user to run initdb and pg_ctl (initdb refuses root)");
        }
        String::from_utf8_lossy(&out.stdout).trim().parse().context("parsing the output of `id postgres`")
    };
    std::os::unix::fs::chown(path, Some(id("-u")?), Some(id("-g")?))
        .with_context(|| format!("chown postgres {}", path.display()))
}

fn pg_command(bin: &Path, program: &str, as_postgres: bool, cwd: &Path) -> Command {
    let mut cmd = if as_postgres {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(bin.join(program));
        c
    } else {
        Command::new(bin.join(program))
    };
    cmd.current_dir(cwd).stdin(Stdio::null());
    cmd
}

fn run(cmd: &mut Command, what: &str) -> anyhow::Result<()> {
    let out = cmd.output().with_context(|| format!("{what}: cannot run {cmd:?}"))?;
    if !out.status.success() {
        bail!(
            "{what} failed ({}): {}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(())
}

fn free_port() -> anyhow::Result<u16> {
    // The cluster listens on no TCP address; the port only names its socket file.
    let l = std::net::TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok(l.local_addr()?.port())
}
