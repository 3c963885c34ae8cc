//! Demo data for a fresh server: companies with their people, applied through the same path
//! as pushed mutations (versions, mutation log and audit log included) by a system user.

use chrono::Utc;
use sqlx::PgPool;
use tandem_core::demo::{self, DemoAccount};
use tandem_sync::{DeviceId, Mutation, Op};
use tracing::instrument;
use uuid::Uuid;

use crate::apply::{self, Actor};
use crate::error::Error;
use crate::store::{accounts, contacts, devices, users};

/// How many demo companies `seed-demo` adds.
pub const DEMO_ACCOUNTS: usize = 200;
/// The demo generator's seed. Not the one of the desktop app's local demo workspace, so the
/// server's demo records never share ids with a device's local ones.
pub const DEMO_SEED: u64 = 20_261_123;
/// The user that owns server-side jobs such as seeding. It is disabled: nobody can log in as it.
pub const SYSTEM_USER_ID: Uuid = Uuid::from_u128(0x0000_0000_0000_7000_8000_0000_0000_0001);
pub const SYSTEM_USER_NAME: &str = "tandem-system";
/// The system user's device, under which seeding mutations are logged.
pub const SYSTEM_DEVICE_ID: DeviceId = DeviceId(Uuid::from_u128(0x0000_0000_0000_7000_8000_0000_0000_0002));

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SeedReport {
    pub accounts_added: usize,
    pub contacts_added: usize,
    /// Records already present (from an earlier run) and left alone.
    pub skipped: usize,
    /// Mutations a rule refused (e.g. a contact whose demo account was deleted meanwhile).
    pub rejected: usize,
}

/// Adds the demo data that is not there yet, in one transaction: run twice, it adds nothing.
#[instrument(skip_all, err)]
pub async fn seed_demo(pool: &PgPool) -> Result<SeedReport, Error> {
    let data = demo::accounts(DEMO_ACCOUNTS, DEMO_SEED);
    let mut tx = pool.begin().await?;
    // The system user's hash is not a PHC string, so no password ever matches it.
    users::insert(&mut tx, SYSTEM_USER_ID, SYSTEM_USER_NAME, "admin", "!", true).await?;
    let mut seq = devices::register(&mut tx, SYSTEM_DEVICE_ID, SYSTEM_USER_ID, Some("server jobs"))
        .await?
        .ok_or(Error::DeviceTaken)?;

    let account_ids: Vec<Uuid> = data.iter().map(|d| d.account.id.as_uuid()).collect();
    let contact_ids: Vec<Uuid> = data.iter().flat_map(|d| d.contacts.iter().map(|c| c.id.as_uuid())).collect();
    let have_accounts = accounts::existing_ids(&mut tx, &account_ids).await?;
    let have_contacts = contacts::existing_ids(&mut tx, &contact_ids).await?;

    let mut report = SeedReport::default();
    let actor = Actor { user: SYSTEM_USER_ID, device: SYSTEM_DEVICE_ID };
    let now = Utc::now();
    for op in ops(&data, &have_accounts, &have_contacts, &mut report) {
        seq += 1;
        let is_account = matches!(op, Op::AccountCreate(_));
        let m = Mutation { seq, made_at: now, op };
        let handled = apply::handle_mutation_in(&mut tx, actor, &m, now).await?;
        match handled.result.outcome {
            tandem_sync::Outcome::Applied { .. } if is_account => report.accounts_added += 1,
            tandem_sync::Outcome::Applied { .. } => report.contacts_added += 1,
            tandem_sync::Outcome::Rejected { .. } => report.rejected += 1,
        }
    }
    tx.commit().await?;
    tracing::info!(?report, "demo data seeded");
    Ok(report)
}

/// The mutations that add what is missing: each new account, then its new contacts.
fn ops(data: &[DemoAccount], have_accounts: &[Uuid], have_contacts: &[Uuid], report: &mut SeedReport) -> Vec<Op> {
    let mut ops = Vec::new();
    for d in data {
        if have_accounts.contains(&d.account.id.as_uuid()) {
            report.skipped += 1;
        } else {
            ops.push(Op::AccountCreate(d.account.clone()));
        }
        for c in &d.contacts {
            if have_contacts.contains(&c.id.as_uuid()) {
                report.skipped += 1;
            } else {
                ops.push(Op::ContactAdd(c.clone()));
            }
        }
    }
    ops
}
