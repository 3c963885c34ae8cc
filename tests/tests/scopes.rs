//! Roles and territory scopes: a sales rep's replica holds only the accounts of their
//! territories (and their contacts); every push outside them is refused with a reason and does
//! not block the queue; moving an account makes it leave one rep's replica and reach another's;
//! changing a rep's territories gives their devices a fresh copy that keeps unsent work.

use anyhow::{anyhow, ensure, Context as _};
use serde_json::Value;
use std::collections::BTreeSet;
use tandem_core::{AccountId, AccountInput, AccountPatch, ContactId, ContactInput, NewAccount, NewContact};
use tandem_sync::{Op, Outcome};
use tandem_tests::cli::CliDevice;
use tandem_tests::{create_user, run_server_command, spawn_process, ApiClient, Device, TestDb};
use uuid::Uuid;

fn names(d: &CliDevice) -> anyhow::Result<BTreeSet<String>> {
    let list = d.json(&["account", "list", "--json"])?;
    Ok(list.as_array().context("array")?.iter().filter_map(|a| a["name"].as_str().map(str::to_owned)).collect())
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

fn territories(db: &TestDb, user: &str, ts: &[&str]) -> anyhow::Result<()> {
    let mut args = vec!["user", "set-territory", user];
    for t in ts {
        args.extend(["--territory", t]);
    }
    let out = run_server_command(&db.url, &args, "")?;
    ensure!(out.status.success(), "set-territory: {}", String::from_utf8_lossy(&out.stderr));
    Ok(())
}

fn input(f: impl FnOnce(&mut AccountInput)) -> AccountInput {
    let mut i = AccountInput::default();
    f(&mut i);
    i
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reps_see_and_change_only_their_territories() -> anyhow::Result<()> {
    let db = TestDb::new().await?;
    let server = spawn_process(&db.url)?;
    for (u, role) in [("mia", "sales_manager"), ("rex", "sales_rep"), ("sue", "sales_rep")] {
        create_user(&db.url, u, role, "a-long-password").await?;
    }
    territories(&db, "rex", &["North"])?;
    territories(&db, "sue", &["South"])?;

    let (mia, rex, sue) = (CliDevice::new()?, CliDevice::new()?, CliDevice::new()?);
    for (d, u) in [(&mia, "mia"), (&rex, "rex"), (&sue, "sue")] {
        d.login(&server.base_url, u, "a-long-password")?;
    }
    let north = mia.create_account(&["--name", "Nordwind AG", "--territory", "North"])?;
    mia.ok(&["contact", "add", "--account", &north, "--name", "Nils Nord"])?;
    let south = mia.create_account(&["--name", "Südlicht GmbH", "--territory", "South"])?;
    mia.ok(&["contact", "add", "--account", &south, "--name", "Sina Süd"])?;
    mia.create_account(&["--name", "Ohne Gebiet KG"])?;
    mia.ok(&["sync"])?;

    rex.ok(&["sync"])?;
    sue.ok(&["sync"])?;
    ensure!(names(&mia)? == set(&["Nordwind AG", "Südlicht GmbH", "Ohne Gebiet KG"]), "a manager sees everything");
    ensure!(names(&rex)? == set(&["Nordwind AG"]), "rex (North) holds only North: {:?}", names(&rex)?);
    ensure!(names(&sue)? == set(&["Südlicht GmbH"]), "sue (South) holds only South: {:?}", names(&sue)?);
    let rex_contacts = rex.json(&["contact", "list", "--account", &north, "--json"])?;
    ensure!(rex_contacts[0]["name"] == "Nils Nord", "and the contacts of their accounts: {rex_contacts}");
    ensure!(rex.json(&["contact", "list", "--account", &south, "--json"])? == Value::Array(vec![]), "never others'");

    // Hand-crafted pushes by rex, outside his territory, with one allowed change among them.
    let api = ApiClient::new(&server.base_url);
    let mut raw = Device::login(&api, "rex", "a-long-password").await.map_err(|e| anyhow!("{e:?}"))?;
    let (north_id, south_id): (AccountId, AccountId) = (north.parse()?, south.parse()?);
    let new_in = |t: Option<&str>| {
        let i = input(|i| {
            i.name = Some(format!("Rex Attempt {}", t.unwrap_or("none")));
            i.territory = t.map(str::to_owned);
        });
        NewAccount::parse(AccountId::from_uuid(Uuid::now_v7()), &i)
    };
    let ops = vec![
        Op::AccountUpdate(AccountPatch::parse(south_id, &input(|i| i.city = Some("Passau".into())))?),
        Op::ContactAdd(NewContact::parse(
            ContactId::from_uuid(Uuid::now_v7()),
            south_id,
            &ContactInput { name: Some("Eve Eindringling".into()), ..Default::default() },
        )?),
        Op::AccountCreate(new_in(Some("South"))?),
        Op::AccountCreate(new_in(None)?),
        Op::AccountUpdate(AccountPatch::parse(north_id, &input(|i| i.territory = Some("South".into())))?),
        Op::AccountUpdate(AccountPatch::parse(north_id, &input(|i| i.city = Some("Kiel".into())))?),
    ];
    let resp = raw.push_ops(ops).await.map_err(|e| anyhow!("{e:?}"))?;
    let outcomes: Vec<&Outcome> = resp.results.iter().map(|r| &r.outcome).collect();
    ensure!(outcomes.len() == 6, "every mutation was answered: {outcomes:?}");
    for (i, o) in outcomes[..5].iter().enumerate() {
        match o {
            Outcome::Rejected { code, reason } => {
                ensure!(code == "forbidden", "#{i} refused as forbidden: {code} {reason}");
                ensure!(reason.contains("your territories (North)"), "#{i} says why: {reason}");
            }
            other => return Err(anyhow!("#{i} outside rex's territory was not refused: {other:?}")),
        }
    }
    ensure!(matches!(outcomes[5], Outcome::Applied { .. }), "the allowed edit behind them applies: {:?}", outcomes[5]);

    // A refused write made in the app reaches the user's "Needs attention" list.
    rex.create_account(&["--name", "Wrong Side AG", "--territory", "South"])?;
    rex.ok(&["sync"])?;
    let status = rex.json(&["status", "--json"])?;
    let rejected = status["rejected"].as_array().context("rejected list")?;
    ensure!(rejected.len() == 1, "one rejected change: {status}");
    ensure!(
        rejected[0]["mutation"].as_str().is_some_and(|m| m.contains("Wrong Side AG"))
            && rejected[0]["reason"].as_str().is_some_and(|r| r.contains("territory South"))
            && rejected[0]["at"].as_str().is_some(),
        "with the mutation, the reason and the time: {}",
        rejected[0]
    );
    ensure!(!names(&rex)?.contains("Wrong Side AG"), "and it is taken out of rex's view");

    // The manager moves Nordwind to the South: it leaves rex's replica and reaches sue's.
    mia.ok(&["account", "update", &north, "--territory", "South"])?;
    mia.ok(&["sync"])?;
    rex.ok(&["sync"])?;
    sue.ok(&["sync"])?;
    ensure!(names(&rex)?.is_empty(), "Nordwind left rex's replica: {:?}", names(&rex)?);
    ensure!(
        rex.json(&["contact", "list", "--account", &north, "--json"])? == Value::Array(vec![]),
        "with its contacts"
    );
    ensure!(names(&sue)? == set(&["Nordwind AG", "Südlicht GmbH"]), "and reached sue's: {:?}", names(&sue)?);
    let moved = sue.json(&["account", "show", &north, "--json"])?;
    ensure!(moved["account"]["city"] == "Kiel" && moved["contacts"][0]["name"] == "Nils Nord", "whole: {moved}");

    // Rex gets the South too, while he has an unsent new North account: a fresh copy, nothing lost.
    rex.create_account(&["--name", "Neu Nord OHG", "--territory", "North"])?;
    territories(&db, "rex", &["North", "South"])?;
    let out = rex.ok(&["sync"])?;
    ensure!(out.contains("1 applied, 0 rejected"), "the unsent account was sent: {out}");
    ensure!(
        names(&rex)? == set(&["Nordwind AG", "Südlicht GmbH", "Neu Nord OHG"]),
        "rex now holds North and South: {:?}",
        names(&rex)?
    );
    Ok(())
}
