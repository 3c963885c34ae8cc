//! The central server against a real PostgreSQL: every test gets its own database.

use std::collections::BTreeSet;
use std::time::Duration;

use tandem_core::{
    Account, AccountId, AccountName, AccountPatch, City, Contact, ContactId, ContactPatch, Email, Patch, PersonName,
    Phone, VatId,
};
use tandem_sync::{
    paths, Change, DeleteAccount, DeleteContact, DeviceId, Mutation, Op, Outcome, PushRequest, Version, MAX_BODY_BYTES,
    MAX_PULL_LIMIT, MAX_PUSH_MUTATIONS, PROTOCOL_VERSION,
};
use tandem_tests::fixtures::{new_account, new_contact, Mirror};
use tandem_tests::{
    create_user, create_user_with_binary, run_server_command, spawn_in_process, spawn_process, Device, TestDb,
    TestServer,
};
use uuid::Uuid;

const PASSWORD: &str = "correct horse battery";

/// A refused request: what, method, path, token, content type, body, expected status and code.
type Case<'a> = (&'a str, &'a str, &'a str, Option<&'a str>, Option<&'a str>, String, u16, &'a str);

async fn setup() -> (TestDb, TestServer) {
    let db = TestDb::new().await.expect("a test database");
    let server = spawn_in_process(&db).await.expect("the server starts in process");
    create_user(&db.url, "anna", "sales_manager", PASSWORD).await.expect("create anna");
    (db, server)
}

async fn device(server: &TestServer, user: &str) -> Device {
    Device::login(&server.client(), user, PASSWORD).await.expect("login works")
}

/// Rows and the clock: what a refused request must leave unchanged.
#[derive(Debug, PartialEq, Eq)]
struct Counts {
    accounts: i64,
    contacts: i64,
    mutation_log: i64,
    audit_log: i64,
    clock: i64,
    seqs: i64,
}

async fn counts(pool: &sqlx::PgPool) -> Counts {
    let n = |sql: &'static str| async move { sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await.expect(sql) };
    Counts {
        accounts: n("SELECT count(*) FROM accounts").await,
        contacts: n("SELECT count(*) FROM contacts").await,
        mutation_log: n("SELECT count(*) FROM mutation_log").await,
        audit_log: n("SELECT count(*) FROM audit_log").await,
        clock: n("SELECT version FROM sync_clock").await,
        seqs: n("SELECT COALESCE(sum(last_seq), 0)::bigint FROM devices").await,
    }
}

/// The live rows of the server's tables, as a device should mirror them.
async fn table_state(pool: &sqlx::PgPool) -> Mirror {
    type AccountRow = (Uuid, String, Option<String>, Option<String>, Option<String>, Option<String>);
    type ContactRow = (Uuid, Uuid, String, Option<String>, Option<String>);
    let accounts: Vec<AccountRow> =
        sqlx::query_as("SELECT id, name, vat_id, email, phone, city FROM accounts WHERE NOT deleted")
            .fetch_all(pool)
            .await
            .expect("read accounts");
    let contacts: Vec<ContactRow> =
        sqlx::query_as("SELECT id, account_id, name, email, phone FROM contacts WHERE NOT deleted")
            .fetch_all(pool)
            .await
            .expect("read contacts");
    let mut m = Mirror::default();
    for (id, name, vat, email, phone, city) in accounts {
        let a = Account {
            id: AccountId::from_uuid(id),
            name: AccountName::parse(&name).expect("stored name parses"),
            vat_id: vat.map(|v| VatId::parse(&v).expect("stored vat parses")),
            email: email.map(|v| Email::parse(&v).expect("stored email parses")),
            phone: phone.map(|v| Phone::parse(&v).expect("stored phone parses")),
            city: city.map(|v| City::parse(&v).expect("stored city parses")),
            // Every account these tests write has no territory.
            territory: None,
        };
        m.accounts.insert(a.id, a);
    }
    for (id, account_id, name, email, phone) in contacts {
        let c = Contact {
            id: ContactId::from_uuid(id),
            account_id: AccountId::from_uuid(account_id),
            name: PersonName::parse(&name).expect("stored name parses"),
            email: email.map(|v| Email::parse(&v).expect("stored email parses")),
            phone: phone.map(|v| Phone::parse(&v).expect("stored phone parses")),
        };
        m.contacts.insert(c.id, c);
    }
    m
}

fn applied(outcome: &Outcome) -> Version {
    match outcome {
        Outcome::Applied { version } => *version,
        Outcome::Rejected { code, reason } => panic!("expected applied, got rejected {code}: {reason}"),
    }
}

fn city_patch(id: AccountId, city: &str) -> Op {
    Op::AccountUpdate(AccountPatch {
        id,
        name: None,
        vat_id: Patch::Keep,
        email: Patch::Keep,
        phone: Patch::Keep,
        city: Patch::Set(City::parse(city).expect("valid city")),
        territory: Patch::Keep,
        seen: Default::default(),
    })
}

#[tokio::test]
async fn health_answers_after_asking_the_database_and_503_when_it_is_gone() {
    let db = TestDb::new().await.expect("a test database");
    let server = spawn_in_process(&db).await.expect("server");
    let health = server.client().health().await.expect("health is 200");
    assert_eq!(health.status, "ok");
    assert_eq!(health.version, env!("CARGO_PKG_VERSION"), "health reports the server's version");
    assert_eq!(health.protocol, PROTOCOL_VERSION);

    let client = server.client();
    drop(db);
    let err = client.health().await.expect_err("the database is gone");
    assert_eq!(err.status(), Some(503), "a server without its database says 503: {err}");
    assert_eq!(err.code(), Some("unavailable"));
}

#[tokio::test]
async fn login_checks_the_password_and_binds_the_device_to_one_user() {
    let (db, server) = setup().await;
    create_user(&db.url, "ben", "admin", PASSWORD).await.expect("create ben");
    let client = server.client();
    let dev = DeviceId(Uuid::now_v7());

    let ok = client.login("anna", PASSWORD, dev).await.expect("right password logs in");
    assert_eq!((ok.user.as_str(), ok.role.as_str(), ok.last_seq), ("anna", "sales_manager", 0));
    assert!(ok.token.expose().len() >= 43, "a 32-byte token");
    let stored: Vec<String> =
        sqlx::query_scalar("SELECT token_hash FROM sessions").fetch_all(&server.pool).await.expect("sessions");
    assert!(!stored.iter().any(|h| h == ok.token.expose()), "only the token's hash is stored");

    let wrong_pw = client.login("anna", "wrong password", dev).await.expect_err("wrong password");
    let no_user = client.login("nobody", PASSWORD, dev).await.expect_err("unknown user");
    for e in [&wrong_pw, &no_user] {
        assert_eq!(e.status(), Some(401), "bad credentials are 401: {e}");
        assert_eq!(e.code(), Some("bad_credentials"));
    }
    assert_eq!(wrong_pw.to_string(), no_user.to_string(), "unknown user and wrong password read the same");

    let taken = client.login("ben", PASSWORD, dev).await.expect_err("anna's device");
    assert_eq!((taken.status(), taken.code()), (Some(403), Some("device_taken")), "{taken}");

    let mut anna = Device::login_as(&client, "anna", PASSWORD, dev).await.expect("anna again on her device");
    anna.push_ops([Op::AccountCreate(new_account("ACME"))]).await.expect("push");
    let again = client.login("anna", PASSWORD, dev).await.expect("login again");
    assert_eq!(again.last_seq, 1, "login tells the device its last handled seq");
}

#[tokio::test]
async fn push_applies_create_update_delete_and_pull_returns_them_with_cascading_deletes() {
    let (_db, server) = setup().await;
    let mut dev = device(&server, "anna").await;
    let acme = new_account("ACME GmbH");
    let anna_c = new_contact(acme.id, "Anna Berg");
    let ben_c = new_contact(acme.id, "Ben Ott");
    let resp = dev
        .push_ops([
            Op::AccountCreate(acme.clone()),
            Op::ContactAdd(anna_c.clone()),
            Op::ContactAdd(ben_c.clone()),
            city_patch(acme.id, "Berlin"),
            Op::ContactUpdate(ContactPatch {
                id: ben_c.id,
                name: None,
                email: Patch::Set(Email::parse("ben@acme.de").expect("email")),
                phone: Patch::Keep,
                seen: Default::default(),
            }),
        ])
        .await
        .expect("push");
    assert_eq!(resp.last_seq, 5);
    let versions: Vec<Version> = resp.results.iter().map(|r| applied(&r.outcome)).collect();
    assert!(
        versions.windows(2).all(|w| w[0] < w[1]),
        "each applied mutation takes a new, higher version: {versions:?}"
    );

    let (changes, cursor) = dev.pull_all(Version(0), 100).await.expect("pull");
    let mut mirror = Mirror::default();
    mirror.apply(&changes);
    assert_eq!(mirror, table_state(&server.pool).await, "a full pull mirrors the tables");
    assert_eq!(mirror.accounts[&acme.id].city.as_ref().map(City::as_str), Some("Berlin"));
    assert_eq!(mirror.contacts.len(), 2);

    let del = dev.push_ops([Op::AccountDelete(DeleteAccount { id: acme.id })]).await.expect("delete");
    let v = applied(&del.results[0].outcome);
    let page = dev.pull(cursor, 100).await.expect("pull after delete");
    let deletes: BTreeSet<String> = page
        .changes
        .iter()
        .map(|c| match c {
            Change::Account { id, data: None, version } if *version == v => format!("account {id}"),
            Change::Contact { id, data: None, version } if *version == v => format!("contact {id}"),
            other => panic!("only deletes of version {v:?} expected, got {other:?}"),
        })
        .collect();
    let expected: BTreeSet<String> =
        [format!("account {}", acme.id), format!("contact {}", anna_c.id), format!("contact {}", ben_c.id)].into();
    assert_eq!(deletes, expected, "deleting an account tombstones it and all its contacts in one version");
    mirror.apply(&page.changes);
    assert_eq!(mirror, Mirror::default(), "after the delete nothing is left");
    assert_eq!(page.cursor, v);
    let audit: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log").fetch_one(&server.pool).await.expect("audit");
    assert_eq!(audit, 5 + 3, "every applied change is in the audit log, cascaded deletes included");
}

#[tokio::test]
async fn the_same_push_sent_twice_is_applied_once() {
    let (_db, server) = setup().await;
    let mut dev = device(&server, "anna").await;
    let acme = new_account("ACME");
    let ms = dev.mutations([Op::AccountCreate(acme.clone()), city_patch(acme.id, "Köln")]);
    let first = dev.push(&ms).await.expect("first push");
    let before = counts(&server.pool).await;
    let second = dev.push(&ms).await.expect("second push of the same mutations");
    assert_eq!(counts(&server.pool).await, before, "a resent push changes no row, version or seq");
    assert!(first.results.iter().all(|r| !r.replayed));
    assert!(second.results.iter().all(|r| r.replayed), "the resend is marked replayed: {second:?}");
    let outcomes = |r: &tandem_sync::PushResponse| r.results.iter().map(|x| x.outcome.clone()).collect::<Vec<_>>();
    assert_eq!(outcomes(&first), outcomes(&second), "the stored outcomes come back");
    assert_eq!(second.last_seq, 2);
}

#[tokio::test]
async fn a_seq_gap_is_refused_with_409_and_earlier_mutations_stay_applied() {
    let (_db, server) = setup().await;
    let mut dev = device(&server, "anna").await;
    let a = new_account("First");
    let b = new_account("Skipped ahead");
    let mut ms = dev.mutations([Op::AccountCreate(a.clone()), Op::AccountCreate(b)]);
    ms[1].seq = 3;
    let err = dev.push(&ms).await.expect_err("seq 3 after 1 is a gap");
    assert_eq!((err.status(), err.code()), (Some(409), Some("seq_gap")), "{err}");
    assert!(err.to_string().contains("expected seq 2, got 3"), "the message says which seq: {err}");
    let c = counts(&server.pool).await;
    assert_eq!((c.accounts, c.seqs), (1, 1), "the mutation before the gap stays applied");
    let retry = dev.push(&ms[..1]).await.expect("resend of seq 1");
    assert!(retry.results[0].replayed);
}

#[tokio::test]
async fn a_mutation_refused_by_a_rule_is_recorded_and_does_not_block_the_queue() {
    let (_db, server) = setup().await;
    let mut dev = device(&server, "anna").await;
    let gone = new_account("Gone GmbH");
    dev.push_ops([Op::AccountCreate(gone.clone()), Op::AccountDelete(DeleteAccount { id: gone.id })])
        .await
        .expect("setup");
    let clock_before = counts(&server.pool).await.clock;
    let unknown = AccountId::from_uuid(Uuid::now_v7());
    let next = new_account("Next AG");
    let resp = dev
        .push_ops([
            city_patch(unknown, "Berlin"),
            Op::ContactAdd(new_contact(gone.id, "Late Larry")),
            Op::AccountCreate(next.clone()),
        ])
        .await
        .expect("push with refused mutations");
    match &resp.results[0].outcome {
        Outcome::Rejected { code, reason } => {
            assert_eq!(code, "not_found");
            assert!(reason.contains("does not exist") && reason.contains(&unknown.to_string()), "readable: {reason}");
        }
        other => panic!("update of an unknown account must be rejected, got {other:?}"),
    }
    match &resp.results[1].outcome {
        Outcome::Rejected { code, reason } => {
            assert_eq!(code, "deleted");
            assert!(reason.contains("was deleted"), "readable: {reason}");
        }
        other => panic!("a contact on a deleted account must be rejected, got {other:?}"),
    }
    let v = applied(&resp.results[2].outcome);
    assert_eq!(v, Version(clock_before + 1), "rejected mutations consume no version");
    assert_eq!(resp.last_seq, 5, "rejected mutations still advance the device's seq");
    let logged: Vec<(i64, Option<i64>)> =
        sqlx::query_as("SELECT seq, version FROM mutation_log WHERE seq > 2 ORDER BY seq")
            .fetch_all(&server.pool)
            .await
            .expect("mutation log");
    assert_eq!(logged, [(3, None), (4, None), (5, Some(v.0))], "rejections are stored with their reason");
    let replay = dev.push(&[]).await.expect("empty push");
    assert_eq!(replay.last_seq, 5);
}

#[tokio::test]
async fn bad_requests_are_refused_with_json_errors_and_change_nothing() {
    let (db, server) = setup().await;
    create_user(&db.url, "ben", "sales_manager", PASSWORD).await.expect("ben");
    let mut dev = device(&server, "anna").await;
    dev.push_ops([Op::AccountCreate(new_account("Existing"))]).await.expect("setup");
    let other = device(&server, "ben").await;
    let client = server.client();
    let token = dev.token.expose().to_owned();
    let before = counts(&server.pool).await;

    let good = |op: serde_json::Value| {
        serde_json::json!({
            "protocol": PROTOCOL_VERSION, "device_id": dev.id,
            "mutations": [{"seq": 2, "made_at": "2026-11-23T10:00:00Z", "op": op}]
        })
    };
    let create = serde_json::json!({"name": "account.create", "args": {"id": Uuid::now_v7(), "name": "New"}});
    let json = "application/json";
    let mut with_field = good(create.clone());
    with_field["mutations"][0]["colour"] = "red".into();
    let bad_email = good(
        serde_json::json!({"name": "account.create", "args": {"id": Uuid::now_v7(), "name": "X", "email": "nope"}}),
    );
    let unknown_op = good(serde_json::json!({"name": "account.explode", "args": {}}));
    let mut old_protocol = good(create.clone());
    old_protocol["protocol"] = 0.into();
    let mut new_protocol = good(create.clone());
    new_protocol["protocol"] = (PROTOCOL_VERSION + 1).into();
    let mut wrong_device = good(create.clone());
    wrong_device["device_id"] = serde_json::to_value(other.id).expect("id");
    let too_many: Vec<Mutation> = (0..=MAX_PUSH_MUTATIONS as i64)
        .map(|i| Mutation { seq: 2 + i, made_at: chrono::Utc::now(), op: Op::AccountCreate(new_account("Bulk")) })
        .collect();
    let too_many = serde_json::to_value(PushRequest {
        protocol: PROTOCOL_VERSION,
        client: None,
        device_id: dev.id,
        mutations: too_many,
    })
    .expect("json");
    let pull = |limit: u32| serde_json::json!({"protocol": PROTOCOL_VERSION, "device_id": dev.id, "cursor": 0, "limit": limit});
    let huge = format!("{{\"user\":\"{}\"}}", "a".repeat(MAX_BODY_BYTES + 1));

    let cases: Vec<Case> = vec![
        ("malformed JSON", "POST", paths::PUSH, Some(&token), Some(json), "{\"protocol\": 1,".into(), 400, "malformed"),
        (
            "wrong type",
            "POST",
            paths::PUSH,
            Some(&token),
            Some(json),
            "{\"protocol\":\"one\"}".into(),
            400,
            "malformed",
        ),
        ("unknown field", "POST", paths::PUSH, Some(&token), Some(json), with_field.to_string(), 400, "malformed"),
        (
            "unknown mutation name",
            "POST",
            paths::PUSH,
            Some(&token),
            Some(json),
            unknown_op.to_string(),
            400,
            "malformed",
        ),
        (
            "invalid e-mail in args",
            "POST",
            paths::PUSH,
            Some(&token),
            Some(json),
            bad_email.to_string(),
            400,
            "malformed",
        ),
        (
            "no content type",
            "POST",
            paths::PUSH,
            Some(&token),
            None,
            good(create.clone()).to_string(),
            415,
            "unsupported_media_type",
        ),
        ("oversized body", "POST", paths::LOGIN, None, Some(json), huge.clone(), 413, "too_large"),
        ("oversized push", "POST", paths::PUSH, Some(&token), Some(json), huge, 413, "too_large"),
        (
            "too many mutations",
            "POST",
            paths::PUSH,
            Some(&token),
            Some(json),
            too_many.to_string(),
            413,
            "too_many_mutations",
        ),
        ("missing token", "POST", paths::PUSH, None, Some(json), good(create.clone()).to_string(), 401, "unauthorized"),
        (
            "invalid token",
            "POST",
            paths::PUSH,
            Some("not-a-token"),
            Some(json),
            good(create.clone()).to_string(),
            401,
            "unauthorized",
        ),
        (
            "another device's id",
            "POST",
            paths::PUSH,
            Some(&token),
            Some(json),
            wrong_device.to_string(),
            403,
            "wrong_device",
        ),
        (
            "old protocol",
            "POST",
            paths::PUSH,
            Some(&token),
            Some(json),
            old_protocol.to_string(),
            426,
            "upgrade_required",
        ),
        (
            "newer protocol",
            "POST",
            paths::PUSH,
            Some(&token),
            Some(json),
            new_protocol.to_string(),
            400,
            "unsupported_protocol",
        ),
        ("pull limit 0", "POST", paths::PULL, Some(&token), Some(json), pull(0).to_string(), 400, "bad_limit"),
        (
            "pull limit too high",
            "POST",
            paths::PULL,
            Some(&token),
            Some(json),
            pull(MAX_PULL_LIMIT + 1).to_string(),
            400,
            "bad_limit",
        ),
        ("pull without token", "POST", paths::PULL, None, Some(json), pull(10).to_string(), 401, "unauthorized"),
        ("unknown route", "GET", "/v1/nothing", None, None, String::new(), 404, "not_found"),
        ("wrong method", "GET", paths::PUSH, Some(&token), None, String::new(), 405, "method_not_allowed"),
    ];
    for (what, method, path, tok, ct, body, status, code) in cases {
        let resp = client.raw(method, path, tok, ct, body).await.expect("request");
        assert_eq!(resp.status, status, "{what}: expected HTTP {status}, got {} {}", resp.status, resp.body);
        assert!(
            resp.content_type.as_deref().is_some_and(|c| c.starts_with("application/json")),
            "{what}: error responses are JSON, got {:?}",
            resp.content_type
        );
        let body = resp.error_body().unwrap_or_else(|e| panic!("{what}: {e:#}"));
        assert_eq!(body.code, code, "{what}: code");
        assert!(!body.message.is_empty(), "{what}: the message says what is wrong");
        assert_eq!(counts(&server.pool).await, before, "{what}: a refused request changes nothing");
    }

    let malformed =
        client.raw("POST", paths::PUSH, Some(&token), Some(json), "{\"protocol\": 1,").await.expect("request");
    let msg = malformed.error_body().expect("json").message;
    assert!(msg.contains("line 1 column"), "serde's message says where: {msg}");
    let email =
        client.raw("POST", paths::PUSH, Some(&token), Some(json), bad_email.to_string()).await.expect("request");
    let msg = email.error_body().expect("json").message;
    assert!(msg.contains("e-mail") && msg.contains("mutations[0]"), "the message names the field: {msg}");
}

#[tokio::test]
async fn pull_pages_never_split_a_version_and_add_up_to_one_big_pull() {
    let (_db, server) = setup().await;
    let mut dev = device(&server, "anna").await;
    // Versions of very different sizes: an account delete tombstones 1 + 6 rows in one version.
    let mut ops = Vec::new();
    let mut big = Vec::new();
    for i in 0..4 {
        let a = new_account(&format!("Company {i}"));
        ops.push(Op::AccountCreate(a.clone()));
        for j in 0..(i + 3) {
            ops.push(Op::ContactAdd(new_contact(a.id, &format!("Person {i}-{j}"))));
        }
        big.push(a.id);
    }
    ops.push(Op::AccountDelete(DeleteAccount { id: big[3] }));
    ops.push(city_patch(big[0], "Bonn"));
    ops.push(Op::AccountDelete(DeleteAccount { id: big[1] }));
    dev.push_ops(ops).await.expect("push");

    let (whole, whole_cursor) = dev.pull_all(Version(0), MAX_PULL_LIMIT).await.expect("one big pull");
    for limit in [1, 2, 3, 5, 7] {
        let mut cursor = Version(0);
        let mut union = Vec::new();
        loop {
            let page = dev.pull(cursor, limit).await.expect("page");
            let versions: Vec<Version> = page.changes.iter().map(Change::version).collect();
            assert!(versions.iter().all(|v| *v > cursor), "limit {limit}: a page holds only versions after the cursor");
            assert!(versions.windows(2).all(|w| w[0] <= w[1]), "limit {limit}: ordered by version");
            let distinct: BTreeSet<Version> = versions.iter().copied().collect();
            assert!(
                page.changes.len() <= limit as usize || distinct.len() == 1,
                "limit {limit}: a page exceeds the limit only to carry one whole version"
            );
            if let Some(last) = versions.last() {
                assert_eq!(page.cursor, *last, "limit {limit}: the cursor is the last version returned");
            }
            union.extend(page.changes);
            cursor = page.cursor;
            if !page.has_more {
                break;
            }
        }
        assert_eq!(union, whole, "limit {limit}: the pages add up to one big pull");
        assert_eq!(cursor, whole_cursor);
        for v in union.iter().map(Change::version).collect::<BTreeSet<_>>() {
            let in_whole = whole.iter().filter(|c| c.version() == v).count();
            let in_union = union.iter().filter(|c| c.version() == v).count();
            assert_eq!(in_whole, in_union, "limit {limit}: version {v:?} arrives whole");
        }
    }
    let tail = dev.pull(whole_cursor, 10).await.expect("pull at the end");
    assert!(tail.changes.is_empty() && !tail.has_more && tail.cursor == whole_cursor, "nothing more: {tail:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_pushers_and_pullers_never_miss_a_change() {
    let (db, server) = setup().await;
    for i in 0..8 {
        create_user(&db.url, &format!("rep{i}"), "sales_manager", PASSWORD).await.expect("user");
    }
    let mut first = device(&server, "anna").await;
    let shared = new_account("Shared Customer AG");
    first.push_ops([Op::AccountCreate(shared.clone())]).await.expect("shared account");

    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut pushers = Vec::new();
    for i in 0..8 {
        let mut dev = device(&server, &format!("rep{i}")).await;
        let shared = shared.id;
        pushers.push(tokio::spawn(async move {
            for round in 0..12 {
                let own = new_account(&format!("Rep {i} customer {round}"));
                let c1 = new_contact(own.id, "Erika Muster");
                let c2 = new_contact(shared, &format!("Rep {i} contact {round}"));
                let mut ops = vec![
                    Op::AccountCreate(own.clone()),
                    Op::ContactAdd(c1.clone()),
                    Op::ContactAdd(c2.clone()),
                    city_patch(shared, &format!("City {i} {round}")),
                ];
                if round % 3 == 2 {
                    ops.push(Op::AccountDelete(DeleteAccount { id: own.id }));
                    ops.push(Op::ContactDelete(DeleteContact { id: c2.id }));
                }
                let resp = dev.push_ops(ops).await.expect("concurrent push");
                for r in &resp.results {
                    applied(&r.outcome);
                }
            }
        }));
    }
    let mut pullers = Vec::new();
    for p in 0..2 {
        let dev = device(&server, "anna").await;
        let done = done.clone();
        pullers.push(tokio::spawn(async move {
            let mut mirror = Mirror::default();
            let mut cursor = Version(0);
            let mut pages = 0;
            loop {
                // Read the flag first: a pass that starts after the pushers finished sees it all.
                let finished = done.load(std::sync::atomic::Ordering::SeqCst);
                loop {
                    let page = dev.pull(cursor, 3 + p).await.expect("concurrent pull");
                    assert!(page.cursor >= cursor, "the cursor never goes back");
                    mirror.apply(&page.changes);
                    cursor = page.cursor;
                    pages += 1;
                    if !page.has_more {
                        break;
                    }
                }
                if finished {
                    return (mirror, pages);
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }));
    }
    for p in pushers {
        p.await.expect("pusher finished");
    }
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    let expected = table_state(&server.pool).await;
    assert_eq!(expected.accounts.len(), 1 + 8 * 12 - 8 * 4, "the pushes all applied");
    for p in pullers {
        let (mirror, pages) = p.await.expect("puller finished");
        assert!(pages > 10, "the puller pulled while pushes were running ({pages} pages)");
        assert_eq!(
            mirror, expected,
            "a puller that followed the feed during concurrent pushes holds exactly the server's tables"
        );
    }
}

#[tokio::test]
async fn user_add_with_the_real_binary_reads_the_password_from_stdin() {
    let db = TestDb::new().await.expect("db");
    let out = run_server_command(&db.url, &["migrate"], "").expect("migrate runs");
    assert!(out.status.success(), "migrate: {}", String::from_utf8_lossy(&out.stderr));
    create_user_with_binary(&db.url, "carla", "back_office", "s3cret pass").expect("user add");

    let dup =
        run_server_command(&db.url, &["user", "add", "carla", "--role", "admin"], "another pass\n").expect("runs");
    assert_eq!(dup.status.code(), Some(1), "a duplicate name fails");
    let msg = String::from_utf8_lossy(&dup.stderr);
    assert!(msg.contains("already exists") && msg.trim().lines().count() == 1, "one clear line: {msg}");
    let short = run_server_command(&db.url, &["user", "add", "dora", "--role", "admin"], "short\n").expect("runs");
    assert!(!short.status.success() && String::from_utf8_lossy(&short.stderr).contains("too short"));
    let role = run_server_command(&db.url, &["user", "add", "dora", "--role", "boss"], "long enough\n").expect("runs");
    assert!(
        !role.status.success() && String::from_utf8_lossy(&role.stderr).contains("sales_manager"),
        "valid roles are listed"
    );

    let server = spawn_process(&db.url).expect("tandem-server serve starts");
    let client = server.client();
    client.health().await.expect("healthy");
    let login = client.login("carla", "s3cret pass", DeviceId(Uuid::now_v7())).await.expect("carla logs in");
    assert_eq!(login.role, "back_office");
    let wrong = client.login("carla", "s3cret pass\n", DeviceId(Uuid::now_v7())).await.expect_err("newline stripped");
    assert_eq!(wrong.status(), Some(401));
}

#[tokio::test]
async fn seed_demo_twice_gives_the_same_rows_through_the_apply_path() {
    let db = TestDb::new().await.expect("db");
    let first = run_server_command(&db.url, &["seed-demo"], "").expect("seed-demo runs");
    assert!(first.status.success(), "seed-demo: {}", String::from_utf8_lossy(&first.stderr));
    let pool = db.pool().await.expect("pool");
    let after_first = counts(&pool).await;
    assert!((190..=210).contains(&after_first.accounts), "about 200 demo accounts: {after_first:?}");
    assert!(after_first.contacts >= after_first.accounts, "each with 1-3 contacts: {after_first:?}");
    assert_eq!(
        after_first.audit_log,
        after_first.accounts + after_first.contacts,
        "demo rows go through the apply path and are audited"
    );
    assert_eq!(after_first.clock, after_first.accounts + after_first.contacts, "each row got its own version");

    let second = run_server_command(&db.url, &["seed-demo"], "").expect("seed-demo runs again");
    assert!(second.status.success(), "seed-demo again: {}", String::from_utf8_lossy(&second.stderr));
    assert_eq!(counts(&pool).await, after_first, "running seed-demo twice duplicates nothing");
    let missing = run_server_command("", &["seed-demo"], "").expect("runs");
    assert!(!missing.status.success(), "no database is an error");
}

/// The race a plain sequence loses: transaction A takes version N and is still open when B
/// takes N+1 and commits; a puller that saw N+1 moves its cursor past N and never sees A's row.
/// Here B must wait for A, so a pull can never get ahead of an open version.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_pull_never_passes_a_version_that_an_open_transaction_holds() {
    let (db, server) = setup().await;
    create_user(&db.url, "ben", "sales_manager", PASSWORD).await.expect("ben");
    let slow = device(&server, "anna").await;
    let mut fast = device(&server, "ben").await;
    let puller = device(&server, "anna").await;
    let anna: Uuid = sqlx::query_scalar("SELECT id FROM users WHERE name = 'anna'")
        .fetch_one(&server.pool)
        .await
        .expect("anna's id");

    // A: applied through the server's own apply path, but not yet committed.
    let slow_account = new_account("Slow Commit GmbH");
    let mut tx = server.pool.begin().await.expect("begin");
    let m = Mutation { seq: 1, made_at: chrono::Utc::now(), op: Op::AccountCreate(slow_account.clone()) };
    let actor = tandem_server::apply::Actor { user: anna, device: slow.id };
    let handled =
        tandem_server::apply::handle_mutation_in(&mut tx, actor, &m, chrono::Utc::now()).await.expect("apply A");
    let version_a = applied(&handled.result.outcome);

    // B: a push over HTTP while A is open.
    let fast_account = new_account("Fast Commit AG");
    let b = tokio::spawn({
        let op = Op::AccountCreate(fast_account.clone());
        async move { fast.push_ops([op]).await }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let early = puller.pull(Version(0), 100).await.expect("pull while A is open");
    assert!(
        early.changes.iter().all(|c| c.version() < version_a) && early.cursor < version_a,
        "while version {version_a:?} is open, a pull returns nothing at or after it: {early:?}"
    );
    assert!(!b.is_finished(), "B waits for A's version to commit before taking the next one");

    tx.commit().await.expect("commit A");
    let pushed = b.await.expect("B's task").expect("B's push");
    assert!(applied(&pushed.results[0].outcome) > version_a, "B's version comes after A's");
    let (rest, _) = puller.pull_all(early.cursor, 100).await.expect("pull after both committed");
    let mut mirror = Mirror::default();
    mirror.apply(&early.changes);
    mirror.apply(&rest);
    assert!(
        mirror.accounts.contains_key(&slow_account.id) && mirror.accounts.contains_key(&fast_account.id),
        "the puller got both A's and B's account: {:?}",
        mirror.accounts.keys().collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn two_servers_starting_together_on_a_fresh_database_both_serve() {
    let db = TestDb::new().await.expect("db");
    let (a, b) = {
        let (u1, u2) = (db.url.clone(), db.url.clone());
        let t1 = std::thread::spawn(move || spawn_process(&u1));
        let t2 = std::thread::spawn(move || spawn_process(&u2));
        (t1.join().expect("thread 1"), t2.join().expect("thread 2"))
    };
    let (a, b) = (a.expect("first server starts"), b.expect("second server starts (migrations run once)"));
    create_user(&db.url, "anna", "admin", PASSWORD).await.expect("user");
    let mut on_a = Device::login(&a.client(), "anna", PASSWORD).await.expect("login on A");
    let on_b = Device::login(&b.client(), "anna", PASSWORD).await.expect("login on B");
    let acme = new_account("ACME");
    on_a.push_ops([Op::AccountCreate(acme.clone())]).await.expect("push to A");
    let (changes, _) = on_b.pull_all(Version(0), 10).await.expect("pull from B");
    assert_eq!(changes.len(), 1, "a change pushed to one server is pulled from the other");
}
