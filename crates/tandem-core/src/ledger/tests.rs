//! Worked examples, refusals and properties of the ledger.

use super::*;
use crate::id::{AccountId, JournalEntryId};
use crate::money::{Currency, FxRate};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::str::FromStr;
use uuid::Uuid;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).expect("a decimal literal")
}
fn day(s: &str) -> NaiveDate {
    NaiveDate::from_str(s).expect("a date literal")
}
fn eid(n: u128) -> JournalEntryId {
    JournalEntryId::from_uuid(Uuid::from_u128(n))
}
fn customer(n: u128) -> AccountId {
    AccountId::from_uuid(Uuid::from_u128(1_000 + n))
}
fn rate(s: &str) -> FxRate {
    FxRate::new(d(s)).expect("a valid rate")
}
fn chart() -> Chart {
    Chart::standard()
}

fn draft(reference: &str, lines: Vec<JournalLine>) -> EntryDraft {
    EntryDraft {
        id: eid(1),
        date: day("2026-10-15"),
        reference: reference.into(),
        memo: "test".into(),
        source: Source { kind: SourceKind::Manual, id: Uuid::from_u128(7) },
        currency: Currency::EUR,
        lines,
    }
}

fn invoice(reference: &str, cur: Currency, r: FxRate, revenue: &[(&str, &str)], tax: &str) -> InvoicePosting {
    InvoicePosting {
        entry_id: eid(10),
        source_id: Uuid::from_u128(10),
        date: day("2026-03-01"),
        reference: reference.into(),
        customer: customer(1),
        credit_note: false,
        doc_currency: cur,
        rate: r,
        revenue: revenue.iter().map(|(c, a)| ((*c).to_owned(), d(a))).collect(),
        tax: d(tax),
    }
}

fn payment(
    reference: &str,
    cur: Currency,
    r: FxRate,
    amount: &str,
    allocations: Vec<AllocationPosting>,
) -> PaymentPosting {
    PaymentPosting {
        entry_id: eid(20),
        source_id: Uuid::from_u128(20),
        date: day("2026-03-15"),
        reference: reference.into(),
        customer: customer(1),
        doc_currency: cur,
        rate: r,
        amount: d(amount),
        allocations,
    }
}

fn balance(entries: &[JournalEntry], code: &str) -> Decimal {
    account_balance(entries, code, None, day("2099-12-31"))
}

// ---- refusals ----

#[test]
fn an_unbalanced_entry_is_refused_with_both_totals() {
    let e = JournalEntry::new(
        &chart(),
        draft(
            "INV-2026-00001",
            vec![
                JournalLine::debit(codes::RECEIVABLE, d("119.00"), None, ""),
                JournalLine::credit(codes::SALES_GOODS, d("100.00"), None, ""),
                JournalLine::credit(codes::VAT_PAYABLE, d("18.99"), None, ""),
            ],
        ),
    )
    .expect_err("119.00 against 118.99 must be refused");
    assert_eq!(e.code(), "unbalanced");
    assert_eq!(e.to_string(), "entry INV-2026-00001 does not balance: debit 119.00 EUR, credit 118.99 EUR");
}

#[test]
fn an_amount_finer_than_the_minor_unit_is_refused() {
    let e = JournalEntry::new(
        &chart(),
        draft(
            "M-1",
            vec![
                JournalLine::debit(codes::BANK, d("10.005"), None, ""),
                JournalLine::credit(codes::EQUITY, d("10.005"), None, ""),
            ],
        ),
    )
    .expect_err("a tenth of a cent is not an EUR amount");
    assert_eq!(e.code(), "invalid_amount");
    assert!(e.to_string().contains("10.005 has more decimals than EUR allows (2)"), "{e}");
    let ok = JournalEntry::new(
        &chart(),
        draft(
            "M-2",
            vec![
                JournalLine::debit(codes::BANK, d("10.500"), None, ""),
                JournalLine::credit(codes::EQUITY, d("10.5"), None, ""),
            ],
        ),
    )
    .expect("trailing zeros are not decimals");
    assert_eq!(ok.lines()[1].credit.to_string(), "10.50", "amounts are written at the minor unit");
}

#[test]
fn an_unknown_account_code_is_refused() {
    let e = JournalEntry::new(
        &chart(),
        draft(
            "M-1",
            vec![
                JournalLine::debit("9999", d("5.00"), None, ""),
                JournalLine::credit(codes::BANK, d("5.00"), None, ""),
            ],
        ),
    )
    .expect_err("9999 is not in the chart");
    assert_eq!(e.code(), "unknown_ledger_account");
    assert!(e.to_string().contains("account 9999 is not in the chart"), "{e}");
}

#[test]
fn malformed_lines_are_refused() {
    let one = JournalEntry::new(&chart(), draft("M-1", vec![JournalLine::debit(codes::BANK, d("5"), None, "")]));
    assert_eq!(one.expect_err("one line is not an entry").code(), "invalid_entry");
    let both = JournalLine { credit: d("5"), ..JournalLine::debit(codes::BANK, d("5"), None, "") };
    let e = JournalEntry::new(&chart(), draft("M-2", vec![both, JournalLine::credit(codes::EQUITY, d("0"), None, "")]))
        .expect_err("a line with both sides must be refused");
    assert!(e.to_string().contains("both a debit and a credit"), "{e}");
    let neither = JournalEntry::new(
        &chart(),
        draft(
            "M-3",
            vec![
                JournalLine::debit(codes::BANK, d("0"), None, ""),
                JournalLine::credit(codes::EQUITY, d("0"), None, ""),
            ],
        ),
    )
    .expect_err("zero lines must be refused");
    assert!(neither.to_string().contains("neither a debit nor a credit"), "{neither}");
    let negative = JournalEntry::new(
        &chart(),
        draft(
            "M-4",
            vec![
                JournalLine::debit(codes::BANK, d("-5"), None, ""),
                JournalLine::credit(codes::EQUITY, d("-5"), None, ""),
            ],
        ),
    )
    .expect_err("negative amounts must be refused");
    assert_eq!(negative.code(), "invalid_amount");
    assert!(negative.to_string().contains("is negative"), "{negative}");
}

#[test]
fn a_date_in_a_locked_period_is_refused() {
    let e = ensure_open(day("2026-10-15"), Some(day("2026-10-31"))).expect_err("before the lock date");
    assert_eq!(e.code(), "period_locked");
    assert_eq!(e.to_string(), "2026-10-15 is in a locked period (locked up to 2026-10-31)");
    assert!(ensure_open(day("2026-10-31"), Some(day("2026-10-31"))).is_err(), "the lock date itself is locked");
    assert!(ensure_open(day("2026-11-01"), Some(day("2026-10-31"))).is_ok(), "the day after is open");
    assert!(ensure_open(day("2026-11-01"), None).is_ok(), "no lock date: everything is open");
}

#[test]
fn a_payment_whose_allocations_exceed_the_amount_is_refused() {
    let p = payment(
        "PAY-1",
        Currency::EUR,
        FxRate::ONE,
        "50.00",
        vec![AllocationPosting {
            invoice_reference: "INV-1".into(),
            amount_doc: d("60.00"),
            amount_company: d("60.00"),
        }],
    );
    let e = p.post(&chart(), Currency::EUR).expect_err("60 allocated from 50 received");
    assert_eq!(e.code(), "over_allocated");
    assert_eq!(e.to_string(), "payment PAY-1: allocations of 60.00 EUR exceed the amount received of 50.00 EUR");
}

// ---- worked examples ----

#[test]
fn an_invoice_with_vat_paid_in_full_leaves_bank_sales_and_vat() {
    let c = chart();
    let inv = invoice("INV-1", Currency::EUR, FxRate::ONE, &[(codes::SALES_GOODS, "100.00")], "19.00");
    let inv_entry = inv.post(&c, Currency::EUR).expect("a valid invoice");
    assert_eq!(inv.receivable_amount(Currency::EUR), d("119.00"));
    assert_eq!(inv_entry.source().kind, SourceKind::Invoice);
    let alloc = allocation_in_company(d("119.00"), d("119.00"), d("119.00"), FxRate::ONE, Currency::EUR);
    let pay = payment(
        "PAY-1",
        Currency::EUR,
        FxRate::ONE,
        "119.00",
        vec![AllocationPosting { invoice_reference: "INV-1".into(), amount_doc: d("119.00"), amount_company: alloc }],
    )
    .post(&c, Currency::EUR)
    .expect("a valid payment");
    assert_eq!(pay.lines().len(), 2, "no credit and no exchange difference: just bank and receivable");
    let entries = vec![inv_entry, pay];
    assert_eq!(balance(&entries, codes::RECEIVABLE), Decimal::ZERO, "the invoice is paid");
    assert_eq!(account_balance(&entries, codes::RECEIVABLE, Some(customer(1)), day("2026-03-01")), d("119.00"));
    assert_eq!(balance(&entries, codes::BANK), d("119.00"));
    assert_eq!(balance(&entries, codes::SALES_GOODS), d("-100.00"), "sales are a credit");
    assert_eq!(balance(&entries, codes::VAT_PAYABLE), d("-19.00"), "VAT is owed");
    let pl = profit_and_loss(&c, &entries, None, day("2026-12-31"));
    assert_eq!((pl.total_income, pl.net_profit), (d("100.00"), d("100.00")), "income is shown positive");
    let bs = balance_sheet(&c, &entries, day("2026-12-31"));
    assert_eq!(bs.total_assets, d("119.00"));
    assert_eq!(bs.current_earnings, d("100.00"));
    assert_eq!(bs.total_liabilities_and_equity, d("119.00"), "19 VAT + 100 earnings");
}

#[test]
fn a_usd_invoice_paid_at_a_lower_rate_books_an_exchange_loss() {
    let c = chart();
    let inv = invoice("INV-2", Currency::USD, rate("1.10"), &[(codes::SALES_SERVICES, "100.00")], "0");
    let e1 = inv.post(&c, Currency::EUR).expect("a valid USD invoice");
    assert_eq!(e1.net(codes::RECEIVABLE, None), d("110.00"), "100 USD at 1.10");
    assert_eq!(e1.lines().len(), 2, "a zero VAT line is dropped");
    let clears = allocation_in_company(d("100.00"), d("110.00"), d("100.00"), rate("1.10"), Currency::EUR);
    let e2 = payment(
        "PAY-2",
        Currency::USD,
        rate("1.05"),
        "100.00",
        vec![AllocationPosting { invoice_reference: "INV-2".into(), amount_doc: d("100.00"), amount_company: clears }],
    )
    .post(&c, Currency::EUR)
    .expect("a valid USD payment");
    let entries = vec![e1, e2];
    assert_eq!(balance(&entries, codes::BANK), d("105.00"), "100 USD at 1.05");
    assert_eq!(balance(&entries, codes::RECEIVABLE), Decimal::ZERO, "the whole 110.00 is cleared");
    assert_eq!(balance(&entries, codes::FX_LOSS), d("5.00"), "the realised exchange loss");
    assert_eq!(balance(&entries, codes::FX_GAIN), Decimal::ZERO);

    let gain = payment(
        "PAY-3",
        Currency::USD,
        rate("1.2"),
        "100.00",
        vec![AllocationPosting { invoice_reference: "INV-2".into(), amount_doc: d("100.00"), amount_company: clears }],
    )
    .post(&c, Currency::EUR)
    .expect("a valid USD payment");
    assert_eq!(gain.net(codes::FX_GAIN, None), d("-10.00"), "120 received for 110 booked: a gain of 10");
}

#[test]
fn partial_payments_clear_exactly_what_the_invoice_booked() {
    let c = chart();
    let r = rate("0.8333");
    let inv =
        invoice("INV-3", Currency::USD, r, &[(codes::SALES_GOODS, "33.33"), (codes::SALES_GOODS, "33.34")], "0.01");
    let booked = inv.receivable_amount(Currency::EUR);
    let mut entries = vec![inv.post(&c, Currency::EUR).expect("a valid invoice")];
    let (mut open_doc, mut open_company) = (inv.total_doc(), booked);
    for (i, part) in ["10.01", "20.00", "36.67"].iter().enumerate() {
        let part = d(part);
        let clears = allocation_in_company(open_doc, open_company, part, r, Currency::EUR);
        let p = PaymentPosting {
            entry_id: eid(100 + i as u128),
            reference: format!("PAY-{i}"),
            ..payment(
                "",
                Currency::USD,
                rate("0.9"),
                &part.to_string(),
                vec![AllocationPosting { invoice_reference: "INV-3".into(), amount_doc: part, amount_company: clears }],
            )
        };
        entries.push(p.post(&c, Currency::EUR).expect("a valid partial payment"));
        open_doc -= part;
        open_company -= clears;
        assert_eq!(balance(&entries, codes::RECEIVABLE), open_company, "receivable equals what is still open");
    }
    assert_eq!((open_doc, open_company), (Decimal::ZERO, Decimal::ZERO), "the last payment settles the rest exactly");
}

#[test]
fn an_over_payment_becomes_customer_credit_and_a_refund_pays_it_back() {
    let c = chart();
    let p = payment(
        "PAY-4",
        Currency::EUR,
        FxRate::ONE,
        "150.00",
        vec![AllocationPosting {
            invoice_reference: "INV-1".into(),
            amount_doc: d("119.00"),
            amount_company: d("119.00"),
        }],
    )
    .post(&c, Currency::EUR)
    .expect("a valid over-payment");
    assert_eq!(p.net(codes::CUSTOMER_CREDIT, Some(customer(1))), d("-31.00"), "31.00 kept as credit");
    let refund = RefundPosting {
        entry_id: eid(30),
        source_id: Uuid::from_u128(30),
        date: day("2026-04-01"),
        reference: "REF-1".into(),
        customer: customer(1),
        doc_currency: Currency::EUR,
        rate: FxRate::ONE,
        amount: d("31.00"),
        clears_company: None,
    }
    .post(&c, Currency::EUR)
    .expect("a valid refund");
    let entries = vec![p, refund];
    assert_eq!(balance(&entries, codes::CUSTOMER_CREDIT), Decimal::ZERO, "the credit is paid back");
    assert_eq!(balance(&entries, codes::BANK), d("119.00"));
}

#[test]
fn a_usd_credit_refunded_at_another_rate_clears_the_credit_as_booked() {
    let c = chart();
    let p = payment("PAY-5", Currency::USD, rate("1.10"), "50.00", vec![]).post(&c, Currency::EUR).expect("valid");
    assert_eq!(p.net(codes::CUSTOMER_CREDIT, None), d("-55.00"), "50 USD of credit at 1.10");
    let half = credit_in_company(d("50.00"), d("55.00"), d("20.00"), Currency::EUR);
    assert_eq!(half, d("22.00"), "two fifths of the credit");
    let refund = |n: u128, amount: &str, clears: Decimal| RefundPosting {
        entry_id: eid(n),
        source_id: Uuid::from_u128(n),
        date: day("2026-04-01"),
        reference: format!("REF-{n}"),
        customer: customer(1),
        doc_currency: Currency::USD,
        rate: rate("1.00"),
        amount: d(amount),
        clears_company: Some(clears),
    };
    let r1 = refund(41, "20.00", half).post(&c, Currency::EUR).expect("a valid partial refund");
    let rest = credit_in_company(d("30.00"), d("33.00"), d("30.00"), Currency::EUR);
    let r2 = refund(42, "30.00", rest).post(&c, Currency::EUR).expect("a valid final refund");
    let entries = vec![p, r1, r2];
    assert_eq!(balance(&entries, codes::CUSTOMER_CREDIT), Decimal::ZERO, "the whole credit is cleared");
    assert_eq!(balance(&entries, codes::BANK), d("5.00"), "55 in, 50 out");
    assert_eq!(balance(&entries, codes::FX_GAIN), d("-5.00"), "the dollar fell: a gain on what we owed");
}

#[test]
fn an_invoice_refuses_a_revenue_line_on_a_non_income_account() {
    let inv = invoice("INV-9", Currency::EUR, FxRate::ONE, &[(codes::BANK, "10.00")], "0");
    let e = inv.post(&chart(), Currency::EUR).expect_err("revenue on the bank account must be refused");
    assert_eq!(e.code(), "invalid_entry");
    assert!(e.to_string().contains("1000 (Bank) is not an income account"), "{e}");
    let unknown = invoice("INV-9", Currency::EUR, FxRate::ONE, &[("4999", "10.00")], "0");
    assert_eq!(unknown.post(&chart(), Currency::EUR).expect_err("unknown").code(), "unknown_ledger_account");
}

#[test]
fn reports_serialize_with_snake_case_fields_and_string_amounts() {
    let c = chart();
    let e = invoice("INV-1", Currency::EUR, FxRate::ONE, &[(codes::SALES_GOODS, "100.00")], "19.00")
        .post(&c, Currency::EUR)
        .expect("a valid invoice");
    let entries = [e];
    let tb = serde_json::to_value(trial_balance(&c, &entries, None, day("2026-12-31"))).expect("serializes");
    assert_eq!(tb["total_debit"], "119.00", "decimals are strings");
    assert_eq!(tb["rows"][0]["kind"], "asset", "kinds are snake_case");
    let bs = serde_json::to_value(balance_sheet(&c, &entries, day("2026-12-31"))).expect("serializes");
    assert_eq!(bs["total_liabilities_and_equity"], "119.00");
    assert_eq!(bs["current_earnings"], "100.00");
}

#[test]
fn a_credit_note_mirrors_an_invoice() {
    let c = chart();
    let mut cn = invoice("CN-1", Currency::EUR, FxRate::ONE, &[(codes::SALES_GOODS, "10.00")], "1.90");
    cn.credit_note = true;
    let e = cn.post(&c, Currency::EUR).expect("a valid credit note");
    assert_eq!(e.source().kind, SourceKind::CreditNote);
    assert_eq!(e.net(codes::RECEIVABLE, Some(customer(1))), d("-11.90"), "a credit note reduces the receivable");
    assert_eq!(e.net(codes::SALES_GOODS, None), d("10.00"));
    assert_eq!(e.net(codes::VAT_PAYABLE, None), d("1.90"));
}

#[test]
fn stock_postings_hit_inventory_and_a_zero_value_books_nothing() {
    let c = chart();
    let cogs = CogsPosting {
        entry_id: eid(1),
        source_id: Uuid::nil(),
        date: day("2026-05-01"),
        reference: "DEL-1".into(),
        cost: d("40.00"),
    };
    let e = cogs.post(&c, Currency::EUR).expect("valid").expect("a non-zero cost books an entry");
    assert_eq!((e.net(codes::COGS, None), e.net(codes::INVENTORY, None)), (d("40.00"), d("-40.00")));
    let zero = CogsPosting { cost: Decimal::ZERO, ..cogs };
    assert_eq!(zero.post(&c, Currency::EUR).expect("valid"), None, "nothing to book");
    let rec = ReceiptPosting {
        entry_id: eid(2),
        source_id: Uuid::nil(),
        date: day("2026-05-01"),
        reference: "REC-1".into(),
        supplier: None,
        value: d("70.00"),
    };
    let e = rec.post(&c, Currency::EUR).expect("valid").expect("an entry");
    assert_eq!(e.net(codes::PAYABLE, None), d("-70.00"), "owed to the supplier");
    let adj = AdjustmentPosting {
        entry_id: eid(3),
        source_id: Uuid::nil(),
        date: day("2026-05-01"),
        reference: "ADJ-1".into(),
        value: d("-5.00"),
    };
    let e = adj.post(&c, Currency::EUR).expect("valid").expect("an entry");
    assert_eq!(
        (e.net(codes::INVENTORY, None), e.net(codes::STOCK_ADJUSTMENT, None)),
        (d("-5.00"), d("5.00")),
        "a shrinkage is an expense"
    );
}

#[test]
fn a_reversal_swaps_every_line_and_points_to_the_original() {
    let c = chart();
    let e = invoice("INV-1", Currency::EUR, FxRate::ONE, &[(codes::SALES_GOODS, "100.00")], "19.00")
        .post(&c, Currency::EUR)
        .expect("a valid invoice");
    let r = e.reverse(eid(99), day("2026-03-02"));
    assert_eq!(r.reverses(), Some(e.id()));
    assert_eq!(r.reference(), "Reversal of INV-1");
    assert_eq!(r.source().kind, SourceKind::Reversal);
    assert!(r.validate(&c).is_ok(), "a reversal is a valid entry");
    let entries = vec![e, r];
    for code in [codes::RECEIVABLE, codes::SALES_GOODS, codes::VAT_PAYABLE] {
        assert_eq!(balance(&entries, code), Decimal::ZERO, "{code} is back to zero");
    }
}

#[test]
fn entries_travel_as_json_with_string_amounts_and_are_checked_on_arrival() {
    let e = invoice("INV-1", Currency::EUR, FxRate::ONE, &[(codes::SALES_GOODS, "100.00")], "19.00")
        .post(&chart(), Currency::EUR)
        .expect("a valid invoice");
    let json = serde_json::to_value(&e).expect("serializes");
    assert_eq!(json["lines"][0]["debit"], "119.00", "decimals are strings");
    assert_eq!(json["source"]["kind"], "invoice", "source kinds are snake_case");
    let back: JournalEntry = serde_json::from_value(json.clone()).expect("round trip");
    assert_eq!(back, e);
    let mut unbalanced = json.clone();
    unbalanced["lines"][0]["debit"] = "118.00".into();
    let err = serde_json::from_value::<JournalEntry>(unbalanced).expect_err("an unbalanced entry must not deserialize");
    assert!(err.to_string().contains("does not balance"), "{err}");
    let mut extra = json;
    extra["posted_by"] = "someone".into();
    assert!(serde_json::from_value::<JournalEntry>(extra).is_err(), "unknown fields are refused");
}

#[test]
fn trial_balance_covers_a_period_and_totals_both_sides() {
    let c = chart();
    let inv = invoice("INV-1", Currency::EUR, FxRate::ONE, &[(codes::SALES_GOODS, "100.00")], "19.00");
    let e1 = inv.post(&c, Currency::EUR).expect("valid");
    let e2 = payment("PAY-1", Currency::EUR, FxRate::ONE, "50.00", vec![]).post(&c, Currency::EUR).expect("valid");
    let entries = [e1, e2];
    let tb = trial_balance(&c, &entries, None, day("2026-12-31"));
    let codes_seen: Vec<&str> = tb.rows.iter().map(|r| r.code.as_str()).collect();
    assert_eq!(codes_seen, ["1000", "1200", "2200", "2300", "4000"], "rows with movements, sorted by code");
    assert_eq!((tb.total_debit, tb.total_credit), (d("169.00"), d("169.00")));
    let march = trial_balance(&c, &entries, Some(day("2026-03-10")), day("2026-12-31"));
    assert_eq!(march.total_debit, d("50.00"), "only the payment of the 15th is in the period");
}

#[test]
fn the_ledger_export_is_a_journal_hledger_reads() {
    let c = chart();
    let inv = invoice("INV-1", Currency::EUR, FxRate::ONE, &[(codes::SALES_GOODS, "100.00")], "19.00");
    let e1 = inv.post(&c, Currency::EUR).expect("valid");
    let clears =
        AllocationPosting { invoice_reference: "INV-1".into(), amount_doc: d("119.00"), amount_company: d("119.00") };
    let e2 =
        payment("PAY-1", Currency::EUR, FxRate::ONE, "119.00", vec![clears]).post(&c, Currency::EUR).expect("valid");
    let text = to_ledger_text(&c, [&e2, &e1]);
    let expected = "\
2026-03-01 INV-1  Invoice INV-1 (119.00 EUR)
    Assets:Receivable (1200)         119.00 EUR
    Income:Sales of goods (4000)    -100.00 EUR
    Liabilities:VAT payable (2200)   -19.00 EUR

2026-03-15 PAY-1  Payment PAY-1 (119.00 EUR)
    Assets:Bank (1000)         119.00 EUR
    Assets:Receivable (1200)  -119.00 EUR
";
    assert_eq!(text, expected, "entries sorted by date, credits negative, amounts after two spaces");
    for line in text.lines().filter(|l| l.starts_with("    ")) {
        let name = line.trim_start().split("  ").next().unwrap_or("");
        assert!(name.ends_with(')'), "the account name ends before the first double space: {line:?}");
    }
}

mod properties;
