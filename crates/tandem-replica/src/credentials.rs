//! The session token lives in the OS keyring (Secret Service on Linux, Keychain on macOS,
//! Credential Manager on Windows), never in a file or the database.

use crate::error::{ReplicaError, Result};
use tandem_sync::{DeviceId, Secret};

const SERVICE: &str = "Tandem";

fn entry(device: DeviceId) -> Result<keyring::Entry> {
    keyring::Entry::new(SERVICE, &format!("device {device}")).map_err(|e| ReplicaError::Keyring(e.to_string()))
}

pub(crate) fn store(device: DeviceId, token: &Secret) -> Result<()> {
    let e = entry(device)?;
    e.set_password(token.expose()).map_err(|e| ReplicaError::Keyring(e.to_string()))?;
    // Read it back: a keyring that silently keeps nothing must fail here, not at the next sync.
    match e.get_password() {
        Ok(t) if t == token.expose() => Ok(()),
        Ok(_) => Err(ReplicaError::Keyring("the keyring returned a different token than was stored".into())),
        Err(err) => Err(ReplicaError::Keyring(format!("the token could not be read back: {err}"))),
    }
}

pub(crate) fn load(device: DeviceId) -> Result<Option<Secret>> {
    match entry(device)?.get_password() {
        Ok(t) => Ok(Some(Secret::new(t))),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(ReplicaError::Keyring(e.to_string())),
    }
}

pub(crate) fn forget(device: DeviceId) -> Result<()> {
    match entry(device)?.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(ReplicaError::Keyring(e.to_string())),
    }
}
