//! Replica tests on real SQLite files in a temporary directory. Server answers are fed in as
//! the wire types the server sends, so rebase and rejection are tested without a network.

use crate::{ListQuery, Mode, Replica, SortDir, SortKey};
use std::collections::HashSet;
use tandem_core::{Account, AccountId, AccountInput, AccountName, City, ContactInput};
use tandem_sync::{Change, MutationResult, Outcome, PullResponse, PushResponse, Version};

async fn replica(mode: Mode) -> (tempfile::TempDir, Replica) {
    let dir = tempfile::tempdir().expect("temp dir");
    let r = Replica::open(&dir.path().join("r.sqlite"), mode).await.expect("open replica");
    (dir, r)
}

fn named(name: &str, city: &str) -> AccountInput {
    AccountInput { name: Some(name.into()), city: Some(city.into()), ..Default::default() }
}

fn server_account(id: AccountId, name: &str, city: Option<&str>) -> Account {
    Account {
        id,
        name: AccountName::parse(name).expect("name"),
        vat_id: None,
        email: None,
        phone: None,
        city: city.map(|c| City::parse(c).expect("city")),
        territory: None,
    }
}

fn applied(seq: i64, version: i64) -> MutationResult {
    MutationResult { seq, outcome: Outcome::Applied { version: Version(version) }, replayed: false }
}

fn page(changes: Vec<Change>, cursor: i64) -> PullResponse {
    PullResponse { changes, cursor: Version(cursor), has_more: false, remaining: None }
}

#[tokio::test]
async fn lists_page_by_key_in_every_order_without_gaps_or_repeats() {
    let (_d, r) = replica(Mode::Local).await;
    for i in 0..25 {
        r.create_account(&named(&format!("Company {:02}", 24 - i), ["Berlin", "Aachen", "Köln"][i % 3]))
            .await
            .expect("create");
    }
    for (sort, dir) in
        [(SortKey::Name, SortDir::Asc), (SortKey::City, SortDir::Desc), (SortKey::Updated, SortDir::Desc)]
    {
        let mut q = ListQuery { sort, dir, limit: 10, ..Default::default() };
        let mut seen = Vec::new();
        loop {
            let p = r.list_accounts(&q).await.expect("page");
            assert_eq!(p.total, 25);
            assert!(p.items.len() <= 10, "a page never exceeds its limit");
            seen.extend(p.items);
            match p.next {
                Some(n) => q.after = Some(n),
                None => break,
            }
        }
        let ids: HashSet<_> = seen.iter().map(|a| a.id.clone()).collect();
        assert_eq!(ids.len(), 25, "{sort:?} {dir:?}: every row exactly once across pages");
        let keys: Vec<String> = seen
            .iter()
            .map(|a| match sort {
                SortKey::Name => a.name.to_lowercase(),
                SortKey::City => a.city.clone().unwrap_or_default().to_lowercase(),
                SortKey::Updated => a.updated_at.clone(),
            })
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        if dir == SortDir::Desc {
            sorted.reverse();
        }
        assert_eq!(keys, sorted, "{sort:?} {dir:?}: pages come in order");
    }
    let hits =
        r.list_accounts(&ListQuery { search: "KÖLN".into(), limit: 100, ..Default::default() }).await.expect("search");
    assert_eq!(hits.total, 8, "search is case-insensitive over name, city and e-mail");
    let none =
        r.list_accounts(&ListQuery { search: "100%".into(), limit: 100, ..Default::default() }).await.expect("search");
    assert_eq!(none.total, 0, "LIKE wildcards in the search are taken literally");
    let bad = r.list_accounts(&ListQuery { after: Some("garbage".into()), limit: 10, ..Default::default() }).await;
    assert_eq!(bad.map(|_| ()).expect_err("a forged page key").code(), "bad_input");
}

#[tokio::test]
async fn bad_input_is_refused_with_every_field_named_and_changes_nothing() {
    let (_d, r) = replica(Mode::Server).await;
    let err = r
        .create_account(&AccountInput { name: Some("".into()), email: Some("x@".into()), ..Default::default() })
        .await
        .expect_err("invalid");
    assert_eq!(err.code(), "validation");
    let fields: Vec<&str> = err.fields().iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, ["name", "email"]);
    assert_eq!(r.status().await.expect("status").pending, 0, "a refused write leaves nothing in the outbox");
    assert_eq!(r.all_accounts().await.expect("list").len(), 0);
    let e = r
        .add_contact(
            &AccountId::from_uuid(uuid::Uuid::now_v7()).to_string(),
            &ContactInput { name: Some("Anna".into()), ..Default::default() },
        )
        .await;
    assert_eq!(e.map(|_| ()).expect_err("no such account").code(), "not_found", "rules run on the device too");
}

#[tokio::test]
async fn offline_writes_queue_in_order_and_settle_when_the_server_confirms() {
    let (_d, r) = replica(Mode::Server).await;
    let id = r.create_account(&named("ACME", "Berlin")).await.expect("create");
    r.update_account(&id.to_string(), &AccountInput { phone: Some("+49 30 123456".into()), ..Default::default() })
        .await
        .expect("edit");
    let s = r.status().await.expect("status");
    assert_eq!(s.pending, 2, "both writes wait in the outbox");
    let batch = r.pending_batch().await.expect("batch");
    assert_eq!(batch.iter().map(|m| m.seq).collect::<Vec<_>>(), [1, 2], "seqs are contiguous from 1");
    assert!(r.all_accounts().await.expect("list")[0].pending);

    r.record_results(&PushResponse { results: vec![applied(1, 7), applied(2, 8)], last_seq: 2 }).await.expect("record");
    assert_eq!(r.status().await.expect("status").pending, 0, "answered mutations are no longer pending");
    let view = r.all_accounts().await.expect("list");
    assert_eq!(view[0].phone.as_deref(), Some("+49 30 123456"), "the view keeps the change until the pull brings it");

    let mut acc = server_account(id, "ACME", Some("Berlin"));
    acc.phone = Some(tandem_core::Phone::parse("+49 30 123456").expect("phone"));
    r.apply_page(&page(vec![Change::Account { version: Version(8), id, data: Some(acc) }], 8)).await.expect("pull");
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox").fetch_one(&r.pool).await.expect("count");
    assert_eq!(left, 0, "a pull that covers the applied versions settles the outbox");
    let view = r.all_accounts().await.expect("list");
    assert!(!view[0].pending);
    assert_eq!(r.cursor().await.expect("cursor"), Version(8));
}

#[tokio::test]
async fn a_pull_rebases_pending_edits_field_by_field() {
    let (_d, r) = replica(Mode::Server).await;
    let id = AccountId::from_uuid(uuid::Uuid::now_v7());
    r.apply_page(&page(
        vec![Change::Account { version: Version(1), id, data: Some(server_account(id, "ACME", Some("Berlin"))) }],
        1,
    ))
    .await
    .expect("first pull");
    r.update_account(&id.to_string(), &AccountInput { city: Some("Hamburg".into()), ..Default::default() })
        .await
        .expect("local edit");
    // Another device renamed the account meanwhile.
    r.apply_page(&page(
        vec![Change::Account {
            version: Version(2),
            id,
            data: Some(server_account(id, "ACME Europe", Some("Berlin"))),
        }],
        2,
    ))
    .await
    .expect("pull");
    let a = &r.all_accounts().await.expect("list")[0];
    assert_eq!(a.name, "ACME Europe", "the server's edit of another field arrives");
    assert_eq!(a.city.as_deref(), Some("Hamburg"), "the pending local edit is re-applied on top");
    assert!(a.pending);
}

#[tokio::test]
async fn a_rejected_mutation_is_undone_and_kept_for_the_user() {
    let (_d, r) = replica(Mode::Server).await;
    let id = AccountId::from_uuid(uuid::Uuid::now_v7());
    r.apply_page(&page(
        vec![Change::Account { version: Version(1), id, data: Some(server_account(id, "ACME", None)) }],
        1,
    ))
    .await
    .expect("pull");
    r.update_account(&id.to_string(), &AccountInput { name: Some("Renamed".into()), ..Default::default() })
        .await
        .expect("edit");
    r.create_account(&named("Other", "Bonn")).await.expect("create behind it");
    let results = vec![
        MutationResult {
            seq: 1,
            outcome: Outcome::Rejected { code: "forbidden".into(), reason: "not your territory".into() },
            replayed: false,
        },
        applied(2, 2),
    ];
    r.record_results(&PushResponse { results, last_seq: 2 }).await.expect("record");
    let names: Vec<String> = r.all_accounts().await.expect("list").into_iter().map(|a| a.name).collect();
    assert_eq!(names, ["ACME", "Other"], "the refused rename is taken out of the view; the mutation behind it stays");
    let s = r.status().await.expect("status");
    assert_eq!(s.rejected.len(), 1);
    assert_eq!(s.rejected[0].reason, "not your territory");
    assert!(
        s.rejected[0].mutation.contains("edit name"),
        "the inbox says what was refused: {}",
        s.rejected[0].mutation
    );
}

#[tokio::test]
async fn a_server_delete_wins_over_a_pending_edit_which_waits_for_the_servers_verdict() {
    let (_d, r) = replica(Mode::Server).await;
    let id = AccountId::from_uuid(uuid::Uuid::now_v7());
    r.apply_page(&page(
        vec![Change::Account { version: Version(1), id, data: Some(server_account(id, "ACME", None)) }],
        1,
    ))
    .await
    .expect("pull");
    let cid = r
        .add_contact(&id.to_string(), &ContactInput { name: Some("Anna Berg".into()), ..Default::default() })
        .await
        .expect("contact");
    r.update_account(&id.to_string(), &AccountInput { city: Some("Kiel".into()), ..Default::default() })
        .await
        .expect("edit");
    r.apply_page(&page(vec![Change::Account { version: Version(2), id, data: None }], 2)).await.expect("pull delete");
    assert!(r.all_accounts().await.expect("list").is_empty(), "the account is gone from the view");
    assert!(r.contact(&cid.to_string()).await.is_err(), "a contact of a deleted account is not shown");
    assert_eq!(r.status().await.expect("status").pending, 2, "the edits stay queued: the server's answer decides");
}

#[tokio::test]
async fn a_new_local_workspace_gets_demo_data_once() {
    let (_d, r) = replica(Mode::Local).await;
    assert!(r.seed_demo_once().await.expect("seed"));
    assert!(!r.seed_demo_once().await.expect("seed again"));
    assert_eq!(r.all_accounts().await.expect("list").len(), crate::demo::DEMO_ACCOUNTS);
    let (_d2, s) = replica(Mode::Server).await;
    assert!(!s.seed_demo_once().await.expect("server replica"), "demo data never enters a server replica");
}

#[tokio::test]
async fn a_fresh_copy_replaces_the_server_state_and_keeps_the_whole_outbox() {
    let (_d, r) = replica(Mode::Server).await;
    let (kept, ghost) = (AccountId::from_uuid(uuid::Uuid::now_v7()), AccountId::from_uuid(uuid::Uuid::now_v7()));
    let both = vec![
        Change::Account { version: Version(1), id: kept, data: Some(server_account(kept, "Kept", None)) },
        Change::Account {
            version: Version(2),
            id: ghost,
            data: Some(server_account(ghost, "Deleted Elsewhere", None)),
        },
    ];
    r.apply_page(&page(both, 2)).await.expect("first pull");
    r.create_account(&named("Made Offline", "Jena")).await.expect("offline create");
    r.update_account(&kept.to_string(), &AccountInput { city: Some("Gera".into()), ..Default::default() })
        .await
        .expect("offline edit");

    r.reset_to_empty_base().await.expect("reset");
    let names: Vec<String> = r.all_accounts().await.expect("list").into_iter().map(|a| a.name).collect();
    assert_eq!(names, ["Made Offline"], "until the copy arrives, the user still sees their own new record");
    assert_eq!(r.cursor().await.expect("cursor"), Version(0));

    // The fresh copy no longer has the account deleted (and pruned) elsewhere.
    let copy = vec![Change::Account { version: Version(9), id: kept, data: Some(server_account(kept, "Kept", None)) }];
    r.apply_page(&page(copy, 9)).await.expect("fresh copy");
    let view = r.all_accounts().await.expect("list");
    let names: Vec<&str> = view.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["Kept", "Made Offline"], "no ghost of the pruned delete");
    assert_eq!(view[0].city.as_deref(), Some("Gera"), "the offline edit is replayed on the fresh copy");
    assert_eq!(r.status().await.expect("status").pending, 2, "the whole outbox is still there to send");
}

#[test]
fn the_server_telling_an_old_app_to_update_reads_as_please_update() {
    let e = crate::ReplicaError::Server {
        status: 426,
        code: "upgrade_required".into(),
        message: "protocol 0 is no longer served (oldest supported: 1): update the app".into(),
    }
    .classify();
    assert_eq!(e.code(), "upgrade_required");
    assert!(e.to_string().contains("please update the app"), "{e}");
}

/// A future version's migrations: this build's own, then `extra` (file name → SQL).
async fn future_migrator(extra: &[(&str, &str)]) -> (tempfile::TempDir, sqlx::migrate::Migrator) {
    let dir = tempfile::tempdir().expect("temp dir");
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations/sqlite");
    for e in std::fs::read_dir(&src).expect("migrations") {
        let e = e.expect("entry");
        std::fs::copy(e.path(), dir.path().join(e.file_name())).expect("copy migration");
    }
    for (name, sql) in extra {
        std::fs::write(dir.path().join(name), sql).expect("write migration");
    }
    let m = sqlx::migrate::Migrator::new(dir.path()).await.expect("future migrator");
    (dir, m)
}

#[tokio::test]
async fn a_failed_update_migration_restores_the_replica_with_its_unsent_outbox() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("replica.sqlite");
    let r = Replica::open(&path, Mode::Server).await.expect("open");
    r.create_account(&named("Kept Before Update GmbH", "Bonn")).await.expect("create");
    assert_eq!(r.pending_count().await.expect("pending"), 1);
    r.close().await;

    // The next version's first step succeeds and empties the outbox; its second step fails.
    let (_m, future) = future_migrator(&[
        ("9000_reshape_outbox.sql", "ALTER TABLE outbox ADD COLUMN reshaped INTEGER; DELETE FROM outbox;"),
        ("9001_broken.sql", "CREATE TABLE half_done (id INTEGER PRIMARY KEY); INSERT INTO no_such_table VALUES (1);"),
    ])
    .await;
    let err = Replica::open_with(&path, Mode::Server, &future).await.expect_err("the broken step must fail the open");
    assert_eq!(err.code(), "migration_failed");
    let msg = err.to_string();
    assert!(msg.contains("9001") && msg.contains("no_such_table"), "the message names the failed step: {msg}");
    assert!(msg.contains("put back"), "the message tells the user the data was restored: {msg}");

    // The previous version opens the restored replica: same schema, same data, same outbox.
    let r = Replica::open(&path, Mode::Server).await.expect("the previous version opens the restored replica");
    assert_eq!(r.pending_count().await.expect("pending"), 1, "the unsent change survived the failed update");
    let page = r.list_accounts(&ListQuery { limit: 10, ..Default::default() }).await.expect("list");
    assert!(page.items.iter().any(|a| a.name.as_str() == "Kept Before Update GmbH"), "the account survived");
    let reshaped: i64 = sqlx::query_scalar("SELECT count(*) FROM pragma_table_info('outbox') WHERE name = 'reshaped'")
        .fetch_one(&r.pool)
        .await
        .expect("schema");
    assert_eq!(reshaped, 0, "the half-applied step was rolled back with the backup");
    r.close().await;

    // A working update keeps the data and leaves one backup beside the replica.
    let (_m2, good) =
        future_migrator(&[("9000_reshape_outbox.sql", "ALTER TABLE outbox ADD COLUMN reshaped INTEGER;")]).await;
    let r = Replica::open_with(&path, Mode::Server, &good).await.expect("a good update migrates");
    assert_eq!(r.pending_count().await.expect("pending"), 1);
    r.close().await;
    let backups: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".bak"))
        .collect();
    assert_eq!(backups.len(), 1, "one backup of the last update is kept");

    // Going back to the older version is refused with a clear message instead of guessing.
    let err = Replica::open(&path, Mode::Server).await.expect_err("an older build must not open a newer replica");
    assert_eq!(err.code(), "schema_too_new", "{err}");
}

#[tokio::test]
async fn the_global_search_finds_accounts_contacts_deals_and_leads_and_follows_every_change() {
    let (_d, r) = replica(Mode::Local).await;
    let acme = r.create_account(&named("Müller Logistik GmbH", "Köln")).await.expect("create");
    r.add_contact(
        &acme.to_string(),
        &ContactInput { name: Some("Jana Peters".into()), email: Some("jana@mueller.example".into()), phone: None },
    )
    .await
    .expect("contact");
    r.create_pipeline("Sales").await.expect("pipeline");
    let deal = tandem_core::crm::deal::DealInput {
        name: Some("Forklift fleet".into()),
        amount: Some("1000".into()),
        expected_close: Some("2026-12-01".into()),
        ..Default::default()
    };
    r.create_deal(&acme.to_string(), None, None, &deal).await.expect("deal");
    r.create_lead(&tandem_core::crm::lead::LeadInput {
        company: Some("Forstbetrieb Nord".into()),
        person: Some("Ole Hansen".into()),
        ..Default::default()
    })
    .await
    .expect("lead");

    let kinds = |hits: Vec<crate::SearchHit>| hits.into_iter().map(|h| (h.kind, h.title)).collect::<Vec<_>>();
    assert_eq!(
        kinds(r.search("muller", 10).await.expect("search")),
        [("account".into(), "Müller Logistik GmbH".into())],
        "accents are folded"
    );
    assert_eq!(
        kinds(r.search("jan pet", 10).await.expect("search")),
        [("contact".into(), "Jana Peters".into())],
        "every word as a prefix"
    );
    let fo = kinds(r.search("fo", 10).await.expect("search"));
    assert!(
        fo.contains(&("deal".into(), "Forklift fleet".into()))
            && fo.contains(&("lead".into(), "Forstbetrieb Nord".into())),
        "{fo:?}"
    );
    assert_eq!(kinds(r.search("koln", 10).await.expect("search")).len(), 1, "the detail (city) is searched too");

    r.update_account(
        &acme.to_string(),
        &AccountInput { name: Some("Schmidt Logistik GmbH".into()), ..Default::default() },
    )
    .await
    .expect("rename");
    assert!(r.search("muller", 10).await.expect("search").is_empty(), "an old name is gone after a rename");
    assert_eq!(r.search("schmidt", 10).await.expect("search").len(), 1, "the new name is found");
    r.delete_account(&acme.to_string()).await.expect("delete");
    assert!(r.search("schmidt", 10).await.expect("search").is_empty(), "a deleted account is not found");
    assert!(r.search("\"", 10).await.expect("search").is_empty(), "stray quotes search nothing and fail nothing");
}

#[tokio::test]
async fn every_contact_pages_by_id_for_the_export() {
    let (_d, r) = replica(Mode::Local).await;
    let a = r.create_account(&named("Alster GmbH", "Hamburg")).await.expect("account").to_string();
    let b = r.create_account(&named("Elbe KG", "Kiel")).await.expect("account").to_string();
    for (account, name) in [(&a, "Jana Peters"), (&b, "Ole Berg"), (&a, "Ina Kluge")] {
        let input = ContactInput { name: Some(name.into()), ..Default::default() };
        r.add_contact(account, &input).await.expect("contact");
    }
    let first = r.contacts_page(None, 2).await.expect("page 1");
    assert_eq!(first.items.len(), 2, "a page never exceeds its limit");
    let second = r.contacts_page(first.next.as_deref(), 2).await.expect("page 2");
    assert_eq!((second.items.len(), second.next), (1, None), "the last page says there is no more");
    let names: HashSet<String> = first.items.iter().chain(&second.items).map(|c| c.name.clone()).collect();
    assert_eq!(names.len(), 3, "every contact of every account exactly once: {names:?}");
    let bad = r.contacts_page(Some("garbage"), 2).await.map(|_| ()).expect_err("a forged page key");
    assert_eq!(bad.code(), "bad_input");
}

/// A fresh copy drops the view's list indexes and the end of it creates them again exactly as
/// the migrations made them.
#[tokio::test]
async fn a_fresh_copy_rebuilds_the_list_indexes_as_the_migrations_made_them() {
    let (_d, r) = replica(Mode::Server).await;
    let indexes = || async {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
              AND tbl_name IN ('accounts', 'contacts', 'docs') ORDER BY name",
        )
        .fetch_all(&r.pool)
        .await
        .expect("indexes");
        rows.into_iter()
            .map(|(n, sql)| (n, sql.replace("IF NOT EXISTS ", "").split_whitespace().collect::<Vec<_>>().join(" ")))
            .collect::<Vec<_>>()
    };
    let made = indexes().await;
    assert_eq!(made.len(), 6, "{made:?}");
    let mut conn = r.pool.acquire().await.expect("conn");
    crate::search::start_fresh_copy(&mut conn).await.expect("start");
    assert!(indexes().await.is_empty(), "no list index while the copy arrives");
    crate::search::rebuild(&mut conn, &|_, _, _| {}).await.expect("rebuild");
    assert_eq!(indexes().await, made);
}
