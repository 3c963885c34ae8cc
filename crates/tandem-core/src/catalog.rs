//! What we sell and at what price: products and services, price lists, customer terms.
//!
//! A price is found in this order (the first that has one wins):
//! 1. a price list **for this customer**, in the document currency, valid on the document date;
//! 2. a **general** price list in the document currency, valid on the document date;
//! 3. the product's **list price**, when it is in the document currency.
//!
//! Within a list the quantity break with the highest minimum quantity not above the ordered
//! quantity applies. Among several matching lists the one valid from the latest date wins (a
//! promotion starting later overrides the standing list), then the lowest id (stable).

use crate::error::{FieldError, RuleError, ValidationErrors};
use crate::fields::{ItemName, Sku, Unit};
use crate::id::{AccountId, PriceListId, ProductId};
use crate::money::{Currency, Money, Percent, Quantity, TaxRate};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProductKind {
    /// Kept in stock, delivered, costed.
    Goods,
    /// Not stocked (hours, licences): delivered on confirmation, no stock move.
    Service,
}

/// A product or service.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Product {
    pub id: ProductId,
    pub sku: Sku,
    pub name: ItemName,
    pub kind: ProductKind,
    pub unit: Unit,
    pub tax_rate: TaxRate,
    /// The list price (used when no price list has one in the document's currency).
    pub price: Money,
    /// Standard cost per unit in the company currency (used for a delivery while nothing is
    /// valued in stock).
    pub cost: Decimal,
    /// May its available quantity go below zero (sold before received)?
    #[serde(default)]
    pub allow_negative: bool,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// Raw text of a product form or CLI flags.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductInput {
    pub sku: Option<String>,
    pub name: Option<String>,
    /// `goods` (default) or `service`.
    pub kind: Option<String>,
    pub unit: Option<String>,
    pub tax_rate: Option<String>,
    pub price: Option<String>,
    pub currency: Option<String>,
    pub cost: Option<String>,
    pub allow_negative: Option<bool>,
}

impl Product {
    /// Parses a product form, reporting every bad field at once. `company` is the currency of
    /// the cost.
    pub fn parse(id: ProductId, input: &ProductInput, company: Currency) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let text = |o: &Option<String>| o.as_deref().unwrap_or("").to_owned();
        let sku = errors.take(Sku::parse(&text(&input.sku)));
        let name = errors.take(ItemName::parse(&text(&input.name)));
        let kind = errors.take(match input.kind.as_deref().map(str::trim) {
            None | Some("") | Some("goods") => Ok(ProductKind::Goods),
            Some("service") => Ok(ProductKind::Service),
            Some(other) => Err(FieldError::new("kind", format!("{other:?} is not a kind (goods or service)"))),
        });
        let unit = errors.take(Unit::parse(input.unit.as_deref().filter(|u| !u.trim().is_empty()).unwrap_or("pc")));
        let tax_rate = errors.take(TaxRate::parse(&text(&input.tax_rate)).map_err(|e| e.on("tax_rate")));
        let currency = errors.take(match input.currency.as_deref() {
            None | Some("") => Ok(company),
            Some(c) => Currency::parse(c),
        });
        let price = currency.and_then(|c| errors.take(c.parse_amount("price", &text(&input.price))));
        let cost = match input.cost.as_deref() {
            None | Some("") => Some(Decimal::ZERO),
            Some(c) => errors.take(company.parse_amount("cost", c)),
        };
        if let Some(p) = price.filter(|p| p.is_sign_negative()) {
            errors.push(FieldError::new("price", format!("{p} is negative")));
        }
        if let Some(c) = cost.filter(|c| c.is_sign_negative()) {
            errors.push(FieldError::new("cost", format!("{c} is negative")));
        }
        match (sku, name, kind, unit, tax_rate, currency, price, cost) {
            (
                Some(sku),
                Some(name),
                Some(kind),
                Some(unit),
                Some(tax_rate),
                Some(currency),
                Some(price),
                Some(cost),
            ) if errors.is_empty() => Ok(Product {
                id,
                sku,
                name,
                kind,
                unit,
                tax_rate,
                price: Money::new(price, currency),
                cost,
                allow_negative: input.allow_negative.unwrap_or(false),
                active: true,
            }),
            _ => Err(errors),
        }
    }

    pub fn is_stocked(&self) -> bool {
        self.kind == ProductKind::Goods
    }
}

/// The rule of `product.create`: the SKU must be new (`same_sku` is the product already using it).
pub fn create_product(existing: Option<&Product>, same_sku: Option<&Product>, new: &Product) -> Result<(), RuleError> {
    if existing.is_some() {
        return Err(RuleError::AlreadyExists { entity: "product", id: new.id.to_string() });
    }
    if let Some(p) = same_sku.filter(|p| p.id != new.id) {
        return Err(RuleError::Invalid(
            FieldError::new("sku", format!("{} is already the SKU of \"{}\"", new.sku, p.name)).into(),
        ));
    }
    Ok(())
}

/// One quantity break of a price list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceItem {
    pub product: ProductId,
    /// The price applies from this quantity on (0 = any quantity).
    pub min_qty: Quantity,
    /// Per unit, in the list's currency, before tax.
    pub unit_price: Decimal,
}

/// Prices in one currency, for everyone or for one customer, valid in a date range.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceList {
    pub id: PriceListId,
    pub name: ItemName,
    pub currency: Currency,
    /// Only for this customer (a negotiated list), or for everyone.
    #[serde(default)]
    pub customer: Option<AccountId>,
    #[serde(default)]
    pub valid_from: Option<NaiveDate>,
    #[serde(default)]
    pub valid_to: Option<NaiveDate>,
    pub items: Vec<PriceItem>,
}

impl PriceList {
    /// Refuses a list whose prices do not fit its currency or whose dates are reversed.
    pub fn check(&self) -> Result<(), RuleError> {
        let mut errors = ValidationErrors::default();
        if let (Some(f), Some(t)) = (self.valid_from, self.valid_to) {
            if t < f {
                errors.push(FieldError::new("valid_to", format!("{t} is before valid_from {f}")));
            }
        }
        for (i, item) in self.items.iter().enumerate() {
            if item.unit_price.is_sign_negative() {
                errors.push(FieldError::new(format!("items[{i}].unit_price"), "is negative"));
            }
            if item.unit_price.normalize().scale() > 4 {
                errors.push(FieldError::new(format!("items[{i}].unit_price"), "has more than 4 decimals"));
            }
        }
        errors.into_result(|| ()).map_err(RuleError::Invalid)
    }

    fn valid_on(&self, date: NaiveDate) -> bool {
        self.valid_from.is_none_or(|f| f <= date) && self.valid_to.is_none_or(|t| date <= t)
    }

    fn price_for(&self, product: ProductId, qty: Quantity) -> Option<Decimal> {
        self.items
            .iter()
            .filter(|i| i.product == product && i.min_qty <= qty)
            .max_by_key(|i| i.min_qty)
            .map(|i| i.unit_price)
    }
}

/// Where a price came from (shown on the line, so a rep can explain it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "from")]
pub enum PriceSource {
    List { id: PriceListId, name: String },
    ProductPrice,
}

/// The unit price of `product` for `qty` on `date` in `currency` for `customer` (module doc).
pub fn unit_price(
    product: &Product,
    qty: Quantity,
    currency: Currency,
    customer: AccountId,
    date: NaiveDate,
    lists: &[PriceList],
) -> Result<(Decimal, PriceSource), RuleError> {
    let best = |for_customer: bool| {
        lists
            .iter()
            .filter(|l| l.currency == currency && l.valid_on(date))
            .filter(|l| if for_customer { l.customer == Some(customer) } else { l.customer.is_none() })
            .filter_map(|l| l.price_for(product.id, qty).map(|p| (l, p)))
            .max_by(|(a, _), (b, _)| a.valid_from.cmp(&b.valid_from).then(b.id.cmp(&a.id)))
    };
    if let Some((l, p)) = best(true).or_else(|| best(false)) {
        return Ok((p, PriceSource::List { id: l.id, name: l.name.to_string() }));
    }
    if product.price.currency == currency {
        return Ok((product.price.amount, PriceSource::ProductPrice));
    }
    Err(RuleError::Invalid(
        FieldError::new("price", format!("no price for {} in {currency} on {date}", product.sku)).into(),
    ))
}

/// How a customer's documents are taxed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FiscalPosition {
    /// The product's tax rate applies.
    #[default]
    Domestic,
    /// A business customer in another EU country: no VAT charged, the customer self-assesses.
    ReverseCharge,
    /// Outside the customs area: exempt.
    Export,
}

impl FiscalPosition {
    pub fn tax_rate(&self, product_rate: TaxRate) -> TaxRate {
        match self {
            FiscalPosition::Domestic => product_rate,
            FiscalPosition::ReverseCharge | FiscalPosition::Export => TaxRate::ZERO,
        }
    }

    /// The legal note printed on the invoice, if any.
    pub fn note(&self) -> Option<&'static str> {
        match self {
            FiscalPosition::Domestic => None,
            FiscalPosition::ReverseCharge => Some("Reverse charge: VAT to be accounted for by the recipient"),
            FiscalPosition::Export => Some("Export delivery, exempt from VAT"),
        }
    }
}

/// What the invoice of an order is made from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvoicePolicy {
    /// What was delivered and not yet invoiced (the default).
    #[default]
    Delivered,
    /// What was ordered, before delivery (prepayment customers, services).
    Ordered,
}

/// What happens to an order over the credit limit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CreditPolicy {
    /// The confirmation is refused with the figures.
    #[default]
    Refuse,
    /// The order is held until a back-office user releases it.
    Hold,
}

/// A customer's commercial terms (the back office sets them; sales see them read-only).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerTerms {
    pub account: AccountId,
    /// The currency of the customer's documents and of the credit limit.
    pub currency: Currency,
    /// None: no limit.
    #[serde(default)]
    pub credit_limit: Option<Decimal>,
    #[serde(default)]
    pub credit_policy: CreditPolicy,
    /// Invoices fall due this many days after their date.
    pub payment_days: u32,
    #[serde(default)]
    pub fiscal_position: FiscalPosition,
    #[serde(default)]
    pub invoice_policy: InvoicePolicy,
    /// An order discount applied by default.
    #[serde(default)]
    pub discount: Option<Percent>,
}

impl CustomerTerms {
    /// The terms of a customer nobody set terms for.
    pub fn default_for(account: AccountId, company: Currency) -> Self {
        CustomerTerms {
            account,
            currency: company,
            credit_limit: None,
            credit_policy: CreditPolicy::Refuse,
            payment_days: 30,
            fiscal_position: FiscalPosition::Domestic,
            invoice_policy: InvoicePolicy::Delivered,
            discount: None,
        }
    }

    /// Refuses a limit with more decimals than its currency or a negative one.
    pub fn check(&self) -> Result<(), RuleError> {
        if let Some(l) = self.credit_limit {
            if l.is_sign_negative() {
                return Err(RuleError::Invalid(FieldError::new("credit_limit", format!("{l} is negative")).into()));
            }
            if self.currency.round(l) != l {
                return Err(RuleError::Invalid(
                    FieldError::new("credit_limit", format!("{l} has more decimals than {} allows", self.currency))
                        .into(),
                ));
            }
        }
        if self.payment_days > 365 {
            return Err(RuleError::Invalid(
                FieldError::new("payment_days", format!("{} days is more than a year", self.payment_days)).into(),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn d(s: &str) -> Decimal {
        Decimal::from_str_exact(s).expect("decimal")
    }

    fn date(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    fn product() -> Product {
        Product::parse(
            ProductId::from_uuid(Uuid::from_u128(1)),
            &ProductInput {
                sku: Some("chair-01".into()),
                name: Some("Office chair".into()),
                tax_rate: Some("19".into()),
                price: Some("120".into()),
                currency: Some("EUR".into()),
                ..Default::default()
            },
            Currency::EUR,
        )
        .expect("a valid product")
    }

    fn list(id: u128, customer: Option<AccountId>, from: Option<&str>, items: &[(&str, &str)]) -> PriceList {
        PriceList {
            id: PriceListId::from_uuid(Uuid::from_u128(id)),
            name: ItemName::parse(&format!("List {id}")).expect("name"),
            currency: Currency::EUR,
            customer,
            valid_from: from.map(date),
            valid_to: None,
            items: items
                .iter()
                .map(|(q, p)| PriceItem {
                    product: ProductId::from_uuid(Uuid::from_u128(1)),
                    min_qty: Quantity::parse(q).expect("qty"),
                    unit_price: d(p),
                })
                .collect(),
        }
    }

    #[test]
    fn a_product_form_reports_every_bad_field() {
        assert_eq!(product().sku.as_str(), "CHAIR-01", "SKUs are upper case");
        let e = Product::parse(
            ProductId::from_uuid(Uuid::from_u128(1)),
            &ProductInput {
                sku: Some("bad sku!".into()),
                tax_rate: Some("19".into()),
                price: Some("12.345".into()),
                currency: Some("EUR".into()),
                ..Default::default()
            },
            Currency::EUR,
        )
        .expect_err("bad");
        let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["sku", "name", "price"], "{e}");
    }

    #[test]
    fn customer_lists_beat_general_lists_which_beat_the_list_price() {
        let p = product();
        let acme = AccountId::from_uuid(Uuid::from_u128(7));
        let other = AccountId::from_uuid(Uuid::from_u128(8));
        let lists =
            vec![list(1, None, None, &[("0", "110"), ("10", "100")]), list(2, Some(acme), None, &[("0", "95")])];
        let on = date("2026-11-23");
        let q = |s: &str| Quantity::parse(s).expect("qty");
        assert_eq!(unit_price(&p, q("1"), Currency::EUR, acme, on, &lists).expect("price").0, d("95"));
        assert_eq!(unit_price(&p, q("1"), Currency::EUR, other, on, &lists).expect("price").0, d("110"));
        assert_eq!(unit_price(&p, q("12"), Currency::EUR, other, on, &lists).expect("break").0, d("100"));
        assert_eq!(unit_price(&p, q("1"), Currency::EUR, other, on, &[]).expect("list price").0, d("120"));
        let e = unit_price(&p, q("1"), Currency::USD, other, on, &lists).expect_err("no USD price");
        assert!(e.to_string().contains("no price for CHAIR-01 in USD"), "{e}");
    }

    #[test]
    fn a_later_promotion_overrides_and_expired_lists_do_not_apply() {
        let p = product();
        let c = AccountId::from_uuid(Uuid::from_u128(8));
        let mut promo = list(3, None, Some("2026-11-01"), &[("0", "99")]);
        promo.valid_to = Some(date("2026-11-30"));
        let lists = vec![list(1, None, None, &[("0", "110")]), promo];
        let q = Quantity::parse("1").expect("qty");
        assert_eq!(unit_price(&p, q, Currency::EUR, c, date("2026-11-23"), &lists).expect("p").0, d("99"));
        assert_eq!(unit_price(&p, q, Currency::EUR, c, date("2026-12-01"), &lists).expect("p").0, d("110"));
    }

    #[test]
    fn fiscal_positions_change_the_tax() {
        let r = TaxRate::parse("19").expect("rate");
        assert_eq!(FiscalPosition::Domestic.tax_rate(r), r);
        assert_eq!(FiscalPosition::ReverseCharge.tax_rate(r), TaxRate::ZERO);
    }
}
