//! Publishing desktop releases on tandem-server and the updater endpoint devices ask: signature
//! checks at the desk, the newest release a device may take, staged rollout by device id, the
//! artifact itself, and refusals that change nothing. (The app installing an update is
//! `tests/tests/update.rs`, run by `make test-update`.)

use anyhow::ensure;
use tandem_tests::{run_server_command, spawn_process, TestDb};

/// A throwaway key pair made with `tauri signer generate`, and its signature of `BUNDLE` made
/// with `tauri signer sign --app-version 0.2.0` (the private half was never kept).
const PUBKEY: &str = "dW50cnVzdGVkIGNvbW1lbnQ6IG1pbmlzaWduIHB1YmxpYyBrZXk6IEEzRTMzRUE4QzlEOTI0MzEKUldReEpObkpxRDdqb3lmeXc3dzhJUVVEbkQrVkJ4a25GakJQcS84dUdqNExrUkR0N1VnK3NvM1AK";
const SIGNATURE: &str = "dW50cnVzdGVkIGNvbW1lbnQ6IHNpZ25hdHVyZSBmcm9tIHRhdXJpIHNlY3JldCBrZXkKUlVReEpObkpxRDdqbzFwRy9vZFEyUXQ3eVpEQmE1UDlPalJNOEhvblR0SkliUjBnaWhYNUJpNXoyOHM0ODRySUt0RDJWQWpvSnlrdVN5VGplSlZQNzFYMnVDdHNlT3pWbXdVPQp0cnVzdGVkIGNvbW1lbnQ6IHRpbWVzdGFtcDoxNzk1NDcxNDgwCWZpbGU6YnVuZGxlCXZlcnNpb246MC4yLjAKdEU3dnJWRVBnQnZsblFiT0VWRFlWT0d1M3Ezb3FBL1k0ZERjVE12cnpYanhZOU00RlhRcFFFalpBb2NIay81Q25ibGlKakZUYU4rNkcvTHlCazZmQ2c9PQo=";
const BUNDLE: &[u8] = b"Tandem update bundle for tests";

struct Files {
    dir: tempfile::TempDir,
}

impl Files {
    fn new() -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        std::fs::write(dir.path().join("notes.md"), "Faster sync.\n\nForecast by team.")?;
        std::fs::write(dir.path().join("bundle.deb"), BUNDLE)?;
        std::fs::write(dir.path().join("bundle.deb.sig"), SIGNATURE)?;
        std::fs::write(dir.path().join("tampered.deb"), b"Tandem update bundle for tests, changed")?;
        Ok(Self { dir })
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }
}

fn server(db: &str, args: &[&str]) -> anyhow::Result<(bool, String, String)> {
    let out = run_server_command(db, args, "")?;
    Ok((
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ))
}

fn publish_args<'a>(version: &'a str, f: &'a Files, artifact: &'a str, rollout: &'a str) -> Vec<String> {
    vec![
        "release".into(),
        "publish".into(),
        "--version".into(),
        version.into(),
        "--notes".into(),
        f.path("notes.md"),
        "--artifact".into(),
        format!("linux-x86_64-deb={}", f.path(artifact)),
        "--signature".into(),
        format!("linux-x86_64-deb={}", f.path("bundle.deb.sig")),
        "--rollout".into(),
        rollout.into(),
    ]
}

fn refs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn releases_are_published_checked_rolled_out_and_served() -> anyhow::Result<()> {
    let db = TestDb::new().await?;
    let srv = spawn_process(&db.url)?;
    let api = srv.client();
    let f = Files::new()?;

    // Nothing published: no update.
    let r = api.raw("GET", "/updates/linux/x86_64/0.1.0?installer=deb&device=d1", None, None, "").await?;
    ensure!(r.status == 204, "no release, no update: {} {}", r.status, r.body);

    // A signature that does not match the file is refused at the desk, and nothing is published.
    let mut args = publish_args("0.2.0", &f, "tampered.deb", "100");
    args.extend(["--pubkey".into(), PUBKEY.into()]);
    let (ok, _, err) = server(&db.url, &refs(&args))?;
    ensure!(!ok && err.contains("signature does not match"), "a tampered artifact is refused: {err}");
    let (_, out, _) = server(&db.url, &["release", "list", "--json"])?;
    ensure!(out.trim() == "[]", "nothing was published: {out}");

    // Bad input names what is wrong.
    for (bad, expect) in [
        (vec!["--version", "two"], "not a semantic version"),
        (vec!["--rollout", "120"], "over 100 %"),
        (vec!["--artifact", "linux-sparc=/x"], "is not OS-ARCH"),
    ] {
        let mut args = publish_args("0.2.0", &f, "bundle.deb", "100");
        for pair in bad.chunks(2) {
            let i = args.iter().position(|a| a == pair[0]).unwrap_or(args.len());
            if i < args.len() {
                args[i + 1] = pair[1].into();
            }
        }
        let (ok, _, err) = server(&db.url, &refs(&args))?;
        ensure!(!ok && err.contains(expect), "{bad:?} is refused with {expect:?}: {err}");
    }

    // The real bundle with its signature: checked and published to half the devices.
    let mut args = publish_args("0.2.0", &f, "bundle.deb", "50");
    args.extend(["--pubkey".into(), PUBKEY.into()]);
    let (ok, _, err) = server(&db.url, &refs(&args))?;
    ensure!(ok, "publishing a correctly signed release: {err}");
    let (ok, _, err) = server(&db.url, &refs(&publish_args("0.2.0", &f, "bundle.deb", "50")))?;
    ensure!(!ok && err.contains("already published"), "a version is published once: {err}");

    // About half of the devices are offered it, and each always gets the same answer.
    let mut offered = Vec::new();
    for i in 0..40 {
        let path = format!("/updates/linux/x86_64/0.1.0?installer=deb&device=0190f3a0-0000-7000-8000-{i:012}");
        let first = api.raw("GET", &path, None, None, "").await?;
        let again = api.raw("GET", &path, None, None, "").await?;
        ensure!(first.status == again.status, "a device stays in or out of the rollout");
        if first.status == 200 {
            offered.push(first);
        } else {
            ensure!(first.status == 204, "out of the rollout is 204: {}", first.status);
        }
    }
    ensure!((8..=32).contains(&offered.len()), "about half of 40 devices are in a 50 % rollout: {}", offered.len());

    let offer: serde_json::Value = serde_json::from_str(&offered[0].body)?;
    ensure!(
        offer["version"] == "0.2.0" && offer["signature"] == SIGNATURE,
        "the offer names version and signature: {offer}"
    );
    ensure!(offer["notes"] == "Faster sync.\n\nForecast by team.", "with the notes: {offer}");
    let url = offer["url"].as_str().unwrap_or_default();
    let path = url.strip_prefix(&srv.base_url).unwrap_or(url);
    ensure!(path == "/updates/artifacts/0.2.0/linux-x86_64-deb", "the artifact is served by this server: {url}");
    let artifact = api.raw("GET", path, None, None, "").await?;
    ensure!(artifact.status == 200 && artifact.body.as_bytes() == BUNDLE, "the artifact is the published file");

    // Everyone once the rollout is 100 %; nobody who already runs it; a bad platform is a 400.
    let (ok, _, err) = server(&db.url, &["release", "rollout", "--version", "0.2.0", "--percent", "100"])?;
    ensure!(ok, "{err}");
    let r = api.raw("GET", "/updates/linux/x86_64/0.1.0?installer=deb", None, None, "").await?;
    ensure!(r.status == 200, "a full rollout reaches even a device without an id: {}", r.status);
    let r = api.raw("GET", "/updates/linux/x86_64/0.2.0?installer=deb&device=d1", None, None, "").await?;
    ensure!(r.status == 204, "a device on 0.2.0 is up to date: {}", r.status);
    let r = api.raw("GET", "/updates/windows/x86_64/0.1.0?installer=nsis&device=d1", None, None, "").await?;
    ensure!(r.status == 204, "no Windows artifact, no Windows update: {}", r.status);
    let r = api.raw("GET", "/updates/beos/x86_64/0.1.0", None, None, "").await?;
    ensure!(r.status == 400 && r.body.contains("is not OS-ARCH"), "an unknown platform is a clear 400: {}", r.body);
    let r = api.raw("GET", "/updates/linux/x86_64/zero", None, None, "").await?;
    ensure!(r.status == 400 && r.body.contains("semantic version"), "a bad version is a clear 400: {}", r.body);

    // Withdrawn: no longer offered.
    let (ok, _, err) = server(&db.url, &["release", "withdraw", "--version", "0.2.0"])?;
    ensure!(ok, "{err}");
    let r = api.raw("GET", "/updates/linux/x86_64/0.1.0?installer=deb&device=d1", None, None, "").await?;
    ensure!(r.status == 204, "a withdrawn release is not offered: {}", r.status);
    Ok(())
}
