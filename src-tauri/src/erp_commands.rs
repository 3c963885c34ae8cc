//! Order-to-cash commands: parse (serde), call the replica, map the error. Nothing else.
//!
//! A step the server decides returns the outbox number of the queued mutation; the background
//! sync sends it at once and `erp_outcome` tells the UI what the server answered.

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::sync_loop;
use tandem_core::catalog::{CustomerTerms, ProductInput};
use tandem_core::invoice::Invoice;
use tandem_core::ledger::{Aging, BalanceSheet, ProfitAndLoss, TrialBalance};
use tandem_core::order::{Delivery, SalesOrder};
use tandem_core::payment::Payment;
use tandem_replica::{CustomerFacts, DocPage, OrderDetail, OrderLineInput, Outcome, ProductRow, StockRow};
use tauri::{AppHandle, State};

type S<'a> = State<'a, AppState>;

#[tauri::command]
pub async fn erp_products(state: S<'_>) -> ApiResult<Vec<ProductRow>> {
    Ok(state.replica().await.products().await?)
}

#[tauri::command]
pub async fn erp_create_product(app: AppHandle, state: S<'_>, input: ProductInput) -> ApiResult<String> {
    let id = state.replica().await.create_product(&input).await?;
    sync_loop::changed_locally(&app, &state);
    Ok(id.to_string())
}

#[tauri::command]
pub async fn erp_stock(state: S<'_>) -> ApiResult<Vec<StockRow>> {
    Ok(state.replica().await.stock().await?)
}

#[tauri::command]
pub async fn erp_receive_stock(
    app: AppHandle,
    state: S<'_>,
    sku: String,
    qty: String,
    unit_cost: String,
    warehouse: Option<String>,
) -> ApiResult<i64> {
    let seq = state.replica().await.receive_stock(&sku, &qty, &unit_cost, warehouse.as_deref()).await?;
    sync_loop::changed_locally(&app, &state);
    Ok(seq)
}

#[tauri::command]
pub async fn erp_orders(
    state: S<'_>,
    account: Option<String>,
    after: Option<String>,
    limit: u32,
) -> ApiResult<DocPage<SalesOrder>> {
    Ok(state.replica().await.orders(account.as_deref(), after.as_deref(), limit).await?)
}

#[tauri::command]
pub async fn erp_order(state: S<'_>, id: String) -> ApiResult<OrderDetail> {
    Ok(state.replica().await.order(&id).await?)
}

#[tauri::command]
pub async fn erp_create_order(
    app: AppHandle,
    state: S<'_>,
    account: String,
    lines: Vec<OrderLineInput>,
    discount: Option<String>,
) -> ApiResult<String> {
    let id = state.replica().await.create_order(&account, &lines, discount.as_deref()).await?;
    sync_loop::changed_locally(&app, &state);
    Ok(id.to_string())
}

#[tauri::command]
pub async fn erp_confirm_order(app: AppHandle, state: S<'_>, id: String) -> ApiResult<i64> {
    let seq = state.replica().await.confirm_order(&id).await?;
    sync_loop::changed_locally(&app, &state);
    Ok(seq)
}

#[tauri::command]
pub async fn erp_release_order(app: AppHandle, state: S<'_>, id: String) -> ApiResult<i64> {
    let seq = state.replica().await.release_order(&id).await?;
    sync_loop::changed_locally(&app, &state);
    Ok(seq)
}

#[tauri::command]
pub async fn erp_cancel_order(app: AppHandle, state: S<'_>, id: String, reason: String) -> ApiResult<i64> {
    let seq = state.replica().await.cancel_order(&id, &reason).await?;
    sync_loop::changed_locally(&app, &state);
    Ok(seq)
}

#[tauri::command]
pub async fn erp_deliver_order(
    app: AppHandle,
    state: S<'_>,
    id: String,
    lines: Vec<OrderLineInput>,
    carrier: Option<String>,
    tracking: Option<String>,
) -> ApiResult<i64> {
    let (_, seq) = state.replica().await.deliver_order(&id, &lines, carrier.as_deref(), tracking.as_deref()).await?;
    sync_loop::changed_locally(&app, &state);
    Ok(seq)
}

#[tauri::command]
pub async fn erp_deliveries(
    state: S<'_>,
    account: Option<String>,
    after: Option<String>,
    limit: u32,
) -> ApiResult<DocPage<Delivery>> {
    Ok(state.replica().await.deliveries(account.as_deref(), after.as_deref(), limit).await?)
}

#[tauri::command]
pub async fn erp_invoices(
    state: S<'_>,
    account: Option<String>,
    after: Option<String>,
    limit: u32,
) -> ApiResult<DocPage<Invoice>> {
    Ok(state.replica().await.invoices(account.as_deref(), after.as_deref(), limit).await?)
}

#[tauri::command]
pub async fn erp_invoice(state: S<'_>, id: String) -> ApiResult<Invoice> {
    Ok(state.replica().await.invoice(&id).await?)
}

#[tauri::command]
pub async fn erp_create_invoice(app: AppHandle, state: S<'_>, order: String) -> ApiResult<String> {
    let id = state.replica().await.create_invoice(&order).await?;
    sync_loop::changed_locally(&app, &state);
    Ok(id.to_string())
}

#[tauri::command]
pub async fn erp_post_invoice(app: AppHandle, state: S<'_>, id: String) -> ApiResult<i64> {
    let seq = state.replica().await.post_invoice(&id).await?;
    sync_loop::changed_locally(&app, &state);
    Ok(seq)
}

/// How many draft invoices this device holds (what "Post all drafts" would post).
#[tauri::command]
pub async fn erp_draft_count(state: S<'_>) -> ApiResult<usize> {
    Ok(state.replica().await.draft_invoices(None).await?.len())
}

/// What "Post all drafts" submitted: how many invoices, and the outbox number of the posting
/// (none when there was no draft to post).
#[derive(Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PostedDrafts {
    pub count: usize,
    pub seq: Option<i64>,
}

/// Posts every draft invoice this device holds in one posting (all or none; the server numbers
/// them in date order). `expected` is the count the user confirmed: when the drafts changed
/// since, nothing is posted and the user is asked to check again.
#[tauri::command]
pub async fn erp_post_drafts(app: AppHandle, state: S<'_>, expected: usize) -> ApiResult<PostedDrafts> {
    let replica = state.replica().await;
    let drafts = replica.draft_invoices(None).await?;
    if drafts.len() != expected {
        return Err(ApiError::new(
            "drafts_changed",
            format!(
                "the draft invoices changed since you confirmed {expected} (there are {} now): nothing was posted, \
                 check them and post again",
                drafts.len()
            ),
        ));
    }
    if drafts.is_empty() {
        return Ok(PostedDrafts { count: 0, seq: None });
    }
    let ids: Vec<String> = drafts.iter().map(|i| i.id.to_string()).collect();
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let seq = replica.post_invoices(&refs).await?;
    sync_loop::changed_locally(&app, &state);
    Ok(PostedDrafts { count: drafts.len(), seq: Some(seq) })
}

#[tauri::command]
pub async fn erp_credit_invoice(app: AppHandle, state: S<'_>, id: String) -> ApiResult<String> {
    let (cn, _) = state.replica().await.credit_invoice(&id).await?;
    sync_loop::changed_locally(&app, &state);
    Ok(cn.to_string())
}

#[tauri::command]
pub async fn erp_payments(
    state: S<'_>,
    account: Option<String>,
    after: Option<String>,
    limit: u32,
) -> ApiResult<DocPage<Payment>> {
    Ok(state.replica().await.payments(account.as_deref(), after.as_deref(), limit).await?)
}

#[tauri::command]
pub async fn erp_record_payment(
    app: AppHandle,
    state: S<'_>,
    account: String,
    amount: String,
    currency: String,
    invoice: Option<String>,
) -> ApiResult<i64> {
    let invoices: Vec<&str> = invoice.as_deref().into_iter().collect();
    let (_, seq) = state.replica().await.record_payment(&account, &amount, &currency, &invoices).await?;
    sync_loop::changed_locally(&app, &state);
    Ok(seq)
}

#[tauri::command]
pub async fn erp_outcome(state: S<'_>, seq: i64) -> ApiResult<Outcome> {
    Ok(state.replica().await.outcome(seq).await?)
}

#[tauri::command]
pub async fn erp_customer_facts(state: S<'_>, account: String) -> ApiResult<CustomerFacts> {
    Ok(state.replica().await.customer_facts(&account).await?)
}

#[tauri::command]
pub async fn erp_set_terms(app: AppHandle, state: S<'_>, terms: CustomerTerms) -> ApiResult<i64> {
    let seq = state.replica().await.set_terms(terms).await?;
    sync_loop::changed_locally(&app, &state);
    Ok(seq)
}

#[tauri::command]
pub async fn erp_aging(state: S<'_>, as_of: Option<String>) -> ApiResult<Aging> {
    Ok(state.replica().await.aging(as_of.as_deref()).await?)
}

#[tauri::command]
pub async fn erp_trial_balance(state: S<'_>, from: Option<String>, to: Option<String>) -> ApiResult<TrialBalance> {
    Ok(state.replica().await.trial_balance(from.as_deref(), to.as_deref()).await?)
}

#[tauri::command]
pub async fn erp_profit_and_loss(state: S<'_>, from: Option<String>, to: Option<String>) -> ApiResult<ProfitAndLoss> {
    Ok(state.replica().await.profit_and_loss(from.as_deref(), to.as_deref()).await?)
}

#[tauri::command]
pub async fn erp_balance_sheet(state: S<'_>, at: Option<String>) -> ApiResult<BalanceSheet> {
    Ok(state.replica().await.balance_sheet(at.as_deref()).await?)
}

#[tauri::command]
pub async fn erp_price_lists(state: S<'_>) -> ApiResult<Vec<tandem_core::catalog::PriceList>> {
    Ok(state.replica().await.price_lists().await?)
}

/// One price in a price list (found by name, currency and customer, or made new).
#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PriceInput {
    pub list: String,
    pub currency: String,
    pub sku: String,
    pub price: String,
    pub min_qty: Option<String>,
    pub customer: Option<String>,
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
}

#[tauri::command]
pub async fn erp_set_price(app: AppHandle, state: S<'_>, input: PriceInput) -> ApiResult<String> {
    let i = input;
    let id = state
        .replica()
        .await
        .set_price(
            &i.list,
            &i.currency,
            &i.sku,
            &i.price,
            i.min_qty.as_deref(),
            i.customer.as_deref().filter(|c| !c.is_empty()),
            i.valid_from.as_deref().filter(|d| !d.is_empty()),
            i.valid_to.as_deref().filter(|d| !d.is_empty()),
        )
        .await?;
    sync_loop::changed_locally(&app, &state);
    Ok(id.to_string())
}
