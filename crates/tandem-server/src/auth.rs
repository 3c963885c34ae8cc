//! Users, passwords, devices and bearer tokens.
//!
//! Passwords are hashed with argon2id (PHC strings); tokens are 32 random bytes in base64url of
//! which only the SHA-256 is stored. Passwords and tokens travel as [`Secret`] so they never
//! show in logs.

use std::fmt;
use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use base64::Engine as _;
use chrono::{Duration, Utc};
use rand::RngCore as _;
use sha2::{Digest as _, Sha256};
use sqlx::PgPool;
use tandem_sync::{DeviceId, LoginRequest, LoginResponse, Secret};
use tracing::instrument;
use uuid::Uuid;

use crate::error::Error;
use crate::store::{devices, sessions, users};
use crate::AppState;

/// How long a token is valid after login.
pub const SESSION_DAYS: i64 = 30;
/// The shortest password `user add` accepts.
pub const MIN_PASSWORD_CHARS: usize = 8;

/// What a user may do. Stored as its snake_case name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Admin,
    SalesManager,
    SalesRep,
    BackOffice,
    Warehouse,
}

impl Role {
    pub const ALL: [Role; 5] = [Role::Admin, Role::SalesManager, Role::SalesRep, Role::BackOffice, Role::Warehouse];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::SalesManager => "sales_manager",
            Role::SalesRep => "sales_rep",
            Role::BackOffice => "back_office",
            Role::Warehouse => "warehouse",
        }
    }

    pub fn parse(raw: &str) -> Result<Role, Error> {
        let raw = raw.trim();
        Role::ALL.into_iter().find(|r| r.as_str() == raw).ok_or_else(|| {
            let valid: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
            Error::InvalidInput(format!("unknown role {raw:?}: expected one of {}", valid.join(", ")))
        })
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A user name: trimmed, 1–100 characters, no control characters.
pub fn parse_user_name(raw: &str) -> Result<String, Error> {
    let name = raw.trim();
    let len = name.chars().count();
    if len == 0 {
        return Err(Error::InvalidInput("user name: is required".into()));
    }
    if len > 100 {
        return Err(Error::InvalidInput(format!("user name: is too long ({len} characters, at most 100)")));
    }
    if name.chars().any(char::is_control) {
        return Err(Error::InvalidInput("user name: contains a control character".into()));
    }
    Ok(name.to_owned())
}

/// Refuses a new password that is empty or shorter than [`MIN_PASSWORD_CHARS`].
pub fn check_new_password(password: &Secret) -> Result<(), Error> {
    let len = password.expose().chars().count();
    if len == 0 {
        return Err(Error::InvalidInput("password: is empty".into()));
    }
    if len < MIN_PASSWORD_CHARS {
        return Err(Error::InvalidInput(format!(
            "password: is too short ({len} characters, at least {MIN_PASSWORD_CHARS})"
        )));
    }
    Ok(())
}

/// An argon2id PHC string for `password`.
pub fn hash_password(password: &Secret) -> Result<String, Error> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default()
        .hash_password(password.expose().as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::internal(e.to_string()))
}

/// True when `password` matches the PHC string `hash`. An unparsable hash never matches.
pub fn verify_password(hash: &str, password: &Secret) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default().verify_password(password.expose().as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// A hash to verify against when the user does not exist, so that answering "wrong user" takes
/// as long as answering "wrong password".
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        hash_password(&Secret::new("tandem-dummy-password-for-timing"))
            .unwrap_or_else(|_| "$argon2id$v=19$m=19456,t=2,p=1$invalid".to_owned())
    })
}

/// A fresh bearer token and the SHA-256 that is stored for it.
pub fn new_token() -> (Secret, String) {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let hash = token_hash(&token);
    (Secret::new(token), hash)
}

/// The stored form of a token: lower-case hex SHA-256.
pub fn token_hash(token: &str) -> String {
    format!("{:x}", Sha256::digest(token.as_bytes()))
}

async fn hash_password_blocking(password: Secret) -> Result<String, Error> {
    tokio::task::spawn_blocking(move || hash_password(&password)).await.map_err(Error::internal)?
}

/// Adds a user with an argon2id hash of `password`.
#[instrument(skip_all, fields(user = %name, role = %role), err(level = "info"))]
pub async fn add_user(pool: &PgPool, name: &str, role: Role, password: &Secret) -> Result<Uuid, Error> {
    let name = parse_user_name(name)?;
    check_new_password(password)?;
    let hash = hash_password_blocking(password.clone()).await?;
    let id = Uuid::now_v7();
    let mut conn = pool.acquire().await?;
    if !users::insert(&mut conn, id, &name, role.as_str(), &hash, false).await? {
        return Err(Error::UserExists(name));
    }
    tracing::info!(user_id = %id, "user added");
    Ok(id)
}

/// Checks the password, binds the device to the user and issues a token.
#[instrument(skip_all, fields(user = %req.user, device = %req.device_id), err(level = "info"))]
pub async fn login(pool: &PgPool, req: LoginRequest) -> Result<LoginResponse, Error> {
    let device_name = match req.device_name.as_deref().map(str::trim) {
        Some(n) if n.chars().count() > 200 => {
            return Err(Error::InvalidInput("device_name: is too long (at most 200 characters)".into()))
        }
        Some("") | None => None,
        Some(n) => Some(n.to_owned()),
    };
    let mut conn = pool.acquire().await?;
    let user = users::find_by_name(&mut conn, &req.user).await?;
    drop(conn);
    let hash = user.as_ref().map_or_else(|| dummy_hash().to_owned(), |u| u.password_hash.clone());
    let password = req.password.clone();
    let matches =
        tokio::task::spawn_blocking(move || verify_password(&hash, &password)).await.map_err(Error::internal)?;
    let user = match user {
        Some(u) if matches && !u.disabled => u,
        _ => return Err(Error::BadCredentials),
    };

    let mut tx = pool.begin().await?;
    if devices::is_revoked(&mut tx, req.device_id).await? {
        return Err(Error::Revoked);
    }
    let last_seq =
        devices::register(&mut tx, req.device_id, user.id, device_name.as_deref()).await?.ok_or(Error::DeviceTaken)?;
    let (token, token_hash) = new_token();
    let now = Utc::now();
    sessions::insert(&mut tx, &token_hash, user.id, req.device_id, now, now + Duration::days(SESSION_DAYS)).await?;
    tx.commit().await?;
    tracing::info!(user_id = %user.id, last_seq, "logged in");
    Ok(LoginResponse {
        token,
        user: user.name,
        role: user.role,
        last_seq,
        server_version: env!("CARGO_PKG_VERSION").to_owned(),
    })
}

/// The authenticated caller of a push or pull: from `Authorization: Bearer <token>`.
#[derive(Clone, Debug)]
pub struct Session {
    pub user_id: Uuid,
    pub user_name: String,
    pub role: String,
    pub device_id: DeviceId,
    /// What the device's row says it runs, as of this request.
    pub client: RecordedClient,
}

/// The protocol, app and schema version a device last reported (`devices`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecordedClient {
    pub protocol: Option<i32>,
    pub app: Option<String>,
    pub schema: Option<i32>,
}

impl RecordedClient {
    /// Whether a request reporting `protocol` and `client` changes what is recorded (the rule
    /// of `devices::record_client`, checked here so a pull writes nothing when nothing changed).
    pub fn changed_by(&self, protocol: u32, client: Option<&tandem_sync::ClientInfo>) -> bool {
        let protocol = i32::try_from(protocol).unwrap_or(i32::MAX);
        self.protocol != Some(protocol)
            || client.is_some_and(|c| {
                self.app.as_deref() != Some(c.app.as_str()) || self.schema != i32::try_from(c.schema).ok()
            })
    }
}

impl Session {
    /// Refuses a body that names another device than the one the token was issued to.
    pub fn check_device(&self, body_device: DeviceId) -> Result<(), Error> {
        if body_device != self.device_id {
            return Err(Error::WrongDevice {
                token_device: self.device_id.to_string(),
                body_device: body_device.to_string(),
            });
        }
        Ok(())
    }

    /// The session a token stands for, if it is valid now.
    pub async fn from_token(pool: &PgPool, token: &Secret) -> Result<Session, Error> {
        let mut conn = pool.acquire().await?;
        let hash = token_hash(token.expose());
        let row = sessions::find(&mut conn, &hash).await?.ok_or(Error::Unauthorized)?;
        let now = Utc::now();
        if row.revoked {
            return Err(Error::Revoked);
        }
        if row.expires_at <= now {
            return Err(Error::SessionExpired);
        }
        let full = now + Duration::days(SESSION_DAYS);
        // At most once a day per session (the statement checks the same again).
        if row.expires_at < full - Duration::days(1) {
            sessions::extend(&mut conn, &hash, full, full - Duration::days(1)).await?;
        }
        Ok(Session {
            user_id: row.user_id,
            user_name: row.user_name,
            role: row.role,
            device_id: DeviceId(row.device_id),
            client: RecordedClient { protocol: row.protocol, app: row.app_version, schema: row.schema_version },
        })
    }
}

impl FromRequestParts<AppState> for Session {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let header = parts.headers.get(AUTHORIZATION).ok_or(Error::Unauthorized)?;
        let value = header.to_str().map_err(|_| Error::Unauthorized)?;
        let token =
            value.strip_prefix("Bearer ").map(str::trim).filter(|t| !t.is_empty()).ok_or(Error::Unauthorized)?;
        Session::from_token(&state.pool, &Secret::new(token)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_to_argon2id_and_verify_only_themselves() {
        let pw = Secret::new("correct horse");
        let hash = hash_password(&pw).expect("hashing works");
        assert!(hash.starts_with("$argon2id$"), "argon2id PHC string: {hash}");
        assert!(verify_password(&hash, &pw));
        assert!(!verify_password(&hash, &Secret::new("wrong horse")));
        assert!(!verify_password("not a hash", &pw), "an unusable hash never matches");
    }

    #[test]
    fn tokens_are_random_base64url_and_stored_as_sha256() {
        let (a, ha) = new_token();
        let (b, _) = new_token();
        assert_ne!(a, b);
        assert_eq!(a.expose().len(), 43, "32 bytes in unpadded base64url");
        assert_eq!(ha, token_hash(a.expose()));
        assert_eq!(ha.len(), 64);
    }

    #[test]
    fn roles_and_passwords_are_checked_with_readable_messages() {
        assert_eq!(Role::parse("sales_rep").ok(), Some(Role::SalesRep));
        let e = Role::parse("boss").expect_err("unknown role").to_string();
        assert!(e.contains("admin, sales_manager, sales_rep, back_office, warehouse"), "{e}");
        assert!(check_new_password(&Secret::new("short")).is_err());
        assert!(check_new_password(&Secret::new("")).is_err());
        assert!(check_new_password(&Secret::new("long enough")).is_ok());
    }
}
