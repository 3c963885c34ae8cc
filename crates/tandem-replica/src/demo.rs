//! Demo data for the local-only workspace, so a new user sees a working app before signing in.

use crate::error::Result;
use crate::replica::{meta_get, meta_set, Mode, Replica};
use crate::store::{self, Origin, Touch};
use tandem_core::{account, contact, Existing};

/// How many demo companies a new local workspace gets.
pub const DEMO_ACCOUNTS: usize = 250;

impl Replica {
    /// Fills a new local-only workspace with demo data, once. Returns whether it did.
    pub async fn seed_demo_once(&self) -> Result<bool> {
        if self.mode() != Mode::Local {
            return Ok(false);
        }
        let _w = self.write.lock().await;
        let mut tx = self.begin_write().await?;
        if meta_get(&mut tx, "demo_seeded").await?.is_some() {
            return Ok(false);
        }
        let mut touch = Touch::load(&mut tx).await?;
        let origin = Origin::Local { pending: false };
        for d in tandem_core::demo::accounts(DEMO_ACCOUNTS, 2026) {
            // Through the same rules as user input; a clash with a user's own record is skipped.
            if let Ok(a) = account::create(Existing::Missing, &d.account) {
                if matches!(store::load_account(&mut tx, a.id).await?, Existing::Missing) {
                    store::put_account(&mut tx, &mut touch, &a, origin).await?;
                    for c in &d.contacts {
                        let c = contact::add(Existing::Live(&a), Existing::Missing, c)?;
                        store::put_contact(&mut tx, &c, origin).await?;
                    }
                }
            }
        }
        meta_set(&mut tx, "demo_seeded", "1").await?;
        touch.save(&mut tx).await?;
        tx.commit().await?;
        Ok(true)
    }
}
