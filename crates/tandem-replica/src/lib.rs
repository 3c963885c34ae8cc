//! The device side of Tandem: a local SQLite replica of what the user may see, the outbox of
//! what they did (offline too), the sync client, and the queries behind every screen.
//!
//! The desktop app (src-tauri) and the `tandem` CLI are both thin shells over this crate, so
//! they share one code path. Writes go through tandem-core's rules first ([`ops`]), then into the
//! view and the outbox in one SQLite transaction; the UI never waits for the network.

mod activities;
mod bulk;
mod contracts;
mod credentials;
mod crm;
mod csv_import;
pub mod demo;
mod docs;
mod erp;
mod error;
mod live;
mod ops;
mod pdf;
mod profiles;
mod query;
mod quotes;
mod rebase;
mod replica;
mod search;
mod store;
mod sync;
#[cfg(test)]
mod tests;
mod workspace;

pub use activities::LinkInput;
pub use crm::{standard_pipeline_id, ConvertOptions, Converted, MAX_LEADS_PER_IMPORT};
pub use csv_import::{CustomTarget, ImportPreview};
pub use erp::{CustomerFacts, DocPage, OrderDetail, OrderLineInput, Outcome, ProductRow, StockRow};
pub use error::{ReplicaError, Result};
pub use profiles::ProfileView;
pub use query::{AccountDetail, AccountRow, ContactRow, ListQuery, Page, SortDir, SortKey};
pub use quotes::QuoteLineInput;
pub use replica::{Mode, Rejected, Replica, Status};
pub use search::SearchHit;
pub use sync::{Progress, SyncReport};
pub use workspace::{default_data_dir, Workspace, APP_IDENTIFIER};
