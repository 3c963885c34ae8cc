//! The app updates itself from the company's own server: version N, installed as a raw binary,
//! is offered N+1 by a local tandem-server, refuses it while its signature is wrong, waits while
//! its rollout leaves the device out, then installs it when the user agrees and relaunches; N+1
//! runs with the data N had, including a change N could not send yet.
//!
//! Needs two builds of the app and a signing key: run it with `make test-update`
//! (scripts/test-update.sh), which builds N and N+1 and passes them in the environment.

use anyhow::{ensure, Context as _};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tandem_tests::cli::CliDevice;
use tandem_tests::desktop::{attr, connect, eventually, find, type_into, Driver};
use tandem_tests::webdriver::Session;
use tandem_tests::{create_user, run_server_command, spawn_process, spawn_process_at, TestDb};

fn env_path(name: &str) -> anyhow::Result<PathBuf> {
    std::env::var_os(name)
        .map(PathBuf::from)
        .with_context(|| format!("{name} is not set: run this test through `make test-update`"))
}

fn publish(db: &str, version: &str, notes: &Path, artifact: &Path, sig: &Path, rollout: u32) -> anyhow::Result<()> {
    let out = run_server_command(
        db,
        &[
            "release",
            "publish",
            "--version",
            version,
            "--notes",
            &notes.display().to_string(),
            "--artifact",
            &format!("linux-x86_64={}", artifact.display()),
            "--signature",
            &format!("linux-x86_64={}", sig.display()),
            "--rollout",
            &rollout.to_string(),
        ],
        "",
    )?;
    ensure!(out.status.success(), "release publish failed: {}", String::from_utf8_lossy(&out.stderr));
    Ok(())
}

fn server_ok(db: &str, args: &[&str]) -> anyhow::Result<String> {
    let out = run_server_command(db, args, "")?;
    ensure!(out.status.success(), "tandem-server {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    Ok(String::from_utf8_lossy(&out.stderr).into_owned())
}

async fn text(c: &Session, css: &str) -> anyhow::Result<String> {
    Ok(find(c, css).await?.property("textContent").await?.unwrap_or_default().trim().to_owned())
}

async fn account_names(c: &Session) -> anyhow::Result<Vec<String>> {
    let mut seen = Vec::new();
    for r in c.find_all("[data-testid=account-row] .account-name").await? {
        seen.push(r.property("textContent").await?.unwrap_or_default().trim().to_owned());
    }
    Ok(seen)
}

async fn check_for_updates(c: &Session) -> anyhow::Result<String> {
    find(c, "#open-about").await?.click().await?;
    let before = attr(c, "#update-summary", "data-last-check").await?;
    find(c, "#check-updates").await?.click().await?;
    eventually("the update check finishes", 60, || async {
        Ok(attr(c, "#update-summary", "data-last-check").await? != before
            && attr(c, "#update-summary", "data-busy").await?.as_deref() == Some("false"))
    })
    .await?;
    text(c, "#update-summary").await
}

async fn close_about(c: &Session) -> anyhow::Result<()> {
    find(c, "button[aria-label=Close]").await?.click().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs two builds of the app: run `make test-update`"]
async fn version_n_updates_itself_to_n_plus_1_and_keeps_its_data_and_outbox() -> anyhow::Result<()> {
    let app_n = env_path("TANDEM_UPDATE_APP_N")?;
    let app_next = env_path("TANDEM_UPDATE_APP_NEXT")?;
    let good_sig = env_path("TANDEM_UPDATE_SIG")?;
    let bad_sig = env_path("TANDEM_UPDATE_BAD_SIG")?;
    let next = std::env::var("TANDEM_UPDATE_NEXT_VERSION").context("TANDEM_UPDATE_NEXT_VERSION")?;
    let current = std::env::var("TANDEM_UPDATE_N_VERSION").context("TANDEM_UPDATE_N_VERSION")?;

    let db = TestDb::new().await?;
    // Two server processes over one database, as behind a load balancer: `sync` serves the data,
    // `updates` the releases. Stopping `sync` leaves the device offline for its data while it
    // can still be offered the update.
    let sync = spawn_process(&db.url)?;
    let updates = spawn_process(&db.url)?;
    create_user(&db.url, "carla", "sales_manager", "carla-password-3").await?;
    let pool = db.pool().await?;

    // "Installed": N is copied where the updater will replace it.
    let install = tempfile::tempdir()?;
    let app = install.path().join("tandem-app");
    std::fs::copy(&app_n, &app)?;
    let data = tempfile::tempdir()?;
    let notes = install.path().join("notes.md");
    std::fs::write(&notes, "Faster first sync.\n\nThe forecast now shows teams.")?;

    let driver = Driver::start_with(data.path(), &[("TANDEM_UPDATE_URL", &updates.base_url)])?;
    let c = connect(driver.port, &app).await?;
    let result = async {
        // N signs in and creates an account, which reaches the server.
        eventually("the app starts on its local workspace", 30, || async {
            Ok(attr(&c, "#sync-status", "data-state").await?.as_deref() == Some("local"))
        })
        .await?;
        find(&c, "#open-signin").await?.click().await?;
        type_into(&c, "#signin-url", &sync.base_url).await?;
        type_into(&c, "#signin-user", "carla").await?;
        type_into(&c, "#signin-password", "carla-password-3").await?;
        find(&c, "#signin-submit").await?.click().await?;
        eventually("N is signed in and online", 30, || async {
            Ok(attr(&c, "#sync-status", "data-state").await?.as_deref() == Some("online"))
        })
        .await?;
        create_account(&c, "Synced Before Update AG").await?;
        eventually("the first account reaches the server", 30, || async {
            let n: i64 = sqlx::query_scalar("SELECT count(*) FROM accounts WHERE name = 'Synced Before Update AG'")
                .fetch_one(&pool)
                .await?;
            Ok(n == 1)
        })
        .await?;
        find(&c, "#open-about").await?.click().await?;
        eventually("N shows its version", 15, || async { Ok(text(&c, "#about-app-version").await? == current) })
            .await?;
        eventually("the About view shows the server's version", 15, || async {
            Ok(text(&c, "#about-server-version").await?.contains("protocol"))
        })
        .await?;
        close_about(&c).await?;
        Ok::<(), anyhow::Error>(())
    }
    .await;
    if let Err(e) = result {
        return fail(&c, e).await;
    }

    // The data server goes away: the next change waits in the outbox.
    let sync_addr = sync.base_url.trim_start_matches("http://").to_owned();
    drop(sync);
    let result = async {
        create_account(&c, "Unsent Before Update GmbH").await?;
        eventually("the change waits in the outbox", 30, || async { Ok(text(&c, "#sync-pending").await? == "1") })
            .await?;

        // A release with a wrong signature is refused and nothing is installed.
        publish(&db.url, &next, &notes, &app_next, &bad_sig, 100)?;
        let summary = check_for_updates(&c).await?;
        ensure!(
            summary.contains("refused") && summary.contains("signature"),
            "a wrong signature is refused: {summary}"
        );
        ensure!(c.find_all("#update-banner").await?.is_empty(), "no update is offered as ready");
        ensure!(std::fs::read(&app)? == std::fs::read(&app_n)?, "the installed app was not touched");
        close_about(&c).await?;

        // The admin withdraws it and publishes the right one to nobody yet: still nothing.
        server_ok(&db.url, &["release", "withdraw", "--version", &next])?;
        publish(&db.url, &next, &notes, &app_next, &good_sig, 0)?;
        let summary = check_for_updates(&c).await?;
        ensure!(summary.contains("up to date"), "a device outside the rollout is not offered it: {summary}");
        close_about(&c).await?;

        // Rolled out to everyone: downloaded, verified, and offered with its notes.
        server_ok(&db.url, &["release", "rollout", "--version", &next, "--percent", "100"])?;
        let summary = check_for_updates(&c).await?;
        ensure!(summary.contains("ready to install"), "the update is ready: {summary}");
        close_about(&c).await?;
        let banner = text(&c, "#update-banner").await?;
        ensure!(
            banner.contains(&next) && banner.contains("The forecast now shows teams."),
            "the banner shows the version and the notes: {banner}"
        );
        find(&c, "#update-install").await?.click().await?;
        eventually("the installed app is replaced by N+1", 60, || async {
            Ok(std::fs::read(&app)? == std::fs::read(&app_next)?)
        })
        .await?;
        Ok::<(), anyhow::Error>(())
    }
    .await;
    if let Err(e) = result {
        return fail(&c, e).await;
    }
    // N relaunched itself as N+1; end it (and the old session) and look at it through WebDriver.
    let _ = c.close().await;
    drop(driver);
    tokio::time::sleep(Duration::from_millis(500)).await;

    let driver = Driver::start_with(data.path(), &[("TANDEM_UPDATE_URL", &updates.base_url)])?;
    let c = connect(driver.port, &app).await?;
    let result = async {
        eventually("N+1 runs", 30, || async {
            if c.find_all("#about-app-version").await?.is_empty() {
                c.find_now("#open-about").await?.click().await?;
            }
            Ok(text(&c, "#about-app-version").await? == next)
        })
        .await?;
        close_about(&c).await?;
        eventually("N+1 has the data N had", 30, || async {
            let names = account_names(&c).await?;
            Ok(names.iter().any(|n| n == "Synced Before Update AG")
                && names.iter().any(|n| n == "Unsent Before Update GmbH"))
        })
        .await?;
        ensure!(text(&c, "#sync-pending").await? == "1", "the unsent change is still in the outbox");
        Ok::<(), anyhow::Error>(())
    }
    .await;
    if let Err(e) = result {
        return fail(&c, e).await;
    }

    // The data server is back where the device expects it: N+1 sends what N could not.
    let _sync = spawn_process_at(&db.url, &sync_addr)?;
    let result = async {
        find(&c, "#sync-now").await?.click().await?;
        eventually("N+1 sends N's unsent change", 60, || async {
            let n: i64 = sqlx::query_scalar("SELECT count(*) FROM accounts WHERE name = 'Unsent Before Update GmbH'")
                .fetch_one(&pool)
                .await?;
            Ok(n == 1)
        })
        .await?;
        let other = CliDevice::new()?;
        other.login(&format!("http://{sync_addr}"), "carla", "carla-password-3")?;
        other.ok(&["sync"])?;
        let list = other.json(&["account", "list", "--json"])?;
        let names: Vec<&str> = list.as_array().into_iter().flatten().filter_map(|a| a["name"].as_str()).collect();
        ensure!(names.contains(&"Unsent Before Update GmbH"), "another device sees it: {names:?}");
        Ok::<(), anyhow::Error>(())
    }
    .await;
    if let Err(e) = result {
        return fail(&c, e).await;
    }
    let _ = c.close().await;
    drop(driver);
    Ok(())
}

async fn create_account(c: &Session, name: &str) -> anyhow::Result<()> {
    find(c, "#new-account").await?.click().await?;
    type_into(c, "#account-name", name).await?;
    find(c, "#account-save").await?.click().await?;
    eventually("the new account is in the list", 15, || async { Ok(account_names(c).await?.iter().any(|n| n == name)) })
        .await
}

async fn fail(c: &Session, e: anyhow::Error) -> anyhow::Result<()> {
    if let Ok(png) = c.screenshot_png().await {
        let path = std::env::temp_dir().join("tandem-update-failure.png");
        let _ = std::fs::write(&path, png);
        eprintln!("update test: screenshot of the failure at {}", path.display());
    }
    let _ = c.close().await;
    Err(e)
}
