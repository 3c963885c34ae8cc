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
pub use error::{FieldError, RuleError, ValidationErrors};
pub use fields::{
    AccountName, City, Email, ItemName, Note, PersonName, Phone, Sku, Territory, Unit, VatId, WarehouseCode,
};
pub use id::{
    AccountId, ContactId, DeliveryId, InvoiceId, JournalEntryId, OrderId, OrderLineId, PaymentId, PriceListId,
    ProductId, WarehouseId,
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
