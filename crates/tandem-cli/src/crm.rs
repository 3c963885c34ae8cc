//! CRM commands: pipelines, deals and the forecast. Like every command, a thin shell over the
//! replica: they work offline and sync with the next `tandem sync`.

use anyhow::Result;
use clap::Subcommand;
use tandem_core::crm::deal::DealInput;
use tandem_core::crm::forecast::{Granularity, GroupBy, RowGroup};
use tandem_replica::Replica;

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
            let mut all = Vec::new();
            let mut after: Option<String> = None;
            loop {
                let page = r.deals(account.as_deref(), after.as_deref(), 500).await?;
                all.extend(page.items);
                match page.next {
                    Some(n) => after = Some(n),
                    None => break,
                }
            }
            if json {
                return print_json(&all);
            }
            for d in &all {
                println!("{}  {}  {}  {}  {}  {}", d.id, d.expected_close, d.stage, d.amount, d.owner, d.name);
            }
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
