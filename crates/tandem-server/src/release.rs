//! Desktop app releases: an admin publishes signed update bundles, and the updater endpoint
//! offers each device the newest release it is in the rollout of.
//!
//! The server never signs anything: the private key stays with whoever builds the release. It
//! stores the bundle and its minisign signature as published, and can check that signature
//! against the app's public key before accepting it (`--pubkey`), so a wrong file is refused
//! at the desk instead of on every device.

use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest as _, Sha256};
use sqlx::{PgConnection, Row as _};
use std::cmp::Ordering;

use crate::error::Error;

/// A platform key as the Tauri updater asks for it: `{os}-{arch}`, optionally followed by the
/// installer kind (`linux-x86_64-deb`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Platform(String);

const OSES: [&str; 3] = ["linux", "windows", "darwin"];
const ARCHES: [&str; 4] = ["x86_64", "aarch64", "i686", "armv7"];
const INSTALLERS: [&str; 6] = ["deb", "rpm", "appimage", "msi", "nsis", "app"];

impl Platform {
    pub fn parse(raw: &str) -> Result<Self, Error> {
        let raw = raw.trim();
        let bad = || {
            Error::InvalidInput(format!(
                "platform {raw:?} is not OS-ARCH[-INSTALLER] (OS: {}; ARCH: {}; INSTALLER: {})",
                OSES.join(", "),
                ARCHES.join(", "),
                INSTALLERS.join(", ")
            ))
        };
        let mut parts = raw.splitn(3, '-');
        let (os, arch, installer) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""), parts.next());
        // "x86_64" has no dash, so three parts are os, arch and installer.
        if !OSES.contains(&os) || !ARCHES.contains(&arch) || installer.is_some_and(|i| !INSTALLERS.contains(&i)) {
            return Err(bad());
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A release version: semantic versioning, as the updater compares it.
pub fn parse_version(raw: &str) -> Result<semver::Version, Error> {
    semver::Version::parse(raw.trim().trim_start_matches('v'))
        .map_err(|e| Error::InvalidInput(format!("version {raw:?} is not a semantic version like 1.4.0: {e}")))
}

/// A rollout percentage, 0 to 100.
pub fn parse_rollout(raw: u32) -> Result<i16, Error> {
    if raw > 100 {
        return Err(Error::InvalidInput(format!("rollout {raw} % is over 100 %")));
    }
    Ok(i16::try_from(raw).unwrap_or(100))
}

/// The device's place in a staged rollout, 0 to 99: a stable hash of its id, so a device stays
/// in (or out of) a rollout between checks, and raising the percentage only adds devices.
pub fn rollout_bucket(device: &str) -> u8 {
    let digest = Sha256::digest(device.trim().to_ascii_lowercase().as_bytes());
    let n = u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]);
    u8::try_from(n % 100).unwrap_or(0)
}

/// Whether a device takes part in a rollout of `percent`. A check without a device id takes
/// only releases rolled out to everyone.
pub fn in_rollout(device: Option<&str>, percent: i16) -> bool {
    match device {
        _ if percent >= 100 => true,
        Some(d) => i16::from(rollout_bucket(d)) < percent,
        None => false,
    }
}

/// Checks a Tauri updater signature (base64 of a minisign signature file) over `bytes` with the
/// app's public key (base64 of a minisign public key file, as in `tauri.conf.json`).
pub fn verify_signature(bytes: &[u8], signature_b64: &str, pubkey_b64: &str) -> Result<(), String> {
    let decode = |what: &str, s: &str| -> Result<String, String> {
        let raw = base64::engine::general_purpose::STANDARD
            .decode(s.trim())
            .map_err(|e| format!("the {what} is not base64 ({e})"))?;
        String::from_utf8(raw).map_err(|_| format!("the {what} is not minisign text"))
    };
    let key = minisign_verify::PublicKey::decode(&decode("public key", pubkey_b64)?)
        .map_err(|e| format!("the public key does not parse: {e}"))?;
    let sig = minisign_verify::Signature::decode(&decode("signature", signature_b64)?)
        .map_err(|e| format!("the signature does not parse: {e}"))?;
    key.verify(bytes, &sig, true).map_err(|e| format!("the signature does not match the file: {e}"))
}

/// One artifact to publish, read from disk by the caller.
#[derive(Debug)]
pub struct NewArtifact {
    pub platform: Platform,
    pub file_name: String,
    pub signature: String,
    pub bytes: Vec<u8>,
}

#[derive(Debug)]
pub struct NewRelease {
    pub version: semver::Version,
    pub notes: String,
    pub rollout: i16,
    pub artifacts: Vec<NewArtifact>,
}

/// What `release list` shows.
#[derive(Clone, Debug, Serialize)]
pub struct ReleaseSummary {
    pub version: String,
    pub rollout: i16,
    pub published_at: DateTime<Utc>,
    pub published_by: String,
    pub platforms: Vec<String>,
}

/// Publishes a release, all or nothing. A version is published once; its rollout can change.
pub async fn publish(
    conn: &mut PgConnection,
    release: &NewRelease,
    by: &str,
    now: DateTime<Utc>,
    pubkey: Option<&str>,
) -> Result<(), Error> {
    if release.notes.trim().is_empty() {
        return Err(Error::InvalidInput("the release notes are empty".into()));
    }
    if release.artifacts.is_empty() {
        return Err(Error::InvalidInput("a release needs at least one --artifact PLATFORM=PATH".into()));
    }
    for a in &release.artifacts {
        if let Some(key) = pubkey {
            verify_signature(&a.bytes, &a.signature, key)
                .map_err(|e| Error::InvalidInput(format!("artifact {} ({}): {e}", a.platform.as_str(), a.file_name)))?;
        }
    }
    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
    let version = release.version.to_string();
    let inserted = sqlx::query(
        "INSERT INTO releases (version, notes, rollout, published_at, published_by) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (version) DO NOTHING",
    )
    .bind(&version)
    .bind(release.notes.trim())
    .bind(release.rollout)
    .bind(now)
    .bind(by)
    .execute(&mut *tx)
    .await?;
    if inserted.rows_affected() == 0 {
        return Err(Error::InvalidInput(format!(
            "version {version} is already published; publish a new version (or change its rollout with `release rollout`)"
        )));
    }
    for a in &release.artifacts {
        sqlx::query(
            "INSERT INTO release_artifacts (version, platform, file_name, signature, sha256, bytes)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&version)
        .bind(a.platform.as_str())
        .bind(&a.file_name)
        .bind(a.signature.trim())
        .bind(hex(&Sha256::digest(&a.bytes)))
        .bind(&a.bytes)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Changes how many devices are offered a published release.
pub async fn set_rollout(conn: &mut PgConnection, version: &semver::Version, rollout: i16) -> Result<(), Error> {
    let done = sqlx::query("UPDATE releases SET rollout = $2 WHERE version = $1")
        .bind(version.to_string())
        .bind(rollout)
        .execute(&mut *conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(Error::InvalidInput(format!("version {version} was never published")));
    }
    Ok(())
}

/// Withdraws a release (a bad build): devices are no longer offered it; those that installed
/// it keep it until a newer release reaches them.
pub async fn withdraw(conn: &mut PgConnection, version: &semver::Version) -> Result<(), Error> {
    let done =
        sqlx::query("DELETE FROM releases WHERE version = $1").bind(version.to_string()).execute(&mut *conn).await?;
    if done.rows_affected() == 0 {
        return Err(Error::InvalidInput(format!("version {version} was never published")));
    }
    Ok(())
}

pub async fn list(conn: &mut PgConnection) -> Result<Vec<ReleaseSummary>, Error> {
    let rows = sqlx::query(
        "SELECT r.version, r.rollout, r.published_at, r.published_by,
                coalesce(array_agg(a.platform ORDER BY a.platform) FILTER (WHERE a.platform IS NOT NULL), '{}') AS platforms
         FROM releases r LEFT JOIN release_artifacts a USING (version)
         GROUP BY r.version",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut out = rows
        .into_iter()
        .map(|r| {
            Ok(ReleaseSummary {
                version: r.try_get("version")?,
                rollout: r.try_get("rollout")?,
                published_at: r.try_get("published_at")?,
                published_by: r.try_get("published_by")?,
                platforms: r.try_get("platforms")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    out.sort_by(|a, b| compare_versions(&b.version, &a.version));
    Ok(out)
}

fn compare_versions(a: &str, b: &str) -> Ordering {
    match (semver::Version::parse(a), semver::Version::parse(b)) {
        (Ok(a), Ok(b)) => a.cmp(&b),
        _ => a.cmp(b),
    }
}

/// The update offered to a device, in the shape the Tauri updater reads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Offer {
    pub version: String,
    pub notes: String,
    pub pub_date: String,
    pub url: String,
    pub signature: String,
}

/// What a device that runs `current` on `platform` (with `installer` as bundle kind, if known)
/// should install: the newest release newer than `current` that has an artifact for it and
/// whose rollout includes the device. A release the device is not in yet does not hide an
/// older one that reached everyone.
pub async fn offer(
    conn: &mut PgConnection,
    platform: &str,
    installer: Option<&str>,
    current: &semver::Version,
    device: Option<&str>,
    base_url: &str,
) -> Result<Option<Offer>, Error> {
    let mut keys = Vec::new();
    if let Some(i) = installer.filter(|i| INSTALLERS.contains(i)) {
        keys.push(format!("{platform}-{i}"));
    }
    keys.push(platform.to_owned());
    let rows = sqlx::query(
        "SELECT r.version, r.notes, r.rollout, r.published_at, a.platform, a.signature
         FROM releases r JOIN release_artifacts a USING (version)
         WHERE a.platform = ANY($1)",
    )
    .bind(&keys)
    .fetch_all(&mut *conn)
    .await?;
    let mut best: Option<(semver::Version, usize, Offer)> = None;
    for r in rows {
        let version: String = r.try_get("version")?;
        let Ok(v) = semver::Version::parse(&version) else { continue };
        if v <= *current || !in_rollout(device, r.try_get("rollout")?) {
            continue;
        }
        let artifact_platform: String = r.try_get("platform")?;
        // The installer-specific artifact wins over the generic one of the same version.
        let rank = keys.iter().position(|k| *k == artifact_platform).unwrap_or(usize::MAX);
        let better = match &best {
            None => true,
            Some((bv, brank, _)) => v > *bv || (v == *bv && rank < *brank),
        };
        if better {
            let published_at: DateTime<Utc> = r.try_get("published_at")?;
            let offer = Offer {
                url: format!("{}/updates/artifacts/{version}/{artifact_platform}", base_url.trim_end_matches('/')),
                version,
                notes: r.try_get("notes")?,
                pub_date: published_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                signature: r.try_get("signature")?,
            };
            best = Some((v, rank, offer));
        }
    }
    Ok(best.map(|(_, _, o)| o))
}

/// The bytes of one artifact and its file name.
pub async fn artifact(
    conn: &mut PgConnection,
    version: &str,
    platform: &str,
) -> Result<Option<(String, Vec<u8>)>, Error> {
    let row = sqlx::query("SELECT file_name, bytes FROM release_artifacts WHERE version = $1 AND platform = $2")
        .bind(version)
        .bind(platform)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(match row {
        Some(r) => Some((r.try_get("file_name")?, r.try_get("bytes")?)),
        None => None,
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platforms_are_os_arch_and_optional_installer() {
        for ok in ["linux-x86_64", "linux-x86_64-deb", "windows-x86_64-nsis", "darwin-aarch64-app"] {
            assert!(Platform::parse(ok).is_ok(), "{ok} is a platform the updater asks for");
        }
        for bad in ["linux", "linux-x86", "beos-x86_64", "linux-x86_64-snap", ""] {
            let e = Platform::parse(bad).expect_err(bad).to_string();
            assert!(e.contains("is not OS-ARCH"), "{bad}: {e}");
        }
    }

    #[test]
    fn rollout_is_stable_and_only_grows() {
        let devices: Vec<String> = (0..2000).map(|i| format!("0190f3a0-0000-7000-8000-{i:012}")).collect();
        for d in &devices {
            assert_eq!(rollout_bucket(d), rollout_bucket(d), "the same device always gets the same bucket");
            assert_eq!(rollout_bucket(d), rollout_bucket(&d.to_uppercase()), "case does not move a device");
            for p in 0..100 {
                if in_rollout(Some(d), p) {
                    assert!(in_rollout(Some(d), p + 1), "raising the rollout never drops a device");
                }
            }
        }
        let in_25 = devices.iter().filter(|d| in_rollout(Some(d), 25)).count();
        assert!((400..=600).contains(&in_25), "25 % of 2000 devices should be about 500, got {in_25}");
        assert!(devices.iter().all(|d| in_rollout(Some(d), 100)) && !devices.iter().any(|d| in_rollout(Some(d), 0)));
        assert!(!in_rollout(None, 99) && in_rollout(None, 100), "an anonymous check only gets full rollouts");
    }

    #[test]
    fn versions_and_rollouts_are_checked() {
        assert_eq!(parse_version("v1.2.3").map(|v| v.to_string()).ok().as_deref(), Some("1.2.3"));
        assert!(parse_version("1.2").is_err());
        assert!(parse_rollout(101).is_err());
        assert_eq!(parse_rollout(40).ok(), Some(40));
    }

    #[test]
    fn a_signature_that_does_not_match_is_refused() {
        // A garbage signature and key are refused with what is wrong, never accepted.
        let e = verify_signature(b"bundle", "not base64!", "also not").expect_err("garbage");
        assert!(e.contains("not base64"), "{e}");
    }
}
