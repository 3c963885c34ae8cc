//! Who sees and changes what: a sales rep works on the accounts of their territories (and what
//! hangs off them); managers, the back office, the warehouse and admins see every account.
//! The server enforces this on every push and filters every pull by it.

use crate::account::Account;
use crate::error::RuleError;
use crate::fields::Territory;
use std::collections::BTreeSet;

/// The roles whose view is limited to their territories.
pub const TERRITORIAL_ROLES: &[&str] = &["sales_rep"];

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Visibility {
    Everything,
    /// Only accounts in these territories (an account without a territory is not among them).
    Territories(BTreeSet<Territory>),
}

impl Visibility {
    pub fn for_role(role: &str, territories: impl IntoIterator<Item = Territory>) -> Self {
        if TERRITORIAL_ROLES.contains(&role) {
            Visibility::Territories(territories.into_iter().collect())
        } else {
            Visibility::Everything
        }
    }

    pub fn sees(&self, territory: Option<&Territory>) -> bool {
        match (self, territory) {
            (Visibility::Everything, _) => true,
            (Visibility::Territories(set), Some(t)) => set.contains(t),
            (Visibility::Territories(_), None) => false,
        }
    }

    /// The rule for writing an account: the user must see it before and after the change (a
    /// rep cannot create outside their territories, nor move an account out of them).
    pub fn may_write(&self, before: Option<&Account>, after: Option<&Account>) -> Result<(), RuleError> {
        for a in [before, after].into_iter().flatten() {
            if !self.sees(a.territory.as_ref()) {
                return Err(RuleError::Forbidden(self.outside(a)));
            }
        }
        Ok(())
    }

    /// The rule for writing under an account (its contacts): the account must be visible.
    pub fn may_write_under(&self, account: Option<&Account>) -> Result<(), RuleError> {
        match account {
            Some(a) if !self.sees(a.territory.as_ref()) => Err(RuleError::Forbidden(self.outside(a))),
            _ => Ok(()),
        }
    }

    fn outside(&self, a: &Account) -> String {
        let yours = match self {
            Visibility::Territories(set) if !set.is_empty() => {
                set.iter().map(Territory::as_str).collect::<Vec<_>>().join(", ")
            }
            _ => "none".to_owned(),
        };
        match &a.territory {
            Some(t) => format!("account \"{}\" is in territory {t}, outside your territories ({yours})", a.name),
            None => format!("account \"{}\" has no territory, so it is outside your territories ({yours})", a.name),
        }
    }
}

/// Does a user of `role` see the ledger (journal entries and the reports made from them)? Sales
/// reps do not: the server leaves the journal out of their feed, the device refuses the reports.
pub fn sees_ledger(role: &str) -> bool {
    !TERRITORIAL_ROLES.contains(&role)
}

/// The kinds of work in order-to-cash, each allowed to some roles only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Duty {
    /// Create, confirm and cancel orders; draft invoices.
    Sell,
    /// Receive, adjust and ship stock.
    Operate,
    /// Post invoices and credit notes, record payments and refunds, release held orders, set
    /// credit terms, exchange rates and the lock date.
    Account,
    /// Create products and price lists.
    Catalog,
    /// Approve quotes whose discounts are above the approval threshold.
    ApproveDiscounts,
    /// Define pipelines, custom fields and lead scoring rules.
    ConfigureCrm,
}

impl Duty {
    fn roles(&self) -> &'static [&'static str] {
        match self {
            Duty::Sell => &["admin", "sales_manager", "sales_rep", "back_office"],
            Duty::Operate => &["admin", "back_office", "warehouse"],
            Duty::Account => &["admin", "back_office"],
            Duty::Catalog => &["admin", "back_office", "sales_manager"],
            Duty::ApproveDiscounts => &["admin", "sales_manager"],
            Duty::ConfigureCrm => &["admin", "sales_manager"],
        }
    }

    fn describe(&self) -> &'static str {
        match self {
            Duty::Sell => "sell",
            Duty::Operate => "move stock",
            Duty::Account => "do accounting",
            Duty::Catalog => "change products and prices",
            Duty::ApproveDiscounts => "approve discounts",
            Duty::ConfigureCrm => "configure pipelines, custom fields and scoring",
        }
    }
}

/// May a user of `role` do `duty`?
pub fn may(role: &str, duty: Duty) -> Result<(), RuleError> {
    if duty.roles().contains(&role) {
        Ok(())
    } else {
        Err(RuleError::Forbidden(format!(
            "a {role} may not {} (roles that may: {})",
            duty.describe(),
            duty.roles().join(", ")
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AccountId, AccountName};

    fn account(t: Option<&str>) -> Account {
        Account {
            id: AccountId::from_uuid(uuid::Uuid::from_u128(1)),
            name: AccountName::parse("ACME").expect("name"),
            vat_id: None,
            email: None,
            phone: None,
            city: None,
            territory: t.map(|t| Territory::parse(t).expect("territory")),
        }
    }

    #[test]
    fn reps_see_and_change_only_their_territories() {
        let north = Visibility::for_role("sales_rep", [Territory::parse("North").expect("t")]);
        assert!(north.may_write(None, Some(&account(Some("North")))).is_ok());
        let e = north.may_write(None, Some(&account(Some("South")))).expect_err("outside");
        assert_eq!(e.code(), "forbidden");
        assert!(e.to_string().contains("territory South, outside your territories (North)"), "{e}");
        assert!(
            north.may_write(Some(&account(Some("North"))), Some(&account(Some("South")))).is_err(),
            "no moving out"
        );
        assert!(north.may_write(None, Some(&account(None))).is_err(), "an account without territory is not a rep's");
        assert!(north.may_write_under(Some(&account(Some("South")))).is_err());
    }

    #[test]
    fn other_roles_see_everything() {
        for role in ["admin", "sales_manager", "back_office", "warehouse"] {
            let v = Visibility::for_role(role, []);
            assert!(v.may_write(Some(&account(None)), Some(&account(Some("South")))).is_ok(), "{role}");
        }
    }
}
