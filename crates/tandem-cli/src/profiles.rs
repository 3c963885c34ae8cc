//! `tandem account profile|bulk|duplicates|merge` and `tandem contact profile`: owners, tags
//! and custom values of accounts and contacts, likely duplicates and merges.

use anyhow::Result;
use clap::Args;
use tandem_core::crm::profile::ProfileInput;
use tandem_core::crm::CrmEntity;
use tandem_replica::Replica;

/// The profile fields of an edit (only those given change).
#[derive(Args, Debug, Default)]
pub struct ProfileArgs {
    /// The owner (a user name); "" clears it.
    #[arg(long)]
    pub owner: Option<String>,
    /// The whole tag list, comma-separated; "" clears it.
    #[arg(long)]
    pub tags: Option<String>,
    /// Add a tag (repeat).
    #[arg(long = "add-tag")]
    pub add_tag: Vec<String>,
    /// Take a tag off (repeat).
    #[arg(long = "remove-tag")]
    pub remove_tag: Vec<String>,
    /// A custom field: KEY=VALUE, "KEY=" clears it (repeat).
    #[arg(long = "custom")]
    pub custom: Vec<String>,
}

impl ProfileArgs {
    pub fn input(&self) -> Result<ProfileInput> {
        let joined = |v: &[String]| (!v.is_empty()).then(|| v.join(","));
        Ok(ProfileInput {
            owner: self.owner.clone(),
            tags: self.tags.clone(),
            add_tags: joined(&self.add_tag),
            remove_tags: joined(&self.remove_tag),
            custom: crate::crm::custom_values(&self.custom)?,
        })
    }
}

fn print_profile(p: &tandem_replica::ProfileView, json: bool) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(p)?);
        return Ok(());
    }
    println!("owner: {}", p.owner.as_deref().unwrap_or("-"));
    println!("tags: {}", p.tags.join(", "));
    for (k, v) in &p.custom {
        println!("{k}: {v}");
    }
    Ok(())
}

/// Shows (no fields given) or edits the profile of an account or a contact.
pub async fn profile(r: &Replica, entity: CrmEntity, id: &str, args: &ProfileArgs, json: bool) -> Result<()> {
    let input = args.input()?;
    let p = if input.is_empty() { r.profile(id).await? } else { r.edit_profile(entity, id, &input).await? };
    print_profile(&p, json)
}

/// The same profile edit on several records, all or nothing.
pub async fn bulk(r: &Replica, entity: CrmEntity, ids: &[String], args: &ProfileArgs) -> Result<()> {
    let n = r.bulk_edit_profiles(entity, ids, &args.input()?).await?;
    println!("edited {n} {entity}s");
    Ok(())
}

pub async fn duplicates(r: &Replica, json: bool) -> Result<()> {
    let found = r.account_duplicates().await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&found)?);
    } else if found.is_empty() {
        println!("no likely duplicates");
    } else {
        for d in &found {
            println!("{}  {}  {d}", d.first, d.second);
        }
    }
    Ok(())
}

pub async fn merge(r: &Replica, keep: &str, merged: &str) -> Result<()> {
    let note = r.merge_accounts(keep, merged).await?;
    println!("merged {merged} into {keep} (note {note})");
    Ok(())
}
