//! CRM commands: pipelines, deals and the forecast. Like every command, a thin shell over the
//! replica: they work offline and sync with the next `tandem sync`.

use anyhow::Result;
use clap::Subcommand;
use tandem_core::crm::activity::ActivityInput;
use tandem_core::crm::deal::DealInput;
use tandem_core::crm::forecast::{Granularity, GroupBy, RowGroup};
use tandem_core::crm::lead::LeadInput;
use tandem_replica::{ConvertOptions, LinkInput, QuoteLineInput, Replica};

use crate::print_json;

#[derive(Subcommand, Debug)]
pub enum PipelineCmd {
    /// Create a pipeline with the standard stages (Qualify, Propose, Negotiate, Won, Lost);
    /// prints its id on the last line. Sales managers and admins.
    Create { name: String },
    /// List pipelines with their stages.
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum DealCmd {
    /// Create a deal of an account (offline too); prints its id on the last line.
    Create {
        #[arg(long)]
        account: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        amount: String,
        /// Default: the company currency.
        #[arg(long)]
        currency: Option<String>,
        /// Expected close date, YYYY-MM-DD.
        #[arg(long)]
        close: String,
        /// Default: the pipeline's first open stage.
        #[arg(long)]
        stage: Option<String>,
        /// Name or id; default: the only (or the standard) pipeline.
        #[arg(long)]
        pipeline: Option<String>,
        /// Default: you.
        #[arg(long)]
        owner: Option<String>,
        #[arg(long)]
        team: Option<String>,
        #[arg(long)]
        contact: Option<String>,
    },
    /// List deals by expected close date.
    List {
        #[arg(long)]
        account: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Change several deals at once (a selection): owner, amount, close date, team, and/or
    /// move them to a stage. All or none.
    Bulk {
        #[arg(required = true)]
        ids: Vec<String>,
        #[arg(long)]
        owner: Option<String>,
        #[arg(long)]
        stage: Option<String>,
        #[arg(long)]
        close: Option<String>,
        #[arg(long)]
        team: Option<String>,
    },
    /// Move a deal to a stage of its pipeline (a lost stage needs --lost-reason).
    Move {
        id: String,
        #[arg(long)]
        stage: String,
        #[arg(long)]
        lost_reason: Option<String>,
    },
}

pub async fn pipeline(r: &Replica, cmd: PipelineCmd) -> Result<()> {
    match cmd {
        PipelineCmd::Create { name } => {
            let id = r.create_pipeline(&name).await?;
            println!("{id}");
        }
        PipelineCmd::List { json } => {
            let list = r.pipelines().await?;
            if json {
                return print_json(&list);
            }
            for p in &list {
                let stages: Vec<String> = p.stages.iter().map(|s| format!("{} {}", s.name, s.probability)).collect();
                println!("{}  {}  [{}]", p.id, p.name, stages.join(", "));
            }
        }
    }
    Ok(())
}

pub async fn deal(r: &Replica, cmd: DealCmd) -> Result<()> {
    match cmd {
        DealCmd::Create { account, name, amount, currency, close, stage, pipeline, owner, team, contact } => {
            let input = DealInput {
                name: Some(name),
                amount: Some(amount),
                currency,
                expected_close: Some(close),
                stage,
                owner,
                team,
                lost_reason: None,
                custom: Default::default(),
            };
            let id = r.create_deal(&account, contact.as_deref(), pipeline.as_deref(), &input).await?;
            println!("{id}");
        }
        DealCmd::List { account, json } => {
            // Every page, fetched by key.
            let account = account.as_deref();
            let all = all_pages(|after| async move { r.deals(account, after.as_deref(), 500).await }).await?;
            if json {
                return print_json(&all);
            }
            for d in &all {
                println!("{}  {}  {}  {}  {}  {}", d.id, d.expected_close, d.stage, d.amount, d.owner, d.name);
            }
        }
        DealCmd::Bulk { ids, owner, stage, close, team } => {
            let input = DealInput { owner, expected_close: close, team, ..Default::default() };
            let n = r.bulk_edit_deals(&ids, &input, stage.as_deref()).await?;
            eprintln!("{n} deal(s) changed");
        }
        DealCmd::Move { id, stage, lost_reason } => {
            let d = r.move_deal(&id, &stage, lost_reason.as_deref()).await?;
            eprintln!("deal \"{}\" is now in {}", d.name, d.stage);
        }
    }
    Ok(())
}

pub async fn forecast(r: &Replica, period: &str, by: &str, json: bool) -> Result<()> {
    let granularity = if period == "quarter" { Granularity::Quarter } else { Granularity::Month };
    let group_by = if by == "team" { GroupBy::Team } else { GroupBy::Owner };
    let f = r.forecast(granularity, group_by).await?;
    if json {
        return print_json(&f);
    }
    println!(
        "{:<10} {:<24} {:>14} {:>14} {:>14} {:>14} {:>14}",
        "period", "group", "pipeline", "weighted", "best case", "commit", "won"
    );
    for row in &f.rows {
        let group = match &row.group {
            RowGroup::Owner(o) => o.to_string(),
            RowGroup::Team(Some(t)) => t.to_string(),
            RowGroup::Team(None) => "(no team)".into(),
            RowGroup::Total => "total".into(),
        };
        let x = &row.figures;
        println!(
            "{:<10} {:<24} {:>14} {:>14} {:>14} {:>14} {:>14}",
            row.period.label, group, x.open_pipeline, x.weighted, x.best_case, x.commit, x.closed_won
        );
    }
    println!("amounts in {}", f.currency);
    Ok(())
}

#[derive(Subcommand, Debug)]
pub enum LeadCmd {
    /// Capture a lead; prints its id on the last line.
    Create {
        #[arg(long)]
        company: String,
        #[arg(long)]
        person: Option<String>,
        #[arg(long)]
        email: Option<String>,
        #[arg(long)]
        phone: Option<String>,
        #[arg(long)]
        vat_id: Option<String>,
        #[arg(long)]
        city: Option<String>,
        /// web, referral, event, cold_call, partner, import or other.
        #[arg(long)]
        source: Option<String>,
        #[arg(long)]
        owner: Option<String>,
        #[arg(long)]
        territory: Option<String>,
        /// A custom field: KEY=VALUE (repeat).
        #[arg(long = "custom")]
        custom: Vec<String>,
    },
    /// List leads by company.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Show one lead.
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Accounts and contacts that may already be this lead.
    Duplicates {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Change several leads at once (a selection): owner and/or territory. All or none.
    Bulk {
        #[arg(required = true)]
        ids: Vec<String>,
        #[arg(long)]
        owner: Option<String>,
        #[arg(long)]
        territory: Option<String>,
    },
    /// Move a lead on: work, qualify, disqualify (with --reason) or reopen.
    Status {
        id: String,
        #[arg(value_parser = ["work", "qualify", "disqualify", "reopen"])]
        step: String,
        #[arg(long)]
        reason: Option<String>,
    },
    /// Convert a lead into an account, a contact and a deal in one step, after the duplicate
    /// check. Prints the new account, contact and deal ids.
    Convert {
        id: String,
        /// Convert into this existing account instead of creating one.
        #[arg(long, conflicts_with = "new")]
        account: Option<String>,
        /// Create a new account even though possible duplicates were found.
        #[arg(long)]
        new: bool,
        /// The contact's name when the lead names no person.
        #[arg(long)]
        contact_name: Option<String>,
        /// Do not open a deal.
        #[arg(long)]
        no_deal: bool,
        #[arg(long)]
        deal_name: Option<String>,
        #[arg(long)]
        amount: Option<String>,
        #[arg(long)]
        currency: Option<String>,
        /// Expected close date (YYYY-MM-DD); default in 30 days.
        #[arg(long)]
        close: Option<String>,
        #[arg(long)]
        pipeline: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum ImportCmd {
    /// Import accounts from a CSV file (Name, VAT ID, E-mail, Phone, City, Territory, ...), all
    /// or nothing.
    Accounts { file: std::path::PathBuf },
    /// Import contacts (Name or First/Last name, E-mail, Phone, Account by name), all or nothing.
    Contacts { file: std::path::PathBuf },
    /// Import deals (Name, Account, Amount, Currency, Close date, Stage, Owner), all or nothing.
    Deals { file: std::path::PathBuf },
    /// Import leads from a CSV file, all or nothing: a bad line imports none and is named with
    /// its column. Columns are matched by their header (Company, Name, E-mail, Phone, ...).
    Leads {
        file: std::path::PathBuf,
        /// Show the column mapping and the first rows as they would import; import nothing.
        #[arg(long)]
        preview: bool,
    },
}

pub async fn lead(r: &Replica, cmd: LeadCmd) -> Result<()> {
    match cmd {
        LeadCmd::Create { company, person, email, phone, vat_id, city, source, owner, territory, custom } => {
            let custom = custom_values(&custom)?;
            let input = LeadInput {
                company: Some(company),
                person,
                email,
                phone,
                vat_id,
                city,
                source,
                owner,
                territory,
                custom,
            };
            println!("{}", r.create_lead(&input).await?);
        }
        LeadCmd::List { json } => {
            let all = all_pages(|after| async move { r.leads(after.as_deref(), 500).await }).await?;
            let scores = r.lead_scores(&all).await?;
            if json {
                let rows: Vec<serde_json::Value> = all
                    .iter()
                    .zip(&scores)
                    .map(|(l, s)| {
                        let mut v = serde_json::to_value(l).unwrap_or_default();
                        if let Some(o) = v.as_object_mut() {
                            o.insert("score".into(), serde_json::to_value(s).unwrap_or_default());
                        }
                        v
                    })
                    .collect();
                return print_json(&rows);
            }
            for (l, s) in all.iter().zip(&scores) {
                println!(
                    "{}  {:>3}  {:<12} {}  {}",
                    l.id,
                    s.total,
                    l.status.as_str(),
                    l.company,
                    l.email.as_ref().map(ToString::to_string).unwrap_or_default()
                );
            }
        }
        LeadCmd::Show { id, json } => {
            let l = r.lead(&id).await?;
            let score = r.lead_scores(std::slice::from_ref(&l)).await?.pop();
            if json {
                return print_json(&serde_json::json!({ "lead": l, "score": score }));
            }
            println!("{} ({}) — {} — owner {}", l.company, l.status.as_str(), l.source.as_str(), l.owner);
            if let Some(s) = score {
                println!("score {} of 100", s.total);
                for p in &s.parts {
                    println!("  {:+} {}", p.points, p.label);
                }
            }
        }
        LeadCmd::Duplicates { id, json } => {
            let d = r.lead_duplicates(&id).await?;
            if json {
                return print_json(&d);
            }
            for m in &d {
                println!("{m}");
            }
        }
        LeadCmd::Bulk { ids, owner, territory } => {
            let input = LeadInput { owner, territory, ..Default::default() };
            let n = r.bulk_edit_leads(&ids, &input).await?;
            eprintln!("{n} lead(s) changed");
        }
        LeadCmd::Status { id, step, reason } => {
            let l = r.set_lead_status(&id, &step, reason.as_deref()).await?;
            eprintln!("lead \"{}\" is now {}", l.company, l.status.as_str());
        }
        LeadCmd::Convert {
            id,
            account,
            new,
            contact_name,
            no_deal,
            deal_name,
            amount,
            currency,
            close,
            pipeline,
            json,
        } => {
            let has_pipeline = !r.pipelines().await?.is_empty();
            let deal = (!no_deal && (has_pipeline || pipeline.is_some())).then(|| DealInput {
                name: deal_name,
                amount,
                currency,
                expected_close: close,
                ..Default::default()
            });
            let options = ConvertOptions { into_account: account, new_anyway: new, contact_name, deal, pipeline };
            let c = r.convert_lead(&id, &options).await?;
            if json {
                return print_json(&c);
            }
            println!("account {}", c.account);
            println!("contact {}", c.contact);
            match c.deal {
                Some(d) => println!("deal {d}"),
                None => println!("deal none"),
            }
        }
    }
    Ok(())
}

fn read_text(file: &std::path::Path) -> Result<String> {
    let bytes = std::fs::read(file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    String::from_utf8(bytes)
        .map_err(|e| anyhow::anyhow!("{}: not UTF-8 text (byte {})", file.display(), e.utf8_error().valid_up_to()))
}

pub async fn import(r: &Replica, cmd: ImportCmd) -> Result<()> {
    use tandem_core::crm::CrmEntity;
    let (entity, file) = match &cmd {
        ImportCmd::Accounts { file } => (Some(CrmEntity::Account), file.clone()),
        ImportCmd::Contacts { file } => (Some(CrmEntity::Contact), file.clone()),
        ImportCmd::Deals { file } => (Some(CrmEntity::Deal), file.clone()),
        ImportCmd::Leads { file, .. } => (None, file.clone()),
    };
    if let Some(entity) = entity {
        let n = r.import_csv(entity, &read_text(&file)?, None).await?;
        eprintln!("{n} {entity} record(s) imported from {}", file.display());
        return Ok(());
    }
    match cmd {
        ImportCmd::Accounts { .. } | ImportCmd::Contacts { .. } | ImportCmd::Deals { .. } => {}
        ImportCmd::Leads { file, preview } => {
            let bytes = std::fs::read(&file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            let text = String::from_utf8(bytes).map_err(|e| {
                anyhow::anyhow!("{}: not UTF-8 text (byte {})", file.display(), e.utf8_error().valid_up_to())
            })?;
            if preview {
                let (mapping, rows) = r.preview_lead_import(&text, 10).await?;
                for (h, t) in mapping.headers.iter().zip(&mapping.columns) {
                    let to = match t {
                        Some(tandem_core::crm::csv::Target::Field(f)) => f.clone(),
                        Some(tandem_core::crm::csv::Target::Custom(k)) => format!("custom {k}"),
                        None => "(ignored)".into(),
                    };
                    println!("{h:>24} -> {to}");
                }
                return print_json(&rows);
            }
            let ids = r.import_leads(&text, None).await?;
            eprintln!("{} leads imported from {}", ids.len(), file.display());
        }
    }
    Ok(())
}

#[derive(clap::Args, Debug, Default)]
pub struct Links {
    #[arg(long)]
    account: Option<String>,
    #[arg(long)]
    contact: Option<String>,
    #[arg(long)]
    deal: Option<String>,
    #[arg(long)]
    lead: Option<String>,
}

impl From<Links> for LinkInput {
    fn from(l: Links) -> Self {
        LinkInput { account: l.account, contact: l.contact, deal: l.deal, lead: l.lead }
    }
}

#[derive(Subcommand, Debug)]
pub enum ActivityCmd {
    /// Plan a call, meeting or task, or note one (on an account, contact, deal or lead);
    /// prints its id on the last line.
    Add {
        /// call, meeting, task, email or note.
        #[arg(long)]
        kind: String,
        #[arg(long)]
        subject: String,
        #[arg(long)]
        body: Option<String>,
        /// YYYY-MM-DD HH:MM (local time).
        #[arg(long)]
        due: Option<String>,
        #[arg(long)]
        duration: Option<String>,
        /// YYYY-MM-DD HH:MM, at or before the due time.
        #[arg(long)]
        reminder: Option<String>,
        #[arg(long)]
        assignee: Option<String>,
        #[command(flatten)]
        links: Links,
    },
    /// Log an e-mail (an .eml file) on the timeline; prints its id.
    LogEmail {
        file: std::path::PathBuf,
        #[command(flatten)]
        links: Links,
    },
    /// The timeline of an account (or of a contact, deal or lead), newest first.
    List {
        #[command(flatten)]
        links: Links,
        #[arg(long)]
        json: bool,
    },
    /// Mark an activity done.
    Done { id: String },
    /// Move an activity to another time (its reminder moves along unless given).
    Reschedule {
        id: String,
        #[arg(long)]
        due: String,
        #[arg(long)]
        reminder: Option<String>,
    },
    /// Reminders due now (the app shows them as notifications).
    Reminders {
        #[arg(long)]
        json: bool,
    },
}

pub async fn activity(r: &Replica, cmd: ActivityCmd) -> Result<()> {
    match cmd {
        ActivityCmd::Add { kind, subject, body, due, duration, reminder, assignee, links } => {
            let input = ActivityInput {
                kind: Some(kind),
                subject: Some(subject),
                body,
                due,
                duration_minutes: duration,
                assignee,
                reminder,
            };
            println!("{}", r.add_activity(&links.into(), &input).await?);
        }
        ActivityCmd::LogEmail { file, links } => {
            let bytes = std::fs::read(&file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            println!("{}", r.log_email(&links.into(), &bytes).await?);
        }
        ActivityCmd::List { links, json } => {
            let of: LinkInput = links.into();
            let of = &of;
            let all = all_pages(|after| async move { r.timeline(of, after.as_deref(), 500).await }).await?;
            if json {
                return print_json(&all);
            }
            for a in &all {
                let when = a.when().map(|t| t.format("%Y-%m-%d %H:%M").to_string()).unwrap_or_default();
                let done = if a.is_done() { "done" } else { "open" };
                println!("{}  {:<16} {:<7} {:<4} {}", a.id, when, a.kind.as_str(), done, a.subject);
            }
        }
        ActivityCmd::Done { id } => {
            let a = r.complete_activity(&id).await?;
            eprintln!("\"{}\" done", a.subject);
        }
        ActivityCmd::Reschedule { id, due, reminder } => {
            let a = r.reschedule_activity(&id, &due, reminder.as_deref()).await?;
            eprintln!("\"{}\" now due {}", a.subject, a.due.map(|d| d.to_string()).unwrap_or_default());
        }
        ActivityCmd::Reminders { json } => {
            let list = r.due_reminders().await?;
            if json {
                return print_json(&list);
            }
            for a in &list {
                println!(
                    "{}  {}  {}",
                    a.id,
                    a.due.map(|d| d.format("%Y-%m-%d %H:%M").to_string()).unwrap_or_default(),
                    a.subject
                );
            }
        }
    }
    Ok(())
}

/// `tandem calendar`: a day, or the week from a Monday.
pub async fn calendar(r: &Replica, day: Option<String>, week: Option<String>, json: bool) -> Result<()> {
    let parse = |s: &str, flag: &str| {
        chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
            .map_err(|_| anyhow::anyhow!("{flag} {s:?} is not a date (use YYYY-MM-DD)"))
    };
    let (from, days) = match (day, week) {
        (_, Some(w)) => {
            let monday = parse(&w, "--week")?;
            if chrono::Datelike::weekday(&monday) != chrono::Weekday::Mon {
                anyhow::bail!("--week {monday} is a {}: a week starts on Monday", monday.format("%A"));
            }
            (monday, 7)
        }
        (Some(d), None) => (parse(&d, "--day")?, 1),
        (None, None) => (chrono::Local::now().date_naive(), 1),
    };
    let days = r.calendar(from, days).await?;
    if json {
        let out: Vec<serde_json::Value> =
            days.iter().map(|(d, list)| serde_json::json!({ "date": d, "activities": list })).collect();
        return print_json(&out);
    }
    for (d, list) in &days {
        println!("{} {}", d, d.format("%A"));
        for a in list {
            let when = a.when().map(|t| t.format("%H:%M").to_string()).unwrap_or_default();
            println!("  {when}  {:<7} {}", a.kind.as_str(), a.subject);
        }
    }
    Ok(())
}

#[derive(Subcommand, Debug)]
pub enum QuoteCmd {
    /// A draft quote priced from the customer's price lists; prints its id on the last line.
    Create {
        #[arg(long)]
        account: String,
        #[arg(long)]
        deal: Option<String>,
        /// SKU:QTY or SKU:QTY:DISCOUNT (repeat).
        #[arg(long = "line")]
        lines: Vec<String>,
        /// An optional line the customer may choose: SKU:QTY[:DISCOUNT] (repeat).
        #[arg(long = "option")]
        options: Vec<String>,
        /// A bundle: NAME=SKU:QTY,SKU:QTY (quantities per bundle; repeat).
        #[arg(long = "bundle")]
        bundles: Vec<String>,
        /// The quote discount in percent (default: the customer's).
        #[arg(long)]
        discount: Option<String>,
        /// YYYY-MM-DD; default in 30 days.
        #[arg(long)]
        valid_until: Option<String>,
    },
    /// List quotes.
    List {
        #[arg(long)]
        account: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Show one quote (lines, totals, status, approval).
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Ask a sales manager to approve the discounts.
    RequestApproval {
        id: String,
        #[arg(long)]
        reason: Option<String>,
    },
    /// Approve the discounts (sales managers and admins).
    Approve { id: String },
    /// Refuse the discounts, with a reason (back to draft).
    RefuseApproval {
        id: String,
        #[arg(long)]
        reason: String,
    },
    /// Send it to the customer (the server gives its number).
    Send { id: String },
    /// The customer declined.
    Reject { id: String },
    /// The customer accepted: it becomes a draft sales order (its id is printed).
    Accept {
        id: String,
        /// The SKU of an optional line the customer chose (repeat).
        #[arg(long = "option")]
        options: Vec<String>,
    },
    /// The printable quote as a PDF file.
    Pdf {
        id: String,
        #[arg(long)]
        output: std::path::PathBuf,
    },
}

fn quote_lines(lines: &[String], options: &[String], bundles: &[String]) -> Result<Vec<QuoteLineInput>> {
    let mut out = Vec::new();
    for l in lines {
        out.push(QuoteLineInput::parse_pair(l, false)?);
    }
    for l in options {
        out.push(QuoteLineInput::parse_pair(l, true)?);
    }
    for b in bundles {
        let (name, parts) =
            b.split_once('=').ok_or_else(|| anyhow::anyhow!("--bundle {b:?}: expected NAME=SKU:QTY,SKU:QTY"))?;
        for part in parts.split(',') {
            let mut l = QuoteLineInput::parse_pair(part.trim(), false)?;
            l.bundle = Some(name.trim().to_owned());
            out.push(l);
        }
    }
    Ok(out)
}

pub async fn quote(r: &Replica, cmd: QuoteCmd) -> Result<()> {
    let show = |q: &tandem_core::crm::quote::Quote| {
        println!(
            "{} {} {} — {} — total {}",
            q.reference(),
            q.customer_name,
            q.status.as_str(),
            q.valid_until,
            q.currency.format(q.totals.total)
        );
    };
    match cmd {
        QuoteCmd::Create { account, deal, lines, options, bundles, discount, valid_until } => {
            let lines = quote_lines(&lines, &options, &bundles)?;
            let id =
                r.create_quote(&account, deal.as_deref(), &lines, discount.as_deref(), valid_until.as_deref()).await?;
            let reasons = r.quote_approval_reasons(&id.to_string()).await?;
            if !reasons.is_empty() {
                eprintln!("this quote needs a sales manager's approval: {}", reasons.join("; "));
            }
            println!("{id}");
        }
        QuoteCmd::List { account, json } => {
            let account = account.as_deref();
            let all = all_pages(|after| async move { r.quotes(account, after.as_deref(), 500).await }).await?;
            if json {
                return print_json(&all);
            }
            for q in &all {
                show(q);
            }
        }
        QuoteCmd::Show { id, json } => {
            let q = r.quote(&id).await?;
            if json {
                return print_json(&q);
            }
            show(&q);
        }
        QuoteCmd::RequestApproval { id, reason } => {
            show(&r.quote_step(&id, "request_approval", reason.as_deref()).await?)
        }
        QuoteCmd::Approve { id } => show(&r.quote_step(&id, "approve", None).await?),
        QuoteCmd::RefuseApproval { id, reason } => show(&r.quote_step(&id, "refuse_approval", Some(&reason)).await?),
        QuoteCmd::Send { id } => show(&r.quote_step(&id, "send", None).await?),
        QuoteCmd::Reject { id } => show(&r.quote_step(&id, "reject", None).await?),
        QuoteCmd::Accept { id, options } => {
            let order = r.accept_quote(&id, &options).await?;
            println!("{order}");
        }
        QuoteCmd::Pdf { id, output } => {
            let bytes = r.quote_pdf(&id).await?;
            std::fs::write(&output, bytes).map_err(|e| anyhow::anyhow!("{}: {e}", output.display()))?;
            eprintln!("quote written to {}", output.display());
        }
    }
    Ok(())
}

// Parsed once per run: the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand, Debug)]
pub enum ContractCmd {
    /// A customer's contract; prints its id on the last line.
    Create {
        #[arg(long)]
        account: String,
        #[arg(long)]
        name: String,
        /// YYYY-MM-DD.
        #[arg(long)]
        start: String,
        /// YYYY-MM-DD, the last day; default: start + one term.
        #[arg(long)]
        end: Option<String>,
        /// The value of one term.
        #[arg(long)]
        value: String,
        #[arg(long)]
        currency: Option<String>,
        /// monthly, quarterly or yearly.
        #[arg(long)]
        billing: Option<String>,
        /// Renews by itself unless notice is given.
        #[arg(long)]
        auto_renew: bool,
        #[arg(long)]
        term_months: Option<String>,
        #[arg(long)]
        notice_days: Option<String>,
        /// A renewal deal is opened this many days before the end.
        #[arg(long)]
        renewal_lead_days: Option<String>,
    },
    /// List contracts by end date.
    List {
        #[arg(long)]
        account: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Open the renewal deals that are due; prints the contracts they renew.
    Renewals {
        #[arg(long)]
        pipeline: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Renew into the next term (prints the new contract's id).
    Renew { id: String },
    /// Give notice: the contract runs to its end and does not renew.
    Notice { id: String },
    /// End the contract now.
    Cancel { id: String },
}

pub async fn contract(r: &Replica, cmd: ContractCmd) -> Result<()> {
    match cmd {
        ContractCmd::Create {
            account,
            name,
            start,
            end,
            value,
            currency,
            billing,
            auto_renew,
            term_months,
            notice_days,
            renewal_lead_days,
        } => {
            let input = tandem_core::crm::contract::ContractInput {
                name: Some(name),
                start: Some(start),
                end,
                value: Some(value),
                currency,
                billing,
                auto_renew: Some(auto_renew),
                term_months,
                notice_days,
                renewal_lead_days,
            };
            println!("{}", r.create_contract(&account, &input).await?);
        }
        ContractCmd::List { account, json } => {
            let account = account.as_deref();
            let all = all_pages(|after| async move { r.contracts(account, after.as_deref(), 500).await }).await?;
            if json {
                return print_json(&all);
            }
            for c in &all {
                println!("{}  {} – {}  {:<9} {}  {}", c.id, c.start, c.end, c.status.as_str(), c.value, c.name);
            }
        }
        ContractCmd::Renewals { pipeline, json } => {
            let due = r.open_due_renewals(pipeline.as_deref()).await?;
            if json {
                return print_json(&due);
            }
            for c in &due {
                println!("renewal deal opened for {} (ends {})", c.name, c.end);
            }
        }
        ContractCmd::Renew { id } => {
            let c = r.contract_step(&id, "renew").await?;
            eprintln!("contract \"{}\" is {}", c.name, c.status.as_str());
        }
        ContractCmd::Notice { id } => {
            let c = r.contract_step(&id, "notice").await?;
            eprintln!("notice given on \"{}\": it ends on {}", c.name, c.end);
        }
        ContractCmd::Cancel { id } => {
            let c = r.contract_step(&id, "cancel").await?;
            eprintln!("contract \"{}\" is {}", c.name, c.status.as_str());
        }
    }
    Ok(())
}

#[derive(Subcommand, Debug)]
pub enum CrmCmd {
    /// Add a custom field: --entity lead|deal|account|contact --key KEY --label LABEL
    /// --kind text[:MAX]|number[:SCALE]|money:CUR|date|choice:A|B|C [--required].
    FieldAdd {
        #[arg(long)]
        entity: String,
        #[arg(long)]
        key: String,
        #[arg(long)]
        label: String,
        #[arg(long)]
        kind: String,
        #[arg(long)]
        required: bool,
    },
    FieldRemove {
        #[arg(long)]
        entity: String,
        #[arg(long)]
        key: String,
    },
    /// Add a lead scoring rule: --if source=event | equals:FIELD=V | contains:FIELD=V | set:FIELD
    /// | business-email | custom:KEY=V | activity:KIND:MAX, --points N (-100 to 100).
    ScoreRuleAdd {
        #[arg(long)]
        label: String,
        #[arg(long = "if")]
        condition: String,
        #[arg(long, allow_hyphen_values = true)]
        points: i32,
    },
    ScoreRuleRemove {
        id: String,
    },
    /// Show the custom fields and scoring rules.
    Settings {
        #[arg(long)]
        json: bool,
    },
}

pub async fn crm(r: &Replica, cmd: CrmCmd) -> Result<()> {
    let s = match cmd {
        CrmCmd::FieldAdd { entity, key, label, kind, required } => {
            r.add_custom_field(&entity, &key, &label, &kind, required).await?
        }
        CrmCmd::FieldRemove { entity, key } => r.remove_custom_field(&entity, &key).await?,
        CrmCmd::ScoreRuleAdd { label, condition, points } => r.add_scoring_rule(&label, &condition, points).await?,
        CrmCmd::ScoreRuleRemove { id } => r.remove_scoring_rule(&id).await?,
        CrmCmd::Settings { json } => {
            let s = r.crm_settings().await?;
            if json {
                return print_json(&s);
            }
            s
        }
    };
    for f in &s.fields {
        println!("field  {}.{}  \"{}\"{}", f.entity, f.key, f.label, if f.required { " (required)" } else { "" });
    }
    for rule in &s.scoring {
        println!("rule   {}  {:+}  {}", rule.id, rule.points, rule.label);
    }
    Ok(())
}

pub(crate) fn custom_values(raw: &[String]) -> Result<std::collections::BTreeMap<String, String>> {
    raw.iter()
        .map(|kv| {
            kv.split_once('=')
                .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
                .ok_or_else(|| anyhow::anyhow!("--custom {kv:?}: expected KEY=VALUE"))
        })
        .collect()
}

/// `tandem export csv LIST`: any list as CSV (accounts, contacts, deals, leads, quotes).
pub async fn export_csv(r: &Replica, list: &str) -> Result<String> {
    use tandem_core::crm::csv::export;
    let mut rows: Vec<Vec<String>> = Vec::new();
    let header: Vec<&str> = match list {
        "accounts" => {
            let mut after = None;
            loop {
                let q = tandem_replica::ListQuery { after: after.clone(), limit: 500, ..Default::default() };
                let page = r.list_accounts(&q).await?;
                for a in &page.items {
                    rows.push(vec![
                        a.id.clone(),
                        a.name.clone(),
                        a.vat_id.clone().unwrap_or_default(),
                        a.email.clone().unwrap_or_default(),
                        a.phone.clone().unwrap_or_default(),
                        a.city.clone().unwrap_or_default(),
                    ]);
                }
                match page.next {
                    Some(n) => after = Some(n),
                    None => break,
                }
            }
            vec!["Id", "Name", "VAT ID", "E-mail", "Phone", "City"]
        }
        "deals" => {
            let all = all_pages(|after| async move { r.deals(None, after.as_deref(), 500).await }).await?;
            for d in &all {
                rows.push(vec![
                    d.id.to_string(),
                    d.name.to_string(),
                    d.account.to_string(),
                    d.stage.to_string(),
                    d.amount.amount.to_string(),
                    d.amount.currency.to_string(),
                    d.expected_close.to_string(),
                    d.owner.to_string(),
                ]);
            }
            vec!["Id", "Name", "Account", "Stage", "Amount", "Currency", "Close date", "Owner"]
        }
        "leads" => {
            let all = all_pages(|after| async move { r.leads(after.as_deref(), 500).await }).await?;
            for l in &all {
                let opt = |v: Option<String>| v.unwrap_or_default();
                rows.push(vec![
                    l.id.to_string(),
                    l.company.to_string(),
                    opt(l.person.as_ref().map(ToString::to_string)),
                    opt(l.email.as_ref().map(ToString::to_string)),
                    opt(l.phone.as_ref().map(ToString::to_string)),
                    l.source.as_str().to_owned(),
                    l.status.as_str().to_owned(),
                    l.owner.to_string(),
                    opt(l.territory.as_ref().map(ToString::to_string)),
                ]);
            }
            vec!["Id", "Company", "Person", "E-mail", "Phone", "Source", "Status", "Owner", "Territory"]
        }
        other => anyhow::bail!("{other:?} is not a list to export (accounts, deals, leads)"),
    };
    Ok(export(&header, &rows))
}

/// Every page of a key-paged list, fetched in turn.
async fn all_pages<T, F, Fut>(mut page: F) -> Result<Vec<T>>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: std::future::Future<Output = tandem_replica::Result<tandem_replica::DocPage<T>>>,
{
    let mut all = Vec::new();
    let mut after = None;
    loop {
        let p = page(after).await?;
        all.extend(p.items);
        match p.next {
            Some(n) => after = Some(n),
            None => return Ok(all),
        }
    }
}
