//! Stock: warehouses, levels per product and warehouse, and the moves that are the only way a
//! quantity changes.
//!
//! A level holds `on_hand`, `reserved` (promised to confirmed orders) and `value` (what the
//! units on hand cost, in the company currency). `available = on_hand − reserved` never goes
//! below zero unless the product allows it. Valuation is **moving average cost**: a receipt adds
//! its cost, an issue takes `qty × value / on_hand` (all of the value when the last unit
//! leaves), so the sum of level values always equals the inventory account of the ledger.

use crate::catalog::Product;
use crate::error::{FieldError, RuleError};
use crate::fields::{ItemName, WarehouseCode};
use crate::id::{ProductId, WarehouseId};
use crate::money::{Currency, Quantity};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Warehouse {
    pub id: WarehouseId,
    pub code: WarehouseCode,
    pub name: ItemName,
}

/// The warehouse every company starts with (so a first receipt needs no set-up).
pub fn main_warehouse() -> Warehouse {
    Warehouse {
        id: WarehouseId::from_uuid(Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0001)),
        code: WarehouseCode::parse("MAIN").unwrap_or_else(|_| unreachable_code()),
        name: ItemName::parse("Main warehouse").unwrap_or_else(|_| unreachable_name()),
    }
}

#[allow(clippy::panic)]
fn unreachable_code() -> WarehouseCode {
    panic!("MAIN is a valid warehouse code")
}

#[allow(clippy::panic)]
fn unreachable_name() -> ItemName {
    panic!("a constant name is valid")
}

/// One product in one warehouse.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StockLevel {
    pub product: ProductId,
    pub warehouse: WarehouseId,
    pub on_hand: Decimal,
    pub reserved: Decimal,
    /// Cost of the units on hand, company currency.
    pub value: Decimal,
}

impl StockLevel {
    pub fn empty(product: ProductId, warehouse: WarehouseId) -> Self {
        StockLevel { product, warehouse, on_hand: Decimal::ZERO, reserved: Decimal::ZERO, value: Decimal::ZERO }
    }

    /// The id of the level record: one per (product, warehouse), the same on every device.
    pub fn id_of(product: ProductId, warehouse: WarehouseId) -> Uuid {
        let mut bytes = product.as_uuid().as_bytes().to_vec();
        bytes.extend_from_slice(warehouse.as_uuid().as_bytes());
        Uuid::new_v5(&Uuid::NAMESPACE_OID, &bytes)
    }

    pub fn available(&self) -> Decimal {
        self.on_hand - self.reserved
    }

    /// Average cost per unit, or the product's standard cost while nothing is valued.
    pub fn unit_cost(&self, product: &Product) -> Decimal {
        if self.on_hand > Decimal::ZERO && self.value > Decimal::ZERO {
            self.value / self.on_hand
        } else {
            product.cost
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MoveKind {
    Receipt,
    Delivery,
    Adjustment,
    Transfer,
}

/// A change of stock: the history behind every level.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StockMove {
    pub id: Uuid,
    pub kind: MoveKind,
    pub product: ProductId,
    pub warehouse: WarehouseId,
    /// Positive in, negative out.
    pub qty: Decimal,
    /// Positive in, negative out, company currency.
    pub value: Decimal,
    pub date: NaiveDate,
    pub reference: String,
}

fn refuse(field: &str, msg: String) -> RuleError {
    RuleError::Invalid(FieldError::new(field, msg).into())
}

/// A cost per unit: zero or more, at most four decimals (company currency).
pub fn check_unit_cost(unit_cost: Decimal) -> Result<(), RuleError> {
    if unit_cost.is_sign_negative() {
        return Err(refuse("unit_cost", format!("{unit_cost} is negative")));
    }
    if unit_cost.normalize().scale() > 4 {
        return Err(refuse("unit_cost", format!("{unit_cost} has more than 4 decimals")));
    }
    Ok(())
}

/// Units in at `unit_cost` (company currency): returns the value added.
pub fn receive(
    level: &mut StockLevel,
    qty: Quantity,
    unit_cost: Decimal,
    company: Currency,
) -> Result<Decimal, RuleError> {
    if qty.is_zero() {
        return Err(refuse("quantity", "a receipt needs a quantity above zero".into()));
    }
    check_unit_cost(unit_cost)?;
    let value = company.round(qty.get() * unit_cost);
    level.on_hand += qty.get();
    level.value += value;
    Ok(value)
}

/// Units out (a delivery, a negative adjustment, the out-side of a transfer), `from_reserved` of
/// them taken from this order's reservation. Returns their cost at average cost.
pub fn issue(
    level: &mut StockLevel,
    product: &Product,
    qty: Quantity,
    from_reserved: Quantity,
    company: Currency,
) -> Result<Decimal, RuleError> {
    let q = qty.get();
    let mine = from_reserved.get().min(q).min(level.reserved);
    let free = level.available() + mine;
    if q > free && !product.allow_negative {
        return Err(refuse(
            "quantity",
            format!(
                "only {} {} of {} available, {} asked",
                free.max(Decimal::ZERO).normalize(),
                product.unit,
                product.sku,
                q.normalize()
            ),
        ));
    }
    let cost = if q >= level.on_hand && level.on_hand > Decimal::ZERO {
        // The last units take all of the remaining value (plus standard cost beyond it).
        level.value + company.round((q - level.on_hand) * product.cost)
    } else {
        company.round(q * level.unit_cost(product))
    };
    level.on_hand -= q;
    level.reserved -= mine;
    // Every change of value has its posting: nothing is clamped here, so the ledger's
    // inventory always equals the sum of level values (below zero, for a product sold before it
    // was received, until receipts catch up).
    level.value -= cost;
    Ok(cost)
}

/// Reserves up to `want` (all of it for a product that may go negative); returns what it got.
pub fn reserve(level: &mut StockLevel, product: &Product, want: Quantity) -> Quantity {
    let got = if product.allow_negative { want.get() } else { want.get().min(level.available().max(Decimal::ZERO)) };
    level.reserved += got;
    Quantity::new(got).unwrap_or(Quantity::ZERO)
}

/// Gives back a reservation (a cancelled order).
pub fn unreserve(level: &mut StockLevel, qty: Quantity) {
    level.reserved = (level.reserved - qty.get()).max(Decimal::ZERO);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::ProductInput;

    fn d(s: &str) -> Decimal {
        Decimal::from_str_exact(s).expect("decimal")
    }

    fn q(s: &str) -> Quantity {
        Quantity::parse(s).expect("qty")
    }

    fn product(allow_negative: bool) -> Product {
        let mut p = Product::parse(
            ProductId::from_uuid(Uuid::from_u128(1)),
            &ProductInput {
                sku: Some("BOLT".into()),
                name: Some("Bolt".into()),
                tax_rate: Some("19".into()),
                price: Some("1".into()),
                cost: Some("0.50".into()),
                ..Default::default()
            },
            Currency::EUR,
        )
        .expect("product");
        p.allow_negative = allow_negative;
        p
    }

    #[test]
    fn average_cost_moves_with_receipts_and_the_last_unit_takes_the_rest() {
        let p = product(false);
        let mut l = StockLevel::empty(p.id, main_warehouse().id);
        receive(&mut l, q("3"), d("10"), Currency::EUR).expect("in");
        receive(&mut l, q("3"), d("11"), Currency::EUR).expect("in");
        assert_eq!(l.value, d("63.00"));
        assert_eq!(issue(&mut l, &p, q("1"), Quantity::ZERO, Currency::EUR).expect("out"), d("10.50"));
        assert_eq!(issue(&mut l, &p, q("5"), Quantity::ZERO, Currency::EUR).expect("out"), d("52.50"));
        assert_eq!((l.on_hand, l.value), (Decimal::ZERO, Decimal::ZERO), "empty stock has no value left");
    }

    #[test]
    fn available_never_goes_negative_unless_the_product_allows_it() {
        let p = product(false);
        let mut l = StockLevel::empty(p.id, main_warehouse().id);
        receive(&mut l, q("5"), d("1"), Currency::EUR).expect("in");
        assert_eq!(reserve(&mut l, &p, q("8")), q("5"), "only what is there is reserved");
        let e = issue(&mut l, &p, q("1"), Quantity::ZERO, Currency::EUR).expect_err("all reserved for an order");
        assert!(e.to_string().contains("only 0 pc of BOLT available, 1 asked"), "{e}");
        issue(&mut l, &p, q("2"), q("2"), Currency::EUR).expect("the order takes its reservation");
        assert_eq!((l.on_hand, l.reserved), (d("3"), d("3")));
        let neg = product(true);
        let mut l2 = StockLevel::empty(neg.id, main_warehouse().id);
        assert_eq!(issue(&mut l2, &neg, q("2"), Quantity::ZERO, Currency::EUR).expect("allowed"), d("1.00"));
        assert_eq!(l2.available(), d("-2"));
    }

    mod properties {
        use super::*;
        use crate::id::JournalEntryId;
        use crate::ledger::{self, codes, AdjustmentPosting, Chart, CogsPosting, JournalEntry, ReceiptPosting};
        use proptest::prelude::*;

        #[derive(Clone, Debug)]
        enum Step {
            Receive(u32, u32),
            Reserve(u32),
            Issue(u32),
            Count(i32),
        }

        fn step() -> impl Strategy<Value = Step> {
            prop_oneof![
                (1u32..50_000, 0u32..100_000).prop_map(|(q, c)| Step::Receive(q, c)),
                (1u32..20_000).prop_map(Step::Reserve),
                (1u32..20_000).prop_map(Step::Issue),
                (-5_000i32..5_000).prop_map(Step::Count),
            ]
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]

            /// Whatever the receipts, reservations, deliveries and counts: available never goes
            /// negative, and the stock value in the ledger equals the valued stock on hand.
            #[test]
            fn the_ledger_values_stock_exactly_as_the_warehouse_does(
                steps in proptest::collection::vec(step(), 1..60),
                allow_negative in proptest::bool::weighted(0.2),
            ) {
                let p = product(allow_negative);
                let chart = Chart::standard();
                let eur = Currency::EUR;
                let date: NaiveDate = "2026-11-23".parse().expect("date");
                let mut level = StockLevel::empty(p.id, main_warehouse().id);
                let mut journal: Vec<JournalEntry> = Vec::new();
                let id = || JournalEntryId::from_uuid(Uuid::now_v7());
                for s in steps {
                    let entry = match s {
                        Step::Receive(q, c) => {
                            let qty = Quantity::new(Decimal::new(i64::from(q), 3)).expect("qty");
                            let value = receive(&mut level, qty, Decimal::new(i64::from(c), 2), eur).expect("receipt");
                            ReceiptPosting { entry_id: id(), source_id: Uuid::nil(), date, reference: "R".into(), supplier: None, value }
                                .post(&chart, eur).expect("a receipt balances")
                        }
                        Step::Reserve(q) => {
                            reserve(&mut level, &p, Quantity::new(Decimal::new(i64::from(q), 3)).expect("qty"));
                            None
                        }
                        Step::Issue(q) => {
                            let qty = Quantity::new(Decimal::new(i64::from(q), 3)).expect("qty");
                            let mine = Quantity::new(level.reserved.min(qty.get()).max(Decimal::ZERO)).expect("qty");
                            match issue(&mut level, &p, qty, mine, eur) {
                                Ok(cost) => CogsPosting { entry_id: id(), source_id: Uuid::nil(), date, reference: "D".into(), cost }
                                    .post(&chart, eur).expect("a delivery balances"),
                                Err(_) => {
                                    prop_assert!(!allow_negative, "a product that may go negative always ships");
                                    None
                                }
                            }
                        }
                        Step::Count(delta) => {
                            let d = Decimal::new(i64::from(delta), 3);
                            let value = if d >= Decimal::ZERO {
                                let unit = level.unit_cost(&p);
                                receive(&mut level, Quantity::new(d).expect("qty"), unit, eur).unwrap_or(Decimal::ZERO)
                            } else {
                                match issue(&mut level, &p, Quantity::new(-d).expect("qty"), Quantity::ZERO, eur) {
                                    Ok(cost) => -cost,
                                    Err(_) => Decimal::ZERO,
                                }
                            };
                            AdjustmentPosting { entry_id: id(), source_id: Uuid::nil(), date, reference: "C".into(), value }
                                .post(&chart, eur).expect("a count balances")
                        }
                    };
                    if let Some(e) = entry {
                        journal.push(e);
                    }
                    if !allow_negative {
                        prop_assert!(level.available() >= Decimal::ZERO, "available never below zero: {level:?}");
                    }
                    prop_assert!(level.reserved >= Decimal::ZERO);
                    if level.on_hand.is_zero() && !allow_negative {
                        prop_assert_eq!(level.value, Decimal::ZERO, "no stock, no value");
                    }
                    let in_ledger = ledger::account_balance(&journal, codes::INVENTORY, None, date);
                    prop_assert_eq!(in_ledger, level.value, "the ledger's inventory equals the valued stock");
                }
            }
        }
    }
}
