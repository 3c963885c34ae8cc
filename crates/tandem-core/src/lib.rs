//! Tandem's business: typed values and the rules that change records.
//!
//! Nothing here does I/O or reads a clock. The device applies these rules optimistically and the
//! server applies the very same rules authoritatively, so a rule is written once.

pub mod account;
pub mod catalog;
pub mod company;
pub mod conflict;
pub mod contact;
pub mod crm;
pub mod demo;
pub mod error;
pub mod fields;
pub mod id;
pub mod invoice;
pub mod ledger;
pub mod money;
pub mod order;
pub mod patch;
pub mod payment;
pub mod pricing;
pub mod scope;
pub mod stock;

pub use account::{Account, AccountInput, AccountPatch, NewAccount};
pub use contact::{Contact, ContactInput, ContactPatch, NewContact};
// The CRM: leads, deals and pipelines, forecast, activities, quotes, contracts, imports.
pub use crm::activity::{Activity, ActivityInput, ActivityKind, Body, CalendarDay, Links, Subject};
pub use crm::contract::{BillingPeriod, Contract, ContractInput, ContractStatus, RenewalTerms};
pub use crm::csv::{ColumnMapping, ImportContext, ImportError, ImportErrors, ImportRecord, ParsedRow, Target};
pub use crm::custom::{CustomValue, CustomValues, FieldDef, FieldKey, FieldKind, FieldLabel};
pub use crm::deal::{Deal, DealInput, LostReason, NewDeal};
pub use crm::eml::{parse_eml, EmailMessage, Mailbox};
pub use crm::forecast::{Forecast, ForecastOptions, ForecastRow, Granularity, GroupBy, RowGroup};
pub use crm::lead::{
    AccountChoice, ContactChoice, Conversion, ConvertPlan, DisqualifyReason, DuplicateMatch, Lead, LeadInput,
    LeadSource, LeadStatus, NewLead,
};
pub use crm::pipeline::{ForecastCategory, Outcome, Pipeline, Stage, StageName};
pub use crm::quote::{NewQuote, NewQuoteItem, NewQuoteLine, Quote, QuoteLine, QuoteStatus};
pub use crm::scoring::{Condition, Score, ScorePart, ScoringRule};
pub use crm::{CrmEntity, Team, UserName};
pub use error::{FieldError, RuleError, ValidationErrors};
pub use fields::{
    AccountName, City, Email, ItemName, Note, PersonName, Phone, Sku, Territory, Unit, VatId, WarehouseCode,
};
pub use id::{
    AccountId, ActivityId, ContactId, ContractId, DealId, DeliveryId, FieldDefId, InvoiceId, JournalEntryId, LeadId,
    OrderId, OrderLineId, PaymentId, PipelineId, PriceListId, ProductId, QuoteId, QuoteLineId, ScoringRuleId,
    WarehouseId,
};
pub use money::{Currency, FxRate, Money, Percent, Quantity, QuantityDelta, TaxRate};
pub use patch::Patch;
pub use scope::Visibility;

/// What a store holds under an id: the rules decide differently for each case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Existing<T> {
    /// Never seen.
    Missing,
    /// Deleted (a tombstone remains).
    Deleted,
    Live(T),
}

impl<T> Existing<T> {
    /// The live record, or the rule error for a missing or deleted one.
    pub fn live(self, entity: &'static str, id: String) -> Result<T, RuleError> {
        match self {
            Existing::Live(v) => Ok(v),
            Existing::Deleted => Err(RuleError::Deleted { entity, id }),
            Existing::Missing => Err(RuleError::NotFound { entity, id }),
        }
    }

    pub fn as_ref(&self) -> Existing<&T> {
        match self {
            Existing::Live(v) => Existing::Live(v),
            Existing::Deleted => Existing::Deleted,
            Existing::Missing => Existing::Missing,
        }
    }
}
