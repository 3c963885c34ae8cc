//! Contracts and their renewals, and repeat orders.
//!
//! A contract runs from `start` to `end` (both included). Its renewal terms say whether it
//! renews by itself (`auto_renew`) for another `term_months`, how many days before the end
//! notice must be given (`notice_days`), and how many days before the end a renewal deal is
//! opened for the account manager (`renewal_lead_days`). At the end of a term an auto-renewing
//! contract becomes a new contract for the next term (the old one is "renewed"); otherwise it
//! ends. Notice given after the notice deadline is refused: the contract renews once more.

use super::deal::{self, Deal, NewDeal};
use super::pipeline::Pipeline;
use super::{invalid, parse_date, UserName};
use crate::error::{FieldError, RuleError, ValidationErrors};
use crate::fields::ItemName;
use crate::id::{AccountId, ContractId, DealId, OrderId, OrderLineId};
use crate::money::{Currency, Money};
use crate::order::{NewOrder, NewOrderLine, SalesOrder};
use crate::Existing;
use chrono::{Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BillingPeriod {
    Monthly,
    Quarterly,
    Yearly,
    Once,
}

impl BillingPeriod {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        match raw.trim().to_lowercase().as_str() {
            "monthly" => Ok(BillingPeriod::Monthly),
            "quarterly" => Ok(BillingPeriod::Quarterly),
            "yearly" | "annually" => Ok(BillingPeriod::Yearly),
            "once" => Ok(BillingPeriod::Once),
            _ => Err(FieldError::new(
                "billing",
                format!("{:?} is not a billing period (monthly, quarterly, yearly, once)", raw.trim()),
            )),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RenewalTerms {
    pub auto_renew: bool,
    /// Length of a term (1–120 months).
    pub term_months: u32,
    /// Notice must be given at least this many days before the end.
    pub notice_days: u32,
    /// A renewal deal is opened this many days before the end.
    pub renewal_lead_days: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContractStatus {
    Active,
    /// Followed by the contract of the next term.
    Renewed,
    Ended,
    Cancelled,
}

impl ContractStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            ContractStatus::Active => "active",
            ContractStatus::Renewed => "renewed",
            ContractStatus::Ended => "ended",
            ContractStatus::Cancelled => "cancelled",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contract {
    pub id: ContractId,
    pub account: AccountId,
    pub name: ItemName,
    pub start: NaiveDate,
    /// The last day (included).
    pub end: NaiveDate,
    /// The value of one term.
    pub value: Money,
    #[serde(default)]
    pub billing: Option<BillingPeriod>,
    pub renewal: RenewalTerms,
    /// The order the contract came from.
    #[serde(default)]
    pub source_order: Option<OrderId>,
    #[serde(default)]
    pub renewal_deal: Option<DealId>,
    /// The contract of the previous term.
    #[serde(default)]
    pub previous: Option<ContractId>,
    pub status: ContractStatus,
    #[serde(default)]
    pub notice_given_on: Option<NaiveDate>,
    #[serde(default)]
    pub cancelled_on: Option<NaiveDate>,
}

/// Raw text of a contract form. Blank end: start + one term; blank terms: 12 months, 30 days'
/// notice, renewal deal 60 days ahead, no automatic renewal.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContractInput {
    pub name: Option<String>,
    pub start: Option<String>,
    pub end: Option<String>,
    pub value: Option<String>,
    pub currency: Option<String>,
    pub billing: Option<String>,
    pub auto_renew: Option<bool>,
    pub term_months: Option<String>,
    pub notice_days: Option<String>,
    pub renewal_lead_days: Option<String>,
}

fn parse_count(field: &str, raw: Option<&str>, default: u32, max: u32) -> Result<u32, FieldError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(default),
        Some(s) => s
            .parse::<u32>()
            .ok()
            .filter(|n| *n <= max)
            .ok_or_else(|| FieldError::new(field, format!("{s:?} is not a whole number from 0 to {max}"))),
    }
}

/// The last day of a term of `months` starting on `start`.
fn term_end(start: NaiveDate, months: u32) -> Option<NaiveDate> {
    start.checked_add_months(Months::new(months))?.checked_sub_days(Days::new(1))
}

impl Contract {
    /// Parses a contract form, every bad field at once; `company` is the default currency.
    pub fn parse(
        id: ContractId,
        account: AccountId,
        input: &ContractInput,
        company: Currency,
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let text = |o: &Option<String>| o.as_deref().unwrap_or("").to_owned();
        let name = errors.take(ItemName::parse(&text(&input.name)));
        let start = errors.take(parse_date("start", &text(&input.start)));
        let currency = errors.take(match input.currency.as_deref().map(str::trim) {
            None | Some("") => Ok(company),
            Some(c) => Currency::parse(c),
        });
        let value = currency.and_then(|c| {
            errors.take(c.parse_amount("value", &text(&input.value)).and_then(|v| {
                if v.is_sign_negative() {
                    Err(FieldError::new("value", format!("{v} is negative")))
                } else {
                    Ok(Money::new(v, c))
                }
            }))
        });
        let billing = errors.take(crate::fields::optional(input.billing.as_deref(), BillingPeriod::parse));
        let term_months =
            errors.take(parse_count("term_months", input.term_months.as_deref(), 12, 120).and_then(|m| {
                if m == 0 {
                    Err(FieldError::new("term_months", "a term is at least 1 month"))
                } else {
                    Ok(m)
                }
            }));
        let notice_days = errors.take(parse_count("notice_days", input.notice_days.as_deref(), 30, 365));
        let lead_days = errors.take(parse_count("renewal_lead_days", input.renewal_lead_days.as_deref(), 60, 365));
        let end = match (start, term_months, input.end.as_deref().map(str::trim)) {
            (Some(s), Some(m), None | Some("")) => term_end(s, m),
            (_, _, Some(e)) if !e.is_empty() => errors.take(parse_date("end", e)),
            _ => None,
        };
        if let (Some(s), Some(e)) = (start, end) {
            if e < s {
                errors.push(FieldError::new("end", format!("{e} is before the start {s}")));
            }
        }
        match (name, start, end, value, billing, term_months, notice_days, lead_days) {
            (
                Some(name),
                Some(start),
                Some(end),
                Some(value),
                Some(billing),
                Some(term_months),
                Some(notice_days),
                Some(lead_days),
            ) if errors.is_empty() => Ok(Contract {
                id,
                account,
                name,
                start,
                end,
                value,
                billing,
                renewal: RenewalTerms {
                    auto_renew: input.auto_renew.unwrap_or(false),
                    term_months,
                    notice_days,
                    renewal_lead_days: lead_days,
                },
                source_order: None,
                renewal_deal: None,
                previous: None,
                status: ContractStatus::Active,
                notice_given_on: None,
                cancelled_on: None,
            }),
            _ => Err(errors),
        }
    }

    /// The last day notice may be given.
    pub fn notice_deadline(&self) -> NaiveDate {
        self.end.checked_sub_days(Days::new(u64::from(self.renewal.notice_days))).unwrap_or(self.end)
    }

    /// The day the renewal deal is due.
    pub fn renewal_date(&self) -> NaiveDate {
        self.end.checked_sub_days(Days::new(u64::from(self.renewal.renewal_lead_days))).unwrap_or(self.end)
    }

    fn refuse_unless_active(&self, action: &str) -> Result<(), RuleError> {
        if self.status == ContractStatus::Active {
            Ok(())
        } else {
            Err(RuleError::WrongState(format!(
                "contract \"{}\" is {}: it cannot be {action}",
                self.name,
                self.status.as_str()
            )))
        }
    }
}

impl Contract {
    /// A new contract as it arrives over the network: active, a term that ends after it starts,
    /// a value not below zero, no renewal yet.
    pub fn check_new(&self) -> Result<(), RuleError> {
        if self.end < self.start {
            return Err(invalid("end", format!("{} is before the start {}", self.end, self.start)));
        }
        if self.value.amount.is_sign_negative() {
            return Err(invalid("value", format!("{} is negative", self.value)));
        }
        if self.status != ContractStatus::Active || self.renewal_deal.is_some() || self.previous.is_some() {
            return Err(invalid("status", "a new contract is active, with no renewal yet"));
        }
        Ok(())
    }
}

/// Active contracts that are due a renewal deal (their renewal date has come and none was
/// opened yet), soonest end first.
pub fn renewals_due(contracts: &[Contract], today: NaiveDate) -> Vec<&Contract> {
    let mut due: Vec<&Contract> = contracts
        .iter()
        .filter(|c| c.status == ContractStatus::Active && c.renewal_deal.is_none() && c.renewal_date() <= today)
        .collect();
    due.sort_by_key(|c| (c.end, c.id));
    due
}

/// Opens the renewal deal of `contract` in `pipeline`'s first open stage: the value of a term,
/// expected to close by the contract's end. The contract records it.
pub fn renewal_deal(
    contract: &mut Contract,
    id: DealId,
    pipeline: &Pipeline,
    owner: UserName,
    today: NaiveDate,
) -> Result<Deal, RuleError> {
    contract.refuse_unless_active("renewed")?;
    if let Some(d) = contract.renewal_deal {
        return Err(RuleError::AlreadyExists { entity: "renewal deal", id: d.to_string() });
    }
    let next_start = contract.end.checked_add_days(Days::new(1)).unwrap_or(contract.end);
    let title: String = format!("Renewal: {} from {next_start}", contract.name).chars().take(200).collect();
    let new = NewDeal {
        id,
        name: ItemName::parse(&title).map_err(|e| RuleError::Invalid(e.into()))?,
        account: contract.account,
        contact: None,
        pipeline: pipeline.id,
        stage: None,
        amount: contract.value,
        expected_close: contract.end,
        owner,
        team: None,
        lost_reason: None,
        lead: None,
        renews: Some(contract.id),
        custom: Default::default(),
    };
    let deal = deal::create(Existing::Missing, &new, pipeline, today)?;
    contract.renewal_deal = Some(deal.id);
    Ok(deal)
}

/// The contract of the next term (same terms and value, starting the day after the end); the
/// current one becomes "renewed".
pub fn renew(contract: &mut Contract, next_id: ContractId) -> Result<Contract, RuleError> {
    contract.refuse_unless_active("renewed")?;
    let start = contract
        .end
        .checked_add_days(Days::new(1))
        .ok_or_else(|| invalid("end", "the contract ends at the end of the calendar"))?;
    let end = term_end(start, contract.renewal.term_months)
        .ok_or_else(|| invalid("end", "the next term ends past the end of the calendar"))?;
    let next = Contract {
        id: next_id,
        start,
        end,
        renewal_deal: None,
        previous: Some(contract.id),
        status: ContractStatus::Active,
        notice_given_on: None,
        cancelled_on: None,
        ..contract.clone()
    };
    contract.status = ContractStatus::Renewed;
    Ok(next)
}

/// Notice that the contract is not to renew: it runs to its end, then ends. Refused after the
/// notice deadline.
pub fn give_notice(contract: &mut Contract, today: NaiveDate) -> Result<(), RuleError> {
    contract.refuse_unless_active("given notice")?;
    if contract.renewal.auto_renew && today > contract.notice_deadline() {
        return Err(RuleError::WrongState(format!(
            "the notice period of \"{}\" ended on {} ({} days before the end on {}): it renews once more",
            contract.name,
            contract.notice_deadline(),
            contract.renewal.notice_days,
            contract.end
        )));
    }
    contract.renewal.auto_renew = false;
    contract.notice_given_on = Some(today);
    Ok(())
}

/// Ends a contract at once (a termination agreed with the customer).
pub fn cancel(contract: &mut Contract, today: NaiveDate) -> Result<(), RuleError> {
    contract.refuse_unless_active("cancelled")?;
    contract.status = ContractStatus::Cancelled;
    contract.cancelled_on = Some(today);
    Ok(())
}

/// What happens to an active contract after its end: renewed into `next_id` when it renews by
/// itself, otherwise ended. Nothing before the end (returns `None`, contract unchanged).
pub fn end_of_term(
    contract: &mut Contract,
    next_id: ContractId,
    today: NaiveDate,
) -> Result<Option<Contract>, RuleError> {
    if contract.status != ContractStatus::Active || today <= contract.end {
        return Ok(None);
    }
    if contract.renewal.auto_renew {
        renew(contract, next_id).map(Some)
    } else {
        contract.status = ContractStatus::Ended;
        Ok(None)
    }
}

/// The input of a new draft order with the lines of `order` (products, quantities, line and
/// order discounts, warehouse), dated `today`. Prices are not copied: `order.create` prices the
/// lines again from today's price lists.
pub fn repeat_order(
    order: &SalesOrder,
    id: OrderId,
    mut line_id: impl FnMut() -> OrderLineId,
    today: NaiveDate,
) -> NewOrder {
    NewOrder {
        id,
        account: order.account,
        date: today,
        warehouse: order.warehouse,
        discount: Some(order.discount),
        lines: order
            .lines
            .iter()
            .map(|l| NewOrderLine { id: line_id(), product: l.product, qty: l.qty, discount: Some(l.discount) })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crm::testkit::*;
    use crate::id::ProductId;
    use crate::money::{Percent, Quantity};
    use crate::order;
    use uuid::Uuid;

    fn cid(n: u128) -> ContractId {
        ContractId::from_uuid(Uuid::from_u128(0xC0 + n))
    }

    fn contract(auto: bool) -> Contract {
        let input = ContractInput {
            name: Some("Support 2026".into()),
            start: Some("2026-01-01".into()),
            value: Some("12000".into()),
            billing: Some("monthly".into()),
            auto_renew: Some(auto),
            notice_days: Some("90".into()),
            renewal_lead_days: Some("60".into()),
            ..Default::default()
        };
        Contract::parse(cid(1), account_id(1), &input, Currency::EUR).expect("valid")
    }

    #[test]
    fn a_form_defaults_the_term_and_reports_every_bad_field() {
        let c = contract(true);
        assert_eq!(
            (c.end, c.notice_deadline(), c.renewal_date()),
            (day("2026-12-31"), day("2026-10-02"), day("2026-11-01"))
        );
        let bad = ContractInput {
            name: Some("X".into()),
            start: Some("2026-05-01".into()),
            end: Some("2026-04-01".into()),
            value: Some("-1".into()),
            billing: Some("weekly".into()),
            term_months: Some("0".into()),
            ..Default::default()
        };
        let e = Contract::parse(cid(1), account_id(1), &bad, Currency::EUR).expect_err("bad");
        let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["value", "billing", "term_months", "end"], "{e}");
    }

    #[test]
    fn renewal_deals_are_due_lead_days_before_the_end_once() {
        let p = enterprise();
        let mut contracts = vec![contract(true)];
        assert!(renewals_due(&contracts, day("2026-10-31")).is_empty());
        assert_eq!(renewals_due(&contracts, day("2026-11-01")).len(), 1);
        let d = renewal_deal(&mut contracts[0], deal_id(1), &p, user("anna"), day("2026-11-01")).expect("deal");
        assert_eq!(d.name.as_str(), "Renewal: Support 2026 from 2027-01-01");
        assert_eq!(
            (d.amount.to_string(), d.expected_close, d.stage.as_str(), d.renews),
            ("12,000.00 EUR".into(), day("2026-12-31"), "Qualify", Some(cid(1)))
        );
        assert!(renewals_due(&contracts, day("2026-11-02")).is_empty(), "one renewal deal per term");
        assert_eq!(
            renewal_deal(&mut contracts[0], deal_id(2), &p, user("anna"), day("2026-11-02")).expect_err("twice").code(),
            "already_exists"
        );
    }

    #[test]
    fn at_the_end_a_contract_renews_or_ends_and_notice_has_a_deadline() {
        let mut c = contract(true);
        assert_eq!(end_of_term(&mut c, cid(2), day("2026-12-31")).expect("ok"), None, "not before the end");
        let next = end_of_term(&mut c, cid(2), day("2027-01-01")).expect("ok").expect("renewed");
        assert_eq!((next.start, next.end, next.previous), (day("2027-01-01"), day("2027-12-31"), Some(cid(1))));
        assert_eq!(c.status, ContractStatus::Renewed);
        assert!(renew(&mut c, cid(3))
            .expect_err("renewed already")
            .to_string()
            .contains("is renewed: it cannot be renewed"));

        let mut late = contract(true);
        let e = give_notice(&mut late, day("2026-10-03")).expect_err("too late");
        assert_eq!(e.to_string(), "the notice period of \"Support 2026\" ended on 2026-10-02 (90 days before the end on 2026-12-31): it renews once more");
        give_notice(&mut late, day("2026-10-02")).expect("on the deadline");
        assert_eq!(end_of_term(&mut late, cid(2), day("2027-01-01")).expect("ok"), None);
        assert_eq!(late.status, ContractStatus::Ended);
        let mut x = contract(false);
        cancel(&mut x, day("2026-06-01")).expect("terminated");
        assert_eq!(x.status, ContractStatus::Cancelled);
    }

    #[test]
    fn a_repeat_order_has_the_same_lines_priced_again() {
        let mut shop = Shop::new();
        let new = NewOrder {
            id: order_id(),
            account: account_id(1),
            date: day("2026-01-10"),
            warehouse: warehouse(),
            discount: Some(Percent::parse("3").expect("p")),
            lines: vec![NewOrderLine {
                id: OrderLineId::from_uuid(Uuid::from_u128(1)),
                product: product_id(1),
                qty: Quantity::parse("4").expect("q"),
                discount: Some(Percent::parse("5").expect("p")),
            }],
        };
        let first = order::create(Existing::Missing, &new, &shop.ctx()).expect("order");
        shop.set_price(1, "130");
        let mut n = 100u128;
        let again = repeat_order(
            &first,
            OrderId::from_uuid(Uuid::from_u128(2)),
            || {
                n += 1;
                OrderLineId::from_uuid(Uuid::from_u128(n))
            },
            day("2026-11-20"),
        );
        assert_eq!(again.lines[0].product, ProductId::from_uuid(product_id(1).as_uuid()));
        assert_eq!(again.lines[0].id, OrderLineId::from_uuid(Uuid::from_u128(101)), "fresh line ids");
        let second = order::create(Existing::Missing, &again, &shop.ctx()).expect("order");
        assert_eq!(
            (second.lines[0].unit_price.to_string(), second.discount),
            ("130.00".into(), first.discount),
            "today's price, same discounts"
        );
    }
}
