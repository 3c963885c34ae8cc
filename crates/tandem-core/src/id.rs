//! One typed id per entity: a UUIDv7 born where the record is born, offline too.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// Wraps a UUID made by the caller (a UUIDv7 where the record is born: the core reads
            /// no clock and makes no randomness).
            pub fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = crate::error::FieldError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s.trim()).map(Self).map_err(|_| {
                    crate::error::FieldError::new("id", format!("{s:?} is not a valid id (expected a UUID)"))
                })
            }
        }
    };
}

typed_id!(
    /// A company we sell to.
    AccountId
);
typed_id!(
    /// A person at an account.
    ContactId
);
typed_id!(
    /// A product or service we sell.
    ProductId
);
typed_id!(
    /// A price list (per currency, optionally for one customer).
    PriceListId
);
typed_id!(
    /// A place where stock is kept.
    WarehouseId
);
typed_id!(
    /// A sales order.
    OrderId
);
typed_id!(
    /// One line of a sales order.
    OrderLineId
);
typed_id!(
    /// A shipment of (part of) a sales order.
    DeliveryId
);
typed_id!(
    /// An invoice or a credit note.
    InvoiceId
);
typed_id!(
    /// A payment received from (or refunded to) a customer.
    PaymentId
);
typed_id!(
    /// A double-entry journal entry.
    JournalEntryId
);

typed_id!(
    /// A prospect not yet qualified into an account, a contact and a deal.
    LeadId
);
typed_id!(
    /// A sales opportunity in a pipeline.
    DealId
);
typed_id!(
    /// A sales pipeline with its admin-defined stages.
    PipelineId
);
typed_id!(
    /// A call, meeting, task, e-mail or note.
    ActivityId
);
typed_id!(
    /// A quote (an offer to a customer).
    QuoteId
);
typed_id!(
    /// One line of a quote (an item, a bundle or a bundle's component).
    QuoteLineId
);
typed_id!(
    /// A contract with a term and renewal rules.
    ContractId
);
typed_id!(
    /// An admin-defined custom field.
    FieldDefId
);
typed_id!(
    /// A lead scoring rule.
    ScoringRuleId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_from_uuid_text_and_refuse_garbage() {
        let id: AccountId = "0190f5b4-7c1a-7cc2-8f3e-0d6b5b1e2a10".parse().expect("a v7 uuid parses");
        assert_eq!(id.to_string(), "0190f5b4-7c1a-7cc2-8f3e-0d6b5b1e2a10");
        let err = "not-an-id".parse::<ContactId>().expect_err("garbage must be refused");
        assert!(err.message.contains("not a valid id"), "the message says what is wrong: {err}");
    }
}
