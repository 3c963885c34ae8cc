//! Quotes on the device: priced by the order rules from the customer's price lists, offline
//! too; approval asked, granted or refused across devices through sync; a printable PDF; an
//! accepted quote becomes a draft sales order.

use crate::docs;
use crate::erp::{price_lists, settings, terms, DocPage};
use crate::error::{ReplicaError, Result};
use crate::replica::{meta_get, Replica};
use crate::store;
use chrono::{Local, NaiveDate};
use serde::{Deserialize, Serialize};
use sqlx::SqliteConnection;
use std::collections::BTreeMap;
use std::str::FromStr;
use tandem_core::crm::quote::{self, NewQuote, NewQuoteItem, NewQuoteLine, Quote};
use tandem_core::crm::UserName;
use tandem_core::id::{DealId, QuoteId, QuoteLineId};
use tandem_core::order::{self, OrderContext};
use tandem_core::stock::main_warehouse;
use tandem_core::{AccountId, Existing, FieldError, ItemName, Note, OrderId, Percent, ProductId, Quantity};
use tandem_core::{RuleError, ValidationErrors};
use tandem_sync::erp::{QuoteAccept, QuoteSave, QuoteStep, QuoteTransition};
use tandem_sync::{Doc, Op};
use uuid::Uuid;

fn field(e: FieldError, name: &str) -> ReplicaError {
    ReplicaError::Validation(e.on(name).into())
}

fn parse_id<T: FromStr<Err = FieldError>>(raw: &str, name: &str) -> Result<T> {
    T::from_str(raw.trim()).map_err(|e| field(e, name))
}

fn today() -> NaiveDate {
    Local::now().date_naive()
}

/// One quote line as typed: a SKU, a quantity, a discount, optional or not; or a bundle of such
/// lines under a name.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuoteLineInput {
    pub sku: String,
    pub qty: String,
    #[serde(default)]
    pub discount: Option<String>,
    #[serde(default)]
    pub optional: bool,
    /// Lines with the same bundle name form one bundle (`qty` of a component is per bundle).
    #[serde(default)]
    pub bundle: Option<String>,
}

impl QuoteLineInput {
    /// `SKU:QTY[:DISCOUNT]`, a CLI `--line` (`--option` for an optional one).
    pub fn parse_pair(raw: &str, optional: bool) -> Result<Self> {
        let parts: Vec<&str> = raw.split(':').collect();
        let (sku, qty, discount) = match parts.as_slice() {
            [s, q] => (*s, *q, None),
            [s, q, d] => (*s, *q, Some(d.trim_end_matches('%').to_owned())),
            _ => {
                return Err(field(
                    FieldError::new("line", format!("{raw:?} is not SKU:QTY or SKU:QTY:DISCOUNT")),
                    "line",
                ))
            }
        };
        Ok(Self { sku: sku.to_owned(), qty: qty.to_owned(), discount, optional, bundle: None })
    }
}

pub(crate) fn touches(op: &Op) -> Vec<Uuid> {
    match op {
        Op::QuoteCreate(s) | Op::QuoteUpdate(s) => vec![s.quote.id.as_uuid()],
        Op::QuoteStep(t) => vec![t.id.as_uuid()],
        Op::QuoteAccept(a) => vec![a.id.as_uuid(), a.order.as_uuid()],
        _ => vec![],
    }
}

async fn context_parts(
    conn: &mut SqliteConnection,
    account: AccountId,
    products: &[ProductId],
) -> Result<(
    String,
    tandem_core::catalog::CustomerTerms,
    BTreeMap<ProductId, tandem_core::catalog::Product>,
    Vec<tandem_core::catalog::PriceList>,
)> {
    let name = match store::load_account(conn, account).await? {
        Existing::Live(a) => a.name.to_string(),
        _ => String::new(),
    };
    let t = terms(conn, account).await?;
    let mut ps = BTreeMap::new();
    for id in products {
        if let Some(Doc::Product(p)) = docs::load(conn, id.as_uuid()).await? {
            ps.insert(p.id, p);
        }
    }
    Ok((name, t, ps, price_lists(conn).await?))
}

pub(crate) async fn apply_local(
    conn: &mut SqliteConnection,
    op: &Op,
) -> Result<Option<std::result::Result<Vec<Doc>, RuleError>>> {
    let threshold = settings(conn).await?.quote_approval_threshold;
    Ok(Some(match op {
        Op::QuoteCreate(save) | Op::QuoteUpdate(save) => {
            let new = &save.quote;
            let (name, t, ps, lists) = context_parts(conn, new.account, &new.products()).await?;
            if name.is_empty() {
                return Ok(Some(Err(RuleError::NotFound { entity: "account", id: new.account.to_string() })));
            }
            let ctx = OrderContext { customer_name: &name, terms: &t, products: &ps, price_lists: &lists };
            let existing = docs::load(conn, new.id.as_uuid()).await?;
            match (op, existing) {
                (Op::QuoteCreate(_), None) => quote::create(Existing::Missing, new, &ctx, save.on),
                (Op::QuoteCreate(_), Some(_)) => {
                    Err(RuleError::AlreadyExists { entity: "quote", id: new.id.to_string() })
                }
                (_, Some(Doc::Quote(old))) => quote::update(&old, new, &ctx, save.on),
                _ => Err(RuleError::NotFound { entity: "quote", id: new.id.to_string() }),
            }
            .map(|q| vec![Doc::Quote(q)])
        }
        Op::QuoteStep(t) => {
            let Some(Doc::Quote(mut q)) = docs::load(conn, t.id.as_uuid()).await? else {
                return Ok(Some(Err(RuleError::NotFound { entity: "quote", id: t.id.to_string() })));
            };
            let user = meta_get(conn, "user").await?.unwrap_or_else(|| "me".into());
            let role = meta_get(conn, "role").await?.unwrap_or_else(|| "admin".into());
            let me = match UserName::parse(&user) {
                Ok(u) => u,
                Err(e) => return Ok(Some(Err(RuleError::Invalid(e.into())))),
            };
            match &t.step {
                QuoteStep::RequestApproval(reason) => {
                    quote::request_approval(&mut q, me, reason.clone(), threshold, t.on)
                }
                QuoteStep::Approve => quote::approve(&mut q, me, &role, t.on),
                QuoteStep::RefuseApproval(reason) => quote::refuse_approval(&mut q, me, &role, reason.clone()),
                QuoteStep::Send => quote::send(&mut q, threshold, t.on),
                QuoteStep::Reject => quote::reject(&mut q, t.on),
            }
            .map(|()| vec![Doc::Quote(q)])
        }
        Op::QuoteAccept(a) => {
            let Some(Doc::Quote(q)) = docs::load(conn, a.id.as_uuid()).await? else {
                return Ok(Some(Err(RuleError::NotFound { entity: "quote", id: a.id.to_string() })));
            };
            let (_, t, ps, lists) = context_parts(conn, q.account, &q.products()).await?;
            let name = q.customer_name.clone();
            let ctx = OrderContext { customer_name: &name, terms: &t, products: &ps, price_lists: &lists };
            quote::accept(&q, &a.selected, a.order, main_warehouse().id, &ctx, threshold, a.on).and_then(|acc| {
                let order = order::create(Existing::Missing, &acc.order, &ctx)?;
                Ok(vec![Doc::Quote(acc.quote), Doc::Order(order)])
            })
        }
        _ => return Ok(None),
    }))
}

impl Replica {
    /// Parses typed lines (every bad line named at once) into quote lines, with the typed row
    /// of each quote line's label (`lines[2].components[1]` → `lines[3]`), so a refusal of the
    /// rules names the row the user typed.
    async fn quote_lines(&self, lines: &[QuoteLineInput]) -> Result<(Vec<NewQuoteLine>, Labels)> {
        let mut errors = ValidationErrors::default();
        let mut out: Vec<NewQuoteLine> = Vec::new();
        let mut labels = Labels::default();
        let mut bundles: BTreeMap<String, usize> = BTreeMap::new();
        for (i, l) in lines.iter().enumerate() {
            let name = format!("lines[{}]", i + 1);
            let qty = errors.take(Quantity::parse(&l.qty).map_err(|e| e.on(&name)));
            let discount = match l.discount.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
                Some(d) => errors.take(Percent::parse(d).map_err(|e| e.on(&name))).map(Some),
                None => Some(None),
            };
            let product = match self.product_by_sku(&l.sku).await {
                Ok(p) => Some(p),
                Err(e) => {
                    errors.push(FieldError::new(&name, e.to_string().trim_start_matches("sku: ")));
                    None
                }
            };
            let (Some(qty), Some(discount), Some(p)) = (qty, discount, product) else { continue };
            if qty.is_zero() {
                errors.push(FieldError::new(&name, format!("{}: the quantity must be above zero", p.sku)));
                continue;
            }
            let item = NewQuoteItem {
                id: QuoteLineId::from_uuid(Uuid::now_v7()),
                product: p.id,
                qty,
                discount,
                optional: l.optional && l.bundle.is_none(),
            };
            match l.bundle.as_deref().map(str::trim).filter(|b| !b.is_empty()) {
                None => {
                    labels.0.push((format!("lines[{}]", out.len() + 1), name.clone()));
                    out.push(NewQuoteLine::Item(item));
                }
                Some(b) => match bundles.get(b) {
                    Some(&at) => {
                        if let Some(NewQuoteLine::Bundle { components, .. }) = out.get_mut(at) {
                            components.push(item);
                            labels
                                .0
                                .push((format!("lines[{}].components[{}]", at + 1, components.len()), name.clone()));
                        }
                    }
                    None => match ItemName::parse(b) {
                        Ok(bn) => {
                            labels.0.push((format!("lines[{}].components[1]", out.len() + 1), name.clone()));
                            labels.0.push((format!("lines[{}]", out.len() + 1), name.clone()));
                            bundles.insert(b.to_owned(), out.len());
                            out.push(NewQuoteLine::Bundle {
                                id: QuoteLineId::from_uuid(Uuid::now_v7()),
                                name: bn,
                                qty: 1,
                                optional: l.optional,
                                components: vec![item],
                            });
                        }
                        Err(e) => errors.push(e.on(&name)),
                    },
                },
            }
        }
        if lines.is_empty() {
            errors.push(FieldError::new("lines", "a quote needs at least one line (--line SKU:QTY)"));
        }
        errors.into_result(|| (out, labels)).map_err(ReplicaError::Validation)
    }

    async fn new_quote(
        &self,
        id: QuoteId,
        account: &str,
        deal: Option<&str>,
        lines: &[QuoteLineInput],
        discount: Option<&str>,
        valid_until: Option<&str>,
    ) -> Result<(NewQuote, Labels)> {
        let account: AccountId = parse_id(account, "account")?;
        let deal = deal.map(|d| parse_id::<DealId>(d, "deal")).transpose()?;
        let discount = discount
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(|d| Percent::parse(d.trim_end_matches('%')))
            .transpose()
            .map_err(|e| field(e, "discount"))?;
        let valid_until = match valid_until.map(str::trim).filter(|v| !v.is_empty()) {
            Some(v) => NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| {
                field(FieldError::new("valid_until", format!("{v:?} is not a date (use YYYY-MM-DD)")), "valid_until")
            })?,
            None => today() + chrono::Days::new(30),
        };
        let (lines, labels) = self.quote_lines(lines).await?;
        Ok((NewQuote { id, account, deal, valid_until, discount, lines }, labels))
    }

    /// A draft quote (offline too), priced now from the customer's price lists.
    pub async fn create_quote(
        &self,
        account: &str,
        deal: Option<&str>,
        lines: &[QuoteLineInput],
        discount: Option<&str>,
        valid_until: Option<&str>,
    ) -> Result<QuoteId> {
        let id = QuoteId::from_uuid(Uuid::now_v7());
        let (new, labels) = self.new_quote(id, account, deal, lines, discount, valid_until).await?;
        self.mutate(Op::QuoteCreate(QuoteSave { quote: new, on: today() })).await.map_err(|e| labels.relabel(e))?;
        Ok(id)
    }

    /// Revises an open quote: priced again, back to draft (a past approval no longer holds).
    pub async fn update_quote(
        &self,
        id: &str,
        lines: &[QuoteLineInput],
        discount: Option<&str>,
        valid_until: Option<&str>,
    ) -> Result<Quote> {
        let q = self.quote(id).await?;
        let (new, labels) = self
            .new_quote(
                q.id,
                &q.account.to_string(),
                q.deal.map(|d| d.to_string()).as_deref(),
                lines,
                discount,
                valid_until,
            )
            .await?;
        self.mutate(Op::QuoteUpdate(QuoteSave { quote: new, on: today() })).await.map_err(|e| labels.relabel(e))?;
        self.quote(id).await
    }

    /// `request_approval`, `approve`, `refuse_approval`, `send` or `reject`.
    pub async fn quote_step(&self, id: &str, step: &str, reason: Option<&str>) -> Result<Quote> {
        let q = self.quote(id).await?;
        let note = |r: Option<&str>| r.map(str::trim).filter(|r| !r.is_empty()).map(Note::parse).transpose();
        let step = match step {
            "request_approval" | "request-approval" => {
                QuoteStep::RequestApproval(note(reason).map_err(|e| field(e, "reason"))?)
            }
            "approve" => QuoteStep::Approve,
            "refuse_approval" | "refuse-approval" => QuoteStep::RefuseApproval(
                note(reason)
                    .map_err(|e| field(e, "reason"))?
                    .ok_or_else(|| field(FieldError::new("reason", "say why the approval is refused"), "reason"))?,
            ),
            "send" => QuoteStep::Send,
            "reject" => QuoteStep::Reject,
            other => {
                return Err(ReplicaError::BadInput(format!(
                    "{other:?} is not a quote step (request-approval, approve, refuse-approval, send, reject)"
                )))
            }
        };
        self.mutate(Op::QuoteStep(QuoteTransition { id: q.id, step, on: today() })).await?;
        self.quote(id).await
    }

    /// The customer accepts: the quote becomes a draft sales order (its id is returned), with
    /// the optional lines whose SKUs are in `selected`.
    pub async fn accept_quote(&self, id: &str, selected: &[String]) -> Result<OrderId> {
        let q = self.quote(id).await?;
        let mut chosen = Vec::new();
        for sku in selected {
            // An optional item by its SKU, or an optional bundle by its name.
            let mut found: Vec<QuoteLineId> = q
                .items()
                .into_iter()
                .filter(|(i, _)| i.sku.eq_ignore_ascii_case(sku.trim()) && i.optional)
                .map(|(i, _)| i.id)
                .collect();
            found.extend(q.lines.iter().filter_map(|l| match l {
                tandem_core::crm::quote::QuoteLine::Bundle(b)
                    if b.optional && b.name.as_str().eq_ignore_ascii_case(sku.trim()) =>
                {
                    Some(b.id)
                }
                _ => None,
            }));
            if found.is_empty() {
                return Err(field(
                    FieldError::new("option", format!("{sku} is not an optional line or bundle of this quote")),
                    "option",
                ));
            }
            chosen.extend(found);
        }
        let order = OrderId::from_uuid(Uuid::now_v7());
        self.mutate(Op::QuoteAccept(QuoteAccept { id: q.id, order, selected: chosen, on: today() })).await?;
        Ok(order)
    }

    pub async fn quote(&self, id: &str) -> Result<Quote> {
        let id: QuoteId = parse_id(id, "quote")?;
        match docs::load(&mut *self.pool.acquire().await?, id.as_uuid()).await? {
            Some(Doc::Quote(q)) => Ok(q),
            _ => Err(RuleError::NotFound { entity: "quote", id: id.to_string() }.into()),
        }
    }

    /// Quotes by creation day, paged by key; `account` limits them to one customer.
    pub async fn quotes(&self, account: Option<&str>, after: Option<&str>, limit: u32) -> Result<DocPage<Quote>> {
        self.page_of("quote", account, after, limit, |d| match d {
            Doc::Quote(q) => Some(q),
            _ => None,
        })
        .await
    }

    /// Why a quote needs a sales manager's approval (empty: it does not).
    pub async fn quote_approval_reasons(&self, id: &str) -> Result<Vec<String>> {
        let q = self.quote(id).await?;
        let threshold = settings(&mut *self.pool.acquire().await?).await?.quote_approval_threshold;
        Ok(quote::needs_approval(&q, threshold))
    }

    /// The printable quote.
    pub async fn quote_pdf(&self, id: &str) -> Result<Vec<u8>> {
        let q = self.quote(id).await?;
        Ok(crate::pdf::quote_pdf(&q, ""))
    }
}

/// Quote line labels of the rules (`lines[2].components[1]`) → the typed rows they came from.
#[derive(Debug, Default)]
struct Labels(Vec<(String, String)>);

impl Labels {
    /// The typed row of a field a rule named (the longest label that prefixes it), keeping
    /// what follows (`lines[2].components[1].qty` → `lines[3].qty`).
    fn typed(&self, field: &str) -> Option<String> {
        self.0
            .iter()
            .filter(|(rule, _)| {
                field == rule || field.strip_prefix(rule.as_str()).is_some_and(|rest| rest.starts_with('.'))
            })
            .max_by_key(|(rule, _)| rule.len())
            .map(|(rule, typed)| format!("{typed}{}", &field[rule.len()..]))
    }

    fn relabel(&self, e: ReplicaError) -> ReplicaError {
        let fix = |errs: ValidationErrors| {
            ValidationErrors(
                errs.0
                    .into_iter()
                    .map(|f| match self.typed(&f.field) {
                        Some(t) => FieldError::new(t, f.message),
                        None => f,
                    })
                    .collect(),
            )
        };
        match e {
            ReplicaError::Rule(RuleError::Invalid(errs)) => ReplicaError::Rule(RuleError::Invalid(fix(errs))),
            ReplicaError::Validation(errs) => ReplicaError::Validation(fix(errs)),
            other => other,
        }
    }
}

#[cfg(test)]
mod label_tests {
    use super::*;

    #[test]
    fn a_rule_s_quote_line_label_names_the_typed_row() {
        let l = Labels(vec![
            ("lines[1]".into(), "lines[1]".into()),
            ("lines[2].components[1]".into(), "lines[2]".into()),
            ("lines[2]".into(), "lines[2]".into()),
            ("lines[2].components[2]".into(), "lines[4]".into()),
            ("lines[3]".into(), "lines[3]".into()),
        ]);
        assert_eq!(l.typed("lines[2].components[2]").as_deref(), Some("lines[4]"));
        assert_eq!(l.typed("lines[2].components[2].qty").as_deref(), Some("lines[4].qty"));
        assert_eq!(l.typed("lines[3]").as_deref(), Some("lines[3]"));
        assert_eq!(l.typed("lines[2]").as_deref(), Some("lines[2]"));
        assert_eq!(l.typed("discount"), None);
        let e = ReplicaError::Rule(RuleError::Invalid(FieldError::new("lines[2].components[2]", "no price").into()));
        assert!(l.relabel(e).to_string().starts_with("lines[4]: no price"));
    }
}
