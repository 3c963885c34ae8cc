//! Order-to-cash on the wire: the mutations of the back office and the documents they produce.
//!
//! ERP records travel as **documents**: one typed value per record (an order with its lines, an
//! invoice with its lines and totals), versioned like every other change. Documents follow their
//! state machines, so a mutation names a transition (`order.confirm`) rather than new field
//! values; the server decides the outcome (credit, stock, numbers) and the device sees it in
//! the next pull.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use tandem_core::catalog::{CustomerTerms, PriceList, Product};
use tandem_core::company::{CompanySettings, RateEntry};
use tandem_core::crm::activity::Activity;
use tandem_core::crm::contract::Contract;
use tandem_core::crm::deal::{Deal, DealInput, LostReason, NewDeal};
use tandem_core::crm::lead::{ConvertPlan, DisqualifyReason, Lead, LeadInput, NewLead};
use tandem_core::crm::pipeline::{Pipeline, StageName};
use tandem_core::crm::profile::{Profile, ProfileInput, ProfileTarget};
use tandem_core::crm::quote::{NewQuote, Quote};
use tandem_core::crm::settings::CrmSettings;
use tandem_core::id::{ActivityId, ContractId, DealId, LeadId, PipelineId, QuoteId, QuoteLineId};
use tandem_core::invoice::Invoice;
use tandem_core::ledger::JournalEntry;
use tandem_core::order::{Delivery, NewOrder, SalesOrder};
use tandem_core::payment::Payment;
use tandem_core::stock::{StockLevel, StockMove, Warehouse};
use tandem_core::Territory;
use tandem_core::{
    AccountId, Currency, DeliveryId, FxRate, InvoiceId, Note, OrderId, PaymentId, ProductId, Quantity, QuantityDelta,
    WarehouseId,
};
use uuid::Uuid;

/// One ERP record as every store holds it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "data", rename_all = "snake_case")]
pub enum Doc {
    Settings(CompanySettings),
    Rate(RateEntry),
    Product(Product),
    PriceList(PriceList),
    Terms(CustomerTerms),
    Warehouse(Warehouse),
    Stock(StockLevel),
    Move(StockMove),
    Order(SalesOrder),
    Delivery(Delivery),
    Invoice(Invoice),
    Payment(Payment),
    Journal(JournalEntry),
    /// CRM (protocol 4): a sales pipeline with its stages.
    Pipeline(Pipeline),
    /// CRM (protocol 4): a deal of a customer.
    Deal(Deal),
    /// CRM (protocol 4): a prospect, seen in its territory.
    Lead(Lead),
    /// CRM (protocol 4): a call, meeting, task, e-mail or note on an account (or a lead).
    Activity(Activity),
    /// CRM (protocol 4): a quote to a customer.
    Quote(Quote),
    /// CRM (protocol 4): a customer's contract with its renewal terms.
    Contract(Contract),
    /// CRM (protocol 4): custom fields and lead scoring rules (one record).
    CrmSettings(CrmSettings),
    /// CRM (protocol 5): the owner, tags and custom values of an account or a contact.
    Profile(Profile),
}

/// Who may see a kind of document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reach {
    /// Reference data: everyone (products, prices, stock levels, rates, settings).
    Everyone,
    /// Whoever sees the customer account (orders, deliveries, invoices, payments, terms).
    Customer(AccountId),
    /// The back office only (the journal, stock moves): never a sales rep.
    Internal,
    /// Whoever sees the territory (leads); none: managers and the back office only, like an
    /// account without a territory.
    Territory(Option<Territory>),
}

impl Doc {
    pub fn kind(&self) -> &'static str {
        match self {
            Doc::Settings(_) => "settings",
            Doc::Rate(_) => "rate",
            Doc::Product(_) => "product",
            Doc::PriceList(_) => "price_list",
            Doc::Terms(_) => "terms",
            Doc::Warehouse(_) => "warehouse",
            Doc::Stock(_) => "stock",
            Doc::Move(_) => "move",
            Doc::Order(_) => "order",
            Doc::Delivery(_) => "delivery",
            Doc::Invoice(_) => "invoice",
            Doc::Payment(_) => "payment",
            Doc::Journal(_) => "journal",
            Doc::Pipeline(_) => "pipeline",
            Doc::Deal(_) => "deal",
            Doc::Lead(_) => "lead",
            Doc::Activity(_) => "activity",
            Doc::Quote(_) => "quote",
            Doc::Contract(_) => "contract",
            Doc::CrmSettings(_) => "crm_settings",
            Doc::Profile(_) => "profile",
        }
    }

    /// The record's id (one id space across kinds: UUIDs, or derived ones for levels and rates).
    pub fn id(&self) -> Uuid {
        match self {
            Doc::Settings(_) => CompanySettings::ID,
            Doc::Rate(r) => RateEntry::id_of(r.currency, r.date),
            Doc::Product(p) => p.id.as_uuid(),
            Doc::PriceList(p) => p.id.as_uuid(),
            Doc::Terms(t) => terms_id(t.account),
            Doc::Warehouse(w) => w.id.as_uuid(),
            Doc::Stock(s) => StockLevel::id_of(s.product, s.warehouse),
            Doc::Move(m) => m.id,
            Doc::Order(o) => o.id.as_uuid(),
            Doc::Delivery(d) => d.id.as_uuid(),
            Doc::Invoice(i) => i.id.as_uuid(),
            Doc::Payment(p) => p.id.as_uuid(),
            Doc::Journal(j) => j.id().as_uuid(),
            Doc::Pipeline(p) => p.id.as_uuid(),
            Doc::Deal(d) => d.id.as_uuid(),
            Doc::Lead(l) => l.id.as_uuid(),
            Doc::Activity(a) => a.id.as_uuid(),
            Doc::Quote(q) => q.id.as_uuid(),
            Doc::Contract(c) => c.id.as_uuid(),
            Doc::CrmSettings(_) => CrmSettings::ID,
            Doc::Profile(p) => p.id,
        }
    }

    pub fn reach(&self) -> Reach {
        match self {
            Doc::Settings(_)
            | Doc::Rate(_)
            | Doc::Product(_)
            | Doc::Warehouse(_)
            | Doc::Stock(_)
            | Doc::Pipeline(_)
            | Doc::CrmSettings(_) => Reach::Everyone,
            Doc::Deal(d) => Reach::Customer(d.account),
            Doc::Lead(l) => Reach::Territory(l.territory.clone()),
            Doc::Quote(q) => Reach::Customer(q.account),
            Doc::Contract(c) => Reach::Customer(c.account),
            Doc::Profile(p) => Reach::Customer(p.account),
            Doc::Activity(a) => match a.links.account {
                Some(account) => Reach::Customer(account),
                None => Reach::Territory(a.links.territory.clone()),
            },
            Doc::PriceList(p) => p.customer.map_or(Reach::Everyone, Reach::Customer),
            Doc::Terms(t) => Reach::Customer(t.account),
            Doc::Order(o) => Reach::Customer(o.account),
            Doc::Delivery(d) => Reach::Customer(d.account),
            Doc::Invoice(i) => Reach::Customer(i.account),
            Doc::Payment(p) => Reach::Customer(p.account),
            Doc::Move(_) | Doc::Journal(_) => Reach::Internal,
        }
    }

    /// The protocol a device must speak to receive this kind.
    pub fn since_protocol(&self) -> u32 {
        Self::kind_since_protocol(self.kind())
    }

    /// [`Doc::since_protocol`] of the kind named `kind` (as [`Doc::kind`] names it), for a
    /// server that passes stored documents through without decoding them.
    pub fn kind_since_protocol(kind: &str) -> u32 {
        match kind {
            "pipeline" | "deal" | "lead" | "activity" | "quote" | "contract" => 4,
            "profile" => 5,
            _ => 3,
        }
    }

    /// What the document still counts against its customer's credit (the tandem-core rules):
    /// a confirmed order not yet invoiced, an unsettled invoice (or credit note, negative).
    pub fn open_amount(&self) -> Option<rust_decimal::Decimal> {
        match self {
            Doc::Order(o) => Some(o.open_amount()).filter(|a| !a.is_zero()),
            Doc::Invoice(i) if i.is_open() => Some(i.signed(i.residual)),
            _ => None,
        }
    }

    /// The document as it is once account `from` is merged into `to`: the CRM records of the
    /// customer (deals, quotes, contracts, activities, customer price lists, a contact's profile)
    /// follow the surviving account. `None`: the document does not name `from`, or it is one a
    /// merge does not move (business documents keep their customer; see `account.merge`).
    pub fn moved_to_account(&self, from: AccountId, to: AccountId) -> Option<Doc> {
        let mut d = self.clone();
        let account = match &mut d {
            Doc::Deal(x) => &mut x.account,
            Doc::Quote(x) => &mut x.account,
            Doc::Contract(x) => &mut x.account,
            Doc::Activity(x) => x.links.account.as_mut()?,
            Doc::PriceList(x) => x.customer.as_mut()?,
            Doc::Profile(x) if x.entity == tandem_core::crm::CrmEntity::Contact => &mut x.account,
            _ => return None,
        };
        if *account != from {
            return None;
        }
        *account = to;
        Some(d)
    }

    /// A secondary unique key within the kind (a product's SKU, a warehouse's code).
    pub fn key(&self) -> Option<String> {
        match self {
            Doc::Product(p) => Some(p.sku.to_string()),
            Doc::Warehouse(w) => Some(w.code.to_string()),
            _ => None,
        }
    }
}

/// The id of a customer's terms record (one per account, the same on every device).
pub fn terms_id(account: AccountId) -> Uuid {
    Uuid::new_v5(&Uuid::NAMESPACE_OID, format!("terms/{account}").as_bytes())
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StockReceive {
    /// The id of the stock move it makes.
    pub id: Uuid,
    pub product: ProductId,
    pub warehouse: WarehouseId,
    pub qty: Quantity,
    /// Per unit, company currency.
    pub unit_cost: Decimal,
    pub date: NaiveDate,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StockTransfer {
    pub id: Uuid,
    pub product: ProductId,
    pub from: WarehouseId,
    pub to: WarehouseId,
    pub qty: Quantity,
    pub date: NaiveDate,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StockAdjust {
    pub id: Uuid,
    pub product: ProductId,
    pub warehouse: WarehouseId,
    pub delta: QuantityDelta,
    pub date: NaiveDate,
    pub reason: Note,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderRef {
    pub id: OrderId,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderCancel {
    pub id: OrderId,
    pub reason: Note,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliverLine {
    pub product: ProductId,
    pub qty: Quantity,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderDeliver {
    pub id: OrderId,
    pub delivery: DeliveryId,
    pub date: NaiveDate,
    /// Only these (else everything that can ship now).
    #[serde(default)]
    pub lines: Option<Vec<DeliverLine>>,
    #[serde(default)]
    pub carrier: Option<Note>,
    #[serde(default)]
    pub tracking: Option<Note>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvoiceCreate {
    pub id: InvoiceId,
    pub order: OrderId,
    pub date: NaiveDate,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvoiceRef {
    pub id: InvoiceId,
}

/// `invoice.post_many`: draft invoices to post together, all or none (at most
/// `tandem_core::invoice::MAX_PER_POSTING`). They are numbered in the order of their dates
/// (then ids), so numbers follow dates within a batch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvoiceRefs {
    pub ids: Vec<InvoiceId>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvoiceCreditNote {
    /// The new credit note.
    pub id: InvoiceId,
    pub invoice: InvoiceId,
    pub date: NaiveDate,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentRecord {
    pub id: PaymentId,
    pub account: AccountId,
    pub amount: Decimal,
    pub currency: Currency,
    pub date: NaiveDate,
    /// Allocate to these invoices, in this order (none named: the oldest open ones first).
    #[serde(default)]
    pub invoices: Vec<InvoiceId>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentRefund {
    pub id: PaymentId,
    pub account: AccountId,
    pub amount: Decimal,
    pub currency: Currency,
    pub date: NaiveDate,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetRate {
    pub currency: Currency,
    pub date: NaiveDate,
    pub rate: FxRate,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockPeriod {
    /// Nothing may be posted on or before this date.
    pub date: NaiveDate,
}

/// `order.create` carries the typed new order from tandem-core.
pub type OrderCreate = NewOrder;

/// `deal.create`: a new deal, created on `on` (the device's day, kept for a replay).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DealCreate {
    pub deal: NewDeal,
    pub on: NaiveDate,
}

/// `deal.move`: to a stage (of another pipeline, if named), on `on`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DealMove {
    pub id: DealId,
    #[serde(default)]
    pub pipeline: Option<PipelineId>,
    pub stage: StageName,
    #[serde(default)]
    pub lost_reason: Option<LostReason>,
    pub on: NaiveDate,
}

/// `lead.import`: leads from a form (one) or a CSV file (many), all or nothing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeadImport {
    pub leads: Vec<NewLead>,
    pub on: NaiveDate,
}

/// The steps of a lead before conversion.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "step", content = "reason")]
pub enum LeadStep {
    Work,
    Qualify,
    Disqualify(DisqualifyReason),
    Reopen,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeadSetStatus {
    pub id: LeadId,
    pub step: LeadStep,
}

/// `lead.convert`: the lead becomes the plan's account, contact and deal. A new account and
/// contact travel as `account.create` and `contact.add` just before it (the plan then names
/// them as existing), so the server applies each through its own rules.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeadConvert {
    pub id: LeadId,
    pub plan: ConvertPlan,
    pub on: NaiveDate,
}

/// `activity.complete`, `activity.reminded`: a time on an activity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActivityAt {
    pub id: ActivityId,
    pub at: chrono::NaiveDateTime,
}

/// `activity.reschedule`: a new due time (and reminder).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActivityReschedule {
    pub id: ActivityId,
    pub due: chrono::NaiveDateTime,
    #[serde(default)]
    pub reminder: Option<chrono::NaiveDateTime>,
}

/// `quote.create` and `quote.update`: priced on `on` by the order rules.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuoteSave {
    pub quote: NewQuote,
    pub on: NaiveDate,
}

/// The steps of a quote: approval asked, granted or refused (by a sales manager, on any
/// device), sent, rejected by the customer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "step", content = "reason")]
pub enum QuoteStep {
    RequestApproval(Option<Note>),
    Approve,
    RefuseApproval(Note),
    Send,
    Reject,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuoteTransition {
    pub id: QuoteId,
    pub step: QuoteStep,
    pub on: NaiveDate,
}

/// `quote.accept`: the customer takes the quote (with the optional lines in `selected`); it
/// becomes the draft sales order `order`, and order to cash takes over.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuoteAccept {
    pub id: QuoteId,
    pub order: OrderId,
    #[serde(default)]
    pub selected: Vec<QuoteLineId>,
    pub on: NaiveDate,
}

/// The steps of a contract.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "step", content = "next")]
pub enum ContractStep {
    /// Renewed into the contract `next` (the next term).
    Renew(ContractId),
    GiveNotice,
    Cancel,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContractTransition {
    pub id: ContractId,
    pub step: ContractStep,
    pub on: NaiveDate,
}

/// `contract.renewal_deal`: opens the renewal deal of a contract due one. Its id is derived
/// from the contract, so devices that open it at the same time open one deal; a contract that
/// already has one is left as it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContractRenewalDeal {
    pub id: ContractId,
    pub deal: DealId,
    pub pipeline: PipelineId,
    pub on: NaiveDate,
}

/// The renewal deal's id of a contract (the same on every device).
pub fn renewal_deal_id(contract: ContractId) -> DealId {
    DealId::from_uuid(Uuid::new_v5(&Uuid::NAMESPACE_OID, format!("renewal/{contract}").as_bytes()))
}

/// `deal.update`: the touched fields of a deal form (owner, amount, close date, name, team,
/// custom fields), checked by the same rule on device and server. The stage moves by
/// `deal.move` only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DealUpdate {
    pub id: DealId,
    pub input: DealInput,
}

/// `lead.update`: the touched fields of a lead form (owner, territory, contact data, custom).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeadUpdate {
    pub id: LeadId,
    pub input: LeadInput,
}

/// `profile.update`: an edit of the owner, tags or custom values of an account or a contact
/// (raw text, checked by the same rule on the device and the server).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileUpdate {
    pub target: ProfileTarget,
    pub input: ProfileInput,
}

/// `account.merge`: account `merged` is folded into `keep`. Its contacts and CRM records move to
/// `keep`, blank fields of `keep` are filled from it, tags and custom values are combined, a
/// note on `keep`'s timeline (`note`, the activity's id) records the merge, and `merged` is
/// deleted. The server decides it; a customer with orders, invoices or payments is never the
/// one merged away.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountMerge {
    pub keep: AccountId,
    pub merged: AccountId,
    pub note: ActivityId,
}

/// What an `account.merge` writes besides the two accounts and the contacts: the same plan on
/// the device (optimistically) and on the server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MergePlan {
    /// The kept account with the blanks the merged one filled.
    pub survivor: tandem_core::Account,
    /// Documents moved to the surviving account, its combined profile, moved terms, the note.
    pub writes: Vec<Doc>,
    /// Documents of the merged account that go (its profile, its terms).
    pub deletes: Vec<Doc>,
}

/// Plans the documents of a merge from the merged account's live documents. Refused when one of
/// them cannot move (a customer's orders, invoices or payments stay with their customer: merge
/// the other way round).
#[allow(clippy::too_many_arguments)]
pub fn plan_merge(
    m: &AccountMerge,
    keep: &tandem_core::Account,
    merged: &tandem_core::Account,
    contacts: usize,
    merged_docs: Vec<Doc>,
    keep_profile: Option<&Profile>,
    keep_has_terms: bool,
    by: tandem_core::crm::UserName,
    at: chrono::NaiveDateTime,
) -> Result<MergePlan, tandem_core::RuleError> {
    use tandem_core::crm::profile::{self, MergeCounts};
    let survivor = profile::merge_accounts(keep, merged)?;
    let refuse = |what: String| tandem_core::RuleError::Invalid(tandem_core::FieldError::new("merge", what).into());
    let mut counts = MergeCounts { contacts, ..Default::default() };
    let mut plan = MergePlan { survivor, writes: Vec::new(), deletes: Vec::new() };
    let mut merged_profile = None;
    for d in merged_docs {
        match &d {
            Doc::Order(_) | Doc::Invoice(_) | Doc::Payment(_) | Doc::Delivery(_) => {
                return Err(refuse(format!(
                    "\"{}\" has orders, invoices or payments on record: keep it and merge \"{}\" into it",
                    merged.name, keep.name
                )))
            }
            Doc::Profile(p) if p.id == m.merged.as_uuid() => {
                merged_profile = Some(p.clone());
                plan.deletes.push(d);
                continue;
            }
            Doc::Terms(t) => {
                if !keep_has_terms {
                    plan.writes.push(Doc::Terms(CustomerTerms { account: m.keep, ..t.clone() }));
                }
                plan.deletes.push(d);
                continue;
            }
            Doc::Deal(_) => counts.deals += 1,
            Doc::Quote(_) => counts.quotes += 1,
            Doc::Contract(_) => counts.contracts += 1,
            Doc::Activity(_) => counts.activities += 1,
            _ => {}
        }
        match d.moved_to_account(m.merged, m.keep) {
            Some(moved) => plan.writes.push(moved),
            None => {
                return Err(refuse(format!(
                    "\"{}\" has a {} that cannot move to another account",
                    merged.name,
                    d.kind()
                )))
            }
        }
    }
    if let Some(p) = profile::merge_profiles(keep_profile, merged_profile.as_ref(), m.keep) {
        plan.writes.push(Doc::Profile(p));
    }
    plan.writes.push(Doc::Activity(profile::merge_note(m.note, &plan.survivor, merged, by, counts, at)?));
    Ok(plan)
}
