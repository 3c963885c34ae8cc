//! The sync protocol between a device and the server, as typed values.
//!
//! A device sends **mutations** (named user actions with typed arguments) tagged `(device_id,
//! seq)`; the server applies each exactly once and answers applied or rejected. A device pulls
//! **changes** (the resulting rows, deletes included) after a cursor. Every request type refuses
//! unknown fields, and every argument is a `tandem-core` value that is valid by construction, so
//! a malformed request fails to parse and changes nothing.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
pub use tandem_core::conflict::Keep;
use tandem_core::{Account, AccountId, AccountPatch, Contact, ContactId, ContactPatch, NewAccount, NewContact};
use uuid::Uuid;

pub mod erp;
pub use erp::Doc;
use erp::*;
use tandem_core::catalog::{CustomerTerms, PriceList, Product};

/// The protocol this build speaks. The server serves this one and the one before.
///
/// - 1: accounts and contacts.
/// - 2: territories on accounts, field conflicts (`Change::Conflict`, `conflict.resolve`), pull
///   totals. A protocol-1 device receives neither territories nor conflicts.
/// - 3: order-to-cash documents (`Change::Doc`) and their mutations. A protocol-2 device
///   receives no documents.
/// - 4: CRM documents (pipelines, deals, leads, activities, quotes, contracts) and their mutations. A protocol-3 device receives the
///   order-to-cash documents only.
/// - 5: profiles of accounts and contacts (owner, tags, custom values; `profile.update`) and
///   `account.merge`. A protocol-4 device receives no profiles.
pub const PROTOCOL_VERSION: u32 = 5;
/// The oldest protocol a server of this build still serves.
pub const OLDEST_SUPPORTED_PROTOCOL: u32 = 3;

/// What a device runs, sent with every push and pull.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientInfo {
    /// The app's version (e.g. "0.1.0").
    pub app: String,
    /// The replica's schema version (its number of applied migrations).
    pub schema: u32,
}

pub mod paths {
    pub const HEALTH: &str = "/health";
    pub const LOGIN: &str = "/v1/login";
    pub const PUSH: &str = "/v1/push";
    pub const PULL: &str = "/v1/pull";
    pub const AUDIT: &str = "/v1/audit";
    /// Server-Sent Events: `event: changes` with a [`LiveEvent`](super::LiveEvent) each time
    /// the server's version moves (bearer token).
    pub const EVENTS: &str = "/v1/events";
}

/// The SSE event name of a [`LiveEvent`].
pub const LIVE_EVENT_NAME: &str = "changes";

/// "The server has changes up to `version`": the data of an `event: changes` on
/// [`paths::EVENTS`]. It carries no rows, so it tells a device nothing it may not see; the device
/// pulls (scoped) when `version` is above its cursor. The first event of a stream is the
/// server's current version, so a device that missed events catches up on reconnect.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveEvent {
    pub version: Version,
}

/// The largest request body a server accepts, and so the most a device sends at once.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;
/// The most mutations a device sends in one push.
pub const MAX_PUSH_MUTATIONS: usize = 500;
/// The most changes a server returns in one pull page.
pub const MAX_PULL_LIMIT: u32 = 5_000;

/// One installed app (or CLI data directory). Born on the device, UUIDv7.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DeviceId(pub Uuid);

impl fmt::Display for DeviceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The server's change number: every applied mutation's rows carry the version it made.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Version(pub i64);

/// A secret (password, token) whose `Debug` never shows it, so it cannot leak into logs.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// A user action, by name, with typed arguments.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "name", content = "args", deny_unknown_fields)]
pub enum Op {
    #[serde(rename = "account.create")]
    AccountCreate(NewAccount),
    #[serde(rename = "account.update")]
    AccountUpdate(AccountPatch),
    #[serde(rename = "account.delete")]
    AccountDelete(DeleteAccount),
    #[serde(rename = "contact.add")]
    ContactAdd(NewContact),
    #[serde(rename = "contact.update")]
    ContactUpdate(ContactPatch),
    #[serde(rename = "contact.delete")]
    ContactDelete(DeleteContact),
    #[serde(rename = "conflict.resolve")]
    ConflictResolve(ResolveConflict),
    #[serde(rename = "product.create")]
    ProductCreate(Product),
    #[serde(rename = "price_list.save")]
    PriceListSave(PriceList),
    #[serde(rename = "customer.set_terms")]
    CustomerSetTerms(CustomerTerms),
    #[serde(rename = "stock.receive")]
    StockReceive(StockReceive),
    #[serde(rename = "stock.adjust")]
    StockAdjust(StockAdjust),
    #[serde(rename = "stock.transfer")]
    StockTransfer(StockTransfer),
    #[serde(rename = "warehouse.create")]
    WarehouseCreate(tandem_core::stock::Warehouse),
    #[serde(rename = "order.create")]
    OrderCreate(OrderCreate),
    #[serde(rename = "order.update")]
    OrderUpdate(OrderCreate),
    #[serde(rename = "order.confirm")]
    OrderConfirm(OrderRef),
    #[serde(rename = "order.release")]
    OrderRelease(OrderRef),
    #[serde(rename = "order.cancel")]
    OrderCancel(OrderCancel),
    #[serde(rename = "order.deliver")]
    OrderDeliver(OrderDeliver),
    #[serde(rename = "invoice.create")]
    InvoiceCreate(InvoiceCreate),
    #[serde(rename = "invoice.post")]
    InvoicePost(InvoiceRef),
    /// Posts several draft invoices at once, all or none (a back office's "post selected").
    #[serde(rename = "invoice.post_many")]
    InvoicePostMany(InvoiceRefs),
    #[serde(rename = "invoice.credit_note")]
    InvoiceCreditNote(InvoiceCreditNote),
    #[serde(rename = "payment.record")]
    PaymentRecord(PaymentRecord),
    #[serde(rename = "payment.refund")]
    PaymentRefund(PaymentRefund),
    #[serde(rename = "fx.set_rate")]
    SetRate(SetRate),
    #[serde(rename = "ledger.lock")]
    LockPeriod(LockPeriod),
    #[serde(rename = "pipeline.save")]
    PipelineSave(tandem_core::crm::pipeline::Pipeline),
    #[serde(rename = "deal.create")]
    DealCreate(DealCreate),
    #[serde(rename = "deal.move")]
    DealMove(DealMove),
    #[serde(rename = "lead.import")]
    LeadImport(LeadImport),
    #[serde(rename = "lead.set_status")]
    LeadSetStatus(LeadSetStatus),
    #[serde(rename = "lead.convert")]
    LeadConvert(Box<LeadConvert>),
    #[serde(rename = "activity.create")]
    ActivityCreate(Box<tandem_core::crm::activity::Activity>),
    #[serde(rename = "activity.complete")]
    ActivityComplete(ActivityAt),
    #[serde(rename = "activity.reschedule")]
    ActivityReschedule(ActivityReschedule),
    #[serde(rename = "activity.reminded")]
    ActivityReminded(ActivityAt),
    #[serde(rename = "quote.create")]
    QuoteCreate(QuoteSave),
    #[serde(rename = "quote.update")]
    QuoteUpdate(QuoteSave),
    #[serde(rename = "quote.step")]
    QuoteStep(QuoteTransition),
    #[serde(rename = "quote.accept")]
    QuoteAccept(QuoteAccept),
    #[serde(rename = "contract.create")]
    ContractCreate(Box<tandem_core::crm::contract::Contract>),
    #[serde(rename = "contract.step")]
    ContractStep(ContractTransition),
    #[serde(rename = "contract.renewal_deal")]
    ContractRenewalDeal(ContractRenewalDeal),
    #[serde(rename = "crm.configure")]
    CrmConfigure(tandem_core::crm::settings::CrmSettings),
    #[serde(rename = "deal.update")]
    DealUpdate(DealUpdate),
    #[serde(rename = "lead.update")]
    LeadUpdate(LeadUpdate),
    #[serde(rename = "profile.update")]
    ProfileUpdate(ProfileUpdate),
    #[serde(rename = "account.merge")]
    AccountMerge(AccountMerge),
}

impl Op {
    /// The wire name, for logs and the rejection inbox.
    pub fn name(&self) -> &'static str {
        match self {
            Op::AccountCreate(_) => "account.create",
            Op::AccountUpdate(_) => "account.update",
            Op::AccountDelete(_) => "account.delete",
            Op::ContactAdd(_) => "contact.add",
            Op::ContactUpdate(_) => "contact.update",
            Op::ContactDelete(_) => "contact.delete",
            Op::ConflictResolve(_) => "conflict.resolve",
            Op::ProductCreate(_) => "product.create",
            Op::PriceListSave(_) => "price_list.save",
            Op::CustomerSetTerms(_) => "customer.set_terms",
            Op::StockReceive(_) => "stock.receive",
            Op::StockAdjust(_) => "stock.adjust",
            Op::StockTransfer(_) => "stock.transfer",
            Op::WarehouseCreate(_) => "warehouse.create",
            Op::OrderCreate(_) => "order.create",
            Op::OrderUpdate(_) => "order.update",
            Op::OrderConfirm(_) => "order.confirm",
            Op::OrderRelease(_) => "order.release",
            Op::OrderCancel(_) => "order.cancel",
            Op::OrderDeliver(_) => "order.deliver",
            Op::InvoiceCreate(_) => "invoice.create",
            Op::InvoicePost(_) => "invoice.post",
            Op::InvoicePostMany(_) => "invoice.post_many",
            Op::InvoiceCreditNote(_) => "invoice.credit_note",
            Op::PaymentRecord(_) => "payment.record",
            Op::PaymentRefund(_) => "payment.refund",
            Op::SetRate(_) => "fx.set_rate",
            Op::LockPeriod(_) => "ledger.lock",
            Op::PipelineSave(_) => "pipeline.save",
            Op::DealCreate(_) => "deal.create",
            Op::DealMove(_) => "deal.move",
            Op::LeadImport(_) => "lead.import",
            Op::LeadSetStatus(_) => "lead.set_status",
            Op::LeadConvert(_) => "lead.convert",
            Op::ActivityCreate(_) => "activity.create",
            Op::ActivityComplete(_) => "activity.complete",
            Op::ActivityReschedule(_) => "activity.reschedule",
            Op::ActivityReminded(_) => "activity.reminded",
            Op::QuoteCreate(_) => "quote.create",
            Op::QuoteUpdate(_) => "quote.update",
            Op::QuoteStep(_) => "quote.step",
            Op::QuoteAccept(_) => "quote.accept",
            Op::ContractCreate(_) => "contract.create",
            Op::ContractStep(_) => "contract.step",
            Op::ContractRenewalDeal(_) => "contract.renewal_deal",
            Op::CrmConfigure(_) => "crm.configure",
            Op::DealUpdate(_) => "deal.update",
            Op::LeadUpdate(_) => "lead.update",
            Op::ProfileUpdate(_) => "profile.update",
            Op::AccountMerge(_) => "account.merge",
        }
    }

    /// Is this an order-to-cash mutation (protocol 3)?
    pub fn is_erp(&self) -> bool {
        !matches!(
            self,
            Op::AccountCreate(_)
                | Op::AccountUpdate(_)
                | Op::AccountDelete(_)
                | Op::ContactAdd(_)
                | Op::ContactUpdate(_)
                | Op::ContactDelete(_)
                | Op::ConflictResolve(_)
                | Op::AccountMerge(_)
        )
    }

    /// A one-line description a person can read in the "Needs attention" inbox.
    pub fn describe(&self) -> String {
        match self {
            Op::AccountCreate(a) => format!("create account \"{}\"", a.name),
            Op::AccountUpdate(p) => format!("edit {} of account {}", p.fields().join(", "), p.id),
            Op::AccountDelete(d) => format!("delete account {}", d.id),
            Op::ContactAdd(c) => format!("add contact \"{}\" to account {}", c.name, c.account_id),
            Op::ContactUpdate(p) => format!("edit contact {}", p.id),
            Op::ContactDelete(d) => format!("delete contact {}", d.id),
            Op::ConflictResolve(r) => format!(
                "resolve conflict {} ({})",
                r.id,
                match r.keep {
                    Keep::Current => "keep the current value",
                    Keep::Overwritten => "restore the overwritten value",
                }
            ),
            Op::ProductCreate(p) => format!("create product {} \"{}\"", p.sku, p.name),
            Op::PriceListSave(p) => format!("save price list \"{}\"", p.name),
            Op::CustomerSetTerms(t) => format!("set the terms of account {}", t.account),
            Op::StockReceive(r) => format!("receive {} of product {}", r.qty, r.product),
            Op::StockAdjust(a) => format!("adjust product {} by {}", a.product, a.delta),
            Op::StockTransfer(t) => format!("transfer {} of product {}", t.qty, t.product),
            Op::WarehouseCreate(w) => format!("create warehouse {}", w.code),
            Op::OrderCreate(o) => format!("create an order of {} lines for account {}", o.lines.len(), o.account),
            Op::OrderUpdate(o) => format!("edit the lines of draft order {}", o.id),
            Op::OrderConfirm(o) => format!("confirm order {}", o.id),
            Op::OrderRelease(o) => format!("release held order {}", o.id),
            Op::OrderCancel(o) => format!("cancel order {}", o.id),
            Op::OrderDeliver(d) => format!("deliver order {}", d.id),
            Op::InvoiceCreate(i) => format!("invoice order {}", i.order),
            Op::InvoicePost(i) => format!("post invoice {}", i.id),
            Op::InvoicePostMany(b) => match b.ids.as_slice() {
                [one] => format!("post invoice {one}"),
                many => format!("post {} invoices", many.len()),
            },
            Op::InvoiceCreditNote(c) => format!("credit invoice {}", c.invoice),
            Op::PaymentRecord(p) => format!("record a payment of {} {}", p.amount, p.currency),
            Op::PaymentRefund(p) => format!("refund {} {}", p.amount, p.currency),
            Op::SetRate(r) => format!("set the {} rate of {} to {}", r.currency, r.date, r.rate),
            Op::LockPeriod(l) => format!("lock the books up to {}", l.date),
            Op::PipelineSave(p) => format!("save pipeline \"{}\"", p.name),
            Op::DealCreate(d) => format!("create deal \"{}\"", d.deal.name),
            Op::DealMove(m) => format!("move deal {} to {}", m.id, m.stage),
            Op::LeadImport(l) => match l.leads.as_slice() {
                [one] => format!("create lead \"{}\"", one.company),
                many => format!("import {} leads", many.len()),
            },
            Op::LeadSetStatus(s) => format!("change the status of lead {}", s.id),
            Op::LeadConvert(c) => format!("convert lead {}", c.id),
            Op::ActivityCreate(a) => format!("add {} \"{}\"", a.kind.as_str(), a.subject),
            Op::ActivityComplete(a) => format!("complete activity {}", a.id),
            Op::ActivityReschedule(a) => format!("reschedule activity {}", a.id),
            Op::ActivityReminded(a) => format!("mark activity {} reminded", a.id),
            Op::QuoteCreate(q) => format!("create quote {}", q.quote.id),
            Op::QuoteUpdate(q) => format!("revise quote {}", q.quote.id),
            Op::QuoteStep(t) => format!(
                "{} quote {}",
                match t.step {
                    QuoteStep::RequestApproval(_) => "ask approval of",
                    QuoteStep::Approve => "approve",
                    QuoteStep::RefuseApproval(_) => "refuse approval of",
                    QuoteStep::Send => "send",
                    QuoteStep::Reject => "record the rejection of",
                },
                t.id
            ),
            Op::QuoteAccept(a) => format!("accept quote {} as order {}", a.id, a.order),
            Op::ContractCreate(c) => format!("create contract \"{}\"", c.name),
            Op::ContractStep(t) => format!(
                "{} contract {}",
                match t.step {
                    ContractStep::Renew(_) => "renew",
                    ContractStep::GiveNotice => "give notice on",
                    ContractStep::Cancel => "cancel",
                },
                t.id
            ),
            Op::ContractRenewalDeal(r) => format!("open the renewal deal of contract {}", r.id),
            Op::DealUpdate(u) => format!("edit deal {}", u.id),
            Op::LeadUpdate(u) => format!("edit lead {}", u.id),
            Op::ProfileUpdate(u) => {
                format!("edit the owner, tags or custom fields of {} {}", u.target.entity, u.target.id)
            }
            Op::AccountMerge(m) => format!("merge account {} into account {}", m.merged, m.keep),
            Op::CrmConfigure(c) => {
                format!("configure {} custom fields and {} scoring rules", c.fields.len(), c.scoring.len())
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeleteAccount {
    pub id: AccountId,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeleteContact {
    pub id: ContactId,
}

/// `conflict.resolve`: settle a field conflict, keeping the current value or restoring the
/// overwritten one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResolveConflict {
    pub id: Uuid,
    pub keep: Keep,
}

/// A field edited on two devices: the later arrival won, the overwritten value is kept here.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ConflictRecord {
    pub id: Uuid,
    /// `account` or `contact`.
    pub entity: String,
    pub record_id: Uuid,
    /// The account the record is (or belongs to): decides who sees the conflict.
    pub account_id: AccountId,
    pub record_name: String,
    pub field: String,
    /// The value that won (current when the conflict arose).
    pub kept: Option<String>,
    pub overwritten: Option<String>,
    pub kept_by: String,
    pub overwritten_by: Option<String>,
    pub at: DateTime<Utc>,
    /// Set once someone resolved it (who, and what they kept).
    pub resolved_by: Option<String>,
    pub resolution: Option<Keep>,
}

/// A mutation as it travels: its place in the device's sequence, when the user made it, what.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mutation {
    /// 1, 2, 3, ... per device, without gaps.
    pub seq: i64,
    /// When the user acted, by the device's clock (for the audit log; never for ordering).
    pub made_at: DateTime<Utc>,
    pub op: Op,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub user: String,
    pub password: Secret,
    pub device_id: DeviceId,
    #[serde(default)]
    pub device_name: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginResponse {
    pub token: Secret,
    pub user: String,
    pub role: String,
    /// The last seq the server applied for this device (0 for a new device).
    pub last_seq: i64,
    pub server_version: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushRequest {
    pub protocol: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<ClientInfo>,
    pub device_id: DeviceId,
    pub mutations: Vec<Mutation>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushResponse {
    pub results: Vec<MutationResult>,
    /// The last seq the server has handled for this device after this push.
    pub last_seq: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MutationResult {
    pub seq: i64,
    pub outcome: Outcome,
    /// True when this seq had been handled before: the stored outcome is returned, nothing re-applied.
    #[serde(default)]
    pub replayed: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case", deny_unknown_fields)]
pub enum Outcome {
    /// Applied; its rows carry `version`.
    Applied { version: Version },
    /// Refused by a business rule; the reason is for the user to read.
    Rejected { code: String, reason: String },
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PullRequest {
    pub protocol: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<ClientInfo>,
    pub device_id: DeviceId,
    /// Changes with a version above this are returned; 0 on first sync.
    pub cursor: Version,
    pub limit: u32,
    /// Ask for [`PullResponse::remaining`] (costs a count: a device asks on its first page).
    #[serde(default)]
    pub count_remaining: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PullResponse {
    /// Ordered by version; a version is never split across pages.
    pub changes: Vec<Change>,
    /// Pass this as the next cursor.
    pub cursor: Version,
    pub has_more: bool,
    /// When asked: about how many changes the user may see remain after `cursor` (for progress).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remaining: Option<u64>,
}

/// The state of one row after a version: `data: None` is a delete.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "entity", rename_all = "snake_case", deny_unknown_fields)]
pub enum Change {
    Account {
        version: Version,
        id: AccountId,
        data: Option<Account>,
    },
    Contact {
        version: Version,
        id: ContactId,
        data: Option<Contact>,
    },
    Conflict {
        version: Version,
        id: Uuid,
        data: Option<ConflictRecord>,
    },
    /// An order-to-cash document (protocol 3).
    Doc {
        version: Version,
        id: Uuid,
        data: Option<Doc>,
    },
}

impl Change {
    pub fn version(&self) -> Version {
        match self {
            Change::Account { version, .. }
            | Change::Contact { version, .. }
            | Change::Conflict { version, .. }
            | Change::Doc { version, .. } => *version,
        }
    }
}

/// `POST /v1/audit` (admins): the audit log, newest first, paged by key.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditRequest {
    /// Only entries older than this id (the `next` of the previous page).
    #[serde(default)]
    pub before: Option<i64>,
    pub limit: u32,
    /// Only the entries of this record (account or contact).
    #[serde(default)]
    pub record: Option<Uuid>,
}

/// The most audit entries in one page.
pub const MAX_AUDIT_LIMIT: u32 = 500;

/// One applied change: who, from which device, when, which mutation, and the record before and after.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub user: String,
    pub device: DeviceId,
    pub seq: i64,
    pub mutation: String,
    pub entity: String,
    pub record_id: Uuid,
    pub version: Version,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// Pass as `before` for the next (older) page; `None` at the end.
    pub next: Option<i64>,
}

/// The body of every error response: the UI and the CLI decide by `code`, people read `message`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    pub status: String,
    pub version: String,
    pub protocol: u32,
}

#[cfg(test)]
mod fuzz {
    use super::*;
    use proptest::prelude::*;

    const VALID: &str = r#"{"protocol":1,"device_id":"0190f5b4-7c1a-7cc2-8f3e-0d6b5b1e2a10","mutations":[{"seq":1,"made_at":"2026-11-23T10:00:00Z","op":{"name":"account.update","args":{"id":"0190f5b4-7c1a-7cc2-8f3e-0d6b5b1e2a11","city":"Kiel","email":null}}}]}"#;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        /// The push decoder never panics, whatever the bytes.
        #[test]
        fn random_bytes_never_crash_the_push_decoder(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = serde_json::from_slice::<PushRequest>(&bytes);
        }

        /// A valid push with one byte replaced, removed or inserted either still decodes to a
        /// request whose values are all valid, or is refused with a message.
        #[test]
        fn a_corrupted_push_is_decoded_or_refused_with_a_reason(at in 0..VALID.len(), byte in any::<u8>(), how in 0..3u8) {
            let mut b = VALID.as_bytes().to_vec();
            match how {
                0 => b[at] = byte,
                1 => { b.remove(at); }
                _ => b.insert(at, byte),
            }
            match serde_json::from_slice::<PushRequest>(&b) {
                Ok(req) => {
                    // Whatever got through re-encodes and decodes to itself: it was valid.
                    let again = serde_json::to_vec(&req).expect("encode");
                    let back: PushRequest = serde_json::from_slice(&again).expect("a decoded request re-decodes");
                    prop_assert_eq!(back.mutations, req.mutations);
                }
                Err(e) => prop_assert!(!e.to_string().is_empty()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ops_travel_by_name_and_refuse_unknown_names_and_fields() {
        let json = r#"{"seq":1,"made_at":"2026-11-23T10:00:00Z","op":{"name":"account.create","args":{"id":"0190f5b4-7c1a-7cc2-8f3e-0d6b5b1e2a10","name":"ACME"}}}"#;
        let m: Mutation = serde_json::from_str(json).expect("a valid mutation");
        assert_eq!(m.op.name(), "account.create");
        let back = serde_json::to_string(&m).expect("serialise");
        assert_eq!(serde_json::from_str::<Mutation>(&back).expect("round trip"), m);

        let unknown = json.replace("account.create", "account.explode");
        assert!(serde_json::from_str::<Mutation>(&unknown).is_err(), "unknown mutation names are refused");
        let extra = json.replace(r#""name":"ACME""#, r#""name":"ACME","colour":"red""#);
        assert!(serde_json::from_str::<Mutation>(&extra).is_err(), "unknown fields are refused");
        let bad = json.replace(r#""name":"ACME""#, r#""name":"ACME","email":"nope""#);
        let err = serde_json::from_str::<Mutation>(&bad).expect_err("invalid e-mail");
        assert!(err.to_string().contains("e-mail"), "the error says what is wrong: {err}");
    }

    #[test]
    fn a_live_event_is_just_a_version_number() {
        let json = serde_json::to_string(&LiveEvent { version: Version(42) }).expect("serialise");
        assert_eq!(json, r#"{"version":42}"#, "the wire format devices parse");
        let later: LiveEvent = serde_json::from_str(r#"{"version":43,"hint":"x"}"#).expect("extra fields");
        assert_eq!(later.version, Version(43), "a newer server may add fields; older devices still read the version");
    }

    #[test]
    fn secrets_do_not_show_in_debug_output() {
        let req = LoginRequest {
            user: "anna".into(),
            password: Secret::new("hunter2"),
            device_id: DeviceId(Uuid::nil()),
            device_name: None,
        };
        assert!(!format!("{req:?}").contains("hunter2"));
    }
}
