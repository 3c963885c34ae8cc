//! The push service: checks a [`PushRequest`] as a whole, then hands each mutation to
//! [`crate::apply`] in its own transaction.

use chrono::Utc;
use sqlx::PgPool;
use tandem_sync::{MutationResult, Outcome, PushRequest, PushResponse, MAX_PUSH_MUTATIONS};
use tracing::instrument;

use crate::apply::{self, Actor};
use crate::auth::Session;
use crate::error::Error;
use crate::live;
use crate::routes::check_protocol;
use crate::store::devices;

/// Applies the mutations in order. A seq gap stops the push with `409 seq_gap`; what was
/// applied before it stays applied (the device resends and gets those replayed).
#[instrument(skip_all, fields(user = %session.user_name, device = %req.device_id, mutations = req.mutations.len()), err(level = "info"))]
pub async fn push(pool: &PgPool, session: &Session, req: PushRequest) -> Result<PushResponse, Error> {
    check_protocol(req.protocol)?;
    session.check_device(req.device_id)?;
    if req.mutations.len() > MAX_PUSH_MUTATIONS {
        return Err(Error::TooManyMutations { got: req.mutations.len(), max: MAX_PUSH_MUTATIONS });
    }
    if let Some(m) = req.mutations.iter().find(|m| m.seq < 1) {
        return Err(Error::Malformed(format!("mutation seq must be 1 or more, got {}", m.seq)));
    }
    let actor = Actor { user: session.user_id, device: session.device_id };
    let received_at = Utc::now();
    let mut results = Vec::with_capacity(req.mutations.len());
    let mut last_seq = None;
    let mut failed = None;
    for m in &req.mutations {
        match apply::handle_mutation(pool, actor, m, received_at).await {
            Ok(handled) => {
                last_seq = Some(handled.last_seq);
                results.push(handled.result);
            }
            Err(e) => {
                failed = Some(e);
                break;
            }
        }
    }
    // What was applied before a failure stays applied, so it is announced either way.
    announce(pool, &results).await;
    if let Some(e) = failed {
        return Err(e.into());
    }
    let last_seq = match last_seq {
        Some(s) => s,
        None => {
            let mut conn = pool.acquire().await?;
            devices::last_seq(&mut conn, session.device_id).await?.unwrap_or(0)
        }
    };
    Ok(PushResponse { results, last_seq })
}

/// Tells every server process (and so every live stream) the highest version this push
/// applied. Replays announce nothing: their versions were announced when first applied. A
/// failed notification costs only latency (devices still poll), so it is logged, not returned.
async fn announce(pool: &PgPool, results: &[MutationResult]) {
    let highest = results
        .iter()
        .filter(|r| !r.replayed)
        .filter_map(|r| match r.outcome {
            Outcome::Applied { version } => Some(version),
            Outcome::Rejected { .. } => None,
        })
        .max();
    if let Some(version) = highest {
        if let Err(e) = live::notify(pool, version).await {
            tracing::warn!(error = %e, version = version.0, "could not announce new changes");
        }
    }
}
