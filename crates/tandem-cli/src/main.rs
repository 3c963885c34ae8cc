//! `tandem`: Tandem's headless client. The same replica and sync code as the desktop app, for
//! scripting, imports and tests. Every failure exits non-zero with a one-line reason.

#![allow(clippy::print_stdout)]

mod crm;
mod erp;
mod profiles;

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use tandem_core::{AccountInput, ContactInput};
use tandem_replica::{default_data_dir, ListQuery, Replica, SortDir, SortKey, Workspace};
use tandem_sync::Secret;

#[derive(Parser, Debug)]
#[command(
    name = "tandem",
    version,
    about = "Tandem from the command line: the same replica and sync as the desktop app"
)]
struct Cli {
    /// Where the replica lives (default: the desktop app's own data directory).
    #[arg(long, global = true, env = "TANDEM_DATA_DIR")]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Sign in to a Tandem server (password read from standard input).
    Login {
        url: String,
        #[arg(long)]
        user: String,
    },
    /// Forget the token and return to the local workspace (unsent changes are kept).
    Logout,
    /// Send pending changes and fetch the server's.
    Sync,
    /// Show the workspace, pending changes, the last sync and rejected changes.
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Accounts: the companies we sell to.
    #[command(subcommand)]
    Account(AccountCmd),
    /// Contacts: the people at an account.
    #[command(subcommand)]
    Contact(ContactCmd),
    /// The server's audit log (admins): who changed what, when, before and after.
    Audit {
        /// Only the changes of this account or contact.
        #[arg(long)]
        record: Option<String>,
        /// Entries older than this id (the `next` of a previous page).
        #[arg(long)]
        before: Option<i64>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
        #[arg(long)]
        json: bool,
    },
    /// Field conflicts: the same field edited on two devices.
    #[command(subcommand)]
    Conflict(ConflictCmd),
    /// Products and services.
    #[command(subcommand)]
    Product(erp::ProductCmd),
    /// Price lists: per currency, per customer, quantity breaks, validity.
    #[command(subcommand)]
    Price(erp::PriceCmd),
    /// Stock per warehouse: receipts, adjustments, levels.
    #[command(subcommand)]
    Stock(erp::StockCmd),
    /// Sales orders: create, confirm, deliver, cancel.
    #[command(subcommand)]
    Order(erp::OrderCmd),
    /// Invoices and credit notes.
    #[command(subcommand)]
    Invoice(erp::InvoiceCmd),
    /// Payments received and refunds.
    #[command(subcommand)]
    Payment(erp::PaymentCmd),
    /// Customers' commercial terms: currency, credit, payment, tax, invoicing.
    #[command(subcommand)]
    Customer(erp::CustomerCmd),
    /// Exchange rates.
    #[command(subcommand)]
    Rate(erp::RateCmd),
    /// The books: lock date.
    #[command(subcommand)]
    Books(erp::BooksCmd),
    /// Reports: trial balance, profit and loss, balance sheet, aging, customer.
    #[command(subcommand)]
    Report(erp::ReportCmd),
    /// Sales pipelines and their stages.
    #[command(subcommand)]
    Pipeline(crm::PipelineCmd),
    /// Deals: opportunities moving through a pipeline.
    #[command(subcommand)]
    Deal(crm::DealCmd),
    /// Search accounts, contacts, deals and leads at once (every word as a prefix).
    Search {
        text: String,
        #[arg(long, default_value_t = 20)]
        limit: u32,
        #[arg(long)]
        json: bool,
    },
    /// Activities: calls, meetings, tasks, e-mails and notes, with reminders.
    #[command(subcommand)]
    Activity(crm::ActivityCmd),
    /// The calendar: a day (default today) or a week (--week MONDAY).
    Calendar {
        #[arg(long)]
        day: Option<String>,
        #[arg(long, conflicts_with = "day")]
        week: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Quotes: priced offers, discount approval, PDF, acceptance into a sales order.
    #[command(subcommand)]
    Quote(crm::QuoteCmd),
    /// CRM settings: custom fields and lead scoring rules (sales managers and admins).
    #[command(subcommand)]
    Crm(crm::CrmCmd),
    /// Contracts and renewals.
    #[command(subcommand)]
    Contract(crm::ContractCmd),
    /// Leads: prospects to qualify and convert.
    #[command(subcommand)]
    Lead(crm::LeadCmd),
    /// Import records from CSV files (all or nothing).
    #[command(subcommand)]
    Import(crm::ImportCmd),
    /// Exports: the journal as a plain-text ledger.
    #[command(subcommand)]
    Export(erp::ExportCmd),
}

#[derive(Subcommand, Debug)]
enum ConflictCmd {
    /// List the unresolved conflicts.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Resolve one: keep the current value, or put the overwritten one back.
    Resolve {
        id: String,
        #[arg(long, value_parser = ["current", "overwritten"])]
        keep: String,
    },
}

#[derive(Args, Debug, Default)]
struct AccountFields {
    #[arg(long)]
    name: Option<String>,
    #[arg(long)]
    vat_id: Option<String>,
    #[arg(long)]
    email: Option<String>,
    #[arg(long)]
    phone: Option<String>,
    #[arg(long)]
    city: Option<String>,
    /// The sales territory (decides which reps see the account).
    #[arg(long)]
    territory: Option<String>,
}

impl From<AccountFields> for AccountInput {
    fn from(f: AccountFields) -> Self {
        AccountInput {
            name: f.name,
            vat_id: f.vat_id,
            email: f.email,
            phone: f.phone,
            city: f.city,
            territory: f.territory,
        }
    }
}

#[derive(Subcommand, Debug)]
enum AccountCmd {
    /// Create an account; prints its id on the last line.
    Create(AccountFields),
    /// List accounts.
    List {
        #[arg(long)]
        json: bool,
        #[arg(long, default_value = "")]
        search: String,
        #[arg(long, value_parser = ["name", "city", "updated"], default_value = "name")]
        sort: String,
        #[arg(long)]
        desc: bool,
        /// Only accounts with this tag.
        #[arg(long)]
        tag: Option<String>,
        /// Only accounts this user owns.
        #[arg(long)]
        owner: Option<String>,
    },
    /// Show one account with its contacts.
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Change the given fields (an empty value clears an optional field).
    Update {
        id: String,
        #[command(flatten)]
        fields: AccountFields,
        /// The customer's credit limit (back office), with --currency.
        #[arg(long, requires = "currency")]
        credit_limit: Option<String>,
        /// The currency of the credit limit and of the customer's documents.
        #[arg(long, requires = "credit_limit")]
        currency: Option<String>,
    },
    /// Delete an account and its contacts.
    Delete { id: String },
    /// Show or change an account's owner, tags and custom fields.
    Profile {
        id: String,
        #[command(flatten)]
        fields: profiles::ProfileArgs,
        #[arg(long)]
        json: bool,
    },
    /// The same owner, tag or custom field change on several accounts, all or nothing.
    Bulk {
        /// The accounts (ids).
        #[arg(required = true)]
        ids: Vec<String>,
        #[command(flatten)]
        fields: profiles::ProfileArgs,
    },
    /// Pairs of accounts that may be one company.
    Duplicates {
        #[arg(long)]
        json: bool,
    },
    /// Merge account MERGED into KEEP: contacts, deals, quotes, contracts and activities move,
    /// blank fields are filled, MERGED is deleted.
    Merge { keep: String, merged: String },
}

#[derive(Subcommand, Debug)]
enum ContactCmd {
    /// Add a contact to an account; prints its id on the last line.
    Add {
        #[arg(long)]
        account: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: Option<String>,
        #[arg(long)]
        phone: Option<String>,
    },
    /// List the contacts of an account.
    List {
        #[arg(long)]
        account: String,
        #[arg(long)]
        json: bool,
    },
    /// Change the given fields of a contact.
    Update {
        id: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        email: Option<String>,
        #[arg(long)]
        phone: Option<String>,
    },
    /// Delete a contact.
    Delete { id: String },
    /// Show or change a contact's owner, tags and custom fields.
    Profile {
        id: String,
        #[command(flatten)]
        fields: profiles::ProfileArgs,
        #[arg(long)]
        json: bool,
    },
}

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // --help and --version are printed as clap prints them.
        Err(e) if !e.use_stderr() => e.exit(),
        Err(e) => {
            // One line, like every other failure: clap's first line names the problem.
            let text = e.to_string();
            let first = text.lines().next().unwrap_or("invalid arguments").trim_start_matches("error: ");
            eprintln!("error: {first} (see `tandem --help`)");
            std::process::exit(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start: {e}");
            std::process::exit(1);
        }
    };
    if let Err(e) = runtime.block_on(run(cli)) {
        // A file that does not import: one line per bad line of the file.
        if let Some(tandem_replica::ReplicaError::Import(errors)) = e.downcast_ref::<tandem_replica::ReplicaError>() {
            eprintln!("error: nothing was imported ({} problem(s)):", errors.0.len());
            for line in errors.0.iter() {
                eprintln!("  {line}");
            }
            std::process::exit(1);
        }
        // One line: the chain joined, no backtrace.
        let msg: Vec<String> = e.chain().map(ToString::to_string).collect();
        eprintln!("error: {}", msg.join(": ").replace('\n', " "));
        std::process::exit(1);
    }
}

fn print_json(v: &impl serde::Serialize) -> Result<()> {
    println!("{}", serde_json::to_string_pretty(v)?);
    Ok(())
}

async fn run(cli: Cli) -> Result<()> {
    let ws = Workspace::new(cli.data_dir.unwrap_or_else(default_data_dir));
    match cli.command {
        Command::Login { url, user } => {
            let password = read_password()?;
            let replica = ws.sign_in(&url, &user, password).await?;
            let status = replica.status().await?;
            println!("signed in to {} as {}", status.server_url.unwrap_or_default(), status.user.unwrap_or_default());
        }
        Command::Logout => {
            let local = ws.sign_out().await?;
            local.close().await;
            println!("signed out; unsent changes stay on this device");
        }
        Command::Sync => {
            let replica = ws.open().await?;
            let report = replica
                .sync(&|p| {
                    match p.total {
                        Some(t) => eprint!("\rsync: {} {} of {} changes", p.phase, p.done, t.max(p.done)),
                        None => eprint!("\rsync: {} {} changes", p.phase, p.done),
                    }
                    let _ = std::io::stderr().flush();
                })
                .await;
            eprintln!();
            let report = match report {
                Err(tandem_replica::ReplicaError::Revoked) => {
                    ws.erase_revoked(&replica).await?.close().await;
                    return Err(tandem_replica::ReplicaError::Revoked.into());
                }
                other => other?,
            };
            println!(
                "synced: {} applied, {} rejected, {} changes pulled, at version {}",
                report.applied, report.rejected, report.pulled, report.cursor
            );
            if report.rejected > 0 {
                println!("{} change(s) were rejected by the server: see `tandem status`", report.rejected);
            }
        }
        Command::Status { json } => {
            let replica = ws.open().await?;
            let s = replica.status().await?;
            if json {
                print_json(&s)?;
            } else {
                match &s.server_url {
                    Some(url) if s.signed_in => {
                        println!("signed in to {url} as {}", s.user.clone().unwrap_or_default())
                    }
                    _ => println!("local workspace (not signed in)"),
                }
                println!("pending changes: {}", s.pending);
                println!("last sync: {}", s.last_sync_at.clone().unwrap_or_else(|| "never".into()));
                if let Some(e) = &s.last_error {
                    println!("last error: {e}");
                }
                for r in &s.rejected {
                    println!("rejected #{}: {} — {} ({})", r.seq, r.mutation, r.reason, r.at);
                }
            }
        }
        Command::Account(cmd) => account(&ws, &ws.open().await?, cmd).await?,
        Command::Contact(cmd) => contact(&ws.open().await?, cmd).await?,
        Command::Audit { record, before, limit, json } => {
            let page = ws.open().await?.audit(before, limit, record.as_deref()).await?;
            if json {
                print_json(&page)?;
            } else {
                for e in &page.entries {
                    println!("#{} {} {} {} {} {}", e.id, e.at.to_rfc3339(), e.user, e.mutation, e.entity, e.record_id);
                }
                if let Some(n) = page.next {
                    println!("more: --before {n}");
                }
            }
        }
        Command::Conflict(ConflictCmd::List { json }) => {
            let conflicts = ws.open().await?.conflicts().await?;
            if json {
                print_json(&conflicts)?;
            } else {
                for c in &conflicts {
                    let v = |v: &Option<String>| v.clone().unwrap_or_else(|| "(empty)".into());
                    println!(
                        "{}  {} \"{}\" {}: {} (by {}) overwrote {} (by {})",
                        c.id,
                        c.entity,
                        c.record_name,
                        c.field,
                        v(&c.kept),
                        c.kept_by,
                        v(&c.overwritten),
                        c.overwritten_by.clone().unwrap_or_else(|| "?".into())
                    );
                }
            }
        }
        Command::Product(cmd) => erp::product(&ws.open().await?, cmd).await?,
        Command::Price(cmd) => erp::price(&ws.open().await?, cmd).await?,
        Command::Stock(cmd) => erp::stock(&ws, &ws.open().await?, cmd).await?,
        Command::Order(cmd) => erp::order(&ws, &ws.open().await?, cmd).await?,
        Command::Invoice(cmd) => erp::invoice(&ws, &ws.open().await?, cmd).await?,
        Command::Payment(cmd) => erp::payment(&ws, &ws.open().await?, cmd).await?,
        Command::Customer(cmd) => erp::customer(&ws, &ws.open().await?, cmd).await?,
        Command::Rate(cmd) => erp::rate(&ws, &ws.open().await?, cmd).await?,
        Command::Books(cmd) => erp::books(&ws, &ws.open().await?, cmd).await?,
        Command::Report(cmd) => erp::report(&ws.open().await?, cmd).await?,
        Command::Pipeline(cmd) => crm::pipeline(&ws.open().await?, cmd).await?,
        Command::Deal(cmd) => crm::deal(&ws.open().await?, cmd).await?,
        Command::Search { text, limit, json } => {
            let hits = ws.open().await?.search(&text, limit).await?;
            if json {
                return print_json(&hits);
            }
            for h in &hits {
                println!("{:<8} {}  {}  {}", h.kind, h.id, h.title, h.detail);
            }
        }
        Command::Activity(cmd) => crm::activity(&ws.open().await?, cmd).await?,
        Command::Calendar { day, week, json } => crm::calendar(&ws.open().await?, day, week, json).await?,
        Command::Quote(cmd) => crm::quote(&ws.open().await?, cmd).await?,
        Command::Crm(cmd) => crm::crm(&ws.open().await?, cmd).await?,
        Command::Contract(cmd) => crm::contract(&ws.open().await?, cmd).await?,
        Command::Lead(cmd) => crm::lead(&ws.open().await?, cmd).await?,
        Command::Import(cmd) => crm::import(&ws.open().await?, cmd).await?,
        Command::Export(cmd) => erp::export(&ws.open().await?, cmd).await?,
        Command::Conflict(ConflictCmd::Resolve { id, keep }) => {
            let keep = if keep == "overwritten" { tandem_sync::Keep::Overwritten } else { tandem_sync::Keep::Current };
            ws.open().await?.resolve_conflict(&id, keep).await?;
            println!("resolved {id}");
        }
    }
    Ok(())
}

async fn account(ws: &Workspace, r: &Replica, cmd: AccountCmd) -> Result<()> {
    match cmd {
        AccountCmd::Create(fields) => {
            let id = r.create_account(&fields.into()).await?;
            println!("{id}");
        }
        AccountCmd::Profile { id, fields, json } => {
            profiles::profile(r, tandem_core::crm::CrmEntity::Account, &id, &fields, json).await?;
        }
        AccountCmd::Bulk { ids, fields } => {
            profiles::bulk(r, tandem_core::crm::CrmEntity::Account, &ids, &fields).await?;
        }
        AccountCmd::Duplicates { json } => profiles::duplicates(r, json).await?,
        AccountCmd::Merge { keep, merged } => profiles::merge(r, &keep, &merged).await?,
        AccountCmd::List { json, search, sort, desc, tag, owner } => {
            let sort = match sort.as_str() {
                "city" => SortKey::City,
                "updated" => SortKey::Updated,
                _ => SortKey::Name,
            };
            let mut q = ListQuery {
                search,
                sort,
                dir: if desc { SortDir::Desc } else { SortDir::Asc },
                after: None,
                limit: 1000,
                tag,
                owner,
            };
            let mut all = Vec::new();
            loop {
                let page = r.list_accounts(&q).await?;
                all.extend(page.items);
                match page.next {
                    Some(next) => q.after = Some(next),
                    None => break,
                }
            }
            if json {
                print_json(&all)?;
            } else {
                for a in &all {
                    let flag = if a.pending { " *" } else { "" };
                    println!("{}  {}  {}{flag}", a.id, a.name, a.city.clone().unwrap_or_default());
                }
            }
        }
        AccountCmd::Show { id, json } => {
            let d = r.account(&id).await?;
            if json {
                print_json(&d)?;
            } else {
                let a = &d.account;
                println!("{}\n  id: {}", a.name, a.id);
                for (k, v) in [("VAT id", &a.vat_id), ("e-mail", &a.email), ("phone", &a.phone), ("city", &a.city)] {
                    if let Some(v) = v {
                        println!("  {k}: {v}");
                    }
                }
                for c in &d.contacts {
                    println!(
                        "  contact: {} {} {}",
                        c.name,
                        c.email.clone().unwrap_or_default(),
                        c.phone.clone().unwrap_or_default()
                    );
                }
            }
        }
        AccountCmd::Update { id, fields, credit_limit, currency } => {
            let input: AccountInput = fields.into();
            if input != AccountInput::default() || credit_limit.is_none() {
                r.update_account(&id, &input).await?;
            }
            if let (Some(limit), Some(currency)) = (credit_limit, currency) {
                let seq = r.set_credit_limit(&id, &limit, &currency).await?;
                erp::decide(ws, r, seq, &format!("credit limit {limit} {currency}")).await?;
            }
            println!("{id}");
        }
        AccountCmd::Delete { id } => {
            r.delete_account(&id).await?;
            println!("deleted {id}");
        }
    }
    Ok(())
}

async fn contact(r: &Replica, cmd: ContactCmd) -> Result<()> {
    match cmd {
        ContactCmd::Add { account, name, email, phone } => {
            let id = r.add_contact(&account, &ContactInput { name: Some(name), email, phone }).await?;
            println!("{id}");
        }
        ContactCmd::List { account, json } => {
            let contacts = r.contacts_of(&account).await?;
            if json {
                print_json(&contacts)?;
            } else {
                for c in &contacts {
                    println!("{}  {}  {}", c.id, c.name, c.email.clone().unwrap_or_default());
                }
            }
        }
        ContactCmd::Update { id, name, email, phone } => {
            let id = r.update_contact(&id, &ContactInput { name, email, phone }).await?;
            println!("{id}");
        }
        ContactCmd::Profile { id, fields, json } => {
            profiles::profile(r, tandem_core::crm::CrmEntity::Contact, &id, &fields, json).await?;
        }
        ContactCmd::Delete { id } => {
            r.delete_contact(&id).await?;
            println!("deleted {id}");
        }
    }
    Ok(())
}

/// The password comes from standard input (first line), never from an argument.
fn read_password() -> Result<Secret> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("password: ");
        let _ = std::io::stderr().flush();
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line).context("reading the password from standard input")?;
    let pw = line.trim_end_matches(['\n', '\r']);
    if pw.is_empty() {
        bail!("no password on standard input (pipe it in: echo \"$PASSWORD\" | tandem login URL --user NAME)");
    }
    Ok(Secret::new(pw))
}
