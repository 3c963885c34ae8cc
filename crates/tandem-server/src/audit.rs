//! Browsing the audit log: admins only, newest first, paged by key.

use sqlx::PgPool;
use tandem_sync::{AuditEntry, AuditPage, AuditRequest, DeviceId, Version, MAX_AUDIT_LIMIT};
use tracing::instrument;

use crate::auth::Session;
use crate::error::Error;
use crate::store::log;

#[instrument(skip_all, fields(user = %session.user_name, before = ?req.before, limit = req.limit), err(level = "info"))]
pub async fn page(pool: &PgPool, session: &Session, req: AuditRequest) -> Result<AuditPage, Error> {
    if session.role != "admin" {
        return Err(Error::Forbidden(format!("only admins may read the audit log (you are {})", session.role)));
    }
    if !(1..=MAX_AUDIT_LIMIT).contains(&req.limit) {
        return Err(Error::BadLimit { got: req.limit, max: MAX_AUDIT_LIMIT });
    }
    let mut conn = pool.acquire().await?;
    let rows = log::audit_page(&mut conn, req.before, req.record, i64::from(req.limit)).await?;
    let next = if rows.len() == req.limit as usize { rows.last().map(|r| r.id) } else { None };
    let entries = rows
        .into_iter()
        .map(|r| AuditEntry {
            id: r.id,
            at: r.at,
            user: r.user_name,
            device: DeviceId(r.device_id),
            seq: r.seq,
            mutation: r.op_name,
            entity: r.entity,
            record_id: r.entity_id,
            version: Version(r.version),
            before: r.before,
            after: r.after,
        })
        .collect();
    Ok(AuditPage { entries, next })
}
