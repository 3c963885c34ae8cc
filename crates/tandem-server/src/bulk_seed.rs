//! `tandem-server seed --scale S --seed N`: a deterministic, realistic company for benchmarks and
//! load tests, bulk-loaded straight into PostgreSQL.
//!
//! At scale 1 it is about a million synced rows a back-office user sees: 40,000 customer accounts
//! with their contacts, deals, activities (calls, meetings, tasks, e-mails, notes), 2,000
//! products received into stock, and about 80,000 sales orders taken through order to cash —
//! confirmed (stock reserved), delivered (stock moves, cost of goods sold), invoiced and posted
//! (journal entries) and mostly paid (payments allocated, orders closed).
//!
//! Every record is built from the `tandem-core` types and goes through the same rules the server
//! applies to a pushed mutation (`order::create`, `order::confirm`, `order::deliver`,
//! `invoice::post`, the ledger postings, `payment::allocate`, ...), with the server's own parts
//! (document numbers per series and year, stock levels, open amounts) kept in memory. The rows
//! written are the ones the server would hold after those records had been pushed one by one:
//! each row with its own increasing version, `sync_clock` raised with every batch, the number
//! series set at the end. Not written: the mutation and audit logs (nothing was pushed).
//!
//! Loading uses `UNNEST` batches, one transaction per batch of accounts, while a blocking thread
//! generates the next batch. The same seed gives the same rows, ids included (UUIDv8 from the
//! seed, never mistaken for a device's v7 ids).

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime, TimeZone as _, Utc};
use rust_decimal::Decimal;
use sqlx::PgPool;
use tandem_core::catalog::{CustomerTerms, Product, ProductInput};
use tandem_core::crm::activity::{self, Activity, ActivityKind, Body, Links, Subject};
use tandem_core::crm::deal::{self, NewDeal};
use tandem_core::crm::pipeline::Pipeline;
use tandem_core::demo::{self, SplitMix};
use tandem_core::invoice;
use tandem_core::ledger::{self, Chart};
use tandem_core::order::{self, Exposure, NewOrder, NewOrderLine, OrderContext, OrderStatus, SalesOrder};
use tandem_core::payment::{self, Payment, PaymentKind};
use tandem_core::stock::{self, main_warehouse, MoveKind, StockLevel, StockMove};
use tandem_core::{
    AccountId, ActivityId, ContactId, Currency, CustomValues, DealId, DeliveryId, Existing, FxRate, InvoiceId,
    ItemName, JournalEntryId, LostReason, Money, NewAccount, NewContact, OrderId, OrderLineId, Percent, PipelineId,
    ProductId, Quantity, UserName,
};
use tandem_sync::Doc;
use uuid::Uuid;

/// Customer accounts at scale 1 (each brings ~24 more rows: see the module doc).
pub const ACCOUNTS_AT_SCALE_1: f64 = 40_000.0;
/// Products at scale 1.
pub const PRODUCTS_AT_SCALE_1: f64 = 2_000.0;
/// The last day of the generated history; orders go back two years from it.
pub const AS_OF: (i32, u32, u32) = (2026, 11, 23);
const HISTORY_DAYS: u64 = 730;
/// Accounts generated and loaded per transaction.
const BATCH_ACCOUNTS: usize = 500;

#[derive(Debug, thiserror::Error)]
pub enum BulkSeedError {
    #[error("the database already holds {0} accounts: seed an empty (migrated) database")]
    NotEmpty(i64),
    #[error("--scale must be a positive number, not {0}")]
    BadScale(f64),
    #[error("a generated record was refused by the rules (a bug in the generator): {0}")]
    Refused(String),
    #[error("the generator stopped: {0}")]
    Generator(String),
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

fn refused(what: &str, e: impl std::fmt::Display) -> BulkSeedError {
    BulkSeedError::Refused(format!("{what}: {e}"))
}

/// What to generate.
#[derive(Clone, Copy, Debug)]
pub struct SeedOptions {
    pub scale: f64,
    pub seed: u64,
}

impl SeedOptions {
    pub fn accounts(&self) -> usize {
        ((ACCOUNTS_AT_SCALE_1 * self.scale).round() as usize).max(1)
    }

    pub fn products(&self) -> usize {
        ((PRODUCTS_AT_SCALE_1 * self.scale).round() as usize).max(10)
    }
}

/// How far loading has come (for a progress line).
#[derive(Clone, Copy, Debug)]
pub struct SeedProgress {
    pub accounts_done: usize,
    pub accounts_total: usize,
    pub rows: u64,
}

/// What was written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SeedReport {
    /// Rows per kind: `account`, `contact`, and each document kind (`order`, `journal`, ...).
    pub by_kind: BTreeMap<String, u64>,
    pub rows: u64,
    /// The server's version after loading (`sync_clock`).
    pub version: i64,
}

/// Generates the data set of `opts` and loads it into `pool` (migrated, without accounts yet)
/// as created by `user`. Calls `progress` after every batch.
pub async fn seed(
    pool: &PgPool,
    user: Uuid,
    opts: SeedOptions,
    progress: &(dyn Fn(SeedProgress) + Send + Sync),
) -> Result<SeedReport, BulkSeedError> {
    if !(opts.scale > 0.0 && opts.scale.is_finite()) {
        return Err(BulkSeedError::BadScale(opts.scale));
    }
    let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM accounts").fetch_one(pool).await?;
    if existing > 0 {
        return Err(BulkSeedError::NotEmpty(existing));
    }
    let mut version: i64 = sqlx::query_scalar("SELECT version FROM sync_clock").fetch_one(pool).await?;
    let created_at = as_of_instant();
    let total = opts.accounts();

    // The generator runs on a blocking thread, one batch ahead of the loader.
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<Batch, BulkSeedError>>(2);
    let generator = tokio::task::spawn_blocking(move || {
        let mut g = match Generator::new(opts) {
            Ok(g) => g,
            Err(e) => {
                let _ = tx.blocking_send(Err(e));
                return;
            }
        };
        let demo = demo::accounts(total, opts.seed);
        let first = g.reference_batch();
        if tx.blocking_send(first).is_err() {
            return;
        }
        for chunk in demo.chunks(BATCH_ACCOUNTS) {
            let batch = g.accounts_batch(chunk);
            let failed = batch.is_err();
            if tx.blocking_send(batch).is_err() || failed {
                return;
            }
        }
        let _ = tx.blocking_send(g.final_batch());
    });

    let mut report = SeedReport::default();
    let mut accounts_done = 0;
    while let Some(batch) = rx.recv().await {
        let batch = batch?;
        accounts_done += batch.accounts.len();
        write_batch(pool, user, created_at, &batch, &mut version, &mut report).await?;
        progress(SeedProgress { accounts_done, accounts_total: total, rows: report.rows });
    }
    generator.await.map_err(|e| BulkSeedError::Generator(e.to_string()))?;
    for table in ["accounts", "contacts", "docs", "number_series"] {
        // Fixed table names, nothing from outside.
        sqlx::query(&format!("ANALYZE {table}")).execute(pool).await?;
    }
    report.version = version;
    Ok(report)
}

/// The CRM-only data set of the list and search benchmarks: `accounts` demo accounts with their
/// contacts (1–3 each, from the same generator as [`seed`]), no documents; the same rows for the
/// same seed. Loaded into `pool` (migrated, without accounts yet) as created by `user`.
pub async fn seed_crm(
    pool: &PgPool,
    user: Uuid,
    accounts: usize,
    seed: u64,
    progress: &(dyn Fn(SeedProgress) + Send + Sync),
) -> Result<SeedReport, BulkSeedError> {
    let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM accounts").fetch_one(pool).await?;
    if existing > 0 {
        return Err(BulkSeedError::NotEmpty(existing));
    }
    let mut version: i64 = sqlx::query_scalar("SELECT version FROM sync_clock").fetch_one(pool).await?;
    let demo = tokio::task::spawn_blocking(move || demo::accounts(accounts, seed))
        .await
        .map_err(|e| BulkSeedError::Generator(e.to_string()))?;
    let mut report = SeedReport::default();
    let mut accounts_done = 0;
    for chunk in demo.chunks(BATCH_ACCOUNTS * 10) {
        let batch = Batch {
            accounts: chunk.iter().map(|d| d.account.clone()).collect(),
            contacts: chunk.iter().flat_map(|d| d.contacts.iter().cloned()).collect(),
            ..Batch::default()
        };
        write_batch(pool, user, as_of_instant(), &batch, &mut version, &mut report).await?;
        accounts_done += chunk.len();
        progress(SeedProgress { accounts_done, accounts_total: demo.len(), rows: report.rows });
    }
    for table in ["accounts", "contacts"] {
        // Fixed table names, nothing from outside.
        sqlx::query(&format!("ANALYZE {table}")).execute(pool).await?;
    }
    report.version = version;
    Ok(report)
}

/// The disabled system user (see `seed`), who owns what `tandem-server seed` loads.
pub async fn ensure_system_user(pool: &PgPool) -> Result<Uuid, BulkSeedError> {
    let mut conn = pool.acquire().await?;
    crate::store::users::insert(
        &mut conn,
        crate::seed::SYSTEM_USER_ID,
        crate::seed::SYSTEM_USER_NAME,
        "admin",
        "!",
        true,
    )
    .await
    .map_err(|e| BulkSeedError::Generator(format!("creating the system user: {e}")))?;
    Ok(crate::seed::SYSTEM_USER_ID)
}

/// The time the records count as pushed (fixed, so the same seed gives the same rows).
pub fn as_of_instant() -> DateTime<Utc> {
    let (y, m, d) = AS_OF;
    Utc.with_ymd_and_hms(y, m, d, 18, 0, 0).single().unwrap_or_else(Utc::now)
}

fn as_of_day() -> NaiveDate {
    as_of_instant().date_naive()
}

/// One document as the `docs` table holds it (see `store::docs::put_many`).
#[derive(Debug)]
struct DocRow {
    id: Uuid,
    kind: &'static str,
    account: Option<Uuid>,
    internal: bool,
    key: Option<String>,
    body: String,
    open_amount: Option<String>,
    territorial: bool,
    territory: Option<String>,
}

impl DocRow {
    fn of(doc: &Doc) -> Result<Self, BulkSeedError> {
        let (account, internal, territorial, territory) = crate::store::docs::placement(doc);
        Ok(DocRow {
            id: doc.id(),
            kind: doc.kind(),
            account,
            internal,
            key: doc.key(),
            body: serde_json::to_string(doc)?,
            open_amount: doc.open_amount().map(|a| a.to_string()),
            territorial,
            territory,
        })
    }
}

/// What one transaction writes, in version order: accounts, contacts, documents, series.
#[derive(Debug, Default)]
struct Batch {
    accounts: Vec<NewAccount>,
    contacts: Vec<NewContact>,
    docs: Vec<DocRow>,
    /// (series, year) → last number, written at the end.
    series: Vec<(String, i32, i64)>,
}

async fn write_batch(
    pool: &PgPool,
    user: Uuid,
    at: DateTime<Utc>,
    b: &Batch,
    version: &mut i64,
    report: &mut SeedReport,
) -> Result<(), BulkSeedError> {
    let mut tx = pool.begin().await?;
    if !b.accounts.is_empty() {
        let n = b.accounts.len();
        let (mut ids, mut names, mut vats, mut emails, mut phones, mut cities, mut terrs, mut versions) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        for a in &b.accounts {
            *version += 1;
            ids.push(a.id.as_uuid());
            names.push(a.name.as_str().to_owned());
            vats.push(a.vat_id.as_ref().map(|v| v.as_str().to_owned()));
            emails.push(a.email.as_ref().map(|v| v.as_str().to_owned()));
            phones.push(a.phone.as_ref().map(|v| v.as_str().to_owned()));
            cities.push(a.city.as_ref().map(|v| v.as_str().to_owned()));
            terrs.push(a.territory.as_ref().map(|v| v.as_str().to_owned()));
            versions.push(*version);
        }
        sqlx::query(
            "INSERT INTO accounts (id, name, vat_id, email, phone, city, territory, version, deleted,
                                   created_at, updated_at, created_by, updated_by)
             SELECT id, name, vat_id, email, phone, city, territory, version, false, $9, $9, $10, $10
             FROM UNNEST($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                         $8::bigint[]) AS t(id, name, vat_id, email, phone, city, territory, version)",
        )
        .bind(&ids)
        .bind(&names)
        .bind(&vats)
        .bind(&emails)
        .bind(&phones)
        .bind(&cities)
        .bind(&terrs)
        .bind(&versions)
        .bind(at)
        .bind(user)
        .execute(&mut *tx)
        .await?;
        *report.by_kind.entry("account".into()).or_default() += n as u64;
        report.rows += n as u64;
    }
    if !b.contacts.is_empty() {
        let n = b.contacts.len();
        let (mut ids, mut accounts, mut names, mut emails, mut phones, mut versions) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        for c in &b.contacts {
            *version += 1;
            ids.push(c.id.as_uuid());
            accounts.push(c.account_id.as_uuid());
            names.push(c.name.as_str().to_owned());
            emails.push(c.email.as_ref().map(|v| v.as_str().to_owned()));
            phones.push(c.phone.as_ref().map(|v| v.as_str().to_owned()));
            versions.push(*version);
        }
        sqlx::query(
            "INSERT INTO contacts (id, account_id, name, email, phone, version, deleted,
                                   created_at, updated_at, created_by, updated_by)
             SELECT id, account_id, name, email, phone, version, false, $7, $7, $8, $8
             FROM UNNEST($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::bigint[])
                  AS t(id, account_id, name, email, phone, version)",
        )
        .bind(&ids)
        .bind(&accounts)
        .bind(&names)
        .bind(&emails)
        .bind(&phones)
        .bind(&versions)
        .bind(at)
        .bind(user)
        .execute(&mut *tx)
        .await?;
        *report.by_kind.entry("contact".into()).or_default() += n as u64;
        report.rows += n as u64;
    }
    // Documents in slices, so one statement's arrays stay a few MB.
    for chunk in b.docs.chunks(5_000) {
        let n = chunk.len();
        let mut cols = DocColumns::with_capacity(n);
        for d in chunk {
            *version += 1;
            cols.push(d, *version);
            *report.by_kind.entry(d.kind.to_owned()).or_default() += 1;
        }
        sqlx::query(
            "INSERT INTO docs (id, kind, account_id, internal, key, version, deleted, body, open_amount,
                               territorial, territory)
             SELECT id, kind, account_id, internal, key, version, false, body::jsonb, open_amount::numeric,
                    territorial, territory
             FROM UNNEST($1::uuid[], $2::text[], $3::uuid[], $4::bool[], $5::text[], $6::bigint[], $7::text[],
                         $8::text[], $9::bool[], $10::text[])
                  AS t(id, kind, account_id, internal, key, version, body, open_amount, territorial, territory)",
        )
        .bind(&cols.ids)
        .bind(&cols.kinds)
        .bind(&cols.accounts)
        .bind(&cols.internal)
        .bind(&cols.keys)
        .bind(&cols.versions)
        .bind(&cols.bodies)
        .bind(&cols.open)
        .bind(&cols.territorial)
        .bind(&cols.territories)
        .execute(&mut *tx)
        .await?;
        report.rows += n as u64;
    }
    if !b.series.is_empty() {
        let series: Vec<&str> = b.series.iter().map(|s| s.0.as_str()).collect();
        let years: Vec<i32> = b.series.iter().map(|s| s.1).collect();
        let last: Vec<i64> = b.series.iter().map(|s| s.2).collect();
        sqlx::query(
            "INSERT INTO number_series (series, year, last)
             SELECT * FROM UNNEST($1::text[], $2::int[], $3::bigint[])
             ON CONFLICT (series, year) DO UPDATE SET last = GREATEST(number_series.last, excluded.last)",
        )
        .bind(&series)
        .bind(&years)
        .bind(&last)
        .execute(&mut *tx)
        .await?;
    }
    // Never behind a committed row: a device pulling meanwhile sees a consistent feed.
    sqlx::query("UPDATE sync_clock SET version = $1").bind(*version).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug)]
struct DocColumns<'a> {
    ids: Vec<Uuid>,
    kinds: Vec<&'static str>,
    accounts: Vec<Option<Uuid>>,
    internal: Vec<bool>,
    keys: Vec<Option<&'a str>>,
    versions: Vec<i64>,
    bodies: Vec<&'a str>,
    open: Vec<Option<&'a str>>,
    territorial: Vec<bool>,
    territories: Vec<Option<&'a str>>,
}

impl<'a> DocColumns<'a> {
    fn with_capacity(n: usize) -> Self {
        DocColumns {
            ids: Vec::with_capacity(n),
            kinds: Vec::with_capacity(n),
            accounts: Vec::with_capacity(n),
            internal: Vec::with_capacity(n),
            keys: Vec::with_capacity(n),
            versions: Vec::with_capacity(n),
            bodies: Vec::with_capacity(n),
            open: Vec::with_capacity(n),
            territorial: Vec::with_capacity(n),
            territories: Vec::with_capacity(n),
        }
    }

    fn push(&mut self, d: &'a DocRow, version: i64) {
        self.ids.push(d.id);
        self.kinds.push(d.kind);
        self.accounts.push(d.account);
        self.internal.push(d.internal);
        self.keys.push(d.key.as_deref());
        self.versions.push(version);
        self.bodies.push(&d.body);
        self.open.push(d.open_amount.as_deref());
        self.territorial.push(d.territorial);
        self.territories.push(d.territory.as_deref());
    }
}

// ----- generation -----

const PRODUCT_FAMILIES: &[(&str, &str, u32, i64)] = &[
    // (name, unit, tax rate, typical price in cents)
    ("Hydraulikpumpe", "pc", 19, 89_000),
    ("Kugellager", "pc", 19, 1_250),
    ("Förderband", "m", 19, 14_500),
    ("Schutzhandschuhe", "pair", 19, 690),
    ("Kabeltrommel", "pc", 19, 5_900),
    ("Palettenregal", "pc", 19, 32_000),
    ("Schraubensatz", "box", 19, 1_490),
    ("Druckluftschlauch", "m", 19, 450),
    ("Steuerplatine", "pc", 19, 24_900),
    ("Sensor", "pc", 19, 7_900),
    ("Kaffeebohnen", "kg", 7, 1_890),
    ("Mineralwasser", "crate", 7, 790),
    ("Verpackungsfolie", "roll", 19, 2_350),
    ("Etikettendrucker", "pc", 19, 41_000),
    ("Werkbank", "pc", 19, 58_000),
    ("LED-Leuchte", "pc", 19, 3_990),
];
const PRODUCT_GRADES: &[&str] = &["Basic", "Standard", "Pro", "Industrie", "Kompakt", "XL", "Eco", "Premium"];
const SERVICES: &[(&str, &str, i64)] = &[
    ("Montage vor Ort", "h", 9_500),
    ("Wartungsvertrag Monat", "month", 24_900),
    ("Schulung", "day", 120_000),
    ("Expressversand", "pc", 2_900),
];
const DEAL_TOPICS: &[&str] = &[
    "Rahmenvertrag",
    "Erweiterung Lager",
    "Neuausstattung Werkstatt",
    "Jahresbedarf",
    "Pilotprojekt",
    "Ersatzteilpaket",
    "Wartung und Service",
    "Standort-Rollout",
    "Modernisierung Linie",
    "Nachbestellung",
];
const OWNERS: &[&str] = &["anna.mueller", "lukas.schmidt", "mia.weber", "jonas.fischer", "lea.wagner", "finn.becker"];
const LOST_REASONS: &[&str] = &["Price", "Competitor", "No budget", "Timing", "No decision"];
const CALLS: &[&str] =
    &["Bedarf klären", "Rückruf zum Angebot", "Liefertermin besprechen", "Reklamation aufnehmen", "Jahresgespräch"];
const MEETINGS: &[&str] = &["Termin vor Ort", "Produktvorführung", "Quartalsreview", "Werksbesichtigung"];
const TASKS: &[&str] = &["Angebot nachfassen", "Muster versenden", "Preisliste schicken", "Zahlung prüfen"];
const EMAILS: &[&str] = &["Angebot per E-Mail", "Auftragsbestätigung", "Rückfrage Lieferadresse", "Neue Preisliste"];
const NOTES: &[&str] = &["Gesprächsnotiz", "Wettbewerb im Haus", "Budget für nächstes Jahr", "Neuer Ansprechpartner"];

/// The standard pipeline's id, the same one a device gives it (`tandem_replica::crm`).
pub fn standard_pipeline_id() -> PipelineId {
    PipelineId::from_uuid(Uuid::new_v5(&Uuid::NAMESPACE_OID, b"tandem/pipeline/standard"))
}

struct Generator {
    rng: SplitMix,
    opts: SeedOptions,
    company: Currency,
    chart: Chart,
    pipeline: Pipeline,
    products: BTreeMap<ProductId, Product>,
    /// Products an order line may pick (active ones), by index.
    catalog: Vec<ProductId>,
    levels: BTreeMap<ProductId, StockLevel>,
    series: BTreeMap<(String, i32), i64>,
    as_of: NaiveDate,
}

impl std::fmt::Debug for Generator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Generator").field("opts", &self.opts).finish_non_exhaustive()
    }
}

fn cents(c: i64) -> Decimal {
    Decimal::new(c, 2)
}

impl Generator {
    fn new(opts: SeedOptions) -> Result<Self, BulkSeedError> {
        let name = ItemName::parse("Sales").map_err(|e| refused("pipeline", e))?;
        Ok(Generator {
            rng: SplitMix::new(opts.seed ^ 0xB01C_5EED_0000_0001),
            opts,
            company: Currency::EUR,
            chart: Chart::standard(),
            pipeline: Pipeline::standard(standard_pipeline_id(), name),
            products: BTreeMap::new(),
            catalog: Vec::new(),
            levels: BTreeMap::new(),
            series: BTreeMap::new(),
            as_of: as_of_day(),
        })
    }

    fn uuid(&mut self) -> Uuid {
        self.rng.uuid()
    }

    fn days_ago(&self, days: u64) -> NaiveDate {
        self.as_of.checked_sub_days(Days::new(days)).unwrap_or(self.as_of)
    }

    fn number(&mut self, series: &str, date: NaiveDate) -> String {
        let n = self.series.entry((series.to_owned(), date.year())).or_insert(0);
        *n += 1;
        invoice::format_number(series, date.year(), *n)
    }

    fn entry_id(&mut self) -> JournalEntryId {
        JournalEntryId::from_uuid(self.uuid())
    }

    /// The pipeline, the main warehouse, the catalog and its first stock receipts.
    fn reference_batch(&mut self) -> Result<Batch, BulkSeedError> {
        let mut docs = vec![Doc::Pipeline(self.pipeline.clone()), Doc::Warehouse(main_warehouse())];
        let count = self.opts.products();
        // Demand per goods product over the history (about 2 orders per account, 3 lines, ~8
        // units a line), received with a margin in two receipts.
        let goods = count.saturating_sub(SERVICES.len()).max(1);
        let demand = (self.opts.accounts() as f64 * 2.0 * 3.0 * 8.0 / goods as f64).ceil() as i64;
        for i in 0..count {
            let id = ProductId::from_uuid(self.uuid());
            let input = if let Some(&(name, unit, price)) = SERVICES.get(i) {
                ProductInput {
                    sku: Some(format!("SRV-{:04}", i + 1)),
                    name: Some(name.into()),
                    kind: Some("service".into()),
                    unit: Some(unit.into()),
                    tax_rate: Some("19".into()),
                    price: Some(cents(price).to_string()),
                    cost: Some(cents(price * 4 / 10).to_string()),
                    ..ProductInput::default()
                }
            } else {
                let (family, unit, tax, base) = PRODUCT_FAMILIES[self.rng.below(PRODUCT_FAMILIES.len())];
                let grade = self.rng.pick(PRODUCT_GRADES);
                // ±40 % around the family's price, to the cent.
                let price = base * (60 + self.rng.below(81) as i64) / 100;
                let cost = price * (45 + self.rng.below(26) as i64) / 100;
                ProductInput {
                    sku: Some(format!("ART-{:05}", i + 1)),
                    name: Some(format!("{family} {grade} {}", 100 + self.rng.below(900))),
                    unit: Some(unit.into()),
                    tax_rate: Some(tax.to_string()),
                    price: Some(cents(price).to_string()),
                    cost: Some(cents(cost).to_string()),
                    ..ProductInput::default()
                }
            };
            let p = Product::parse(id, &input, self.company).map_err(|e| refused("product", e))?;
            docs.push(Doc::Product(p.clone()));
            if p.is_stocked() {
                for (days, share) in [(HISTORY_DAYS + 20, 2), (HISTORY_DAYS / 2, 1)] {
                    let qty = Quantity::new(Decimal::from(demand * share + 50)).map_err(|e| refused("receipt", e))?;
                    docs.extend(self.receive(&p, qty, self.days_ago(days))?);
                }
            }
            self.catalog.push(p.id);
            self.products.insert(p.id, p);
        }
        let docs = docs.iter().map(DocRow::of).collect::<Result<_, _>>()?;
        Ok(Batch { docs, ..Batch::default() })
    }

    /// `stock.receive`: the move and its journal entry (the level is written at the end).
    fn receive(&mut self, p: &Product, qty: Quantity, date: NaiveDate) -> Result<Vec<Doc>, BulkSeedError> {
        let level = self.levels.entry(p.id).or_insert_with(|| StockLevel::empty(p.id, main_warehouse().id));
        let value = stock::receive(level, qty, p.cost, self.company).map_err(|e| refused("receipt", e))?;
        let id = self.rng.uuid();
        let reference = format!("Receipt {} {}", p.sku, qty);
        let mut out = vec![Doc::Move(StockMove {
            id,
            kind: MoveKind::Receipt,
            product: p.id,
            warehouse: main_warehouse().id,
            qty: qty.get(),
            value,
            date,
            reference: reference.clone(),
        })];
        let posting =
            ledger::ReceiptPosting { entry_id: self.entry_id(), source_id: id, date, reference, supplier: None, value };
        if let Some(e) = posting.post(&self.chart, self.company).map_err(|e| refused("receipt posting", e))? {
            out.push(Doc::Journal(e));
        }
        Ok(out)
    }

    fn accounts_batch(&mut self, chunk: &[demo::DemoAccount]) -> Result<Batch, BulkSeedError> {
        let mut b = Batch::default();
        let mut docs = Vec::new();
        for d in chunk {
            b.accounts.push(d.account.clone());
            b.contacts.extend(d.contacts.iter().cloned());
            self.customer(d, &mut docs)?;
        }
        b.docs = docs.iter().map(DocRow::of).collect::<Result<_, _>>()?;
        Ok(b)
    }

    /// Stock levels as they ended, and the number series.
    fn final_batch(&mut self) -> Result<Batch, BulkSeedError> {
        let docs: Vec<Doc> = self.levels.values().cloned().map(Doc::Stock).collect();
        Ok(Batch {
            docs: docs.iter().map(DocRow::of).collect::<Result<_, _>>()?,
            series: self.series.iter().map(|((s, y), n)| (s.clone(), *y, *n)).collect(),
            ..Batch::default()
        })
    }

    /// One customer's history: terms, deals, activities, orders to cash.
    fn customer(&mut self, d: &demo::DemoAccount, out: &mut Vec<Doc>) -> Result<(), BulkSeedError> {
        let account = d.account.id;
        let name = d.account.name.as_str().to_owned();
        let mut terms = CustomerTerms::default_for(account, self.company);
        if self.rng.below(5) == 0 {
            terms.payment_days = [14, 45, 60][self.rng.below(3)];
            if self.rng.below(2) == 0 {
                terms.discount =
                    Some(Percent::new(Decimal::from(2 + self.rng.below(4) as i64)).map_err(|e| refused("terms", e))?);
            }
            out.push(Doc::Terms(terms.clone()));
        }
        let owner = UserName::parse(self.rng.pick(OWNERS)).map_err(|e| refused("owner", e))?;
        let contacts: Vec<ContactId> = d.contacts.iter().map(|c| c.id).collect();

        let mut deals = Vec::new();
        for _ in 0..self.rng.below(3) {
            let deal = self.deal(account, &name, &contacts, &owner)?;
            deals.push(deal.id);
            out.push(Doc::Deal(deal));
        }
        for _ in 0..self.rng.below(7) {
            let a = self.activity(account, &contacts, &deals, &owner)?;
            out.push(Doc::Activity(a));
        }
        for _ in 0..self.rng.below(5) {
            self.order_to_cash(account, &name, &terms, out)?;
        }
        Ok(())
    }

    fn deal(
        &mut self,
        account: AccountId,
        name: &str,
        contacts: &[ContactId],
        owner: &UserName,
    ) -> Result<tandem_core::Deal, BulkSeedError> {
        let back = self.rng.below(HISTORY_DAYS as usize) as u64;
        let created = self.days_ago(back);
        let short: String = name.split_whitespace().take(2).collect::<Vec<_>>().join(" ");
        let topic = self.rng.pick(DEAL_TOPICS);
        let new = NewDeal {
            id: DealId::from_uuid(self.uuid()),
            name: ItemName::parse(&format!("{topic} {short}")).map_err(|e| refused("deal", e))?,
            account,
            contact: contacts.get(self.rng.below(contacts.len().max(1))).copied(),
            pipeline: self.pipeline.id,
            stage: None,
            amount: Money::new(Decimal::from(1_000 + 500 * self.rng.below(200) as i64), self.company),
            expected_close: created.checked_add_days(Days::new(30 + self.rng.below(150) as u64)).unwrap_or(created),
            owner: owner.clone(),
            team: None,
            lost_reason: None,
            lead: None,
            renews: None,
            custom: CustomValues::default(),
        };
        let mut deal =
            deal::create(Existing::Missing, &new, &self.pipeline, created).map_err(|e| refused("deal", e))?;
        // Older deals have moved on: most are closed, won or lost; recent ones are open.
        let age = (self.as_of - created).num_days();
        let stage = match (age > 120, self.rng.below(10)) {
            (true, 0..=4) => Some("Won"),
            (true, 5..=8) => Some("Lost"),
            (_, 0..=2) => Some("Propose"),
            (_, 3..=4) => Some("Negotiate"),
            _ => None,
        };
        if let Some(stage) = stage {
            let on = deal.expected_close.min(self.as_of);
            let reason = if stage == "Lost" {
                Some(LostReason::parse(self.rng.pick(LOST_REASONS)).map_err(|e| refused("deal", e))?)
            } else {
                None
            };
            deal::move_to(&mut deal, &self.pipeline, stage, on, reason).map_err(|e| refused("deal move", e))?;
        }
        Ok(deal)
    }

    fn activity(
        &mut self,
        account: AccountId,
        contacts: &[ContactId],
        deals: &[DealId],
        owner: &UserName,
    ) -> Result<Activity, BulkSeedError> {
        let kind = ActivityKind::ALL[self.rng.below(ActivityKind::ALL.len())];
        let subject = match kind {
            ActivityKind::Call => self.rng.pick(CALLS),
            ActivityKind::Meeting => self.rng.pick(MEETINGS),
            ActivityKind::Task => self.rng.pick(TASKS),
            ActivityKind::Email => self.rng.pick(EMAILS),
            ActivityKind::Note => self.rng.pick(NOTES),
        };
        // Mostly past (and done), some in the next weeks.
        let offset = self.rng.below(HISTORY_DAYS as usize) as i64 - 30;
        let day = if offset >= 0 {
            self.days_ago(offset as u64)
        } else {
            self.as_of.checked_add_days(Days::new((-offset) as u64)).unwrap_or(self.as_of)
        };
        let time = NaiveTime::from_hms_opt(8 + self.rng.below(10) as u32, [0, 15, 30, 45][self.rng.below(4)], 0)
            .unwrap_or(NaiveTime::MIN);
        let at = NaiveDateTime::new(day, time);
        let past = day < self.as_of;
        let body = match kind {
            ActivityKind::Note | ActivityKind::Call | ActivityKind::Email => Some(
                Body::parse(&format!(
                    "{subject}.\nNächster Schritt: {} bis {}.",
                    self.rng.pick(TASKS),
                    day.checked_add_days(Days::new(7)).unwrap_or(day)
                ))
                .map_err(|e| refused("activity", e))?,
            ),
            _ => None,
        };
        let due = matches!(kind, ActivityKind::Call | ActivityKind::Meeting | ActivityKind::Task).then_some(at);
        let a = Activity {
            id: ActivityId::from_uuid(self.uuid()),
            kind,
            subject: Subject::parse(subject).map_err(|e| refused("activity", e))?,
            body,
            due,
            duration_minutes: match kind {
                ActivityKind::Meeting => Some(60),
                ActivityKind::Call => Some(15),
                _ => None,
            },
            done_at: (past || due.is_none()).then_some(at),
            assignee: owner.clone(),
            reminder: None,
            reminded_at: None,
            links: Links {
                account: Some(account),
                contact: contacts.get(self.rng.below(contacts.len().max(1))).copied(),
                deal: if deals.is_empty() || self.rng.below(2) == 0 {
                    None
                } else {
                    Some(deals[self.rng.below(deals.len())])
                },
                lead: None,
                territory: None,
            },
            created: NaiveDateTime::new(day.checked_sub_days(Days::new(3)).unwrap_or(day), NaiveTime::MIN),
        };
        activity::check(&a).map_err(|e| refused("activity", e))?;
        Ok(a)
    }

    /// One order through the server's rules as far as its age allows: created and confirmed
    /// (credit check, reservation), delivered, invoiced and posted, paid.
    fn order_to_cash(
        &mut self,
        account: AccountId,
        customer_name: &str,
        terms: &CustomerTerms,
        out: &mut Vec<Doc>,
    ) -> Result<(), BulkSeedError> {
        let age = self.rng.below(HISTORY_DAYS as usize) as u64;
        let date = self.days_ago(age);
        let mut lines = Vec::new();
        for _ in 0..1 + self.rng.below(5) {
            let product = self.catalog[self.rng.below(self.catalog.len())];
            if lines.iter().any(|l: &NewOrderLine| l.product == product) {
                continue;
            }
            let qty = Quantity::new(Decimal::from(1 + self.rng.below(15) as i64)).map_err(|e| refused("line", e))?;
            lines.push(NewOrderLine { id: OrderLineId::from_uuid(self.uuid()), product, qty, discount: None });
        }
        let new = NewOrder {
            id: OrderId::from_uuid(self.uuid()),
            account,
            date,
            warehouse: main_warehouse().id,
            discount: None,
            lines,
        };
        let ctx = OrderContext { customer_name, terms, products: &self.products, price_lists: &[] };
        let mut o = order::create(Existing::Missing, &new, &ctx).map_err(|e| refused("order", e))?;
        // A few recent orders are still drafts.
        if age < 7 && self.rng.below(3) == 0 {
            out.push(Doc::Order(o));
            return Ok(());
        }
        // Open amounts of this customer's earlier documents (none: each order is settled or
        // left open in turn; the default terms set no limit).
        let exposure = Exposure::default();
        order::confirm(&mut o, String::new(), terms, &exposure, &self.products, &mut self.levels, date)
            .map_err(|e| refused("order.confirm", e))?;
        o.number = Some(self.number("SO", date));
        if o.status != OrderStatus::Confirmed || age < 3 {
            out.push(Doc::Order(o));
            return Ok(());
        }

        // Delivered a day or two later.
        let shipped_on = date.checked_add_days(Days::new(1 + self.rng.below(2) as u64)).unwrap_or(date);
        let promised = o.lines.iter().filter_map(|l| l.promise_date).min();
        let shipped = order::deliver(&mut o, None, &self.products, &mut self.levels, self.company)
            .map_err(|e| refused("order.deliver", e))?;
        let delivery_id = DeliveryId::from_uuid(self.uuid());
        let number = self.number("DL", shipped_on);
        let cost: Decimal = shipped.iter().map(|l| l.cost).sum();
        for l in &shipped {
            if l.cost.is_zero() && !self.levels.contains_key(&l.product) {
                continue;
            }
            let id = self.uuid();
            out.push(Doc::Move(StockMove {
                id,
                kind: MoveKind::Delivery,
                product: l.product,
                warehouse: o.warehouse,
                qty: -l.qty.get(),
                value: -l.cost,
                date: shipped_on,
                reference: format!("{number} {}", l.sku),
            }));
        }
        let posting = ledger::CogsPosting {
            entry_id: self.entry_id(),
            source_id: delivery_id.as_uuid(),
            date: shipped_on,
            reference: number.clone(),
            cost,
        };
        if let Some(e) = posting.post(&self.chart, self.company).map_err(|e| refused("cogs posting", e))? {
            out.push(Doc::Journal(e));
        }
        out.push(Doc::Delivery(order::Delivery {
            id: delivery_id,
            number,
            order: o.id,
            order_number: o.reference(),
            account,
            customer_name: customer_name.to_owned(),
            warehouse: o.warehouse,
            date: shipped_on,
            promised,
            carrier: Some(["DHL", "DB Schenker", "UPS", "Eigene Zustellung"][self.rng.below(4)].to_owned()),
            tracking: None,
            lines: shipped,
            cost,
        }));
        if o.status != OrderStatus::Delivered || age < 5 {
            out.push(Doc::Order(o));
            return Ok(());
        }

        // Invoiced on the day of delivery or the next, and posted.
        let invoiced_on = shipped_on.checked_add_days(Days::new(self.rng.below(2) as u64)).unwrap_or(shipped_on);
        let mut inv =
            invoice::draft_from_order(Existing::Missing, InvoiceId::from_uuid(self.uuid()), &o, terms, invoiced_on)
                .map_err(|e| refused("invoice.create", e))?;
        invoice::check_against_order(&inv, &o, terms.invoice_policy).map_err(|e| refused("invoice.post", e))?;
        let rate = FxRate::ONE;
        let number = self.number(inv.series(), inv.date);
        let posting = ledger::InvoicePosting {
            entry_id: self.entry_id(),
            source_id: inv.id.as_uuid(),
            date: inv.date,
            reference: number.clone(),
            customer: account,
            credit_note: false,
            doc_currency: inv.currency,
            rate,
            revenue: invoice::revenue_by_account(&inv),
            tax: inv.totals.tax,
        };
        let entry = posting.post(&self.chart, self.company).map_err(|e| refused("invoice posting", e))?;
        let total_company = posting.receivable_amount(self.company);
        invoice::post(&mut inv, number, rate, total_company, entry.id(), None)
            .map_err(|e| refused("invoice.post", e))?;
        let invoiced: Vec<_> = inv.lines.iter().filter_map(|l| l.order_line.map(|ol| (ol, l.qty))).collect();
        order::record_invoiced(&mut o, &invoiced, false, inv.totals.total);
        out.push(Doc::Journal(entry));

        // Most invoices whose due date has passed are paid, in full, around the due date.
        let paid_on = inv.due.checked_sub_days(Days::new(self.rng.below(10) as u64)).unwrap_or(inv.due).max(inv.date);
        if paid_on <= self.as_of && self.rng.below(100) < 90 {
            self.pay(account, customer_name, &mut inv, &mut o, paid_on, out)?;
        }
        out.push(Doc::Invoice(inv));
        out.push(Doc::Order(o));
        Ok(())
    }

    /// `payment.record` of an invoice's residual, allocated to it.
    fn pay(
        &mut self,
        account: AccountId,
        customer_name: &str,
        inv: &mut invoice::Invoice,
        o: &mut SalesOrder,
        date: NaiveDate,
        out: &mut Vec<Doc>,
    ) -> Result<(), BulkSeedError> {
        let amount = inv.residual;
        let id = tandem_core::PaymentId::from_uuid(self.uuid());
        let mut open = vec![inv.clone()];
        let (allocations, left) =
            payment::allocate(amount, &mut open, &[inv.id], self.company).map_err(|e| refused("payment", e))?;
        let rate = FxRate::ONE;
        let number = self.number("PAY", date);
        let posting = ledger::PaymentPosting {
            entry_id: self.entry_id(),
            source_id: id.as_uuid(),
            date,
            reference: number.clone(),
            customer: account,
            doc_currency: inv.currency,
            rate,
            amount,
            allocations: allocations
                .iter()
                .map(|a| ledger::AllocationPosting {
                    invoice_reference: a.reference.clone(),
                    amount_doc: a.amount,
                    amount_company: a.amount_company,
                })
                .collect(),
        };
        let entry = posting.post(&self.chart, self.company).map_err(|e| refused("payment posting", e))?;
        let credit_company = posting.credit_amount(self.company);
        out.push(Doc::Payment(Payment {
            id,
            kind: PaymentKind::Receipt,
            number,
            account,
            customer_name: customer_name.to_owned(),
            date,
            currency: inv.currency,
            amount,
            rate,
            allocations,
            unallocated: left,
            credit_company,
            journal_entry: Some(entry.id()),
        }));
        out.push(Doc::Journal(entry));
        if let Some(paid) = open.pop() {
            *inv = paid;
        }
        order::close_if_paid(o, inv.residual.is_zero());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn generate(opts: SeedOptions) -> Vec<Batch> {
        let mut g = Generator::new(opts).expect("generator");
        let demo = demo::accounts(opts.accounts(), opts.seed);
        let mut out = vec![g.reference_batch().expect("reference data")];
        for chunk in demo.chunks(BATCH_ACCOUNTS) {
            out.push(g.accounts_batch(chunk).expect("accounts"));
        }
        out.push(g.final_batch().expect("levels"));
        out
    }

    fn bodies(batches: &[Batch]) -> Vec<String> {
        batches.iter().flat_map(|b| b.docs.iter().map(|d| d.body.clone())).collect()
    }

    #[test]
    fn the_same_seed_gives_the_same_documents_and_another_seed_others() {
        let opts = SeedOptions { scale: 0.005, seed: 7 };
        let a = bodies(&generate(opts));
        assert_eq!(a, bodies(&generate(opts)), "same seed, same documents, byte for byte");
        assert_ne!(a, bodies(&generate(SeedOptions { seed: 8, ..opts })), "another seed, other documents");
    }

    #[test]
    fn every_document_reads_back_as_its_type_and_the_mix_is_complete() {
        let batches = generate(SeedOptions { scale: 0.005, seed: 7 });
        let mut kinds = BTreeMap::<&str, usize>::new();
        for d in batches.iter().flat_map(|b| &b.docs) {
            let doc: Doc = serde_json::from_str(&d.body).expect("a generated document deserializes as a Doc");
            assert_eq!(doc.kind(), d.kind);
            assert_eq!(doc.id(), d.id);
            *kinds.entry(d.kind).or_default() += 1;
        }
        for kind in ["pipeline", "warehouse", "product", "stock", "move", "journal", "deal", "activity", "order"] {
            assert!(kinds.get(kind).is_some_and(|n| *n > 0), "the mix has {kind} documents: {kinds:?}");
        }
        for kind in ["delivery", "invoice", "payment"] {
            assert!(kinds.get(kind).is_some_and(|n| *n > 0), "the mix has {kind} documents: {kinds:?}");
        }
    }
}
